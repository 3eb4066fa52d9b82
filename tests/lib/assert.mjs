// Shared assertions for gateway responses, fakes and access-log lines.

import assert from 'node:assert/strict';

/**
 * Asserts a gateway-generated error: the status and the body
 * {"type":"error","error":{"type":T,"code":"<status>","message":M}} (Envoy AI Gateway's error shape).
 * @param {{status:number, text:string}} res
 * @param {number} status
 * @param {{type?:string, message?:string, messagePrefix?:string, messageIncludes?:string}} [want]
 * @returns {object} the parsed body
 */
export function assertGatewayError(res, status, want = {}) {
  assert.equal(res.status, status, `status (body: ${res.text?.slice(0, 500)})`);
  let body;
  try {
    body = JSON.parse(res.text);
  } catch {
    assert.fail(`error body is not JSON: ${JSON.stringify(res.text?.slice(0, 500))}`);
  }
  assert.equal(body.type, 'error', `body.type in ${res.text}`);
  assert.equal(typeof body.error, 'object', `body.error in ${res.text}`);
  assert.equal(body.error.code, String(status), `body.error.code in ${res.text}`);
  assert.equal(typeof body.error.type, 'string', `body.error.type in ${res.text}`);
  assert.equal(typeof body.error.message, 'string', `body.error.message in ${res.text}`);
  if (want.type !== undefined) assert.equal(body.error.type, want.type, `error.type in ${res.text}`);
  if (want.message !== undefined) assert.equal(body.error.message, want.message);
  if (want.messagePrefix !== undefined) {
    assert.ok(body.error.message.startsWith(want.messagePrefix),
      `error.message ${JSON.stringify(body.error.message)} should start with ${JSON.stringify(want.messagePrefix)}`);
  }
  if (want.messageIncludes !== undefined) {
    assert.ok(body.error.message.includes(want.messageIncludes),
      `error.message ${JSON.stringify(body.error.message)} should include ${JSON.stringify(want.messageIncludes)}`);
  }
  const ct = res.headers?.['content-type'];
  if (ct !== undefined) assert.match(ct, /^application\/json/, 'content-type of an error body');
  return body;
}

export function assertNoViolations(...fakes) {
  const v = fakes.flatMap((f) => f.violations);
  assert.deepEqual(v, [], `upstream checks failed:\n${v.join('\n')}`);
}

/** For afterEach: resets the fakes, then asserts the finished test left no violations. */
export function checkAndReset(...fakes) {
  const v = fakes.flatMap((f) => f.violations);
  for (const f of fakes) f.reset();
  assert.deepEqual(v, [], `upstream checks failed:\n${v.join('\n')}`);
}

/** Asserts each key of `want` on an access-log entry (deep equality). */
export function assertLog(entry, want) {
  assert.ok(entry, 'access log entry missing');
  for (const [k, v] of Object.entries(want)) {
    assert.deepEqual(entry[k], v, `access log "${k}" (entry: ${JSON.stringify(entry)})`);
  }
}

/** The common fields every access-log line has. */
export function assertLogBasics(entry) {
  for (const k of ['start_time', 'method', 'path', 'response_code', 'duration_ms']) {
    assert.ok(k in entry, `access log lacks "${k}": ${JSON.stringify(entry)}`);
  }
  assert.equal(typeof entry.start_time, 'string');
  assert.ok(!Number.isNaN(Date.parse(entry.start_time)), `start_time ${entry.start_time} is a date`);
  assert.equal(typeof entry.duration_ms, 'number');
  assert.ok(entry.duration_ms >= 0);
  assert.equal(typeof entry.response_code, 'number');
}

/** The header values named `name` in a node rawHeaders array. */
export function rawHeaderValues(rawHeaders, name) {
  const out = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === name.toLowerCase()) out.push(rawHeaders[i + 1]);
  }
  return out;
}

/** Splits a buffer so that the first multi-byte UTF-8 character is cut between two pieces. */
export function splitInsideUtf8(buf) {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] >= 0xc0) return [buf.subarray(0, i + 1), buf.subarray(i + 1)];
  }
  throw new Error('no multi-byte character to split');
}

export function chatRequest(model, extra = {}) {
  return { model, messages: [{ role: 'user', content: 'Say hello.' }], ...extra };
}
