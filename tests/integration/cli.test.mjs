// The command line: `sluice version`, `sluice validate` (every error printed, exit 1; warnings for
// unknown fields are not fatal), `sluice run` with a folder and with several listeners, and start-up
// failures (missing file, bad config, listener or admin port in use) that print one clear line and
// exit non-zero instead of crashing.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runSluice, startGateway, makeTempDir } from '../lib/gateway.mjs';
import { buildConfig, toYAML, gatewayClassResource, gatewayResource, routeResource, backendResources, fakeEndpoint } from '../lib/config.mjs';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { occupiedPort } from '../lib/ports.mjs';
import { postJSON } from '../lib/http.mjs';
import { assertNoViolations, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const T = { timeout: 30000 };

/** A start-up failure: exited by itself, non-zero, no crash, and a line naming `needle`. */
function assertCleanFailure(r, needle) {
  assert.equal(r.timedOut, false, `sluice did not exit by itself; stderr:\n${r.stderr}`);
  assert.equal(r.signal, null, `killed by ${r.signal}; stderr:\n${r.stderr}`);
  assert.notEqual(r.code, 0, `exit code 0; stderr:\n${r.stderr}`);
  const out = `${r.stderr}\n${r.stdout}`;
  assert.ok(!/AddressSanitizer|terminate called|Segmentation|core dumped|stack trace/i.test(out), `crashed:\n${out}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length >= 1, 'printed an error line');
  if (needle !== undefined) {
    assert.ok(lines.some((l) => l.includes(String(needle))), `no stderr line mentions ${needle}:\n${r.stderr}`);
  }
}

describe('sluice CLI', () => {
  let dir;
  let fake;
  const write = (name, content) => { const p = path.join(dir, name); fs.writeFileSync(p, content); return p; };
  const validConfig = () => buildConfig({
    routes: [{ name: 'route', rules: [{ models: ['gpt-4o-mini'], backendRefs: ['openai'] }] }],
    backends: [{ name: 'openai', endpoint: fakeEndpoint(fake), policy: { type: 'APIKey', key: 'sk-cli-SECRET' } }],
  });

  before(async () => {
    dir = makeTempDir('sluice-cli-');
    fake = await FakeOpenAI.start({ expect: { credential: undefined } });
  }, HOOK);
  after(async () => { fs.rmSync(dir, { recursive: true, force: true }); await fake?.close(); }, HOOK);

  test('`sluice version` prints a version and exits 0', T, async () => {
    const r = await runSluice(['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(`${r.stdout}${r.stderr}`, /\d+\.\d+/);
  });

  test('`sluice validate` on a valid file exits 0', T, async () => {
    const r = await runSluice(['validate', write('valid.yaml', validConfig())]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  });

  test('`sluice validate` prints every error and exits 1', T, async () => {
    const yaml = buildConfig({
      routes: [{ name: 'route', rules: [
        { models: ['a'], backendRefs: ['missing-backend-one'] },
        { models: ['b'], backendRefs: ['openai'] },
      ] }],
      backends: [{ name: 'openai', endpoint: fakeEndpoint(fake) }],
      extra: [
        { apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'BackendSecurityPolicy', metadata: { name: 'p', namespace: 'default' },
          spec: { targetRefs: [{ group: 'aigateway.envoyproxy.io', kind: 'AIServiceBackend', name: 'openai' }], type: 'APIKey',
            apiKey: { secretRef: { name: 'missing-secret-two' } } } },
        { apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'AIServiceBackend', metadata: { name: 'orphan', namespace: 'default' },
          spec: { schema: { name: 'OpenAI' }, backendRef: { name: 'missing-eg-backend-three', kind: 'Backend', group: 'gateway.envoyproxy.io' } } },
      ],
    });
    const r = await runSluice(['validate', write('invalid.yaml', yaml)]);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const out = `${r.stdout}\n${r.stderr}`;
    for (const name of ['missing-backend-one', 'missing-secret-two', 'missing-eg-backend-three']) {
      assert.ok(out.includes(name), `validate output does not name ${name}:\n${out}`);
    }
  });

  test('`sluice validate`: an unknown field is a warning naming its path, not an error', T, async () => {
    const docs = [gatewayClassResource(), gatewayResource({}),
      routeResource({ rules: [{ models: ['m'], backendRefs: ['openai'] }] }),
      ...backendResources({ name: 'openai', endpoint: fakeEndpoint(fake) })];
    docs[2].spec.someFutureField = { enabled: true };
    const r = await runSluice(['validate', write('unknown-field.yaml', toYAML(docs))]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(`${r.stdout}\n${r.stderr}`, /someFutureField/);
  });

  test('`sluice validate`: the removed v0.5 filterConfig is an error with guidance', T, async () => {
    const docs = [gatewayClassResource(), gatewayResource({}),
      routeResource({ rules: [{ models: ['m'], backendRefs: ['openai'] }] }),
      ...backendResources({ name: 'openai', endpoint: fakeEndpoint(fake) })];
    docs[2].spec.filterConfig = { type: 'ExternalProcessor', externalProcessor: { resources: { limits: { cpu: '1' } } } };
    const r = await runSluice(['validate', write('filterconfig.yaml', toYAML(docs))]);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(`${r.stdout}\n${r.stderr}`, /filterConfig/);
  });

  test('`sluice validate` of a missing file exits non-zero naming it', T, async () => {
    const p = path.join(dir, 'does-not-exist.yaml');
    const r = await runSluice(['validate', p]);
    assert.notEqual(r.code, 0);
    assert.ok(`${r.stdout}${r.stderr}`.includes('does-not-exist.yaml'));
  });

  test('`sluice run` with a missing file: one clear line, non-zero exit', T, async () => {
    const r = await runSluice(['run', path.join(dir, 'nope.yaml'), '--admin-port', '0', '--address', '127.0.0.1'], { timeoutMs: 15000 });
    assertCleanFailure(r, 'nope.yaml');
  });

  test('`sluice run` with an invalid config: clear error, non-zero exit', T, async () => {
    const yaml = buildConfig({ routes: [{ name: 'route', rules: [{ models: ['a'], backendRefs: ['ghost-backend'] }] }], backends: [] });
    const r = await runSluice(['run', write('bad-run.yaml', yaml), '--admin-port', '0', '--address', '127.0.0.1'], { timeoutMs: 15000 });
    assertCleanFailure(r, 'ghost-backend');
  });

  test('`sluice run` with unparseable YAML: clear error, non-zero exit', T, async () => {
    const r = await runSluice(['run', write('broken.yaml', 'kind: Gateway\nspec: [unclosed\n'), '--admin-port', '0'], { timeoutMs: 15000 });
    assertCleanFailure(r, 'broken.yaml');
  });

  test('`sluice run` with a CA ConfigMap that holds no certificate: clear error, non-zero exit', T, async () => {
    const yaml = buildConfig({ routes: [{ name: 'route', rules: [{ models: ['m'], backendRefs: ['badtls'] }] }],
      backends: [{ name: 'badtls', endpoint: { fqdn: 'localhost', port: fake.port },
        tls: { hostname: 'localhost', caPem: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n' } }] });
    const r = await runSluice(['run', write('bad-ca.yaml', yaml), '--admin-port', '0', '--address', '127.0.0.1', '--workers', '1'], { timeoutMs: 8000 });
    assertCleanFailure(r, 'badtls');
  });

  test('`sluice run` when the listener port is in use: one clear line, non-zero exit', T, async () => {
    const busy = await occupiedPort();
    try {
      const yaml = buildConfig({ gateway: { listeners: [{ name: 'http', port: busy.port }] },
        routes: [{ name: 'route', rules: [{ models: ['gpt-4o-mini'], backendRefs: ['openai'] }] }],
        backends: [{ name: 'openai', endpoint: fakeEndpoint(fake) }] });
      const r = await runSluice(['run', write('busy.yaml', yaml), '--admin-port', '0', '--address', '127.0.0.1', '--workers', '1'], { timeoutMs: 15000 });
      assertCleanFailure(r, busy.port);
    } finally { await busy.close(); }
  });

  test('`sluice run` when the admin port is in use: one clear line, non-zero exit', T, async () => {
    const busy = await occupiedPort();
    try {
      const r = await runSluice(['run', write('admin-busy.yaml', validConfig()), '--admin-port', String(busy.port), '--address', '127.0.0.1', '--workers', '1'], { timeoutMs: 15000 });
      assertCleanFailure(r, busy.port);
    } finally { await busy.close(); }
  });

  test('`sluice run FOLDER` loads every file in it', T, async () => {
    const docs = [gatewayClassResource(), gatewayResource({}),
      routeResource({ rules: [{ models: ['gpt-4o-mini'], backendRefs: ['openai'] }] }),
      ...backendResources({ name: 'openai', endpoint: fakeEndpoint(fake) })];
    const gw = await startGateway({ files: {
      'conf.d/00-gateway.yaml': toYAML(docs.slice(0, 2)),
      'conf.d/10-route.yaml': toYAML(docs.slice(2, 3)),
      'conf.d/20-backend.yml': toYAML(docs.slice(3)),
    }, paths: ['conf.d'] });
    try {
      const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
      assert.equal(r.status, 200, r.text);
      assertNoViolations(fake);
    } finally { await gw.stop(); fake.reset(); }
  });

  test('--workers 2 serves concurrent traffic', T, async () => {
    const gw = await startGateway({ yaml: validConfig(), standardArgs: false,
      args: ['--admin-port', '0', '--address', '127.0.0.1', '--workers', '2'] });
    try {
      const results = await Promise.all(Array.from({ length: 24 }, () =>
        postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'))));
      assert.deepEqual(results.map((r) => r.status), Array(24).fill(200));
      const logs = await gw.waitForLogCount(24);
      assert.equal(logs.length, 24);
    } finally { await gw.stop(); fake.reset(); }
  });

  test('a Gateway with two listeners: one line each, both serve', T, async () => {
    // Both listeners say port 0; whether they share one ephemeral port or get one each is the
    // gateway's choice, so only the lines and the serving are asserted.
    const yaml = buildConfig({
      gateway: { name: 'edge', namespace: 'infra', listeners: [{ name: 'public', port: 0 }, { name: 'internal', port: 0 }] },
      routes: [{ name: 'route', namespace: 'infra', gateway: 'edge', rules: [{ models: ['gpt-4o-mini'], backendRefs: ['openai'] }] }],
      backends: [{ name: 'openai', namespace: 'infra', endpoint: fakeEndpoint(fake) }],
    });
    const gw = await startGateway({ yaml });
    try {
      const a = gw.listenerPort('infra/edge/public');
      const b = gw.listenerPort('infra/edge/internal');
      for (const port of new Set([a, b])) {
        const r = await postJSON(`http://127.0.0.1:${port}/v1/chat/completions`, chatRequest('gpt-4o-mini'));
        assert.equal(r.status, 200, r.text);
      }
      const log = await gw.waitForLog(() => true);
      assert.equal(log.route, 'infra/route');
      assert.equal(log.backend, 'infra/openai');
    } finally { await gw.stop(); fake.reset(); }
  });
});
