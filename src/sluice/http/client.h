#pragma once

// Upstream HTTP/1.1 client: per-worker connection pools with keep-alive reuse, async DNS, TLS with
// SNI and certificate verification, and incremental response parsing with llhttp so response bytes
// can be relayed as they arrive. No provider knowledge here.

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sluice/core/result.h"
#include "sluice/http/io.h"
#include "sluice/http/message.h"

namespace sluice::http {

// Where to connect. `key` identifies the pool: equal keys may share connections.
struct UpstreamTarget {
  std::string host;  // DNS name or IP literal
  uint16_t port = 0;
  bool tls = false;
  std::string sni;                               // server name for SNI and verification
  std::shared_ptr<asio::ssl::context> ssl_ctx;  // set when tls
  std::string key;
  std::string address;  // host:port, as logged
};

// Builds a TLS client context: system CAs and/or the given PEM bundle, peer verification on,
// ALPN http/1.1. Errors name what failed (e.g. an unparsable CA).
Result<std::shared_ptr<asio::ssl::context>> MakeClientTlsContext(bool use_system_cas,
                                                                 std::string_view ca_pem);

struct ResponseHead {
  int status = 0;
  Headers headers;
};

class UpstreamConnection;

// One pool per worker thread: not thread-safe, no locks.
class UpstreamPool {
 public:
  explicit UpstreamPool(Executor executor) : executor_(executor) {}
  ~UpstreamPool();

  // Returns an idle keep-alive connection to `target` or a new one (resolve, connect, TLS handshake).
  Task<Result<std::unique_ptr<UpstreamConnection>>> Acquire(const UpstreamTarget& target,
                                                            std::chrono::milliseconds connect_timeout);
  // Acquire's first step alone: an idle connection to `target` that still looks usable, or null.
  // Callers on the hot path try this first and need no coroutine when it succeeds.
  std::unique_ptr<UpstreamConnection> TakeIdle(const UpstreamTarget& target);
  // Returns a connection whose response was fully read and that may be reused.
  void Release(std::unique_ptr<UpstreamConnection> conn);

  size_t idle_count() const;

 private:
  Executor executor_;
  std::map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
  static constexpr size_t kMaxIdlePerTarget = 64;
};

// One upstream connection carrying one request at a time.
class UpstreamConnection {
 public:
  virtual ~UpstreamConnection() = default;
  // Starts a request: sends what the socket takes at once of the head and body (one gathered
  // write, no coroutine). True when everything went; otherwise Send must follow with the same
  // head and body, which stay alive until it completes.
  virtual bool TrySend(std::string_view head, std::string_view body) = 0;
  // Sends the request head and body (what TrySend left of them) in one gathered write.
  virtual Task<Result<void>> Send(std::string_view head, std::string_view body) = 0;
  // Reads until the response head is complete. The head stays the connection's (its storage is
  // reused by the next response): valid until the next TrySend or Send, or the connection's end.
  virtual Task<Result<ResponseHead*>> ReadHead() = 0;
  // Reads the next piece of the body. An empty optional means the body is complete. The view is
  // valid until the next call.
  virtual Task<Result<std::optional<std::string_view>>> ReadBody() = 0;
  // The whole body, gathered in the connection's buffer (no copy; the storage serves the next
  // response too): valid until the next TrySend or Send, or the connection's end. Without waiting
  // when the bytes already read hold all of it (`need_read` false); otherwise `need_read` is set
  // and ReadWholeBody must be awaited to go on. A body past `max_bytes` is a kTooLarge error.
  virtual Result<std::string*> BufferedWholeBody(size_t max_bytes, bool& need_read) = 0;
  virtual Task<Result<std::string*>> ReadWholeBody(size_t max_bytes) = 0;
  // True when the response was fully read and the connection may carry another request.
  virtual bool reusable() const = 0;
  // True when this connection came from the idle pool (it may have been closed by the peer).
  virtual bool reused() const = 0;
  virtual const std::string& pool_key() const = 0;
  virtual void Close() = 0;
};

}  // namespace sluice::http
