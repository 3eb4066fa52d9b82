#pragma once

// OpenAI's `reasoning_effort` for Claude models: the one table every translator to Claude uses
// (docs/translation.md, "Reasoning effort"). DESIGN's decision: `output_config.effort` where the
// model accepts it (Claude Opus 4.5 and later, Sonnet 4.6 and later, per Anthropic's "Effort"
// guide and Envoy AI Gateway's model list), the thinking-budget table otherwise.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::translate::common {

// True when `model` (an Anthropic id, a Bedrock id or ARN, a Vertex name) is a Claude model that
// takes output_config.effort.
bool ClaudeAcceptsEffort(std::string_view model);

// The value for output_config.effort: low, medium, high, xhigh and max map to themselves,
// minimal → low. nullopt for "none" (no thinking) and for unknown values.
std::optional<std::string_view> ClaudeEffort(std::string_view reasoning_effort);

// thinking.budget_tokens for Claude models without effort:
//   minimal 1024, low 1024, medium 4096, high 16384, xhigh 32000, max 32000.
// nullopt for "none" (thinking disabled) and for unknown values.
std::optional<uint64_t> ThinkingBudget(std::string_view reasoning_effort);

// True for the values OpenAI documents plus Anthropic's top tiers:
// none, minimal, low, medium, high, xhigh, max.
bool IsKnownReasoningEffort(std::string_view reasoning_effort);

}  // namespace sluice::translate::common
