#include "sluice/route/matcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <random>
#include <vector>

#include "sluice/config/load.h"

namespace sluice::route {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class MapHeaders : public HeaderLookup {
 public:
  MapHeaders(std::map<std::string, std::string> headers) : headers_(std::move(headers)) {}
  std::optional<std::string_view> Get(std::string_view lower_name) const override {
    auto it = headers_.find(std::string(lower_name));
    if (it == headers_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, std::string> headers_;
};

// Routes are declared in YAML and loaded through the real loader, so the tests exercise the
// snapshot shape the gateway runs on. Every route sends to one backend per rule named after it.
std::shared_ptr<const config::RuntimeConfig> LoadRoutes(std::string_view routes_yaml) {
  std::string yaml = R"(
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: up}
spec:
  endpoints: [{ip: {address: 127.0.0.1, port: 9000}}]
)";
  for (const char* name : {"a", "b", "c", "d", "e"}) {
    yaml += std::string(R"(---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata: {name: )") +
            name + R"(}
spec:
  schema: {name: OpenAI}
  backendRef: {name: up, kind: Backend, group: gateway.envoyproxy.io}
)";
  }
  yaml += routes_yaml;
  const config::LoadResult r = config::LoadText(
      yaml, "routes.yaml", [](std::string_view) { return std::optional<std::string>(); });
  EXPECT_THAT(r.errors, IsEmpty());
  return r.config;
}

// "ns/route rule-name" of the match, or "none".
std::string Describe(const std::optional<Match>& m) {
  if (!m.has_value()) return "none";
  return m->route->name + " " + m->rule->name;
}

std::string Route(const config::RuntimeConfig& cfg, std::string_view host,
                  std::map<std::string, std::string> headers) {
  return Describe(MatchRoute(cfg, host, MapHeaders(std::move(headers))));
}

constexpr std::string_view kModelRoutes = R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: models}
spec:
  rules:
    - name: exact
      matches:
        - headers: [{name: x-ai-eg-model, value: gpt-4o}]
      backendRefs: [{name: a}]
    - name: regex
      matches:
        - headers: [{name: x-ai-eg-model, type: RegularExpression, value: "claude-.*"}]
      backendRefs: [{name: b}]
    - name: both-headers
      matches:
        - headers:
            - {name: x-ai-eg-model, value: llama}
            - {name: x-tenant, type: RegularExpression, value: "team-[0-9]+"}
      backendRefs: [{name: c}]
    - name: any-of
      matches:
        - headers: [{name: x-ai-eg-model, value: mistral}]
        - headers: [{name: x-ai-eg-model, value: mixtral}]
        - headers: [{name: x-priority, value: high}]
      backendRefs: [{name: d}]
)";

TEST(MatchRoute, ExactMatchIsCaseSensitiveOnValues) {
  const auto cfg = LoadRoutes(kModelRoutes);
  ASSERT_NE(cfg, nullptr);
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "gpt-4o"}}), "default/models exact");
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "GPT-4o"}}), "none");
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "gpt-4o-mini"}}), "none");
  EXPECT_EQ(Route(*cfg, "gw", {}), "none");
}

TEST(MatchRoute, RegularExpressionMustMatchTheWholeValue) {
  const auto cfg = LoadRoutes(kModelRoutes);
  ASSERT_NE(cfg, nullptr);
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "claude-sonnet-4-5"}}), "default/models regex");
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "claude-"}}), "default/models regex");
  // RE2 full match: a substring hit is not enough.
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "my-claude-3"}}), "none");
}

TEST(MatchRoute, AllHeadersOfAMatchAndAnyMatchOfARule) {
  const auto cfg = LoadRoutes(kModelRoutes);
  ASSERT_NE(cfg, nullptr);
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "llama"}, {"x-tenant", "team-42"}}),
            "default/models both-headers");
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "llama"}}), "none");
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "llama"}, {"x-tenant", "team-x"}}), "none");
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "mistral"}}), "default/models any-of");
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "mixtral"}}), "default/models any-of");
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "other"}, {"x-priority", "high"}}),
            "default/models any-of");
}

TEST(MatchRoute, FirstMatchingRuleWinsAndRulesWithoutMatchesCatchAll) {
  const auto cfg = LoadRoutes(R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r}
spec:
  rules:
    - name: specific
      matches: [{headers: [{name: x-ai-eg-model, value: gpt-4o}]}]
      backendRefs: [{name: a}]
    - name: everything
      matches: [{headers: [{name: x-ai-eg-model, type: RegularExpression, value: ".*"}]}]
      backendRefs: [{name: b}]
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: later}
spec:
  rules:
    - name: no-matches
      backendRefs: [{name: c}]
)");
  ASSERT_NE(cfg, nullptr);
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "gpt-4o"}}), "default/r specific");
  EXPECT_EQ(Route(*cfg, "gw", {{"x-ai-eg-model", "anything"}}), "default/r everything");
  // An absent model header fails every header match, so the match-less rule of the later route
  // catches the request.
  EXPECT_EQ(Route(*cfg, "gw", {}), "default/later no-matches");
}

constexpr std::string_view kHostRoutes = R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: exact-host}
spec:
  hostnames: [api.example.com]
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: m-exact}]}]
      backendRefs: [{name: a}]
    - matches: [{headers: [{name: x-ai-eg-model, value: shared}]}]
      backendRefs: [{name: a}]
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: wildcard}
spec:
  hostnames: ["*.example.com"]
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: m-wild}]}]
      backendRefs: [{name: b}]
    - matches: [{headers: [{name: x-ai-eg-model, value: shared}]}]
      backendRefs: [{name: b}]
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: deeper-wildcard}
spec:
  hostnames: ["*.eu.example.com"]
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: m-eu}]}]
      backendRefs: [{name: c}]
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: anywhere}
spec:
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: m-any}]}]
      backendRefs: [{name: d}]
      modelsOwnedBy: Acme
      modelsCreatedAt: "2024-05-21T10:00:00Z"
    - matches: [{headers: [{name: x-ai-eg-model, value: shared}]}]
      backendRefs: [{name: d}]
)";

TEST(MatchRoute, HostnamesExactWildcardCaseAndPort) {
  const auto cfg = LoadRoutes(kHostRoutes);
  ASSERT_NE(cfg, nullptr);
  EXPECT_EQ(Route(*cfg, "api.example.com", {{"x-ai-eg-model", "m-exact"}}),
            "default/exact-host rule/0");
  EXPECT_EQ(Route(*cfg, "API.Example.COM:8443", {{"x-ai-eg-model", "m-exact"}}),
            "default/exact-host rule/0");
  EXPECT_EQ(Route(*cfg, "other.example.com", {{"x-ai-eg-model", "m-exact"}}), "none");
  // Config order decides between routes that both accept the host.
  EXPECT_EQ(Route(*cfg, "api.example.com", {{"x-ai-eg-model", "shared"}}),
            "default/exact-host rule/1");
  EXPECT_EQ(Route(*cfg, "api.example.com", {{"x-ai-eg-model", "m-wild"}}),
            "default/wildcard rule/0");
  EXPECT_EQ(Route(*cfg, "x.example.com", {{"x-ai-eg-model", "shared"}}), "default/wildcard rule/1");
  // The wildcard stands for exactly one label.
  EXPECT_EQ(Route(*cfg, "example.com", {{"x-ai-eg-model", "m-wild"}}), "none");
  EXPECT_EQ(Route(*cfg, "a.b.example.com", {{"x-ai-eg-model", "m-wild"}}), "none");
  EXPECT_EQ(Route(*cfg, "fr.eu.example.com", {{"x-ai-eg-model", "m-eu"}}),
            "default/deeper-wildcard rule/0");
  EXPECT_EQ(Route(*cfg, "evilexample.com", {{"x-ai-eg-model", "m-wild"}}), "none");
  // Routes without hostnames serve every host, IP literals included.
  EXPECT_EQ(Route(*cfg, "127.0.0.1:1975", {{"x-ai-eg-model", "shared"}}),
            "default/anywhere rule/1");
  EXPECT_EQ(Route(*cfg, "[::1]:1975", {{"x-ai-eg-model", "m-any"}}), "default/anywhere rule/0");
  EXPECT_EQ(Route(*cfg, "", {{"x-ai-eg-model", "m-any"}}), "default/anywhere rule/0");
}

TEST(NormalizeHost, Forms) {
  EXPECT_EQ(NormalizeHost("Example.COM:8080"), "example.com");
  EXPECT_EQ(NormalizeHost("example.com."), "example.com");
  EXPECT_EQ(NormalizeHost("[::1]:80"), "::1");
  EXPECT_EQ(NormalizeHost("[::1]"), "::1");
  EXPECT_EQ(NormalizeHost("10.0.0.1:443"), "10.0.0.1");
  EXPECT_EQ(NormalizeHost(""), "");
}

// ---------------------------------------------------------------------------------------------
// PickBackend.

config::Rule RuleWith(std::vector<std::pair<uint32_t, uint32_t>> weight_priority) {
  config::Rule rule;
  for (const auto& [weight, priority] : weight_priority) {
    config::RuleBackendRef ref;
    ref.weight = weight;
    ref.priority = priority;
    rule.backend_refs.push_back(ref);
  }
  return rule;
}

std::vector<int> Histogram(const config::Rule& rule, std::span<const size_t> excluded, int draws) {
  std::mt19937_64 rng(12345);
  std::vector<int> counts(rule.backend_refs.size(), 0);
  for (int i = 0; i < draws; ++i) {
    const std::optional<size_t> pick = PickBackend(rule, rng(), excluded);
    EXPECT_TRUE(pick.has_value());
    if (pick.has_value()) ++counts[*pick];
  }
  return counts;
}

TEST(PickBackend, WeightsSplitTrafficWithinTheLowestPriority) {
  // refs: 0 (w3,p0), 1 (w1,p0), 2 (w5,p1)
  const config::Rule rule = RuleWith({{3, 0}, {1, 0}, {5, 1}});
  const std::vector<int> counts = Histogram(rule, {}, 40000);
  EXPECT_EQ(counts[2], 0);
  // Expected 30000 / 10000; a binomial standard deviation is ~87, so ±600 is very safe.
  EXPECT_NEAR(counts[0], 30000, 600);
  EXPECT_NEAR(counts[1], 10000, 600);
}

TEST(PickBackend, ExclusionFailsOverWithinThenAcrossPriorities) {
  const config::Rule rule = RuleWith({{3, 0}, {1, 0}, {5, 1}, {5, 1}});
  const std::vector<size_t> first_failed = {0};
  std::vector<int> counts = Histogram(rule, first_failed, 1000);
  EXPECT_EQ(counts, (std::vector<int>{0, 1000, 0, 0}));

  const std::vector<size_t> group_failed = {1, 0};
  counts = Histogram(rule, group_failed, 20000);
  EXPECT_EQ(counts[0] + counts[1], 0);
  EXPECT_NEAR(counts[2], 10000, 500);
  EXPECT_NEAR(counts[3], 10000, 500);

  const std::vector<size_t> all_failed = {0, 1, 2, 3};
  EXPECT_EQ(PickBackend(rule, 7, all_failed), std::nullopt);
  EXPECT_EQ(PickBackend(config::Rule{}, 7, {}), std::nullopt);
}

TEST(PickBackend, ZeroWeightIsNeverPickedUnlessAllLeftAreZero) {
  // A weight-0 ref at the best priority does not shadow the weighted one behind it.
  const config::Rule rule = RuleWith({{0, 0}, {2, 1}, {0, 1}});
  EXPECT_EQ(Histogram(rule, {}, 1000), (std::vector<int>{0, 1000, 0}));
  const std::vector<size_t> weighted_failed = {1};
  // Only zero weights remain: they take the traffic, lowest priority first, shared evenly.
  EXPECT_EQ(Histogram(rule, weighted_failed, 1000), (std::vector<int>{1000, 0, 0}));
  const config::Rule zeros = RuleWith({{0, 0}, {0, 0}});
  const std::vector<int> counts = Histogram(zeros, {}, 10000);
  EXPECT_NEAR(counts[0], 5000, 300);
  EXPECT_NEAR(counts[1], 5000, 300);
}

TEST(PickBackend, DeterministicForAGivenRandomValue) {
  const config::Rule rule = RuleWith({{1, 0}, {1, 0}, {2, 0}});
  // Total weight 4: points 0 → ref 0, 1 → ref 1, 2 and 3 → ref 2.
  EXPECT_EQ(PickBackend(rule, 0, {}), 0u);
  EXPECT_EQ(PickBackend(rule, 1, {}), 1u);
  EXPECT_EQ(PickBackend(rule, 2, {}), 2u);
  EXPECT_EQ(PickBackend(rule, 3, {}), 2u);
  EXPECT_EQ(PickBackend(rule, 4, {}), 0u);
  EXPECT_EQ(PickBackend(rule, UINT64_MAX, {}), 2u);  // 2^64-1 ≡ 3 (mod 4)
}

// ---------------------------------------------------------------------------------------------
// ModelsListJson.

TEST(ModelsListJson, AllExactModelsWhenNoRouteHasHostnames) {
  const auto cfg = LoadRoutes(kModelRoutes);
  ASSERT_NE(cfg, nullptr);
  const std::string t = std::to_string(cfg->load_time);
  // Regex matches declare no model; extra headers in a match do not hide its model.
  EXPECT_EQ(ModelsListJson(*cfg, "anything:1975"),
            R"({"object":"list","data":[)"
            R"({"id":"gpt-4o","object":"model","created":)" +
                t +
                R"(,"owned_by":"Envoy AI Gateway"},)"
                R"({"id":"llama","object":"model","created":)" +
                t +
                R"(,"owned_by":"Envoy AI Gateway"},)"
                R"({"id":"mistral","object":"model","created":)" +
                t +
                R"(,"owned_by":"Envoy AI Gateway"},)"
                R"({"id":"mixtral","object":"model","created":)" +
                t + R"(,"owned_by":"Envoy AI Gateway"}]})");
}

// The ids of the models listed for `host`, in order.
std::vector<std::string> Ids(const config::RuntimeConfig& cfg, std::string_view host) {
  const std::string json = ModelsListJson(cfg, host);
  std::vector<std::string> ids;
  size_t pos = 0;
  while ((pos = json.find(R"("id":")", pos)) != std::string::npos) {
    pos += 6;
    ids.push_back(json.substr(pos, json.find('"', pos) - pos));
  }
  return ids;
}

TEST(ModelsListJson, HostScoping) {
  const auto cfg = LoadRoutes(kHostRoutes);
  ASSERT_NE(cfg, nullptr);
  // Exact host: its routes plus the unscoped one; "shared" only once.
  EXPECT_THAT(Ids(*cfg, "API.example.com:443"), ElementsAre("m-exact", "shared", "m-any"));
  // Wildcard: the longest matching suffix wins.
  EXPECT_THAT(Ids(*cfg, "x.example.com"), ElementsAre("m-wild", "shared", "m-any"));
  EXPECT_THAT(Ids(*cfg, "fr.eu.example.com"), ElementsAre("m-eu", "m-any", "shared"));
  // Unmatched hosts see only routes without hostnames, so scoped models do not leak.
  EXPECT_THAT(Ids(*cfg, "a.b.example.com"), ElementsAre("m-any", "shared"));
  EXPECT_THAT(Ids(*cfg, "localhost:1975"), ElementsAre("m-any", "shared"));
  // No host at all: every declared model.
  EXPECT_THAT(Ids(*cfg, ""), ElementsAre("m-exact", "shared", "m-wild", "m-eu", "m-any"));
}

TEST(ModelsListJson, OwnerCreationTimeAndEscaping) {
  const auto cfg = LoadRoutes(std::string(kHostRoutes) + R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: odd}
spec:
  rules:
    - matches: [{headers: [{name: x-ai-eg-model, value: "quote\"d"}]}]
      backendRefs: [{name: e}]
      modelsOwnedBy: "Team \\ Ops"
)");
  ASSERT_NE(cfg, nullptr);
  const std::string json = ModelsListJson(*cfg, "localhost");
  EXPECT_EQ(json, R"({"object":"list","data":[)"
                  R"({"id":"m-any","object":"model","created":1716285600,"owned_by":"Acme"},)"
                  R"({"id":"shared","object":"model","created":)" +
                      std::to_string(cfg->load_time) +
                      R"(,"owned_by":"Envoy AI Gateway"},)"
                      R"({"id":"quote\"d","object":"model","created":)" +
                      std::to_string(cfg->load_time) + R"(,"owned_by":"Team \\ Ops"}]})");
}

TEST(ModelsListJson, EmptyConfig) {
  EXPECT_EQ(ModelsListJson(config::RuntimeConfig{}, "x"), R"({"object":"list","data":[]})");
}

// ---------------------------------------------------------------------------------------------
// AnthropicModelsListJson.

// RFC 3339 from the C library, independent of the matcher's own conversion.
std::string Rfc3339ByLibc(int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

TEST(AnthropicModelsListJson, SameModelsInAnthropicShape) {
  const auto cfg = LoadRoutes(kModelRoutes);
  ASSERT_NE(cfg, nullptr);
  const std::string at = Rfc3339ByLibc(cfg->load_time);
  // https://docs.anthropic.com/en/api/models-list: data[] of {type, id, display_name,
  // created_at}, has_more, first_id, last_id.
  std::string want = R"({"data":[)";
  for (const char* id : {"gpt-4o", "llama", "mistral", "mixtral"}) {
    if (want.back() != '[') want += ',';
    want += std::string(R"({"type":"model","id":")") + id + R"(","display_name":")" + id +
            R"(","created_at":")" + at + R"("})";
  }
  want += R"(],"has_more":false,"first_id":"gpt-4o","last_id":"mixtral"})";
  EXPECT_EQ(AnthropicModelsListJson(*cfg, "anything:1975"), want);
}

TEST(AnthropicModelsListJson, HostScopedLikeTheOpenAIList) {
  const auto cfg = LoadRoutes(kHostRoutes);
  ASSERT_NE(cfg, nullptr);
  for (std::string_view host : {"API.example.com:443", "x.example.com", "other.org", ""}) {
    const std::string json = AnthropicModelsListJson(*cfg, host);
    std::vector<std::string> ids;
    size_t pos = 0;
    while ((pos = json.find(R"("id":")", pos)) != std::string::npos) {
      pos += 6;
      ids.push_back(json.substr(pos, json.find('"', pos) - pos));
    }
    EXPECT_EQ(ids, Ids(*cfg, host)) << host;
  }
}

TEST(AnthropicModelsListJson, EmptyListHasNullIds) {
  config::RuntimeConfig cfg;
  EXPECT_EQ(AnthropicModelsListJson(cfg, "h"),
            R"({"data":[],"has_more":false,"first_id":null,"last_id":null})");
}

}  // namespace
}  // namespace sluice::route
