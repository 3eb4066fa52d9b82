#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// ASCII-only helpers: HTTP header names, tokens and config keys are ASCII by specification.
constexpr char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
std::string AsciiLower(std::string_view s);
// Inline: the request path compares every header name against several lists, and most
// comparisons end at the length check.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
// Offset of the first `a` or `b` in `s` at or after `from`; npos when there is none. One pass,
// sixteen bytes a step: for short spans cheaper than two memchr calls.
size_t FindEither(std::string_view s, size_t from, char a, char b);
std::string_view TrimWhitespace(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);

// Standard base64 (RFC 4648 §4) with padding. Decode accepts missing padding and ignores
// whitespace; returns nullopt on any other invalid character.
std::string Base64Encode(std::string_view data);
std::optional<std::string> Base64Decode(std::string_view text);

// Appends `s` to `out` as the inside of a JSON string literal (RFC 8259 §7).
void AppendJsonEscaped(std::string& out, std::string_view s);
// The same, written at `out`, which must have room for kMaxJsonEscapeGrowth * s.size() +
// kJsonEscapeSlack bytes; returns the end of what was written. The slack past that end may be
// overwritten.
inline constexpr size_t kMaxJsonEscapeGrowth = 6;  // a control byte becomes \u00XX
inline constexpr size_t kJsonEscapeSlack = 16;
char* WriteJsonEscaped(char* out, std::string_view s);
std::string JsonQuote(std::string_view s);

}  // namespace sluice
