// Error behaviour (Envoy AI Gateway reference §9): gateway-made errors carry
// {"type":"error","error":{"type","code":"<status>","message"}}; upstream JSON errors pass through
// with status and bytes unchanged; upstream non-JSON errors are wrapped as OpenAIBackendError.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { postJSON, request } from '../lib/http.mjs';
import { closedPort } from '../lib/ports.mjs';
import { fixture, fixtureText } from '../lib/openai-wire.mjs';
import { assertNoViolations, checkAndReset, assertGatewayError, assertLog, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-errors-SECRET-9e9e9e9e';
const T = { timeout: 30000 };
const NO_ROUTE = 'No matching route found. It is likely because the model specified in your request is not configured in the Gateway.';

describe('errors', () => {
  let fake;
  let slow;
  let gw;

  before(async () => {
    fake = await FakeOpenAI.start({ name: 'openai', expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    slow = await FakeOpenAI.start({ name: 'slow', expect: { credential: undefined } });
    const dead = await closedPort();
    gw = await startGateway({ yaml: buildConfig({
      routes: [{ name: 'route', rules: [
        { models: ['gpt-4o-mini', 'text-embedding-3-small'], backendRefs: ['openai'] },
        { models: ['unreachable'], backendRefs: ['dead'] },
        { models: ['slow'], backendRefs: ['slow'], timeouts: { request: '1s' } },
      ] }],
      backends: [
        { name: 'openai', endpoint: fakeEndpoint(fake), policy: { type: 'APIKey', key: KEY } },
        { name: 'dead', endpoint: { ip: '127.0.0.1', port: dead } },
        { name: 'slow', endpoint: fakeEndpoint(slow) },
      ],
    }) });
  }, HOOK);

  after(async () => {
    try { if (gw) assertNoSecret(gw, KEY); } finally {
      await gw?.stop();
      await fake?.close();
      await slow?.close();
    }
  }, HOOK);

  afterEach(() => checkAndReset(fake, slow));

  test('unknown path → 404 "unsupported path: <path>"', T, async () => {
    for (const p of ['/v1/unknown', '/v2/chat/completions', '/v1/chat/completions/extra']) {
      const res = await postJSON(gw.url(p), chatRequest('gpt-4o-mini'));
      assertGatewayError(res, 404, { message: `unsupported path: ${p}` });
    }
    assert.equal(fake.requests.length, 0);
  });

  test('a model no rule matches → 404 with the reference message', T, async () => {
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('not-configured'));
    assertGatewayError(res, 404, { message: NO_ROUTE });
    assert.equal(fake.requests.length, 0);
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { response_code: 404, 'gen_ai.original.model': 'not-configured' });
    assert.equal(typeof log.error, 'string');
  });

  test('malformed JSON → 400 BadRequest "malformed request: failed to parse JSON for …"', T, async () => {
    for (const body of ['{"model":"gpt-4o-mini",', 'not json at all', '']) {
      const res = await postJSON(gw.url('/v1/chat/completions'), body);
      assertGatewayError(res, 400, { type: 'BadRequest',
        messagePrefix: 'malformed request: failed to parse JSON for /v1/chat/completions' });
    }
    const res = await postJSON(gw.url('/v1/embeddings'), '[1,');
    assertGatewayError(res, 400, { type: 'BadRequest', messagePrefix: 'malformed request: failed to parse JSON for /v1/embeddings' });
    assert.equal(fake.requests.length, 0);
  });

  test('large malformed bodies (validated while they arrive) → 400 naming what is wrong', T, async () => {
    const MiB = 1024 * 1024;
    const head = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"';
    const filler = 'word '.repeat(MiB / 5 * 1.5);
    const cases = [
      ['UNESCAPED_CHARS', head + filler + '\u0001' + filler + '"}]}'],
      ['UTF8_ERROR', Buffer.concat([Buffer.from(head + filler), Buffer.from([0xff]), Buffer.from(filler + '"}]}')])],
      ['STRING_ERROR', head + filler + filler + '\\q"}]}'],
      ['UNCLOSED_STRING', head + filler + filler],
      ['TAPE_ERROR', head + filler + filler + '"}]]}'],
    ];
    for (const [code, body] of cases) {
      const res = await postJSON(gw.url('/v1/chat/completions'), body, { timeoutMs: 30000 });
      assertGatewayError(res, 400, { type: 'BadRequest',
        messagePrefix: `malformed request: failed to parse JSON for /v1/chat/completions: ${code}` });
    }
    assert.equal(fake.requests.length, 0);
  });

  test('a large body with escapes, multi-byte characters and the model last is routed intact', T, async () => {
    const parts = [];
    for (let i = 0; i < 60000; i++) parts.push(`\\"q\\"uote\\\\ é中😀 \\u00e9 ${i} `);
    const body = `{"messages":[{"role":"user","content":"${parts.join('')}"}],"n":[1,2.5e3,true,null],"model":"gpt-4o-mini"}`;
    JSON.parse(body);  // the test's own check: the body is valid JSON
    const res = await postJSON(gw.url('/v1/chat/completions'), body, { timeoutMs: 30000 });
    assert.equal(res.status, 200, res.text);
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0].bodyText, body);
  });

  test('a body without model → 400', T, async () => {
    const res = await postJSON(gw.url('/v1/chat/completions'), { messages: [{ role: 'user', content: 'hi' }] });
    assertGatewayError(res, 400);
    const res2 = await postJSON(gw.url('/v1/embeddings'), { input: 'x' });
    assertGatewayError(res2, 400);
    assert.equal(fake.requests.length, 0);
  });

  test('upstream unreachable (closed port) → 503 OpenAIBackendError', T, async () => {
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('unreachable'));
    assertGatewayError(res, 503, { type: 'OpenAIBackendError' });
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { response_code: 503, backend: 'default/dead' });
    assert.equal(typeof log.error, 'string');
  });

  test('rules[].timeouts.request exceeded → 504', T, async () => {
    slow.setDefault({ hang: true });
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('slow'));
    assertGatewayError(res, 504);
    assert.ok(slow.requests.length >= 1, 'the request reached the upstream before timing out');
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { response_code: 504 });
  });

  test('a streaming request that times out before the first byte → 504', T, async () => {
    slow.setDefault({ hang: true });
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('slow', { stream: true }));
    assertGatewayError(res, 504);
  });

  test('upstream JSON 429 passes through: status and bytes unchanged', T, async () => {
    const bytes = fixture('openai/error-429-rate-limit.json');
    fake.setDefault({ status: 429, json: bytes, headers: { 'retry-after': '20' } });
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assert.equal(res.status, 429);
    assert.ok(res.body.equals(bytes), res.text);
    assert.equal(res.headers['retry-after'], '20');
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { response_code: 429 });
  });

  test('upstream JSON 400 passes through for a streaming request too', T, async () => {
    const bytes = fixture('openai/error-400-invalid-request.json');
    fake.setDefault({ status: 400, json: bytes });
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini', { stream: true, temperature: 7 }));
    assert.equal(res.status, 400);
    assert.equal(res.text, bytes.toString());
  });

  test('upstream JSON error on embeddings passes through', T, async () => {
    const bytes = fixture('openai/error-429-rate-limit.json');
    fake.setDefault({ status: 429, json: bytes });
    const res = await postJSON(gw.url('/v1/embeddings'), { model: 'text-embedding-3-small', input: 'x' });
    assert.equal(res.status, 429);
    assert.ok(res.body.equals(bytes));
  });

  test('upstream non-JSON 502 is wrapped as OpenAIBackendError with the raw body', T, async () => {
    const raw = fixtureText('openai/error-502.html');
    fake.setDefault({ status: 502, body: raw, headers: { 'content-type': 'text/html' } });
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assertGatewayError(res, 502, { type: 'OpenAIBackendError' });
    assert.deepEqual(res.json(), { type: 'error', error: { type: 'OpenAIBackendError', message: raw, code: '502' } });
  });

  test('upstream plain-text 503 is wrapped with code "503"', T, async () => {
    fake.setDefault({ status: 503, text: 'upstream connect error or disconnect/reset before headers. reset reason: overflow' });
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assert.deepEqual(res.json(), { type: 'error', error: { type: 'OpenAIBackendError',
      message: 'upstream connect error or disconnect/reset before headers. reset reason: overflow', code: '503' } });
    assert.equal(res.status, 503);
  });

  test('an upstream that resets the connection before answering → a 5xx JSON error', T, async () => {
    fake.setDefault({ destroy: true });
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assert.ok(res.status === 502 || res.status === 503, `status ${res.status}`);
    assertGatewayError(res, res.status);
  });

  test('the gateway keeps serving after all of the above', T, async () => {
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assert.equal(res.status, 200, res.text);
    const r2 = await request(gw.adminUrl('/health'));
    assert.equal(r2.status, 200);
  });
});
