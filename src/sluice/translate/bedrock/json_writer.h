#pragma once

// A small streaming JSON writer and simdjson DOM helpers for translators that build whole
// documents (request bodies for another API, synthesised responses and stream events).
//
// Why not Boost.JSON's serializer: it prints 0.7 as "7E-1" and 1e400 as "Infinity" (not JSON).
// Values copied from a client or provider document are re-emitted from simdjson's DOM, which keeps
// integers as integers and prints doubles in their shortest round-trip form.
//
// Not thread-safe; one writer per document. The writer appends to a caller-owned string and does
// not check that the calls form a valid document (tests do).

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/core/result.h"

namespace sluice::translate::bedrock {

// The simdjson DOM types the Bedrock translators read client and provider documents with.
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  // Continues a list of values already in `out` (a comma precedes the next value when
  // `continues` is set).
  JsonWriter(std::string& out, bool continues) : out_(out), need_comma_(continues) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A value that is already JSON text (not checked).
  JsonWriter& Raw(std::string_view json);
  // A DOM value re-serialised compactly.
  JsonWriter& Element(simdjson::dom::element value);

  // Key + value shorthands.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& FieldRaw(std::string_view key, std::string_view json) { return Key(key).Raw(json); }

 private:
  void Separate();
  std::string& out_;
  bool need_comma_ = false;
};

// Parses `text` into `parser` (which owns the returned DOM until its next parse). A document that
// is not JSON is kInvalidArgument with `source` as the blame.
Result<simdjson::dom::element> ParseJson(simdjson::dom::parser& parser, std::string_view text,
                                         ErrorSource source);

// Field lookup that takes the LAST occurrence of a duplicated key (as request_body.h reads do).
// Returns false when absent.
bool Find(simdjson::dom::object object, std::string_view key, simdjson::dom::element& out);
// The same as an optional: nullopt when absent.
std::optional<simdjson::dom::element> Find(simdjson::dom::object object, std::string_view key);

bool IsNull(simdjson::dom::element e);
// Typed reads: false when the element has another type.
bool AsString(simdjson::dom::element e, std::string_view& out);
bool AsBool(simdjson::dom::element e, bool& out);
// A non-negative integer that fits in uint64 (an integral double such as 10.0 counts).
bool AsUint(simdjson::dom::element e, uint64_t& out);
bool AsDouble(simdjson::dom::element e, double& out);
// The string member `key` of `object` (its last occurrence); empty when absent or not a string.
std::string_view StringField(simdjson::dom::object object, std::string_view key);
// True when the member `key` of `object` (its last occurrence) is the literal true.
bool BoolField(simdjson::dom::object object, std::string_view key);

// The compact JSON text of `e`.
std::string ToJson(simdjson::dom::element e);

}  // namespace sluice::translate::bedrock
