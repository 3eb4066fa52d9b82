#pragma once

// The `mcpServers` JSON that Claude Desktop, Cursor and VS Code use, as `aigw run --mcp-config`
// and `--mcp-json` read it (reference §8):
//
//   {"mcpServers": {"name": {"type": "http", "url": "http://h:p/mcp",
//                            "headers": {"Authorization": "Bearer ${TOKEN}"},
//                            "includeTools": ["a", "b"]},
//                   "local": {"command": "node", "args": ["server.js"], "env": {"K": "v"}}}}
//
// HTTP servers (type "", http, streamable-http, streamable_http, streamableHttp) become backends
// of one MCPRoute at /mcp; stdio servers (command) are spawned by the caller, bridged to a local
// Streamable HTTP port and then become backends too. "sse" servers (the deprecated HTTP+SSE
// transport) are skipped with a warning, as aigw does.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/config/load.h"
#include "sluice/config/runtime.h"
#include "sluice/core/result.h"

namespace sluice::config {

struct McpServerSpec {
  std::string name;
  // HTTP servers
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // ${ENV} already substituted
  std::vector<std::string> include_tools;
  // stdio servers
  std::string command;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  bool stdio() const { return !command.empty(); }
};

struct McpServersFile {
  std::vector<McpServerSpec> servers;  // in the order of the JSON object
  std::vector<std::string> warnings;
};

// Parses the JSON text. `${VAR}` in header values, urls, args and env values is substituted
// from `env`. Errors name the server and field.
Result<McpServersFile> ParseMcpServers(std::string_view json, const GetEnv& env);

// The MCPRoute serving the servers at `path`. `stdio_urls` maps the name of each stdio server to
// the loopback URL of its bridge. Errors: a malformed URL.
Result<McpRoute> McpRouteFromServers(const McpServersFile& file,
                                     const std::map<std::string, std::string>& stdio_urls,
                                     std::string_view path = "/mcp");

}  // namespace sluice::config
