// A minimal stateless MCP server written against the wire format alone (no SDK), for what the
// SDK servers do not exercise: no mcp-session-id (a stateless server), plain JSON answers,
// paginated lists (MCP Utilities §Pagination), and a GET stream with event ids.
//   PORT=0 node fakes/mcp-raw-server.mjs      prints "raw server listening on <port>"
// GET /requests returns every JSON-RPC message received, with the headers that came with it.

import http from 'node:http';

const TOOLS = ['t1', 't2', 't3', 't4', 't5'].map((name) => ({ name, description: name,
  inputSchema: { type: 'object' } }));
const PAGE = 2;
const received = [];

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/requests') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(received));
    return;
  }
  if (req.method === 'GET') {
    // A server-to-client stream with one event, then held open; Last-Event-ID is recorded so a
    // test can see a resumption reach this server (Transports §Resumability and Redelivery).
    received.push({ get: true, headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const n = received.length;
    res.write(`id: ev-${n}\nevent: message\ndata: ${JSON.stringify({ jsonrpc: '2.0',
      method: 'notifications/message', params: { level: 'info', data: `hello ${n}` } })}\n\n`);
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' });
    res.end();
    return;
  }
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  received.push({ msg, headers: req.headers });
  if (msg.id === undefined) {
    res.writeHead(202);
    res.end();
    return;
  }
  const reply = (result) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
  };
  switch (msg.method) {
    case 'initialize':
      return reply({ protocolVersion: '2025-06-18', capabilities: { tools: {} },
        serverInfo: { name: 'raw', version: '1' } });
    case 'tools/list': {
      const start = Number(msg.params?.cursor ?? 0);
      const page = TOOLS.slice(start, start + PAGE);
      return reply({ tools: page, ...(start + PAGE < TOOLS.length ? { nextCursor: String(start + PAGE) } : {}) });
    }
    case 'tools/call':
      return reply({ content: [{ type: 'text', text: `raw ${msg.params.name}` }] });
    default:
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'no' } }));
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`raw server listening on ${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
