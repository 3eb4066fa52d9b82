#include "sluice/pipeline/gateway.h"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <chrono>

#include "sluice/auth/credential.h"
#include "sluice/core/bounded_writer.h"
#include "sluice/core/strings.h"
#include "sluice/json/errors.h"
#include "sluice/json/incremental_index.h"
#include "sluice/json/padding.h"
#include "sluice/json/request_body.h"
#include "sluice/limit/costs.h"
#include "sluice/limit/usage.h"
#include "sluice/route/matcher.h"
#include "sluice/translate/translator.h"

namespace sluice::pipeline {

namespace {

namespace asio = boost::asio;

// The API endpoints this pipeline serves (reference §1.1).
struct EndpointSpec {
  std::string_view client_path;
  translate::Endpoint endpoint;
  bool is_chat;  // OpenAI chat completions: may need stream_options.include_usage
};
constexpr EndpointSpec kEndpoints[] = {
    {"/v1/chat/completions", translate::Endpoint::kChatCompletions, true},
    {"/v1/completions", translate::Endpoint::kCompletions, false},
    {"/v1/embeddings", translate::Endpoint::kEmbeddings, false},
    {"/anthropic/v1/messages", translate::Endpoint::kMessages, false},
    {"/anthropic/v1/messages/count_tokens", translate::Endpoint::kMessagesCountTokens, false},
};
constexpr std::string_view kModelsPath = "/v1/models";
constexpr std::string_view kAnthropicModelsPath = "/anthropic/v1/models";
constexpr std::string_view kModelHeader = "x-ai-eg-model";

// Reference texts (Envoy AI Gateway / Envoy) kept verbatim so users' alerts and greps carry over.
constexpr std::string_view kNoRouteMessage =
    "No matching route found. It is likely because the model specified in your request is not "
    "configured in the Gateway.";
constexpr std::string_view kConnectFailure =
    "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
constexpr std::string_view kUpstreamTimeout = "upstream request timeout";
constexpr std::string_view kBackendErrorType = "OpenAIBackendError";

const EndpointSpec* FindEndpoint(std::string_view path) {
  for (const auto& e : kEndpoints) {
    if (e.client_path == path) return &e;
  }
  return nullptr;
}

class JsonBodyIndexer final : public http::BodyObserver {
 public:
  void OnBodyBytes(std::string& body, size_t received) override { index.Advance(body, received); }
  json::IncrementalIndex index;
};

std::string_view ProviderName(config::SchemaName schema) {
  switch (schema) {
    case config::SchemaName::kOpenAI: return "openai";
    case config::SchemaName::kAzureOpenAI: return "azure.openai";
    case config::SchemaName::kAnthropic: return "anthropic";
    case config::SchemaName::kAWSBedrock: return "aws.bedrock";
    case config::SchemaName::kAWSAnthropic: return "aws.anthropic";
    case config::SchemaName::kGCPVertexAI: return "gcp.vertex_ai";
    case config::SchemaName::kGCPAnthropic: return "gcp.anthropic";
    case config::SchemaName::kCohere: return "cohere";
  }
  return "unknown";
}

class RequestHeaderLookup final : public route::HeaderLookup {
 public:
  explicit RequestHeaderLookup(const http::Headers& headers) : headers_(headers) {}
  std::optional<std::string_view> Get(std::string_view lower_name) const override {
    // Rules mostly match on one header (x-ai-eg-model), one rule after another: each run of
    // lookups of the same name scans the headers once.
    if (!cached_ || lower_name != cached_name_) {
      cached_name_ = lower_name;
      cached_value_ = headers_.Get(lower_name);
      cached_ = true;
    }
    return cached_value_;
  }

 private:
  const http::Headers& headers_;
  mutable bool cached_ = false;
  mutable std::string_view cached_name_;
  mutable std::optional<std::string_view> cached_value_;
};

bool Contains(const std::vector<std::string>& names, std::string_view lower_name) {
  for (const auto& n : names) {
    if (EqualsIgnoreCase(n, lower_name)) return true;
  }
  return false;
}

int64_t UnixMicrosNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct Gateway::Exchange {
  Exchange(http::Request& r, http::ResponseWriter& w) : req(r), writer(w) {}
  http::Request& req;
  http::ResponseWriter& writer;
  std::shared_ptr<const config::RuntimeConfig> cfg;
  const EndpointSpec* endpoint = nullptr;
  const config::Route* route = nullptr;
  const config::Rule* rule = nullptr;
  json::RequestPeek peek;
  observe::AccessRecord record;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  limit::ResponseInfo response;
  bool succeeded = false;
  bool logged = false;
  std::string last_error;
};

std::shared_ptr<const http::BodyObserverFactory> ApiBodyObservers() {
  return std::make_shared<const http::BodyObserverFactory>(
      [](const http::Request& request) -> std::unique_ptr<http::BodyObserver> {
        if (request.method != "POST" || FindEndpoint(request.path()) == nullptr) return nullptr;
        return std::make_unique<JsonBodyIndexer>();
      });
}

Gateway::Gateway(const ConfigSource& config, http::Executor executor,
                 observe::AccessLogBuffer& log, GatewayOptions options)
    : config_(config),
      executor_(executor),
      log_(log),
      options_(options),
      pool_(executor),
      rng_(std::random_device{}()) {}

Gateway::~Gateway() = default;

http::Task<void> Gateway::Handle(http::Request& req, http::ResponseWriter& writer) {
  // Failures are values here: a cancelled operation (client gone, deadline) must return an error
  // code rather than throw, so the access log is always written.
  co_await asio::this_coro::throw_if_cancelled(false);
  // On the heap rather than in this coroutine's frame: the frame then stays within the sizes the
  // allocator serves fastest.
  const auto exchange = std::make_unique<Exchange>(req, writer);
  Exchange& ex = *exchange;
  ex.cfg = config_.Get();
  ex.record.start_unix_micros = UnixMicrosNow();
  ex.record.method = req.method;
  ex.record.path = req.path();
  const std::string_view path = req.path();

  for (Extension* extension : extensions_) {
    if (extension->Accepts(*ex.cfg, req)) {
      co_await extension->Handle(ex.cfg, req, writer);
      co_return;  // extensions write their own access-log lines
    }
  }
  if ((path == kModelsPath || path == kAnthropicModelsPath) &&
      (req.method == "GET" || req.method == "HEAD")) {
    const std::string body = path == kModelsPath
                                 ? route::ModelsListJson(*ex.cfg, req.host())
                                 : route::AnthropicModelsListJson(*ex.cfg, req.host());
    co_await writer.Respond(200, "application/json", body);
    Finish(ex);
    co_return;
  }
  if (auto refusal = Admit(ex)) {
    co_await RespondError(ex, refusal->status, refusal->type, refusal->message);
    co_return;
  }

  // The connection cancels whatever Proxy waits for when the deadline passes or the client
  // leaves; Proxy then returns and the cause is read back here.
  http::RequestControl* control = writer.control();
  if (control) control->ArmDeadline(ex.rule->request_timeout);
  co_await Proxy(ex);
  const bool client_gone = control && control->client_gone();
  const bool timed_out = control && control->deadline_expired();
  // A client that closes right after reading a complete response is not a disconnect.
  const bool answered = writer.finished() && !writer.failed();
  if (!answered && (client_gone || writer.failed())) {
    ex.record.response_code = 499;  // client closed the connection first (nginx's convention)
    ex.record.error = "client disconnected";
    Finish(ex);
    co_return;
  }
  if (timed_out && !answered) {
    if (!writer.started()) {
      co_await RespondError(ex, 504, kBackendErrorType, kUpstreamTimeout);
      co_return;
    }
    // Mid-stream: the client already has a 200; end the connection so it sees a truncated body.
    writer.set_close();
    ex.record.error = "request timeout mid-stream";
  }
  Finish(ex);
}

std::optional<Gateway::Refusal> Gateway::Admit(Exchange& ex) {
  http::Request& req = ex.req;
  const std::string_view path = req.path();
  ex.endpoint = FindEndpoint(path);
  if (ex.endpoint == nullptr) {
    return Refusal{404, "NotFound", "unsupported path: " + std::string(path)};
  }
  if (req.method != "POST") {
    return Refusal{405, "MethodNotAllowed",
                   "method " + req.method + " not allowed for " + std::string(path)};
  }

  json::EnsurePadding(req.body);
  auto* indexer = dynamic_cast<JsonBodyIndexer*>(req.body_observer.get());
  auto peek = json::PeekRequest(req.body, indexer ? &indexer->index : nullptr);
  req.body_observer.reset();  // the index is spent; a large body's may be megabytes
  if (!peek.ok()) {
    return Refusal{400, "BadRequest",
                   "malformed request: failed to parse JSON for " + std::string(path) + ": " +
                       peek.error().message()};
  }
  ex.peek = std::move(peek).value();
  ex.record.stream = ex.peek.stream;
  if (!ex.peek.has_model) {
    return Refusal{400, "BadRequest", "invalid request body: model field is required"};
  }
  ex.record.original_model = ex.peek.model;
  req.headers.Set(kModelHeader, ex.peek.model);  // the gateway's value always wins

  auto match = route::MatchRoute(*ex.cfg, req.host(), RequestHeaderLookup(req.headers));
  if (!match) return Refusal{404, "NotFound", std::string(kNoRouteMessage)};
  ex.route = match->route;
  ex.rule = match->rule;
  ex.record.route = ex.route->name;
  ex.record.rule = ex.rule->name;

  // Costs need usage, and OpenAI only reports usage on streams when asked to (reference §1.1).
  const bool costs_configured = !ex.route->costs.empty() || !ex.cfg->global_costs.empty();
  if (ex.endpoint->is_chat && ex.peek.stream && costs_configured && !ex.peek.include_usage) {
    if (auto r = json::EnsureIncludeUsage(req.body); !r.ok()) {
      return Refusal{400, "BadRequest", "malformed request: " + r.error().message()};
    }
    ex.peek.only_model.reset();  // the edit may have moved it
  }
  return std::nullopt;
}

Result<std::shared_ptr<const http::UpstreamTarget>> Gateway::TargetFor(
    const Exchange& ex, const config::Backend& backend) {
  if (backend.endpoints.empty()) {
    return Error(ErrorKind::kUnavailable, "backend " + backend.name + " has no endpoints",
                 ErrorSource::kInternal, true);
  }
  size_t& cursor = endpoint_cursor_[backend.name];  // round-robin over the Backend's endpoints
  const config::Endpoint& endpoint = backend.endpoints[cursor++ % backend.endpoints.size()];
  if (ex.cfg != targets_config_) {
    target_cache_.clear();
    targets_config_ = ex.cfg;
  }
  auto cached = target_cache_.find(&endpoint);
  if (cached != target_cache_.end()) return cached->second;
  auto target = targets_.For(endpoint, backend.tls);
  if (!target.ok()) return target.error();
  auto shared = std::make_shared<const http::UpstreamTarget>(std::move(target).value());
  target_cache_.emplace(&endpoint, shared);
  return shared;
}

namespace {

using namespace std::string_view_literals;

// The upstream request head: the client's headers minus framing, hop-by-hop and (when the backend
// has its own) credential headers, then the translator's headers, the mutations, Host and the
// credential.
Result<std::string> BuildUpstreamHead(const http::Request& req, const config::Backend& backend,
                                      const config::RuleBackendRef& ref,
                                      const translate::UpstreamRequest& up,
                                      std::string_view body) {
  // The backend's credential: a static header (the common case, no copies) or a signature's.
  const auto static_credential = auth::StaticCredentialHeader(backend);
  auth::HeaderList signed_headers;
  if (!static_credential) {
    auto signed_ok = auth::AppendCredentialHeaders(
        backend, {"POST", backend.host_header, up.path, body}, signed_headers);
    if (!signed_ok.ok()) return signed_ok.error();
  }
  // The head is bounded first (every field that could go in), then written with plain copies.
  size_t bound = 64 + up.path.size() + backend.host_header.size() + BoundedWriter::kMaxNumberBytes;
  auto count = [&](std::string_view name, std::string_view value) {
    bound += name.size() + value.size() + BoundedWriter::kFieldSeparatorBytes;
  };
  for (const auto& f : req.headers.fields()) count(f.name, f.value);
  for (const auto& [name, value] : up.set_headers) count(name, value);
  for (const auto& [name, value] : ref.header_mutation.set) count(name, value);
  if (static_credential) count(static_credential->first, static_credential->second);
  for (const auto& [name, value] : signed_headers) count(name, value);

  std::string head;
  {  // the writer cuts `head` to what was written when it goes
    BoundedWriter w(head, bound);
    // The upstream target is the translator's path alone: like Envoy AI Gateway's translators, the
    // client's query string is not carried over.
    w.Literal("POST "sv);
    w.Literal(up.path);
    w.Literal(" HTTP/1.1\r\n"sv);
    w.Field("host"sv, backend.host_header);
    const bool has_credential = backend.auth.type != config::UpstreamAuth::Type::kNone;
    // Fields named in Connection are hop-by-hop too (RFC 9110 §7.6.1).
    // Split once per request, and only when the client sent a Connection header.
    const std::string_view connection = req.headers.Get("connection").value_or("");
    const std::vector<std::string_view> connection_tokens =
        connection.empty() ? std::vector<std::string_view>() : Split(connection, ',');
    auto named_in_connection = [&](std::string_view name) {
      for (std::string_view token : connection_tokens) {
        if (EqualsIgnoreCase(TrimWhitespace(token), name)) return true;
      }
      return false;
    };
    auto set_later = [&](std::string_view name) {
      for (const auto& [n, v] : up.set_headers) {
        if (EqualsIgnoreCase(n, name)) return true;
      }
      for (const auto& [n, v] : ref.header_mutation.set) {
        if (EqualsIgnoreCase(n, name)) return true;
      }
      return false;
    };
    for (const auto& f : req.headers.fields()) {
      if (http::IsHopByHopOrFraming(f.name) || named_in_connection(f.name) ||
          EqualsIgnoreCase(f.name, "host") || EqualsIgnoreCase(f.name, "expect") ||
          // Sluice reads usage from the body, so it asks for identity encoding.
          EqualsIgnoreCase(f.name, "accept-encoding") ||
          (has_credential && auth::IsCredentialHeader(f.name)) ||
          Contains(up.remove_headers, f.name) || Contains(ref.header_mutation.remove, f.name) ||
          set_later(f.name)) {
        continue;
      }
      w.Field(f.name, f.value);
    }
    for (const auto& [name, value] : up.set_headers) {
      if (!Contains(ref.header_mutation.remove, name)) w.Field(name, value);
    }
    for (const auto& [name, value] : ref.header_mutation.set) {
      if (has_credential && auth::IsCredentialHeader(name)) continue;
      w.Field(name, value);
    }
    if (static_credential) w.Field(static_credential->first, static_credential->second);
    for (const auto& [name, value] : signed_headers) w.Field(name, value);
    w.Literal("content-length: "sv);
    w.Number(body.size());
    w.Literal("\r\n\r\n"sv);
  }
  return head;
}

}  // namespace

Gateway::AttemptPlan Gateway::PrepareAttempt(Exchange& ex, const config::RuleBackendRef& ref,
                                             Attempt& attempt, std::optional<Refusal>& refusal,
                                             std::optional<translate::ClientError>& unsupported) {
  const config::Backend& backend = *ref.backend;
  ++ex.record.attempts;
  ex.record.backend = backend.name;
  ex.record.provider = ProviderName(backend.schema.name);
  ex.record.request_model =
      ref.model_name_override.empty() ? ex.peek.model : ref.model_name_override;

  // Each attempt gets a fresh translator built from the client's original request.
  attempt.translator = translate::NewTranslator(ex.endpoint->endpoint, backend.schema.name);
  if (!attempt.translator) {
    unsupported = translate::GatewayError(
        422, "UnprocessableEntity",
        "invalid request body: backend " + backend.name + " (schema " +
            std::string(config::SchemaNameString(backend.schema.name)) + ") cannot serve " +
            std::string(ex.endpoint->client_path));
    return AttemptPlan::kNextBackend;
  }
  translate::ClientRequest creq;
  creq.endpoint = ex.endpoint->endpoint;
  creq.body = ex.req.body;
  creq.model = ex.record.request_model;
  creq.model_override = ref.model_name_override;
  creq.model_value = ex.peek.only_model;
  creq.stream = ex.peek.stream;
  creq.backend = &backend;
  header_views_.clear();
  for (const auto& f : ex.req.headers.fields()) header_views_.push_back({f.name, f.value});
  creq.headers = header_views_;  // used during TranslateRequest only, which does not wait
  auto up = attempt.translator->TranslateRequest(creq);
  if (!up.ok()) {
    const bool unprocessable = up.error().kind() == ErrorKind::kUnprocessable;
    refusal = Refusal{unprocessable ? 422 : 400,
                      unprocessable ? "UnprocessableEntity" : "BadRequest",
                      "invalid request body: " + up.error().message()};
    return AttemptPlan::kRefuse;
  }
  attempt.up = std::move(up).value();
  if (!ref.body_mutation.empty()) {
    if (attempt.up.body_is_client_body) {
      attempt.up.body = ex.req.body;
      attempt.up.body_is_client_body = false;
    }
    if (auto r = json::ApplyBodyMutation(attempt.up.body, ref.body_mutation); !r.ok()) {
      refusal = Refusal{400, "BadRequest", "malformed request: " + r.error().message()};
      return AttemptPlan::kRefuse;
    }
  }
  const std::string_view upstream_body =
      attempt.up.body_is_client_body ? ex.req.body : attempt.up.body;
  auto head = BuildUpstreamHead(ex.req, backend, ref, attempt.up, upstream_body);
  if (!head.ok()) {
    ex.last_error = head.error().message();
    return AttemptPlan::kNextBackend;
  }
  attempt.head = std::move(head).value();

  auto found = TargetFor(ex, backend);
  if (!found.ok()) {
    ex.last_error = found.error().message();
    return AttemptPlan::kNextBackend;
  }
  attempt.target = std::move(found).value();
  ex.record.upstream = attempt.target->address;
  return AttemptPlan::kReady;
}

bool Gateway::FailOver(Exchange& ex, std::vector<size_t> excluded, size_t picked, int status) {
  if (status != 429 && status < 500) return false;
  excluded.push_back(picked);
  if (!route::PickBackend(*ex.rule, rng_(), excluded)) return false;
  ex.last_error = "upstream answered " + std::to_string(status);
  return true;
}

http::Task<void> Gateway::Proxy(Exchange& ex) {
  std::vector<size_t> excluded;
  const auto& refs = ex.rule->backend_refs;
  std::optional<translate::ClientError> unsupported;
  std::optional<Refusal> refusal;
  while (true) {
    const auto picked = route::PickBackend(*ex.rule, rng_(), excluded);
    if (!picked) break;
    Attempt attempt;
    switch (PrepareAttempt(ex, refs[*picked], attempt, refusal, unsupported)) {
      case AttemptPlan::kReady: break;
      case AttemptPlan::kNextBackend: excluded.push_back(*picked); continue;
      case AttemptPlan::kRefuse:
        co_await RespondError(ex, refusal->status, refusal->type, refusal->message);
        co_return;
    }
    const std::string_view upstream_body =
        attempt.up.body_is_client_body ? ex.req.body : attempt.up.body;

    // A pooled connection may have been closed by the peer just before we used it: such a failure
    // before any response byte is retried on a fresh connection to the same backend.
    bool delivered = false;
    while (true) {
      Result<std::unique_ptr<http::UpstreamConnection>> conn = pool_.TakeIdle(*attempt.target);
      if (!*conn) {
        conn = co_await pool_.Acquire(*attempt.target, options_.connect_timeout);
        if (Aborted(ex)) co_return;  // deadline or client gone: Handle answers
      }
      if (!conn.ok()) {
        ex.last_error = conn.error().message();
        break;
      }
      const bool reused = (*conn)->reused();
      if (!(*conn)->TrySend(attempt.head, upstream_body)) {
        auto sent = co_await (*conn)->Send(attempt.head, upstream_body);
        if (Aborted(ex)) co_return;
        if (!sent.ok()) {
          ex.last_error = sent.error().message();
          if (reused) continue;
          break;
        }
      }
      // (GCC 12 miscompiles co_await inside a conditional expression: keep them as statements.)
      auto response_head = co_await (*conn)->ReadHead();
      if (Aborted(ex)) co_return;
      if (!response_head.ok()) {
        ex.last_error = response_head.error().message();
        if (reused && response_head.error().retryable()) continue;
        break;
      }
      http::ResponseHead& head = **response_head;  // the connection's: used before its release
      if (FailOver(ex, excluded, *picked, head.status)) {
        (*conn)->Close();
        break;
      }
      bool reusable;
      translate::Translator& translator = *attempt.translator;
      if (StartRelay(ex, translator, head)) {
        reusable = co_await RelayStream(ex, translator, **conn, head.headers);
      } else {
        reusable = co_await RelayWhole(ex, translator, **conn, head);
      }
      if (reusable) pool_.Release(std::move(conn).value());
      delivered = true;
      break;
    }
    if (delivered) co_return;
    excluded.push_back(*picked);
  }
  if (unsupported && ex.last_error.empty()) {
    ex.record.response_code = unsupported->status;
    ex.record.error = unsupported->body;
    co_await ex.writer.Respond(unsupported->status, unsupported->content_type, unsupported->body);
    co_return;
  }
  refusal = Refusal{503, kBackendErrorType, std::string(kConnectFailure)};
  if (!ex.last_error.empty()) refusal->message += ", transport failure reason: " + ex.last_error;
  co_await RespondError(ex, refusal->status, refusal->type, refusal->message);
}

bool Gateway::StartRelay(Exchange& ex, translate::Translator& translator,
                         http::ResponseHead& head) {
  ex.record.response_code = head.status;
  // Bedrock names each response by its request id; translators that echo an id use it.
  if (auto id = head.headers.Get("x-amzn-requestid")) translator.SetUpstreamRequestId(*id);
  if (head.status < 200 || head.status >= 300) return false;
  const auto shape =
      translator.OnResponseHead(head.status, head.headers.Get("content-type").value_or(""));
  if (!shape.content_type.empty()) head.headers.Set("content-type", shape.content_type);
  if (!translator.relays_unchanged()) {
    // The body is re-encoded: upstream framing and integrity headers no longer describe it.
    head.headers.Remove("content-encoding");
    head.headers.Remove("content-md5");
    head.headers.Remove("x-amzn-crc32");
  }
  return shape.stream;
}

http::Task<bool> Gateway::RelayStream(Exchange& ex, translate::Translator& translator,
                                      http::UpstreamConnection& conn,
                                      const http::Headers& headers) {
  const bool unchanged = translator.relays_unchanged();
  std::string out;
  // Relay each piece as it arrives; nothing waits for the next one.
  ex.writer.StartResponse(ex.record.response_code, headers, std::nullopt);
  while (true) {
    auto piece = co_await conn.ReadBody();
    if (!piece.ok()) {
      ex.record.error = piece.error().message();
      ex.writer.set_close();
      co_return false;
    }
    if (!piece->has_value()) break;
    out.clear();
    if (auto r = translator.OnUpstreamBody(**piece, out); !r.ok()) {
      ex.record.error = "upstream stream could not be translated: " + r.error().message();
      ex.writer.set_close();
      co_return false;
    }
    const std::string_view to_client = unchanged ? **piece : std::string_view(out);
    if (!co_await ex.writer.WriteBody(to_client)) co_return false;
  }
  out.clear();
  if (auto r = translator.OnUpstreamEnd(out); !r.ok()) {
    ex.record.error = "upstream stream could not be translated: " + r.error().message();
    ex.writer.set_close();
    co_return false;
  }
  if (!unchanged && !out.empty() && !co_await ex.writer.WriteBody(out)) co_return false;
  co_await ex.writer.Finish();
  ex.response = translator.response();
  if (const auto failure = translator.stream_error(); !failure.empty()) {
    // The client got a well-formed error event; the attempt is logged as failed, unbilled.
    ex.record.error = "upstream stream failed: " + std::string(failure);
  } else {
    ex.succeeded = true;
  }
  co_return conn.reusable();
}

http::Task<bool> Gateway::RelayWhole(Exchange& ex, translate::Translator& translator,
                                     http::UpstreamConnection& conn, http::ResponseHead& head) {
  const int status = head.status;
  bool need_read;
  auto whole = conn.BufferedWholeBody(options_.max_response_bytes, need_read);
  if (need_read) whole = co_await conn.ReadWholeBody(options_.max_response_bytes);
  if (!whole.ok()) {
    ex.record.error = whole.error().message();
    co_await RespondError(ex, 502, kBackendErrorType,
                          whole.error().kind() == ErrorKind::kTooLarge
                              ? whole.error().message()
                              : "upstream response failed: " + whole.error().message());
    co_return false;
  }
  std::string& body = **whole;  // the connection's buffer: translators read it in place

  if (status >= 200 && status < 300) {
    std::string out;
    auto r = translator.OnUpstreamWholeBody(body, out);
    if (!r.ok()) {
      co_await RespondError(ex, 502, kBackendErrorType,
                            "upstream response could not be translated: " + r.error().message());
      co_return conn.reusable();
    }
    ex.response = translator.response();
    ex.succeeded = true;
    const std::string_view to_client = translator.relays_unchanged() ? body : out;
    if (!ex.writer.RespondAtOnce(status, {}, to_client, &head.headers)) {
      co_await ex.writer.SendPending();
    }
    co_return conn.reusable();
  }
  ex.record.error = "upstream status " + std::to_string(status);
  const auto error = translator.TranslateError(
      status, head.headers.Get("content-type").value_or(""),
      head.headers.Get("x-amzn-errortype").value_or(""), body);
  // Upstream headers (retry-after, x-ratelimit-*, request ids) stay useful to the client.
  if (error.body != body) {
    head.headers.Remove("content-encoding");
    head.headers.Remove("content-md5");
  }
  co_await ex.writer.Respond(error.status, error.content_type, error.body, &head.headers);
  co_return conn.reusable();
}

http::Task<void> Gateway::RespondError(Exchange& ex, int status, std::string_view type,
                                       std::string_view message) {
  ex.record.response_code = status;
  if (ex.record.error.empty()) ex.record.error = std::string(message);
  if (!ex.writer.started()) {
    const auto error = translate::GatewayError(status, type, message);
    co_await ex.writer.Respond(error.status, error.content_type, error.body);
  }
  Finish(ex);
}

bool Gateway::Aborted(const Exchange& ex) {
  const http::RequestControl* control = ex.writer.control();
  return control && (control->deadline_expired() || control->client_gone());
}

void Gateway::Finish(Exchange& ex) {
  if (ex.logged) return;
  ex.logged = true;
  auto& r = ex.record;
  if (r.response_code == 0) r.response_code = ex.writer.status();
  r.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                            ex.start)
                      .count();
  if (ex.succeeded) {
    const auto& u = ex.response.usage;
    r.input_tokens = u.input;
    r.output_tokens = u.output;
    r.total_tokens = u.total;
    r.cached_input_tokens = u.cached_input;
    r.cache_creation_input_tokens = u.cache_creation_input;
    r.reasoning_tokens = u.reasoning;
    r.response_model = ex.response.model.empty() ? r.request_model : ex.response.model;
    if (ex.route) limit::ComputeCosts(u, ex.route->costs, ex.cfg->global_costs, r.costs);
  }
  log_.Write(r);
}

}  // namespace sluice::pipeline
