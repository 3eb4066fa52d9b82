#pragma once

// Wire names of the Model Context Protocol (MCP) and its Streamable HTTP transport, revisions
// 2025-03-26, 2025-06-18 and 2025-11-25 ("Basic / Transports / Streamable HTTP").

#include <array>
#include <string_view>

namespace sluice::mcp::wire {

// HTTP headers (Transports §Session Management, §Protocol Version Header, §Resumability).
inline constexpr std::string_view kSessionIdHeader = "mcp-session-id";
inline constexpr std::string_view kProtocolVersionHeader = "mcp-protocol-version";
inline constexpr std::string_view kLastEventIdHeader = "last-event-id";
inline constexpr std::string_view kAcceptBoth = "application/json, text/event-stream";
inline constexpr std::string_view kJson = "application/json";
inline constexpr std::string_view kEventStream = "text/event-stream";

// Response metadata headers Sluice adds to routed requests (tools/call and friends).
inline constexpr std::string_view kBackendHeader = "x-sluice-mcp-backend";
inline constexpr std::string_view kToolHeader = "x-sluice-mcp-tool";

// Protocol revisions Sluice speaks, newest first. The first is offered when a client asks for one
// Sluice does not know (Lifecycle §Version Negotiation).
inline constexpr std::array<std::string_view, 4> kProtocolVersions = {"2025-11-25", "2025-06-18",
                                                                      "2025-03-26", "2024-11-05"};
// Assumed for a request without mcp-protocol-version (Transports §Protocol Version Header).
inline constexpr std::string_view kDefaultProtocolVersion = "2025-03-26";

// Separator between a backend name and a tool, prompt or resource-template name.
inline constexpr std::string_view kNameSeparator = "__";
// Separator between a backend name and a resource URI.
inline constexpr char kUriSeparator = '+';

// JSON-RPC 2.0 error codes (JSON-RPC 2.0 §5.1).
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

}  // namespace sluice::mcp::wire
