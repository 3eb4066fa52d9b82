#pragma once

// Client-side wire names the Bedrock translators read that schema/openai and schema/anthropic do
// not list: OpenAI chat fields Converse cannot express (each answered with 422), the embeddings
// endpoint's fields, and a few content-part names. Header-only.

#include <string_view>

namespace sluice::schema::bedrock::client {

// OpenAI chat completions request fields with no Converse equivalent
// (https://platform.openai.com/docs/api-reference/chat/create).
inline constexpr std::string_view kPresencePenalty = "presence_penalty";
inline constexpr std::string_view kFrequencyPenalty = "frequency_penalty";
inline constexpr std::string_view kLogitBias = "logit_bias";
inline constexpr std::string_view kSeed = "seed";
inline constexpr std::string_view kAudio = "audio";
inline constexpr std::string_view kModalities = "modalities";
inline constexpr std::string_view kPrediction = "prediction";
inline constexpr std::string_view kFunctions = "functions";
inline constexpr std::string_view kFunctionCall = "function_call";
inline constexpr std::string_view kWebSearchOptions = "web_search_options";
inline constexpr std::string_view kModalityText = "text";

// Content parts and response formats.
inline constexpr std::string_view kPartInputAudio = "input_audio";
inline constexpr std::string_view kFileId = "file_id";
inline constexpr std::string_view kFormatText = "text";
inline constexpr std::string_view kFormatJsonObject = "json_object";
inline constexpr std::string_view kFormatJsonSchema = "json_schema";
inline constexpr std::string_view kRoleFunction = "function";
inline constexpr std::string_view kServiceTierAuto = "auto";
inline constexpr std::string_view kToolTypeFunction = "function";
inline constexpr std::string_view kThinkingDisabled = "disabled";
inline constexpr std::string_view kThinkingEnabled = "enabled";
inline constexpr std::string_view kBudgetTokens = "budget_tokens";
inline constexpr std::string_view kCacheControlEphemeral = "ephemeral";

// OpenAI embeddings (https://platform.openai.com/docs/api-reference/embeddings/create).
inline constexpr std::string_view kEmbInput = "input";
inline constexpr std::string_view kEmbDimensions = "dimensions";
inline constexpr std::string_view kEmbEncodingFormat = "encoding_format";
inline constexpr std::string_view kEmbFormatFloat = "float";
inline constexpr std::string_view kEmbFormatBase64 = "base64";
inline constexpr std::string_view kEmbObjectList = "list";
inline constexpr std::string_view kEmbObjectEmbedding = "embedding";
inline constexpr std::string_view kEmbData = "data";
inline constexpr std::string_view kEmbEmbedding = "embedding";
// Titan V2's "normalize", accepted as a vendor field of the OpenAI request.
inline constexpr std::string_view kEmbNormalize = "normalize";

// Anthropic request fields with no Converse equivalent
// (https://docs.anthropic.com/en/api/messages).
inline constexpr std::string_view kAnthropicContainer = "container";
inline constexpr std::string_view kAnthropicMcpServers = "mcp_servers";
inline constexpr std::string_view kAnthropicContextManagement = "context_management";
inline constexpr std::string_view kAnthropicServiceTierStandardOnly = "standard_only";
inline constexpr std::string_view kAnthropicStopSequences = "stop_sequences";

}  // namespace sluice::schema::bedrock::client
