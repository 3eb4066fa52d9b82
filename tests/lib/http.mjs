// HTTP client helpers for the integration tests.
//
// `request` / `openStream` use node:http with a fresh connection per call (agent: false) so that every
// test controls its own sockets. `RawConnection` speaks HTTP/1.x over a bare node:net socket for the
// tests where the framing itself is under test (pipelining, 100-continue, HTTP/1.0, HEAD, chunked
// bodies, malformed requests): it parses responses itself and keeps the exact bytes it received.

import http from 'node:http';
import net from 'node:net';

export const DEFAULT_TIMEOUT_MS = 15000;

/**
 * Sends one request and buffers the whole response.
 * @returns {Promise<{status:number, headers:object, rawHeaders:string[], body:Buffer, text:string,
 *   json:()=>any}>}
 */
export function request(url, { method = 'GET', headers = {}, body, timeoutMs = DEFAULT_TIMEOUT_MS,
  host } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const hdrs = { ...headers };
    if (host !== undefined) hdrs.host = host;
    let payload = body;
    if (payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
      payload = JSON.stringify(payload);
      if (!Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-type')) {
        hdrs['content-type'] = 'application/json';
      }
    }
    if (payload !== undefined && !Object.keys(hdrs).some((k) => k.toLowerCase() === 'content-length'
        || k.toLowerCase() === 'transfer-encoding')) {
      hdrs['content-length'] = Buffer.byteLength(payload);
    }
    const req = http.request({
      hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname + u.search,
      method, headers: hdrs, agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`request ${method} ${url} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', (e) => { clearTimeout(timer); reject(e); });
      res.on('end', () => {
        clearTimeout(timer);
        const buf = Buffer.concat(chunks);
        resolve({
          status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body: buf,
          text: buf.toString('utf8'),
          json() { return JSON.parse(buf.toString('utf8')); },
        });
      });
    });
    if (payload !== undefined) req.end(payload); else req.end();
  });
}

/** POSTs a JSON body (string sent verbatim, object serialized). */
export function postJSON(url, body, opts = {}) {
  return request(url, { ...opts, method: 'POST', body,
    headers: { 'content-type': 'application/json', ...(opts.headers || {}) } });
}

/**
 * Starts a request and returns as soon as the response head arrives, so a test can observe the
 * body as it streams. `next()` resolves with the next data chunk (or null at end).
 */
export function openStream(url, { method = 'POST', headers = {}, body, timeoutMs = DEFAULT_TIMEOUT_MS }
  = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const req = http.request({
      hostname: u.hostname, port: u.port, path: u.pathname + u.search, method, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload),
        ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`stream ${url} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.on('response', (res) => {
      const received = [];
      let ended = false;
      let error = null;
      const waiters = new Set();
      const wake = () => { for (const w of [...waiters]) w(); };
      res.on('data', (c) => { received.push(c); wake(); });
      res.on('end', () => { ended = true; clearTimeout(timer); wake(); });
      res.on('error', (e) => { error = e; clearTimeout(timer); wake(); });
      res.on('close', () => { if (!ended && !error) error = new Error('response closed early'); wake(); });
      let cursor = 0;
      const waitUntil = (pred, ms = timeoutMs) => new Promise((res2, rej2) => {
        const check = () => {
          if (pred()) { waiters.delete(check); clearTimeout(t); res2(); return true; }
          if (error || ended) {
            waiters.delete(check); clearTimeout(t);
            if (pred()) res2(); else rej2(error || new Error('stream ended before condition'));
            return true;
          }
          return false;
        };
        const t = setTimeout(() => { waiters.delete(check); rej2(new Error('stream wait timed out')); },
          ms);
        if (!check()) waiters.add(check);
      });
      const stream = {
        status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, res, req,
        get received() { return Buffer.concat(received); },
        get ended() { return ended; },
        /** Resolves when the concatenated body bytes satisfy pred(buffer). */
        async waitForBytes(pred, ms) {
          await waitUntil(() => pred(Buffer.concat(received)), ms);
          return Buffer.concat(received);
        },
        /** Resolves with the next chunk after those already returned, or null at end. */
        async next(ms) {
          await waitUntil(() => received.length > cursor || ended, ms);
          if (received.length > cursor) return received[cursor++];
          return null;
        },
        /** Resolves with the whole body once the response ends. */
        async all(ms) {
          await waitUntil(() => ended, ms);
          return Buffer.concat(received);
        },
        destroy() { clearTimeout(timer); req.destroy(); },
      };
      resolve(stream);
    });
    req.end(payload);
  });
}

function parseHead(headText) {
  const lines = headText.split('\r\n');
  const statusLine = lines.shift();
  const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new Error(`bad status line: ${JSON.stringify(statusLine)}`);
  const headers = {};
  const rawHeaders = [];
  for (const line of lines) {
    const idx = line.indexOf(':');
    if (idx <= 0) throw new Error(`bad header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, idx);
    const value = line.slice(idx + 1).trim();
    rawHeaders.push([name, value]);
    const k = name.toLowerCase();
    if (k in headers) headers[k] = [].concat(headers[k], value); else headers[k] = value;
  }
  return { version: m[1], status: Number(m[2]), reason: m[3] ?? '', headers, rawHeaders };
}

/**
 * One client TCP connection with its own HTTP/1.x response parser. Keeps every byte received;
 * reads responses in order (pipelining), 1xx interim responses included.
 */
export class RawConnection {
  static connect(port, host = '127.0.0.1', { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host });
      const t = setTimeout(() => { sock.destroy(); reject(new Error('connect timed out')); }, timeoutMs);
      sock.once('connect', () => { clearTimeout(t); resolve(new RawConnection(sock, timeoutMs)); });
      sock.once('error', (e) => { clearTimeout(t); reject(e); });
    });
  }

  constructor(sock, timeoutMs) {
    this.sock = sock;
    this.timeoutMs = timeoutMs;
    this.buf = Buffer.alloc(0);
    this.all = Buffer.alloc(0);
    this.ended = false; // peer sent FIN
    this.closed = false;
    this.error = null;
    this.waiters = new Set();
    sock.on('data', (c) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.all = Buffer.concat([this.all, c]);
      this._wake();
    });
    sock.on('end', () => { this.ended = true; this._wake(); });
    sock.on('close', () => { this.closed = true; this.ended = true; this._wake(); });
    sock.on('error', (e) => { this.error = e; this._wake(); });
  }

  _wake() { for (const w of [...this.waiters]) w(); }

  _waitFor(pred, ms = this.timeoutMs, what = 'data') {
    return new Promise((resolve, reject) => {
      const check = () => {
        let v;
        try { v = pred(); } catch (e) { cleanup(); reject(e); return true; }
        if (v !== undefined && v !== false) { cleanup(); resolve(v); return true; }
        if (this.ended || this.error) {
          cleanup();
          reject(Object.assign(new Error(`connection ended while waiting for ${what}`),
            { cause: this.error, received: this.all.toString('latin1') }));
          return true;
        }
        return false;
      };
      const t = setTimeout(() => {
        cleanup();
        reject(Object.assign(new Error(`timed out after ${ms} ms waiting for ${what}`),
          { received: this.all.toString('latin1') }));
      }, ms);
      const cleanup = () => { clearTimeout(t); this.waiters.delete(check); };
      if (!check()) this.waiters.add(check);
    });
  }

  write(data) {
    return new Promise((resolve, reject) => {
      this.sock.write(data, (e) => (e ? reject(e) : resolve()));
    });
  }

  end(data) { this.sock.end(data); }

  destroy() { this.sock.destroy(); }

  /** Resolves true when the peer has closed the connection (FIN or reset) within ms. */
  async waitClosed(ms = this.timeoutMs) {
    if (this.ended) return true;
    return new Promise((resolve) => {
      const check = () => {
        if (this.ended || this.error) { clearTimeout(t); this.waiters.delete(check); resolve(true); }
      };
      const t = setTimeout(() => { this.waiters.delete(check); resolve(false); }, ms);
      this.waiters.add(check);
    });
  }

  _take(n) {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return Buffer.from(out);
  }

  /**
   * Reads the next response (a 1xx interim response counts as one).
   * @param {{head?: boolean, ms?: number}} opts head: the request was HEAD (no body follows).
   */
  async readResponse({ head = false, ms = this.timeoutMs } = {}) {
    const headEnd = await this._waitFor(() => {
      const i = this.buf.indexOf('\r\n\r\n');
      return i >= 0 ? i : undefined;
    }, ms, 'response head');
    const headBytes = this._take(headEnd + 4);
    const parsed = parseHead(headBytes.subarray(0, headEnd).toString('latin1'));
    const res = { ...parsed, headBytes, body: Buffer.alloc(0), framing: 'none', trailers: [] };
    const te = String(res.headers['transfer-encoding'] ?? '').toLowerCase();
    const clHeader = res.headers['content-length'];
    if (head || (res.status >= 100 && res.status < 200) || res.status === 204 || res.status === 304) {
      return res;
    }
    if (te.includes('chunked')) {
      res.framing = 'chunked';
      const parts = [];
      for (;;) {
        const lineEnd = await this._waitFor(() => {
          const i = this.buf.indexOf('\r\n');
          return i >= 0 ? i : undefined;
        }, ms, 'chunk size line');
        const line = this._take(lineEnd + 2).toString('latin1').slice(0, -2);
        const size = parseInt(line.split(';')[0].trim(), 16);
        if (Number.isNaN(size)) throw new Error(`bad chunk size line ${JSON.stringify(line)}`);
        if (size === 0) {
          for (;;) {
            const tEnd = await this._waitFor(() => {
              const i = this.buf.indexOf('\r\n');
              return i >= 0 ? i : undefined;
            }, ms, 'trailer');
            const tl = this._take(tEnd + 2).toString('latin1').slice(0, -2);
            if (tl === '') break;
            res.trailers.push(tl);
          }
          break;
        }
        await this._waitFor(() => this.buf.length >= size + 2 || undefined, ms, 'chunk data');
        parts.push(this._take(size));
        const crlf = this._take(2).toString('latin1');
        if (crlf !== '\r\n') throw new Error('chunk not followed by CRLF');
      }
      res.body = Buffer.concat(parts);
    } else if (clHeader !== undefined) {
      if (Array.isArray(clHeader)) throw new Error(`multiple Content-Length headers: ${clHeader}`);
      const n = Number(clHeader);
      res.framing = 'content-length';
      await this._waitFor(() => this.buf.length >= n || undefined, ms, `body of ${n} bytes`);
      res.body = this._take(n);
    } else {
      res.framing = 'close';
      await new Promise((resolve, reject) => {
        const check = () => {
          if (this.ended) { clearTimeout(t); this.waiters.delete(check); resolve(); }
        };
        const t = setTimeout(() => {
          this.waiters.delete(check); reject(new Error('timed out waiting for close-delimited body'));
        }, ms);
        this.waiters.add(check);
        check();
      });
      res.body = this._take(this.buf.length);
    }
    return res;
  }
}

/** Sends raw bytes on a new connection and returns the first response (convenience). */
export async function rawExchange(port, bytes, opts = {}) {
  const c = await RawConnection.connect(port);
  try {
    await c.write(bytes);
    return await c.readResponse(opts);
  } finally {
    c.destroy();
  }
}

/** Parses an SSE byte stream into events: [{comments:[], fields:[[name,value]], data}] (spec §9.2). */
export function parseSSE(text) {
  const events = [];
  const normalized = text.replace(/\r\n|\r/g, '\n');
  for (const block of normalized.split('\n\n')) {
    if (block === '') continue;
    const ev = { comments: [], fields: [], data: null };
    const data = [];
    for (const line of block.split('\n')) {
      if (line === '') continue;
      if (line.startsWith(':')) { ev.comments.push(line.slice(1)); continue; }
      const idx = line.indexOf(':');
      const name = idx < 0 ? line : line.slice(0, idx);
      let value = idx < 0 ? '' : line.slice(idx + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      ev.fields.push([name, value]);
      if (name === 'data') data.push(value);
    }
    if (data.length) ev.data = data.join('\n');
    events.push(ev);
  }
  return events;
}

/** The JSON payloads of an SSE stream's data events, `[DONE]` excluded. */
export function sseJSON(text) {
  return parseSSE(text).filter((e) => e.data !== null && e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data));
}
