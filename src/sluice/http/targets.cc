#include "sluice/http/targets.h"

#include <functional>

namespace sluice::http {

Result<UpstreamTarget> UpstreamTargets::For(const config::Endpoint& endpoint,
                                            const config::UpstreamTls& tls) {
  UpstreamTarget target;
  target.host = endpoint.host;
  target.port = endpoint.port;
  target.tls = tls.enabled;
  target.address = endpoint.host + ":" + std::to_string(endpoint.port);
  target.key = target.address;
  if (!target.tls) return target;
  target.sni = tls.sni.empty() ? endpoint.host : tls.sni;
  const std::string trust_key = std::string(tls.use_system_cas ? "sys:" : "") + tls.ca_pem;
  auto& ctx = tls_contexts_[trust_key];
  if (!ctx) {
    auto made = MakeClientTlsContext(tls.use_system_cas, tls.ca_pem);
    if (!made.ok()) return made.error();
    ctx = std::move(made).value();
  }
  target.ssl_ctx = ctx;
  // Connections are only shared between requests that expect the same name and trust the same
  // CAs.
  target.key += "|tls|" + target.sni + "|" + std::to_string(std::hash<std::string>{}(trust_key));
  return target;
}

}  // namespace sluice::http
