#include "sluice/json/unescape.h"

#include <gtest/gtest.h>

namespace sluice::json {
namespace {

std::string Unescape(std::string_view raw) {
  std::string out;
  EXPECT_TRUE(AppendUnescaped(out, raw)) << raw;
  return out;
}

// RFC 8259 §7: the two-character escapes and \uXXXX, including a UTF-16 surrogate pair.
TEST(UnescapeTest, Rfc8259Escapes) {
  EXPECT_EQ(Unescape(R"(plain)"), "plain");
  EXPECT_EQ(Unescape(R"(a\"b\\c\/d)"), "a\"b\\c/d");
  EXPECT_EQ(Unescape(R"(\b\f\n\r\t)"), "\b\f\n\r\t");
  EXPECT_EQ(Unescape(R"(\u0041\u00e9\u20AC)"), "A\xC3\xA9\xE2\x82\xAC");  // A é €
  // RFC 8259 §7 example: G clef U+1D11E is "\uD834\uDD1E".
  EXPECT_EQ(Unescape(R"(\uD834\uDD1E)"), "\xF0\x9D\x84\x9E");
  EXPECT_EQ(Unescape(R"(\u0000)"), std::string("\0", 1));
  EXPECT_EQ(Unescape(""), "");
}

// Lone surrogates decode to U+FFFD, as Go's encoding/json does, instead of failing.
TEST(UnescapeTest, LoneSurrogatesBecomeReplacementCharacter) {
  EXPECT_EQ(Unescape(R"(\ud800)"), "\xEF\xBF\xBD");
  EXPECT_EQ(Unescape(R"(\udc00x)"), "\xEF\xBF\xBDx");
  EXPECT_EQ(Unescape(R"(\ud800\u0041)"),
            "\xEF\xBF\xBD"
            "A");
  EXPECT_EQ(Unescape(R"(\ud800\ud800\udc00)"), "\xEF\xBF\xBD\xF0\x90\x80\x80");
}

TEST(UnescapeTest, InvalidEscapes) {
  for (std::string_view raw : {R"(\x)", R"(\)", R"(\u12)", R"(\u12G4)", R"(ab\U0041)", R"(\')"}) {
    std::string out;
    EXPECT_FALSE(AppendUnescaped(out, raw)) << raw;
    EXPECT_FALSE(ValidEscapes(raw)) << raw;
  }
  EXPECT_TRUE(ValidEscapes(R"(\"\\\/\b\f\n\r\t\u00aF and text)"));
  EXPECT_TRUE(ValidEscapes("no escapes at all"));
}

// RFC 8259 §6 grammar.
TEST(UnescapeTest, NumberGrammar) {
  for (std::string_view ok : {"0", "-0", "1", "-12", "3.25", "1e5", "1E+5", "1e-5", "-0.0e+0",
                              "12345678901234567890123456789", "1e400"}) {
    EXPECT_TRUE(IsJsonNumber(ok)) << ok;
  }
  for (std::string_view bad : {"", "-", "+1", "01", "-01", "1.", ".5", "1e", "1e+", "0x10", "NaN",
                               "Infinity", "1.5.2", "12a", "1 "}) {
    EXPECT_FALSE(IsJsonNumber(bad)) << bad;
  }
}

TEST(UnescapeTest, DecodeStringViewsWhenItCan) {
  std::string scratch;
  std::string_view out;
  const std::string_view plain = "plain";
  ASSERT_TRUE(DecodeString(plain, scratch, out));
  EXPECT_EQ(out.data(), plain.data());  // no copy
  ASSERT_TRUE(DecodeString(R"(a\nb\u00e9)", scratch, out));
  EXPECT_EQ(out, "a\nb\xC3\xA9");
  EXPECT_FALSE(DecodeString(R"(bad\x)", scratch, out));
}

}  // namespace
}  // namespace sluice::json
