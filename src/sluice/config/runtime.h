#pragma once

// The compiled, immutable runtime snapshot of a Sluice configuration. Produced by config::Compile
// from the declared resources; read concurrently by every worker without locks. A reload builds a
// new snapshot and swaps the shared_ptr; requests in flight keep the snapshot they started with.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}

namespace sluice::config {

// AIServiceBackend.spec.schema.name.
enum class SchemaName {
  kOpenAI,
  kAzureOpenAI,
  kAnthropic,
  kAWSBedrock,
  kAWSAnthropic,
  kGCPVertexAI,
  kGCPAnthropic,
  kCohere,
};
std::string_view SchemaNameString(SchemaName name);  // the API spelling, e.g. "AWSBedrock"
std::optional<SchemaName> ParseSchemaName(std::string_view name);  // exact, case-sensitive

struct Schema {
  SchemaName name = SchemaName::kOpenAI;
  std::string version;  // Azure api-version, AWS/GCP anthropic_version, Cohere API version
  // Path prefix for OpenAI and Anthropic schemas, normalised to a leading '/' and no trailing '/';
  // "/v1" when unset ("v1beta/openai" and "/v1beta/openai" both become "/v1beta/openai"); empty
  // when set to "/" (a provider serving /chat/completions at its root).
  std::string prefix = "/v1";
};

struct HeaderMutation {
  std::vector<std::pair<std::string, std::string>> set;  // names lower-cased
  std::vector<std::string> remove;                       // names lower-cased
  bool empty() const { return set.empty() && remove.empty(); }
};

// Top-level JSON field edits. `set` values are raw JSON text when they look like JSON (quoted
// string, number, true/false/null, object, array), otherwise they were quoted into a JSON string
// at compile time, so `value` is always valid JSON here.
struct BodyMutation {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> remove;
  bool empty() const { return set.empty() && remove.empty(); }
};

// One network endpoint of an Envoy Gateway Backend (fqdn or ip).
struct Endpoint {
  std::string host;  // hostname or IP literal (IPv6 without brackets)
  uint16_t port = 0;
  bool is_ip = false;
};

// TLS towards a backend, from a BackendTLSPolicy targeting its Backend.
struct UpstreamTls {
  bool enabled = false;
  std::string sni;             // BackendTLSPolicy.spec.validation.hostname
  bool use_system_cas = true;  // wellKnownCACertificates: System
  std::string ca_pem;          // concatenated PEM from caCertificateRefs (ConfigMap/Secret)
};

// One set of AWS credentials (an access key pair, plus a session token for temporary ones).
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  // When temporary credentials stop working; the epoch (default) for credentials that never do.
  std::chrono::system_clock::time_point expiration{};
  // Where they came from, for diagnostics ("environment", "shared credentials file ...",
  // "web identity (STS AssumeRoleWithWebIdentity) ..."); never secret.
  std::string source;
};

// The AWS credentials currently in force for one AWSCredentials policy. The snapshot is immutable,
// but credentials are not: static keys are stored once when the configuration is attached
// (auth::AwsCredentialManager), temporary ones are replaced by a background refresh. Requests read
// the current value without blocking. Thread-safe; shared by every backend of the policy and kept
// alive by the snapshots that hold it.
class AwsCredentialCell {
 public:
  std::shared_ptr<const AwsCredentials> Load() const { return credentials_.load(); }
  void Store(std::shared_ptr<const AwsCredentials> credentials) {
    credentials_.store(std::move(credentials));
  }
  // Why there are no (fresh) credentials, e.g. the last refresh failure; empty when none.
  std::shared_ptr<const std::string> LoadError() const { return error_.load(); }
  void StoreError(std::string error) {
    error_.store(std::make_shared<const std::string>(std::move(error)));
  }
  void ClearError() { error_.store(nullptr); }

 private:
  std::atomic<std::shared_ptr<const AwsCredentials>> credentials_;
  std::atomic<std::shared_ptr<const std::string>> error_;
};

// BackendSecurityPolicy type AWSCredentials (api/v1beta1/backendsecurity_policy.go).
struct AwsAuth {
  enum class Source {
    kDefaultChain,     // neither credentialsFile nor oidcExchangeToken: environment, shared
                       // credentials file, web identity (docs/configuration.md)
    kCredentialsFile,  // credentialsFile.secretRef
    kOidcExchange,     // oidcExchangeToken: client-credentials token, then STS
  };
  std::string region;  // spec.awsCredentials.region: the signing region unless the host names one
  Source source = Source::kDefaultChain;
  std::string credentials_file;    // Secret key "credentials" (INI text); secret, redacted in dumps
  std::string credentials_secret;  // "ns/name" of that Secret, for diagnostics
  std::string profile = "default";
  // oidcExchangeToken
  std::string oidc_role_arn;        // awsRoleArn
  std::string oidc_issuer;          // oidc.provider.issuer
  std::string oidc_token_endpoint;  // oidc.provider.tokenEndpoint; discovered from the issuer
  std::string oidc_client_id;       // oidc.clientID
  std::string oidc_client_secret;   // Secret key "client-secret"; secret, redacted in dumps
  std::vector<std::string> oidc_scopes;
  // Never null for an AWSCredentials policy; filled by auth::AwsCredentialManager::Attach.
  std::shared_ptr<AwsCredentialCell> credentials;
};

// How the upstream credential is attached (BackendSecurityPolicy). The secret value is resolved at
// compile time; `header_value` is the full header value (e.g. "Bearer sk-...").
struct UpstreamAuth {
  enum class Type { kNone, kAPIKey, kAnthropicAPIKey, kAzureAPIKey, kAWSCredentials };
  Type type = Type::kNone;
  std::string header_name;   // lower-case: "authorization", "x-api-key", "api-key"
  std::string header_value;  // secret: never logged, redacted in config_dump
  std::string policy_name;   // "ns/name" of the BackendSecurityPolicy, for diagnostics
  AwsAuth aws;               // type kAWSCredentials: requests are signed with SigV4
  // Set when the attached policy has a type Sluice loads but does not apply yet (GCPCredentials,
  // AzureCredentials); `type` is then kNone and a warning was logged at load.
  std::string unsupported_type;
};

// An AIServiceBackend joined with its Backend, TLS policy and security policy.
struct Backend {
  std::string name;  // "ns/name" of the AIServiceBackend
  Schema schema;
  std::string backend_ref;  // "ns/name" of the Envoy Gateway Backend
  std::vector<Endpoint> endpoints;
  std::string host_header;  // Host sent upstream: first fqdn hostname, else the IP (with :port
                            // when the port is not the scheme default)
  UpstreamTls tls;
  UpstreamAuth auth;
  HeaderMutation header_mutation;
  BodyMutation body_mutation;
};

enum class MatchType { kExact, kRegularExpression };

struct HeaderMatch {
  std::string name;  // lower-cased
  MatchType type = MatchType::kExact;
  std::string value;
  std::shared_ptr<const re2::RE2> regex;  // set when type == kRegularExpression (full match)
};

// All headers of one match must match (AND); a rule matches when any of its matches does (OR).
struct RouteMatch {
  std::vector<HeaderMatch> headers;
};

struct RuleBackendRef {
  std::shared_ptr<const Backend> backend;
  std::string model_name_override;  // empty: keep the client's model
  uint32_t weight = 1;
  uint32_t priority = 0;
  // Route-level mutations merged with the backend's: route `set` wins on the same name,
  // `remove` is the union. x-ai-eg-* headers are dropped from both at compile time.
  HeaderMutation header_mutation;
  BodyMutation body_mutation;
};

struct Rule {
  std::string name;  // rules[].name, or "rule/<index>" when unnamed
  std::vector<RouteMatch> matches;
  std::vector<RuleBackendRef> backend_refs;
  std::chrono::milliseconds request_timeout{60000};  // rules[].timeouts.request; 0 = no limit
  // rules[].streamIdleTimeout: longest wait for the next upstream byte; 0 = none.
  std::chrono::milliseconds stream_idle_timeout{0};
  std::string models_owned_by = "Envoy AI Gateway";
  int64_t models_created_at = 0;  // unix seconds; the file's load time when not given
};

enum class CostType {
  kInputToken,
  kOutputToken,
  kTotalToken,
  kCachedInputToken,
  kCacheCreationInputToken,
  kReasoningToken,
};

std::string_view CostTypeString(CostType type);  // the API spelling, e.g. "InputToken"
std::optional<CostType> ParseCostType(std::string_view type);  // exact; "CEL" is not a CostType

struct Cost {
  std::string metadata_key;
  CostType type = CostType::kInputToken;
};

struct Route {
  std::string name;                          // "ns/name"
  std::vector<std::string> parent_gateways;  // "ns/name" of the Gateways it attaches to
  std::vector<std::string> hostnames;        // lower-case; "*.example.com" wildcards allowed
  std::vector<Rule> rules;
  std::vector<Cost> costs;  // llmRequestCosts
};


// ---- MCP (MCPRoute, and --mcp-config / --mcp-json servers) --------------------------------

// MCPRoute.spec.backendRefs[].toolSelector. Exclusion wins over inclusion ("deny wins").
struct McpToolSelector {
  std::vector<std::string> include;
  std::vector<std::shared_ptr<const re2::RE2>> include_regex;  // full match
  std::vector<std::string> exclude;
  std::vector<std::shared_ptr<const re2::RE2>> exclude_regex;  // full match
  bool empty() const {
    return include.empty() && include_regex.empty() && exclude.empty() && exclude_regex.empty();
  }
};

// A header taken from the client's request and sent to a backend, optionally renamed.
struct McpForwardHeader {
  std::string name;            // lower-cased client header
  std::string backend_header;  // name sent to the backend (client's name when not renamed)
};

// One MCP server behind an MCPRoute.
struct McpBackend {
  std::string name;  // backendRefs[].name: the prefix of its tools ("name__tool")
  std::vector<Endpoint> endpoints;
  std::string host_header;
  UpstreamTls tls;
  std::string path = "/mcp";
  McpToolSelector tools;
  // securityPolicy.apiKey: a header (value complete, e.g. "Bearer k") or a query parameter.
  std::string api_key_header;  // lower-case; empty when none
  std::string api_key_header_value;
  std::string api_key_query_param;  // empty when none
  std::string api_key_query_value;
  std::vector<McpForwardHeader> forward_headers;
  // Fixed headers for every request (mcpServers "headers" other than the bearer credential).
  std::vector<std::pair<std::string, std::string>> static_headers;
};

struct McpClaimToHeader {
  std::string claim;   // dotted path into the JWT claims
  std::string header;  // lower-cased
};

// securityPolicy.oauth: bearer JWT validation (RFC 6750, RFC 9068).
struct McpOAuth {
  std::string issuer;
  std::vector<std::string> audiences;
  std::string local_jwks;       // inline JWKS JSON
  std::string remote_jwks_uri;  // fetched and cached when set
  std::chrono::milliseconds remote_jwks_cache{300'000};
  // protectedResourceMetadata (RFC 9728)
  std::string resource;
  std::string resource_name;
  std::vector<std::string> scopes_supported;
  std::vector<std::string> signing_algs;
  std::string resource_documentation;
  std::string resource_policy_uri;
  std::vector<McpClaimToHeader> claim_to_headers;
};

struct McpClaimRequirement {
  std::string name;  // dotted path
  std::vector<std::string> values;
};

struct McpToolTarget {
  std::string backend;
  std::string tool;
};

struct McpAuthzRule {
  std::vector<std::string> scopes;          // all required
  std::vector<McpClaimRequirement> claims;  // all required, each any of its values
  std::vector<McpToolTarget> tools;         // empty: every tool
  bool allow = true;
};

struct McpAuthorization {
  bool default_allow = false;  // defaultAction: Deny unless set
  std::vector<McpAuthzRule> rules;
};

struct McpRoute {
  std::string name;  // "ns/name"
  std::vector<std::string> parent_gateways;
  std::vector<std::string> hostnames;  // lower-case; "*.x" wildcards
  std::string path = "/mcp";           // exact match
  std::vector<HeaderMatch> headers;    // ANDed
  std::vector<McpBackend> backends;
  std::optional<McpOAuth> oauth;
  std::optional<McpAuthorization> authorization;
};

struct Listener {
  std::string gateway;  // "ns/name"
  std::string name;
  uint16_t port = 0;
  std::string hostname;  // optional listener hostname
};

struct RuntimeConfig {
  std::vector<Listener> listeners;
  std::vector<Route> routes;
  std::vector<Cost> global_costs;  // GatewayConfig.spec.globalLLMRequestCosts
  std::vector<McpRoute> mcp_routes;
  std::vector<std::string> source_files;
  int64_t load_time = 0;  // unix seconds when the snapshot was compiled
};

}  // namespace sluice::config
