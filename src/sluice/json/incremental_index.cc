#include "sluice/json/incremental_index.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "sluice/json/padding.h"
#include "sluice/json/parser.h"
#include "sluice/json/unescape.h"

namespace sluice::json {
namespace {

using simdjson::error_code;

// How far back from the end of what arrived a cut is looked for. A UTF-8 character has at most
// three continuation bytes; a longer run without a cut (backslashes, invalid UTF-8) waits for the
// next call, so that hostile input cannot make each call walk far.
constexpr size_t kMaxCutSearch = 16;
// More tokens than this per byte indexed, judged once this many bytes are, and indexing in pieces
// is given up (see Advance). The index then never holds more than a quarter of the body's size
// (4 bytes a token), half of it with the vector's spare room.
constexpr double kMaxTokensPerByte = 1.0 / 16;
constexpr size_t kDensityJudgedAfter = 64 * 1024;
// How far back a cut known to be outside strings is looked for (see Advance).
constexpr size_t kOutsideCutSearch = 256;
// Longer stretches of what arrived are indexed in pieces this long: with the bytes set around a
// piece, within the document size whose indexer a thread keeps (ParserLease::kPooledDocumentLimit).
constexpr size_t kMaxPieceBytes = ParserLease::kPooledDocumentLimit - 2;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Whether a piece may end before document[cut]: the byte there must start a character and be
// escaped by no backslash, and the byte before must be no quote, which an escape could turn into
// part of a scalar (see IsNonQuoteScalarByte).
bool CanCutBefore(const std::string& document, size_t cut) {
  const char before = document[cut - 1];
  return before != '\\' && before != '"' && !IsContinuationByte(document[cut]);
}

// A byte that stage 1 counts as part of a scalar (number, literal, or garbage): a token goes on
// through such bytes, so a cut right after one may split a token.
bool IsNonQuoteScalarByte(char c) {
  switch (c) {
    case ' ': case '\t': case '\n': case '\r':
    case '{': case '}': case '[': case ']': case ':': case ',':
    case '"':
      return false;
    default:
      return true;
  }
}

// Sets a byte for the length of a scope.
class ByteOverride {
 public:
  ByteOverride(char& byte, char value) : byte_(byte), saved_(byte) { byte = value; }
  ~ByteOverride() { byte_ = saved_; }
  ByteOverride(const ByteOverride&) = delete;
  ByteOverride& operator=(const ByteOverride&) = delete;

 private:
  char& byte_;
  char saved_;
};

}  // namespace

void IncrementalIndex::Advance(std::string& document, size_t received) {
  // Room after each cut for the byte set past the piece and for stage 1's padding.
  while (!given_up_ && error_ == simdjson::SUCCESS &&
         received >= indexed_ + piece_bytes_ + kPadding) {
    // Pieces stay small enough for the thread's pooled indexer.
    const size_t end = std::min(received - kPadding, indexed_ + kMaxPieceBytes);
    // Best, a cut after a comma that follows a closing quote: outside any string, almost surely,
    // where the previous cut's state would be a coin toss in a body of many small values.
    size_t cut = end;
    while (cut > indexed_ + 2 && cut + kOutsideCutSearch > end &&
           !(document[cut - 1] == ',' && document[cut - 2] == '"' && document[cut - 3] != '\\' &&
             CanCutBefore(document, cut))) {
      --cut;
    }
    if (cut > indexed_ + 2 && cut + kOutsideCutSearch > end) {
      error_ = IndexPiece(document, cut, received, /*guess_in_string=*/false);
      continue;
    }
    // Else the nearest cut, guessing the state of the previous one (a long string goes on).
    cut = end;
    while (cut > indexed_ && cut + kMaxCutSearch > end && !CanCutBefore(document, cut)) --cut;
    if (cut + kMaxCutSearch <= end || cut == indexed_) return;  // no cut near: wait for more
    error_ = IndexPiece(document, cut, received, in_string_);
  }
  // A body of many small values has an index about its own size, held until the body is complete,
  // and gains little from it (its cost after the last byte is mostly the walk, which is not done
  // in pieces): such a body, once recognised, gets one pass at the end instead.
  if (!given_up_ && indexed_ >= kDensityJudgedAfter &&
      double(offsets_.size()) > kMaxTokensPerByte * double(indexed_)) {
    given_up_ = true;
    std::vector<uint32_t>().swap(offsets_);
  }
}

error_code IncrementalIndex::Finish(std::string& document) {
  if (error_ == simdjson::SUCCESS) {
    error_ = IndexPiece(document, document.size(), document.size(), std::nullopt);
  }
  if (error_ == simdjson::SUCCESS && offsets_.empty()) error_ = simdjson::EMPTY;
  return error_;
}

error_code IncrementalIndex::IndexPiece(std::string& document, size_t end, size_t available,
                                        std::optional<bool> guess_in_string) {
  const bool last = !guess_in_string.has_value();
  const size_t begin = indexed_;
  const bool starts_in_string = in_string_;
  if (begin == end) return starts_in_string ? simdjson::UNCLOSED_STRING : simdjson::SUCCESS;
  // A piece inside a string starts one byte early, at a quote that opens it again.
  const size_t from = starts_in_string ? begin - 1 : begin;
  const char* data = document.data() + from;
  StructuralIndexLease lease(end + 1 - from);
  error_code e;
  {
    std::optional<ByteOverride> opener;
    if (starts_in_string) opener.emplace(document[from], '"');
    if (last) {
      e = lease.Index(data, end - from);
      in_string_ = false;  // stage 1 fails on a string left open at the end
    } else {
      // The byte after the piece closes a string left open, or ends nothing.
      bool in_string = *guess_in_string;
      for (int guess = 0; guess < 2; ++guess) {
        ByteOverride after(document[end], in_string ? '"' : ' ');
        e = lease.Index(data, end + 1 - from);
        if (e != simdjson::UNCLOSED_STRING) break;
        in_string = !in_string;
      }
      in_string_ = in_string;
    }
  }
  if (e != simdjson::SUCCESS && e != simdjson::EMPTY) return e;  // EMPTY: a piece of whitespace
  if (e == simdjson::SUCCESS) {
    const uint32_t* at = lease.offsets();
    size_t k = 0;
    if (starts_in_string) {
      k = 1;  // the quote set at `from`
    } else if (begin > 0 && at[0] == 0 && IsNonQuoteScalarByte(document[begin - 1])) {
      // A token at the cut that continues one of the previous piece (a split scalar). Also
      // right after a scalar, a byte that is not one (such as `1"`) starts no token in one pass.
      if (IsNonQuoteScalarByte(document[begin]) || document[begin] == '"') k = 1;
    }
    const size_t count = lease.count();
    const size_t old_size = offsets_.size();
    offsets_.resize(old_size + (count - k));
    uint32_t* out = offsets_.data() + old_size - k;
    const auto base = static_cast<uint32_t>(from);
    for (; k < count; ++k) out[k] = base + at[k];
  }
  indexed_ = end;
  if (escapes_next_ != std::string::npos) {
    escapes_next_ =
        CheckEscapes(std::string_view(document.data(), available), escapes_next_, end);
  }
  return simdjson::SUCCESS;
}

}  // namespace sluice::json
