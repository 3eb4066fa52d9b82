#pragma once

// Padding for in-place simdjson reads. simdjson may read up to SIMDJSON_PADDING bytes past the
// end of a document (simdjson docs, "Padding and Temporary Copies"); a std::string with that much
// spare capacity can be parsed where it lies, with no copy. Kept free of <simdjson.h> so that
// modules which only hold bodies do not pay for the header.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::json {

// Equal to simdjson::SIMDJSON_PADDING (checked by a static_assert in parser.cc).
inline constexpr std::size_t kPadding = 64;

inline bool HasPadding(const std::string& s) { return s.capacity() - s.size() >= kPadding; }

// Grows the capacity of `s` (never its size or contents) so that simdjson may read it in place.
// No-op, and no allocation, when the padding is already there.
inline void EnsurePadding(std::string& s) {
  if (!HasPadding(s)) s.reserve(s.size() + kPadding);
}

// Appends `bytes` to `s`, growing it (by doubling, as append does) so that the padding is there
// when the last piece is in: a document assembled this way is read in place without the extra
// allocation and copy EnsurePadding would make.
inline void AppendPadded(std::string& s, std::string_view bytes) {
  const std::size_t needed = s.size() + bytes.size() + kPadding;
  if (s.capacity() < needed) s.reserve(std::max(needed, 2 * s.capacity()));
  s.append(bytes);
}

}  // namespace sluice::json
