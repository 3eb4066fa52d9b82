#pragma once

// MCPRoute.spec.securityPolicy.authorization: rules on the verified JWT's scopes and claims and on
// the target tool, evaluated in order; the first rule that matches decides, defaultAction
// otherwise (reference §7.3). Applied to tools/call and to the tools/list filtering.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/config/runtime.h"

namespace sluice::mcp {

struct AuthzDecision {
  bool allowed = false;
  // Scopes of the Allow rules that target this tool, for the insufficient_scope challenge
  // (RFC 6750 §3.1; MCP Authorization §Scope Challenge Handling).
  std::vector<std::string> required_scopes;
};

// `claims` and `scopes` are null/empty when the request carries no verified token.
AuthzDecision AuthorizeTool(const config::McpAuthorization& authz,
                            const boost::json::object* claims,
                            const std::vector<std::string>& scopes, std::string_view backend,
                            std::string_view tool);

}  // namespace sluice::mcp
