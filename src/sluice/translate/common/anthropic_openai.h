#pragma once

// Shared conversions between Anthropic Messages and OpenAI Chat Completions (reference §1.4):
// stop reasons both ways, usage objects both ways, tool use to tool calls.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "sluice/limit/usage.h"
#include "sluice/translate/common/anthropic_usage.h"

namespace sluice::translate::common {

// OpenAI finish_reason → Anthropic stop_reason: stop→end_turn, length→max_tokens,
// tool_calls (and the legacy function_call)→tool_use, content_filter→refusal, other→end_turn.
std::string_view AnthropicStopReason(std::string_view openai_finish_reason);

// Anthropic stop_reason → OpenAI finish_reason: end_turn|stop_sequence|pause_turn→stop,
// max_tokens→length, tool_use→tool_calls, refusal→content_filter, other→stop.
std::string_view OpenAIFinishReason(std::string_view anthropic_stop_reason);

// An OpenAI "usage" object as Sluice's TokenUsage (prompt_tokens, completion_tokens,
// total_tokens, prompt_tokens_details.cached_tokens / cache_creation_tokens,
// completion_tokens_details.reasoning_tokens).
limit::TokenUsage TokenUsageFromOpenAI(const boost::json::object& usage);

// An Anthropic tool_use block as an OpenAI tool call: {"id","type":"function","function":{"name",
// "arguments": the input as JSON text, "{}" without one}}.
boost::json::object ToolCallFromToolUse(const boost::json::object& tool_use);

// Anthropic "usage" JSON for an OpenAI usage: input_tokens excludes cached and cache-creation
// tokens (OpenAI's prompt_tokens includes them); cache fields only when reported.
std::string AnthropicUsageJson(const limit::TokenUsage& openai_usage);

// OpenAI "usage" JSON for Anthropic counts: prompt_tokens = input + cache_read + cache_creation,
// prompt_tokens_details {cached_tokens, cache_creation_tokens}, completion_tokens_details
// {reasoning_tokens} when thinking tokens were reported.
std::string OpenAIUsageJson(const AnthropicUsage& usage);

}  // namespace sluice::translate::common
