// Anthropic Messages → Claude on Amazon Bedrock (InvokeModel). Reference §1.3 "messages →
// AWSAnthropic", "count_tokens → AWSAnthropic"; §2 "InvokeModel stream (AWSAnthropic)".
//
// Request: the client's body with "model" and "stream" removed and "anthropic_version" set
// (schema.version, default bedrock-2023-05-31 — the reference leaves it empty when unset, §12
// quirk 2, which Bedrock rejects); the anthropic-beta header becomes the "anthropic_beta" array
// (Bedrock user guide, "Anthropic Claude Messages API": beta features go in the body). Bytes are
// edited in place, never re-serialised.
// Response: JSON relayed byte for byte; the stream's {"bytes": base64} chunks are decoded and
// re-emitted as "event: <type>\ndata: <json>\n\n", exceptions as Anthropic "error" events.

#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/json/request_body.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/translate/anthropic_messages/factories.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/anthropic_usage.h"
#include "sluice/translate/common/bedrock_invoke_stream.h"
#include "sluice/translate/common/json_util.h"
#include "sluice/translate/common/upstream_path.h"

namespace sluice::translate {

namespace {

namespace wire = schema::anthropic;
namespace br = schema::bedrock;
using common::bj::array;
using common::bj::object;

// Everything before "anthropic." names a cross-region inference profile ("us.", "eu.", "global.");
// CountTokens wants the base model id (reference §1.3).
std::string_view BaseModelId(std::string_view model) {
  const auto pos = model.find("anthropic.");
  return pos == std::string_view::npos ? model : model.substr(pos);
}

class AnthropicToAWSAnthropic final : public Translator {
 public:
  explicit AnthropicToAWSAnthropic(Endpoint endpoint) : endpoint_(endpoint) {}

  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) override {
    stream_ = request.stream && endpoint_ == Endpoint::kMessages;
    count_tokens_ = endpoint_ == Endpoint::kMessagesCountTokens;
    request_model_ = std::string(request.model);

    // The anthropic-beta header (comma-separated, possibly repeated) joins any body values.
    array betas;
    auto parsed = common::ParseClientObject(request.body);
    if (!parsed.ok()) return parsed.error();
    if (const auto* existing = parsed->if_contains(br::kAnthropicBeta)) {
      if (const auto* a = existing->if_array()) betas = *a;
    }
    for (const auto& h : request.headers) {
      if (!EqualsIgnoreCase(h.name, wire::kBetaHeader)) continue;
      for (std::string_view token : Split(h.value, ',')) {
        token = TrimWhitespace(token);
        if (token.empty()) continue;
        bool dup = false;
        for (const auto& b : betas)
          dup |= b.is_string() && std::string_view(b.get_string()) == token;
        if (!dup) betas.emplace_back(token);
      }
    }

    config::BodyMutation edit;
    edit.remove = {std::string(wire::kModel), std::string(wire::kStream)};
    const std::string& version = request.backend->schema.version;
    edit.set.emplace_back(std::string(br::kAnthropicVersion),
                          JsonQuote(version.empty() ? br::kAnthropicDefaultVersion : version));
    if (!betas.empty())
      edit.set.emplace_back(std::string(br::kAnthropicBeta), common::ToJson(betas));
    if (count_tokens_ && !parsed->contains(wire::kMaxTokens)) {
      // InvokeModel bodies require max_tokens; counting does not depend on it.
      edit.set.emplace_back(std::string(wire::kMaxTokens), "1");
    }
    UpstreamRequest out;
    out.body = std::string(request.body);
    if (auto r = json::ApplyBodyMutation(out.body, edit); !r.ok()) return r.error();

    if (count_tokens_) {
      // CountTokens: {"input":{"invokeModel":{"body":"<base64 InvokeModel body>"}}}.
      std::string wrapped = R"({"input":{"invokeModel":{"body":)";
      wrapped += JsonQuote(Base64Encode(out.body));
      wrapped += "}}}";
      out.body = std::move(wrapped);
      out.path = common::BedrockModelPath(BaseModelId(request.model), br::kCountTokensSuffix);
    } else {
      out.path = common::BedrockModelPath(request.model,
                                          stream_ ? br::kInvokeStreamSuffix : br::kInvokeSuffix);
    }
    out.set_headers.emplace_back(br::kHeaderContentType, br::kContentTypeJson);
    out.set_headers.emplace_back(br::kHeaderAccept,
                                 stream_ ? br::kContentTypeEventStream : br::kContentTypeJson);
    // Bedrock takes the version and betas from the body; the headers mean nothing there.
    out.remove_headers = {std::string(wire::kVersionHeader), std::string(wire::kBetaHeader)};
    return out;
  }

  bool relays_unchanged() const override { return !stream_ && !count_tokens_; }

  ResponseShape OnResponseHead(int, std::string_view) override {
    if (stream_) return {"text/event-stream", true};
    return {count_tokens_ ? "application/json" : "", false};
  }

  Result<void> OnUpstreamBody(std::string_view bytes, std::string& out) override {
    if (!stream_) {
      body_.append(bytes);
      return Ok();
    }
    if (ended_) return Ok();
    auto on_event = [&](std::string_view event_json) -> Result<void> {
      auto parsed = common::ParseJson(event_json, ErrorSource::kUpstream);
      if (!parsed.ok() || !parsed->is_object()) {
        return Error(ErrorKind::kProtocol, "Bedrock chunk is not an Anthropic event",
                     ErrorSource::kUpstream);
      }
      const object& o = parsed->get_object();
      const std::string_view type = common::StringOr(o, wire::kType, "");
      if (type == wire::kEventMessageStart) {
        if (const auto* m = common::FindObject(o, wire::kMessage)) usage_.OnMessage(*m);
      } else if (type == wire::kEventMessageDelta) {
        usage_.OnMessageDelta(o);
      }
      codec::AppendSseEvent(out, type, event_json);
      return Ok();
    };
    auto on_exception = [&](std::string_view type, std::string_view message) -> Result<void> {
      // Mid-stream failure: the client already has a 200, so it gets Anthropic's error event.
      codec::AppendSseEvent(
          out, wire::kEventError,
          common::AnthropicErrorJson(common::AnthropicErrorTypeForBedrockException(type), message));
      ended_ = true;
      stream_error_ = std::string(type) + ": " + std::string(message);
      return Ok();
    };
    return stream_decoder_.Feed(bytes, {on_event, on_exception});
  }

  Result<void> OnUpstreamEnd(std::string& out) override {
    if (stream_) {
      if (!ended_ && stream_decoder_.mid_message()) {
        codec::AppendSseEvent(out, wire::kEventError,
                              common::AnthropicErrorJson(wire::kErrInternalServer,
                                                         "upstream stream ended mid-frame"));
        stream_error_ = "upstream stream ended mid-frame";
      }
    } else {
      auto parsed = common::ParseJson(body_, ErrorSource::kUpstream);
      if (!parsed.ok() || !parsed->is_object()) {
        if (count_tokens_) {
          return Error(ErrorKind::kProtocol, "CountTokens answer is not JSON",
                       ErrorSource::kUpstream);
        }
      } else if (count_tokens_) {
        const auto n = common::FindCount(parsed->get_object(), br::kInputTokens);
        if (!n) {
          return Error(ErrorKind::kProtocol, "CountTokens answer without inputTokens",
                       ErrorSource::kUpstream);
        }
        out += R"({"input_tokens":)";
        out += std::to_string(*n);
        out += '}';
        object count;
        count[wire::kInputTokens] = *n;
        usage_.OnCountTokens(count);
      } else {
        usage_.OnMessage(parsed->get_object());
      }
    }
    info_.usage = usage_.usage();
    info_.model = usage_.model().empty() ? request_model_ : usage_.model();
    return Ok();
  }

  ClientError TranslateError(int status, std::string_view, std::string_view,
                             std::string_view body) const override {
    return common::BedrockErrorToAnthropic(status, body);
  }

  const limit::ResponseInfo& response() const override { return info_; }
  std::string_view stream_error() const override { return stream_error_; }

 private:
  Endpoint endpoint_;
  bool stream_ = false;
  bool count_tokens_ = false;
  bool ended_ = false;
  std::string stream_error_;
  std::string request_model_;
  std::string body_;
  common::BedrockInvokeStream stream_decoder_;
  common::AnthropicUsage usage_;
  limit::ResponseInfo info_;
};

}  // namespace

std::unique_ptr<Translator> NewAnthropicToAWSAnthropic(Endpoint endpoint) {
  return std::make_unique<AnthropicToAWSAnthropic>(endpoint);
}

}  // namespace sluice::translate
