#pragma once

// Error bodies in the Envoy AI Gateway shape, which the OpenAI SDKs parse as API errors:
//   {"type":"error","error":{"type":"BadRequest","code":"400","message":"..."}}
// Unlike the reference (which formats with %s), every string is JSON-escaped, so a quote or a
// newline in a message cannot break the document.

#include <string>
#include <string_view>

namespace sluice::json {

std::string OpenAIErrorJson(std::string_view type, int code, std::string_view message);

// Appends `s` JSON-escaped (without quotes), each ill-formed UTF-8 byte replaced by U+FFFD
// (RFC 3629 §3, §4): valid JSON (RFC 8259 §8.1) even when `s` quotes raw upstream bytes.
void AppendEscapedUtf8(std::string& out, std::string_view s);

}  // namespace sluice::json
