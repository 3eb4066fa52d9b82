#pragma once

// HTTP/1.1 server side: a connection loop parsing requests with llhttp (keep-alive, pipelining,
// chunked and Content-Length bodies, Expect: 100-continue, HTTP/1.0, HEAD) and a ResponseWriter
// that frames responses (Content-Length or chunked) and sends head and body in gathered writes.

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sluice/http/io.h"
#include "sluice/http/message.h"

namespace sluice::http {

struct ServerLimits {
  size_t max_body_bytes = 50 * 1024 * 1024;  // larger bodies get 413
  size_t max_header_bytes = 64 * 1024;       // request line + headers; larger get 431
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive wait for the next request
  std::chrono::milliseconds request_read_timeout{30'000};  // slow clients: time to receive a request
};

// Shared by all connections of all workers: counts work in flight for graceful drain.
struct ServerState {
  std::atomic<bool> draining{false};
  std::atomic<int64_t> active_requests{0};
  std::atomic<int64_t> open_connections{0};
};

// What a handler may ask of the connection serving its request. The connection cancels the
// handler's pending operation (terminal cancellation: it completes with operation_aborted) when
// the client goes away or the deadline passes; the handler then finds out which through these.
class RequestControl {
 public:
  virtual ~RequestControl() = default;
  // Cancels the request if it is still running after `timeout`. One deadline per request.
  virtual void ArmDeadline(std::chrono::milliseconds timeout) = 0;
  virtual bool deadline_expired() const = 0;
  virtual bool client_gone() const = 0;
};

// Writes one response. Not thread-safe; lives as long as the request it answers.
class ResponseWriter {
 public:
  // `head_storage`, when given, is where the response head is built (a connection's buffer, kept
  // from one response to the next); it must outlive the writer.
  ResponseWriter(Socket& socket, bool head_request, bool http10, bool keep_alive,
                 RequestControl* control = nullptr, std::string* head_storage = nullptr)
      : socket_(socket),
        control_(control),
        head_request_(head_request),
        http10_(http10),
        keep_alive_(keep_alive),
        head_(head_storage ? *head_storage : own_head_) {}
  ResponseWriter(const ResponseWriter&) = delete;
  ResponseWriter& operator=(const ResponseWriter&) = delete;

  // The connection's controls for this request (deadline, client gone); null outside a server
  // connection (e.g. error responses written by the connection itself).
  RequestControl* control() const { return control_; }

  // Queues the status line and headers. `content_length` unset → chunked (HTTP/1.0: close-delimited).
  // Framing and connection headers in `headers` are ignored: the writer owns framing. A non-empty
  // `content_type` replaces any content-type in `headers`. The head is sent together with the first
  // body bytes (one gathered write).
  void StartResponse(int status, const Headers& headers, std::optional<size_t> content_length,
                     std::string_view content_type = {});
  Task<bool> WriteBody(std::string_view data);  // false when the client is gone
  Task<bool> Finish();
  // A complete response in one write.
  Task<bool> Respond(int status, std::string_view content_type, std::string_view body,
                     const Headers* extra_headers = nullptr);
  // Respond without a coroutine: sends what the socket takes at once and returns true when that
  // was everything (or the client is gone: see failed()); otherwise SendPending must be awaited,
  // with `body` and `extra_headers` kept alive until it completes.
  bool RespondAtOnce(int status, std::string_view content_type, std::string_view body,
                     const Headers* extra_headers = nullptr);
  Task<bool> SendPending();

  bool started() const { return started_; }
  bool finished() const { return finished_; }
  bool failed() const { return failed_; }
  int status() const { return status_; }
  uint64_t body_bytes_sent() const { return body_bytes_; }
  bool keep_alive() const { return keep_alive_ && !failed_; }
  void set_close() { keep_alive_ = false; }

 private:
  // Gathers the head (if not sent yet) and the non-empty parts into `bufs` and sends what the
  // socket takes at once; returns what is left for SendRest (usually nothing: then no coroutine
  // is needed at all). Empty when the writer already failed.
  std::span<asio::const_buffer> SendAtOnce(std::array<asio::const_buffer, 4>& bufs,
                                           std::string_view a, std::string_view b = {},
                                           std::string_view c = {});
  Task<bool> SendRest(std::span<asio::const_buffer> pending);

  Socket& socket_;
  RequestControl* control_;
  bool head_request_;
  bool http10_;
  bool keep_alive_;
  bool started_ = false;
  bool chunked_ = false;
  bool finished_ = false;
  bool failed_ = false;
  bool head_sent_ = false;
  int status_ = 0;
  uint64_t body_bytes_ = 0;
  std::string own_head_;
  std::string& head_;
  std::array<asio::const_buffer, 4> pending_bufs_;  // what RespondAtOnce left for SendPending
  std::span<asio::const_buffer> pending_;
};

using Handler = std::function<Task<void>(Request&, ResponseWriter&)>;

// Asked, once a request's head is in, whether to observe its body as it arrives; only bodies large
// enough to be read straight into Request::body are offered. May return null.
using BodyObserverFactory = std::function<std::unique_ptr<BodyObserver>(const Request&)>;

// Accepts connections until the acceptor is closed; each connection runs in its own coroutine on the
// acceptor's io_context.
Task<void> AcceptLoop(Acceptor& acceptor, std::shared_ptr<const Handler> handler,
                      ServerLimits limits, ServerState& state,
                      std::shared_ptr<const BodyObserverFactory> observe_bodies = nullptr);

}  // namespace sluice::http
