#include "sluice/mcp/backend_client.h"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "sluice/core/strings.h"
#include "sluice/mcp/wire.h"

namespace sluice::mcp {

namespace {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using http::kNoThrow;

Error Upstream(ErrorKind kind, std::string message, bool retryable = false) {
  return Error(kind, std::move(message), ErrorSource::kUpstream, retryable);
}

// Percent-encodes a query component (RFC 3986 §3.4, unreserved characters kept).
std::string QueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void AddHeader(std::string& head, std::string_view name, std::string_view value) {
  head.append(name);
  head += ": ";
  head.append(value);
  head += "\r\n";
}

}  // namespace

std::string BuildBackendHead(const BackendRequest& r) {
  const config::McpBackend& b = *r.backend;
  std::string head;
  head.reserve(512);
  head.append(r.method);
  head += ' ';
  head += b.path;
  if (!b.api_key_query_param.empty()) {
    head += b.path.find('?') == std::string::npos ? '?' : '&';
    head += QueryEscape(b.api_key_query_param);
    head += '=';
    head += QueryEscape(b.api_key_query_value);
  }
  head += " HTTP/1.1\r\n";
  AddHeader(head, "host", b.host_header);
  AddHeader(head, "accept", r.accept.empty() ? wire::kAcceptBoth : r.accept);
  if (!r.body.empty() || r.method == "POST") AddHeader(head, "content-type", wire::kJson);
  if (!r.session_id.empty()) AddHeader(head, wire::kSessionIdHeader, r.session_id);
  if (!r.protocol_version.empty())
    AddHeader(head, wire::kProtocolVersionHeader, r.protocol_version);
  if (!r.last_event_id.empty()) AddHeader(head, wire::kLastEventIdHeader, r.last_event_id);
  for (const auto& [name, value] : b.static_headers) AddHeader(head, name, value);
  if (r.extra_headers != nullptr) {
    for (const auto& [name, value] : *r.extra_headers) {
      if (!b.api_key_header.empty() && EqualsIgnoreCase(name, b.api_key_header)) continue;
      AddHeader(head, name, value);
    }
  }
  if (!b.api_key_header.empty()) AddHeader(head, b.api_key_header, b.api_key_header_value);
  head += "content-length: ";
  head += std::to_string(r.body.size());
  head += "\r\n\r\n";
  return head;
}

Inflater::Inflater() { ok_ = inflateInit2(&z_, 16 + MAX_WBITS) == Z_OK; }
Inflater::~Inflater() {
  if (ok_) inflateEnd(&z_);
}

Result<void> Inflater::Feed(std::string_view in, std::string& out, size_t max_out) {
  if (!ok_) return Upstream(ErrorKind::kInternal, "gzip decoder unavailable");
  z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z_.avail_in = static_cast<uInt>(in.size());
  char buf[16384];
  while (z_.avail_in > 0) {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = sizeof buf;
    const int rc = inflate(&z_, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return Upstream(ErrorKind::kProtocol, "invalid gzip body from backend");
    }
    out.append(buf, sizeof buf - z_.avail_out);
    if (out.size() > max_out) return Upstream(ErrorKind::kTooLarge, "backend body too large");
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (RFC 1952 §2.2) continue with a fresh stream.
      if (inflateReset(&z_) != Z_OK) break;
    } else if (rc == Z_BUF_ERROR && z_.avail_out != 0) {
      break;
    }
  }
  return Ok();
}

BackendResponse::BackendResponse(std::unique_ptr<http::UpstreamConnection> conn,
                                 http::ResponseHead head, http::Executor executor,
                                 std::chrono::steady_clock::time_point deadline)
    : conn_(std::move(conn)), head_(std::move(head)), executor_(executor), deadline_(deadline) {
  const auto ct = head_.headers.Get("content-type").value_or("");
  sse_ = StartsWithIgnoreCase(TrimWhitespace(ct), wire::kEventStream);
  const auto ce = head_.headers.Get("content-encoding").value_or("");
  if (EqualsIgnoreCase(TrimWhitespace(ce), "gzip") ||
      EqualsIgnoreCase(TrimWhitespace(ce), "x-gzip")) {
    inflater_ = std::make_unique<Inflater>();
  }
}

BackendResponse::~BackendResponse() {
  if (conn_) conn_->Close();
}

std::string_view BackendResponse::session_id() const {
  return head_.headers.Get(wire::kSessionIdHeader).value_or("");
}

http::Task<Result<std::optional<std::string_view>>> BackendResponse::ReadPiece() {
  if (done_ || !conn_) co_return std::optional<std::string_view>();
  http::Timer timer(executor_, deadline_);
  auto raced = co_await (conn_->ReadBody() || timer.async_wait(kNoThrow));
  if (raced.index() == 1) {
    conn_->Close();
    co_return Upstream(ErrorKind::kTimeout, "backend response timed out");
  }
  auto piece = std::get<0>(std::move(raced));
  if (!piece.ok()) co_return piece.error();
  if (!piece->has_value()) {
    done_ = true;
    co_return std::optional<std::string_view>();
  }
  if (!inflater_) co_return piece;
  decoded_.clear();
  if (auto r = inflater_->Feed(**piece, decoded_, size_t{64} << 20); !r.ok()) co_return r.error();
  co_return std::optional<std::string_view>(decoded_);
}

http::Task<Result<std::string>> BackendResponse::ReadAll(size_t limit) {
  std::string body;
  while (true) {
    auto piece = co_await ReadPiece();
    if (!piece.ok()) co_return piece.error();
    if (!piece->has_value()) break;
    if (body.size() + (*piece)->size() > limit) {
      co_return Upstream(ErrorKind::kTooLarge, "backend response too large");
    }
    body.append(**piece);
  }
  co_return body;
}

http::Task<Result<std::optional<SseMessage>>> BackendResponse::NextEvent() {
  while (events_.empty()) {
    auto piece = co_await ReadPiece();
    if (!piece.ok()) co_return piece.error();
    if (!piece->has_value()) co_return std::optional<SseMessage>();
    auto fed = parser_.Feed(**piece, [this](const codec::SseEvent& e) -> Result<void> {
      events_.push_back(SseMessage{std::string(e.event), std::string(e.data), std::string(e.id)});
      return Ok();
    });
    if (!fed.ok()) co_return fed.error();
  }
  SseMessage m = std::move(events_.front());
  events_.pop_front();
  co_return std::optional<SseMessage>(std::move(m));
}

void BackendResponse::Finish(http::UpstreamPool& pool) {
  if (!conn_) return;
  if (done_ && conn_->reusable()) {
    pool.Release(std::move(conn_));
  } else {
    conn_->Close();
    conn_.reset();
  }
}

void BackendResponse::Close() {
  if (conn_) conn_->Close();
  conn_.reset();
}

Result<http::UpstreamTarget> BackendClient::TargetFor(const config::McpBackend& backend) {
  if (backend.endpoints.empty()) {
    return Upstream(ErrorKind::kUnavailable, "backend " + backend.name + " has no endpoints");
  }
  return targets_.For(backend.endpoints.front(), backend.tls);
}

http::Task<Result<std::unique_ptr<BackendResponse>>> BackendClient::Open(
    const BackendRequest& request, std::chrono::steady_clock::time_point deadline) {
  auto target = TargetFor(*request.backend);
  if (!target.ok()) co_return target.error();
  const std::string head = BuildBackendHead(request);
  std::string last_error;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto conn = co_await pool_.Acquire(*target, connect_timeout_);
    if (!conn.ok()) co_return conn.error();
    const bool reused = (*conn)->reused();
    auto sent = co_await (*conn)->Send(head, request.body);
    if (!sent.ok()) {
      if (reused) continue;
      co_return sent.error();
    }
    http::Timer timer(executor_, deadline);
    auto raced = co_await ((*conn)->ReadHead() || timer.async_wait(kNoThrow));
    if (raced.index() == 1) {
      (*conn)->Close();
      co_return Upstream(ErrorKind::kTimeout, "backend did not answer in time");
    }
    auto head_result = std::get<0>(std::move(raced));
    if (!head_result.ok()) {
      if (reused && head_result.error().retryable()) continue;
      co_return head_result.error();
    }
    co_return std::make_unique<BackendResponse>(
        std::move(conn).value(), http::ResponseHead(**head_result), executor_, deadline);
  }
  co_return Upstream(ErrorKind::kUnavailable, "backend connection failed", true);
}

}  // namespace sluice::mcp
