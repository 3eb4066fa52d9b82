#pragma once

// The simdjson side of the JSON facade: a per-thread On-Demand parser (for reading a few fields of
// an upstream's answer), simdjson's stage 1 on its own (for the validating scan of request bodies,
// scan.h), error text, and scalar readers shared by the modules that read JSON on the hot path.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sluice/core/result.h"

namespace sluice::json {

// Lends an On-Demand parser for one document. Documents up to kPooledDocumentLimit bytes use a
// parser kept per thread (its buffers grow to the largest such document and are reused, so the
// common case allocates nothing); larger documents, or a second lease while the thread's parser is
// lent, get a parser of their own that is freed with the lease. simdjson sizes its buffers to the
// document, so this bounds what a thread keeps after one huge body.
// Not thread-safe (one lease per thread at a time is the common case; nesting is allowed).
class ParserLease {
 public:
  static constexpr std::size_t kPooledDocumentLimit = 1 << 20;

  explicit ParserLease(std::size_t document_size);
  ~ParserLease();
  ParserLease(const ParserLease&) = delete;
  ParserLease& operator=(const ParserLease&) = delete;

  simdjson::ondemand::parser& parser() { return *parser_; }

 private:
  simdjson::ondemand::parser* parser_ = nullptr;
  std::unique_ptr<simdjson::ondemand::parser> owned_;
};

// simdjson's stage 1 on its own, for readers that walk a document themselves: it validates UTF-8,
// rejects unescaped control characters in strings and unterminated strings, and lists the offset
// of every structural character ({ } [ ] : ,) and of the first byte of every string and scalar.
// Pooled per thread on the same terms as ParserLease.
class StructuralIndexLease {
 public:
  explicit StructuralIndexLease(std::size_t document_size);
  ~StructuralIndexLease();
  StructuralIndexLease(const StructuralIndexLease&) = delete;
  StructuralIndexLease& operator=(const StructuralIndexLease&) = delete;

  // Indexes `size` bytes at `data`, which must be followed by kPadding readable bytes. The
  // accessors below are valid after a successful call.
  simdjson::error_code Index(const char* data, std::size_t size);
  const uint32_t* offsets() const { return impl_->structural_indexes.get(); }
  std::size_t count() const { return impl_->n_structural_indexes; }

 private:
  bool pooled_ = false;
  simdjson::internal::dom_parser_implementation* impl_ = nullptr;
  std::unique_ptr<simdjson::internal::dom_parser_implementation> owned_;
};

// The enumerator name of a simdjson error code, e.g. "TAPE_ERROR".
std::string_view ErrorCodeName(simdjson::error_code code);

// "TAPE_ERROR: The JSON document has an improper structure: ..." — short enough for a client
// error message and recognisable to anyone who knows simdjson.
std::string DescribeError(simdjson::error_code code);

// kInvalidArgument from the client with DescribeError's text.
Error ClientJsonError(simdjson::error_code code);

// Reads a string value from its raw token, decoding escapes leniently (see unescape.h). The result
// views the document when there is no escape, else `scratch`. False when `value` is not a string.
bool ReadString(simdjson::ondemand::value& value, std::string& scratch, std::string_view& out);

// Reads a non-negative integer that fits in 64 bits; false for anything else (null, negative,
// fraction, exponent, string).
bool ReadUint64(simdjson::ondemand::value& value, uint64_t& out);

// ReadUint64's rule on a number's raw token (trailing whitespace already trimmed): digits only, no
// leading zero, within 64 bits. Inline: the answer's usage reader calls it per count.
inline bool ParseUint64Token(std::string_view token, uint64_t& out) {
  if (token.empty() || token.size() > 20 || (token.size() > 1 && token[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace sluice::json
