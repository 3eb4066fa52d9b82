#include "sluice/translate/common/json_util.h"

#include <array>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>

#include "sluice/core/strings.h"
#include "sluice/translate/common/field_errors.h"

namespace sluice::translate::common {

Result<bj::value> ParseJson(std::string_view text, ErrorSource source) {
  boost::system::error_code ec;
  bj::value v = bj::parse(text, ec);
  if (ec) return Error(ErrorKind::kInvalidArgument, "invalid JSON: " + ec.message(), source);
  return v;
}

Result<bj::object> ParseClientObject(std::string_view body) {
  auto parsed = ParseJson(body, ErrorSource::kClient);
  if (!parsed.ok()) return parsed.error();
  if (!parsed->is_object()) return BadField("body", "not a JSON object");
  return std::move(parsed->get_object());
}

namespace {

void WriteDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";  // JSON has no infinities; Boost reads 1e400 as one
    return;
  }
  std::array<char, 32> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), d);
  out.append(buf.data(), end);
}

}  // namespace

void WriteJson(std::string& out, const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      out += "null";
      break;
    case bj::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case bj::kind::int64:
      out += std::to_string(v.get_int64());
      break;
    case bj::kind::uint64:
      out += std::to_string(v.get_uint64());
      break;
    case bj::kind::double_:
      WriteDouble(out, v.get_double());
      break;
    case bj::kind::string:
      out += '"';
      AppendJsonEscaped(out, std::string_view(v.get_string()));
      out += '"';
      break;
    case bj::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        WriteJson(out, e);
      }
      out += ']';
      break;
    }
    case bj::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += '"';
        AppendJsonEscaped(out, std::string_view(kv.key()));
        out += "\":";
        WriteJson(out, kv.value());
      }
      out += '}';
      break;
    }
  }
}

std::string ToJson(const bj::value& v) {
  std::string out;
  WriteJson(out, v);
  return out;
}

const bj::value* Find(const bj::object& o, std::string_view key) { return o.if_contains(key); }

const bj::object* FindObject(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

const bj::array* FindArray(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}

std::optional<std::string_view> FindString(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

std::optional<uint64_t> AsCount(const bj::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64()) {
    if (v.get_int64() < 0) return std::nullopt;
    return uint64_t(v.get_int64());
  }
  if (v.is_double()) {
    const double d = v.get_double();
    if (d >= 0 && d < 1.8e19 && std::floor(d) == d) return uint64_t(d);
  }
  return std::nullopt;
}

std::optional<uint64_t> FindCount(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v ? AsCount(*v) : std::nullopt;
}

std::string_view StringOr(const bj::object& o, std::string_view key, std::string_view fallback) {
  return FindString(o, key).value_or(fallback);
}

}  // namespace sluice::translate::common
