// Graceful shutdown: SIGTERM makes /ready answer 503, stops accepting new connections, lets an
// in-flight stream finish, and exits 0.

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { FakeOpenAI, Gate } from '../lib/fake-openai.mjs';
import { startGateway } from '../lib/gateway.mjs';
import { simpleConfig } from '../lib/config.mjs';
import { openStream, request, postJSON } from '../lib/http.mjs';
import { fixture } from '../lib/openai-wire.mjs';
import { assertNoViolations, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-shutdown-SECRET-1d1d1d';
const T = { timeout: 45000 };

function connectOutcome(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const t = setTimeout(() => { s.destroy(); resolve('timeout'); }, 5000);
    s.on('connect', () => {
      // Accepted at TCP level; a draining server must not serve it.
      s.write('GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n');
      let got = '';
      s.on('data', (c) => { got += c; });
      s.on('close', () => { clearTimeout(t); resolve(got.startsWith('HTTP/1.1 200') ? 'served' : 'closed'); });
    });
    s.on('error', (e) => { clearTimeout(t); resolve(e.code); });
  });
}

async function pollUntil(fn, ms = 10000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('pollUntil timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('graceful shutdown', () => {
  const cleanup = [];
  after(async () => { for (const f of cleanup.reverse()) await f(); }, HOOK);

  test('SIGTERM drains: /ready 503, no new connections, the in-flight stream finishes, exit 0', T, async () => {
    const fake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    cleanup.push(() => fake.close());
    const gw = await startGateway({ yaml: simpleConfig({ backends: [{ name: 'openai', fake, key: KEY, models: ['gpt-4o-mini'] }] }) });
    cleanup.push(() => gw.stop({ signal: 'SIGKILL' }));

    const sse = fixture('openai/chat-completion-stream.sse').toString().split(/(?<=\n\n)/);
    const gate = new Gate(1);
    fake.enqueue({ sse, gate });
    const s = await openStream(gw.url('/v1/chat/completions'), { body: chatRequest('gpt-4o-mini',
      { stream: true, stream_options: { include_usage: true } }), timeoutMs: 40000 });
    await s.waitForBytes((b) => b.length >= Buffer.byteLength(sse[0]));
    const port = gw.port;
    assert.equal((await request(gw.adminUrl('/ready'))).status, 200);

    gw.signal('SIGTERM');
    const ready = await pollUntil(async () => {
      try {
        const r = await request(gw.adminUrl('/ready'), { timeoutMs: 2000 });
        return r.status === 503 ? r : null;
      } catch (e) {
        return { error: e.code };
      }
    });
    assert.equal(ready.status, 503, `/ready while draining: ${JSON.stringify(ready.error ?? ready.status)}`);
    const outcome = await connectOutcome(port);
    assert.notEqual(outcome, 'served', 'a new connection was served while draining');
    assert.equal(gw.exit, null, 'still running while a stream is in flight');

    gate.releaseAll();
    const all = await s.all();
    assert.equal(all.toString(), sse.join(''), 'the in-flight stream completed unchanged');
    const exit = await gw.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assertNoViolations(fake);
    const log = gw.logs.find((e) => e.stream === true);
    assert.ok(log, 'the drained stream was logged');
    assert.equal(log.response_code, 200);
  });

  test('SIGTERM with no traffic exits 0 and flushes the access log', T, async () => {
    const fake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    cleanup.push(() => fake.close());
    const gw = await startGateway({ yaml: simpleConfig({ backends: [{ name: 'openai', fake, key: KEY, models: ['gpt-4o-mini'] }] }) });
    cleanup.push(() => gw.stop({ signal: 'SIGKILL' }));
    for (let i = 0; i < 3; i++) {
      const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
      assert.equal(r.status, 200);
    }
    const st = await gw.stop({ signal: 'SIGTERM', ms: 20000 });
    assert.equal(st.killed, false, 'exited by itself');
    assert.equal(st.code, 0);
    assert.equal(gw.logs.length, 3, 'every request was logged before exit');
  });
});
