// MCPRoute (api/v1beta1/mcp_route.go) and the mcpServers JSON of --mcp-config.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <map>
#include <string>

#include "sluice/config/load.h"
#include "sluice/config/mcp_servers.h"

namespace sluice::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

GetEnv MapEnv(std::map<std::string, std::string> vars = {}) {
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

constexpr std::string_view kBase = R"(
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  listeners: [{name: http, protocol: HTTP, port: 8080}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: github}
spec:
  endpoints: [{fqdn: {hostname: api.githubcopilot.com, port: 443}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: github-tls}
spec:
  targetRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: github}]
  validation: {wellKnownCACertificates: System, hostname: api.githubcopilot.com}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: local}
spec:
  endpoints: [{ip: {address: 127.0.0.1, port: 9000}}]
---
apiVersion: v1
kind: Secret
metadata: {name: github-token}
stringData: {apiKey: "ghp_secret\n"}
)";

constexpr std::string_view kRoute = R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: MCPRoute
metadata: {name: mcp-route}
spec:
  parentRefs: [{name: gw, kind: Gateway, group: gateway.networking.k8s.io}]
  headers: [{name: x-tenant, value: a}]
  backendRefs:
    - name: github
      kind: Backend
      group: gateway.envoyproxy.io
      path: /mcp/x/issues
      toolSelector:
        include: [issue_read, list_issues]
        excludeRegex: [".*_secret"]
      securityPolicy:
        apiKey:
          secretRef: {name: github-token}
      forwardHeaders:
        - name: X-User-Token
          backendHeader: X-Upstream-Token
        - name: x-trace
    - name: local
      securityPolicy:
        apiKey: {inline: k1, queryParam: api_key}
  securityPolicy:
    oauth:
      issuer: https://auth.example.com
      audiences: [sluice]
      jwks:
        localJWKS: {type: Inline, inline: '{"keys":[]}'}
      protectedResourceMetadata:
        resource: http://localhost:8080/mcp
        scopesSupported: [read, write]
      claimToHeaders: [{claim: sub, header: X-User}]
    authorization:
      defaultAction: Deny
      rules:
        - source: {jwt: {scopes: [write], claims: [{name: org.id, values: ["1", "2"]}]}}
          target: {tools: [{backend: github, tool: issue_read}]}
)";

TEST(McpRouteTest, LoadsEveryField) {
  const LoadResult r = LoadText(std::string(kBase) + std::string(kRoute), "t.yaml", MapEnv());
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty()) << Joined(r.warnings);
  ASSERT_EQ(r.config->mcp_routes.size(), 1u);
  const McpRoute& m = r.config->mcp_routes[0];
  EXPECT_EQ(m.name, "default/mcp-route");
  EXPECT_EQ(m.path, "/mcp");
  EXPECT_THAT(m.parent_gateways, ElementsAre("default/gw"));
  ASSERT_EQ(m.headers.size(), 1u);
  EXPECT_EQ(m.headers[0].name, "x-tenant");
  ASSERT_EQ(m.backends.size(), 2u);
  const McpBackend& gh = m.backends[0];
  EXPECT_EQ(gh.name, "github");
  EXPECT_EQ(gh.path, "/mcp/x/issues");
  EXPECT_EQ(gh.host_header, "api.githubcopilot.com");
  EXPECT_TRUE(gh.tls.enabled);
  EXPECT_EQ(gh.api_key_header, "authorization");
  EXPECT_EQ(gh.api_key_header_value, "Bearer ghp_secret");  // trimmed, "Bearer " added
  EXPECT_THAT(gh.tools.include, ElementsAre("issue_read", "list_issues"));
  ASSERT_EQ(gh.tools.exclude_regex.size(), 1u);
  EXPECT_TRUE(RE2::FullMatch("a_secret", *gh.tools.exclude_regex[0]));
  ASSERT_EQ(gh.forward_headers.size(), 2u);
  EXPECT_EQ(gh.forward_headers[0].name, "x-user-token");
  EXPECT_EQ(gh.forward_headers[0].backend_header, "x-upstream-token");
  EXPECT_EQ(gh.forward_headers[1].backend_header, "x-trace");
  const McpBackend& local = m.backends[1];
  EXPECT_EQ(local.path, "/mcp");
  EXPECT_EQ(local.host_header, "127.0.0.1:9000");
  EXPECT_EQ(local.api_key_query_param, "api_key");
  EXPECT_EQ(local.api_key_query_value, "k1");
  EXPECT_TRUE(local.api_key_header.empty());
  ASSERT_TRUE(m.oauth.has_value());
  EXPECT_EQ(m.oauth->issuer, "https://auth.example.com");
  EXPECT_THAT(m.oauth->audiences, ElementsAre("sluice"));
  EXPECT_EQ(m.oauth->local_jwks, R"({"keys":[]})");
  EXPECT_EQ(m.oauth->resource, "http://localhost:8080/mcp");
  ASSERT_EQ(m.oauth->claim_to_headers.size(), 1u);
  EXPECT_EQ(m.oauth->claim_to_headers[0].header, "x-user");
  ASSERT_TRUE(m.authorization.has_value());
  EXPECT_FALSE(m.authorization->default_allow);
  ASSERT_EQ(m.authorization->rules.size(), 1u);
  EXPECT_THAT(m.authorization->rules[0].scopes, ElementsAre("write"));
  EXPECT_EQ(m.authorization->rules[0].claims[0].name, "org.id");
  EXPECT_EQ(m.authorization->rules[0].tools[0].tool, "issue_read");
}

TEST(McpRouteTest, V1Alpha1LoadsWithDeprecationWarning) {
  std::string route(kRoute);
  route.replace(route.find("v1beta1"), 7, "v1alpha1");
  const LoadResult r = LoadText(std::string(kBase) + route, "t.yaml", MapEnv());
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  ASSERT_EQ(r.config->mcp_routes.size(), 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("v1alpha1 is deprecated"));
}

TEST(McpRouteTest, ReportsEveryError) {
  const std::string yaml = std::string(kBase) + R"(
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: MCPRoute
metadata: {name: bad}
spec:
  parentRefs: [{name: gw}]
  backendRefs:
    - name: missing
    - name: local
      toolSelector: {include: [a], includeRegex: ["("]}
    - name: local
      securityPolicy: {apiKey: {inline: k, header: x-k, queryParam: k}}
)";
  const LoadResult r = LoadText(yaml, "t.yaml", MapEnv());
  const std::string all = Joined(r.errors);
  EXPECT_THAT(all, HasSubstr("MCPRoute default/bad: spec.backendRefs[0].name: Backend "
                             "default/missing not found"));
  EXPECT_THAT(all, HasSubstr("include and includeRegex are mutually exclusive"));
  EXPECT_THAT(all, HasSubstr("spec.backendRefs[1].toolSelector.includeRegex[0]: invalid regular"));
  EXPECT_THAT(all, HasSubstr("duplicate backend name \"local\""));
  EXPECT_THAT(all, HasSubstr("only one of header or queryParam can be set"));
}

TEST(McpServersTest, ParsesHttpAndStdioServersWithEnv) {
  auto parsed = ParseMcpServers(R"({"mcpServers": {
      "kiwi": {"type": "http", "url": "https://mcp.kiwi.com", "includeTools": ["search"]},
      "gh": {"type": "streamable-http", "url": "http://127.0.0.1:9001/mcp/x?y=1",
             "headers": {"Authorization": "Bearer ${GH_TOKEN}", "X-Org": "o"}},
      "old": {"type": "sse", "url": "http://x/sse"},
      "fs": {"command": "node", "args": ["srv.js", "${ROOT}"], "env": {"A": "b"}}}})",
                                MapEnv({{"GH_TOKEN", "t0k"}, {"ROOT", "/tmp"}}));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  ASSERT_EQ(parsed->servers.size(), 3u);
  ASSERT_EQ(parsed->warnings.size(), 1u);
  EXPECT_THAT(parsed->warnings[0], HasSubstr("mcpServers.old"));
  EXPECT_TRUE(parsed->servers[2].stdio());
  EXPECT_THAT(parsed->servers[2].args, ElementsAre("srv.js", "/tmp"));
  auto route = McpRouteFromServers(*parsed, {{"fs", "http://127.0.0.1:5555/mcp"}});
  ASSERT_TRUE(route.ok()) << route.error().message();
  ASSERT_EQ(route->backends.size(), 3u);
  const McpBackend& kiwi = route->backends[0];
  EXPECT_TRUE(kiwi.tls.enabled);
  EXPECT_EQ(kiwi.endpoints[0].port, 443);
  EXPECT_EQ(kiwi.host_header, "mcp.kiwi.com");
  EXPECT_EQ(kiwi.path, "/");
  EXPECT_THAT(kiwi.tools.include, ElementsAre("search"));
  const McpBackend& gh = route->backends[1];
  EXPECT_EQ(gh.path, "/mcp/x?y=1");
  EXPECT_EQ(gh.host_header, "127.0.0.1:9001");
  EXPECT_EQ(gh.api_key_header_value, "Bearer t0k");
  ASSERT_EQ(gh.static_headers.size(), 1u);
  EXPECT_EQ(gh.static_headers[0].first, "x-org");
  EXPECT_EQ(route->backends[2].endpoints[0].port, 5555);
}

TEST(McpServersTest, RejectsBadInput) {
  EXPECT_FALSE(ParseMcpServers("{", MapEnv()).ok());
  EXPECT_FALSE(ParseMcpServers(R"({"servers": {}})", MapEnv()).ok());
  EXPECT_FALSE(ParseMcpServers(R"({"mcpServers": {"a__b": {"url": "http://x"}}})", MapEnv()).ok());
  EXPECT_FALSE(
      ParseMcpServers(R"({"mcpServers": {"a": {"type": "ws", "url": "x"}}})", MapEnv()).ok());
  EXPECT_FALSE(ParseMcpServers(R"({"mcpServers": {"a": {"type": "http"}}})", MapEnv()).ok());
}

}  // namespace
}  // namespace sluice::config
