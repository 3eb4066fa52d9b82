// Unit tests of the small pieces under the loader: ${VAR} substitution, durations, RFC 3339,
// prefix and body-mutation normalisation, the enum spellings.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "sluice/config/duration.h"
#include "sluice/config/envsubst.h"
#include "sluice/config/parse.h"

namespace sluice::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

GetEnv MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(SubstituteEnv, Forms) {
  const GetEnv env = MapEnv({{"A", "alpha"}, {"EMPTY", ""}, {"PORT", "8080"}});
  std::vector<std::string> warnings;
  auto sub = [&](std::string_view text) { return SubstituteEnv(text, "f.yaml", env, warnings); };
  EXPECT_EQ(sub("x: ${A}"), "x: alpha");
  EXPECT_EQ(sub("${A}${A}-${PORT}"), "alphaalpha-8080");
  EXPECT_EQ(sub("${MISSING:=fallback}"), "fallback");
  EXPECT_EQ(sub("${A:=fallback}"), "alpha");
  EXPECT_EQ(sub("${EMPTY:=fallback}"), "fallback");  // := also replaces an empty value
  EXPECT_EQ(sub("${EMPTY=fallback}"), "");           // = only replaces an unset one
  EXPECT_EQ(sub("${MISSING=fallback}"), "fallback");
  EXPECT_EQ(sub("${MISSING:-dash}"), "dash");
  EXPECT_EQ(sub("${MISSING:=}"), "");
  EXPECT_EQ(sub("${MISSING:=http://h:1/v1}"), "http://h:1/v1");
  EXPECT_THAT(warnings, IsEmpty());
  // Regexes and CEL keep their '$'; "$${" escapes a literal "${".
  EXPECT_EQ(sub("value: ^gpt-4$ and $HOME and $${A}"), "value: ^gpt-4$ and $HOME and ${A}");
  EXPECT_EQ(sub("${not valid}"), "${not valid}");
  EXPECT_THAT(warnings, IsEmpty());
  EXPECT_EQ(sub("key: ${NOPE} ${NOPE} ${ALSO_NOPE}"), "key:   ");
  EXPECT_THAT(warnings,
              ElementsAre("f.yaml: ${NOPE} is not set; substituted an empty string",
                          "f.yaml: ${ALSO_NOPE} is not set; substituted an empty string"));
  warnings.clear();
  EXPECT_EQ(sub("tail ${A"), "tail ${A");
  EXPECT_THAT(warnings, ElementsAre("f.yaml: unterminated \"${\" left as is"));
}

TEST(GatewayDuration, ValidAndInvalid) {
  using std::chrono::milliseconds;
  EXPECT_EQ(ParseGatewayDuration("60s"), milliseconds(60000));
  EXPECT_EQ(ParseGatewayDuration("1m"), milliseconds(60000));
  EXPECT_EQ(ParseGatewayDuration("500ms"), milliseconds(500));
  EXPECT_EQ(ParseGatewayDuration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(ParseGatewayDuration("2h1m1s1ms"), milliseconds(7261001));
  EXPECT_EQ(ParseGatewayDuration("0s"), milliseconds(0));
  EXPECT_EQ(ParseGatewayDuration("99999s"), milliseconds(99999000));
  for (const char* bad : {"", "1", "1.5s", "-1s", "1d", "s", "100000s", "1h1m1s1ms1ms", " 1s"}) {
    EXPECT_EQ(ParseGatewayDuration(bad), std::nullopt) << bad;
  }
}

TEST(Rfc3339, ParsesToUnixSeconds) {
  // Expected values from `date -u -d <time> +%s`.
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2024-05-21T10:00:00Z"), 1716285600);
  EXPECT_EQ(ParseRfc3339("2024-05-21T12:00:00+02:00"), 1716285600);
  EXPECT_EQ(ParseRfc3339("2024-05-21T10:00:00.123456Z"), 1716285600);
  EXPECT_EQ(ParseRfc3339("2024-02-29T23:59:59Z"), 1709251199);
  for (const char* bad : {"2024-05-21", "2024-05-21T10:00:00", "2024-13-01T00:00:00Z",
                          "2024-05-21 10:00:00Z", "yesterday"}) {
    EXPECT_EQ(ParseRfc3339(bad), std::nullopt) << bad;
  }
}

TEST(Normalize, PrefixAndBodyValues) {
  EXPECT_EQ(NormalizePrefix("v1beta/openai"), "/v1beta/openai");
  EXPECT_EQ(NormalizePrefix("/v1beta/openai"), "/v1beta/openai");
  EXPECT_EQ(NormalizePrefix("//v1//"), "/v1");
  EXPECT_EQ(NormalizePrefix("/"), "");
  EXPECT_EQ(NormalizePrefix(""), "");
  EXPECT_EQ(NormalizeBodyMutationValue("scale"), "\"scale\"");
  EXPECT_EQ(NormalizeBodyMutationValue("\"scale\""), "\"scale\"");
  EXPECT_EQ(NormalizeBodyMutationValue("42"), "42");
  EXPECT_EQ(NormalizeBodyMutationValue("-1.5e3"), "-1.5e3");
  EXPECT_EQ(NormalizeBodyMutationValue("null"), "null");
  EXPECT_EQ(NormalizeBodyMutationValue("[1, 2]"), "[1, 2]");
  EXPECT_EQ(NormalizeBodyMutationValue("{\"k\": \"v\"}"), "{\"k\": \"v\"}");
  EXPECT_EQ(NormalizeBodyMutationValue("{broken"), "\"{broken\"");
  EXPECT_EQ(NormalizeBodyMutationValue(""), "\"\"");
  EXPECT_EQ(NormalizeBodyMutationValue("tab\there"), "\"tab\\there\"");
}

TEST(EnumSpellings, RoundTrip) {
  for (const char* name : {"OpenAI", "AzureOpenAI", "Anthropic", "AWSBedrock", "AWSAnthropic",
                           "GCPVertexAI", "GCPAnthropic", "Cohere"}) {
    const auto parsed = ParseSchemaName(name);
    ASSERT_TRUE(parsed.has_value()) << name;
    EXPECT_EQ(SchemaNameString(*parsed), name);
  }
  EXPECT_EQ(ParseSchemaName("openai"), std::nullopt);
  for (const char* type : {"InputToken", "OutputToken", "TotalToken", "CachedInputToken",
                           "CacheCreationInputToken", "ReasoningToken"}) {
    const auto parsed = ParseCostType(type);
    ASSERT_TRUE(parsed.has_value()) << type;
    EXPECT_EQ(CostTypeString(*parsed), type);
  }
  EXPECT_EQ(ParseCostType("CEL"), std::nullopt);
}

}  // namespace
}  // namespace sluice::config
