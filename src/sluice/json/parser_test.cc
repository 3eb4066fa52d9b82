#include "sluice/json/parser.h"

#include <gtest/gtest.h>

#include "sluice/json/padding.h"

namespace sluice::json {
namespace {

namespace od = simdjson::ondemand;

TEST(PaddingTest, EnsurePaddingKeepsContents) {
  std::string s = "{\"a\":1}";
  s.shrink_to_fit();
  EnsurePadding(s);
  EXPECT_TRUE(HasPadding(s));
  EXPECT_EQ(s, "{\"a\":1}");
  const char* data = s.data();
  EnsurePadding(s);  // already padded: no reallocation
  EXPECT_EQ(s.data(), data);
}

TEST(ParserTest, DescribeErrorNamesTheCode) {
  EXPECT_EQ(ErrorCodeName(simdjson::TAPE_ERROR), "TAPE_ERROR");
  EXPECT_EQ(ErrorCodeName(simdjson::TRAILING_CONTENT), "TRAILING_CONTENT");
  std::string text = DescribeError(simdjson::TAPE_ERROR);
  EXPECT_EQ(text.rfind("TAPE_ERROR: ", 0), 0u) << text;
  EXPECT_GT(text.size(), std::string_view("TAPE_ERROR: ").size());
  Error error = ClientJsonError(simdjson::STRING_ERROR);
  EXPECT_EQ(error.kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(error.source(), ErrorSource::kClient);
}

TEST(ParserTest, LeasesNestAndLargeDocumentsGetTheirOwnParser) {
  ParserLease outer(100);
  ParserLease inner(100);  // the thread's parser is lent: a private one
  EXPECT_NE(&outer.parser(), &inner.parser());
  ParserLease big(ParserLease::kPooledDocumentLimit + 1);
  EXPECT_NE(&outer.parser(), &big.parser());
}

TEST(ParserTest, LeaseReturnsTheThreadParser) {
  od::parser* first;
  {
    ParserLease lease(10);
    first = &lease.parser();
  }
  ParserLease again(10);
  EXPECT_EQ(&again.parser(), first);
}

TEST(ParserTest, ReadStringAndUint64) {
  std::string doc =
      R"({"s":"plain","e":"a\nb\u00e9","n":42,"big":18446744073709551615,)"
      R"("over":18446744073709551616,"neg":-1,"f":1.5,"x":1e3,"z":0,"lead":01,"null":null,)"
      R"("str":"7"})";
  EnsurePadding(doc);
  ParserLease lease(doc.size());
  od::document d;
  ASSERT_FALSE(lease.parser().iterate(doc.data(), doc.size(), doc.capacity()).get(d));
  od::object object;
  ASSERT_FALSE(d.get_object().get(object));
  std::string scratch;
  int seen = 0;
  for (auto fr : object) {
    od::field field;
    ASSERT_FALSE(std::move(fr).get(field));
    std::string_view key = field.key().raw();
    key = key.substr(0, key.find('"'));
    std::string_view s;
    uint64_t u = 0;
    ++seen;
    if (key == "s") {
      ASSERT_TRUE(ReadString(field.value(), scratch, s));
      EXPECT_EQ(s, "plain");
    } else if (key == "e") {
      ASSERT_TRUE(ReadString(field.value(), scratch, s));
      EXPECT_EQ(s, "a\nb\xC3\xA9");
    } else if (key == "n") {
      ASSERT_TRUE(ReadUint64(field.value(), u));
      EXPECT_EQ(u, 42u);
      EXPECT_FALSE(ReadString(field.value(), scratch, s));
    } else if (key == "big") {
      ASSERT_TRUE(ReadUint64(field.value(), u));
      EXPECT_EQ(u, UINT64_MAX);
    } else if (key == "z") {
      ASSERT_TRUE(ReadUint64(field.value(), u));
      EXPECT_EQ(u, 0u);
    } else {
      EXPECT_FALSE(ReadUint64(field.value(), u)) << key;
    }
  }
  EXPECT_EQ(seen, 12);
}

}  // namespace
}  // namespace sluice::json
