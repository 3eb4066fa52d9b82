// End to end with the official `@anthropic-ai/sdk` (and `openai` for the chat → Claude on Bedrock
// pair) against the real binary, for every Anthropic-family pair:
//   /anthropic/v1/messages → Anthropic (passthrough), → OpenAI (translated), → AWSAnthropic
//   (Claude on Bedrock InvokeModel), and /v1/chat/completions → AWSAnthropic.
// The SDKs parse every answer (they are the independent judges of the wire format); the fakes
// check what the providers check (credentials, paths, anthropic-version, SigV4).

import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { FakeAnthropic, USAGE } from '../lib/fake-anthropic.mjs';
import { FakeOpenAI } from '../lib/fake-openai.mjs';
import { FakeBedrock, TEST_CREDENTIALS, anthropicInvokeResponse, anthropicStreamChunks, chunk,
  exception, error as bedrockError } from '../lib/fake-bedrock.mjs';
import { startGateway, assertNoSecret } from '../lib/gateway.mjs';
import { buildConfig, fakeEndpoint } from '../lib/config.mjs';
import { request } from '../lib/http.mjs';

const HOOK = { timeout: 60000 };
const T = { timeout: 30000 };
const ANTHROPIC_KEY = 'sk-ant-api03-E2E-SECRET-anthropic-0000';
const OPENAI_KEY = 'sk-proj-E2E-SECRET-openai-1111';
const CLAUDE_ON_BEDROCK = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
const WEATHER_TOOL = { name: 'get_weather', description: 'Get the current weather in a city',
  input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } };
const OPENAI_WEATHER_TOOL = { type: 'function', function: { name: 'get_weather', description: 'Weather by city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } } };

describe('official @anthropic-ai/sdk and openai SDK through sluice, Anthropic-family pairs', () => {
  let anthropicFake;
  let openaiFake;
  let bedrock;
  let gw;
  let claude;
  let openai;

  before(async () => {
    anthropicFake = await FakeAnthropic.start({ key: ANTHROPIC_KEY });
    openaiFake = await FakeOpenAI.start({ expect: { credential: { header: 'authorization', value: `Bearer ${OPENAI_KEY}` } } });
    bedrock = await FakeBedrock.start();
    const ini = `[default]\naws_access_key_id = ${TEST_CREDENTIALS.accessKeyId}\n`
      + `aws_secret_access_key = ${TEST_CREDENTIALS.secretAccessKey}\n`;
    gw = await startGateway({ yaml: buildConfig({
      routes: [{ name: 'route', costs: [{ metadataKey: 'llm_total_token', type: 'TotalToken' }], rules: [
        { models: ['claude-sonnet-4-5'], backendRefs: ['anthropic'] },
        { models: ['claude-alias'], backendRefs: [{ name: 'anthropic', modelNameOverride: 'claude-opus-4-1-20250805' }] },
        { models: ['gpt-4o-mini'], backendRefs: ['openai'] },
        { models: ['bedrock-claude'], backendRefs: [{ name: 'claude', modelNameOverride: CLAUDE_ON_BEDROCK }] },
      ] }],
      backends: [
        { name: 'anthropic', endpoint: fakeEndpoint(anthropicFake), schema: { name: 'Anthropic' },
          policy: { type: 'AnthropicAPIKey', key: ANTHROPIC_KEY } },
        { name: 'openai', endpoint: fakeEndpoint(openaiFake), schema: { name: 'OpenAI' },
          policy: { type: 'APIKey', key: OPENAI_KEY } },
        { name: 'claude', endpoint: fakeEndpoint(bedrock), schema: { name: 'AWSAnthropic' } },
      ],
      extra: [
        { apiVersion: 'aigateway.envoyproxy.io/v1beta1', kind: 'BackendSecurityPolicy',
          metadata: { name: 'claude-aws', namespace: 'default' },
          spec: { targetRefs: [{ group: 'aigateway.envoyproxy.io', kind: 'AIServiceBackend', name: 'claude' }],
            type: 'AWSCredentials', awsCredentials: { region: 'us-east-1', credentialsFile: { secretRef: { name: 'aws-file' } } } } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-file', namespace: 'default' },
          type: 'Opaque', stringData: { credentials: ini } },
      ],
    }) });
    // The SDKs send their own keys; the gateway must replace them with the configured ones.
    claude = new Anthropic({ apiKey: 'sk-ant-client-side-not-forwarded', baseURL: gw.url('/anthropic'), maxRetries: 0, timeout: 10000 });
    openai = new OpenAI({ apiKey: 'sk-client-side-not-forwarded', baseURL: gw.url('/v1'), maxRetries: 0, timeout: 10000 });
  }, HOOK);

  after(async () => {
    try {
      if (gw) {
        assertNoSecret(gw, ANTHROPIC_KEY);
        assertNoSecret(gw, OPENAI_KEY);
        assertNoSecret(gw, TEST_CREDENTIALS.secretAccessKey);
      }
    } finally {
      await gw?.stop();
      await anthropicFake?.close();
      await openaiFake?.close();
      await bedrock?.close();
    }
  }, HOOK);

  afterEach(() => {
    const v = [...anthropicFake.violations, ...openaiFake.violations, ...bedrock.violations, ...bedrock.signatureFailures];
    anthropicFake.reset();
    openaiFake.reset();
    bedrock.reset();
    assert.deepEqual(v, [], `upstream checks failed:\n${v.join('\n')}`);
  });

  // ---- /anthropic/v1/messages → Anthropic ------------------------------------------------------

  describe('messages → Anthropic (passthrough)', () => {
    test('messages.create with tools: tool_use back, configured x-api-key, usage counted', T, async () => {
      const msg = await claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 256, tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      assert.equal(msg.stop_reason, 'tool_use');
      assert.deepEqual(msg.content[1], { type: 'tool_use', id: 'toolu_01FakeTool', name: 'get_weather', input: { location: 'Paris' } });
      assert.deepEqual(msg.usage, USAGE);
      const up = anthropicFake.requests[0];
      assert.equal(up.url, '/v1/messages');
      assert.equal(up.headers['x-api-key'], ANTHROPIC_KEY);
      assert.ok(up.headers['anthropic-version'], 'anthropic-version kept');
      assert.deepEqual(up.json.tools, [WEATHER_TOOL]);
      const log = await gw.waitForLog((e) => e.backend === 'default/anthropic' && e.stream === false);
      // input = input + cache read + cache creation (reference §2, §5).
      assert.equal(log['gen_ai.usage.input_tokens'], 38);
      assert.equal(log['gen_ai.usage.output_tokens'], 12);
      assert.deepEqual(log.costs, { llm_total_token: 50 });
    });

    test('tool result turn, then messages.stream: text streamed, finalMessage and usage', T, async () => {
      const stream = claude.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 256, tools: [WEATHER_TOOL],
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01FakeTool', name: 'get_weather', input: { location: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01FakeTool', content: '18°C' }] },
        ] }, { headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19' } });
      let text = '';
      stream.on('text', (t) => { text += t; });
      const final = await stream.finalMessage();
      assert.equal(text, 'It is 18°C in Paris.');
      assert.equal(final.content[0].text, 'It is 18°C in Paris.');
      assert.equal(final.usage.output_tokens, 12);
      assert.equal(final.usage.cache_read_input_tokens, 10);
      assert.equal(anthropicFake.requests[0].headers['anthropic-beta'], 'token-efficient-tools-2025-02-19');
      const log = await gw.waitForLog((e) => e.backend === 'default/anthropic' && e.stream === true);
      assert.equal(log['gen_ai.usage.input_tokens'], 38);
      assert.equal(log['gen_ai.usage.output_tokens'], 12);
    });

    test('messages.stream with tools: the tool input arrives through input_json_delta', T, async () => {
      const final = await claude.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 256, tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: 'Weather?' }] }).finalMessage();
      assert.deepEqual(final.content.map((b) => b.type), ['text', 'tool_use']);
      assert.deepEqual(final.content[1].input, { location: 'Paris' });
    });

    test('modelNameOverride splices the model upstream', T, async () => {
      const msg = await claude.messages.create({ model: 'claude-alias', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(anthropicFake.requests[0].json.model, 'claude-opus-4-1-20250805');
      assert.equal(msg.model, 'claude-opus-4-1-20250805');
    });

    test('messages.countTokens goes to /v1/messages/count_tokens', T, async () => {
      const r = await claude.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello, world' }] });
      assert.deepEqual(r, { input_tokens: 2095 });
      assert.equal(anthropicFake.requests[0].url, '/v1/messages/count_tokens');
    });

    test('a request without max_tokens reaches the provider, whose 400 the SDK raises', T, async () => {
      await assert.rejects(claude.messages.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] }),
        (e) => e instanceof Anthropic.BadRequestError && e.status === 400 && /max_tokens/.test(e.message));
    });

    test('provider errors keep their status and Anthropic body; a non-JSON 502 is wrapped', T, async () => {
      anthropicFake.enqueue({ error: { status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } });
      await assert.rejects(claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }),
        (e) => e instanceof Anthropic.RateLimitError && e.error?.error?.type === 'rate_limit_error');
      anthropicFake.enqueue({ text: '<html>bad gateway</html>', status: 502 });
      await assert.rejects(claude.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] }),
        (e) => e instanceof Anthropic.InternalServerError && e.status === 502
          && e.error?.error?.type === 'internal_server_error' && e.error.error.message === '<html>bad gateway</html>');
    });

    test('models.list() reads GET /anthropic/v1/models in Anthropic shape', T, async () => {
      const ids = [];
      for await (const m of claude.models.list()) {
        assert.equal(m.type, 'model');
        assert.equal(m.display_name, m.id);
        assert.ok(!Number.isNaN(Date.parse(m.created_at)), m.created_at);
        ids.push(m.id);
      }
      assert.deepEqual(ids, ['claude-sonnet-4-5', 'claude-alias', 'gpt-4o-mini', 'bedrock-claude']);
      const raw = await request(gw.url('/anthropic/v1/models'));
      assert.equal(raw.status, 200);
      const body = JSON.parse(raw.body);
      assert.equal(body.has_more, false);
      assert.equal(body.first_id, 'claude-sonnet-4-5');
      assert.equal(body.last_id, 'bedrock-claude');
    });
  });

  // ---- /anthropic/v1/messages → OpenAI ---------------------------------------------------------

  describe('messages → OpenAI-compatible backend', () => {
    test('messages.create with tools: chat request upstream, tool_calls back as tool_use', T, async () => {
      openaiFake.enqueue({ json: { id: 'chatcmpl-e2e1', object: 'chat.completion', created: 1741570283, model: 'gpt-4o-mini-2024-07-18',
        choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Tokyo"}' } }] },
        logprobs: null, finish_reason: 'tool_calls' }],
        usage: { prompt_tokens: 90, completion_tokens: 30, total_tokens: 120, prompt_tokens_details: { cached_tokens: 64, audio_tokens: 0 } } } });
      const msg = await claude.messages.create({ model: 'gpt-4o-mini', max_tokens: 200, system: 'Be brief.',
        stop_sequences: ['END'], tools: [WEATHER_TOOL], tool_choice: { type: 'any' },
        messages: [{ role: 'user', content: 'Weather in Paris and Tokyo?' }] });
      assert.equal(msg.stop_reason, 'tool_use');
      assert.deepEqual(msg.content.map((b) => [b.type, b.id, b.input]),
        [['tool_use', 'call_1', { location: 'Paris' }], ['tool_use', 'call_2', { location: 'Tokyo' }]]);
      assert.deepEqual(msg.usage, { input_tokens: 26, cache_read_input_tokens: 64, output_tokens: 30 });
      const up = openaiFake.requests[0];
      assert.equal(up.path, '/v1/chat/completions');
      assert.equal(up.headers.authorization, `Bearer ${OPENAI_KEY}`);
      assert.equal(up.headers['anthropic-version'], undefined);
      assert.deepEqual(up.json.messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather in Paris and Tokyo?' }]);
      assert.equal(up.json.max_completion_tokens, 200);
      assert.deepEqual(up.json.stop, ['END']);
      assert.equal(up.json.tool_choice, 'required');
      assert.equal(up.json.tools[0].function.name, 'get_weather');
      const log = await gw.waitForLog((e) => e.backend === 'default/openai' && e.stream === false);
      assert.equal(log['gen_ai.usage.input_tokens'], 90);
      assert.equal(log['gen_ai.usage.output_tokens'], 30);
    });

    test('messages.stream with tools: OpenAI chunks become Anthropic events', T, async () => {
      const c = (delta, finish = null) => `data: ${JSON.stringify({ id: 'chatcmpl-e2e2', object: 'chat.completion.chunk', created: 1,
        model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null })}\n\n`;
      openaiFake.enqueue({ sse: [
        c({ role: 'assistant', content: '' }), c({ content: 'Checking ' }), c({ content: 'now.' }),
        c({ tool_calls: [{ index: 0, id: 'call_s1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
        ': keep-alive\n\n',
        c({ tool_calls: [{ index: 0, function: { arguments: '{"loca' } }] }),
        c({ tool_calls: [{ index: 0, function: { arguments: 'tion":"Oslo"}' } }] }),
        c({}, 'tool_calls'),
        `data: ${JSON.stringify({ id: 'chatcmpl-e2e2', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [],
          usage: { prompt_tokens: 40, completion_tokens: 20, total_tokens: 60 } })}\n\n`,
        'data: [DONE]\n\n'] });
      const stream = claude.messages.stream({ model: 'gpt-4o-mini', max_tokens: 200, tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: 'Weather in Oslo?' }] });
      const jsonDeltas = [];
      stream.on('inputJson', (partial) => jsonDeltas.push(partial));
      const final = await stream.finalMessage();
      assert.deepEqual(final.content, [{ type: 'text', text: 'Checking now.' },
        { type: 'tool_use', id: 'call_s1', name: 'get_weather', input: { location: 'Oslo' } }]);
      assert.equal(final.stop_reason, 'tool_use');
      assert.equal(final.usage.input_tokens, 40);
      assert.equal(final.usage.output_tokens, 20);
      assert.deepEqual(jsonDeltas, ['{"loca', 'tion":"Oslo"}']);
      assert.equal(openaiFake.requests[0].json.stream_options.include_usage, true);
      const log = await gw.waitForLog((e) => e.backend === 'default/openai' && e.stream === true);
      assert.equal(log['gen_ai.usage.total_tokens'], 60);
    });

    test('an OpenAI error becomes an Anthropic error with the same status', T, async () => {
      openaiFake.enqueue({ status: 400, json: { error: { message: "Invalid 'max_completion_tokens'", type: 'invalid_request_error', param: null, code: null } } });
      await assert.rejects(claude.messages.create({ model: 'gpt-4o-mini', max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }] }),
        (e) => e instanceof Anthropic.BadRequestError && e.error?.type === 'error'
          && e.error.error.type === 'invalid_request_error' && e.error.error.message === "Invalid 'max_completion_tokens'");
    });

    test('a server tool has no OpenAI equivalent: 422 naming the field', T, async () => {
      await assert.rejects(claude.messages.create({ model: 'gpt-4o-mini', max_tokens: 10,
        tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'Hi' }] }),
      (e) => e.status === 422 && /tools\[0\]\.type/.test(e.message));
      assert.equal(openaiFake.requests.length, 0);
    });
  });

  // ---- /anthropic/v1/messages → AWSAnthropic ---------------------------------------------------

  describe('messages → Claude on Bedrock (InvokeModel)', () => {
    test('messages.create: signed InvokeModel body without model, with anthropic_version and betas', T, async () => {
      bedrock.enqueue({ json: anthropicInvokeResponse({ content: [{ type: 'text', text: 'Bonjour!' }],
        usage: { input_tokens: 20, cache_read_input_tokens: 5, cache_creation_input_tokens: 0, output_tokens: 4 } }) });
      const msg = await claude.messages.create({ model: 'bedrock-claude', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] },
        { headers: { 'anthropic-beta': 'context-1m-2025-08-07' } });
      assert.equal(msg.content[0].text, 'Bonjour!');
      const rec = bedrock.requests[0];
      assert.equal(rec.operation, 'invoke');
      assert.equal(rec.modelId, CLAUDE_ON_BEDROCK);
      assert.equal(rec.signature.ok, true);
      assert.equal(rec.json.model, undefined);
      assert.equal(rec.json.anthropic_version, 'bedrock-2023-05-31');
      assert.deepEqual(rec.json.anthropic_beta, ['context-1m-2025-08-07']);
      assert.equal(rec.headers['anthropic-beta'], undefined);
      const log = await gw.waitForLog((e) => e.backend === 'default/claude' && e.stream === false);
      assert.equal(log['gen_ai.usage.input_tokens'], 25);
    });

    test('messages.stream with tools: Bedrock chunks re-emitted as Anthropic SSE', T, async () => {
      const id = 'msg_bdrk_stream1';
      bedrock.enqueue({ events: [
        chunk({ type: 'message_start', message: { id, type: 'message', role: 'assistant', model: 'claude-3-5-sonnet-20241022',
          content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 30, output_tokens: 1 } } }),
        chunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        chunk({ type: 'ping' }),
        chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Looking up.' } }),
        chunk({ type: 'content_block_stop', index: 0 }),
        chunk({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_b1', name: 'get_weather', input: {} } }),
        chunk({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":' } }),
        chunk({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: ' "Lima"}' } }),
        chunk({ type: 'content_block_stop', index: 1 }),
        chunk({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 22 } }),
        chunk({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 30, outputTokenCount: 22, invocationLatency: 100, firstByteLatency: 50 } }),
      ], split: 'halves' });
      const final = await claude.messages.stream({ model: 'bedrock-claude', max_tokens: 64, stream: true, tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: 'Weather in Lima?' }] }).finalMessage();
      assert.deepEqual(final.content, [{ type: 'text', text: 'Looking up.' },
        { type: 'tool_use', id: 'toolu_b1', name: 'get_weather', input: { location: 'Lima' } }]);
      assert.equal(final.usage.output_tokens, 22);
      assert.equal(bedrock.requests[0].operation, 'invoke-with-response-stream');
      assert.equal(bedrock.requests[0].json.stream, undefined);
      const log = await gw.waitForLog((e) => e.backend === 'default/claude' && e.stream === true);
      assert.equal(log['gen_ai.usage.input_tokens'], 30);
      assert.equal(log['gen_ai.usage.output_tokens'], 22);
    });

    test('messages.create with tools: the tool_use blocks of Claude come back unchanged', T, async () => {
      bedrock.enqueue({ json: anthropicInvokeResponse({ stopReason: 'tool_use', content: [
        { type: 'tool_use', id: 'toolu_m1', name: 'get_weather', input: { location: 'Quito' } },
        { type: 'tool_use', id: 'toolu_m2', name: 'get_weather', input: { location: 'Lima' } }] }) });
      const msg = await claude.messages.create({ model: 'bedrock-claude', max_tokens: 64, tools: [WEATHER_TOOL],
        tool_choice: { type: 'any', disable_parallel_tool_use: false },
        messages: [{ role: 'user', content: 'Quito and Lima?' }] });
      assert.equal(msg.stop_reason, 'tool_use');
      assert.deepEqual(msg.content.map((b) => b.input.location), ['Quito', 'Lima']);
      assert.deepEqual(bedrock.requests[0].json.tools, [WEATHER_TOOL]);
      assert.deepEqual(bedrock.requests[0].json.tool_choice, { type: 'any', disable_parallel_tool_use: false });
    });

    test('messages.countTokens → CountTokens on the base model id', T, async () => {
      const r = await claude.messages.countTokens({ model: 'bedrock-claude', messages: [{ role: 'user', content: 'Hello' }] });
      assert.deepEqual(r, { input_tokens: 12 });
      const rec = bedrock.requests[0];
      assert.equal(rec.operation, 'count-tokens');
      assert.equal(rec.modelId, CLAUDE_ON_BEDROCK);
      const inner = JSON.parse(Buffer.from(rec.json.input.invokeModel.body, 'base64').toString('utf8'));
      assert.deepEqual(inner, { messages: [{ role: 'user', content: 'Hello' }], anthropic_version: 'bedrock-2023-05-31', max_tokens: 1 });
    });

    test('a Bedrock error reaches the Anthropic SDK in Anthropic shape with its status', T, async () => {
      bedrock.enqueue(bedrockError('ValidationException', 'max_tokens: Field required', 400));
      await assert.rejects(claude.messages.create({ model: 'bedrock-claude', messages: [{ role: 'user', content: 'Hi' }] }),
        (e) => e instanceof Anthropic.BadRequestError && e.error?.error?.type === 'invalid_request_error'
          && e.error.error.message === 'max_tokens: Field required');
    });

    test('a mid-stream Bedrock exception ends the SSE with an Anthropic error event', T, async () => {
      const [start, blockStart] = anthropicStreamChunks();
      bedrock.enqueue({ events: [start, blockStart, exception('throttlingException', 'Too many tokens, please wait.')] });
      await assert.rejects(claude.messages.stream({ model: 'bedrock-claude', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage(),
        (e) => /Too many tokens/.test(e.message));
    });
  });

  // ---- /v1/chat/completions → AWSAnthropic -----------------------------------------------------

  describe('chat completions → Claude on Bedrock (InvokeModel)', () => {
    test('chat.completions.create with tools: tool_use back as tool_calls, usage with cache', T, async () => {
      bedrock.enqueue({ json: anthropicInvokeResponse({ stopReason: 'tool_use', content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_c1', name: 'get_weather', input: { location: 'Paris' } },
        { type: 'tool_use', id: 'toolu_c2', name: 'get_weather', input: { location: 'Rome' } }],
      usage: { input_tokens: 40, cache_read_input_tokens: 100, cache_creation_input_tokens: 10, output_tokens: 33 } }) });
      const r = await openai.chat.completions.create({ model: 'bedrock-claude', max_tokens: 128,
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather in Paris and Rome?' }],
        tools: [OPENAI_WEATHER_TOOL], tool_choice: 'auto', temperature: 0.2, stop: ['END'] });
      const choice = r.choices[0];
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.content, 'Checking.');
      assert.deepEqual(choice.message.tool_calls.map((t) => [t.id, t.function.name, JSON.parse(t.function.arguments)]),
        [['toolu_c1', 'get_weather', { location: 'Paris' }], ['toolu_c2', 'get_weather', { location: 'Rome' }]]);
      assert.deepEqual(r.usage, { prompt_tokens: 150, completion_tokens: 33, total_tokens: 183,
        prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 10 } });
      const rec = bedrock.requests[0];
      assert.equal(rec.operation, 'invoke');
      assert.equal(rec.json.anthropic_version, 'bedrock-2023-05-31');
      assert.deepEqual(rec.json.system, [{ type: 'text', text: 'Be brief.' }]);
      assert.deepEqual(rec.json.stop_sequences, ['END']);
      assert.equal(rec.json.max_tokens, 128);
      assert.deepEqual(rec.json.tool_choice, { type: 'auto' });
      assert.deepEqual(rec.json.tools[0].input_schema, OPENAI_WEATHER_TOOL.function.parameters);
      const log = await gw.waitForLog((e) => e.backend === 'default/claude' && e.path === '/v1/chat/completions' && e.stream === false);
      assert.equal(log['gen_ai.usage.input_tokens'], 150);
    });

    test('streamed chat with tools: argument deltas, finish_reason, usage chunk and [DONE]', T, async () => {
      const id = 'msg_bdrk_chat_stream';
      bedrock.enqueue({ events: [
        chunk({ type: 'message_start', message: { id, type: 'message', role: 'assistant', model: 'claude-3-5-sonnet-20241022',
          content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 21, cache_read_input_tokens: 9, output_tokens: 1 } } }),
        chunk({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_s1', name: 'get_weather', input: {} } }),
        chunk({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"loc' } }),
        chunk({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'ation":"Oslo"}' } }),
        chunk({ type: 'content_block_stop', index: 0 }),
        chunk({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_s2', name: 'get_weather', input: {} } }),
        chunk({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":"Bergen"}' } }),
        chunk({ type: 'content_block_stop', index: 1 }),
        chunk({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 17 } }),
        chunk({ type: 'message_stop' }),
      ], split: 1 });
      const stream = await openai.chat.completions.create({ model: 'bedrock-claude', max_tokens: 100, stream: true,
        stream_options: { include_usage: true }, tools: [OPENAI_WEATHER_TOOL], messages: [{ role: 'user', content: 'Oslo and Bergen?' }] });
      const args = {};
      let finish = null;
      let usage = null;
      let role = null;
      for await (const c of stream) {
        assert.equal(c.object, 'chat.completion.chunk');
        if (c.usage) usage = c.usage;
        for (const ch of c.choices) {
          role ??= ch.delta.role ?? null;
          for (const tc of ch.delta.tool_calls ?? []) {
            args[tc.index] ??= { id: tc.id, name: tc.function?.name, args: '' };
            args[tc.index].args += tc.function?.arguments ?? '';
          }
          if (ch.finish_reason) finish = ch.finish_reason;
        }
      }
      assert.equal(role, 'assistant');
      assert.equal(finish, 'tool_calls');
      assert.deepEqual(Object.values(args).map((a) => [a.id, a.name, JSON.parse(a.args)]),
        [['toolu_s1', 'get_weather', { location: 'Oslo' }], ['toolu_s2', 'get_weather', { location: 'Bergen' }]]);
      assert.deepEqual(usage, { prompt_tokens: 30, completion_tokens: 17, total_tokens: 47,
        prompt_tokens_details: { cached_tokens: 9, cache_creation_tokens: 0 } });
      assert.equal(bedrock.requests[0].operation, 'invoke-with-response-stream');
    });

    test('chat.completions.stream helper with the default Claude stream', T, async () => {
      const final = await openai.chat.completions.stream({ model: 'bedrock-claude', max_tokens: 50,
        messages: [{ role: 'user', content: 'Hi' }] }).finalChatCompletion();
      assert.equal(final.choices[0].message.content, 'Hello from Claude.');
      assert.equal(final.choices[0].finish_reason, 'stop');
    });

    test('temperature above 1 is a 422 naming the field; Bedrock errors keep their type', T, async () => {
      await assert.rejects(openai.chat.completions.create({ model: 'bedrock-claude', max_tokens: 10, temperature: 1.5,
        messages: [{ role: 'user', content: 'Hi' }] }),
      (e) => e instanceof OpenAI.UnprocessableEntityError && /temperature/.test(e.message));
      assert.equal(bedrock.requests.length, 0);
      bedrock.enqueue(bedrockError('ThrottlingException', 'Too many requests, please wait before trying again.', 429));
      await assert.rejects(openai.chat.completions.create({ model: 'bedrock-claude', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }),
        (e) => e instanceof OpenAI.RateLimitError && e.error?.type === 'ThrottlingException'
          && /Too many requests/.test(e.message));
    });
  });
});
