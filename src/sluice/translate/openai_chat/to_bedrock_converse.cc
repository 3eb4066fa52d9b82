#include "sluice/translate/openai_chat/to_bedrock_converse.h"

#include <map>
#include <optional>
#include <string>

#include "sluice/codec/function_ref.h"
#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/schema/openai/chat.h"
#include "sluice/translate/bedrock/converse_common.h"
#include "sluice/translate/bedrock/converse_request.h"
#include "sluice/translate/bedrock/converse_translator.h"
#include "sluice/translate/bedrock/json_writer.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/clock.h"
#include "sluice/translate/common/field_errors.h"
#include "sluice/translate/common/reasoning_effort.h"

namespace sluice::translate::bedrock {

namespace {

namespace an = schema::anthropic;
namespace br = schema::bedrock;
namespace oa = schema::openai;

// A message's "content": a string goes to `on_text`, each element of an array of parts to
// `on_part` with its path. Absent or null content is a 400 when `required`, else visits nothing.
Result<void> ForEachContent(object msg, const std::string& path, bool required,
                            codec::FunctionRef<Result<void>(std::string_view)> on_text,
                            codec::FunctionRef<Result<void>(element, const std::string&)> on_part) {
  element content;
  std::string_view text;
  array parts;
  if (!Find(msg, oa::kContent, content) || content.is_null()) {
    return required ? BadField(Dot(path, oa::kContent), "is required") : Ok();
  }
  if (AsString(content, text)) return on_text(text);
  if (content.get_array().get(parts) != simdjson::SUCCESS) {
    return BadField(Dot(path, oa::kContent), "must be a string or an array of parts");
  }
  size_t j = 0;
  for (element p : parts) {
    if (auto r = on_part(p, At(Dot(path, oa::kContent), j++)); !r.ok()) return r;
  }
  return Ok();
}

// ForEachContent's `on_text` for a message whose string content is one text block.
auto WriteAsTextBlock(JsonWriter& w) {
  return [&w](std::string_view text) -> Result<void> {
    WriteTextBlock(w, text);
    return Ok();
  };
}

// A content part with a string "type"; false for anything else.
bool TypedPart(element p, object& part, std::string_view& type) {
  element t;
  return p.get_object().get(part) == simdjson::SUCCESS && Find(part, oa::kType, t) &&
         AsString(t, type);
}

// ---------------------------------------------------------------------------------------------
// Request: OpenAI chat completion → Converse.

class RequestBuilder {
 public:
  explicit RequestBuilder(std::string_view model) : model_(model) {}

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
  Result<void> StopSequences(JsonWriter& w);
  Result<void> Tools(JsonWriter& w);
  Result<void> ReasoningAndExtras(JsonWriter& w);
  Result<void> ResponseFormat(JsonWriter& w);
  Result<void> CheckInexpressible(std::string_view key, element value);

  std::string_view model_;
  ConverseMessageList messages_;
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
    if (AsUint(value, n) && n == 1) return Ok();
    return Unprocessable(key, "Bedrock Converse returns one choice; only n=1 is supported");
  }
  if (key == oa::kLogprobs) {
    bool b = false;
    if (AsBool(value, b) && !b) return Ok();
    return Unprocessable(key, "Bedrock Converse does not return log probabilities");
  }
  if (key == oa::kTopLogprobs) {
    return Unprocessable(key, "Bedrock Converse does not return log probabilities");
  }
  if (key == oa::kPresencePenalty || key == oa::kFrequencyPenalty) {
    double d = 0;
    if (AsDouble(value, d) && d == 0) return Ok();
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
        if (!AsString(m, s) || s != oa::kModalityText) text_only = false;
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
      include_usage_ =
          value.get_object().get(o) == simdjson::SUCCESS && BoolField(o, oa::kIncludeUsage);
    } else if (key == oa::kTools) {
      tools_ = value;
    } else if (key == oa::kToolChoice) {
      tool_choice_ = value;
    } else if (key == oa::kParallelToolCalls) {
      bool b = true;
      if (!value.is_null() && (!AsBool(value, b) || !b)) {
        // Claude's disable_parallel_tool_use lives in tool_choice, which Converse owns.
        return Unprocessable(key, "Bedrock Converse cannot disable parallel tool calls");
      }
    } else if (key == oa::kResponseFormat) {
      response_format_ = value;
    } else if (key == oa::kReasoningEffort) {
      std::string_view s;
      if (!value.is_null()) {
        if (!AsString(value, s)) return BadField(key, "must be a string");
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

  // inferenceConfig (API Reference, "InferenceConfiguration"). max_completion_tokens supersedes
  // the deprecated max_tokens. A request without either is forwarded without maxTokens: Bedrock
  // applies the model's own limit or answers its error.
  std::string inference;
  JsonWriter iw(inference);
  std::optional<element> max = max_completion_tokens_;
  if (!max || max->is_null()) max = max_tokens_;
  if (auto r = CopyNumber(iw, br::kMaxTokens, max, oa::kMaxCompletionTokens, "must be an integer");
      !r.ok()) {
    return r.error();
  }
  if (auto r = CopyNumber(iw, br::kTemperature, temperature_, oa::kTemperature, "must be a number");
      !r.ok()) {
    return r.error();
  }
  if (auto r = CopyNumber(iw, br::kTopP, top_p_, oa::kTopP, "must be a number"); !r.ok()) {
    return r.error();
  }
  if (auto r = StopSequences(iw); !r.ok()) return r.error();
  if (!inference.empty()) w.Key(br::kInferenceConfig).BeginObject().Raw(inference).EndObject();

  if (auto r = Tools(w); !r.ok()) return r.error();
  if (auto r = ReasoningAndExtras(w); !r.ok()) return r.error();

  if (service_tier_) {
    std::string_view tier;
    if (!AsString(*service_tier_, tier)) return BadField(oa::kServiceTier, "must be a string");
    // "auto" is OpenAI's default; other tiers (default, flex, priority) are Bedrock's names too.
    if (tier != oa::kServiceTierAuto) {
      w.Key(br::kServiceTier).BeginObject().Field(br::kType, tier).EndObject();
    }
  }
  if (auto r = ResponseFormat(w); !r.ok()) return r.error();
  w.EndObject();
  return body;
}

// stop (a string or a list of them) → stopSequences.
Result<void> RequestBuilder::StopSequences(JsonWriter& w) {
  if (!stop_ || stop_->is_null()) return Ok();
  std::string_view s;
  array a;
  if (AsString(*stop_, s)) {
    w.Key(br::kStopSequences).BeginArray().String(s).EndArray();
  } else if (stop_->get_array().get(a) == simdjson::SUCCESS) {
    w.Key(br::kStopSequences).BeginArray();
    size_t i = 0;
    for (element e : a) {
      if (!AsString(e, s)) return BadField(At(oa::kStop, i), "must be a string");
      w.String(s);
      ++i;
    }
    w.EndArray();
  } else {
    return BadField(oa::kStop, "must be a string or an array of strings");
  }
  return Ok();
}

Result<void> RequestBuilder::Messages(array messages) {
  size_t i = 0;
  for (element m : messages) {
    const std::string path = At(oa::kMessages, i++);
    object msg;
    if (m.get_object().get(msg) != simdjson::SUCCESS) return BadField(path, "must be an object");
    element role_e;
    std::string_view role;
    if (!Find(msg, oa::kRole, role_e) || !AsString(role_e, role)) {
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
  auto r =
      ForEachContent(msg, path, /*required=*/true, WriteAsTextBlock(w),
                     [&](element p, const std::string& ppath) -> Result<void> {
                       object part;
                       std::string_view type, text;
                       element te;
                       if (!TypedPart(p, part, type))
                         return BadField(ppath, "must be a content part with a type");
                       if (type != oa::kPartText) {
                         return Unprocessable(
                             Dot(ppath, oa::kType),
                             "system prompts carry text only on Bedrock, not " + std::string(type));
                       }
                       if (!Find(part, oa::kText, te) || !AsString(te, text)) {
                         return BadField(Dot(ppath, oa::kText), "is required");
                       }
                       WriteTextBlock(w, text);
                       if (HasCacheControl(part)) WriteCachePoint(w);
                       return Ok();
                     });
  if (!r.ok()) return r;
  if (HasCacheControl(msg)) WriteCachePoint(w);
  return Ok();
}

Result<void> RequestBuilder::UserPart(JsonWriter& w, object part, const std::string& path,
                                      bool* cache_after) {
  element t;
  std::string_view type;
  if (!Find(part, oa::kType, t) || !AsString(t, type)) {
    return BadField(Dot(path, oa::kType), "is required");
  }
  if (type == oa::kPartText) {
    element te;
    std::string_view text;
    if (!Find(part, oa::kText, te) || !AsString(te, text)) {
      return BadField(Dot(path, oa::kText), "is required");
    }
    WriteTextBlock(w, text);
  } else if (type == oa::kPartImageUrl) {
    element iu;
    object iuo;
    element ue;
    std::string_view url;
    if (!Find(part, oa::kImageUrl, iu)) return BadField(Dot(path, oa::kImageUrl), "is required");
    if (iu.get_object().get(iuo) == simdjson::SUCCESS) {
      if (!Find(iuo, oa::kUrl, ue) || !AsString(ue, url)) {
        return BadField(Dot(Dot(path, oa::kImageUrl), oa::kUrl), "is required");
      }
    } else if (!AsString(iu, url)) {
      return BadField(Dot(path, oa::kImageUrl), "must be an object with a url");
    }
    const std::string field = Dot(Dot(path, oa::kImageUrl), oa::kUrl);
    if (!StartsWithIgnoreCase(url, "data:")) {
      return Unprocessable(field, "Bedrock takes image bytes, not URLs: send a data: URI");
    }
    auto data = ParseDataUri(url);
    if (!data) return BadField(field, "is not a valid data URI");
    auto format = ImageFormat(data->media_type);
    if (!format) {
      return Unprocessable(field, "image type " + data->media_type +
                                      " is not one Bedrock accepts (png, jpeg, gif, webp)");
    }
    WriteImageBlock(w, *format, data->base64);
  } else if (type == oa::kPartFile) {
    element fe;
    object file;
    if (!Find(part, oa::kFile, fe) || fe.get_object().get(file) != simdjson::SUCCESS) {
      return BadField(Dot(path, oa::kFile), "is required");
    }
    element de;
    std::string_view file_data;
    if (!Find(file, oa::kFileData, de) || !AsString(de, file_data)) {
      return Unprocessable(Dot(path, oa::kFile),
                           "Bedrock takes document bytes: send file.file_data, not a file_id");
    }
    const std::string field = Dot(Dot(path, oa::kFile), oa::kFileData);
    auto data = ParseDataUri(file_data);
    if (!data) return BadField(field, "is not a valid data URI");
    auto format = DocumentFormat(data->media_type);
    if (!format) {
      return Unprocessable(field, "document type " + data->media_type +
                                      " is not one Bedrock accepts (pdf, csv, doc, docx, xls, "
                                      "xlsx, html, txt, md)");
    }
    element ne;
    std::string_view filename;
    if (Find(file, oa::kFilename, ne)) AsString(ne, filename);
    WriteDocumentBlock(w, *format, DocumentName(filename), data->base64);
  } else {
    return Unprocessable(Dot(path, oa::kType),
                         "content parts of type " + std::string(type) + " have no Bedrock block");
  }
  if (HasCacheControl(part)) {
    if (cache_after) {
      *cache_after = true;
    } else {
      WriteCachePoint(w);
    }
  }
  return Ok();
}

Result<void> RequestBuilder::UserMessage(object msg, const std::string& path) {
  JsonWriter& w = messages_.Blocks(br::kRoleUser);
  auto r = ForEachContent(msg, path, /*required=*/true, WriteAsTextBlock(w),
                          [&](element p, const std::string& ppath) -> Result<void> {
                            object part;
                            if (p.get_object().get(part) != simdjson::SUCCESS)
                              return BadField(ppath, "must be an object");
                            return UserPart(w, part, ppath);
                          });
  if (!r.ok()) return r;
  if (HasCacheControl(msg)) WriteCachePoint(w);
  return Ok();
}

// One thinking block of an assistant turn: a content part {"type":"thinking","thinking"|"text",
// "signature"} or {"type":"redacted_thinking","data"|"redacted_content"}, or the same objects in
// the message's "thinking_blocks" (the convention the responses of this translator use). The
// redacted data is Bedrock's redactedContent as it came back (base64), returned unchanged.
Result<void> RequestBuilder::ThinkingBlock(JsonWriter& w, object block, const std::string& path) {
  element t;
  std::string_view type;
  if (!Find(block, oa::kType, t) || !AsString(t, type)) {
    return BadField(Dot(path, oa::kType), "is required");
  }
  if (type == oa::kPartThinking) {
    element te, se;
    std::string_view text, signature;
    if (!(Find(block, oa::kThinking, te) && AsString(te, text))) {
      if (Find(block, oa::kText, te)) AsString(te, text);
    }
    const bool has_signature = Find(block, oa::kSignature, se) && AsString(se, signature);
    WriteReasoningBlock(w, text, has_signature ? std::optional(signature) : std::nullopt);
  } else {
    element de;
    std::string_view data;
    if (!(Find(block, oa::kData, de) && AsString(de, data)) &&
        !(Find(block, oa::kRedactedContent, de) && AsString(de, data))) {
      return BadField(Dot(path, oa::kData), "is required");
    }
    if (!Base64Decode(data)) {
      return BadField(Dot(path, oa::kData), "must be the base64 redacted content Bedrock returned");
    }
    WriteRedactedReasoningBlock(w, data);
  }
  if (HasCacheControl(block)) WriteCachePoint(w);
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
  auto r = ForEachContent(
      msg, path, /*required=*/false,
      [&](std::string_view text) -> Result<void> {
        // Bedrock rejects empty text blocks; "" often accompanies tool_calls.
        if (!text.empty()) WriteTextBlock(w, text);
        return Ok();
      },
      [&](element p, const std::string& ppath) -> Result<void> {
        object part;
        std::string_view type, text;
        element te;
        if (!TypedPart(p, part, type)) return BadField(ppath, "must be a content part with a type");
        if (type == oa::kPartText || type == oa::kPartRefusal) {
          const std::string_view key = type == oa::kPartText ? oa::kText : oa::kRefusal;
          if (!Find(part, key, te) || !AsString(te, text)) {
            return BadField(Dot(ppath, key), "is required");
          }
          WriteTextBlock(w, text);
          if (HasCacheControl(part)) WriteCachePoint(w);
          return Ok();
        }
        if (type == oa::kPartThinking || type == oa::kPartRedactedThinking) {
          return ThinkingBlock(w, part, ppath);
        }
        return Unprocessable(
            Dot(ppath, oa::kType),
            "assistant content parts of type " + std::string(type) + " have no Bedrock block");
      });
  if (!r.ok()) return r;
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
      if (!Find(call, oa::kId, ide) || !AsString(ide, id)) {
        return BadField(Dot(cpath, oa::kId), "is required");
      }
      if (!Find(call, oa::kFunction, fne) || fne.get_object().get(fn) != simdjson::SUCCESS ||
          !Find(fn, oa::kName, ne) || !AsString(ne, name)) {
        return BadField(Dot(Dot(cpath, oa::kFunction), oa::kName), "is required");
      }
      if (Find(fn, oa::kArguments, ae) && !ae.is_null() && !AsString(ae, arguments)) {
        return BadField(Dot(Dot(cpath, oa::kFunction), oa::kArguments), "must be a string");
      }
      // Bedrock's toolUse.input is a JSON document, OpenAI's arguments its text.
      std::string input = "{}";
      if (!TrimWhitespace(arguments).empty()) {
        simdjson::dom::parser args_parser;
        auto parsed = ParseJson(args_parser, arguments, ErrorSource::kClient);
        if (!parsed.ok()) {
          return BadField(Dot(Dot(cpath, oa::kFunction), oa::kArguments), "is not valid JSON");
        }
        input = ToJson(*parsed);
      }
      WriteToolUseBlock(w, id, name, input);
      if (HasCacheControl(call)) WriteCachePoint(w);
    }
  }
  if (HasCacheControl(msg)) WriteCachePoint(w);
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
  if (!Find(msg, oa::kToolCallId, ide) || !AsString(ide, id)) {
    return BadField(Dot(path, oa::kToolCallId), "is required");
  }
  w.BeginObject().Key(br::kToolResult).BeginObject().Field(br::kToolUseId, id);
  w.Key(br::kContent).BeginArray();
  bool cache_after = HasCacheControl(msg);
  auto r = ForEachContent(msg, path, /*required=*/true, WriteAsTextBlock(w),
                          [&](element p, const std::string& ppath) -> Result<void> {
                            object part;
                            if (p.get_object().get(part) != simdjson::SUCCESS)
                              return BadField(ppath, "must be an object");
                            element t;
                            std::string_view type;
                            if (!Find(part, oa::kType, t) || !AsString(t, type)) {
                              return BadField(Dot(ppath, oa::kType), "is required");
                            }
                            if (type != oa::kPartText && type != oa::kPartImageUrl) {
                              return Unprocessable(Dot(ppath, oa::kType),
                                                   "tool results carry text and images only");
                            }
                            // ToolResultContentBlock shares the text and image members of
                            // ContentBlock; a cachePoint is not one of its members, so part-level
                            // cache_control is applied after the result.
                            return UserPart(w, part, ppath, &cache_after);
                          });
  if (!r.ok()) return r;
  w.EndArray().EndObject().EndObject();
  if (cache_after) WriteCachePoint(w);
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
    element te, fe, ne;
    std::string_view type, name;
    if (t.get_object().get(tool) != simdjson::SUCCESS) return BadField(path, "must be an object");
    if (Find(tool, oa::kType, te) && AsString(te, type) && type != oa::kToolTypeFunction) {
      return Unprocessable(Dot(path, oa::kType),
                           "Bedrock Converse takes function tools only, not " + std::string(type));
    }
    if (!Find(tool, oa::kFunction, fe) || fe.get_object().get(fn) != simdjson::SUCCESS) {
      return BadField(Dot(path, oa::kFunction), "is required");
    }
    if (!Find(fn, oa::kName, ne) || !AsString(ne, name)) {
      return BadField(Dot(Dot(path, oa::kFunction), oa::kName), "is required");
    }
    WriteToolSpec(w, name, StringField(fn, oa::kDescription), Find(fn, oa::kParameters),
                  BoolField(fn, oa::kStrict));
    if (HasCacheControl(tool) || HasCacheControl(fn)) WriteCachePoint(w);
  }
  w.EndArray();
  if (tool_choice_ && !tool_choice_->is_null()) {
    std::string_view choice;
    object o;
    if (AsString(*tool_choice_, choice)) {
      if (choice == oa::kToolChoiceAuto) {
        WriteToolChoice(w, br::kToolChoiceAuto);
      } else if (choice == oa::kToolChoiceRequired) {
        WriteToolChoice(w, br::kToolChoiceAny);
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
      if (Find(o, oa::kType, te) && AsString(te, type) && type != oa::kToolTypeFunction) {
        return Unprocessable(
            Dot(oa::kToolChoice, oa::kType),
            "Bedrock Converse can force a named function only, not " + std::string(type));
      }
      if (!Find(o, oa::kFunction, fe) || fe.get_object().get(fn) != simdjson::SUCCESS ||
          !Find(fn, oa::kName, ne) || !AsString(ne, name)) {
        return BadField(Dot(Dot(oa::kToolChoice, oa::kFunction), oa::kName), "is required");
      }
      WriteToolChoice(w, br::kToolChoiceTool, name);
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
  const bool claude = IsClaudeModel(model_);
  if (auto r = CopyNumber(x, an::kTopK, top_k_, oa::kTopK, "must be an integer"); !r.ok()) {
    return r;
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
        x.Field(an::kType, an::kThinkingEnabled).Key(an::kBudgetTokens).Uint(*budget);
      } else {
        x.Field(an::kType, an::kThinkingDisabled);
      }
      x.EndObject();
    }
  }
  if (!extra.empty()) {
    w.Key(br::kAdditionalModelRequestFields).BeginObject().Raw(extra).EndObject();
  }
  return Ok();
}

Result<void> RequestBuilder::ResponseFormat(JsonWriter& w) {
  if (!response_format_ || response_format_->is_null()) return Ok();
  object rf;
  element te;
  std::string_view type;
  if (response_format_->get_object().get(rf) != simdjson::SUCCESS || !Find(rf, oa::kType, te) ||
      !AsString(te, type)) {
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
  std::string_view name, description;
  const bool has_name = Find(schema, oa::kName, ne) && AsString(ne, name);
  const bool has_description = Find(schema, oa::kDescription, de) && AsString(de, description);
  WriteJsonSchemaOutput(w, se, has_name ? std::optional(name) : std::nullopt,
                        has_description ? std::optional(description) : std::nullopt);
  return Ok();
}

// ---------------------------------------------------------------------------------------------
// Response: Converse → OpenAI.

class OpenAIChatToBedrockConverse final : public ConverseTranslator {
 public:
  OpenAIChatToBedrockConverse() : ConverseTranslator("chatcmpl-") {}

  ClientError TranslateError(int status, std::string_view content_type, std::string_view error_type,
                             std::string_view body) const override {
    return common::BedrockErrorToOpenAI(status, content_type, error_type, body);
  }

 private:
  Result<UpstreamRequest> BuildRequest(object body) override {
    RequestBuilder builder(model_);
    auto converse = builder.Build(body);
    if (!converse.ok()) return converse.error();
    include_usage_ = builder.include_usage();
    created_ = common::NowUnixSeconds();
    return ConverseRequest(model_, stream_, std::move(converse).value());
  }

  // {"id","object":"chat.completion.chunk","created","model","choices":[{"index":0,"delta":{..},
  //  "finish_reason":..}]} as one SSE event.
  template <typename DeltaFn>
  void EmitChunk(std::string& out, DeltaFn&& delta, std::string_view finish_reason = {}) {
    JsonWriter w = StartChunk();
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

  // Starts chunk_ with the fields every chunk opens with. They are the same for the whole stream
  // (the id is settled by the response head, before any event), so they are written once.
  JsonWriter StartChunk() {
    if (chunk_head_.empty()) {
      JsonWriter w(chunk_head_);
      w.BeginObject().Field(oa::kId, id_).Field(oa::kObject, oa::kObjectChunk);
      w.Key(oa::kCreated).Int(created_).Field(oa::kModel, model_);
    }
    chunk_.assign(chunk_head_);
    return JsonWriter(chunk_, /*continues=*/true);
  }

  Result<void> OnEvent(const ConverseEvent& e, std::string& out) override {
    if (e.type == br::kEventMessageStart) {
      EmitChunk(out, [&](JsonWriter& w) {
        w.Field(oa::kRole, oa::kRoleAssistant).Field(oa::kContent, "");
      });
    } else if (e.type == br::kEventContentBlockStart) {
      if (const auto tool = ReadToolUseStart(e.payload)) {
        const int tool_index = next_tool_index_++;
        tool_index_by_block_[BlockIndex(e.payload)] = tool_index;
        EmitChunk(out, [&](JsonWriter& w) {
          w.Key(oa::kToolCalls).BeginArray().BeginObject().Key(oa::kIndex).Int(tool_index);
          w.Field(oa::kId, tool->id).Field(oa::kType, oa::kToolTypeFunction);
          w.Key(oa::kFunction).BeginObject().Field(oa::kName, tool->name).Field(oa::kArguments, "");
          w.EndObject().EndObject().EndArray();
        });
      }
    } else if (e.type == br::kEventContentBlockDelta) {
      const auto delta = ReadContentDelta(e.payload);
      if (!delta) return Ok();
      switch (delta->kind) {
        case ContentDelta::Kind::kText:
          EmitChunk(out, [&](JsonWriter& w) { w.Field(oa::kContent, delta->text); });
          break;
        case ContentDelta::Kind::kToolInput: {
          auto it = tool_index_by_block_.find(BlockIndex(e.payload));
          const int tool_index =
              it != tool_index_by_block_.end() ? it->second : std::max(0, next_tool_index_ - 1);
          EmitChunk(out, [&](JsonWriter& w) {
            w.Key(oa::kToolCalls).BeginArray().BeginObject().Key(oa::kIndex).Int(tool_index);
            w.Key(oa::kFunction).BeginObject().Field(oa::kArguments, delta->text).EndObject();
            w.EndObject().EndArray();
          });
          break;
        }
        case ContentDelta::Kind::kReasoning:
          if (delta->reasoning_text) {
            EmitChunk(out, [&](JsonWriter& w) {
              w.Field(oa::kReasoningContent, *delta->reasoning_text);
            });
          }
          if (delta->signature) {
            EmitChunk(out, [&](JsonWriter& w) {
              w.Key(oa::kThinkingBlocks).BeginArray().BeginObject();
              w.Field(oa::kType, oa::kPartThinking).Field(oa::kThinking, "");
              w.Field(oa::kSignature, *delta->signature).EndObject().EndArray();
            });
          }
          if (delta->redacted) {
            EmitChunk(out, [&](JsonWriter& w) {
              w.Key(oa::kThinkingBlocks).BeginArray().BeginObject();
              w.Field(oa::kType, oa::kPartRedactedThinking).Field(oa::kData, *delta->redacted);
              w.EndObject().EndArray();
            });
          }
          break;
        case ContentDelta::Kind::kOther:  // citations, images: no chat-completions field
          break;
      }
    } else if (e.type == br::kEventMessageStop) {
      EmitChunk(
          out, [](JsonWriter&) {}, OpenAIFinishReason(StringField(e.payload, br::kStopReason)));
    } else if (e.type == br::kEventMetadata && include_usage_ && Find(e.payload, br::kUsage)) {
      // stream_options.include_usage: "an additional chunk ... choices empty ... usage".
      JsonWriter w = StartChunk();
      w.Key(oa::kChoices).BeginArray().EndArray().Key(oa::kUsage);
      WriteOpenAIUsage(w, usage_);
      w.EndObject();
      codec::AppendSseEvent(out, "", chunk_);
    }
    return Ok();
  }

  // A stream that failed after the response started ends with an error chunk, which the OpenAI
  // SDKs raise as an APIError ({"error":{"message","type","code"}}), and no [DONE].
  void FailStream(std::string& out, std::string_view type, int status,
                  std::string_view message) override {
    if (type.empty()) type = br::kBackendErrorType;
    failed_ = true;
    stream_error_ = std::string(type) + ": " + std::string(message);
    chunk_.clear();
    JsonWriter w(chunk_);
    w.BeginObject().Key(oa::kError).BeginObject();
    w.Field(oa::kMessage, message).Field(oa::kType, type).Field(oa::kCode, std::to_string(status));
    w.EndObject().EndObject();
    codec::AppendSseEvent(out, "", chunk_);
  }

  void EndStream(std::string& out) override { codec::AppendSseEvent(out, "", oa::kDone); }

  void TranslateJson(const ConverseOutput& answer, std::string& out) override {
    std::string text, reasoning, tool_calls, thinking_blocks;
    JsonWriter tcw(tool_calls), tbw(thinking_blocks);
    bool has_text = false;
    for (const ContentBlock& block : answer.content) {
      switch (block.kind) {
        case ContentBlock::Kind::kText:
          text.append(block.text);  // several text blocks (around tool use or citations) join
          has_text = true;
          break;
        case ContentBlock::Kind::kToolUse:
          tcw.BeginObject().Field(oa::kId, block.tool_use_id);
          tcw.Field(oa::kType, oa::kToolTypeFunction).Key(oa::kFunction).BeginObject();
          tcw.Field(oa::kName, block.tool_name);
          tcw.Field(oa::kArguments, block.tool_input ? ToJson(*block.tool_input) : "{}");
          tcw.EndObject().EndObject();
          break;
        case ContentBlock::Kind::kReasoning:
          reasoning.append(block.text);
          tbw.BeginObject().Field(oa::kType, oa::kPartThinking).Field(oa::kThinking, block.text);
          if (block.signature) tbw.Field(oa::kSignature, *block.signature);
          tbw.EndObject();
          break;
        case ContentBlock::Kind::kRedactedReasoning:
          tbw.BeginObject().Field(oa::kType, oa::kPartRedactedThinking);
          tbw.Field(oa::kData, block.redacted).EndObject();
          break;
        case ContentBlock::Kind::kOther:
          break;
      }
    }

    JsonWriter w(out);
    w.BeginObject().Field(oa::kId, id_).Field(oa::kObject, oa::kObjectChatCompletion);
    w.Key(oa::kCreated).Int(created_).Field(oa::kModel, model_);
    w.Key(oa::kChoices).BeginArray().BeginObject().Key(oa::kIndex).Int(0);
    w.Key(oa::kMessage).BeginObject().Field(oa::kRole, oa::kRoleAssistant).Key(oa::kContent);
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
    w.EndObject().Field(oa::kFinishReason, OpenAIFinishReason(answer.stop_reason));
    w.EndObject().EndArray();
    if (usage_.seen) {
      w.Key(oa::kUsage);
      WriteOpenAIUsage(w, usage_);
    }
    element tier_e, tier_type;
    object tier;
    std::string_view tier_name;
    if (Find(answer.response, br::kServiceTier, tier_e) &&
        tier_e.get_object().get(tier) == simdjson::SUCCESS && Find(tier, br::kType, tier_type) &&
        AsString(tier_type, tier_name)) {
      w.Field(oa::kServiceTier, tier_name);
    }
    w.EndObject();
  }

  bool include_usage_ = false;
  int64_t created_ = 0;
  std::string chunk_head_;  // {"id":..,"object":..,"created":..,"model":.. of every chunk
  std::string chunk_;
  std::map<uint64_t, int> tool_index_by_block_;
  int next_tool_index_ = 0;
};

}  // namespace

}  // namespace sluice::translate::bedrock

namespace sluice::translate {

std::unique_ptr<Translator> NewOpenAIChatToBedrockConverse(Endpoint) {
  return std::make_unique<bedrock::OpenAIChatToBedrockConverse>();
}

}  // namespace sluice::translate
