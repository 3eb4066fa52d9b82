#include "sluice/auth/aws_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace sluice::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kTestdata = SLUICE_TESTDATA_DIR;

config::GetEnv MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ReadFile MapFiles(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string& path) -> std::optional<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
}

// ---- Shared credentials file (AWS SDKs and Tools Reference Guide, "Shared config and
// credentials files": the credentials file format) ------------------------------------------------

constexpr std::string_view kIni = R"(# comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = secret/default+key

; another comment
[bedrock]
aws_access_key_id=ASIABEDROCK
aws_secret_access_key=bedrock-secret
aws_session_token = token==
region = us-west-2

[  spaced  ]
AWS_ACCESS_KEY_ID = AKIDSPACED
Aws_Secret_Access_Key = spaced-secret

[incomplete]
aws_access_key_id = AKIDONLY
)";

TEST(SharedCredentials, DefaultProfile) {
  auto c = ParseSharedCredentials(kIni, "default");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(c->secret_access_key, "secret/default+key");
  EXPECT_EQ(c->session_token, "");
}

TEST(SharedCredentials, NamedProfileWithSessionTokenAndNoSpaces) {
  auto c = ParseSharedCredentials(kIni, "bedrock");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->access_key_id, "ASIABEDROCK");
  EXPECT_EQ(c->secret_access_key, "bedrock-secret");
  EXPECT_EQ(c->session_token, "token==");
}

TEST(SharedCredentials, TrimmedSectionNamesAndCaseInsensitiveKeys) {
  auto c = ParseSharedCredentials(kIni, "spaced");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->access_key_id, "AKIDSPACED");
  EXPECT_EQ(c->secret_access_key, "spaced-secret");
}

TEST(SharedCredentials, CrlfLineEnds) {
  auto c = ParseSharedCredentials(
      "[default]\r\naws_access_key_id = A\r\naws_secret_access_key = "
      "S\r\n",
      "default");
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->access_key_id, "A");
  EXPECT_EQ(c->secret_access_key, "S");
}

TEST(SharedCredentials, ErrorsNameTheProfileAndTheMissingKeyNeverAValue) {
  auto missing = ParseSharedCredentials(kIni, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "profile \"nope\" not found");
  auto incomplete = ParseSharedCredentials(kIni, "incomplete");
  ASSERT_FALSE(incomplete.ok());
  EXPECT_EQ(incomplete.error().message(), "profile \"incomplete\" has no aws_secret_access_key");
  EXPECT_THAT(incomplete.error().message(), Not(HasSubstr("AKIDONLY")));
}

// ---- STS
// ------------------------------------------------------------------------------------------

TEST(Sts, RequestBodyIsTheQueryProtocolForm) {
  EXPECT_EQ(AssumeRoleWithWebIdentityBody("arn:aws:iam::123456789012:role/bedrock", "sluice-1",
                                          "eyJ.a+b/c="),
            "Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%"
            "2Fbedrock&RoleSessionName=sluice-1&Version=2011-06-15&WebIdentityToken=eyJ.a%2Bb%2Fc%"
            "3D");
}

TEST(Sts, ParsesTheDocumentedResponse) {
  auto xml = ReadWholeFile(kTestdata + "/sts_assume_role_with_web_identity.xml");
  ASSERT_TRUE(xml.has_value());
  auto c = ParseAssumeRoleWithWebIdentityResponse(*xml);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(c->access_key_id, "ASgeIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(c->secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  EXPECT_EQ(c->session_token, "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE");
  EXPECT_EQ(FormatIso8601(c->expiration), "2014-10-24T23:00:23Z");
}

TEST(Sts, ErrorResponseGivesCodeAndMessage) {
  auto xml = ReadWholeFile(kTestdata + "/sts_error_invalid_identity_token.xml");
  ASSERT_TRUE(xml.has_value());
  auto c = ParseAssumeRoleWithWebIdentityResponse(*xml);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message(),
              HasSubstr("STS answered InvalidIdentityToken: Couldn't retrieve verification key"));
}

TEST(Sts, MalformedAnswers) {
  EXPECT_FALSE(ParseAssumeRoleWithWebIdentityResponse("").ok());
  EXPECT_FALSE(ParseAssumeRoleWithWebIdentityResponse("<html>gateway timeout</html>").ok());
  EXPECT_FALSE(
      ParseAssumeRoleWithWebIdentityResponse(
          "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>A</AccessKeyId>"
          "<SecretAccessKey>S</SecretAccessKey><SessionToken>T</SessionToken>"
          "<Expiration>tomorrow</Expiration></Credentials></AssumeRoleWithWebIdentityResult>")
          .ok());
}

TEST(Sts, Iso8601) {
  auto t = ParseIso8601("2014-10-24T23:00:23Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1414191623);
  auto frac = ParseIso8601("2014-10-24T23:00:23.500Z");
  ASSERT_TRUE(frac.has_value());
  EXPECT_EQ(*frac - *t, std::chrono::milliseconds(500));
  EXPECT_FALSE(ParseIso8601("2014-10-24 23:00:23Z").has_value());
  EXPECT_FALSE(ParseIso8601("2014-10-24T23:00:23+01:00").has_value());
  EXPECT_FALSE(ParseIso8601("").has_value());
}

TEST(Sts, RefreshBeforeExpiry) {
  using std::chrono::minutes;
  using std::chrono::seconds;
  const std::chrono::system_clock::time_point t0(seconds(1'000'000));
  // One hour: five minutes before the end (as the AWS SDKs do).
  EXPECT_EQ(RefreshTime(t0, t0 + minutes(60)), t0 + minutes(55));
  // Short-lived credentials: halfway.
  EXPECT_EQ(RefreshTime(t0, t0 + seconds(4)), t0 + seconds(2));
  // Already expired or nearly: never a busy loop.
  EXPECT_EQ(RefreshTime(t0, t0), t0 + seconds(1));
  EXPECT_EQ(RefreshTime(t0, t0 - seconds(30)), t0 + seconds(1));
}

TEST(Sts, EndpointFromTheStandardVariables) {
  EXPECT_EQ(StsEndpoint(MapEnv({}), "us-west-2"), "https://sts.us-west-2.amazonaws.com");
  EXPECT_EQ(StsEndpoint(MapEnv({}), "cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(StsEndpoint(MapEnv({{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}}), "us-west-2"),
            "http://127.0.0.1:1");
  EXPECT_EQ(StsEndpoint(MapEnv({{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
                                {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2"}}),
                        "us-west-2"),
            "http://127.0.0.1:2");
  EXPECT_EQ(StsEndpoint(MapEnv({{"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2"},
                                {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}}),
                        "us-west-2"),
            "https://sts.us-west-2.amazonaws.com");
}

// ---- OIDC client credentials (oidcExchangeToken) ---------------------------------------------

TEST(Oidc, ClientCredentialsRequest) {
  EXPECT_EQ(ClientCredentialsBody({}), "grant_type=client_credentials");
  EXPECT_EQ(ClientCredentialsBody({"bedrock", "openid"}),
            "grant_type=client_credentials&scope=bedrock%20openid");
  // RFC 6749 §2.3.1 (the client of its examples), and a space form-encoded as '+'.
  EXPECT_EQ(BasicAuthorization("s6BhdRkqt3", "gX1fBat3bV"), "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
  EXPECT_EQ(BasicAuthorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuK3Nlc2FtZQ==");
}

TEST(Oidc, DiscoveryAndTokenResponses) {
  // OpenID Connect Discovery 1.0 §4.2 example (abridged).
  auto endpoint = ParseDiscoveryTokenEndpoint(
      R"({"issuer":"https://server.example.com","authorization_endpoint":)"
      R"("https://server.example.com/connect/authorize","token_endpoint":)"
      R"("https://server.example.com/connect/token","scopes_supported":["openid"]})");
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().message();
  EXPECT_EQ(*endpoint, "https://server.example.com/connect/token");
  EXPECT_FALSE(ParseDiscoveryTokenEndpoint(R"({"issuer":"x"})").ok());
  EXPECT_FALSE(ParseDiscoveryTokenEndpoint("<html>").ok());
  // RFC 6749 §4.4.3 / §5.1 example.
  auto token = ParseAccessToken(
      R"({"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600})");
  ASSERT_TRUE(token.ok()) << token.error().message();
  EXPECT_EQ(*token, "2YotnFZFEjr1zCsicMWpAA");
  // RFC 6749 §5.2 error response.
  auto error = ParseAccessToken(R"({"error":"invalid_client","error_description":"bad secret"})");
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().message(), "token endpoint answered invalid_client: bad secret");
}

// ---- Default chain
// --------------------------------------------------------------------------------

TEST(DefaultChain, EnvironmentFirst) {
  auto r =
      ResolveDefaultChain(MapEnv({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                  {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                  {"AWS_SESSION_TOKEN", "envtoken"},
                                  {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"},
                                  {"AWS_ROLE_ARN", "arn"},
                                  {"HOME", "/home/u"}}),
                          "us-east-1", MapFiles({{"/home/u/.aws/credentials", std::string(kIni)}}));
  ASSERT_TRUE(r.credentials.has_value()) << r.error;
  EXPECT_EQ(r.credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(r.credentials->session_token, "envtoken");
  EXPECT_EQ(r.credentials->source, "environment (AWS_ACCESS_KEY_ID)");
}

TEST(DefaultChain, SharedFileFromHomeOrVariableWithProfile) {
  auto home = ResolveDefaultChain(MapEnv({{"HOME", "/home/u"}}), "us-east-1",
                                  MapFiles({{"/home/u/.aws/credentials", std::string(kIni)}}));
  ASSERT_TRUE(home.credentials.has_value()) << home.error;
  EXPECT_EQ(home.credentials->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(home.credentials->source,
            "shared credentials file /home/u/.aws/credentials (profile default)");

  auto var = ResolveDefaultChain(MapEnv({{"HOME", "/home/u"},
                                         {"AWS_SHARED_CREDENTIALS_FILE", "/etc/aws"},
                                         {"AWS_PROFILE", "bedrock"},
                                         {"AWS_ACCESS_KEY_ID", "only-half"}}),
                                 "us-east-1", MapFiles({{"/etc/aws", std::string(kIni)}}));
  ASSERT_TRUE(var.credentials.has_value()) << var.error;
  EXPECT_EQ(var.credentials->access_key_id, "ASIABEDROCK");
  EXPECT_EQ(var.credentials->session_token, "token==");
}

TEST(DefaultChain, WebIdentityAfterTheFiles) {
  auto r =
      ResolveDefaultChain(MapEnv({{"HOME", "/home/u"},
                                  {"AWS_PROFILE", "absent"},
                                  {"AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"},
                                  {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                                  {"AWS_ROLE_SESSION_NAME", "gw"},
                                  {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9"}}),
                          "us-east-2", MapFiles({{"/home/u/.aws/credentials", std::string(kIni)}}));
  EXPECT_FALSE(r.credentials.has_value());
  ASSERT_TRUE(r.web_identity.has_value()) << r.error;
  EXPECT_EQ(r.web_identity->token_file, "/var/run/token");
  EXPECT_EQ(r.web_identity->role_arn, "arn:aws:iam::1:role/r");
  EXPECT_EQ(r.web_identity->session_name, "gw");
  EXPECT_EQ(r.web_identity->sts_endpoint, "http://127.0.0.1:9");
}

TEST(DefaultChain, NothingFoundSaysWhatWasTried) {
  auto r = ResolveDefaultChain(MapEnv({{"HOME", "/home/u"}, {"AWS_ROLE_ARN", "arn"}}), "us-east-1",
                               MapFiles({}));
  EXPECT_FALSE(r.credentials.has_value());
  EXPECT_FALSE(r.web_identity.has_value());
  EXPECT_EQ(r.error,
            "no AWS credentials found by the default chain (AWS_ACCESS_KEY_ID is not set; "
            "/home/u/.aws/credentials cannot be read; AWS_WEB_IDENTITY_TOKEN_FILE is not set)");
}

// ---- Manager: static sources (web identity is exercised through `sluice run` against a fake STS,
// tests/integration/aws-credentials.test.mjs)
// -------------------------------------------------------

config::Backend AwsBackend(std::string name, config::AwsAuth aws) {
  config::Backend b;
  b.name = name;
  b.auth.type = config::UpstreamAuth::Type::kAWSCredentials;
  b.auth.policy_name = "default/" + name + "-policy";
  b.auth.aws = std::move(aws);
  if (!b.auth.aws.credentials)
    b.auth.aws.credentials = std::make_shared<config::AwsCredentialCell>();
  return b;
}

config::RuntimeConfig ConfigWith(const std::vector<config::Backend>& backends) {
  config::RuntimeConfig c;
  config::Route route;
  config::Rule rule;
  for (const auto& b : backends) {
    config::RuleBackendRef ref;
    ref.backend = std::make_shared<const config::Backend>(b);
    rule.backend_refs.push_back(ref);
  }
  route.rules.push_back(rule);
  c.routes.push_back(route);
  return c;
}

TEST(Manager, AttachesFileEnvironmentAndReportsProblems) {
  config::AwsAuth file;
  file.region = "us-east-1";
  file.source = config::AwsAuth::Source::kCredentialsFile;
  file.credentials_file = std::string(kIni);
  file.credentials_secret = "default/aws";
  file.profile = "bedrock";
  config::AwsAuth bad_profile = file;
  bad_profile.credentials = nullptr;
  bad_profile.profile = "missing";
  config::AwsAuth chain;
  chain.region = "us-east-1";
  config::AwsAuth oidc;
  oidc.region = "us-east-1";
  oidc.source = config::AwsAuth::Source::kOidcExchange;

  const auto backends =
      std::vector<config::Backend>{AwsBackend("file", file), AwsBackend("bad", bad_profile),
                                   AwsBackend("chain", chain), AwsBackend("oidc", oidc)};
  AwsCredentialManager manager(
      {.env = MapEnv({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}}),
       .executor = std::nullopt,
       .log = nullptr,
       .read_file = MapFiles({})});
  auto result = manager.Attach(ConfigWith(backends));
  EXPECT_THAT(result.errors,
              ElementsAre("BackendSecurityPolicy default/bad-policy: "
                          "spec.awsCredentials.credentialsFile: Secret default/aws key "
                          "\"credentials\": profile \"missing\" not found"));
  EXPECT_THAT(result.warnings, IsEmpty());

  auto from_file = backends[0].auth.aws.credentials->Load();
  ASSERT_NE(from_file, nullptr);
  EXPECT_EQ(from_file->access_key_id, "ASIABEDROCK");
  EXPECT_EQ(from_file->source, "credentialsFile (Secret default/aws, profile bedrock)");
  auto from_env = backends[2].auth.aws.credentials->Load();
  ASSERT_NE(from_env, nullptr);
  EXPECT_EQ(from_env->access_key_id, "AKIDENV");
  EXPECT_EQ(backends[3].auth.aws.credentials->Load(), nullptr);
  ASSERT_NE(backends[3].auth.aws.credentials->LoadError(), nullptr);
  EXPECT_THAT(*backends[3].auth.aws.credentials->LoadError(),
              HasSubstr("only fetched by `sluice run`"));
  EXPECT_FALSE(manager.initial_fetch_pending());
}

TEST(Manager, EmptyDefaultChainIsAWarningAndARequestTimeError) {
  config::AwsAuth chain;
  chain.region = "us-east-1";
  const auto backends = std::vector<config::Backend>{AwsBackend("chain", chain)};
  AwsCredentialManager manager(
      {.env = MapEnv({}), .executor = std::nullopt, .log = nullptr, .read_file = MapFiles({})});
  auto result = manager.Attach(ConfigWith(backends));
  EXPECT_THAT(result.errors, IsEmpty());
  EXPECT_THAT(result.warnings,
              ElementsAre(HasSubstr("BackendSecurityPolicy default/chain-policy: no AWS "
                                    "credentials found by the default chain")));
  EXPECT_EQ(backends[0].auth.aws.credentials->Load(), nullptr);
  ASSERT_NE(backends[0].auth.aws.credentials->LoadError(), nullptr);
}

}  // namespace
}  // namespace sluice::auth
