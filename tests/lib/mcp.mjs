// MCP test helpers: real MCP servers on free loopback ports, a gzip proxy, and SDK clients.

import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { gatewayResource, toYAML } from './config.mjs';
import { TESTS_DIR } from './openai-wire.mjs';

export const EVERYTHING = path.join(TESTS_DIR, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const ECHO_SERVER = path.join(TESTS_DIR, 'fakes/mcp-echo-server.mjs');

const children = new Set();
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });

/** A port the kernel just handed out and released (loopback). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** Spawns a node script and waits (15 s) for a stdout line matching `ready`. */
async function spawnNode(args, { env = {}, ready, what }) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  let err = '';
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} not ready in 15 s\n${out}\n${err}`)), 15000);
    // server-everything announces itself on stderr, the echo server on stdout.
    const check = () => { if (ready.test(out) || ready.test(err)) { clearTimeout(t); resolve(); } };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => { out += c; check(); });
    child.stderr.on('data', (c) => { err += c; check(); });
    child.on('exit', (code) => { clearTimeout(t); reject(new Error(`${what} exited ${code}\n${out}\n${err}`)); });
  });
  return {
    child,
    output: () => out + err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** @modelcontextprotocol/server-everything in Streamable HTTP mode: { url, port, stop }. */
export async function startEverything() {
  const port = await freePort();
  const p = await spawnNode([EVERYTHING, 'streamableHttp'], { env: { PORT: String(port) },
    ready: /listening on port/, what: 'server-everything' });
  return { ...p, port, url: `http://127.0.0.1:${port}/mcp` };
}

/** The SDK-built echo server (fakes/mcp-echo-server.mjs): { url, port, stop }. */
export async function startEchoServer() { return startEchoServerOnPort(0); }

/** The echo server on a given port (a restart on the port it had). */
export async function startEchoServerOnPort(port) {
  const p = await spawnNode([ECHO_SERVER, 'http'], { env: { PORT: String(port) },
    ready: /echo server listening on \d+/, what: 'echo server' });
  const bound = Number(/listening on (\d+)/.exec(p.output())[1]);
  return { ...p, port: bound, url: `http://127.0.0.1:${bound}/mcp` };
}

export const RAW_SERVER = path.join(TESTS_DIR, 'fakes/mcp-raw-server.mjs');

/** The stateless, JSON-only, paginating raw server (fakes/mcp-raw-server.mjs). */
export async function startRawServer() {
  const p = await spawnNode([RAW_SERVER], { env: { PORT: '0' }, ready: /raw server listening on \d+/,
    what: 'raw server' });
  const port = Number(/listening on (\d+)/.exec(p.output())[1]);
  return { ...p, port, url: `http://127.0.0.1:${port}/mcp`,
    requests: async () => (await fetch(`http://127.0.0.1:${port}/requests`)).json() };
}

/**
 * A reverse proxy that gzips every response body it relays (JSON and SSE alike, flushing after
 * each chunk so streams stay streams): a backend behind a compressing front end.
 */
export async function startGzipProxy(targetPort) {
  const server = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: targetPort, method: req.method,
      path: req.url, headers: req.headers }, (ur) => {
      const headers = { ...ur.headers };
      delete headers['content-length'];
      headers['content-encoding'] = 'gzip';
      res.writeHead(ur.statusCode, headers);
      if (ur.statusCode === 202 || req.method === 'HEAD') { ur.resume(); res.end(); return; }
      const gz = zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH });
      gz.pipe(res);
      ur.pipe(gz);
    });
    up.on('error', () => { res.destroy(); });
    req.pipe(up);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return { port, url: `http://127.0.0.1:${port}/mcp`,
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) };
}

/** Connects an SDK client (StreamableHTTPClientTransport) to `url`. */
export async function connectClient(url, { headers = {}, capabilities = {}, sessionId } = {}) {
  const client = new Client({ name: 'sluice-e2e', version: '1.0.0' }, { capabilities });
  const transport = new StreamableHTTPClientTransport(new URL(url),
    { requestInit: { headers }, sessionId });
  await client.connect(transport);
  return { client, transport };
}

/** Raw JSON-RPC POST (node fetch) for wire-level checks. */
export async function rpc(url, message, { sessionId, headers = {} } = {}) {
  const h = { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
    ...headers };
  if (sessionId) h['mcp-session-id'] = sessionId;
  const res = await fetch(url, { method: 'POST', headers: h,
    body: typeof message === 'string' ? message : JSON.stringify(message) });
  const text = await res.text();
  let json;
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const events = text.split(/\n\n/).map((e) => e.split('\n').filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim()).join('\n')).filter(Boolean);
    json = events.length ? JSON.parse(events[events.length - 1]) : undefined;
  } else {
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

export const ECHO_API_KEY = 'echo-backend-key-7f3a';

/**
 * An MCPRoute over server-everything and the echo server (filters, an API key from a Secret sent
 * as x-api-key, forwarded and renamed headers), with optional oauth / authorization.
 */
export function mcpConfig({ everything, echo, echoPath = '/mcp', oauth, authorization }) {
  const backend = (name, port) => ({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'Backend',
    metadata: { name }, spec: { endpoints: [{ ip: { address: '127.0.0.1', port } }] } });
  return toYAML([
    gatewayResource(),
    backend('everything', everything.port),
    backend('echo', echo.port),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'echo-key' },
      stringData: { apiKey: ECHO_API_KEY } },
    { apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'MCPRoute', metadata: { name: 'mcp' },
      spec: {
        parentRefs: [{ name: 'gw', kind: 'Gateway', group: 'gateway.networking.k8s.io' }],
        backendRefs: [
          { name: 'everything', kind: 'Backend', group: 'gateway.envoyproxy.io',
            toolSelector: { excludeRegex: ['get-env', 'toggle-.*'] } },
          { name: 'echo', kind: 'Backend', group: 'gateway.envoyproxy.io', path: echoPath,
            toolSelector: { includeRegex: ['.*'], exclude: ['secret_tool'] },
            securityPolicy: { apiKey: { secretRef: { name: 'echo-key' }, header: 'x-api-key' } },
            forwardHeaders: [{ name: 'x-user-token', backendHeader: 'x-upstream-token' },
              { name: 'x-trace' }] },
        ],
        ...(oauth || authorization ? { securityPolicy: { ...(oauth ? { oauth } : {}),
          ...(authorization ? { authorization } : {}) } } : {}),
      } },
  ]);
}
