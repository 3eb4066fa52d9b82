#pragma once

// The request pipeline for the OpenAI-compatible endpoints: parse the body just enough to route,
// pick a backend (priority, then weight), rewrite, attach the upstream credential, send through the
// worker's connection pool, relay the answer (streams frame by frame), count usage and costs, and
// write the access log. Thin orchestration; the pieces live in their own modules.

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "sluice/config/runtime.h"
#include "sluice/http/client.h"
#include "sluice/http/server.h"
#include "sluice/http/targets.h"
#include "sluice/observe/access_log.h"
#include "sluice/translate/translator.h"

namespace sluice::pipeline {

// The current configuration snapshot. Thread-safe: workers load it per request; a reload stores a
// new one. In-flight requests keep the snapshot they loaded.
class ConfigSource {
 public:
  explicit ConfigSource(std::shared_ptr<const config::RuntimeConfig> initial)
      : current_(std::move(initial)) {}
  std::shared_ptr<const config::RuntimeConfig> Get() const {
    return current_.load(std::memory_order_acquire);
  }
  void Set(std::shared_ptr<const config::RuntimeConfig> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const config::RuntimeConfig>> current_;
};

// A handler for requests on paths that are not the OpenAI-compatible API, such as the MCP
// endpoint. One instance per worker, like Gateway. The Gateway asks each extension in order before
// treating a request as an API call.
class Extension {
 public:
  virtual ~Extension() = default;
  virtual bool Accepts(const config::RuntimeConfig& config, const http::Request& request) const = 0;
  virtual http::Task<void> Handle(std::shared_ptr<const config::RuntimeConfig> config,
                                  http::Request& request, http::ResponseWriter& writer) = 0;
};

struct GatewayOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  size_t max_response_bytes = 256 * 1024 * 1024;  // buffered (non-stream) upstream bodies
};

// For http::AcceptLoop: the bodies of API requests are indexed as JSON while they arrive, so that
// validating a large one costs little once it is in (json/incremental_index.h).
std::shared_ptr<const http::BodyObserverFactory> ApiBodyObservers();

// One per worker thread; not thread-safe. Lives as long as the worker's io_context.
class Gateway {
 public:
  Gateway(const ConfigSource& config, http::Executor executor, observe::AccessLogBuffer& log,
          GatewayOptions options = {});
  ~Gateway();

  http::Task<void> Handle(http::Request& request, http::ResponseWriter& writer);

  // Extensions are owned by the caller and must outlive the Gateway.
  void AddExtension(Extension* extension) { extensions_.push_back(extension); }

 private:
  struct Exchange;
  struct Refusal {  // an error answer: status, error type, message
    int status;
    std::string_view type;
    std::string message;
  };
  // The steps before the first upstream attempt that need no waiting: endpoint, method, body,
  // model and route. Kept out of Handle so that its coroutine frame stays small.
  std::optional<Refusal> Admit(Exchange& ex);
  http::Task<void> Proxy(Exchange& ex);
  // One attempt on one backend, ready to send: its translator, the translated request, the
  // upstream head and where it goes.
  struct Attempt {
    std::unique_ptr<translate::Translator> translator;
    translate::UpstreamRequest up;
    std::string head;
    std::shared_ptr<const http::UpstreamTarget> target;
  };
  enum class AttemptPlan {
    kReady,        // `attempt` is set
    kNextBackend,  // this backend cannot serve: ex.last_error or `unsupported` says why
    kRefuse,       // the request itself is wrong: `refusal` is the answer
  };
  // Whether an upstream answer `status` from backend `picked` is dropped for another backend's
  // (429 and 5xx, before any byte reaches the client, when another backend is left).
  bool FailOver(Exchange& ex, std::vector<size_t> excluded, size_t picked, int status);
  // The steps of an attempt that need no waiting, kept out of Proxy's coroutine frame.
  AttemptPlan PrepareAttempt(Exchange& ex, const config::RuleBackendRef& ref, Attempt& attempt,
                             std::optional<Refusal>& refusal,
                             std::optional<translate::ClientError>& unsupported);
  // Relaying one upstream response to the client through the translator: StartRelay reads the
  // head (true when the answer is a stream), then RelayStream or RelayWhole carries the body and
  // returns whether the upstream connection can be reused. Two coroutines, each with a small frame.
  bool StartRelay(Exchange& ex, translate::Translator& translator, http::ResponseHead& head);
  http::Task<bool> RelayStream(Exchange& ex, translate::Translator& translator,
                               http::UpstreamConnection& conn, const http::Headers& headers);
  http::Task<bool> RelayWhole(Exchange& ex, translate::Translator& translator,
                              http::UpstreamConnection& conn, http::ResponseHead& head);
  http::Task<void> RespondError(Exchange& ex, int status, std::string_view type,
                                std::string_view message);
  Result<std::shared_ptr<const http::UpstreamTarget>> TargetFor(const Exchange& ex,
                                                                const config::Backend& backend);
  void Finish(Exchange& ex);
  // The connection cancelled the request (deadline passed or client gone).
  static bool Aborted(const Exchange& ex);

  const ConfigSource& config_;
  http::Executor executor_;
  observe::AccessLogBuffer& log_;
  GatewayOptions options_;
  http::UpstreamPool pool_;
  std::mt19937_64 rng_;
  http::UpstreamTargets targets_;
  // Targets (pool keys, TLS contexts) by endpoint, built once per config snapshot; the snapshot is
  // held so that its endpoints' addresses stay valid keys.
  std::shared_ptr<const config::RuntimeConfig> targets_config_;
  std::unordered_map<const config::Endpoint*, std::shared_ptr<const http::UpstreamTarget>>
      target_cache_;
  std::map<std::string, size_t> endpoint_cursor_;  // round-robin over a Backend's endpoints
  std::vector<Extension*> extensions_;
  std::vector<translate::HeaderView> header_views_;  // a request's headers as translators see them
};

}  // namespace sluice::pipeline
