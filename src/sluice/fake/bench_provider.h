#pragma once

// The benchmark fake provider: an upstream built to cost as little CPU as possible, so that a
// benchmark measures the system in front of it and not the fake. It has its own minimal HTTP/1.1
// loop (llhttp, one reused buffer per connection, no per-request DOM): responses are precomputed at
// start and only the request-dependent parts (model echo, token counts) are spliced in per request.
//
// It speaks three APIs, chosen by the path:
//   OpenAI     POST .../chat/completions (JSON, or SSE when the body has "stream":true),
//              .../completions, .../embeddings, GET .../models
//   Anthropic  POST .../v1/messages: a message, or with "stream":true the SSE events message_start,
//              content_block_start, ping, content_block_delta (text_delta) × chunks,
//              content_block_stop, message_delta (stop_reason, usage), message_stop
//   Bedrock    POST /model/{modelId}/converse: Converse JSON; /model/{modelId}/converse-stream:
//              application/vnd.amazon.eventstream in HTTP chunks, one AWS event-stream message
//              (codec/aws_eventstream.h) per event: messageStart, contentBlockDelta × chunks,
//              contentBlockStop, messageStop, metadata (usage, metrics). SigV4 is not verified.
// Per-request overrides, as headers (they pass through gateways):
//   x-fake-chunks: N            content chunks in a stream
//   x-fake-chunk-delay-ms: N    pause between stream chunks (0: the whole stream in one write)
//   x-fake-latency-ms: N        pause before the response head
//   x-fake-response-bytes: N    size of the answer text of a non-streaming answer
// Every content chunk carries the text "lorem "; a stream reports `chunks` output tokens, and every
// answer reports body bytes / 4 input tokens.
// Wire shapes follow the OpenAI API reference ("The chat completion object", "The chat completion
// chunk object": with stream_options.include_usage every chunk has "usage": null and a final chunk
// with "choices": [] carries the usage; "The embedding object"), Anthropic's ("Messages",
// "Streaming Messages") and the Bedrock Runtime's ("Converse", "ConverseStream"; stream events
// carry Bedrock's "p" padding field).
//
// The body is not validated: "stream", "include_usage" and "model" are found by a byte scan, which
// is exact for the bodies benchmarks send (no nested key of those names). Use the demo fake
// (openai_fake.h) or the node fakes under tests/lib where requests need checking.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sluice/core/result.h"

namespace sluice::fake {

struct BenchProviderOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  std::chrono::milliseconds latency{0};
  int64_t chunks = 20;
  std::chrono::milliseconds chunk_delay{0};
  size_t response_bytes = 0;  // 0: a short answer (~60 bytes of text)
  int embedding_dims = 1536;  // text-embedding-3-small's default
};

// Runs the provider on one thread of its own. Stop() (or the destructor) ends it.
class BenchProvider {
 public:
  static Result<std::unique_ptr<BenchProvider>> Start(const BenchProviderOptions& options);
  ~BenchProvider();
  BenchProvider(const BenchProvider&) = delete;
  BenchProvider& operator=(const BenchProvider&) = delete;

  uint16_t port() const;
  // Requests answered so far (any thread may read it).
  uint64_t requests() const;
  // The provider thread's native handle, e.g. to read its CPU clock.
  pthread_t thread_handle();
  void Stop();

  struct Impl;

 private:
  explicit BenchProvider(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::fake
