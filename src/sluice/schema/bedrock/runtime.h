#pragma once

// Wire names of the AWS Bedrock Runtime APIs Sluice translates to: Converse / ConverseStream
// (Amazon Bedrock API Reference, "Converse", "ConverseStream" and the data types they use:
// Message, ContentBlock, SystemContentBlock, InferenceConfiguration, ToolConfiguration,
// ConverseStreamOutput, TokenUsage), InvokeModel / InvokeModelWithResponseStream for Amazon Titan
// Text Embeddings (Bedrock User Guide, "Amazon Titan Embeddings G1 - Text", V2 request and
// response) and for Claude (Bedrock User Guide, "Anthropic Claude Messages API"), and CountTokens.
// The Claude-native names these bodies carry (top_k, thinking, output_config, ...) are Anthropic's
// and live in schema/anthropic/messages.h. Header-only: constants, no code.

#include <string_view>

namespace sluice::schema::bedrock {

// Paths (API Reference, "Converse": POST /model/{modelId}/converse; "ConverseStream":
// POST /model/{modelId}/converse-stream; "InvokeModel": POST /model/{modelId}/invoke;
// "InvokeModelWithResponseStream": POST /model/{modelId}/invoke-with-response-stream;
// "CountTokens": POST /model/{modelId}/count-tokens).
inline constexpr std::string_view kModelPathPrefix = "/model/";
inline constexpr std::string_view kConverseSuffix = "/converse";
inline constexpr std::string_view kConverseStreamSuffix = "/converse-stream";
inline constexpr std::string_view kInvokeSuffix = "/invoke";
inline constexpr std::string_view kInvokeStreamSuffix = "/invoke-with-response-stream";
inline constexpr std::string_view kCountTokensSuffix = "/count-tokens";

// HTTP headers.
inline constexpr std::string_view kHeaderContentType = "content-type";
inline constexpr std::string_view kHeaderAccept = "accept";
inline constexpr std::string_view kHeaderErrorType = "x-amzn-errortype";
inline constexpr std::string_view kHeaderRequestId = "x-amzn-requestid";
inline constexpr std::string_view kContentTypeJson = "application/json";
inline constexpr std::string_view kContentTypeEventStream = "application/vnd.amazon.eventstream";

// Event-stream message headers (AWS event-stream framing as ConverseStream and
// InvokeModelWithResponseStream send it).
inline constexpr std::string_view kEventHeaderMessageType = ":message-type";
inline constexpr std::string_view kEventHeaderEventType = ":event-type";
inline constexpr std::string_view kEventHeaderExceptionType = ":exception-type";
inline constexpr std::string_view kEventHeaderErrorCode = ":error-code";
inline constexpr std::string_view kEventHeaderErrorMessage = ":error-message";
inline constexpr std::string_view kMessageTypeEvent = "event";
inline constexpr std::string_view kMessageTypeException = "exception";
inline constexpr std::string_view kMessageTypeError = "error";

// ConverseStreamOutput members (the :event-type of each message).
inline constexpr std::string_view kEventMessageStart = "messageStart";
inline constexpr std::string_view kEventContentBlockStart = "contentBlockStart";
inline constexpr std::string_view kEventContentBlockDelta = "contentBlockDelta";
inline constexpr std::string_view kEventContentBlockStop = "contentBlockStop";
inline constexpr std::string_view kEventMessageStop = "messageStop";
inline constexpr std::string_view kEventMetadata = "metadata";

// Converse request (API Reference, "Converse", Request Body).
inline constexpr std::string_view kMessages = "messages";
inline constexpr std::string_view kSystem = "system";
inline constexpr std::string_view kInferenceConfig = "inferenceConfig";
inline constexpr std::string_view kToolConfig = "toolConfig";
inline constexpr std::string_view kAdditionalModelRequestFields = "additionalModelRequestFields";
inline constexpr std::string_view kAdditionalModelResponseFieldPaths =
    "additionalModelResponseFieldPaths";
inline constexpr std::string_view kRequestMetadata = "requestMetadata";
inline constexpr std::string_view kServiceTier = "serviceTier";
inline constexpr std::string_view kOutputConfig = "outputConfig";

// InferenceConfiguration.
inline constexpr std::string_view kMaxTokens = "maxTokens";
inline constexpr std::string_view kTemperature = "temperature";
inline constexpr std::string_view kTopP = "topP";
inline constexpr std::string_view kStopSequences = "stopSequences";

// Message, ContentBlock (a union: exactly one member per block), SystemContentBlock.
inline constexpr std::string_view kRole = "role";
inline constexpr std::string_view kContent = "content";
inline constexpr std::string_view kRoleUser = "user";
inline constexpr std::string_view kRoleAssistant = "assistant";
inline constexpr std::string_view kText = "text";
inline constexpr std::string_view kImage = "image";
inline constexpr std::string_view kDocument = "document";
inline constexpr std::string_view kToolUse = "toolUse";
inline constexpr std::string_view kToolResult = "toolResult";
inline constexpr std::string_view kReasoningContent = "reasoningContent";
inline constexpr std::string_view kCachePoint = "cachePoint";
inline constexpr std::string_view kJson = "json";

// ImageBlock / DocumentBlock: {"format", "source": {"bytes": base64}} (+ "name" for documents);
// "bytes" also holds an InvokeModelWithResponseStream chunk's payload.
inline constexpr std::string_view kFormat = "format";
inline constexpr std::string_view kSource = "source";
inline constexpr std::string_view kBytes = "bytes";
inline constexpr std::string_view kName = "name";

// ToolUseBlock / ToolResultBlock.
inline constexpr std::string_view kToolUseId = "toolUseId";
inline constexpr std::string_view kInput = "input";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kStatusError = "error";

// ReasoningContentBlock: {"reasoningText": {"text", "signature"}} or {"redactedContent": blob}.
inline constexpr std::string_view kReasoningText = "reasoningText";
inline constexpr std::string_view kSignature = "signature";
inline constexpr std::string_view kRedactedContent = "redactedContent";

// CachePointBlock: {"type": "default"}.
inline constexpr std::string_view kType = "type";
inline constexpr std::string_view kCachePointDefault = "default";

// ToolConfiguration: {"tools": [{"toolSpec": {...}} | {"cachePoint": {...}}], "toolChoice"}.
inline constexpr std::string_view kTools = "tools";
inline constexpr std::string_view kToolSpec = "toolSpec";
inline constexpr std::string_view kDescription = "description";
inline constexpr std::string_view kInputSchema = "inputSchema";
inline constexpr std::string_view kStrict = "strict";
inline constexpr std::string_view kToolChoice = "toolChoice";
inline constexpr std::string_view kToolChoiceAuto = "auto";
inline constexpr std::string_view kToolChoiceAny = "any";
inline constexpr std::string_view kToolChoiceTool = "tool";

// OutputConfig: {"textFormat": {"type": "json_schema", "structure": {"jsonSchema":
// {"schema": "<JSON text>", "name", "description"}}}} (API Reference, "OutputConfig",
// "OutputFormat", "OutputFormatStructure", "JsonSchemaDefinition").
inline constexpr std::string_view kTextFormat = "textFormat";
inline constexpr std::string_view kTextFormatJsonSchema = "json_schema";
inline constexpr std::string_view kStructure = "structure";
inline constexpr std::string_view kJsonSchema = "jsonSchema";
inline constexpr std::string_view kSchema = "schema";

// Converse response (API Reference, "Converse", Response Body) and stream events.
inline constexpr std::string_view kOutput = "output";
inline constexpr std::string_view kMessage = "message";
inline constexpr std::string_view kStopReason = "stopReason";
inline constexpr std::string_view kUsage = "usage";
inline constexpr std::string_view kAdditionalModelResponseFields = "additionalModelResponseFields";
inline constexpr std::string_view kContentBlockIndex = "contentBlockIndex";
inline constexpr std::string_view kStart = "start";
inline constexpr std::string_view kDelta = "delta";

// TokenUsage (CountTokens answers with "inputTokens" too).
inline constexpr std::string_view kInputTokens = "inputTokens";
inline constexpr std::string_view kOutputTokens = "outputTokens";
inline constexpr std::string_view kTotalTokens = "totalTokens";
inline constexpr std::string_view kCacheReadInputTokens = "cacheReadInputTokens";
inline constexpr std::string_view kCacheWriteInputTokens = "cacheWriteInputTokens";

// StopReason values (API Reference, "Converse", Response Body, stopReason).
inline constexpr std::string_view kStopEndTurn = "end_turn";
inline constexpr std::string_view kStopToolUse = "tool_use";
inline constexpr std::string_view kStopMaxTokens = "max_tokens";
inline constexpr std::string_view kStopStopSequence = "stop_sequence";
inline constexpr std::string_view kStopGuardrailIntervened = "guardrail_intervened";
inline constexpr std::string_view kStopContentFiltered = "content_filtered";
inline constexpr std::string_view kStopContextWindowExceeded = "model_context_window_exceeded";

// Error bodies: {"message": "..."} (AWS JSON protocol; some services spell it "Message").
inline constexpr std::string_view kErrorMessage = "message";
inline constexpr std::string_view kErrorMessageCapital = "Message";

// Claude-native fields travel in additionalModelRequestFields under Anthropic's names; Claude's
// stop_sequence comes back in additionalModelResponseFields when asked for by this JSON pointer.
inline constexpr std::string_view kClaudeStopSequencePath = "/stop_sequence";
// Reasoning effort for non-Claude models (Envoy AI Gateway forwards reasoning_effort so).
inline constexpr std::string_view kReasoningConfig = "reasoning_config";

// InvokeModel body for Claude: an Anthropic Messages request without "model" and "stream", plus
// these (Bedrock User Guide, "Anthropic Claude Messages API"; beta features go in the body).
inline constexpr std::string_view kAnthropicVersion = "anthropic_version";
inline constexpr std::string_view kAnthropicBeta = "anthropic_beta";
inline constexpr std::string_view kAnthropicDefaultVersion = "bedrock-2023-05-31";
// InvokeModelWithResponseStream: "chunk" events whose payload is {"bytes": "<base64 of one
// Anthropic streaming event>"}.
inline constexpr std::string_view kEventChunk = "chunk";
// CountTokens: {"input":{"invokeModel":{"body":"<base64 InvokeModel body>"}}}, answered by
// {"inputTokens": N}.

// Amazon Titan Text Embeddings (InvokeModel body; V2 request and response).
inline constexpr std::string_view kTitanInputText = "inputText";
inline constexpr std::string_view kTitanDimensions = "dimensions";
inline constexpr std::string_view kTitanNormalize = "normalize";
inline constexpr std::string_view kTitanEmbedding = "embedding";
inline constexpr std::string_view kTitanInputTextTokenCount = "inputTextTokenCount";

// Error type used when a Bedrock error body is not JSON (Envoy AI Gateway's name for it).
inline constexpr std::string_view kBackendErrorType = "AWSBedrockBackendError";

}  // namespace sluice::schema::bedrock
