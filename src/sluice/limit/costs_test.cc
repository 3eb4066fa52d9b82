#include "sluice/limit/costs.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::limit {
namespace {

using config::Cost;
using config::CostType;
using Costs = std::vector<std::pair<std::string_view, uint64_t>>;

Costs Computed(const TokenUsage& usage, std::span<const Cost> route, std::span<const Cost> global) {
  Costs out;
  ComputeCosts(usage, route, global, out);
  return out;
}

TokenUsage Usage() {
  TokenUsage u;
  u.input = 2006;
  u.output = 300;
  u.total = 2306;
  u.cached_input = 1920;
  u.cache_creation_input = 7;
  u.reasoning = 256;
  return u;
}

TEST(CostsTest, EveryCostType) {
  TokenUsage u = Usage();
  EXPECT_EQ(CostValue(u, CostType::kInputToken), 2006u);
  EXPECT_EQ(CostValue(u, CostType::kOutputToken), 300u);
  EXPECT_EQ(CostValue(u, CostType::kTotalToken), 2306u);
  EXPECT_EQ(CostValue(u, CostType::kCachedInputToken), 1920u);
  EXPECT_EQ(CostValue(u, CostType::kCacheCreationInputToken), 7u);
  EXPECT_EQ(CostValue(u, CostType::kReasoningToken), 256u);
}

TEST(CostsTest, UnsetCountsAreZero) {
  TokenUsage u;
  u.input = 8;
  u.total = 8;  // an embeddings response
  std::vector<Cost> route = {{"in", CostType::kInputToken},
                             {"out", CostType::kOutputToken},
                             {"reasoning", CostType::kReasoningToken},
                             {"total", CostType::kTotalToken}};
  EXPECT_EQ(Computed(u, route, {}), (Costs{{"in", 8}, {"out", 0}, {"reasoning", 0}, {"total", 8}}));
}

// GatewayConfigSpec.globalLLMRequestCosts: a route cost with the same metadataKey overrides the
// global one; global costs fill in the keys the route does not define.
TEST(CostsTest, RouteCostsBeatGlobalCosts) {
  std::vector<Cost> route = {{"llm_input_token", CostType::kCachedInputToken},
                             {"route_only", CostType::kOutputToken}};
  std::vector<Cost> global = {{"llm_total_token", CostType::kTotalToken},
                              {"llm_input_token", CostType::kInputToken},
                              {"llm_reasoning", CostType::kReasoningToken}};
  EXPECT_EQ(Computed(Usage(), route, global), (Costs{{"llm_input_token", 1920},
                                                     {"route_only", 300},
                                                     {"llm_total_token", 2306},
                                                     {"llm_reasoning", 256}}));
}

TEST(CostsTest, GlobalOnlyAndRouteOnly) {
  std::vector<Cost> global = {{"g", CostType::kInputToken}};
  EXPECT_EQ(Computed(Usage(), {}, global), (Costs{{"g", 2006}}));
  std::vector<Cost> route = {{"r", CostType::kOutputToken}};
  EXPECT_EQ(Computed(Usage(), route, {}), (Costs{{"r", 300}}));
  EXPECT_EQ(Computed(Usage(), {}, {}), Costs{});
}

TEST(CostsTest, FirstCostOfAKeyWinsWithinAList) {
  std::vector<Cost> route = {{"k", CostType::kOutputToken}, {"k", CostType::kInputToken}};
  std::vector<Cost> global = {{"g", CostType::kTotalToken}, {"g", CostType::kInputToken}};
  EXPECT_EQ(Computed(Usage(), route, global), (Costs{{"k", 300}, {"g", 2306}}));
}

TEST(CostsTest, KeysAreCaseSensitive) {
  std::vector<Cost> route = {{"Tokens", CostType::kOutputToken}};
  std::vector<Cost> global = {{"tokens", CostType::kInputToken}};
  EXPECT_EQ(Computed(Usage(), route, global), (Costs{{"Tokens", 300}, {"tokens", 2006}}));
}

}  // namespace
}  // namespace sluice::limit
