#pragma once

// AWS credentials for BackendSecurityPolicy type AWSCredentials: where they come from, and keeping
// temporary ones fresh.
//
//   credentialsFile.secretRef  the Secret's key "credentials" holds an AWS shared credentials
//                              file (INI); `profile` (default "default") names the section.
//   neither file nor OIDC      the default chain, in this order (the AWS SDKs' order for these
//                              sources): the environment (AWS_ACCESS_KEY_ID +
//                              AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN]); the shared
//                              credentials file (AWS_SHARED_CREDENTIALS_FILE, else
//                              $HOME/.aws/credentials; profile AWS_PROFILE, else "default"); web
//                              identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
//                              [+ AWS_ROLE_SESSION_NAME]) through STS AssumeRoleWithWebIdentity.
//   oidcExchangeToken          an OAuth 2.0 client-credentials access token from the OIDC
//                              provider (token endpoint configured or discovered from the issuer),
//                              exchanged at STS AssumeRoleWithWebIdentity for `awsRoleArn`, and
//                              refreshed like web identity credentials.
//
// Static credentials are resolved when a configuration is attached (start-up and every reload).
// Web identity credentials are fetched by a background task on the main thread's io_context and
// replaced before they expire; requests never wait for it, they sign with whatever the policy's
// config::AwsCredentialCell holds. The STS endpoint is https://sts.{policy region}.amazonaws.com
// unless AWS_ENDPOINT_URL_STS (or AWS_ENDPOINT_URL) points elsewhere (and
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is not "true"); AWS_CA_BUNDLE replaces the system CAs for it.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/auth/aws_sigv4.h"
#include "sluice/config/load.h"
#include "sluice/config/runtime.h"
#include "sluice/core/result.h"
#include "sluice/http/io.h"

namespace sluice::auth {

// ---- Pure pieces (no I/O), tested on their own ------------------------------------------------

// The keys of `profile` in an AWS shared credentials file (AWS SDKs and Tools Reference Guide,
// "Shared config and credentials files"): `[profile]` sections of `key = value` lines, '#' and ';'
// comment lines, names and values trimmed, keys case-insensitive. aws_access_key_id and
// aws_secret_access_key are required, aws_session_token optional. Errors name the profile and the
// missing key, never a value.
Result<AwsCredentials> ParseSharedCredentials(std::string_view ini, std::string_view profile);

// Query-protocol form body for STS AssumeRoleWithWebIdentity (STS API Reference; Version
// 2011-06-15). The call is not signed: the web identity token is the credential.
std::string AssumeRoleWithWebIdentityBody(std::string_view role_arn, std::string_view session_name,
                                          std::string_view web_identity_token);

// Credentials from an AssumeRoleWithWebIdentityResponse document
// (AssumeRoleWithWebIdentityResult/Credentials/{AccessKeyId, SecretAccessKey, SessionToken,
// Expiration}), or an error from an ErrorResponse (Error/Code and Error/Message) or a malformed
// document.
Result<AwsCredentials> ParseAssumeRoleWithWebIdentityResponse(std::string_view xml);

// ISO 8601 UTC timestamps as STS writes them: 2014-10-24T23:00:23Z, optional fractional seconds.
std::optional<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text);
std::string FormatIso8601(std::chrono::system_clock::time_point t);

// When to refresh temporary credentials obtained at `obtained` that expire at `expiration`: when
// min(5 minutes, half their lifetime) is left, and never sooner than one second from `obtained`.
std::chrono::system_clock::time_point RefreshTime(std::chrono::system_clock::time_point obtained,
                                                  std::chrono::system_clock::time_point expiration);

// The STS endpoint URL for `region` (see the header comment for the variables).
std::string StsEndpoint(const config::GetEnv& env, std::string_view region);

// What the web identity source needs, all from the environment.
// Where the web identity token comes from and which role it assumes: a token file (the default
// chain), or an OAuth 2.0 client-credentials grant at an OIDC provider (oidcExchangeToken).
struct WebIdentitySource {
  std::string token_file;    // AWS_WEB_IDENTITY_TOKEN_FILE
  std::string role_arn;      // AWS_ROLE_ARN, or oidcExchangeToken.awsRoleArn
  std::string session_name;  // AWS_ROLE_SESSION_NAME, else "sluice-<unix ms>"
  std::string sts_endpoint;  // StsEndpoint()
  std::string ca_bundle;     // AWS_CA_BUNDLE (a PEM file), empty for the system CAs
  // oidcExchangeToken (empty issuer: the token file is used)
  std::string oidc_issuer;
  std::string oidc_token_endpoint;  // empty: discovered from the issuer
  std::string oidc_client_id;
  std::string oidc_client_secret;
  std::vector<std::string> oidc_scopes;
  std::string Key() const;
};

// OAuth 2.0 client-credentials token request (RFC 6749 §4.4) as a form body; the client
// authenticates with HTTP Basic (§2.3.1), as Go's oauth2 tries first.
std::string ClientCredentialsBody(const std::vector<std::string>& scopes);
std::string BasicAuthorization(std::string_view client_id, std::string_view client_secret);
// `token_endpoint` of an OpenID Provider Configuration document (OpenID Connect Discovery 1.0
// §3), `access_token` of a token response (RFC 6749 §5.1); errors name what is missing or the
// provider's `error` / `error_description`.
Result<std::string> ParseDiscoveryTokenEndpoint(std::string_view json);
Result<std::string> ParseAccessToken(std::string_view json);

// The default chain's answer: static credentials, a web identity source, or why there is none.
struct DefaultChainResult {
  std::optional<AwsCredentials> credentials;
  std::optional<WebIdentitySource> web_identity;
  std::string error;  // set when neither: every source tried and why it did not apply
};
using ReadFile = std::function<std::optional<std::string>(const std::string& path)>;
DefaultChainResult ResolveDefaultChain(const config::GetEnv& env, std::string_view region,
                                       const ReadFile& read_file);
std::optional<std::string> ReadWholeFile(const std::string& path);

// ---- The manager ------------------------------------------------------------------------------

class WebIdentityRefresher;

// Fills the credential cells of every AWSCredentials policy in the configurations attached to it
// and keeps web identity credentials fresh. One per process, on the main thread: not thread-safe
// (Attach and the refresh tasks run on that thread); the cells it fills are read by every worker.
// Lifetime: refresh tasks stop when it is destroyed (before its io_context).
class AwsCredentialManager {
 public:
  enum class LogLevel { kInfo, kWarn };
  struct Options {
    config::GetEnv env;
    // Where refresh tasks run; without one (e.g. `sluice validate`) web identity sources are
    // checked but not fetched.
    std::optional<http::Executor> executor;
    std::function<void(LogLevel, const std::string&)> log;
    std::chrono::milliseconds sts_timeout{10000};
    ReadFile read_file = ReadWholeFile;
  };

  explicit AwsCredentialManager(Options options);
  ~AwsCredentialManager();
  AwsCredentialManager(const AwsCredentialManager&) = delete;
  AwsCredentialManager& operator=(const AwsCredentialManager&) = delete;

  struct AttachResult {
    std::vector<std::string> errors;    // the configuration cannot be used (load-time errors)
    std::vector<std::string> warnings;  // e.g. no credentials found by the default chain
  };
  // Resolves the credentials of every AWSCredentials policy in `config` into its cells. Web
  // identity cells get the current credentials of an existing refresher for the same source at
  // once (a reload does not wait for STS), else they fill when the first fetch answers.
  AttachResult Attach(const config::RuntimeConfig& config);

  // True while a web identity source has not finished its first fetch (successfully or not).
  bool initial_fetch_pending() const;

 private:
  Options options_;
  std::map<std::string, std::shared_ptr<WebIdentityRefresher>> refreshers_;
};

}  // namespace sluice::auth
