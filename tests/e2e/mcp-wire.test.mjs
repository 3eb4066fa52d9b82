// MCP gateway wire behaviour beyond the SDK servers' happy path: a stateless JSON-only backend
// with paginated lists, a backend that is down at initialize (skipped and reported), server
// notifications on the merged GET stream, and client cancellation.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { gatewayResource, toYAML } from '../lib/config.mjs';
import { startGateway } from '../lib/gateway.mjs';
import { closedPort } from '../lib/ports.mjs';
import { connectClient, INIT, rpc, startEchoServer, startRawServer } from '../lib/mcp.mjs';

function config(backends) {
  return toYAML([
    gatewayResource(),
    ...backends.map(({ name, port }) => ({ apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'Backend', metadata: { name },
      spec: { endpoints: [{ ip: { address: '127.0.0.1', port } }] } })),
    { apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'MCPRoute', metadata: { name: 'wire' },
      spec: { parentRefs: [{ name: 'gw' }], path: '/tools',
        backendRefs: backends.map(({ name }) => ({ name, kind: 'Backend',
          group: 'gateway.envoyproxy.io' })) } },
  ]);
}

describe('MCP gateway wire behaviour', { timeout: 120000 }, () => {
  let raw;
  let echo;
  let gw;
  let url;

  before(async () => {
    raw = await startRawServer();
    echo = await startEchoServer();
    const down = await closedPort();
    gw = await startGateway({ yaml: config([{ name: 'raw', port: raw.port },
      { name: 'echo', port: echo.port }, { name: 'down', port: down }]) });
    url = gw.url('/tools');
  });
  after(async () => {
    await gw?.stop();
    await raw?.stop();
    await echo?.stop();
  });

  it('skips a backend that is down at initialize and reports it in the access log', async () => {
    const from = gw.logs.length;
    const init = await rpc(url, INIT);
    assert.equal(init.status, 200);
    const line = await gw.waitForLog((l) => l['mcp.method.name'] === 'initialize', { from });
    assert.match(line.error, /backends skipped: down: /);
    assert.equal(line['mcp.backend'], '2/3');
  });

  it('follows every page of a paginating backend and merges one list', async () => {
    const { client } = await connectClient(url);
    try {
      const { tools, nextCursor } = await client.listTools();
      assert.equal(nextCursor, undefined);
      const names = tools.map((t) => t.name);
      assert.deepEqual(names.filter((n) => n.startsWith('raw__')),
        ['raw__t1', 'raw__t2', 'raw__t3', 'raw__t4', 'raw__t5']);
      await assert.rejects(client.listTools({ cursor: 'x' }), /invalid cursor/);
      const r = await client.callTool({ name: 'raw__t4', arguments: {} });
      assert.equal(r.content[0].text, 'raw t4');
      const seen = await raw.requests();
      const lists = seen.filter((s) => s.msg?.method === 'tools/list');
      assert.deepEqual(lists.slice(-3).map((s) => s.msg.params?.cursor), [undefined, '2', '4']);
      const call = seen.find((s) => s.msg?.method === 'tools/call');
      assert.equal(call.msg.params.name, 't4', 'the prefix is removed');
      assert.equal(call.headers['mcp-session-id'], undefined, 'a stateless backend gets none');
      assert.equal(call.headers['mcp-protocol-version'], '2025-06-18', 'the version it negotiated');
      assert.equal(call.headers.host, `127.0.0.1:${raw.port}`);
    } finally {
      await client.close();
    }
  });

  it('relays server notifications from the merged GET stream', async () => {
    const { client } = await connectClient(url);
    try {
      const changed = new Promise((resolve) => {
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve(true));
      });
      // The SDK opens the GET stream after initialization; give it a moment to be there.
      await new Promise((r) => setTimeout(r, 300));
      await client.callTool({ name: 'echo__announce', arguments: {} });
      const got = await Promise.race([changed,
        new Promise((r) => setTimeout(() => r(false), 10000))]);
      assert.equal(got, true, 'notifications/tools/list_changed arrived');
    } finally {
      await client.close();
    }
  });

  it('resumes the backend stream an event came from with Last-Event-ID', async () => {
    const init = await rpc(url, INIT);
    const sid = init.headers.get('mcp-session-id');
    const open = async (lastEventId) => {
      const ac = new AbortController();
      const headers = { accept: 'text/event-stream', 'mcp-session-id': sid };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const res = await fetch(url, { headers, signal: ac.signal });
      assert.equal(res.status, 200);
      const reader = res.body.getReader();
      let text = '';
      while (!/\ndata: .*hello/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
      ac.abort();
      return text;
    };
    const first = await open();
    const id = /^id: (.+)$/m.exec(first)[1];
    assert.ok(!id.startsWith('ev-'), 'the id names the backend, not only its event');
    await open(id);
    const n = /hello (\d+)/.exec(first)[1];
    const gets = (await raw.requests()).filter((s) => s.get);
    assert.equal(gets.at(-1).headers['last-event-id'], `ev-${n}`);
  });

  it('answers malformed JSON-RPC with clean errors and keeps serving', async () => {
    const init = await rpc(url, INIT);
    const sid = init.headers.get('mcp-session-id');
    const bodies = [
      '', 'null', '42', '"x"', '[]', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]', '{}',
      '{"jsonrpc":"1.0","id":1,"method":"ping"}', '{"jsonrpc":"2.0","id":1,"method":7}',
      '{"jsonrpc":"2.0","id":{"a":1},"method":"tools/call","params":{"name":"raw__t1"}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1,2]}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"__"}}',
      '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"+"}}',
      '{"jsonrpc":"2.0","id":1,"method":"completion/complete","params":{"ref":{"type":"ref/resource"}}}',
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":"x"}',
      '{"jsonrpc":"2.0","id":1,"result":{}}', '{"jsonrpc":"2.0","id":"sluice~!!~!!","result":{}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":null}}',
      `${'['.repeat(10000)}${']'.repeat(10000)}`, `{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5001)}`,
      '{"jsonrpc":"2.0","id":1,"method":"ping"', '\u0000\u0001',
    ];
    for (const body of bodies) {
      const r = await rpc(url, body, { sessionId: sid });
      assert.ok([200, 202, 400].includes(r.status), `${body.slice(0, 60)} → ${r.status}`);
      if (r.status === 200 && r.json?.error) assert.equal(typeof r.json.error.code, 'number');
    }
    const ok = await rpc(url, { jsonrpc: '2.0', id: 2, method: 'ping' }, { sessionId: sid });
    assert.deepEqual(ok.json.result, {});
  });

  it('answers CORS preflights and refuses other methods with 405', async () => {
    const pre = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://localhost:6274',
      'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-headers'), /mcp-session-id/);
    assert.match(pre.headers.get('access-control-expose-headers'), /mcp-session-id/);
    const put = await fetch(url, { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);
    assert.match(put.headers.get('allow'), /POST/);
  });

  it('passes a client cancellation on to the backends', async () => {
    const { client } = await connectClient(url);
    try {
      const ac = new AbortController();
      const pending = client.callTool({ name: 'echo__slow', arguments: { steps: 200 } }, undefined,
        { signal: ac.signal });
      setTimeout(() => ac.abort('changed my mind'), 100);
      await assert.rejects(pending);
      const line = await gw.waitForLog((l) => l['mcp.method.name'] === 'notifications/cancelled');
      assert.equal(line.response_code, 202);
      const seen = await raw.requests();
      assert.ok(seen.some((s) => s.msg?.method === 'notifications/cancelled'));
    } finally {
      await client.close();
    }
  });
});

describe('MCP GET streams and shutdown', { timeout: 60000 }, () => {
  let raw;
  after(async () => { await raw?.stop(); });

  it('ends open GET streams when the gateway drains, so SIGTERM does not wait for them', async () => {
    raw = await startRawServer();
    const gw = await startGateway({ yaml: config([{ name: 'raw', port: raw.port }]),
      args: ['--drain-timeout', '60'] });
    try {
      const init = await rpc(gw.url('/tools'), INIT);
      const sid = init.headers.get('mcp-session-id');
      const res = await fetch(gw.url('/tools'), { headers: { accept: 'text/event-stream',
        'mcp-session-id': sid } });
      assert.equal(res.status, 200);
      const reader = res.body.getReader();
      await reader.read();
      const ended = (async () => { while (!(await reader.read()).done) { /* drain */ } return true; })();
      const stopped = await gw.stop({ ms: 20000 });
      assert.equal(stopped.code, 0);
      assert.equal(stopped.killed, false);
      assert.ok(!gw.stderrLines.some((l) => /drain deadline passed/.test(l)));
      assert.equal(await ended.catch(() => true), true);
    } finally {
      await gw.stop();
    }
  });
});
