#include "sluice/translate/openai_passthrough.h"

#include "sluice/core/strings.h"
#include "sluice/json/errors.h"
#include "sluice/json/padding.h"
#include "sluice/json/request_body.h"
#include "sluice/translate/common/upstream_path.h"

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

// Azure OpenAI addresses the model as a deployment in the path (reference §1.3):
// /openai/deployments/{model}/chat/completions?api-version={schema.version}.
std::string AzurePath(Endpoint endpoint, std::string_view model, std::string_view api_version) {
  std::string path = "/openai/deployments/";
  common::AppendPathSegment(path, model);
  path += UpstreamSuffix(endpoint);
  path += "?api-version=";
  path += api_version;
  return path;
}

class OpenAIPassthrough final : public Translator {
 public:
  OpenAIPassthrough(Endpoint endpoint, bool azure) : endpoint_(endpoint), azure_(azure) {}

  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) override {
    UpstreamRequest out;
    if (azure_) {
      out.path = AzurePath(endpoint_, request.model, request.backend->schema.version);
    } else {
      const std::string_view suffix = UpstreamSuffix(endpoint_);
      out.path.reserve(request.backend->schema.prefix.size() + suffix.size());
      out.path = request.backend->schema.prefix;
      out.path += suffix;
    }
    // Azure reads the model from the path; like the reference, its chat bodies stay untouched.
    const bool keep_model = azure_ && endpoint_ == Endpoint::kChatCompletions;
    if (request.model_override.empty() || keep_model) {
      out.body_is_client_body = true;
      return out;
    }
    if (auto r = SpliceModelOverride(request, out.body); !r.ok()) return r.error();
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
      json::AppendPadded(body_, bytes);  // read for usage at the end, in place
    }
    return Ok();
  }

  Result<void> OnUpstreamWholeBody(std::string& body, std::string& out) override {
    if (stream_) return Translator::OnUpstreamWholeBody(body, out);
    ReadAnswer(body);  // in place: no copy into body_
    return Ok();
  }

  Result<void> OnUpstreamEnd(std::string&) override {
    if (stream_) {
      info_ = stream_usage_.info();
    } else {
      ReadAnswer(body_);
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
  // Usage and model of a non-streamed answer; an answer that is not JSON passes through uncounted.
  void ReadAnswer(std::string& answer) {
    if (auto info = limit::ReadOpenAIResponse(answer); info.ok()) info_ = std::move(info).value();
  }

  Endpoint endpoint_;
  bool azure_;
  bool stream_ = false;
  std::string body_;
  limit::OpenAIStreamUsage stream_usage_;
  limit::ResponseInfo info_;
};

}  // namespace

std::unique_ptr<Translator> NewOpenAIPassthrough(Endpoint endpoint) {
  return std::make_unique<OpenAIPassthrough>(endpoint, /*azure=*/false);
}

std::unique_ptr<Translator> NewAzureOpenAI(Endpoint endpoint) {
  return std::make_unique<OpenAIPassthrough>(endpoint, /*azure=*/true);
}

}  // namespace sluice::translate
