// The MCP gateway end to end: the official @modelcontextprotocol/sdk client
// (StreamableHTTPClientTransport) talks to sluice, which fronts two real MCP servers:
// @modelcontextprotocol/server-everything (Streamable HTTP mode) and an SDK-built echo server
// (fakes/mcp-echo-server.mjs) that reports the headers it receives. Expected behaviour comes from
// the MCP specification (Transports: Streamable HTTP, 2025-11-25) and the SDK's own parsing.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateMessageRequestSchema, ElicitRequestSchema, ToolListChangedNotificationSchema }
  from '@modelcontextprotocol/sdk/types.js';
import { assertNoSecret, startGateway } from '../lib/gateway.mjs';
import { connectClient, ECHO_API_KEY as API_KEY, INIT, mcpConfig, rpc, startEchoServer, startEverything,
  startGzipProxy } from '../lib/mcp.mjs';

const SEED = 'e2e-shared-seed-0123456789';

describe('MCP gateway with the official SDK client', { timeout: 120000 }, () => {
  let everything;
  let echo;
  let gw;
  let url;

  before(async () => {
    everything = await startEverything();
    echo = await startEchoServer();
    gw = await startGateway({ yaml: mcpConfig({ everything, echo }),
      args: ['--mcp-session-encryption-seed', SEED] });
    url = gw.url('/mcp');
  });
  after(async () => {
    await gw?.stop();
    await everything?.stop();
    await echo?.stop();
  });

  it('initializes one session over both backends with merged capabilities', async () => {
    const { client, transport } = await connectClient(url);
    try {
      assert.ok(transport.sessionId, 'the gateway returned mcp-session-id');
      assert.match(transport.sessionId, /^[\x21-\x7e]+$/);
      assert.equal(client.getServerVersion().name, 'sluice');
      const caps = client.getServerCapabilities();
      assert.ok(caps.tools && caps.prompts && caps.resources && caps.logging && caps.completions);
      assert.equal(caps.resources.subscribe, true);
      assert.equal(caps.tasks, undefined, 'capabilities the gateway cannot route are not offered');
      assert.match(client.getInstructions(), /^## everything \(tools prefixed "everything__"\)/,
        'every server\'s instructions under its name');
    } finally {
      await client.close();
    }
  });

  it('lists tools with backend prefixes, filters applied, in a stable order', async () => {
    const { client } = await connectClient(url);
    try {
      const first = (await client.listTools()).tools.map((t) => t.name);
      const second = (await client.listTools()).tools.map((t) => t.name);
      assert.deepEqual(first, second);
      assert.ok(first.includes('everything__echo'));
      assert.ok(first.includes('everything__get-sum'));
      assert.ok(first.includes('echo__echo_headers'));
      assert.ok(first.includes('echo__add'));
      assert.ok(!first.includes('everything__get-env'), 'exclude');
      assert.ok(!first.some((n) => n.startsWith('everything__toggle-')), 'excludeRegex');
      assert.ok(!first.includes('echo__secret_tool'), 'exclude wins over includeRegex');
      const ev = first.filter((n) => n.startsWith('everything__'));
      const ec = first.filter((n) => n.startsWith('echo__'));
      assert.deepEqual(first, [...ev, ...ec], 'backends in route order');
      assert.deepEqual(ev, [...ev].sort(), 'sorted within a backend');
      assert.deepEqual(ec, [...ec].sort());
    } finally {
      await client.close();
    }
  });

  it('routes tools/call to each backend by prefix', async () => {
    const { client } = await connectClient(url);
    try {
      const a = await client.callTool({ name: 'everything__echo', arguments: { message: 'hi' } });
      assert.equal(a.content[0].text, 'Echo: hi');
      const b = await client.callTool({ name: 'echo__add', arguments: { a: 2, b: 40 } });
      assert.equal(b.content[0].text, '42');
      const sum = await client.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 2 } });
      assert.match(sum.content[0].text, /3/);
      await assert.rejects(client.callTool({ name: 'everything__get-env', arguments: {} }),
        /unknown tool/);
      await assert.rejects(client.callTool({ name: 'echo__secret_tool', arguments: {} }),
        /unknown tool/);
      await assert.rejects(client.callTool({ name: 'nobody__echo', arguments: {} }), /unknown tool/);
    } finally {
      await client.close();
    }
  });

  it('forwards, renames and injects headers; never forwards the rest', async () => {
    const { client } = await connectClient(url, { headers: { 'x-user-token': 'u-123',
      'x-trace': 't-9', 'x-not-forwarded': 'nope', authorization: 'Bearer client-secret' } });
    try {
      const r = await client.callTool({ name: 'echo__echo_headers', arguments: {} });
      const h = JSON.parse(r.content[0].text);
      assert.equal(h['x-upstream-token'], 'u-123', 'renamed');
      assert.equal(h['x-user-token'], undefined);
      assert.equal(h['x-trace'], 't-9');
      assert.equal(h['x-api-key'], API_KEY, 'apiKey injected as the configured header');
      assert.equal(h['x-not-forwarded'], undefined);
      assert.equal(h.authorization, undefined, 'the client credential stays at the gateway');
      assert.ok(h['mcp-session-id'], 'the backend session id');
      assert.equal(h['mcp-protocol-version'], '2025-11-25');
      assertNoSecret(gw, API_KEY);
    } finally {
      await client.close();
    }
  });

  it('serves prompts, resources and completions from both backends', async () => {
    const { client } = await connectClient(url);
    try {
      const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
      assert.ok(prompts.includes('everything__simple-prompt'));
      assert.ok(prompts.includes('echo__greeting'));
      const g = await client.getPrompt({ name: 'echo__greeting', arguments: { who: 'Ada' } });
      assert.equal(g.messages[0].content.text, 'Hello Ada');
      const s = await client.getPrompt({ name: 'everything__simple-prompt' });
      assert.ok(s.messages.length > 0);
      const resources = (await client.listResources()).resources;
      const readme = resources.find((r) => r.uri === 'echo+echo://readme');
      assert.ok(readme, 'resource URIs are prefixed');
      const read = await client.readResource({ uri: readme.uri });
      assert.equal(read.contents[0].text, 'echo readme');
      assert.equal(read.contents[0].uri, 'echo+echo://readme', 'answers name the routable URI');
      const ev = resources.find((r) => r.uri.startsWith('everything+demo://'));
      const evRead = await client.readResource({ uri: ev.uri });
      assert.equal(evRead.contents[0].uri, ev.uri);
      const templates = (await client.listResourceTemplates()).resourceTemplates;
      assert.ok(templates.some((t) => t.uriTemplate.startsWith('everything+')));
      const c = await client.complete({ ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
        argument: { name: 'department', value: 'E' } });
      assert.ok(Array.isArray(c.completion.values));
    } finally {
      await client.close();
    }
  });

  it('relays progress notifications of a streamed tool call', async () => {
    const { client } = await connectClient(url);
    try {
      const progress = [];
      const r = await client.callTool({ name: 'everything__trigger-long-running-operation',
        arguments: { duration: 1, steps: 4 } }, undefined, { onprogress: (p) => progress.push(p) });
      assert.match(r.content[0].text, /completed/);
      assert.equal(progress.length, 4);
      assert.deepEqual(progress.map((p) => p.progress), [1, 2, 3, 4]);
      const echoed = [];
      await client.callTool({ name: 'echo__slow', arguments: { steps: 3 } }, undefined,
        { onprogress: (p) => echoed.push(p.progress) });
      assert.deepEqual(echoed, [1, 2, 3]);
    } finally {
      await client.close();
    }
  });

  it('round-trips sampling and elicitation requests from backends to the client', async () => {
    const { client } = await connectClient(url, { capabilities: { sampling: {}, elicitation: {} } });
    try {
      const seen = [];
      client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
        seen.push(req.params.messages[0].content.text);
        return { model: 'test-model', role: 'assistant',
          content: { type: 'text', text: 'sampled answer' } };
      });
      client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept',
        content: { name: 'Grace' } }));
      const r = await client.callTool({ name: 'everything__trigger-sampling-request',
        arguments: { prompt: 'say hi', maxTokens: 10 } });
      assert.equal(seen.length, 1);
      assert.match(JSON.stringify(r.content), /sampled answer/);
      const e = await client.callTool({ name: 'echo__ask', arguments: {} });
      assert.equal(e.content[0].text, 'hello Grace');
    } finally {
      await client.close();
    }
  });

  it('answers ping and logging/setLevel itself', async () => {
    const { client } = await connectClient(url);
    try {
      assert.deepEqual(await client.ping(), {});
      assert.deepEqual(await client.setLoggingLevel('info'), {});
    } finally {
      await client.close();
    }
  });

  it('labels tool calls with backend and tool headers and logs MCP attributes', async () => {
    const init = await rpc(url, INIT);
    assert.equal(init.status, 200);
    const sid = init.headers.get('mcp-session-id');
    assert.ok(sid);
    const from = gw.logs.length;
    const call = await rpc(url, { jsonrpc: '2.0', id: 'c-1', method: 'tools/call',
      params: { name: 'echo__add', arguments: { a: 1, b: 1 } } }, { sessionId: sid });
    assert.equal(call.status, 200);
    assert.equal(call.headers.get('x-sluice-mcp-backend'), 'echo');
    assert.equal(call.headers.get('x-sluice-mcp-tool'), 'add');
    assert.equal(call.json.id, 'c-1');
    assert.equal(call.json.result.content[0].text, '2');
    const line = await gw.waitForLog((l) => l['mcp.method.name'] === 'tools/call' &&
      l['jsonrpc.request.id'] === 'c-1', { from });
    assert.equal(line['mcp.tool.name'], 'add');
    assert.equal(line['mcp.backend'], 'echo');
    assert.equal(line.response_code, 200);
    assert.equal(typeof line.duration_ms, 'number');
    assert.match(line['mcp.session.id'], /^[0-9a-f]{16}$/, 'hashed');
    assert.ok(!gw.output().includes(sid), 'the session id itself is never logged');
  });

  it('shows the MCP route in /config_dump without its keys', async () => {
    const res = await fetch(gw.adminUrl('/config_dump'));
    const text = await res.text();
    assert.ok(!text.includes(API_KEY));
    const dump = JSON.parse(text);
    assert.equal(dump.mcp_routes[0].name, 'default/mcp');
    const echoBackend = dump.mcp_routes[0].backends.find((b) => b.name === 'echo');
    assert.deepEqual(echoBackend.api_key, { header: 'x-api-key', value: '[REDACTED]' });
  });

  it('ends the session with DELETE', async () => {
    const { client, transport } = await connectClient(url);
    const sid = transport.sessionId;
    await transport.terminateSession();
    await client.close();
    const after = await rpc(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { sessionId: sid });
    assert.equal(after.status, 404);
  });

  it('rejects missing, tampered and foreign session ids as the specification says', async () => {
    const missing = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    assert.equal(missing.status, 400);
    const init = await rpc(url, INIT);
    const sid = init.headers.get('mcp-session-id');
    const flipped = sid.slice(0, 20) + (sid[20] === 'A' ? 'B' : 'A') + sid.slice(21);
    const tampered = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { sessionId: flipped });
    assert.equal(tampered.status, 404);
    const garbage = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { sessionId: 'not-a-session' });
    assert.equal(garbage.status, 404);
    const version = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { sessionId: sid, headers: { 'mcp-protocol-version': '1999-01-01' } });
    assert.equal(version.status, 400);
    const badJson = await rpc(url, '{"jsonrpc": "2.0",', { sessionId: sid });
    assert.equal(badJson.status, 400);
    const unknown = await rpc(url, { jsonrpc: '2.0', id: 9, method: 'nope/nothing' }, { sessionId: sid });
    assert.equal(unknown.json.error.code, -32601);
    const big = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/call',
      params: { name: 'echo__add', arguments: { pad: 'x'.repeat(5 * 1024 * 1024) } } },
    { sessionId: sid });
    assert.equal(big.status, 413);
  });

  it('negotiates the protocol version the client asks for', async () => {
    for (const v of ['2025-03-26', '2025-06-18', '2025-11-25']) {
      const r = await rpc(url, { ...INIT, params: { ...INIT.params, protocolVersion: v } });
      assert.equal(r.json.result.protocolVersion, v);
    }
    const newer = await rpc(url, { ...INIT, params: { ...INIT.params, protocolVersion: '2099-01-01' } });
    assert.equal(newer.json.result.protocolVersion, '2025-11-25');
  });

  it('answers in SSE when the client accepts only text/event-stream', async () => {
    const r = await rpc(url, INIT, { headers: { accept: 'text/event-stream' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(r.json.result.serverInfo.name, 'sluice');
  });

  it('opens the merged GET stream and relays server notifications', async () => {
    const init = await rpc(url, INIT);
    const sid = init.headers.get('mcp-session-id');
    const ac = new AbortController();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': sid },
      signal: ac.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const reader = res.body.getReader();
    const { value } = await reader.read();
    assert.ok(value.length > 0, 'the stream is open and flushed');
    ac.abort();
  });
});

describe('MCP sessions across replicas', { timeout: 120000 }, () => {
  let everything;
  let echo;
  let a;
  let b;
  let other;

  before(async () => {
    everything = await startEverything();
    echo = await startEchoServer();
    const yaml = mcpConfig({ everything, echo });
    a = await startGateway({ yaml, env: { SLUICE_MCP_SESSION_ENCRYPTION_SEED: SEED } });
    b = await startGateway({ yaml, args: ['--mcp-session-encryption-seed', SEED] });
    other = await startGateway({ yaml, args: ['--mcp-session-encryption-seed', 'another-seed'] });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await other?.stop();
    await everything?.stop();
    await echo?.stop();
  });

  it('two processes with the same seed serve one session alternately', async () => {
    const { client, transport } = await connectClient(a.url('/mcp'));
    const sid = transport.sessionId;
    await client.close();
    const urls = [a.url('/mcp'), b.url('/mcp'), a.url('/mcp'), b.url('/mcp')];
    const whoami = [];
    for (const [i, u] of urls.entries()) {
      // The SDK skips initialize when the transport already has a session id (a reconnect).
      const { client: c } = await connectClient(u, { sessionId: sid });
      const r = await c.callTool({ name: 'echo__whoami', arguments: {} });
      whoami.push(r.content[0].text);
      const e = await c.callTool({ name: 'everything__echo', arguments: { message: `m${i}` } });
      assert.equal(e.content[0].text, `Echo: m${i}`);
      await c.close();
    }
    assert.equal(new Set(whoami).size, 1, 'every replica reached the same backend session');
    const foreign = await rpc(other.url('/mcp'), { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { sessionId: sid });
    assert.equal(foreign.status, 404, 'another seed cannot open it');
  });

  it('without a seed, warns that sessions are per process', async () => {
    const gw = await startGateway({ yaml: mcpConfig({ everything, echo }) });
    try {
      assert.ok(gw.stderrLines.some((l) => /mcp-session-encryption-seed/.test(l)));
    } finally {
      await gw.stop();
    }
  });
});

describe('MCP backends that answer gzip-compressed', { timeout: 60000 }, () => {
  let everything;
  let echo;
  let zEverything;
  let zEcho;
  let gw;
  before(async () => {
    everything = await startEverything();
    echo = await startEchoServer();
    zEverything = await startGzipProxy(everything.port);
    zEcho = await startGzipProxy(echo.port);
    gw = await startGateway({ yaml: mcpConfig({ everything: zEverything, echo: zEcho }) });
  });
  after(async () => {
    await gw?.stop();
    await zEverything?.stop();
    await zEcho?.stop();
    await everything?.stop();
    await echo?.stop();
  });

  it('decodes gzip JSON and SSE bodies', async () => {
    const { client } = await connectClient(gw.url('/mcp'));
    try {
      const tools = (await client.listTools()).tools;
      assert.ok(tools.length > 5);
      const r = await client.callTool({ name: 'everything__echo', arguments: { message: 'z' } });
      assert.equal(r.content[0].text, 'Echo: z');
      const progress = [];
      await client.callTool({ name: 'echo__slow', arguments: { steps: 2 } }, undefined,
        { onprogress: (p) => progress.push(p.progress) });
      assert.deepEqual(progress, [1, 2]);
    } finally {
      await client.close();
    }
  });
});

describe('MCP backend API keys on config reload', { timeout: 60000 }, () => {
  let everything;
  let echo;
  let gw;
  before(async () => {
    everything = await startEverything();
    echo = await startEchoServer();
    gw = await startGateway({ yaml: mcpConfig({ everything, echo }) });
  });
  after(async () => {
    await gw?.stop();
    await everything?.stop();
    await echo?.stop();
  });

  it('tells clients on the GET stream when a reload changes the tool set', async () => {
    const { client } = await connectClient(gw.url('/mcp'));
    try {
      assert.ok((await client.listTools()).tools.some((t) => t.name === 'everything__echo'));
      const changed = new Promise((resolve) => {
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve(true));
      });
      await new Promise((r) => setTimeout(r, 300));  // the SDK opens its GET stream
      const fs = await import('node:fs');
      fs.writeFileSync(gw.configPath, fs.readFileSync(gw.configPath, 'utf8')
        .replace("          - get-env", "          - get-env\n          - echo"));
      const mark = gw.stderrLines.length;
      gw.signal('SIGHUP');
      await gw.waitForStderr(/config reloaded/, { from: mark });
      const got = await Promise.race([changed,
        new Promise((r) => setTimeout(() => r(false), 10000))]);
      assert.equal(got, true, 'notifications/tools/list_changed');
      assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'everything__echo'));
    } finally {
      await client.close();
    }
  });

  it('sends the rotated key after SIGHUP, to sessions old and new', async () => {
    const { client } = await connectClient(gw.url('/mcp'));
    try {
      const before1 = JSON.parse((await client.callTool({ name: 'echo__echo_headers', arguments: {} }))
        .content[0].text);
      assert.equal(before1['x-api-key'], API_KEY);
      const fs = await import('node:fs');
      const rotated = 'rotated-key-9c1d';
      fs.writeFileSync(gw.configPath, fs.readFileSync(gw.configPath, 'utf8').replace(API_KEY, rotated));
      const mark = gw.stderrLines.length;
      gw.signal('SIGHUP');
      await gw.waitForStderr(/config reloaded/, { from: mark });
      const after1 = JSON.parse((await client.callTool({ name: 'echo__echo_headers', arguments: {} }))
        .content[0].text);
      assert.equal(after1['x-api-key'], rotated);
    } finally {
      await client.close();
    }
  });
});
