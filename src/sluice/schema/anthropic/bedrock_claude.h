#pragma once

// Wire names of Claude on Amazon Bedrock through InvokeModel / InvokeModelWithResponseStream
// (Bedrock API reference "InvokeModel", "InvokeModelWithResponseStream"; Bedrock user guide
// "Anthropic Claude Messages API"). The body is an Anthropic Messages request without "model" and
// "stream", plus "anthropic_version" (and "anthropic_beta" for beta features); the stream is AWS
// event-stream frames whose "chunk" events carry {"bytes":"<base64 Anthropic event JSON>"}.

#include <string_view>

namespace sluice::schema::anthropic::bedrock {

inline constexpr std::string_view kModelPathPrefix = "/model/";
inline constexpr std::string_view kInvokeSuffix = "/invoke";
inline constexpr std::string_view kInvokeStreamSuffix = "/invoke-with-response-stream";
inline constexpr std::string_view kCountTokensSuffix = "/count-tokens";

inline constexpr std::string_view kAnthropicVersion = "anthropic_version";
inline constexpr std::string_view kAnthropicBeta = "anthropic_beta";
inline constexpr std::string_view kDefaultVersion = "bedrock-2023-05-31";

// Event-stream headers and values.
inline constexpr std::string_view kEventTypeHeader = ":event-type";
inline constexpr std::string_view kMessageTypeHeader = ":message-type";
inline constexpr std::string_view kExceptionTypeHeader = ":exception-type";
inline constexpr std::string_view kMessageTypeEvent = "event";
inline constexpr std::string_view kMessageTypeException = "exception";
inline constexpr std::string_view kEventChunk = "chunk";
inline constexpr std::string_view kBytes = "bytes";
// Error bodies: {"message": "..."} with the type in the x-amzn-errortype header.
inline constexpr std::string_view kMessage = "message";
inline constexpr std::string_view kErrorTypeHeader = "x-amzn-errortype";

// CountTokens (Bedrock API reference "CountTokens"): {"input":{"invokeModel":{"body":b64}}}
// answered by {"inputTokens":N}.
inline constexpr std::string_view kInput = "input";
inline constexpr std::string_view kInvokeModel = "invokeModel";
inline constexpr std::string_view kBody = "body";
inline constexpr std::string_view kInputTokens = "inputTokens";

inline constexpr std::string_view kEventStreamContentType = "application/vnd.amazon.eventstream";

}  // namespace sluice::schema::anthropic::bedrock
