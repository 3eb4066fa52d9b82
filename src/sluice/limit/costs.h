#pragma once

// Request costs from token usage (Envoy AI Gateway reference §5; AIGatewayRoute
// spec.llmRequestCosts and GatewayConfig spec.globalLLMRequestCosts). Evaluated once, at the end of
// a successful response.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/config/runtime.h"
#include "sluice/limit/usage.h"

namespace sluice::limit {

// The count a cost type takes from `usage`; an unset count is 0.
uint64_t CostValue(const TokenUsage& usage, config::CostType type);

// (metadataKey, value) for each distinct key: route costs first, then global costs for keys no
// route cost set ("If the route defines LLMRequestCosts with a matching metadataKey, use that.
// Otherwise, fall back to the global cost with that metadataKey", GatewayConfigSpec docs).
// Within one list the first cost naming a key decides it. Order: route keys in list order, then
// global ones. The keys view the costs' metadata_key strings.
std::vector<std::pair<std::string_view, uint64_t>> ComputeCosts(
    const TokenUsage& usage, std::span<const config::Cost> route_costs,
    std::span<const config::Cost> global_costs);

}  // namespace sluice::limit
