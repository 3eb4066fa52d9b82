#pragma once

// Upstream credentials: the headers that authenticate one upstream request to its backend, from
// the backend's BackendSecurityPolicy. API keys are a fixed header; request signing schemes (AWS
// SigV4) compute headers over the final method, host, path and body.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/config/runtime.h"
#include "sluice/core/result.h"

namespace sluice::auth {

// The request as it will go on the wire, for schemes that sign it.
struct OutgoingRequest {
  std::string_view method;
  std::string_view host;  // the Host header value
  std::string_view path;  // path and query, exactly as sent
  std::string_view body;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Appends the credential headers (lower-case names) for `backend` to `out`. Nothing when the
// backend has no policy. Thread-safe; never blocks: AWS backends are signed with the credentials
// their policy holds right now (config::AwsCredentialCell).
//
// AWSCredentials: SigV4 for service "bedrock" over `request` (aws_sigv4.h), region from the Host
// (regional, FIPS, dual-stack and VPC endpoint names) else the policy's; adds `authorization`,
// `x-amz-date` and, for temporary credentials, `x-amz-security-token`. Fails (kUnavailable,
// retryable on another backend) when the policy has no credentials or they expired, naming the
// policy and the last resolution or refresh error.
Result<void> AppendCredentialHeaders(const config::Backend& backend, const OutgoingRequest& request,
                                     HeaderList& out);

// The one header of a backend whose credential does not depend on the request (the API-key
// policies), as views of the configuration: no copy. nullopt for request-signed or no credentials.
std::optional<std::pair<std::string_view, std::string_view>> StaticCredentialHeader(
    const config::Backend& backend);

// AppendCredentialHeaders for an AWSCredentials backend at a given time (tests, `sluice
// sign-aws`).
Result<void> AppendAwsSignature(const config::Backend& backend, const OutgoingRequest& request,
                                std::chrono::system_clock::time_point now, HeaderList& out);

// Header names that carry a credential in any scheme Sluice injects. A client's own values for
// these are dropped whenever the backend has a credential of its own.
bool IsCredentialHeader(std::string_view name);

}  // namespace sluice::auth
