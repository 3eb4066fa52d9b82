#include "sluice/json/unescape.h"

#include <cstdint>
#include <cstring>

namespace sluice::json {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the four hex digits after "\u" at raw[i..i+4); -1 when they are not all hex.
int32_t ReadHex4(std::string_view raw, size_t i) {
  if (i + 4 > raw.size()) return -1;
  int32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = HexValue(raw[i + k]);
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

constexpr uint32_t kReplacementChar = 0xFFFD;

}  // namespace

bool ValidEscapes(std::string_view raw) {
  // Most strings in a request are short and escape-free: a byte loop finds that without a call.
  constexpr size_t kShort = 32;
  if (raw.size() < kShort) {
    bool any = false;
    for (char c : raw) any |= (c == '\\');
    if (!any) return true;
  }
  return CheckEscapes(raw, 0, raw.size()) != std::string_view::npos;
}

size_t CheckEscapes(std::string_view raw, size_t from, size_t to) {
  size_t i = from;
  while (i < to) {
    const void* hit = std::memchr(raw.data() + i, '\\', to - i);
    if (hit == nullptr) return to;
    i = static_cast<const char*>(hit) - raw.data();
    if (i + 1 >= raw.size()) return std::string_view::npos;
    switch (raw[i + 1]) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        i += 2;
        break;
      case 'u':
        if (ReadHex4(raw, i + 2) < 0) return std::string_view::npos;
        i += 6;
        break;
      default:
        return std::string_view::npos;
    }
  }
  return i;
}

bool AppendUnescaped(std::string& out, std::string_view raw) {
  size_t i = 0;
  while (i < raw.size()) {
    const void* hit = std::memchr(raw.data() + i, '\\', raw.size() - i);
    size_t next = hit ? static_cast<const char*>(hit) - raw.data() : raw.size();
    out.append(raw.data() + i, next - i);
    i = next;
    if (i == raw.size()) break;
    if (i + 1 >= raw.size()) return false;
    char c = raw[i + 1];
    i += 2;
    switch (c) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        int32_t cu = ReadHex4(raw, i);
        if (cu < 0) return false;
        i += 4;
        uint32_t cp = static_cast<uint32_t>(cu);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // A high surrogate combines with an immediately following \u low surrogate (RFC 8259
          // §7); alone it becomes U+FFFD and the next escape is decoded on its own.
          int32_t low = (i + 1 < raw.size() && raw[i] == '\\' && raw[i + 1] == 'u')
                            ? ReadHex4(raw, i + 2)
                            : -1;
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
            i += 6;
          } else {
            cp = kReplacementChar;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = kReplacementChar;
        }
        AppendUtf8(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

bool DecodeString(std::string_view raw, std::string& scratch, std::string_view& out) {
  if (raw.find('\\') == std::string_view::npos) {
    out = raw;
    return true;
  }
  scratch.clear();
  if (!AppendUnescaped(scratch, raw)) return false;
  out = scratch;
  return true;
}

bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i - start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i >= t.size()) return false;
  if (t[i] == '0') {
    ++i;
  } else if (t[i] >= '1' && t[i] <= '9') {
    digits();
  } else {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == t.size();
}

}  // namespace sluice::json
