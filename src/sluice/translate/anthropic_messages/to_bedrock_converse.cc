#include "sluice/translate/anthropic_messages/to_bedrock_converse.h"

#include <functional>
#include <optional>
#include <string>

#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/translate/bedrock/converse_common.h"
#include "sluice/translate/bedrock/json_writer.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/field_errors.h"
#include "sluice/translate/common/upstream_path.h"

namespace sluice::translate {

namespace {

namespace br = schema::bedrock;
namespace an = schema::anthropic;
using bedrock::Find;
using bedrock::JsonWriter;
using common::At;
using common::BadField;
using common::Dot;
using common::Unprocessable;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

bool IsNumber(element e) {
  const auto t = e.type();
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

bool HasCacheControl(object o) {
  element cc;
  return Find(o, an::kCacheControl, cc) && !cc.is_null();
}

std::string_view TypeOf(object o) {
  element t;
  std::string_view s;
  if (Find(o, an::kType, t)) bedrock::AsString(t, s);
  return s;
}

std::string_view StringField(object o, std::string_view key) {
  element e;
  std::string_view s;
  if (Find(o, key, e)) bedrock::AsString(e, s);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Request: Anthropic Messages → Converse.

class RequestBuilder {
 public:
  explicit RequestBuilder(std::string_view model) : model_(model) {}
  Result<std::string> Build(object root);

 private:
  Result<void> Message(object msg, const std::string& path);
  Result<void> System(element system, const std::string& path);
  // One content block of a user or assistant turn.
  Result<void> Block(JsonWriter& w, object block, std::string_view role, const std::string& path);
  Result<void> Image(JsonWriter& w, object block, const std::string& path);
  Result<void> Document(JsonWriter& w, object block, const std::string& path);
  Result<void> ToolResult(JsonWriter& w, object block, const std::string& path);
  Result<void> Tools(JsonWriter& w);

  std::string_view model_;
  bedrock::ConverseMessageList messages_;
  std::string system_;
  std::optional<element> max_tokens_, temperature_, top_p_, top_k_, stop_sequences_, tools_,
      tool_choice_, thinking_, output_config_;
};

Result<std::string> RequestBuilder::Build(object root) {
  std::optional<array> messages;
  std::optional<element> system;
  for (auto field : root) {
    const std::string_view key = field.key;
    const element value = field.value;
    if (key == an::kMessages) {
      array a;
      if (value.get_array().get(a) != simdjson::SUCCESS) return BadField(key, "must be an array");
      messages = a;
    } else if (key == an::kSystem) {
      if (!value.is_null()) system = value;
    } else if (key == an::kMaxTokens) {
      max_tokens_ = value;
    } else if (key == an::kTemperature) {
      temperature_ = value;
    } else if (key == an::kTopP) {
      top_p_ = value;
    } else if (key == an::kTopK) {
      top_k_ = value;
    } else if (key == an::kStopSequences) {
      stop_sequences_ = value;
    } else if (key == an::kTools) {
      tools_ = value;
    } else if (key == an::kToolChoice) {
      tool_choice_ = value;
    } else if (key == an::kThinking) {
      if (!value.is_null()) thinking_ = value;
    } else if (key == an::kOutputConfig) {
      if (!value.is_null()) output_config_ = value;
    } else if (key == an::kContainer || key == an::kMcpServers || key == an::kContextManagement) {
      if (!value.is_null()) {
        return Unprocessable(key, "Bedrock Converse has no equivalent for this Anthropic feature");
      }
    }
    // model and stream are in the path; metadata and service_tier do not change the answer and
    // are not forwarded (docs/translation.md).
  }
  if (!messages) return BadField(an::kMessages, "is required");
  if (system) {
    if (auto r = System(*system, std::string(an::kSystem)); !r.ok()) return r.error();
  }
  size_t i = 0;
  for (element m : *messages) {
    const std::string path = At(an::kMessages, i++);
    object msg;
    if (m.get_object().get(msg) != simdjson::SUCCESS) return BadField(path, "must be an object");
    if (auto r = Message(msg, path); !r.ok()) return r.error();
  }

  std::string body;
  body.reserve(1024);
  JsonWriter w(body);
  w.BeginObject().Key(br::kMessages);
  messages_.Write(w);
  if (!system_.empty()) w.Key(br::kSystem).BeginArray().Raw(system_).EndArray();

  std::string inference;
  JsonWriter iw(inference);
  // max_tokens is required by Anthropic's API; a request without it is forwarded without maxTokens
  // and the provider answers as it does.
  if (max_tokens_ && !max_tokens_->is_null()) {
    if (!IsNumber(*max_tokens_)) return BadField(an::kMaxTokens, "must be an integer");
    iw.Key(br::kMaxTokens).Element(*max_tokens_);
  }
  if (temperature_ && !temperature_->is_null()) {
    if (!IsNumber(*temperature_)) return BadField(an::kTemperature, "must be a number");
    iw.Key(br::kTemperature).Element(*temperature_);
  }
  if (top_p_ && !top_p_->is_null()) {
    if (!IsNumber(*top_p_)) return BadField(an::kTopP, "must be a number");
    iw.Key(br::kTopP).Element(*top_p_);
  }
  bool has_stop_sequences = false;
  if (stop_sequences_ && !stop_sequences_->is_null()) {
    array a;
    if (stop_sequences_->get_array().get(a) != simdjson::SUCCESS) {
      return BadField(an::kStopSequences, "must be an array of strings");
    }
    iw.Key(br::kStopSequences).BeginArray();
    size_t j = 0;
    for (element e : a) {
      std::string_view s;
      if (!bedrock::AsString(e, s)) return BadField(At(an::kStopSequences, j), "must be a string");
      iw.String(s);
      ++j;
      has_stop_sequences = true;
    }
    iw.EndArray();
  }
  if (!inference.empty()) w.Key(br::kInferenceConfig).BeginObject().Raw(inference).EndObject();

  if (auto r = Tools(w); !r.ok()) return r.error();

  // Claude-native request fields travel in additionalModelRequestFields.
  std::string extra;
  JsonWriter x(extra);
  if (top_k_ && !top_k_->is_null()) {
    if (!IsNumber(*top_k_)) return BadField(an::kTopK, "must be an integer");
    x.Key(an::kTopK).Element(*top_k_);
  }
  if (thinking_) {
    if (thinking_->type() != element_type::OBJECT)
      return BadField(an::kThinking, "must be an object");
    // enabled (budget_tokens), disabled and adaptive (Claude Opus 4.6 and later) as sent.
    x.Key(an::kThinking).Element(*thinking_);
  }
  std::optional<element> format;
  if (output_config_) {
    object oc;
    if (output_config_->get_object().get(oc) != simdjson::SUCCESS) {
      return BadField(an::kOutputConfig, "must be an object");
    }
    element effort, fe;
    if (Find(oc, an::kEffort, effort) && !effort.is_null()) {
      x.Key(an::kOutputConfig).BeginObject().Key(an::kEffort).Element(effort);
      x.EndObject();
    }
    if (Find(oc, an::kFormat, fe) && !fe.is_null()) format = fe;
  }
  if (!extra.empty()) {
    w.Key(br::kAdditionalModelRequestFields).BeginObject().Raw(extra).EndObject();
  }
  // Claude reports the stop sequence that matched in its own response fields; ask Bedrock for it
  // so stop_sequence can be filled in.
  if (has_stop_sequences && bedrock::IsClaudeModel(model_)) {
    w.Key(br::kAdditionalModelResponseFieldPaths).BeginArray();
    w.String(br::kClaudeStopSequencePath).EndArray();
  }
  if (format) {
    // output_config.format {"type":"json_schema","schema"} → Converse outputConfig.textFormat.
    object fo;
    element se;
    if (format->get_object().get(fo) != simdjson::SUCCESS || TypeOf(fo) != an::kFormatJsonSchema ||
        !Find(fo, an::kSchema, se)) {
      return Unprocessable(Dot(an::kOutputConfig, an::kFormat),
                           "Bedrock structured output takes {\"type\":\"json_schema\",\"schema\"}");
    }
    w.Key(br::kOutputConfig).BeginObject().Key(br::kTextFormat).BeginObject();
    w.Field(br::kType, br::kTextFormatJsonSchema).Key(br::kStructure).BeginObject();
    w.Key(br::kJsonSchema).BeginObject().Field(br::kSchema, bedrock::ToJson(se));
    w.EndObject().EndObject().EndObject().EndObject();
  }
  w.EndObject();
  return body;
}

Result<void> RequestBuilder::System(element system, const std::string& path) {
  JsonWriter w(system_, !system_.empty());
  std::string_view text;
  array blocks;
  if (bedrock::AsString(system, text)) {
    w.BeginObject().Field(br::kText, text).EndObject();
    return Ok();
  }
  if (system.get_array().get(blocks) != simdjson::SUCCESS) {
    return BadField(path, "must be a string or an array of text blocks");
  }
  size_t j = 0;
  for (element b : blocks) {
    const std::string bpath = At(path, j++);
    object block;
    if (b.get_object().get(block) != simdjson::SUCCESS) return BadField(bpath, "must be an object");
    if (TypeOf(block) != an::kBlockText) {
      return Unprocessable(Dot(bpath, an::kType), "system prompts carry text blocks only");
    }
    w.BeginObject().Field(br::kText, StringField(block, an::kText)).EndObject();
    if (HasCacheControl(block)) bedrock::WriteCachePoint(w);
  }
  return Ok();
}

Result<void> RequestBuilder::Message(object msg, const std::string& path) {
  const std::string_view role = StringField(msg, an::kRole);
  element content;
  if (!Find(msg, an::kContent, content) || content.is_null()) {
    return BadField(Dot(path, an::kContent), "is required");
  }
  if (role == "system") {
    // Not part of Anthropic's API, but sent by some clients: promoted to the system prompt as
    // the reference does.
    return System(content, Dot(path, an::kContent));
  }
  if (role != an::kRoleUser && role != an::kRoleAssistant) {
    return BadField(Dot(path, an::kRole), "must be user or assistant");
  }
  JsonWriter& w = messages_.Blocks(role == an::kRoleUser ? br::kRoleUser : br::kRoleAssistant);
  std::string_view text;
  array blocks;
  if (bedrock::AsString(content, text)) {
    w.BeginObject().Field(br::kText, text).EndObject();
    return Ok();
  }
  if (content.get_array().get(blocks) != simdjson::SUCCESS) {
    return BadField(Dot(path, an::kContent), "must be a string or an array of blocks");
  }
  size_t j = 0;
  for (element b : blocks) {
    const std::string bpath = At(Dot(path, an::kContent), j++);
    object block;
    if (b.get_object().get(block) != simdjson::SUCCESS) return BadField(bpath, "must be an object");
    if (auto r = Block(w, block, role, bpath); !r.ok()) return r;
  }
  return Ok();
}

Result<void> RequestBuilder::Block(JsonWriter& w, object block, std::string_view role,
                                   const std::string& path) {
  const std::string_view type = TypeOf(block);
  const bool user = role == an::kRoleUser;
  if (type == an::kBlockText) {
    element te;
    std::string_view text;
    if (!Find(block, an::kText, te) || !bedrock::AsString(te, text)) {
      return BadField(Dot(path, an::kText), "is required");
    }
    w.BeginObject().Field(br::kText, text).EndObject();
  } else if (type == an::kBlockImage) {
    if (auto r = Image(w, block, path); !r.ok()) return r;
  } else if (type == an::kBlockDocument && user) {
    if (auto r = Document(w, block, path); !r.ok()) return r;
  } else if (type == an::kBlockToolResult && user) {
    if (auto r = ToolResult(w, block, path); !r.ok()) return r;
  } else if (type == an::kBlockToolUse && !user) {
    element ie;
    w.BeginObject().Key(br::kToolUse).BeginObject();
    w.Field(br::kToolUseId, StringField(block, an::kId))
        .Field(br::kName, StringField(block, an::kName));
    w.Key(br::kInput);
    if (Find(block, an::kInput, ie) && !ie.is_null()) {
      w.Element(ie);
    } else {
      w.Raw("{}");
    }
    w.EndObject().EndObject();
  } else if (type == an::kBlockThinking && !user) {
    element se;
    std::string_view signature;
    w.BeginObject().Key(br::kReasoningContent).BeginObject().Key(br::kReasoningText).BeginObject();
    w.Field(br::kText, StringField(block, an::kBlockThinking));
    if (Find(block, an::kSignature, se) && bedrock::AsString(se, signature)) {
      w.Field(br::kSignature, signature);
    }
    w.EndObject().EndObject().EndObject();
  } else if (type == an::kBlockRedactedThinking && !user) {
    // Anthropic's opaque data string is the blob Bedrock carries as redactedContent (base64 on
    // the wire); the response path decodes it back.
    w.BeginObject().Key(br::kReasoningContent).BeginObject();
    w.Field(br::kRedactedContent, Base64Encode(StringField(block, an::kData)));
    w.EndObject().EndObject();
  } else {
    return Unprocessable(Dot(path, an::kType), std::string(role) + " content blocks of type " +
                                                   std::string(type) +
                                                   " have no Bedrock Converse equivalent");
  }
  if (HasCacheControl(block)) bedrock::WriteCachePoint(w);
  return Ok();
}

Result<void> RequestBuilder::Image(JsonWriter& w, object block, const std::string& path) {
  element se;
  object source;
  if (!Find(block, an::kSource, se) || se.get_object().get(source) != simdjson::SUCCESS) {
    return BadField(Dot(path, an::kSource), "is required");
  }
  const std::string spath = Dot(path, an::kSource);
  if (TypeOf(source) != an::kSourceBase64) {
    return Unprocessable(Dot(spath, an::kType),
                         "Bedrock takes image bytes: only base64 sources are supported");
  }
  const std::string_view media_type = StringField(source, an::kMediaType);
  auto format = bedrock::ImageFormat(media_type);
  if (!format) {
    return Unprocessable(Dot(spath, an::kMediaType),
                         "image type " + std::string(media_type) +
                             " is not one Bedrock accepts (png, jpeg, gif, webp)");
  }
  auto bytes = Base64Decode(StringField(source, an::kData));
  if (!bytes) return BadField(Dot(spath, an::kData), "is not valid base64");
  bedrock::WriteImageBlock(w, *format, Base64Encode(*bytes));
  return Ok();
}

Result<void> RequestBuilder::Document(JsonWriter& w, object block, const std::string& path) {
  element se;
  object source;
  if (!Find(block, an::kSource, se) || se.get_object().get(source) != simdjson::SUCCESS) {
    return BadField(Dot(path, an::kSource), "is required");
  }
  const std::string spath = Dot(path, an::kSource);
  const std::string_view source_type = TypeOf(source);
  const std::string name = bedrock::DocumentName(StringField(block, an::kTitle));
  if (source_type == an::kSourceBase64) {
    const std::string_view media_type = StringField(source, an::kMediaType);
    auto format = bedrock::DocumentFormat(media_type);
    if (!format) {
      return Unprocessable(Dot(spath, an::kMediaType), "document type " + std::string(media_type) +
                                                           " is not one Bedrock accepts");
    }
    auto bytes = Base64Decode(StringField(source, an::kData));
    if (!bytes) return BadField(Dot(spath, an::kData), "is not valid base64");
    bedrock::WriteDocumentBlock(w, *format, name, Base64Encode(*bytes));
    return Ok();
  }
  if (source_type == an::kSourceText) {
    bedrock::WriteDocumentBlock(w, "txt", name, Base64Encode(StringField(source, an::kData)));
    return Ok();
  }
  return Unprocessable(Dot(spath, an::kType),
                       "Bedrock takes document bytes: only base64 and text sources are supported");
}

Result<void> RequestBuilder::ToolResult(JsonWriter& w, object block, const std::string& path) {
  element ce, ee;
  bool is_error = false;
  bool cache_after = false;
  w.BeginObject().Key(br::kToolResult).BeginObject();
  w.Field(br::kToolUseId, StringField(block, an::kToolUseId));
  w.Key(br::kContent).BeginArray();
  std::string_view text;
  array items;
  if (Find(block, an::kContent, ce) && !ce.is_null()) {
    if (bedrock::AsString(ce, text)) {
      w.BeginObject().Field(br::kText, text).EndObject();
    } else if (ce.get_array().get(items) == simdjson::SUCCESS) {
      size_t j = 0;
      for (element it : items) {
        const std::string ipath = At(Dot(path, an::kContent), j++);
        object item;
        if (it.get_object().get(item) != simdjson::SUCCESS)
          return BadField(ipath, "must be an object");
        const std::string_view type = TypeOf(item);
        // ToolResultContentBlock holds text, image, document and json, but no cachePoint: a
        // cache_control inside puts the cachePoint after the whole result.
        if (type == an::kBlockText) {
          w.BeginObject().Field(br::kText, StringField(item, an::kText)).EndObject();
        } else if (type == an::kBlockImage) {
          if (auto r = Image(w, item, ipath); !r.ok()) return r;
        } else if (type == an::kBlockDocument) {
          if (auto r = Document(w, item, ipath); !r.ok()) return r;
        } else {
          return Unprocessable(Dot(ipath, an::kType),
                               "tool results carry text, image and document blocks only");
        }
        if (HasCacheControl(item)) cache_after = true;
      }
    } else {
      return BadField(Dot(path, an::kContent), "must be a string or an array of blocks");
    }
  }
  w.EndArray();
  if (Find(block, an::kIsError, ee) && bedrock::AsBool(ee, is_error) && is_error) {
    w.Field(br::kStatus, br::kStatusError);
  }
  w.EndObject().EndObject();
  if (cache_after) bedrock::WriteCachePoint(w);
  return Ok();
}

Result<void> RequestBuilder::Tools(JsonWriter& w) {
  array tools;
  if (!tools_ || tools_->is_null()) return Ok();
  if (tools_->get_array().get(tools) != simdjson::SUCCESS)
    return BadField(an::kTools, "must be an array");
  if (tools.size() == 0) return Ok();
  w.Key(br::kToolConfig).BeginObject().Key(br::kTools).BeginArray();
  size_t i = 0;
  for (element t : tools) {
    const std::string path = At(an::kTools, i++);
    object tool;
    if (t.get_object().get(tool) != simdjson::SUCCESS) return BadField(path, "must be an object");
    const std::string_view type = TypeOf(tool);
    if (!type.empty() && type != an::kToolCustom) {
      // Server tools (web search, code execution, bash, text editor, computer use) run on
      // Anthropic's side or need beta headers Converse does not carry.
      return Unprocessable(Dot(path, an::kType),
                           "Bedrock Converse takes custom tools only, not " + std::string(type));
    }
    const std::string_view name = StringField(tool, an::kName);
    if (name.empty()) return BadField(Dot(path, an::kName), "is required");
    w.BeginObject().Key(br::kToolSpec).BeginObject().Field(br::kName, name);
    const std::string_view description = StringField(tool, an::kDescription);
    if (!description.empty()) w.Field(br::kDescription, description);
    element se, st;
    w.Key(br::kInputSchema).BeginObject().Key(br::kJson);
    if (Find(tool, an::kInputSchema, se) && !se.is_null()) {
      w.Element(se);
    } else {
      w.Raw(R"({"type":"object","properties":{}})");
    }
    w.EndObject();
    bool strict = false;
    if (Find(tool, an::kStrict, st) && bedrock::AsBool(st, strict) && strict) {
      w.Key(br::kStrict).Bool(true);
    }
    w.EndObject().EndObject();
    if (HasCacheControl(tool)) bedrock::WriteCachePoint(w);
  }
  w.EndArray();
  if (tool_choice_ && !tool_choice_->is_null()) {
    object choice;
    if (tool_choice_->get_object().get(choice) != simdjson::SUCCESS) {
      return BadField(an::kToolChoice, "must be an object");
    }
    element dp;
    bool disable = false;
    if (Find(choice, an::kDisableParallelToolUse, dp) && bedrock::AsBool(dp, disable) && disable) {
      return Unprocessable(Dot(an::kToolChoice, an::kDisableParallelToolUse),
                           "Bedrock Converse cannot disable parallel tool use");
    }
    const std::string_view type = TypeOf(choice);
    if (type == an::kChoiceAuto) {
      w.Key(br::kToolChoice).BeginObject().Key(br::kToolChoiceAuto).BeginObject().EndObject();
      w.EndObject();
    } else if (type == an::kChoiceAny) {
      w.Key(br::kToolChoice).BeginObject().Key(br::kToolChoiceAny).BeginObject().EndObject();
      w.EndObject();
    } else if (type == an::kChoiceTool) {
      const std::string_view name = StringField(choice, an::kName);
      if (name.empty()) return BadField(Dot(an::kToolChoice, an::kName), "is required");
      w.Key(br::kToolChoice).BeginObject().Key(br::kToolChoiceTool).BeginObject();
      w.Field(br::kName, name).EndObject().EndObject();
    } else if (type == an::kChoiceNone) {
      return Unprocessable(Dot(an::kToolChoice, an::kType),
                           "Bedrock Converse cannot forbid tool use while tools are given");
    } else {
      return BadField(Dot(an::kToolChoice, an::kType), "unknown value " + std::string(type));
    }
  }
  w.EndObject();
  return Ok();
}

// ---------------------------------------------------------------------------------------------
// Response: Converse → Anthropic.

class AnthropicToBedrockConverse final : public Translator {
 public:
  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) override {
    model_ = std::string(request.model);
    stream_ = request.stream;
    info_.model = model_;
    simdjson::dom::parser parser;
    auto root = bedrock::ParseJson(parser, request.body, ErrorSource::kClient);
    if (!root.ok()) return root.error();
    object o;
    if (root->get_object().get(o) != simdjson::SUCCESS) {
      return Error(ErrorKind::kInvalidArgument, "the body must be a JSON object",
                   ErrorSource::kClient);
    }
    RequestBuilder builder(model_);
    auto body = builder.Build(o);
    if (!body.ok()) return body.error();
    UpstreamRequest up;
    up.path =
        common::BedrockModelPath(model_, stream_ ? br::kConverseStreamSuffix : br::kConverseSuffix);
    up.body = std::move(body).value();
    up.set_headers.emplace_back(br::kHeaderContentType, br::kContentTypeJson);
    up.set_headers.emplace_back(br::kHeaderAccept,
                                stream_ ? br::kContentTypeEventStream : br::kContentTypeJson);
    // Anthropic's protocol headers mean nothing to Converse.
    up.remove_headers.emplace_back(an::kVersionHeader);
    up.remove_headers.emplace_back(an::kBetaHeader);
    return up;
  }

  bool relays_unchanged() const override { return false; }

  void SetUpstreamRequestId(std::string_view id) override { id_ = std::string(id); }

  ResponseShape OnResponseHead(int, std::string_view) override {
    if (id_.empty()) id_ = bedrock::FallbackId("msg_");
    if (stream_) return {"text/event-stream", true};
    return {std::string(br::kContentTypeJson), false};
  }

  Result<void> OnUpstreamBody(std::string_view bytes, std::string& out) override {
    if (!stream_) {
      body_.append(bytes);
      return Ok();
    }
    if (failed_) return Ok();
    return reader_.Feed(
        bytes, [&](const bedrock::ConverseEvent& e) { return OnEvent(e, out); },
        [&](const bedrock::ConverseException& ex) {
          if (failed_) return Ok();
          Fail(out, common::AnthropicErrorTypeForStatus(ex.status),
               ex.type.empty() ? ex.message : ex.type + ": " + ex.message);
          return Ok();
        });
  }

  Result<void> OnUpstreamEnd(std::string& out) override {
    if (!stream_) return FinishJson(out);
    if (failed_) return Ok();
    if (reader_.mid_message() || !stopped_) {
      Fail(out, common::AnthropicErrorTypeForStatus(502),
           reader_.mid_message() ? "the Bedrock stream ended inside an event-stream message"
                                 : "the Bedrock stream ended before messageStop");
      return Ok();
    }
    if (!finished_) FinishStream(out);  // no metadata event: usage as far as known
    return Ok();
  }

  ClientError TranslateError(int status, std::string_view content_type, std::string_view,
                             std::string_view body) const override {
    return bedrock::AnthropicErrorFromBedrock(status, content_type, body);
  }

  const limit::ResponseInfo& response() const override { return info_; }
  std::string_view stream_error() const override { return stream_error_; }

 private:
  void Emit(std::string& out, std::string_view type) { codec::AppendSseEvent(out, type, event_); }

  void WriteUsage(JsonWriter& w) {
    w.BeginObject();
    w.Key(an::kInputTokens).Uint(usage_.input.value_or(0));
    w.Key(an::kCacheCreationInputTokens).Uint(usage_.cache_write.value_or(0));
    w.Key(an::kCacheReadInputTokens).Uint(usage_.cache_read.value_or(0));
    w.Key(an::kOutputTokens).Uint(usage_.output.value_or(0));
    w.EndObject();
  }

  void StartBlock(std::string& out, uint64_t bedrock_index, std::string_view type,
                  const std::function<void(JsonWriter&)>& fields) {
    event_.clear();
    JsonWriter w(event_);
    w.BeginObject().Field(an::kType, an::kEventBlockStart).Key(an::kIndex).Int(next_index_);
    w.Key(an::kContentBlock).BeginObject().Field(an::kType, type);
    fields(w);
    w.EndObject().EndObject();
    Emit(out, an::kEventBlockStart);
    open_ = true;
    open_type_ = std::string(type);
    open_bedrock_index_ = bedrock_index;
  }

  void StopBlock(std::string& out) {
    if (!open_) return;
    event_.clear();
    JsonWriter w(event_);
    w.BeginObject().Field(an::kType, an::kEventBlockStop).Key(an::kIndex).Int(next_index_);
    w.EndObject();
    Emit(out, an::kEventBlockStop);
    open_ = false;
    ++next_index_;
  }

  template <typename Fn>
  void Delta(std::string& out, std::string_view delta_type, Fn&& fields) {
    event_.clear();
    JsonWriter w(event_);
    w.BeginObject().Field(an::kType, an::kEventBlockDelta).Key(an::kIndex).Int(next_index_);
    w.Key(an::kDelta).BeginObject().Field(an::kType, delta_type);
    fields(w);
    w.EndObject().EndObject();
    Emit(out, an::kEventBlockDelta);
  }

  Result<void> OnEvent(const bedrock::ConverseEvent& e, std::string& out) {
    if (failed_) return Ok();  // nothing follows the error event
    namespace b = schema::bedrock;
    uint64_t index = 0;
    element ie;
    if (Find(e.payload, b::kContentBlockIndex, ie)) bedrock::AsUint(ie, index);
    if (e.type == b::kEventMessageStart) {
      event_.clear();
      JsonWriter w(event_);
      w.BeginObject().Field(an::kType, an::kEventMessageStart).Key(an::kMessage).BeginObject();
      w.Field(an::kId, id_).Field(an::kType, an::kMessageType).Field(an::kRole, an::kRoleAssistant);
      w.Key(an::kContent).BeginArray().EndArray().Field(an::kModel, model_);
      w.Key(an::kStopReason).Null().Key(an::kStopSequence).Null();
      // Converse reports usage in its last event; message_delta carries the counts.
      w.Key(an::kUsage);
      WriteUsage(w);
      w.EndObject().EndObject();
      Emit(out, an::kEventMessageStart);
    } else if (e.type == b::kEventContentBlockStart) {
      element se, tue;
      object start, tool_use;
      if (Find(e.payload, b::kStart, se) && se.get_object().get(start) == simdjson::SUCCESS &&
          Find(start, b::kToolUse, tue) && tue.get_object().get(tool_use) == simdjson::SUCCESS) {
        StopBlock(out);
        const std::string_view id = StringField(tool_use, b::kToolUseId);
        const std::string_view name = StringField(tool_use, b::kName);
        StartBlock(out, index, an::kBlockToolUse, [&](JsonWriter& w) {
          w.Field(an::kId, id).Field(an::kName, name).Key(an::kInput).BeginObject().EndObject();
        });
      }
    } else if (e.type == b::kEventContentBlockDelta) {
      element de, v;
      object delta, o;
      if (!Find(e.payload, b::kDelta, de) || de.get_object().get(delta) != simdjson::SUCCESS) {
        return Ok();
      }
      if (open_ && open_bedrock_index_ != index) StopBlock(out);
      std::string_view s;
      // Converse announces only tool blocks with contentBlockStart: text and reasoning blocks
      // start with their first delta.
      if (Find(delta, b::kText, v) && bedrock::AsString(v, s)) {
        if (!open_) {
          StartBlock(out, index, an::kBlockText, [](JsonWriter& w) { w.Field(an::kText, ""); });
        }
        Delta(out, an::kDeltaText, [&](JsonWriter& w) { w.Field(an::kText, s); });
      } else if (Find(delta, b::kToolUse, v) && v.get_object().get(o) == simdjson::SUCCESS) {
        if (!open_) {
          StartBlock(out, index, an::kBlockToolUse, [](JsonWriter& w) {
            w.Field(an::kId, "").Field(an::kName, "").Key(an::kInput).BeginObject().EndObject();
          });
        }
        const std::string_view partial = StringField(o, b::kInput);
        Delta(out, an::kDeltaInputJson, [&](JsonWriter& w) { w.Field(an::kPartialJson, partial); });
      } else if (Find(delta, b::kReasoningContent, v) &&
                 v.get_object().get(o) == simdjson::SUCCESS) {
        element x;
        if (Find(o, b::kRedactedContent, x) && bedrock::AsString(x, s)) {
          // A redacted_thinking block arrives whole in content_block_start.
          if (open_) StopBlock(out);
          const std::string data = Base64Decode(s).value_or(std::string(s));
          StartBlock(out, index, an::kBlockRedactedThinking,
                     [&](JsonWriter& w) { w.Field(an::kData, data); });
          return Ok();
        }
        if (!open_) {
          StartBlock(out, index, an::kBlockThinking,
                     [](JsonWriter& w) { w.Field(an::kBlockThinking, ""); });
        }
        if (Find(o, b::kText, x) && bedrock::AsString(x, s)) {
          Delta(out, an::kDeltaThinking, [&](JsonWriter& w) { w.Field(an::kBlockThinking, s); });
        }
        if (Find(o, b::kSignature, x) && bedrock::AsString(x, s)) {
          Delta(out, an::kDeltaSignature, [&](JsonWriter& w) { w.Field(an::kSignature, s); });
        }
      }
      // Citation deltas have no place in this stream.
    } else if (e.type == b::kEventContentBlockStop) {
      if (open_ && open_bedrock_index_ == index) StopBlock(out);
    } else if (e.type == b::kEventMessageStop) {
      StopBlock(out);
      element re, ae, se;
      object additional;
      std::string_view reason;
      if (Find(e.payload, b::kStopReason, re)) bedrock::AsString(re, reason);
      stop_reason_ = std::string(bedrock::AnthropicStopReason(reason));
      if (Find(e.payload, b::kAdditionalModelResponseFields, ae) &&
          ae.get_object().get(additional) == simdjson::SUCCESS &&
          Find(additional, an::kStopSequence, se)) {
        std::string_view seq;
        if (bedrock::AsString(se, seq)) stop_sequence_ = std::string(seq);
      }
      stopped_ = true;
    } else if (e.type == b::kEventMetadata) {
      element ue;
      if (Find(e.payload, b::kUsage, ue)) {
        usage_.Read(ue);
        info_.usage = usage_.ToTokenUsage();
      }
      if (stopped_ && !finished_) FinishStream(out);
    }
    return Ok();
  }

  // message_delta (stop_reason, stop_sequence, cumulative usage) and message_stop. Converse sends
  // usage after messageStop, so both wait for the metadata event.
  void FinishStream(std::string& out) {
    finished_ = true;
    event_.clear();
    JsonWriter w(event_);
    w.BeginObject().Field(an::kType, an::kEventMessageDelta).Key(an::kDelta).BeginObject();
    w.Field(an::kStopReason, stop_reason_).Key(an::kStopSequence);
    if (stop_sequence_) {
      w.String(*stop_sequence_);
    } else {
      w.Null();
    }
    w.EndObject().Key(an::kUsage);
    WriteUsage(w);
    w.EndObject();
    Emit(out, an::kEventMessageDelta);
    event_.clear();
    JsonWriter s(event_);
    s.BeginObject().Field(an::kType, an::kEventMessageStop).EndObject();
    Emit(out, an::kEventMessageStop);
  }

  // Anthropic's stream error event ({"type":"error","error":{"type","message"}}), which the SDKs
  // raise as an API error. The message may quote raw upstream bytes.
  void Fail(std::string& out, std::string_view type, std::string_view message) {
    failed_ = true;
    stream_error_ = std::string(type) + ": " + std::string(message);
    event_ = common::AnthropicErrorJson(type, common::ValidUtf8(message));
    Emit(out, an::kEventError);
  }

  Result<void> FinishJson(std::string& out) {
    namespace b = schema::bedrock;
    simdjson::dom::parser parser;
    auto root = bedrock::ParseJson(parser, body_, ErrorSource::kUpstream);
    if (!root.ok()) return root.error();
    object resp, output, message;
    if (root->get_object().get(resp) != simdjson::SUCCESS) {
      return Error(ErrorKind::kProtocol, "Bedrock response is not a JSON object",
                   ErrorSource::kUpstream);
    }
    element oe, me, ue, ce, ae, se;
    const std::string_view reason = StringField(resp, b::kStopReason);
    if (!Find(resp, b::kOutput, oe) || oe.get_object().get(output) != simdjson::SUCCESS ||
        !Find(output, b::kMessage, me) || me.get_object().get(message) != simdjson::SUCCESS) {
      return Error(ErrorKind::kProtocol,
                   "bedrock response missing 'output' (stopReason=\"" + std::string(reason) + "\")",
                   ErrorSource::kUpstream);
    }
    if (Find(resp, b::kUsage, ue)) usage_.Read(ue);
    info_.usage = usage_.ToTokenUsage();
    JsonWriter w(out);
    w.BeginObject().Field(an::kId, id_).Field(an::kType, an::kMessageType);
    w.Field(an::kRole, an::kRoleAssistant).Field(an::kModel, model_);
    w.Key(an::kContent).BeginArray();
    array content;
    if (Find(message, b::kContent, ce) && ce.get_array().get(content) == simdjson::SUCCESS) {
      for (element blk : content) {
        object block, o;
        element v;
        std::string_view s;
        if (blk.get_object().get(block) != simdjson::SUCCESS) continue;
        if (Find(block, b::kText, v) && bedrock::AsString(v, s)) {
          w.BeginObject().Field(an::kType, an::kBlockText).Field(an::kText, s).EndObject();
        } else if (Find(block, b::kToolUse, v) && v.get_object().get(o) == simdjson::SUCCESS) {
          element in;
          w.BeginObject().Field(an::kType, an::kBlockToolUse);
          w.Field(an::kId, StringField(o, b::kToolUseId))
              .Field(an::kName, StringField(o, b::kName));
          w.Key(an::kInput);
          if (Find(o, b::kInput, in)) {
            w.Element(in);
          } else {
            w.Raw("{}");
          }
          w.EndObject();
        } else if (Find(block, b::kReasoningContent, v) &&
                   v.get_object().get(o) == simdjson::SUCCESS) {
          element x;
          object rt;
          if (Find(o, b::kReasoningText, x) && x.get_object().get(rt) == simdjson::SUCCESS) {
            w.BeginObject().Field(an::kType, an::kBlockThinking);
            w.Field(an::kBlockThinking, StringField(rt, b::kText));
            w.Field(an::kSignature, StringField(rt, b::kSignature)).EndObject();
          } else if (Find(o, b::kRedactedContent, x) && bedrock::AsString(x, s)) {
            w.BeginObject().Field(an::kType, an::kBlockRedactedThinking);
            w.Field(an::kData, Base64Decode(s).value_or(std::string(s))).EndObject();
          }
        }
      }
    }
    w.EndArray();
    w.Field(an::kStopReason, bedrock::AnthropicStopReason(reason)).Key(an::kStopSequence);
    object additional;
    std::string_view seq;
    if (Find(resp, b::kAdditionalModelResponseFields, ae) &&
        ae.get_object().get(additional) == simdjson::SUCCESS &&
        Find(additional, an::kStopSequence, se) && bedrock::AsString(se, seq)) {
      w.String(seq);
    } else {
      w.Null();
    }
    w.Key(an::kUsage);
    WriteUsage(w);
    w.EndObject();
    return Ok();
  }

  std::string model_;
  bool stream_ = false;
  std::string id_;
  std::string body_;
  std::string event_;
  bedrock::ConverseStreamReader reader_;
  bedrock::ConverseUsage usage_;
  // The open Anthropic content block: its type and the Converse block it comes from.
  bool open_ = false;
  std::string open_type_;
  uint64_t open_bedrock_index_ = 0;
  int next_index_ = 0;
  std::string stop_reason_ = std::string(an::kStopEndTurn);
  std::optional<std::string> stop_sequence_;
  bool stopped_ = false;
  bool finished_ = false;
  bool failed_ = false;
  std::string stream_error_;
  limit::ResponseInfo info_;
};

}  // namespace

std::unique_ptr<Translator> NewAnthropicToBedrockConverse(Endpoint) {
  return std::make_unique<AnthropicToBedrockConverse>();
}

}  // namespace sluice::translate
