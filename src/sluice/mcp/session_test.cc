#include "sluice/mcp/session.h"

#include <gtest/gtest.h>

#include "sluice/mcp/encoding.h"

namespace sluice::mcp {
namespace {

SessionState Sample() {
  SessionState s;
  s.route = "default/mcp";
  s.subject = "alice";
  s.issued_at = 1'700'000'000;
  s.protocol_version = "2025-11-25";
  s.client_capabilities = R"({"sampling":{}})";
  s.client_info = R"({"name":"c","version":"1"})";
  s.backends.push_back({"everything", "5f3c-uuid", kCapTools | kCapPrompts, "2025-11-25"});
  s.backends.push_back({"stateless", "", kCapTools, "2025-06-18"});
  return s;
}

TEST(SessionCodecTest, RoundTrip) {
  const SessionCodec codec("seed-1");
  const std::string token = codec.Encrypt(Sample());
  for (char c : token) ASSERT_TRUE(c >= 0x21 && c <= 0x7e) << "not visible ASCII";
  auto back = codec.Decrypt(token, 1'700'000'100);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->route, "default/mcp");
  EXPECT_EQ(back->subject, "alice");
  EXPECT_EQ(back->client_info, R"({"name":"c","version":"1"})");
  ASSERT_EQ(back->backends.size(), 2u);
  EXPECT_EQ(back->backends[0].session_id, "5f3c-uuid");
  EXPECT_EQ(back->backends[0].capabilities, kCapTools | kCapPrompts);
  EXPECT_EQ(back->backends[1].protocol_version, "2025-06-18");
  // Two encryptions of the same state differ (random nonce) and both open.
  EXPECT_NE(codec.Encrypt(Sample()), token);
}

TEST(SessionCodecTest, SameSeedAnotherInstanceOpensIt) {
  const std::string token = SessionCodec("shared").Encrypt(Sample());
  EXPECT_TRUE(SessionCodec("shared").Decrypt(token, 1'700'000'100).ok());
  auto foreign = SessionCodec("other").Decrypt(token, 1'700'000'100);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().kind(), ErrorKind::kNotFound);
}

TEST(SessionCodecTest, EveryFlippedBitIsRejected) {
  const SessionCodec codec("seed");
  const std::string token = codec.Encrypt(Sample());
  auto raw = *Base64UrlDecode(token);
  for (size_t i = 0; i < raw.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string t = raw;
      t[i] = static_cast<char>(t[i] ^ (1 << bit));
      auto r = codec.Decrypt(Base64UrlEncode(t), 1'700'000'100);
      ASSERT_FALSE(r.ok()) << "byte " << i << " bit " << bit;
      EXPECT_EQ(r.error().kind(), ErrorKind::kNotFound);
    }
  }
}

TEST(SessionCodecTest, TruncatedGarbageAndExpiredAreRejected) {
  const SessionCodec codec("seed", 3600);
  const std::string token = codec.Encrypt(Sample());
  EXPECT_FALSE(codec.Decrypt(token.substr(0, token.size() - 1), 1'700'000'100).ok());
  EXPECT_FALSE(codec.Decrypt("", 1'700'000'100).ok());
  EXPECT_FALSE(codec.Decrypt("not base64!", 1'700'000'100).ok());
  EXPECT_FALSE(codec.Decrypt(std::string(20000, 'A'), 1'700'000'100).ok());
  EXPECT_TRUE(codec.Decrypt(token, 1'700'003'600).ok());
  auto expired = codec.Decrypt(token, 1'700'003'601);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().message(), "session expired");
}

TEST(SessionCodecTest, ParseRejectsTrailingBytes) {
  std::string bytes = SerializeSession(Sample());
  EXPECT_TRUE(ParseSession(bytes).has_value());
  EXPECT_FALSE(ParseSession(bytes + "x").has_value());
  EXPECT_FALSE(ParseSession(bytes.substr(0, bytes.size() - 1)).has_value());
}

TEST(ReinitializedSessionsTest, RemembersAndEvictsOldest) {
  ReinitializedSessions map(2);
  EXPECT_FALSE(map.Lookup("a", "1").has_value());
  map.Remember("a", "1", "1b");
  map.Remember("a", "2", "2b");
  EXPECT_EQ(*map.Lookup("a", "1"), "1b");
  EXPECT_FALSE(map.Lookup("b", "1").has_value());
  map.Remember("a", "3", "3b");
  EXPECT_FALSE(map.Lookup("a", "1").has_value());
  EXPECT_EQ(*map.Lookup("a", "3"), "3b");
}

TEST(Base64UrlTest, Rfc4648Vectors) {
  // RFC 4648 §10 vectors, in the URL-safe alphabet without padding.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("Zm9vYg=="), "foob");
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());  // non-canonical trailing bits
  EXPECT_FALSE(Base64UrlDecode("Z+8").has_value());
}

}  // namespace
}  // namespace sluice::mcp
