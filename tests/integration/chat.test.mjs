// POST /v1/chat/completions through the real gateway to a fake OpenAI upstream, non-streaming:
// exact upstream request (path, Host, Content-Length, body bytes, one credential), exact client
// bytes, headers relayed, model header semantics, and the access-log line.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { simpleConfig } from '../lib/config.mjs';
import { request, postJSON } from '../lib/http.mjs';
import { fixture, fixtureJSON } from '../lib/openai-wire.mjs';
import { assertNoViolations, checkAndReset, assertLog, assertLogBasics, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-proj-chat-SECRET-7f3a9c21e4b8d605';
const OTHER_KEY = 'sk-other-SECRET-55aa55aa55aa';
const T = { timeout: 30000 };

describe('chat completions (non-streaming)', () => {
  let fake;
  let other;
  let gw;

  before(async () => {
    fake = await FakeOpenAI.start({ name: 'openai',
      expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    other = await FakeOpenAI.start({ name: 'other',
      expect: { credential: { header: 'authorization', value: `Bearer ${OTHER_KEY}` } } });
    gw = await startGateway({ yaml: simpleConfig({ backends: [
      { name: 'openai', fake, key: KEY, models: ['gpt-4o-mini', 'gpt-4o'] },
      { name: 'other', fake: other, key: OTHER_KEY, models: ['other-model'] },
    ] }) });
  }, HOOK);

  after(async () => {
    try {
      if (gw) {
        assertNoSecret(gw, KEY);
        assertNoSecret(gw, OTHER_KEY);
      }
    } finally {
      await gw?.stop();
      await fake?.close();
      await other?.close();
    }
  }, HOOK);

  afterEach(() => checkAndReset(fake, other));

  test('relays the upstream JSON byte for byte and sends the exact request upstream', T, async () => {
    const bytes = fixture('openai/chat-completion.json');
    fake.enqueue({ json: bytes });
    // Unusual spacing and key order must survive untouched: no re-serialization.
    const body = '{ "messages" : [ {"role":"user","content":"Grüße \\u00e9 👋"} ],\n  "model":"gpt-4o-mini", "temperature" :0.25 }';
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), body);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.equals(bytes), `client bytes differ from upstream bytes:\n${res.text}`);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.equal(res.headers['content-length'], String(bytes.length));

    assert.equal(fake.requests.length, 1);
    const up = fake.requests[0];
    assert.equal(up.method, 'POST');
    assert.equal(up.path, '/v1/chat/completions');
    assert.equal(up.bodyText, body, 'upstream body must be the client body, byte for byte');
    assert.equal(Number(up.headers['content-length']), Buffer.byteLength(body));
    if (up.headers['x-ai-eg-model'] !== undefined) assert.equal(up.headers['x-ai-eg-model'], 'gpt-4o-mini');

    const want = fixtureJSON('openai/chat-completion.json');
    const [log] = await gw.waitForLogCount(1, { from });
    assertLogBasics(log);
    assertLog(log, {
      method: 'POST', path: '/v1/chat/completions', response_code: 200, route: 'default/route',
      backend: 'default/openai', stream: false,
      'gen_ai.original.model': 'gpt-4o-mini', 'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': want.model, 'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': want.usage.prompt_tokens,
      'gen_ai.usage.output_tokens': want.usage.completion_tokens,
      'gen_ai.usage.total_tokens': want.usage.total_tokens,
      'gen_ai.usage.cached_input_tokens': want.usage.prompt_tokens_details.cached_tokens,
      'gen_ai.usage.reasoning_tokens': want.usage.completion_tokens_details.reasoning_tokens,
    });
    assert.ok('rule' in log, 'access log has "rule"');
    assert.equal(log.error, undefined);
    assert.equal(log.costs, undefined, 'no llmRequestCosts configured → no costs');
  });

  test('usage details (cached, cache creation, reasoning) reach the access log', T, async () => {
    fake.enqueue({ json: fixture('openai/chat-completion-usage-details.json') });
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o'));
    assert.equal(res.status, 200);
    const u = fixtureJSON('openai/chat-completion-usage-details.json').usage;
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, {
      'gen_ai.original.model': 'gpt-4o', 'gen_ai.response.model': 'o4-mini-2025-04-16',
      'gen_ai.usage.input_tokens': u.prompt_tokens, 'gen_ai.usage.output_tokens': u.completion_tokens,
      'gen_ai.usage.total_tokens': u.total_tokens,
      'gen_ai.usage.cached_input_tokens': u.prompt_tokens_details.cached_tokens,
      'gen_ai.usage.cache_creation_input_tokens': u.prompt_tokens_details.cache_creation_tokens,
      'gen_ai.usage.reasoning_tokens': u.completion_tokens_details.reasoning_tokens,
    });
  });

  test('reasoning tokens are absent from the access log when the upstream does not report them', T, async () => {
    fake.enqueue({ json: { id: 'chatcmpl-minimal', object: 'chat.completion', created: 1741570283, model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } } });
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assert.equal(res.status, 200, res.text);
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1, 'gen_ai.usage.total_tokens': 4 });
    assert.ok(!('gen_ai.usage.reasoning_tokens' in log), `reasoning_tokens is unknown here: ${JSON.stringify(log)}`);
  });

  test('large bodies both ways (6 MiB request, 9 MiB response) arrive byte for byte', T, async () => {
    const big = 'x'.repeat(6 * 1024 * 1024);
    const reqBody = JSON.stringify(chatRequest('gpt-4o-mini', { messages: [{ role: 'user', content: big }] }));
    const resp = Buffer.from(JSON.stringify({ ...JSON.parse(fixture('openai/chat-completion.json')),
      choices: [{ index: 0, message: { role: 'assistant', content: 'é'.repeat(4.5 * 1024 * 1024) }, logprobs: null, finish_reason: 'stop' }] }));
    fake.enqueue({ json: resp });
    const res = await postJSON(gw.url('/v1/chat/completions'), reqBody, { timeoutMs: 30000 });
    assert.equal(res.status, 200);
    assert.ok(res.body.equals(resp), 'response bytes differ');
    assert.equal(fake.requests[0].bodyText, reqBody);
  });

  test('an upstream connection the provider closed while idle is not reused (or is retried)', T, async () => {
    const r1 = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assert.equal(r1.status, 200, r1.text);
    await fake.closeIdleConnections();
    for (let i = 0; i < 3; i++) {
      const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
      assert.equal(r.status, 200, `request ${i} after the provider closed idle connections: ${r.text}`);
    }
  });

  test('a gzip-encoded upstream body reaches the client decodable and its usage is read', T, async () => {
    const bytes = fixture('openai/chat-completion.json');
    // Like a provider, the fake compresses only when the request accepts gzip.
    fake.enqueue((rec) => (/\bgzip\b/.test(rec.headers['accept-encoding'] ?? '')
      ? { body: zlib.gzipSync(bytes), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }
      : { json: bytes }));
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'), { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    const decoded = res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(res.body) : res.body;
    assert.ok(decoded.equals(bytes), 'the client can decode exactly the upstream JSON');
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { 'gen_ai.usage.total_tokens': 29, 'gen_ai.response.model': 'gpt-4o-2024-08-06' });
  });

  test('the client credentials are replaced by the configured key, never forwarded', T, async () => {
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'), {
      headers: { authorization: 'Bearer client-gateway-token', 'x-api-key': 'client-x-api-key',
        'api-key': 'client-azure-key' } });
    assert.equal(res.status, 200, res.text);
    const up = fake.requests[0];
    assert.equal(up.headers.authorization, `Bearer ${KEY}`);
    assert.equal(up.headers['x-api-key'], undefined);
    assert.equal(up.headers['api-key'], undefined);
  });

  test('routes on the body model, overwriting a client x-ai-eg-model header', T, async () => {
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'),
      { headers: { 'x-ai-eg-model': 'other-model' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(fake.requests.length, 1, 'request went to the gpt-4o-mini backend');
    assert.equal(other.requests.length, 0);
    const h = fake.requests[0].headers['x-ai-eg-model'];
    if (h !== undefined) assert.equal(h, 'gpt-4o-mini');

    const res2 = await postJSON(gw.url('/v1/chat/completions'), chatRequest('other-model'),
      { headers: { 'x-ai-eg-model': 'gpt-4o-mini' } });
    assert.equal(res2.status, 200, res2.text);
    assert.equal(other.requests.length, 1);
    assert.equal(other.requests[0].json.model, 'other-model');
  });

  test('upstream response headers are relayed to the client', T, async () => {
    fake.enqueue({ json: fixture('openai/chat-completion.json'),
      headers: { 'x-request-id': 'req_0123456789abcdef', 'openai-processing-ms': '321',
        'x-ratelimit-remaining-requests': '9999' } });
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-request-id'], 'req_0123456789abcdef');
    assert.equal(res.headers['openai-processing-ms'], '321');
    assert.equal(res.headers['x-ratelimit-remaining-requests'], '9999');
  });

  test('a request the client sends with a JSON charset and no user-agent still works', T, async () => {
    const res = await request(gw.url('/v1/chat/completions'), { method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(chatRequest('gpt-4o-mini')) });
    assert.equal(res.status, 200, res.text);
  });

  test('keep-alive: several requests over one client connection, one access-log line each', T, async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const from = await gw.logMark();
    try {
      const sockets = new Set();
      for (let i = 0; i < 5; i++) {
        const body = JSON.stringify(chatRequest('gpt-4o-mini', { user: `u${i}` }));
        const r = await new Promise((resolve, reject) => {
          const req = http.request(gw.url('/v1/chat/completions'), { method: 'POST', agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            sockets.add(res.socket);
            let b = '';
            res.on('data', (c) => { b += c; });
            res.on('end', () => resolve({ status: res.statusCode, b }));
          });
          req.setTimeout(10000, () => req.destroy(new Error('timeout')));
          req.on('error', reject);
          req.end(body);
        });
        assert.equal(r.status, 200, r.b);
      }
      assert.equal(sockets.size, 1, 'the gateway kept the client connection open');
      assert.deepEqual(fake.requests.map((r) => r.json.user), ['u0', 'u1', 'u2', 'u3', 'u4']);
      const logs = await gw.waitForLogCount(5, { from });
      assert.equal(logs.length, 5);
    } finally {
      agent.destroy();
    }
  });

  test('stdout carries only JSON access-log lines', T, () => {
    assert.deepEqual(gw.nonJsonStdout, []);
  });
});
