#pragma once

// The MCP gateway: one Streamable HTTP endpoint per MCPRoute in front of many MCP servers.
//
// - initialize fans out to every backend of the route in parallel; the client's session id is an
//   encrypted SessionState (session.h), so no replica keeps session state;
// - tools/prompts/resources/templates lists are merged with "<backend>__" prefixes in a stable
//   order; calls are routed back by prefix;
// - server-to-client messages (notifications, sampling / elicitation / roots requests) are relayed
//   with request ids rewritten so the client's answers reach the right backend;
// - GET opens the merged server-to-client stream, DELETE ends every backend session.
//
// One instance per worker thread, like pipeline::Gateway; not thread-safe. The SessionCodec and
// ReinitializedSessions are shared by all workers.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "sluice/config/runtime.h"
#include "sluice/http/server.h"
#include "sluice/mcp/backend_client.h"
#include "sluice/mcp/session.h"
#include "sluice/observe/access_log.h"

namespace sluice::mcp {

class JwtValidator;

struct McpOptions {
  size_t max_body_bytes = 4 * 1024 * 1024;  // larger POST bodies get 413
  std::chrono::milliseconds connect_timeout{10'000};
  // initialize, list fan-outs, DELETE: a backend slower than this is skipped.
  std::chrono::milliseconds fanout_timeout{30'000};
  // tools/call and other routed requests (tools may run long).
  std::chrono::milliseconds call_timeout{30 * 60'000};
  std::chrono::milliseconds heartbeat{30'000};  // SSE comment on idle GET streams
  std::string server_version = "0.0.0";
  // Set while the process drains (SIGTERM): open GET streams end so the drain can finish.
  const std::atomic<bool>* draining = nullptr;
  // The live configuration (not the request's snapshot): GET streams watch it for reloads.
  std::function<std::shared_ptr<const config::RuntimeConfig>()> current_config;
};

class McpGateway {
 public:
  McpGateway(http::Executor executor, observe::AccessLogBuffer& log,
             std::shared_ptr<const SessionCodec> codec,
             std::shared_ptr<ReinitializedSessions> reinitialized, McpOptions options = {});
  ~McpGateway();

  // True when the request is for an MCP endpoint (or its OAuth metadata) of `config`.
  bool Accepts(const config::RuntimeConfig& config, const http::Request& request) const;
  http::Task<void> Handle(std::shared_ptr<const config::RuntimeConfig> config,
                          http::Request& request, http::ResponseWriter& writer);

  struct Call;

 private:
  http::Task<void> HandlePost(Call& call);
  http::Task<void> HandleGet(Call& call);
  http::Task<void> HandleDelete(Call& call);
  http::Task<void> HandleInitialize(Call& call);
  http::Task<void> HandleList(Call& call, std::string_view method);
  http::Task<void> HandleRouted(Call& call, std::string_view method);
  http::Task<void> HandleBroadcastNotification(Call& call);
  http::Task<void> HandleClientResponse(Call& call);
  http::Task<void> HandleSetLevel(Call& call);
  http::Task<void> HandleProtectedResourceMetadata(Call& call);

  friend struct GatewayInternals;

  http::Executor executor_;
  observe::AccessLogBuffer& log_;
  std::shared_ptr<const SessionCodec> codec_;
  std::shared_ptr<ReinitializedSessions> reinitialized_;
  McpOptions options_;
  BackendClient client_;
  std::unique_ptr<JwtValidator> jwt_;
};

}  // namespace sluice::mcp
