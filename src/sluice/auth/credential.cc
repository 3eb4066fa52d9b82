#include "sluice/auth/credential.h"

#include "sluice/core/strings.h"

namespace sluice::auth {

Result<void> AppendCredentialHeaders(const config::Backend& backend, const OutgoingRequest&,
                                     HeaderList& out) {
  switch (backend.auth.type) {
    case config::UpstreamAuth::Type::kNone:
      return Ok();
    case config::UpstreamAuth::Type::kAPIKey:
    case config::UpstreamAuth::Type::kAnthropicAPIKey:
    case config::UpstreamAuth::Type::kAzureAPIKey:
      out.emplace_back(backend.auth.header_name, backend.auth.header_value);
      return Ok();
  }
  return Error(ErrorKind::kInternal, "unknown credential type for backend " + backend.name);
}

bool IsCredentialHeader(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "authorization", "x-api-key", "api-key", "x-amz-security-token", "x-amz-date",
      "x-amz-content-sha256",
  };
  for (auto n : kNames) {
    if (EqualsIgnoreCase(n, name)) return true;
  }
  return false;
}

}  // namespace sluice::auth
