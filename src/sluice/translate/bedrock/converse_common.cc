#include "sluice/translate/bedrock/converse_common.h"

#include <random>

#include "sluice/core/strings.h"
#include "sluice/json/errors.h"
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

namespace {

bool LooksLikeJsonObject(std::string_view body) {
  const auto t = TrimWhitespace(body);
  return !t.empty() && t.front() == '{';
}

// The "message" of a Bedrock JSON error body, if it is one.
std::optional<std::string> BedrockMessage(std::string_view body) {
  if (!LooksLikeJsonObject(body)) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object o;
  if (parser.parse(body.data(), body.size(), true).get(root) != simdjson::SUCCESS ||
      root.get_object().get(o) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  simdjson::dom::element m;
  std::string_view text;
  if ((Find(o, br::kErrorMessage, m) || Find(o, br::kErrorMessageCapital, m)) &&
      AsString(m, text)) {
    return std::string(text);
  }
  return std::string();  // a JSON object without a message
}

}  // namespace

ClientError OpenAIErrorFromBedrock(int status, std::string_view content_type,
                                   std::string_view error_type, std::string_view body,
                                   bool pass_json_without_type) {
  // "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" → the name only.
  error_type = error_type.substr(0, error_type.find(':'));
  const bool json_type = content_type.find("json") != std::string_view::npos;
  if (pass_json_without_type && json_type && error_type.empty() && LooksLikeJsonObject(body)) {
    return {status, std::string(br::kContentTypeJson), std::string(body)};
  }
  if (auto message = BedrockMessage(body)) {
    const std::string_view type = error_type.empty() ? br::kBackendErrorType : error_type;
    return {status, std::string(br::kContentTypeJson),
            json::OpenAIErrorJson(type, status, *message)};
  }
  return {status, std::string(br::kContentTypeJson),
          json::OpenAIErrorJson(br::kBackendErrorType, status, body)};
}

ClientError AnthropicErrorFromBedrock(int status, std::string_view, std::string_view body) {
  std::string message = BedrockMessage(body).value_or(std::string(body));
  if (message.empty() && LooksLikeJsonObject(body)) message = std::string(body);
  return {status, std::string(br::kContentTypeJson),
          common::AnthropicErrorJson(common::AnthropicErrorTypeForStatus(status),
                                     common::ValidUtf8(message))};
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

namespace sluice::translate::bedrock {

void WriteCachePoint(JsonWriter& w) {
  w.BeginObject().Key(br::kCachePoint).BeginObject();
  w.Field(br::kType, br::kCachePointDefault);
  w.EndObject().EndObject();
}

void WriteImageBlock(JsonWriter& w, std::string_view format, std::string_view base64) {
  w.BeginObject().Key(br::kImage).BeginObject();
  w.Field(br::kFormat, format);
  w.Key(br::kSource).BeginObject().Field(br::kBytes, base64).EndObject();
  w.EndObject().EndObject();
}

void WriteDocumentBlock(JsonWriter& w, std::string_view format, std::string_view name,
                        std::string_view base64) {
  w.BeginObject().Key(br::kDocument).BeginObject();
  w.Field(br::kFormat, format).Field(br::kName, name);
  w.Key(br::kSource).BeginObject().Field(br::kBytes, base64).EndObject();
  w.EndObject().EndObject();
}

std::optional<std::string_view> ImageFormat(std::string_view media_type) {
  const std::string m = AsciiLower(TrimWhitespace(media_type));
  if (m == "image/png") return "png";
  if (m == "image/jpeg" || m == "image/jpg") return "jpeg";
  if (m == "image/gif") return "gif";
  if (m == "image/webp") return "webp";
  return std::nullopt;
}

std::optional<std::string_view> DocumentFormat(std::string_view media_type) {
  struct Row {
    std::string_view media_type, format;
  };
  static constexpr Row kRows[] = {
      {"application/pdf", "pdf"},
      {"text/csv", "csv"},
      {"application/msword", "doc"},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
      {"application/vnd.ms-excel", "xls"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
      {"text/html", "html"},
      {"text/plain", "txt"},
      {"text/markdown", "md"},
  };
  const std::string m = AsciiLower(TrimWhitespace(media_type));
  for (const Row& r : kRows) {
    if (r.media_type == m) return r.format;
  }
  return std::nullopt;
}

std::string DocumentName(std::string_view filename) {
  if (auto slash = filename.find_last_of("/\\"); slash != std::string_view::npos) {
    filename = filename.substr(slash + 1);
  }
  if (auto dot = filename.rfind('.'); dot != std::string_view::npos && dot > 0) {
    filename = filename.substr(0, dot);
  }
  std::string name;
  for (char c : filename) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '(' || c == ')' || c == '[' || c == ']';
    if (ok) {
      name += c;
    } else if (!name.empty() && name.back() != ' ') {
      name += ' ';
    }
  }
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return name.empty() ? std::string("document") : name;
}

std::optional<DataUri> ParseDataUri(std::string_view uri) {
  // RFC 2397: data:[<mediatype>][;base64],<data>
  if (!StartsWithIgnoreCase(uri, "data:")) return std::nullopt;
  uri.remove_prefix(5);
  const auto comma = uri.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view meta = uri.substr(0, comma);
  const std::string_view data = uri.substr(comma + 1);
  bool is_base64 = false;
  if (meta.size() >= 7 && EqualsIgnoreCase(meta.substr(meta.size() - 7), ";base64")) {
    is_base64 = true;
    meta.remove_suffix(7);
  }
  DataUri out;
  out.media_type = std::string(meta.substr(0, meta.find(';')));
  if (out.media_type.empty()) out.media_type = "text/plain";
  if (is_base64) {
    auto bytes = Base64Decode(data);
    if (!bytes) return std::nullopt;
    out.base64 = Base64Encode(*bytes);
    return out;
  }
  // Percent-encoded payload (RFC 3986 §2.1).
  std::string bytes;
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '%' && i + 2 < data.size()) {
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      const int hi = hex(data[i + 1]), lo = hex(data[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      bytes += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      bytes += data[i];
    }
  }
  out.base64 = Base64Encode(bytes);
  return out;
}

JsonWriter& ConverseMessageList::Blocks(std::string_view role) {
  if (messages_.empty() || messages_.back().role != role) {
    messages_.push_back({std::string(role), {}});
  }
  Message& m = messages_.back();
  writer_.emplace(m.blocks, !m.blocks.empty());
  return *writer_;
}

void ConverseMessageList::DropIfEmpty() {
  if (!messages_.empty() && messages_.back().blocks.empty()) messages_.pop_back();
  writer_.reset();
}

void ConverseMessageList::Write(JsonWriter& w) const {
  w.BeginArray();
  for (const Message& m : messages_) {
    w.BeginObject().Field(br::kRole, m.role).Key(br::kContent).BeginArray();
    w.Raw(m.blocks).EndArray().EndObject();
  }
  w.EndArray();
}

}  // namespace sluice::translate::bedrock
