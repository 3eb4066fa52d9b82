#pragma once

// Wire names of Anthropic's Messages API (https://docs.anthropic.com/en/api/messages,
// .../api/messages-streaming, .../api/errors, .../api/messages-count-tokens) and of Claude on
// Amazon Bedrock's InvokeModel body (Bedrock user guide, "Anthropic Claude Messages API").
// Header-only: constexpr names, no code.

#include <string_view>

namespace sluice::schema::anthropic {

// Paths. The native API serves /v1/messages; the prefix is the backend's schema.prefix.
inline constexpr std::string_view kMessagesSuffix = "/messages";
inline constexpr std::string_view kCountTokensPath = "/v1/messages/count_tokens";

// Headers.
inline constexpr std::string_view kVersionHeader = "anthropic-version";
inline constexpr std::string_view kBetaHeader = "anthropic-beta";
inline constexpr std::string_view kApiKeyHeader = "x-api-key";
// The version the API documents for every request; added when a client sent none.
inline constexpr std::string_view kDefaultVersion = "2023-06-01";

// Request fields (top level).
inline constexpr std::string_view kModel = "model";
inline constexpr std::string_view kMessages = "messages";
inline constexpr std::string_view kSystem = "system";
inline constexpr std::string_view kMaxTokens = "max_tokens";
inline constexpr std::string_view kStopSequences = "stop_sequences";
inline constexpr std::string_view kStream = "stream";
inline constexpr std::string_view kTemperature = "temperature";
inline constexpr std::string_view kTopP = "top_p";
inline constexpr std::string_view kTopK = "top_k";
inline constexpr std::string_view kTools = "tools";
inline constexpr std::string_view kToolChoice = "tool_choice";
inline constexpr std::string_view kThinking = "thinking";
inline constexpr std::string_view kMetadata = "metadata";
inline constexpr std::string_view kUserId = "user_id";
inline constexpr std::string_view kServiceTier = "service_tier";
inline constexpr std::string_view kOutputConfig = "output_config";
inline constexpr std::string_view kFormat = "format";
inline constexpr std::string_view kEffort = "effort";
inline constexpr std::string_view kSchema = "schema";
// Features with no equivalent on other APIs.
inline constexpr std::string_view kContainer = "container";
inline constexpr std::string_view kMcpServers = "mcp_servers";
inline constexpr std::string_view kContextManagement = "context_management";

// Message and content block fields.
inline constexpr std::string_view kRole = "role";
inline constexpr std::string_view kContent = "content";
inline constexpr std::string_view kType = "type";
inline constexpr std::string_view kText = "text";
inline constexpr std::string_view kSource = "source";
inline constexpr std::string_view kMediaType = "media_type";
inline constexpr std::string_view kData = "data";
inline constexpr std::string_view kUrl = "url";
inline constexpr std::string_view kId = "id";
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kInput = "input";
inline constexpr std::string_view kToolUseId = "tool_use_id";
inline constexpr std::string_view kIsError = "is_error";
inline constexpr std::string_view kSignature = "signature";
inline constexpr std::string_view kCacheControl = "cache_control";
inline constexpr std::string_view kDescription = "description";
inline constexpr std::string_view kInputSchema = "input_schema";
inline constexpr std::string_view kStrict = "strict";
inline constexpr std::string_view kDisableParallelToolUse = "disable_parallel_tool_use";
inline constexpr std::string_view kBudgetTokens = "budget_tokens";
inline constexpr std::string_view kTitle = "title";
inline constexpr std::string_view kCitations = "citations";
inline constexpr std::string_view kContext = "context";

// Roles.
inline constexpr std::string_view kRoleUser = "user";
inline constexpr std::string_view kRoleAssistant = "assistant";

// Content block types.
inline constexpr std::string_view kBlockText = "text";
inline constexpr std::string_view kBlockImage = "image";
inline constexpr std::string_view kBlockDocument = "document";
inline constexpr std::string_view kBlockToolUse = "tool_use";
inline constexpr std::string_view kBlockToolResult = "tool_result";
inline constexpr std::string_view kBlockThinking = "thinking";
inline constexpr std::string_view kBlockRedactedThinking = "redacted_thinking";
inline constexpr std::string_view kBlockServerToolUse = "server_tool_use";
// Source types (image and document blocks).
inline constexpr std::string_view kSourceBase64 = "base64";
inline constexpr std::string_view kSourceUrl = "url";
inline constexpr std::string_view kSourceText = "text";

// Tool types: a custom tool has no type or "custom"; anything else is a server tool.
inline constexpr std::string_view kToolCustom = "custom";
// tool_choice types.
inline constexpr std::string_view kChoiceAuto = "auto";
inline constexpr std::string_view kChoiceAny = "any";
inline constexpr std::string_view kChoiceTool = "tool";
inline constexpr std::string_view kChoiceNone = "none";
// thinking types (adaptive: Claude Opus 4.6 and later).
inline constexpr std::string_view kThinkingEnabled = "enabled";
inline constexpr std::string_view kThinkingDisabled = "disabled";
inline constexpr std::string_view kThinkingAdaptive = "adaptive";
// service_tier values.
inline constexpr std::string_view kServiceTierStandardOnly = "standard_only";
// output_config.format type.
inline constexpr std::string_view kFormatJsonSchema = "json_schema";

// Response (message object).
inline constexpr std::string_view kMessageType = "message";
inline constexpr std::string_view kStopReason = "stop_reason";
inline constexpr std::string_view kStopSequence = "stop_sequence";
inline constexpr std::string_view kUsage = "usage";
inline constexpr std::string_view kInputTokens = "input_tokens";
inline constexpr std::string_view kOutputTokens = "output_tokens";
inline constexpr std::string_view kCacheReadInputTokens = "cache_read_input_tokens";
inline constexpr std::string_view kCacheCreationInputTokens = "cache_creation_input_tokens";
// Not in the public reference; read when present (thinking tokens inside output_tokens).
inline constexpr std::string_view kOutputTokensDetails = "output_tokens_details";
inline constexpr std::string_view kThinkingTokens = "thinking_tokens";

// Stop reasons.
inline constexpr std::string_view kStopEndTurn = "end_turn";
inline constexpr std::string_view kStopMaxTokens = "max_tokens";
inline constexpr std::string_view kStopStopSequence = "stop_sequence";
inline constexpr std::string_view kStopToolUse = "tool_use";
inline constexpr std::string_view kStopPauseTurn = "pause_turn";
inline constexpr std::string_view kStopRefusal = "refusal";

// Streaming events (the SSE event name equals the data's "type").
inline constexpr std::string_view kEventMessageStart = "message_start";
inline constexpr std::string_view kEventMessageDelta = "message_delta";
inline constexpr std::string_view kEventMessageStop = "message_stop";
inline constexpr std::string_view kEventBlockStart = "content_block_start";
inline constexpr std::string_view kEventBlockDelta = "content_block_delta";
inline constexpr std::string_view kEventBlockStop = "content_block_stop";
inline constexpr std::string_view kEventPing = "ping";
inline constexpr std::string_view kEventError = "error";
inline constexpr std::string_view kMessage = "message";
inline constexpr std::string_view kIndex = "index";
inline constexpr std::string_view kContentBlock = "content_block";
inline constexpr std::string_view kDelta = "delta";
inline constexpr std::string_view kPartialJson = "partial_json";
// Delta types.
inline constexpr std::string_view kDeltaText = "text_delta";
inline constexpr std::string_view kDeltaInputJson = "input_json_delta";
inline constexpr std::string_view kDeltaThinking = "thinking_delta";
inline constexpr std::string_view kDeltaSignature = "signature_delta";
inline constexpr std::string_view kDeltaCitations = "citations_delta";

// Errors: {"type":"error","error":{"type":T,"message":M}}
// (https://docs.anthropic.com/en/api/errors).
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kErrInvalidRequest = "invalid_request_error";
inline constexpr std::string_view kErrAuthentication = "authentication_error";
inline constexpr std::string_view kErrPermission = "permission_error";
inline constexpr std::string_view kErrNotFound = "not_found_error";
inline constexpr std::string_view kErrRequestTooLarge = "request_too_large";
inline constexpr std::string_view kErrRateLimit = "rate_limit_error";
// Envoy AI Gateway's spelling for 500 (the API itself says "api_error"); kept for parity.
inline constexpr std::string_view kErrInternalServer = "internal_server_error";
inline constexpr std::string_view kErrServiceUnavailable = "service_unavailable_error";
inline constexpr std::string_view kErrOverloaded = "overloaded_error";

// Models list (GET /v1/models, https://docs.anthropic.com/en/api/models-list).
inline constexpr std::string_view kModelType = "model";
inline constexpr std::string_view kDisplayName = "display_name";
inline constexpr std::string_view kCreatedAt = "created_at";
inline constexpr std::string_view kFirstId = "first_id";
inline constexpr std::string_view kLastId = "last_id";
inline constexpr std::string_view kHasMore = "has_more";

}  // namespace sluice::schema::anthropic
