#pragma once

// Declared resources: plain structs holding what the YAML said, after per-field validation and
// defaulting but before references between resources are resolved (compile.h does that).
// Field names follow the Envoy AI Gateway / Gateway API / Envoy Gateway types they come from.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/config/runtime.h"

namespace sluice::config::model {

// Where a resource came from; every diagnostic about it starts with Prefix().
struct Origin {
  std::string file;
  std::string kind;
  std::string ns = "default";
  std::string name;

  std::string Key() const { return ns + "/" + name; }        // "ns/name"
  std::string Id() const { return kind + " " + Key(); }      // "Kind ns/name"
  std::string Prefix() const { return file + ": " + Id(); }  // "file: Kind ns/name"
};

// A reference to another object; `ns` already defaulted to the referrer's namespace.
struct ObjectRef {
  std::string group;
  std::string kind;
  std::string name;
  std::string ns;
};

struct Gateway {
  Origin origin;
  std::vector<Listener> listeners;
  // Annotation aigateway.envoyproxy.io/gateway-config: a GatewayConfig in the same namespace.
  std::string gateway_config;
};

// Envoy Gateway Backend (gateway.envoyproxy.io).
struct Backend {
  Origin origin;
  std::vector<Endpoint> endpoints;
  // Backend.spec.tls (Envoy Gateway ≥ 1.3): the same settings a BackendTLSPolicy carries.
  std::optional<UpstreamTls> tls;
  std::vector<ObjectRef> tls_ca_refs;
};

struct BackendTlsPolicy {
  Origin origin;
  std::vector<ObjectRef> target_refs;
  std::string hostname;
  bool well_known_system = false;
  std::vector<ObjectRef> ca_refs;
};

// ConfigMap and Secret both become a key → bytes map (Secret data already base64-decoded and
// merged with stringData and the substitution.aigw.run annotations).
struct DataObject {
  Origin origin;
  std::map<std::string, std::string> data;
};

struct AIServiceBackend {
  Origin origin;
  Schema schema;
  ObjectRef backend_ref;
  HeaderMutation header_mutation;
  BodyMutation body_mutation;
  std::optional<ObjectRef> security_policy_ref;  // v0.x spec.backendSecurityPolicyRef
};

struct RouteBackendRef {
  std::string path;  // "spec.rules[i].backendRefs[j]", for diagnostics
  std::string name;
  std::string ns;
  std::string model_name_override;
  uint32_t weight = 1;
  uint32_t priority = 0;
  HeaderMutation header_mutation;
  BodyMutation body_mutation;
};

struct RouteRule {
  std::string name;  // declared name, or "rule/<index>"
  std::vector<RouteMatch> matches;
  std::vector<RouteBackendRef> backend_refs;
  std::chrono::milliseconds request_timeout{60000};
  std::chrono::milliseconds stream_idle_timeout{0};
  std::string models_owned_by = "Envoy AI Gateway";
  std::optional<int64_t> models_created_at;
};

struct AIGatewayRoute {
  Origin origin;
  std::vector<ObjectRef> parent_refs;
  std::vector<std::string> hostnames;
  std::vector<RouteRule> rules;
  std::vector<Cost> costs;
  std::optional<int64_t> creation_timestamp;  // metadata.creationTimestamp
};

struct BackendSecurityPolicy {
  Origin origin;
  std::string type;  // spec.type as written
  std::vector<ObjectRef> target_refs;
  std::optional<ObjectRef> secret_ref;  // for APIKey, AnthropicAPIKey, AzureAPIKey
  std::string secret_ref_path;          // field path of secret_ref, for diagnostics
  // type AWSCredentials (spec.awsCredentials)
  std::string aws_region;
  std::optional<ObjectRef> aws_credentials_secret_ref;  // credentialsFile.secretRef
  std::string aws_profile = "default";                  // credentialsFile.profile
  bool aws_oidc = false;                                // oidcExchangeToken set
  std::string aws_oidc_role_arn;                        // oidcExchangeToken.awsRoleArn
  std::string aws_oidc_issuer;                          // oidc.provider.issuer
  std::string aws_oidc_token_endpoint;                  // oidc.provider.tokenEndpoint
  std::string aws_oidc_client_id;                       // oidc.clientID
  std::optional<ObjectRef> aws_oidc_client_secret_ref;  // oidc.clientSecret
  std::string aws_oidc_client_secret_path;              // its field path
  std::vector<std::string> aws_oidc_scopes;             // oidc.scopes
};

struct GatewayConfig {
  Origin origin;
  std::vector<Cost> global_costs;
};


// MCPRoute.spec.backendRefs[] before its Backend and Secret are resolved.
struct McpRouteBackendRef {
  std::string path;  // "spec.backendRefs[i]", for diagnostics
  std::string name;
  std::string ns;
  McpBackend backend;  // name, path, tools and forward headers filled; the rest at compile
  std::optional<ObjectRef> api_key_secret_ref;
  std::optional<std::string> api_key_inline;
  std::string api_key_header;  // lower-case; "authorization" when neither header nor queryParam
  std::string api_key_query_param;
};

struct MCPRoute {
  Origin origin;
  std::vector<ObjectRef> parent_refs;
  McpRoute route;  // hostnames, path, headers, oauth, authorization filled at parse time
  std::vector<McpRouteBackendRef> backend_refs;
  std::optional<ObjectRef> jwks_config_map_ref;  // oauth.jwks.localJWKS.valueRef
};

// Everything declared across all files, in file and document order.
struct Resources {
  std::vector<Gateway> gateways;
  std::vector<Backend> backends;
  std::vector<BackendTlsPolicy> tls_policies;
  std::vector<DataObject> config_maps;
  std::vector<DataObject> secrets;
  std::vector<AIServiceBackend> service_backends;
  std::vector<AIGatewayRoute> routes;
  std::vector<BackendSecurityPolicy> security_policies;
  std::vector<GatewayConfig> gateway_configs;
  std::vector<MCPRoute> mcp_routes;
};

// Collected diagnostics; see LoadResult for the formats.
struct Diagnostics {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::vector<std::string> ignored;
};

}  // namespace sluice::config::model
