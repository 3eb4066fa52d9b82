#include "sluice/translate/openai_embeddings/to_bedrock_titan.h"

#include <cstring>
#include <string>

#include "sluice/core/strings.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/schema/openai/chat.h"
#include "sluice/translate/bedrock/converse_common.h"
#include "sluice/translate/bedrock/converse_request.h"
#include "sluice/translate/bedrock/json_writer.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/field_errors.h"
#include "sluice/translate/common/upstream_path.h"

namespace sluice::translate::bedrock {

namespace {

namespace br = schema::bedrock;
namespace oa = schema::openai;

class OpenAIEmbeddingsToBedrockTitan final : public Translator {
 public:
  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) override {
    model_ = std::string(request.model);
    info_.model = model_;
    simdjson::dom::parser parser;
    auto body = ParseClientObject(parser, request.body);
    if (!body.ok()) return body.error();
    std::optional<std::string_view> text;
    std::optional<element> dimensions, normalize;
    for (auto field : *body) {
      const std::string_view key = field.key;
      const element value = field.value;
      if (key == oa::kInput) {
        std::string_view s;
        array a;
        if (AsString(value, s)) {
          text = s;
        } else if (value.get_array().get(a) == simdjson::SUCCESS) {
          // Titan's InvokeModel body has one inputText: a batch cannot be expressed.
          if (a.size() != 1) {
            return Unprocessable(key, "AWS Bedrock Titan embeds one input per request; got " +
                                          std::to_string(a.size()) +
                                          " inputs (send one string, or one request per input)");
          }
          element first;
          if (a.at(0).get(first) != simdjson::SUCCESS || !AsString(first, s)) {
            return Unprocessable(key, "AWS Bedrock Titan embeds text, not token arrays");
          }
          text = s;
        } else {
          return BadField(key, "must be a string or an array of strings");
        }
      } else if (key == oa::kDimensions) {
        if (!value.is_null()) dimensions = value;
      } else if (key == oa::kNormalize) {
        if (!value.is_null()) normalize = value;
      } else if (key == oa::kEncodingFormat) {
        std::string_view f;
        if (value.is_null()) continue;
        if (!AsString(value, f) || (f != oa::kEncodingFloat && f != oa::kEncodingBase64)) {
          return BadField(key, "must be float or base64");
        }
        base64_ = f == oa::kEncodingBase64;
      }
      // model is in the path; user has no Titan equivalent and does not change the answer.
    }
    if (!text) return BadField(oa::kInput, "is required");
    UpstreamRequest up;
    JsonWriter w(up.body);
    w.BeginObject().Field(br::kTitanInputText, *text);
    if (dimensions) {
      uint64_t n = 0;
      if (!AsUint(*dimensions, n)) return BadField(oa::kDimensions, "must be an integer");
      w.Key(br::kTitanDimensions).Uint(n);
    }
    if (normalize) {
      bool b = false;
      if (!AsBool(*normalize, b)) return BadField(oa::kNormalize, "must be a boolean");
      w.Key(br::kTitanNormalize).Bool(b);
    }
    w.EndObject();
    up.path = common::BedrockModelPath(model_, br::kInvokeSuffix);
    up.set_headers.emplace_back(br::kHeaderContentType, br::kContentTypeJson);
    up.set_headers.emplace_back(br::kHeaderAccept, br::kContentTypeJson);
    return up;
  }

  bool relays_unchanged() const override { return false; }

  ResponseShape OnResponseHead(int, std::string_view) override {
    return {std::string(oa::kJsonContentType), false};
  }

  Result<void> OnUpstreamBody(std::string_view bytes, std::string&) override {
    body_.append(bytes);
    return Ok();
  }

  Result<void> OnUpstreamEnd(std::string& out) override {
    simdjson::dom::parser parser;
    auto root = ParseJson(parser, body_, ErrorSource::kUpstream);
    if (!root.ok()) return root.error();
    object resp;
    element ee, ce;
    array embedding;
    if (root->get_object().get(resp) != simdjson::SUCCESS || !Find(resp, br::kTitanEmbedding, ee) ||
        ee.get_array().get(embedding) != simdjson::SUCCESS) {
      return Error(ErrorKind::kProtocol, "Titan response has no embedding array",
                   ErrorSource::kUpstream);
    }
    uint64_t tokens = 0;
    const bool has_tokens = Find(resp, br::kTitanInputTextTokenCount, ce) && AsUint(ce, tokens);
    if (has_tokens) {
      info_.usage.input = tokens;
      info_.usage.total = tokens;
    }
    JsonWriter w(out);
    w.BeginObject().Field(oa::kObject, oa::kObjectList).Key(oa::kData).BeginArray();
    w.BeginObject().Field(oa::kObject, oa::kObjectEmbedding).Key(oa::kIndex).Int(0);
    w.Key(oa::kEmbedding);
    if (base64_) {
      // encoding_format base64: the float32 little-endian bytes of the vector, base64-encoded,
      // as OpenAI answers (and as the OpenAI SDKs request by default).
      std::string bytes;
      bytes.reserve(embedding.size() * 4);
      for (element v : embedding) {
        double d = 0;
        if (!AsDouble(v, d)) {
          return Error(ErrorKind::kProtocol, "Titan embedding holds a non-number",
                       ErrorSource::kUpstream);
        }
        const float f = static_cast<float>(d);
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        for (int i = 0; i < 4; ++i) bytes += static_cast<char>((bits >> (8 * i)) & 0xFF);
      }
      w.String(Base64Encode(bytes));
    } else {
      w.Element(ee);  // the numbers as Titan wrote them
    }
    w.EndObject().EndArray().Field(oa::kModel, model_);
    w.Key(oa::kUsage).BeginObject().Key(oa::kPromptTokens).Uint(tokens);
    w.Key(oa::kTotalTokens).Uint(tokens).EndObject();
    w.EndObject();
    return Ok();
  }

  ClientError TranslateError(int status, std::string_view content_type, std::string_view error_type,
                             std::string_view body) const override {
    // As the reference: a JSON body without x-amzn-errortype is already OpenAI-shaped.
    return common::BedrockErrorToOpenAI(status, content_type, error_type, body,
                                        /*pass_json_without_type=*/true);
  }

  const limit::ResponseInfo& response() const override { return info_; }

 private:
  std::string model_;
  bool base64_ = false;
  std::string body_;
  limit::ResponseInfo info_;
};

}  // namespace

}  // namespace sluice::translate::bedrock

namespace sluice::translate {

std::unique_ptr<Translator> NewOpenAIEmbeddingsToBedrockTitan(Endpoint) {
  return std::make_unique<bedrock::OpenAIEmbeddingsToBedrockTitan>();
}

}  // namespace sluice::translate
