#include "sluice/limit/costs.h"

namespace sluice::limit {

uint64_t CostValue(const TokenUsage& usage, config::CostType type) {
  switch (type) {
    case config::CostType::kInputToken:
      return usage.input.value_or(0);
    case config::CostType::kOutputToken:
      return usage.output.value_or(0);
    case config::CostType::kTotalToken:
      return usage.total.value_or(0);
    case config::CostType::kCachedInputToken:
      return usage.cached_input.value_or(0);
    case config::CostType::kCacheCreationInputToken:
      return usage.cache_creation_input.value_or(0);
    case config::CostType::kReasoningToken:
      return usage.reasoning.value_or(0);
  }
  return 0;
}

}  // namespace sluice::limit
