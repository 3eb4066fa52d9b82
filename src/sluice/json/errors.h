#pragma once

// Error bodies in the Envoy AI Gateway shape, which the OpenAI SDKs parse as API errors:
//   {"type":"error","error":{"type":"BadRequest","code":"400","message":"..."}}
// Unlike the reference (which formats with %s), every string is JSON-escaped, so a quote or a
// newline in a message cannot break the document.

#include <string>
#include <string_view>

namespace sluice::json {

std::string OpenAIErrorJson(std::string_view type, int code, std::string_view message);

}  // namespace sluice::json
