#pragma once

// Pieces shared by the translators to AWS Bedrock (OpenAI chat → Converse, Anthropic messages →
// Converse, OpenAI embeddings → Titan) on the response side: token usage, reading Converse answers
// and ConverseStream events, stop-reason maps and error bodies in the client's shape (Envoy AI
// Gateway reference §1.3, §2, §5, §9). The request side is in converse_request.h.

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/codec/aws_eventstream.h"
#include "sluice/codec/function_ref.h"
#include "sluice/core/result.h"
#include "sluice/limit/usage.h"
#include "sluice/translate/bedrock/json_writer.h"
#include "sluice/translate/translator.h"

namespace sluice::translate::bedrock {

// Bedrock TokenUsage as reported (API Reference, "TokenUsage"); unset when absent.
struct ConverseUsage {
  std::optional<uint64_t> input;        // inputTokens (uncached input)
  std::optional<uint64_t> output;       // outputTokens
  std::optional<uint64_t> total;        // totalTokens
  std::optional<uint64_t> cache_read;   // cacheReadInputTokens
  std::optional<uint64_t> cache_write;  // cacheWriteInputTokens
  bool seen = false;

  void Read(simdjson::dom::element usage);
  // Envoy AI Gateway's "explicit caching" count (reference §5): input = inputTokens +
  // cacheReadInputTokens + cacheWriteInputTokens, total = input + output, cached_input =
  // cacheReadInputTokens, cache_creation_input = cacheWriteInputTokens.
  limit::TokenUsage ToTokenUsage() const;
};

// OpenAI "usage" object for `u`: prompt_tokens (with cache reads and writes), completion_tokens,
// total_tokens, and prompt_tokens_details {cached_tokens, cache_creation_tokens} when Bedrock
// reported either cache count.
void WriteOpenAIUsage(JsonWriter& w, const ConverseUsage& u);

// One ConverseStream event: its :event-type and its JSON payload.
struct ConverseEvent {
  std::string_view type;
  simdjson::dom::object payload;
};
// An exception message inside the stream (:message-type "exception" or "error"), e.g.
// throttlingException, modelStreamErrorException.
struct ConverseException {
  std::string type;     // :exception-type (or :error-code), e.g. "throttlingException"
  std::string message;  // the payload's "message", else the raw payload
  int status = 500;     // the HTTP status the API Reference gives that exception
};

// Decodes ConverseStream's AWS event-stream framing at any chunking and parses each event's JSON
// payload. A corrupt frame or a payload that is not a JSON object is an upstream protocol error.
// Not thread-safe; one per stream.
class ConverseStreamReader {
 public:
  Result<void> Feed(std::string_view bytes,
                    codec::FunctionRef<Result<void>(const ConverseEvent&)> on_event,
                    codec::FunctionRef<Result<void>(const ConverseException&)> on_exception);
  bool mid_message() const { return decoder_.mid_message(); }

 private:
  codec::EventStreamDecoder decoder_;
  simdjson::dom::parser parser_;
};

// The members of a Converse ContentBlock (a union) that the translators map back to the client.
struct ContentBlock {
  enum class Kind { kOther, kText, kToolUse, kReasoning, kRedactedReasoning };
  Kind kind = Kind::kOther;
  std::string_view text;                             // kText; kReasoning: reasoningText.text
  std::string_view tool_use_id, tool_name;           // kToolUse
  std::optional<simdjson::dom::element> tool_input;  // kToolUse, when present
  std::optional<std::string_view> signature;         // kReasoning, when present
  std::string_view redacted;                         // kRedactedReasoning: base64
};
ContentBlock ReadContentBlock(simdjson::dom::object block);

// A Converse answer (API Reference, "Converse", Response Body).
struct ConverseOutput {
  simdjson::dom::object response;
  std::string_view stop_reason;
  std::vector<ContentBlock> content;  // output.message.content
  ConverseUsage usage;
};
// Parses a Converse answer into `parser` (which owns the DOM). A body that is not a JSON object is
// an upstream protocol error, and so is a 200 without output.message (guardrail or service
// errors, reference §1.4).
Result<ConverseOutput> ParseConverseOutput(simdjson::dom::parser& parser, std::string_view body);

// ConverseStream events. contentBlockIndex of an event (0 when absent).
uint64_t BlockIndex(simdjson::dom::object payload);
// contentBlockStart announcing a tool use: start.toolUse {toolUseId, name}.
struct ToolUseStart {
  std::string_view id, name;
};
std::optional<ToolUseStart> ReadToolUseStart(simdjson::dom::object payload);
// contentBlockDelta's delta: text, a piece of tool input JSON, or reasoning (any of its text,
// signature and redactedContent members). nullopt without a delta object.
struct ContentDelta {
  enum class Kind { kOther, kText, kToolInput, kReasoning };
  Kind kind = Kind::kOther;
  std::string_view text;  // kText; kToolInput: the input piece
  std::optional<std::string_view> reasoning_text, signature, redacted;  // kReasoning
};
std::optional<ContentDelta> ReadContentDelta(simdjson::dom::object payload);

// The status the API Reference lists for a ConverseStream exception type (case-insensitive,
// "throttlingException" and "ThrottlingException" alike).
int StatusForException(std::string_view exception_type);

// Bedrock stopReason → OpenAI finish_reason: end_turn and stop_sequence → stop, max_tokens and
// model_context_window_exceeded → length, tool_use → tool_calls, content_filtered and
// guardrail_intervened → content_filter, anything else (or none) → stop.
std::string_view OpenAIFinishReason(std::string_view stop_reason);
// Bedrock stopReason → Anthropic stop_reason: the shared names map to themselves, content_filtered
// and guardrail_intervened → refusal, anything else → end_turn.
std::string_view AnthropicStopReason(std::string_view stop_reason);

// True when the Bedrock model id names an Anthropic Claude model ("anthropic.claude-...",
// "us.anthropic.claude-...", an inference-profile ARN containing "claude").
bool IsClaudeModel(std::string_view model);

// An id for a synthesised response when the upstream gave no request id: `prefix` + 24 hex digits.
std::string FallbackId(std::string_view prefix);

}  // namespace sluice::translate::bedrock
