// /v1/completions and /v1/embeddings passthrough, and the schema prefix deciding the upstream path
// (`prefix: v1beta/openai` → /v1beta/openai/chat/completions; a leading slash is accepted too).

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { postJSON, openStream, sseJSON } from '../lib/http.mjs';
import { fixture, fixtureJSON } from '../lib/openai-wire.mjs';
import { assertNoViolations, checkAndReset, assertLog, chatRequest } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-endpoints-SECRET-0c0ffee0';
const GEMINI_KEY = 'gemini-SECRET-AIzaSyFAKE';
const GROQ_KEY = 'gsk_SECRET_groqfake';
const T = { timeout: 30000 };

describe('completions, embeddings and schema prefixes', () => {
  let fake;
  let gemini;
  let groq;
  let gw;

  before(async () => {
    fake = await FakeOpenAI.start({ name: 'openai',
      expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    gemini = await FakeOpenAI.start({ name: 'gemini-openai',
      expect: { prefix: 'v1beta/openai', credential: { header: 'authorization', value: `Bearer ${GEMINI_KEY}` } } });
    groq = await FakeOpenAI.start({ name: 'groq',
      expect: { prefix: 'openai/v1', credential: { header: 'authorization', value: `Bearer ${GROQ_KEY}` } } });
    gw = await startGateway({ yaml: buildConfig({
      routes: [{ name: 'route', rules: [
        { models: ['gpt-3.5-turbo-instruct', 'text-embedding-3-small', 'gpt-4o-mini'], backendRefs: ['openai'] },
        { models: ['gemini-2.0-flash', 'text-embedding-004'], backendRefs: ['gemini'] },
        { models: ['llama-3.3-70b-versatile'], backendRefs: ['groq'] },
      ] }],
      backends: [
        { name: 'openai', endpoint: fakeEndpoint(fake), policy: { type: 'APIKey', key: KEY } },
        { name: 'gemini', endpoint: fakeEndpoint(gemini), schema: { name: 'OpenAI', prefix: 'v1beta/openai' },
          policy: { type: 'APIKey', key: GEMINI_KEY } },
        { name: 'groq', endpoint: fakeEndpoint(groq), schema: { name: 'OpenAI', prefix: '/openai/v1' },
          policy: { type: 'APIKey', key: GROQ_KEY } },
      ],
    }) });
  }, HOOK);

  after(async () => {
    try {
      if (gw) for (const k of [KEY, GEMINI_KEY, GROQ_KEY]) assertNoSecret(gw, k);
    } finally {
      await gw?.stop();
      await Promise.all([fake, gemini, groq].map((f) => f?.close()));
    }
  }, HOOK);

  afterEach(() => checkAndReset(fake, gemini, groq));

  test('POST /v1/completions is relayed byte for byte to /v1/completions', T, async () => {
    const bytes = fixture('openai/completion.json');
    fake.enqueue({ json: bytes });
    const body = '{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":7,"temperature":0}';
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/completions'), body);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.equals(bytes));
    assert.equal(fake.requests[0].path, '/v1/completions');
    assert.equal(fake.requests[0].bodyText, body);
    const u = fixtureJSON('openai/completion.json').usage;
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { path: '/v1/completions', response_code: 200, stream: false,
      'gen_ai.original.model': 'gpt-3.5-turbo-instruct', 'gen_ai.response.model': 'gpt-3.5-turbo-instruct',
      'gen_ai.usage.input_tokens': u.prompt_tokens, 'gen_ai.usage.output_tokens': u.completion_tokens,
      'gen_ai.usage.total_tokens': u.total_tokens });
  });

  test('a streamed completion is relayed byte for byte with its usage read', T, async () => {
    const bytes = fixture('openai/completion-stream.sse');
    fake.enqueue({ sse: [bytes] });
    const from = await gw.logMark();
    const s = await openStream(gw.url('/v1/completions'), { body: { model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test', stream: true, stream_options: { include_usage: true } } });
    assert.equal(s.status, 200);
    const got = await s.all();
    assert.ok(got.equals(bytes), got.toString());
    const u = sseJSON(bytes.toString()).at(-1).usage;
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { path: '/v1/completions', stream: true, 'gen_ai.usage.input_tokens': u.prompt_tokens,
      'gen_ai.usage.output_tokens': u.completion_tokens, 'gen_ai.usage.total_tokens': u.total_tokens });
  });

  test('POST /v1/embeddings is relayed byte for byte, usage from prompt_tokens', T, async () => {
    const bytes = fixture('openai/embeddings.json');
    fake.enqueue({ json: bytes });
    const body = '{"input":["The food was delicious","and the waiter..."],"model":"text-embedding-3-small","encoding_format":"float"}';
    const from = await gw.logMark();
    const res = await postJSON(gw.url('/v1/embeddings'), body);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.equals(bytes));
    assert.equal(fake.requests[0].path, '/v1/embeddings');
    assert.equal(fake.requests[0].bodyText, body);
    const log = await gw.waitForLog(() => true, { from });
    assertLog(log, { path: '/v1/embeddings', response_code: 200, stream: false,
      'gen_ai.original.model': 'text-embedding-3-small', 'gen_ai.response.model': 'text-embedding-3-small',
      'gen_ai.usage.input_tokens': 8, 'gen_ai.usage.total_tokens': 8 });
  });

  test('prefix v1beta/openai: chat and embeddings go to /v1beta/openai/...', T, async () => {
    const r1 = await postJSON(gw.url('/v1/chat/completions'), chatRequest('gemini-2.0-flash'));
    assert.equal(r1.status, 200, r1.text);
    const r2 = await postJSON(gw.url('/v1/embeddings'), { model: 'text-embedding-004', input: 'hello' });
    assert.equal(r2.status, 200, r2.text);
    assert.deepEqual(gemini.requests.map((r) => r.path),
      ['/v1beta/openai/chat/completions', '/v1beta/openai/embeddings']);
    assert.equal(fake.requests.length, 0);
  });

  test('prefix /openai/v1 (leading slash): chat goes to /openai/v1/chat/completions', T, async () => {
    const r = await postJSON(gw.url('/v1/chat/completions'), chatRequest('llama-3.3-70b-versatile'));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(groq.requests.map((x) => x.path), ['/openai/v1/chat/completions']);
  });

  test('a client query string is ignored: the upstream target is exactly the schema path', T, async () => {
    const r = await postJSON(gw.url('/v1/chat/completions?api-version=2024-10-21&x=1'), chatRequest('gpt-4o-mini'));
    assert.equal(r.status, 200, r.text);
    assert.equal(fake.requests[0].url, '/v1/chat/completions');
  });
});
