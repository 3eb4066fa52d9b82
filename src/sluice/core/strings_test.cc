#include "sluice/core/strings.h"

#include <gtest/gtest.h>

#include <cstdio>

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
TEST(StringsTest, FindEitherAtEveryOffset) {
  // Both the sixteen-byte steps and the byte tail, for either byte, from any start.
  for (size_t size = 0; size < 40; ++size) {
    for (size_t at = 0; at < size; ++at) {
      for (char c : {'\n', '\r'}) {
        std::string s(size, 'x');
        s[at] = c;
        for (size_t from = 0; from <= size; ++from) {
          EXPECT_EQ(FindEither(s, from, '\n', '\r'), from <= at ? at : std::string_view::npos)
              << size << " " << at << " " << from;
        }
      }
    }
  }
  EXPECT_EQ(FindEither("ab\r\ncd\n", 0, '\n', '\r'), 2u);
  EXPECT_EQ(FindEither("ab\r\ncd\n", 3, '\n', '\r'), 3u);
  EXPECT_EQ(FindEither("", 0, '\n', '\r'), std::string_view::npos);
  EXPECT_EQ(FindEither("abc", 5, '\n', '\r'), std::string_view::npos);
}

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

// JSON string escaping byte by byte, the way RFC 8259 §7 spells it.
std::string ReferenceJsonEscape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static constexpr char kShort[] = "btn-fr";  // \b \t \n (\v has none) \f \r
      if (c >= 8 && c <= 13 && c != 11) {
        out += '\\';
        out += kShort[c - 8];
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    } else {
      out += ch;
    }
  }
  return out;
}

// The scans test eight or sixteen bytes at a time: put every byte value at every offset of a
// 17-byte string (words or a block, and a tail) and compare both writers with a reference.
TEST(StringsTest, JsonEscapeFindsEveryByteAtEveryOffset) {
  for (int c = 0; c < 256; ++c) {
    for (size_t offset = 0; offset < 17; ++offset) {
      std::string s(17, 'a');
      s[offset] = static_cast<char>(c);
      const std::string expected = ReferenceJsonEscape(s);
      std::string appended;
      AppendJsonEscaped(appended, s);
      ASSERT_EQ(appended, expected) << "byte " << c << " at " << offset;
      std::string written(kMaxJsonEscapeGrowth * s.size() + kJsonEscapeSlack, '\0');
      written.resize(static_cast<size_t>(WriteJsonEscaped(written.data(), s) - written.data()));
      ASSERT_EQ(written, expected) << "byte " << c << " at " << offset;
    }
  }
}

// WriteJsonEscaped stores whole 16-byte blocks: at every length and mix of bytes, including the
// worst growth, it writes the reference's bytes and nothing past the room it asks for.
TEST(StringsTest, JsonEscapeWriterStaysWithinItsRoom) {
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return seed >> 24;
  };
  constexpr char kGuard = '\x5a';
  for (size_t size = 0; size <= 48; ++size) {
    for (int round = 0; round < 40; ++round) {
      std::string s(size, '\0');
      for (char& c : s) {
        const unsigned pick = next();
        c = round == 0   ? '\x01'                      // every byte at its widest
            : pick < 128 ? char('a' + pick % 26)       // mostly plain text
                         : static_cast<char>(next());  // any byte
      }
      const size_t room = kMaxJsonEscapeGrowth * size + kJsonEscapeSlack;
      std::string buffer(room + 64, kGuard);
      const char* end = WriteJsonEscaped(buffer.data(), s);
      ASSERT_EQ(std::string_view(buffer.data(), static_cast<size_t>(end - buffer.data())),
                ReferenceJsonEscape(s))
          << "size " << size << " round " << round;
      ASSERT_EQ(buffer.find_first_not_of(kGuard, room), std::string::npos)
          << "size " << size << " round " << round;
    }
  }
}

}  // namespace
}  // namespace sluice
