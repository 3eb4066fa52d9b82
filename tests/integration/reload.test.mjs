// Hot reload: a change of the config file or SIGHUP swaps the config atomically
// (stderr "sluice: config reloaded"); a broken file is rejected ("sluice: config reload rejected: ...")
// and the old config keeps serving; in-flight requests finish on the old config; continuous traffic
// across a reload sees zero failures and every request started after the reload line uses the new
// config.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { FakeOpenAI, Gate } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { postJSON, openStream, request } from '../lib/http.mjs';
import { assertNoViolations, checkAndReset, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-reload-SECRET-8c8c8c8c';
const KEY2 = 'sk-reload-SECRET-second-9d9d';
const T = { timeout: 60000 };
const RELOADED = /^sluice: config reloaded/;
const REJECTED = /^sluice: config reload rejected: .+/;

describe('config reload', () => {
  let fake;
  let fake2;
  let gw;

  const config = (override, { extraModel = false, target = 'openai' } = {}) => buildConfig({
    routes: [{ name: 'route', rules: [
      { models: ['reloadable'], backendRefs: [{ name: target, modelNameOverride: override }] },
      ...(extraModel ? [{ models: ['added-later'], backendRefs: ['openai'] }] : []),
    ] }],
    backends: [
      { name: 'openai', endpoint: fakeEndpoint(fake), policy: { type: 'APIKey', key: KEY } },
      { name: 'second', endpoint: fakeEndpoint(fake2), policy: { type: 'APIKey', key: KEY2 } },
    ],
  });

  /** Writes the config in place; resolves with the stderr line index before the write. */
  const rewrite = (yaml) => {
    const mark = gw.stderrLines.length;
    fs.writeFileSync(gw.configPath, yaml);
    return mark;
  };

  before(async () => {
    fake = await FakeOpenAI.start({ name: 'openai', expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    fake2 = await FakeOpenAI.start({ name: 'second', expect: { credential: { header: 'authorization', value: `Bearer ${KEY2}` } } });
    gw = await startGateway({ yaml: config('model-v1') });
  }, HOOK);

  after(async () => {
    try { if (gw) { assertNoSecret(gw, KEY); assertNoSecret(gw, KEY2); } } finally {
      await gw?.stop();
      await fake?.close();
      await fake2?.close();
    }
  }, HOOK);

  afterEach(() => checkAndReset(fake, fake2));

  const upstreamModel = async () => {
    const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('reloadable'));
    assert.equal(r.status, 200, r.text);
    return fake.requests.at(-1).json.model;
  };

  test('continuous traffic across a file change: zero failures, new config after the reload line', T, async () => {
    assert.equal(await upstreamModel(), 'model-v1');
    fake.reset();
    const results = [];
    let reloadSeen = false;
    let stop = false;
    let seq = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const loop = async () => {
      while (!stop) {
        const id = `req-${seq++}`;
        const afterReload = reloadSeen;
        const body = JSON.stringify(chatRequest('reloadable', { user: id }));
        const r = await new Promise((resolve) => {
          const req = http.request(gw.url('/v1/chat/completions'), { method: 'POST', agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
            let b = '';
            res.on('data', (c) => { b += c; });
            res.on('end', () => resolve({ status: res.statusCode, b }));
            res.on('error', (e) => resolve({ status: 0, b: String(e) }));
          });
          req.setTimeout(10000, () => req.destroy(new Error('client timeout')));
          req.on('error', (e) => resolve({ status: 0, b: String(e) }));
          req.end(body);
        });
        results.push({ id, afterReload, status: r.status, body: r.b });
      }
    };
    const loops = [loop(), loop()];
    try {
      await waitUntil(() => results.length >= 10);
      const mark = rewrite(config('model-v2'));
      await gw.waitForStderr(RELOADED, { from: mark, ms: 15000 });
      reloadSeen = true;
      const n = results.length;
      await waitUntil(() => results.length >= n + 20);
    } finally {
      stop = true;
      await Promise.all(loops);
      agent.destroy();
    }
    const failed = results.filter((r) => r.status !== 200);
    assert.deepEqual(failed, [], `${failed.length} of ${results.length} requests failed`);
    const modelOf = Object.fromEntries(fake.requests.map((r) => [r.json.user, r.json.model]));
    const late = results.filter((r) => r.afterReload);
    assert.ok(late.length >= 20);
    for (const r of late) assert.equal(modelOf[r.id], 'model-v2', `${r.id} started after the reload line`);
    for (const r of results) assert.ok(['model-v1', 'model-v2'].includes(modelOf[r.id]), `${r.id}: ${modelOf[r.id]}`);
    assert.ok(results.some((r) => modelOf[r.id] === 'model-v1'), 'some requests ran before the reload');
  });

  test('SIGHUP reloads the file', T, async () => {
    fs.writeFileSync(gw.configPath, config('model-v3'));
    const mark = gw.stderrLines.length;
    gw.signal('SIGHUP');
    await gw.waitForStderr(RELOADED, { from: mark, ms: 15000 });
    assert.equal(await upstreamModel(), 'model-v3');
  });

  test('SIGHUP with an unchanged file reloads and keeps serving', T, async () => {
    const mark = gw.stderrLines.length;
    gw.signal('SIGHUP');
    await gw.waitForStderr(RELOADED, { from: mark, ms: 15000 });
    assert.equal(await upstreamModel(), 'model-v3');
  });

  test('a broken file is rejected and the old config keeps serving', T, async () => {
    let mark = rewrite('kind: AIGatewayRoute\nspec: [this is: not valid\n');
    const m = await gw.waitForStderr(REJECTED, { from: mark, ms: 15000 });
    assert.ok(m[0].length > 'sluice: config reload rejected: '.length);
    assert.equal(await upstreamModel(), 'model-v3');
    // A file that parses but is invalid (a rule naming a backend that does not exist) is rejected too.
    mark = rewrite(buildConfig({
      routes: [{ name: 'route', rules: [{ models: ['reloadable'], backendRefs: ['no-such-backend'] }] }],
      backends: [{ name: 'openai', endpoint: fakeEndpoint(fake), policy: { type: 'APIKey', key: KEY } }],
    }));
    await gw.waitForStderr(REJECTED, { from: mark, ms: 15000 });
    assert.equal(await upstreamModel(), 'model-v3');
    mark = rewrite(config('model-v4'));
    await gw.waitForStderr(RELOADED, { from: mark, ms: 15000 });
    assert.equal(await upstreamModel(), 'model-v4');
    const r = await request(gw.adminUrl('/ready'));
    assert.equal(r.status, 200, 'still ready after rejected reloads');
  });

  test('an in-flight stream finishes on the old config', T, async () => {
    const gate = new Gate(1);
    fake.enqueue({ sse: ['data: {"choices":[],"usage":null}\n\n', 'data: {"choices":[],"usage":null}\n\n', 'data: [DONE]\n\n'], gate });
    const s = await openStream(gw.url('/v1/chat/completions'), { body: chatRequest('reloadable', { stream: true }) });
    await s.waitForBytes((b) => b.length > 0);
    assert.equal(fake.requests[0].json.model, 'model-v4');
    const mark = rewrite(config('model-v5'));
    await gw.waitForStderr(RELOADED, { from: mark, ms: 15000 });
    gate.releaseAll();
    const all = (await s.all()).toString();
    assert.equal(all, 'data: {"choices":[],"usage":null}\n\ndata: {"choices":[],"usage":null}\n\ndata: [DONE]\n\n');
    assert.equal(await upstreamModel(), 'model-v5');
  });

  test('a reload can add models and move a rule to another backend (atomic rename)', T, async () => {
    let r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('added-later'));
    assert.equal(r.status, 404);
    const tmp = path.join(path.dirname(gw.configPath), '.config.yaml.tmp');
    fs.writeFileSync(tmp, config('model-v6', { extraModel: true, target: 'second' }));
    const mark = gw.stderrLines.length;
    fs.renameSync(tmp, gw.configPath);
    await gw.waitForStderr(RELOADED, { from: mark, ms: 15000 });
    r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('added-later'));
    assert.equal(r.status, 200, r.text);
    r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('reloadable'));
    assert.equal(r.status, 200, r.text);
    assert.equal(fake2.requests.at(-1).json.model, 'model-v6');
  });
});

function waitUntil(pred, ms = 20000) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (pred()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error('waitUntil timed out'));
      setTimeout(tick, 10);
    };
    tick();
  });
}
