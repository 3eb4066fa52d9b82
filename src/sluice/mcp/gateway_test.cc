#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "sluice/mcp/gateway_internal.h"

namespace sluice::mcp {
namespace {

namespace json = boost::json;

TEST(MergeCapabilitiesTest, UnionOfFlags) {
  std::vector<BackendSession> b;
  b.push_back({"a", "", kCapTools | kCapLogging, ""});
  b.push_back({"b", "", kCapTools | kCapToolsListChanged | kCapResources |
                            kCapResourcesSubscribe, ""});
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
