#include "sluice/http/server.h"

#include <llhttp.h>
#include <sys/socket.h>

#include <cerrno>

#include <array>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <span>

#include "sluice/core/bounded_writer.h"
#include "sluice/core/clock.h"
#include "sluice/core/strings.h"

namespace sluice::http {

namespace {

using namespace boost::asio::experimental::awaitable_operators;

constexpr std::string_view kCrlf = "\r\n";
// Spare capacity after a request body: simdjson reads up to 64 bytes past the end of a document.
constexpr size_t kBodySlackBytes = 64;

void AppendDecimal(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

constexpr size_t kTypicalHeaderCount = 16;

// The state of one request being parsed. llhttp calls back into it with slices of the input.
struct RequestParser {
  llhttp_t parser;
  Request* request = nullptr;
  const ServerLimits* limits = nullptr;
  HeaderCollector collector;
  size_t header_bytes = 0;
  bool headers_complete = false;
  bool message_complete = false;
  bool expect_continue = false;
  // The rest of the body is being read straight into request->body (whose final size is
  // body_size): llhttp's body callbacks then point into it, and there is nothing to copy.
  bool body_in_place = false;
  size_t body_size = 0;
  int reject_status = 0;  // set by a callback that refuses the request (400/413/431)
  const char* reject_reason = nullptr;

  static RequestParser& From(llhttp_t* p) { return *static_cast<RequestParser*>(p->data); }

  int CountHeaderBytes(size_t n) {
    header_bytes += n;
    if (header_bytes > limits->max_header_bytes) {
      reject_status = 431;
      return -1;
    }
    return 0;
  }

  static int OnUrl(llhttp_t* p, const char* at, size_t len) {
    auto& self = From(p);
    self.request->target.append(at, len);
    return self.CountHeaderBytes(len);
  }
  static int OnHeaderField(llhttp_t* p, const char* at, size_t len) {
    auto& self = From(p);
    self.collector.OnNamePiece(std::string_view(at, len));
    return self.CountHeaderBytes(len);
  }
  static int OnHeaderFieldComplete(llhttp_t* p) {
    From(p).collector.OnNameComplete();
    return 0;
  }
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t len) {
    auto& self = From(p);
    self.collector.OnValuePiece(std::string_view(at, len));
    return self.CountHeaderBytes(len + 4);
  }
  static int OnHeadersComplete(llhttp_t* p) {
    auto& self = From(p);
    Request& r = *self.request;
    r.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
    r.version_minor = p->http_major == 1 ? p->http_minor : 1;
    r.keep_alive = llhttp_should_keep_alive(p) != 0;
    self.headers_complete = true;
    // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host.
    if (p->http_major == 1 && p->http_minor == 1 && !r.headers.Has("host")) {
      self.reject_status = 400;
      self.reject_reason = "missing Host header";
      return -1;
    }
    if ((p->flags & F_CONTENT_LENGTH) && p->content_length > self.limits->max_body_bytes) {
      self.reject_status = 413;
      return -1;
    }
    if (p->flags & F_CONTENT_LENGTH) {
      // One allocation for the whole body, with room for the JSON parser's padding after it, so
      // neither the body nor the parser needs to copy.
      r.body.reserve(p->content_length + kBodySlackBytes);
    }
    if (auto expect = r.headers.Get("expect"); expect && EqualsIgnoreCase(*expect, "100-continue")) {
      self.expect_continue = r.version_minor >= 1;
    }
    if (self.expect_continue) return HPE_PAUSED;  // let the connection answer 100 Continue
    return 0;
  }
  static int OnBody(llhttp_t* p, const char* at, size_t len) {
    auto& self = From(p);
    if (self.body_in_place) return 0;  // the bytes are where they belong already
    if (self.request->body.size() + len > self.limits->max_body_bytes) {
      self.reject_status = 413;
      return -1;
    }
    self.request->body.append(at, len);
    return 0;
  }
  static int OnMessageComplete(llhttp_t* p) {
    From(p).message_complete = true;
    return HPE_PAUSED;  // stop here: what follows belongs to the next (pipelined) request
  }

  static const llhttp_settings_t& Settings() {
    static const llhttp_settings_t settings = [] {
      llhttp_settings_t s;
      llhttp_settings_init(&s);
      s.on_url = OnUrl;
      s.on_header_field = OnHeaderField;
      s.on_header_field_complete = OnHeaderFieldComplete;
      s.on_header_value = OnHeaderValue;
      s.on_headers_complete = OnHeadersComplete;
      s.on_body = OnBody;
      s.on_message_complete = OnMessageComplete;
      return s;
    }();
    return settings;
  }

  // Bytes of a body with a Content-Length still to come; 0 when the body is chunked, complete or
  // not yet reached.
  uint64_t BodyBytesToCome() const {
    if (!headers_complete || message_complete) return 0;
    if ((parser.flags & F_CONTENT_LENGTH) == 0 || (parser.flags & F_CHUNKED) != 0) return 0;
    return parser.content_length;  // llhttp counts it down as the body goes by
  }

  void Reset(Request* r) {
    request = r;
    // Room for a typical client's headers (SDKs send a dozen or more) in one allocation.
    request->headers.Reserve(kTypicalHeaderCount);
    collector.Reset(&request->headers);
    header_bytes = 0;
    headers_complete = message_complete = expect_continue = body_in_place = false;
    body_size = 0;
    reject_status = 0;
    reject_reason = nullptr;
  }
};

constexpr size_t kInitialInputBytes = 4 * 1024;  // idle connections stay small
constexpr size_t kMaxReadChunkBytes = 64 * 1024;  // larger bodies are read in chunks this big
// From this many body bytes still to come (with nothing else buffered), they are read straight
// into the request's body: no copy out of the input buffer, and reads as large as the socket has.
constexpr size_t kInPlaceBodyBytes = 16 * 1024;
// The body grows (zero-filled, as std::string must) this far ahead of the bytes read into it, so
// that filling a large body does not come all at once before its first read.
constexpr size_t kInPlaceStepBytes = 1024 * 1024;
// The client watch (a read on the client socket while the handler runs) starts only after this:
// most requests are answered sooner and never pay for it (a system call each), and a client that
// leaves is still noticed within this delay of a long upstream wait.
constexpr std::chrono::milliseconds kClientWatchDelay{20};
constexpr std::chrono::steady_clock::time_point kNoDeadline =
    std::chrono::steady_clock::time_point::max();

// One client connection. Owns its socket and input buffer; runs as a single coroutine, spawned
// with this connection's cancellation slot so that the client going away or the request deadline
// can abort whatever the handler is waiting for. Timers and the client watch use plain completion
// callbacks holding a shared_ptr, not parallel coroutines: no allocation or exception per request.
class Connection final : public RequestControl, public std::enable_shared_from_this<Connection> {
 public:
  Connection(Socket socket, std::shared_ptr<const Handler> handler,
             std::shared_ptr<const BodyObserverFactory> observe_bodies, const ServerLimits& limits,
             ServerState& state)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        handler_(std::move(handler)),
        observe_bodies_(std::move(observe_bodies)),
        limits_(limits),
        state_(state) {
    llhttp_init(&parser_.parser, HTTP_REQUEST, &RequestParser::Settings());
    parser_.parser.data = &parser_;
    parser_.limits = &limits_;
    input_.resize(kInitialInputBytes);
  }

  asio::cancellation_slot cancellation_slot() { return cancel_.slot(); }

  // RequestControl.
  void ArmDeadline(std::chrono::milliseconds timeout) override {
    if (timeout.count() <= 0) return;
    deadline_ = CoarseSteadyNow() + timeout;
    ScheduleTimer();
  }
  bool deadline_expired() const override { return deadline_expired_; }
  bool client_gone() const override { return client_gone_; }

  Task<void> Run() {
    // Cancellation is reported as operation_aborted error codes, never as exceptions.
    co_await asio::this_coro::throw_if_cancelled(false);
    state_.open_connections.fetch_add(1, std::memory_order_relaxed);
    boost::system::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    while (co_await ServeOne()) {
    }
    timer_.cancel();  // its pending wait holds this connection alive
    socket_.shutdown(asio::socket_base::shutdown_send, ignored);
    socket_.close(ignored);
    state_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  // Reads, parses and answers one request. Returns whether the connection stays open.
  Task<bool> ServeOne() {
    Request& request = request_;
    request.Recycle();
    parser_.Reset(&request);
    bool got_bytes = begin_ != end_;
    bool continue_sent = false;
    while (!parser_.message_complete) {
      if (begin_ != end_) {
        got_bytes = true;
        const char* data = input_.data() + begin_;
        const size_t len = end_ - begin_;
        llhttp_errno_t err = llhttp_execute(&parser_.parser, data, len);
        if (err == HPE_OK) {
          begin_ = end_;
        } else if (err == HPE_PAUSED) {
          begin_ = llhttp_get_error_pos(&parser_.parser) - input_.data();
          llhttp_resume(&parser_.parser);
        } else {
          co_await RejectRequest(parser_.reject_status ? parser_.reject_status : 400,
                                 parser_.reject_reason ? parser_.reject_reason
                                                       : llhttp_get_error_reason(&parser_.parser));
          co_return false;
        }
        continue;
      }
      if (parser_.headers_complete && parser_.expect_continue && !continue_sent) {
        continue_sent = true;
        auto [ec, n] = co_await asio::async_write(
            socket_, asio::buffer(std::string_view("HTTP/1.1 100 Continue\r\n\r\n")), kNoThrow);
        if (ec) co_return false;
      }
      // Need more bytes.
      if (begin_ == end_) begin_ = end_ = 0;
      if (end_ == input_.size()) {
        if (begin_ > 0) {
          std::copy(input_.begin() + begin_, input_.begin() + end_, input_.begin());
          end_ -= begin_;
          begin_ = 0;
        } else {
          input_.resize(input_.size() * 2);
        }
      }
      // Where the next bytes go: the input buffer, or the rest of a large body straight into
      // request.body (its capacity was reserved for the whole body at the headers).
      asio::mutable_buffer target(input_.data() + end_, input_.size() - end_);
      const uint64_t body_to_come = parser_.BodyBytesToCome();
      if (begin_ == end_ && (parser_.body_in_place || body_to_come >= kInPlaceBodyBytes)) {
        std::string& body = request.body;
        if (!parser_.body_in_place) {
          parser_.body_in_place = true;
          parser_.body_size = body.size() + body_to_come;
          if (observe_bodies_ && *observe_bodies_) {
            request.body_observer = (*observe_bodies_)(request);
          }
        }
        const size_t next = parser_.body_size - body_to_come;
        if (next == body.size()) {
          body.resize(std::min(parser_.body_size, body.size() + kInPlaceStepBytes));
        }
        target = asio::buffer(body.data() + next, body.size() - next);
      }
      const auto timeout = got_bytes ? limits_.request_read_timeout : limits_.idle_timeout;
      if (!got_bytes && state_.draining.load(std::memory_order_relaxed)) co_return false;
      // The timer closes a read that outlives its deadline by cancelling the socket.
      read_timed_out_ = false;
      read_deadline_ = CoarseSteadyNow() + timeout;
      ScheduleTimer();
      auto [ec, n] = co_await socket_.async_read_some(DrainingBuffer(target), kNoThrow);
      read_deadline_ = kNoDeadline;
      if (read_timed_out_) {
        if (got_bytes) co_await RejectRequest(408, "request not received in time");
        co_return false;
      }
      if (ec) {
        if (got_bytes && ec == asio::error::eof) {
          // A body delimited by the connection's end (only valid for responses) or a truncated
          // request: llhttp_finish tells which.
          if (llhttp_finish(&parser_.parser) == HPE_OK && parser_.message_complete) break;
        }
        co_return false;
      }
      if (parser_.body_in_place) {
        // llhttp still follows the body (to count it down and end the message); its callbacks
        // see the bytes where they were read. Reads never go past the body, so it consumes all.
        const char* at = static_cast<const char*>(target.data());
        const llhttp_errno_t err = llhttp_execute(&parser_.parser, at, n);
        if (err == HPE_PAUSED) {
          llhttp_resume(&parser_.parser);  // the message is complete
        } else if (err != HPE_OK) {
          co_await RejectRequest(400, llhttp_get_error_reason(&parser_.parser));
          co_return false;
        }
        if (request.body_observer) {
          request.body_observer->OnBodyBytes(request.body,
                                             parser_.body_size - parser_.BodyBytesToCome());
        }
        continue;
      }
      end_ += n;
      // A read that filled the buffer suggests a large body: read bigger chunks.
      if (end_ == input_.size() && input_.size() < kMaxReadChunkBytes) {
        input_.resize(input_.size() * 2);
      }
    }

    state_.active_requests.fetch_add(1, std::memory_order_relaxed);
    const bool draining = state_.draining.load(std::memory_order_relaxed);
    ResponseWriter writer(socket_, request.method == "HEAD", request.version_minor == 0,
                          request.keep_alive && !draining, this, &response_head_);
    co_await asio::this_coro::reset_cancellation_state();
    co_await asio::this_coro::throw_if_cancelled(false);
    ++generation_;
    in_handler_ = true;
    deadline_expired_ = false;
    deadline_ = kNoDeadline;
    watch_at_ = CoarseSteadyNow() + kClientWatchDelay;
    ScheduleTimer();
    try {
      co_await (*handler_)(request, writer);
    } catch (const std::exception&) {
      // Handlers report failures as values; an exception here is a bug. The connection cannot be
      // trusted to carry on.
      writer.set_close();
      client_gone_ = true;
    }
    in_handler_ = false;
    ++generation_;
    if (watching_) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);  // ends the client watch; nothing else is pending now
    }
    if (!writer.finished() && !writer.failed()) {
      if (!writer.started()) {
        // The handler stopped early (client gone or a bug): nothing sensible to send.
        writer.set_close();
      } else {
        co_await writer.Finish();
      }
    }
    state_.active_requests.fetch_sub(1, std::memory_order_relaxed);
    if (!writer.finished()) co_return false;
    co_return writer.keep_alive() && !client_gone_;
  }

  // One timer serves the read deadline between requests and, while the handler runs, the start of
  // the client watch and the request deadline. It is armed lazily: a pending wait that fires no
  // later than what is due is left alone, and when it fires it acts on what is due by then and
  // re-arms for the rest. Under steady traffic it fires about once per kClientWatchDelay instead
  // of being set and cancelled twice per request (each a timer-queue update and a completion).
  std::chrono::steady_clock::time_point NextDue() const {
    auto due = read_deadline_;
    if (in_handler_) {
      if (!watching_ && !client_gone_) due = std::min(due, watch_at_);
      due = std::min(due, deadline_);
    }
    return due;
  }

  void ScheduleTimer() {
    const auto due = NextDue();
    if (due >= timer_at_) return;  // also when nothing is due: timer_at_ is then kNoDeadline too
    timer_at_ = due;
    timer_.expires_at(due);  // a pending wait ends with operation_aborted
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->OnTimer();
    });
  }

  void OnTimer() {
    timer_at_ = kNoDeadline;
    const auto now = std::chrono::steady_clock::now();
    if (now >= read_deadline_) {
      read_deadline_ = kNoDeadline;
      read_timed_out_ = true;
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    }
    if (in_handler_) {
      if (!watching_ && !client_gone_ && now >= watch_at_) WatchClient();
      if (now >= deadline_) {
        deadline_ = kNoDeadline;
        deadline_expired_ = true;
        cancel_.emit(asio::cancellation_type::terminal);
      }
    }
    ScheduleTimer();
  }

  // One peek of a byte on the client socket. If the client closed (or reset) the connection, the
  // handler is cancelled. If it sent bytes, they are a pipelined request: they stay in the socket
  // until the handler is done, and watching stops.
  void WatchClient() {
    watching_ = true;
    socket_.async_receive(
        asio::buffer(&peeked_byte_, 1), Socket::message_peek,
        [self = shared_from_this(), gen = generation_](boost::system::error_code ec, size_t n) {
          self->watching_ = false;
          if (gen != self->generation_ || !self->in_handler_) return;
          if (ec == asio::error::operation_aborted || ec == asio::error::interrupted) return;
          if (!ec && n > 0) return;
          self->client_gone_ = true;
          self->cancel_.emit(asio::cancellation_type::terminal);
        });
  }

  Task<void> RejectRequest(int status, std::string_view reason) {
    std::string body = R"({"type":"error","error":{"type":")";
    body += status == 413   ? "RequestTooLarge"
            : status == 431 ? "RequestHeaderFieldsTooLarge"
            : status == 408 ? "RequestTimeout"
                            : "BadRequest";
    body += R"(","code":")";
    AppendDecimal(body, status);
    body += R"(","message":)";
    std::string message = status == 413   ? "request body too large"
                          : status == 431 ? "request headers too large"
                                          : "malformed HTTP request: " + std::string(reason);
    body += JsonQuote(message);
    body += "}}";
    ResponseWriter writer(socket_, false, false, false);
    co_await writer.Respond(status, "application/json", body);
    co_await LingeringClose();
  }

  // Closing a socket with unread input makes the kernel send RST, which can destroy the error
  // response before the client reads it. So, like nginx's lingering close, stop sending and
  // discard what the client still sends, for a bounded time.
  Task<void> LingeringClose() {
    boost::system::error_code ignored;
    socket_.shutdown(asio::socket_base::shutdown_send, ignored);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    Timer timer(socket_.get_executor(), deadline);
    while (std::chrono::steady_clock::now() < deadline) {
      auto result = co_await (socket_.async_read_some(asio::buffer(input_), kNoThrow) ||
                              timer.async_wait(kNoThrow));
      if (result.index() == 1 || std::get<0>(std::get<0>(result))) break;
    }
  }

  Socket socket_;
  Timer timer_;  // see ScheduleTimer
  asio::cancellation_signal cancel_;
  std::shared_ptr<const Handler> handler_;
  std::shared_ptr<const BodyObserverFactory> observe_bodies_;
  const ServerLimits limits_;
  ServerState& state_;
  RequestParser parser_;
  // One request at a time: its object and the response head's buffer are reused, so that a
  // keep-alive connection's requests do not allocate them afresh.
  Request request_;
  std::string response_head_;
  std::string input_;
  size_t begin_ = 0;  // unparsed bytes are input_[begin_, end_)
  size_t end_ = 0;
  // Bumped when a request's handler starts and ends: a client watch armed for an earlier request
  // must no longer act.
  uint64_t generation_ = 0;
  bool in_handler_ = false;
  bool watching_ = false;
  char peeked_byte_ = 0;  // WatchClient's peek lands here; never read
  bool read_timed_out_ = false;
  bool deadline_expired_ = false;
  bool client_gone_ = false;
  std::chrono::steady_clock::time_point deadline_ = kNoDeadline;  // the handler's, if it set one
  std::chrono::steady_clock::time_point read_deadline_ = kNoDeadline;  // while a read is pending
  std::chrono::steady_clock::time_point watch_at_ = kNoDeadline;  // when the client watch starts
  std::chrono::steady_clock::time_point timer_at_ = kNoDeadline;  // the pending wait's expiry
};

}  // namespace

void ResponseWriter::StartResponse(int status, const Headers& headers,
                                   std::optional<size_t> content_length,
                                   std::string_view content_type) {
  started_ = true;
  status_ = status;
  // Bounded first, then written with plain copies: the status line, content-type, framing and
  // connection fields take at most kHeadOverheadBytes besides the fields themselves.
  constexpr size_t kHeadOverheadBytes = 192;
  size_t bound = kHeadOverheadBytes + content_type.size();
  for (const auto& f : headers.fields()) {
    bound += f.name.size() + f.value.size() + BoundedWriter::kFieldSeparatorBytes;
  }
  head_.clear();
  BoundedWriter w(head_, bound);
  w.Literal(http10_ ? "HTTP/1.0 " : "HTTP/1.1 ");
  w.Number(uint64_t(status));
  w.Char(' ');
  w.Literal(StatusReason(status));
  w.Literal(kCrlf);
  for (const auto& f : headers.fields()) {
    if (IsHopByHopOrFraming(f.name)) continue;
    if (!content_type.empty() && EqualsIgnoreCase(f.name, "content-type")) continue;
    w.Field(f.name, f.value);
  }
  if (!content_type.empty()) w.Field("content-type", content_type);
  const bool no_body = status == 204 || status == 304 || status < 200;
  if (content_length) {
    if (!no_body) {
      w.Literal("content-length: ");
      w.Number(*content_length);
      w.Literal(kCrlf);
    }
  } else if (!no_body) {
    if (http10_) {
      keep_alive_ = false;  // the end of the body is the end of the connection
    } else {
      chunked_ = true;
      w.Literal("transfer-encoding: chunked\r\n");
    }
  }
  if (!keep_alive_) {
    w.Literal("connection: close\r\n");
  } else if (http10_) {
    w.Literal("connection: keep-alive\r\n");
  }
  w.Literal(kCrlf);
  if (head_request_) chunked_ = false;
}

std::span<asio::const_buffer> ResponseWriter::SendAtOnce(std::array<asio::const_buffer, 4>& bufs,
                                                         std::string_view a, std::string_view b,
                                                         std::string_view c) {
  if (failed_) return {};
  size_t n = 0;
  if (!head_sent_) {
    bufs[n++] = asio::buffer(head_);
    head_sent_ = true;
  }
  for (auto part : {a, b, c}) {
    if (!part.empty()) bufs[n++] = asio::buffer(part);
  }
  std::span<asio::const_buffer> pending(bufs.data(), n);
  SendNow(socket_, pending);
  return pending;
}

Task<bool> ResponseWriter::SendRest(std::span<asio::const_buffer> pending) {
  auto [ec, written] = co_await asio::async_write(socket_, pending, kNoThrow);
  if (ec) failed_ = true;
  co_return !failed_;
}

Task<bool> ResponseWriter::WriteBody(std::string_view data) {
  if (data.empty()) co_return !failed_;
  body_bytes_ += data.size();
  std::array<asio::const_buffer, 4> bufs;
  std::span<asio::const_buffer> pending;
  char size_line[24];
  if (head_request_) {
    pending = SendAtOnce(bufs, {});
  } else if (!chunked_) {
    pending = SendAtOnce(bufs, data);
  } else {
    auto [end, ec] = std::to_chars(size_line, size_line + 20, data.size(), 16);
    *end++ = '\r';
    *end++ = '\n';
    pending = SendAtOnce(bufs, std::string_view(size_line, end - size_line), data, kCrlf);
  }
  if (pending.empty()) co_return !failed_;
  co_return co_await SendRest(pending);
}

Task<bool> ResponseWriter::Finish() {
  if (finished_) co_return !failed_;
  finished_ = true;
  std::array<asio::const_buffer, 4> bufs;
  auto pending = SendAtOnce(bufs, chunked_ ? std::string_view("0\r\n\r\n") : std::string_view());
  if (pending.empty()) co_return !failed_;
  co_return co_await SendRest(pending);
}

Task<bool> ResponseWriter::Respond(int status, std::string_view content_type,
                                   std::string_view body, const Headers* extra_headers) {
  if (RespondAtOnce(status, content_type, body, extra_headers)) co_return !failed_;
  co_return co_await SendPending();
}

bool ResponseWriter::RespondAtOnce(int status, std::string_view content_type,
                                   std::string_view body, const Headers* extra_headers) {
  static const Headers kNoHeaders;
  StartResponse(status, extra_headers ? *extra_headers : kNoHeaders, body.size(), content_type);
  finished_ = true;
  body_bytes_ += body.size();
  pending_ = SendAtOnce(pending_bufs_, head_request_ ? std::string_view() : body);
  return pending_.empty();
}

Task<bool> ResponseWriter::SendPending() {
  if (pending_.empty()) co_return !failed_;
  co_return co_await SendRest(std::exchange(pending_, {}));
}

Task<void> AcceptLoop(Acceptor& acceptor, std::shared_ptr<const Handler> handler,
                      ServerLimits limits, ServerState& state,
                      std::shared_ptr<const BodyObserverFactory> observe_bodies) {
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      // EMFILE and friends: back off briefly instead of spinning.
      Timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(kNoThrow);
      continue;
    }
    auto conn =
        std::make_shared<Connection>(std::move(socket), handler, observe_bodies, limits, state);
    asio::co_spawn(acceptor.get_executor(), [conn]() -> Task<void> { co_await conn->Run(); },
                   asio::bind_cancellation_slot(conn->cancellation_slot(), asio::detached));
  }
}

}  // namespace sluice::http
