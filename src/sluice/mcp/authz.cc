#include "sluice/mcp/authz.h"

#include <algorithm>

#include "sluice/core/strings.h"

namespace sluice::mcp {

namespace {

namespace json = boost::json;

const json::value* Claim(const json::object& claims, std::string_view dotted) {
  const json::object* obj = &claims;
  const json::value* v = nullptr;
  for (std::string_view part : Split(dotted, '.')) {
    if (obj == nullptr) return nullptr;
    v = obj->if_contains(part);
    if (v == nullptr) return nullptr;
    obj = v->is_object() ? &v->get_object() : nullptr;
  }
  return v;
}

bool ClaimMatches(const json::value& v, const std::vector<std::string>& values) {
  auto one = [&](const json::value& x) {
    if (!x.is_string()) return false;
    return std::find(values.begin(), values.end(), std::string_view(x.get_string())) !=
           values.end();
  };
  if (v.is_array()) {
    return std::any_of(v.get_array().begin(), v.get_array().end(), one);
  }
  return one(v);
}

bool TargetMatches(const config::McpAuthzRule& rule, std::string_view backend,
                   std::string_view tool) {
  if (rule.tools.empty()) return true;
  return std::any_of(rule.tools.begin(), rule.tools.end(), [&](const config::McpToolTarget& t) {
    return t.backend == backend && t.tool == tool;
  });
}

bool SourceMatches(const config::McpAuthzRule& rule, const json::object* claims,
                   const std::vector<std::string>& scopes) {
  for (const auto& s : rule.scopes) {
    if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) return false;
  }
  for (const auto& c : rule.claims) {
    if (claims == nullptr) return false;
    const json::value* v = Claim(*claims, c.name);
    if (v == nullptr || !ClaimMatches(*v, c.values)) return false;
  }
  return true;
}

}  // namespace

AuthzDecision AuthorizeTool(const config::McpAuthorization& authz, const json::object* claims,
                            const std::vector<std::string>& scopes, std::string_view backend,
                            std::string_view tool) {
  AuthzDecision d;
  for (const auto& rule : authz.rules) {
    if (!TargetMatches(rule, backend, tool)) continue;
    if (rule.allow) {
      for (const auto& s : rule.scopes) {
        if (std::find(d.required_scopes.begin(), d.required_scopes.end(), s) ==
            d.required_scopes.end()) {
          d.required_scopes.push_back(s);
        }
      }
    }
    if (SourceMatches(rule, claims, scopes)) {
      d.allowed = rule.allow;
      return d;
    }
  }
  d.allowed = authz.default_allow;
  return d;
}

}  // namespace sluice::mcp
