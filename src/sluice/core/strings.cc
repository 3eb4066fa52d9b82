#include "sluice/core/strings.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice {

namespace {
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLowerAscii(c);
  return out;
}

size_t FindEither(std::string_view s, size_t from, char a, char b) {
  const char* const p = s.data();
  const size_t n = s.size();
  size_t i = from;
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a);
  const __m128i vb = _mm_set1_epi8(b);
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)));
    if (mask != 0) return i + size_t(__builtin_ctz(unsigned(mask)));
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == a || p[i] == b) return i;
  }
  return std::string_view::npos;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

std::string_view TrimWhitespace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const auto end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += kBase64Alphabet[n & 63];
  }
  if (i < data.size()) {
    uint32_t n = uint8_t(data[i]) << 16;
    if (i + 1 < data.size()) n |= uint8_t(data[i + 1]) << 8;
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += (i + 1 < data.size()) ? kBase64Alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  static const std::array<int8_t, 256> kTable = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (size_t i = 0; i < kBase64Alphabet.size(); ++i) t[uint8_t(kBase64Alphabet[i])] = int8_t(i);
    return t;
  }();
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding) return std::nullopt;  // data after padding
    const int8_t v = kTable[uint8_t(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xFF);
    }
  }
  return out;
}

namespace {
// Bytes that cannot appear raw inside a JSON string (RFC 8259 §7): controls, '"' and '\\'.
constexpr std::array<bool, 256> kNeedsJsonEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// Whether any of the eight bytes in `v` needs an escape. Each test is the exact "some byte is
// zero / below n" bit trick; bytes >= 0x80 (UTF-8) never match because their high bit is set.
bool AnyNeedsJsonEscape(uint64_t v) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t control = v - kOnes * 0x20;
  const uint64_t quote = (v ^ (kOnes * '"')) - kOnes;
  const uint64_t backslash = (v ^ (kOnes * '\\')) - kOnes;
  const uint64_t not_quote = ~(v ^ (kOnes * '"'));
  const uint64_t not_backslash = ~(v ^ (kOnes * '\\'));
  return ((control & ~v) | (quote & not_quote) | (backslash & not_backslash)) & kHigh;
}

// Offset of the first byte at or after `i` that needs an escape; s.size() when there is none.
size_t FindJsonEscape(std::string_view s, size_t i) {
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    if (AnyNeedsJsonEscape(v)) break;
  }
  for (; i < s.size(); ++i) {
    if (kNeedsJsonEscape[static_cast<uint8_t>(s[i])]) return i;
  }
  return i;
}

// Writes the escape sequence for a byte that needs one (at most 6 bytes); returns the end.
char* WriteEscape(char* out, uint8_t c) {
  static constexpr char kHex[] = "0123456789abcdef";
  char short_form = 0;
  switch (c) {
    case '"': short_form = '"'; break;
    case '\\': short_form = '\\'; break;
    case '\n': short_form = 'n'; break;
    case '\r': short_form = 'r'; break;
    case '\t': short_form = 't'; break;
    case '\b': short_form = 'b'; break;
    case '\f': short_form = 'f'; break;
    default: break;
  }
  *out++ = '\\';
  if (short_form != 0) {
    *out++ = short_form;
    return out;
  }
  std::memcpy(out, "u00", 3);
  out[3] = kHex[c >> 4];
  out[4] = kHex[c & 15];
  return out + 5;
}
}  // namespace

void AppendJsonEscaped(std::string& out, std::string_view s) {
  // Runs of bytes that need no escape (nearly all of them) are appended at once.
  size_t i = 0;
  while (true) {
    const size_t next = FindJsonEscape(s, i);
    out.append(s.data() + i, next - i);
    if (next == s.size()) return;
    char escape[6];
    out.append(escape, WriteEscape(escape, static_cast<uint8_t>(s[next])));
    i = next + 1;
  }
}

#if defined(__SSE2__)
namespace {
// Bit i set when byte i of `v` needs an escape: a control (at most 0x1f), '"' or '\\'.
unsigned JsonEscapeMask(__m128i v) {
  const __m128i max_control = _mm_set1_epi8(0x1f);
  const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, max_control), max_control);
  const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  return unsigned(_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash))));
}
}  // namespace

char* WriteJsonEscaped(char* out, std::string_view s) {
  // Sixteen bytes at a time, each block stored whole before its mask is looked at: the strings
  // written here (log fields) are short, and a store past the end into the caller's slack is
  // cheaper than finding the run's length first and copying it.
  const char* p = s.data();
  const char* const end = p + s.size();
  while (p < end) {
    size_t len = static_cast<size_t>(end - p);
    __m128i block;
    if (len >= 16) {
      block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      len = 16;
    } else {
      alignas(16) char tail[16] = {};  // never read past the string
      std::memcpy(tail, p, len);
      block = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), block);
    const unsigned mask = JsonEscapeMask(block) & ((1u << len) - 1);
    if (mask == 0) {
      out += len;
      p += len;
      continue;
    }
    const int clean = __builtin_ctz(mask);
    out = WriteEscape(out + clean, static_cast<uint8_t>(p[clean]));
    p += clean + 1;
  }
  return out;
}
#else
char* WriteJsonEscaped(char* out, std::string_view s) {
  // The same runs as AppendJsonEscaped, copied to a buffer known to be large enough.
  size_t i = 0;
  while (true) {
    const size_t next = FindJsonEscape(s, i);
    std::memcpy(out, s.data() + i, next - i);
    out += next - i;
    if (next == s.size()) return out;
    out = WriteEscape(out, static_cast<uint8_t>(s[next]));
    i = next + 1;
  }
}
#endif

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  out += '"';
  return out;
}

}  // namespace sluice
