#pragma once

// The benchmark fake provider: an OpenAI-compatible upstream built to cost as little CPU as
// possible, so that a benchmark measures the system in front of it and not the fake. It has its own
// minimal HTTP/1.1 loop (llhttp, one reused buffer per connection, no per-request DOM): responses
// are precomputed at start and only the request-dependent numbers (model echo, prompt tokens) are
// spliced in per request.
//
// Serves POST .../chat/completions (JSON, or SSE when the body has "stream":true), .../completions,
// .../embeddings and GET .../models. Per-request overrides, as headers (they pass through gateways):
//   x-fake-chunks: N            content chunks in a stream
//   x-fake-chunk-delay-ms: N    pause between stream chunks (0: the whole stream in one write)
//   x-fake-latency-ms: N        pause before the response head
//   x-fake-response-bytes: N    size of the answer text of a non-streaming chat completion
// Wire shapes follow the OpenAI API reference ("The chat completion object", "The chat completion
// chunk object": with stream_options.include_usage every chunk has "usage": null and a final chunk
// with "choices": [] carries the usage; "The embedding object").
//
// The body is not validated: "stream", "include_usage" and "model" are found by a byte scan, which
// is exact for the bodies benchmarks send (no nested key of those names). Use the demo fake
// (openai_fake.h) where requests need checking.

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
