#include "sluice/json/request_body.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "sluice/core/strings.h"
#include "sluice/json/parser.h"
#include "sluice/json/scan.h"
#include "sluice/json/unescape.h"

namespace sluice::json {
namespace {

using simdjson::error_code;

constexpr std::string_view kModel = "model";
constexpr std::string_view kStream = "stream";
constexpr std::string_view kStreamOptions = "stream_options";
constexpr std::string_view kIncludeUsage = "include_usage";

// The visitor shape this file's readers and editors use: top-level fields, and the fields of one
// wanted top-level object ("children").
class TopLevelVisitor : public FieldVisitor {
 public:
  virtual bool WantChildren(std::string_view key) { return false; }
  virtual void OnChild(const FieldSpan& child) {}
  virtual void OnField(const FieldSpan& field) = 0;

 private:
  bool WantFields(int depth, std::string_view key) final {
    return depth == 1 && WantChildren(key);
  }
  void OnField(int depth, const FieldSpan& field) final {
    if (depth == 1) {
      OnField(field);
    } else {
      OnChild(field);
    }
  }
};

Error NotAnObject() {
  return Error(ErrorKind::kInvalidArgument, "INCORRECT_TYPE: the request body is not a JSON object",
               ErrorSource::kClient);
}

// Validates one document and reports its top-level fields, walking the offsets simdjson's stage 1
// lists (which has already checked UTF-8, control characters in strings and string termination).
// The walk checks the grammar token by token with a stack of open containers, and each scalar on
// its raw text; the escapes of every string are then checked in one scan of the whole body. This
// is a validating parser that builds nothing: no tape, no DOM, no copy of any string.
// Pads `body` and feeds its fields to `visitor`.
// With `index`, over the index built while the body arrived.
Result<ObjectBounds> Walk(std::string& body, FieldVisitor& visitor,
                          IncrementalIndex* index = nullptr) {
  EnsurePadding(body);
  ObjectBounds top;
  if (auto e = index ? ScanObject(body, visitor, top, *index) : ScanObject(body, visitor, top)) {
    return e == simdjson::INCORRECT_TYPE ? NotAnObject() : ClientJsonError(e);
  }
  return top;
}

// A byte splice: replace body[begin, end) with `text` (begin == end inserts).
struct Edit {
  size_t begin;
  size_t end;
  std::string text;
};

// Applies non-overlapping edits in one pass into a new buffer that keeps kPadding spare bytes.
// At equal offsets an insertion goes before a replacement or deletion starting there.
void ApplyEdits(std::string& body, std::vector<Edit>& edits) {
  if (edits.empty()) return;
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    return (a.end == a.begin) && (b.end != b.begin);
  });
  size_t size = body.size();
  for (const Edit& edit : edits) size = size - (edit.end - edit.begin) + edit.text.size();
  std::string out;
  out.reserve(size + kPadding);
  size_t pos = 0;
  for (const Edit& edit : edits) {
    out.append(body, pos, edit.begin - pos);
    out += edit.text;
    pos = edit.end;
  }
  out.append(body, pos, std::string::npos);
  body.swap(out);
}

std::string FieldText(std::string_view key, std::string_view value_json) {
  std::string text = JsonQuote(key);
  text += ':';
  text += value_json;
  return text;
}

// An insertion appending `field_text` as the last field of the object that opens at `open` and
// whose last field value ends at `last_value_end` (0 when the object is empty).
Edit AppendField(size_t open, size_t last_value_end, std::string field_text) {
  if (last_value_end == 0) return Edit{open + 1, open + 1, std::move(field_text)};
  field_text.insert(field_text.begin(), ',');
  return Edit{last_value_end, last_value_end, std::move(field_text)};
}

class PeekVisitor : public TopLevelVisitor {
 public:
  explicit PeekVisitor(const std::string& body) : body_(body) {}

  bool WantChildren(std::string_view key) override {
    if (key != kStreamOptions) return false;
    pending_include_usage_ = false;
    return true;
  }
  void OnChild(const FieldSpan& child) override {
    if (child.key == kIncludeUsage) pending_include_usage_ = IsTrue(child);
  }
  void OnField(const FieldSpan& field) override {
    if (field.key == kModel) {
      has_model_ = field.type == JsonType::kString;
      model_ = field;
      ++model_fields_;
    } else if (field.key == kStream) {
      stream_ = IsTrue(field);
    } else if (field.key == kStreamOptions) {
      include_usage_ = field.type == JsonType::kObject && pending_include_usage_;
    }
  }

  Result<RequestPeek> Finish() const {
    RequestPeek peek;
    peek.stream = stream_;
    peek.include_usage = include_usage_;
    peek.has_model = has_model_;
    if (has_model_ && model_fields_ == 1) {
      peek.only_model = ByteSpan{model_.value_begin, model_.value_end};
    }
    if (has_model_) {
      // Validated already: only escapes need decoding.
      std::string_view raw(body_.data() + model_.value_begin + 1,
                           model_.value_end - model_.value_begin - 2);
      if (!AppendUnescaped(peek.model, raw)) return ClientJsonError(simdjson::STRING_ERROR);
    }
    return peek;
  }

 private:
  bool IsTrue(const FieldSpan& f) const {
    return f.type == JsonType::kBoolean && body_[f.value_begin] == 't';
  }

  const std::string& body_;
  FieldSpan model_;
  int model_fields_ = 0;
  bool has_model_ = false;
  bool stream_ = false;
  bool include_usage_ = false;
  bool pending_include_usage_ = false;
};

// Collects, for the named top-level key, the value span of every occurrence, plus the end of the
// last top-level value (for appends).
class KeyVisitor : public TopLevelVisitor {
 public:
  explicit KeyVisitor(std::string_view key) : key_(key) {}
  void OnField(const FieldSpan& field) override {
    last_value_end_ = field.value_end;
    if (field.key == key_) spans_.push_back(field);
  }
  std::string_view key_;
  std::vector<FieldSpan> spans_;  // keys are not kept valid; offsets only
  size_t last_value_end_ = 0;
};

class IncludeUsageVisitor : public TopLevelVisitor {
 public:
  explicit IncludeUsageVisitor(const std::string& body) : body_(body) {}

  bool WantChildren(std::string_view key) override {
    if (key != kStreamOptions) return false;
    child_edits_.clear();
    child_has_include_usage_ = false;
    child_last_value_end_ = 0;
    return true;
  }
  void OnChild(const FieldSpan& child) override {
    child_last_value_end_ = child.value_end;
    if (child.key != kIncludeUsage) return;
    child_has_include_usage_ = true;
    if (!(child.type == JsonType::kBoolean && body_[child.value_begin] == 't')) {
      child_edits_.push_back(Edit{child.value_begin, child.value_end, "true"});
    }
  }
  void OnField(const FieldSpan& field) override {
    last_value_end_ = field.value_end;
    if (field.key != kStreamOptions) return;
    seen_ = true;
    if (field.type == JsonType::kObject) {
      for (Edit& edit : child_edits_) edits_.push_back(std::move(edit));
      child_edits_.clear();
      if (!child_has_include_usage_) {
        edits_.push_back(AppendField(field.value_begin, child_last_value_end_,
                                     FieldText(kIncludeUsage, "true")));
      }
    } else if (field.type == JsonType::kNull) {
      edits_.push_back(Edit{field.value_begin, field.value_end, "{\"include_usage\":true}"});
    } else {
      bad_type_ = true;
    }
  }

  const std::string& body_;
  std::vector<Edit> edits_;
  std::vector<Edit> child_edits_;
  bool child_has_include_usage_ = false;
  size_t child_last_value_end_ = 0;
  size_t last_value_end_ = 0;
  bool seen_ = false;
  bool bad_type_ = false;
};

class MutationVisitor : public TopLevelVisitor {
 public:
  struct Field {
    size_t key_begin;
    size_t value_begin;
    size_t value_end;
    bool removed;
    int set_index;  // index into mutation.set of the winning set for this key, or -1
  };

  explicit MutationVisitor(const config::BodyMutation& mutation) : mutation_(mutation) {}

  void OnField(const FieldSpan& field) override {
    Field f{field.key_begin, field.value_begin, field.value_end, false, -1};
    for (const std::string& name : mutation_.remove) {
      if (!name.empty() && name == field.key) f.removed = true;
    }
    if (!f.removed) f.set_index = LastSetIndex(field.key);
    fields_.push_back(f);
  }

  int LastSetIndex(std::string_view key) const {
    for (size_t i = mutation_.set.size(); i-- > 0;) {
      if (!mutation_.set[i].first.empty() && mutation_.set[i].first == key) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  const config::BodyMutation& mutation_;
  std::vector<Field> fields_;
};

}  // namespace

Result<RequestPeek> PeekRequest(std::string& body, IncrementalIndex* index) {
  PeekVisitor visitor(body);
  auto top = Walk(body, visitor, index);
  if (!top.ok()) return top.take_error();
  return visitor.Finish();
}

Result<void> SpliceModel(std::string& body, std::string_view new_model) {
  KeyVisitor visitor(kModel);
  auto top = Walk(body, visitor);
  if (!top.ok()) return top.take_error();
  std::string quoted = JsonQuote(new_model);
  std::vector<Edit> edits;
  for (const FieldSpan& span : visitor.spans_) {
    edits.push_back(Edit{span.value_begin, span.value_end, quoted});
  }
  if (edits.empty()) {
    edits.push_back(AppendField(top->open, visitor.last_value_end_, FieldText(kModel, quoted)));
  }
  ApplyEdits(body, edits);
  return Ok();
}

std::string WithModelAt(std::string_view body, ByteSpan model_value, std::string_view new_model) {
  std::string out;
  out.reserve(body.size() - (model_value.end - model_value.begin) + new_model.size() + 2 +
              kPadding);
  out.append(body.substr(0, model_value.begin));
  out += '"';
  AppendJsonEscaped(out, new_model);
  out += '"';
  out.append(body.substr(model_value.end));
  return out;
}

Result<void> EnsureIncludeUsage(std::string& body) {
  IncludeUsageVisitor visitor(body);
  auto top = Walk(body, visitor);
  if (!top.ok()) return top.take_error();
  if (visitor.bad_type_) {
    return Error(ErrorKind::kInvalidArgument, "stream_options must be an object",
                 ErrorSource::kClient);
  }
  if (!visitor.seen_) {
    visitor.edits_.push_back(AppendField(top->open, visitor.last_value_end_,
                                         FieldText(kStreamOptions, "{\"include_usage\":true}")));
  }
  ApplyEdits(body, visitor.edits_);
  return Ok();
}

Result<void> ApplyBodyMutation(std::string& body, const config::BodyMutation& mutation) {
  if (mutation.empty()) return Ok();
  MutationVisitor visitor(mutation);
  auto top = Walk(body, visitor);
  if (!top.ok()) return top.take_error();
  const auto& fields = visitor.fields_;
  const size_t n = fields.size();
  std::vector<Edit> edits;

  // Removals, one deletion per run of removed fields. A run followed by a kept field loses its
  // keys, values and the separators up to that field's key; a run reaching the end of the object
  // loses the separator before it instead, so no trailing comma is left.
  size_t last_kept = n;  // index of the last field not removed; n when none
  for (size_t i = 0; i < n; ++i) {
    if (!fields[i].removed) last_kept = i;
  }
  for (size_t i = 0; i < n;) {
    if (!fields[i].removed) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < n && fields[j + 1].removed) ++j;
    if (j + 1 < n) {
      edits.push_back(Edit{fields[i].key_begin, fields[j + 1].key_begin, {}});
    } else if (i > 0) {
      edits.push_back(Edit{fields[i - 1].value_end, fields[j].value_end, {}});
    } else {
      edits.push_back(Edit{fields[0].key_begin, fields[j].value_end, {}});
    }
    i = j + 1;
  }

  // Sets: replace every kept occurrence; append keys that have none, in the order of their first
  // set, with the value of their last set.
  std::vector<bool> present(mutation.set.size(), false);
  for (const auto& field : fields) {
    if (field.set_index < 0) continue;
    present[field.set_index] = true;
    edits.push_back(Edit{field.value_begin, field.value_end, mutation.set[field.set_index].second});
  }
  std::string appended;
  for (size_t i = 0; i < mutation.set.size(); ++i) {
    const std::string& key = mutation.set[i].first;
    if (key.empty()) continue;
    int winner = visitor.LastSetIndex(key);
    if (present[winner]) continue;
    bool first_of_key = true;
    for (size_t k = 0; k < i; ++k) first_of_key &= mutation.set[k].first != key;
    if (!first_of_key) continue;
    if (!appended.empty()) appended += ',';
    appended += FieldText(key, mutation.set[winner].second);
  }
  if (!appended.empty()) {
    size_t last_end = last_kept < n ? fields[last_kept].value_end : 0;
    edits.push_back(AppendField(top->open, last_end, std::move(appended)));
  }
  ApplyEdits(body, edits);
  return Ok();
}

}  // namespace sluice::json
