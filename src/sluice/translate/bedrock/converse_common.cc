#include "sluice/translate/bedrock/converse_common.h"

#include <random>

#include "sluice/core/strings.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/schema/openai/chat.h"
#include "sluice/translate/common/anthropic_errors.h"

namespace sluice::translate::bedrock {

namespace br = schema::bedrock;
namespace oa = schema::openai;
namespace an = schema::anthropic;

void ConverseUsage::Read(simdjson::dom::element usage) {
  simdjson::dom::object o;
  if (usage.get_object().get(o) != simdjson::SUCCESS) return;
  seen = true;
  auto read = [&](std::string_view key, std::optional<uint64_t>& slot) {
    simdjson::dom::element e;
    uint64_t v = 0;
    if (Find(o, key, e) && AsUint(e, v)) slot = v;
  };
  read(br::kInputTokens, input);
  read(br::kOutputTokens, output);
  read(br::kTotalTokens, total);
  read(br::kCacheReadInputTokens, cache_read);
  read(br::kCacheWriteInputTokens, cache_write);
}

limit::TokenUsage ConverseUsage::ToTokenUsage() const {
  limit::TokenUsage u;
  if (!seen) return u;
  if (input || cache_read || cache_write) {
    u.input = input.value_or(0) + cache_read.value_or(0) + cache_write.value_or(0);
  }
  u.output = output;
  if (u.input || u.output) u.total = u.input.value_or(0) + u.output.value_or(0);
  u.cached_input = cache_read;
  u.cache_creation_input = cache_write;
  return u;
}

void WriteOpenAIUsage(JsonWriter& w, const ConverseUsage& u) {
  const limit::TokenUsage t = u.ToTokenUsage();
  w.BeginObject();
  w.Key(oa::kPromptTokens).Uint(t.input.value_or(0));
  w.Key(oa::kCompletionTokens).Uint(t.output.value_or(0));
  w.Key(oa::kTotalTokens).Uint(t.total.value_or(0));
  if (u.cache_read || u.cache_write) {
    w.Key(oa::kPromptTokensDetails).BeginObject();
    w.Key(oa::kCachedTokens).Uint(u.cache_read.value_or(0));
    if (u.cache_write) w.Key(oa::kCacheCreationTokens).Uint(*u.cache_write);
    w.EndObject();
  }
  w.EndObject();
}

Result<void> ConverseStreamReader::Feed(
    std::string_view bytes, codec::FunctionRef<Result<void>(const ConverseEvent&)> on_event,
    codec::FunctionRef<Result<void>(const ConverseException&)> on_exception) {
  return decoder_.Feed(bytes, [&](const codec::EventStreamMessage& m) -> Result<void> {
    const std::string_view message_type =
        m.StringHeader(br::kEventHeaderMessageType).value_or(br::kMessageTypeEvent);
    if (message_type == br::kMessageTypeException || message_type == br::kMessageTypeError) {
      ConverseException ex;
      ex.type = std::string(m.StringHeader(br::kEventHeaderExceptionType)
                                .value_or(m.StringHeader(br::kEventHeaderErrorCode).value_or("")));
      ex.message = std::string(m.StringHeader(br::kEventHeaderErrorMessage).value_or(m.payload));
      simdjson::dom::element root;
      simdjson::dom::object o;
      simdjson::dom::element msg;
      std::string_view text;
      if (!m.payload.empty() &&
          parser_.parse(m.payload.data(), m.payload.size(), true).get(root) == simdjson::SUCCESS &&
          root.get_object().get(o) == simdjson::SUCCESS &&
          (Find(o, br::kErrorMessage, msg) || Find(o, br::kErrorMessageCapital, msg)) &&
          AsString(msg, text)) {
        ex.message = std::string(text);
      }
      ex.status = StatusForException(ex.type);
      return on_exception(ex);
    }
    if (message_type != br::kMessageTypeEvent) return Ok();  // unknown kinds are skipped
    ConverseEvent event;
    event.type = m.StringHeader(br::kEventHeaderEventType).value_or("");
    simdjson::dom::element root;
    if (parser_.parse(m.payload.data(), m.payload.size(), true).get(root) != simdjson::SUCCESS ||
        root.get_object().get(event.payload) != simdjson::SUCCESS) {
      return Error(ErrorKind::kProtocol,
                   "ConverseStream event " + std::string(event.type) + " is not a JSON object",
                   ErrorSource::kUpstream);
    }
    return on_event(event);
  });
}

ContentBlock ReadContentBlock(simdjson::dom::object block) {
  ContentBlock b;
  simdjson::dom::element v, x;
  simdjson::dom::object o, reasoning_text;
  std::string_view s;
  if (Find(block, br::kText, v) && AsString(v, s)) {
    b.kind = ContentBlock::Kind::kText;
    b.text = s;
  } else if (Find(block, br::kToolUse, v) && v.get_object().get(o) == simdjson::SUCCESS) {
    b.kind = ContentBlock::Kind::kToolUse;
    b.tool_use_id = StringField(o, br::kToolUseId);
    b.tool_name = StringField(o, br::kName);
    if (Find(o, br::kInput, x)) b.tool_input = x;
  } else if (Find(block, br::kReasoningContent, v) && v.get_object().get(o) == simdjson::SUCCESS) {
    if (Find(o, br::kReasoningText, x) && x.get_object().get(reasoning_text) == simdjson::SUCCESS) {
      b.kind = ContentBlock::Kind::kReasoning;
      b.text = StringField(reasoning_text, br::kText);
      if (Find(reasoning_text, br::kSignature, x) && AsString(x, s)) b.signature = s;
    } else if (Find(o, br::kRedactedContent, x) && AsString(x, s)) {
      b.kind = ContentBlock::Kind::kRedactedReasoning;
      b.redacted = s;
    }
  }
  return b;
}

Result<ConverseOutput> ParseConverseOutput(simdjson::dom::parser& parser, std::string_view body) {
  auto root = ParseJson(parser, body, ErrorSource::kUpstream);
  if (!root.ok()) return root.error();
  ConverseOutput out;
  if (root->get_object().get(out.response) != simdjson::SUCCESS) {
    return Error(ErrorKind::kProtocol, "Bedrock response is not a JSON object",
                 ErrorSource::kUpstream);
  }
  out.stop_reason = StringField(out.response, br::kStopReason);
  element oe, me, ce, ue;
  object output, message;
  array content;
  if (!Find(out.response, br::kOutput, oe) || oe.get_object().get(output) != simdjson::SUCCESS ||
      !Find(output, br::kMessage, me) || me.get_object().get(message) != simdjson::SUCCESS) {
    return Error(
        ErrorKind::kProtocol,
        "bedrock response missing 'output' (stopReason=\"" + std::string(out.stop_reason) + "\")",
        ErrorSource::kUpstream);
  }
  if (Find(message, br::kContent, ce) && ce.get_array().get(content) == simdjson::SUCCESS) {
    for (element e : content) {
      object block;
      if (e.get_object().get(block) == simdjson::SUCCESS) {
        out.content.push_back(ReadContentBlock(block));
      }
    }
  }
  if (Find(out.response, br::kUsage, ue)) out.usage.Read(ue);
  return out;
}

uint64_t BlockIndex(simdjson::dom::object payload) {
  uint64_t index = 0;
  simdjson::dom::element e;
  if (Find(payload, br::kContentBlockIndex, e)) AsUint(e, index);
  return index;
}

std::optional<ToolUseStart> ReadToolUseStart(simdjson::dom::object payload) {
  simdjson::dom::element se, tue;
  simdjson::dom::object start, tool_use;
  if (!Find(payload, br::kStart, se) || se.get_object().get(start) != simdjson::SUCCESS ||
      !Find(start, br::kToolUse, tue) || tue.get_object().get(tool_use) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return ToolUseStart{StringField(tool_use, br::kToolUseId), StringField(tool_use, br::kName)};
}

std::optional<ContentDelta> ReadContentDelta(simdjson::dom::object payload) {
  simdjson::dom::element de, v, x;
  simdjson::dom::object delta, o;
  if (!Find(payload, br::kDelta, de) || de.get_object().get(delta) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  ContentDelta d;
  std::string_view s;
  if (Find(delta, br::kText, v) && AsString(v, s)) {
    d.kind = ContentDelta::Kind::kText;
    d.text = s;
  } else if (Find(delta, br::kToolUse, v) && v.get_object().get(o) == simdjson::SUCCESS) {
    d.kind = ContentDelta::Kind::kToolInput;
    d.text = StringField(o, br::kInput);
  } else if (Find(delta, br::kReasoningContent, v) && v.get_object().get(o) == simdjson::SUCCESS) {
    d.kind = ContentDelta::Kind::kReasoning;
    if (Find(o, br::kText, x) && AsString(x, s)) d.reasoning_text = s;
    if (Find(o, br::kSignature, x) && AsString(x, s)) d.signature = s;
    if (Find(o, br::kRedactedContent, x) && AsString(x, s)) d.redacted = s;
  }
  return d;
}

int StatusForException(std::string_view type) {
  // Bedrock API Reference, "ConverseStream", Errors (HTTP status per exception).
  struct Row {
    std::string_view name;
    int status;
  };
  static constexpr Row kRows[] = {
      {"accessDeniedException", 403},       {"internalServerException", 500},
      {"modelErrorException", 424},         {"modelNotReadyException", 429},
      {"modelStreamErrorException", 424},   {"modelTimeoutException", 408},
      {"resourceNotFoundException", 404},   {"serviceQuotaExceededException", 400},
      {"serviceUnavailableException", 503}, {"throttlingException", 429},
      {"validationException", 400},
  };
  for (const Row& r : kRows) {
    if (EqualsIgnoreCase(r.name, type)) return r.status;
  }
  return 500;
}

std::string_view OpenAIFinishReason(std::string_view r) {
  if (r == br::kStopMaxTokens || r == br::kStopContextWindowExceeded) return oa::kFinishLength;
  if (r == br::kStopToolUse) return oa::kFinishToolCalls;
  if (r == br::kStopContentFiltered || r == br::kStopGuardrailIntervened) {
    return oa::kFinishContentFilter;
  }
  return oa::kFinishStop;
}

std::string_view AnthropicStopReason(std::string_view r) {
  if (r == br::kStopMaxTokens) return an::kStopMaxTokens;
  if (r == br::kStopStopSequence) return an::kStopStopSequence;
  if (r == br::kStopToolUse) return an::kStopToolUse;
  if (r == br::kStopContextWindowExceeded) return br::kStopContextWindowExceeded;
  if (r == br::kStopContentFiltered || r == br::kStopGuardrailIntervened) return an::kStopRefusal;
  return an::kStopEndTurn;
}

bool IsClaudeModel(std::string_view model) {
  return AsciiLower(model).find("claude") != std::string::npos;
}

std::string FallbackId(std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  for (int i = 0; i < 24; ++i) id += kHex[rng() & 15];
  return id;
}

}  // namespace sluice::translate::bedrock
