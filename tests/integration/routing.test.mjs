// Routing: rules in order, header matches ANDed within a match, priority groups with failover on
// connect failure, weights inside a group, modelNameOverride as a byte splice of `model`, and
// header/body mutation (route-level beats backend-level; x-ai-eg-* never mutated).

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { postJSON, openStream } from '../lib/http.mjs';
import { closedPort } from '../lib/ports.mjs';
import { assertNoViolations, checkAndReset, assertLog, assertGatewayError, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY_A = 'sk-A-SECRET-aaaaaaaaaaaa';
const KEY_B = 'sk-B-SECRET-bbbbbbbbbbbb';
const T = { timeout: 60000 };

describe('routing', () => {
  let a;
  let b;
  let gw;

  before(async () => {
    a = await FakeOpenAI.start({ name: 'A', expect: { credential: { header: 'authorization', value: `Bearer ${KEY_A}` } } });
    b = await FakeOpenAI.start({ name: 'B', expect: { credential: { header: 'authorization', value: `Bearer ${KEY_B}` } } });
    const dead1 = await closedPort();
    const dead2 = await closedPort();
    gw = await startGateway({ yaml: buildConfig({
      routes: [{ name: 'route', rules: [
        { name: 'ordered', models: ['ordered'], backendRefs: ['a'] },
        { name: 'override', models: ['override-me'], backendRefs: [{ name: 'a', modelNameOverride: 'gpt-4o-2024-08-06' }] },
        { name: 'failover', models: ['failover'], backendRefs: [{ name: 'dead1', priority: 0 }, { name: 'a', priority: 1 }] },
        { name: 'all-dead', models: ['all-dead'], backendRefs: [{ name: 'dead1', priority: 0 }, { name: 'dead2', priority: 1 }] },
        { name: 'weighted', models: ['weighted'], backendRefs: [{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }] },
        { name: 'weight-zero', models: ['weight-zero'], backendRefs: [{ name: 'a', weight: 0 }, { name: 'b', weight: 1 }] },
        { name: 'tenant', matches: [{ headers: [
          { type: 'Exact', name: 'x-ai-eg-model', value: 'tenant-model' },
          { type: 'Exact', name: 'x-tenant', value: 'gold' }] }], backendRefs: ['a'] },
        { name: 'mutate', models: ['mutate'], backendRefs: [{ name: 'm',
          headerMutation: { set: [{ name: 'x-shared', value: 'route' }, { name: 'x-route', value: 'r' }],
            remove: ['x-drop-route'] },
          bodyMutation: { set: [{ path: 'temperature', value: '0.1' }, { path: 'user', value: 'gateway-user' }] } }] },
        { name: 'catch-all', regex: '.*', backendRefs: ['b'] },
      ] }],
      backends: [
        { name: 'a', endpoint: fakeEndpoint(a), policy: { type: 'APIKey', key: KEY_A } },
        { name: 'b', endpoint: fakeEndpoint(b), policy: { type: 'APIKey', key: KEY_B } },
        { name: 'dead1', endpoint: { ip: '127.0.0.1', port: dead1 } },
        { name: 'dead2', endpoint: { ip: '127.0.0.1', port: dead2 } },
        { name: 'm', endpoint: fakeEndpoint(a), policy: { type: 'APIKey', key: KEY_A },
          headerMutation: { set: [{ name: 'x-shared', value: 'backend' }, { name: 'x-backend', value: 'b' },
            { name: 'x-ai-eg-model', value: 'hacked' }], remove: ['x-drop-backend'] },
          bodyMutation: { set: [{ path: 'service_tier', value: '"flex"' }], remove: ['top_p'] } },
      ],
    }) });
  }, HOOK);

  after(async () => {
    try { if (gw) { assertNoSecret(gw, KEY_A); assertNoSecret(gw, KEY_B); } } finally {
      await gw?.stop();
      await a?.close();
      await b?.close();
    }
  }, HOOK);

  afterEach(() => checkAndReset(a, b));

  test('rules are tried in order: the first match wins over a later catch-all', T, async () => {
    const r1 = await postJSON(gw.url('/v1/chat/completions'), chatRequest('ordered'));
    assert.equal(r1.status, 200, r1.text);
    assert.equal(a.requests.length, 1);
    const r2 = await postJSON(gw.url('/v1/chat/completions'), chatRequest('anything-else'));
    assert.equal(r2.status, 200, r2.text);
    assert.equal(b.requests.length, 1);
    assert.equal(b.requests[0].json.model, 'anything-else');
  });

  test('all headers of a match must match', T, async () => {
    await postJSON(gw.url('/v1/chat/completions'), chatRequest('tenant-model'), { headers: { 'x-tenant': 'gold' } });
    await postJSON(gw.url('/v1/chat/completions'), chatRequest('tenant-model'), { headers: { 'x-tenant': 'silver' } });
    assert.equal(a.requests.length, 1, 'gold tenant → rule "tenant"');
    assert.equal(b.requests.length, 1, 'silver tenant → catch-all');
  });

  test('modelNameOverride rewrites only the model value; every other byte is identical', T, async () => {
    const body = '{"model":  "override-me" ,\n "messages":[{"role":"user","content":"about override-me: é"}],\n "metadata":{"model":"override-me"}}';
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), body);
    assert.equal(res.status, 200, res.text);
    const want = body.replace('"model":  "override-me"', '"model":  "gpt-4o-2024-08-06"');
    assert.equal(a.requests[0].bodyText, want);
    assert.equal(Number(a.requests[0].headers['content-length']), Buffer.byteLength(want));
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { 'gen_ai.original.model': 'override-me', 'gen_ai.request.model': 'gpt-4o-2024-08-06',
      'gen_ai.response.model': 'gpt-4o-2024-08-06', backend: 'default/a' });
  });

  test('modelNameOverride applies to a streaming request too', T, async () => {
    const body = '{"stream":true,"model":"override-me","messages":[{"role":"user","content":"hi"}]}';
    const s = await openStream(gw.url('/v1/chat/completions'), { body });
    assert.equal(s.status, 200);
    await s.all();
    assert.equal(a.requests[0].bodyText, body.replace('"model":"override-me"', '"model":"gpt-4o-2024-08-06"'));
  });

  test('a connect failure in priority 0 fails over to priority 1', T, async () => {
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('failover'));
    assert.equal(res.status, 200, res.text);
    assert.equal(a.requests.length, 1);
    assert.equal(res.json().model, 'failover');
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { response_code: 200, backend: 'default/a' });
  });

  test('a streaming request fails over too, and its bytes are relayed', T, async () => {
    const s = await openStream(gw.url('/v1/chat/completions'), { body: chatRequest('failover', { stream: true }) });
    assert.equal(s.status, 200);
    const body = (await s.all()).toString();
    assert.match(body, /data: \[DONE\]\n\n$/);
    assert.equal(a.requests.length, 1);
  });

  test('modelNameOverride applies to /v1/embeddings', T, async () => {
    const body = '{"input":"hello","model":"override-me","encoding_format":"float"}';
    const res = await postJSON(gw.url('/v1/embeddings'), body);
    assert.equal(res.status, 200, res.text);
    assert.equal(a.requests[0].bodyText, '{"input":"hello","model":"gpt-4o-2024-08-06","encoding_format":"float"}');
    assert.equal(a.requests[0].path, '/v1/embeddings');
  });

  test('every priority group unreachable → 503 OpenAIBackendError', T, async () => {
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('all-dead'));
    assertGatewayError(res, 503, { type: 'OpenAIBackendError' });
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { response_code: 503 });
    assert.equal(typeof log.error, 'string');
    assert.ok(log.error.length > 0);
  });

  test('weights split traffic inside a priority group', T, async () => {
    const N = 40;
    for (let i = 0; i < N; i++) {
      const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('weighted'));
      assert.equal(r.status, 200, r.text);
    }
    assert.equal(a.requests.length + b.requests.length, N);
    assert.ok(a.requests.length >= 1, `weight 1 backend got ${a.requests.length}`);
    assert.ok(b.requests.length > a.requests.length,
      `weight 3 backend (${b.requests.length}) should get more than weight 1 (${a.requests.length})`);
  });

  test('a weight-0 backend gets no traffic', T, async () => {
    for (let i = 0; i < 10; i++) {
      const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('weight-zero'));
      assert.equal(r.status, 200, r.text);
    }
    assert.equal(a.requests.length, 0);
    assert.equal(b.requests.length, 10);
  });

  test('header mutation: route-level set wins, removes from both levels, x-ai-eg-* untouched', T, async () => {
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('mutate'), { headers: {
      'x-drop-route': 'client', 'x-drop-backend': 'client', 'x-shared': 'client', 'x-keep': 'client' } });
    assert.equal(res.status, 200, res.text);
    const h = a.requests[0].headers;
    assert.equal(h['x-shared'], 'route');
    assert.equal(h['x-route'], 'r');
    assert.equal(h['x-backend'], 'b');
    assert.equal(h['x-drop-route'], undefined);
    assert.equal(h['x-drop-backend'], undefined);
    assert.equal(h['x-keep'], 'client');
    assert.notEqual(h['x-ai-eg-model'], 'hacked');
  });

  test('body mutation: top-level set (JSON or string) and remove, other fields unchanged', T, async () => {
    const req = chatRequest('mutate', { temperature: 0.9, top_p: 0.5, max_tokens: 64 });
    const res = await postJSON(gw.url('/v1/chat/completions'), req);
    assert.equal(res.status, 200, res.text);
    const up = a.requests[0].json;
    const want = { ...req, temperature: 0.1, user: 'gateway-user', service_tier: 'flex' };
    delete want.top_p;
    assert.deepEqual(up, want);
  });
});
