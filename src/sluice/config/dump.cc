// RuntimeConfig → JSON for the admin /config_dump endpoint.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "sluice/config/load.h"
#include "sluice/core/strings.h"

namespace sluice::config {

namespace {

namespace json = boost::json;

constexpr std::string_view kRedacted = "[REDACTED]";

// Header names whose values are credentials when they appear in a header mutation; the same
// families the reference redacts in its debug logs (reference §4), plus the obvious words.
bool IsSecretHeader(std::string_view lower_name) {
  static constexpr std::string_view kExact[] = {"authorization", "proxy-authorization", "x-api-key",
                                                "api-key", "cookie"};
  for (std::string_view name : kExact) {
    if (lower_name == name) return true;
  }
  static constexpr std::string_view kWords[] = {"key",      "token",      "secret",
                                                "password", "credential", "x-aigw-"};
  for (std::string_view word : kWords) {
    if (lower_name.find(word) != std::string_view::npos) return true;
  }
  return false;
}

json::object DumpHeaderMutation(const HeaderMutation& m) {
  json::array set;
  for (const auto& [name, value] : m.set) {
    set.push_back(json::object{
        {"name", name}, {"value", IsSecretHeader(name) ? kRedacted : std::string_view(value)}});
  }
  json::array remove;
  for (const std::string& name : m.remove) remove.push_back(json::string(name));
  return json::object{{"set", std::move(set)}, {"remove", std::move(remove)}};
}

json::object DumpBodyMutation(const BodyMutation& m) {
  json::array set;
  for (const auto& [path, value] : m.set)
    set.push_back(json::object{{"path", path}, {"value", value}});
  json::array remove;
  for (const std::string& name : m.remove) remove.push_back(json::string(name));
  return json::object{{"set", std::move(set)}, {"remove", std::move(remove)}};
}

std::string_view AuthTypeString(UpstreamAuth::Type type) {
  switch (type) {
    case UpstreamAuth::Type::kNone:
      return "None";
    case UpstreamAuth::Type::kAPIKey:
      return "APIKey";
    case UpstreamAuth::Type::kAnthropicAPIKey:
      return "AnthropicAPIKey";
    case UpstreamAuth::Type::kAzureAPIKey:
      return "AzureAPIKey";
    case UpstreamAuth::Type::kAWSCredentials:
      return "AWSCredentials";
  }
  return "None";
}

json::object DumpBackend(const Backend& b) {
  json::array endpoints;
  for (const Endpoint& ep : b.endpoints) {
    endpoints.push_back(json::object{{"host", ep.host}, {"port", ep.port}, {"is_ip", ep.is_ip}});
  }
  json::object auth{{"type", AuthTypeString(b.auth.type)},
                    {"header_name", b.auth.header_name},
                    {"header_value", b.auth.header_value.empty() ? "" : kRedacted},
                    {"policy", b.auth.policy_name}};
  if (!b.auth.unsupported_type.empty()) auth["unsupported_type"] = b.auth.unsupported_type;
  if (b.auth.type == UpstreamAuth::Type::kAWSCredentials) {
    const AwsAuth& aws = b.auth.aws;
    json::object a{{"region", aws.region}};
    switch (aws.source) {
      case AwsAuth::Source::kDefaultChain:
        a["source"] = "default chain";
        break;
      case AwsAuth::Source::kCredentialsFile:
        a["source"] = "credentials file";
        a["secret"] = aws.credentials_secret;
        a["profile"] = aws.profile;
        break;
      case AwsAuth::Source::kOidcExchange:
        a["source"] = "oidc exchange";
        a["role_arn"] = aws.oidc_role_arn;
        a["issuer"] = aws.oidc_issuer;
        a["client_id"] = aws.oidc_client_id;
        break;
    }
    // Where the keys in force came from and when they expire; never the keys themselves.
    if (aws.credentials) {
      if (auto current = aws.credentials->Load()) {
        a["resolved_from"] = current->source;
        a["access_key_id"] = kRedacted;
        if (current->expiration != std::chrono::system_clock::time_point{}) {
          a["expires_unix"] = std::chrono::duration_cast<std::chrono::seconds>(
                                  current->expiration.time_since_epoch())
                                  .count();
        }
      }
      if (auto error = aws.credentials->LoadError()) a["error"] = *error;
    }
    auth["aws"] = std::move(a);
  }
  return json::object{
      {"name", b.name},
      {"schema", json::object{{"name", SchemaNameString(b.schema.name)},
                              {"version", b.schema.version},
                              {"prefix", b.schema.prefix}}},
      {"backend_ref", b.backend_ref},
      {"endpoints", std::move(endpoints)},
      {"host_header", b.host_header},
      {"tls", json::object{{"enabled", b.tls.enabled},
                           {"sni", b.tls.sni},
                           {"use_system_cas", b.tls.use_system_cas},
                           {"ca_pem", b.tls.ca_pem}}},
      {"auth", std::move(auth)},
      {"header_mutation", DumpHeaderMutation(b.header_mutation)},
      {"body_mutation", DumpBodyMutation(b.body_mutation)},
  };
}

json::array DumpCosts(const std::vector<Cost>& costs) {
  json::array out;
  for (const Cost& c : costs) {
    out.push_back(json::object{{"metadata_key", c.metadata_key}, {"type", CostTypeString(c.type)}});
  }
  return out;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array out;
  for (const std::string& s : v) out.push_back(json::string(s));
  return out;
}

}  // namespace

std::string DumpJson(const RuntimeConfig& config) {
  json::array listeners;
  for (const Listener& l : config.listeners) {
    listeners.push_back(json::object{
        {"gateway", l.gateway}, {"name", l.name}, {"port", l.port}, {"hostname", l.hostname}});
  }
  json::array backends;
  std::set<const Backend*> seen;
  json::array routes;
  for (const Route& route : config.routes) {
    json::array rules;
    for (const Rule& rule : route.rules) {
      json::array matches;
      for (const RouteMatch& m : rule.matches) {
        json::array headers;
        for (const HeaderMatch& h : m.headers) {
          headers.push_back(
              json::object{{"name", h.name},
                           {"type", h.type == MatchType::kExact ? "Exact" : "RegularExpression"},
                           {"value", h.value}});
        }
        matches.push_back(json::object{{"headers", std::move(headers)}});
      }
      json::array refs;
      for (const RuleBackendRef& ref : rule.backend_refs) {
        if (ref.backend != nullptr && seen.insert(ref.backend.get()).second) {
          backends.push_back(DumpBackend(*ref.backend));
        }
        refs.push_back(json::object{
            {"backend", ref.backend != nullptr ? ref.backend->name : ""},
            {"model_name_override", ref.model_name_override},
            {"weight", ref.weight},
            {"priority", ref.priority},
            {"header_mutation", DumpHeaderMutation(ref.header_mutation)},
            {"body_mutation", DumpBodyMutation(ref.body_mutation)},
        });
      }
      rules.push_back(json::object{
          {"name", rule.name},
          {"matches", std::move(matches)},
          {"backend_refs", std::move(refs)},
          {"request_timeout_ms", rule.request_timeout.count()},
          {"stream_idle_timeout_ms", rule.stream_idle_timeout.count()},
          {"models_owned_by", rule.models_owned_by},
          {"models_created_at", rule.models_created_at},
      });
    }
    routes.push_back(json::object{
        {"name", route.name},
        {"parent_gateways", Strings(route.parent_gateways)},
        {"hostnames", Strings(route.hostnames)},
        {"rules", std::move(rules)},
        {"llm_request_costs", DumpCosts(route.costs)},
    });
  }
  json::array mcp_routes;
  for (const McpRoute& route : config.mcp_routes) {
    json::array backends_out;
    for (const McpBackend& b : route.backends) {
      json::object o;
      o["name"] = b.name;
      o["path"] = b.path;
      o["host"] = b.host_header;
      o["tls"] = b.tls.enabled;
      json::array eps;
      for (const Endpoint& ep : b.endpoints)
        eps.push_back(json::string(ep.host + ":" + std::to_string(ep.port)));
      o["endpoints"] = std::move(eps);
      if (!b.api_key_header.empty()) {
        o["api_key"] = json::object{{"header", b.api_key_header}, {"value", kRedacted}};
      } else if (!b.api_key_query_param.empty()) {
        o["api_key"] = json::object{{"query_param", b.api_key_query_param}, {"value", kRedacted}};
      }
      json::array forwarded;
      for (const auto& f : b.forward_headers) {
        forwarded.push_back(json::object{{"name", f.name}, {"backend_header", f.backend_header}});
      }
      o["forward_headers"] = std::move(forwarded);
      json::array fixed;
      for (const auto& [name, value] : b.static_headers) {
        fixed.push_back(json::object{
            {"name", name}, {"value", IsSecretHeader(name) ? kRedacted : std::string_view(value)}});
      }
      o["headers"] = std::move(fixed);
      o["tool_include"] = Strings(b.tools.include);
      o["tool_exclude"] = Strings(b.tools.exclude);
      backends_out.push_back(std::move(o));
    }
    json::object r;
    r["name"] = route.name;
    r["path"] = route.path;
    r["parent_gateways"] = Strings(route.parent_gateways);
    r["hostnames"] = Strings(route.hostnames);
    r["backends"] = std::move(backends_out);
    r["oauth"] = route.oauth.has_value();
    r["authorization"] = route.authorization.has_value();
    if (route.oauth) {
      r["issuer"] = route.oauth->issuer;
      r["audiences"] = Strings(route.oauth->audiences);
    }
    mcp_routes.push_back(std::move(r));
  }
  json::object root{
      {"source_files", Strings(config.source_files)},
      {"load_time", config.load_time},
      {"listeners", std::move(listeners)},
      {"global_llm_request_costs", DumpCosts(config.global_costs)},
      {"routes", std::move(routes)},
      {"backends", std::move(backends)},
      {"mcp_routes", std::move(mcp_routes)},
  };
  return json::serialize(root);
}

}  // namespace sluice::config
