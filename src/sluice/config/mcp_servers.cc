#include "sluice/config/mcp_servers.h"

#include <arpa/inet.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "sluice/config/envsubst.h"
#include "sluice/core/strings.h"

namespace sluice::config {

namespace {

namespace json = boost::json;

// aigw's accepted spellings of the Streamable HTTP transport (internal/autoconfig/mcp.go).
bool IsStreamableType(std::string_view type) {
  return type.empty() || type == "http" || type == "streamable-http" || type == "streamable_http" ||
         type == "streamableHttp";
}

Error Invalid(std::string message) {
  return Error(ErrorKind::kInvalidArgument, std::move(message), ErrorSource::kClient);
}

bool IsIp(const std::string& s) {
  in6_addr v6;
  in_addr v4;
  return inet_pton(AF_INET, s.c_str(), &v4) == 1 || inet_pton(AF_INET6, s.c_str(), &v6) == 1;
}

Result<std::vector<std::string>> StringArray(const json::value* v, const std::string& where) {
  std::vector<std::string> out;
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) return Invalid(where + ": expected an array of strings");
  for (const json::value& item : v->get_array()) {
    if (!item.is_string()) return Invalid(where + ": expected an array of strings");
    out.emplace_back(item.get_string());
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> StringMap(const json::value* v,
                                                                   const std::string& where) {
  std::vector<std::pair<std::string, std::string>> out;
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_object()) return Invalid(where + ": expected an object of strings");
  for (const auto& kv : v->get_object()) {
    if (!kv.value().is_string())
      return Invalid(where + "." + std::string(kv.key()) + ": expected a string");
    out.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
  }
  return out;
}

}  // namespace

Result<McpServersFile> ParseMcpServers(std::string_view text, const GetEnv& env) {
  McpServersFile out;
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return Invalid("invalid JSON: " + ec.message());
  const json::object* root = doc.if_object();
  const json::value* servers = root ? root->if_contains("mcpServers") : nullptr;
  if (servers == nullptr || !servers->is_object()) {
    return Invalid("expected an object with an \"mcpServers\" object");
  }
  auto subst = [&](const std::string& value, const std::string& where) {
    return SubstituteEnv(value, where, env, out.warnings);
  };
  for (const auto& kv : servers->get_object()) {
    const std::string name(kv.key());
    const std::string where = "mcpServers." + name;
    if (name.empty() || name.find("__") != std::string::npos) {
      return Invalid(where +
                     ": a server name must be non-empty and must not contain \"__\" "
                     "(it prefixes the server's tool names)");
    }
    for (char c : name) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_';
      if (!ok) return Invalid(where + ": server names use letters, digits, '-', '.' and '_'");
    }
    const json::object* s = kv.value().if_object();
    if (s == nullptr) return Invalid(where + ": expected an object");
    McpServerSpec spec;
    spec.name = name;
    std::string type;
    if (const json::value* t = s->if_contains("type"); t && !t->is_null()) {
      if (!t->is_string()) return Invalid(where + ".type: expected a string");
      type = std::string(t->get_string());
    }
    if (const json::value* c = s->if_contains("command"); c && !c->is_null()) {
      if (!c->is_string() || c->get_string().empty()) {
        return Invalid(where + ".command: expected a non-empty string");
      }
      spec.command = subst(std::string(c->get_string()), where + ".command");
      auto args = StringArray(s->if_contains("args"), where + ".args");
      if (!args.ok()) return args.error();
      for (auto& a : *args) spec.args.push_back(subst(a, where + ".args"));
      auto env_vars = StringMap(s->if_contains("env"), where + ".env");
      if (!env_vars.ok()) return env_vars.error();
      for (auto& [k, v] : *env_vars) spec.env.emplace_back(k, subst(v, where + ".env." + k));
    } else {
      if (type == "sse") {
        out.warnings.push_back(where +
                               ": type \"sse\" (the deprecated HTTP+SSE transport) is "
                               "not supported; skipped");
        continue;
      }
      if (!IsStreamableType(type)) {
        return Invalid(where + ".type: unsupported type \"" + type +
                       "\" (expected http or streamable-http, or a command)");
      }
      const json::value* url = s->if_contains("url");
      if (url == nullptr || !url->is_string() || url->get_string().empty()) {
        return Invalid(where + ".url: required for an HTTP server");
      }
      spec.url = subst(std::string(url->get_string()), where + ".url");
      auto headers = StringMap(s->if_contains("headers"), where + ".headers");
      if (!headers.ok()) return headers.error();
      for (auto& [k, v] : *headers) spec.headers.emplace_back(k, subst(v, where + ".headers." + k));
    }
    auto include = StringArray(s->if_contains("includeTools"), where + ".includeTools");
    if (!include.ok()) return include.error();
    spec.include_tools = std::move(include).value();
    out.servers.push_back(std::move(spec));
  }
  return out;
}

Result<McpRoute> McpRouteFromServers(const McpServersFile& file,
                                     const std::map<std::string, std::string>& stdio_urls,
                                     std::string_view path) {
  McpRoute route;
  route.name = "sluice/mcp-servers";
  route.path = std::string(path);
  for (const McpServerSpec& spec : file.servers) {
    std::string url = spec.url;
    if (spec.stdio()) {
      auto it = stdio_urls.find(spec.name);
      if (it == stdio_urls.end()) return Invalid("mcpServers." + spec.name + ": not started");
      url = it->second;
    }
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return Invalid("mcpServers." + spec.name + ".url: invalid URL \"" + url + "\"");
    const std::string scheme = AsciiLower(std::string(parsed->scheme()));
    if (scheme != "http" && scheme != "https") {
      return Invalid("mcpServers." + spec.name + ".url: expected http:// or https://");
    }
    McpBackend b;
    b.name = spec.name;
    Endpoint ep;
    ep.host = AsciiLower(std::string(parsed->host_address()));
    if (ep.host.empty()) return Invalid("mcpServers." + spec.name + ".url: no host");
    ep.is_ip = IsIp(ep.host);
    const bool tls = scheme == "https";
    ep.port = parsed->has_port() ? static_cast<uint16_t>(parsed->port_number())
                                 : static_cast<uint16_t>(tls ? 443 : 80);
    b.endpoints.push_back(ep);
    b.tls.enabled = tls;
    b.tls.use_system_cas = true;
    if (tls && !ep.is_ip) b.tls.sni = ep.host;
    b.host_header =
        ep.is_ip && ep.host.find(':') != std::string::npos ? "[" + ep.host + "]" : ep.host;
    if (parsed->has_port()) b.host_header += ":" + std::to_string(ep.port);
    b.path = std::string(parsed->encoded_path());
    if (b.path.empty()) b.path = "/";
    if (parsed->has_query()) b.path += "?" + std::string(parsed->encoded_query());
    for (const auto& [name, value] : spec.headers) {
      // Like aigw, an Authorization header is the backend's credential (apiKey); the rest are
      // sent as they are.
      if (EqualsIgnoreCase(name, "authorization")) {
        b.api_key_header = "authorization";
        b.api_key_header_value = value;
      } else {
        b.static_headers.emplace_back(AsciiLower(name), value);
      }
    }
    b.tools.include = spec.include_tools;
    route.backends.push_back(std::move(b));
  }
  return route;
}

}  // namespace sluice::config
