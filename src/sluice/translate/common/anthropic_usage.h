#pragma once

// Token usage of Anthropic Messages responses (and Claude on Bedrock, which sends the same
// objects), counted as Envoy AI Gateway does for "explicit caching" providers (reference §2, §5):
//   input  = input_tokens + cache_read_input_tokens + cache_creation_input_tokens
//   cached_input = cache_read_input_tokens, cache_creation_input = cache_creation_input_tokens
//   output = output_tokens (message_delta's cumulative count in a stream), total = input + output.
// In a stream, message_start.message.usage sets the baseline; message_delta.usage sets
// output_tokens whenever present and overrides each input/cache field it carries with a non-zero
// value (per field: a later event may report cache tokens the first one did not).
// Not thread-safe; one per response.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/limit/usage.h"

namespace sluice::translate::common {

class AnthropicUsage {
 public:
  // A usage object's counts, however they were read.
  struct Counts {
    std::optional<uint64_t> input, cache_read, cache_creation, output, thinking;
  };

  // A whole message object (non-streaming body, or message_start's "message").
  void OnMessage(const boost::json::object& message);
  // A message_delta event (the whole event object).
  void OnMessageDelta(const boost::json::object& event);
  // The JSON of one stream event, read in place of parsing it to a DOM when nothing else of the
  // event is needed: message_start and message_delta go to the readers above, any other type is
  // ignored. False when the text is not a JSON object (it is then ignored too).
  bool OnStreamEvent(std::string_view json);
  // The {"input_tokens":N} answer of count_tokens.
  void OnCountTokens(const boost::json::object& body);

  limit::TokenUsage usage() const;
  const std::string& model() const { return model_; }
  const std::string& id() const { return id_; }
  bool seen() const { return seen_; }

  // The raw Anthropic counts (as the API reports them).
  std::optional<uint64_t> raw_input() const { return input_; }
  std::optional<uint64_t> cache_read() const { return cache_read_; }
  std::optional<uint64_t> cache_creation() const { return cache_creation_; }
  std::optional<uint64_t> output() const { return output_; }
  std::optional<uint64_t> thinking() const { return thinking_; }

 private:
  void Merge(const Counts& counts, bool baseline);
  void ReadUsage(const boost::json::object& usage, bool baseline);

  std::optional<uint64_t> input_, cache_read_, cache_creation_, output_, thinking_;
  std::string model_;
  std::string id_;
  bool seen_ = false;
  bool count_tokens_ = false;
  std::string scratch_;  // an event's JSON with simdjson's padding
};

}  // namespace sluice::translate::common
