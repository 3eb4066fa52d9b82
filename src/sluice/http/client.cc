#include "sluice/http/client.h"

#include <llhttp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <utility>
#include <variant>

#include "sluice/core/clock.h"
#include "sluice/core/strings.h"

namespace sluice::http {

namespace {

using namespace boost::asio::experimental::awaitable_operators;
namespace ssl = asio::ssl;
using TlsStream = ssl::stream<Socket>;

constexpr size_t kInitialInputBytes = 4 * 1024;
constexpr size_t kKeptBodyBytes = 64 * 1024;  // an idle connection's body buffer at most
constexpr size_t kMaxReadChunkBytes = 64 * 1024;
// Idle upstream keep-alive timeouts are seconds (Node 5 s, Go 90 s, nginx 75 s); a connection back
// in the pool for less than this is reused without checking it.
constexpr std::chrono::milliseconds kTrustReleasedFor{100};

Error UpstreamError(ErrorKind kind, std::string message, bool retryable) {
  return Error(kind, std::move(message), ErrorSource::kUpstream, retryable);
}

class ConnectionImpl final : public UpstreamConnection {
 public:
  ConnectionImpl(Socket socket, std::string key) : stream_(std::move(socket)), key_(std::move(key)) {
    Init();
  }
  ConnectionImpl(TlsStream tls, std::string key) : stream_(std::move(tls)), key_(std::move(key)) {
    Init();
  }

  bool TrySend(std::string_view head, std::string_view body) override {
    ResetParser();
    sent_at_once_ = 0;
    tried_ = true;
    auto* plain = std::get_if<Socket>(&stream_);
    if (plain == nullptr) return false;  // TLS writes go through the stream
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(body)};
    std::span<asio::const_buffer> pending(bufs);
    SendNow(*plain, pending);
    if (pending.empty()) {
      tried_ = false;  // nothing for Send to finish: a later Send starts a request of its own
      return true;
    }
    sent_at_once_ = head.size() + body.size() - asio::buffer_size(pending);
    return false;
  }

  Task<Result<void>> Send(std::string_view head, std::string_view body) override {
    if (!std::exchange(tried_, false)) ResetParser();
    std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(body)};
    std::span<asio::const_buffer> pending(bufs);
    // Skip what TrySend already wrote.
    for (size_t skip = std::exchange(sent_at_once_, 0); skip > 0 && !pending.empty();) {
      const size_t n = std::min(skip, pending.front().size());
      pending.front() += n;
      skip -= n;
      if (pending.front().size() == 0) pending = pending.subspan(1);
    }
    if (pending.empty()) co_return Ok();
    auto [ec, n] = co_await std::visit(
        [&](auto& s) { return asio::async_write(s, pending, kNoThrow); }, stream_);
    if (ec) {
      open_ = false;
      co_return UpstreamError(ErrorKind::kUnavailable, "upstream write failed: " + ec.message(),
                              true);
    }
    co_return Ok();
  }

  Task<Result<ResponseHead*>> ReadHead() override {
    while (!headers_done_) {
      auto [ec, n] = co_await ReadSome();
      if (auto r = AfterRead(ec, n); !r.ok()) co_return r.error();
    }
    co_return &head_;
  }

  Task<Result<std::optional<std::string_view>>> ReadBody() override {
    while (true) {
      bool need_read;
      auto piece = ReadBufferedBody(need_read);
      if (!need_read) co_return piece;
      auto [ec, n] = co_await ReadSome();
      if (auto r = AfterRead(ec, n); !r.ok()) co_return r.error();
      if (!body_.empty()) co_return std::optional<std::string_view>(body_);
      if (message_complete_) co_return std::optional<std::string_view>();
    }
  }

  Result<std::string*> BufferedWholeBody(size_t max_bytes, bool& need_read) override {
    body_.clear();
    return GatherBody(max_bytes, need_read);
  }

  Task<Result<std::string*>> ReadWholeBody(size_t max_bytes) override {
    while (true) {
      auto [ec, n] = co_await ReadSome();
      if (auto r = AfterRead(ec, n); !r.ok()) co_return r.error();
      bool need_read;
      auto whole = GatherBody(max_bytes, need_read);
      if (!need_read) co_return whole;
    }
  }

  // Drops a large body buffer when the connection goes idle in the pool.
  void OnIdle(std::chrono::steady_clock::time_point now) {
    released_at_ = now;
    if (body_.capacity() > kKeptBodyBytes) std::string().swap(body_);
  }

  bool reusable() const override {
    return open_ && message_complete_ && keep_alive_ && pos_ == len_;
  }
  bool reused() const override { return reused_; }
  void set_reused() { reused_ = true; }
  const std::string& pool_key() const override { return key_; }

  void Close() override {
    open_ = false;
    boost::system::error_code ignored;
    lowest().close(ignored);
  }

  // A pooled connection the peer closed shows as readable with EOF; peek without blocking.
  // A connection released moments ago is trusted without the peek: under load that saves a system
  // call per request, and the rare peer that closes within that moment costs one failed send,
  // which the caller retries on a fresh connection (a reused connection that fails before any
  // response byte is retryable).
  bool LooksAlive(std::chrono::steady_clock::time_point now) {
    if (open_ && now - released_at_ < kTrustReleasedFor) return true;
    if (!open_ || !lowest().is_open()) return false;
    char c;
    const ssize_t n = ::recv(lowest().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    // Unsolicited bytes on an idle HTTP/1.1 connection: with TLS this can be a session ticket,
    // which is fine; with plain TCP it is garbage.
    return std::holds_alternative<TlsStream>(stream_);
  }

 private:
  // Appends what the bytes already read hold of the body to body_ (see BufferedWholeBody).
  Result<std::string*> GatherBody(size_t max_bytes, bool& need_read) {
    need_read = false;
    if (!message_complete_ && pos_ < len_) {
      if (auto r = Parse(); !r.ok()) return r.error();
    }
    if (body_.size() > max_bytes) {
      open_ = false;  // the rest of the body stays unread
      return UpstreamError(ErrorKind::kTooLarge, "upstream response too large", false);
    }
    if (message_complete_) return &body_;
    need_read = true;
    return nullptr;
  }

  // The next piece of the body from the bytes already read (see ReadBody).
  Result<std::optional<std::string_view>> ReadBufferedBody(bool& need_read) {
    need_read = false;
    body_.clear();
    if (pos_ < len_) {
      auto r = Parse();
      if (!r.ok()) return r.error();
    }
    if (!body_.empty()) return std::optional<std::string_view>(body_);
    if (message_complete_) return std::optional<std::string_view>();
    need_read = true;
    return std::optional<std::string_view>();
  }

  Socket& lowest() {
    if (auto* tls = std::get_if<TlsStream>(&stream_)) return tls->next_layer();
    return std::get<Socket>(stream_);
  }

  void Init() {
    llhttp_settings_init(&settings_);
    settings_.on_header_field = [](llhttp_t* p, const char* at, size_t len) {
      static_cast<ConnectionImpl*>(p->data)->collector_.OnNamePiece(std::string_view(at, len));
      return 0;
    };
    settings_.on_header_field_complete = [](llhttp_t* p) {
      static_cast<ConnectionImpl*>(p->data)->collector_.OnNameComplete();
      return 0;
    };
    settings_.on_header_value = [](llhttp_t* p, const char* at, size_t len) {
      static_cast<ConnectionImpl*>(p->data)->collector_.OnValuePiece(std::string_view(at, len));
      return 0;
    };
    settings_.on_headers_complete = [](llhttp_t* p) {
      auto& self = *static_cast<ConnectionImpl*>(p->data);
      if (p->status_code < 200) {  // interim response: skip it, keep parsing
        self.head_.headers.Clear();
        self.collector_.Reset(&self.head_.headers);
        self.interim_ = true;
        return 0;
      }
      self.head_.status = p->status_code;
      self.keep_alive_ = llhttp_should_keep_alive(p) != 0;
      self.headers_done_ = true;
      return int(HPE_PAUSED);
    };
    settings_.on_body = [](llhttp_t* p, const char* at, size_t len) {
      static_cast<ConnectionImpl*>(p->data)->body_.append(at, len);
      return 0;
    };
    settings_.on_message_complete = [](llhttp_t* p) {
      auto& self = *static_cast<ConnectionImpl*>(p->data);
      if (self.interim_) {
        self.interim_ = false;
        return 0;
      }
      self.message_complete_ = true;
      self.keep_alive_ = self.keep_alive_ && llhttp_should_keep_alive(p) != 0;
      return int(HPE_PAUSED);
    };
    input_.resize(kInitialInputBytes);
  }

  void ResetParser() {
    llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
    parser_.data = this;
    head_.status = 0;
    head_.headers.Clear(kKeptHeaderBytes);  // the fields' storage serves the next response
    collector_.Reset(&head_.headers);
    headers_done_ = message_complete_ = interim_ = got_bytes_ = false;
    keep_alive_ = true;
    pos_ = len_ = 0;
  }

  Result<void> Parse() {
    const char* data = input_.data() + pos_;
    llhttp_errno_t err = llhttp_execute(&parser_, data, len_ - pos_);
    if (err == HPE_OK) {
      pos_ = len_;
    } else if (err == HPE_PAUSED) {
      pos_ = llhttp_get_error_pos(&parser_) - input_.data();
      llhttp_resume(&parser_);
    } else {
      open_ = false;
      return UpstreamError(ErrorKind::kProtocol,
                           std::string("malformed upstream response: ") +
                               llhttp_get_error_reason(&parser_),
                           false);
    }
    return Ok();
  }

  // A read into the free end of the input buffer, to co_await and hand to AfterRead. A plain
  // function rather than a coroutine: the hot path pays for no extra frame.
  Task<std::tuple<boost::system::error_code, size_t>> ReadSome() {
    if (pos_ == len_) pos_ = len_ = 0;
    if (len_ == input_.size()) input_.resize(input_.size() * 2);
    const asio::mutable_buffer free_end(input_.data() + len_, input_.size() - len_);
    if (auto* plain = std::get_if<Socket>(&stream_)) {
      return plain->async_read_some(DrainingBuffer(free_end), kNoThrow);
    }
    return std::get<TlsStream>(stream_).async_read_some(free_end, kNoThrow);
  }

  // Takes in what ReadSome read (or why it failed) and parses it.
  Result<void> AfterRead(const boost::system::error_code& ec, size_t n) {
    if (ec) {
      open_ = false;
      if (ec == asio::error::eof || ec == ssl::error::stream_truncated) {
        // Close-delimited bodies end here (RFC 9112 §6.3).
        if (headers_done_ && llhttp_finish(&parser_) == HPE_OK && message_complete_) {
          keep_alive_ = false;
          return Ok();
        }
        if (headers_done_ && !message_complete_ && llhttp_message_needs_eof(&parser_)) {
          message_complete_ = true;
          keep_alive_ = false;
          return Ok();
        }
      }
      const bool before_response = !headers_done_ && !got_bytes_;
      return UpstreamError(before_response ? ErrorKind::kUnavailable : ErrorKind::kProtocol,
                           before_response
                               ? "upstream connection closed before response: " + ec.message()
                               : "upstream connection lost mid-response: " + ec.message(),
                           before_response);
    }
    got_bytes_ = true;
    len_ += n;
    // A read that filled the buffer means a large or fast body: read bigger chunks next time.
    // Idle streams keep the small buffer.
    const bool filled = len_ == input_.size();
    auto parsed = Parse();
    if (filled && input_.size() < kMaxReadChunkBytes) input_.resize(input_.size() * 2);
    return parsed;
  }

  std::variant<Socket, TlsStream> stream_;
  std::string key_;
  llhttp_t parser_{};
  llhttp_settings_t settings_{};
  ResponseHead head_;
  HeaderCollector collector_;
  std::string body_;
  std::string input_;
  size_t pos_ = 0, len_ = 0;
  bool headers_done_ = false;
  bool message_complete_ = false;
  bool interim_ = false;
  bool keep_alive_ = true;
  bool open_ = true;
  bool reused_ = false;
  std::chrono::steady_clock::time_point released_at_{};
  bool got_bytes_ = false;
  size_t sent_at_once_ = 0;  // bytes of the current request TrySend wrote
  bool tried_ = false;       // TrySend started the current request; Send finishes it
};

}  // namespace

Result<std::shared_ptr<asio::ssl::context>> MakeClientTlsContext(bool use_system_cas,
                                                                 std::string_view ca_pem) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (use_system_cas) {
    ctx->set_default_verify_paths(ec);
    if (ec) return Error(ErrorKind::kInvalidArgument, "cannot load system CAs: " + ec.message());
  }
  if (!ca_pem.empty()) {
    ctx->add_certificate_authority(asio::buffer(ca_pem.data(), ca_pem.size()), ec);
    if (ec) {
      return Error(ErrorKind::kInvalidArgument, "cannot parse CA certificate: " + ec.message());
    }
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  static constexpr unsigned char kAlpn[] = "\x08http/1.1";
  SSL_CTX_set_alpn_protos(ctx->native_handle(), kAlpn, sizeof(kAlpn) - 1);
  // Keep sessions for resumption: each connection offers the last session of its target.
  SSL_CTX_set_session_cache_mode(ctx->native_handle(), SSL_SESS_CACHE_CLIENT);
  return ctx;
}

UpstreamPool::~UpstreamPool() = default;

size_t UpstreamPool::idle_count() const {
  size_t n = 0;
  for (const auto& [k, v] : idle_) n += v.size();
  return n;
}

void UpstreamPool::Release(std::unique_ptr<UpstreamConnection> conn) {
  if (!conn || !conn->reusable()) return;
  auto& idle = idle_[conn->pool_key()];
  if (idle.size() >= kMaxIdlePerTarget) return;
  static_cast<ConnectionImpl*>(conn.get())->OnIdle(CoarseSteadyNow());
  idle.push_back(std::move(conn));
}

std::unique_ptr<UpstreamConnection> UpstreamPool::TakeIdle(const UpstreamTarget& target) {
  auto it = idle_.find(target.key);
  if (it == idle_.end()) return nullptr;
  auto& idle = it->second;
  const auto now = CoarseSteadyNow();
  while (!idle.empty()) {
    std::unique_ptr<UpstreamConnection> conn = std::move(idle.back());
    idle.pop_back();
    auto* impl = static_cast<ConnectionImpl*>(conn.get());
    if (impl->LooksAlive(now)) {
      impl->set_reused();
      return conn;
    }
  }
  return nullptr;
}

Task<Result<std::unique_ptr<UpstreamConnection>>> UpstreamPool::Acquire(
    const UpstreamTarget& target, std::chrono::milliseconds connect_timeout) {
  if (auto conn = TakeIdle(target)) co_return std::move(conn);

  const std::string where = target.host + ":" + std::to_string(target.port);
  Timer timer(executor_, connect_timeout);
  Socket socket(executor_);

  boost::system::error_code addr_ec;
  auto address = asio::ip::make_address(target.host, addr_ec);
  std::vector<asio::ip::tcp::endpoint> endpoints;
  if (!addr_ec) {
    endpoints.emplace_back(address, target.port);
  } else {
    Resolver resolver(executor_);
    auto result = co_await (resolver.async_resolve(target.host, std::to_string(target.port),
                                                   kNoThrow) ||
                            timer.async_wait(kNoThrow));
    if (result.index() == 1) {
      co_return UpstreamError(ErrorKind::kTimeout, "DNS lookup timed out for " + where, true);
    }
    auto [ec, results] = std::get<0>(std::move(result));
    if (ec) {
      co_return UpstreamError(ErrorKind::kUnavailable,
                              "DNS lookup failed for " + where + ": " + ec.message(), true);
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }

  auto connected = co_await (asio::async_connect(socket, endpoints, kNoThrow) ||
                             timer.async_wait(kNoThrow));
  if (connected.index() == 1) {
    co_return UpstreamError(ErrorKind::kUnavailable, "connect to " + where + " timed out", true);
  }
  if (auto [ec, ep] = std::get<0>(connected); ec) {
    co_return UpstreamError(ErrorKind::kUnavailable,
                            "connect to " + where + " failed: " + ec.message(), true);
  }
  boost::system::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);

  if (!target.tls) {
    co_return std::make_unique<ConnectionImpl>(std::move(socket), target.key);
  }

  TlsStream tls(std::move(socket), *target.ssl_ctx);
  const std::string& server_name = target.sni.empty() ? target.host : target.sni;
  asio::ip::make_address(server_name, addr_ec);
  if (addr_ec) {  // SNI carries host names only (RFC 6066 §3)
    SSL_set_tlsext_host_name(tls.native_handle(), server_name.c_str());
  }
  tls.set_verify_callback(ssl::host_name_verification(server_name));
  auto handshake = co_await (tls.async_handshake(ssl::stream_base::client, kNoThrow) ||
                             timer.async_wait(kNoThrow));
  if (handshake.index() == 1) {
    co_return UpstreamError(ErrorKind::kUnavailable, "TLS handshake with " + where + " timed out",
                            true);
  }
  if (auto [ec] = std::get<0>(handshake); ec) {
    std::string detail = ec.message();
    const long verify = SSL_get_verify_result(tls.native_handle());
    if (verify != X509_V_OK) detail += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    co_return UpstreamError(ErrorKind::kUnavailable,
                            "TLS handshake with " + where + " failed: " + detail, true);
  }
  co_return std::make_unique<ConnectionImpl>(std::move(tls), target.key);
}

}  // namespace sluice::http
