#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "sluice/mcp/backend_client.h"
#include "sluice/mcp/gateway_internal.h"

namespace sluice::mcp {
namespace {

namespace json = boost::json;

TEST(MergeCapabilitiesTest, UnionOfFlags) {
  std::vector<BackendSession> b;
  b.push_back({"a", "", kCapTools | kCapLogging, ""});
  b.push_back(
      {"b", "", kCapTools | kCapToolsListChanged | kCapResources | kCapResourcesSubscribe, ""});
  b.push_back({"c", "", kCapPrompts | kCapCompletions, ""});
  const json::object caps = MergeCapabilities(b);
  EXPECT_EQ(json::serialize(caps),
            R"({"tools":{"listChanged":true},"prompts":{"listChanged":false},)"
            R"("resources":{"subscribe":true,"listChanged":false},"logging":{},"completions":{}})");
  EXPECT_TRUE(MergeCapabilities({}).empty());
}

TEST(PrefixResourceUrisTest, LinksEmbeddedAndContents) {
  json::value result = json::parse(R"({"content":[
      {"type":"text","text":"uri"},
      {"type":"resource_link","uri":"demo://resource/1","name":"r"},
      {"type":"resource","resource":{"uri":"demo://resource/2","text":"x"}}]})");
  EXPECT_TRUE(PrefixResourceUris(result, "ev", 1));
  EXPECT_EQ(result.at("content").at(1).at("uri").as_string(), "ev+demo://resource/1");
  EXPECT_EQ(result.at("content").at(2).at("resource").at("uri").as_string(),
            "ev+demo://resource/2");
  json::value plain = json::parse(R"({"content":[{"type":"text","text":"hi"}]})");
  EXPECT_FALSE(PrefixResourceUris(plain, "ev", 1));
}

}  // namespace
}  // namespace sluice::mcp

namespace sluice::mcp {
namespace {

TEST(BuildBackendHeadTest, CredentialSessionAndForwardedHeaders) {
  config::McpBackend b;
  b.name = "gh";
  b.host_header = "api.example.com";
  b.path = "/mcp/x";
  b.api_key_header = "authorization";
  b.api_key_header_value = "Bearer k1";
  b.static_headers = {{"x-org", "o"}};
  const std::vector<std::pair<std::string, std::string>> extra = {
      {"Authorization", "Bearer client"}, {"x-upstream-token", "u"}};
  BackendRequest r;
  r.backend = &b;
  r.body = "{}";
  r.session_id = "s-1";
  r.protocol_version = "2025-06-18";
  r.extra_headers = &extra;
  const std::string head = BuildBackendHead(r);
  EXPECT_EQ(head,
            "POST /mcp/x HTTP/1.1\r\nhost: api.example.com\r\n"
            "accept: application/json, text/event-stream\r\ncontent-type: application/json\r\n"
            "mcp-session-id: s-1\r\nmcp-protocol-version: 2025-06-18\r\nx-org: o\r\n"
            "x-upstream-token: u\r\nauthorization: Bearer k1\r\ncontent-length: 2\r\n\r\n");
}

TEST(BuildBackendHeadTest, QueryParamKeyIsEscaped) {
  config::McpBackend b;
  b.host_header = "h";
  b.path = "/mcp?v=1";
  b.api_key_query_param = "api_key";
  b.api_key_query_value = "a b&c";
  BackendRequest r;
  r.backend = &b;
  r.method = "GET";
  r.accept = "text/event-stream";
  r.last_event_id = "e-9";
  const std::string head = BuildBackendHead(r);
  EXPECT_TRUE(head.starts_with("GET /mcp?v=1&api_key=a%20b%26c HTTP/1.1\r\n")) << head;
  EXPECT_NE(head.find("last-event-id: e-9\r\n"), std::string::npos);
  EXPECT_EQ(head.find("content-type"), std::string::npos);
}

TEST(InflaterTest, DecodesAtEveryChunkBoundary) {
  // gzip of "hello, gzip\n" made by `printf 'hello, gzip\n' | gzip -n` (RFC 1952 member).
  const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb,
                              0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x48, 0xaf, 0xca, 0x2c, 0xe0,
                              0x02, 0x00, 0x86, 0x1f, 0x82, 0xa4, 0x0c, 0x00, 0x00, 0x00};
  const std::string in(reinterpret_cast<const char*>(gz), sizeof gz);
  for (size_t cut = 0; cut <= in.size(); ++cut) {
    Inflater z;
    std::string out;
    ASSERT_TRUE(z.Feed(in.substr(0, cut), out, 1 << 20).ok());
    ASSERT_TRUE(z.Feed(in.substr(cut), out, 1 << 20).ok());
    EXPECT_EQ(out, "hello, gzip\n") << cut;
  }
  Inflater bad;
  std::string out;
  EXPECT_FALSE(bad.Feed("not gzip at all", out, 1 << 20).ok());
}

}  // namespace
}  // namespace sluice::mcp

#include <boost/asio/io_context.hpp>
#include <re2/re2.h>

#include "sluice/mcp/gateway.h"

namespace sluice::mcp {
namespace {

http::Request Req(std::string method, std::string target, std::string host) {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers.Add("host", std::move(host));
  return r;
}

TEST(McpGatewayAcceptsTest, PathHostnamesHeadersAndMetadata) {
  boost::asio::io_context io;
  observe::AccessLogBuffer log(-1);
  McpGateway gw(io.get_executor(), log, std::make_shared<const SessionCodec>("s"),
                std::make_shared<ReinitializedSessions>());
  config::RuntimeConfig cfg;
  EXPECT_FALSE(gw.Accepts(cfg, Req("POST", "/mcp", "h")));
  config::McpRoute open;
  open.name = "default/open";
  open.path = "/mcp";
  cfg.mcp_routes.push_back(open);
  config::McpRoute tenant;
  tenant.name = "default/tenant";
  tenant.path = "/tenant/mcp";
  tenant.hostnames = {"*.example.com"};
  config::HeaderMatch m;
  m.name = "x-tenant";
  m.type = config::MatchType::kRegularExpression;
  m.value = "a|b";
  m.regex = std::make_shared<re2::RE2>("a|b");
  tenant.headers.push_back(m);
  tenant.oauth = config::McpOAuth{};
  cfg.mcp_routes.push_back(tenant);

  EXPECT_TRUE(gw.Accepts(cfg, Req("POST", "/mcp", "localhost:1975")));
  EXPECT_TRUE(gw.Accepts(cfg, Req("GET", "/mcp?x=1", "localhost")));  // the query is not the path
  EXPECT_FALSE(gw.Accepts(cfg, Req("POST", "/mcp/", "localhost")));   // exact match
  EXPECT_FALSE(gw.Accepts(cfg, Req("POST", "/v1/chat/completions", "localhost")));
  // No OAuth on /mcp: its metadata path is not served.
  EXPECT_FALSE(gw.Accepts(cfg, Req("GET", "/.well-known/oauth-protected-resource/mcp", "h")));

  auto t = Req("POST", "/tenant/mcp", "api.EXAMPLE.com:8443");
  EXPECT_FALSE(gw.Accepts(cfg, t));  // header missing
  t.headers.Add("x-tenant", "b");
  EXPECT_TRUE(gw.Accepts(cfg, t));
  auto wrong_host = Req("POST", "/tenant/mcp", "example.com");
  wrong_host.headers.Add("x-tenant", "a");
  EXPECT_FALSE(gw.Accepts(cfg, wrong_host));  // "*.example.com" needs a subdomain
  auto wrong_value = Req("POST", "/tenant/mcp", "x.example.com");
  wrong_value.headers.Add("x-tenant", "ab");
  EXPECT_FALSE(gw.Accepts(cfg, wrong_value));  // full match
  auto meta = Req("GET", "/.well-known/oauth-protected-resource/tenant/mcp", "x.example.com");
  meta.headers.Add("x-tenant", "a");
  EXPECT_TRUE(gw.Accepts(cfg, meta));
}

}  // namespace
}  // namespace sluice::mcp
