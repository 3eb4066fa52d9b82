#include "sluice/translate/anthropic_messages/to_bedrock_converse.h"

#include <functional>
#include <optional>
#include <string>

#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/translate/bedrock/converse_common.h"
#include "sluice/translate/bedrock/converse_request.h"
#include "sluice/translate/bedrock/converse_translator.h"
#include "sluice/translate/bedrock/json_writer.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/field_errors.h"

namespace sluice::translate::bedrock {

namespace {

namespace an = schema::anthropic;
namespace br = schema::bedrock;

std::string_view TypeOf(object o) { return StringField(o, an::kType); }

// The "source" object of an image or document block; a 400 naming it when absent.
Result<object> SourceOf(object block, const std::string& path) {
  element e;
  object source;
  if (!Find(block, an::kSource, e) || e.get_object().get(source) != simdjson::SUCCESS) {
    return BadField(Dot(path, an::kSource), "is required");
  }
  return source;
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
  ConverseMessageList messages_;
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

  // max_tokens is required by Anthropic's API; a request without it is forwarded without maxTokens
  // and the provider answers as it does.
  std::string inference;
  JsonWriter iw(inference);
  if (auto r = CopyNumber(iw, br::kMaxTokens, max_tokens_, an::kMaxTokens, "must be an integer");
      !r.ok()) {
    return r.error();
  }
  if (auto r = CopyNumber(iw, br::kTemperature, temperature_, an::kTemperature, "must be a number");
      !r.ok()) {
    return r.error();
  }
  if (auto r = CopyNumber(iw, br::kTopP, top_p_, an::kTopP, "must be a number"); !r.ok()) {
    return r.error();
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
      if (!AsString(e, s)) return BadField(At(an::kStopSequences, j), "must be a string");
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
  if (auto r = CopyNumber(x, an::kTopK, top_k_, an::kTopK, "must be an integer"); !r.ok()) {
    return r.error();
  }
  if (thinking_) {
    if (thinking_->type() != simdjson::dom::element_type::OBJECT)
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
  if (has_stop_sequences && IsClaudeModel(model_)) {
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
    WriteJsonSchemaOutput(w, se);
  }
  w.EndObject();
  return body;
}

Result<void> RequestBuilder::System(element system, const std::string& path) {
  JsonWriter w(system_, !system_.empty());
  std::string_view text;
  array blocks;
  if (AsString(system, text)) {
    WriteTextBlock(w, text);
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
    WriteTextBlock(w, StringField(block, an::kText));
    if (HasCacheControl(block)) WriteCachePoint(w);
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
  if (AsString(content, text)) {
    WriteTextBlock(w, text);
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
    if (!Find(block, an::kText, te) || !AsString(te, text)) {
      return BadField(Dot(path, an::kText), "is required");
    }
    WriteTextBlock(w, text);
  } else if (type == an::kBlockImage) {
    if (auto r = Image(w, block, path); !r.ok()) return r;
  } else if (type == an::kBlockDocument && user) {
    if (auto r = Document(w, block, path); !r.ok()) return r;
  } else if (type == an::kBlockToolResult && user) {
    if (auto r = ToolResult(w, block, path); !r.ok()) return r;
  } else if (type == an::kBlockToolUse && !user) {
    element input;
    const bool has_input = Find(block, an::kInput, input) && !input.is_null();
    WriteToolUseBlock(w, StringField(block, an::kId), StringField(block, an::kName),
                      has_input ? ToJson(input) : "{}");
  } else if (type == an::kBlockThinking && !user) {
    element se;
    std::string_view signature;
    const bool has_signature = Find(block, an::kSignature, se) && AsString(se, signature);
    WriteReasoningBlock(w, StringField(block, an::kBlockThinking),
                        has_signature ? std::optional(signature) : std::nullopt);
  } else if (type == an::kBlockRedactedThinking && !user) {
    // Anthropic's opaque data string is the blob Bedrock carries as redactedContent (base64 on
    // the wire); the response path decodes it back.
    WriteRedactedReasoningBlock(w, Base64Encode(StringField(block, an::kData)));
  } else {
    return Unprocessable(Dot(path, an::kType), std::string(role) + " content blocks of type " +
                                                   std::string(type) +
                                                   " have no Bedrock Converse equivalent");
  }
  if (HasCacheControl(block)) WriteCachePoint(w);
  return Ok();
}

Result<void> RequestBuilder::Image(JsonWriter& w, object block, const std::string& path) {
  auto source = SourceOf(block, path);
  if (!source.ok()) return source.error();
  const std::string spath = Dot(path, an::kSource);
  if (TypeOf(*source) != an::kSourceBase64) {
    return Unprocessable(Dot(spath, an::kType),
                         "Bedrock takes image bytes: only base64 sources are supported");
  }
  const std::string_view media_type = StringField(*source, an::kMediaType);
  auto format = ImageFormat(media_type);
  if (!format) {
    return Unprocessable(Dot(spath, an::kMediaType),
                         "image type " + std::string(media_type) +
                             " is not one Bedrock accepts (png, jpeg, gif, webp)");
  }
  auto bytes = Base64Decode(StringField(*source, an::kData));
  if (!bytes) return BadField(Dot(spath, an::kData), "is not valid base64");
  WriteImageBlock(w, *format, Base64Encode(*bytes));
  return Ok();
}

Result<void> RequestBuilder::Document(JsonWriter& w, object block, const std::string& path) {
  auto source = SourceOf(block, path);
  if (!source.ok()) return source.error();
  const std::string spath = Dot(path, an::kSource);
  const std::string_view source_type = TypeOf(*source);
  const std::string name = DocumentName(StringField(block, an::kTitle));
  if (source_type == an::kSourceBase64) {
    const std::string_view media_type = StringField(*source, an::kMediaType);
    auto format = DocumentFormat(media_type);
    if (!format) {
      return Unprocessable(Dot(spath, an::kMediaType), "document type " + std::string(media_type) +
                                                           " is not one Bedrock accepts");
    }
    auto bytes = Base64Decode(StringField(*source, an::kData));
    if (!bytes) return BadField(Dot(spath, an::kData), "is not valid base64");
    WriteDocumentBlock(w, *format, name, Base64Encode(*bytes));
    return Ok();
  }
  if (source_type == an::kSourceText) {
    WriteDocumentBlock(w, "txt", name, Base64Encode(StringField(*source, an::kData)));
    return Ok();
  }
  return Unprocessable(Dot(spath, an::kType),
                       "Bedrock takes document bytes: only base64 and text sources are supported");
}

Result<void> RequestBuilder::ToolResult(JsonWriter& w, object block, const std::string& path) {
  element ce;
  bool cache_after = false;
  w.BeginObject().Key(br::kToolResult).BeginObject();
  w.Field(br::kToolUseId, StringField(block, an::kToolUseId));
  w.Key(br::kContent).BeginArray();
  std::string_view text;
  array items;
  if (Find(block, an::kContent, ce) && !ce.is_null()) {
    if (AsString(ce, text)) {
      WriteTextBlock(w, text);
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
          WriteTextBlock(w, StringField(item, an::kText));
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
  if (BoolField(block, an::kIsError)) w.Field(br::kStatus, br::kStatusError);
  w.EndObject().EndObject();
  if (cache_after) WriteCachePoint(w);
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
    WriteToolSpec(w, name, StringField(tool, an::kDescription), Find(tool, an::kInputSchema),
                  BoolField(tool, an::kStrict));
    if (HasCacheControl(tool)) WriteCachePoint(w);
  }
  w.EndArray();
  if (tool_choice_ && !tool_choice_->is_null()) {
    object choice;
    if (tool_choice_->get_object().get(choice) != simdjson::SUCCESS) {
      return BadField(an::kToolChoice, "must be an object");
    }
    if (BoolField(choice, an::kDisableParallelToolUse)) {
      return Unprocessable(Dot(an::kToolChoice, an::kDisableParallelToolUse),
                           "Bedrock Converse cannot disable parallel tool use");
    }
    const std::string_view type = TypeOf(choice);
    if (type == an::kChoiceAuto) {
      WriteToolChoice(w, br::kToolChoiceAuto);
    } else if (type == an::kChoiceAny) {
      WriteToolChoice(w, br::kToolChoiceAny);
    } else if (type == an::kChoiceTool) {
      const std::string_view name = StringField(choice, an::kName);
      if (name.empty()) return BadField(Dot(an::kToolChoice, an::kName), "is required");
      WriteToolChoice(w, br::kToolChoiceTool, name);
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

class AnthropicToBedrockConverse final : public ConverseTranslator {
 public:
  AnthropicToBedrockConverse() : ConverseTranslator("msg_") {}

  ClientError TranslateError(int status, std::string_view, std::string_view,
                             std::string_view body) const override {
    return common::BedrockErrorToAnthropic(status, body);
  }

 private:
  Result<UpstreamRequest> BuildRequest(object body) override {
    auto converse = RequestBuilder(model_).Build(body);
    if (!converse.ok()) return converse.error();
    UpstreamRequest up = ConverseRequest(model_, stream_, std::move(converse).value());
    // Anthropic's protocol headers mean nothing to Converse.
    up.remove_headers.emplace_back(an::kVersionHeader);
    up.remove_headers.emplace_back(an::kBetaHeader);
    return up;
  }

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

  Result<void> OnEvent(const ConverseEvent& e, std::string& out) override {
    const uint64_t index = BlockIndex(e.payload);
    if (e.type == br::kEventMessageStart) {
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
    } else if (e.type == br::kEventContentBlockStart) {
      if (const auto tool = ReadToolUseStart(e.payload)) {
        StopBlock(out);
        StartBlock(out, index, an::kBlockToolUse, [&](JsonWriter& w) {
          w.Field(an::kId, tool->id).Field(an::kName, tool->name);
          w.Key(an::kInput).BeginObject().EndObject();
        });
      }
    } else if (e.type == br::kEventContentBlockDelta) {
      const auto delta = ReadContentDelta(e.payload);
      if (!delta) return Ok();
      if (open_ && open_bedrock_index_ != index) StopBlock(out);
      // Converse announces only tool blocks with contentBlockStart: text and reasoning blocks
      // start with their first delta.
      switch (delta->kind) {
        case ContentDelta::Kind::kText:
          if (!open_) {
            StartBlock(out, index, an::kBlockText, [](JsonWriter& w) { w.Field(an::kText, ""); });
          }
          Delta(out, an::kDeltaText, [&](JsonWriter& w) { w.Field(an::kText, delta->text); });
          break;
        case ContentDelta::Kind::kToolInput:
          if (!open_) {
            StartBlock(out, index, an::kBlockToolUse, [](JsonWriter& w) {
              w.Field(an::kId, "").Field(an::kName, "").Key(an::kInput).BeginObject().EndObject();
            });
          }
          Delta(out, an::kDeltaInputJson,
                [&](JsonWriter& w) { w.Field(an::kPartialJson, delta->text); });
          break;
        case ContentDelta::Kind::kReasoning:
          if (delta->redacted) {
            // A redacted_thinking block arrives whole in content_block_start.
            if (open_) StopBlock(out);
            const std::string data =
                Base64Decode(*delta->redacted).value_or(std::string(*delta->redacted));
            StartBlock(out, index, an::kBlockRedactedThinking,
                       [&](JsonWriter& w) { w.Field(an::kData, data); });
            break;
          }
          if (!open_) {
            StartBlock(out, index, an::kBlockThinking,
                       [](JsonWriter& w) { w.Field(an::kBlockThinking, ""); });
          }
          if (delta->reasoning_text) {
            Delta(out, an::kDeltaThinking,
                  [&](JsonWriter& w) { w.Field(an::kBlockThinking, *delta->reasoning_text); });
          }
          if (delta->signature) {
            Delta(out, an::kDeltaSignature,
                  [&](JsonWriter& w) { w.Field(an::kSignature, *delta->signature); });
          }
          break;
        case ContentDelta::Kind::kOther:  // citations have no place in this stream
          break;
      }
    } else if (e.type == br::kEventContentBlockStop) {
      if (open_ && open_bedrock_index_ == index) StopBlock(out);
    } else if (e.type == br::kEventMessageStop) {
      StopBlock(out);
      stop_reason_ = std::string(AnthropicStopReason(StringField(e.payload, br::kStopReason)));
      if (auto seq = MatchedStopSequence(e.payload)) stop_sequence_ = std::string(*seq);
    } else if (e.type == br::kEventMetadata) {
      if (stopped_ && !finished_) FinishStream(out);
    }
    return Ok();
  }

  // The stop sequence that matched, which Claude reports in additionalModelResponseFields when
  // the request asked for it (messageStop event, or the whole answer).
  static std::optional<std::string_view> MatchedStopSequence(object o) {
    element ae, se;
    object additional;
    std::string_view seq;
    if (Find(o, br::kAdditionalModelResponseFields, ae) &&
        ae.get_object().get(additional) == simdjson::SUCCESS &&
        Find(additional, an::kStopSequence, se) && AsString(se, seq)) {
      return seq;
    }
    return std::nullopt;
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

  void EndStream(std::string& out) override {
    if (!finished_) FinishStream(out);  // no metadata event: usage as far as known
  }

  // Anthropic's stream error event ({"type":"error","error":{"type","message"}}), which the SDKs
  // raise as an API error, with the type for the status. The message may quote raw upstream bytes.
  void FailStream(std::string& out, std::string_view type, int status,
                  std::string_view message) override {
    const std::string text =
        type.empty() ? std::string(message) : std::string(type) + ": " + std::string(message);
    const std::string_view error_type = common::AnthropicErrorTypeForStatus(status);
    failed_ = true;
    stream_error_ = std::string(error_type) + ": " + text;
    event_ = common::AnthropicErrorJson(error_type, text);
    Emit(out, an::kEventError);
  }

  void TranslateJson(const ConverseOutput& answer, std::string& out) override {
    JsonWriter w(out);
    w.BeginObject().Field(an::kId, id_).Field(an::kType, an::kMessageType);
    w.Field(an::kRole, an::kRoleAssistant).Field(an::kModel, model_);
    w.Key(an::kContent).BeginArray();
    for (const ContentBlock& block : answer.content) {
      switch (block.kind) {
        case ContentBlock::Kind::kText:
          w.BeginObject().Field(an::kType, an::kBlockText).Field(an::kText, block.text);
          w.EndObject();
          break;
        case ContentBlock::Kind::kToolUse:
          w.BeginObject().Field(an::kType, an::kBlockToolUse).Field(an::kId, block.tool_use_id);
          w.Field(an::kName, block.tool_name).Key(an::kInput);
          if (block.tool_input) {
            w.Element(*block.tool_input);
          } else {
            w.Raw("{}");
          }
          w.EndObject();
          break;
        case ContentBlock::Kind::kReasoning:
          w.BeginObject().Field(an::kType, an::kBlockThinking);
          w.Field(an::kBlockThinking, block.text);
          w.Field(an::kSignature, block.signature.value_or("")).EndObject();
          break;
        case ContentBlock::Kind::kRedactedReasoning:
          w.BeginObject().Field(an::kType, an::kBlockRedactedThinking);
          w.Field(an::kData, Base64Decode(block.redacted).value_or(std::string(block.redacted)));
          w.EndObject();
          break;
        case ContentBlock::Kind::kOther:
          break;
      }
    }
    w.EndArray();
    w.Field(an::kStopReason, AnthropicStopReason(answer.stop_reason)).Key(an::kStopSequence);
    if (auto seq = MatchedStopSequence(answer.response)) {
      w.String(*seq);
    } else {
      w.Null();
    }
    w.Key(an::kUsage);
    WriteUsage(w);
    w.EndObject();
  }

  std::string event_;
  // The open Anthropic content block and the Converse block it comes from.
  bool open_ = false;
  uint64_t open_bedrock_index_ = 0;
  int next_index_ = 0;
  std::string stop_reason_ = std::string(an::kStopEndTurn);
  std::optional<std::string> stop_sequence_;
  bool finished_ = false;
};

}  // namespace

}  // namespace sluice::translate::bedrock

namespace sluice::translate {

std::unique_ptr<Translator> NewAnthropicToBedrockConverse(Endpoint) {
  return std::make_unique<bedrock::AnthropicToBedrockConverse>();
}

}  // namespace sluice::translate
