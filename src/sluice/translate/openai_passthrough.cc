#include "sluice/translate/openai_passthrough.h"

#include "sluice/core/strings.h"
#include "sluice/json/errors.h"
#include "sluice/json/request_body.h"

namespace sluice::translate {

namespace {

constexpr std::string_view kBackendErrorType = "OpenAIBackendError";

std::string_view UpstreamSuffix(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kChatCompletions: return "/chat/completions";
    case Endpoint::kCompletions: return "/completions";
    case Endpoint::kEmbeddings: return "/embeddings";
    default: return {};
  }
}

bool LooksLikeJson(std::string_view body) {
  const auto trimmed = TrimWhitespace(body);
  return !trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[');
}

class OpenAIPassthrough final : public Translator {
 public:
  explicit OpenAIPassthrough(Endpoint endpoint) : endpoint_(endpoint) {}

  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) override {
    UpstreamRequest out;
    out.path = request.backend->schema.prefix + std::string(UpstreamSuffix(endpoint_));
    out.body = std::string(request.body);
    if (!request.model_override.empty()) {
      // Splice, not re-serialise: every other byte goes upstream as the client sent it.
      if (auto r = json::SpliceModel(out.body, request.model_override); !r.ok()) return r.error();
    }
    return out;
  }

  bool relays_unchanged() const override { return true; }

  ResponseShape OnResponseHead(int, std::string_view content_type) override {
    stream_ = StartsWithIgnoreCase(content_type, "text/event-stream");
    return {{}, stream_};
  }

  Result<void> OnUpstreamBody(std::string_view bytes, std::string&) override {
    if (stream_) {
      stream_usage_.Feed(bytes);
    } else {
      body_.append(bytes);
    }
    return Ok();
  }

  Result<void> OnUpstreamEnd(std::string&) override {
    if (stream_) {
      info_ = stream_usage_.info();
    } else if (auto info = limit::ReadOpenAIResponse(body_); info.ok()) {
      info_ = std::move(info).value();
    }
    return Ok();
  }

  ClientError TranslateError(int status, std::string_view content_type, std::string_view,
                             std::string_view body) const override {
    ClientError error;
    error.status = status;
    if (LooksLikeJson(body)) {
      error.body = std::string(body);  // OpenAI-family errors pass through unchanged
    } else {
      // Non-JSON errors are wrapped so OpenAI clients can still parse them (reference §9).
      error.body = json::OpenAIErrorJson(kBackendErrorType, status, body);
    }
    return error;
  }

  const limit::ResponseInfo& response() const override { return info_; }

 private:
  Endpoint endpoint_;
  bool stream_ = false;
  std::string body_;
  limit::OpenAIStreamUsage stream_usage_;
  limit::ResponseInfo info_;
};

}  // namespace

std::unique_ptr<Translator> NewOpenAIPassthrough(Endpoint endpoint) {
  return std::make_unique<OpenAIPassthrough>(endpoint);
}

}  // namespace sluice::translate
