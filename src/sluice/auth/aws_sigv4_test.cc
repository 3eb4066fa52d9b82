#include "sluice/auth/aws_sigv4.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::auth {
namespace {

using ::testing::HasSubstr;

// AWS Signature Version 4 test suite (AWS General Reference, "Signature Version 4 test suite";
// the same vectors ship with @smithy/signature-v4 as suite.fixture.ts): credentials, region,
// service and time shared by every case.
const AwsCredentials kSuiteCredentials{
    "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, ""};
constexpr std::string_view kSuiteRegion = "us-east-1";
constexpr std::string_view kSuiteService = "service";
constexpr std::string_view kSuiteHost = "example.amazonaws.com";

std::chrono::system_clock::time_point SuiteTime() {
  // 2015-08-30T12:36:00Z
  return std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
}

std::string Expected(std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=" +
         std::string(signed_headers) + ", Signature=" + std::string(signature);
}

SigV4Request Req(std::string_view method, std::string_view target, std::string_view body = {}) {
  SigV4Request r;
  r.method = method;
  r.target = target;
  r.body = body;
  return r;
}

SigV4Signature SignSuite(SigV4Request r, const AwsCredentials& creds = kSuiteCredentials) {
  r.host = kSuiteHost;
  return SignV4(r, creds, kSuiteService, kSuiteRegion, SuiteTime());
}

TEST(SigV4Suite, GetVanilla) {
  const auto sig = SignSuite(Req("GET", "/"));
  EXPECT_EQ(sig.amz_date, "20150830T123600Z");
  // get-vanilla.creq
  EXPECT_EQ(sig.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // get-vanilla.sts
  EXPECT_EQ(sig.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(sig.authorization,
            Expected("host;x-amz-date",
                     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4Suite, PostVanilla) {
  EXPECT_EQ(SignSuite(Req("POST", "/")).authorization,
            Expected("host;x-amz-date",
                     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
}

TEST(SigV4Suite, GetVanillaQueryOrderKeyCase) {
  EXPECT_EQ(SignSuite(Req("GET", "/?Param2=value2&Param1=value1")).authorization,
            Expected("host;x-amz-date",
                     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SigV4Suite, GetVanillaQueryUnreserved) {
  const std::string unreserved =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const std::string target = "/?" + unreserved + "=" + unreserved;
  EXPECT_EQ(SignSuite(Req("GET", target)).authorization,
            Expected("host;x-amz-date",
                     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"));
}

TEST(SigV4Suite, GetVanillaUtf8Query) {
  // "GET /?ሴ=bar": the raw UTF-8 bytes and their percent-encoding sign the same.
  const auto expected = Expected(
      "host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");
  EXPECT_EQ(SignSuite(Req("GET", "/?\xE1\x88\xB4=bar")).authorization, expected);
  EXPECT_EQ(SignSuite(Req("GET", "/?%E1%88%B4=bar")).authorization, expected);
}

TEST(SigV4Suite, GetUtf8) {
  EXPECT_EQ(SignSuite(Req("GET", "/\xE1\x88\xB4")).authorization,
            Expected("host;x-amz-date",
                     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"));
}

TEST(SigV4Suite, GetUnreserved) {
  EXPECT_EQ(
      SignSuite(Req("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
          .authorization,
      Expected("host;x-amz-date",
               "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
}

TEST(SigV4Suite, PostXWwwFormUrlencoded) {
  SigV4Request r = Req("POST", "/", "Param1=value1");
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(SignSuite(r).authorization,
            Expected("content-type;host;x-amz-date",
                     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST(SigV4Suite, PostXWwwFormUrlencodedParameters) {
  SigV4Request r = Req("POST", "/", "Param1=value1");
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}};
  EXPECT_EQ(SignSuite(r).authorization,
            Expected("content-type;host;x-amz-date",
                     "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"));
}

TEST(SigV4Suite, PostHeaderKeySort) {
  SigV4Request r = Req("POST", "/");
  r.headers = {{"My-Header1", "value1"}};
  EXPECT_EQ(SignSuite(r).authorization,
            Expected("host;my-header1;x-amz-date",
                     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"));
}

TEST(SigV4Suite, GetHeaderKeyDuplicate) {
  SigV4Request r = Req("GET", "/");
  r.headers = {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}};
  EXPECT_EQ(SignSuite(r).authorization,
            Expected("host;my-header1;x-amz-date",
                     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
}

TEST(SigV4Suite, GetHeaderValueTrim) {
  SigV4Request r = Req("GET", "/");
  r.headers = {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}};
  EXPECT_EQ(SignSuite(r).authorization,
            Expected("host;my-header1;my-header2;x-amz-date",
                     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST(SigV4Suite, PostStsHeaderBefore) {
  // post-sts-token/post-sts-header-before: temporary credentials sign x-amz-security-token.
  AwsCredentials creds = kSuiteCredentials;
  creds.session_token =
      "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpS"
      "PfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYw"
      "T7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKml"
      "zm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
  EXPECT_EQ(SignSuite(Req("POST", "/"), creds).authorization,
            Expected("host;x-amz-date;x-amz-security-token",
                     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));
}

TEST(SigV4, SigningKeyDerivation) {
  // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
  const std::string key =
      SigV4SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
  std::string hex;
  for (unsigned char c : key) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[c >> 4];
    hex += kDigits[c & 0xF];
  }
  EXPECT_EQ(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4, CanonicalUriEncodesThePathAgain) {
  // Bedrock's own InvalidSignatureException message quotes its canonical request with the model
  // id's ':' sent as %3A appearing as %253A.
  EXPECT_EQ(
      SigV4CanonicalUri("/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream"),
      "/model/us.anthropic.claude-sonnet-4-20250514-v1%253A0/converse-stream");
  // An inference profile ARN as a model id: '/' inside it travels as %2F and stays one segment.
  EXPECT_EQ(SigV4CanonicalUri("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-"
                              "inference-profile%2Fabc/invoke"),
            "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Aapplication-"
            "inference-profile%252Fabc/invoke");
  // A raw ':' (Go's url.PathEscape leaves it) is encoded once.
  EXPECT_EQ(SigV4CanonicalUri("/model/anthropic.claude-v2:1/invoke"),
            "/model/anthropic.claude-v2%3A1/invoke");
  // Dot segments and empty segments go, as in the suite's get-slashes / get-relative cases.
  EXPECT_EQ(SigV4CanonicalUri("//example//"), "/example/");
  EXPECT_EQ(SigV4CanonicalUri("/example/.."), "/");
  EXPECT_EQ(SigV4CanonicalUri("/./"), "/");
  EXPECT_EQ(SigV4CanonicalUri("/example space/"), "/example%20space/");
  EXPECT_EQ(SigV4CanonicalUri(""), "/");
}

TEST(SigV4, CanonicalQuery) {
  EXPECT_EQ(SigV4CanonicalQuery(""), "");
  EXPECT_EQ(SigV4CanonicalQuery("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(SigV4CanonicalQuery("flag"), "flag=");
  EXPECT_EQ(SigV4CanonicalQuery("q=a+b&s=x%20y"), "q=a%2Bb&s=x%20y");
}

TEST(SigV4, BedrockRequestSignsHostDateAndToken) {
  AwsCredentials creds{"ASIAEXAMPLE", "secret", "token  with   spaces", {}, ""};
  SigV4Request r =
      Req("POST", "/model/amazon.titan-embed-text-v2%3A0/invoke", R"({"inputText":"hi"})");
  r.host = "bedrock-runtime.us-west-2.amazonaws.com";
  const auto sig = SignV4(r, creds, kBedrockService, "us-west-2", SuiteTime());
  EXPECT_EQ(sig.signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_THAT(sig.authorization,
              HasSubstr("Credential=ASIAEXAMPLE/20150830/us-west-2/bedrock/aws4_request, "));
  EXPECT_THAT(sig.canonical_request, HasSubstr("/model/amazon.titan-embed-text-v2%253A0/invoke\n"));
  EXPECT_THAT(sig.canonical_request, HasSubstr("x-amz-security-token:token with spaces\n"));
  EXPECT_THAT(sig.canonical_request, HasSubstr("\n" + Sha256Hex(R"({"inputText":"hi"})")));
}

TEST(BedrockRegion, FromHost) {
  struct Case {
    std::string_view host, want;
  };
  const Case cases[] = {
      {"bedrock-runtime.us-west-2.amazonaws.com", "us-west-2"},
      {"bedrock-runtime.ap-southeast-1.amazonaws.com", "ap-southeast-1"},
      {"bedrock-runtime.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
      {"bedrock-runtime.eu-central-1.amazonaws.com:443", "eu-central-1"},
      {"Bedrock-Runtime.US-EAST-1.amazonaws.com.", "us-east-1"},
      {"bedrock-runtime-fips.us-east-1.amazonaws.com", "us-east-1"},
      {"bedrock-runtime-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
      {"bedrock-runtime.us-east-1.api.aws", "us-east-1"},
      {"bedrock-runtime-fips.us-east-2.api.aws", "us-east-2"},
      {"bedrock-runtime.cn-north-1.amazonaws.com.cn", "cn-north-1"},
      {"vpce-0123456789abcdef0-1a2b3c4d.bedrock-runtime.us-east-1.vpce.amazonaws.com", "us-east-1"},
      {"vpce-0123456789abcdef0-1a2b3c4d-us-east-1a.bedrock-runtime.us-east-1.vpce.amazonaws.com",
       "us-east-1"},
      // Not Bedrock Runtime endpoint names: the policy's region applies.
      {"bedrock.us-east-1.amazonaws.com", ""},
      {"bedrock-runtime.amazonaws.com", ""},
      {"bedrock-runtime.us-east1.amazonaws.com", ""},
      {"bedrock-runtime.us-east-1.example.com", ""},
      {"proxy.bedrock-runtime.us-east-1.amazonaws.com", ""},
      {"bedrock-runtime.us-east-1.vpce.amazonaws.com", ""},
      {"my-proxy.internal.corp", ""},
      {"127.0.0.1:8080", ""},
      {"[::1]:8080", ""},
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(BedrockRegionFromHost(c.host), c.want) << c.host;
  EXPECT_EQ(SigningRegion("127.0.0.1:9000", "eu-west-1"), "eu-west-1");
  EXPECT_EQ(SigningRegion("bedrock-runtime.us-east-2.amazonaws.com", "us-east1"), "us-east-2");
}

}  // namespace
}  // namespace sluice::auth
