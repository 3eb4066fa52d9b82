#pragma once

// Upstream targets for configured endpoints: address, TLS settings and the pool key, with one TLS
// client context per trust configuration (system CAs and/or a CA bundle), shared by every backend
// that trusts the same CAs so TLS sessions can be resumed across them.

#include <map>
#include <memory>
#include <string>

#include "sluice/config/runtime.h"
#include "sluice/core/result.h"
#include "sluice/http/client.h"

namespace sluice::http {

// One per worker thread; not thread-safe.
class UpstreamTargets {
 public:
  // Fails only when the CA bundle cannot be loaded into a TLS context.
  Result<UpstreamTarget> For(const config::Endpoint& endpoint, const config::UpstreamTls& tls);

 private:
  std::map<std::string, std::shared_ptr<asio::ssl::context>> tls_contexts_;
};

}  // namespace sluice::http
