// BackendSecurityPolicy type AWSCredentials: parsing and compiling (api/v1beta1/
// backendsecurity_policy.go BackendSecurityPolicyAWSCredentials, AWSCredentialsFile,
// AWSOIDCExchangeToken).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "sluice/config/load.h"

namespace sluice::config {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

LoadResult Load(const std::string& yaml) {
  return LoadText(yaml, "aws.yaml",
                  [](std::string_view) -> std::optional<std::string> { return std::nullopt; });
}

constexpr std::string_view kBase = R"(
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
spec:
  listeners:
    - name: http
      protocol: HTTP
      port: 8080
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata:
  name: bedrock
spec:
  endpoints:
    - fqdn:
        hostname: bedrock-runtime.us-west-2.amazonaws.com
        port: 443
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata:
  name: bedrock-tls
spec:
  targetRefs:
    - group: gateway.envoyproxy.io
      kind: Backend
      name: bedrock
  validation:
    wellKnownCACertificates: System
    hostname: bedrock-runtime.us-west-2.amazonaws.com
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata:
  name: bedrock
spec:
  schema:
    name: AWSBedrock
  backendRef:
    name: bedrock
    kind: Backend
    group: gateway.envoyproxy.io
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata:
  name: claude
spec:
  schema:
    name: AWSAnthropic
  backendRef:
    name: bedrock
    kind: Backend
    group: gateway.envoyproxy.io
---
apiVersion: v1
kind: Secret
metadata:
  name: aws-creds
stringData:
  credentials: |
    [default]
    aws_access_key_id = AKIDEXAMPLE
    aws_secret_access_key = SECRET
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: route
spec:
  parentRefs:
    - name: gw
  rules:
    - matches:
        - headers:
            - name: x-ai-eg-model
              value: m1
      backendRefs:
        - name: bedrock
    - matches:
        - headers:
            - name: x-ai-eg-model
              value: m2
      backendRefs:
        - name: claude
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: BackendSecurityPolicy
metadata:
  name: aws
spec:
  targetRefs:
    - group: aigateway.envoyproxy.io
      kind: AIServiceBackend
      name: bedrock
    - group: aigateway.envoyproxy.io
      kind: AIServiceBackend
      name: claude
  type: AWSCredentials
)";

std::string WithPolicy(std::string_view spec_tail) {
  return std::string(kBase) + std::string(spec_tail);
}

const Backend& BackendOfRule(const LoadResult& r, size_t rule) {
  return *r.config->routes.at(0).rules.at(rule).backend_refs.at(0).backend;
}

TEST(AwsPolicy, CredentialsFileFromSecretWithDefaultProfile) {
  const LoadResult r = Load(WithPolicy(R"(  awsCredentials:
    region: us-west-2
    credentialsFile:
      secretRef:
        name: aws-creds
)"));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty()) << Joined(r.warnings);
  const Backend& b = BackendOfRule(r, 0);
  EXPECT_EQ(b.auth.type, UpstreamAuth::Type::kAWSCredentials);
  EXPECT_EQ(b.auth.policy_name, "default/aws");
  EXPECT_EQ(b.auth.aws.region, "us-west-2");
  EXPECT_EQ(b.auth.aws.source, AwsAuth::Source::kCredentialsFile);
  EXPECT_EQ(b.auth.aws.profile, "default");
  EXPECT_EQ(b.auth.aws.credentials_secret, "default/aws-creds");
  EXPECT_THAT(b.auth.aws.credentials_file, HasSubstr("aws_access_key_id = AKIDEXAMPLE"));
  // Both backends of the policy share one credential cell.
  ASSERT_NE(b.auth.aws.credentials, nullptr);
  EXPECT_EQ(BackendOfRule(r, 1).auth.aws.credentials, b.auth.aws.credentials);
}

TEST(AwsPolicy, NamedProfile) {
  const LoadResult r = Load(WithPolicy(R"(  awsCredentials:
    region: us-west-2
    credentialsFile:
      profile: bedrock
      secretRef:
        name: aws-creds
        namespace: default
)"));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_EQ(BackendOfRule(r, 0).auth.aws.profile, "bedrock");
}

TEST(AwsPolicy, NeitherFileNorOidcIsTheDefaultChain) {
  const LoadResult r = Load(WithPolicy("  awsCredentials:\n    region: eu-central-1\n"));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty()) << Joined(r.warnings);
  const Backend& b = BackendOfRule(r, 0);
  EXPECT_EQ(b.auth.aws.source, AwsAuth::Source::kDefaultChain);
  EXPECT_EQ(b.auth.aws.region, "eu-central-1");
  EXPECT_NE(b.auth.aws.credentials, nullptr);
}

TEST(AwsPolicy, OidcExchange) {
  const std::string secret = R"(---
apiVersion: v1
kind: Secret
metadata:
  name: oidc-secret
stringData:
  client-secret: "s3cr3t\n"
---
)";
  const LoadResult r = Load(secret + WithPolicy(R"(  awsCredentials:
    region: us-east-1
    oidcExchangeToken:
      awsRoleArn: arn:aws:iam::123456789012:role/bedrock
      grantType: client_credentials
      aud: sts.amazonaws.com
      oidc:
        provider:
          issuer: https://issuer.example.com
          tokenEndpoint: https://issuer.example.com/oauth2/token
        clientID: sluice
        clientSecret:
          name: oidc-secret
        scopes: [bedrock, read]
        redirectURL: https://unused.example.com/callback
)"));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, IsEmpty()) << Joined(r.warnings);
  const AwsAuth& aws = BackendOfRule(r, 0).auth.aws;
  EXPECT_EQ(aws.source, AwsAuth::Source::kOidcExchange);
  EXPECT_EQ(aws.oidc_role_arn, "arn:aws:iam::123456789012:role/bedrock");
  EXPECT_EQ(aws.oidc_issuer, "https://issuer.example.com");
  EXPECT_EQ(aws.oidc_token_endpoint, "https://issuer.example.com/oauth2/token");
  EXPECT_EQ(aws.oidc_client_id, "sluice");
  EXPECT_EQ(aws.oidc_client_secret, "s3cr3t");
  EXPECT_THAT(aws.oidc_scopes, ElementsAre("bedrock", "read"));
  EXPECT_THAT(DumpJson(*r.config), Not(HasSubstr("s3cr3t")));
}

TEST(AwsPolicy, OidcExchangeErrors) {
  EXPECT_THAT(Load(WithPolicy(R"(  awsCredentials:
    region: us-east-1
    oidcExchangeToken:
      awsRoleArn: arn:aws:iam::123456789012:role/bedrock
      oidc:
        provider:
          issuer: https://issuer.example.com
        clientID: sluice
        clientSecret:
          name: absent
)"))
                  .errors,
              ElementsAre("aws.yaml: BackendSecurityPolicy default/aws: "
                          "spec.awsCredentials.oidcExchangeToken.oidc.clientSecret: Secret "
                          "default/absent not found"));
  EXPECT_THAT(Load(WithPolicy(R"(  awsCredentials:
    region: us-east-1
    oidcExchangeToken:
      oidc:
        provider: {}
)"))
                  .errors,
              ElementsAre(HasSubstr("spec.awsCredentials.oidcExchangeToken.awsRoleArn: required"),
                          HasSubstr("oidcExchangeToken.oidc.provider.issuer: required"),
                          HasSubstr("oidcExchangeToken.oidc.clientID: required"),
                          HasSubstr("oidcExchangeToken.oidc.clientSecret: required")));
}

TEST(AwsPolicy, Errors) {
  EXPECT_THAT(Load(WithPolicy("  awsCredentials: {}\n")).errors,
              ElementsAre("aws.yaml: BackendSecurityPolicy default/aws: "
                          "spec.awsCredentials.region: required"));
  EXPECT_THAT(Load(WithPolicy("")).errors,
              ElementsAre("aws.yaml: BackendSecurityPolicy default/aws: spec.awsCredentials: "
                          "required when type is AWSCredentials"));
  EXPECT_THAT(Load(WithPolicy(R"(  awsCredentials:
    region: us-west-2
    credentialsFile:
      secretRef:
        name: missing
)"))
                  .errors,
              ElementsAre("aws.yaml: BackendSecurityPolicy default/aws: "
                          "spec.awsCredentials.credentialsFile.secretRef: Secret default/missing "
                          "not found"));
  EXPECT_THAT(Load(WithPolicy(R"(  awsCredentials:
    region: us-west-2
    credentialsFile:
      profile: x
)"))
                  .errors,
              ElementsAre("aws.yaml: BackendSecurityPolicy default/aws: "
                          "spec.awsCredentials.credentialsFile.secretRef: required"));
  // The Secret must hold the file under "credentials" (AWSCredentialsFile.SecretRef).
  std::string no_key = WithPolicy(R"(  awsCredentials:
    region: us-west-2
    credentialsFile:
      secretRef:
        name: aws-creds
)");
  no_key.replace(no_key.find("  credentials: |"), 16, "  creds: |");
  EXPECT_THAT(Load(no_key).errors,
              ElementsAre("aws.yaml: BackendSecurityPolicy default/aws: "
                          "spec.awsCredentials.credentialsFile.secretRef: Secret default/aws-creds "
                          "has no key \"credentials\""));
  // awsCredentials on another type.
  std::string wrong = WithPolicy("  awsCredentials:\n    region: us-west-2\n");
  wrong.replace(wrong.find("type: AWSCredentials"), 20, "type: APIKey");
  EXPECT_THAT(Load(wrong).errors,
              Contains("aws.yaml: BackendSecurityPolicy default/aws: spec.awsCredentials: only "
                       "valid when type is AWSCredentials"));
}

TEST(AwsPolicy, UnknownFieldsWarn) {
  const LoadResult r =
      Load(WithPolicy("  awsCredentials:\n    region: us-west-2\n    regoin: typo\n"));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  EXPECT_THAT(r.warnings, ElementsAre("aws.yaml: BackendSecurityPolicy default/aws: "
                                      "spec.awsCredentials.regoin: unknown field; ignored"));
  EXPECT_THAT(r.warnings, Not(Contains(HasSubstr("not supported"))));
}

TEST(AwsPolicy, DumpNamesTheSourceAndNeverTheKeys) {
  const LoadResult r = Load(WithPolicy(R"(  awsCredentials:
    region: us-west-2
    credentialsFile:
      secretRef:
        name: aws-creds
)"));
  ASSERT_THAT(r.errors, IsEmpty()) << Joined(r.errors);
  auto cell = BackendOfRule(r, 0).auth.aws.credentials;
  auto creds = std::make_shared<AwsCredentials>();
  creds->access_key_id = "AKIDEXAMPLE";
  creds->secret_access_key = "SECRET";
  creds->source = "credentialsFile (Secret default/aws-creds, profile default)";
  cell->Store(creds);
  const std::string dump = DumpJson(*r.config);
  EXPECT_THAT(dump, HasSubstr(R"("type":"AWSCredentials")"));
  EXPECT_THAT(dump, HasSubstr(R"("source":"credentials file")"));
  EXPECT_THAT(dump, HasSubstr(R"("resolved_from":"credentialsFile (Secret default/aws-creds)"));
  EXPECT_THAT(dump, Not(HasSubstr("AKIDEXAMPLE")));
  EXPECT_THAT(dump, Not(HasSubstr("SECRET")));
}

}  // namespace
}  // namespace sluice::config
