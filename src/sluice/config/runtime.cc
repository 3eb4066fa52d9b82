#include "sluice/config/runtime.h"

#include <array>

namespace sluice::config {

namespace {

// Spellings from the AIServiceBackend schema enum and the LLMRequestCost type enum
// (api/v1beta1/shared_types.go).
constexpr std::array<std::pair<SchemaName, std::string_view>, 8> kSchemaNames = {{
    {SchemaName::kOpenAI, "OpenAI"},
    {SchemaName::kAzureOpenAI, "AzureOpenAI"},
    {SchemaName::kAnthropic, "Anthropic"},
    {SchemaName::kAWSBedrock, "AWSBedrock"},
    {SchemaName::kAWSAnthropic, "AWSAnthropic"},
    {SchemaName::kGCPVertexAI, "GCPVertexAI"},
    {SchemaName::kGCPAnthropic, "GCPAnthropic"},
    {SchemaName::kCohere, "Cohere"},
}};

constexpr std::array<std::pair<CostType, std::string_view>, 6> kCostTypes = {{
    {CostType::kInputToken, "InputToken"},
    {CostType::kOutputToken, "OutputToken"},
    {CostType::kTotalToken, "TotalToken"},
    {CostType::kCachedInputToken, "CachedInputToken"},
    {CostType::kCacheCreationInputToken, "CacheCreationInputToken"},
    {CostType::kReasoningToken, "ReasoningToken"},
}};

}  // namespace

std::string_view SchemaNameString(SchemaName name) {
  for (const auto& [value, text] : kSchemaNames) {
    if (value == name) return text;
  }
  return "Unknown";
}

std::optional<SchemaName> ParseSchemaName(std::string_view name) {
  for (const auto& [value, text] : kSchemaNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::string_view CostTypeString(CostType type) {
  for (const auto& [value, text] : kCostTypes) {
    if (value == type) return text;
  }
  return "Unknown";
}

std::optional<CostType> ParseCostType(std::string_view type) {
  for (const auto& [value, text] : kCostTypes) {
    if (text == type) return value;
  }
  return std::nullopt;
}

}  // namespace sluice::config
