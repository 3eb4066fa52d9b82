#include "sluice/core/strings.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(StringsTest, CaseHelpers) {
  EXPECT_EQ(AsciiLower("X-AI-EG-Model"), "x-ai-eg-model");
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-length"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Length", "content-lengt"));
  EXPECT_TRUE(StartsWithIgnoreCase("Text/Event-Stream; charset=utf-8", "text/event-stream"));
  EXPECT_EQ(TrimWhitespace("  a b\t\r\n"), "a b");
  EXPECT_EQ(TrimWhitespace("   "), "");
}

TEST(StringsTest, Split) {
  auto parts = Split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "a");
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parts[2], "b");
}

// Test vectors from RFC 4648 §10.
TEST(StringsTest, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},        {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, plain);
  }
  EXPECT_EQ(Base64Decode("Zm9v\nYmFy").value(), "foobar");
  EXPECT_FALSE(Base64Decode("Zm9v!").has_value());
  EXPECT_FALSE(Base64Decode("Zg==Zg").has_value());
}

TEST(StringsTest, JsonEscape) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  // Every control character is escaped; DEL, '/' and UTF-8 bytes pass through unchanged.
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += char(c);
  EXPECT_EQ(JsonQuote(controls),
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e"
            "\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b"
            "\\u001c\\u001d\\u001e\\u001f\"");
  EXPECT_EQ(JsonQuote("x\x7f/\xc3\xa9y"), "\"x\x7f/\xc3\xa9y\"");
  std::string out = "[";
  AppendJsonEscaped(out, "");
  AppendJsonEscaped(out, "\"");
  EXPECT_EQ(out, "[\\\"");
}

}  // namespace
}  // namespace sluice
