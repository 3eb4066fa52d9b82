// Flags, signals and environment of `sluice run` not covered elsewhere: --help, --log-level,
// --drain-timeout, --config-poll-interval, SIGINT, and the Azure and Anthropic env autoconfig.

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { FakeOpenAI, Gate } from '../lib/fake-openai.mjs';
import { startGateway, runSluice, assertNoSecret } from '../lib/gateway.mjs';
import { simpleConfig } from '../lib/config.mjs';
import { openStream, postJSON, request } from '../lib/http.mjs';
import { fixture } from '../lib/openai-wire.mjs';
import { chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };
const T = { timeout: 45000 };
const KEY = 'sk-flags-SECRET-7a7a7a';

describe('sluice run flags, signals and autoconfig', () => {
  const cleanup = [];
  after(async () => { for (const f of cleanup.reverse()) await f(); }, HOOK);

  async function fakeAndConfig() {
    const fake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    cleanup.push(() => fake.close());
    const yaml = (model) => simpleConfig({ backends: [{ name: 'openai', fake, key: KEY, models: [model] }] });
    return { fake, yaml };
  }

  test('--help lists the run flags', T, async () => {
    const r = await runSluice(['run', '--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const flag of ['--admin-port', '--address', '--listener-port', '--workers', '--log-level',
      '--debug', '--drain-timeout', '--config-poll-interval']) {
      assert.ok(r.stdout.includes(flag), `--help mentions ${flag}:\n${r.stdout}`);
    }
  });

  test('--log-level error silences informational start-up lines; info shows them', T, async () => {
    const { yaml } = await fakeAndConfig();
    // A GatewayClass is accepted but not acted on: at info level that is said once.
    const withClass = `${yaml('gpt-4o-mini')}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata:\n  name: cls\nspec:\n  controllerName: x\n`;
    const quiet = await startGateway({ yaml: withClass, args: ['--log-level', 'error'] });
    cleanup.push(() => quiet.stop({ signal: 'SIGKILL' }));
    const loud = await startGateway({ yaml: withClass, args: ['--log-level', 'info'] });
    cleanup.push(() => loud.stop({ signal: 'SIGKILL' }));
    await quiet.stop();
    await loud.stop();
    assert.ok(loud.stderrText.includes('GatewayClass default/cls'), loud.stderrText);
    assert.ok(!quiet.stderrText.includes('GatewayClass default/cls'), quiet.stderrText);
    // The lines other programs wait for are printed whatever the level.
    assert.ok(quiet.stderrText.includes('sluice: ready'));
  });

  test('--drain-timeout bounds the wait for a stream that never ends', T, async () => {
    const { fake, yaml } = await fakeAndConfig();
    const gw = await startGateway({ yaml: yaml('gpt-4o-mini'), args: ['--drain-timeout', '1'] });
    cleanup.push(() => gw.stop({ signal: 'SIGKILL' }));
    const sse = fixture('openai/chat-completion-stream.sse').toString().split(/(?<=\n\n)/);
    const gate = new Gate(1);
    fake.enqueue({ sse, gate });
    const s = await openStream(gw.url('/v1/chat/completions'), {
      body: chatRequest('gpt-4o-mini', { stream: true }), timeoutMs: 30000 });
    await s.waitForBytes((b) => b.length >= Buffer.byteLength(sse[0]));
    const t0 = Date.now();
    gw.signal('SIGTERM');
    const exit = await gw.exited;
    const waited = Date.now() - t0;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(gw.stderrText.includes('drain deadline passed with 1 request(s) in flight'), gw.stderrText);
    // Causal, not a timing assertion: it did wait for the deadline rather than exiting at once.
    assert.ok(waited >= 900, `exited after ${waited} ms, before the 1 s drain deadline`);
    gate.releaseAll();
  });

  test('SIGINT drains and exits 0 like SIGTERM', T, async () => {
    const { yaml } = await fakeAndConfig();
    const gw = await startGateway({ yaml: yaml('gpt-4o-mini') });
    cleanup.push(() => gw.stop({ signal: 'SIGKILL' }));
    const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assert.equal(r.status, 200, r.text);
    gw.signal('SIGINT');
    assert.deepEqual(await gw.exited, { code: 0, signal: null });
    assert.ok(gw.stderrText.includes('sluice: draining'));
    assert.equal(gw.logs.length, 1);
  });

  test('--config-poll-interval 0 ignores file changes until SIGHUP', T, async () => {
    const { yaml } = await fakeAndConfig();
    const gw = await startGateway({ yaml: yaml('model-one'), args: ['--config-poll-interval', '0'] });
    cleanup.push(() => gw.stop({ signal: 'SIGKILL' }));
    fs.writeFileSync(gw.configPath, yaml('model-two'));
    // With polling off nothing notices the edit; a polling gateway would reload within ~1 s.
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok(!gw.stderrText.includes('config reloaded'), gw.stderrText);
    assert.equal((await postJSON(gw.url('/v1/chat/completions'), chatRequest('model-two'))).status, 404);
    gw.signal('SIGHUP');
    await gw.waitFor(() => gw.stderrText.includes('config reloaded (SIGHUP)'), { ms: 10000, what: 'reload line' });
    assert.equal((await postJSON(gw.url('/v1/chat/completions'), chatRequest('model-two'))).status, 200);
  });

  test('AZURE_OPENAI_API_KEY + endpoint + version autoconfigure Azure OpenAI deployments', T, async () => {
    const key = 'azure-AUTOCONFIG-SECRET-99';
    // Not strict: this fake knows OpenAI's /v1 paths, and Azure's deployment path is checked below.
    const fake = await FakeOpenAI.start({ name: 'azure', strict: false,
      expect: { credential: { header: 'api-key', value: key }, host: 'localhost' } });
    cleanup.push(() => fake.close());
    const body = fixture('openai/chat-completion.json');
    fake.enqueue({ json: body });
    const gw = await startGateway({ args: ['--listener-port', '0'], env: {
      AZURE_OPENAI_API_KEY: key, AZURE_OPENAI_ENDPOINT: `http://localhost:${fake.port}`,
      OPENAI_API_VERSION: '2024-10-21' } });
    cleanup.push(() => gw.stop({ signal: 'SIGKILL' }));
    const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'),
      { headers: { authorization: 'Bearer client-token' } });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.equals(body), 'relayed byte for byte');
    const up = fake.requests[0];
    assert.equal(up.path, '/openai/deployments/gpt-4o-mini/chat/completions');
    assert.equal(up.query, '?api-version=2024-10-21');
    // Host, Content-Length and the single api-key credential were all as Azure expects.
    assert.deepEqual(fake.violations.filter((v) => !/unexpected (path|query string)/.test(v)), []);
    await gw.stop();
    assertNoSecret(gw, key);
  });

  test('ANTHROPIC_API_KEY + ANTHROPIC_BASE_URL autoconfigure an Anthropic backend', T, async () => {
    const key = 'sk-ant-AUTOCONFIG-SECRET-5';
    const gw = await startGateway({ args: ['--listener-port', '0'], env: {
      ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/v1' } });
    cleanup.push(() => gw.stop({ signal: 'SIGKILL' }));
    const dump = await request(gw.adminUrl('/config_dump'));
    assert.equal(dump.status, 200);
    const text = dump.text;
    assert.ok(text.includes('"Anthropic"'), text);
    assert.ok(!text.includes(key), 'the key is redacted in /config_dump');
    await gw.stop();
    assertNoSecret(gw, key);
  });
});
