#include "sluice/translate/common/anthropic_openai.h"

#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/openai/chat.h"
#include "sluice/translate/common/json_util.h"

namespace sluice::translate::common {

namespace aw = schema::anthropic;
namespace ow = schema::openai;

std::string_view AnthropicStopReason(std::string_view r) {
  if (r == ow::kFinishLength) return aw::kStopMaxTokens;
  if (r == ow::kFinishToolCalls || r == "function_call") return aw::kStopToolUse;
  if (r == ow::kFinishContentFilter) return aw::kStopRefusal;
  return aw::kStopEndTurn;
}

std::string_view OpenAIFinishReason(std::string_view r) {
  if (r == aw::kStopMaxTokens) return ow::kFinishLength;
  if (r == aw::kStopToolUse) return ow::kFinishToolCalls;
  if (r == aw::kStopRefusal) return ow::kFinishContentFilter;
  return ow::kFinishStop;
}

limit::TokenUsage TokenUsageFromOpenAI(const bj::object& usage) {
  limit::TokenUsage u;
  u.input = FindCount(usage, ow::kPromptTokens);
  u.output = FindCount(usage, ow::kCompletionTokens);
  u.total = FindCount(usage, ow::kTotalTokens);
  if (const auto* d = FindObject(usage, ow::kPromptTokensDetails)) {
    u.cached_input = FindCount(*d, ow::kCachedTokens);
    u.cache_creation_input = FindCount(*d, ow::kCacheCreationTokens);
  }
  if (const auto* d = FindObject(usage, ow::kCompletionTokensDetails)) {
    u.reasoning = FindCount(*d, ow::kReasoningTokens);
  }
  if (!u.total && (u.input || u.output)) u.total = u.input.value_or(0) + u.output.value_or(0);
  return u;
}

bj::object ToolCallFromToolUse(const bj::object& tool_use) {
  bj::object fn;
  fn[ow::kName] = StringOr(tool_use, aw::kName, "");
  const bj::value* input = Find(tool_use, aw::kInput);
  fn[ow::kArguments] = input ? ToJson(*input) : std::string("{}");
  bj::object call;
  call[ow::kId] = StringOr(tool_use, aw::kId, "");
  call[ow::kType] = ow::kToolTypeFunction;
  call[ow::kFunction] = std::move(fn);
  return call;
}

std::string AnthropicUsageJson(const limit::TokenUsage& u) {
  uint64_t input = u.input.value_or(0);
  const uint64_t cached = u.cached_input.value_or(0);
  const uint64_t creation = u.cache_creation_input.value_or(0);
  input = input >= cached ? input - cached : 0;
  input = input >= creation ? input - creation : 0;
  std::string out = "{\"";
  out += aw::kInputTokens;
  out += "\":" + std::to_string(input);
  if (u.cache_creation_input) {
    out += ",\"";
    out += aw::kCacheCreationInputTokens;
    out += "\":" + std::to_string(creation);
  }
  if (u.cached_input) {
    out += ",\"";
    out += aw::kCacheReadInputTokens;
    out += "\":" + std::to_string(cached);
  }
  out += ",\"";
  out += aw::kOutputTokens;
  out += "\":" + std::to_string(u.output.value_or(0));
  out += '}';
  return out;
}

std::string OpenAIUsageJson(const AnthropicUsage& a) {
  const limit::TokenUsage u = a.usage();
  std::string out = "{\"";
  out += ow::kPromptTokens;
  out += "\":" + std::to_string(u.input.value_or(0));
  out += ",\"";
  out += ow::kCompletionTokens;
  out += "\":" + std::to_string(u.output.value_or(0));
  out += ",\"";
  out += ow::kTotalTokens;
  out += "\":" + std::to_string(u.total.value_or(0));
  out += ",\"";
  out += ow::kPromptTokensDetails;
  out += "\":{\"";
  out += ow::kCachedTokens;
  out += "\":" + std::to_string(u.cached_input.value_or(0));
  out += ",\"";
  out += ow::kCacheCreationTokens;
  out += "\":" + std::to_string(u.cache_creation_input.value_or(0));
  out += '}';
  if (u.reasoning) {
    out += ",\"";
    out += ow::kCompletionTokensDetails;
    out += "\":{\"";
    out += ow::kReasoningTokens;
    out += "\":" + std::to_string(*u.reasoning);
    out += '}';
  }
  out += '}';
  return out;
}

}  // namespace sluice::translate::common
