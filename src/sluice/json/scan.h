#pragma once

// A validating scan of one JSON document that reports object fields as byte spans of the
// original text, for readers and editors that touch a few fields of a large document: nothing is
// built (no tape, no DOM) and no string is copied.
//
// simdjson's stage 1 checks UTF-8, control characters in strings and string termination, and lists
// where every token starts; the scan walks those tokens with a stack of open containers, checking
// the grammar token by token and each scalar on its raw text (numbers against the grammar, not
// range; see unescape.h), then checks the escapes of all strings in one pass over the document.

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::json {

// Deepest nesting accepted; well under simdjson's default parser depth (1024).
inline constexpr int kMaxDepth = 512;

enum class JsonType { kObject, kArray, kString, kNumber, kBoolean, kNull };

class IncrementalIndex;

// One field of an object, as byte offsets into the document.
struct FieldSpan {
  std::string_view key;    // decoded; valid only during the visitor call
  size_t key_begin = 0;    // offset of the key's opening quote
  size_t value_begin = 0;  // offset of the value's first byte
  size_t value_end = 0;    // one past the value's last byte
  JsonType type = JsonType::kNull;
};

// Receives fields in document order, each after its value has been validated. The top-level
// object's fields are at depth 1. When WantFields(depth, key) is true for a field whose value is
// an object, that object's fields are passed at depth + 1, before the field itself.
class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual bool WantFields(int depth, std::string_view key) { return false; }
  virtual void OnField(int depth, const FieldSpan& field) = 0;
};

// Fields are reported at most this deep.
inline constexpr int kMaxReportedDepth = 4;

struct ObjectBounds {
  size_t open = 0;   // offset of the top-level '{'
  size_t close = 0;  // offset of its '}'
};

// Scans `document` (padding ensured: see padding.h), which must be one object, and reports its
// fields to `visitor`. On failure the error names what is wrong in simdjson's terms; a top level
// that is not an object is INCORRECT_TYPE and an empty document EMPTY.
simdjson::error_code ScanObject(const std::string& document, FieldVisitor& visitor,
                                ObjectBounds& bounds);

// The same, over an index built while `document` arrived (incremental_index.h); finishes it.
simdjson::error_code ScanObject(std::string& document, FieldVisitor& visitor, ObjectBounds& bounds,
                                IncrementalIndex& index);

}  // namespace sluice::json
