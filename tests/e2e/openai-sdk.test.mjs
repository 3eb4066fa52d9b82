// End to end with the official `openai` npm package as the client (the SDK parses the responses, so
// it is the independent judge of the wire format): chat, streamed chat with usage, embeddings,
// completions, models.list(), and errors surfacing as the SDK's APIError subclasses.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { fixture, fixtureJSON } from '../lib/openai-wire.mjs';
import { assertNoViolations, checkAndReset } from '../lib/assert.mjs';

const HOOK = { timeout: 60000 };

const KEY = 'sk-proj-E2E-SECRET-5b5b5b5b5b5b';
const T = { timeout: 30000 };

describe('official openai SDK through sluice', () => {
  let fake;
  let gw;
  let client;

  before(async () => {
    fake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: `Bearer ${KEY}` } } });
    gw = await startGateway({ yaml: buildConfig({
      routes: [{ name: 'route', costs: [{ metadataKey: 'llm_total_token', type: 'TotalToken' }], rules: [
        { models: ['gpt-4o-mini', 'gpt-4o'], backendRefs: ['openai'] },
        { models: ['text-embedding-3-small'], backendRefs: ['openai'] },
        { models: ['gpt-3.5-turbo-instruct'], backendRefs: ['openai'] },
        { models: ['alias-model'], backendRefs: [{ name: 'openai', modelNameOverride: 'gpt-4o-2024-08-06' }] },
      ] }],
      backends: [{ name: 'openai', endpoint: fakeEndpoint(fake), policy: { type: 'APIKey', key: KEY } }],
    }) });
    // The SDK sends its own key; the gateway must replace it with the configured one.
    client = new OpenAI({ apiKey: 'sk-client-side-not-forwarded', baseURL: gw.url('/v1'), maxRetries: 0, timeout: 10000 });
  }, HOOK);

  after(async () => {
    try { if (gw) assertNoSecret(gw, KEY); } finally {
      await gw?.stop();
      await fake?.close();
    }
  }, HOOK);

  afterEach(() => checkAndReset(fake));

  test('chat.completions.create', T, async () => {
    fake.enqueue({ json: fixture('openai/chat-completion.json'), headers: { 'x-request-id': 'req_e2e_chat' } });
    const { data, request_id: requestId } = await client.chat.completions.create({
      model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }],
    }).withResponse();
    assert.deepEqual(data, fixtureJSON('openai/chat-completion.json'));
    assert.equal(requestId, 'req_e2e_chat');
    const up = fake.requests[0];
    assert.equal(up.json.model, 'gpt-4o-mini');
    assert.equal(up.headers.authorization, `Bearer ${KEY}`);
  });

  test('chat.completions.create with stream: chunks and the usage chunk', T, async () => {
    fake.enqueue({ sse: [fixture('openai/chat-completion-stream.sse')] });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true,
      stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hello' }] });
    let text = '';
    let usage = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (chunk.choices.length) text += chunk.choices[0].delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(chunks, 6);
    assert.equal(text, 'Grüße! 👋 How can I help — «today»?');
    assert.deepEqual(usage, { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } });
    const log = await gw.waitForLog((e) => e.stream === true);
    assert.equal(log['gen_ai.usage.total_tokens'], 29);
    assert.deepEqual(log.costs, { llm_total_token: 29 });
  });

  test('a stream without stream_options still yields usage to the gateway (costs configured)', T, async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true,
      messages: [{ role: 'user', content: 'Hello' }] });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(content, 'Hello there!');
    assert.equal(fake.requests[0].json.stream_options?.include_usage, true);
  });

  test('chat.completions.stream helper (finalChatCompletion)', T, async () => {
    const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }],
      stream_options: { include_usage: true } });
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0].message.content, 'Hello there!');
    assert.equal(final.usage.total_tokens, 21);
  });

  test('modelNameOverride is invisible to the SDK but applied upstream', T, async () => {
    const r = await client.chat.completions.create({ model: 'alias-model', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.object, 'chat.completion');
    assert.equal(fake.requests[0].json.model, 'gpt-4o-2024-08-06');
  });

  test('embeddings.create', T, async () => {
    fake.enqueue({ json: fixture('openai/embeddings.json') });
    const r = await client.embeddings.create({ model: 'text-embedding-3-small',
      input: ['The food was delicious', 'and the waiter...'], encoding_format: 'float' });
    assert.deepEqual(r, fixtureJSON('openai/embeddings.json'));
    assert.equal(fake.requests[0].path, '/v1/embeddings');
  });

  test('embeddings.create with the SDK default (base64) encoding passes through', T, async () => {
    const vec = new Float32Array([0.25, -0.5, 0.125]);
    const b64 = Buffer.from(vec.buffer).toString('base64');
    fake.enqueue({ json: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: b64 }],
      model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } } });
    const r = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
    assert.deepEqual(r.data[0].embedding, [0.25, -0.5, 0.125]);
    assert.equal(fake.requests[0].json.encoding_format, 'base64');
  });

  test('completions.create (plain and streamed)', T, async () => {
    fake.enqueue({ json: fixture('openai/completion.json') });
    const r = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 });
    assert.deepEqual(r, fixtureJSON('openai/completion.json'));
    fake.enqueue({ sse: [fixture('openai/completion-stream.sse')] });
    const s = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test',
      stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage;
    for await (const c of s) { text += c.choices[0]?.text ?? ''; if (c.usage) usage = c.usage; }
    assert.equal(text, '\n\nThis is a test.');
    assert.deepEqual(usage, { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
  });

  test('models.list()', T, async () => {
    const ids = [];
    for await (const m of client.models.list()) {
      ids.push(m.id);
      assert.equal(m.object, 'model');
      assert.equal(m.owned_by, 'Envoy AI Gateway');
      assert.equal(typeof m.created, 'number');
    }
    assert.deepEqual(ids.sort(), ['alias-model', 'gpt-3.5-turbo-instruct', 'gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small']);
  });

  test('an upstream 429 surfaces as RateLimitError with the provider\'s code', T, async () => {
    fake.setDefault({ status: 429, json: fixture('openai/error-429-rate-limit.json'), headers: { 'x-request-id': 'req_429' } });
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      (e) => {
        assert.ok(e instanceof OpenAI.RateLimitError, `got ${e?.constructor?.name}: ${e?.message}`);
        assert.ok(e instanceof OpenAI.APIError);
        assert.equal(e.status, 429);
        assert.equal(e.code, 'rate_limit_exceeded');
        assert.equal(e.type, 'requests');
        assert.equal(e.requestID, 'req_429');
        assert.match(e.message, /Rate limit reached for gpt-4o-mini/);
        return true;
      });
  });

  test('an unknown model surfaces as NotFoundError (404) with the gateway message', T, async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
      (e) => {
        assert.ok(e instanceof OpenAI.NotFoundError, `got ${e?.constructor?.name}: ${e?.message}`);
        assert.equal(e.status, 404);
        assert.match(e.message, /No matching route found/);
        return true;
      });
    assert.equal(fake.requests.length, 0);
  });

  test('an upstream 400 surfaces as BadRequestError with its param', T, async () => {
    fake.setDefault({ status: 400, json: fixture('openai/error-400-invalid-request.json') });
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o-mini', temperature: 7, messages: [{ role: 'user', content: 'x' }] }),
      (e) => {
        assert.ok(e instanceof OpenAI.BadRequestError, `got ${e?.constructor?.name}`);
        assert.equal(e.param, 'temperature');
        assert.equal(e.code, 'invalid_value');
        return true;
      });
  });

  test('an upstream that is down surfaces as InternalServerError (503)', T, async () => {
    fake.setDefault({ status: 503, text: 'upstream connect error or disconnect/reset before headers' });
    await assert.rejects(
      client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }),
      (e) => {
        assert.ok(e instanceof OpenAI.InternalServerError, `got ${e?.constructor?.name}`);
        assert.equal(e.status, 503);
        return true;
      });
  });
});
