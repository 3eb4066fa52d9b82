// A small MCP server built with the official SDK, for the gateway's end-to-end tests.
//
//   node fakes/mcp-echo-server.mjs http     Streamable HTTP at /mcp on $PORT (stateful sessions)
//   node fakes/mcp-echo-server.mjs stdio    the stdio transport
//
// Tools: echo_headers (the HTTP headers this server received), add, whoami (session id),
// slow (progress notifications), ask (an elicitation request to the client), announce
// (tools/list_changed on the GET stream), secret_tool (for filter tests). One prompt (greeting) and one resource (echo://readme).
// Prints "echo server listening on <port>" when ready (HTTP mode).

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const mode = process.argv[2] ?? 'http';

function buildServer(getHeaders) {
  const server = new McpServer({ name: 'echo', version: '1.0.0' },
    { capabilities: { logging: {} } });
  server.registerTool('echo_headers', { description: 'The request headers this server received' },
    async (extra) => ({ content: [{ type: 'text', text: JSON.stringify(getHeaders(extra)) }] }));
  server.registerTool('add', { description: 'Adds two numbers',
    inputSchema: { a: z.number(), b: z.number() } },
  async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
  server.registerTool('whoami', { description: 'This server session id' },
    async (extra) => ({ content: [{ type: 'text', text: String(extra.sessionId ?? 'stdio') }] }));
  server.registerTool('secret_tool', { description: 'Must be hidden by the gateway filters' },
    async () => ({ content: [{ type: 'text', text: 'secret' }] }));
  server.registerTool('slow', { description: 'Sends progress notifications',
    inputSchema: { steps: z.number() } },
  async ({ steps }, extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; i <= steps; i++) {
      if (token !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress',
          params: { progressToken: token, progress: i, total: steps } });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return { content: [{ type: 'text', text: `done ${steps}` }] };
  });
  server.registerTool('ask', { description: 'Asks the user through an elicitation request' },
    async (extra) => {
      const answer = await server.server.elicitInput({ message: 'Your name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } },
      { relatedRequestId: extra.requestId });
      return { content: [{ type: 'text', text: `hello ${answer.content?.name}` }] };
    });
  server.registerTool('announce', { description: 'Sends list_changed on the standalone stream' },
    async () => {
      // Not tied to this request: the SDK sends it on the GET stream (Transports §Listening for
      // Messages from the Server).
      setTimeout(() => { server.sendToolListChanged(); }, 50);
      return { content: [{ type: 'text', text: 'announced' }] };
    });
  server.registerPrompt('greeting', { description: 'Greets', argsSchema: { who: z.string() } },
    ({ who }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Hello ${who}` } }] }));
  server.registerResource('readme', 'echo://readme', { mimeType: 'text/plain' },
    async (uri) => ({ contents: [{ uri: uri.href, text: 'echo readme' }] }));
  return server;
}

if (mode === 'stdio') {
  const server = buildServer(() => ({}));
  await server.connect(new StdioServerTransport());
} else {
  const transports = new Map();
  const httpServer = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    const sid = req.headers['mcp-session-id'];
    let transport = sid ? transports.get(sid) : undefined;
    if (!transport) {
      if (req.method === 'POST' && body && isInitializeRequest(body)) {
        transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => transports.set(id, transport) });
        transport.onclose = () => { if (transport.sessionId) transports.delete(transport.sessionId); };
        const server = buildServer((extra) => extra.requestInfo?.headers ?? {});
        await server.connect(transport);
      } else {
        res.writeHead(sid ? 404 : 400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000,
          message: sid ? 'Session not found' : 'Bad Request: No valid session ID provided' },
        id: null }));
        return;
      }
    }
    await transport.handleRequest(req, res, body);
  });
  httpServer.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    console.log(`echo server listening on ${httpServer.address().port}`);
  });
  // The test that started us kills us; also end when the parent dies.
  process.on('SIGTERM', () => process.exit(0));
}
