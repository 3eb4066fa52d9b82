#include "sluice/translate/bedrock/json_writer.h"

#include <cmath>

#include "sluice/core/strings.h"

namespace sluice::translate::bedrock {

void JsonWriter::Separate() {
  if (need_comma_) out_ += ',';
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_ += '{';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_ += '[';
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  Separate();
  out_ += '"';
  AppendJsonEscaped(out_, key);
  out_ += "\":";
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  Separate();
  out_ += '"';
  AppendJsonEscaped(out_, value);
  out_ += '"';
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  Separate();
  out_ += std::to_string(value);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  Separate();
  out_ += std::to_string(value);
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_ += "null";
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_ += json;
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Element(simdjson::dom::element value) {
  Separate();
  out_ += simdjson::minify(value);
  need_comma_ = true;
  return *this;
}

Result<simdjson::dom::element> ParseJson(simdjson::dom::parser& parser, std::string_view text,
                                         ErrorSource source) {
  simdjson::dom::element root;
  // parse() copies into the parser's padded buffer when the input lacks padding.
  if (auto error = parser.parse(text.data(), text.size(), true).get(root); error) {
    return Error(ErrorKind::kInvalidArgument,
                 std::string("not valid JSON: ") + simdjson::error_message(error), source);
  }
  return root;
}

bool Find(simdjson::dom::object object, std::string_view key, simdjson::dom::element& out) {
  bool found = false;
  for (auto field : object) {
    if (field.key == key) {
      out = field.value;
      found = true;
    }
  }
  return found;
}

std::optional<simdjson::dom::element> Find(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element e;
  if (Find(object, key, e)) return e;
  return std::nullopt;
}

bool IsNull(simdjson::dom::element e) { return e.is_null(); }

bool AsString(simdjson::dom::element e, std::string_view& out) {
  return e.get_string().get(out) == simdjson::SUCCESS;
}

bool AsBool(simdjson::dom::element e, bool& out) {
  return e.get_bool().get(out) == simdjson::SUCCESS;
}

bool AsUint(simdjson::dom::element e, uint64_t& out) {
  switch (e.type()) {
    case simdjson::dom::element_type::UINT64:
      return e.get_uint64().get(out) == simdjson::SUCCESS;
    case simdjson::dom::element_type::INT64: {
      int64_t v = 0;
      if (e.get_int64().get(v) != simdjson::SUCCESS || v < 0) return false;
      out = static_cast<uint64_t>(v);
      return true;
    }
    case simdjson::dom::element_type::DOUBLE: {
      double d = 0;
      if (e.get_double().get(d) != simdjson::SUCCESS) return false;
      if (!(d >= 0) || d >= 18446744073709551616.0 || std::floor(d) != d) return false;
      out = static_cast<uint64_t>(d);
      return true;
    }
    default:
      return false;
  }
}

bool AsDouble(simdjson::dom::element e, double& out) {
  return e.get_double().get(out) == simdjson::SUCCESS;
}

std::string_view StringField(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element e;
  std::string_view s;
  if (Find(object, key, e)) AsString(e, s);
  return s;
}

bool BoolField(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element e;
  bool b = false;
  return Find(object, key, e) && AsBool(e, b) && b;
}

std::string ToJson(simdjson::dom::element e) { return simdjson::minify(e); }

}  // namespace sluice::translate::bedrock
