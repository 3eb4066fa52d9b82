#include "sluice/translate/common/anthropic_errors.h"

#include <simdjson.h>

#include "sluice/core/strings.h"
#include "sluice/json/errors.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/schema/openai/chat.h"
#include "sluice/translate/common/json_util.h"

namespace sluice::translate::common {

namespace wire = schema::anthropic;
using schema::bedrock::kBackendErrorType;

bool LooksLikeJsonObject(std::string_view body) {
  const auto t = TrimWhitespace(body);
  return !t.empty() && t.front() == '{';
}

std::string_view AnthropicErrorTypeForStatus(int status) {
  switch (status) {
    case 400:
      return wire::kErrInvalidRequest;
    case 401:
      return wire::kErrAuthentication;
    case 403:
      return wire::kErrPermission;
    case 404:
      return wire::kErrNotFound;
    case 413:
      return wire::kErrRequestTooLarge;
    case 429:
      return wire::kErrRateLimit;
    case 500:
      return wire::kErrInternalServer;
    case 503:
      return wire::kErrServiceUnavailable;
    case 529:
      return wire::kErrOverloaded;
    default:
      return wire::kErrInternalServer;
  }
}

std::string AnthropicErrorJson(std::string_view type, std::string_view message) {
  std::string out = R"({"type":"error","error":{"type":)";
  out += JsonQuote(type);
  out += R"(,"message":)";
  out += JsonQuote(message);
  out += "}}";
  return out;
}

std::string ValidUtf8(std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<uint8_t>(text[i]);
    size_t n = b0 < 0x80                    ? 1
               : (b0 >= 0xC2 && b0 <= 0xDF) ? 2
               : (b0 >= 0xE0 && b0 <= 0xEF) ? 3
               : (b0 >= 0xF0 && b0 <= 0xF4) ? 4
                                            : 0;
    if (n > 0 && i + n <= text.size() && simdjson::validate_utf8(text.data() + i, n)) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    }
  }
  return out;
}

ClientError AnthropicUpstreamError(int status, std::string_view body) {
  ClientError e;
  e.status = status;
  if (LooksLikeJsonObject(body) && ParseJson(body, ErrorSource::kUpstream).ok()) {
    e.body = std::string(body);
  } else {
    e.body = AnthropicErrorJson(AnthropicErrorTypeForStatus(status), body);
  }
  return e;
}

ClientError OpenAIErrorToAnthropic(int status, std::string_view body) {
  ClientError e;
  e.status = status;
  std::string_view type = AnthropicErrorTypeForStatus(status);
  std::string message(body);
  if (auto parsed = ParseJson(body, ErrorSource::kUpstream); parsed.ok() && parsed->is_object()) {
    const bj::object& o = parsed->get_object();
    const bj::object* err = FindObject(o, schema::openai::kError);
    if (err != nullptr) {
      if (auto t = FindString(*err, schema::openai::kType); t && !t->empty()) type = *t;
      if (auto m = FindString(*err, wire::kMessage)) message = std::string(*m);
      e.body = AnthropicErrorJson(type, message);
      return e;
    }
    if (auto m = FindString(o, wire::kMessage)) message = std::string(*m);
  }
  e.body = AnthropicErrorJson(type, message);
  return e;
}

std::string_view BedrockErrorType(std::string_view x_amzn_errortype) {
  const auto colon = x_amzn_errortype.find(':');
  return TrimWhitespace(colon == std::string_view::npos ? x_amzn_errortype
                                                        : x_amzn_errortype.substr(0, colon));
}

ClientError BedrockErrorToOpenAI(int status, std::string_view error_type, std::string_view body) {
  ClientError e;
  e.status = status;
  if (auto parsed = ParseJson(body, ErrorSource::kUpstream); parsed.ok() && parsed->is_object()) {
    const bj::object& o = parsed->get_object();
    if (auto m = FindString(o, wire::kMessage)) {
      const std::string_view type = BedrockErrorType(error_type);
      e.body = json::OpenAIErrorJson(type.empty() ? kBackendErrorType : type, status, *m);
      return e;
    }
    if (const bj::object* err = FindObject(o, wire::kError)) {
      // Claude's own error relayed by Bedrock: keep its type and message.
      e.body = json::OpenAIErrorJson(StringOr(*err, wire::kType, kBackendErrorType), status,
                                     StringOr(*err, wire::kMessage, body));
      return e;
    }
  }
  e.body = json::OpenAIErrorJson(kBackendErrorType, status, body);
  return e;
}

ClientError BedrockErrorToAnthropic(int status, std::string_view error_type,
                                    std::string_view body) {
  ClientError e;
  e.status = status;
  if (auto parsed = ParseJson(body, ErrorSource::kUpstream); parsed.ok() && parsed->is_object()) {
    const bj::object& o = parsed->get_object();
    if (FindString(o, wire::kType) == wire::kError && FindObject(o, wire::kError) != nullptr) {
      e.body = std::string(body);
      return e;
    }
    if (auto m = FindString(o, wire::kMessage)) {
      e.body = AnthropicErrorJson(AnthropicErrorTypeForStatus(status), *m);
      return e;
    }
  }
  e.body = AnthropicErrorJson(AnthropicErrorTypeForStatus(status), body);
  return e;
}

std::string_view AnthropicErrorTypeForBedrockException(std::string_view t) {
  if (EqualsIgnoreCase(t, "throttlingException")) return wire::kErrRateLimit;
  if (EqualsIgnoreCase(t, "validationException")) return wire::kErrInvalidRequest;
  if (EqualsIgnoreCase(t, "accessDeniedException")) return wire::kErrPermission;
  if (EqualsIgnoreCase(t, "resourceNotFoundException")) return wire::kErrNotFound;
  if (EqualsIgnoreCase(t, "serviceUnavailableException")) return wire::kErrServiceUnavailable;
  return wire::kErrInternalServer;  // internalServer, modelStreamError, modelTimeout, ...
}

}  // namespace sluice::translate::common
