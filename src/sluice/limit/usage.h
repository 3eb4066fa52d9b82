#pragma once

// Token usage read from OpenAI-shaped responses (Envoy AI Gateway reference §2 and §5): the
// non-streaming body of chat completions, completions and embeddings, and the SSE stream of chat
// completions. Reads touch only "model" and "usage": a walk over simdjson's stage-1 token offsets
// for the usual shape, On-Demand for everything else.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/codec/sse.h"
#include "sluice/core/result.h"

namespace sluice::limit {

// Token counts of one response; a field is unset when the provider did not report it (the
// reference keeps a "set" flag per field).
struct TokenUsage {
  std::optional<uint64_t> input;                 // usage.prompt_tokens
  std::optional<uint64_t> output;                // usage.completion_tokens
  std::optional<uint64_t> total;                 // usage.total_tokens
  std::optional<uint64_t> cached_input;          // usage.prompt_tokens_details.cached_tokens
  std::optional<uint64_t> cache_creation_input;  // ...prompt_tokens_details.cache_creation_tokens
  std::optional<uint64_t> reasoning;             // usage.completion_tokens_details.reasoning_tokens

  bool operator==(const TokenUsage&) const = default;
};

struct ResponseInfo {
  TokenUsage usage;
  std::string
      model;  // the response's "model"; empty when absent (callers fall back to the request's)
  bool operator==(const ResponseInfo&) const = default;
};

// Reads a non-streaming OpenAI response body (chat completion, completion or embedding object).
// Counts that are absent, null, negative, fractional or above 2^64-1 stay unset; so do all of them
// when "usage" is absent or null. Only the fields read are checked: this is not a validator.
// A body that is not a JSON object is kProtocol (source kUpstream).
// The string_view overload copies the body into a per-thread padded buffer; the std::string one
// reads in place, growing the capacity if it lacks json::kPadding spare bytes.
Result<ResponseInfo> ReadOpenAIResponse(std::string_view body);
Result<ResponseInfo> ReadOpenAIResponse(std::string& body);

namespace internal {
// The general reader alone (simdjson On-Demand). ReadOpenAIResponse first tries a faster walk over
// stage 1's token offsets that reads the common shape and leaves every other document to this
// one; tests hold the two equal.
Result<ResponseInfo> ReadOpenAIResponseOnDemand(std::string_view body);
}  // namespace internal

// Follows the usage of an OpenAI chat completions SSE stream without touching it: the caller relays
// the upstream bytes itself and passes each read here, at any chunking. Parses every `data:` event
// but "[DONE]" as a chunk object: the last chunk with a non-null "usage" gives the usage (with
// stream_options.include_usage the final chunk, "choices": [], carries it; earlier chunks carry
// "usage": null) and the last chunk with a "model" gives the model. A chunk that is not JSON is
// counted and skipped, never fatal; if the framing itself fails (an event above max_event_bytes)
// parsing stops, stream_error() says why, and info() keeps what was read before.
// Not thread-safe; one instance per stream.
class OpenAIStreamUsage {
 public:
  explicit OpenAIStreamUsage(std::size_t max_event_bytes = codec::SseParser::kDefaultMaxEventBytes);

  void Feed(std::string_view bytes);

  const ResponseInfo& info() const { return info_; }
  bool has_usage() const { return has_usage_; }  // a chunk with a usage object was seen
  bool done() const { return done_; }            // "data: [DONE]" was seen
  uint64_t chunks() const { return chunks_; }    // chunks read successfully
  uint64_t malformed_chunks() const { return malformed_chunks_; }
  const codec::SseParser& sse() const { return sse_; }  // comments, mid_event(), ...
  const std::optional<Error>& stream_error() const { return stream_error_; }

 private:
  void OnData(std::string_view data);

  codec::SseParser sse_;
  ResponseInfo info_;
  std::string scratch_;  // one chunk's JSON with simdjson padding
  bool has_usage_ = false;
  bool done_ = false;
  uint64_t chunks_ = 0;
  uint64_t malformed_chunks_ = 0;
  std::optional<Error> stream_error_;
};

}  // namespace sluice::limit
