// End to end with the official `openai` and `@anthropic-ai/sdk` clients against the real binary in
// front of the fake Bedrock (which verifies every SigV4 signature and answers with real
// event-stream frames), for the AWSBedrock pairs:
//   /v1/chat/completions → Converse / ConverseStream, /v1/embeddings → Titan (InvokeModel),
//   /anthropic/v1/messages → Converse / ConverseStream.
// The SDKs parse every answer: they are the independent judges of the wire format. The fake's
// request records show the Converse bodies the gateway built.

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { FakeBedrock, TEST_CREDENTIALS, converseResponse, event, exception, error as bedrockError }
  from '../lib/fake-bedrock.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { postJSON } from '../lib/http.mjs';

const HOOK = { timeout: 60000 };
const T = { timeout: 30000 };
const CLAUDE = 'us.anthropic.claude-3-5-sonnet-20241022-v2:0';
const CLAUDE_THINKING = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const NOVA = 'amazon.nova-lite-v1:0';
const TITAN = 'amazon.titan-embed-text-v2:0';

const OPENAI_TOOL = { type: 'function', function: { name: 'get_weather', description: 'Weather by city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const ANTHROPIC_TOOL = { name: 'get_weather', description: 'Weather by city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

function awsPolicy(backend) {
  return {
    apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'BackendSecurityPolicy',
    metadata: { name: `${backend}-aws`, namespace: 'default' },
    spec: { targetRefs: [{ group: 'aigateway.envoyproxy.io', kind: 'AIServiceBackend', name: backend }],
      type: 'AWSCredentials',
      awsCredentials: { region: 'us-east-1', credentialsFile: { secretRef: { name: 'aws-file' } } } },
  };
}

/** Bedrock's usage for the tool-call stream below. */
const STREAM_USAGE = { inputTokens: 402, outputTokens: 131, cacheReadInputTokens: 300, cacheWriteInputTokens: 50,
  totalTokens: 883 };

/** ConverseStream events: thinking (signed), text, then two parallel tool calls. */
function toolStreamEvents() {
  return [
    event('messageStart', { role: 'assistant' }),
    event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Two cities, ' } } }),
    event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'two calls.' } } }),
    event('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'EqoBCkgIBhAB' } } }),
    event('contentBlockStop', { contentBlockIndex: 0 }),
    event('contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'Checking ' } }),
    event('contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'both.' } }),
    event('contentBlockStop', { contentBlockIndex: 1 }),
    event('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'tooluse_Rome', name: 'get_weather' } } }),
    event('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{"city": ' } } }),
    event('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '"Rome"}' } } }),
    event('contentBlockStop', { contentBlockIndex: 2 }),
    event('contentBlockStart', { contentBlockIndex: 3, start: { toolUse: { toolUseId: 'tooluse_Oslo', name: 'get_weather' } } }),
    event('contentBlockDelta', { contentBlockIndex: 3, delta: { toolUse: { input: '{"city": "Oslo"}' } } }),
    event('contentBlockStop', { contentBlockIndex: 3 }),
    event('messageStop', { stopReason: 'tool_use' }),
    event('metadata', { usage: STREAM_USAGE, metrics: { latencyMs: 812 } }),
  ];
}

describe('official openai and @anthropic-ai/sdk clients through sluice to AWS Bedrock (Converse, Titan)', () => {
  let bedrock;
  let gw;
  let openai;
  let claude;

  before(async () => {
    bedrock = await FakeBedrock.start();
    const ini = `[default]\naws_access_key_id = ${TEST_CREDENTIALS.accessKeyId}\n`
      + `aws_secret_access_key = ${TEST_CREDENTIALS.secretAccessKey}\n`;
    gw = await startGateway({ yaml: buildConfig({
      routes: [{ name: 'route', costs: [{ metadataKey: 'llm_total_token', type: 'TotalToken' }], rules: [
        { models: ['claude-bedrock'], backendRefs: [{ name: 'converse', modelNameOverride: CLAUDE }] },
        { models: [CLAUDE_THINKING], backendRefs: ['converse'] },
        { models: [NOVA], backendRefs: ['converse'] },
        { models: [TITAN], backendRefs: ['titan'] },
      ] }],
      backends: [
        { name: 'converse', endpoint: fakeEndpoint(bedrock), schema: { name: 'AWSBedrock' } },
        { name: 'titan', endpoint: fakeEndpoint(bedrock), schema: { name: 'AWSBedrock' } },
      ],
      extra: [
        awsPolicy('converse'), awsPolicy('titan'),
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-file', namespace: 'default' },
          type: 'Opaque', stringData: { credentials: ini } },
      ],
    }) });
    // The SDKs send their own keys; the gateway must sign with the configured AWS keys instead.
    openai = new OpenAI({ apiKey: 'sk-client-side-not-forwarded', baseURL: gw.url('/v1'), maxRetries: 0, timeout: 10000 });
    claude = new Anthropic({ apiKey: 'sk-ant-client-side-not-forwarded', baseURL: gw.url('/anthropic'), maxRetries: 0,
      timeout: 10000 });
  }, HOOK);

  after(async () => {
    try {
      if (gw) assertNoSecret(gw, TEST_CREDENTIALS.secretAccessKey);
    } finally {
      await gw?.stop();
      await bedrock?.close();
    }
  }, HOOK);

  afterEach(() => {
    const v = [...bedrock.violations, ...bedrock.signatureFailures];
    bedrock.reset();
    assert.deepEqual(v, [], `upstream checks failed:\n${v.join('\n')}`);
  });

  function lastRequest() {
    const rec = bedrock.requests.at(-1);
    assert.ok(rec, 'the fake Bedrock got a request');
    assert.equal(rec.signature.ok, true, rec.signature.error);
    assert.equal(rec.signature.service, 'bedrock');
    assert.equal(rec.signature.accessKeyId, TEST_CREDENTIALS.accessKeyId);
    assert.equal(rec.headers.authorization.startsWith('AWS4-HMAC-SHA256 '), true);
    assert.equal(rec.headers['x-api-key'], undefined);
    return rec;
  }

  // ---- /v1/chat/completions → Converse -----------------------------------------------------------

  describe('chat completions → Converse', () => {
    test('chat.completions.create with tools: parallel tool calls back, Converse body, signed, usage', T, async () => {
      bedrock.enqueue({ json: converseResponse({ stopReason: 'tool_use', content: [
        { text: 'Checking both.' },
        { toolUse: { toolUseId: 'tooluse_Rome', name: 'get_weather', input: { city: 'Rome' } } },
        { toolUse: { toolUseId: 'tooluse_Oslo', name: 'get_weather', input: { city: 'Oslo' } } },
      ], usage: { inputTokens: 20, outputTokens: 30, cacheReadInputTokens: 100, cacheWriteInputTokens: 5 } }) });
      const res = await openai.chat.completions.create({
        model: 'claude-bedrock', max_tokens: 300, temperature: 0.5, stop: ['END'],
        tools: [OPENAI_TOOL], tool_choice: 'required',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather in Rome and Oslo?' },
        ],
      });
      assert.equal(res.object, 'chat.completion');
      assert.equal(res.model, CLAUDE);
      assert.equal(res.choices[0].finish_reason, 'tool_calls');
      assert.equal(res.choices[0].message.content, 'Checking both.');
      assert.deepEqual(res.choices[0].message.tool_calls.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)]),
        [['tooluse_Rome', 'get_weather', { city: 'Rome' }], ['tooluse_Oslo', 'get_weather', { city: 'Oslo' }]]);
      assert.deepEqual(res.usage, { prompt_tokens: 125, completion_tokens: 30, total_tokens: 155,
        prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 5 } });

      const rec = lastRequest();
      assert.equal(rec.operation, 'converse');
      assert.equal(rec.modelId, CLAUDE);
      assert.match(rec.rawPath, /v2%3A0\/converse$/);
      assert.deepEqual(rec.json, {
        messages: [{ role: 'user', content: [{ text: 'Weather in Rome and Oslo?' }] }],
        system: [{ text: 'Be brief.' }],
        inferenceConfig: { maxTokens: 300, temperature: 0.5, stopSequences: ['END'] },
        toolConfig: { tools: [{ toolSpec: { name: 'get_weather', description: 'Weather by city',
          inputSchema: { json: OPENAI_TOOL.function.parameters } } }], toolChoice: { any: {} } },
      });
      const log = await gw.waitForLog((e) => e.path === '/v1/chat/completions' && e.stream === false
        && e['gen_ai.usage.output_tokens'] === 30);
      assert.equal(log.backend, 'default/converse');
      assert.equal(log['gen_ai.usage.input_tokens'], 125);
      assert.equal(log['gen_ai.usage.output_tokens'], 30);
      assert.equal(log['gen_ai.usage.cached_input_tokens'], 100);
      assert.equal(log['gen_ai.usage.cache_creation_input_tokens'], 5);
      assert.deepEqual(log.costs, { llm_total_token: 155 });
    });

    test('streamed chat with tools: argument deltas assemble into calls, reasoning and usage arrive', T, async () => {
      bedrock.enqueue({ events: toolStreamEvents(), split: 'halves' });
      const stream = openai.chat.completions.stream({
        model: CLAUDE_THINKING, max_tokens: 4096, stream_options: { include_usage: true },
        reasoning_effort: 'low', tools: [OPENAI_TOOL],
        messages: [{ role: 'user', content: 'Weather in Rome and Oslo?' }],
      });
      let reasoning = '';
      let sawUsageChunk = false;
      stream.on('chunk', (c) => {
        reasoning += c.choices[0]?.delta?.reasoning_content ?? '';
        if (c.usage && c.choices.length === 0) sawUsageChunk = true;
      });
      const final = await stream.finalChatCompletion();
      assert.equal(final.choices[0].finish_reason, 'tool_calls');
      assert.equal(final.choices[0].message.content, 'Checking both.');
      assert.deepEqual(final.choices[0].message.tool_calls.map((c) => [c.id, JSON.parse(c.function.arguments)]),
        [['tooluse_Rome', { city: 'Rome' }], ['tooluse_Oslo', { city: 'Oslo' }]]);
      assert.equal(reasoning, 'Two cities, two calls.');
      assert.ok(sawUsageChunk, 'the include_usage chunk arrived');
      assert.deepEqual(final.usage, { prompt_tokens: 752, completion_tokens: 131, total_tokens: 883,
        prompt_tokens_details: { cached_tokens: 300, cache_creation_tokens: 50 } });

      const rec = lastRequest();
      assert.equal(rec.operation, 'converse-stream');
      // reasoning_effort low on a Claude model without effort support → the documented budget.
      assert.deepEqual(rec.json.additionalModelRequestFields, { thinking: { type: 'enabled', budget_tokens: 1024 } });
      const log = await gw.waitForLog((e) => e.path === '/v1/chat/completions' && e.stream === true
        && e['gen_ai.usage.output_tokens'] === 131);
      assert.equal(log['gen_ai.usage.input_tokens'], 752);
      assert.equal(log['gen_ai.usage.cached_input_tokens'], 300);
      assert.equal(log['gen_ai.usage.cache_creation_input_tokens'], 50);
      assert.equal(log['gen_ai.usage.total_tokens'], 883);
      assert.deepEqual(log.costs, { llm_total_token: 883 });
    });

    test('image parts are sent as bytes, multi-turn tool results coalesce into one user turn', T, async () => {
      bedrock.enqueue({ json: converseResponse({ text: 'Sunny in Rome, snow in Oslo.' }) });
      const res = await openai.chat.completions.create({
        model: NOVA, max_completion_tokens: 100,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Compare with this:' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
          { role: 'assistant', content: null, tool_calls: [
            { id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            { id: 't2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'sunny' },
          { role: 'tool', tool_call_id: 't2', content: 'snow' },
        ],
        tools: [OPENAI_TOOL],
      });
      assert.equal(res.choices[0].message.content, 'Sunny in Rome, snow in Oslo.');
      const rec = lastRequest();
      assert.equal(rec.modelId, NOVA);
      assert.deepEqual(rec.json.messages, [
        { role: 'user', content: [{ text: 'Compare with this:' }, { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } }] },
        { role: 'assistant', content: [
          { toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Rome' } } },
          { toolUse: { toolUseId: 't2', name: 'get_weather', input: { city: 'Oslo' } } }] },
        { role: 'user', content: [
          { toolResult: { toolUseId: 't1', content: [{ text: 'sunny' }] } },
          { toolResult: { toolUseId: 't2', content: [{ text: 'snow' }] } }] },
      ]);
    });

    test('a Bedrock error keeps its status and type; the SDK raises it', T, async () => {
      bedrock.enqueue(bedrockError('ValidationException', 'The provided model identifier is invalid.', 400));
      await assert.rejects(
        openai.chat.completions.create({ model: NOVA, messages: [{ role: 'user', content: 'Hi' }] }),
        (err) => {
          assert.equal(err.status, 400);
          assert.equal(err.type, 'ValidationException');
          assert.equal(err.code, '400');
          assert.match(err.message, /The provided model identifier is invalid\./);
          return true;
        });
    });

    test('a request Converse cannot express is a 422 naming the field, before any upstream call', T, async () => {
      await assert.rejects(
        openai.chat.completions.create({ model: NOVA, n: 2, messages: [{ role: 'user', content: 'Hi' }] }),
        (err) => {
          assert.equal(err.status, 422);
          assert.match(err.message, /\bn: Bedrock Converse returns one choice/);
          return true;
        });
      assert.equal(bedrock.requests.length, 0);
    });

    test('without max_tokens the request is forwarded without maxTokens', T, async () => {
      await openai.chat.completions.create({ model: NOVA, messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(lastRequest().json.inferenceConfig, undefined);
    });

    test('an exception inside the stream reaches the SDK as an error', T, async () => {
      bedrock.enqueue({ events: [
        event('messageStart', { role: 'assistant' }),
        event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hel' } }),
        exception('throttlingException', 'Too many requests, please wait before trying again.'),
      ] });
      const stream = await openai.chat.completions.create({ model: NOVA, stream: true,
        messages: [{ role: 'user', content: 'Hi' }] });
      let text = '';
      await assert.rejects((async () => {
        for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      })(), (err) => {
        assert.match(err.message, /Too many requests/);
        return true;
      });
      assert.equal(text, 'Hel');
    });
  });

  // ---- /v1/embeddings → Titan --------------------------------------------------------------------

  describe('embeddings → Titan', () => {
    const VECTOR = [0.5, -0.25, 0.125, 1];

    test('embeddings.create (SDK default base64) decodes to Titan\'s vector; usage from inputTextTokenCount', T, async () => {
      bedrock.enqueue({ json: { embedding: VECTOR, inputTextTokenCount: 6, embeddingsByType: { float: VECTOR } } });
      const res = await openai.embeddings.create({ model: TITAN, input: 'The quick brown fox', dimensions: 256 });
      assert.equal(res.object, 'list');
      assert.equal(res.model, TITAN);
      assert.deepEqual(Array.from(res.data[0].embedding), VECTOR);
      assert.deepEqual(res.usage, { prompt_tokens: 6, total_tokens: 6 });
      const rec = lastRequest();
      assert.equal(rec.operation, 'invoke');
      assert.equal(rec.modelId, TITAN);
      assert.deepEqual(rec.json, { inputText: 'The quick brown fox', dimensions: 256 });
      const log = await gw.waitForLog((e) => e.path === '/v1/embeddings' && e['gen_ai.usage.input_tokens'] === 6);
      assert.equal(log.backend, 'default/titan');
      assert.equal(log['gen_ai.usage.input_tokens'], 6);
    });

    test('encoding_format float returns the numbers as Titan wrote them', T, async () => {
      bedrock.enqueue({ json: { embedding: VECTOR, inputTextTokenCount: 2 } });
      const res = await openai.embeddings.create({ model: TITAN, input: ['one'], encoding_format: 'float' });
      assert.deepEqual(res.data[0].embedding, VECTOR);
      assert.deepEqual(lastRequest().json, { inputText: 'one' });
    });

    test('a batch Titan cannot take is a 422 with a clear message', T, async () => {
      await assert.rejects(openai.embeddings.create({ model: TITAN, input: ['a', 'b'] }), (err) => {
        assert.equal(err.status, 422);
        assert.match(err.message, /Titan embeds one input per request; got 2 inputs/);
        return true;
      });
      assert.equal(bedrock.requests.length, 0);
    });
  });

  // ---- /anthropic/v1/messages → Converse ---------------------------------------------------------

  describe('Anthropic messages → Converse', () => {
    test('messages.countTokens → CountTokens on the base model id with an InvokeModel body', T, async () => {
      bedrock.enqueue({ json: { inputTokens: 17 } });
      const r = await claude.messages.countTokens({ model: 'claude-bedrock', system: 'Be brief.',
        messages: [{ role: 'user', content: 'Hello' }] });
      assert.deepEqual(r, { input_tokens: 17 });
      const rec = bedrock.requests[0];
      assert.equal(rec.operation, 'count-tokens');
      assert.equal(rec.modelId, 'anthropic.claude-3-5-sonnet-20241022-v2:0');
      const inner = JSON.parse(Buffer.from(rec.json.input.invokeModel.body, 'base64').toString('utf8'));
      assert.deepEqual(inner, { system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }],
        anthropic_version: 'bedrock-2023-05-31', max_tokens: 1 });
    });

    test('messages.create with tools: tool_use back, Converse body, usage with cache tokens', T, async () => {
      bedrock.enqueue({ json: converseResponse({ stopReason: 'tool_use', content: [
        { text: 'Let me check.' },
        { toolUse: { toolUseId: 'tooluse_P', name: 'get_weather', input: { city: 'Paris' } } },
      ], usage: { inputTokens: 40, outputTokens: 20, cacheReadInputTokens: 1000, cacheWriteInputTokens: 0 } }) });
      const msg = await claude.messages.create({ model: 'claude-bedrock', max_tokens: 256, top_k: 10,
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        tools: [ANTHROPIC_TOOL], tool_choice: { type: 'tool', name: 'get_weather' },
        messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      assert.equal(msg.type, 'message');
      assert.equal(msg.model, CLAUDE);
      assert.equal(msg.stop_reason, 'tool_use');
      assert.deepEqual(msg.content, [{ type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'tooluse_P', name: 'get_weather', input: { city: 'Paris' } }]);
      assert.deepEqual(msg.usage, { input_tokens: 40, output_tokens: 20, cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 0 });
      const rec = lastRequest();
      assert.equal(rec.operation, 'converse');
      assert.equal(rec.headers['anthropic-version'], undefined, 'Anthropic headers do not reach Bedrock');
      assert.deepEqual(rec.json, {
        messages: [{ role: 'user', content: [{ text: 'Weather in Paris?' }] }],
        system: [{ text: 'Be brief.' }, { cachePoint: { type: 'default' } }],
        inferenceConfig: { maxTokens: 256 },
        toolConfig: { tools: [{ toolSpec: { name: 'get_weather', description: 'Weather by city',
          inputSchema: { json: ANTHROPIC_TOOL.input_schema } } }], toolChoice: { tool: { name: 'get_weather' } } },
        additionalModelRequestFields: { top_k: 10 },
      });
      const log = await gw.waitForLog((e) => e.path === '/anthropic/v1/messages' && e.stream === false
        && e['gen_ai.usage.output_tokens'] === 20);
      assert.equal(log['gen_ai.usage.input_tokens'], 1040);
      assert.equal(log['gen_ai.usage.cached_input_tokens'], 1000);
      assert.deepEqual(log.costs, { llm_total_token: 1060 });
    });

    test('messages.stream: thinking with signature, text and two tool_use blocks; final usage', T, async () => {
      bedrock.enqueue({ events: toolStreamEvents(), split: 3 });
      const stream = claude.messages.stream({ model: CLAUDE_THINKING, max_tokens: 4096, tools: [ANTHROPIC_TOOL],
        thinking: { type: 'enabled', budget_tokens: 2048 },
        messages: [{ role: 'user', content: 'Weather in Rome and Oslo?' }] });
      let text = '';
      stream.on('text', (t) => { text += t; });
      const final = await stream.finalMessage();
      assert.equal(text, 'Checking both.');
      assert.deepEqual(final.content.map((b) => b.type), ['thinking', 'text', 'tool_use', 'tool_use']);
      assert.equal(final.content[0].thinking, 'Two cities, two calls.');
      assert.equal(final.content[0].signature, 'EqoBCkgIBhAB');
      assert.deepEqual(final.content[2].input, { city: 'Rome' });
      assert.deepEqual(final.content[3], { type: 'tool_use', id: 'tooluse_Oslo', name: 'get_weather', input: { city: 'Oslo' } });
      assert.equal(final.stop_reason, 'tool_use');
      assert.equal(final.usage.output_tokens, 131);
      assert.equal(final.usage.input_tokens, 402);
      assert.equal(final.usage.cache_read_input_tokens, 300);
      assert.equal(final.usage.cache_creation_input_tokens, 50);
      const rec = lastRequest();
      assert.equal(rec.operation, 'converse-stream');
      assert.deepEqual(rec.json.additionalModelRequestFields, { thinking: { type: 'enabled', budget_tokens: 2048 } });
      const log = await gw.waitForLog((e) => e.path === '/anthropic/v1/messages' && e.stream === true
        && e['gen_ai.usage.output_tokens'] === 131);
      assert.equal(log['gen_ai.usage.input_tokens'], 752);
      assert.equal(log['gen_ai.usage.output_tokens'], 131);
    });

    test('a thinking turn goes back with its signature; redacted thinking round-trips', T, async () => {
      bedrock.enqueue({ json: converseResponse({ content: [
        { reasoningContent: { redactedContent: Buffer.from('opaque-bytes').toString('base64') } },
        { text: 'Done.' }] }) });
      const msg = await claude.messages.create({ model: CLAUDE_THINKING, max_tokens: 2048,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [
          { role: 'user', content: 'Q1' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque-bytes' }, { type: 'text', text: 'A1' }] },
          { role: 'user', content: 'Q2' },
        ] });
      assert.deepEqual(msg.content, [{ type: 'redacted_thinking', data: 'opaque-bytes' }, { type: 'text', text: 'Done.' }]);
      assert.deepEqual(lastRequest().json.messages[1].content, [
        { reasoningContent: { reasoningText: { text: 'hmm', signature: 'sig-1' } } },
        { reasoningContent: { redactedContent: Buffer.from('opaque-bytes').toString('base64') } },
        { text: 'A1' }]);
    });

    test('a Bedrock throttling error is an Anthropic rate_limit_error', T, async () => {
      bedrock.enqueue(bedrockError('ThrottlingException', 'Too many requests, please wait before trying again.', 429));
      await assert.rejects(claude.messages.create({ model: NOVA, max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }),
        (err) => {
          assert.ok(err instanceof Anthropic.RateLimitError, `got ${err.constructor.name}`);
          assert.equal(err.error.error.type, 'rate_limit_error');
          assert.equal(err.error.error.message, 'Too many requests, please wait before trying again.');
          return true;
        });
    });

    test('server tools cannot go to Converse: 422 naming the field', T, async () => {
      const res = await postJSON(gw.url('/anthropic/v1/messages'), { model: NOVA, max_tokens: 10,
        tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(res.status, 422, res.text);
      assert.match(JSON.parse(res.text).error.message, /tools\[0\]\.type/);
      assert.equal(bedrock.requests.length, 0);
    });
  });
});
