#include "sluice/limit/costs.h"

#include <algorithm>

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

std::vector<std::pair<std::string_view, uint64_t>> ComputeCosts(
    const TokenUsage& usage, std::span<const config::Cost> route_costs,
    std::span<const config::Cost> global_costs) {
  std::vector<std::pair<std::string_view, uint64_t>> out;
  out.reserve(route_costs.size() + global_costs.size());
  auto add = [&](const config::Cost& cost) {
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const auto& kv) { return kv.first == cost.metadata_key; });
    if (!seen) out.emplace_back(cost.metadata_key, CostValue(usage, cost.type));
  };
  for (const config::Cost& cost : route_costs) add(cost);
  for (const config::Cost& cost : global_costs) add(cost);
  return out;
}

}  // namespace sluice::limit
