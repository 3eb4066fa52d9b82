// llmRequestCosts: every token cost type, from a JSON response and from a stream's usage chunk;
// GatewayConfig.globalLLMRequestCosts apply to every route, and a route cost with the same
// metadataKey beats the global one.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { postJSON, openStream } from '../lib/http.mjs';
import { fixture, fixtureJSON } from '../lib/openai-wire.mjs';
import { assertNoViolations, checkAndReset, assertLog, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-costs-SECRET-c0575c0575';
const T = { timeout: 30000 };
const U = fixtureJSON('openai/chat-completion-usage-details.json').usage;

const ROUTE_COSTS = [
  { metadataKey: 'in', type: 'InputToken' },
  { metadataKey: 'out', type: 'OutputToken' },
  { metadataKey: 'total', type: 'TotalToken' },
  { metadataKey: 'cached', type: 'CachedInputToken' },
  { metadataKey: 'cache_write', type: 'CacheCreationInputToken' },
  { metadataKey: 'reasoning', type: 'ReasoningToken' },
  { metadataKey: 'shared_key', type: 'InputToken' },
];
const GLOBAL_COSTS = [
  { metadataKey: 'shared_key', type: 'OutputToken' },
  { metadataKey: 'global_total', type: 'TotalToken' },
];

describe('llmRequestCosts', () => {
  let fake;
  let gw;

  before(async () => {
    fake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    gw = await startGateway({ yaml: buildConfig({
      gatewayConfig: { name: 'gwcfg', globalCosts: GLOBAL_COSTS },
      routes: [
        { name: 'metered', costs: ROUTE_COSTS, rules: [{ models: ['metered'], backendRefs: ['openai'] }] },
        { name: 'global-only', rules: [{ models: ['global-only'], backendRefs: ['openai'] }] },
      ],
      backends: [{ name: 'openai', endpoint: fakeEndpoint(fake), policy: { type: 'APIKey', key: KEY } }],
    }) });
  }, HOOK);

  after(async () => {
    try { if (gw) assertNoSecret(gw, KEY); } finally {
      await gw?.stop();
      await fake?.close();
    }
  }, HOOK);

  afterEach(() => checkAndReset(fake));

  const EXPECTED_ROUTE = {
    in: U.prompt_tokens, out: U.completion_tokens, total: U.total_tokens,
    cached: U.prompt_tokens_details.cached_tokens,
    cache_write: U.prompt_tokens_details.cache_creation_tokens,
    reasoning: U.completion_tokens_details.reasoning_tokens,
    shared_key: U.prompt_tokens, // the route's InputToken beats the global OutputToken
    global_total: U.total_tokens,
  };

  test('every cost type from a JSON response; route beats global on the same key', T, async () => {
    fake.enqueue({ json: fixture('openai/chat-completion-usage-details.json') });
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('metered'));
    assert.equal(res.status, 200, res.text);
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { route: 'default/metered', costs: EXPECTED_ROUTE });
  });

  test('every cost type from a stream\'s usage chunk', T, async () => {
    fake.enqueue({ sse: [fixture('openai/chat-completion-stream-usage-details.sse')] });
    const from = await gw.logMark();
    const s = await openStream(gw.url('/v1/chat/completions'), { body: chatRequest('metered',
      { stream: true, stream_options: { include_usage: true } }) });
    assert.equal(s.status, 200);
    await s.all();
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { stream: true, costs: EXPECTED_ROUTE });
  });

  test('a route without costs gets the GatewayConfig global costs', T, async () => {
    fake.enqueue({ json: fixture('openai/chat-completion-usage-details.json') });
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('global-only'));
    assert.equal(res.status, 200, res.text);
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { route: 'default/global-only',
      costs: { shared_key: U.completion_tokens, global_total: U.total_tokens } });
  });

  test('global costs alone also make the gateway ask a stream for usage', T, async () => {
    const req = chatRequest('global-only', { stream: true });
    const from = await gw.logMark();
    const s = await openStream(gw.url('/v1/chat/completions'), { body: req });
    await s.all();
    assert.deepEqual(fake.requests[0].json, { ...req, stream_options: { include_usage: true } });
    const log = await gw.waitForLog(() => true, { from });
    assert.equal(typeof log.costs?.global_total, 'number');
  });
});
