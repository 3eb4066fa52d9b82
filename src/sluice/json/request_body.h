#pragma once

// Reads and edits of client request bodies, done in place on the original bytes.
//
// Reads validate the whole document (RFC 8259) in one scan without building anything (scan.h),
// and look only at top-level fields. Edits splice bytes: every byte outside the edited value
// stays as the client sent it (DESIGN: "never re-serialize a body that was not changed").
//
// Keys are compared after decoding escapes ("mod\u0065l" is "model") and byte-exactly otherwise
// ("Model" is not "model"). Duplicate keys (RFC 8259 §4: behaviour is unpredictable): reads take
// the LAST occurrence, as Go's encoding/json, Python's json and JavaScript's JSON.parse do; edits
// apply to EVERY occurrence, so whichever occurrence the upstream's parser picks, it sees the
// edited value.
//
// Strings are validated like Go's encoding/json does: escapes must be well-formed, a lone UTF-16
// surrogate escape is accepted. Numbers are checked against the grammar, not range (1e400 is
// valid JSON). Nesting deeper than kMaxDepth is rejected.
//
// All functions are thread-compatible (they use a per-thread parser) and allocation-free in the
// common case, except that edits build the new body in a fresh buffer.

#include <optional>
#include <string>
#include <string_view>

#include "sluice/config/runtime.h"
#include "sluice/core/result.h"
#include "sluice/json/padding.h"
#include "sluice/json/scan.h"

namespace sluice::json {

// A value's bytes in a body: [begin, end).
struct ByteSpan {
  size_t begin = 0;
  size_t end = 0;
  bool operator==(const ByteSpan&) const = default;
};

// What routing needs from a client request body.
struct RequestPeek {
  std::string model;           // top-level "model" string, escapes decoded; empty if absent
  bool has_model = false;      // false when absent or not a string
  bool stream = false;         // top-level "stream" == true
  bool include_usage = false;  // top-level "stream_options" is an object with include_usage true
  // Where the value of "model" lies (quotes included) when the top level has exactly one "model"
  // field and it is a string: lets a model override be spliced in without a second scan
  // (WithModelAt). Only meaningful while the body is unchanged.
  std::optional<ByteSpan> only_model;
};

// Validates `body` and reads the fields above. Malformed JSON (trailing content included) or a
// top level that is not an object gives kInvalidArgument (source kClient) with a short message in
// simdjson's words, e.g. "TAPE_ERROR: The JSON document has an improper structure: ...".
// `body` is read in place; its capacity is grown first if it lacks kPadding spare bytes (one copy),
// its size and contents are never changed. With `index`, the one built while the body arrived
// (incremental_index.h), most of the validation is done already.
Result<RequestPeek> PeekRequest(std::string& body, IncrementalIndex* index = nullptr);

// Replaces the value of every top-level "model" with a JSON string of `new_model`; appends a
// "model" field when there is none (as sjson, used by the reference gateway, does).
Result<void> SpliceModel(std::string& body, std::string_view new_model);

// A copy of `body` with the bytes at `model_value` (RequestPeek::only_model of this very body)
// replaced by a JSON string of `new_model`: SpliceModel's result without validating again.
std::string WithModelAt(std::string_view body, ByteSpan model_value, std::string_view new_model);

// Makes stream_options.include_usage true (OpenAI chat completions: then "an additional chunk will
// be streamed before the data: [DONE] message" carrying usage). Appends
// "stream_options":{"include_usage":true} when absent, replaces a null stream_options with that
// object, adds the key inside an existing object, or replaces any include_usage value other than
// true. A stream_options that is neither an object nor null is kInvalidArgument. Leaves `body`
// untouched (no allocation) when include_usage is already true.
Result<void> EnsureIncludeUsage(std::string& body);

// Envoy AI Gateway body mutation (AIGatewayRoute backendRefs[].bodyMutation, top-level fields
// only): removals first, then sets. A set replaces the value of every occurrence of its key, or
// appends the field when it is absent (also when a removal just took it out); of several sets of
// one key the last wins. Names are literal keys (no sjson path syntax); empty names are skipped.
// `set` values are inserted verbatim: config guarantees they are valid JSON.
Result<void> ApplyBodyMutation(std::string& body, const config::BodyMutation& mutation);

}  // namespace sluice::json
