#pragma once

// Upstream credentials: the headers that authenticate one upstream request to its backend, from
// the backend's BackendSecurityPolicy. API keys are a fixed header; request signing schemes (AWS
// SigV4) compute headers over the final method, host, path and body.

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
// backend has no policy. Thread-safe.
Result<void> AppendCredentialHeaders(const config::Backend& backend, const OutgoingRequest& request,
                                     HeaderList& out);

// Header names that carry a credential in any scheme Sluice injects. A client's own values for
// these are dropped whenever the backend has a credential of its own.
bool IsCredentialHeader(std::string_view name);

}  // namespace sluice::auth
