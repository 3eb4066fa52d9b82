#pragma once

// Anthropic streaming events (https://docs.anthropic.com/en/api/messages-streaming) → OpenAI
// chat.completion.chunk SSE (https://platform.openai.com/docs/api-reference/chat-streaming), for
// Claude behind an OpenAI client (reference §2 "Anthropic SSE → OpenAI chunks"):
//   message_start → a first chunk with delta {role: assistant, content: ""};
//   text_delta → delta.content; thinking_delta → delta.reasoning_content; signature_delta and
//   redacted_thinking blocks → delta.thinking_blocks (signatures kept for the next turn);
//   tool_use block start → tool_calls[{index, id, type, function{name, arguments: ""}}];
//   input_json_delta → tool_calls[{index, function{arguments}}] (each piece as it arrives);
//   message_stop → an empty delta with finish_reason (end_turn|stop_sequence|pause_turn → stop,
//   max_tokens → length, tool_use → tool_calls, refusal → content_filter);
//   error → data: {"error":{...}} (the OpenAI SDK raises it); ping → nothing.
// Finish() appends the usage chunk (choices: [], usage with cached and cache-creation tokens) and
// "data: [DONE]". Not thread-safe; one per stream.

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>

#include "sluice/translate/common/anthropic_usage.h"

namespace sluice::translate::common {

class AnthropicStreamToOpenAI {
 public:
  AnthropicStreamToOpenAI(std::string request_model, int64_t created)
      : request_model_(std::move(request_model)), created_(created) {}

  // One Anthropic event object; appends OpenAI SSE to `out`.
  void OnEvent(const boost::json::object& event, std::string& out);
  // A failure the client must see as an OpenAI stream error (Bedrock exception, truncation).
  void OnError(std::string_view type, std::string_view message, std::string& out);
  // The end of the upstream stream: usage chunk and [DONE] (once).
  void Finish(std::string& out);

  const AnthropicUsage& usage() const { return usage_; }
  std::string model() const { return model_.empty() ? request_model_ : model_; }
  const std::string& error() const { return error_; }  // non-empty after OnError / error event

 private:
  // {"id","object":"chat.completion.chunk","created","model" — the fields every chunk starts with,
  // built once (and again after message_start names the id and model).
  const std::string& ChunkHead();
  void Chunk(std::string& out, std::string_view delta_json, std::string_view finish_reason = {});

  std::string request_model_;
  int64_t created_;
  std::string id_, model_, stop_reason_, error_;
  std::string chunk_head_;
  bool finished_ = false;
  int next_tool_ = 0;
  std::map<uint64_t, int> tools_;  // Anthropic block index → OpenAI tool_calls index
  AnthropicUsage usage_;
};

}  // namespace sluice::translate::common
