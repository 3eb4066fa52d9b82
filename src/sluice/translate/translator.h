#pragma once

// The translation framework. A Translator turns one client request into the upstream request a
// backend's schema expects, and the upstream response (JSON, SSE or AWS event-stream bytes, at any
// chunking) back into the client's API shape, counting token usage on the way.
//
// One instance per upstream attempt. Not thread-safe. Pure: no I/O, clock, stats or logging; the
// pipeline owns sockets, retries, credentials and the access log.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/config/runtime.h"
#include "sluice/core/result.h"
#include "sluice/json/request_body.h"
#include "sluice/limit/usage.h"

namespace sluice::translate {

// Client-facing endpoints (reference §1.1).
enum class Endpoint {
  kChatCompletions,      // POST /v1/chat/completions (OpenAI)
  kCompletions,          // POST /v1/completions (OpenAI)
  kEmbeddings,           // POST /v1/embeddings (OpenAI)
  kMessages,             // POST /anthropic/v1/messages (Anthropic)
  kMessagesCountTokens,  // POST /anthropic/v1/messages/count_tokens (Anthropic)
};
std::string_view EndpointName(Endpoint endpoint);  // e.g. "/v1/chat/completions"

// The API family the client speaks, which decides the shape of errors and responses.
enum class ClientApi { kOpenAI, kAnthropic };
ClientApi ApiOf(Endpoint endpoint);

// A header the client sent, lower-cased name. Translators read a few (anthropic-version,
// anthropic-beta); they never forward credentials.
struct HeaderView {
  std::string_view name;
  std::string_view value;
};

struct ClientRequest {
  Endpoint endpoint;
  std::string_view body;   // the client's JSON body (include_usage already ensured if needed)
  std::string_view model;  // the model to ask the backend for: modelNameOverride or the client's
  std::string_view model_override;  // modelNameOverride, empty when the client's model stands
  // Where `body`'s one top-level "model" value lies, when the gateway knows it from its first scan
  // and the body has not changed since: an override is then spliced in without a second scan.
  std::optional<json::ByteSpan> model_value;
  bool stream = false;     // the client asked for a stream
  const config::Backend* backend = nullptr;
  std::span<const HeaderView> headers;  // the client's, as received
};

struct UpstreamRequest {
  std::string path;  // absolute path with query, e.g. "/model/x%3A0/converse-stream"
  std::string body;
  // The client's body goes upstream unchanged: `body` is left empty and no copy is made.
  bool body_is_client_body = false;
  // Headers the translator sets (lower-case names), added after the client's forwarded headers
  // and replacing any of the same name; e.g. content-type, accept, anthropic-version.
  std::vector<std::pair<std::string, std::string>> set_headers;
  // Client headers that must not reach this backend (e.g. anthropic-beta for Bedrock).
  std::vector<std::string> remove_headers;
};

// What the client receives for an upstream error (or a request the target cannot express).
struct ClientError {
  int status = 500;
  std::string content_type = "application/json";
  std::string body;
};

class Translator {
 public:
  virtual ~Translator() = default;

  virtual Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) = 0;

  // True when a successful response body reaches the client byte for byte; the pipeline then
  // relays upstream bytes itself and passes them to OnUpstreamBody only to be observed.
  virtual bool relays_unchanged() const = 0;

  // Called once with a 2xx upstream head. Returns the client's content type (empty: keep the
  // upstream's) and whether the client response is a stream (relayed piece by piece).
  struct ResponseShape {
    std::string content_type;
    bool stream = false;
  };
  virtual ResponseShape OnResponseHead(int status, std::string_view upstream_content_type) = 0;

  // The upstream's request id header (x-amzn-requestid for AWS), when it sent one; called before
  // OnResponseHead. Translators that synthesise a response "id" (Bedrock sends none in the body)
  // use it, as the reference does; others ignore it.
  virtual void SetUpstreamRequestId(std::string_view id) {}

  // Non-empty when the upstream stream failed after the client's response had started (an AWS
  // event-stream exception, a truncated stream): the client got a well-formed end of stream
  // carrying the error, but the attempt is a failure. Valid once OnUpstreamEnd returned.
  virtual std::string_view stream_error() const { return {}; }

  // Upstream body bytes at any chunking; appends what the client should receive to `out`
  // (ignored when relays_unchanged()). A frame the translator cannot read is an upstream error.
  virtual Result<void> OnUpstreamBody(std::string_view bytes, std::string& out) = 0;
  // The upstream body ended; appends the end of the client's stream or document.
  virtual Result<void> OnUpstreamEnd(std::string& out) = 0;
  // A non-streamed body whole: OnUpstreamBody then OnUpstreamEnd, unless the translator can read
  // it where it lies. `body` keeps its bytes; its capacity may grow (e.g. for parser padding).
  virtual Result<void> OnUpstreamWholeBody(std::string& body, std::string& out) {
    if (auto r = OnUpstreamBody(body, out); !r.ok()) return r;
    return OnUpstreamEnd(out);
  }

  // Maps a non-2xx upstream response to the client's error shape (reference §9).
  virtual ClientError TranslateError(int status, std::string_view upstream_content_type,
                                     std::string_view error_type_header,
                                     std::string_view body) const = 0;

  // Usage and response model; final once OnUpstreamEnd returned OK.
  virtual const limit::ResponseInfo& response() const = 0;
};

// Builds the translator for an (endpoint, backend schema) pair, or nullptr when the pair is not
// supported. The table lives in registry.cc.
std::unique_ptr<Translator> NewTranslator(Endpoint endpoint, config::SchemaName backend_schema);
bool Supports(Endpoint endpoint, config::SchemaName backend_schema);

// The client's body with modelNameOverride as the value of its top-level "model", every other
// byte as the client sent it (a splice, not a re-serialisation), written to `out`. Uses the
// gateway's record of where "model" lies when it has one, else scans the body again.
Result<void> SpliceModelOverride(const ClientRequest& request, std::string& out);

// Error JSON in the shape Envoy AI Gateway returns and both OpenAI and Anthropic SDKs parse:
// {"type":"error","error":{"type":T,"code":"<status>","message":M}}.
ClientError GatewayError(int status, std::string_view type, std::string_view message);

}  // namespace sluice::translate
