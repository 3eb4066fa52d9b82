#pragma once

// Request costs from token usage (Envoy AI Gateway reference §5; AIGatewayRoute
// spec.llmRequestCosts and GatewayConfig spec.globalLLMRequestCosts). Evaluated once, at the end of
// a successful response.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "sluice/config/runtime.h"
#include "sluice/limit/usage.h"

namespace sluice::limit {

// The count a cost type takes from `usage`; an unset count is 0.
uint64_t CostValue(const TokenUsage& usage, config::CostType type);

// (metadataKey, value) for each distinct key: route costs first, then global costs for keys no
// route cost set ("If the route defines LLMRequestCosts with a matching metadataKey, use that.
// Otherwise, fall back to the global cost with that metadataKey", GatewayConfigSpec docs).
// Within one list the first cost naming a key decides it. Order: route keys in list order, then
// global ones. The keys view the costs' metadata_key strings. Appended to `out`, a container of
// (std::string_view, uint64_t) pairs, which the caller picks (the access log keeps a few inline).
template <typename Out>
void ComputeCosts(const TokenUsage& usage, std::span<const config::Cost> route_costs,
                  std::span<const config::Cost> global_costs, Out& out) {
  const size_t first = out.size();
  auto add = [&](const config::Cost& cost) {
    for (size_t i = first; i < out.size(); ++i) {
      if (out[i].first == cost.metadata_key) return;
    }
    out.emplace_back(cost.metadata_key, CostValue(usage, cost.type));
  };
  for (const config::Cost& cost : route_costs) add(cost);
  for (const config::Cost& cost : global_costs) add(cost);
}

}  // namespace sluice::limit
