#pragma once

// Error bodies for the Anthropic family (reference §9):
//   - Anthropic's shape {"type":"error","error":{"type":T,"message":M}}
//     (https://docs.anthropic.com/en/api/errors), with T chosen by HTTP status when the upstream
//     gave none (400 invalid_request_error, 401 authentication_error, 403 permission_error,
//     404 not_found_error, 413 request_too_large, 429 rate_limit_error, 500 internal_server_error,
//     503 service_unavailable_error, 529 overloaded_error, else internal_server_error);
//   - Bedrock's {"message":M} with the type in x-amzn-errortype, turned into either shape.

#include <string>
#include <string_view>

#include "sluice/translate/translator.h"

namespace sluice::translate::common {

// True when `body`, without surrounding white space, starts with '{': an error body worth parsing.
bool LooksLikeJsonObject(std::string_view body);

std::string_view AnthropicErrorTypeForStatus(int status);
std::string AnthropicErrorJson(std::string_view type, std::string_view message);
// `text` with each ill-formed UTF-8 byte replaced by U+FFFD (RFC 3629 §3, §4), so that a message
// quoting raw upstream bytes still makes a valid JSON text.
std::string ValidUtf8(std::string_view text);

// Anthropic upstream (native or Claude on Bedrock/Vertex) answering an Anthropic client: JSON
// bodies pass through unchanged, anything else is wrapped with the status's type.
ClientError AnthropicUpstreamError(int status, std::string_view body);

// An OpenAI-compatible upstream error for an Anthropic client: {"error":{"type","message"}} keeps
// its type and message (type by status when absent); non-JSON bodies are wrapped by status.
ClientError OpenAIErrorToAnthropic(int status, std::string_view body);

// "ValidationException:http://internal.amazon.com/coral/..." → "ValidationException".
std::string_view BedrockErrorType(std::string_view x_amzn_errortype);

// A Bedrock error for an OpenAI client: {"message"} + x-amzn-errortype →
// {"type":"error","error":{"type":<errortype>,"code":"<status>","message":M}}; a body that is not
// such JSON is wrapped with type AWSBedrockBackendError.
ClientError BedrockErrorToOpenAI(int status, std::string_view error_type, std::string_view body);

// A Bedrock error for an Anthropic client: Anthropic-shaped JSON passes through (Bedrock relays
// Claude's own errors that way); {"message"} becomes Anthropic's shape with the status's type;
// anything else is wrapped.
ClientError BedrockErrorToAnthropic(int status, std::string_view error_type, std::string_view body);

// A Bedrock stream exception (":exception-type" of an event-stream frame) as the Anthropic error
// type a client expects mid-stream, e.g. throttlingException → rate_limit_error.
std::string_view AnthropicErrorTypeForBedrockException(std::string_view exception_type);

}  // namespace sluice::translate::common
