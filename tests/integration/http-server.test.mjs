// The client-facing HTTP/1.x server, exercised over raw sockets: keep-alive, chunked and
// Content-Length request bodies, pipelining, Expect: 100-continue, HTTP/1.0, Connection: close,
// HEAD, and the malformed or oversized requests a real server refuses (400, 413, 431).

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeOpenAI, Gate } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { simpleConfig } from '../lib/config.mjs';
import { RawConnection } from '../lib/http.mjs';
import { fixture } from '../lib/openai-wire.mjs';
import { assertNoViolations, checkAndReset, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-http-SECRET-4242424242';
const T = { timeout: 30000 };
const MiB = 1024 * 1024;

function post(body, { path = '/v1/chat/completions', version = '1.1', headers = {}, host = 'gw.test' } = {}) {
  const b = Buffer.from(body);
  const lines = [`POST ${path} HTTP/${version}`];
  if (host !== null) lines.push(`Host: ${host}`);
  lines.push('Content-Type: application/json');
  if (!Object.keys(headers).some((k) => /^(content-length|transfer-encoding)$/i.test(k))) {
    lines.push(`Content-Length: ${b.length}`);
  }
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), b]);
}

function chat(user, extra = {}) {
  return JSON.stringify(chatRequest('gpt-4o-mini', { user, ...extra }));
}

/** Writes `total` bytes of body in 1 MiB pieces until the peer answers or closes. */
async function pumpBody(c, total, { chunked = false } = {}) {
  const piece = Buffer.alloc(MiB, 0x20);
  let sent = 0;
  while (sent < total && !c.ended && c.buf.length === 0) {
    const n = Math.min(MiB, total - sent);
    const data = chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), piece.subarray(0, n), Buffer.from('\r\n')])
      : piece.subarray(0, n);
    try { await c.write(data); } catch { break; }
    sent += n;
  }
  if (chunked && sent >= total && !c.ended) { try { await c.write('0\r\n\r\n'); } catch { /* closed */ } }
  return sent;
}

describe('HTTP/1.x server behaviour', () => {
  let fake;
  let gw;
  const conns = [];
  const connect = async () => { const c = await RawConnection.connect(gw.port); conns.push(c); return c; };

  before(async () => {
    fake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    gw = await startGateway({ yaml: simpleConfig({ backends: [{ name: 'openai', fake, key: KEY, models: ['gpt-4o-mini'] }] }) });
  }, HOOK);

  after(async () => {
    try { if (gw) assertNoSecret(gw, KEY); } finally {
      await gw?.stop();
      await fake?.close();
    }
  }, HOOK);

  afterEach(() => {
    for (const c of conns.splice(0)) c.destroy();
    checkAndReset(fake);
  });

  test('keep-alive: two requests in turn on one connection', T, async () => {
    const c = await connect();
    await c.write(post(chat('one')));
    const r1 = await c.readResponse();
    assert.equal(r1.status, 200, r1.body.toString());
    await c.write(post(chat('two')));
    const r2 = await c.readResponse();
    assert.equal(r2.status, 200, r2.body.toString());
    assert.equal(c.ended, false, 'connection still open');
    assert.deepEqual(fake.requests.map((r) => r.json.user), ['one', 'two']);
  });

  test('a chunked request body reaches the upstream intact, with a Content-Length', T, async () => {
    const body = Buffer.from(chat('chunked', { messages: [{ role: 'user', content: 'Grüße 👋 from chunks' }] }));
    const i = body.indexOf(Buffer.from('👋')) + 2; // split inside the emoji
    const parts = [body.subarray(0, 10), body.subarray(10, i), body.subarray(i)];
    const framed = Buffer.concat([
      ...parts.flatMap((p, k) => [Buffer.from(`${p.length.toString(16)}${k === 1 ? ';ext=1' : ''}\r\n`), p, Buffer.from('\r\n')]),
      Buffer.from('0\r\n\r\n')]);
    const c = await connect();
    await c.write(post(framed, { headers: { 'Transfer-Encoding': 'chunked' } }));
    const r = await c.readResponse();
    assert.equal(r.status, 200, r.body.toString());
    assert.ok(fake.requests[0].body.equals(body), fake.requests[0].bodyText);
  });

  test('a Content-Length body written in several pieces is awaited', T, async () => {
    const bytes = post(chat('slowly'));
    const c = await connect();
    for (let i = 0; i < bytes.length; i += 40) await c.write(bytes.subarray(i, i + 40));
    const r = await c.readResponse();
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(fake.requests[0].json.user, 'slowly');
  });

  test('pipelining: three requests in one write get three responses in order', T, async () => {
    const c = await connect();
    await c.write(Buffer.concat([post(chat('p1')), post(chat('p2')), post(chat('p3'))]));
    const got = [];
    for (let i = 0; i < 3; i++) {
      const r = await c.readResponse();
      assert.equal(r.status, 200, r.body.toString());
      got.push(JSON.parse(r.body).id);
    }
    assert.deepEqual(fake.requests.map((r) => r.json.user), ['p1', 'p2', 'p3']);
    assert.equal(new Set(got).size, 3, 'three distinct responses');
  });

  test('pipelining: a slow first response still comes before a fast second one', T, async () => {
    const gate = new Gate(0);
    fake.enqueue({ json: { ...JSON.parse(fixture('openai/chat-completion.json')), id: 'first' }, headGate: gate });
    const c = await connect();
    await c.write(Buffer.concat([post(chat('slow')), Buffer.from('GET /v1/models HTTP/1.1\r\nHost: gw.test\r\n\r\n')]));
    await fake.waitForRequest(1);
    gate.releaseAll();
    const r1 = await c.readResponse();
    assert.equal(JSON.parse(r1.body).id, 'first');
    const r2 = await c.readResponse();
    assert.equal(r2.status, 200);
    assert.equal(JSON.parse(r2.body).object, 'list');
  });

  test('Expect: 100-continue gets "100 Continue" before the body is sent', T, async () => {
    const body = chat('expect');
    const c = await connect();
    await c.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw.test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`);
    const interim = await c.readResponse({ ms: 5000 });
    assert.equal(interim.status, 100);
    assert.equal(fake.requests.length, 0, 'nothing sent upstream before the body');
    await c.write(body);
    const r = await c.readResponse();
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(fake.requests[0].json.user, 'expect');
    assert.equal(fake.requests[0].headers.expect, undefined, 'Expect is hop-by-hop: not sent upstream');
  });

  test('HTTP/1.0: a Content-Length body, a complete response, then the server closes', T, async () => {
    const c = await connect();
    await c.write(post(chat('http10'), { version: '1.0', host: null }));
    const r = await c.readResponse();
    assert.equal(r.status, 200, r.body.toString());
    assert.notEqual(r.framing, 'chunked', 'no chunked encoding for an HTTP/1.0 client');
    assert.equal(JSON.parse(r.body).object, 'chat.completion');
    assert.ok(await c.waitClosed(5000), 'server closes an HTTP/1.0 connection without keep-alive');
  });

  test('HTTP/1.0: a stream is delimited by close, bytes unchanged', T, async () => {
    const sse = fixture('openai/chat-completion-stream.sse');
    fake.enqueue({ sse: [sse] });
    const c = await connect();
    await c.write(post(chat('http10-stream', { stream: true, stream_options: { include_usage: true } }), { version: '1.0' }));
    const r = await c.readResponse();
    assert.equal(r.status, 200);
    assert.notEqual(r.framing, 'chunked');
    assert.ok(r.body.equals(sse), r.body.toString());
  });

  test('Connection: close: the response says so and the server closes', T, async () => {
    const c = await connect();
    await c.write(post(chat('close'), { headers: { Connection: 'close' } }));
    const r = await c.readResponse();
    assert.equal(r.status, 200);
    assert.match(String(r.headers.connection), /close/i);
    assert.ok(await c.waitClosed(5000));
  });

  test('HEAD /v1/models: GET\'s headers, no body, connection reusable', T, async () => {
    const c = await connect();
    await c.write('HEAD /v1/models HTTP/1.1\r\nHost: gw.test\r\n\r\n');
    const h = await c.readResponse({ head: true });
    assert.equal(h.status, 200);
    await c.write('GET /v1/models HTTP/1.1\r\nHost: gw.test\r\n\r\n');
    const g = await c.readResponse();
    assert.equal(g.status, 200, `bytes after HEAD: ${c.all.toString()}`);
    assert.equal(JSON.parse(g.body).object, 'list');
    if (h.headers['content-length'] !== undefined) {
      assert.equal(h.headers['content-length'], String(g.body.length));
    }
  });

  test('conflicting Content-Length and Transfer-Encoding → 400', T, async () => {
    const body = chat('smuggle');
    const c = await connect();
    await c.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw.test\r\nContent-Length: ${Buffer.byteLength(body)}\r\nTransfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    const r = await c.readResponse();
    assert.equal(r.status, 400);
    assert.equal(fake.requests.length, 0);
  });

  test('two different Content-Length headers → 400', T, async () => {
    const body = chat('dup');
    const c = await connect();
    await c.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw.test\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Length: 5\r\n\r\n${body}`);
    const r = await c.readResponse();
    assert.equal(r.status, 400);
    assert.equal(fake.requests.length, 0);
  });

  test('hop-by-hop headers (and those named in Connection) are not forwarded upstream', T, async () => {
    const c = await connect();
    await c.write(post(chat('hop'), { headers: { Connection: 'keep-alive, x-hop-secret', 'x-hop-secret': 'hop',
      'Keep-Alive': 'timeout=5', TE: 'trailers', 'Proxy-Connection': 'keep-alive', 'x-end-to-end': 'kept' } }));
    const r = await c.readResponse();
    assert.equal(r.status, 200, r.body.toString());
    const h = fake.requests[0].headers;
    const leaked = ['x-hop-secret', 'keep-alive', 'te', 'proxy-connection'].filter((n) => h[n] !== undefined);
    assert.deepEqual(leaked, [], 'hop-by-hop headers forwarded upstream (RFC 9110 §7.6.1)');
    assert.equal(h['x-end-to-end'], 'kept');
  });

  test('an HTTP/1.1 request without Host → 400', T, async () => {
    const c = await connect();
    await c.write(post(chat('nohost'), { host: null }));
    const r = await c.readResponse();
    assert.equal(r.status, 400);
    assert.equal(fake.requests.length, 0);
  });

  test('a garbage request line → 400', T, async () => {
    const c = await connect();
    await c.write('THIS IS NOT HTTP\r\n\r\n');
    const r = await c.readResponse();
    assert.equal(r.status, 400);
  });

  test('headers too large → 431', T, async () => {
    const c = await connect();
    await c.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw.test\r\nX-Big: ${'a'.repeat(MiB)}\r\nContent-Length: 2\r\n\r\n{}`).catch(() => {});
    const r = await c.readResponse();
    assert.equal(r.status, 431);
    assert.equal(fake.requests.length, 0);
  });

  test('a declared Content-Length over 50 MiB → 413', T, async () => {
    const c = await connect();
    const total = 50 * MiB + 1;
    await c.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw.test\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`);
    await pumpBody(c, total);
    const r = await c.readResponse({ ms: 20000 });
    assert.equal(r.status, 413);
    assert.equal(fake.requests.length, 0);
  });

  test('Expect: 100-continue with a Content-Length over 50 MiB → 413 instead of 100', T, async () => {
    const c = await connect();
    await c.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: gw.test\r\nContent-Type: application/json\r\nContent-Length: ${60 * MiB}\r\nExpect: 100-continue\r\n\r\n`);
    const r = await c.readResponse();
    assert.equal(r.status, 413);
    assert.equal(fake.requests.length, 0);
  });

  test('a chunked body growing past 50 MiB → 413', { timeout: 60000 }, async () => {
    const c = await connect();
    await c.write('POST /v1/chat/completions HTTP/1.1\r\nHost: gw.test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    await pumpBody(c, 51 * MiB, { chunked: true });
    const r = await c.readResponse({ ms: 20000 });
    assert.equal(r.status, 413);
    assert.equal(fake.requests.length, 0);
  });

  test('the server still answers normally afterwards', T, async () => {
    const c = await connect();
    await c.write(post(chat('after')));
    const r = await c.readResponse();
    assert.equal(r.status, 200);
  });
});
