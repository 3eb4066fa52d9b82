// `sluice run --mcp-config servers.json` and `--mcp-json`: the mcpServers format of Claude
// Desktop, Cursor and VS Code, with an HTTP server (headers with ${ENV}, includeTools) and a stdio
// server that sluice spawns and bridges. Also: a backend that restarts (its sessions gone) is
// re-initialized transparently.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runSluice, startGateway } from '../lib/gateway.mjs';
import { connectClient, ECHO_SERVER, rpc, startEchoServer, startEverything } from '../lib/mcp.mjs';

describe('--mcp-config with HTTP and stdio servers', { timeout: 120000 }, () => {
  let everything;
  let echo;
  let gw;

  before(async () => {
    everything = await startEverything();
    echo = await startEchoServer();
    const servers = {
      mcpServers: {
        everything: { type: 'streamable-http', url: everything.url,
          includeTools: ['echo', 'get-sum'] },
        echo: { type: 'http', url: echo.url,
          headers: { Authorization: 'Bearer ${ECHO_TOKEN}', 'X-Team': '${TEAM}' } },
        local: { command: process.execPath, args: [ECHO_SERVER, 'stdio'] },
        legacy: { type: 'sse', url: 'http://127.0.0.1:9/sse' },
      },
    };
    gw = await startGateway({ files: { 'servers.json': JSON.stringify(servers) },
      args: ['--mcp-config', 'servers.json', '--listener-port', '0'],
      env: { ECHO_TOKEN: 'tok-42', TEAM: 'blue' } });
  });
  after(async () => {
    await gw?.stop();
    await everything?.stop();
    await echo?.stop();
  });

  it('spawns the stdio server and reaches it through the gateway', async () => {
    assert.ok(gw.stderrLines.some((l) => /mcp stdio server local \(pid \d+\) bridged/.test(l)));
    const { client } = await connectClient(gw.url('/mcp'));
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(tools.includes('local__add'));
      const r = await client.callTool({ name: 'local__add', arguments: { a: 20, b: 22 } });
      assert.equal(r.content[0].text, '42');
      const progress = [];
      await client.callTool({ name: 'local__slow', arguments: { steps: 2 } }, undefined,
        { onprogress: (p) => progress.push(p.progress) });
      assert.deepEqual(progress, [1, 2]);
      const g = await client.getPrompt({ name: 'local__greeting', arguments: { who: 'stdio' } });
      assert.equal(g.messages[0].content.text, 'Hello stdio');
    } finally {
      await client.close();
    }
  });

  it('applies includeTools and substitutes ${ENV} in headers; Authorization is the credential', async () => {
    const { client } = await connectClient(gw.url('/mcp'));
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      assert.deepEqual(tools.filter((t) => t.startsWith('everything__')),
        ['everything__echo', 'everything__get-sum']);
      const r = await client.callTool({ name: 'echo__echo_headers', arguments: {} });
      const h = JSON.parse(r.content[0].text);
      assert.equal(h.authorization, 'Bearer tok-42');
      assert.equal(h['x-team'], 'blue');
    } finally {
      await client.close();
    }
  });

  it('skips sse servers with a warning', () => {
    assert.ok(gw.stderrLines.some((l) => /mcpServers\.legacy.*not supported; skipped/.test(l)));
  });
});

describe('--mcp-json', { timeout: 60000 }, () => {
  let echo;
  let gw;
  before(async () => {
    echo = await startEchoServer();
    gw = await startGateway({ args: ['--listener-port', '0', '--mcp-json',
      JSON.stringify({ mcpServers: { echo: { url: echo.url } } })] });
  });
  after(async () => {
    await gw?.stop();
    await echo?.stop();
  });

  it('serves the inline servers', async () => {
    const { client } = await connectClient(gw.url('/mcp'));
    try {
      const r = await client.callTool({ name: 'echo__add', arguments: { a: 1, b: 2 } });
      assert.equal(r.content[0].text, '3');
    } finally {
      await client.close();
    }
  });

  it('rejects --mcp-config together with --mcp-json, and bad JSON, with one clear line', async () => {
    const both = await runSluice(['run', '--mcp-config', 'x.json', '--mcp-json', '{}']);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /excludes/);
    const bad = await runSluice(['run', '--listener-port', '0', '--admin-port', '0',
      '--mcp-json', '{"mcpServers": {"a__b": {"url": "http://127.0.0.1:1/mcp"}}}']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /sluice: --mcp-json: mcpServers\.a__b/);
  });
});

describe('a backend that restarts', { timeout: 60000 }, () => {
  let echo;
  let gw;
  before(async () => {
    echo = await startEchoServer();
    gw = await startGateway({ args: ['--listener-port', '0', '--mcp-json',
      JSON.stringify({ mcpServers: { echo: { url: echo.url } } })] });
  });
  after(async () => {
    await gw?.stop();
    await echo?.stop();
  });

  it('is re-initialized transparently when its session is gone (404)', async () => {
    const { client, transport } = await connectClient(gw.url('/mcp'));
    const before1 = (await client.callTool({ name: 'echo__whoami', arguments: {} })).content[0].text;
    // Restart the backend on the same port: every session it knew is gone.
    const port = echo.port;
    await echo.stop();
    const { startEchoServerOnPort } = await import('../lib/mcp.mjs');
    echo = await startEchoServerOnPort(port);
    const after1 = (await client.callTool({ name: 'echo__whoami', arguments: {} })).content[0].text;
    assert.notEqual(after1, before1, 'a new backend session');
    const again = (await client.callTool({ name: 'echo__whoami', arguments: {} })).content[0].text;
    assert.equal(again, after1, 'the new backend session is remembered');
    const r = await rpc(gw.url('/mcp'), { jsonrpc: '2.0', id: 5, method: 'tools/call',
      params: { name: 'echo__add', arguments: { a: 1, b: 1 } } }, { sessionId: transport.sessionId });
    assert.equal(r.json.result.content[0].text, '2');
    await client.close();
  });
});
