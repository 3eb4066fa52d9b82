#include "sluice/translate/common/anthropic_errors.h"

#include <optional>

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
  std::string out = R"({"type":"error","error":{"type":")";
  json::AppendEscapedUtf8(out, type);
  out += R"(","message":")";
  json::AppendEscapedUtf8(out, message);
  out += "\"}}";
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

namespace {

// Bedrock's {"message":M}; some services spell it "Message".
std::optional<std::string_view> BedrockMessage(const bj::object& o) {
  if (auto m = FindString(o, schema::bedrock::kErrorMessage)) return m;
  return FindString(o, schema::bedrock::kErrorMessageCapital);
}

// The body as a JSON object, when it is one.
std::optional<bj::value> ParseObject(std::string_view body) {
  if (!LooksLikeJsonObject(body)) return std::nullopt;
  auto parsed = ParseJson(body, ErrorSource::kUpstream);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  return std::move(parsed).value();
}

}  // namespace

ClientError BedrockErrorToOpenAI(int status, std::string_view content_type,
                                 std::string_view error_type, std::string_view body,
                                 bool pass_json_without_type) {
  ClientError e;
  e.status = status;
  const std::string_view type = BedrockErrorType(error_type);
  const auto parsed = ParseObject(body);
  if (pass_json_without_type && type.empty() && parsed &&
      content_type.find("json") != std::string_view::npos) {
    e.body = std::string(body);
    return e;
  }
  if (parsed) {
    const bj::object& o = parsed->get_object();
    if (auto m = BedrockMessage(o)) {
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

ClientError BedrockErrorToAnthropic(int status, std::string_view body) {
  ClientError e;
  e.status = status;
  if (const auto parsed = ParseObject(body)) {
    const bj::object& o = parsed->get_object();
    if (FindString(o, wire::kType) == wire::kError && FindObject(o, wire::kError) != nullptr) {
      e.body = std::string(body);
      return e;
    }
    if (auto m = BedrockMessage(o)) {
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
