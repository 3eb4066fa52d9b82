#include "sluice/translate/bedrock/converse_request.h"

#include "sluice/core/strings.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/translate/common/field_errors.h"
#include "sluice/translate/common/upstream_path.h"

namespace sluice::translate::bedrock {

namespace br = schema::bedrock;
namespace an = schema::anthropic;

Result<simdjson::dom::object> ParseClientObject(simdjson::dom::parser& parser,
                                                std::string_view body) {
  auto root = ParseJson(parser, body, ErrorSource::kClient);
  if (!root.ok()) return root.error();
  simdjson::dom::object o;
  if (root->get_object().get(o) != simdjson::SUCCESS) {
    return Error(ErrorKind::kInvalidArgument, "the body must be a JSON object",
                 ErrorSource::kClient);
  }
  return o;
}

UpstreamRequest ConverseRequest(std::string_view model, bool stream, std::string body) {
  UpstreamRequest up;
  up.path =
      common::BedrockModelPath(model, stream ? br::kConverseStreamSuffix : br::kConverseSuffix);
  up.body = std::move(body);
  up.set_headers.emplace_back(br::kHeaderContentType, br::kContentTypeJson);
  up.set_headers.emplace_back(br::kHeaderAccept,
                              stream ? br::kContentTypeEventStream : br::kContentTypeJson);
  return up;
}

bool IsNumber(simdjson::dom::element e) {
  const auto t = e.type();
  return t == simdjson::dom::element_type::INT64 || t == simdjson::dom::element_type::UINT64 ||
         t == simdjson::dom::element_type::DOUBLE;
}

Result<void> CopyNumber(JsonWriter& w, std::string_view key,
                        const std::optional<simdjson::dom::element>& value, std::string_view field,
                        std::string_view must_be) {
  if (!value || value->is_null()) return Ok();
  if (!IsNumber(*value)) return BadField(field, must_be);
  w.Key(key).Element(*value);
  return Ok();
}

bool HasCacheControl(simdjson::dom::object o) {
  simdjson::dom::element cc;
  return Find(o, an::kCacheControl, cc) && !cc.is_null();
}

void WriteTextBlock(JsonWriter& w, std::string_view text) {
  w.BeginObject().Field(br::kText, text).EndObject();
}

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

void WriteToolUseBlock(JsonWriter& w, std::string_view id, std::string_view name,
                       std::string_view input_json) {
  w.BeginObject().Key(br::kToolUse).BeginObject();
  w.Field(br::kToolUseId, id).Field(br::kName, name).FieldRaw(br::kInput, input_json);
  w.EndObject().EndObject();
}

void WriteReasoningBlock(JsonWriter& w, std::string_view text,
                         std::optional<std::string_view> signature) {
  w.BeginObject().Key(br::kReasoningContent).BeginObject().Key(br::kReasoningText).BeginObject();
  w.Field(br::kText, text);
  if (signature) w.Field(br::kSignature, *signature);
  w.EndObject().EndObject().EndObject();
}

void WriteRedactedReasoningBlock(JsonWriter& w, std::string_view base64) {
  w.BeginObject().Key(br::kReasoningContent).BeginObject();
  w.Field(br::kRedactedContent, base64).EndObject().EndObject();
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

void WriteToolSpec(JsonWriter& w, std::string_view name, std::string_view description,
                   std::optional<simdjson::dom::element> input_schema, bool strict) {
  w.BeginObject().Key(br::kToolSpec).BeginObject().Field(br::kName, name);
  if (!description.empty()) w.Field(br::kDescription, description);
  w.Key(br::kInputSchema).BeginObject().Key(br::kJson);
  if (input_schema && !input_schema->is_null()) {
    w.Element(*input_schema);
  } else {
    w.Raw(R"({"type":"object","properties":{}})");
  }
  w.EndObject();
  if (strict) w.Key(br::kStrict).Bool(true);  // ToolSpecification.strict (structured outputs)
  w.EndObject().EndObject();
}

void WriteToolChoice(JsonWriter& w, std::string_view choice, std::string_view tool_name) {
  w.Key(br::kToolChoice).BeginObject().Key(choice).BeginObject();
  if (choice == br::kToolChoiceTool) w.Field(br::kName, tool_name);
  w.EndObject().EndObject();
}

void WriteJsonSchemaOutput(JsonWriter& w, simdjson::dom::element schema,
                           std::optional<std::string_view> name,
                           std::optional<std::string_view> description) {
  w.Key(br::kOutputConfig).BeginObject().Key(br::kTextFormat).BeginObject();
  w.Field(br::kType, br::kTextFormatJsonSchema).Key(br::kStructure).BeginObject();
  w.Key(br::kJsonSchema).BeginObject().Field(br::kSchema, ToJson(schema));
  if (name) w.Field(br::kName, *name);
  if (description) w.Field(br::kDescription, *description);
  w.EndObject().EndObject().EndObject().EndObject();
}

}  // namespace sluice::translate::bedrock
