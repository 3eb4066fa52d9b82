#pragma once

// JSON string and number grammar helpers (RFC 8259 §6, §7) that work on raw document bytes.
// They are deliberately as lenient as the common server-side decoders (Go encoding/json, Python
// json): a \u escape naming a lone UTF-16 surrogate decodes to U+FFFD instead of failing, because
// JavaScript clients can produce one by slicing a string between the halves of a surrogate pair.

#include <string>
#include <string_view>

namespace sluice::json {

// True when every backslash in `raw` (the bytes between a string's quotes) starts a valid escape:
// \" \\ \/ \b \f \n \r \t or \u followed by four hex digits.
bool ValidEscapes(std::string_view raw);

// ValidEscapes for a document checked piece by piece as it arrives: checks the escapes that start
// in raw[from, to) and returns where the next piece's check starts (past the last escape, which
// may end beyond `to`), or npos at an invalid escape, including one that raw ends inside.
size_t CheckEscapes(std::string_view raw, size_t from, size_t to);

// Appends the decoded contents of `raw` (the bytes between a string's quotes) to `out`. Returns
// false, with `out` partially written, when an escape is invalid.
bool AppendUnescaped(std::string& out, std::string_view raw);

// A string's contents (`raw`, the bytes between its quotes) decoded: a view of `raw` when it has
// no escape (no copy), else the decoded text held in `scratch`. False when an escape is invalid.
bool DecodeString(std::string_view raw, std::string& scratch, std::string_view& out);

// True when `text` is exactly one JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// Magnitude is not limited (1e400 and 40-digit integers are valid JSON).
bool IsJsonNumber(std::string_view text);

// JSON insignificant whitespace (RFC 8259 §2): space, tab, LF, CR.
inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline std::string_view TrimTrailingJsonSpace(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace sluice::json
