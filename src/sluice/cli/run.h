#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::cli {

struct RunOptions {
  std::vector<std::string> files;
  uint16_t admin_port = 1064;
  std::string address = "0.0.0.0";
  std::optional<uint16_t> listener_port;
  unsigned workers = 0;  // 0: one per core
  std::string log_level = "info";
  bool debug = false;
  int drain_timeout_seconds = 15;
  int poll_interval_ms = 1000;
  // MCP: servers in the mcpServers JSON format, from a file or inline (mutually exclusive).
  std::string mcp_config;
  std::string mcp_json;
  std::string mcp_seed;  // --mcp-session-encryption-seed / SLUICE_MCP_SESSION_ENCRYPTION_SEED
};

// Runs the gateway until SIGTERM/SIGINT and the drain that follows. Returns the exit code.
int Run(const RunOptions& options);

}  // namespace sluice::cli
