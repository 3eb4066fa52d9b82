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
// Anthropic's error shape; the strings are escaped with ill-formed UTF-8 replaced (U+FFFD), so a
// message quoting raw upstream bytes still makes valid JSON.
std::string AnthropicErrorJson(std::string_view type, std::string_view message);

// Anthropic upstream (native or Claude on Bedrock/Vertex) answering an Anthropic client: JSON
// bodies pass through unchanged, anything else is wrapped with the status's type.
ClientError AnthropicUpstreamError(int status, std::string_view body);

// An OpenAI-compatible upstream error for an Anthropic client: {"error":{"type","message"}} keeps
// its type and message (type by status when absent); non-JSON bodies are wrapped by status.
ClientError OpenAIErrorToAnthropic(int status, std::string_view body);

// "ValidationException:http://internal.amazon.com/coral/..." → "ValidationException".
std::string_view BedrockErrorType(std::string_view x_amzn_errortype);

// A non-2xx Bedrock answer (Converse, InvokeModel, Titan embeddings) for an OpenAI client
// (reference §9): a JSON {"message"} (or "Message") with x-amzn-errortype becomes
// {"type":"error","error":{"type":<errortype>,"code":"<status>","message":M}}, with the header's
// ":namespace" suffix cut and type AWSBedrockBackendError when there is no header; Claude's own
// error relayed by Bedrock ({"error":{"type","message"}}) keeps its type and message; any other
// body is the message of an AWSBedrockBackendError. When `pass_json_without_type` is set (Titan
// embeddings, as the reference does), a JSON body with no x-amzn-errortype passes through.
ClientError BedrockErrorToOpenAI(int status, std::string_view content_type,
                                 std::string_view error_type, std::string_view body,
                                 bool pass_json_without_type = false);

// The same answer for an Anthropic client: Anthropic-shaped JSON passes through (Bedrock relays
// Claude's own errors that way); {"message"} (or "Message") becomes Anthropic's shape with the
// status's type; any other body is that error's message.
ClientError BedrockErrorToAnthropic(int status, std::string_view body);

// A Bedrock stream exception (":exception-type" of an event-stream frame) as the Anthropic error
// type a client expects mid-stream, e.g. throttlingException → rate_limit_error.
std::string_view AnthropicErrorTypeForBedrockException(std::string_view exception_type);

}  // namespace sluice::translate::common
