// AutoConfigYaml: the resources `aigw run` generates from provider SDK variables (reference §8,
// internal/autoconfig in Envoy AI Gateway), checked through the RuntimeConfig they load into.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "sluice/config/load.h"

namespace sluice::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

GetEnv MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// Generates, loads with the same environment, and checks the load was clean.
std::shared_ptr<const RuntimeConfig> Generate(const std::map<std::string, std::string>& vars,
                                              std::string* yaml_out = nullptr) {
  const GetEnv env = MapEnv(vars);
  const std::optional<std::string> yaml = AutoConfigYaml(env);
  EXPECT_TRUE(yaml.has_value());
  if (!yaml.has_value()) return nullptr;
  if (yaml_out != nullptr) *yaml_out = *yaml;
  const LoadResult r = LoadText(*yaml, "autoconfig", env);
  EXPECT_THAT(r.errors, IsEmpty()) << Joined(r.errors) << *yaml;
  EXPECT_THAT(r.warnings, IsEmpty()) << Joined(r.warnings) << *yaml;
  EXPECT_THAT(r.ignored, IsEmpty());
  return r.config;
}

const Backend& OnlyBackend(const RuntimeConfig& c) {
  return *c.routes.at(0).rules.at(0).backend_refs.at(0).backend;
}

TEST(AutoConfig, NothingSetMeansNoAutoconfig) {
  EXPECT_EQ(AutoConfigYaml(MapEnv({})), std::nullopt);
  // aigw treats empty variables as unset.
  EXPECT_EQ(AutoConfigYaml(MapEnv({{"OPENAI_API_KEY", ""}, {"ANTHROPIC_API_KEY", ""}})),
            std::nullopt);
  const auto r = AutoConfig(MapEnv({{"OPENAI_BASE_URL", "http://localhost:1"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, std::nullopt);
}

TEST(AutoConfig, OpenAIDefaults) {
  std::string yaml;
  const auto c = Generate({{"OPENAI_API_KEY", "sk-openai"}}, &yaml);
  ASSERT_NE(c, nullptr);
  // The key is not copied into the text; the Secret names its variable.
  EXPECT_THAT(yaml, Not(HasSubstr("sk-openai")));
  ASSERT_THAT(c->listeners, SizeIs(1));
  EXPECT_EQ(c->listeners[0].gateway, "default/aigw-run");
  EXPECT_EQ(c->listeners[0].port, 1975);
  ASSERT_THAT(c->routes, SizeIs(1));
  const Route& route = c->routes[0];
  EXPECT_EQ(route.name, "default/aigw-run");
  EXPECT_THAT(route.parent_gateways, ElementsAre("default/aigw-run"));
  ASSERT_THAT(route.rules, SizeIs(1));
  const Rule& rule = route.rules[0];
  EXPECT_EQ(rule.request_timeout, std::chrono::seconds(120));
  ASSERT_THAT(rule.matches, SizeIs(1));
  ASSERT_THAT(rule.matches[0].headers, SizeIs(1));
  EXPECT_EQ(rule.matches[0].headers[0].name, "x-ai-eg-model");
  EXPECT_EQ(rule.matches[0].headers[0].type, MatchType::kRegularExpression);
  EXPECT_EQ(rule.matches[0].headers[0].value, ".*");
  ASSERT_THAT(route.costs, SizeIs(3));
  EXPECT_EQ(route.costs[0].metadata_key, "llm_input_token");
  EXPECT_EQ(route.costs[0].type, CostType::kInputToken);
  EXPECT_EQ(route.costs[1].metadata_key, "llm_output_token");
  EXPECT_EQ(route.costs[1].type, CostType::kOutputToken);
  EXPECT_EQ(route.costs[2].metadata_key, "llm_reasoning_token");
  EXPECT_EQ(route.costs[2].type, CostType::kReasoningToken);

  const Backend& b = OnlyBackend(*c);
  EXPECT_EQ(b.name, "default/openai");
  EXPECT_EQ(b.schema.name, SchemaName::kOpenAI);
  EXPECT_EQ(b.schema.prefix, "/v1");
  ASSERT_THAT(b.endpoints, SizeIs(1));
  EXPECT_EQ(b.endpoints[0].host, "api.openai.com");
  EXPECT_EQ(b.endpoints[0].port, 443);
  EXPECT_FALSE(b.endpoints[0].is_ip);
  EXPECT_EQ(b.host_header, "api.openai.com");
  EXPECT_TRUE(b.tls.enabled);
  EXPECT_EQ(b.tls.sni, "api.openai.com");
  EXPECT_TRUE(b.tls.use_system_cas);
  EXPECT_EQ(b.auth.type, UpstreamAuth::Type::kAPIKey);
  EXPECT_EQ(b.auth.header_name, "authorization");
  EXPECT_EQ(b.auth.header_value, "Bearer sk-openai");
  EXPECT_TRUE(b.header_mutation.empty());
}

TEST(AutoConfig, OpenAIOrganizationAndProjectHeaders) {
  const auto c = Generate(
      {{"OPENAI_API_KEY", "sk"}, {"OPENAI_ORG_ID", "org-123"}, {"OPENAI_PROJECT_ID", "proj_456"}});
  ASSERT_NE(c, nullptr);
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(OnlyBackend(*c).header_mutation.set,
            (Pairs{{"openai-organization", "org-123"}, {"openai-project", "proj_456"}}));
}

TEST(AutoConfig, LocalHttpBaseUrlWithIpLiteral) {
  const auto c =
      Generate({{"OPENAI_API_KEY", "unused"}, {"OPENAI_BASE_URL", "http://127.0.0.1:8080/v1"}});
  ASSERT_NE(c, nullptr);
  const Backend& b = OnlyBackend(*c);
  ASSERT_THAT(b.endpoints, SizeIs(1));
  EXPECT_EQ(b.endpoints[0].host, "127.0.0.1");
  EXPECT_EQ(b.endpoints[0].port, 8080);
  EXPECT_TRUE(b.endpoints[0].is_ip);
  EXPECT_EQ(b.host_header, "127.0.0.1:8080");
  EXPECT_FALSE(b.tls.enabled);
  EXPECT_EQ(b.schema.prefix, "/v1");
}

TEST(AutoConfig, Ipv6AndLocalhostBaseUrls) {
  auto c = Generate({{"OPENAI_API_KEY", "k"}, {"OPENAI_BASE_URL", "http://[::1]:11434/v1"}});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(OnlyBackend(*c).endpoints.at(0).host, "::1");
  EXPECT_TRUE(OnlyBackend(*c).endpoints.at(0).is_ip);
  EXPECT_EQ(OnlyBackend(*c).host_header, "[::1]:11434");

  // Sluice runs on the host, so localhost stays localhost (aigw rewrites it to 127.0.0.1.nip.io
  // for its Docker-based Envoy).
  c = Generate({{"OPENAI_API_KEY", "k"}, {"OPENAI_BASE_URL", "http://localhost:11434"}});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(OnlyBackend(*c).endpoints.at(0).host, "localhost");
  EXPECT_EQ(OnlyBackend(*c).host_header, "localhost");  // bare name, as Envoy's auto host rewrite
  EXPECT_EQ(OnlyBackend(*c).schema.prefix, "/v1");
}

TEST(AutoConfig, BaseUrlPathBecomesPrefix) {
  const auto c =
      Generate({{"OPENAI_API_KEY", "k"},
                {"OPENAI_BASE_URL", "https://generativelanguage.googleapis.com/v1beta/openai/"}});
  ASSERT_NE(c, nullptr);
  const Backend& b = OnlyBackend(*c);
  EXPECT_EQ(b.schema.prefix, "/v1beta/openai");
  EXPECT_EQ(b.schema.version, "");
  EXPECT_EQ(b.host_header, "generativelanguage.googleapis.com");
  EXPECT_EQ(b.tls.sni, "generativelanguage.googleapis.com");
}

TEST(AutoConfig, AzureWinsOverOpenAI) {
  const auto c = Generate({{"AZURE_OPENAI_API_KEY", "az-key"},
                           {"AZURE_OPENAI_ENDPOINT", "https://my-resource.openai.azure.com/"},
                           {"OPENAI_API_VERSION", "2024-10-21"},
                           {"OPENAI_API_KEY", "sk-ignored"}});
  ASSERT_NE(c, nullptr);
  const Backend& b = OnlyBackend(*c);
  EXPECT_EQ(b.schema.name, SchemaName::kAzureOpenAI);
  EXPECT_EQ(b.schema.version, "2024-10-21");
  EXPECT_EQ(b.host_header, "my-resource.openai.azure.com");
  EXPECT_TRUE(b.tls.enabled);
  EXPECT_EQ(b.auth.type, UpstreamAuth::Type::kAzureAPIKey);
  EXPECT_EQ(b.auth.header_name, "api-key");
  EXPECT_EQ(b.auth.header_value, "az-key");
}

TEST(AutoConfig, AzureNeedsEndpointAndVersion) {
  const auto missing_endpoint =
      AutoConfig(MapEnv({{"AZURE_OPENAI_API_KEY", "k"}, {"OPENAI_API_VERSION", "2024-10-21"}}));
  ASSERT_FALSE(missing_endpoint.ok());
  EXPECT_EQ(missing_endpoint.error().message(),
            "AZURE_OPENAI_ENDPOINT environment variable is required when AZURE_OPENAI_API_KEY is "
            "set");
  const auto missing_version = AutoConfig(MapEnv(
      {{"AZURE_OPENAI_API_KEY", "k"}, {"AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com"}}));
  ASSERT_FALSE(missing_version.ok());
  EXPECT_THAT(missing_version.error().message(), HasSubstr("OPENAI_API_VERSION"));

  // Callers that only use AutoConfigYaml still get the reason when they load it.
  const GetEnv env = MapEnv({{"AZURE_OPENAI_API_KEY", "k"}});
  const std::optional<std::string> yaml = AutoConfigYaml(env);
  ASSERT_TRUE(yaml.has_value());
  const LoadResult r = LoadText(*yaml, "<autoconfig>", env);
  EXPECT_EQ(r.config, nullptr);
  EXPECT_THAT(r.errors, ElementsAre("<autoconfig>: autoconfig: AZURE_OPENAI_ENDPOINT environment "
                                    "variable is required when AZURE_OPENAI_API_KEY is set"));
}

TEST(AutoConfig, Anthropic) {
  const auto c = Generate({{"ANTHROPIC_API_KEY", "sk-ant-1"}});
  ASSERT_NE(c, nullptr);
  const Backend& b = OnlyBackend(*c);
  EXPECT_EQ(b.name, "default/anthropic");
  EXPECT_EQ(b.schema.name, SchemaName::kAnthropic);
  EXPECT_EQ(b.schema.prefix, "/v1");
  EXPECT_EQ(b.host_header, "api.anthropic.com");
  EXPECT_EQ(b.tls.sni, "api.anthropic.com");
  EXPECT_EQ(b.auth.type, UpstreamAuth::Type::kAnthropicAPIKey);
  EXPECT_EQ(b.auth.header_name, "x-api-key");
  EXPECT_EQ(b.auth.header_value, "sk-ant-1");
  // OPENAI_* header variables belong to the OpenAI SDK only.
  EXPECT_TRUE(b.header_mutation.empty());

  const auto local = Generate(
      {{"ANTHROPIC_API_KEY", "k"}, {"ANTHROPIC_BASE_URL", "http://127.0.0.1:9000/proxy/v1"}});
  ASSERT_NE(local, nullptr);
  EXPECT_EQ(OnlyBackend(*local).schema.prefix, "/proxy/v1");
  EXPECT_EQ(OnlyBackend(*local).host_header, "127.0.0.1:9000");
}

TEST(AutoConfig, OpenAIWinsOverAnthropic) {
  const auto c = Generate({{"OPENAI_API_KEY", "a"}, {"ANTHROPIC_API_KEY", "b"}});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(OnlyBackend(*c).schema.name, SchemaName::kOpenAI);
}

TEST(AutoConfig, KeysAndValuesWithYamlAndDollarCharactersSurvive) {
  const auto c = Generate({{"OPENAI_API_KEY", "a\"b: ${X} #c"}, {"OPENAI_ORG_ID", "o\"${Y}'"}});
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(OnlyBackend(*c).auth.header_value, "Bearer a\"b: ${X} #c");
  EXPECT_EQ(OnlyBackend(*c).header_mutation.set.at(0).second, "o\"${Y}'");
}

TEST(AutoConfig, BadBaseUrls) {
  for (const auto& [url, why] : std::vector<std::pair<std::string, std::string>>{
           {"ftp://example.com/v1", "unsupported scheme \"ftp\""},
           {"not a url", "invalid OPENAI_BASE_URL \"not a url\""},
           {"http://:8080/v1", "missing hostname"},
       }) {
    const auto r = AutoConfig(MapEnv({{"OPENAI_API_KEY", "k"}, {"OPENAI_BASE_URL", url}}));
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_THAT(r.error().message(), HasSubstr(why)) << url;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument);
  }
}

}  // namespace
}  // namespace sluice::config
