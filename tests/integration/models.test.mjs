// GET /v1/models: the OpenAI list shape {"object":"list","data":[{"id","object":"model","created",
// "owned_by"}]} built from rules' Exact x-ai-eg-model matches (RegularExpression matches are not
// models), owned_by "Envoy AI Gateway" unless modelsOwnedBy, created from modelsCreatedAt, and scoped
// by the route's hostnames as Envoy AI Gateway does (internal/extproc/models_processor.go and the
// controller's ModelsByHost): an exact host sees its routes' models plus the models of routes without
// hostnames (those serve every host); else the longest single-label wildcard; else only the unscoped
// models; no Host at all lists every declared model. The Host is lower-cased and its port ignored.
// Hostnames also scope which route serves a request.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { request, postJSON, RawConnection } from '../lib/http.mjs';
import { assertNoViolations, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const T = { timeout: 30000 };

function ids(res) {
  const j = res.json();
  return j.data.map((m) => m.id).sort();
}

function assertListShape(res) {
  assert.equal(res.status, 200, res.text);
  assert.match(res.headers['content-type'], /^application\/json/);
  const j = res.json();
  assert.equal(j.object, 'list');
  assert.ok(Array.isArray(j.data));
  for (const m of j.data) {
    assert.deepEqual(Object.keys(m).sort(), ['created', 'id', 'object', 'owned_by']);
    assert.equal(m.object, 'model');
    assert.equal(typeof m.id, 'string');
    assert.ok(Number.isInteger(m.created), `created is an integer: ${m.created}`);
    assert.equal(typeof m.owned_by, 'string');
  }
  return j;
}

describe('/v1/models without hostnames', () => {
  let fake;
  let gw;
  before(async () => {
    fake = await FakeOpenAI.start({ expect: { credential: undefined } });
    gw = await startGateway({ yaml: buildConfig({
      routes: [{ name: 'route', rules: [
        { models: ['gpt-4o-mini', 'gpt-4o'], backendRefs: ['openai'] },
        { models: ['acme-large'], backendRefs: ['openai'], modelsOwnedBy: 'Acme Corp',
          modelsCreatedAt: '2024-05-01T00:00:00Z' },
        { regex: 'llama-.*', backendRefs: ['openai'] },
      ] }],
      backends: [{ name: 'openai', endpoint: fakeEndpoint(fake) }],
    }) });
  }, HOOK);
  after(async () => { await gw?.stop(); await fake?.close(); }, HOOK);

  test('lists the Exact-match models in the OpenAI list shape', T, async () => {
    const res = await request(gw.url('/v1/models'));
    const j = assertListShape(res);
    assert.deepEqual(ids(res), ['acme-large', 'gpt-4o', 'gpt-4o-mini']);
    const byId = Object.fromEntries(j.data.map((m) => [m.id, m]));
    assert.equal(byId['gpt-4o'].owned_by, 'Envoy AI Gateway');
    assert.equal(byId['gpt-4o-mini'].owned_by, 'Envoy AI Gateway');
    assert.equal(byId['acme-large'].owned_by, 'Acme Corp');
    assert.equal(byId['acme-large'].created, Date.parse('2024-05-01T00:00:00Z') / 1000);
    assert.equal(fake.requests.length, 0, '/v1/models is answered by the gateway itself');
  });

  test('a RegularExpression rule still routes, though its pattern is not listed', T, async () => {
    const res = await postJSON(gw.url('/v1/chat/completions'), chatRequest('llama-3.1-8b'));
    assert.equal(res.status, 200, res.text);
    assert.equal(fake.requests.at(-1).json.model, 'llama-3.1-8b');
    assertNoViolations(fake);
  });
});

describe('/v1/models scoped by route hostnames', () => {
  let fake;
  let gw;
  before(async () => {
    fake = await FakeOpenAI.start({ expect: { credential: undefined } });
    gw = await startGateway({ yaml: buildConfig({
      routes: [
        { name: 'team-a', hostnames: ['api.a.example.test'],
          rules: [{ models: ['model-a'], backendRefs: ['openai'] }] },
        { name: 'team-b', hostnames: ['*.b.example.test'],
          rules: [{ models: ['model-b'], backendRefs: ['openai'] }] },
        { name: 'team-b-exact', hostnames: ['special.b.example.test'],
          rules: [{ models: ['model-b-special'], backendRefs: ['openai'] }] },
        { name: 'shared', rules: [{ models: ['model-shared'], backendRefs: ['openai'] }] },
      ],
      backends: [{ name: 'openai', endpoint: fakeEndpoint(fake) }],
    }) });
  }, HOOK);
  after(async () => { await gw?.stop(); await fake?.close(); }, HOOK);

  const list = (host) => request(gw.url('/v1/models'), { host });

  test('an exact hostname sees its own models', T, async () => {
    const res = await list('api.a.example.test');
    assertListShape(res);
    assert.deepEqual(ids(res), ['model-a', 'model-shared']);
  });

  test('the Host is matched lower-cased and without its port', T, async () => {
    const res = await list('API.A.Example.TEST:8443');
    assertListShape(res);
    assert.deepEqual(ids(res), ['model-a', 'model-shared']);
  });

  test('a wildcard matches exactly one label', T, async () => {
    const res = await list('deep.x.b.example.test');
    assertListShape(res);
    assert.deepEqual(ids(res), ['model-shared']);
  });

  test('a single-label wildcard matches one label', T, async () => {
    const res = await list('x.b.example.test');
    assertListShape(res);
    assert.deepEqual(ids(res), ['model-b', 'model-shared']);
  });

  test('an exact hostname beats a wildcard', T, async () => {
    const res = await list('special.b.example.test');
    assertListShape(res);
    assert.deepEqual(ids(res), ['model-b-special', 'model-shared']);
  });

  test('any other host sees the unscoped models', T, async () => {
    const res = await list('other.example.test');
    assertListShape(res);
    assert.deepEqual(ids(res), ['model-shared']);
  });

  test('a route with hostnames serves only its hosts', T, async () => {
    const ok = await postJSON(gw.url('/v1/chat/completions'), chatRequest('model-a'),
      { headers: { host: 'api.a.example.test' } });
    assert.equal(ok.status, 200, ok.text);
    const no = await postJSON(gw.url('/v1/chat/completions'), chatRequest('model-a'),
      { headers: { host: 'other.example.test' } });
    assert.equal(no.status, 404, no.text);
  });

  test('GET /v1/models over HTTP/1.0 without a Host header lists every declared model', T, async () => {
    const c = await RawConnection.connect(gw.port);
    try {
      await c.write('GET /v1/models HTTP/1.0\r\n\r\n');
      const r = await c.readResponse();
      assert.equal(r.status, 200, r.body.toString());
      assert.deepEqual(JSON.parse(r.body).data.map((m) => m.id).sort(),
        ['model-a', 'model-b', 'model-b-special', 'model-shared']);
    } finally { c.destroy(); }
  });
});
