#include "sluice/mcp/gateway.h"

#include <re2/re2.h>

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>

#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/mcp/authz.h"
#include "sluice/mcp/encoding.h"
#include "sluice/mcp/gateway_internal.h"
#include "sluice/mcp/jwt.h"
#include "sluice/mcp/names.h"
#include "sluice/mcp/wire.h"

namespace sluice::mcp {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::kNoThrow;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kWellKnownPrefix = "/.well-known/oauth-protected-resource";
constexpr size_t kMaxBackendBody = size_t{16} << 20;
constexpr int kMaxListPages = 100;

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t UnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool HostMatches(const std::vector<std::string>& hostnames, std::string_view host) {
  if (hostnames.empty()) return true;
  // Strip the port; compare case-insensitively (RFC 9110 §4.2.3).
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  const std::string h = AsciiLower(host);
  for (const auto& pattern : hostnames) {
    if (pattern.starts_with("*.")) {
      const std::string_view suffix = std::string_view(pattern).substr(1);
      if (h.size() > suffix.size() && std::string_view(h).ends_with(suffix)) return true;
    } else if (pattern == h) {
      return true;
    }
  }
  return false;
}

bool HeadersMatch(const std::vector<config::HeaderMatch>& matches, const http::Headers& headers) {
  for (const auto& m : matches) {
    auto v = headers.Get(m.name);
    if (!v) return false;
    if (m.type == config::MatchType::kExact) {
      if (*v != m.value) return false;
    } else if (!m.regex || !RE2::FullMatch(re2::StringPiece(v->data(), v->size()), *m.regex)) {
      return false;
    }
  }
  return true;
}

const config::McpRoute* FindRoute(const config::RuntimeConfig& cfg, const http::Request& req,
                                  std::string_view path) {
  for (const auto& r : cfg.mcp_routes) {
    if (r.path == path && HostMatches(r.hostnames, req.host()) &&
        HeadersMatch(r.headers, req.headers)) {
      return &r;
    }
  }
  return nullptr;
}

const config::McpBackend* FindBackend(const config::McpRoute& route, std::string_view name) {
  for (const auto& b : route.backends) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::string_view SupportedVersion(std::string_view requested) {
  for (auto v : wire::kProtocolVersions) {
    if (v == requested) return v;
  }
  return {};
}

std::string Serialize(const json::value& v) { return json::serialize(v); }

std::string RpcResult(const json::value& id, json::value result) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["result"] = std::move(result);
  return json::serialize(o);
}

std::string RpcError(const json::value& id, int code, std::string_view message) {
  json::object err;
  err["code"] = code;
  err["message"] = message;
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["error"] = std::move(err);
  return json::serialize(o);
}

uint16_t CapabilityBits(const json::value* caps) {
  if (caps == nullptr || !caps->is_object()) return 0;
  const json::object& c = caps->get_object();
  uint16_t bits = 0;
  auto flag = [](const json::value* o, std::string_view key) {
    if (o == nullptr || !o->is_object()) return false;
    const json::value* v = o->get_object().if_contains(key);
    return v != nullptr && v->is_bool() && v->get_bool();
  };
  if (const json::value* t = c.if_contains("tools")) {
    bits |= kCapTools;
    if (flag(t, "listChanged")) bits |= kCapToolsListChanged;
  }
  if (const json::value* p = c.if_contains("prompts")) {
    bits |= kCapPrompts;
    if (flag(p, "listChanged")) bits |= kCapPromptsListChanged;
  }
  if (const json::value* r = c.if_contains("resources")) {
    bits |= kCapResources;
    if (flag(r, "listChanged")) bits |= kCapResourcesListChanged;
    if (flag(r, "subscribe")) bits |= kCapResourcesSubscribe;
  }
  if (c.contains("logging")) bits |= kCapLogging;
  if (c.contains("completions")) bits |= kCapCompletions;
  return bits;
}

}  // namespace

// The union of the capabilities of the backends that answered (MCP Lifecycle §Capability
// Negotiation).
json::object MergeCapabilities(const std::vector<BackendSession>& backends) {
  uint16_t all = 0;
  for (const auto& b : backends) all |= b.capabilities;
  json::object caps;
  if (all & kCapTools) {
    json::object t;
    t["listChanged"] = (all & kCapToolsListChanged) != 0;
    caps["tools"] = std::move(t);
  }
  if (all & kCapPrompts) {
    json::object p;
    p["listChanged"] = (all & kCapPromptsListChanged) != 0;
    caps["prompts"] = std::move(p);
  }
  if (all & kCapResources) {
    json::object r;
    r["subscribe"] = (all & kCapResourcesSubscribe) != 0;
    r["listChanged"] = (all & kCapResourcesListChanged) != 0;
    caps["resources"] = std::move(r);
  }
  if (all & kCapLogging) caps["logging"] = json::object();
  if (all & kCapCompletions) caps["completions"] = json::object();
  return caps;
}

// Rewrites the URIs of resources a backend returns so that they route back to it: resource
// links and embedded resources in tool results and prompt messages, resources/read contents, and
// the uri of notifications/resources/updated. Returns whether anything changed.
bool PrefixResourceUris(json::value& v, std::string_view backend, int depth) {
  if (depth > 32) return false;
  bool changed = false;
  if (v.is_object()) {
    json::object& o = v.get_object();
    const json::value* type = o.if_contains("type");
    const bool link = type && type->is_string() && type->get_string() == "resource_link";
    for (auto& kv : o) {
      if (kv.key() == "uri" && kv.value().is_string() && (link || depth > 0)) {
        kv.value() = PrefixUri(backend, kv.value().get_string());
        changed = true;
      } else if (kv.value().is_object() || kv.value().is_array()) {
        changed = PrefixResourceUris(kv.value(), backend, depth + 1) || changed;
      }
    }
  } else if (v.is_array()) {
    for (auto& item : v.get_array())
      changed = PrefixResourceUris(item, backend, depth + 1) || changed;
  }
  return changed;
}

struct McpGateway::Call {
  Call(http::Request& r, http::ResponseWriter& w) : req(r), writer(w) {}
  http::Request& req;
  http::ResponseWriter& writer;
  std::shared_ptr<const config::RuntimeConfig> cfg;
  const config::McpRoute* route = nullptr;
  json::value msg;
  json::value id;  // null for notifications
  std::string method;
  std::string token;
  std::optional<SessionState> session;
  std::optional<VerifiedToken> auth;
  bool sse_only = false;  // the client accepts only text/event-stream

  // access log
  int64_t start_us = UnixMicros();
  Clock::time_point start = Clock::now();
  std::string log_tool;
  std::string log_backend;
  std::string log_error;
  bool logged = false;
};

struct GatewayInternals {
  using Call = McpGateway::Call;

  // Runs fn(i) for i in [0, n) concurrently and waits for all. A cancellation of the caller (the
  // client went away) is passed on to every child, and their end is still awaited so that they
  // never outlive what they reference.
  template <typename Fn>
  static http::Task<void> RunAll(http::Executor ex, size_t n, Fn&& fn) {
    if (n == 0) co_return;
    struct Group {
      size_t remaining = 0;
      http::Timer* waiter = nullptr;
      std::vector<asio::cancellation_signal> signals;
      explicit Group(size_t n) : remaining(n), signals(n) {}
    };
    auto group = std::make_shared<Group>(n);
    http::Timer waiter(ex, http::Timer::time_point::max());
    group->waiter = &waiter;
    for (size_t i = 0; i < n; ++i) {
      asio::co_spawn(
          ex, fn(i),
          asio::bind_cancellation_slot(group->signals[i].slot(), [group](std::exception_ptr) {
            if (--group->remaining == 0 && group->waiter) {
              group->waiter->cancel();
            }
          }));
    }
    bool passed_on = false;
    while (group->remaining > 0) {
      co_await waiter.async_wait(kNoThrow);
      auto cancel_state = co_await asio::this_coro::cancellation_state;
      if (!passed_on && cancel_state.cancelled() != asio::cancellation_type::none) {
        passed_on = true;
        for (auto& s : group->signals) s.emit(asio::cancellation_type::terminal);
      }
    }
    group->waiter = nullptr;
  }

  static std::vector<std::pair<std::string, std::string>> ExtraHeaders(
      const Call& call, const config::McpBackend& backend) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& fh : backend.forward_headers) {
      if (auto v = call.req.headers.Get(fh.name)) out.emplace_back(fh.backend_header, *v);
    }
    if (call.auth && call.route->oauth) {
      for (const auto& ch : call.route->oauth->claim_to_headers) {
        // A claim header always replaces a client header of the same name (no forgery).
        std::erase_if(out, [&](const auto& h) { return EqualsIgnoreCase(h.first, ch.header); });
        const json::value* v = nullptr;
        const json::object* obj = &call.auth->claims;
        for (std::string_view part : Split(ch.claim, '.')) {
          if (obj == nullptr) {
            v = nullptr;
            break;
          }
          v = obj->if_contains(part);
          obj = v && v->is_object() ? &v->get_object() : nullptr;
        }
        if (v == nullptr) continue;
        std::string value;
        if (v->is_string()) {
          value = std::string(v->get_string());
        } else if (v->is_array()) {
          for (const auto& item : v->get_array()) {
            if (!value.empty()) value += ',';
            value += item.is_string() ? std::string(item.get_string()) : Serialize(item);
          }
        } else {
          value = Serialize(*v);
        }
        // Header values cannot carry line breaks (RFC 9110 §5.5).
        if (value.find_first_of("\r\n") != std::string::npos) continue;
        out.emplace_back(ch.header, std::move(value));
      }
    }
    return out;
  }

  // Reads one JSON-RPC response from a backend answer (JSON, or the SSE stream until the
  // response appears). Server messages before it are dropped (used by fan-outs only).
  static http::Task<Result<json::object>> ReadRpcResponse(BackendResponse& resp) {
    if (!resp.is_sse()) {
      auto body = co_await resp.ReadAll(kMaxBackendBody);
      if (!body.ok()) co_return body.error();
      boost::system::error_code ec;
      json::value v = json::parse(*body, ec);
      if (ec || !v.is_object()) {
        co_return Error(ErrorKind::kProtocol, "backend answered invalid JSON",
                        ErrorSource::kUpstream);
      }
      co_return std::move(v.get_object());
    }
    while (true) {
      auto ev = co_await resp.NextEvent();
      if (!ev.ok()) co_return ev.error();
      if (!ev->has_value()) {
        co_return Error(ErrorKind::kProtocol, "backend stream ended without a response",
                        ErrorSource::kUpstream);
      }
      if ((*ev)->data.empty()) continue;  // priming events (Transports §Resumability)
      boost::system::error_code ec;
      json::value v = json::parse((*ev)->data, ec);
      if (ec || !v.is_object()) continue;
      json::object& o = v.get_object();
      if (o.contains("result") || o.contains("error")) co_return std::move(o);
    }
  }

  // initialize + notifications/initialized with one backend (Lifecycle §Initialization).
  struct Initialized {
    BackendSession session;
    std::string instructions;
  };

  static http::Task<Result<Initialized>> InitializeBackend(McpGateway& gw, const Call& call,
                                                           const config::McpBackend& backend,
                                                           const std::string& body,
                                                           Clock::time_point deadline) {
    const auto extra = ExtraHeaders(call, backend);
    BackendRequest req;
    req.backend = &backend;
    req.body = body;
    req.extra_headers = &extra;
    auto opened = co_await gw.client_.Open(req, deadline);
    if (!opened.ok()) co_return opened.error();
    BackendResponse& resp = **opened;
    if (resp.status() != 200) {
      auto text = co_await resp.ReadAll(4096);
      co_return Error(ErrorKind::kUnavailable,
                      "initialize answered " + std::to_string(resp.status()) +
                          (text.ok() && !text->empty() ? ": " + *text : std::string()),
                      ErrorSource::kUpstream);
    }
    Initialized out;
    BackendSession& bs = out.session;
    bs.name = backend.name;
    bs.session_id = std::string(resp.session_id());
    auto answer = co_await ReadRpcResponse(resp);
    resp.Finish(gw.client_.pool());
    if (!answer.ok()) co_return answer.error();
    const json::value* result = answer->if_contains("result");
    if (result == nullptr || !result->is_object()) {
      co_return Error(ErrorKind::kUnavailable, "initialize failed: " + Serialize(*answer),
                      ErrorSource::kUpstream);
    }
    bs.capabilities = CapabilityBits(result->get_object().if_contains("capabilities"));
    if (const json::value* pv = result->get_object().if_contains("protocolVersion");
        pv && pv->is_string()) {
      bs.protocol_version = std::string(pv->get_string());
    }
    if (const json::value* in = result->get_object().if_contains("instructions");
        in && in->is_string()) {
      out.instructions = std::string(in->get_string());
    }
    // The client half of the handshake; a backend answers 202 (Transports §Sending Messages).
    static constexpr std::string_view kInitialized =
        R"({"jsonrpc":"2.0","method":"notifications/initialized"})";
    BackendRequest note;
    note.backend = &backend;
    note.body = kInitialized;
    note.session_id = bs.session_id;
    note.protocol_version = bs.protocol_version;
    note.extra_headers = &extra;
    auto sent = co_await gw.client_.Open(note, deadline);
    if (!sent.ok()) co_return sent.error();
    auto drained = co_await (*sent)->ReadAll(65536);
    (*sent)->Finish(gw.client_.pool());
    co_return out;
  }

  static std::string ReinitializeBody(const SessionState& s) {
    json::object params;
    params["protocolVersion"] = s.protocol_version;
    boost::system::error_code ec;
    json::value caps = json::parse(s.client_capabilities, ec);
    params["capabilities"] = ec ? json::value(json::object()) : caps;
    json::value info = json::parse(s.client_info, ec);
    params["clientInfo"] = ec ? json::value(json::object()) : info;
    json::object o;
    o["jsonrpc"] = "2.0";
    o["id"] = "sluice-reinitialize";
    o["method"] = "initialize";
    o["params"] = std::move(params);
    return json::serialize(o);
  }

  // Sends one message to a backend of the session. When the backend says its session is gone
  // (404, Transports §Session Management), it is re-initialized with the client's original
  // parameters and the message is sent again; the new backend session is remembered for later
  // requests carrying the same client session id.
  static http::Task<Result<std::unique_ptr<BackendResponse>>> Exchange(
      McpGateway& gw, const Call& call, const config::McpBackend& backend, const BackendSession& bs,
      std::string_view body, Clock::time_point deadline, std::string_view method = "POST",
      std::string_view last_event_id = {}, std::string_view accept = {}) {
    std::string session_id = bs.session_id;
    if (!session_id.empty()) {
      if (auto newer = gw.reinitialized_->Lookup(bs.name, session_id)) session_id = *newer;
    }
    const auto extra = ExtraHeaders(call, backend);
    for (int attempt = 0; attempt < 2; ++attempt) {
      BackendRequest req;
      req.backend = &backend;
      req.method = method;
      req.body = body;
      req.session_id = session_id;
      req.protocol_version = bs.protocol_version;
      req.last_event_id = last_event_id;
      req.accept = accept;
      req.extra_headers = &extra;
      auto opened = co_await gw.client_.Open(req, deadline);
      if (!opened.ok()) co_return opened.error();
      if ((*opened)->status() != 404 || bs.session_id.empty() || attempt > 0 ||
          !call.session.has_value() || method == "DELETE") {
        co_return std::move(opened).value();
      }
      (*opened)->Close();
      const std::string init = ReinitializeBody(*call.session);
      auto fresh = co_await InitializeBackend(gw, call, backend, init,
                                              Clock::now() + gw.options_.fanout_timeout);
      if (!fresh.ok()) co_return fresh.error();
      gw.reinitialized_->Remember(bs.name, bs.session_id, fresh->session.session_id);
      session_id = fresh->session.session_id;
    }
    co_return Error(ErrorKind::kUnavailable, "backend session lost", ErrorSource::kUpstream);
  }

  static bool WantsSseOnly(const http::Request& req) {
    const auto accept = req.headers.Get("accept").value_or("");
    if (accept.empty()) return false;
    const std::string a = AsciiLower(accept);
    return a.find("text/event-stream") != std::string::npos &&
           a.find("application/json") == std::string::npos && a.find("*/*") == std::string::npos &&
           a.find("application/*") == std::string::npos;
  }
};

McpGateway::McpGateway(http::Executor executor, observe::AccessLogBuffer& log,
                       std::shared_ptr<const SessionCodec> codec,
                       std::shared_ptr<ReinitializedSessions> reinitialized, McpOptions options)
    : executor_(executor),
      log_(log),
      codec_(std::move(codec)),
      reinitialized_(std::move(reinitialized)),
      options_(std::move(options)),
      client_(executor, options_.connect_timeout),
      jwt_(std::make_unique<JwtValidator>(executor, client_.pool())) {}

McpGateway::~McpGateway() = default;

bool McpGateway::Accepts(const config::RuntimeConfig& config, const http::Request& req) const {
  if (config.mcp_routes.empty()) return false;
  const std::string_view path = req.path();
  if (path.starts_with(kWellKnownPrefix)) {
    std::string_view rest = path.substr(kWellKnownPrefix.size());
    if (rest.empty()) rest = "/mcp";
    const config::McpRoute* r = FindRoute(config, req, rest);
    return r != nullptr && r->oauth.has_value();
  }
  return FindRoute(config, req, path) != nullptr;
}

namespace {

void WriteLog(observe::AccessLogBuffer& log, McpGateway::Call& call);

// Lets browser-based clients read answers and the session id (the preflight is answered in
// Handle).
void AddCorsHeaders(http::Headers& headers) {
  headers.Set("access-control-allow-origin", "*");
  headers.Set("access-control-expose-headers", "mcp-session-id, www-authenticate");
}

// Plain-text error answer, as the reference does for transport-level failures.
http::Task<void> RespondText(McpGateway::Call& call, int status, std::string_view text,
                             const http::Headers* extra = nullptr) {
  if (call.log_error.empty()) call.log_error = std::string(text);
  if (!call.writer.started()) {
    co_await call.writer.Respond(status, "text/plain; charset=utf-8", text, extra);
  }
}

// One JSON-RPC message to the client: JSON, or a one-event SSE stream when the client accepts
// only text/event-stream (Transports §Sending Messages to the Server).
http::Task<void> RespondMessage(McpGateway::Call& call, std::string_view message,
                                http::Headers headers) {
  AddCorsHeaders(headers);
  if (call.sse_only) {
    std::string body;
    codec::AppendSseEvent(body, "message", message);
    headers.Set("content-type", wire::kEventStream);
    headers.Set("cache-control", "no-cache");
    co_await call.writer.Respond(200, {}, body, &headers);
  } else {
    co_await call.writer.Respond(200, wire::kJson, message, &headers);
  }
}

http::Task<void> RespondRpcError(McpGateway::Call& call, int code, std::string_view message) {
  if (call.log_error.empty()) call.log_error = std::string(message);
  const std::string body = RpcError(call.id, code, message);
  http::Headers headers;
  co_await RespondMessage(call, body, std::move(headers));
}

}  // namespace

http::Task<void> McpGateway::Handle(std::shared_ptr<const config::RuntimeConfig> config,
                                    http::Request& req, http::ResponseWriter& writer) {
  co_await asio::this_coro::throw_if_cancelled(false);
  Call call(req, writer);
  call.cfg = std::move(config);
  const std::string_view path = req.path();
  if (path.starts_with(kWellKnownPrefix)) {
    std::string_view rest = path.substr(kWellKnownPrefix.size());
    if (rest.empty()) rest = "/mcp";
    call.route = FindRoute(*call.cfg, req, rest);
    co_await HandleProtectedResourceMetadata(call);
    WriteLog(log_, call);
    co_return;
  }
  call.route = FindRoute(*call.cfg, req, path);
  call.sse_only = GatewayInternals::WantsSseOnly(req);

  // OAuth (MCP Authorization §Access Token Usage): every request carries a valid bearer token.
  if (call.route->oauth.has_value() && req.method != "OPTIONS") {
    const config::McpOAuth& oauth = *call.route->oauth;
    const auto authz = req.headers.Get("authorization").value_or("");
    std::string_view token;
    if (StartsWithIgnoreCase(authz, "bearer ")) token = TrimWhitespace(authz.substr(7));
    Result<VerifiedToken> verified =
        Error(ErrorKind::kInvalidArgument, "missing bearer token", ErrorSource::kClient);
    if (!token.empty()) verified = co_await jwt_->Verify(oauth, token);
    if (!verified.ok()) {
      // RFC 6750 §3 and RFC 9728 §5.1: point the client at the protected resource metadata.
      std::string scheme = "http";
      if (oauth.resource.starts_with("https://")) scheme = "https";
      std::string challenge =
          "Bearer error=\"invalid_token\", error_description=\"The access token is missing or "
          "invalid\", resource_metadata=\"" +
          scheme + "://" + std::string(req.host()) + std::string(kWellKnownPrefix) +
          call.route->path + "\"";
      if (!oauth.scopes_supported.empty()) {
        std::string scopes;
        for (const auto& s : oauth.scopes_supported) scopes += (scopes.empty() ? "" : " ") + s;
        challenge += ", scope=\"" + scopes + "\"";
      }
      http::Headers headers;
      headers.Set("www-authenticate", challenge);
      call.log_error = "unauthorized: " + verified.error().message();
      co_await call.writer.Respond(401, wire::kJson,
                                   R"({"error":"invalid_token","error_description":)" +
                                       JsonQuote(verified.error().message()) + "}",
                                   &headers);
      WriteLog(log_, call);
      co_return;
    }
    call.auth = std::move(verified).value();
  }

  if (req.method == "POST") {
    co_await HandlePost(call);
  } else if (req.method == "GET" || req.method == "HEAD") {
    co_await HandleGet(call);
  } else if (req.method == "DELETE") {
    co_await HandleDelete(call);
  } else if (req.method == "OPTIONS") {
    // CORS preflight for browser-based clients (e.g. MCP Inspector): the transport's headers.
    http::Headers headers;
    headers.Set("access-control-allow-origin", "*");
    headers.Set("access-control-allow-methods", "GET, POST, DELETE");
    headers.Set("access-control-allow-headers",
                "content-type, accept, authorization, mcp-session-id, mcp-protocol-version, "
                "last-event-id");
    headers.Set("access-control-expose-headers", "mcp-session-id, www-authenticate");
    headers.Set("access-control-max-age", "86400");
    co_await call.writer.Respond(204, {}, {}, &headers);
  } else {
    http::Headers headers;
    headers.Set("allow", "GET, POST, DELETE, OPTIONS");
    co_await RespondText(call, 405, "method not allowed", &headers);
  }
  WriteLog(log_, call);
}

namespace {

// Opens the client's session: a missing id is 400, an id that does not decrypt (tampered,
// foreign seed, expired) or belongs to another route or subject is 404, as Transports §Session
// Management says. Returns false when an answer was sent.
// Sessions a client ended with DELETE; remembered per process (bounded), since a stateless id
// cannot be revoked everywhere (Transports §Session Management: later requests get 404).
constexpr std::string_view kEndedKey = "\x01ended";

http::Task<bool> OpenSession(McpGateway::Call& call, const SessionCodec& codec,
                             const ReinitializedSessions& ended) {
  const auto token = call.req.headers.Get(wire::kSessionIdHeader);
  if (!token || token->empty()) {
    co_await RespondText(call, 400, "missing session ID");
    co_return false;
  }
  call.token = std::string(*token);
  if (ended.Lookup(kEndedKey, Sha256HexPrefix(*token, 16))) {
    co_await RespondText(call, 404, "session not found: session ended");
    co_return false;
  }
  auto state = codec.Decrypt(*token, UnixSeconds());
  if (!state.ok()) {
    co_await RespondText(call, 404, "session not found: " + state.error().message());
    co_return false;
  }
  if (state->route != call.route->name) {
    co_await RespondText(call, 404, "session not found: session belongs to another route");
    co_return false;
  }
  const std::string subject = call.auth ? call.auth->subject : std::string();
  if (state->subject != subject) {
    co_await RespondText(call, 404, "session not found: session belongs to another subject");
    co_return false;
  }
  call.session = std::move(state).value();
  co_return true;
}

}  // namespace

http::Task<void> McpGateway::HandlePost(Call& call) {
  if (call.req.body.size() > options_.max_body_bytes) {
    co_await RespondText(call, 413, "request body too large");
    co_return;
  }
  // Transports §Protocol Version Header: an unsupported version is a 400.
  if (auto v = call.req.headers.Get(wire::kProtocolVersionHeader)) {
    if (SupportedVersion(TrimWhitespace(*v)).empty()) {
      co_await RespondText(call, 400, "unsupported protocol version: " + std::string(*v));
      co_return;
    }
  }
  boost::system::error_code ec;
  call.msg = json::parse(call.req.body, ec);
  if (ec) {
    co_await RespondText(call, 400, "invalid JSON-RPC message: " + ec.message());
    co_return;
  }
  if (call.msg.is_array()) {
    co_await RespondText(call, 400,
                         "invalid JSON-RPC message: batches are not supported (removed in MCP "
                         "2025-06-18)");
    co_return;
  }
  if (!call.msg.is_object()) {
    co_await RespondText(call, 400, "invalid JSON-RPC message: expected an object");
    co_return;
  }
  json::object& o = call.msg.get_object();
  const json::value* jsonrpc = o.if_contains("jsonrpc");
  if (jsonrpc == nullptr || !jsonrpc->is_string() || jsonrpc->get_string() != "2.0") {
    co_await RespondText(call, 400, "invalid JSON-RPC message: jsonrpc must be \"2.0\"");
    co_return;
  }
  if (const json::value* id = o.if_contains("id")) call.id = *id;
  const json::value* method = o.if_contains("method");
  if (method == nullptr) {
    if (o.contains("result") || o.contains("error")) {
      if (!co_await OpenSession(call, *codec_, *reinitialized_)) co_return;
      co_await HandleClientResponse(call);
      co_return;
    }
    co_await RespondText(call, 400, "invalid JSON-RPC message: no method");
    co_return;
  }
  if (!method->is_string()) {
    co_await RespondText(call, 400, "invalid JSON-RPC message: method must be a string");
    co_return;
  }
  call.method = std::string(method->get_string());
  if (call.method == "initialize") {
    co_await HandleInitialize(call);
    co_return;
  }
  if (!co_await OpenSession(call, *codec_, *reinitialized_)) co_return;
  const bool notification = !o.contains("id");
  const std::string_view m = call.method;
  if (notification) {
    if (m == "notifications/initialized") {
      co_await call.writer.Respond(202, {}, {});
    } else {
      co_await HandleBroadcastNotification(call);
    }
    co_return;
  }
  if (m == "ping") {
    // Basic / Utilities / Ping: answered by the gateway itself.
    const std::string body = RpcResult(call.id, json::object());
    http::Headers headers;
    co_await RespondMessage(call, body, std::move(headers));
  } else if (m == "tools/list" || m == "prompts/list" || m == "resources/list" ||
             m == "resources/templates/list") {
    co_await HandleList(call, m);
  } else if (m == "tools/call" || m == "prompts/get" || m == "resources/read" ||
             m == "resources/subscribe" || m == "resources/unsubscribe" ||
             m == "completion/complete") {
    co_await HandleRouted(call, m);
  } else if (m == "logging/setLevel") {
    co_await HandleSetLevel(call);
  } else {
    co_await RespondRpcError(call, wire::kMethodNotFound, "Method not found: " + call.method);
  }
}

http::Task<void> McpGateway::HandleInitialize(Call& call) {
  const json::value* params = call.msg.get_object().if_contains("params");
  if (params == nullptr || !params->is_object()) {
    co_await RespondRpcError(call, wire::kInvalidParams, "initialize needs params");
    co_return;
  }
  const json::object& p = params->get_object();
  std::string requested;
  if (const json::value* v = p.if_contains("protocolVersion"); v && v->is_string()) {
    requested = std::string(v->get_string());
  }
  // Lifecycle §Version Negotiation: the client's version when supported, else the latest.
  std::string_view negotiated = SupportedVersion(requested);
  if (negotiated.empty()) negotiated = wire::kProtocolVersions.front();

  const std::string body = call.req.body;
  const auto& backends = call.route->backends;
  std::vector<std::optional<Result<GatewayInternals::Initialized>>> results(backends.size());
  const auto deadline = Clock::now() + options_.fanout_timeout;
  co_await GatewayInternals::RunAll(executor_, backends.size(), [&](size_t i) -> http::Task<void> {
    co_await asio::this_coro::throw_if_cancelled(false);
    results[i] =
        co_await GatewayInternals::InitializeBackend(*this, call, backends[i], body, deadline);
  });

  SessionState state;
  state.route = call.route->name;
  state.subject = call.auth ? call.auth->subject : std::string();
  state.issued_at = UnixSeconds();
  state.protocol_version = std::string(negotiated);
  if (const json::value* c = p.if_contains("capabilities"))
    state.client_capabilities = Serialize(*c);
  if (const json::value* c = p.if_contains("clientInfo")) state.client_info = Serialize(*c);
  std::string failures;
  std::string instructions;
  for (size_t i = 0; i < backends.size(); ++i) {
    if (results[i] && results[i]->ok()) {
      auto& init = (*results[i]).value();
      if (!init.instructions.empty()) {
        // Each server's instructions, under its name: they speak of its unprefixed tools.
        instructions += (instructions.empty() ? "" : "\n\n") + std::string("## ") +
                        backends[i].name + " (tools prefixed \"" + backends[i].name + "__\")\n\n" +
                        init.instructions;
      }
      state.backends.push_back(std::move(init.session));
    } else {
      failures += (failures.empty() ? "" : "; ") + backends[i].name + ": " +
                  (results[i] ? results[i]->error().message() : std::string("cancelled"));
    }
  }
  if (!failures.empty()) call.log_error = "backends skipped: " + failures;
  if (state.backends.empty()) {
    co_await RespondText(call, 500, "failed to create new session: " + failures);
    co_return;
  }
  json::object result;
  result["protocolVersion"] = negotiated;
  result["capabilities"] = MergeCapabilities(state.backends);
  json::object info;
  info["name"] = "sluice";
  info["version"] = options_.server_version;
  result["serverInfo"] = std::move(info);
  if (!instructions.empty()) result["instructions"] = instructions;
  call.token = codec_->Encrypt(state);
  call.log_backend = std::to_string(state.backends.size()) + "/" + std::to_string(backends.size());
  const std::string message = RpcResult(call.id, std::move(result));
  http::Headers headers;
  headers.Set(wire::kSessionIdHeader, call.token);
  co_await RespondMessage(call, message, std::move(headers));
}

http::Task<void> McpGateway::HandleList(Call& call, std::string_view method) {
  uint16_t needed = kCapTools;
  std::string_view key = "tools";
  std::string_view name_field = "name";
  if (method == "prompts/list") {
    needed = kCapPrompts;
    key = "prompts";
  } else if (method == "resources/list") {
    needed = kCapResources;
    key = "resources";
    name_field = "uri";
  } else if (method == "resources/templates/list") {
    needed = kCapResources;
    key = "resourceTemplates";
    name_field = "uriTemplate";
  }
  const json::object& o = call.msg.get_object();
  if (const json::value* params = o.if_contains("params"); params && params->is_object()) {
    if (const json::value* c = params->get_object().if_contains("cursor"); c && !c->is_null()) {
      // Sluice answers with every page of every backend at once, so it never hands out a cursor.
      co_await RespondRpcError(call, wire::kInvalidParams, "invalid cursor");
      co_return;
    }
  }
  // Backends in the route's order: the merged list's order must not depend on timing.
  std::vector<std::pair<const config::McpBackend*, const BackendSession*>> targets;
  for (const auto& b : call.route->backends) {
    const BackendSession* bs = call.session->Find(b.name);
    if (bs != nullptr && (bs->capabilities & needed)) targets.emplace_back(&b, bs);
  }
  std::vector<json::array> items(targets.size());
  std::vector<std::string> errors(targets.size());
  const auto deadline = Clock::now() + options_.fanout_timeout;
  co_await GatewayInternals::RunAll(executor_, targets.size(), [&](size_t i) -> http::Task<void> {
    co_await asio::this_coro::throw_if_cancelled(false);
    const auto& [backend, bs] = targets[i];
    std::string cursor;
    for (int page = 0; page < kMaxListPages; ++page) {
      json::object req;
      req["jsonrpc"] = "2.0";
      req["id"] = call.id;
      req["method"] = method;
      json::object params;
      if (!cursor.empty()) params["cursor"] = cursor;
      req["params"] = std::move(params);
      const std::string body = json::serialize(req);
      auto resp = co_await GatewayInternals::Exchange(*this, call, *backend, *bs, body, deadline);
      if (!resp.ok()) {
        errors[i] = resp.error().message();
        co_return;
      }
      if ((*resp)->status() != 200) {
        errors[i] = "answered " + std::to_string((*resp)->status());
        co_return;
      }
      auto answer = co_await GatewayInternals::ReadRpcResponse(**resp);
      (*resp)->Finish(client_.pool());
      if (!answer.ok()) {
        errors[i] = answer.error().message();
        co_return;
      }
      const json::value* result = answer->if_contains("result");
      if (result == nullptr || !result->is_object()) {
        errors[i] = "error: " + Serialize(*answer);
        co_return;
      }
      if (const json::value* list = result->get_object().if_contains(key);
          list && list->is_array()) {
        for (const auto& item : list->get_array()) items[i].push_back(item);
      }
      const json::value* next = result->get_object().if_contains("nextCursor");
      if (next == nullptr || !next->is_string() || next->get_string().empty()) break;
      cursor = std::string(next->get_string());
    }
  });

  json::array merged;
  for (size_t i = 0; i < targets.size(); ++i) {
    const config::McpBackend& backend = *targets[i].first;
    if (!errors[i].empty()) {
      call.log_error += (call.log_error.empty() ? "" : "; ") + backend.name + ": " + errors[i];
    }
    std::vector<json::object> kept;
    for (auto& item : items[i]) {
      if (!item.is_object()) continue;
      json::object& obj = item.get_object();
      json::value* name = obj.if_contains(name_field);
      if (name == nullptr || !name->is_string()) continue;
      const std::string original(name->get_string());
      if (key == "tools" && !ToolAllowed(backend.tools, original)) continue;
      if (key == "tools" && call.route->authorization &&
          !AuthorizeTool(*call.route->authorization, call.auth ? &call.auth->claims : nullptr,
                         call.auth ? call.auth->scopes : std::vector<std::string>(), backend.name,
                         original)
               .allowed) {
        continue;
      }
      if (name_field == "name") {
        *name = PrefixName(backend.name, original);
      } else {
        *name = PrefixUri(backend.name, original);
        // The display name of a resource is prefixed too, so two backends' "README" differ.
        if (json::value* n = obj.if_contains("name"); n && n->is_string()) {
          *n = PrefixName(backend.name, n->get_string());
        }
      }
      kept.push_back(std::move(obj));
    }
    // A stable order regardless of the backend's own (prompt caches depend on it).
    std::stable_sort(kept.begin(), kept.end(), [&](const json::object& a, const json::object& b) {
      return a.at(name_field).get_string() < b.at(name_field).get_string();
    });
    for (auto& obj : kept) merged.push_back(std::move(obj));
  }
  json::object result;
  result[key] = std::move(merged);
  const std::string body = RpcResult(call.id, std::move(result));
  http::Headers headers;
  co_await RespondMessage(call, body, std::move(headers));
}

namespace {

// Rewrites one message a backend sends towards the client. Returns the text to send.
std::string RewriteServerMessage(std::string_view data, std::string_view backend,
                                 bool rewrite_result_uris) {
  // Fast path: nothing to rewrite in most notifications and results.
  const bool maybe_request = data.find("\"method\"") != std::string_view::npos;
  const bool maybe_uri = data.find("\"uri\"") != std::string_view::npos;
  if (!maybe_request && !(maybe_uri && rewrite_result_uris)) return std::string(data);
  boost::system::error_code ec;
  json::value v = json::parse(data, ec);
  if (ec || !v.is_object()) return std::string(data);
  json::object& o = v.get_object();
  bool changed = false;
  if (const json::value* m = o.if_contains("method"); m && m->is_string()) {
    if (json::value* id = o.if_contains("id"); id && !id->is_null()) {
      // A request from the server (sampling, elicitation, roots/list, ping): the client's answer
      // must find this backend again.
      *id = EncodeServerRequestId(backend, Serialize(*id));
      changed = true;
    } else if (m->get_string() == "notifications/resources/updated") {
      if (json::value* params = o.if_contains("params"); params && params->is_object()) {
        if (json::value* uri = params->get_object().if_contains("uri"); uri && uri->is_string()) {
          *uri = PrefixUri(backend, uri->get_string());
          changed = true;
        }
      }
    }
  } else if (rewrite_result_uris) {
    if (json::value* result = o.if_contains("result")) {
      changed = PrefixResourceUris(*result, backend, 1) || changed;
    }
  }
  return changed ? json::serialize(v) : std::string(data);
}

// What decides the tool list a route exposes, as text: compared on GET streams to notice reloads.
std::string ToolSetFingerprint(const config::McpRoute* route) {
  if (route == nullptr) return "-";
  std::string fp;
  for (const auto& b : route->backends) {
    fp += b.name + "|" + b.host_header + b.path + "|";
    for (const auto& t : b.tools.include) fp += "+" + t;
    for (const auto& t : b.tools.exclude) fp += "-" + t;
    for (const auto& re : b.tools.include_regex) fp += "+/" + re->pattern();
    for (const auto& re : b.tools.exclude_regex) fp += "-/" + re->pattern();
    fp += ";";
  }
  if (route->authorization) {
    fp += route->authorization->default_allow ? "allow:" : "deny:";
    for (const auto& r : route->authorization->rules) {
      fp += r.allow ? "A" : "D";
      for (const auto& s : r.scopes) fp += s + ",";
      for (const auto& c : r.claims) fp += c.name + ",";
      for (const auto& t : r.tools) fp += t.backend + "/" + t.tool + ",";
    }
  }
  return fp;
}

// Serialises writes of several coroutines to one chunked response: single-threaded, so a flag
// and a pending buffer suffice.
class ClientStream {
 public:
  explicit ClientStream(http::ResponseWriter& w) : w_(w) {}
  http::Task<bool> Write(std::string_view data) {
    if (failed_) co_return false;
    pending_.append(data);
    if (writing_) co_return true;
    writing_ = true;
    while (!pending_.empty() && !failed_) {
      std::string out;
      out.swap(pending_);
      if (!co_await w_.WriteBody(out)) failed_ = true;
    }
    writing_ = false;
    co_return !failed_;
  }
  bool failed() const { return failed_; }

 private:
  http::ResponseWriter& w_;
  std::string pending_;
  bool writing_ = false;
  bool failed_ = false;
};

void AppendEvent(std::string& out, std::string_view id, std::string_view data) {
  out += "event: message\n";
  if (!id.empty()) {
    out += "id: ";
    out.append(id);
    out += '\n';
  }
  codec::AppendSseEvent(out, {}, data);
}

}  // namespace

http::Task<void> McpGateway::HandleRouted(Call& call, std::string_view method) {
  json::object& o = call.msg.get_object();
  json::value* params = o.if_contains("params");
  if (params == nullptr || !params->is_object()) {
    co_await RespondRpcError(call, wire::kInvalidParams, "missing params");
    co_return;
  }
  json::object& p = params->get_object();
  json::value* target = nullptr;
  bool by_uri = method.starts_with("resources/");
  if (method == "completion/complete") {
    json::value* ref = p.if_contains("ref");
    if (ref && ref->is_object()) {
      json::object& r = ref->get_object();
      const json::value* type = r.if_contains("type");
      if (type && type->is_string() && type->get_string() == "ref/resource") {
        target = r.if_contains("uri");
        by_uri = true;
      } else {
        target = r.if_contains("name");
      }
    }
  } else {
    target = p.if_contains(by_uri ? "uri" : "name");
  }
  if (target == nullptr || !target->is_string()) {
    co_await RespondRpcError(call, wire::kInvalidParams,
                             by_uri ? "params.uri is required" : "params.name is required");
    co_return;
  }
  const std::string prefixed(target->get_string());
  auto split = by_uri ? SplitPrefixedUri(prefixed) : SplitPrefixedName(prefixed);
  const config::McpBackend* backend = split ? FindBackend(*call.route, split->backend) : nullptr;
  const BackendSession* bs = backend ? call.session->Find(backend->name) : nullptr;
  const std::string what = method == "tools/call" ? "tool" : by_uri ? "resource" : "prompt";
  if (bs == nullptr) {
    co_await RespondRpcError(call, wire::kInvalidParams, "unknown " + what + ": " + prefixed);
    co_return;
  }
  const std::string name(split->name);
  call.log_backend = backend->name;
  if (method == "tools/call") {
    call.log_tool = name;
    // Deny wins: a tool hidden by the toolSelector cannot be called either.
    if (!ToolAllowed(backend->tools, name)) {
      co_await RespondRpcError(call, wire::kInvalidParams, "unknown tool: " + prefixed);
      co_return;
    }
    if (call.route->authorization) {
      const AuthzDecision d = AuthorizeTool(
          *call.route->authorization, call.auth ? &call.auth->claims : nullptr,
          call.auth ? call.auth->scopes : std::vector<std::string>(), backend->name, name);
      if (!d.allowed) {
        // MCP Authorization §Scope Challenge Handling: 403 with the scopes that would allow it.
        http::Headers headers;
        std::string challenge = "Bearer error=\"insufficient_scope\"";
        if (!d.required_scopes.empty()) {
          std::string scopes;
          for (const auto& sc : d.required_scopes) scopes += (scopes.empty() ? "" : " ") + sc;
          challenge += ", scope=\"" + scopes + "\"";
        }
        if (call.route->oauth) {
          const std::string scheme =
              call.route->oauth->resource.starts_with("https://") ? "https" : "http";
          challenge += ", resource_metadata=\"" + scheme + "://" + std::string(call.req.host()) +
                       std::string(kWellKnownPrefix) + call.route->path + "\"";
        }
        challenge += ", error_description=\"The token is missing required scopes\"";
        headers.Set("www-authenticate", challenge);
        co_await RespondText(call, 403, "access denied", &headers);
        co_return;
      }
    }
  }
  *target = name;
  const std::string body = json::serialize(call.msg);
  auto resp = co_await GatewayInternals::Exchange(*this, call, *backend, *bs, body,
                                                  Clock::now() + options_.call_timeout);
  if (!resp.ok()) {
    co_await RespondRpcError(call, wire::kInternalError,
                             "backend " + backend->name + " failed: " + resp.error().message());
    co_return;
  }
  BackendResponse& r = **resp;
  http::Headers headers;
  headers.Set(wire::kBackendHeader, backend->name);
  if (method == "tools/call") headers.Set(wire::kToolHeader, name);
  const bool rewrite_uris = method != "completion/complete";
  if (r.status() != 200) {
    auto text = co_await r.ReadAll(65536);
    co_await RespondRpcError(call, wire::kInternalError,
                             "backend " + backend->name + " answered HTTP " +
                                 std::to_string(r.status()) +
                                 (text.ok() && !text->empty() ? ": " + *text : std::string()));
    co_return;
  }
  if (!r.is_sse()) {
    auto text = co_await r.ReadAll(kMaxBackendBody);
    if (!text.ok()) {
      co_await RespondRpcError(call, wire::kInternalError,
                               "backend " + backend->name + " failed: " + text.error().message());
      co_return;
    }
    r.Finish(client_.pool());
    const std::string out = RewriteServerMessage(*text, backend->name, rewrite_uris);
    co_await RespondMessage(call, out, std::move(headers));
    co_return;
  }
  // Relay the backend's stream event by event: progress notifications and server requests reach
  // the client while the call runs; the stream ends with the response.
  headers.Set("content-type", wire::kEventStream);
  headers.Set("cache-control", "no-cache");
  AddCorsHeaders(headers);
  call.writer.StartResponse(200, headers, std::nullopt);
  std::string out;
  bool answered = false;
  while (!answered) {
    auto ev = co_await r.NextEvent();
    if (!ev.ok()) {
      call.log_error = ev.error().message();
      call.writer.set_close();
      break;
    }
    if (!ev->has_value()) break;
    if ((*ev)->data.empty()) continue;
    const std::string data = RewriteServerMessage((*ev)->data, backend->name, rewrite_uris);
    answered = data.find("\"method\"") == std::string::npos &&
               (data.find("\"result\"") != std::string::npos ||
                data.find("\"error\"") != std::string::npos);
    out.clear();
    const std::string event_id =
        (*ev)->id.empty() ? std::string() : EncodeEventId(backend->name, (*ev)->id);
    AppendEvent(out, event_id, data);
    if (!co_await call.writer.WriteBody(out)) break;
  }
  co_await call.writer.Finish();
  if (!answered) {
    r.Close();
    co_return;
  }
  // The client has its answer. A server ends the stream right after the response
  // (Transports §Sending Messages to the Server), so read to its end, briefly, and keep the
  // connection for the next request.
  r.set_deadline(Clock::now() + std::chrono::milliseconds(200));
  while (true) {
    auto ev = co_await r.NextEvent();
    if (!ev.ok()) {
      r.Close();
      co_return;
    }
    if (!ev->has_value()) break;
  }
  r.Finish(client_.pool());
}

http::Task<void> McpGateway::HandleBroadcastNotification(Call& call) {
  // notifications/cancelled, notifications/progress, notifications/roots/list_changed and any
  // other client notification: every backend of the session may care; unknown request ids are
  // ignored by servers (Utilities §Cancellation).
  const std::string body = call.req.body;
  std::vector<std::pair<const config::McpBackend*, const BackendSession*>> targets;
  for (const auto& bs : call.session->backends) {
    if (const auto* b = FindBackend(*call.route, bs.name)) targets.emplace_back(b, &bs);
  }
  const auto deadline = Clock::now() + options_.fanout_timeout;
  co_await GatewayInternals::RunAll(executor_, targets.size(), [&](size_t i) -> http::Task<void> {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto resp = co_await GatewayInternals::Exchange(*this, call, *targets[i].first,
                                                    *targets[i].second, body, deadline);
    if (!resp.ok()) co_return;
    auto drained = co_await (*resp)->ReadAll(65536);
    (*resp)->Finish(client_.pool());
  });
  co_await call.writer.Respond(202, {}, {});
}

http::Task<void> McpGateway::HandleClientResponse(Call& call) {
  // The client answers a request a backend sent through the gateway (sampling, elicitation,
  // roots/list): its id names the backend and the backend's own id.
  std::optional<DecodedRequestId> decoded;
  if (call.id.is_string()) decoded = DecodeServerRequestId(call.id.get_string());
  const config::McpBackend* backend =
      decoded ? FindBackend(*call.route, decoded->backend) : nullptr;
  const BackendSession* bs = backend ? call.session->Find(backend->name) : nullptr;
  if (bs == nullptr) {
    co_await RespondText(call, 400, "unknown response id");
    co_return;
  }
  boost::system::error_code ec;
  json::value original = json::parse(decoded->raw_id, ec);
  if (ec) {
    co_await RespondText(call, 400, "unknown response id");
    co_return;
  }
  call.msg.get_object()["id"] = original;
  call.log_backend = backend->name;
  const std::string body = json::serialize(call.msg);
  auto resp = co_await GatewayInternals::Exchange(*this, call, *backend, *bs, body,
                                                  Clock::now() + options_.fanout_timeout);
  if (!resp.ok()) {
    co_await RespondText(call, 502,
                         "backend " + backend->name + " failed: " + resp.error().message());
    co_return;
  }
  const int status = (*resp)->status();
  auto drained = co_await (*resp)->ReadAll(65536);
  (*resp)->Finish(client_.pool());
  if (status >= 300) {
    co_await RespondText(call, 502,
                         "backend " + backend->name + " answered " + std::to_string(status));
    co_return;
  }
  co_await call.writer.Respond(202, {}, {});
}

http::Task<void> McpGateway::HandleSetLevel(Call& call) {
  const std::string body = call.req.body;
  std::vector<std::pair<const config::McpBackend*, const BackendSession*>> targets;
  for (const auto& bs : call.session->backends) {
    const auto* b = FindBackend(*call.route, bs.name);
    if (b != nullptr && (bs.capabilities & kCapLogging)) targets.emplace_back(b, &bs);
  }
  const auto deadline = Clock::now() + options_.fanout_timeout;
  co_await GatewayInternals::RunAll(executor_, targets.size(), [&](size_t i) -> http::Task<void> {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto resp = co_await GatewayInternals::Exchange(*this, call, *targets[i].first,
                                                    *targets[i].second, body, deadline);
    if (!resp.ok()) co_return;
    auto answer = co_await GatewayInternals::ReadRpcResponse(**resp);
    (*resp)->Finish(client_.pool());
  });
  const std::string out = RpcResult(call.id, json::object());
  http::Headers headers;
  co_await RespondMessage(call, out, std::move(headers));
}

http::Task<void> McpGateway::HandleGet(Call& call) {
  // Transports §Listening for Messages from the Server: one merged stream of every backend's
  // GET stream; 405 when no backend offers one.
  if (!co_await OpenSession(call, *codec_, *reinitialized_)) co_return;
  std::string resume_storage;
  std::optional<SplitName> resume;
  if (auto last = call.req.headers.Get(wire::kLastEventIdHeader)) {
    resume = DecodeEventId(*last, resume_storage);
  }
  struct Stream {
    const config::McpBackend* backend = nullptr;
    const BackendSession* session = nullptr;
    std::unique_ptr<BackendResponse> resp;
  };
  std::vector<Stream> streams;
  for (const auto& bs : call.session->backends) {
    const auto* b = FindBackend(*call.route, bs.name);
    // Resuming continues the one backend stream the event came from.
    if (b != nullptr && (!resume || resume->backend == b->name)) streams.push_back({b, &bs, {}});
  }
  const auto deadline = Clock::now() + options_.fanout_timeout;
  co_await GatewayInternals::RunAll(executor_, streams.size(), [&](size_t i) -> http::Task<void> {
    co_await asio::this_coro::throw_if_cancelled(false);
    Stream& s = streams[i];
    const std::string_view last_event = resume ? resume->name : std::string_view();
    auto resp = co_await GatewayInternals::Exchange(
        *this, call, *s.backend, *s.session, {}, deadline, "GET", last_event, wire::kEventStream);
    if (!resp.ok()) co_return;
    if ((*resp)->status() == 200 && (*resp)->is_sse()) s.resp = std::move(resp).value();
  });
  std::erase_if(streams, [](const Stream& s) { return !s.resp; });
  auto cancel_state = co_await asio::this_coro::cancellation_state;
  if (cancel_state.cancelled() != asio::cancellation_type::none) co_return;
  if (streams.empty()) {
    http::Headers headers;
    headers.Set("allow", "POST, DELETE");
    co_await RespondText(call, 405, "no backend offers a server-to-client stream", &headers);
    co_return;
  }
  for (auto& s : streams) s.resp->set_deadline(Clock::time_point::max());
  http::Headers headers;
  headers.Set("content-type", wire::kEventStream);
  headers.Set("cache-control", "no-cache");
  AddCorsHeaders(headers);
  headers.Set(wire::kSessionIdHeader, call.token);
  call.writer.StartResponse(200, headers, std::nullopt);
  ClientStream out(call.writer);
  // The first bytes send the head, so the client knows the stream is open.
  co_await out.Write(": sluice stream\n\n");
  size_t open = streams.size() + 1;
  http::Timer heartbeat(executor_);
  co_await GatewayInternals::RunAll(
      executor_, streams.size() + 1, [&](size_t i) -> http::Task<void> {
        co_await asio::this_coro::throw_if_cancelled(false);
        if (i == streams.size()) {
          // Heartbeat comments keep idle proxies from closing the stream; a draining gateway
          // ends the stream (the client reconnects elsewhere, Transports §Resumability).
          auto last_beat = Clock::now();
          std::string tool_set = ToolSetFingerprint(call.route);
          while (open > 1 && !out.failed()) {
            heartbeat.expires_after(std::chrono::seconds(1));
            auto [ec] = co_await heartbeat.async_wait(kNoThrow);
            if (ec || open <= 1) break;
            if (options_.draining != nullptr && options_.draining->load()) {
              for (auto& st : streams) st.resp->Abort();
              break;
            }
            if (options_.current_config) {
              // A reload that changes which tools this route exposes (backends, selectors,
              // authorization) tells the client to list again (Server Features / Tools
              // §List Changed Notification).
              const auto now_cfg = options_.current_config();
              const config::McpRoute* now_route = nullptr;
              for (const auto& r : now_cfg->mcp_routes) {
                if (r.name == call.route->name) now_route = &r;
              }
              std::string fp = ToolSetFingerprint(now_route);
              if (fp != tool_set) {
                tool_set = std::move(fp);
                std::string ev;
                AppendEvent(ev, {},
                            R"({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})");
                if (!co_await out.Write(ev)) break;
              }
            }
            if (Clock::now() - last_beat < options_.heartbeat) continue;
            last_beat = Clock::now();
            if (!co_await out.Write(": keep-alive\n\n")) break;
          }
          --open;
          co_return;
        }
        Stream& s = streams[i];
        std::string buf;
        while (true) {
          auto ev = co_await s.resp->NextEvent();
          if (!ev.ok() || !ev->has_value()) break;
          if ((*ev)->data.empty()) continue;
          const std::string data = RewriteServerMessage((*ev)->data, s.backend->name, false);
          buf.clear();
          const std::string event_id =
              (*ev)->id.empty() ? std::string() : EncodeEventId(s.backend->name, (*ev)->id);
          AppendEvent(buf, event_id, data);
          if (!co_await out.Write(buf)) break;
        }
        s.resp->Close();
        if (--open == 1) heartbeat.cancel();
      });
  co_await call.writer.Finish();
}

http::Task<void> McpGateway::HandleDelete(Call& call) {
  // Transports §Session Management: the client ends the session; so does every backend's.
  if (!co_await OpenSession(call, *codec_, *reinitialized_)) co_return;
  std::vector<std::pair<const config::McpBackend*, const BackendSession*>> targets;
  for (const auto& bs : call.session->backends) {
    const auto* b = FindBackend(*call.route, bs.name);
    if (b != nullptr && !bs.session_id.empty()) targets.emplace_back(b, &bs);
  }
  const auto deadline = Clock::now() + options_.fanout_timeout;
  co_await GatewayInternals::RunAll(executor_, targets.size(), [&](size_t i) -> http::Task<void> {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto resp = co_await GatewayInternals::Exchange(*this, call, *targets[i].first,
                                                    *targets[i].second, {}, deadline, "DELETE");
    if (!resp.ok()) co_return;
    auto drained = co_await (*resp)->ReadAll(65536);
    (*resp)->Finish(client_.pool());
  });
  reinitialized_->Remember(kEndedKey, Sha256HexPrefix(call.token, 16), "1");
  co_await call.writer.Respond(200, {}, {});
}

http::Task<void> McpGateway::HandleProtectedResourceMetadata(Call& call) {
  // RFC 9728 §3: the protected resource metadata document.
  const config::McpOAuth& oauth = *call.route->oauth;
  json::object doc;
  doc["resource"] = oauth.resource;
  json::array servers;
  servers.push_back(json::value(oauth.issuer));
  doc["authorization_servers"] = std::move(servers);
  json::array methods;
  methods.push_back("header");
  doc["bearer_methods_supported"] = std::move(methods);
  if (!oauth.resource_name.empty()) doc["resource_name"] = oauth.resource_name;
  if (!oauth.scopes_supported.empty()) {
    json::array scopes;
    for (const auto& s : oauth.scopes_supported) scopes.push_back(json::value(s));
    doc["scopes_supported"] = std::move(scopes);
  }
  if (!oauth.signing_algs.empty()) {
    json::array algs;
    for (const auto& s : oauth.signing_algs) algs.push_back(json::value(s));
    doc["resource_signing_alg_values_supported"] = std::move(algs);
  }
  if (!oauth.resource_documentation.empty()) {
    doc["resource_documentation"] = oauth.resource_documentation;
  }
  if (!oauth.resource_policy_uri.empty()) doc["resource_policy_uri"] = oauth.resource_policy_uri;
  http::Headers headers;
  // Browser-based MCP clients fetch this document cross-origin.
  headers.Set("access-control-allow-origin", "*");
  headers.Set("access-control-allow-methods", "GET, OPTIONS");
  headers.Set("access-control-allow-headers", "*");
  if (call.req.method == "OPTIONS") {
    co_await call.writer.Respond(204, {}, {}, &headers);
    co_return;
  }
  co_await call.writer.Respond(200, wire::kJson, json::serialize(doc), &headers);
}

namespace {

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  out += out.size() > 1 ? ",\"" : "\"";
  out.append(key);
  out += "\":\"";
  AppendJsonEscaped(out, value);
  out += '"';
}

void AppendRaw(std::string& out, std::string_view key, std::string_view raw) {
  out += out.size() > 1 ? ",\"" : "\"";
  out.append(key);
  out += "\":";
  out.append(raw);
}

void WriteLog(observe::AccessLogBuffer& log, McpGateway::Call& call) {
  if (call.logged) return;
  call.logged = true;
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - call.start).count();
  // The leading fields of the API access log, then the MCP attributes of the reference's access
  // log (mcp.method.name, mcp.tool.name, mcp.session.id, jsonrpc.request.id; mcp.backend for its
  // mcp.provider.name). The session id is hashed: it is a bearer credential.
  const std::time_t secs = call.start_us / 1'000'000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(call.start_us % 1'000'000));
  std::string line = "{";
  line.reserve(512);
  AppendField(line, "start_time", buf);
  AppendField(line, "method", call.req.method);
  AppendField(line, "path", call.req.path());
  AppendRaw(line, "response_code", std::to_string(call.writer.status()));
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  AppendRaw(line, "duration_ms", buf);
  if (call.route) AppendField(line, "route", call.route->name);
  if (!call.method.empty()) AppendField(line, "mcp.method.name", call.method);
  if (!call.log_tool.empty()) AppendField(line, "mcp.tool.name", call.log_tool);
  if (!call.log_backend.empty()) AppendField(line, "mcp.backend", call.log_backend);
  if (!call.token.empty()) AppendField(line, "mcp.session.id", Sha256HexPrefix(call.token));
  if (!call.id.is_null()) AppendRaw(line, "jsonrpc.request.id", json::serialize(call.id));
  if (!call.log_error.empty()) AppendField(line, "error", call.log_error);
  line += '}';
  log.Write(line);
}

}  // namespace

}  // namespace sluice::mcp
