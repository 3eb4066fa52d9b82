#pragma once

// The requests a benchmark sends: OpenAI chat completions and embeddings bodies, or Anthropic
// Messages bodies, of a given shape (the shapes of Envoy AI Gateway's data-plane benchmark: N
// messages of B bytes), framed as raw HTTP/1.1 requests that the load generator writes as they are.

#include <string>
#include <utility>
#include <vector>

namespace sluice::bench {

struct Scenario {
  // kMessages: Anthropic Messages (max_tokens, anthropic-version), the same messages as kChat.
  enum class Kind { kChat, kEmbeddings, kMessages };
  Kind kind = Kind::kChat;
  int messages = 10;          // chat: number of messages
  size_t message_bytes = 10;  // chat: bytes of each message's content; embeddings: input bytes
  bool stream = false;
  int chunks = 20;            // streams: x-fake-chunks
  int chunk_delay_ms = 0;     // streams: x-fake-chunk-delay-ms
  int latency_ms = 0;         // x-fake-latency-ms
  std::string model = "gpt-4o-mini";
  std::string path;           // default by kind: /v1/chat/completions, /v1/embeddings,
                              // /anthropic/v1/messages
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
};

// The JSON body: {"model":..,"messages":[{"role":"user","content":"lorem ..."},..],"stream":..}
// (kMessages adds "max_tokens"; kEmbeddings has "input" instead of messages).
std::string BuildBody(const Scenario& scenario);

// The whole request: request line, Host, content-type, content-length, (anthropic-version,)
// x-fake-* knobs, the extra headers, then `body`.
std::string BuildRequest(const Scenario& scenario, const std::string& host, const std::string& body);

// The request path of a scenario.
std::string ScenarioPath(const Scenario& scenario);

}  // namespace sluice::bench
