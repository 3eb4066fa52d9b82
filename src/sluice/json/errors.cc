#include "sluice/json/errors.h"

#include <cstdint>

#include "sluice/core/strings.h"

namespace sluice::json {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629 §4: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when it is ill-formed.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    uint8_t b1 = byte(i + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    uint8_t b1 = byte(i + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void AppendEscapedUtf8(std::string& out, std::string_view s) {
  size_t run = 0;  // start of the current well-formed run
  size_t i = 0;
  while (i < s.size()) {
    size_t n = Utf8SequenceLength(s, i);
    if (n != 0) {
      i += n;
      continue;
    }
    AppendJsonEscaped(out, s.substr(run, i - run));
    out += "\xEF\xBF\xBD";
    run = ++i;
  }
  AppendJsonEscaped(out, s.substr(run));
}

std::string OpenAIErrorJson(std::string_view type, int code, std::string_view message) {
  std::string out;
  out.reserve(64 + type.size() + message.size());
  out += R"({"type":"error","error":{"type":")";
  AppendEscapedUtf8(out, type);
  out += R"(","code":")";
  out += std::to_string(code);
  out += R"(","message":")";
  AppendEscapedUtf8(out, message);
  out += "\"}}";
  return out;
}

}  // namespace sluice::json
