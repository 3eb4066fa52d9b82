#include "sluice/json/errors.h"

#include <gtest/gtest.h>

namespace sluice::json {
namespace {

// The body shape of the reference gateway's user-facing errors (reference §9), e.g. the 400 for
// malformed JSON.
TEST(ErrorsTest, EnvoyAIGatewayShape) {
  EXPECT_EQ(OpenAIErrorJson("BadRequest", 400, "invalid request body: model field is required"),
            R"({"type":"error","error":{"type":"BadRequest","code":"400",)"
            R"("message":"invalid request body: model field is required"}})");
}

TEST(ErrorsTest, MessageIsEscaped) {
  EXPECT_EQ(OpenAIErrorJson("OpenAIBackendError", 503, "upstream \"x\"\nline2\t\\"),
            R"({"type":"error","error":{"type":"OpenAIBackendError","code":"503",)"
            R"("message":"upstream \"x\"\nline2\t\\"}})");
  EXPECT_EQ(OpenAIErrorJson("t", 500, std::string("a\0b", 3)),
            R"({"type":"error","error":{"type":"t","code":"500","message":"a\u0000b"}})");
}

TEST(ErrorsTest, Utf8KeptInvalidBytesReplaced) {
  EXPECT_EQ(
      OpenAIErrorJson("t", 400, "caf\xC3\xA9 \xF0\x9F\x98\x80"),
      "{\"type\":\"error\",\"error\":{\"type\":\"t\",\"code\":\"400\",\"message\":\"caf\xC3\xA9 "
      "\xF0\x9F\x98\x80\"}}");
  // A lone continuation byte, a truncated sequence, an overlong '/', an encoded surrogate.
  EXPECT_EQ(
      OpenAIErrorJson("t", 400,
                      "a\x80"
                      "b\xC3"
                      "c\xC0\xAF"
                      "d\xED\xA0\x80"),
      "{\"type\":\"error\",\"error\":{\"type\":\"t\",\"code\":\"400\",\"message\":\"a\xEF\xBF\xBD"
      "b\xEF\xBF\xBD"
      "c\xEF\xBF\xBD\xEF\xBF\xBD"
      "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"}}");
}

}  // namespace
}  // namespace sluice::json
