#include "sluice/mcp/authz.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::mcp {
namespace {

namespace json = boost::json;

config::McpAuthorization Policy() {
  config::McpAuthorization a;
  a.default_allow = false;
  config::McpAuthzRule write;
  write.scopes = {"tools:write"};
  write.tools = {{"github", "create_issue"}};
  a.rules.push_back(write);
  config::McpAuthzRule tenant;
  tenant.claims = {{"org.id", {"acme", "globex"}}};
  tenant.tools = {{"github", "list_issues"}};
  a.rules.push_back(tenant);
  config::McpAuthzRule deny_all_admin;
  deny_all_admin.allow = false;
  deny_all_admin.claims = {{"role", {"banned"}}};
  a.rules.push_back(deny_all_admin);
  config::McpAuthzRule read;
  read.scopes = {"tools:read"};
  a.rules.push_back(read);
  return a;
}

TEST(AuthorizeToolTest, FirstMatchingRuleDecides) {
  const auto policy = Policy();
  const json::object claims = json::parse(R"({"org":{"id":"acme"},"role":"dev"})").as_object();
  EXPECT_TRUE(AuthorizeTool(policy, &claims, {"tools:write"}, "github", "create_issue").allowed);
  auto denied = AuthorizeTool(policy, &claims, {"tools:read"}, "github", "create_issue");
  EXPECT_TRUE(denied.allowed);  // the catch-all read rule allows it
  auto none = AuthorizeTool(policy, &claims, {}, "github", "create_issue");
  EXPECT_FALSE(none.allowed);  // default Deny
  EXPECT_EQ(none.required_scopes, (std::vector<std::string>{"tools:write", "tools:read"}));
  EXPECT_TRUE(AuthorizeTool(policy, &claims, {}, "github", "list_issues").allowed);
  const json::object other = json::parse(R"({"org":{"id":"initech"}})").as_object();
  EXPECT_FALSE(AuthorizeTool(policy, &other, {}, "github", "list_issues").allowed);
  const json::object banned = json::parse(R"({"role":["x","banned"]})").as_object();
  EXPECT_FALSE(AuthorizeTool(policy, &banned, {"tools:read"}, "kiwi", "search").allowed);
  EXPECT_FALSE(AuthorizeTool(policy, nullptr, {}, "kiwi", "search").allowed);
  config::McpAuthorization open;
  open.default_allow = true;
  EXPECT_TRUE(AuthorizeTool(open, nullptr, {}, "kiwi", "search").allowed);
}

}  // namespace
}  // namespace sluice::mcp
