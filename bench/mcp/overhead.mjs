#!/usr/bin/env node
// MCP gateway overhead: session set-up and tool-call latency through Sluice versus the same MCP
// server called directly. Not a test (no assertions); prints medians and p90s.
//
//   cd tests && npm ci && cd .. && node bench/mcp/overhead.mjs [--n 300] [--bin build/release/sluice]
// Direct and Sluice requests alternate, and the paired differences are reported, so that the
// echo server's own jitter (a node process) cancels out as far as it can.
//
// Backend: the SDK-built echo server (tests/fakes/mcp-echo-server.mjs, Streamable HTTP, SSE
// answers). Client: keep-alive HTTP/1.1 (node fetch), one request at a time, so each number is a
// latency. Sluice runs with one worker, as users run it (access log on).
//   initialize   direct: initialize + notifications/initialized to the echo server
//                sluice: initialize to Sluice (which does both, for each backend, in parallel)
//   tools/call   add(1, 2) on an open session
//   ping         answered by Sluice itself: opening the encrypted session id + the JSON-RPC answer

import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const N = Number(opt('--n', 300));
process.env.SLUICE_BIN = path.resolve(root, opt('--bin', 'build/release/sluice'));

const { startGateway } = await import(path.join(root, 'tests/lib/gateway.mjs'));
const { startEchoServer, INIT } = await import(path.join(root, 'tests/lib/mcp.mjs'));

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25' };

async function post(url, body, sid) {
  const headers = sid ? { ...HEADERS, 'mcp-session-id': sid } : HEADERS;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { res, text };
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p90: q(0.9), min: s[0] };
}

// Runs a and b alternately (order flipped every round, so drift and GC hit both alike) and returns
// their stats and the stats of the paired differences b - a.
async function paired(n, a, b) {
  for (let i = 0; i < Math.min(20, n); i++) { await a(i); await b(i); }
  const ta = [];
  const tb = [];
  const diff = [];
  const one = async (fn) => {
    const t0 = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let i = 0; i < n; i++) {
    let x;
    let y;
    if (i % 2 === 0) { x = await one(a); y = await one(b); } else { y = await one(b); x = await one(a); }
    ta.push(x);
    tb.push(y);
    diff.push(y - x);
  }
  return { a: stats(ta), b: stats(tb), diff: stats(diff) };
}

async function time(n, fn) {
  for (let i = 0; i < Math.min(20, n); i++) await fn(i);  // warm-up: connections, JIT
  const out = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return stats(out);
}

const echo = await startEchoServer();
const mcpJson = JSON.stringify({ mcpServers: { echo: { url: echo.url } } });
const gw = await startGateway({ args: ['--listener-port', '0', '--mcp-json', mcpJson,
  '--mcp-session-encryption-seed', 'bench-seed'] });
const sluiceUrl = gw.url('/mcp');
try {
  const init = await paired(N, async () => {
    const { res } = await post(echo.url, INIT);
    const sid = res.headers.get('mcp-session-id');
    await post(echo.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, sid);
  }, async () => { await post(sluiceUrl, INIT); });

  const { res: d } = await post(echo.url, INIT);
  const dsid = d.headers.get('mcp-session-id');
  await post(echo.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, dsid);
  const { res: s } = await post(sluiceUrl, INIT);
  const ssid = s.headers.get('mcp-session-id');
  const call = (name) => ({ jsonrpc: '2.0', id: 7, method: 'tools/call',
    params: { name, arguments: { a: 1, b: 2 } } });
  const calls = await paired(N, () => post(echo.url, call('add'), dsid),
    () => post(sluiceUrl, call('echo__add'), ssid));
  const ping = await time(N, () => post(sluiceUrl, { jsonrpc: '2.0', id: 1, method: 'ping' }, ssid));

  const fmt = (x) => x.toFixed(3);
  const row = (name, st) => `| ${name} | ${fmt(st.median)} | ${fmt(st.p90)} | ${fmt(st.min)} |`;
  console.log(`binary: ${process.env.SLUICE_BIN}; node ${process.version}; n=${N} sequential requests`);
  console.log('| measurement (ms) | median | p90 | min |\n|---|---|---|---|');
  console.log(row('initialize, direct (initialize + initialized)', init.a));
  console.log(row('initialize through Sluice', init.b));
  console.log(row('  paired difference (Sluice - direct)', init.diff));
  console.log(row('tools/call, direct', calls.a));
  console.log(row('tools/call through Sluice', calls.b));
  console.log(row('  paired difference (Sluice - direct)', calls.diff));
  console.log(row('ping through Sluice (session decrypt, local answer)', ping));
} finally {
  await gw.stop();
  await echo.stop();
}
