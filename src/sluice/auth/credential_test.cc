#include "sluice/auth/credential.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sluice/auth/aws_sigv4.h"

namespace sluice::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::chrono::system_clock::time_point At(int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

config::Backend Bedrock(std::string host, std::string region) {
  config::Backend b;
  b.name = "default/bedrock";
  b.host_header = std::move(host);
  b.auth.type = config::UpstreamAuth::Type::kAWSCredentials;
  b.auth.policy_name = "default/aws";
  b.auth.aws.region = std::move(region);
  b.auth.aws.credentials = std::make_shared<config::AwsCredentialCell>();
  return b;
}

TEST(AppendCredentialHeaders, ApiKeysAreOneHeader) {
  config::Backend b;
  b.auth.type = config::UpstreamAuth::Type::kAPIKey;
  b.auth.header_name = "authorization";
  b.auth.header_value = "Bearer k";
  HeaderList out;
  ASSERT_TRUE(AppendCredentialHeaders(b, {"POST", "h", "/v1/chat/completions", "{}"}, out).ok());
  EXPECT_THAT(out, ElementsAre(Pair("authorization", "Bearer k")));
}

TEST(AppendCredentialHeaders, AwsSignsTheFinalRequestWithTheHostsRegion) {
  config::Backend b = Bedrock("bedrock-runtime.us-west-2.amazonaws.com", "us-east-1");
  auto creds = std::make_shared<AwsCredentials>();
  creds->access_key_id = "ASIAEXAMPLE";
  creds->secret_access_key = "secret";
  creds->session_token = "session";
  creds->expiration = At(2'000'000'000);
  b.auth.aws.credentials->Store(creds);

  const std::string body = R"({"messages":[]})";
  const OutgoingRequest request{
      "POST", b.host_header, "/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse", body};
  HeaderList out;
  ASSERT_TRUE(AppendAwsSignature(b, request, At(1'440'938'160), out).ok());

  // The same signature computed directly: the region comes from the host, not the policy.
  SigV4Request r;
  r.method = "POST";
  r.host = b.host_header;
  r.target = request.path;
  r.body = body;
  const auto expected = SignV4(r, *creds, "bedrock", "us-west-2", At(1'440'938'160));
  EXPECT_THAT(out, ElementsAre(Pair("authorization", expected.authorization),
                               Pair("x-amz-date", "20150830T123600Z"),
                               Pair("x-amz-security-token", "session")));
  EXPECT_THAT(expected.canonical_request,
              HasSubstr("/model/anthropic.claude-3-5-sonnet-20241022-v2%253A0/converse\n"));
  EXPECT_THAT(out[0].second, HasSubstr("/20150830/us-west-2/bedrock/aws4_request"));
}

TEST(AppendCredentialHeaders, AwsFallsBackToThePolicyRegionAndOmitsTheTokenForLongTermKeys) {
  config::Backend b = Bedrock("127.0.0.1:9000", "eu-west-3");
  auto creds = std::make_shared<AwsCredentials>();
  creds->access_key_id = "AKIDEXAMPLE";
  creds->secret_access_key = "secret";
  b.auth.aws.credentials->Store(creds);
  HeaderList out;
  ASSERT_TRUE(AppendAwsSignature(b, {"POST", b.host_header, "/model/m/invoke", "{}"},
                                 At(1'440'938'160), out)
                  .ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_THAT(out[0].second, HasSubstr("Credential=AKIDEXAMPLE/20150830/eu-west-3/bedrock/"));
  EXPECT_THAT(out[0].second, HasSubstr("SignedHeaders=host;x-amz-date,"));
}

TEST(AppendCredentialHeaders, AwsWithoutCredentialsOrExpiredFailsNamingThePolicy) {
  config::Backend b = Bedrock("bedrock-runtime.us-east-1.amazonaws.com", "us-east-1");
  b.auth.aws.credentials->StoreError("no AWS credentials found by the default chain (...)");
  HeaderList out;
  auto none = AppendAwsSignature(b, {"POST", b.host_header, "/model/m/invoke", "{}"}, At(0), out);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(),
            "no usable AWS credentials for backend default/bedrock (BackendSecurityPolicy "
            "default/aws): no AWS credentials found by the default chain (...)");
  EXPECT_TRUE(none.error().retryable());

  auto creds = std::make_shared<AwsCredentials>();
  creds->access_key_id = "ASIA";
  creds->secret_access_key = "s";
  creds->session_token = "t";
  creds->expiration = At(1000);
  creds->source = "web identity";
  b.auth.aws.credentials->Store(creds);
  b.auth.aws.credentials->StoreError(
      "STS AssumeRoleWithWebIdentity at http://sts failed: HTTP 500");
  auto expired =
      AppendAwsSignature(b, {"POST", b.host_header, "/model/m/invoke", "{}"}, At(1000), out);
  ASSERT_FALSE(expired.ok());
  EXPECT_THAT(expired.error().message(),
              HasSubstr("the credentials from web identity expired at 1970-01-01T00:16:40Z; STS "
                        "AssumeRoleWithWebIdentity at http://sts failed: HTTP 500"));
  EXPECT_TRUE(out.empty());
  // Still valid one second earlier.
  EXPECT_TRUE(
      AppendAwsSignature(b, {"POST", b.host_header, "/model/m/invoke", "{}"}, At(999), out).ok());
}

TEST(IsCredentialHeader, KnowsEveryInjectedSchemeInAnyCase) {
  for (std::string_view name :
       {"authorization", "Authorization", "x-api-key", "X-Api-Key", "api-key", "API-KEY",
        "x-amz-security-token", "X-Amz-Date", "x-amz-content-sha256"}) {
    EXPECT_TRUE(IsCredentialHeader(name)) << name;
  }
  for (std::string_view name : {"", "authorizatio", "authorizations", "x-api-keys", "api-kex",
                                "x-amz-date2", "x-amz-security-tokex", "content-type", "host"}) {
    EXPECT_FALSE(IsCredentialHeader(name)) << name;
  }
}

}  // namespace
}  // namespace sluice::auth
