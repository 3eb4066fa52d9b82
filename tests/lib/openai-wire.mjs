// OpenAI wire-format builders used by the fake upstream, following the OpenAI API reference:
// "The chat completion object", "The chat completion chunk object" (with
// `stream_options.include_usage`: `"usage":null` on every chunk, then one chunk with
// `"choices":[]` and the usage, then `data: [DONE]`), "The completion object", "The embedding
// object", and the error body `{"error":{"message","type","param","code"}}`.
// Byte-exact tests use the hand-written files in ../fixtures instead (see fixtures/README.md).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TESTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES_DIR = path.join(TESTS_DIR, 'fixtures');

/** The bytes of a fixture file, e.g. fixture('openai/chat-completion.json'). */
export function fixture(name) {
  return fs.readFileSync(path.join(FIXTURES_DIR, name));
}

export function fixtureText(name) {
  return fixture(name).toString('utf8');
}

export function fixtureJSON(name) {
  return JSON.parse(fixtureText(name));
}

let seq = 0;
const CREATED = 1741570283;

export function usageObject({ prompt = 9, completion = 12, cached = 0, reasoning = 0,
  cacheCreation } = {}) {
  const u = {
    prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0,
      accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  if (cacheCreation !== undefined) u.prompt_tokens_details.cache_creation_tokens = cacheCreation;
  return u;
}

export function chatCompletion({ model, content = 'Hello! How can I help you today?', usage } = {}) {
  return {
    id: `chatcmpl-fake${String(++seq).padStart(6, '0')}`, object: 'chat.completion', created: CREATED,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] },
      logprobs: null, finish_reason: 'stop' }],
    usage: usage ?? usageObject(),
    service_tier: 'default', system_fingerprint: 'fp_fake0001',
  };
}

/**
 * An SSE chat stream as an array of event strings (each `data: ...\n\n`), in the order OpenAI sends
 * them. With includeUsage every chunk carries `"usage":null` and a final usage chunk is appended.
 */
export function chatChunkEvents({ model, pieces = ['Hello', ' there', '!'], includeUsage = false,
  usage } = {}) {
  const id = `chatcmpl-fake${String(++seq).padStart(6, '0')}`;
  const base = (choices, u) => {
    const o = { id, object: 'chat.completion.chunk', created: CREATED, model,
      system_fingerprint: 'fp_fake0001', choices };
    if (includeUsage) o.usage = u ?? null;
    return o;
  };
  const chunks = [base([{ index: 0, delta: { role: 'assistant', content: '', refusal: null },
    logprobs: null, finish_reason: null }])];
  for (const p of pieces) {
    chunks.push(base([{ index: 0, delta: { content: p }, logprobs: null, finish_reason: null }]));
  }
  chunks.push(base([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]));
  if (includeUsage) chunks.push(base([], usage ?? usageObject()));
  return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'];
}

export function completion({ model, text = '\n\nThis is indeed a test', usage } = {}) {
  return {
    id: `cmpl-fake${String(++seq).padStart(6, '0')}`, object: 'text_completion', created: CREATED,
    model, choices: [{ text, index: 0, logprobs: null, finish_reason: 'length' }],
    usage: usage ?? { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    system_fingerprint: null,
  };
}

export function completionChunkEvents({ model, pieces = ['This', ' is', ' a test'],
  includeUsage = false, usage } = {}) {
  const id = `cmpl-fake${String(++seq).padStart(6, '0')}`;
  const base = (choices, u) => {
    const o = { id, object: 'text_completion', created: CREATED, choices, model,
      system_fingerprint: null };
    if (includeUsage) o.usage = u ?? null;
    return o;
  };
  const chunks = pieces.map((p, i) => base([{ text: p, index: 0, logprobs: null,
    finish_reason: i === pieces.length - 1 ? 'stop' : null }]));
  if (includeUsage) {
    chunks.push(base([], usage ?? { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 }));
  }
  return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'];
}

export function embeddings({ model, inputs = 1, dims = 4, promptTokens = 6 } = {}) {
  const data = [];
  for (let i = 0; i < inputs; i++) {
    data.push({ object: 'embedding', index: i,
      embedding: Array.from({ length: dims }, (_, j) => Number((((i + 1) * (j + 3)) % 17 / 100 - 0.08)
        .toFixed(6))) });
  }
  return { object: 'list', data, model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
}

/** An OpenAI error body (Error codes guide). */
export function errorBody({ message, type = 'invalid_request_error', param = null, code = null }) {
  return { error: { message, type, param, code } };
}
