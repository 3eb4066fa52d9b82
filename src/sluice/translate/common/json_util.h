#pragma once

// Small helpers over Boost.JSON for the translators that rebuild documents (Anthropic ↔ OpenAI,
// Claude on Bedrock). Reads never throw: they use the if_* accessors. Writing uses WriteJson, not
// boost::json::serialize, because Boost 1.81 prints doubles as "7E-1" and infinities as
// "Infinity" (not JSON); WriteJson prints the shortest round-trip form ("0.7") and never emits a
// non-finite number.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/core/result.h"

namespace sluice::translate::common {

namespace bj = boost::json;

// Parses a whole document. Malformed JSON is kInvalidArgument blamed on `source`.
Result<bj::value> ParseJson(std::string_view text, ErrorSource source);
// The client's body, which must be a JSON object (else a 400).
Result<bj::object> ParseClientObject(std::string_view body);

// Appends `v` as compact JSON (no spaces), object keys in insertion order.
void WriteJson(std::string& out, const bj::value& v);
std::string ToJson(const bj::value& v);

// Field readers: nullptr / nullopt when absent or of another type.
const bj::value* Find(const bj::object& o, std::string_view key);
const bj::object* FindObject(const bj::object& o, std::string_view key);
const bj::array* FindArray(const bj::object& o, std::string_view key);
std::optional<std::string_view> FindString(const bj::object& o, std::string_view key);
// A non-negative integer (int64 or uint64 kind, or a double with an integral value).
std::optional<uint64_t> FindCount(const bj::object& o, std::string_view key);
std::optional<uint64_t> AsCount(const bj::value& v);
std::string_view StringOr(const bj::object& o, std::string_view key, std::string_view fallback);

}  // namespace sluice::translate::common
