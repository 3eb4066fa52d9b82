// Anthropic Messages → an OpenAI-compatible backend (reference §1.3 "messages → OpenAI", §1.4
// "Anthropic → OpenAI", §2 "OpenAI SSE → Anthropic SSE", §9 "OpenAI backend for /v1/messages").
//
// Request (Anthropic API reference "Create a Message" → OpenAI "Create chat completion"):
//   system → a leading system message; user text/image/document blocks → content parts
//   (images as image_url, base64 sources as data: URIs; base64 PDFs as file parts); tool_result
//   blocks → tool messages placed before the rest of their user turn; assistant tool_use →
//   tool_calls (input serialised into arguments); thinking / redacted_thinking →
//   "thinking_blocks" on the assistant message (signatures kept); max_tokens →
//   max_completion_tokens; stop_sequences → stop; temperature, top_p, top_k; tools (custom) →
//   function tools; tool_choice auto/any/tool/none → auto/required/{function}/none and
//   disable_parallel_tool_use → parallel_tool_calls: false; thinking → "thinking" (vLLM);
//   output_config.format → response_format json_schema, output_config.effort →
//   reasoning_effort; metadata.user_id → user; service_tier auto/standard_only → auto/default;
//   stream → stream + stream_options.include_usage. A field with no OpenAI equivalent (server
//   tools, URL documents, images inside tool results, unknown top-level fields) is a 422 naming it.
// Response: a chat.completion becomes a message (thinking_blocks / reasoning_content → thinking
// blocks, content and refusal → text, tool_calls → tool_use); the SSE chunks become Anthropic
// events (message_start, content_block_start/delta/stop for thinking, text and tool_use,
// message_delta with stop reason and usage, message_stop).

#include <map>

#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/openai/chat.h"
#include "sluice/translate/anthropic_messages/factories.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/anthropic_openai.h"
#include "sluice/translate/common/field_errors.h"
#include "sluice/translate/common/json_util.h"
#include "sluice/translate/rebuilding_translator.h"

namespace sluice::translate {

namespace {

namespace aw = schema::anthropic;
namespace ow = schema::openai;
using common::At;
using common::Dot;
using common::Unprocessable;
using common::bj::array;
using common::bj::object;
using common::bj::value;

// ---------------------------------------------------------------------------------------------
// Request

std::string ImageUrlFromSource(const object& source, const std::string& path, Result<void>& err) {
  const auto type = common::StringOr(source, aw::kType, "");
  if (type == aw::kSourceBase64) {
    std::string url = "data:";
    url += common::StringOr(source, aw::kMediaType, "");
    url += ";base64,";
    url += common::StringOr(source, aw::kData, "");
    return url;
  }
  if (type == aw::kSourceUrl) return std::string(common::StringOr(source, aw::kUrl, ""));
  err = Unprocessable(Dot(path, "source.type"),
                      "only base64 and url image sources have an OpenAI equivalent");
  return {};
}

// A text part, keeping cache_control (the vendor field OpenAI-compatible Claude proxies read).
object TextPart(std::string_view text, const object& block) {
  object part;
  part[ow::kType] = ow::kPartText;
  part[ow::kText] = text;
  if (const auto* cc = common::Find(block, aw::kCacheControl)) part[ow::kCacheControl] = *cc;
  return part;
}

// One content block of a user message as an OpenAI content part.
Result<object> UserPart(const object& block, const std::string& path) {
  const auto type = common::StringOr(block, aw::kType, "");
  if (type == aw::kBlockText) return TextPart(common::StringOr(block, aw::kText, ""), block);
  if (type == aw::kBlockImage) {
    const auto* source = common::FindObject(block, aw::kSource);
    if (source == nullptr) return common::BadField(Dot(path, "source"), "missing");
    Result<void> err;
    std::string url = ImageUrlFromSource(*source, path, err);
    if (!err.ok()) return err.error();
    object image_url;
    image_url[ow::kUrl] = url;
    object part;
    part[ow::kType] = ow::kPartImageUrl;
    part[ow::kImageUrl] = std::move(image_url);
    if (const auto* cc = common::Find(block, aw::kCacheControl)) part[ow::kCacheControl] = *cc;
    return part;
  }
  if (type == aw::kBlockDocument) {
    const auto* source = common::FindObject(block, aw::kSource);
    const auto stype = source ? common::StringOr(*source, aw::kType, "") : "";
    if (stype == aw::kSourceText) return TextPart(common::StringOr(*source, aw::kData, ""), block);
    if (stype == aw::kSourceBase64) {
      std::string data = "data:";
      data += common::StringOr(*source, aw::kMediaType, "application/pdf");
      data += ";base64,";
      data += common::StringOr(*source, aw::kData, "");
      object file;
      file[ow::kFilename] = common::StringOr(block, aw::kTitle, "document.pdf");
      file[ow::kFileData] = data;
      object part;
      part[ow::kType] = ow::kPartFile;
      part[ow::kFile] = std::move(file);
      return part;
    }
    return Unprocessable(Dot(path, "source.type"),
                         "only base64 and text document sources have an OpenAI equivalent");
  }
  return Unprocessable(Dot(path, "type"), std::string("content blocks of type \"") +
                                              std::string(type) +
                                              "\" have no OpenAI chat equivalent");
}

// Parts of one message as OpenAI content: a plain string when it is a single uncached text part.
value PartsAsContent(array parts) {
  if (parts.size() == 1) {
    const object& p = parts[0].get_object();
    if (common::StringOr(p, ow::kType, "") == ow::kPartText && !p.contains(ow::kCacheControl)) {
      return p.at(ow::kText);
    }
  }
  return value(std::move(parts));
}

Result<void> AppendUserMessage(const value& content, const std::string& path, array& out) {
  if (content.is_string()) {
    object m;
    m[ow::kRole] = ow::kRoleUser;
    m[ow::kContent] = content;
    out.push_back(std::move(m));
    return Ok();
  }
  const array* blocks = content.if_array();
  if (blocks == nullptr) return common::BadField(path, "must be a string or an array");
  // Tool results first: OpenAI wants tool messages right after the assistant's tool_calls.
  array parts;
  for (size_t j = 0; j < blocks->size(); ++j) {
    const std::string bpath = At(path, j);
    const object* block = (*blocks)[j].if_object();
    if (block == nullptr) return common::BadField(bpath, "must be an object");
    if (common::StringOr(*block, aw::kType, "") != aw::kBlockToolResult) {
      auto part = UserPart(*block, bpath);
      if (!part.ok()) return part.error();
      parts.push_back(std::move(part).value());
      continue;
    }
    object tool;
    tool[ow::kRole] = ow::kRoleTool;
    tool[ow::kToolCallId] = common::StringOr(*block, aw::kToolUseId, "");
    const value* rc = common::Find(*block, aw::kContent);
    if (rc == nullptr || rc->is_null()) {
      tool[ow::kContent] = "";
    } else if (rc->is_string()) {
      tool[ow::kContent] = *rc;
    } else if (const array* items = rc->if_array()) {
      array tparts;
      for (size_t k = 0; k < items->size(); ++k) {
        const object* item = (*items)[k].if_object();
        const std::string ipath = At(Dot(bpath, aw::kContent), k);
        if (item == nullptr || common::StringOr(*item, aw::kType, "") != aw::kBlockText) {
          return Unprocessable(Dot(ipath, "type"), "OpenAI tool messages carry text only");
        }
        tparts.push_back(TextPart(common::StringOr(*item, aw::kText, ""), *item));
      }
      tool[ow::kContent] = PartsAsContent(std::move(tparts));
    } else {
      return common::BadField(Dot(bpath, aw::kContent), "must be a string or an array");
    }
    out.push_back(std::move(tool));
  }
  if (!parts.empty()) {
    object m;
    m[ow::kRole] = ow::kRoleUser;
    m[ow::kContent] = PartsAsContent(std::move(parts));
    out.push_back(std::move(m));
  }
  return Ok();
}

Result<void> AppendAssistantMessage(const value& content, const std::string& path, array& out) {
  object m;
  m[ow::kRole] = ow::kRoleAssistant;
  if (content.is_string()) {
    m[ow::kContent] = content;
    out.push_back(std::move(m));
    return Ok();
  }
  const array* blocks = content.if_array();
  if (blocks == nullptr) return common::BadField(path, "must be a string or an array");
  array parts, tool_calls, thinking_blocks;
  for (size_t j = 0; j < blocks->size(); ++j) {
    const std::string bpath = At(path, j);
    const object* block = (*blocks)[j].if_object();
    if (block == nullptr) return common::BadField(bpath, "must be an object");
    const auto type = common::StringOr(*block, aw::kType, "");
    if (type == aw::kBlockText) {
      parts.push_back(TextPart(common::StringOr(*block, aw::kText, ""), *block));
    } else if (type == aw::kBlockToolUse) {
      tool_calls.push_back(common::ToolCallFromToolUse(*block));
    } else if (type == aw::kBlockThinking || type == aw::kBlockRedactedThinking) {
      thinking_blocks.push_back(*block);  // {type, thinking, signature} / {type, data}
    } else {
      return Unprocessable(Dot(bpath, "type"), std::string("assistant blocks of type \"") +
                                                   std::string(type) +
                                                   "\" have no OpenAI chat equivalent");
    }
  }
  if (!parts.empty()) {
    m[ow::kContent] = PartsAsContent(std::move(parts));
  } else {
    m[ow::kContent] = nullptr;
  }
  if (!thinking_blocks.empty()) m[ow::kThinkingBlocks] = std::move(thinking_blocks);
  if (!tool_calls.empty()) m[ow::kToolCalls] = std::move(tool_calls);
  out.push_back(std::move(m));
  return Ok();
}

Result<value> SystemMessage(const value& system) {
  object m;
  m[ow::kRole] = ow::kRoleSystem;
  if (system.is_string()) {
    m[ow::kContent] = system;
    return value(std::move(m));
  }
  const array* blocks = system.if_array();
  if (blocks == nullptr) return common::BadField(aw::kSystem, "must be a string or an array");
  array parts;
  for (size_t j = 0; j < blocks->size(); ++j) {
    const object* block = (*blocks)[j].if_object();
    if (block == nullptr || common::StringOr(*block, aw::kType, "") != aw::kBlockText) {
      return Unprocessable(Dot(At(aw::kSystem, j), "type"), "system blocks must be text");
    }
    parts.push_back(TextPart(common::StringOr(*block, aw::kText, ""), *block));
  }
  m[ow::kContent] = PartsAsContent(std::move(parts));
  return value(std::move(m));
}

Result<array> Tools(const value& tools) {
  const array* list = tools.if_array();
  if (list == nullptr) return common::BadField(aw::kTools, "must be an array");
  array out;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string path = At(aw::kTools, i);
    const object* t = (*list)[i].if_object();
    if (t == nullptr) return common::BadField(path, "must be an object");
    const auto type = common::FindString(*t, aw::kType);
    if (type && *type != aw::kToolCustom) {
      return Unprocessable(Dot(path, "type"), std::string("server tool \"") + std::string(*type) +
                                                  "\" has no OpenAI chat equivalent");
    }
    object fn;
    fn[ow::kName] = common::StringOr(*t, aw::kName, "");
    if (const auto* d = common::Find(*t, aw::kDescription)) fn[ow::kDescription] = *d;
    if (const auto* s = common::Find(*t, aw::kInputSchema)) fn[ow::kParameters] = *s;
    if (const auto* s = common::Find(*t, aw::kStrict)) fn[ow::kStrict] = *s;
    if (const auto* cc = common::Find(*t, aw::kCacheControl)) fn[ow::kCacheControl] = *cc;
    object tool;
    tool[ow::kType] = ow::kToolTypeFunction;
    tool[ow::kFunction] = std::move(fn);
    out.push_back(std::move(tool));
  }
  return out;
}

Result<std::string> BuildChatRequest(const object& in, const ClientRequest& request) {
  object out;
  out[ow::kModel] = request.model;
  array messages;
  if (const value* system = common::Find(in, aw::kSystem)) {
    auto m = SystemMessage(*system);
    if (!m.ok()) return m.error();
    messages.push_back(std::move(m).value());
  }
  const array* in_messages = common::FindArray(in, aw::kMessages);
  if (in_messages == nullptr) return common::BadField(aw::kMessages, "must be an array");
  for (size_t i = 0; i < in_messages->size(); ++i) {
    const std::string path = At(aw::kMessages, i);
    const object* msg = (*in_messages)[i].if_object();
    if (msg == nullptr) return common::BadField(path, "must be an object");
    const auto role = common::StringOr(*msg, aw::kRole, "");
    const value* content = common::Find(*msg, aw::kContent);
    if (content == nullptr) return common::BadField(Dot(path, aw::kContent), "missing");
    Result<void> r;
    if (role == aw::kRoleUser) {
      r = AppendUserMessage(*content, Dot(path, aw::kContent), messages);
    } else if (role == aw::kRoleAssistant) {
      r = AppendAssistantMessage(*content, Dot(path, aw::kContent), messages);
    } else {
      r = Unprocessable(Dot(path, aw::kRole), "must be user or assistant");
    }
    if (!r.ok()) return r.error();
  }
  out[ow::kMessages] = std::move(messages);

  const bool has_tools =
      common::FindArray(in, aw::kTools) != nullptr && !common::FindArray(in, aw::kTools)->empty();
  for (const auto& kv : in) {
    const std::string_view key = kv.key();
    const value& v = kv.value();
    if (key == aw::kModel || key == aw::kMessages || key == aw::kSystem) continue;
    if (key == aw::kMaxTokens) {
      out[ow::kMaxCompletionTokens] = v;
    } else if (key == aw::kStopSequences) {
      out[ow::kStop] = v;
    } else if (key == aw::kStream) {
      out[ow::kStream] = v;
      if (v.is_bool() && v.get_bool()) {
        // Usage only comes on OpenAI streams when asked for (reference §1.3).
        object so;
        so[ow::kIncludeUsage] = true;
        out[ow::kStreamOptions] = std::move(so);
      }
    } else if (key == aw::kTemperature || key == aw::kTopP || key == aw::kTopK ||
               key == aw::kThinking) {
      out[key] = v;  // same names; top_k and thinking as vLLM spells them
    } else if (key == aw::kTools) {
      auto tools = Tools(v);
      if (!tools.ok()) return tools.error();
      if (!tools->empty()) out[ow::kTools] = std::move(tools).value();
    } else if (key == aw::kToolChoice) {
      const object* tc = v.if_object();
      if (tc == nullptr) return common::BadField(aw::kToolChoice, "must be an object");
      const auto type = common::StringOr(*tc, aw::kType, "");
      if (has_tools) {
        if (type == aw::kChoiceAuto) {
          out[ow::kToolChoice] = ow::kToolChoiceAuto;
        } else if (type == aw::kChoiceAny) {
          out[ow::kToolChoice] = ow::kToolChoiceRequired;
        } else if (type == aw::kChoiceNone) {
          out[ow::kToolChoice] = ow::kToolChoiceNone;
        } else if (type == aw::kChoiceTool) {
          object fn;
          fn[ow::kName] = common::StringOr(*tc, aw::kName, "");
          object named;
          named[ow::kType] = ow::kToolTypeFunction;
          named[ow::kFunction] = std::move(fn);
          out[ow::kToolChoice] = std::move(named);
        } else {
          return Unprocessable(Dot(aw::kToolChoice, "type"), "unknown tool_choice type");
        }
      }
      if (const auto* d = common::Find(*tc, aw::kDisableParallelToolUse);
          d && d->is_bool() && d->get_bool() && has_tools) {
        out[ow::kParallelToolCalls] = false;
      }
    } else if (key == aw::kMetadata) {
      const object* md = v.if_object();
      if (md == nullptr) continue;
      for (const auto& m : *md) {
        if (m.key() == aw::kUserId) {
          if (!m.value().is_null()) out[ow::kUser] = m.value();
        } else {
          return Unprocessable(Dot(aw::kMetadata, m.key()), "has no OpenAI equivalent");
        }
      }
    } else if (key == aw::kServiceTier) {
      const auto tier = v.is_string() ? std::string_view(v.get_string()) : "";
      out[ow::kServiceTier] =
          tier == aw::kServiceTierStandardOnly ? ow::kServiceTierDefault : ow::kServiceTierAuto;
    } else if (key == aw::kOutputConfig) {
      const object* oc = v.if_object();
      if (oc == nullptr) return common::BadField(aw::kOutputConfig, "must be an object");
      for (const auto& f : *oc) {
        if (f.key() == aw::kEffort) {
          out[ow::kReasoningEffort] = f.value();
        } else if (f.key() == aw::kFormat) {
          const object* fmt = f.value().if_object();
          if (fmt == nullptr) continue;
          if (common::StringOr(*fmt, aw::kType, "") != aw::kFormatJsonSchema) {
            return Unprocessable("output_config.format.type", "only json_schema is supported");
          }
          object js;
          js[ow::kName] = "output";
          if (const auto* s = common::Find(*fmt, aw::kSchema)) js[ow::kSchema] = *s;
          js[ow::kStrict] = true;
          object rf;
          rf[ow::kType] = ow::kJsonSchema;
          rf[ow::kJsonSchema] = std::move(js);
          out[ow::kResponseFormat] = std::move(rf);
        } else {
          return Unprocessable(Dot(aw::kOutputConfig, f.key()), "has no OpenAI equivalent");
        }
      }
    } else {
      return Unprocessable(key, "has no OpenAI chat completions equivalent");
    }
  }
  return common::ToJson(out);
}

// ---------------------------------------------------------------------------------------------
// Response

// thinking_blocks (LiteLLM / Envoy AI Gateway) or reasoning_content (string, or {text,
// signature}) of an OpenAI message or delta.
void AppendThinking(const object& msg, array& content) {
  if (const array* blocks = common::FindArray(msg, ow::kThinkingBlocks);
      blocks && !blocks->empty()) {
    for (const auto& b : *blocks) {
      const object* o = b.if_object();
      if (o == nullptr) continue;
      const auto type = common::StringOr(*o, aw::kType, "");
      object block;
      if (type == aw::kBlockRedactedThinking) {
        block[aw::kType] = aw::kBlockRedactedThinking;
        block[aw::kData] = common::StringOr(*o, aw::kData, "");
      } else {
        block[aw::kType] = aw::kBlockThinking;
        block[aw::kBlockThinking] = common::StringOr(*o, aw::kBlockThinking, "");
        block[aw::kSignature] = common::StringOr(*o, aw::kSignature, "");
      }
      content.push_back(std::move(block));
    }
    return;
  }
  const value* rc = common::Find(msg, ow::kReasoningContent);
  if (rc == nullptr) return;
  std::string_view text, signature;
  if (rc->is_string()) {
    text = rc->get_string();
  } else if (const object* o = rc->if_object()) {
    text = common::StringOr(*o, ow::kText, "");
    signature = common::StringOr(*o, ow::kSignature, "");
  }
  if (text.empty()) return;
  object block;
  block[aw::kType] = aw::kBlockThinking;
  block[aw::kBlockThinking] = text;
  block[aw::kSignature] = signature;
  content.push_back(std::move(block));
}

object ToolUseBlock(std::string_view id, std::string_view name, std::string_view arguments) {
  object block;
  block[aw::kType] = aw::kBlockToolUse;
  block[aw::kId] = id;
  block[aw::kName] = name;
  // Arguments cut short (length) or malformed become {} as the reference does.
  auto parsed = common::ParseJson(arguments.empty() ? "{}" : arguments, ErrorSource::kUpstream);
  if (parsed.ok() && parsed->is_object()) {
    block[aw::kInput] = std::move(parsed).value();
  } else {
    block[aw::kInput] = object();
  }
  return block;
}

class AnthropicToOpenAI;

// OpenAI SSE chunks → Anthropic events (one Anthropic block open at a time).
class StreamState {
 public:
  explicit StreamState(std::string request_model) : request_model_(std::move(request_model)) {}

  void OnChunk(const object& chunk, std::string& out) {
    if (finished_) return;
    if (const object* err = common::FindObject(chunk, ow::kError)) {
      // Some OpenAI-compatible servers report a failure mid-stream as {"error":{...}}.
      error_ = std::string(common::StringOr(*err, aw::kMessage, "upstream stream error"));
      codec::AppendSseEvent(out, aw::kEventError,
                            common::AnthropicErrorJson(
                                common::StringOr(*err, ow::kType, aw::kErrInternalServer), error_));
      finished_ = true;
      return;
    }
    if (id_.empty()) id_ = std::string(common::StringOr(chunk, ow::kId, ""));
    if (model_.empty()) model_ = std::string(common::StringOr(chunk, ow::kModel, ""));
    if (const object* usage = common::FindObject(chunk, ow::kUsage)) {
      usage_ = common::TokenUsageFromOpenAI(*usage);
      has_usage_ = true;
    }
    const array* choices = common::FindArray(chunk, ow::kChoices);
    if (choices == nullptr || choices->empty()) return;
    const object* choice = (*choices)[0].if_object();
    if (choice == nullptr) return;
    Start(out);
    if (const object* delta = common::FindObject(*choice, ow::kDelta)) OnDelta(*delta, out);
    if (auto fr = common::FindString(*choice, ow::kFinishReason)) {
      stop_reason_ = std::string(common::AnthropicStopReason(*fr));
    }
  }

  // [DONE] or the end of the upstream body: close the message once.
  void Finish(std::string& out) {
    if (finished_) return;
    finished_ = true;
    if (!started_) {
      error_ = "upstream stream ended without a chunk";
      codec::AppendSseEvent(out, aw::kEventError,
                            common::AnthropicErrorJson(aw::kErrInternalServer,
                                                       "upstream stream ended without a chunk"));
      return;
    }
    CloseBlock(out);
    std::string d = R"({"type":"message_delta","delta":{"stop_reason":)";
    d += JsonQuote(stop_reason_.empty() ? aw::kStopEndTurn : std::string_view(stop_reason_));
    d += R"(,"stop_sequence":null},"usage":)";
    d += common::AnthropicUsageJson(usage_);
    d += '}';
    codec::AppendSseEvent(out, aw::kEventMessageDelta, d);
    codec::AppendSseEvent(out, aw::kEventMessageStop, R"({"type":"message_stop"})");
  }

  const limit::TokenUsage& usage() const { return usage_; }
  bool has_usage() const { return has_usage_; }
  const std::string& model() const { return model_; }
  const std::string& error() const { return error_; }

 private:
  enum class Open { kNone, kText, kThinking, kTool };

  void Start(std::string& out) {
    if (started_) return;
    started_ = true;
    std::string m = R"({"type":"message_start","message":{"id":)";
    m += JsonQuote(id_);
    m += R"(,"type":"message","role":"assistant","model":)";
    m += JsonQuote(model_.empty() ? request_model_ : model_);
    m += R"(,"content":[],"stop_reason":null,"stop_sequence":null,)";
    m += R"("usage":{"input_tokens":0,"output_tokens":0}}})";
    codec::AppendSseEvent(out, aw::kEventMessageStart, m);
  }

  void CloseBlock(std::string& out) {
    if (open_ == Open::kNone) return;
    BlockEvent(out, aw::kEventBlockStop, R"({"type":"content_block_stop","index":)", "}");
    open_ = Open::kNone;
    ++next_index_;
  }

  void BlockEvent(std::string& out, std::string_view event, std::string_view head,
                  std::string_view tail, int index = -1) {
    std::string e(head);
    e += std::to_string(index < 0 ? next_index_ : index);
    e += tail;
    codec::AppendSseEvent(out, event, e);
  }

  void OpenBlock(std::string& out, Open kind, std::string_view block_json) {
    CloseBlock(out);
    open_ = kind;
    std::string tail = R"(,"content_block":)";
    tail += block_json;
    tail += '}';
    BlockEvent(out, aw::kEventBlockStart, R"({"type":"content_block_start","index":)", tail);
  }

  void Delta(std::string& out, std::string_view delta_json, int index = -1) {
    std::string tail = R"(,"delta":)";
    tail += delta_json;
    tail += '}';
    BlockEvent(out, aw::kEventBlockDelta, R"({"type":"content_block_delta","index":)", tail, index);
  }

  void ThinkingText(std::string& out, std::string_view text) {
    if (text.empty()) return;
    if (open_ != Open::kThinking)
      OpenBlock(out, Open::kThinking, R"({"type":"thinking","thinking":""})");
    Delta(out, R"({"type":"thinking_delta","thinking":)" + JsonQuote(text) + "}");
  }

  void Signature(std::string& out, std::string_view signature) {
    if (signature.empty()) return;
    if (open_ != Open::kThinking)
      OpenBlock(out, Open::kThinking, R"({"type":"thinking","thinking":""})");
    Delta(out, R"({"type":"signature_delta","signature":)" + JsonQuote(signature) + "}");
  }

  void OnDelta(const object& delta, std::string& out) {
    // Reasoning first: Anthropic puts thinking before text and tool use.
    if (const array* blocks = common::FindArray(delta, ow::kThinkingBlocks)) {
      for (const auto& b : *blocks) {
        const object* o = b.if_object();
        if (o == nullptr) continue;
        if (common::StringOr(*o, aw::kType, "") == aw::kBlockRedactedThinking) {
          OpenBlock(out, Open::kThinking,
                    R"({"type":"redacted_thinking","data":)" +
                        JsonQuote(common::StringOr(*o, aw::kData, "")) + "}");
          CloseBlock(out);
          continue;
        }
        ThinkingText(out, common::StringOr(*o, aw::kBlockThinking, ""));
        Signature(out, common::StringOr(*o, aw::kSignature, ""));
      }
    } else if (const value* rc = common::Find(delta, ow::kReasoningContent)) {
      if (rc->is_string()) {
        ThinkingText(out, rc->get_string());
      } else if (const object* o = rc->if_object()) {
        ThinkingText(out, common::StringOr(*o, ow::kText, ""));
        Signature(out, common::StringOr(*o, ow::kSignature, ""));
      }
    }
    for (std::string_view key : {ow::kContent, ow::kRefusal}) {
      const auto text = common::FindString(delta, key);
      if (!text || text->empty()) continue;
      if (open_ != Open::kText) OpenBlock(out, Open::kText, R"({"type":"text","text":""})");
      Delta(out, R"({"type":"text_delta","text":)" + JsonQuote(*text) + "}");
    }
    if (const array* calls = common::FindArray(delta, ow::kToolCalls)) {
      for (const auto& c : *calls) {
        const object* call = c.if_object();
        if (call == nullptr) continue;
        const uint64_t idx = common::FindCount(*call, ow::kIndex).value_or(0);
        const object* fn = common::FindObject(*call, ow::kFunction);
        auto it = tool_blocks_.find(idx);
        if (it == tool_blocks_.end()) {
          std::string block = R"({"type":"tool_use","id":)";
          block += JsonQuote(common::StringOr(*call, ow::kId, ""));
          block += R"(,"name":)";
          block += JsonQuote(fn ? common::StringOr(*fn, ow::kName, "") : "");
          block += R"(,"input":{}})";
          OpenBlock(out, Open::kTool, block);
          it = tool_blocks_.emplace(idx, next_index_).first;
        }
        const auto args = fn ? common::FindString(*fn, ow::kArguments) : std::nullopt;
        if (args && !args->empty()) {
          Delta(out, R"({"type":"input_json_delta","partial_json":)" + JsonQuote(*args) + "}",
                it->second);
        }
      }
    }
  }

  std::string request_model_;
  std::string id_, model_, stop_reason_, error_;
  bool started_ = false, finished_ = false, has_usage_ = false;
  Open open_ = Open::kNone;
  int next_index_ = 0;
  std::map<uint64_t, int> tool_blocks_;  // OpenAI tool_calls[].index → Anthropic block index
  limit::TokenUsage usage_;
};

class AnthropicToOpenAI final : public RebuildingTranslator {
 public:
  explicit AnthropicToOpenAI(Endpoint endpoint) : endpoint_(endpoint) {}

  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) override {
    if (endpoint_ != Endpoint::kMessages) {
      return Unprocessable("endpoint", "count_tokens has no OpenAI chat equivalent");
    }
    auto parsed = common::ParseClientObject(request.body);
    if (!parsed.ok()) return parsed.error();
    auto body = BuildChatRequest(*parsed, request);
    if (!body.ok()) return body.error();
    stream_ = request.stream;
    request_model_ = std::string(request.model);
    state_.emplace(request_model_);
    UpstreamRequest out;
    out.path = request.backend->schema.prefix + std::string(ow::kChatCompletionsSuffix);
    out.body = std::move(body).value();
    out.set_headers.emplace_back("content-type", ow::kJsonContentType);
    // Anthropic-only headers mean nothing to an OpenAI backend.
    out.remove_headers = {std::string(aw::kVersionHeader), std::string(aw::kBetaHeader)};
    return out;
  }

  ClientError TranslateError(int status, std::string_view, std::string_view,
                             std::string_view body) const override {
    return common::OpenAIErrorToAnthropic(status, body);
  }

  std::string_view stream_error() const override {
    return state_ ? std::string_view(state_->error()) : std::string_view();
  }

 private:
  Result<void> OnStreamBytes(std::string_view bytes, std::string& out) override {
    return sse_.Feed(bytes, [&](const codec::SseEvent& e) -> Result<void> {
      const std::string_view data = TrimWhitespace(e.data);
      if (data == ow::kDone) {
        state_->Finish(out);
        return Ok();
      }
      auto parsed = common::ParseJson(data, ErrorSource::kUpstream);
      if (!parsed.ok() || !parsed->is_object()) return Ok();  // a malformed chunk is skipped
      state_->OnChunk(parsed->get_object(), out);
      return Ok();
    });
  }

  Result<void> OnStreamEnd(std::string& out) override {
    state_->Finish(out);
    info_.usage = state_->usage();
    info_.model = state_->model();
    return Ok();
  }

  Result<void> OnJsonAnswer(std::string_view body, std::string& out) override {
    auto parsed = common::ParseJson(body, ErrorSource::kUpstream);
    if (!parsed.ok() || !parsed->is_object()) {
      return Error(ErrorKind::kProtocol, "chat completion is not a JSON object",
                   ErrorSource::kUpstream);
    }
    const object& resp = parsed->get_object();
    limit::TokenUsage usage;
    if (const object* u = common::FindObject(resp, ow::kUsage))
      usage = common::TokenUsageFromOpenAI(*u);
    const std::string model(common::StringOr(resp, ow::kModel, request_model_));
    array content;
    std::string_view stop_reason = aw::kStopEndTurn;
    const array* choices = common::FindArray(resp, ow::kChoices);
    if (choices && !choices->empty() && (*choices)[0].is_object()) {
      const object& choice = (*choices)[0].get_object();
      if (const object* msg = common::FindObject(choice, ow::kMessage)) {
        AppendThinking(*msg, content);
        for (std::string_view key : {ow::kContent, ow::kRefusal}) {
          if (auto text = common::FindString(*msg, key); text && !text->empty()) {
            object block;
            block[aw::kType] = aw::kBlockText;
            block[aw::kText] = *text;
            content.push_back(std::move(block));
          }
        }
        if (const array* calls = common::FindArray(*msg, ow::kToolCalls)) {
          for (const auto& c : *calls) {
            const object* call = c.if_object();
            if (call == nullptr) continue;
            const object* fn = common::FindObject(*call, ow::kFunction);
            content.push_back(ToolUseBlock(common::StringOr(*call, ow::kId, ""),
                                           fn ? common::StringOr(*fn, ow::kName, "") : "",
                                           fn ? common::StringOr(*fn, ow::kArguments, "") : ""));
          }
        }
      }
      if (auto fr = common::FindString(choice, ow::kFinishReason)) {
        stop_reason = common::AnthropicStopReason(*fr);
      }
    }
    object msg;
    msg[aw::kId] = common::StringOr(resp, ow::kId, "");
    msg[aw::kType] = aw::kMessageType;
    msg[aw::kRole] = aw::kRoleAssistant;
    msg[aw::kModel] = model;
    msg[aw::kContent] = std::move(content);
    msg[aw::kStopReason] = stop_reason;
    msg[aw::kStopSequence] = nullptr;
    std::string message = common::ToJson(msg);
    message.pop_back();  // splice the usage object, written in Anthropic's field order
    message += R"(,"usage":)";
    message += common::AnthropicUsageJson(usage);
    message += '}';
    out += message;
    info_.usage = usage;
    info_.model = model;
    return Ok();
  }

  Endpoint endpoint_;
  std::string request_model_;
  codec::SseParser sse_;
  std::optional<StreamState> state_;
};

}  // namespace

std::unique_ptr<Translator> NewAnthropicToOpenAI(Endpoint endpoint) {
  return std::make_unique<AnthropicToOpenAI>(endpoint);
}

}  // namespace sluice::translate
