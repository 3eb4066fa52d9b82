// Upstream credentials from BackendSecurityPolicy (APIKey → Authorization: Bearer, AnthropicAPIKey →
// x-api-key, AzureAPIKey → api-key), exactly one per upstream request and never the client's;
// Secret values from stringData (trimmed) and base64 data; and the admin endpoints (/health, /ready,
// /config_dump with secrets redacted). No key ever appears in stdout or stderr.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { postJSON, request } from '../lib/http.mjs';
import { assertNoViolations, checkAndReset, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const T = { timeout: 30000 };
const OPENAI_KEY = 'sk-proj-AUTH-SECRET-openai-1111';
const ANTHROPIC_KEY = 'sk-ant-api03-AUTH-SECRET-2222';
const AZURE_KEY = 'AUTH-SECRET-azure-33333333';
const TRIM_KEY = 'sk-AUTH-SECRET-trimmed-4444';
const B64_KEY = 'sk-AUTH-SECRET-base64-5555';
const SECRETS = [OPENAI_KEY, ANTHROPIC_KEY, AZURE_KEY, TRIM_KEY, B64_KEY];
const CLIENT_HEADERS = { authorization: 'Bearer client-token', 'x-api-key': 'client-x', 'api-key': 'client-azure' };

describe('upstream credentials and admin endpoints', () => {
  const fakes = {};
  let gw;

  before(async () => {
    fakes.openai = await FakeOpenAI.start({ name: 'openai', expect: { credential: { header: 'authorization', value: `Bearer ${OPENAI_KEY}` } } });
    fakes.anthropic = await FakeOpenAI.start({ name: 'anthropic', expect: { credential: { header: 'x-api-key', value: ANTHROPIC_KEY } } });
    fakes.azure = await FakeOpenAI.start({ name: 'azure', expect: { prefix: 'openai/v1', credential: { header: 'api-key', value: AZURE_KEY } } });
    fakes.trim = await FakeOpenAI.start({ name: 'trim', expect: { credential: { header: 'authorization', value: `Bearer ${TRIM_KEY}` } } });
    fakes.b64 = await FakeOpenAI.start({ name: 'b64', expect: { credential: { header: 'authorization', value: `Bearer ${B64_KEY}` } } });
    const b64Docs = [
      { apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'BackendSecurityPolicy', metadata: { name: 'b64-auth', namespace: 'default' },
        spec: { targetRefs: [{ group: 'aigateway.envoyproxy.io', kind: 'AIServiceBackend', name: 'b64' }], type: 'APIKey',
          apiKey: { secretRef: { name: 'b64-secret' } } } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b64-secret', namespace: 'default' }, type: 'Opaque',
        data: { apiKey: Buffer.from(B64_KEY).toString('base64') } },
    ];
    gw = await startGateway({ yaml: buildConfig({
      routes: [{ name: 'route', rules: [
        { models: ['gpt-4o-mini'], backendRefs: ['openai'] },
        { models: ['claude-sonnet-4-5'], backendRefs: ['anthropic'] },
        { models: ['azure-gpt-4o'], backendRefs: ['azure'] },
        { models: ['trimmed'], backendRefs: ['trim'] },
        { models: ['base64'], backendRefs: ['b64'] },
      ] }],
      backends: [
        { name: 'openai', endpoint: fakeEndpoint(fakes.openai), policy: { type: 'APIKey', key: OPENAI_KEY } },
        { name: 'anthropic', endpoint: fakeEndpoint(fakes.anthropic), policy: { type: 'AnthropicAPIKey', key: ANTHROPIC_KEY } },
        { name: 'azure', endpoint: fakeEndpoint(fakes.azure), schema: { name: 'OpenAI', prefix: 'openai/v1' },
          policy: { type: 'AzureAPIKey', key: AZURE_KEY } },
        { name: 'trim', endpoint: fakeEndpoint(fakes.trim), policy: { type: 'APIKey', key: `${TRIM_KEY}\n` } },
        { name: 'b64', endpoint: fakeEndpoint(fakes.b64) },
      ],
      extra: b64Docs,
    }) });
  }, HOOK);

  after(async () => {
    try {
      if (gw) for (const s of SECRETS) assertNoSecret(gw, s);
    } finally {
      await gw?.stop();
      await Promise.all(Object.values(fakes).map((f) => f.close()));
    }
  }, HOOK);

  afterEach(() => checkAndReset(...Object.values(fakes)));

  for (const [model, fakeName, header] of [
    ['gpt-4o-mini', 'openai', 'authorization'],
    ['claude-sonnet-4-5', 'anthropic', 'x-api-key'],
    ['azure-gpt-4o', 'azure', 'api-key'],
    ['trimmed', 'trim', 'authorization'],
    ['base64', 'b64', 'authorization'],
  ]) {
    test(`${fakeName}: exactly one credential (${header}), the configured one`, T, async () => {
      const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest(model), { headers: CLIENT_HEADERS });
      assert.equal(res.status, 200, res.text);
      const up = fakes[fakeName].requests[0];
      assert.ok(up, 'request reached the upstream');
      // The fake's check (exactly one credential header, the expected value) ran; spell it out too.
      for (const h of ['authorization', 'x-api-key', 'api-key']) {
        if (h !== header) assert.equal(up.headers[h], undefined, `${h} must not be forwarded`);
      }
    });
  }

  test('GET /health → 200', T, async () => {
    const r = await request(gw.adminUrl('/health'));
    assert.equal(r.status, 200);
  });

  test('GET /ready → 200 while serving', T, async () => {
    const r = await request(gw.adminUrl('/ready'));
    assert.equal(r.status, 200);
  });

  test('GET /config_dump → JSON with every secret replaced by "[REDACTED]"', T, async () => {
    const r = await request(gw.adminUrl('/config_dump'));
    assert.equal(r.status, 200);
    const dump = JSON.parse(r.text);
    assert.equal(typeof dump, 'object');
    for (const s of SECRETS) assert.ok(!r.text.includes(s), 'a secret value is in /config_dump');
    assert.ok(!r.text.includes(Buffer.from(B64_KEY).toString('base64')), 'the base64 secret is in /config_dump');
    assert.ok(r.text.includes('[REDACTED]'), '/config_dump marks redacted secrets');
    // The dump is a snapshot of the config: the routes and backends are in it.
    for (const name of ['gpt-4o-mini', 'claude-sonnet-4-5', 'azure']) assert.ok(r.text.includes(name), `${name} in dump`);
  });

  test('the admin port does not serve the AI API, the listener does not serve admin', T, async () => {
    const r = await postJSON(gw.adminUrl('/v1/chat/completions'), chatRequest('gpt-4o-mini'));
    assert.notEqual(r.status, 200);
    const r2 = await request(gw.url('/config_dump'));
    assert.notEqual(r2.status, 200);
    assert.ok(!r2.text.includes('[REDACTED]'));
  });
});

describe('debug logging never prints credentials', () => {
  let fake;
  let gw;
  const key = 'sk-proj-DEBUG-SECRET-6f6f6f6f6f';
  const clientToken = 'client-DEBUG-SECRET-token-7a7a';

  before(async () => {
    fake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: `Bearer ${key}` } } });
    gw = await startGateway({ args: ['--debug'], yaml: buildConfig({
      routes: [{ name: 'route', rules: [{ models: ['gpt-4o-mini'], backendRefs: ['openai'] }] }],
      backends: [{ name: 'openai', endpoint: fakeEndpoint(fake), policy: { type: 'APIKey', key } }],
    }) });
  }, HOOK);

  after(async () => {
    await gw?.stop();
    await fake?.close();
  }, HOOK);

  test('with --debug, neither the configured key nor the client credential is logged', T, async () => {
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini', { stream: true }),
      { headers: { authorization: `Bearer ${clientToken}`, 'x-api-key': clientToken } });
    assert.equal(res.status, 200, res.text);
    await gw.logMark();
    checkAndReset(fake);
    assertNoSecret(gw, key);
    assertNoSecret(gw, clientToken);
  });
});
