#include "sluice/config/compile.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "sluice/core/strings.h"

namespace sluice::config {

namespace {

using model::Diagnostics;
using model::ObjectRef;
using model::Origin;

// The secret key holding the API key for APIKey, AnthropicAPIKey and AzureAPIKey policies
// (api/v1beta1/backendsecurity_policy.go).
constexpr std::string_view kApiKeySecretKey = "apiKey";
// The Secret key holding the AWS shared credentials file of an AWSCredentials policy.
constexpr std::string_view kAwsCredentialsSecretKey = "credentials";
// The Secret key holding an OIDC client secret (Envoy AI Gateway's GetClientSecret).
constexpr std::string_view kOidcClientSecretKey = "client-secret";
// The ConfigMap/Secret key holding a CA bundle referenced by BackendTLSPolicy (Gateway API).
constexpr std::string_view kCaCertKey = "ca.crt";

void Error(Diagnostics& diag, const Origin& origin, std::string_view path,
           std::string_view message) {
  std::string s = origin.Prefix();
  if (!path.empty()) s += ": " + std::string(path);
  diag.errors.push_back(s + ": " + std::string(message));
}

void Warn(Diagnostics& diag, const Origin& origin, std::string_view path,
          std::string_view message) {
  std::string s = origin.Prefix();
  if (!path.empty()) s += ": " + std::string(path);
  diag.warnings.push_back(s + ": " + std::string(message));
}

// (namespace/name) → resource, reporting duplicates of the same kind.
template <typename T>
std::map<std::string, const T*> Index(const std::vector<T>& items, Diagnostics& diag) {
  std::map<std::string, const T*> index;
  for (const T& item : items) {
    auto [it, inserted] = index.emplace(item.origin.Key(), &item);
    if (!inserted) {
      Error(diag, item.origin, "metadata.name",
            "duplicate " + item.origin.kind + " (also defined in " + it->second->origin.file +
                "); names must be unique per kind and namespace");
    }
  }
  return index;
}

template <typename T>
const T* Find(const std::map<std::string, const T*>& index, const std::string& ns,
              const std::string& name) {
  auto it = index.find(ns + "/" + name);
  return it == index.end() ? nullptr : it->second;
}

// Route-level `set` wins on the same (lower-cased) name, `remove` is the union
// (reference §3.1, gateway.go mergeHeaderMutations).
template <typename M>
M Merge(const M& backend_level, const M& route_level) {
  M merged = backend_level;
  for (const auto& [name, value] : route_level.set) {
    auto it = std::find_if(merged.set.begin(), merged.set.end(),
                           [&](const auto& entry) { return entry.first == name; });
    if (it != merged.set.end()) {
      it->second = value;
    } else {
      merged.set.emplace_back(name, value);
    }
  }
  for (const std::string& name : route_level.remove) {
    if (std::find(merged.remove.begin(), merged.remove.end(), name) == merged.remove.end()) {
      merged.remove.push_back(name);
    }
  }
  return merged;
}

// The Host sent upstream. For a DNS name it is the bare hostname, as Envoy's auto host rewrite
// (what Envoy AI Gateway configures) sends it; providers route virtual hosts on it. An IP endpoint
// has no name, so it gets "ip:port" (the port omitted when it is the scheme's default).
std::string HostHeader(const std::vector<Endpoint>& endpoints, bool tls) {
  if (endpoints.empty()) return {};
  for (const Endpoint& ep : endpoints) {
    if (!ep.is_ip) return ep.host;
  }
  const Endpoint& ip = endpoints.front();
  std::string host = ip.host.find(':') != std::string::npos ? "[" + ip.host + "]" : ip.host;
  const bool default_port = tls ? ip.port == 443 : ip.port == 80;
  if (!default_port) host += ":" + std::to_string(ip.port);
  return host;
}

// True when `pem` parses as one or more X.509 certificates and nothing else fails to parse.
bool HoldsPemCertificates(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_free(cert);
    ++count;
  }
  // The loop ends with "no start line" at the end of the data; anything else is a broken block.
  const unsigned long err = ERR_peek_last_error();
  const bool clean_end = ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  BIO_free(bio);
  return count > 0 && clean_end;
}

class Compiler {
 public:
  Compiler(const model::Resources& res, int64_t now, Diagnostics& diag)
      : res_(res), now_(now), diag_(diag) {}

  std::shared_ptr<RuntimeConfig> Run() {
    auto config = std::make_shared<RuntimeConfig>();
    config->load_time = now_;
    gateways_ = Index(res_.gateways, diag_);
    backends_ = Index(res_.backends, diag_);
    tls_policies_ = Index(res_.tls_policies, diag_);
    config_maps_ = Index(res_.config_maps, diag_);
    secrets_ = Index(res_.secrets, diag_);
    service_backends_ = Index(res_.service_backends, diag_);
    routes_ = Index(res_.routes, diag_);
    policies_ = Index(res_.security_policies, diag_);
    gateway_configs_ = Index(res_.gateway_configs, diag_);

    CompileGateways(*config);
    CompileTls();
    ResolvePolicies();
    for (const model::AIServiceBackend& asb : res_.service_backends) CompileServiceBackend(asb);
    for (const model::AIGatewayRoute& route : res_.routes) {
      config->routes.push_back(CompileRoute(route));
    }
    for (const model::MCPRoute& route : res_.mcp_routes) {
      config->mcp_routes.push_back(CompileMcpRoute(route));
    }
    return config;
  }

 private:
  void CompileGateways(RuntimeConfig& config) {
    std::set<std::string> used_configs;
    for (const model::Gateway& gw : res_.gateways) {
      for (const Listener& l : gw.listeners) config.listeners.push_back(l);
      if (gw.gateway_config.empty()) continue;
      // The GatewayConfig must be in the Gateway's namespace (api/v1beta1/gateway_config.go).
      const model::GatewayConfig* gc = Find(gateway_configs_, gw.origin.ns, gw.gateway_config);
      if (gc == nullptr) {
        Error(diag_, gw.origin, "metadata.annotations[aigateway.envoyproxy.io/gateway-config]",
              "GatewayConfig " + gw.origin.ns + "/" + gw.gateway_config + " not found");
        continue;
      }
      if (!used_configs.insert(gc->origin.Key()).second) continue;
      for (const Cost& cost : gc->global_costs) {
        const bool seen =
            std::any_of(config.global_costs.begin(), config.global_costs.end(),
                        [&](const Cost& c) { return c.metadata_key == cost.metadata_key; });
        if (!seen) config.global_costs.push_back(cost);
      }
    }
    for (const model::GatewayConfig& gc : res_.gateway_configs) {
      if (!used_configs.contains(gc.origin.Key())) {
        Warn(diag_, gc.origin, "",
             "not referenced by any Gateway (annotation aigateway.envoyproxy.io/gateway-config: " +
                 gc.origin.name + "); its settings are unused");
      }
    }
  }

  // AWSCredentials: the Secret of credentialsFile is read here; the keys in it, and the default
  // chain, are resolved by auth::AwsCredentialManager::Attach into `auth.aws.credentials`.
  bool ResolveAwsPolicy(const model::BackendSecurityPolicy& p, UpstreamAuth& auth) {
    auth.type = UpstreamAuth::Type::kAWSCredentials;
    AwsAuth& aws = auth.aws;
    aws.region = p.aws_region;
    aws.credentials = std::make_shared<AwsCredentialCell>();
    if (p.aws_credentials_secret_ref.has_value()) {
      aws.source = AwsAuth::Source::kCredentialsFile;
      aws.profile = p.aws_profile;
      const ObjectRef& ref = *p.aws_credentials_secret_ref;
      aws.credentials_secret = ref.ns + "/" + ref.name;
      const model::DataObject* secret = Find(secrets_, ref.ns, ref.name);
      if (secret == nullptr) {
        Error(diag_, p.origin, p.secret_ref_path,
              "Secret " + ref.ns + "/" + ref.name + " not found");
        return false;
      }
      auto it = secret->data.find(std::string(kAwsCredentialsSecretKey));
      if (it == secret->data.end()) {
        Error(diag_, p.origin, p.secret_ref_path,
              "Secret " + ref.ns + "/" + ref.name + " has no key \"credentials\"");
        return false;
      }
      aws.credentials_file = it->second;
    } else if (p.aws_oidc) {
      aws.source = AwsAuth::Source::kOidcExchange;
      aws.oidc_role_arn = p.aws_oidc_role_arn;
      aws.oidc_issuer = p.aws_oidc_issuer;
      aws.oidc_token_endpoint = p.aws_oidc_token_endpoint;
      aws.oidc_client_id = p.aws_oidc_client_id;
      aws.oidc_scopes = p.aws_oidc_scopes;
      if (!p.aws_oidc_client_secret_ref.has_value()) return false;  // an error at parse time
      const ObjectRef& ref = *p.aws_oidc_client_secret_ref;
      const model::DataObject* secret = Find(secrets_, ref.ns, ref.name);
      if (secret == nullptr) {
        Error(diag_, p.origin, p.aws_oidc_client_secret_path,
              "Secret " + ref.ns + "/" + ref.name + " not found");
        return false;
      }
      auto it = secret->data.find(std::string(kOidcClientSecretKey));
      if (it == secret->data.end() || TrimWhitespace(it->second).empty()) {
        Error(diag_, p.origin, p.aws_oidc_client_secret_path,
              "Secret " + ref.ns + "/" + ref.name + " has no key \"client-secret\"");
        return false;
      }
      aws.oidc_client_secret = std::string(TrimWhitespace(it->second));
    } else {
      aws.source = AwsAuth::Source::kDefaultChain;
    }
    return true;
  }

  // Fills `auth` from the policy; false (with errors added) when the policy cannot be applied.
  bool ResolvePolicy(const model::BackendSecurityPolicy& p, UpstreamAuth& auth) {
    auth.policy_name = p.origin.Key();
    if (p.type == "APIKey") {
      auth.type = UpstreamAuth::Type::kAPIKey;
      auth.header_name = "authorization";
    } else if (p.type == "AnthropicAPIKey") {
      auth.type = UpstreamAuth::Type::kAnthropicAPIKey;
      auth.header_name = "x-api-key";
    } else if (p.type == "AzureAPIKey") {
      auth.type = UpstreamAuth::Type::kAzureAPIKey;
      auth.header_name = "api-key";
    } else if (p.type == "AWSCredentials") {
      return ResolveAwsPolicy(p, auth);
    } else {
      // GCPCredentials and AzureCredentials were warned about at parse time; unknown types were
      // errors.
      auth.type = UpstreamAuth::Type::kNone;
      auth.unsupported_type = p.type;
      return true;
    }
    if (!p.secret_ref.has_value()) return false;  // already an error at parse time
    const ObjectRef& ref = *p.secret_ref;
    const model::DataObject* secret = Find(secrets_, ref.ns, ref.name);
    if (secret == nullptr) {
      Error(diag_, p.origin, p.secret_ref_path, "Secret " + ref.ns + "/" + ref.name + " not found");
      return false;
    }
    auto it = secret->data.find(std::string(kApiKeySecretKey));
    if (it == secret->data.end()) {
      Error(diag_, p.origin, p.secret_ref_path,
            "Secret " + ref.ns + "/" + ref.name + " has no key \"apiKey\"");
      return false;
    }
    // The reference trims the key (internal/backendauth/api_key.go): a trailing newline from a
    // file or `echo` must not end up in the header.
    const std::string key(TrimWhitespace(it->second));
    if (key.empty()) {
      Error(diag_, p.origin, p.secret_ref_path,
            "Secret " + ref.ns + "/" + ref.name + " key \"apiKey\" is empty");
      return false;
    }
    auth.header_value = auth.type == UpstreamAuth::Type::kAPIKey ? "Bearer " + key : key;
    return true;
  }

  void ResolvePolicies() {
    for (const model::BackendSecurityPolicy& p : res_.security_policies) {
      UpstreamAuth auth;
      if (ResolvePolicy(p, auth)) resolved_auth_[p.origin.Key()] = std::move(auth);
      for (size_t i = 0; i < p.target_refs.size(); ++i) {
        const ObjectRef& target = p.target_refs[i];
        const std::string key = target.ns + "/" + target.name;
        if (Find(service_backends_, target.ns, target.name) == nullptr) {
          Warn(diag_, p.origin, "spec.targetRefs[" + std::to_string(i) + "]",
               "AIServiceBackend " + key + " not found; the policy applies to nothing");
          continue;
        }
        auto [it, inserted] = policy_of_backend_.emplace(key, &p);
        if (!inserted && it->second != &p) {
          Error(diag_, p.origin, "spec.targetRefs[" + std::to_string(i) + "]",
                "AIServiceBackend " + key + " is already targeted by BackendSecurityPolicy " +
                    it->second->origin.Key() + "; attach at most one policy per backend");
        }
      }
    }
  }

  bool ResolveCaRefs(const Origin& origin, const std::string& path,
                     const std::vector<ObjectRef>& refs, std::string& pem) {
    bool ok = true;
    for (size_t i = 0; i < refs.size(); ++i) {
      const ObjectRef& ref = refs[i];
      const std::string ref_path = path + "[" + std::to_string(i) + "]";
      const model::DataObject* obj = ref.kind == "Secret" ? Find(secrets_, ref.ns, ref.name)
                                                          : Find(config_maps_, ref.ns, ref.name);
      if (obj == nullptr) {
        Error(diag_, origin, ref_path, ref.kind + " " + ref.ns + "/" + ref.name + " not found");
        ok = false;
        continue;
      }
      auto it = obj->data.find(std::string(kCaCertKey));
      if (it == obj->data.end()) {
        Error(diag_, origin, ref_path,
              ref.kind + " " + ref.ns + "/" + ref.name + " has no key \"ca.crt\"");
        ok = false;
        continue;
      }
      pem += it->second;
      if (!pem.empty() && pem.back() != '\n') pem += '\n';
    }
    return ok;
  }

  // TLS for every Backend, from its spec.tls and the BackendTLSPolicy targeting it. Done once
  // per resource (not per AIServiceBackend) so each problem is reported once.
  void CompileTls() {
    std::map<std::string, std::string> policy_pem;  // policy key → CA bundle
    std::map<std::string, const model::BackendTlsPolicy*> policy_of_backend;
    for (const model::BackendTlsPolicy& p : res_.tls_policies) {
      std::string& pem = policy_pem[p.origin.Key()];
      ResolveCaRefs(p.origin, "spec.validation.caCertificateRefs", p.ca_refs, pem);
      if (!pem.empty() && !HoldsPemCertificates(pem)) {
        std::string targets;
        for (const ObjectRef& t : p.target_refs) {
          targets += (targets.empty() ? "" : ", ") + t.ns + "/" + t.name;
        }
        Error(diag_, p.origin, "spec.validation.caCertificateRefs",
             "the referenced CA data holds no valid PEM certificate (TLS to Backend " + targets +
                 " cannot be verified)");
      }
      for (size_t i = 0; i < p.target_refs.size(); ++i) {
        const ObjectRef& target = p.target_refs[i];
        const std::string key = target.ns + "/" + target.name;
        const std::string path = "spec.targetRefs[" + std::to_string(i) + "]";
        if (Find(backends_, target.ns, target.name) == nullptr) {
          Warn(diag_, p.origin, path,
               "Backend " + key + " not found; the policy applies to nothing");
          continue;
        }
        auto [it, inserted] = policy_of_backend.emplace(key, &p);
        if (!inserted && it->second != &p) {
          Warn(diag_, p.origin, path,
               "Backend " + key + " is already targeted by BackendTLSPolicy " +
                   it->second->origin.Key() + "; this policy is ignored for it");
        }
      }
    }
    for (const model::Backend& backend : res_.backends) {
      UpstreamTls tls;
      if (backend.tls.has_value()) {
        tls = *backend.tls;
        ResolveCaRefs(backend.origin, "spec.tls.caCertificateRefs", backend.tls_ca_refs,
                      tls.ca_pem);
      }
      if (auto it = policy_of_backend.find(backend.origin.Key()); it != policy_of_backend.end()) {
        const model::BackendTlsPolicy& p = *it->second;
        tls.enabled = true;
        tls.sni = p.hostname;
        tls.use_system_cas = p.well_known_system;
        tls.ca_pem = policy_pem[p.origin.Key()];
      }
      if (tls.enabled && tls.sni.empty()) {
        for (const Endpoint& ep : backend.endpoints) {
          if (!ep.is_ip) {
            tls.sni = ep.host;
            break;
          }
        }
      }
      if (!tls.enabled && std::any_of(backend.endpoints.begin(), backend.endpoints.end(),
                                      [](const Endpoint& ep) { return ep.port == 443; })) {
        Warn(diag_, backend.origin, "",
             "port 443 without a BackendTLSPolicy: requests are sent in plain HTTP");
      }
      tls_by_backend_[backend.origin.Key()] = std::move(tls);
    }
  }

  void CompileServiceBackend(const model::AIServiceBackend& asb) {
    auto out = std::make_shared<Backend>();
    out->name = asb.origin.Key();
    out->schema = asb.schema;
    out->header_mutation = asb.header_mutation;
    out->body_mutation = asb.body_mutation;
    const ObjectRef& ref = asb.backend_ref;
    if (!ref.name.empty()) {
      out->backend_ref = ref.ns + "/" + ref.name;
      const model::Backend* backend = Find(backends_, ref.ns, ref.name);
      if (backend == nullptr) {
        Error(diag_, asb.origin, "spec.backendRef", "Backend " + out->backend_ref + " not found");
      } else {
        out->endpoints = backend->endpoints;
        out->tls = tls_by_backend_[backend->origin.Key()];
        out->host_header = HostHeader(out->endpoints, out->tls.enabled);
      }
    }
    const model::BackendSecurityPolicy* policy = nullptr;
    if (auto it = policy_of_backend_.find(asb.origin.Key()); it != policy_of_backend_.end()) {
      policy = it->second;
    }
    if (asb.security_policy_ref.has_value()) {
      const ObjectRef& pref = *asb.security_policy_ref;
      const model::BackendSecurityPolicy* p = Find(policies_, pref.ns, pref.name);
      if (p == nullptr) {
        Error(diag_, asb.origin, "spec.backendSecurityPolicyRef",
              "BackendSecurityPolicy " + pref.ns + "/" + pref.name + " not found");
      } else if (policy != nullptr && policy != p) {
        Error(diag_, asb.origin, "spec.backendSecurityPolicyRef",
              "conflicts with BackendSecurityPolicy " + policy->origin.Key() +
                  " that targets this backend; attach at most one policy per backend");
      } else {
        policy = p;
      }
    }
    if (policy != nullptr) {
      if (auto it = resolved_auth_.find(policy->origin.Key()); it != resolved_auth_.end()) {
        out->auth = it->second;
      }
    }
    compiled_backends_[asb.origin.Key()] = std::move(out);
  }

  Route CompileRoute(const model::AIGatewayRoute& route) {
    Route out;
    out.name = route.origin.Key();
    out.hostnames = route.hostnames;
    out.costs = route.costs;
    for (size_t i = 0; i < route.parent_refs.size(); ++i) {
      const ObjectRef& parent = route.parent_refs[i];
      const std::string key = parent.ns + "/" + parent.name;
      if (Find(gateways_, parent.ns, parent.name) == nullptr) {
        Warn(diag_, route.origin, "spec.parentRefs[" + std::to_string(i) + "]",
             "Gateway " + key + " not found");
      }
      out.parent_gateways.push_back(key);
    }
    for (const model::RouteRule& rule : route.rules) {
      Rule r;
      r.name = rule.name;
      r.matches = rule.matches;
      r.request_timeout = rule.request_timeout;
      r.stream_idle_timeout = rule.stream_idle_timeout;
      r.models_owned_by = rule.models_owned_by;
      r.models_created_at =
          rule.models_created_at.value_or(route.creation_timestamp.value_or(now_));
      for (const model::RouteBackendRef& ref : rule.backend_refs) {
        const std::string key = ref.ns + "/" + ref.name;
        auto it = compiled_backends_.find(key);
        if (it == compiled_backends_.end()) {
          Error(diag_, route.origin, ref.path + ".name", "AIServiceBackend " + key + " not found");
          continue;
        }
        RuleBackendRef rb;
        rb.backend = it->second;
        rb.model_name_override = ref.model_name_override;
        rb.weight = ref.weight;
        rb.priority = ref.priority;
        rb.header_mutation = Merge(it->second->header_mutation, ref.header_mutation);
        rb.body_mutation = Merge(it->second->body_mutation, ref.body_mutation);
        r.backend_refs.push_back(std::move(rb));
      }
      out.rules.push_back(std::move(r));
    }
    return out;
  }

  McpRoute CompileMcpRoute(const model::MCPRoute& route) {
    McpRoute out = route.route;
    for (size_t i = 0; i < route.parent_refs.size(); ++i) {
      const ObjectRef& parent = route.parent_refs[i];
      if (Find(gateways_, parent.ns, parent.name) == nullptr) {
        Warn(diag_, route.origin, "spec.parentRefs[" + std::to_string(i) + "]",
             "Gateway " + parent.ns + "/" + parent.name + " not found");
      }
      out.parent_gateways.push_back(parent.ns + "/" + parent.name);
    }
    for (const model::McpRouteBackendRef& ref : route.backend_refs) {
      McpBackend b = ref.backend;
      const model::Backend* backend = Find(backends_, ref.ns, ref.name);
      if (backend == nullptr) {
        Error(diag_, route.origin, ref.path + ".name", "Backend " + ref.ns + "/" + ref.name +
                                                           " not found");
        continue;
      }
      b.endpoints = backend->endpoints;
      b.tls = tls_by_backend_[backend->origin.Key()];
      b.host_header = HostHeader(b.endpoints, b.tls.enabled);
      std::string key;
      if (ref.api_key_inline.has_value()) key = *ref.api_key_inline;
      if (ref.api_key_secret_ref.has_value()) {
        const ObjectRef& s = *ref.api_key_secret_ref;
        const model::DataObject* secret = Find(secrets_, s.ns, s.name);
        const std::string path = ref.path + ".securityPolicy.apiKey.secretRef";
        if (secret == nullptr) {
          Error(diag_, route.origin, path, "Secret " + s.ns + "/" + s.name + " not found");
        } else if (auto it = secret->data.find(std::string(kApiKeySecretKey));
                   it == secret->data.end()) {
          Error(diag_, route.origin, path,
                "Secret " + s.ns + "/" + s.name + " has no key \"apiKey\"");
        } else {
          key = std::string(TrimWhitespace(it->second));
        }
      }
      if (ref.api_key_inline.has_value() || ref.api_key_secret_ref.has_value()) {
        if (!ref.api_key_query_param.empty()) {
          b.api_key_query_param = ref.api_key_query_param;
          b.api_key_query_value = key;
        } else {
          b.api_key_header = ref.api_key_header;
          // MCPBackendAPIKey: the Authorization header carries "Bearer <key>"; others the key.
          b.api_key_header_value = ref.api_key_header == "authorization" ? "Bearer " + key : key;
        }
      }
      out.backends.push_back(std::move(b));
    }
    if (route.jwks_config_map_ref.has_value() && out.oauth.has_value()) {
      const ObjectRef& ref = *route.jwks_config_map_ref;
      const model::DataObject* cm = Find(config_maps_, ref.ns, ref.name);
      if (cm == nullptr) {
        Error(diag_, route.origin, "spec.securityPolicy.oauth.jwks.localJWKS.valueRef",
              "ConfigMap " + ref.ns + "/" + ref.name + " not found");
      } else if (auto it = cm->data.find("jwks"); it == cm->data.end()) {
        Error(diag_, route.origin, "spec.securityPolicy.oauth.jwks.localJWKS.valueRef",
              "ConfigMap " + ref.ns + "/" + ref.name + " has no key \"jwks\"");
      } else {
        out.oauth->local_jwks = it->second;
      }
    }
    return out;
  }

  const model::Resources& res_;
  const int64_t now_;
  Diagnostics& diag_;
  std::map<std::string, const model::Gateway*> gateways_;
  std::map<std::string, const model::Backend*> backends_;
  std::map<std::string, const model::BackendTlsPolicy*> tls_policies_;
  std::map<std::string, const model::DataObject*> config_maps_;
  std::map<std::string, const model::DataObject*> secrets_;
  std::map<std::string, const model::AIServiceBackend*> service_backends_;
  std::map<std::string, const model::AIGatewayRoute*> routes_;
  std::map<std::string, const model::BackendSecurityPolicy*> policies_;
  std::map<std::string, const model::GatewayConfig*> gateway_configs_;
  std::map<std::string, UpstreamAuth> resolved_auth_;  // policy key → auth
  std::map<std::string, const model::BackendSecurityPolicy*> policy_of_backend_;  // ASB key
  std::map<std::string, UpstreamTls> tls_by_backend_;                  // Backend key → TLS
  std::map<std::string, std::shared_ptr<Backend>> compiled_backends_;  // ASB key
};

}  // namespace

std::shared_ptr<RuntimeConfig> Compile(const model::Resources& resources, int64_t now,
                                       model::Diagnostics& diag) {
  return Compiler(resources, now, diag).Run();
}

}  // namespace sluice::config
