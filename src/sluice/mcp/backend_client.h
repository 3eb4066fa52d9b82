#pragma once

// One HTTP exchange with an MCP backend over Streamable HTTP (MCP Transports §Sending Messages to
// the Server, §Listening for Messages from the Server): the request head with the session,
// protocol-version, credential and forwarded headers; the response read whole (JSON) or event by
// event (SSE), gzip-decoded when the backend compressed it. Per worker; not thread-safe.

#include <zlib.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/codec/sse.h"
#include "sluice/config/runtime.h"
#include "sluice/core/result.h"
#include "sluice/http/client.h"
#include "sluice/http/targets.h"

namespace sluice::mcp {

struct BackendRequest {
  const config::McpBackend* backend = nullptr;
  std::string_view method = "POST";
  std::string_view body;
  std::string_view session_id;
  std::string_view protocol_version;
  std::string_view last_event_id;
  std::string_view accept;  // default: "application/json, text/event-stream"
  // Headers from the client (forwardHeaders, after renaming) and from JWT claims.
  const std::vector<std::pair<std::string, std::string>>* extra_headers = nullptr;
};

struct SseMessage {
  std::string event;
  std::string data;
  std::string id;
};

// A streaming gzip decoder (RFC 1952) with an output bound.
class Inflater {
 public:
  Inflater();
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  Result<void> Feed(std::string_view in, std::string& out, size_t max_out);

 private:
  z_stream z_{};
  bool ok_ = false;
};

class BackendResponse {
 public:
  BackendResponse(std::unique_ptr<http::UpstreamConnection> conn, http::ResponseHead head,
                  http::Executor executor, std::chrono::steady_clock::time_point deadline);
  ~BackendResponse();

  int status() const { return head_.status; }
  const http::Headers& headers() const { return head_.headers; }
  bool is_sse() const { return sse_; }
  void set_deadline(std::chrono::steady_clock::time_point d) { deadline_ = d; }
  std::string_view session_id() const;

  // The whole (decoded) body; kTooLarge beyond `limit`.
  http::Task<Result<std::string>> ReadAll(size_t limit);
  // The next SSE event, or nullopt at the end of the stream.
  http::Task<Result<std::optional<SseMessage>>> NextEvent();
  // Hands a fully read connection back to the pool, or closes it.
  void Finish(http::UpstreamPool& pool);
  void Close();
  // Closes the socket but keeps the connection object: a read in progress in another coroutine
  // then fails instead of touching freed memory.
  void Abort() {
    if (conn_) conn_->Close();
  }

 private:
  http::Task<Result<std::optional<std::string_view>>> ReadPiece();

  std::unique_ptr<http::UpstreamConnection> conn_;
  http::ResponseHead head_;
  http::Executor executor_;
  std::chrono::steady_clock::time_point deadline_;
  bool sse_ = false;
  bool done_ = false;
  std::unique_ptr<Inflater> inflater_;
  std::string decoded_;
  codec::SseParser parser_;
  std::deque<SseMessage> events_;
};

// Opens exchanges with backends through the worker's pool, keeping TLS contexts per trust set.
class BackendClient {
 public:
  BackendClient(http::Executor executor, std::chrono::milliseconds connect_timeout)
      : executor_(executor), pool_(executor), connect_timeout_(connect_timeout) {}

  // Sends the request and reads the response head. A pooled connection the backend had closed is
  // retried once on a fresh one.
  http::Task<Result<std::unique_ptr<BackendResponse>>> Open(
      const BackendRequest& request, std::chrono::steady_clock::time_point deadline);

  http::UpstreamPool& pool() { return pool_; }

 private:
  Result<http::UpstreamTarget> TargetFor(const config::McpBackend& backend);

  http::Executor executor_;
  http::UpstreamPool pool_;
  std::chrono::milliseconds connect_timeout_;
  http::UpstreamTargets targets_;
};

// The request head sent to a backend (exposed for tests).
std::string BuildBackendHead(const BackendRequest& request);

}  // namespace sluice::mcp
