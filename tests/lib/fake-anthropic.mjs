// A fake Anthropic API upstream (https://docs.anthropic.com/en/api/messages,
// .../api/messages-streaming, .../api/messages-count-tokens, .../api/errors) for the tests.
//
// It listens on 127.0.0.1 port 0 and checks what the real API checks:
//   * POST to exactly `/{prefix}/messages` (prefix default "v1") or `/v1/messages/count_tokens`,
//     no query; `Host` equal to the backend's ip:port (or fqdn) exactly once;
//   * a correct `Content-Length`, no `Transfer-Encoding`, a JSON body with "model";
//   * exactly one credential: `x-api-key` equal to the configured key, and no `Authorization`
//     (the client's own credential must never be forwarded); a wrong key gets the API's 401
//     `authentication_error`;
//   * an `anthropic-version` header (400 `invalid_request_error` without one);
//   * `max_tokens` on /messages (400 "max_tokens: Field required", as the API answers).
// A failed check is recorded in `fake.violations` (tests assert the list is empty) except the two
// the tests provoke on purpose (missing max_tokens, a scripted error).
//
// Answers are scripted (FIFO `enqueue(spec)`) or generated: a message in the API's shape, with a
// tool_use block when the request offers tools and its last turn is not a tool_result, streamed
// as the API streams it (message_start, ping, content_block_start/delta/stop with text_delta and
// input_json_delta, message_delta with stop_reason and usage, message_stop). Specs:
//   { json, status? }            a JSON answer (object or exact string)
//   { events: [event objects] }  an SSE stream, "event: <type>\ndata: <json>\n\n" per event
//   { error: {status, type, message} }  {"type":"error","error":{"type","message"}}
//   { text, status }             a non-JSON body (e.g. a proxy's 502 page)
//   (rec) => spec                computed per request

import http from 'node:http';

export const USAGE = Object.freeze({
  input_tokens: 25, cache_creation_input_tokens: 3, cache_read_input_tokens: 10, output_tokens: 12,
});

export function errorBody(type, message) {
  return { type: 'error', error: { type, message } };
}

/** The message the fake answers for a request (API reference "Create a Message" response). */
export function messageFor(req, { id = 'msg_01FakeAnthropic0000000001', usage = USAGE } = {}) {
  const last = req.messages?.[req.messages.length - 1];
  const answeredTool = Array.isArray(last?.content) && last.content.some((b) => b.type === 'tool_result');
  if (Array.isArray(req.tools) && req.tools.length && !answeredTool) {
    return { id, type: 'message', role: 'assistant', model: req.model,
      content: [{ type: 'text', text: 'Let me check the weather.' },
        { type: 'tool_use', id: 'toolu_01FakeTool', name: req.tools[0].name, input: { location: 'Paris' } }],
      stop_reason: 'tool_use', stop_sequence: null, usage: { ...usage } };
  }
  return { id, type: 'message', role: 'assistant', model: req.model,
    content: [{ type: 'text', text: answeredTool ? 'It is 18°C in Paris.' : 'Hello from Claude — grüße!' }],
    stop_reason: 'end_turn', stop_sequence: null, usage: { ...usage } };
}

/** The streaming events of a message, as the API sends them (ping after the first block start). */
export function streamEvents(msg) {
  const { output_tokens: outputTokens, ...inputUsage } = msg.usage;
  const events = [{ type: 'message_start', message: { ...msg, content: [], stop_reason: null,
    stop_sequence: null, usage: { ...inputUsage, output_tokens: 1 } } }];
  msg.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      if (index === 0) events.push({ type: 'ping' });
      const half = Math.ceil(block.text.length / 2);
      for (const piece of [block.text.slice(0, half), block.text.slice(half)]) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
      }
    } else if (block.type === 'tool_use') {
      events.push({ type: 'content_block_start', index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      const json = JSON.stringify(block.input);
      for (const piece of ['', json.slice(0, 5), json.slice(5)]) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
      }
    } else if (block.type === 'thinking') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({ type: 'message_delta', delta: { stop_reason: msg.stop_reason, stop_sequence: null },
    usage: { output_tokens: outputTokens } });
  events.push({ type: 'message_stop' });
  return events;
}

export function sseOf(events) {
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

export class FakeAnthropic {
  constructor({ name = 'fake-anthropic', key, prefix = 'v1' } = {}) {
    this.name = name;
    this.key = key;
    this.prefix = prefix;
    this.requests = [];
    this.violations = [];
    this.queue = [];
    this.server = null;
  }

  static async start(opts) {
    const f = new FakeAnthropic(opts);
    await new Promise((resolve, reject) => {
      f.server = http.createServer((req, res) => { f._onRequest(req, res).catch((e) => f.violations.push(`${f.name}: ${e.stack}`)); });
      f.server.once('error', reject);
      f.server.listen(0, '127.0.0.1', resolve);
    });
    f.port = f.server.address().port;
    f.host = `127.0.0.1:${f.port}`;
    return f;
  }

  get url() { return `http://${this.host}`; }

  enqueue(...specs) { this.queue.push(...specs); return this; }

  reset() { this.requests = []; this.violations = []; this.queue = []; }

  async close() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }

  _violate(rec, msg) { const m = `${this.name}: ${msg}`; this.violations.push(m); rec.violations.push(m); }

  async _onRequest(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const rec = { method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders,
      body: body.toString('utf8'), json: null, violations: [] };
    this.requests.push(rec);
    const count = (name) => req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i].toLowerCase() === name).length;
    const countTokens = req.url === '/v1/messages/count_tokens';
    if (req.method !== 'POST') this._violate(rec, `method ${req.method}`);
    if (!countTokens && req.url !== `/${this.prefix}/messages`) this._violate(rec, `unexpected path ${req.url}`);
    if (count('host') !== 1 || req.headers.host !== this.host) this._violate(rec, `Host ${req.headers.host}`);
    if (req.headers['transfer-encoding']) this._violate(rec, 'Transfer-Encoding on the request');
    if (Number(req.headers['content-length']) !== body.length) this._violate(rec, 'wrong Content-Length');
    if (req.headers.authorization !== undefined) this._violate(rec, `Authorization forwarded: ${req.headers.authorization}`);
    if (count('x-api-key') !== 1 || req.headers['x-api-key'] !== this.key) {
      this._violate(rec, `x-api-key ${req.headers['x-api-key']}`);
      return this._send(res, { error: { status: 401, type: 'authentication_error', message: 'invalid x-api-key' } });
    }
    if (!req.headers['anthropic-version']) {
      this._violate(rec, 'no anthropic-version');
      return this._send(res, { error: { status: 400, type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
    }
    try { rec.json = JSON.parse(rec.body); } catch {
      this._violate(rec, 'body is not JSON');
      return this._send(res, { error: { status: 400, type: 'invalid_request_error', message: 'There was an issue with the format of your request' } });
    }
    if (typeof rec.json.model !== 'string') this._violate(rec, 'no model');
    let spec = this.queue.shift();
    if (typeof spec === 'function') spec = await spec(rec);
    if (!spec) {
      if (countTokens) {
        spec = { json: { input_tokens: 2095 } };
      } else if (rec.json.max_tokens === undefined) {
        spec = { error: { status: 400, type: 'invalid_request_error', message: 'max_tokens: Field required' } };
      } else {
        const msg = messageFor(rec.json);
        spec = rec.json.stream ? { events: streamEvents(msg) } : { json: msg };
      }
    }
    return this._send(res, spec);
  }

  _send(res, spec) {
    const headers = { 'request-id': 'req_011CFakeAnthropic' };
    if (spec.error) {
      const b = JSON.stringify(errorBody(spec.error.type, spec.error.message));
      res.writeHead(spec.error.status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
      return res.end(b);
    }
    if (spec.text !== undefined) {
      res.writeHead(spec.status ?? 502, { ...headers, 'content-type': 'text/html', 'content-length': Buffer.byteLength(spec.text) });
      return res.end(spec.text);
    }
    if (spec.events) {
      res.writeHead(spec.status ?? 200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      for (const e of spec.events) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      return res.end();
    }
    const b = typeof spec.json === 'string' ? spec.json : JSON.stringify(spec.json);
    res.writeHead(spec.status ?? 200, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
    return res.end(b);
  }
}
