// Configurations users already have: `aigw run` style files loaded unchanged (with ${VAR} and
// ${VAR:=default} substitution, unknown resources and fields tolerated), `--listener-port 0`
// overriding the file's port, AIGW_CONFIG_HOME/config.yaml when no file is given, environment
// autoconfiguration from OPENAI_API_KEY / OPENAI_BASE_URL, and the built-in demo provider.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway, runSluice, assertNoSecret, makeTempDir } from '../lib/gateway.mjs';
import { simpleConfig } from '../lib/config.mjs';
import { postJSON, openStream } from '../lib/http.mjs';
import { FIXTURES_DIR } from '../lib/openai-wire.mjs';
import { assertNoViolations, checkAndReset, assertLog, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const T = { timeout: 30000 };
const KEY = 'sk-example-SECRET-abcdef0123456789';
const BASIC = path.join(FIXTURES_DIR, 'config/aigw-basic.yaml');
const LOCAL = path.join(FIXTURES_DIR, 'config/aigw-local-v1alpha1.yaml');

describe('aigw-style example files, unchanged', () => {
  let fake;
  before(async () => { fake = await FakeOpenAI.start({}); }, HOOK);
  after(() => fake.close());
  afterEach(() => checkAndReset(fake));

  test('aigw-basic.yaml validates with its environment', T, async () => {
    const r = await runSluice(['validate', BASIC], { env: { OPENAI_HOST: 'localhost', OPENAI_PORT: String(fake.port), OPENAI_API_KEY: KEY } });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assertNoSecret(`${r.stdout}${r.stderr}`, KEY);
  });

  test('aigw-basic.yaml serves chat through the fqdn backend with the Secret key and its costs', T, async () => {
    fake.expect.host = 'localhost';
    fake.expect.credential = { header: 'authorization', value: `Bearer ${KEY}` };
    const gw = await startGateway({ paths: [BASIC], args: ['--listener-port', '0'],
      env: { OPENAI_HOST: 'localhost', OPENAI_PORT: String(fake.port), OPENAI_API_KEY: KEY } });
    try {
      const l = gw.listeners.get('default/envoy-ai-gateway-basic/http');
      assert.ok(l, `listener line for default/envoy-ai-gateway-basic/http: ${[...gw.listeners.keys()]}`);
      assert.notEqual(l.port, 1975, '--listener-port 0 overrides the file');
      const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gpt-4o-mini'), { headers: { authorization: 'Bearer client' } });
      assert.equal(r.status, 200, r.text);
      const log = await gw.waitForLog(() => true);
      assertLog(log, { route: 'default/envoy-ai-gateway-basic-openai', backend: 'default/envoy-ai-gateway-basic-openai' });
      assert.deepEqual(Object.keys(log.costs ?? {}).sort(), ['llm_input_token', 'llm_output_token', 'llm_total_token']);
      assert.equal(log.costs.llm_total_token, log['gen_ai.usage.total_tokens']);
      // Costs are configured, so a stream is asked for usage upstream.
      const s = await openStream(gw.url('/v1/chat/completions'), { body: chatRequest('gpt-4o-mini', { stream: true }) });
      await s.all();
      assert.equal(fake.requests.at(-1).json.stream_options?.include_usage, true);
    } finally {
      await gw.stop();
      assertNoSecret(gw, KEY);
    }
  });

  test('aigw-local-v1alpha1.yaml (v1alpha1, `apis`, ${VAR:=default}) serves any model', T, async () => {
    fake.expect.host = 'localhost';
    fake.expect.credential = null;
    const gw = await startGateway({ paths: [LOCAL], args: ['--listener-port', '0'],
      env: { OPENAI_HOST: 'localhost', OPENAI_PORT: String(fake.port) } });
    try {
      assert.ok(gw.listeners.has('default/aigw-run/http'));
      for (const model of ['llama3.2', 'qwen2.5:7b']) {
        const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest(model));
        assert.equal(r.status, 200, r.text);
        assert.equal(fake.requests.at(-1).json.model, model);
      }
    } finally { await gw.stop(); }
  });
});

describe('configuration without a file argument', () => {
  let fake;
  before(async () => { fake = await FakeOpenAI.start({}); }, HOOK);
  after(() => fake.close());
  afterEach(() => checkAndReset(fake));

  test('AIGW_CONFIG_HOME/config.yaml is used when no file is given', T, async () => {
    const home = makeTempDir('sluice-aigw-home-');
    try {
      fake.expect.credential = { header: 'authorization', value: `Bearer ${KEY}` };
      fs.writeFileSync(path.join(home, 'config.yaml'), simpleConfig({ backends: [{ name: 'openai', fake, key: KEY, models: ['from-config-home'] }] }));
      const gw = await startGateway({ env: { AIGW_CONFIG_HOME: home } });
      try {
        const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('from-config-home'));
        assert.equal(r.status, 200, r.text);
        assert.equal(fake.requests.length, 1);
      } finally { await gw.stop(); }
    } finally { fs.rmSync(home, { recursive: true, force: true }); }
  });

  test('OPENAI_API_KEY + OPENAI_BASE_URL autoconfigure an OpenAI backend for every model', T, async () => {
    const key = 'sk-test-AUTOCONFIG-SECRET-42';
    fake.expect.credential = { header: 'authorization', value: `Bearer ${key}` };
    const gw = await startGateway({ args: ['--listener-port', '0'], env: {
      OPENAI_API_KEY: key, OPENAI_BASE_URL: `http://127.0.0.1:${fake.port}/v1`,
      OPENAI_ORG_ID: 'org-autoconf', OPENAI_PROJECT_ID: 'proj_autoconf' } });
    try {
      for (const model of ['gpt-4o-mini', 'o3-mini']) {
        const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest(model), { headers: { authorization: 'Bearer client' } });
        assert.equal(r.status, 200, r.text);
      }
      const up = fake.requests[0];
      assert.equal(up.path, '/v1/chat/completions');
      assert.equal(up.headers['openai-organization'], 'org-autoconf');
      assert.equal(up.headers['openai-project'], 'proj_autoconf');
      const e = await postJSON(gw.url('/v1/embeddings'), { model: 'text-embedding-3-small', input: 'x' });
      assert.equal(e.status, 200, e.text);
      assert.equal(fake.requests.at(-1).path, '/v1/embeddings');
      const log = await gw.waitForLog(() => true);
      for (const k of ['llm_input_token', 'llm_output_token']) {
        assert.equal(typeof log.costs?.[k], 'number', `autoconfig cost ${k}: ${JSON.stringify(log)}`);
      }
      assertLog(log, { 'gen_ai.provider.name': 'openai' });
    } finally {
      await gw.stop();
      assertNoSecret(gw, key);
    }
  });

  test('no file and no provider variables: the built-in demo provider answers chat', T, async () => {
    const gw = await startGateway({ args: ['--listener-port', '0'] });
    try {
      assert.ok(gw.port !== 1975);
      const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('demo'));
      assert.equal(r.status, 200, r.text);
      const j = r.json();
      assert.equal(j.object, 'chat.completion');
      assert.equal(typeof j.choices[0].message.content, 'string');
    } finally { await gw.stop(); }
  });
});
