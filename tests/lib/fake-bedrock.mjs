// A fake AWS Bedrock Runtime upstream, and a fake STS, for the integration tests.
// Its API is documented in fake-bedrock.md beside this file.
//
// FakeBedrock listens on 127.0.0.1 port 0 (optionally TLS) and checks what Bedrock checks:
//   * the SigV4 signature of every request, recomputed with @smithy/signature-v4 (the AWS SDK's
//     own signer) from the request as received and the known test credentials; a bad, missing,
//     mis-scoped, expired or unknown-key signature gets Bedrock's 403 with its exact body and
//     `x-amzn-ErrorType` (InvalidSignatureException, MissingAuthenticationTokenException,
//     UnrecognizedClientException, ExpiredTokenException, IncompleteSignatureException) and is
//     recorded in `fake.signatureFailures`;
//   * `Host` equal to the backend's hostname (fqdn) or ip:port, exactly once; with TLS, the SNI;
//   * method POST, path exactly /model/{modelId}/{converse|converse-stream|invoke|
//     invoke-with-response-stream|count-tokens}, no query;
//   * a correct `Content-Length`, no `Transfer-Encoding`, a JSON body;
//   * exactly one credential: a SigV4 `Authorization`, no `x-api-key` / `api-key`, no bearer key;
//     `x-amz-content-sha256`, when sent, equal to the body's SHA-256.
// Other problems are recorded in `fake.violations` and answered with a 400 ValidationException
// (strict mode, the default). Tests assert both lists are empty.
//
// Answers are scripted per request (FIFO `enqueue`) or generated from the operation and model:
// JSON bodies, `application/vnd.amazon.eventstream` streams encoded with @smithy/eventstream-codec
// (the SDK's own codec: prelude, headers `:event-type` / `:content-type` / `:message-type`, both
// CRC32s), in-stream exceptions, and errors with `x-amzn-ErrorType` + `{"message": ...}`.

import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { Gate } from './fake-openai.mjs';

export { Gate };

/** Credentials the tests sign with unless they configure others. */
export const TEST_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIDSLUICETEST000001',
  secretAccessKey: 'sluice/test+secret/0123456789abcdefghijklmn',
});

export const OPERATIONS = ['converse', 'converse-stream', 'invoke', 'invoke-with-response-stream',
  'count-tokens'];
const STREAMING = new Set(['converse-stream', 'invoke-with-response-stream']);

// Bedrock's error-type header carries the shape id after a ':' (botocore and the JS SDK keep what
// precedes it). Errors raised by the AWS front door (authentication) carry the bare name.
const BEDROCK_ERROR_SUFFIX = ':http://internal.amazon.com/coral/com.amazon.bedrock/';
const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you '
  + 'provided. Check your AWS Secret Access Key and signing method. Consult the service '
  + 'documentation for details.';
// Real stream events carry a "p" field of random letters that hides the payload length.
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

// ---- Event-stream builders --------------------------------------------------------------------

/**
 * One event-stream message as bytes. `headers` values: strings (type string), or
 * {type, value} as @smithy/eventstream-codec takes them.
 */
export function encodeMessage(headers, body) {
  const h = {};
  for (const [k, v] of Object.entries(headers)) h[k] = typeof v === 'string' ? { type: 'string', value: v } : v;
  const bytes = typeof body === 'string' ? fromUtf8(body)
    : body instanceof Uint8Array ? body : fromUtf8(JSON.stringify(body));
  return Buffer.from(codec.encode({ headers: h, body: bytes }));
}

/** Decodes a buffer of whole messages (for tests that inspect what a fake would send). */
export function decodeMessages(buf) {
  const out = [];
  let off = 0;
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const msg = codec.decode(new Uint8Array(buf.subarray(off, off + len)));
    const headers = {};
    for (const [k, v] of Object.entries(msg.headers)) headers[k] = v.value;
    out.push({ headers, body: Buffer.from(msg.body) });
    off += len;
  }
  return out;
}

/** A Converse/ConverseStream event: {eventType, payload}. Padding is added when encoded. */
export function event(eventType, payload) { return { eventType, payload }; }

/** An InvokeModelWithResponseStream `chunk` event carrying one provider event (e.g. Anthropic's). */
export function chunk(providerEvent) {
  const bytes = Buffer.from(typeof providerEvent === 'string' ? providerEvent : JSON.stringify(providerEvent));
  return { eventType: 'chunk', payload: { bytes: bytes.toString('base64') } };
}

/** An in-stream exception, e.g. exception('throttlingException', 'Too many requests...'). */
export function exception(exceptionType, message) { return { exception: exceptionType, message }; }

function encodeEvent(ev, padding) {
  if (Buffer.isBuffer(ev)) return ev;
  if (ev.raw) return Buffer.from(ev.raw);
  if (ev.exception) {
    return encodeMessage({ ':exception-type': ev.exception, ':content-type': 'application/json',
      ':message-type': 'exception' }, { message: ev.message });
  }
  if (ev.headers) return encodeMessage(ev.headers, ev.body ?? '');
  const payload = padding && ev.payload && typeof ev.payload === 'object' && !Array.isArray(ev.payload)
    ? { ...ev.payload, p: PADDING.slice(0, 1 + (JSON.stringify(ev.payload).length % PADDING.length)) }
    : ev.payload;
  return encodeMessage({ ':event-type': ev.eventType, ':content-type': 'application/json',
    ':message-type': 'event' }, payload);
}

/** The wire bytes of a list of events (what a stream spec sends, before splitting). */
export function encodeEvents(events, { padding = true } = {}) {
  return Buffer.concat(events.map((e) => encodeEvent(e, padding)));
}

// ---- Response builders (Bedrock Runtime API reference shapes) ---------------------------------

/** Converse response (API reference: Converse, Response Syntax). */
export function converseResponse({ text = 'Hello from fake Bedrock.', content, stopReason = 'end_turn',
  usage = { inputTokens: 12, outputTokens: 7 }, latencyMs = 321 } = {}) {
  const u = { totalTokens: (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0), ...usage };
  return {
    output: { message: { role: 'assistant', content: content ?? [{ text }] } },
    stopReason,
    usage: u,
    metrics: { latencyMs },
  };
}

/** ConverseStream events for a text answer split into `pieces`. */
export function converseStreamEvents({ pieces = ['Hello', ' from', ' fake Bedrock.'], stopReason = 'end_turn',
  usage = { inputTokens: 12, outputTokens: 7 }, latencyMs = 321 } = {}) {
  const u = { totalTokens: (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0), ...usage };
  return [
    event('messageStart', { role: 'assistant' }),
    ...pieces.map((text) => event('contentBlockDelta', { contentBlockIndex: 0, delta: { text } })),
    event('contentBlockStop', { contentBlockIndex: 0 }),
    event('messageStop', { stopReason }),
    event('metadata', { usage: u, metrics: { latencyMs } }),
  ];
}

/** Anthropic Messages response body as InvokeModel returns it for Claude. */
export function anthropicInvokeResponse({ model = 'claude-3-5-sonnet-20241022', text = 'Hello from fake Claude on Bedrock.',
  content, stopReason = 'end_turn', usage = { input_tokens: 12, output_tokens: 7 } } = {}) {
  return {
    id: `msg_bdrk_${crypto.randomBytes(12).toString('hex')}`,
    type: 'message', role: 'assistant', model,
    content: content ?? [{ type: 'text', text }],
    stop_reason: stopReason, stop_sequence: null, usage,
  };
}

/** InvokeModelWithResponseStream chunks for Claude: Anthropic events, Bedrock's metrics last. */
export function anthropicStreamChunks({ model = 'claude-3-5-sonnet-20241022', pieces = ['Hello', ' from', ' Claude.'],
  stopReason = 'end_turn', inputTokens = 12, outputTokens = 7 } = {}) {
  const id = `msg_bdrk_${crypto.randomBytes(12).toString('hex')}`;
  return [
    chunk({ type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [],
      stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } } }),
    chunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...pieces.map((text) => chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
    chunk({ type: 'content_block_stop', index: 0 }),
    chunk({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens } }),
    chunk({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: inputTokens,
      outputTokenCount: outputTokens, invocationLatency: 412, firstByteLatency: 198 } }),
  ];
}

/** Titan text embeddings InvokeModel response. */
export function titanEmbeddingResponse({ dimensions = 8, inputTextTokenCount = 5, seed = 1 } = {}) {
  const embedding = [];
  for (let i = 0; i < dimensions; i++) embedding.push(Number((Math.sin(seed + i) / 2).toFixed(6)));
  return { embedding, inputTextTokenCount };
}

/** A Bedrock error answer spec: error('ThrottlingException', 'Too many requests...', 429). */
export function error(type, message, status = 400) { return { error: { type, message, status } }; }

// ---- SigV4 verification ---------------------------------------------------------------------

const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$/;

function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s ?? '');
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function amzDate(d) { return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''); }

function decodeQuery(q) {
  const out = {};
  if (!q) return out;
  for (const part of q.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (k in out) out[k] = [].concat(out[k], v);
    else out[k] = v;
  }
  return out;
}

/**
 * Verifies the SigV4 signature of a received request with @smithy/signature-v4.
 * @param {object} r {method, rawPath, rawQuery, rawHeaders, body: Buffer}
 * @param {object} o {lookup(accessKeyId) → {secretAccessKey, sessionToken?, expiresAt?}|undefined,
 *   region, service, now: Date, maxSkewMs}
 * @returns {Promise<{ok:true, info}|{ok:false, status, type, message, info}>}
 */
export async function verifySigV4(r, o) {
  const named = (n) => {
    const out = [];
    for (let i = 0; i < r.rawHeaders.length; i += 2) if (r.rawHeaders[i].toLowerCase() === n) out.push(r.rawHeaders[i + 1]);
    return out;
  };
  const fail = (type, message, info = {}, status = 403) => ({ ok: false, status, type, message, info });
  const auth = named('authorization');
  if (auth.length === 0) return fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
  if (auth.length > 1) return fail('IncompleteSignatureException', 'Multiple Authorization headers');
  const m = AUTH_RE.exec(auth[0]);
  if (!m) {
    return fail('IncompleteSignatureException', `Authorization header requires 'Credential', `
      + `'SignedHeaders' and 'Signature' parameters of an AWS4-HMAC-SHA256 signature. Authorization=${auth[0].split(' ')[0]}`);
  }
  const [, accessKeyId, scopeDate, region, service, signedHeadersText, signature] = m;
  const signedHeaders = signedHeadersText.split(';');
  const info = { accessKeyId, scopeDate, region, service, signedHeaders, signature };
  const creds = o.lookup(accessKeyId);
  if (!creds) return fail('UnrecognizedClientException', 'The security token included in the request is invalid.', info);
  const token = named('x-amz-security-token');
  info.sessionToken = token[0];
  if ((creds.sessionToken ?? '') !== (token[0] ?? '')) {
    return fail('UnrecognizedClientException', 'The security token included in the request is invalid.', info);
  }
  if (creds.expiresAt && o.now >= creds.expiresAt) {
    return fail('ExpiredTokenException', 'The security token included in the request is expired', info);
  }
  if (service !== o.service) {
    return fail('InvalidSignatureException', `Credential should be scoped to correct service: '${o.service}'. `, info);
  }
  if (region !== o.region) {
    return fail('InvalidSignatureException', `Credential should be scoped to a valid region. `, info);
  }
  for (const h of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(h)) {
      return fail('InvalidSignatureException', `'${h}' must be a 'SignedHeader' in the AWS Authorization.`, info);
    }
  }
  const dates = named('x-amz-date');
  const when = parseAmzDate(dates[0]);
  info.amzDate = dates[0];
  if (dates.length !== 1 || !when) {
    return fail('IncompleteSignatureException', 'Authorization header requires existence of either a '
      + "'X-Amz-Date' or a 'Date' header.", info);
  }
  if (scopeDate !== dates[0].slice(0, 8)) {
    return fail('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${dates[0].slice(0, 8)}', from '${dates[0]}'.`, info);
  }
  const skew = o.maxSkewMs ?? 15 * 60 * 1000;
  if (when.getTime() < o.now.getTime() - skew) {
    return fail('InvalidSignatureException', `Signature expired: ${dates[0]} is now earlier than `
      + `${amzDate(new Date(o.now.getTime() - skew))} (${amzDate(o.now)} - 15 min.)`, info);
  }
  if (when.getTime() > o.now.getTime() + skew) {
    return fail('InvalidSignatureException', `Signature not yet current: ${dates[0]} is still later than `
      + `${amzDate(new Date(o.now.getTime() + skew))} (${amzDate(o.now)} + 15 min.)`, info);
  }
  const bodyHash = crypto.createHash('sha256').update(r.body).digest('hex');
  const contentSha = named('x-amz-content-sha256');
  if (contentSha.length && contentSha[0] !== bodyHash && contentSha[0] !== 'UNSIGNED-PAYLOAD') {
    return fail('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match what was computed.', info, 400);
  }
  // The request as received, restricted to the headers it signed; repeated headers join with ','.
  const headers = {};
  for (const h of signedHeaders) {
    const values = named(h);
    if (values.length === 0) {
      return fail('InvalidSignatureException', `The request signature we calculated does not match the signature you provided. Signed header '${h}' is missing.`, info);
    }
    headers[h] = values.map((v) => v.trim()).join(',');
  }
  const request = new HttpRequest({
    method: r.method, protocol: 'https:', hostname: headers.host, path: r.rawPath,
    query: decodeQuery(r.rawQuery), headers, body: r.body,
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
    region, service, sha256: Sha256, applyChecksum: false,
  });
  const signed = await signer.sign(request, { signingDate: when, signingRegion: region, signingService: service });
  const expected = signed.headers.authorization;
  if (expected === auth[0]) return { ok: true, info };
  // Bedrock quotes the canonical request and string to sign it expected.
  let detail = '';
  try {
    const canonicalHeaders = getCanonicalHeaders(signed);
    delete canonicalHeaders.authorization;
    const canonical = signer.createCanonicalRequest(signed, canonicalHeaders, contentSha[0] ?? bodyHash);
    const sts = await signer.createStringToSign(dates[0], `${scopeDate}/${region}/${service}/aws4_request`,
      canonical, 'AWS4-HMAC-SHA256');
    detail = `\n\nThe Canonical String for this request should have been\n'${canonical}'\n\n`
      + `The String-to-Sign should have been\n'${sts}'\n`;
  } catch { /* smithy internals changed: the plain message is enough */ }
  info.expected = expected;
  return fail('InvalidSignatureException', SIGNATURE_MISMATCH + detail, info);
}

// ---- FakeBedrock ----------------------------------------------------------------------------

export class FakeBedrock {
  /**
   * @param {object} opts
   * @param {string} [opts.name] label used in messages
   * @param {{key, cert}} [opts.tls] serve HTTPS with this key/cert
   * @param {string} [opts.region] the region signatures must be scoped to (default us-east-1)
   * @param {Array|Function} [opts.credentials] valid credentials: a list of {accessKeyId,
   *   secretAccessKey, sessionToken?, expiresAt?: Date}, or lookup(accessKeyId) → one or undefined
   *   (default [TEST_CREDENTIALS])
   * @param {object} [opts.expect] host (default "127.0.0.1:<port>"), sni, modelId (decoded id
   *   every request must name), operation
   * @param {boolean} [opts.strict] answer protocol violations with a 400 (default true)
   * @param {boolean} [opts.verifySignature] (default true)
   * @param {boolean} [opts.padding] add the "p" padding field to stream events (default true)
   * @param {() => Date} [opts.clock] the fake's "now" for signature expiry and skew checks
   */
  constructor({ name = 'fake-bedrock', tls = null, region = 'us-east-1', credentials = [TEST_CREDENTIALS],
    expect = {}, strict = true, verifySignature = true, padding = true, clock = () => new Date(),
    bodyTimeoutMs = 5000 } = {}) {
    this.name = name;
    this.tlsOptions = tls;
    this.region = region;
    this.credentials = credentials;
    this.expect = { ...expect };
    this.strict = strict;
    this.verifySignature = verifySignature;
    this.padding = padding;
    this.clock = clock;
    this.bodyTimeoutMs = bodyTimeoutMs;
    this.requests = [];
    this.violations = [];
    this.signatureFailures = [];
    this.tlsErrors = [];
    this.queue = [];
    this.sockets = new Set();
    this.waiters = new Set();
    this.server = null;
    this.closed = false;
    this.defaultSpec = (rec) => this.generate(rec);
  }

  static async start(opts) {
    const f = new FakeBedrock(opts);
    await f.listen();
    return f;
  }

  get scheme() { return this.tlsOptions ? 'https' : 'http'; }

  get url() { return `${this.scheme}://127.0.0.1:${this.port}`; }

  lookup(accessKeyId) {
    if (typeof this.credentials === 'function') return this.credentials(accessKeyId);
    return this.credentials.find((c) => c.accessKeyId === accessKeyId);
  }

  async listen() {
    const handler = (req, res) => {
      this._onRequest(req, res).catch((e) => this._violate(null, `fake internal error: ${e.stack}`));
    };
    const server = this.tlsOptions
      ? https.createServer({ key: this.tlsOptions.key, cert: this.tlsOptions.cert }, handler)
      : http.createServer(handler);
    server.on('connection', (sock) => { this.sockets.add(sock); sock.on('close', () => this.sockets.delete(sock)); });
    if (this.tlsOptions) server.on('tlsClientError', (err) => { this.tlsErrors.push(err.message); this._wake(); });
    server.on('clientError', (err, sock) => {
      // A connection the gateway reset is not a malformed request: it closes an upstream connection
      // whose answer it no longer reads (the client left, or the stream failed mid-way).
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') { sock.destroy(); return; }
      if (/SSL|TLS|certificate/i.test(`${err.code} ${err.message}`)) { this.tlsErrors.push(err.code || err.message); return; }
      this._violate(null, `malformed upstream request (${err.code || err.message})`);
      if (sock.writable) sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    this.server = server;
    this.port = server.address().port;
    if (this.expect.host === undefined) this.expect.host = `127.0.0.1:${this.port}`;
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
    this.signatureFailures = [];
    this.tlsErrors = [];
    this.queue = [];
    this.defaultSpec = (rec) => this.generate(rec);
  }

  /** Resolves with the n-th request (1-based) once it has fully arrived. */
  waitForRequest(n, ms = 10000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.requests.length >= n) { clearTimeout(t); this.waiters.delete(check); resolve(this.requests[n - 1]); return true; }
        return false;
      };
      const t = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.name}: timed out waiting for request #${n} (have ${this.requests.length})`));
      }, ms);
      if (!check()) this.waiters.add(check);
    });
  }

  nextRequest(ms) { return this.waitForRequest(this.requests.length + 1, ms); }

  /** The default answer for the request's operation and model. */
  generate(rec) {
    const id = rec.modelId ?? '';
    switch (rec.operation) {
      case 'converse':
        return { json: converseResponse() };
      case 'converse-stream':
        return { events: converseStreamEvents() };
      case 'invoke':
        if (/titan-embed/.test(id)) return { json: titanEmbeddingResponse({ dimensions: rec.json?.dimensions ?? 8 }) };
        if (/anthropic/.test(id)) return { json: anthropicInvokeResponse() };
        return error('ValidationException', `The provided model identifier is invalid.`);
      case 'invoke-with-response-stream':
        if (/anthropic/.test(id)) return { events: anthropicStreamChunks() };
        return error('ValidationException', `The provided model identifier is invalid.`);
      case 'count-tokens':
        return { json: { inputTokens: 12 } };
      default:
        return { status: 404, json: { message: `Unable to determine service/operation name to be authorized` },
          headers: { 'x-amzn-ErrorType': 'UnknownOperationException' } };
    }
  }

  _check(rec, req) {
    const e = this.expect;
    const named = (n) => {
      const out = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === n) out.push(req.rawHeaders[i + 1]);
      return out;
    };
    const hosts = named('host');
    if (e.host !== null) {
      if (hosts.length !== 1) this._violate(rec, `expected exactly one Host header, got ${JSON.stringify(hosts)}`);
      else if (hosts[0] !== e.host) this._violate(rec, `Host ${JSON.stringify(hosts[0])} != expected ${JSON.stringify(e.host)}`);
    }
    if (e.sni !== undefined && this.tlsOptions && rec.sni !== e.sni) {
      this._violate(rec, `SNI ${JSON.stringify(rec.sni)} != expected ${JSON.stringify(e.sni)}`);
    }
    if (rec.method !== 'POST') this._violate(rec, `unexpected method ${rec.method}`);
    if (rec.rawQuery !== '') this._violate(rec, `unexpected query string ${JSON.stringify(rec.rawQuery)}`);
    if (!rec.operation) {
      this._violate(rec, `unexpected path ${JSON.stringify(rec.rawPath)} (expected /model/{modelId}/{${OPERATIONS.join('|')}})`);
    } else {
      if (e.modelId !== undefined && rec.modelId !== e.modelId) {
        this._violate(rec, `model id ${JSON.stringify(rec.modelId)} != expected ${JSON.stringify(e.modelId)}`);
      }
      if (e.operation !== undefined && rec.operation !== e.operation) {
        this._violate(rec, `operation ${rec.operation} != expected ${e.operation}`);
      }
    }
    const cls = named('content-length');
    if (named('transfer-encoding').length) this._violate(rec, 'request uses Transfer-Encoding; expected Content-Length');
    if (cls.length !== 1) this._violate(rec, `expected exactly one Content-Length, got ${JSON.stringify(cls)}`);
    else if (Number(cls[0]) !== rec.body.length) this._violate(rec, `Content-Length ${cls[0]} != body length ${rec.body.length}`);
    if (rec.json === undefined) this._violate(rec, `body is not JSON: ${JSON.stringify(rec.bodyText.slice(0, 200))}`);
    for (const h of ['x-api-key', 'api-key']) {
      if (named(h).length) this._violate(rec, `unexpected credential header ${h}`);
    }
    const auth = named('authorization');
    if (auth.length === 1 && !auth[0].startsWith('AWS4-HMAC-SHA256 ')) {
      this._violate(rec, `Authorization is not a SigV4 signature (${auth[0].split(' ')[0]})`);
    }
  }

  async _onRequest(req, res) {
    const q = req.url.indexOf('?');
    const rawPath = q < 0 ? req.url : req.url.slice(0, q);
    const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
    const m = /^\/model\/([^/]+)\/([a-z-]+)$/.exec(rawPath);
    let modelId;
    let operation = null;
    if (m && OPERATIONS.includes(m[2])) {
      try { modelId = decodeURIComponent(m[1]); operation = m[2]; } catch { operation = null; }
    }
    const rec = {
      seq: this.requests.length + 1, method: req.method, url: req.url, rawPath, rawQuery, modelId, operation,
      stream: STREAMING.has(operation), headers: req.headers, rawHeaders: req.rawHeaders, sni: req.socket.servername,
      body: null, bodyText: '', json: undefined, signature: null, violations: [], aborted: false, completed: false,
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
    if (!complete) this._violate(rec, `request body incomplete after ${this.bodyTimeoutMs} ms`);
    if (rec.body.length) { try { rec.json = JSON.parse(rec.bodyText); } catch { rec.json = undefined; } }
    this._check(rec, req);

    let spec;
    if (this.verifySignature) {
      const v = await verifySigV4({ method: req.method, rawPath, rawQuery, rawHeaders: req.rawHeaders, body: rec.body },
        { lookup: (id) => this.lookup(id), region: this.region, service: 'bedrock', now: this.clock() });
      rec.signature = { ...v.info, ok: v.ok };
      if (!v.ok) {
        rec.signature.error = `${v.type}: ${v.message}`;
        this.signatureFailures.push(`${this.name}: request #${rec.seq}: ${v.type}: ${v.message.split('\n')[0]}`);
        // The AWS front door answers before the service sees the request.
        spec = { status: v.status, json: { message: v.message }, headers: { 'x-amzn-ErrorType': v.type } };
      }
    }
    this.requests.push(rec);
    this._wake();
    if (!spec) {
      if (rec.violations.length && this.strict) {
        spec = error('ValidationException', rec.violations.join('; '));
      } else {
        spec = this.queue.length ? this.queue.shift() : this.defaultSpec;
      }
    }
    if (typeof spec === 'function') spec = await spec(rec);
    await this._respond(rec, req, res, spec);
    rec.completed = true;
    this._wake();
  }

  async _respond(rec, req, res, spec) {
    if (spec.hang) return;
    if (spec.destroy) { req.socket.destroy(); return; }
    if (spec.delayMs) await sleep(spec.delayMs);
    if (spec.headGate) await spec.headGate.waitAllowed(0, () => res.destroyed);
    if (res.destroyed) return;
    const headers = { 'x-amzn-RequestId': crypto.randomUUID(), ...(spec.headers || {}) };
    const has = (n) => Object.keys(headers).some((k) => k.toLowerCase() === n);
    if (spec.error) {
      const { type, message, status = 400 } = spec.error;
      const body = JSON.stringify({ message });
      if (!has('x-amzn-errortype')) headers['x-amzn-ErrorType'] = `${type}${BEDROCK_ERROR_SUFFIX}`;
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
      res.writeHead(status, headers);
      res.end(body);
      return;
    }
    if (spec.events !== undefined) {
      const frames = spec.events.map((e) => encodeEvent(e, spec.padding ?? this.padding));
      let pieces;
      if (spec.split === 'together') pieces = [Buffer.concat(frames)];
      else if (typeof spec.split === 'number') {
        const all = Buffer.concat(frames);
        pieces = [];
        for (let i = 0; i < all.length; i += spec.split) pieces.push(all.subarray(i, i + spec.split));
      } else if (spec.split === 'halves') {
        pieces = frames.flatMap((f) => [f.subarray(0, Math.floor(f.length / 2)), f.subarray(Math.floor(f.length / 2))]);
      } else pieces = frames;
      if (!has('content-type')) headers['content-type'] = 'application/vnd.amazon.eventstream';
      res.writeHead(spec.status ?? 200, headers);
      res.flushHeaders();
      for (let i = 0; i < pieces.length; i++) {
        if (spec.gate) await spec.gate.waitAllowed(i, () => res.destroyed);
        if (res.destroyed) return;
        await new Promise((resolve) => res.write(pieces[i], () => resolve()));
        if (spec.gate) spec.gate.markWritten();
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (spec.abortAfterEvents) { req.socket.destroy(); return; }
      res.end();
      return;
    }
    let body;
    if (spec.json !== undefined) {
      body = typeof spec.json === 'string' || Buffer.isBuffer(spec.json) ? spec.json : JSON.stringify(spec.json);
      if (!has('content-type')) headers['content-type'] = 'application/json';
    } else {
      body = spec.body ?? '';
    }
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(spec.status ?? 200, headers);
    res.end(body);
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    if (this.server) {
      await new Promise((resolve) => { this.server.close(() => resolve()); this.server.closeAllConnections?.(); });
    }
  }
}

export function startFakeBedrock(opts) { return FakeBedrock.start(opts); }

// ---- FakeSts ----------------------------------------------------------------------------------

function xmlEscape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * A fake AWS STS answering AssumeRoleWithWebIdentity (Query protocol, Version 2011-06-15) with the
 * documented XML: AssumeRoleWithWebIdentityResult/Credentials/{AccessKeyId, SecretAccessKey,
 * SessionToken, Expiration}. Every answer issues fresh credentials (`issued`), valid for
 * `lifetimeMs`; `lookup` plugs into FakeBedrock({credentials}) so Bedrock accepts exactly those,
 * until they expire.
 */
export class FakeSts {
  /**
   * @param {object} opts
   * @param {string} opts.roleArn the RoleArn every call must name
   * @param {string|Function} opts.token the WebIdentityToken expected (or a predicate)
   * @param {number} [opts.lifetimeMs] credentials lifetime (default 3600 s)
   */
  constructor({ roleArn, token, lifetimeMs = 3600 * 1000, name = 'fake-sts', clock = () => new Date(),
    tls = null } = {}) {
    this.tlsOptions = tls;
    this.roleArn = roleArn;
    this.token = token;
    this.lifetimeMs = lifetimeMs;
    this.name = name;
    this.clock = clock;
    this.requests = [];
    this.violations = [];
    this.issued = [];
    this.queue = [];
    this.waiters = new Set();
    this.sockets = new Set();
  }

  static async start(opts) {
    const s = new FakeSts(opts);
    await s.listen();
    return s;
  }

  /** http://127.0.0.1:<port>, or https://localhost:<port> with TLS (certificates name localhost). */
  get url() { return this.tlsOptions ? `https://localhost:${this.port}` : `http://127.0.0.1:${this.port}`; }

  lookup(accessKeyId) { return this.issued.find((c) => c.accessKeyId === accessKeyId); }

  /** Queue answers for the next calls: {error: {code, message, status}} or {status, body}. */
  enqueue(...specs) { this.queue.push(...specs); return this; }

  waitForIssued(n, ms = 15000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.issued.length >= n) { clearTimeout(t); this.waiters.delete(check); resolve(this.issued[n - 1]); return true; }
        return false;
      };
      const t = setTimeout(() => { this.waiters.delete(check); reject(new Error(`${this.name}: timed out waiting for credentials #${n} (issued ${this.issued.length})`)); }, ms);
      if (!check()) this.waiters.add(check);
    });
  }

  waitForRequest(n, ms = 15000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.requests.length >= n) { clearTimeout(t); this.waiters.delete(check); resolve(this.requests[n - 1]); return true; }
        return false;
      };
      const t = setTimeout(() => { this.waiters.delete(check); reject(new Error(`${this.name}: timed out waiting for call #${n} (have ${this.requests.length})`)); }, ms);
      if (!check()) this.waiters.add(check);
    });
  }

  async listen() {
    const handler = (req, res) => { this._onRequest(req, res).catch((e) => this.violations.push(`${this.name}: ${e.stack}`)); };
    this.server = this.tlsOptions
      ? https.createServer({ key: this.tlsOptions.key, cert: this.tlsOptions.cert }, handler)
      : http.createServer(handler);
    this.server.on('connection', (sock) => { this.sockets.add(sock); sock.on('close', () => this.sockets.delete(sock)); });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  _error(res, status, code, message) {
    const body = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n`
      + `    <Code>${xmlEscape(code)}</Code>\n    <Message>${xmlEscape(message)}</Message>\n  </Error>\n`
      + `  <RequestId>${crypto.randomUUID()}</RequestId>\n</ErrorResponse>\n`;
    res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'x-amzn-RequestId': crypto.randomUUID() });
    res.end(body);
  }

  async _onRequest(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const bodyText = Buffer.concat(chunks).toString('utf8');
    const q = req.url.indexOf('?');
    const params = new URLSearchParams(req.method === 'GET' ? (q < 0 ? '' : req.url.slice(q + 1)) : bodyText);
    const rec = { method: req.method, url: req.url, headers: req.headers, bodyText,
      params: Object.fromEntries(params.entries()), violations: [] };
    const violate = (m) => { rec.violations.push(m); this.violations.push(`${this.name}: ${m}`); };
    this.requests.push(rec);
    if (req.method === 'POST' && !/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) {
      violate(`content-type ${req.headers['content-type']} is not application/x-www-form-urlencoded`);
    }
    if (req.headers.authorization) violate('AssumeRoleWithWebIdentity must not be signed (Authorization sent)');
    if (rec.params.Action !== 'AssumeRoleWithWebIdentity') violate(`Action ${rec.params.Action}`);
    if (rec.params.Version !== '2011-06-15') violate(`Version ${rec.params.Version}`);
    this._wake();
    if (this.queue.length) {
      const spec = this.queue.shift();
      if (spec.error) return this._error(res, spec.error.status ?? 400, spec.error.code, spec.error.message);
      res.writeHead(spec.status ?? 200, spec.headers ?? {});
      res.end(spec.body ?? '');
      return;
    }
    if (rec.violations.length) return this._error(res, 400, 'InvalidAction', rec.violations.join('; '));
    if (rec.params.RoleArn !== this.roleArn) {
      return this._error(res, 403, 'AccessDenied', `Not authorized to perform sts:AssumeRoleWithWebIdentity`);
    }
    if (!/^[\w+=,.@-]{2,64}$/.test(rec.params.RoleSessionName ?? '')) {
      return this._error(res, 400, 'ValidationError', `1 validation error detected: Value '${rec.params.RoleSessionName}' at 'roleSessionName' failed to satisfy constraint`);
    }
    const tokenOk = typeof this.token === 'function' ? this.token(rec.params.WebIdentityToken) : rec.params.WebIdentityToken === this.token;
    if (!tokenOk) return this._error(res, 400, 'InvalidIdentityToken', 'Incorrect token audience');
    const n = this.issued.length + 1;
    const now = this.clock();
    // STS states expiry to the second.
    const expiresAt = new Date(Math.floor((now.getTime() + this.lifetimeMs) / 1000) * 1000);
    const creds = {
      accessKeyId: `ASIASLUICETEST${String(n).padStart(6, '0')}`,
      secretAccessKey: crypto.randomBytes(30).toString('base64'),
      sessionToken: `FwoGZXIvYXdzE${crypto.randomBytes(48).toString('base64')}`,
      expiresAt, issuedAt: now, sessionName: rec.params.RoleSessionName,
    };
    this.issued.push(creds);
    const body = `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:default:sluice</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>${xmlEscape(this.roleArn.replace(':iam:', ':sts:').replace(':role/', ':assumed-role/'))}/${xmlEscape(creds.sessionName)}</Arn>
      <AssumedRoleId>AROASLUICETEST:${xmlEscape(creds.sessionName)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${xmlEscape(creds.sessionToken)}</SessionToken>
      <SecretAccessKey>${xmlEscape(creds.secretAccessKey)}</SecretAccessKey>
      <Expiration>${expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration>
      <AccessKeyId>${creds.accessKeyId}</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/TEST</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>${crypto.randomUUID()}</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`;
    res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'x-amzn-RequestId': crypto.randomUUID() });
    res.end(body);
    this._wake();
  }

  _wake() { for (const w of [...this.waiters]) w(); }

  async close() {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => { this.server.close(() => resolve()); this.server.closeAllConnections?.(); });
  }
}

export function startFakeSts(opts) { return FakeSts.start(opts); }

// ---- FakeOidcProvider -------------------------------------------------------------------------

/**
 * A fake OpenID provider for oidcExchangeToken: discovery at
 * /.well-known/openid-configuration (OpenID Connect Discovery 1.0) and a token endpoint at /token
 * granting client_credentials (RFC 6749 §4.4) to one client authenticated with HTTP Basic or form
 * parameters; answers {access_token, token_type, expires_in}.
 */
export class FakeOidcProvider {
  constructor({ clientId, clientSecret, accessToken = `oidc-${crypto.randomBytes(16).toString('hex')}`,
    expiresIn = 300, name = 'fake-oidc' } = {}) {
    Object.assign(this, { clientId, clientSecret, accessToken, expiresIn, name });
    this.requests = [];
    this.violations = [];
    this.sockets = new Set();
  }

  static async start(opts) {
    const p = new FakeOidcProvider(opts);
    await p.listen();
    return p;
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  async listen() {
    this.server = http.createServer((req, res) => { this._onRequest(req, res).catch((e) => this.violations.push(`${this.name}: ${e.stack}`)); });
    this.server.on('connection', (sock) => { this.sockets.add(sock); sock.on('close', () => this.sockets.delete(sock)); });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  async _onRequest(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const bodyText = Buffer.concat(chunks).toString('utf8');
    const rec = { method: req.method, url: req.url, headers: req.headers, bodyText,
      params: Object.fromEntries(new URLSearchParams(bodyText).entries()) };
    this.requests.push(rec);
    const json = (status, obj) => {
      const body = JSON.stringify(obj);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method === 'GET' && req.url === '/.well-known/openid-configuration') {
      return json(200, { issuer: this.url, authorization_endpoint: `${this.url}/authorize`,
        token_endpoint: `${this.url}/token`, jwks_uri: `${this.url}/jwks`,
        grant_types_supported: ['client_credentials'], scopes_supported: ['openid', 'bedrock'] });
    }
    if (req.method === 'POST' && req.url === '/token') {
      let id = rec.params.client_id;
      let secret = rec.params.client_secret;
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      if (basic) {
        const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        const unform = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
        id = unform(decoded.slice(0, i));
        secret = unform(decoded.slice(i + 1));
      }
      rec.clientId = id;
      if (rec.params.grant_type !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
      if (id !== this.clientId || secret !== this.clientSecret) {
        return json(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      }
      return json(200, { access_token: this.accessToken, token_type: 'Bearer', expires_in: this.expiresIn });
    }
    return json(404, { error: 'not_found' });
  }

  async close() {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => { this.server.close(() => resolve()); this.server.closeAllConnections?.(); });
  }
}
