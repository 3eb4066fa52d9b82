// Streaming chat completions: the gateway relays the upstream SSE bytes as they arrive and
// unmodified (CRLF line ends, `: keep-alive` comments, UTF-8 characters split across writes, `data:`
// without a space), reads usage from the usage chunk, and adds stream_options.include_usage upstream
// only when costs are configured and the client did not ask for usage.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeOpenAI, Gate } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { openStream, postJSON, sseJSON, RawConnection } from '../lib/http.mjs';
import { fixture, fixtureText } from '../lib/openai-wire.mjs';
import { assertNoViolations, checkAndReset, assertLog, chatRequest, splitInsideUtf8 } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-stream-SECRET-a1b2c3d4e5f6';
const T = { timeout: 30000 };
const STREAM = fixture('openai/chat-completion-stream.sse');
const STREAM_USAGE = sseJSON(STREAM.toString()).at(-1).usage;

/** The fixture's events, one string per event (`data: ...\n\n`). */
function events(buf = STREAM) {
  return buf.toString('utf8').split(/(?<=\n\n)/);
}

describe('streaming chat completions', () => {
  let fake;
  let gw;

  before(async () => {
    fake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    gw = await startGateway({ yaml: buildConfig({
      routes: [
        { name: 'plain', rules: [{ models: ['gpt-4o-mini'], backendRefs: ['openai'] }] },
        { name: 'metered', costs: [{ metadataKey: 'llm_total_token', type: 'TotalToken' }],
          rules: [{ models: ['metered-model'], backendRefs: ['openai'] },
            { models: ['metered-alias'], backendRefs: [{ name: 'openai', modelNameOverride: 'gpt-4.1-2025-04-14' }] }] },
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

  const streamReq = (model = 'gpt-4o-mini', extra = {}) => chatRequest(model,
    { stream: true, stream_options: { include_usage: true }, ...extra });

  async function relayExactly(pieces, { model = 'gpt-4o-mini', expected } = {}) {
    fake.enqueue({ sse: pieces });
    const from = await gw.logMark();
    const s = await openStream(gw.url('/v1/chat/completions'), { body: streamReq(model) });
    assert.equal(s.status, 200);
    assert.match(s.headers['content-type'], /^text\/event-stream/);
    assert.equal(s.headers['content-length'], undefined, 'a stream has no Content-Length');
    const got = await s.all();
    const want = expected ?? Buffer.concat(pieces.map((p) => Buffer.from(p)));
    assert.ok(got.equals(want), `client bytes differ:\n--- got ---\n${got}\n--- want ---\n${want}`);
    return gw.waitForLog((e) => e.stream === true, { from });
  }

  test('relays the recorded stream byte for byte and logs its usage', T, async () => {
    const log = await relayExactly([STREAM]);
    assertLog(log, {
      method: 'POST', path: '/v1/chat/completions', response_code: 200, stream: true,
      route: 'default/plain', backend: 'default/openai',
      'gen_ai.original.model': 'gpt-4o-mini', 'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': STREAM_USAGE.prompt_tokens,
      'gen_ai.usage.output_tokens': STREAM_USAGE.completion_tokens,
      'gen_ai.usage.total_tokens': STREAM_USAGE.total_tokens,
    });
    // The upstream received the client body unchanged (include_usage already true, no costs).
    assert.deepEqual(fake.requests[0].json, streamReq());
  });

  test('the first event reaches the client before the upstream sends the second', T, async () => {
    const evs = events();
    const gate = new Gate(1);
    fake.enqueue({ sse: evs, gate });
    const from = await gw.logMark();
    const s = await openStream(gw.url('/v1/chat/completions'), { body: streamReq() });
    assert.equal(s.status, 200);
    const first = await s.waitForBytes((b) => b.length >= Buffer.byteLength(evs[0]));
    assert.equal(gate.written, 1, 'the upstream has sent only the first event');
    assert.equal(first.toString(), evs[0]);
    gate.release(1);
    await s.waitForBytes((b) => b.length >= Buffer.byteLength(evs[0] + evs[1]));
    assert.equal(gate.written, 2);
    gate.releaseAll();
    const all = await s.all();
    assert.ok(all.equals(STREAM));
    await gw.waitForLog((e) => e.stream === true, { from });
  });

  test('twelve concurrent streams each get exactly their own bytes', T, async () => {
    const N = 12;
    const expected = new Map();
    fake.setDefault((rec) => {
      const evs = [];
      for (let i = 0; i < 5; i++) {
        evs.push(`data: {"id":"${rec.json.user}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${rec.json.user}-${i}"}}]}\n\n`);
      }
      evs.push('data: [DONE]\n\n');
      expected.set(rec.json.user, evs.join(''));
      return { sse: evs };
    });
    const streams = await Promise.all(Array.from({ length: N }, (_, i) => openStream(gw.url('/v1/chat/completions'),
      { body: chatRequest('gpt-4o-mini', { stream: true, user: `s${i}` }) })));
    const bodies = await Promise.all(streams.map((s) => s.all()));
    bodies.forEach((b, i) => assert.equal(b.toString(), expected.get(`s${i}`)));
  });

  test('a raw HTTP/1.1 client gets the stream chunked, bytes unchanged', T, async () => {
    fake.enqueue({ sse: [STREAM] });
    const c = await RawConnection.connect(gw.port);
    try {
      const body = JSON.stringify(streamReq());
      await c.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw.test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      const r = await c.readResponse();
      assert.equal(r.status, 200);
      assert.equal(r.framing, 'chunked');
      assert.ok(r.body.equals(STREAM));
    } finally { c.destroy(); }
  });

  test('a client that goes away mid-stream makes the gateway drop the upstream request', T, async () => {
    const gate = new Gate(1);
    fake.enqueue({ sse: events(), gate });
    const s = await openStream(gw.url('/v1/chat/completions'), { body: streamReq() });
    await s.waitForBytes((b) => b.length > 0);
    const up = fake.requests[0];
    s.destroy();
    const t0 = Date.now();
    while (!up.aborted && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 20));
    assert.ok(up.aborted, 'the upstream connection was closed after the client left');
    gate.releaseAll();
  });

  test('CRLF line ends are relayed unchanged and usage is still read', T, async () => {
    const crlf = Buffer.from(STREAM.toString().replace(/\n/g, '\r\n'));
    const log = await relayExactly(events(crlf));
    assertLog(log, { 'gen_ai.usage.total_tokens': STREAM_USAGE.total_tokens });
  });

  test('`: keep-alive` comments between events are relayed unchanged', T, async () => {
    const evs = events();
    const withComments = [': keep-alive\n\n'];
    for (const e of evs) withComments.push(e, ': keep-alive\n\n');
    const log = await relayExactly(withComments);
    assertLog(log, { 'gen_ai.usage.input_tokens': STREAM_USAGE.prompt_tokens });
  });

  test('a UTF-8 character split across two upstream writes arrives intact', T, async () => {
    const [a, b] = splitInsideUtf8(STREAM);
    const log = await relayExactly([a, b]);
    assertLog(log, { 'gen_ai.usage.output_tokens': STREAM_USAGE.completion_tokens });
  });

  test('a stream cut into 7-byte writes (usage chunk split too) is relayed and its usage read', T, async () => {
    const pieces = [];
    for (let i = 0; i < STREAM.length; i += 7) pieces.push(STREAM.subarray(i, i + 7));
    const log = await relayExactly(pieces);
    assertLog(log, { 'gen_ai.usage.total_tokens': STREAM_USAGE.total_tokens,
      'gen_ai.response.model': 'gpt-4o-2024-08-06' });
  });

  test('`data:` without a space is relayed unchanged and its usage read', T, async () => {
    const nospace = Buffer.from(STREAM.toString().replace(/^data: /gm, 'data:'));
    const log = await relayExactly([nospace]);
    assertLog(log, { 'gen_ai.usage.total_tokens': STREAM_USAGE.total_tokens });
  });

  test('usage details in the stream (cached, cache creation, reasoning) reach the access log', T, async () => {
    const buf = fixture('openai/chat-completion-stream-usage-details.sse');
    const u = sseJSON(buf.toString()).at(-1).usage;
    const log = await relayExactly([buf]);
    assertLog(log, {
      'gen_ai.response.model': 'o4-mini-2025-04-16',
      'gen_ai.usage.input_tokens': u.prompt_tokens,
      'gen_ai.usage.output_tokens': u.completion_tokens,
      'gen_ai.usage.total_tokens': u.total_tokens,
      'gen_ai.usage.cached_input_tokens': u.prompt_tokens_details.cached_tokens,
      'gen_ai.usage.cache_creation_input_tokens': u.prompt_tokens_details.cache_creation_tokens,
      'gen_ai.usage.reasoning_tokens': u.completion_tokens_details.reasoning_tokens,
    });
  });

  test('without costs, a stream request lacking stream_options is sent upstream unchanged', T, async () => {
    const body = '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}';
    fake.enqueue({ sse: [fixture('openai/chat-completion-stream-no-usage.sse')] });
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), body);
    assert.equal(res.status, 200);
    assert.equal(res.text, fixtureText('openai/chat-completion-stream-no-usage.sse'));
    assert.equal(fake.requests[0].bodyText, body);
    assertLog(await gw.waitForLog(() => true, { from }), { stream: true, response_code: 200,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' });
  });

  test('with costs, include_usage is added upstream when the client did not ask for it', T, async () => {
    const body = '{"model":"metered-model","stream":true,"messages":[{"role":"user","content":"hi"}],"temperature":0.5}';
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/chat/completions'), body);
    assert.equal(res.status, 200);
    const up = fake.requests[0].json;
    assert.deepEqual(up, { ...JSON.parse(body), stream_options: { include_usage: true } });
    // The fake honoured include_usage, so the gateway could count the tokens.
    const log = await gw.waitForLog((e) => e.route === 'default/metered', { from });
    assert.equal(typeof log['gen_ai.usage.total_tokens'], 'number');
    assert.deepEqual(log.costs, { llm_total_token: log['gen_ai.usage.total_tokens'] });
  });

  test('with costs, include_usage:false from the client becomes true upstream', T, async () => {
    const req = chatRequest('metered-model', { stream: true, stream_options: { include_usage: false }, n: 1 });
    const res = await postJSON(gw.url('/v1/chat/completions'), req);
    assert.equal(res.status, 200);
    assert.deepEqual(fake.requests[0].json, { ...req, stream_options: { include_usage: true } });
  });

  test('with costs, a body already asking for usage is sent byte for byte', T, async () => {
    const body = '{"model":"metered-model", "stream":true, "stream_options":{"include_usage":true}, "messages":[{"role":"user","content":"hi"}]}';
    const res = await postJSON(gw.url('/v1/chat/completions'), body);
    assert.equal(res.status, 200);
    assert.equal(fake.requests[0].bodyText, body);
  });

  test('with costs and modelNameOverride, both edits reach the upstream and nothing else changes', T, async () => {
    const req = chatRequest('metered-alias', { stream: true, temperature: 0.3, tools: [{ type: 'function',
      function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] });
    const res = await postJSON(gw.url('/v1/chat/completions'), req);
    assert.equal(res.status, 200);
    assert.deepEqual(fake.requests[0].json, { ...req, model: 'gpt-4.1-2025-04-14', stream_options: { include_usage: true } });
  });

  test('with costs, a non-streaming request is not given stream_options', T, async () => {
    const body = '{"model":"metered-model","messages":[{"role":"user","content":"hi"}]}';
    const res = await postJSON(gw.url('/v1/chat/completions'), body);
    assert.equal(res.status, 200);
    assert.equal(fake.requests[0].bodyText, body);
  });
});
