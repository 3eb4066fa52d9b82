#pragma once

// simdjson's stage 1 (the structural index scan.h walks) built piece by piece while a document
// arrives, so that validating a large request body leaves little to do after its last byte: the
// pieces are indexed between socket reads, while the client is still sending.
//
// Stage 1 carries state from one 64-byte block to the next (inside a string or not, a backslash
// escaping the next byte, a UTF-8 character under way, a scalar under way) but starts every call
// afresh. Pieces are therefore cut only where the byte before is no backslash (nor a quote, which
// a backslash may have escaped) and the byte after starts a character, which leaves two states to
// carry by hand:
// - Inside a string or not. Stage 1 itself tells: a piece is indexed with the byte after it set to
//   a quote (which closes a string left open) or to a space (which ends nothing); UNCLOSED_STRING
//   means the other guess was right, and the piece is indexed again with it. Pieces end after a
//   comma that follows a quote where there is one near (outside strings, almost surely), else
//   the guess is the previous cut's state (inside the same long string, most often).
//   A piece that starts inside a string is indexed from the byte before it, set to a quote; that
//   opening quote's token is dropped.
// - A scalar (number, literal) cut in two. Indexed alone, the piece would start a token where a
//   single pass sees the scalar go on; that token is dropped.
// Bytes changed for a call are restored after it. The index equals a single pass's, offset for
// offset; only which error is reported first may differ for a document with several.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::json {

class IncrementalIndex {
 public:
  static constexpr size_t kDefaultPieceBytes = 256 * 1024;

  // Pieces are at least `piece_bytes` long (but the last): fewer, longer stage-1 calls.
  explicit IncrementalIndex(size_t piece_bytes = kDefaultPieceBytes) : piece_bytes_(piece_bytes) {}

  // Indexes what it can of `document`'s first `received` bytes, which will not change (the bytes
  // after them may be anything, even absent). Cheap when there is not yet a whole piece to index.
  void Advance(std::string& document, size_t received);

  // Indexes the rest of `document`, now complete and padded (padding.h). On success the index
  // covers the whole document; otherwise the error is the first found in any piece. Not to be
  // called after given_up().
  simdjson::error_code Finish(std::string& document);

  // Whether indexing in pieces was given up (a body of many small values, whose index would be
  // about its size); the document is then to be indexed in one pass once complete.
  bool given_up() const { return given_up_; }

  // After a successful Finish, what StructuralIndexLease gives for the whole document.
  const uint32_t* offsets() const { return offsets_.data(); }
  size_t count() const { return offsets_.size(); }
  // After Finish: ValidEscapes over the whole document, checked as the pieces came.
  bool escapes_valid() const { return escapes_next_ != std::string::npos; }

  // Bytes indexed so far.
  size_t indexed() const { return indexed_; }

 private:
  // Indexes document[indexed_, end). `available` bytes of the document may be read (escape
  // sequences may reach past `end`). Without a guess whether a string is open at `end`, the piece
  // is the document's last; with one, document[end] may be changed for the call.
  simdjson::error_code IndexPiece(std::string& document, size_t end, size_t available,
                                  std::optional<bool> guess_in_string);

  size_t piece_bytes_;
  std::vector<uint32_t> offsets_;
  size_t indexed_ = 0;      // document[0, indexed_) is indexed
  bool in_string_ = false;  // whether a string is open at indexed_
  bool given_up_ = false;
  size_t escapes_next_ = 0;  // where the escape check goes on; npos after an invalid escape
  simdjson::error_code error_ = simdjson::SUCCESS;
};

}  // namespace sluice::json
