#pragma once

// A fake OpenAI-compatible model server: the demo provider of `sluice run` with no config, and a
// fast upstream for benchmarks. It answers chat completions (JSON and SSE), completions,
// embeddings and the models list in OpenAI's wire format. Behaviour can be tuned per request with
// headers, which pass through the gateway unchanged:
//   x-fake-chunks: N            number of content chunks in a stream (default: one per word)
//   x-fake-chunk-delay-ms: N    pause between stream chunks (default: demo 15, bench 0)
//   x-fake-latency-ms: N        pause before the response head
//   x-fake-response-bytes: N    pad the answer text to about N bytes
// It is never the source of expected answers in tests.

#include <chrono>
#include <memory>

#include "sluice/http/server.h"

namespace sluice::fake {

struct FakeOptions {
  std::chrono::milliseconds default_chunk_delay{15};
};

std::shared_ptr<const http::Handler> MakeOpenAIFakeHandler(FakeOptions options = {});

}  // namespace sluice::fake
