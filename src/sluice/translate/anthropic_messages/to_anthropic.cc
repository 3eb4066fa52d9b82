// Anthropic Messages → native Anthropic backend (reference §1.3 "messages → Anthropic",
// "count_tokens → Anthropic"; §2 "Native Anthropic SSE").

#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/json/request_body.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/translate/anthropic_messages/factories.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/anthropic_usage.h"
#include "sluice/translate/common/json_util.h"

namespace sluice::translate {

namespace {

namespace wire = schema::anthropic;
using common::AnthropicUsage;

bool HasHeader(const ClientRequest& request, std::string_view name) {
  for (const auto& h : request.headers) {
    if (EqualsIgnoreCase(h.name, name)) return true;
  }
  return false;
}

class AnthropicPassthrough final : public Translator {
 public:
  explicit AnthropicPassthrough(Endpoint endpoint) : endpoint_(endpoint) {}

  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) override {
    UpstreamRequest out;
    if (endpoint_ == Endpoint::kMessagesCountTokens) {
      // Fixed path, prefix ignored, as the reference does (§12 quirk 3).
      out.path = std::string(wire::kCountTokensPath);
    } else {
      out.path = request.backend->schema.prefix + std::string(wire::kMessagesSuffix);
    }
    if (request.model_override.empty()) {
      out.body_is_client_body = true;
    } else if (auto r = SpliceModelOverride(request, out.body); !r.ok()) {
      return r.error();
    }
    // The API requires anthropic-version on every request; clients' own value always stands.
    if (!HasHeader(request, wire::kVersionHeader)) {
      out.set_headers.emplace_back(wire::kVersionHeader, wire::kDefaultVersion);
    }
    request_model_ = std::string(request.model);
    return out;
  }

  bool relays_unchanged() const override { return true; }

  ResponseShape OnResponseHead(int, std::string_view content_type) override {
    stream_ = StartsWithIgnoreCase(content_type, "text/event-stream");
    return {{}, stream_};
  }

  Result<void> OnUpstreamBody(std::string_view bytes, std::string&) override {
    if (!stream_) {
      body_.append(bytes);
      return Ok();
    }
    if (sse_failed_) return Ok();
    // Observation only: a stream this reader cannot follow is still relayed untouched.
    auto r = sse_.Feed(bytes, [&](const codec::SseEvent& e) -> Result<void> {
      if (!e.event.empty() && e.event != wire::kEventMessageStart &&
          e.event != wire::kEventMessageDelta) {
        return Ok();  // content events are frequent and carry no usage: not parsed
      }
      usage_.OnStreamEvent(e.data);  // read in place: the event itself is relayed as it came
      return Ok();
    });
    if (!r.ok()) sse_failed_ = true;
    return Ok();
  }

  Result<void> OnUpstreamEnd(std::string&) override {
    if (!stream_) {
      auto parsed = common::ParseJson(body_, ErrorSource::kUpstream);
      if (parsed.ok() && parsed->is_object()) {
        if (endpoint_ == Endpoint::kMessagesCountTokens) {
          usage_.OnCountTokens(parsed->get_object());
        } else {
          usage_.OnMessage(parsed->get_object());
        }
      }
    }
    info_.usage = usage_.usage();
    info_.model = usage_.model();
    return Ok();
  }

  ClientError TranslateError(int status, std::string_view, std::string_view,
                             std::string_view body) const override {
    return common::AnthropicUpstreamError(status, body);
  }

  const limit::ResponseInfo& response() const override { return info_; }

 private:
  Endpoint endpoint_;
  bool stream_ = false;
  bool sse_failed_ = false;
  std::string body_;
  std::string request_model_;
  codec::SseParser sse_;
  AnthropicUsage usage_;
  limit::ResponseInfo info_;
};

}  // namespace

std::unique_ptr<Translator> NewAnthropicPassthrough(Endpoint endpoint) {
  return std::make_unique<AnthropicPassthrough>(endpoint);
}

}  // namespace sluice::translate
