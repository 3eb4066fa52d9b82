#pragma once

// How the aggregated MCP namespace is spelled. Every tool, prompt and resource template of a
// backend is exposed as "<backend>__<name>"; every resource URI as "<backend>+<uri>"; a request
// that a backend sends to the client (sampling, elicitation, roots) gets a JSON-RPC id that names
// its backend, so the client's answer finds its way back. All pure functions: no I/O.

#include <optional>
#include <string>
#include <string_view>

#include "sluice/config/runtime.h"

namespace sluice::mcp {

std::string PrefixName(std::string_view backend, std::string_view name);
struct SplitName {
  std::string_view backend;
  std::string_view name;
};
// Splits at the first "__"; nullopt when there is none or either side is empty.
std::optional<SplitName> SplitPrefixedName(std::string_view prefixed);

std::string PrefixUri(std::string_view backend, std::string_view uri);
std::optional<SplitName> SplitPrefixedUri(std::string_view prefixed);

// MCPRoute toolSelector: exclude / excludeRegex win over include / includeRegex ("deny wins");
// with no include list every tool not excluded is allowed. Regexes match the whole name.
bool ToolAllowed(const config::McpToolSelector& selector, std::string_view tool);

// Server→client request ids. `raw_id` is the JSON text of the backend's id (a number or a
// string literal). The result is a JSON string value's contents.
std::string EncodeServerRequestId(std::string_view backend, std::string_view raw_id);
struct DecodedRequestId {
  std::string backend;
  std::string raw_id;  // JSON text of the backend's original id
};
std::optional<DecodedRequestId> DecodeServerRequestId(std::string_view id);

// SSE event ids on streams to the client name the backend stream they came from, so a client
// resuming with Last-Event-ID (Transports §Resumability and Redelivery) resumes that backend.
std::string EncodeEventId(std::string_view backend, std::string_view backend_event_id);
std::optional<SplitName> DecodeEventId(std::string_view id, std::string& storage);

}  // namespace sluice::mcp
