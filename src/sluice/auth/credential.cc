#include "sluice/auth/credential.h"

#include "sluice/auth/aws_sigv4.h"
#include "sluice/core/strings.h"

namespace sluice::auth {

namespace {

std::string FormatUtc(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Error NoAwsCredentials(const config::Backend& backend, std::string why) {
  return Error(ErrorKind::kUnavailable,
               "no usable AWS credentials for backend " + backend.name +
                   " (BackendSecurityPolicy " + backend.auth.policy_name + "): " + why,
               ErrorSource::kInternal, true);
}

}  // namespace

Result<void> AppendAwsSignature(const config::Backend& backend, const OutgoingRequest& request,
                                std::chrono::system_clock::time_point now, HeaderList& out) {
  const config::AwsAuth& aws = backend.auth.aws;
  if (!aws.credentials) return NoAwsCredentials(backend, "credentials were never resolved");
  const auto credentials = aws.credentials->Load();
  if (!credentials) {
    const auto error = aws.credentials->LoadError();
    return NoAwsCredentials(backend, error ? *error : "credentials are not resolved yet");
  }
  if (credentials->expiration != std::chrono::system_clock::time_point{} &&
      now >= credentials->expiration) {
    std::string why = "the credentials from " + credentials->source + " expired at " +
                      FormatUtc(credentials->expiration);
    if (const auto error = aws.credentials->LoadError()) why += "; " + *error;
    return NoAwsCredentials(backend, std::move(why));
  }
  SigV4Request signed_request;
  signed_request.method = request.method;
  signed_request.host = request.host;
  signed_request.target = request.path;
  signed_request.body = request.body;
  const std::string region = SigningRegion(request.host, aws.region);
  SigV4Signature sig = SignV4(signed_request, *credentials, kBedrockService, region, now);
  out.emplace_back(std::string(kAuthorizationHeader), std::move(sig.authorization));
  out.emplace_back(std::string(kAmzDateHeader), std::move(sig.amz_date));
  if (!credentials->session_token.empty()) {
    out.emplace_back(std::string(kAmzSecurityTokenHeader), credentials->session_token);
  }
  return Ok();
}

std::optional<std::pair<std::string_view, std::string_view>> StaticCredentialHeader(
    const config::Backend& backend) {
  switch (backend.auth.type) {
    case config::UpstreamAuth::Type::kAPIKey:
    case config::UpstreamAuth::Type::kAnthropicAPIKey:
    case config::UpstreamAuth::Type::kAzureAPIKey:
      return std::pair<std::string_view, std::string_view>(backend.auth.header_name,
                                                           backend.auth.header_value);
    default:
      return std::nullopt;
  }
}

Result<void> AppendCredentialHeaders(const config::Backend& backend, const OutgoingRequest& request,
                                     HeaderList& out) {
  if (auto header = StaticCredentialHeader(backend)) {
    out.emplace_back(header->first, header->second);
    return Ok();
  }
  switch (backend.auth.type) {
    case config::UpstreamAuth::Type::kNone:
      return Ok();
    case config::UpstreamAuth::Type::kAPIKey:
    case config::UpstreamAuth::Type::kAnthropicAPIKey:
    case config::UpstreamAuth::Type::kAzureAPIKey:
      break;  // answered by StaticCredentialHeader above
    case config::UpstreamAuth::Type::kAWSCredentials:
      return AppendAwsSignature(backend, request, std::chrono::system_clock::now(), out);
  }
  return Error(ErrorKind::kInternal, "unknown credential type for backend " + backend.name);
}

bool IsCredentialHeader(std::string_view name) {
  // Every client header passes here on its way upstream: the length picks the candidates.
  switch (name.size()) {
    case 7:
      return EqualsIgnoreCase(name, "api-key");
    case 9:
      return EqualsIgnoreCase(name, "x-api-key");
    case 10:
      return EqualsIgnoreCase(name, "x-amz-date");
    case 13:
      return EqualsIgnoreCase(name, "authorization");
    case 20:
      return EqualsIgnoreCase(name, "x-amz-security-token") ||
             EqualsIgnoreCase(name, "x-amz-content-sha256");
    default:
      return false;
  }
}

}  // namespace sluice::auth
