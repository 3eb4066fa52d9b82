#include "sluice/config/load.h"
#include "sluice/core/strings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <boost/json/parse.hpp>
#include <map>
#include <string>

namespace sluice::config {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

const std::string kTestdata = SLUICE_TESTDATA_DIR;

GetEnv MapEnv(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

LoadResult Load(std::string_view yaml, std::map<std::string, std::string> env = {}) {
  return LoadText(yaml, "test.yaml", MapEnv(std::move(env)));
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// A minimal valid configuration: one Gateway, one OpenAI backend at 127.0.0.1:8080 with an APIKey
// policy, one route for model "m1". Tests append or replace documents.
constexpr std::string_view kGateway = R"(
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
spec:
  listeners:
    - name: http
      protocol: HTTP
      port: 8080
)";

constexpr std::string_view kBackend = R"(
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata:
  name: upstream
spec:
  endpoints:
    - ip:
        address: 127.0.0.1
        port: 8080
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata:
  name: openai
spec:
  schema:
    name: OpenAI
  backendRef:
    name: upstream
    kind: Backend
    group: gateway.envoyproxy.io
---
apiVersion: v1
kind: Secret
metadata:
  name: key
stringData:
  apiKey: "  sk-test \n"
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: BackendSecurityPolicy
metadata:
  name: key
spec:
  targetRefs:
    - group: aigateway.envoyproxy.io
      kind: AIServiceBackend
      name: openai
  type: APIKey
  apiKey:
    secretRef:
      name: key
)";

constexpr std::string_view kRoute = R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: route
spec:
  parentRefs:
    - name: gw
  rules:
    - matches:
        - headers:
            - name: x-ai-eg-model
              value: m1
      backendRefs:
        - name: openai
)";

// Replaces the first `from` in `s`, failing the test when it is absent.
std::string Replace(std::string s, std::string_view from, std::string_view to) {
  const size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << "fixture edit not found: " << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

constexpr std::string_view kEndpointBlock =
    "    - ip:\n        address: 127.0.0.1\n        port: 8080\n";

std::string Base() { return std::string(kGateway) + std::string(kBackend) + std::string(kRoute); }

const Backend& FirstBackend(const LoadResult& r) {
  return *r.config->routes.at(0).rules.at(0).backend_refs.at(0).backend;
}

// ---------------------------------------------------------------------------------------------
// The upstream project's examples.

TEST(LoadExamples, BasicV1Alpha1ExampleLoads) {
  const LoadResult r = LoadFiles({kTestdata + "/basic.yaml"}, MapEnv());
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  ASSERT_NE(r.config, nullptr);
  const RuntimeConfig& c = *r.config;

  ASSERT_THAT(c.listeners, SizeIs(1));
  EXPECT_EQ(c.listeners[0].gateway, "default/envoy-ai-gateway-basic");
  EXPECT_EQ(c.listeners[0].port, 80);

  ASSERT_THAT(c.routes, SizeIs(1));
  const Route& route = c.routes[0];
  EXPECT_EQ(route.name, "default/envoy-ai-gateway-basic");
  EXPECT_THAT(route.parent_gateways, ElementsAre("default/envoy-ai-gateway-basic"));
  ASSERT_THAT(route.rules, SizeIs(3));
  EXPECT_EQ(route.rules[0].name, "rule/0");
  EXPECT_EQ(route.rules[2].name, "rule/2");
  EXPECT_EQ(route.rules[0].request_timeout, std::chrono::seconds(60));
  ASSERT_THAT(route.rules[1].matches, SizeIs(1));
  const HeaderMatch& h = route.rules[1].matches[0].headers.at(0);
  EXPECT_EQ(h.name, "x-ai-eg-model");
  EXPECT_EQ(h.type, MatchType::kExact);
  EXPECT_EQ(h.value, "us.meta.llama3-2-1b-instruct-v1:0");

  const Backend& openai = *route.rules[0].backend_refs.at(0).backend;
  EXPECT_EQ(openai.name, "default/envoy-ai-gateway-basic-openai");
  EXPECT_EQ(openai.schema.name, SchemaName::kOpenAI);
  EXPECT_EQ(openai.schema.prefix, "/v1");
  EXPECT_EQ(openai.backend_ref, "default/envoy-ai-gateway-basic-openai");
  EXPECT_EQ(openai.host_header, "api.openai.com");
  EXPECT_TRUE(openai.tls.enabled);
  EXPECT_EQ(openai.tls.sni, "api.openai.com");
  EXPECT_TRUE(openai.tls.use_system_cas);
  EXPECT_EQ(openai.auth.type, UpstreamAuth::Type::kAPIKey);
  EXPECT_EQ(openai.auth.header_name, "authorization");
  EXPECT_EQ(openai.auth.header_value, "Bearer OPENAI_API_KEY");
  EXPECT_EQ(openai.auth.policy_name, "default/envoy-ai-gateway-basic-openai-apikey");

  const Backend& aws = *route.rules[1].backend_refs.at(0).backend;
  EXPECT_EQ(aws.schema.name, SchemaName::kAWSBedrock);
  EXPECT_EQ(aws.auth.type, UpstreamAuth::Type::kAWSCredentials);
  EXPECT_EQ(aws.auth.unsupported_type, "");
  EXPECT_EQ(aws.auth.aws.region, "us-east-1");
  EXPECT_EQ(aws.auth.aws.source, AwsAuth::Source::kCredentialsFile);
  EXPECT_EQ(aws.auth.aws.profile, "default");
  EXPECT_EQ(aws.auth.aws.credentials_secret, "default/envoy-ai-gateway-basic-aws-credentials");
  EXPECT_EQ(aws.auth.aws.credentials_file,
            "[default]\naws_access_key_id = AWS_ACCESS_KEY_ID\n"
            "aws_secret_access_key = AWS_SECRET_ACCESS_KEY\n");
  ASSERT_NE(aws.auth.aws.credentials, nullptr);
  EXPECT_EQ(aws.auth.aws.credentials->Load(), nullptr);  // resolved by auth, not by config
  EXPECT_EQ(aws.host_header, "bedrock-runtime.us-east-1.amazonaws.com");

  const Backend& self_hosted = *route.rules[2].backend_refs.at(0).backend;
  EXPECT_FALSE(self_hosted.tls.enabled);
  EXPECT_EQ(self_hosted.host_header,
            "envoy-ai-gateway-basic-testupstream.default.svc.cluster.local");

  // One deprecation warning per aigateway.envoyproxy.io/v1alpha1 resource (1 route, 5 backends,
  // 4 policies), the two credential types Sluice does not apply yet, the removed route schema.
  int deprecations = 0;
  for (const std::string& w : r.warnings) {
    if (w.find("v1alpha1 is deprecated") != std::string::npos) ++deprecations;
  }
  EXPECT_EQ(deprecations, 10) << Joined(r.warnings);
  EXPECT_THAT(r.warnings, Not(Contains(HasSubstr("AWSCredentials is not supported yet"))));
  EXPECT_THAT(r.warnings, Contains(HasSubstr("GCPCredentials is not supported yet")));
  EXPECT_THAT(r.warnings, Contains(HasSubstr("AzureCredentials is not supported yet")));
  EXPECT_THAT(r.warnings, Contains(AllOf(HasSubstr("basic.yaml: AIGatewayRoute default/envoy-ai-"
                                                   "gateway-basic: spec.schema: removed"))));
  EXPECT_THAT(r.ignored, ElementsAre("GatewayClass default/envoy-ai-gateway-basic",
                                     "Deployment default/envoy-ai-gateway-basic-testupstream",
                                     "Service default/envoy-ai-gateway-basic-testupstream"));
}

TEST(LoadExamples, OpenAIV1Beta1ExampleLoadsWithoutWarnings) {
  const LoadResult r = LoadFiles({kTestdata + "/openai_v1beta1.yaml"}, MapEnv());
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty()) << Joined(r.warnings);
  const Backend& b = FirstBackend(r);
  EXPECT_TRUE(b.tls.enabled);
  EXPECT_EQ(b.tls.sni, "api.openai.com");
  EXPECT_EQ(b.auth.header_value, "Bearer OPENAI_API_KEY");
}

TEST(LoadExamples, UpgradeV05BeforeFailsWithGuidance) {
  const LoadResult r = LoadFiles({kTestdata + "/upgrade_v05_before.yaml"}, MapEnv());
  EXPECT_EQ(r.config, nullptr);
  ASSERT_THAT(r.errors, SizeIs(2)) << Joined(r.errors);
  EXPECT_THAT(r.errors[0],
              AllOf(HasSubstr("upgrade_v05_before.yaml: AIGatewayRoute default/gemini: "
                              "spec.filterConfig: was removed in v0.6"),
                    HasSubstr("GatewayConfig"),
                    HasSubstr("annotation aigateway.envoyproxy.io/gateway-config")));
  EXPECT_THAT(r.errors[1],
              AllOf(HasSubstr("AIServiceBackend default/gemini: spec.schema.version: "),
                    HasSubstr("use schema.prefix: \"/v1beta/openai\" instead")));
}

TEST(LoadExamples, UpgradeV06AfterLoads) {
  const LoadResult r = LoadFiles({kTestdata + "/upgrade_v06_after.yaml"}, MapEnv());
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty()) << Joined(r.warnings);
  const RuntimeConfig& c = *r.config;
  ASSERT_THAT(c.global_costs, SizeIs(2));
  EXPECT_EQ(c.global_costs[0].metadata_key, "llm_input_token");
  EXPECT_EQ(c.global_costs[0].type, CostType::kInputToken);
  EXPECT_EQ(c.global_costs[1].type, CostType::kTotalToken);
  ASSERT_THAT(c.routes.at(0).costs, SizeIs(1));
  EXPECT_EQ(c.routes[0].costs[0].metadata_key, "llm_total_token");
  EXPECT_EQ(FirstBackend(r).schema.prefix, "/v1beta/openai");
  EXPECT_EQ(FirstBackend(r).host_header, "generativelanguage.googleapis.com");
}

TEST(LoadExamples, AigwGeneratedVersionPathIsRejectedWithPrefixHint) {
  const LoadResult r =
      LoadFiles({kTestdata + "/aigw_llamastack_ip.yaml"}, MapEnv({{"OPENAI_API_KEY", "sk-x"}}));
  ASSERT_THAT(r.errors, SizeIs(1)) << Joined(r.errors);
  EXPECT_THAT(r.errors[0],
              HasSubstr("AIServiceBackend default/openai: spec.schema.version: "
                        "\"v1/openai/v1\": schema.version is no longer a path prefix"));
  EXPECT_THAT(r.errors[0], HasSubstr("use schema.prefix: \"/v1/openai/v1\" instead"));
  EXPECT_THAT(r.ignored,
              ElementsAre("GatewayClass default/aigw-run", "EnvoyProxy default/envoy-ai-gateway",
                          "ClientTrafficPolicy default/client-buffer-limit"));
  EXPECT_THAT(r.warnings, Contains(HasSubstr("spec.timeouts: has no effect")));
}

TEST(LoadExamples, AigwLocalWithDefaultsAndOverrides) {
  LoadResult r = LoadFiles({kTestdata + "/aigw_local.yaml"}, MapEnv());
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_EQ(FirstBackend(r).host_header, "127.0.0.1.nip.io");
  EXPECT_EQ(r.config->routes.at(0).rules.at(0).request_timeout, std::chrono::seconds(120));
  EXPECT_THAT(r.warnings, Contains(HasSubstr("AIGatewayRoute default/aigw-run: spec.apis: unknown "
                                             "field; ignored")));
  EXPECT_THAT(r.warnings, Contains(HasSubstr("AIServiceBackend default/ollama: spec.timeouts: has "
                                             "no effect; set rules[].timeouts on the "
                                             "AIGatewayRoute")));

  r = LoadFiles({kTestdata + "/aigw_local.yaml"},
                MapEnv({{"OPENAI_HOST", "localhost"}, {"OPENAI_PORT", "8080"}}));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_EQ(FirstBackend(r).host_header, "localhost");
  EXPECT_EQ(FirstBackend(r).endpoints.at(0).port, 8080);
}

TEST(LoadFiles, FolderLoadsYamlFilesSortedAndSkipsOthers) {
  const LoadResult r = LoadFiles({kTestdata + "/split"}, MapEnv());
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.config->source_files, ElementsAre(kTestdata + "/split/10-gateway.yaml",
                                                  kTestdata + "/split/20-backends.yml"));
  EXPECT_EQ(r.config->routes.at(0).rules.at(0).name, "local");
  EXPECT_EQ(FirstBackend(r).host_header, "127.0.0.1:11434");
}

TEST(LoadFiles, MissingPathIsAnError) {
  const LoadResult r = LoadFiles({kTestdata + "/nope.yaml"}, MapEnv());
  EXPECT_EQ(r.config, nullptr);
  EXPECT_THAT(r.errors, ElementsAre(kTestdata + "/nope.yaml: no such file or directory"));
}

// ---------------------------------------------------------------------------------------------
// The base configuration and what it compiles to.

TEST(Load, BaseConfigCompiles) {
  const LoadResult r = Load(Base());
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty()) << Joined(r.warnings);
  const RuntimeConfig& c = *r.config;
  EXPECT_THAT(c.source_files, ElementsAre("test.yaml"));
  EXPECT_GT(c.load_time, 1700000000);
  ASSERT_THAT(c.listeners, SizeIs(1));
  EXPECT_EQ(c.listeners[0].name, "http");
  EXPECT_EQ(c.listeners[0].port, 8080);
  EXPECT_EQ(c.listeners[0].gateway, "default/gw");
  const Rule& rule = c.routes.at(0).rules.at(0);
  EXPECT_EQ(rule.models_owned_by, "Envoy AI Gateway");
  EXPECT_EQ(rule.models_created_at, c.load_time);
  const RuleBackendRef& ref = rule.backend_refs.at(0);
  EXPECT_EQ(ref.weight, 1u);
  EXPECT_EQ(ref.priority, 0u);
  EXPECT_EQ(ref.model_name_override, "");
  const Backend& b = *ref.backend;
  EXPECT_EQ(b.name, "default/openai");
  ASSERT_THAT(b.endpoints, SizeIs(1));
  EXPECT_EQ(b.endpoints[0].host, "127.0.0.1");
  EXPECT_EQ(b.endpoints[0].port, 8080);
  EXPECT_TRUE(b.endpoints[0].is_ip);
  EXPECT_EQ(b.host_header, "127.0.0.1:8080");
  EXPECT_FALSE(b.tls.enabled);
  // The key is trimmed (reference §4: "Authorization: Bearer <key> (trimmed)").
  EXPECT_EQ(b.auth.header_value, "Bearer sk-test");
}

TEST(Load, EveryErrorNamesFileResourceAndFieldAndAllAreCollected) {
  const std::string yaml = std::string(kGateway) + R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata:
  name: bad-schema
  namespace: team-a
spec:
  schema:
    name: OpenAl
  backendRef:
    name: missing-backend
    kind: Backend
    group: gateway.envoyproxy.io
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: r
spec:
  rules:
    - matches:
        - headers:
            - name: x-ai-eg-model
              type: RegularExpression
              value: "gpt-(4"
      backendRefs:
        - name: nowhere
  llmRequestCosts:
    - metadataKey: cel
      type: CEL
      cel: input_tokens * 2
    - metadataKey: odd
      type: Tokens
)";
  const LoadResult r = Load(yaml);
  EXPECT_EQ(r.config, nullptr);
  EXPECT_THAT(
      r.errors,
      ElementsAre(
          "test.yaml: AIServiceBackend team-a/bad-schema: spec.schema.name: unknown schema name "
          "\"OpenAl\" (expected one of OpenAI, AzureOpenAI, Anthropic, AWSBedrock, AWSAnthropic, "
          "GCPVertexAI, GCPAnthropic, Cohere)",
          "test.yaml: AIGatewayRoute default/r: spec.rules[0].matches[0].headers[0].value: invalid "
          "regular expression \"gpt-(4\": missing ): gpt-(4",
          "test.yaml: AIGatewayRoute default/r: spec.llmRequestCosts[0].type: CEL costs are not "
          "supported yet",
          "test.yaml: AIGatewayRoute default/r: spec.llmRequestCosts[1].type: invalid cost type "
          "\"Tokens\" (expected one of InputToken, OutputToken, TotalToken, CachedInputToken, "
          "CacheCreationInputToken, ReasoningToken, CEL)",
          "test.yaml: AIServiceBackend team-a/bad-schema: spec.backendRef: Backend "
          "team-a/missing-backend not found",
          "test.yaml: AIGatewayRoute default/r: spec.rules[0].backendRefs[0].name: "
          "AIServiceBackend default/nowhere not found"));
}

// ---------------------------------------------------------------------------------------------
// Individual errors.

TEST(LoadErrors, PolicyPointingAtMissingSecret) {
  const LoadResult r =
      Load(Replace(Base(), "secretRef:\n      name: key", "secretRef:\n      name: gone"));
  EXPECT_THAT(r.errors, ElementsAre("test.yaml: BackendSecurityPolicy default/key: "
                                    "spec.apiKey.secretRef: Secret default/gone not found"));
}

TEST(LoadErrors, SecretWithoutApiKey) {
  const LoadResult r = Load(Replace(Base(), "  apiKey: \"  sk-test", "  token: \"  sk-test"));
  EXPECT_THAT(r.errors, ElementsAre("test.yaml: BackendSecurityPolicy default/key: "
                                    "spec.apiKey.secretRef: Secret default/key has no key "
                                    "\"apiKey\""));
}

TEST(LoadErrors, MissingBackendOfServiceBackend) {
  const LoadResult r =
      Load(Replace(Base(), "    name: upstream\n    kind", "    name: upstreem\n    kind"));
  EXPECT_THAT(r.errors, ElementsAre("test.yaml: AIServiceBackend default/openai: "
                                    "spec.backendRef: Backend default/upstreem not found"));
}

TEST(LoadErrors, DuplicateAndReservedRuleNames) {
  const std::string yaml = std::string(kGateway) + std::string(kBackend) + R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: route
spec:
  rules:
    - name: chat
      backendRefs: [{name: openai}]
    - name: chat
      backendRefs: [{name: openai}]
    - name: route-not-found
      backendRefs: [{name: openai}]
)";
  const LoadResult r = Load(yaml);
  EXPECT_THAT(r.errors,
              ElementsAre("test.yaml: AIGatewayRoute default/route: spec.rules[1].name: duplicate "
                          "rule name \"chat\" (rule names must be unique)",
                          "test.yaml: AIGatewayRoute default/route: spec.rules[2].name: "
                          "\"route-not-found\" is reserved for the gateway's catch-all rule"));
}

TEST(LoadErrors, MoreThanFifteenRules) {
  std::string yaml = std::string(kGateway) + std::string(kBackend) + R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: route
spec:
  rules:
)";
  for (int i = 0; i < 16; ++i) {
    yaml += "    - matches: [{headers: [{name: x-ai-eg-model, value: m" + std::to_string(i) +
            "}]}]\n      backendRefs: [{name: openai}]\n";
  }
  const LoadResult r = Load(yaml);
  EXPECT_THAT(r.errors, ElementsAre("test.yaml: AIGatewayRoute default/route: spec.rules: has 16 "
                                    "rules; at most 15 are allowed per AIGatewayRoute (split them "
                                    "across routes)"));
  yaml.resize(yaml.rfind("    - matches"));
  EXPECT_THAT(Load(yaml).errors, IsEmpty());
}

TEST(LoadErrors, VersionUsedAsPrefixOnOpenAI) {
  for (const std::string version : {"v1", "/v1beta/openai", "openai/v1"}) {
    const LoadResult r = Load(Replace(Base(), "    name: OpenAI\n",
                                      "    name: OpenAI\n    version: \"" + version + "\"\n"));
    ASSERT_THAT(r.errors, SizeIs(1)) << version;
    EXPECT_THAT(r.errors[0], HasSubstr("test.yaml: AIServiceBackend default/openai: "
                                       "spec.schema.version: \"" +
                                       version + "\""));
    EXPECT_THAT(r.errors[0], HasSubstr("use schema.prefix"));
  }
}

TEST(LoadErrors, BackendWithoutEndpoints) {
  const LoadResult r =
      Load(Replace(Base(), "  endpoints:\n" + std::string(kEndpointBlock), "  endpoints: []\n"));
  EXPECT_THAT(r.errors, ElementsAre("test.yaml: Backend default/upstream: spec.endpoints: a "
                                    "Backend needs at least one endpoint"));
}

TEST(LoadErrors, YamlSyntaxErrorHasLineNumber) {
  const LoadResult r = Load("apiVersion: v1\nkind: Secret\nmetadata:\n  name: [unclosed\n");
  ASSERT_THAT(r.errors, SizeIs(1));
  EXPECT_THAT(r.errors[0], HasSubstr("test.yaml: line 5, column 1: YAML syntax error: "));
}

TEST(LoadErrors, DocumentWithoutKind) {
  const LoadResult r = Load(Base() + "\n---\napiVersion: v1\nmetadata:\n  name: x\n");
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("test.yaml: document 7 (line ")));
  EXPECT_THAT(r.errors[0], HasSubstr("): missing kind"));
}

TEST(LoadErrors, DuplicateResource) {
  const LoadResult r = Load(Base() + std::string(kRoute));
  EXPECT_THAT(r.errors, ElementsAre("test.yaml: AIGatewayRoute default/route: metadata.name: "
                                    "duplicate AIGatewayRoute (also defined in test.yaml); names "
                                    "must be unique per kind and namespace"));
}

TEST(LoadErrors, BadDurationsAndTimes) {
  std::string yaml = Base();
  yaml += R"(
      timeouts:
        request: 1.5s
      streamIdleTimeout: 10x
      modelsCreatedAt: yesterday
)";
  const LoadResult r = Load(yaml);
  EXPECT_THAT(r.errors,
              ElementsAre(HasSubstr("spec.rules[0].timeouts.request: invalid duration \"1.5s\""),
                          HasSubstr("spec.rules[0].streamIdleTimeout: invalid duration \"10x\""),
                          HasSubstr("spec.rules[0].modelsCreatedAt: invalid RFC 3339 time")));
}

TEST(LoadErrors, GatewayConfigAnnotationPointingNowhere) {
  const LoadResult r = Load(
      Replace(Base(), "  name: gw\n",
              "  name: gw\n  annotations:\n    aigateway.envoyproxy.io/gateway-config: cfg\n"));
  EXPECT_THAT(r.errors, ElementsAre("test.yaml: Gateway default/gw: metadata.annotations["
                                    "aigateway.envoyproxy.io/gateway-config]: GatewayConfig "
                                    "default/cfg not found"));
}

TEST(LoadErrors, TwoPoliciesOnOneBackend) {
  std::string second(
      kBackend.substr(kBackend.find("apiVersion: aigateway.envoyproxy.io/v1beta1\n"
                                    "kind: BackendSecurityPolicy")));
  second = Replace(second, "  name: key\nspec", "  name: key2\nspec");
  const LoadResult r = Load(Base() + "\n---\n" + second);
  EXPECT_THAT(r.errors, ElementsAre(HasSubstr("BackendSecurityPolicy default/key2: "
                                              "spec.targetRefs[0]: AIServiceBackend default/openai "
                                              "is already targeted by BackendSecurityPolicy "
                                              "default/key")));
}

// ---------------------------------------------------------------------------------------------
// Warnings and ignored resources.

TEST(LoadWarnings, UnknownFieldsAreWarningsWithTheirPath) {
  std::string yaml = Base();
  yaml += "      retries: 3\n";
  yaml = Replace(yaml, "spec:\n  listeners", "spec:\n  colour: blue\n  listeners");
  const LoadResult r = Load(yaml);
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings,
              ElementsAre("test.yaml: Gateway default/gw: spec.colour: unknown field; ignored",
                          "test.yaml: AIGatewayRoute default/route: spec.rules[0].retries: unknown "
                          "field; ignored"));
}

TEST(LoadWarnings, V1Alpha1GivesOneDeprecationWarningPerResource) {
  std::string yaml = Base();
  size_t pos = 0;
  while ((pos = yaml.find("aigateway.envoyproxy.io/v1beta1", pos)) != std::string::npos) {
    yaml.replace(pos, 31, "aigateway.envoyproxy.io/v1alpha1");
  }
  const LoadResult r = Load(yaml);
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.warnings, ElementsAre("test.yaml: AIServiceBackend default/openai: apiVersion: "
                                      "aigateway.envoyproxy.io/v1alpha1 is deprecated; use "
                                      "aigateway.envoyproxy.io/v1beta1 (the fields are the same)",
                                      HasSubstr("BackendSecurityPolicy default/key: apiVersion: "),
                                      HasSubstr("AIGatewayRoute default/route: apiVersion: ")));
}

TEST(LoadWarnings, KindsSluiceDoesNotActOnAreIgnored) {
  const std::string yaml = Base() + R"(
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: retry}
spec: {retry: {numRetries: 5}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: other, namespace: web}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: QuotaPolicy
metadata: {name: quota}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: grant}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: sec}
---
apiVersion: example.com/v1
kind: Gizmo
metadata: {name: g}
)";
  const LoadResult r = Load(yaml);
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.ignored, ElementsAre("BackendTrafficPolicy default/retry", "HTTPRoute web/other",
                                     "QuotaPolicy default/quota",
                                     "ReferenceGrant default/grant", "SecurityPolicy default/sec",
                                     "Gizmo default/g"));
  EXPECT_THAT(
      r.warnings,
      ElementsAre("test.yaml: Gizmo default/g: kind Gizmo is not known to Sluice; ignored"));
}

TEST(LoadWarnings, UnreferencedGatewayConfig) {
  const LoadResult r = Load(Base() + R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: GatewayConfig
metadata: {name: lonely}
spec:
  globalLLMRequestCosts: [{metadataKey: k, type: InputToken}]
)");
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_THAT(r.config->global_costs, IsEmpty());
  EXPECT_THAT(r.warnings, ElementsAre(HasSubstr("GatewayConfig default/lonely: not referenced by "
                                                "any Gateway")));
}

TEST(LoadWarnings, RuleWithoutBackends) {
  const LoadResult r = Load(Replace(Base(), "      backendRefs:\n        - name: openai\n", ""));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, ElementsAre("test.yaml: AIGatewayRoute default/route: spec.rules[0]."
                                      "backendRefs: no backends: requests matching this rule "
                                      "cannot be served"));
  EXPECT_THAT(r.config->routes.at(0).rules.at(0).backend_refs, IsEmpty());
}

TEST(LoadWarnings, Port443WithoutTls) {
  const LoadResult r = Load(Replace(Base(), "port: 8080\n---\napiVersion: aigateway",
                                    "port: 443\n---\napiVersion: aigateway"));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, ElementsAre("test.yaml: Backend default/upstream: port 443 without a "
                                      "BackendTLSPolicy: requests are sent in plain HTTP"));
  EXPECT_EQ(FirstBackend(r).host_header, "127.0.0.1:443");
}

// ---------------------------------------------------------------------------------------------
// ${VAR} substitution and Secrets.

TEST(LoadEnv, SubstitutionBeforeParsingWithDefaults) {
  std::string yaml = Replace(Base(), "port: 8080\n\n---", "port: ${PORT}\n\n---");
  yaml = Replace(yaml, "value: m1", "value: ${MODEL:=gpt-4o}");
  yaml = Replace(yaml, "\"  sk-test \\n\"", "\"${KEY}${UNSET_ONE}${UNSET_ONE}\"");
  const LoadResult r = Load(yaml, {{"PORT", "9090"}, {"KEY", "sk-env"}});
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_EQ(r.config->listeners.at(0).port, 9090);
  EXPECT_EQ(r.config->routes.at(0).rules.at(0).matches.at(0).headers.at(0).value, "gpt-4o");
  EXPECT_EQ(FirstBackend(r).auth.header_value, "Bearer sk-env");
  EXPECT_THAT(r.warnings,
              ElementsAre("test.yaml: ${UNSET_ONE} is not set; substituted an empty string"));
}

TEST(LoadEnv, SecretDataStringDataAndAnnotations) {
  // The base policy reads key "apiKey" of Secret "key"; each case declares that Secret differently.
  const std::string secret_doc =
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: key\nstringData:\n  apiKey: \"  sk-test "
      "\\n\"\n";
  struct Case {
    std::string secret;
    std::string expected;
  };
  const std::string file = kTestdata + "/secret_api_key.txt";
  for (const Case& c : std::vector<Case>{
           // base64("sk-from-data")
           {"metadata: {name: key}\ndata: {apiKey: c2stZnJvbS1kYXRh}\n", "Bearer sk-from-data"},
           // stringData wins over data, as in Kubernetes.
           {"metadata: {name: key}\ndata: {apiKey: b2xk}\nstringData: {apiKey: new}\n",
            "Bearer new"},
           // aigw's annotations win over both (the stringData value is a placeholder).
           {"metadata:\n  name: key\n  annotations:\n    substitution.aigw.run/env/apiKey: "
            "MY_TOKEN\n"
            "stringData: {apiKey: replaced-at-runtime}\n",
            "Bearer tok-env"},
           {"metadata:\n  name: key\n  annotations:\n    substitution.aigw.run/file/apiKey: " +
                file + "\nstringData: {apiKey: replaced-at-runtime}\n",
            "Bearer sk-from-file"},
       }) {
    const std::string yaml =
        Replace(Base(), secret_doc, "apiVersion: v1\nkind: Secret\n" + c.secret);
    const LoadResult r = Load(yaml, {{"MY_TOKEN", "tok-env"}});
    ASSERT_THAT(r.errors, IsEmpty()) << c.secret << "\n" << Joined(r.errors);
    EXPECT_EQ(FirstBackend(r).auth.header_value, c.expected) << c.secret;
  }
}

TEST(LoadEnv, SecretAnnotationErrors) {
  const LoadResult r = Load(Base() + R"(
---
apiVersion: v1
kind: Secret
metadata:
  name: broken
  annotations:
    substitution.aigw.run/env/apiKey: NOT_SET_ANYWHERE
    substitution.aigw.run/file/other: /nonexistent/file
data:
  x: "***"
)");
  EXPECT_THAT(r.errors,
              ElementsAre("test.yaml: Secret default/broken: data.x: not valid base64",
                          "test.yaml: Secret default/broken: metadata.annotations[substitution."
                          "aigw.run/env/apiKey]: environment variable NOT_SET_ANYWHERE is not set",
                          "test.yaml: Secret default/broken: metadata.annotations[substitution."
                          "aigw.run/file/other]: cannot read file /nonexistent/file"));
}

// ---------------------------------------------------------------------------------------------
// Schema, mutations, TLS, endpoints, rules.

TEST(LoadSchema, PrefixNormalisationAndDefaults) {
  struct Case {
    std::string schema_yaml;
    SchemaName name;
    std::string prefix;
    std::string version;
  };
  for (const Case& c : std::vector<Case>{
           {"name: OpenAI", SchemaName::kOpenAI, "/v1", ""},
           {"name: OpenAI\n    prefix: v1beta/openai", SchemaName::kOpenAI, "/v1beta/openai", ""},
           {"name: OpenAI\n    prefix: /v1beta/openai/", SchemaName::kOpenAI, "/v1beta/openai", ""},
           {"name: OpenAI\n    prefix: /", SchemaName::kOpenAI, "", ""},
           {"name: Anthropic", SchemaName::kAnthropic, "/v1", ""},
           {"name: Anthropic\n    prefix: anthropic/v1", SchemaName::kAnthropic, "/anthropic/v1",
            ""},
           {"name: AzureOpenAI\n    version: 2025-01-01-preview", SchemaName::kAzureOpenAI, "/v1",
            "2025-01-01-preview"},
           {"name: AWSAnthropic\n    version: bedrock-2023-05-31", SchemaName::kAWSAnthropic, "/v1",
            "bedrock-2023-05-31"},
           {"name: GCPAnthropic", SchemaName::kGCPAnthropic, "/v1", ""},
           {"name: GCPVertexAI", SchemaName::kGCPVertexAI, "/v1", ""},
           {"name: Cohere\n    version: v2", SchemaName::kCohere, "/v1", "v2"},
       }) {
    const LoadResult r = Load(Replace(Base(), "name: OpenAI\n", c.schema_yaml + "\n"));
    ASSERT_THAT(r.errors, IsEmpty()) << c.schema_yaml << Joined(r.errors);
    const Schema& s = FirstBackend(r).schema;
    EXPECT_EQ(s.name, c.name) << c.schema_yaml;
    EXPECT_EQ(s.prefix, c.prefix) << c.schema_yaml;
    EXPECT_EQ(s.version, c.version) << c.schema_yaml;
    EXPECT_EQ(SchemaNameString(s.name), c.schema_yaml.substr(6, c.schema_yaml.find('\n') - 6));
  }
}

TEST(LoadMutations, RouteLevelWinsRemoveIsUnionReservedDropped) {
  std::string yaml = Replace(Base(), "  backendRef:\n    name: upstream", R"(  headerMutation:
    set:
      - {name: X-Team, value: backend}
      - {name: x-keep, value: kept}
      - {name: X-AI-EG-Model, value: hijack}
    remove: [x-drop-a, X-Drop-Shared]
  bodyMutation:
    set:
      - {path: service_tier, value: scale}
      - {path: max_tokens, value: "42"}
    remove: [user]
  backendRef:
    name: upstream)");
  yaml += R"(          headerMutation:
            set:
              - {name: x-team, value: route}
              - {name: x-new, value: "1"}
            remove: [x-drop-shared, x-drop-b, x-ai-eg-original-path]
          bodyMutation:
            set:
              - {path: service_tier, value: '"priority"'}
              - {path: metadata, value: '{"a": [1, true]}'}
              - {path: flag, value: "true"}
              - {path: note, value: 'say "hi"'}
            remove: [user, stop]
)";
  const LoadResult r = Load(yaml);
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  const Backend& b = FirstBackend(r);
  EXPECT_EQ(b.header_mutation.set, (Pairs{{"x-team", "backend"}, {"x-keep", "kept"}}));
  const RuleBackendRef& ref = r.config->routes[0].rules[0].backend_refs[0];
  EXPECT_EQ(ref.header_mutation.set,
            (Pairs{{"x-team", "route"}, {"x-keep", "kept"}, {"x-new", "1"}}));
  EXPECT_THAT(ref.header_mutation.remove, ElementsAre("x-drop-a", "x-drop-shared", "x-drop-b"));
  EXPECT_EQ(b.body_mutation.set, (Pairs{{"service_tier", "\"scale\""}, {"max_tokens", "42"}}));
  EXPECT_EQ(ref.body_mutation.set, (Pairs{{"service_tier", "\"priority\""},
                                          {"max_tokens", "42"},
                                          {"metadata", "{\"a\": [1, true]}"},
                                          {"flag", "true"},
                                          {"note", "\"say \\\"hi\\\"\""}}));
  EXPECT_THAT(ref.body_mutation.remove, ElementsAre("user", "stop"));
  EXPECT_THAT(r.warnings,
              ElementsAre(HasSubstr("AIServiceBackend default/openai: spec.headerMutation.set[2]."
                                    "name: header \"x-ai-eg-model\" is owned by the gateway and "
                                    "cannot be mutated; dropped"),
                          HasSubstr("AIGatewayRoute default/route: spec.rules[0].backendRefs[0]."
                                    "headerMutation.remove[2]: header \"x-ai-eg-original-path\"")));
}

TEST(LoadRules, WeightsPrioritiesTimeoutsModelsAndOverrides) {
  std::string yaml = std::string(kGateway) + std::string(kBackend) + R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: route
  creationTimestamp: "2024-01-02T03:04:05Z"
spec:
  hostnames: [API.Example.com, "*.example.org"]
  rules:
    - name: chat
      matches:
        - headers:
            - {name: X-AI-EG-Model, value: gpt-4o}
            - {name: x-tenant, type: RegularExpression, value: "team-[a-z]+"}
        - headers:
            - {name: x-ai-eg-model, value: gpt-4o-mini}
      backendRefs:
        - {name: openai, weight: 3, priority: 0, modelNameOverride: gpt-4o-2024-08-06}
        - {name: openai, weight: 0, priority: 1}
      timeouts: {request: 1m30s}
      streamIdleTimeout: 500ms
      modelsOwnedBy: OpenAI
      modelsCreatedAt: "2024-05-21T10:00:00Z"
    - backendRefs: [{name: openai}]
      timeouts: {request: 0s}
)";
  const LoadResult r = Load(yaml);
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  const Route& route = r.config->routes.at(0);
  EXPECT_THAT(route.hostnames, ElementsAre("api.example.com", "*.example.org"));
  EXPECT_THAT(route.parent_gateways, IsEmpty());
  const Rule& chat = route.rules.at(0);
  EXPECT_EQ(chat.name, "chat");
  ASSERT_THAT(chat.matches, SizeIs(2));
  ASSERT_THAT(chat.matches[0].headers, SizeIs(2));
  EXPECT_EQ(chat.matches[0].headers[0].name, "x-ai-eg-model");
  EXPECT_EQ(chat.matches[0].headers[1].type, MatchType::kRegularExpression);
  ASSERT_NE(chat.matches[0].headers[1].regex, nullptr);
  EXPECT_EQ(chat.backend_refs.at(0).weight, 3u);
  EXPECT_EQ(chat.backend_refs.at(0).model_name_override, "gpt-4o-2024-08-06");
  EXPECT_EQ(chat.backend_refs.at(1).weight, 0u);
  EXPECT_EQ(chat.backend_refs.at(1).priority, 1u);
  // Both refs share the one compiled AIServiceBackend.
  EXPECT_EQ(chat.backend_refs[0].backend, chat.backend_refs[1].backend);
  EXPECT_EQ(chat.request_timeout, std::chrono::seconds(90));
  EXPECT_EQ(chat.stream_idle_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(chat.models_owned_by, "OpenAI");
  EXPECT_EQ(chat.models_created_at, 1716285600);  // date -d 2024-05-21T10:00:00Z +%s
  const Rule& fallback = route.rules.at(1);
  EXPECT_EQ(fallback.name, "rule/1");
  EXPECT_EQ(fallback.request_timeout, std::chrono::milliseconds(0));
  EXPECT_EQ(fallback.models_created_at, 1704164645);  // date -d 2024-01-02T03:04:05Z +%s
}

TEST(LoadBackends, IpAndFqdnEndpointsAndHostHeader) {
  struct Case {
    std::string endpoint;
    bool tls;
    std::string host_header;
    bool is_ip;
  };
  for (const Case& c : std::vector<Case>{
           {"ip: {address: 127.0.0.1, port: 8080}", false, "127.0.0.1:8080", true},
           {"ip: {address: \"::1\", port: 80}", false, "[::1]", true},
           {"ip: {address: \"::1\", port: 8443}", true, "[::1]:8443", true},
           {"fqdn: {hostname: 127.0.0.1, port: 80}", false, "127.0.0.1", true},
           {"fqdn: {hostname: API.Example.com, port: 443}", true, "api.example.com", false},
           {"fqdn: {hostname: api.example.com, port: 443}", false, "api.example.com", false},
           {"fqdn: {hostname: localhost, port: 8080}", false, "localhost", false},
           {"fqdn: {hostname: localhost, port: 80}", false, "localhost", false},
       }) {
    std::string yaml = Replace(Base(), kEndpointBlock, "    - " + c.endpoint + "\n");
    if (c.tls) {
      yaml += R"(
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: tls}
spec:
  targetRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: upstream}]
  validation: {wellKnownCACertificates: System, hostname: api.example.com}
)";
    }
    const LoadResult r = Load(yaml);
    ASSERT_THAT(r.errors, IsEmpty()) << c.endpoint << Joined(r.errors);
    const Backend& b = FirstBackend(r);
    EXPECT_EQ(b.host_header, c.host_header) << c.endpoint;
    EXPECT_EQ(b.endpoints.at(0).is_ip, c.is_ip) << c.endpoint;
    EXPECT_EQ(b.tls.enabled, c.tls) << c.endpoint;
  }
  const LoadResult bad = Load(Replace(Base(), "address: 127.0.0.1", "address: not-an-ip"));
  EXPECT_THAT(bad.errors, ElementsAre("test.yaml: Backend default/upstream: spec.endpoints[0]."
                                      "ip.address: \"not-an-ip\" is not an IP address"));
}

// Two self-signed P-256 certificates made with the openssl CLI for these tests (testdata/README).
std::string TestdataFile(const std::string& name) {
  std::ifstream in(std::string(SLUICE_TESTDATA_DIR) + "/" + name);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Indented(const std::string& text, const std::string& indent) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += indent + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

TEST(LoadTls, PolicyWithCaFromConfigMapAndSecret) {
  const std::string ca_a = TestdataFile("ca_a.pem");
  const std::string ca_b = TestdataFile("ca_b.pem");
  ASSERT_FALSE(ca_a.empty());
  ASSERT_FALSE(ca_b.empty());
  const std::string tls = R"(
---
apiVersion: gateway.networking.k8s.io/v1alpha3
kind: BackendTLSPolicy
metadata: {name: tls}
spec:
  targetRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: upstream}]
  validation:
    hostname: Fake.Local
    caCertificateRefs:
      - {group: "", kind: ConfigMap, name: ca}
      - {group: "", kind: Secret, name: ca2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ca}
data:
  ca.crt: |
)" + Indented(ca_a, "    ") + R"(---
apiVersion: v1
kind: Secret
metadata: {name: ca2}
data:
  ca.crt: )" + Base64Encode(ca_b) + "\n";
  const LoadResult r = Load(Base() + tls);
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  const UpstreamTls& t = FirstBackend(r).tls;
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.sni, "fake.local");
  EXPECT_FALSE(t.use_system_cas);
  EXPECT_EQ(t.ca_pem, ca_a + ca_b);
  // TLS on a non-default port keeps it in Host.
  EXPECT_EQ(FirstBackend(r).host_header, "127.0.0.1:8080");

  std::string missing = Replace(Base() + tls, "  ca.crt: |", "  tls.crt: |");
  missing = Replace(missing, "name: ca2}", "name: ca3}");
  EXPECT_THAT(Load(missing).errors,
              ElementsAre("test.yaml: BackendTLSPolicy default/tls: spec.validation."
                          "caCertificateRefs[0]: ConfigMap default/ca has no key \"ca.crt\"",
                          "test.yaml: BackendTLSPolicy default/tls: spec.validation."
                          "caCertificateRefs[1]: Secret default/ca3 not found"));

  // Data that is not a certificate is an error at load, naming the Backend it was for.
  const std::string garbage = Replace(
      Base() + tls, Indented(ca_a, "    "),
      "    -----BEGIN CERTIFICATE-----\n    bm90IGEgY2VydA==\n    -----END CERTIFICATE-----\n");
  EXPECT_THAT(Load(garbage).errors,
              ElementsAre("test.yaml: BackendTLSPolicy default/tls: spec.validation."
                          "caCertificateRefs: the referenced CA data holds no valid PEM "
                          "certificate (TLS to Backend default/upstream cannot be verified)"));
}

TEST(LoadNamespaces, ReferencesResolveByNamespaceAndName) {
  const std::string yaml = std::string(kGateway) + R"(
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: up, namespace: a}
spec:
  endpoints: [{fqdn: {hostname: a.internal, port: 80}}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: up, namespace: b}
spec:
  endpoints: [{fqdn: {hostname: b.internal, port: 80}}]
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata: {name: svc, namespace: a}
spec:
  schema: {name: OpenAI}
  backendRef: {name: up, kind: Backend, group: gateway.envoyproxy.io}
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata: {name: svc, namespace: b}
spec:
  schema: {name: OpenAI}
  backendRef: {name: up, kind: Backend, group: gateway.envoyproxy.io}
  backendSecurityPolicyRef: {name: legacy, kind: BackendSecurityPolicy, group: aigateway.envoyproxy.io}
---
apiVersion: aigateway.envoyproxy.io/v1alpha1
kind: BackendSecurityPolicy
metadata: {name: legacy, namespace: b}
spec:
  type: AnthropicAPIKey
  anthropicAPIKey:
    secretRef: {name: k}
---
apiVersion: v1
kind: Secret
metadata: {name: k, namespace: b}
data: {apiKey: c2stYW50}
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r, namespace: a}
spec:
  parentRefs: [{name: gw, namespace: default}]
  rules:
    - backendRefs: [{name: svc}, {name: svc, namespace: b}]
)";
  const LoadResult r = Load(yaml);
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  const Rule& rule = r.config->routes.at(0).rules.at(0);
  EXPECT_EQ(r.config->routes[0].name, "a/r");
  EXPECT_THAT(r.config->routes[0].parent_gateways, ElementsAre("default/gw"));
  EXPECT_EQ(rule.backend_refs.at(0).backend->name, "a/svc");
  EXPECT_EQ(rule.backend_refs.at(0).backend->host_header, "a.internal");
  EXPECT_EQ(rule.backend_refs.at(0).backend->auth.type, UpstreamAuth::Type::kNone);
  const Backend& b = *rule.backend_refs.at(1).backend;
  EXPECT_EQ(b.name, "b/svc");
  EXPECT_EQ(b.host_header, "b.internal");
  EXPECT_EQ(b.auth.type, UpstreamAuth::Type::kAnthropicAPIKey);
  EXPECT_EQ(b.auth.header_name, "x-api-key");
  EXPECT_EQ(b.auth.header_value, "sk-ant");
  EXPECT_EQ(b.auth.policy_name, "b/legacy");
}

TEST(LoadAuth, AzureApiKeyHeader) {
  const LoadResult r =
      Load(Replace(Base(), "  type: APIKey\n  apiKey:", "  type: AzureAPIKey\n  azureAPIKey:"));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_EQ(FirstBackend(r).auth.type, UpstreamAuth::Type::kAzureAPIKey);
  EXPECT_EQ(FirstBackend(r).auth.header_name, "api-key");
  EXPECT_EQ(FirstBackend(r).auth.header_value, "sk-test");
}

TEST(LoadGateway, ListenersFromEveryGatewayAndCostsFromTheirConfigs) {
  const LoadResult r = Load(Base() + R"(
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: second
  annotations: {aigateway.envoyproxy.io/gateway-config: cfg}
spec:
  listeners:
    - {name: a, port: 9000, hostname: AI.example.com}
    - {name: tls, port: 9443, protocol: HTTPS}
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: GatewayConfig
metadata: {name: cfg}
spec:
  globalLLMRequestCosts:
    - {metadataKey: out}
    - {metadataKey: cached, type: CachedInputToken}
)");
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  ASSERT_THAT(r.config->listeners, SizeIs(2));
  EXPECT_EQ(r.config->listeners[1].gateway, "default/second");
  EXPECT_EQ(r.config->listeners[1].port, 9000);
  EXPECT_EQ(r.config->listeners[1].hostname, "ai.example.com");
  ASSERT_THAT(r.config->global_costs, SizeIs(2));
  // LLMRequestCost.type defaults to OutputToken (api/v1beta1/shared_types.go).
  EXPECT_EQ(r.config->global_costs[0].type, CostType::kOutputToken);
  EXPECT_EQ(r.config->global_costs[1].type, CostType::kCachedInputToken);
  EXPECT_THAT(r.warnings, ElementsAre(HasSubstr("Gateway default/second: spec.listeners[1]."
                                                "protocol: protocol HTTPS is not supported yet")));
}

// ---------------------------------------------------------------------------------------------
// DumpJson.

TEST(DumpJson, RedactsSecretsAndKeepsTheRest) {
  const LoadResult r = Load(Replace(Base(), "  backendRef:\n    name: upstream",
                                    "  headerMutation:\n    set:\n"
                                    "      - {name: X-Api-Key, value: hidden-1}\n"
                                    "      - {name: x-visible, value: shown}\n"
                                    "  backendRef:\n    name: upstream"));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  const std::string dump = DumpJson(*r.config);
  EXPECT_THAT(dump, Not(HasSubstr("sk-test")));
  EXPECT_THAT(dump, Not(HasSubstr("hidden-1")));
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(dump, ec);
  ASSERT_FALSE(ec) << dump;
  const auto& backend = v.at("backends").at(0);
  EXPECT_EQ(backend.at("name").as_string(), "default/openai");
  EXPECT_EQ(backend.at("auth").at("type").as_string(), "APIKey");
  EXPECT_EQ(backend.at("auth").at("header_name").as_string(), "authorization");
  EXPECT_EQ(backend.at("auth").at("header_value").as_string(), "[REDACTED]");
  EXPECT_EQ(backend.at("host_header").as_string(), "127.0.0.1:8080");
  EXPECT_EQ(backend.at("schema").at("prefix").as_string(), "/v1");
  EXPECT_EQ(backend.at("header_mutation").at("set").at(0).at("value").as_string(), "[REDACTED]");
  EXPECT_EQ(backend.at("header_mutation").at("set").at(1).at("value").as_string(), "shown");
  const auto& rule = v.at("routes").at(0).at("rules").at(0);
  EXPECT_EQ(rule.at("request_timeout_ms").to_number<int64_t>(), 60000);
  EXPECT_EQ(rule.at("matches").at(0).at("headers").at(0).at("value").as_string(), "m1");
  EXPECT_EQ(rule.at("backend_refs").at(0).at("backend").as_string(), "default/openai");
  EXPECT_EQ(
      rule.at("backend_refs").at(0).at("header_mutation").at("set").at(0).at("value").as_string(),
      "[REDACTED]");
  EXPECT_EQ(v.at("listeners").at(0).at("port").to_number<int64_t>(), 8080);
  EXPECT_EQ(v.at("source_files").at(0).as_string(), "test.yaml");
}

}  // namespace
}  // namespace sluice::config
