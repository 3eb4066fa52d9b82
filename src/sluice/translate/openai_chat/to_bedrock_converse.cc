#include "sluice/translate/openai_chat/to_bedrock_converse.h"

#include <map>
#include <optional>
#include <string>

#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/schema/openai/chat.h"
#include "sluice/translate/bedrock/converse_common.h"
#include "sluice/translate/bedrock/json_writer.h"
#include "sluice/translate/common/clock.h"
#include "sluice/translate/common/field_errors.h"
#include "sluice/translate/common/reasoning_effort.h"
#include "sluice/translate/common/upstream_path.h"

namespace sluice::translate {

namespace {

namespace br = schema::bedrock;
namespace oa = schema::openai;
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

// A cache_control marker ({"type":"ephemeral"}) on a part, message or tool: Bedrock's equivalent
// is a cachePoint block after it (Bedrock User Guide, "Prompt caching").
bool HasCacheControl(object o) {
  element cc;
  return Find(o, oa::kCacheControl, cc) && !cc.is_null();
}

// ---------------------------------------------------------------------------------------------
// Request: OpenAI chat completion → Converse.

class RequestBuilder {
 public:
  RequestBuilder(std::string_view model) : model_(model) {}

  Result<std::string> Build(object root);
  bool include_usage() const { return include_usage_; }

 private:
  Result<void> Messages(array messages);
  Result<void> SystemMessage(object msg, const std::string& path);
  Result<void> UserMessage(object msg, const std::string& path);
  Result<void> AssistantMessage(object msg, const std::string& path);
  Result<void> ToolMessage(object msg, const std::string& path);
  // Writes one user content part; a part's cache_control adds a cachePoint after it, or sets
  // `*cache_after` instead when given (tool result contents cannot hold cache points).
  Result<void> UserPart(JsonWriter& w, object part, const std::string& path,
                        bool* cache_after = nullptr);
  Result<void> ThinkingBlock(JsonWriter& w, object block, const std::string& path);
  Result<void> Tools(JsonWriter& w);
  Result<void> ReasoningAndExtras(JsonWriter& w);
  Result<void> ResponseFormat(JsonWriter& w, bool& wrote);
  Result<void> CheckInexpressible(std::string_view key, element value);

  std::string_view model_;
  bedrock::ConverseMessageList messages_;
  std::string system_;  // comma-separated SystemContentBlocks
  std::optional<element> max_tokens_, max_completion_tokens_, temperature_, top_p_, top_k_, stop_;
  std::optional<element> tools_, tool_choice_, response_format_, thinking_, service_tier_;
  std::optional<std::string_view> reasoning_effort_;
  bool include_usage_ = false;
};

Result<void> RequestBuilder::CheckInexpressible(std::string_view key, element value) {
  // Fields Converse has no equivalent for: accepted when they ask for the default behaviour,
  // 422 naming the field otherwise.
  if (value.is_null()) return Ok();
  if (key == oa::kN) {
    uint64_t n = 0;
    if (bedrock::AsUint(value, n) && n == 1) return Ok();
    return Unprocessable(key, "Bedrock Converse returns one choice; only n=1 is supported");
  }
  if (key == oa::kLogprobs) {
    bool b = false;
    if (bedrock::AsBool(value, b) && !b) return Ok();
    return Unprocessable(key, "Bedrock Converse does not return log probabilities");
  }
  if (key == oa::kTopLogprobs) {
    return Unprocessable(key, "Bedrock Converse does not return log probabilities");
  }
  if (key == oa::kPresencePenalty || key == oa::kFrequencyPenalty) {
    double d = 0;
    if (bedrock::AsDouble(value, d) && d == 0) return Ok();
    return Unprocessable(key, "Bedrock Converse has no presence or frequency penalty");
  }
  if (key == oa::kLogitBias) {
    object o;
    if (value.get_object().get(o) == simdjson::SUCCESS && o.size() == 0) return Ok();
    return Unprocessable(key, "Bedrock Converse has no logit bias");
  }
  if (key == oa::kSeed) return Unprocessable(key, "Bedrock Converse has no sampling seed");
  if (key == oa::kAudio) return Unprocessable(key, "Bedrock Converse does not produce audio");
  if (key == oa::kModalities) {
    array a;
    if (value.get_array().get(a) == simdjson::SUCCESS) {
      bool text_only = true;
      for (element m : a) {
        std::string_view s;
        if (!bedrock::AsString(m, s) || s != oa::kModalityText) text_only = false;
      }
      if (text_only) return Ok();
    }
    return Unprocessable(key, "Bedrock Converse answers with text only");
  }
  if (key == oa::kPrediction) {
    return Unprocessable(key, "Bedrock Converse has no predicted outputs");
  }
  if (key == oa::kFunctions || key == oa::kFunctionCall) {
    return Unprocessable(key, "the deprecated functions API is not translated; use tools");
  }
  if (key == oa::kWebSearchOptions) {
    return Unprocessable(key, "Bedrock Converse has no built-in web search");
  }
  return Ok();
}

Result<std::string> RequestBuilder::Build(object root) {
  std::optional<array> messages;
  for (auto field : root) {
    const std::string_view key = field.key;
    const element value = field.value;
    if (key == oa::kMessages) {
      array a;
      if (value.get_array().get(a) != simdjson::SUCCESS) {
        return BadField(key, "must be an array");
      }
      messages = a;
    } else if (key == oa::kMaxTokens) {
      max_tokens_ = value;
    } else if (key == oa::kMaxCompletionTokens) {
      max_completion_tokens_ = value;
    } else if (key == oa::kTemperature) {
      temperature_ = value;
    } else if (key == oa::kTopP) {
      top_p_ = value;
    } else if (key == oa::kTopK) {
      top_k_ = value;
    } else if (key == oa::kStop) {
      stop_ = value;
    } else if (key == oa::kStreamOptions) {
      object o;
      element iu;
      bool b = false;
      include_usage_ = value.get_object().get(o) == simdjson::SUCCESS &&
                       Find(o, oa::kIncludeUsage, iu) && bedrock::AsBool(iu, b) && b;
    } else if (key == oa::kTools) {
      tools_ = value;
    } else if (key == oa::kToolChoice) {
      tool_choice_ = value;
    } else if (key == oa::kParallelToolCalls) {
      bool b = true;
      if (!value.is_null() && (!bedrock::AsBool(value, b) || !b)) {
        // Claude's disable_parallel_tool_use lives in tool_choice, which Converse owns.
        return Unprocessable(key, "Bedrock Converse cannot disable parallel tool calls");
      }
    } else if (key == oa::kResponseFormat) {
      response_format_ = value;
    } else if (key == oa::kReasoningEffort) {
      std::string_view s;
      if (!value.is_null()) {
        if (!bedrock::AsString(value, s)) return BadField(key, "must be a string");
        reasoning_effort_ = s;
      }
    } else if (key == oa::kThinking) {
      if (!value.is_null()) thinking_ = value;
    } else if (key == oa::kServiceTier) {
      if (!value.is_null()) service_tier_ = value;
    } else if (auto r = CheckInexpressible(key, value); !r.ok()) {
      return r.error();
    }
    // model and stream are in the path; user, metadata, store and other fields with no effect on
    // the answer are not forwarded (docs/translation.md).
  }
  if (!messages) return BadField(oa::kMessages, "is required");
  if (auto r = Messages(*messages); !r.ok()) return r.error();

  std::string body;
  body.reserve(1024);
  JsonWriter w(body);
  w.BeginObject();
  w.Key(br::kMessages);
  messages_.Write(w);
  if (!system_.empty()) w.Key(br::kSystem).BeginArray().Raw(system_).EndArray();

  // inferenceConfig (API Reference, "InferenceConfiguration").
  std::string inference;
  {
    JsonWriter iw(inference);
    // max_completion_tokens supersedes the deprecated max_tokens. A request without either is
    // forwarded without maxTokens: Bedrock applies the model's own limit or answers its error.
    std::optional<element> max = max_completion_tokens_;
    if (!max || max->is_null()) max = max_tokens_;
    if (max && !max->is_null()) {
      if (!IsNumber(*max)) return BadField(oa::kMaxCompletionTokens, "must be an integer");
      iw.Key(br::kMaxTokens).Element(*max);
    }
    if (temperature_ && !temperature_->is_null()) {
      if (!IsNumber(*temperature_)) return BadField(oa::kTemperature, "must be a number");
      iw.Key(br::kTemperature).Element(*temperature_);
    }
    if (top_p_ && !top_p_->is_null()) {
      if (!IsNumber(*top_p_)) return BadField(oa::kTopP, "must be a number");
      iw.Key(br::kTopP).Element(*top_p_);
    }
    if (stop_ && !stop_->is_null()) {
      std::string_view s;
      array a;
      if (bedrock::AsString(*stop_, s)) {
        iw.Key(br::kStopSequences).BeginArray().String(s).EndArray();
      } else if (stop_->get_array().get(a) == simdjson::SUCCESS) {
        iw.Key(br::kStopSequences).BeginArray();
        size_t i = 0;
        for (element e : a) {
          if (!bedrock::AsString(e, s)) return BadField(At(oa::kStop, i), "must be a string");
          iw.String(s);
          ++i;
        }
        iw.EndArray();
      } else {
        return BadField(oa::kStop, "must be a string or an array of strings");
      }
    }
  }
  if (!inference.empty()) w.Key(br::kInferenceConfig).BeginObject().Raw(inference).EndObject();

  if (auto r = Tools(w); !r.ok()) return r.error();
  if (auto r = ReasoningAndExtras(w); !r.ok()) return r.error();

  if (service_tier_) {
    std::string_view tier;
    if (!bedrock::AsString(*service_tier_, tier))
      return BadField(oa::kServiceTier, "must be a string");
    // "auto" is OpenAI's default; other tiers (default, flex, priority) are Bedrock's names too.
    if (tier != oa::kServiceTierAuto) {
      w.Key(br::kServiceTier).BeginObject().Field(br::kType, tier).EndObject();
    }
  }
  bool wrote_format = false;
  if (auto r = ResponseFormat(w, wrote_format); !r.ok()) return r.error();
  w.EndObject();
  return body;
}

Result<void> RequestBuilder::Messages(array messages) {
  size_t i = 0;
  for (element m : messages) {
    const std::string path = At(oa::kMessages, i++);
    object msg;
    if (m.get_object().get(msg) != simdjson::SUCCESS) return BadField(path, "must be an object");
    element role_e;
    std::string_view role;
    if (!Find(msg, oa::kRole, role_e) || !bedrock::AsString(role_e, role)) {
      return BadField(Dot(path, oa::kRole), "is required");
    }
    Result<void> r = Ok();
    if (role == oa::kRoleSystem || role == oa::kRoleDeveloper) {
      r = SystemMessage(msg, path);
    } else if (role == oa::kRoleUser) {
      r = UserMessage(msg, path);
    } else if (role == oa::kRoleAssistant) {
      r = AssistantMessage(msg, path);
    } else if (role == oa::kRoleTool) {
      r = ToolMessage(msg, path);
    } else if (role == oa::kRoleFunction) {
      return Unprocessable(Dot(path, oa::kRole),
                           "function messages (deprecated) are not translated; use tool messages");
    } else {
      return BadField(Dot(path, oa::kRole), "unknown role " + std::string(role));
    }
    if (!r.ok()) return r;
  }
  return Ok();
}

Result<void> RequestBuilder::SystemMessage(object msg, const std::string& path) {
  // System and developer messages become SystemContentBlocks, in order.
  JsonWriter w(system_, !system_.empty());
  element content;
  std::string_view text;
  array parts;
  if (!Find(msg, oa::kContent, content) || content.is_null()) {
    return BadField(Dot(path, oa::kContent), "is required");
  }
  if (bedrock::AsString(content, text)) {
    w.BeginObject().Field(br::kText, text).EndObject();
  } else if (content.get_array().get(parts) == simdjson::SUCCESS) {
    size_t j = 0;
    for (element p : parts) {
      const std::string ppath = At(Dot(path, oa::kContent), j++);
      object part;
      element t;
      std::string_view type;
      if (p.get_object().get(part) != simdjson::SUCCESS || !Find(part, oa::kType, t) ||
          !bedrock::AsString(t, type)) {
        return BadField(ppath, "must be a content part with a type");
      }
      if (type != oa::kPartText) {
        return Unprocessable(Dot(ppath, oa::kType),
                             "system prompts carry text only on Bedrock, not " + std::string(type));
      }
      element te;
      if (!Find(part, oa::kText, te) || !bedrock::AsString(te, text)) {
        return BadField(Dot(ppath, oa::kText), "is required");
      }
      w.BeginObject().Field(br::kText, text).EndObject();
      if (HasCacheControl(part)) bedrock::WriteCachePoint(w);
    }
  } else {
    return BadField(Dot(path, oa::kContent), "must be a string or an array of parts");
  }
  if (HasCacheControl(msg)) bedrock::WriteCachePoint(w);
  return Ok();
}

Result<void> RequestBuilder::UserPart(JsonWriter& w, object part, const std::string& path,
                                      bool* cache_after) {
  element t;
  std::string_view type;
  if (!Find(part, oa::kType, t) || !bedrock::AsString(t, type)) {
    return BadField(Dot(path, oa::kType), "is required");
  }
  if (type == oa::kPartText) {
    element te;
    std::string_view text;
    if (!Find(part, oa::kText, te) || !bedrock::AsString(te, text)) {
      return BadField(Dot(path, oa::kText), "is required");
    }
    w.BeginObject().Field(br::kText, text).EndObject();
  } else if (type == oa::kPartImageUrl) {
    element iu;
    object iuo;
    element ue;
    std::string_view url;
    if (!Find(part, oa::kImageUrl, iu)) return BadField(Dot(path, oa::kImageUrl), "is required");
    if (iu.get_object().get(iuo) == simdjson::SUCCESS) {
      if (!Find(iuo, oa::kUrl, ue) || !bedrock::AsString(ue, url)) {
        return BadField(Dot(Dot(path, oa::kImageUrl), oa::kUrl), "is required");
      }
    } else if (!bedrock::AsString(iu, url)) {
      return BadField(Dot(path, oa::kImageUrl), "must be an object with a url");
    }
    const std::string field = Dot(Dot(path, oa::kImageUrl), oa::kUrl);
    if (!StartsWithIgnoreCase(url, "data:")) {
      return Unprocessable(field, "Bedrock takes image bytes, not URLs: send a data: URI");
    }
    auto data = bedrock::ParseDataUri(url);
    if (!data) return BadField(field, "is not a valid data URI");
    auto format = bedrock::ImageFormat(data->media_type);
    if (!format) {
      return Unprocessable(field, "image type " + data->media_type +
                                      " is not one Bedrock accepts (png, jpeg, gif, webp)");
    }
    bedrock::WriteImageBlock(w, *format, data->base64);
  } else if (type == oa::kPartFile) {
    element fe;
    object file;
    if (!Find(part, oa::kFile, fe) || fe.get_object().get(file) != simdjson::SUCCESS) {
      return BadField(Dot(path, oa::kFile), "is required");
    }
    element de;
    std::string_view file_data;
    if (!Find(file, oa::kFileData, de) || !bedrock::AsString(de, file_data)) {
      return Unprocessable(Dot(path, oa::kFile),
                           "Bedrock takes document bytes: send file.file_data, not a file_id");
    }
    const std::string field = Dot(Dot(path, oa::kFile), oa::kFileData);
    auto data = bedrock::ParseDataUri(file_data);
    if (!data) return BadField(field, "is not a valid data URI");
    auto format = bedrock::DocumentFormat(data->media_type);
    if (!format) {
      return Unprocessable(field, "document type " + data->media_type +
                                      " is not one Bedrock accepts (pdf, csv, doc, docx, xls, "
                                      "xlsx, html, txt, md)");
    }
    element ne;
    std::string_view filename;
    if (Find(file, oa::kFilename, ne)) bedrock::AsString(ne, filename);
    bedrock::WriteDocumentBlock(w, *format, bedrock::DocumentName(filename), data->base64);
  } else {
    return Unprocessable(Dot(path, oa::kType),
                         "content parts of type " + std::string(type) + " have no Bedrock block");
  }
  if (HasCacheControl(part)) {
    if (cache_after) {
      *cache_after = true;
    } else {
      bedrock::WriteCachePoint(w);
    }
  }
  return Ok();
}

Result<void> RequestBuilder::UserMessage(object msg, const std::string& path) {
  JsonWriter& w = messages_.Blocks(br::kRoleUser);
  element content;
  std::string_view text;
  array parts;
  if (!Find(msg, oa::kContent, content) || content.is_null()) {
    return BadField(Dot(path, oa::kContent), "is required");
  }
  if (bedrock::AsString(content, text)) {
    w.BeginObject().Field(br::kText, text).EndObject();
  } else if (content.get_array().get(parts) == simdjson::SUCCESS) {
    size_t j = 0;
    for (element p : parts) {
      const std::string ppath = At(Dot(path, oa::kContent), j++);
      object part;
      if (p.get_object().get(part) != simdjson::SUCCESS)
        return BadField(ppath, "must be an object");
      if (auto r = UserPart(w, part, ppath); !r.ok()) return r;
    }
  } else {
    return BadField(Dot(path, oa::kContent), "must be a string or an array of parts");
  }
  if (HasCacheControl(msg)) bedrock::WriteCachePoint(w);
  return Ok();
}

// One thinking block of an assistant turn: a content part {"type":"thinking","thinking"|"text",
// "signature"} or {"type":"redacted_thinking","data"|"redacted_content"}, or the same objects in
// the message's "thinking_blocks" (the convention the responses of this translator use). The
// redacted data is Bedrock's redactedContent as it came back (base64), returned unchanged.
Result<void> RequestBuilder::ThinkingBlock(JsonWriter& w, object block, const std::string& path) {
  element t;
  std::string_view type;
  if (!Find(block, oa::kType, t) || !bedrock::AsString(t, type)) {
    return BadField(Dot(path, oa::kType), "is required");
  }
  if (type == oa::kPartThinking) {
    element te, se;
    std::string_view text, signature;
    if (!(Find(block, oa::kThinking, te) && bedrock::AsString(te, text))) {
      if (Find(block, oa::kText, te)) bedrock::AsString(te, text);
    }
    const bool has_signature = Find(block, oa::kSignature, se) && bedrock::AsString(se, signature);
    w.BeginObject().Key(br::kReasoningContent).BeginObject().Key(br::kReasoningText).BeginObject();
    w.Field(br::kText, text);
    if (has_signature) w.Field(br::kSignature, signature);
    w.EndObject().EndObject().EndObject();
  } else {
    element de;
    std::string_view data;
    if (!(Find(block, oa::kData, de) && bedrock::AsString(de, data)) &&
        !(Find(block, oa::kRedactedContent, de) && bedrock::AsString(de, data))) {
      return BadField(Dot(path, oa::kData), "is required");
    }
    if (!Base64Decode(data)) {
      return BadField(Dot(path, oa::kData), "must be the base64 redacted content Bedrock returned");
    }
    w.BeginObject().Key(br::kReasoningContent).BeginObject();
    w.Field(br::kRedactedContent, data).EndObject().EndObject();
  }
  if (HasCacheControl(block)) bedrock::WriteCachePoint(w);
  return Ok();
}

Result<void> RequestBuilder::AssistantMessage(object msg, const std::string& path) {
  JsonWriter& w = messages_.Blocks(br::kRoleAssistant);
  // Claude wants thinking blocks first in an assistant turn.
  element tb;
  array blocks;
  if (Find(msg, oa::kThinkingBlocks, tb) && tb.get_array().get(blocks) == simdjson::SUCCESS) {
    size_t j = 0;
    for (element b : blocks) {
      const std::string bpath = At(Dot(path, oa::kThinkingBlocks), j++);
      object block;
      if (b.get_object().get(block) != simdjson::SUCCESS)
        return BadField(bpath, "must be an object");
      if (auto r = ThinkingBlock(w, block, bpath); !r.ok()) return r;
    }
  }
  // reasoning_content (a display string without signature) is not sent back: providers that
  // emit it do not take it as input.
  element content;
  std::string_view text;
  array parts;
  if (Find(msg, oa::kContent, content) && !content.is_null()) {
    if (bedrock::AsString(content, text)) {
      // Bedrock rejects empty text blocks; "" often accompanies tool_calls.
      if (!text.empty()) w.BeginObject().Field(br::kText, text).EndObject();
    } else if (content.get_array().get(parts) == simdjson::SUCCESS) {
      size_t j = 0;
      for (element p : parts) {
        const std::string ppath = At(Dot(path, oa::kContent), j++);
        object part;
        element t;
        std::string_view type;
        if (p.get_object().get(part) != simdjson::SUCCESS || !Find(part, oa::kType, t) ||
            !bedrock::AsString(t, type)) {
          return BadField(ppath, "must be a content part with a type");
        }
        if (type == oa::kPartText || type == oa::kPartRefusal) {
          element te;
          const std::string_view key = type == oa::kPartText ? oa::kText : oa::kRefusal;
          if (!Find(part, key, te) || !bedrock::AsString(te, text)) {
            return BadField(Dot(ppath, key), "is required");
          }
          w.BeginObject().Field(br::kText, text).EndObject();
          if (HasCacheControl(part)) bedrock::WriteCachePoint(w);
        } else if (type == oa::kPartThinking || type == oa::kPartRedactedThinking) {
          if (auto r = ThinkingBlock(w, part, ppath); !r.ok()) return r;
        } else {
          return Unprocessable(
              Dot(ppath, oa::kType),
              "assistant content parts of type " + std::string(type) + " have no Bedrock block");
        }
      }
    } else {
      return BadField(Dot(path, oa::kContent), "must be a string or an array of parts");
    }
  }
  element tc;
  array calls;
  if (Find(msg, oa::kToolCalls, tc) && tc.get_array().get(calls) == simdjson::SUCCESS) {
    size_t j = 0;
    for (element c : calls) {
      const std::string cpath = At(Dot(path, oa::kToolCalls), j++);
      object call, fn;
      element ide, fne, ne, ae;
      std::string_view id, name, arguments;
      if (c.get_object().get(call) != simdjson::SUCCESS)
        return BadField(cpath, "must be an object");
      if (!Find(call, oa::kId, ide) || !bedrock::AsString(ide, id)) {
        return BadField(Dot(cpath, oa::kId), "is required");
      }
      if (!Find(call, oa::kFunction, fne) || fne.get_object().get(fn) != simdjson::SUCCESS ||
          !Find(fn, oa::kName, ne) || !bedrock::AsString(ne, name)) {
        return BadField(Dot(Dot(cpath, oa::kFunction), oa::kName), "is required");
      }
      if (Find(fn, oa::kArguments, ae) && !ae.is_null() && !bedrock::AsString(ae, arguments)) {
        return BadField(Dot(Dot(cpath, oa::kFunction), oa::kArguments), "must be a string");
      }
      // Bedrock's toolUse.input is a JSON document, OpenAI's arguments its text.
      std::string input = "{}";
      if (!TrimWhitespace(arguments).empty()) {
        simdjson::dom::parser args_parser;
        auto parsed = bedrock::ParseJson(args_parser, arguments, ErrorSource::kClient);
        if (!parsed.ok()) {
          return BadField(Dot(Dot(cpath, oa::kFunction), oa::kArguments), "is not valid JSON");
        }
        input = bedrock::ToJson(*parsed);
      }
      w.BeginObject().Key(br::kToolUse).BeginObject();
      w.Field(br::kToolUseId, id).Field(br::kName, name).FieldRaw(br::kInput, input);
      w.EndObject().EndObject();
      if (HasCacheControl(call)) bedrock::WriteCachePoint(w);
    }
  }
  if (HasCacheControl(msg)) bedrock::WriteCachePoint(w);
  // An assistant turn with nothing in it (some clients send content "" and no tool calls) would
  // be an empty content list, which Converse rejects.
  messages_.DropIfEmpty();
  return Ok();
}

Result<void> RequestBuilder::ToolMessage(object msg, const std::string& path) {
  // Tool results travel in a user turn; consecutive tool messages share one (the list merges).
  JsonWriter& w = messages_.Blocks(br::kRoleUser);
  element ide;
  std::string_view id;
  if (!Find(msg, oa::kToolCallId, ide) || !bedrock::AsString(ide, id)) {
    return BadField(Dot(path, oa::kToolCallId), "is required");
  }
  w.BeginObject().Key(br::kToolResult).BeginObject().Field(br::kToolUseId, id);
  w.Key(br::kContent).BeginArray();
  element content;
  std::string_view text;
  array parts;
  bool cache_after = HasCacheControl(msg);
  if (!Find(msg, oa::kContent, content) || content.is_null()) {
    return BadField(Dot(path, oa::kContent), "is required");
  }
  if (bedrock::AsString(content, text)) {
    w.BeginObject().Field(br::kText, text).EndObject();
  } else if (content.get_array().get(parts) == simdjson::SUCCESS) {
    size_t j = 0;
    for (element p : parts) {
      const std::string ppath = At(Dot(path, oa::kContent), j++);
      object part;
      if (p.get_object().get(part) != simdjson::SUCCESS)
        return BadField(ppath, "must be an object");
      element t;
      std::string_view type;
      if (!Find(part, oa::kType, t) || !bedrock::AsString(t, type)) {
        return BadField(Dot(ppath, oa::kType), "is required");
      }
      if (type != oa::kPartText && type != oa::kPartImageUrl) {
        return Unprocessable(Dot(ppath, oa::kType), "tool results carry text and images only");
      }
      // ToolResultContentBlock shares the text and image members of ContentBlock; a cachePoint
      // is not one of its members, so part-level cache_control is applied after the result.
      if (auto r = UserPart(w, part, ppath, &cache_after); !r.ok()) return r;
    }
  } else {
    return BadField(Dot(path, oa::kContent), "must be a string or an array of parts");
  }
  w.EndArray().EndObject().EndObject();
  if (cache_after) bedrock::WriteCachePoint(w);
  return Ok();
}

Result<void> RequestBuilder::Tools(JsonWriter& w) {
  array tools;
  if (!tools_ || tools_->is_null()) return Ok();
  if (tools_->get_array().get(tools) != simdjson::SUCCESS) {
    return BadField(oa::kTools, "must be an array");
  }
  if (tools.size() == 0) return Ok();
  w.Key(br::kToolConfig).BeginObject().Key(br::kTools).BeginArray();
  size_t i = 0;
  for (element t : tools) {
    const std::string path = At(oa::kTools, i++);
    object tool, fn;
    element te, fe, ne, de, pe, se;
    std::string_view type, name, description;
    if (t.get_object().get(tool) != simdjson::SUCCESS) return BadField(path, "must be an object");
    if (Find(tool, oa::kType, te) && bedrock::AsString(te, type) && type != oa::kToolTypeFunction) {
      return Unprocessable(Dot(path, oa::kType),
                           "Bedrock Converse takes function tools only, not " + std::string(type));
    }
    if (!Find(tool, oa::kFunction, fe) || fe.get_object().get(fn) != simdjson::SUCCESS) {
      return BadField(Dot(path, oa::kFunction), "is required");
    }
    if (!Find(fn, oa::kName, ne) || !bedrock::AsString(ne, name)) {
      return BadField(Dot(Dot(path, oa::kFunction), oa::kName), "is required");
    }
    w.BeginObject().Key(br::kToolSpec).BeginObject().Field(br::kName, name);
    if (Find(fn, oa::kDescription, de) && bedrock::AsString(de, description) &&
        !description.empty()) {
      w.Field(br::kDescription, description);
    }
    // inputSchema is required by Converse; a function without parameters takes an empty object.
    w.Key(br::kInputSchema).BeginObject().Key(br::kJson);
    if (Find(fn, oa::kParameters, pe) && !pe.is_null()) {
      w.Element(pe);
    } else {
      w.Raw(R"({"type":"object","properties":{}})");
    }
    w.EndObject();
    bool strict = false;
    if (Find(fn, oa::kStrict, se) && bedrock::AsBool(se, strict) && strict) {
      w.Key(br::kStrict).Bool(true);  // ToolSpecification.strict (Bedrock structured outputs)
    }
    w.EndObject().EndObject();
    if (HasCacheControl(tool) || HasCacheControl(fn)) bedrock::WriteCachePoint(w);
  }
  w.EndArray();
  if (tool_choice_ && !tool_choice_->is_null()) {
    std::string_view choice;
    object o;
    if (bedrock::AsString(*tool_choice_, choice)) {
      if (choice == oa::kToolChoiceAuto) {
        w.Key(br::kToolChoice).BeginObject().Key(br::kToolChoiceAuto).BeginObject().EndObject();
        w.EndObject();
      } else if (choice == oa::kToolChoiceRequired) {
        w.Key(br::kToolChoice).BeginObject().Key(br::kToolChoiceAny).BeginObject().EndObject();
        w.EndObject();
      } else if (choice == oa::kToolChoiceNone) {
        return Unprocessable(oa::kToolChoice,
                             "Bedrock Converse cannot forbid tool use while tools are given");
      } else {
        return BadField(oa::kToolChoice, "unknown value " + std::string(choice));
      }
    } else if (tool_choice_->get_object().get(o) == simdjson::SUCCESS) {
      element te, fe, ne;
      object fn;
      std::string_view type, name;
      if (Find(o, oa::kType, te) && bedrock::AsString(te, type) && type != oa::kToolTypeFunction) {
        return Unprocessable(
            Dot(oa::kToolChoice, oa::kType),
            "Bedrock Converse can force a named function only, not " + std::string(type));
      }
      if (!Find(o, oa::kFunction, fe) || fe.get_object().get(fn) != simdjson::SUCCESS ||
          !Find(fn, oa::kName, ne) || !bedrock::AsString(ne, name)) {
        return BadField(Dot(Dot(oa::kToolChoice, oa::kFunction), oa::kName), "is required");
      }
      w.Key(br::kToolChoice).BeginObject().Key(br::kToolChoiceTool).BeginObject();
      w.Field(br::kName, name).EndObject().EndObject();
    } else {
      return BadField(oa::kToolChoice, "must be a string or an object");
    }
  }
  w.EndObject();
  return Ok();
}

Result<void> RequestBuilder::ReasoningAndExtras(JsonWriter& w) {
  std::string extra;
  JsonWriter x(extra);
  const bool claude = bedrock::IsClaudeModel(model_);
  if (top_k_ && !top_k_->is_null()) {
    if (!IsNumber(*top_k_)) return BadField(oa::kTopK, "must be an integer");
    x.Key(an::kTopK).Element(*top_k_);
  }
  if (thinking_) {
    object o;
    if (thinking_->get_object().get(o) != simdjson::SUCCESS) {
      return BadField(oa::kThinking, "must be an object");
    }
    // Claude's own thinking config ({type enabled|disabled|adaptive, budget_tokens, display})
    // goes through unchanged.
    x.Key(an::kThinking).Element(*thinking_);
  }
  if (reasoning_effort_) {
    const std::string_view effort = *reasoning_effort_;
    if (!claude) {
      // Other models (Nova, GLM, DeepSeek, ...) read reasoning_config, as the reference sends it.
      x.Key(br::kReasoningConfig).String(effort);
    } else if (!common::IsKnownReasoningEffort(effort)) {
      return Unprocessable(oa::kReasoningEffort,
                           "unknown value " + std::string(effort) +
                               " (none, minimal, low, medium, high, xhigh, max)");
    } else if (common::ClaudeAcceptsEffort(model_)) {
      if (auto e = common::ClaudeEffort(effort)) {
        x.Key(an::kOutputConfig).BeginObject().Field(an::kEffort, *e).EndObject();
      }
    } else if (!thinking_) {
      // An explicit thinking config wins over the effort table.
      x.Key(an::kThinking).BeginObject();
      if (auto budget = common::ThinkingBudget(effort)) {
        x.Field(br::kType, an::kThinkingEnabled).Key(an::kBudgetTokens).Uint(*budget);
      } else {
        x.Field(br::kType, an::kThinkingDisabled);
      }
      x.EndObject();
    }
  }
  if (!extra.empty()) {
    w.Key(br::kAdditionalModelRequestFields).BeginObject().Raw(extra).EndObject();
  }
  return Ok();
}

Result<void> RequestBuilder::ResponseFormat(JsonWriter& w, bool& wrote) {
  if (!response_format_ || response_format_->is_null()) return Ok();
  object rf;
  element te;
  std::string_view type;
  if (response_format_->get_object().get(rf) != simdjson::SUCCESS || !Find(rf, oa::kType, te) ||
      !bedrock::AsString(te, type)) {
    return BadField(oa::kResponseFormat, "must be an object with a type");
  }
  if (type == oa::kResponseFormatText) return Ok();
  if (type == oa::kResponseFormatJsonObject) {
    return Unprocessable(Dot(oa::kResponseFormat, oa::kType),
                         "Bedrock structured output needs a schema: use json_schema");
  }
  if (type != oa::kResponseFormatJsonSchema) {
    return Unprocessable(Dot(oa::kResponseFormat, oa::kType), "unknown type " + std::string(type));
  }
  element js, se, ne, de;
  object schema;
  if (!Find(rf, oa::kJsonSchema, js) || js.get_object().get(schema) != simdjson::SUCCESS ||
      !Find(schema, oa::kSchema, se) || se.is_null()) {
    return BadField(Dot(Dot(oa::kResponseFormat, oa::kJsonSchema), oa::kSchema), "is required");
  }
  // OutputConfig.textFormat (Bedrock structured outputs): the schema travels as JSON text.
  w.Key(br::kOutputConfig).BeginObject().Key(br::kTextFormat).BeginObject();
  w.Field(br::kType, br::kTextFormatJsonSchema).Key(br::kStructure).BeginObject();
  w.Key(br::kJsonSchema).BeginObject().Field(br::kSchema, bedrock::ToJson(se));
  std::string_view s;
  if (Find(schema, oa::kName, ne) && bedrock::AsString(ne, s)) w.Field(br::kName, s);
  if (Find(schema, oa::kDescription, de) && bedrock::AsString(de, s)) w.Field(br::kDescription, s);
  w.EndObject().EndObject().EndObject().EndObject();
  wrote = true;
  return Ok();
}

// ---------------------------------------------------------------------------------------------
// Response: Converse → OpenAI.

class OpenAIChatToBedrockConverse final : public Translator {
 public:
  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) override {
    model_ = std::string(request.model);
    stream_ = request.stream;
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
    include_usage_ = builder.include_usage();
    UpstreamRequest up;
    up.path =
        common::BedrockModelPath(model_, stream_ ? br::kConverseStreamSuffix : br::kConverseSuffix);
    up.body = std::move(body).value();
    up.set_headers.emplace_back(br::kHeaderContentType, br::kContentTypeJson);
    up.set_headers.emplace_back(br::kHeaderAccept,
                                stream_ ? br::kContentTypeEventStream : br::kContentTypeJson);
    created_ = common::NowUnixSeconds();
    info_.model = model_;  // Bedrock answers run the requested model and do not name it
    return up;
  }

  bool relays_unchanged() const override { return false; }

  void SetUpstreamRequestId(std::string_view id) override { id_ = std::string(id); }

  ResponseShape OnResponseHead(int, std::string_view) override {
    if (id_.empty()) id_ = bedrock::FallbackId("chatcmpl-");
    if (stream_) return {std::string(oa::kEventStreamContentType), true};
    return {std::string(oa::kJsonContentType), false};
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
          Fail(out, ex.type.empty() ? br::kBackendErrorType : std::string_view(ex.type), ex.status,
               ex.message);
          return Ok();
        });
  }

  Result<void> OnUpstreamEnd(std::string& out) override {
    if (!stream_) return FinishJson(out);
    if (failed_) return Ok();
    if (reader_.mid_message() || !stopped_) {
      Fail(out, br::kBackendErrorType, 502,
           reader_.mid_message() ? "the Bedrock stream ended inside an event-stream message"
                                 : "the Bedrock stream ended before messageStop");
      return Ok();
    }
    codec::AppendSseEvent(out, "", oa::kDone);
    return Ok();
  }

  ClientError TranslateError(int status, std::string_view content_type, std::string_view error_type,
                             std::string_view body) const override {
    return bedrock::OpenAIErrorFromBedrock(status, content_type, error_type, body);
  }

  const limit::ResponseInfo& response() const override { return info_; }
  std::string_view stream_error() const override { return stream_error_; }

 private:
  // {"id","object":"chat.completion.chunk","created","model","choices":[{"index":0,"delta":{..},
  //  "finish_reason":..}]} as one SSE event.
  template <typename DeltaFn>
  void EmitChunk(std::string& out, DeltaFn&& delta, std::string_view finish_reason = {}) {
    chunk_.clear();
    JsonWriter w(chunk_);
    ChunkHead(w);
    w.Key(oa::kChoices).BeginArray().BeginObject().Key(oa::kIndex).Int(0);
    w.Key(oa::kDelta).BeginObject();
    delta(w);
    w.EndObject().Key(oa::kFinishReason);
    if (finish_reason.empty()) {
      w.Null();
    } else {
      w.String(finish_reason);
    }
    w.EndObject().EndArray().EndObject();
    codec::AppendSseEvent(out, "", chunk_);
  }

  void ChunkHead(JsonWriter& w) {
    w.BeginObject().Field(oa::kId, id_).Field(oa::kObject, oa::kObjectChunk);
    w.Key(oa::kCreated).Int(created_).Field(oa::kModel, model_);
  }

  Result<void> OnEvent(const bedrock::ConverseEvent& e, std::string& out) {
    if (failed_) return Ok();  // nothing follows the error event
    namespace b = schema::bedrock;
    if (e.type == b::kEventMessageStart) {
      EmitChunk(out, [&](JsonWriter& w) {
        w.Field(oa::kRole, b::kRoleAssistant).Field(oa::kContent, "");
      });
    } else if (e.type == b::kEventContentBlockStart) {
      element se, tue, ide, ne;
      object start, tool_use;
      uint64_t index = 0;
      element ie;
      if (Find(e.payload, b::kContentBlockIndex, ie)) bedrock::AsUint(ie, index);
      if (Find(e.payload, b::kStart, se) && se.get_object().get(start) == simdjson::SUCCESS &&
          Find(start, b::kToolUse, tue) && tue.get_object().get(tool_use) == simdjson::SUCCESS) {
        std::string_view id, name;
        if (Find(tool_use, b::kToolUseId, ide)) bedrock::AsString(ide, id);
        if (Find(tool_use, b::kName, ne)) bedrock::AsString(ne, name);
        const int tool_index = next_tool_index_++;
        tool_index_by_block_[index] = tool_index;
        EmitChunk(out, [&](JsonWriter& w) {
          w.Key(oa::kToolCalls).BeginArray().BeginObject().Key(oa::kIndex).Int(tool_index);
          w.Field(oa::kId, id).Field(oa::kType, oa::kToolTypeFunction);
          w.Key(oa::kFunction).BeginObject().Field(oa::kName, name).Field(oa::kArguments, "");
          w.EndObject().EndObject().EndArray();
        });
      }
    } else if (e.type == b::kEventContentBlockDelta) {
      element de, ie, v;
      object delta;
      uint64_t index = 0;
      if (Find(e.payload, b::kContentBlockIndex, ie)) bedrock::AsUint(ie, index);
      if (!Find(e.payload, b::kDelta, de) || de.get_object().get(delta) != simdjson::SUCCESS) {
        return Ok();
      }
      std::string_view s;
      object o;
      if (Find(delta, b::kText, v) && bedrock::AsString(v, s)) {
        EmitChunk(out, [&](JsonWriter& w) { w.Field(oa::kContent, s); });
      } else if (Find(delta, b::kToolUse, v) && v.get_object().get(o) == simdjson::SUCCESS) {
        element in;
        if (Find(o, b::kInput, in)) bedrock::AsString(in, s);
        auto it = tool_index_by_block_.find(index);
        const int tool_index =
            it != tool_index_by_block_.end() ? it->second : std::max(0, next_tool_index_ - 1);
        EmitChunk(out, [&](JsonWriter& w) {
          w.Key(oa::kToolCalls).BeginArray().BeginObject().Key(oa::kIndex).Int(tool_index);
          w.Key(oa::kFunction).BeginObject().Field(oa::kArguments, s).EndObject();
          w.EndObject().EndArray();
        });
      } else if (Find(delta, b::kReasoningContent, v) &&
                 v.get_object().get(o) == simdjson::SUCCESS) {
        element x;
        if (Find(o, b::kText, x) && bedrock::AsString(x, s)) {
          EmitChunk(out, [&](JsonWriter& w) { w.Field(oa::kReasoningContent, s); });
        }
        if (Find(o, b::kSignature, x) && bedrock::AsString(x, s)) {
          EmitChunk(out, [&](JsonWriter& w) {
            w.Key(oa::kThinkingBlocks).BeginArray().BeginObject();
            w.Field(oa::kType, oa::kPartThinking).Field(oa::kThinking, "");
            w.Field(oa::kSignature, s).EndObject().EndArray();
          });
        }
        if (Find(o, b::kRedactedContent, x) && bedrock::AsString(x, s)) {
          EmitChunk(out, [&](JsonWriter& w) {
            w.Key(oa::kThinkingBlocks).BeginArray().BeginObject();
            w.Field(oa::kType, oa::kPartRedactedThinking).Field(oa::kData, s);
            w.EndObject().EndArray();
          });
        }
      }
      // Other deltas (citations, images) have no chat-completions field.
    } else if (e.type == b::kEventMessageStop) {
      element re;
      std::string_view reason;
      if (Find(e.payload, b::kStopReason, re)) bedrock::AsString(re, reason);
      stopped_ = true;
      EmitChunk(
          out, [](JsonWriter&) {}, bedrock::OpenAIFinishReason(reason));
    } else if (e.type == b::kEventMetadata) {
      element ue;
      if (Find(e.payload, b::kUsage, ue)) {
        usage_.Read(ue);
        info_.usage = usage_.ToTokenUsage();
        if (include_usage_) {
          // stream_options.include_usage: "an additional chunk ... choices empty ... usage".
          chunk_.clear();
          JsonWriter w(chunk_);
          ChunkHead(w);
          w.Key(oa::kChoices).BeginArray().EndArray().Key(oa::kUsage);
          bedrock::WriteOpenAIUsage(w, usage_);
          w.EndObject();
          codec::AppendSseEvent(out, "", chunk_);
        }
      }
    }
    return Ok();
  }

  // A stream that failed after the response started ends with an error chunk, which the OpenAI
  // SDKs raise as an APIError ({"error":{"message","type","code"}}), and no [DONE].
  void Fail(std::string& out, std::string_view type, int status, std::string_view message) {
    failed_ = true;
    stream_error_ = std::string(type) + ": " + std::string(message);
    chunk_.clear();
    JsonWriter w(chunk_);
    w.BeginObject().Key(oa::kError).BeginObject();
    w.Field(oa::kMessage, message).Field(oa::kType, type).Field(oa::kCode, std::to_string(status));
    w.EndObject().EndObject();
    codec::AppendSseEvent(out, "", chunk_);
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
    element se, oe, me, ue, ce, ste;
    std::string_view stop_reason;
    if (Find(resp, b::kStopReason, se)) bedrock::AsString(se, stop_reason);
    // A 200 without "output" (guardrail or service errors) is an upstream error (reference §1.4).
    if (!Find(resp, b::kOutput, oe) || oe.get_object().get(output) != simdjson::SUCCESS ||
        !Find(output, b::kMessage, me) || me.get_object().get(message) != simdjson::SUCCESS) {
      return Error(
          ErrorKind::kProtocol,
          "bedrock response missing 'output' (stopReason=\"" + std::string(stop_reason) + "\")",
          ErrorSource::kUpstream);
    }
    if (Find(resp, b::kUsage, ue)) usage_.Read(ue);
    info_.usage = usage_.ToTokenUsage();

    std::string text, reasoning, tool_calls, thinking_blocks;
    JsonWriter tcw(tool_calls), tbw(thinking_blocks);
    bool has_text = false;
    array content;
    if (Find(message, b::kContent, ce) && ce.get_array().get(content) == simdjson::SUCCESS) {
      for (element blk : content) {
        object block, o;
        element v;
        std::string_view s;
        if (blk.get_object().get(block) != simdjson::SUCCESS) continue;
        if (Find(block, b::kText, v) && bedrock::AsString(v, s)) {
          text.append(s);  // several text blocks (around tool use or citations) join up
          has_text = true;
        } else if (Find(block, b::kToolUse, v) && v.get_object().get(o) == simdjson::SUCCESS) {
          element x;
          std::string_view id, name;
          if (Find(o, b::kToolUseId, x)) bedrock::AsString(x, id);
          if (Find(o, b::kName, x)) bedrock::AsString(x, name);
          const std::string arguments = Find(o, b::kInput, x) ? bedrock::ToJson(x) : "{}";
          tcw.BeginObject().Field(oa::kId, id).Field(oa::kType, oa::kToolTypeFunction);
          tcw.Key(oa::kFunction).BeginObject().Field(oa::kName, name);
          tcw.Field(oa::kArguments, arguments).EndObject().EndObject();
        } else if (Find(block, b::kReasoningContent, v) &&
                   v.get_object().get(o) == simdjson::SUCCESS) {
          element x;
          object rt;
          if (Find(o, b::kReasoningText, x) && x.get_object().get(rt) == simdjson::SUCCESS) {
            element te, sge;
            std::string_view t, sig;
            if (Find(rt, b::kText, te)) bedrock::AsString(te, t);
            reasoning.append(t);
            tbw.BeginObject().Field(oa::kType, oa::kPartThinking).Field(oa::kThinking, t);
            if (Find(rt, b::kSignature, sge) && bedrock::AsString(sge, sig)) {
              tbw.Field(oa::kSignature, sig);
            }
            tbw.EndObject();
          } else if (Find(o, b::kRedactedContent, x) && bedrock::AsString(x, s)) {
            tbw.BeginObject().Field(oa::kType, oa::kPartRedactedThinking).Field(oa::kData, s);
            tbw.EndObject();
          }
        }
      }
    }

    JsonWriter w(out);
    w.BeginObject().Field(oa::kId, id_).Field(oa::kObject, oa::kObjectChatCompletion);
    w.Key(oa::kCreated).Int(created_).Field(oa::kModel, model_);
    w.Key(oa::kChoices).BeginArray().BeginObject().Key(oa::kIndex).Int(0);
    w.Key(oa::kMessage).BeginObject().Field(oa::kRole, b::kRoleAssistant).Key(oa::kContent);
    if (has_text || tool_calls.empty()) {
      w.String(text);
    } else {
      w.Null();
    }
    if (!tool_calls.empty()) w.Key(oa::kToolCalls).BeginArray().Raw(tool_calls).EndArray();
    if (!reasoning.empty()) w.Field(oa::kReasoningContent, reasoning);
    if (!thinking_blocks.empty()) {
      w.Key(oa::kThinkingBlocks).BeginArray().Raw(thinking_blocks).EndArray();
    }
    w.EndObject().Field(oa::kFinishReason, bedrock::OpenAIFinishReason(stop_reason));
    w.EndObject().EndArray();
    if (usage_.seen) {
      w.Key(oa::kUsage);
      bedrock::WriteOpenAIUsage(w, usage_);
    }
    element tier_e, tier_type;
    object tier;
    std::string_view tier_name;
    if (Find(resp, b::kServiceTier, tier_e) && tier_e.get_object().get(tier) == simdjson::SUCCESS &&
        Find(tier, b::kType, tier_type) && bedrock::AsString(tier_type, tier_name)) {
      w.Field(oa::kServiceTier, tier_name);
    }
    w.EndObject();
    return Ok();
  }

  std::string model_;
  bool stream_ = false;
  bool include_usage_ = false;
  std::string id_;
  int64_t created_ = 0;
  std::string body_;
  std::string chunk_;
  bedrock::ConverseStreamReader reader_;
  bedrock::ConverseUsage usage_;
  std::map<uint64_t, int> tool_index_by_block_;
  int next_tool_index_ = 0;
  bool stopped_ = false;
  bool failed_ = false;
  std::string stream_error_;
  limit::ResponseInfo info_;
};

}  // namespace

std::unique_ptr<Translator> NewOpenAIChatToBedrockConverse(Endpoint) {
  return std::make_unique<OpenAIChatToBedrockConverse>();
}

}  // namespace sluice::translate
