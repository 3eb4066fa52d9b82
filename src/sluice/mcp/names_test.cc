#include "sluice/mcp/names.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

namespace sluice::mcp {
namespace {

std::shared_ptr<const re2::RE2> Re(const char* p) { return std::make_shared<re2::RE2>(p); }

TEST(NamesTest, PrefixAndSplit) {
  EXPECT_EQ(PrefixName("github", "list_issues"), "github__list_issues");
  auto s = SplitPrefixedName("github__get__me");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->backend, "github");
  EXPECT_EQ(s->name, "get__me");  // only the first separator splits
  EXPECT_FALSE(SplitPrefixedName("plain").has_value());
  EXPECT_FALSE(SplitPrefixedName("__x").has_value());
  EXPECT_FALSE(SplitPrefixedName("x__").has_value());
  EXPECT_EQ(PrefixUri("fs", "file:///a+b"), "fs+file:///a+b");
  auto u = SplitPrefixedUri("fs+file:///a+b");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->backend, "fs");
  EXPECT_EQ(u->name, "file:///a+b");
  EXPECT_FALSE(SplitPrefixedUri("file:///x").has_value());
}

TEST(ToolSelectorTest, IncludeExcludeRegexDenyWins) {
  config::McpToolSelector none;
  EXPECT_TRUE(ToolAllowed(none, "anything"));

  config::McpToolSelector include;
  include.include = {"echo", "add"};
  EXPECT_TRUE(ToolAllowed(include, "echo"));
  EXPECT_FALSE(ToolAllowed(include, "echoes"));

  config::McpToolSelector regex;
  regex.include_regex = {Re("get-.*")};
  EXPECT_TRUE(ToolAllowed(regex, "get-env"));
  EXPECT_FALSE(ToolAllowed(regex, "xget-env"));  // full match, not search

  config::McpToolSelector deny;
  deny.include_regex = {Re(".*")};
  deny.exclude = {"get-env"};
  deny.exclude_regex = {Re("trigger-.*")};
  EXPECT_TRUE(ToolAllowed(deny, "echo"));
  EXPECT_FALSE(ToolAllowed(deny, "get-env"));
  EXPECT_FALSE(ToolAllowed(deny, "trigger-sampling-request"));

  config::McpToolSelector both;
  both.include = {"echo"};
  both.exclude = {"echo"};
  EXPECT_FALSE(ToolAllowed(both, "echo"));  // deny wins
}

TEST(RequestIdTest, RoundTripsNumbersAndStrings) {
  const std::string id = EncodeServerRequestId("everything", "17");
  auto d = DecodeServerRequestId(id);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->backend, "everything");
  EXPECT_EQ(d->raw_id, "17");
  auto s = DecodeServerRequestId(EncodeServerRequestId("b", R"("req-\"1")"));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->raw_id, R"("req-\"1")");
  EXPECT_FALSE(DecodeServerRequestId("17").has_value());
  EXPECT_FALSE(DecodeServerRequestId("sluice~").has_value());
  EXPECT_FALSE(DecodeServerRequestId("sluice~YQ~e30").has_value());  // "{}" is not an id
  EXPECT_NE(EncodeServerRequestId("a", "1"), EncodeServerRequestId("b", "1"));
}

TEST(EventIdTest, RoundTrip) {
  std::string storage;
  auto e = DecodeEventId(EncodeEventId("everything", "abc-123"), storage);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->backend, "everything");
  EXPECT_EQ(e->name, "abc-123");
  EXPECT_FALSE(DecodeEventId("abc-123", storage).has_value());
}

}  // namespace
}  // namespace sluice::mcp
