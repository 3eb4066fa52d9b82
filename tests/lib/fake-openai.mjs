// A fake OpenAI upstream for the integration tests.
//
// It listens on 127.0.0.1 port 0 (optionally TLS), checks what the real provider checks, records
// every request, and answers in the OpenAI wire format:
//   * `Host` equal to the backend's hostname (fqdn) or ip:port, exactly once;
//   * the exact path (schema prefix + endpoint) and no query;
//   * a correct `Content-Length` and no `Transfer-Encoding` on the request;
//   * exactly one credential header out of Authorization / x-api-key / api-key, the expected one;
//   * with TLS, the SNI name.
// A request that fails a check gets a 400 OpenAI-style error (so the test sees it) and the
// violation is recorded in `fake.violations`; tests assert that list is empty.
//
// Responses are scripted per request with `enqueue(spec)` (FIFO), otherwise generated from the
// request (model echoed, stream honoured, include_usage honoured). A spec is one of
//   { json: object|string|Buffer, status?, headers? }       exact bytes when string/Buffer
//   { body: string|Buffer, status?, headers? }               raw body
//   { text: string, status?, headers? }                      text/plain
//   { sse: string|Buffer|Array<string|Buffer>, gate?, headers?, status? }  pieces = separate writes
//   { hang: true }                                           read the request, never answer
//   { destroy: true }                                        reset the connection, no answer
//   (rec) => spec                                            computed per request
// and may carry `delayMs` (before the head is sent) and `headGate` (a Gate opened before the head).

import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import * as wire from './openai-wire.mjs';

export const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key'];

/**
 * A gate the test controls: piece i of an SSE response is written only once `allowed > i`.
 * `new Gate(1)` lets the first piece through at once and holds each later piece until release().
 */
export class Gate {
  constructor(initial = 0) {
    this.allowed = initial;
    this.written = 0;
    this.waiters = new Set();
  }

  _wake() { for (const w of [...this.waiters]) w(); }

  release(n = 1) { this.allowed += n; this._wake(); }

  releaseAll() { this.allowed = Infinity; this._wake(); }

  _until(pred, ms, what) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pred()) { clearTimeout(t); this.waiters.delete(check); resolve(); return true; }
        return false;
      };
      const t = ms === Infinity ? null : setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`gate: timed out waiting for ${what}`));
      }, ms);
      if (!check()) this.waiters.add(check);
    });
  }

  /** Used by the fake: resolves when piece i may be written (or when `cancelled()` is true). */
  waitAllowed(i, cancelled = () => false) {
    return this._until(() => this.allowed > i || cancelled(), Infinity, `release of piece ${i}`);
  }

  markWritten() { this.written++; this._wake(); }

  /** Used by tests: resolves once n pieces have been handed to the socket. */
  waitWritten(n, ms = 10000) {
    return this._until(() => this.written >= n, ms, `${n} pieces written`);
  }
}

function endpointOf(path, prefix) {
  const p = prefix === '' ? '' : `/${prefix.replace(/^\/+|\/+$/g, '')}`;
  for (const ep of ['chat/completions', 'completions', 'embeddings']) {
    if (path === `${p}/${ep}`) return ep;
  }
  return null;
}

export class FakeOpenAI {
  /**
   * @param {object} opts
   * @param {string} [opts.name] label used in violation messages
   * @param {{key:string|Buffer, cert:string|Buffer}} [opts.tls] serve HTTPS with this key/cert
   * @param {object} [opts.expect] host (string; default "127.0.0.1:<port>"), prefix (default "v1"),
   *   credential ({header, value}; null = none allowed; undefined = not checked), sni (string)
   * @param {boolean} [opts.strict] answer violating requests with a 400 (default true)
   */
  constructor({ name = 'fake-openai', tls = null, expect = {}, strict = true, bodyTimeoutMs = 5000,
    alsoIPv6 = false } = {}) {
    this.name = name;
    this.tlsOptions = tls;
    this.expect = { prefix: 'v1', ...expect };
    this.strict = strict;
    this.bodyTimeoutMs = bodyTimeoutMs;
    this.alsoIPv6 = alsoIPv6;
    this.requests = [];
    this.violations = [];
    this.tlsErrors = [];
    this.queue = [];
    this.connections = 0;
    this.sockets = new Set();
    this.waiters = new Set();
    this.servers = [];
    this.closed = false;
    this.defaultSpec = (rec) => this.generate(rec);
  }

  static async start(opts) {
    const f = new FakeOpenAI(opts);
    await f.listen();
    return f;
  }

  get scheme() { return this.tlsOptions ? 'https' : 'http'; }

  get url() { return `${this.scheme}://127.0.0.1:${this.port}`; }

  _makeServer() {
    const handler = (req, res) => { this._onRequest(req, res).catch((e) => this._violate(null, `fake internal error: ${e.stack}`)); };
    const server = this.tlsOptions
      ? https.createServer({ key: this.tlsOptions.key, cert: this.tlsOptions.cert }, handler)
      : http.createServer(handler);
    server.on(this.tlsOptions ? 'secureConnection' : 'connection', (sock) => {
      this.connections++;
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
    if (this.tlsOptions) {
      server.on('connection', (sock) => {
        this.sockets.add(sock);
        sock.on('close', () => this.sockets.delete(sock));
      });
      server.on('tlsClientError', (err) => { this.tlsErrors.push(err.message); this._wake(); });
    }
    server.on('clientError', (err, sock) => {
      // A connection the gateway reset is not a malformed request: it closes an upstream connection
      // whose answer it no longer reads (the client left, or the stream failed mid-way).
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') { sock.destroy(); return; }
      if (String(err.code).startsWith('ERR_SSL') || /SSL|TLS|certificate/i.test(err.message)) {
        // A handshake the client aborted (e.g. it rejected our certificate): not a request.
        this.tlsErrors.push(err.code || err.message);
        this._wake();
        return;
      }
      this._violate(null, `malformed upstream request (${err.code || err.message})`);
      if (sock.writable) sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    return server;
  }

  async listen() {
    const server = this._makeServer();
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    this.servers.push(server);
    this.port = server.address().port;
    if (this.expect.host === undefined) this.expect.host = `127.0.0.1:${this.port}`;
    if (this.alsoIPv6) {
      const s6 = this._makeServer();
      await new Promise((resolve) => {
        s6.once('error', () => resolve());
        s6.listen(this.port, '::1', () => { this.servers.push(s6); resolve(); });
      });
    }
  }

  _wake() { for (const w of [...this.waiters]) w(); }

  _violate(rec, msg) {
    const m = `${this.name}: ${msg}`;
    this.violations.push(m);
    if (rec) rec.violations.push(m);
  }

  /** Queue response specs for the next requests (FIFO); unqueued requests get generated answers. */
  enqueue(...specs) { this.queue.push(...specs); return this; }

  /** Replace the generated default answer (a spec or a function of the request record). */
  setDefault(spec) { this.defaultSpec = spec; return this; }

  reset() {
    this.requests = [];
    this.violations = [];
    this.tlsErrors = [];
    this.queue = [];
    this.defaultSpec = (rec) => this.generate(rec);
  }

  /** Resolves with the n-th request (1-based) once it has fully arrived. */
  waitForRequest(n, ms = 10000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.requests.length >= n) {
          clearTimeout(t); this.waiters.delete(check); resolve(this.requests[n - 1]); return true;
        }
        return false;
      };
      const t = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.name}: timed out waiting for request #${n} (have ${this.requests.length})`));
      }, ms);
      if (!check()) this.waiters.add(check);
    });
  }

  /** Resolves with the next request to arrive after this call. */
  nextRequest(ms) { return this.waitForRequest(this.requests.length + 1, ms); }

  /** The default answer: the OpenAI response for the request's endpoint and model. */
  generate(rec) {
    const j = rec.json || {};
    const includeUsage = j.stream_options?.include_usage === true;
    switch (rec.endpoint) {
      case 'chat/completions':
        return j.stream
          ? { sse: wire.chatChunkEvents({ model: j.model, includeUsage }) }
          : { json: wire.chatCompletion({ model: j.model }) };
      case 'completions':
        return j.stream
          ? { sse: wire.completionChunkEvents({ model: j.model, includeUsage }) }
          : { json: wire.completion({ model: j.model }) };
      case 'embeddings':
        return { json: wire.embeddings({ model: j.model,
          inputs: Array.isArray(j.input) ? j.input.length : 1 }) };
      default:
        return { status: 404, json: wire.errorBody({ message: `Invalid URL (${rec.method} ${rec.url})`,
          type: 'invalid_request_error' }) };
    }
  }

  _check(rec, req) {
    const e = this.expect;
    const raw = req.rawHeaders;
    const named = (n) => {
      const out = [];
      for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === n) out.push(raw[i + 1]);
      return out;
    };
    const hosts = named('host');
    if (e.host !== null) {
      if (hosts.length !== 1) this._violate(rec, `expected exactly one Host header, got ${JSON.stringify(hosts)}`);
      else if (hosts[0] !== e.host) this._violate(rec, `Host ${JSON.stringify(hosts[0])} != expected ${JSON.stringify(e.host)}`);
    }
    if (e.sni !== undefined && this.tlsOptions) {
      if (rec.sni !== e.sni) this._violate(rec, `SNI ${JSON.stringify(rec.sni)} != expected ${JSON.stringify(e.sni)}`);
    }
    if (rec.query !== '') this._violate(rec, `unexpected query string ${JSON.stringify(rec.query)}`);
    if (!rec.endpoint) this._violate(rec, `unexpected path ${JSON.stringify(rec.path)} (prefix ${JSON.stringify(e.prefix)})`);
    else if (rec.method !== 'POST') this._violate(rec, `unexpected method ${rec.method}`);
    if (rec.method === 'POST') {
      const cls = named('content-length');
      const tes = named('transfer-encoding');
      if (tes.length) this._violate(rec, `request uses Transfer-Encoding ${JSON.stringify(tes)}; expected Content-Length`);
      if (cls.length !== 1) this._violate(rec, `expected exactly one Content-Length, got ${JSON.stringify(cls)}`);
      else if (Number(cls[0]) !== rec.body.length) this._violate(rec, `Content-Length ${cls[0]} != body length ${rec.body.length}`);
      if (rec.endpoint && rec.json === undefined) this._violate(rec, `body is not JSON: ${JSON.stringify(rec.bodyText.slice(0, 200))}`);
    }
    if (e.credential !== undefined) {
      const creds = [];
      for (let i = 0; i < raw.length; i += 2) {
        if (CREDENTIAL_HEADERS.includes(raw[i].toLowerCase())) creds.push([raw[i].toLowerCase(), raw[i + 1]]);
      }
      if (e.credential === null) {
        if (creds.length) this._violate(rec, `expected no credential header, got ${creds.map((c) => c[0]).join(', ')}`);
      } else if (creds.length !== 1) {
        this._violate(rec, `expected exactly one credential header (${e.credential.header}), got [${creds.map((c) => c[0]).join(', ')}]`);
      } else if (creds[0][0] !== e.credential.header.toLowerCase()) {
        this._violate(rec, `credential in ${creds[0][0]}, expected ${e.credential.header}`);
      } else if (creds[0][1] !== e.credential.value) {
        this._violate(rec, `wrong ${e.credential.header} value`);
      }
    }
  }

  async _onRequest(req, res) {
    const u = new URL(req.url, 'http://x');
    const rec = {
      seq: this.requests.length + 1, method: req.method, url: req.url, path: u.pathname,
      query: u.search, httpVersion: req.httpVersion, headers: req.headers, rawHeaders: req.rawHeaders,
      sni: req.socket.servername, endpoint: endpointOf(u.pathname, this.expect.prefix),
      body: null, bodyText: '', json: undefined, violations: [], aborted: false, completed: false,
    };
    res.on('close', () => { if (!res.writableFinished) rec.aborted = true; this._wake(); });
    const chunks = [];
    const complete = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), this.bodyTimeoutMs);
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => { clearTimeout(t); resolve(true); });
      req.on('error', () => { clearTimeout(t); resolve(false); });
    });
    rec.body = Buffer.concat(chunks);
    rec.bodyText = rec.body.toString('utf8');
    if (!complete) {
      this._violate(rec, `request body incomplete after ${this.bodyTimeoutMs} ms: got ${rec.body.length} of Content-Length ${req.headers['content-length']}`);
    }
    if (rec.body.length) {
      try { rec.json = JSON.parse(rec.bodyText); } catch { rec.json = undefined; }
    }
    this._check(rec, req);
    this.requests.push(rec);
    this._wake();

    let spec;
    if (rec.violations.length && this.strict) {
      spec = { status: 400, json: wire.errorBody({ message: rec.violations.join('; '),
        type: 'invalid_request_error', code: 'fake_check_failed' }) };
    } else {
      spec = this.queue.length ? this.queue.shift() : this.defaultSpec;
    }
    if (typeof spec === 'function') spec = await spec(rec);
    await this._respond(rec, req, res, spec);
    rec.completed = true;
    this._wake();
  }

  async _respond(rec, req, res, spec) {
    if (spec.hang) return; // the socket stays open until the gateway gives up or close()
    if (spec.destroy) { req.socket.destroy(); return; }
    if (spec.delayMs) await sleep(spec.delayMs);
    if (spec.headGate) await spec.headGate.waitAllowed(0, () => res.destroyed);
    if (res.destroyed) return;
    const status = spec.status ?? 200;
    const headers = { ...(spec.headers || {}) };
    const has = (n) => Object.keys(headers).some((k) => k.toLowerCase() === n);
    if (spec.sse !== undefined) {
      const pieces = Array.isArray(spec.sse) ? spec.sse : [spec.sse];
      if (!has('content-type')) headers['content-type'] = 'text/event-stream; charset=utf-8';
      res.writeHead(status, headers);
      res.flushHeaders();
      for (let i = 0; i < pieces.length; i++) {
        if (spec.gate) await spec.gate.waitAllowed(i, () => res.destroyed);
        if (res.destroyed) return;
        await new Promise((resolve) => res.write(pieces[i], () => resolve()));
        if (spec.gate) spec.gate.markWritten();
        // Give the kernel a chance to send each piece as its own segment.
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
      return;
    }
    let body;
    if (spec.json !== undefined) {
      body = typeof spec.json === 'string' || Buffer.isBuffer(spec.json) ? spec.json : JSON.stringify(spec.json);
      if (!has('content-type')) headers['content-type'] = 'application/json';
    } else if (spec.text !== undefined) {
      body = spec.text;
      if (!has('content-type')) headers['content-type'] = 'text/plain; charset=utf-8';
    } else {
      body = spec.body ?? '';
    }
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(status, headers);
    res.end(body);
  }

  /** Closes every idle keep-alive connection (as a provider does after its idle timeout). */
  async closeIdleConnections() {
    for (const srv of this.servers) srv.closeIdleConnections?.();
    const t0 = Date.now();
    while (this.idleSocketCount() > 0 && Date.now() - t0 < 5000) await sleep(10);
  }

  idleSocketCount() {
    let n = 0;
    for (const s of this.sockets) if (!s.destroyed && !s._httpMessage) n++;
    return n;
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections?.();
    })));
  }
}

export function startFakeOpenAI(opts) {
  return FakeOpenAI.start(opts);
}
