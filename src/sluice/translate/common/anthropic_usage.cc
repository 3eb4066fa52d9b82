#include "sluice/translate/common/anthropic_usage.h"

#include "sluice/schema/anthropic/messages.h"
#include "sluice/translate/common/json_util.h"

namespace sluice::translate::common {

namespace wire = schema::anthropic;

void AnthropicUsage::ReadUsage(const bj::object& usage, bool baseline) {
  seen_ = true;
  auto merge = [&](std::string_view key, std::optional<uint64_t>& field) {
    const auto v = FindCount(usage, key);
    if (!v) return;
    if (baseline || *v != 0 || !field) field = v;
  };
  merge(wire::kInputTokens, input_);
  merge(wire::kCacheReadInputTokens, cache_read_);
  merge(wire::kCacheCreationInputTokens, cache_creation_);
  if (auto out = FindCount(usage, wire::kOutputTokens)) output_ = out;
  if (const auto* details = FindObject(usage, wire::kOutputTokensDetails)) {
    if (auto t = FindCount(*details, wire::kThinkingTokens)) thinking_ = t;
  }
}

void AnthropicUsage::OnMessage(const bj::object& message) {
  if (auto m = FindString(message, wire::kModel)) model_ = std::string(*m);
  if (auto id = FindString(message, wire::kId)) id_ = std::string(*id);
  if (const auto* usage = FindObject(message, wire::kUsage)) ReadUsage(*usage, true);
}

void AnthropicUsage::OnMessageDelta(const bj::object& event) {
  if (const auto* usage = FindObject(event, wire::kUsage)) ReadUsage(*usage, false);
}

void AnthropicUsage::OnCountTokens(const bj::object& body) {
  count_tokens_ = true;
  if (auto n = FindCount(body, wire::kInputTokens)) {
    input_ = n;
    seen_ = true;
  }
}

limit::TokenUsage AnthropicUsage::usage() const {
  limit::TokenUsage u;
  if (count_tokens_) {
    u.input = input_;
    return u;
  }
  if (input_ || cache_read_ || cache_creation_) {
    u.input = input_.value_or(0) + cache_read_.value_or(0) + cache_creation_.value_or(0);
  }
  u.cached_input = cache_read_;
  u.cache_creation_input = cache_creation_;
  u.output = output_;
  u.reasoning = thinking_;
  if (u.input || u.output) u.total = u.input.value_or(0) + u.output.value_or(0);
  return u;
}

}  // namespace sluice::translate::common
