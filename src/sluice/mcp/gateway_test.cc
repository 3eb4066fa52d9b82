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
