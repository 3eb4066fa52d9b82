#include "sluice/json/scan.h"

#include "sluice/json/incremental_index.h"
#include "sluice/json/parser.h"
#include "sluice/json/unescape.h"

namespace sluice::json {
namespace {

using simdjson::error_code;

class Scanner {
 public:
  Scanner(const std::string& document, const uint32_t* offsets, size_t count,
          FieldVisitor& visitor)
      : data_(document.data()),
        size_(document.size()),
        at_(offsets),
        count_(count),
        visitor_(visitor) {}

  error_code Run(ObjectBounds& top) {
    if (count_ == 0) return simdjson::EMPTY;
    if (Char(0) != '{') return simdjson::INCORRECT_TYPE;
    top.open = at_[0];
    size_t i = 0;
  value:  // a value starts at token i
    if (i >= count_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    {
      const char c = Char(i);
      if (Reported()) {
        // The value of a reported field (the fields of the object at stack level d are at depth d).
        FieldSpan& span = spans_[stack_size_];
        span.value_begin = at_[i];
        span.type = TypeOf(c);
      }
      if (c == '{' || c == '[') {
        if (stack_size_ > 0) {  // the top-level object's fields are always reported
          if (c != '{' || stack_size_ != reported_ || reported_ >= kMaxReportedDepth ||
              !visitor_.WantFields(reported_, spans_[reported_].key)) {
            // Nothing inside is reported: most of a large body (the messages) goes this way.
            if (auto e = SkipContainer(i)) return e;
            goto after_value;
          }
          ++reported_;  // the object about to open is at level reported_
        }
        stack_[stack_size_++] = c;
        ++i;
        if (i < count_ && Char(i) == (c == '{' ? '}' : ']')) {
          last_end_ = at_[i] + 1;  // an empty container
          Pop();
          ++i;
          goto after_value;
        }
        if (c == '{') goto key;
        goto value;
      }
      if (auto e = CheckScalar(c, i)) return e;
      ++i;
      goto after_value;
    }
  key:  // a key starts at token i, inside an object
    if (i + 1 >= count_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    if (Char(i) != '"' || Char(i + 1) != ':') return simdjson::TAPE_ERROR;
    if (Reported()) {
      if (auto e = ReadKey(i, scratch_[stack_size_], spans_[stack_size_])) return e;
    }
    i += 2;
    goto value;
  after_value:  // a value ended just before token i; last_end_ is one past its last byte
    if (Reported()) {
      // Containers at reported levels are objects, so this value was a field's.
      FieldSpan& span = spans_[stack_size_];
      span.value_end = last_end_;
      visitor_.OnField(stack_size_, span);
    }
    if (stack_size_ == 0) {
      // The top-level object closed: nothing may follow.
      return i == count_ ? simdjson::SUCCESS : simdjson::TRAILING_CONTENT;
    }
    if (i >= count_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    {
      const char c = Char(i);
      const char open = stack_[stack_size_ - 1];
      if (c == ',') {
        ++i;
        if (open == '{') goto key;
        goto value;
      }
      if (c != (open == '{' ? '}' : ']')) return simdjson::TAPE_ERROR;
      last_end_ = at_[i] + 1;
      Pop();
      if (stack_size_ == 0) top.close = at_[i];
      ++i;
      goto after_value;
    }
  }

 private:
  char Char(size_t i) const { return data_[at_[i]]; }

  // Whether the fields of the innermost open container are reported.
  bool Reported() const { return stack_size_ >= 1 && stack_size_ <= reported_; }

  void Pop() {
    if (stack_size_ == reported_ && reported_ > 1) --reported_;
    --stack_size_;
  }

  // Validates the container that opens at token `i`, none of whose fields are reported, and moves
  // `i` past its closing token (setting last_end_). The same grammar as Run's, in a loop that keeps
  // no field bookkeeping, and string values pass unlooked-at: stage 1 has checked that each closes,
  // and makes any byte after the closing quote a token of its own.
  error_code SkipContainer(size_t& index) {
    const int base = stack_size_;
    size_t i = index;
    char c = Char(i);
  open:  // c, at token i, opens a container
    if (stack_size_ >= kMaxDepth) return simdjson::DEPTH_ERROR;
    stack_[stack_size_++] = c;
    if (++i >= count_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    c = Char(i);
    if (c == '}' || c == ']') goto close;
    if (stack_[stack_size_ - 1] == '[') goto value;
  key:  // c, at token i, starts a key
    if (i + 1 >= count_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    if (c != '"' || Char(i + 1) != ':') return simdjson::TAPE_ERROR;
    i += 2;
    if (i >= count_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    c = Char(i);
  value:  // c, at token i, starts a value
    if (c == '{' || c == '[') goto open;
    if (c != '"') {
      if (auto e = CheckScalar(c, i)) return e;
    }
    if (++i >= count_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    c = Char(i);
  after_value:  // c, at token i, follows a value
    if (c == ',') {
      if (++i >= count_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
      c = Char(i);
      if (stack_[stack_size_ - 1] == '{') goto key;
      goto value;
    }
  close:  // c, at token i, must close the innermost container
    if (c != (stack_[stack_size_ - 1] == '{' ? '}' : ']')) return simdjson::TAPE_ERROR;
    --stack_size_;
    if (stack_size_ == base) {
      last_end_ = at_[i] + 1;
      index = i + 1;
      return simdjson::SUCCESS;
    }
    if (++i >= count_) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    c = Char(i);
    goto after_value;
  }

  // The raw text of token i: up to the next token, without the whitespace before it.
  std::string_view Token(size_t i) const {
    const size_t end = i + 1 < count_ ? at_[i + 1] : size_;
    return TrimTrailingJsonSpace(std::string_view(data_ + at_[i], end - at_[i]));
  }

  static JsonType TypeOf(char c) {
    switch (c) {
      case '{': return JsonType::kObject;
      case '[': return JsonType::kArray;
      case '"': return JsonType::kString;
      case 't':
      case 'f': return JsonType::kBoolean;
      case 'n': return JsonType::kNull;
      default: return JsonType::kNumber;
    }
  }

  // A string or scalar value at token i; sets last_end_.
  error_code CheckScalar(char c, size_t i) {
    const std::string_view token = Token(i);
    last_end_ = at_[i] + token.size();
    switch (c) {
      case '"':
        // Stage 1 makes any non-space byte after a closing quote a token of its own, so the token
        // is exactly the string.
        return token.size() >= 2 && token.back() == '"' ? simdjson::SUCCESS
                                                        : simdjson::STRING_ERROR;
      case 't': return token == "true" ? simdjson::SUCCESS : simdjson::T_ATOM_ERROR;
      case 'f': return token == "false" ? simdjson::SUCCESS : simdjson::F_ATOM_ERROR;
      case 'n': return token == "null" ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
      case '-':
      case '0': case '1': case '2': case '3': case '4':
      case '5': case '6': case '7': case '8': case '9':
        return IsJsonNumber(token) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
      default:
        return simdjson::TAPE_ERROR;  // ':' ',' '}' ']' or a byte that starts no JSON value
    }
  }

  // The key at token i; token i + 1 is its ':', so the key's text is its token less the quotes.
  error_code ReadKey(size_t i, std::string& scratch, FieldSpan& span) const {
    span.key_begin = at_[i];
    const std::string_view token = Token(i);
    if (token.size() < 2 || token.back() != '"') return simdjson::STRING_ERROR;
    return DecodeString(token.substr(1, token.size() - 2), scratch, span.key)
               ? simdjson::SUCCESS
               : simdjson::STRING_ERROR;
  }

  const char* data_;
  size_t size_;
  const uint32_t* at_;
  size_t count_;
  FieldVisitor& visitor_;
  char stack_[kMaxDepth];  // '{' or '[' per open container; [0] is the top-level object
  int stack_size_ = 0;
  // Fields of the objects at stack levels 1..reported_ are reported: the top level, and each
  // object that is the value of a field the visitor wanted the fields of.
  int reported_ = 1;
  size_t last_end_ = 0;
  FieldSpan spans_[kMaxReportedDepth + 1];  // [d]: the field being read at depth d
  // Keys with escapes, decoded; one per depth, as a parent's key must outlive its fields' calls.
  std::string scratch_[kMaxReportedDepth + 1];
};

}  // namespace

error_code ScanObject(const std::string& document, FieldVisitor& visitor, ObjectBounds& bounds) {
  StructuralIndexLease index(document.size());
  if (auto e = index.Index(document.data(), document.size())) return e;
  Scanner scanner(document, index.offsets(), index.count(), visitor);
  if (auto e = scanner.Run(bounds)) return e;
  // With the structure valid every backslash is inside a string (outside one it would have made
  // an invalid token), and no escape sequence can reach past a string's closing quote, so one
  // scan of the whole document checks the escapes of every key and string.
  return ValidEscapes(document) ? simdjson::SUCCESS : simdjson::STRING_ERROR;
}

error_code ScanObject(std::string& document, FieldVisitor& visitor, ObjectBounds& bounds,
                      IncrementalIndex& index) {
  // With no piece indexed (a body under one piece, or given up), one pass is the same work
  // without gathering the offsets into the index.
  if (index.given_up() || index.indexed() == 0) return ScanObject(document, visitor, bounds);
  if (auto e = index.Finish(document)) return e;
  Scanner scanner(document, index.offsets(), index.count(), visitor);
  if (auto e = scanner.Run(bounds)) return e;
  return index.escapes_valid() ? simdjson::SUCCESS : simdjson::STRING_ERROR;  // as above
}

}  // namespace sluice::json
