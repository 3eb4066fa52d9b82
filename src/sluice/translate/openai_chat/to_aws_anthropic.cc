// OpenAI chat completions → Claude on Bedrock InvokeModel (reference §1.3 "chat → AWSAnthropic",
// §1.4 "OpenAI → Anthropic (AWS/GCP)", §2 "InvokeModel stream", §9 AWS errors).
//
// Request (OpenAI "Create chat completion" → Anthropic "Create a Message" as Bedrock's
// InvokeModel body: no "model", no "stream", "anthropic_version" = schema.version or
// bedrock-2023-05-31):
//   system/developer messages → "system" text blocks (cache_control kept); user text parts →
//   text blocks, image_url data: URIs → base64 image blocks (application/pdf → document), http(s)
//   URLs → url image sources, file parts with file_data → base64 documents; assistant content
//   and refusal → text, thinking_blocks / thinking parts → thinking and redacted_thinking blocks
//   (signatures kept), tool_calls → tool_use (arguments parsed as JSON); consecutive tool
//   messages → one user turn of tool_result blocks; max_completion_tokens || max_tokens →
//   max_tokens (omitted when the client gave none, so Bedrock answers its own validation
//   error); temperature in [0, 1] (else 422); top_p; top_k; stop → stop_sequences; tools →
//   custom tools (strict and cache_control kept); tool_choice auto/required/none/named →
//   auto/any/none/tool; parallel_tool_calls: false → disable_parallel_tool_use;
//   response_format json_schema → output_config.format; reasoning_effort →
//   output_config.effort where the model accepts it, else thinking.budget_tokens from the
//   table in common/reasoning_effort.h; "thinking" (enabled, disabled, adaptive) passes
//   through; user → metadata.user_id. Fields Claude cannot express (n > 1, logprobs, audio,
//   penalties, seed, logit_bias, json_object, ...) are a 422 naming the field.

#include "sluice/translate/openai_chat/to_aws_anthropic.h"

#include <optional>

#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/schema/openai/chat.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/anthropic_openai.h"
#include "sluice/translate/common/anthropic_stream_to_openai.h"
#include "sluice/translate/common/anthropic_usage.h"
#include "sluice/translate/common/bedrock_invoke_stream.h"
#include "sluice/translate/common/clock.h"
#include "sluice/translate/common/field_errors.h"
#include "sluice/translate/common/json_util.h"
#include "sluice/translate/common/reasoning_effort.h"
#include "sluice/translate/common/upstream_path.h"
#include "sluice/translate/rebuilding_translator.h"

namespace sluice::translate {

namespace {

namespace aw = schema::anthropic;
namespace br = schema::bedrock;
namespace ow = schema::openai;
using common::At;
using common::Dot;
using common::Unprocessable;
using common::bj::array;
using common::bj::object;
using common::bj::value;

// ---------------------------------------------------------------------------------------------
// Request

object TextBlock(std::string_view text, const object* part) {
  object b;
  b[aw::kType] = aw::kBlockText;
  b[aw::kText] = text;
  if (part) {
    if (const value* cc = common::Find(*part, ow::kCacheControl)) b[aw::kCacheControl] = *cc;
  }
  return b;
}

// "data:<media type>;base64,<data>" → (media type, data).
bool ParseDataUri(std::string_view uri, std::string_view& media_type, std::string_view& data) {
  if (!uri.starts_with("data:")) return false;
  const auto comma = uri.find(',');
  if (comma == std::string_view::npos) return false;
  std::string_view meta = uri.substr(5, comma - 5);
  if (!meta.ends_with(";base64")) return false;
  media_type = meta.substr(0, meta.size() - 7);
  data = uri.substr(comma + 1);
  return true;
}

object Base64Block(std::string_view media_type, std::string_view data, const object& part) {
  object source;
  source[aw::kType] = aw::kSourceBase64;
  source[aw::kMediaType] = media_type;
  source[aw::kData] = data;
  object b;
  b[aw::kType] = media_type == "application/pdf" ? aw::kBlockDocument : aw::kBlockImage;
  b[aw::kSource] = std::move(source);
  if (const value* cc = common::Find(part, ow::kCacheControl)) b[aw::kCacheControl] = *cc;
  return b;
}

Result<object> UserBlock(const object& part, const std::string& path) {
  const auto type = common::StringOr(part, ow::kType, "");
  if (type == ow::kPartText) return TextBlock(common::StringOr(part, ow::kText, ""), &part);
  if (type == ow::kPartImageUrl) {
    const object* iu = common::FindObject(part, ow::kImageUrl);
    const auto url = iu ? common::StringOr(*iu, ow::kUrl, "") : "";
    std::string_view media_type, data;
    if (ParseDataUri(url, media_type, data)) return Base64Block(media_type, data, part);
    if (url.starts_with("http://") || url.starts_with("https://")) {
      object source;
      source[aw::kType] = aw::kSourceUrl;
      source[aw::kUrl] = url;
      object b;
      b[aw::kType] = aw::kBlockImage;
      b[aw::kSource] = std::move(source);
      if (const value* cc = common::Find(part, ow::kCacheControl)) b[aw::kCacheControl] = *cc;
      return b;
    }
    return Unprocessable(Dot(path, "image_url.url"),
                         "must be a base64 data: URI or an http(s) URL");
  }
  if (type == ow::kPartFile) {
    const object* file = common::FindObject(part, ow::kFile);
    const auto data_uri = file ? common::StringOr(*file, ow::kFileData, "") : "";
    std::string_view media_type, data;
    if (ParseDataUri(data_uri, media_type, data)) return Base64Block(media_type, data, part);
    return Unprocessable(Dot(path, "file"), "only file_data as a base64 data: URI is supported");
  }
  return Unprocessable(Dot(path, "type"), std::string("content parts of type \"") +
                                              std::string(type) + "\" have no Claude equivalent");
}

Result<value> UserContent(const value& content, const std::string& path) {
  if (content.is_string()) return content;
  const array* parts = content.if_array();
  if (parts == nullptr) return common::BadField(path, "must be a string or an array");
  array blocks;
  for (size_t j = 0; j < parts->size(); ++j) {
    const object* part = (*parts)[j].if_object();
    if (part == nullptr) return common::BadField(At(path, j), "must be an object");
    auto b = UserBlock(*part, At(path, j));
    if (!b.ok()) return b.error();
    blocks.push_back(std::move(b).value());
  }
  return value(std::move(blocks));
}

// Thinking blocks from "thinking_blocks" (LiteLLM) or content parts of type thinking /
// redacted_thinking (Envoy AI Gateway): {thinking|text, signature} / {data|redacted_content}.
object ThinkingBlock(const object& b) {
  object out;
  if (common::StringOr(b, ow::kType, "") == ow::kPartRedactedThinking) {
    out[aw::kType] = aw::kBlockRedactedThinking;
    out[aw::kData] =
        common::FindString(b, ow::kData).value_or(common::StringOr(b, ow::kRedactedContent, ""));
  } else {
    out[aw::kType] = aw::kBlockThinking;
    out[aw::kBlockThinking] =
        common::FindString(b, ow::kPartThinking).value_or(common::StringOr(b, ow::kText, ""));
    out[aw::kSignature] = common::StringOr(b, ow::kSignature, "");
  }
  return out;
}

Result<std::optional<object>> AssistantMessage(const object& msg, const std::string& path) {
  array blocks;
  if (const array* tb = common::FindArray(msg, ow::kThinkingBlocks)) {
    for (const auto& b : *tb) {
      if (const object* o = b.if_object()) blocks.push_back(ThinkingBlock(*o));
    }
  }
  const value* content = common::Find(msg, ow::kContent);
  if (content && content->is_string()) {
    if (!content->get_string().empty()) blocks.push_back(TextBlock(content->get_string(), nullptr));
  } else if (content && content->is_array()) {
    const array& parts = content->get_array();
    for (size_t j = 0; j < parts.size(); ++j) {
      const object* part = parts[j].if_object();
      const std::string ppath = At(Dot(path, ow::kContent), j);
      if (part == nullptr) return common::BadField(ppath, "must be an object");
      const auto type = common::StringOr(*part, ow::kType, "");
      if (type == ow::kPartText) {
        blocks.push_back(TextBlock(common::StringOr(*part, ow::kText, ""), part));
      } else if (type == ow::kPartRefusal) {
        blocks.push_back(TextBlock(common::StringOr(*part, ow::kRefusal, ""), part));
      } else if (type == ow::kPartThinking || type == ow::kPartRedactedThinking) {
        blocks.push_back(ThinkingBlock(*part));
      } else {
        return Unprocessable(Dot(ppath, "type"), "assistant parts must be text or refusal");
      }
    }
  } else if (content && !content->is_null()) {
    return common::BadField(Dot(path, ow::kContent), "must be a string, an array or null");
  }
  if (const array* calls = common::FindArray(msg, ow::kToolCalls)) {
    for (size_t j = 0; j < calls->size(); ++j) {
      const std::string cpath = At(Dot(path, ow::kToolCalls), j);
      const object* call = (*calls)[j].if_object();
      if (call == nullptr) return common::BadField(cpath, "must be an object");
      const object* fn = common::FindObject(*call, ow::kFunction);
      if (fn == nullptr) return Unprocessable(Dot(cpath, "type"), "only function tool calls");
      const auto args = common::StringOr(*fn, ow::kArguments, "");
      auto input = common::ParseJson(args.empty() ? "{}" : args, ErrorSource::kClient);
      if (!input.ok() || !input->is_object()) {
        return Unprocessable(Dot(cpath, "function.arguments"),
                             "must be a JSON object for Claude's tool_use input");
      }
      object b;
      b[aw::kType] = aw::kBlockToolUse;
      b[aw::kId] = common::StringOr(*call, ow::kId, "");
      b[aw::kName] = common::StringOr(*fn, ow::kName, "");
      b[aw::kInput] = std::move(input).value();
      if (const value* cc = common::Find(*call, ow::kCacheControl)) b[aw::kCacheControl] = *cc;
      blocks.push_back(std::move(b));
    }
  }
  if (blocks.empty()) return std::optional<object>();  // nothing Claude can be shown
  object m;
  m[aw::kRole] = aw::kRoleAssistant;
  m[aw::kContent] = std::move(blocks);
  return std::optional<object>(std::move(m));
}

Result<object> ToolResult(const object& msg, const std::string& path) {
  object b;
  b[aw::kType] = aw::kBlockToolResult;
  b[aw::kToolUseId] = common::StringOr(msg, ow::kToolCallId, "");
  const value* content = common::Find(msg, ow::kContent);
  if (content && content->is_array()) {
    array blocks;
    const array& parts = content->get_array();
    for (size_t j = 0; j < parts.size(); ++j) {
      const object* part = parts[j].if_object();
      if (part == nullptr)
        return common::BadField(At(Dot(path, ow::kContent), j), "must be an object");
      auto block = UserBlock(*part, At(Dot(path, ow::kContent), j));
      if (!block.ok()) return block.error();
      blocks.push_back(std::move(block).value());
    }
    b[aw::kContent] = std::move(blocks);
  } else if (content && content->is_string()) {
    b[aw::kContent] = *content;
  } else {
    b[aw::kContent] = "";
  }
  if (const value* cc = common::Find(msg, ow::kCacheControl)) b[aw::kCacheControl] = *cc;
  return b;
}

Result<void> SystemBlocks(const value& content, const std::string& path, array& system) {
  if (content.is_string()) {
    system.push_back(TextBlock(content.get_string(), nullptr));
    return Ok();
  }
  const array* parts = content.if_array();
  if (parts == nullptr) return common::BadField(path, "must be a string or an array");
  for (size_t j = 0; j < parts->size(); ++j) {
    const object* part = (*parts)[j].if_object();
    if (part == nullptr || common::StringOr(*part, ow::kType, "") != ow::kPartText) {
      return Unprocessable(At(path, j), "system content must be text");
    }
    system.push_back(TextBlock(common::StringOr(*part, ow::kText, ""), part));
  }
  return Ok();
}

Result<void> Messages(const array& in, array& messages, array& system) {
  for (size_t i = 0; i < in.size(); ++i) {
    const std::string path = At(ow::kMessages, i);
    const object* msg = in[i].if_object();
    if (msg == nullptr) return common::BadField(path, "must be an object");
    const auto role = common::StringOr(*msg, ow::kRole, "");
    const value* content = common::Find(*msg, ow::kContent);
    if (role == ow::kRoleSystem || role == ow::kRoleDeveloper) {
      if (content == nullptr) continue;
      if (auto r = SystemBlocks(*content, Dot(path, ow::kContent), system); !r.ok()) return r;
    } else if (role == ow::kRoleUser) {
      if (content == nullptr) return common::BadField(Dot(path, ow::kContent), "missing");
      auto c = UserContent(*content, Dot(path, ow::kContent));
      if (!c.ok()) return c.error();
      object m;
      m[aw::kRole] = aw::kRoleUser;
      m[aw::kContent] = std::move(c).value();
      messages.push_back(std::move(m));
    } else if (role == ow::kRoleAssistant) {
      auto m = AssistantMessage(*msg, path);
      if (!m.ok()) return m.error();
      if (m->has_value()) messages.push_back(std::move(**m));
    } else if (role == ow::kRoleTool) {
      // Consecutive tool messages answer one assistant turn: one user turn of tool_result
      // blocks (parallel tool use, Anthropic "Implement tool use").
      array results;
      for (; i < in.size(); ++i) {
        const object* t = in[i].if_object();
        if (t == nullptr || common::StringOr(*t, ow::kRole, "") != ow::kRoleTool) break;
        auto r = ToolResult(*t, At(ow::kMessages, i));
        if (!r.ok()) return r.error();
        results.push_back(std::move(r).value());
      }
      --i;
      object m;
      m[aw::kRole] = aw::kRoleUser;
      m[aw::kContent] = std::move(results);
      messages.push_back(std::move(m));
    } else {
      return Unprocessable(Dot(path, ow::kRole), std::string("role \"") + std::string(role) +
                                                     "\" has no Claude equivalent");
    }
  }
  return Ok();
}

Result<array> Tools(const array& tools) {
  array out;
  for (size_t i = 0; i < tools.size(); ++i) {
    const std::string path = At(ow::kTools, i);
    const object* t = tools[i].if_object();
    if (t == nullptr) return common::BadField(path, "must be an object");
    if (common::StringOr(*t, ow::kType, ow::kToolTypeFunction) != ow::kToolTypeFunction) {
      return Unprocessable(Dot(path, "type"), "only function tools have a Claude equivalent");
    }
    const object* fn = common::FindObject(*t, ow::kFunction);
    if (fn == nullptr) return common::BadField(Dot(path, ow::kFunction), "missing");
    object tool;
    tool[aw::kName] = common::StringOr(*fn, ow::kName, "");
    if (auto d = common::FindString(*fn, ow::kDescription)) tool[aw::kDescription] = *d;
    if (const value* p = common::Find(*fn, ow::kParameters); p && p->is_object()) {
      tool[aw::kInputSchema] = *p;
    } else {
      // Claude requires an input schema; OpenAI's default is a function without parameters.
      object schema;
      schema["type"] = "object";
      schema["properties"] = object();
      tool[aw::kInputSchema] = std::move(schema);
    }
    if (const value* s = common::Find(*fn, ow::kStrict); s && s->is_bool() && s->get_bool()) {
      tool[aw::kStrict] = true;
    }
    const value* cc = common::Find(*fn, ow::kCacheControl);
    if (cc == nullptr) cc = common::Find(*t, ow::kCacheControl);
    if (cc) tool[aw::kCacheControl] = *cc;
    out.push_back(std::move(tool));
  }
  return out;
}

Result<std::optional<object>> ToolChoice(const value* choice, const value* parallel) {
  const bool disable_parallel = parallel && parallel->is_bool() && !parallel->get_bool();
  object tc;
  if (choice == nullptr || choice->is_null()) {
    if (!disable_parallel) return std::optional<object>();
    tc[aw::kType] = aw::kChoiceAuto;
  } else if (choice->is_string()) {
    const std::string_view s = choice->get_string();
    if (s == ow::kToolChoiceAuto) {
      tc[aw::kType] = aw::kChoiceAuto;
    } else if (s == ow::kToolChoiceRequired) {
      tc[aw::kType] = aw::kChoiceAny;
    } else if (s == ow::kToolChoiceNone) {
      tc[aw::kType] = aw::kChoiceNone;
      return std::optional<object>(std::move(tc));  // none takes no parallel flag
    } else {
      return Unprocessable(ow::kToolChoice,
                           std::string("unsupported value \"") + std::string(s) + "\"");
    }
  } else if (const object* o = choice->if_object()) {
    const object* fn = common::FindObject(*o, ow::kFunction);
    if (fn == nullptr) return Unprocessable(ow::kToolChoice, "only function tool choices");
    tc[aw::kType] = aw::kChoiceTool;
    tc[aw::kName] = common::StringOr(*fn, ow::kName, "");
  } else {
    return common::BadField(ow::kToolChoice, "must be a string or an object");
  }
  if (disable_parallel) tc[aw::kDisableParallelToolUse] = true;
  return std::optional<object>(std::move(tc));
}

bool IsFalseOrNull(const value& v) { return v.is_null() || (v.is_bool() && !v.get_bool()); }
bool IsZeroOrNull(const value& v) {
  return v.is_null() || (v.is_int64() && v.get_int64() == 0) ||
         (v.is_uint64() && v.get_uint64() == 0) || (v.is_double() && v.get_double() == 0);
}

Result<std::string> BuildInvokeBody(const object& in, const ClientRequest& request) {
  object out;
  const std::string& version = request.backend->schema.version;
  out[br::kAnthropicVersion] =
      version.empty() ? br::kAnthropicDefaultVersion : std::string_view(version);

  array messages, system;
  const array* in_messages = common::FindArray(in, ow::kMessages);
  if (in_messages == nullptr) return common::BadField(ow::kMessages, "must be an array");
  if (auto r = Messages(*in_messages, messages, system); !r.ok()) return r.error();

  const value* max_tokens = common::Find(in, ow::kMaxCompletionTokens);
  if (max_tokens == nullptr || max_tokens->is_null()) max_tokens = common::Find(in, ow::kMaxTokens);
  if (max_tokens && !max_tokens->is_null()) out[aw::kMaxTokens] = *max_tokens;
  if (!system.empty()) out[aw::kSystem] = std::move(system);
  out[aw::kMessages] = std::move(messages);

  object output_config;
  std::optional<std::string_view> effort;
  bool has_tools = false;
  for (const auto& kv : in) {
    const std::string_view key = kv.key();
    const value& v = kv.value();
    if (key == ow::kModel || key == ow::kMessages || key == ow::kMaxTokens ||
        key == ow::kMaxCompletionTokens || key == ow::kStream || key == ow::kStreamOptions ||
        key == ow::kToolChoice || key == ow::kParallelToolCalls) {
      continue;  // handled elsewhere: path, above, or with tools
    }
    if (v.is_null()) continue;  // null means "not set" in OpenAI's API
    if (key == ow::kTemperature) {
      const double t = v.is_double()   ? v.get_double()
                       : v.is_int64()  ? double(v.get_int64())
                       : v.is_uint64() ? double(v.get_uint64())
                                       : -1;
      if (t < 0 || t > 1) {
        return Unprocessable(ow::kTemperature, "Claude accepts temperatures between 0.0 and 1.0");
      }
      out[aw::kTemperature] = v;
    } else if (key == ow::kTopP || key == ow::kTopK) {
      out[key] = v;
    } else if (key == ow::kStop) {
      if (v.is_string()) {
        array a;
        a.emplace_back(v.get_string());
        out[aw::kStopSequences] = std::move(a);
      } else {
        out[aw::kStopSequences] = v;
      }
    } else if (key == ow::kTools) {
      const array* tools = v.if_array();
      if (tools == nullptr) return common::BadField(ow::kTools, "must be an array");
      auto converted = Tools(*tools);
      if (!converted.ok()) return converted.error();
      has_tools = !converted->empty();
      if (has_tools) out[aw::kTools] = std::move(converted).value();
    } else if (key == ow::kResponseFormat) {
      const object* rf = v.if_object();
      const auto type = rf ? common::StringOr(*rf, ow::kType, "") : "";
      if (type == ow::kResponseFormatText) continue;
      if (type != ow::kResponseFormatJsonSchema) {
        return Unprocessable(Dot(ow::kResponseFormat, "type"),
                             "only json_schema has a Claude equivalent (structured outputs)");
      }
      const object* js = common::FindObject(*rf, ow::kJsonSchema);
      object format;
      format[aw::kType] = aw::kFormatJsonSchema;
      if (const value* s = js ? common::Find(*js, ow::kSchema) : nullptr) format[aw::kSchema] = *s;
      output_config[aw::kFormat] = std::move(format);
    } else if (key == ow::kReasoningEffort) {
      if (!v.is_string() || !common::IsKnownReasoningEffort(v.get_string())) {
        return Unprocessable(ow::kReasoningEffort,
                             "must be one of none, minimal, low, medium, high, xhigh, max");
      }
      effort = v.get_string();
    } else if (key == ow::kThinking) {
      out[aw::kThinking] = v;  // enabled / disabled / adaptive, as Claude spells it
    } else if (key == ow::kUser) {
      object md;
      md[aw::kUserId] = v;
      out[aw::kMetadata] = std::move(md);
    } else if (key == ow::kN) {
      if (common::AsCount(v).value_or(0) != 1)
        return Unprocessable(ow::kN, "Claude returns one choice");
    } else if (key == ow::kLogprobs || key == ow::kStore) {
      if (!IsFalseOrNull(v)) return Unprocessable(key, "has no Claude equivalent");
    } else if (key == ow::kPresencePenalty || key == ow::kFrequencyPenalty) {
      if (!IsZeroOrNull(v)) return Unprocessable(key, "has no Claude equivalent");
    } else if (key == ow::kServiceTier) {
      if (!v.is_string() ||
          (v.get_string() != ow::kServiceTierAuto && v.get_string() != ow::kServiceTierDefault)) {
        return Unprocessable(ow::kServiceTier, "Bedrock InvokeModel has no service tiers");
      }
    } else if (key == ow::kModalities) {
      const array* a = v.if_array();
      if (a == nullptr || a->size() != 1 || !(*a)[0].is_string() ||
          (*a)[0].get_string() != ow::kModalityText) {
        return Unprocessable(key, "Claude answers text only");
      }
    } else if (key == ow::kMetadata) {
      const object* o = v.if_object();
      if (o && !o->empty()) return Unprocessable(key, "has no Claude equivalent");
    } else {
      // top_logprobs, logit_bias, seed, audio, prediction, functions, function_call,
      // web_search_options and anything unknown.
      return Unprocessable(key, "has no Claude equivalent");
    }
  }
  if (const value* tc = common::Find(in, ow::kToolChoice); has_tools || (tc && !tc->is_null())) {
    auto choice = ToolChoice(tc, common::Find(in, ow::kParallelToolCalls));
    if (!choice.ok()) return choice.error();
    if (choice->has_value() && has_tools) out[aw::kToolChoice] = std::move(**choice);
  }
  if (effort) {
    // DESIGN: output_config.effort where the model accepts it, the thinking budget otherwise.
    if (common::ClaudeAcceptsEffort(request.model)) {
      if (auto e = common::ClaudeEffort(*effort)) output_config[aw::kEffort] = *e;
    } else if (!out.contains(aw::kThinking)) {
      if (auto budget = common::ThinkingBudget(*effort)) {
        object thinking;
        thinking[aw::kType] = aw::kThinkingEnabled;
        thinking[aw::kBudgetTokens] = *budget;
        out[aw::kThinking] = std::move(thinking);
      }
    }
  }
  if (!output_config.empty()) out[aw::kOutputConfig] = std::move(output_config);
  return common::ToJson(out);
}

// ---------------------------------------------------------------------------------------------
// Response

std::string ChatCompletionFromMessage(const object& msg, const std::string& model,
                                      const common::AnthropicUsage& usage, int64_t created) {
  std::string text, reasoning;
  bool has_text = false;
  array thinking_blocks, tool_calls;
  if (const array* content = common::FindArray(msg, aw::kContent)) {
    for (const auto& b : *content) {
      const object* block = b.if_object();
      if (block == nullptr) continue;
      const auto type = common::StringOr(*block, aw::kType, "");
      if (type == aw::kBlockText) {
        text += common::StringOr(*block, aw::kText, "");
        has_text = true;
      } else if (type == aw::kBlockThinking) {
        reasoning += common::StringOr(*block, aw::kBlockThinking, "");
        object tb;
        tb[ow::kType] = ow::kPartThinking;
        tb[ow::kPartThinking] = common::StringOr(*block, aw::kBlockThinking, "");
        tb[ow::kSignature] = common::StringOr(*block, aw::kSignature, "");
        thinking_blocks.push_back(std::move(tb));
      } else if (type == aw::kBlockRedactedThinking) {
        object tb;
        tb[ow::kType] = ow::kPartRedactedThinking;
        tb[ow::kData] = common::StringOr(*block, aw::kData, "");
        thinking_blocks.push_back(std::move(tb));
      } else if (type == aw::kBlockToolUse || type == aw::kBlockServerToolUse) {
        tool_calls.push_back(common::ToolCallFromToolUse(*block));
      }
    }
  }
  object message;
  message[ow::kRole] = ow::kRoleAssistant;
  if (has_text) {
    message[ow::kContent] = text;
  } else {
    message[ow::kContent] = nullptr;
  }
  if (!reasoning.empty()) message[ow::kReasoningContent] = reasoning;
  if (!thinking_blocks.empty()) message[ow::kThinkingBlocks] = std::move(thinking_blocks);
  if (!tool_calls.empty()) message[ow::kToolCalls] = std::move(tool_calls);
  object choice;
  choice[ow::kIndex] = 0;
  choice[ow::kMessage] = std::move(message);
  choice[ow::kLogprobs] = nullptr;
  choice[ow::kFinishReason] =
      common::OpenAIFinishReason(common::StringOr(msg, aw::kStopReason, aw::kStopEndTurn));
  array choices;
  choices.push_back(std::move(choice));
  object resp;
  resp[ow::kId] = common::StringOr(msg, aw::kId, "");
  resp[ow::kObject] = ow::kObjectChatCompletion;
  resp[ow::kCreated] = created;
  resp[ow::kModel] = model;
  resp[ow::kChoices] = std::move(choices);
  std::string body = common::ToJson(resp);
  body.pop_back();
  body += R"(,"usage":)";
  body += common::OpenAIUsageJson(usage);
  body += '}';
  return body;
}

class OpenAIToAWSAnthropic final : public RebuildingTranslator {
 public:
  Result<UpstreamRequest> TranslateRequest(const ClientRequest& request) override {
    auto parsed = common::ParseClientObject(request.body);
    if (!parsed.ok()) return parsed.error();
    auto body = BuildInvokeBody(*parsed, request);
    if (!body.ok()) return body.error();
    stream_ = request.stream;
    request_model_ = std::string(request.model);
    created_ = common::NowUnixSeconds();
    state_.emplace(request_model_, created_);
    UpstreamRequest out;
    out.path = common::BedrockModelPath(request.model,
                                        stream_ ? br::kInvokeStreamSuffix : br::kInvokeSuffix);
    out.body = std::move(body).value();
    out.set_headers.emplace_back(br::kHeaderContentType, br::kContentTypeJson);
    out.set_headers.emplace_back(br::kHeaderAccept,
                                 stream_ ? br::kContentTypeEventStream : br::kContentTypeJson);
    return out;
  }

  ClientError TranslateError(int status, std::string_view content_type, std::string_view error_type,
                             std::string_view body) const override {
    return common::BedrockErrorToOpenAI(status, content_type, error_type, body);
  }

  std::string_view stream_error() const override {
    return state_ ? std::string_view(state_->error()) : std::string_view();
  }

 private:
  Result<void> OnStreamBytes(std::string_view bytes, std::string& out) override {
    auto on_event = [&](std::string_view json) -> Result<void> {
      auto parsed = common::ParseJson(json, ErrorSource::kUpstream);
      if (!parsed.ok() || !parsed->is_object()) {
        return Error(ErrorKind::kProtocol, "Bedrock chunk is not an Anthropic event",
                     ErrorSource::kUpstream);
      }
      state_->OnEvent(parsed->get_object(), out);
      return Ok();
    };
    auto on_exception = [&](std::string_view type, std::string_view message) -> Result<void> {
      state_->OnError(common::BedrockErrorType(type), message, out);
      return Ok();
    };
    return decoder_.Feed(bytes, {on_event, on_exception});
  }

  Result<void> OnStreamEnd(std::string& out) override {
    if (decoder_.mid_message()) {
      state_->OnError(br::kBackendErrorType, "upstream stream ended mid-frame", out);
    }
    state_->Finish(out);
    info_.usage = state_->usage().usage();
    info_.model = state_->model();
    return Ok();
  }

  Result<void> OnJsonAnswer(std::string_view body, std::string& out) override {
    auto parsed = common::ParseJson(body, ErrorSource::kUpstream);
    if (!parsed.ok() || !parsed->is_object()) {
      return Error(ErrorKind::kProtocol, "InvokeModel answer is not a JSON object",
                   ErrorSource::kUpstream);
    }
    common::AnthropicUsage usage;
    usage.OnMessage(parsed->get_object());
    const std::string model = usage.model().empty() ? request_model_ : usage.model();
    out += ChatCompletionFromMessage(parsed->get_object(), model, usage, created_);
    info_.usage = usage.usage();
    info_.model = model;
    return Ok();
  }

  std::string request_model_;
  int64_t created_ = 0;
  common::BedrockInvokeStream decoder_;
  std::optional<common::AnthropicStreamToOpenAI> state_;
};

}  // namespace

std::unique_ptr<Translator> NewOpenAIToAWSAnthropic(Endpoint) {
  return std::make_unique<OpenAIToAWSAnthropic>();
}

}  // namespace sluice::translate
