#include "sluice/translate/common/reasoning_effort.h"

#include "sluice/core/strings.h"

namespace sluice::translate::common {

namespace {

struct Row {
  std::string_view effort;
  std::optional<std::string_view> claude_effort;
  std::optional<uint64_t> budget;
};

// The table (docs/translation.md, "Reasoning effort"). Budgets respect Anthropic's minimum of
// 1024 thinking tokens and stay at 32000, above which Anthropic advises batch processing.
constexpr Row kTable[] = {
    {"none", std::nullopt, std::nullopt},
    {"minimal", "low", 1024},
    {"low", "low", 1024},
    {"medium", "medium", 4096},
    {"high", "high", 16384},
    {"xhigh", "xhigh", 32000},
    {"max", "max", 32000},
};

const Row* Lookup(std::string_view effort) {
  for (const Row& r : kTable) {
    if (r.effort == effort) return &r;
  }
  return nullptr;
}

}  // namespace

bool ClaudeAcceptsEffort(std::string_view model) {
  // Claude Opus 4.5+, Sonnet 4.6+ and the families after them (Anthropic "Effort" guide).
  static constexpr std::string_view kModels[] = {
      "opus-4-5", "opus-4-6", "opus-4-7", "opus-4-8", "sonnet-4-6",
      "sonnet-5", "opus-5",   "fable-5",  "mythos",
  };
  const std::string lower = AsciiLower(model);
  for (std::string_view m : kModels) {
    if (lower.find(m) != std::string::npos) return true;
  }
  return false;
}

std::optional<std::string_view> ClaudeEffort(std::string_view reasoning_effort) {
  const Row* r = Lookup(reasoning_effort);
  return r ? r->claude_effort : std::nullopt;
}

std::optional<uint64_t> ThinkingBudget(std::string_view reasoning_effort) {
  const Row* r = Lookup(reasoning_effort);
  return r ? r->budget : std::nullopt;
}

bool IsKnownReasoningEffort(std::string_view reasoning_effort) {
  return Lookup(reasoning_effort) != nullptr;
}

}  // namespace sluice::translate::common
