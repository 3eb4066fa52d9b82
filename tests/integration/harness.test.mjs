// Self-checks of the test harness: the fake upstream checks what it claims to check, the raw HTTP
// parser reads what real servers send, the TLS fake works with the openssl-made CA, and the process
// harness parses, waits and stops. These run without the sluice binary.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { FakeOpenAI, Gate } from '../lib/fake-openai.mjs';
import { RawConnection, request, openStream, parseSSE, sseJSON } from '../lib/http.mjs';
import { TestPKI } from '../lib/tls.mjs';
import { startGateway } from '../lib/gateway.mjs';
import { toYAML } from '../lib/config.mjs';
import { TESTS_DIR, fixtureText, chatChunkEvents } from '../lib/openai-wire.mjs';
import { closedPort, silentListener } from '../lib/ports.mjs';

const HOOK = { timeout: 60000 };

const T = { timeout: 20000 };

function rawPost(port, { path: p = '/v1/chat/completions', headers = {}, body }) {
  const lines = [`POST ${p} HTTP/1.1`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

describe('fake-openai', () => {
  let fake;
  before(async () => {
    fake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: 'Bearer sk-good' } } });
  }, HOOK);
  after(() => fake.close());
  afterEach(() => fake.reset());

  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

  test('accepts a well-formed request and answers in the chat.completion shape', T, async () => {
    const r = await request(`${fake.url}/v1/chat/completions`, { method: 'POST', body,
      headers: { authorization: 'Bearer sk-good', 'content-type': 'application/json' } });
    assert.equal(r.status, 200);
    const j = r.json();
    assert.equal(j.object, 'chat.completion');
    assert.equal(j.model, 'gpt-4o-mini');
    assert.deepEqual(fake.violations, []);
    assert.equal(fake.requests[0].bodyText, body);
  });

  test('flags a wrong Host, a second credential, a wrong path and a query', T, async () => {
    const c = await RawConnection.connect(fake.port);
    await c.write(rawPost(fake.port, { headers: { Host: 'api.openai.com', Authorization: 'Bearer sk-good',
      'x-api-key': 'client', 'Content-Length': Buffer.byteLength(body) }, body }));
    const r1 = await c.readResponse();
    assert.equal(r1.status, 400);
    assert.match(fake.violations.join('\n'), /Host "api.openai.com"/);
    assert.match(fake.violations.join('\n'), /exactly one credential/);
    fake.reset();
    await c.write(rawPost(fake.port, { path: '/chat/completions?x=1', headers: { Host: `127.0.0.1:${fake.port}`,
      Authorization: 'Bearer sk-good', 'Content-Length': Buffer.byteLength(body) }, body }));
    const r2 = await c.readResponse();
    assert.equal(r2.status, 400);
    assert.match(fake.violations.join('\n'), /unexpected path/);
    assert.match(fake.violations.join('\n'), /query/);
    c.destroy();
  });

  test('flags a chunked upstream request and a wrong credential value', T, async () => {
    const c = await RawConnection.connect(fake.port);
    const chunked = `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    await c.write(rawPost(fake.port, { headers: { Host: `127.0.0.1:${fake.port}`, Authorization: 'Bearer sk-bad',
      'Transfer-Encoding': 'chunked' }, body: chunked }));
    const r = await c.readResponse();
    assert.equal(r.status, 400);
    assert.match(fake.violations.join('\n'), /Transfer-Encoding/);
    assert.match(fake.violations.join('\n'), /wrong authorization value/);
    c.destroy();
  });

  test('flags a Content-Length larger than the body', T, async () => {
    fake.bodyTimeoutMs = 300;
    try {
      const c = await RawConnection.connect(fake.port);
      await c.write(rawPost(fake.port, { headers: { Host: `127.0.0.1:${fake.port}`, Authorization: 'Bearer sk-good',
        'Content-Length': Buffer.byteLength(body) + 5 }, body }));
      const r = await c.readResponse();
      assert.equal(r.status, 400);
      assert.match(fake.violations.join('\n'), /incomplete/);
      c.destroy();
    } finally {
      fake.bodyTimeoutMs = 5000;
    }
  });

  test('streams SSE pieces only as the gate allows, usage null on every chunk', T, async () => {
    const gate = new Gate(1);
    const events = chatChunkEvents({ model: 'm', includeUsage: true });
    fake.enqueue({ sse: events, gate });
    const s = await openStream(`${fake.url}/v1/chat/completions`, { body,
      headers: { authorization: 'Bearer sk-good' } });
    assert.equal(s.status, 200);
    assert.match(s.headers['content-type'], /^text\/event-stream/);
    const first = await s.waitForBytes((b) => b.length >= Buffer.byteLength(events[0]));
    assert.equal(first.toString(), events[0]);
    assert.equal(gate.written, 1);
    gate.releaseAll();
    const all = (await s.all()).toString();
    assert.equal(all, events.join(''));
    const chunks = sseJSON(all);
    for (const ch of chunks.slice(0, -1)) assert.equal(ch.usage, null);
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.equal(typeof chunks.at(-1).usage.total_tokens, 'number');
    assert.equal(parseSSE(all).at(-1).data, '[DONE]');
  });

  test('hang mode reads the request and never answers; close() ends it', T, async () => {
    const f2 = await FakeOpenAI.start({ expect: { credential: undefined } });
    f2.enqueue({ hang: true });
    const p = request(`${f2.url}/v1/embeddings`, { method: 'POST', body: '{"model":"e","input":"x"}',
      headers: { 'content-type': 'application/json' }, timeoutMs: 5000 });
    await f2.waitForRequest(1);
    await f2.close();
    await assert.rejects(p);
  });
});

describe('fixtures', () => {
  test('the chat stream fixture has usage:null on every chunk and a final choices:[] usage chunk', T, () => {
    const text = fixtureText('openai/chat-completion-stream.sse');
    const evs = parseSSE(text);
    assert.equal(evs.at(-1).data, '[DONE]');
    const chunks = sseJSON(text);
    for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk');
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.equal(chunks.at(-1).usage.total_tokens, chunks.at(-1).usage.prompt_tokens + chunks.at(-1).usage.completion_tokens);
  });
});

describe('RawConnection parser', () => {
  let server;
  let port;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/chunked') { res.write('ab'); res.end('cde'); return; }
      if (req.url === '/close') {
        res.socket.end('HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\nuntil-close');
        return;
      }
      res.setHeader('content-length', 5);
      res.end(req.method === 'HEAD' ? undefined : 'hello');
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    port = server.address().port;
  }, HOOK);
  after(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));

  test('reads pipelined chunked, content-length and HEAD responses in order', T, async () => {
    const c = await RawConnection.connect(port);
    await c.write('GET /chunked HTTP/1.1\r\nHost: x\r\n\r\nHEAD /cl HTTP/1.1\r\nHost: x\r\n\r\nGET /cl HTTP/1.1\r\nHost: x\r\n\r\n');
    const a = await c.readResponse();
    assert.equal(a.framing, 'chunked');
    assert.equal(a.body.toString(), 'abcde');
    const b = await c.readResponse({ head: true });
    assert.equal(b.headers['content-length'], '5');
    assert.equal(b.body.length, 0);
    const d = await c.readResponse();
    assert.equal(d.body.toString(), 'hello');
    c.destroy();
  });

  test('reads a close-delimited HTTP/1.0 response', T, async () => {
    const c = await RawConnection.connect(port);
    await c.write('GET /close HTTP/1.0\r\n\r\n');
    const r = await c.readResponse();
    assert.equal(r.version, '1.0');
    assert.equal(r.framing, 'close');
    assert.equal(r.body.toString(), 'until-close');
  });
});

describe('ports', () => {
  test('closedPort refuses connections; silentListener accepts and stays silent', T, async () => {
    const p = await closedPort();
    await assert.rejects(new Promise((resolve, reject) => {
      const s = net.connect(p, '127.0.0.1', resolve);
      s.on('error', reject);
    }), /ECONNREFUSED/);
    const sl = await silentListener();
    const c = await RawConnection.connect(sl.port);
    await c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await assert.rejects(c.readResponse({ ms: 200 }), /timed out/);
    c.destroy();
    await sl.close();
  });
});

describe('TLS fake with an openssl-made CA', () => {
  let pki;
  let fake;
  let ca;
  let otherCa;
  before(async () => {
    pki = new TestPKI();
    ca = pki.makeCA('ca');
    otherCa = pki.makeCA('other', 'Other CA');
    const leaf = pki.issueServer(ca, 'server', { dns: ['localhost'] });
    fake = await FakeOpenAI.start({ tls: { key: leaf.keyPem, cert: leaf.certPem },
      expect: { host: 'localhost', sni: 'localhost', credential: undefined } });
  }, HOOK);
  after(async () => { await fake.close(); pki.cleanup(); }, HOOK);

  const tlsPost = (caPem, servername) => new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: fake.port, path: '/v1/embeddings', method: 'POST',
      servername, ca: caPem, headers: { host: 'localhost', 'content-type': 'application/json' }, agent: false },
    (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve({ status: res.statusCode, b })); });
    req.on('error', reject);
    req.end('{"model":"text-embedding-3-small","input":"x"}');
  });

  test('verifies against the right CA and records the SNI', T, async () => {
    const r = await tlsPost(ca.certPem, 'localhost');
    assert.equal(r.status, 200);
    assert.equal(fake.requests.at(-1).sni, 'localhost');
    assert.deepEqual(fake.violations, []);
  });

  test('fails verification against an unknown CA', T, async () => {
    await assert.rejects(tlsPost(otherCa.certPem, 'localhost'), /self[- ]signed|unable to verify|certificate/i);
  });
});

describe('process harness (stub process, not sluice)', () => {
  const stub = path.join(TESTS_DIR, 'lib/selftest/stub-sluice.mjs');

  test('parses listener/admin lines, waits for ready, collects JSON stdout, stops with SIGTERM', T, async () => {
    const gw = await startGateway({ bin: stub, yaml: toYAML([{ kind: 'X' }]) });
    try {
      assert.ok(gw.listeners.has('default/gw/http'));
      assert.ok(gw.adminPort > 0);
      const r = await request(gw.url('/x'));
      assert.equal(r.text, 'stub');
      const log = await gw.waitForLog((e) => e.path === '/x');
      assert.equal(log.response_code, 200);
      assert.deepEqual(gw.nonJsonStdout, []);
    } finally {
      const st = await gw.stop();
      assert.equal(st.code, 0);
      assert.equal(st.killed, false);
    }
  });

  test('reports a process that exits before ready, with its stderr', T, async () => {
    await assert.rejects(startGateway({ bin: stub, env: { STUB_MODE: 'fail' } }), /failing on purpose/);
  });

  test('kills a process that ignores SIGTERM after the stop deadline', T, async () => {
    const gw = await startGateway({ bin: stub, env: { STUB_MODE: 'ignore-term' } });
    const st = await gw.stop({ ms: 300 });
    assert.equal(st.killed, true);
    assert.equal(st.signal, 'SIGKILL');
  });

  test('stop() reports a process that died on its own, with its stderr', T, async () => {
    const gw = await startGateway({ bin: stub, env: { STUB_MODE: 'crash-on-request' } });
    await assert.rejects(request(gw.url('/x')));
    await gw.exited;
    await assert.rejects(gw.stop(), /exited on its own[\s\S]*SIGABRT[\s\S]*double free/);
  });

  test('a binary that cannot be executed fails fast instead of hanging', T, async () => {
    const notExecutable = path.join(TESTS_DIR, 'fixtures/README.md');
    await assert.rejects(startGateway({ bin: notExecutable, readyTimeoutMs: 5000 }), /EACCES|exited/);
  });

  test('times out waiting for ready', T, async () => {
    await assert.rejects(startGateway({ bin: stub, env: { STUB_MODE: 'never-ready' }, readyTimeoutMs: 500 }),
      /timed out after 500 ms waiting for sluice: ready/);
  });
});
