#pragma once

// Wire names of OpenAI's Chat Completions API (https://platform.openai.com/docs/api-reference/chat)
// and Embeddings API (https://platform.openai.com/docs/api-reference/embeddings), plus the vendor
// extensions OpenAI-compatible servers and Envoy AI Gateway use for Claude-style
// reasoning: "reasoning_content" (DeepSeek, vLLM), "thinking_blocks" (LiteLLM), "thinking" and
// "top_k" (vLLM), "cache_control" on content parts and "cache_creation_tokens" in usage details.
// Header-only: constexpr names, no code.

#include <string_view>

namespace sluice::schema::openai {

inline constexpr std::string_view kChatCompletionsSuffix = "/chat/completions";
inline constexpr std::string_view kEventStreamContentType = "text/event-stream";
inline constexpr std::string_view kJsonContentType = "application/json";

// Request.
inline constexpr std::string_view kModel = "model";
inline constexpr std::string_view kMessages = "messages";
inline constexpr std::string_view kMaxTokens = "max_tokens";
inline constexpr std::string_view kMaxCompletionTokens = "max_completion_tokens";
inline constexpr std::string_view kTemperature = "temperature";
inline constexpr std::string_view kTopP = "top_p";
inline constexpr std::string_view kTopK = "top_k";
inline constexpr std::string_view kStop = "stop";
inline constexpr std::string_view kStream = "stream";
inline constexpr std::string_view kStreamOptions = "stream_options";
inline constexpr std::string_view kIncludeUsage = "include_usage";
inline constexpr std::string_view kTools = "tools";
inline constexpr std::string_view kToolChoice = "tool_choice";
inline constexpr std::string_view kParallelToolCalls = "parallel_tool_calls";
inline constexpr std::string_view kResponseFormat = "response_format";
inline constexpr std::string_view kJsonSchema = "json_schema";
inline constexpr std::string_view kSchema = "schema";
inline constexpr std::string_view kReasoningEffort = "reasoning_effort";
inline constexpr std::string_view kThinking = "thinking";
inline constexpr std::string_view kUser = "user";
inline constexpr std::string_view kServiceTier = "service_tier";
inline constexpr std::string_view kN = "n";
inline constexpr std::string_view kLogprobs = "logprobs";
inline constexpr std::string_view kTopLogprobs = "top_logprobs";
inline constexpr std::string_view kStore = "store";
inline constexpr std::string_view kMetadata = "metadata";
inline constexpr std::string_view kPresencePenalty = "presence_penalty";
inline constexpr std::string_view kFrequencyPenalty = "frequency_penalty";
inline constexpr std::string_view kLogitBias = "logit_bias";
inline constexpr std::string_view kSeed = "seed";
inline constexpr std::string_view kAudio = "audio";
inline constexpr std::string_view kModalities = "modalities";
inline constexpr std::string_view kPrediction = "prediction";
inline constexpr std::string_view kWebSearchOptions = "web_search_options";
// The deprecated functions API (before tools).
inline constexpr std::string_view kFunctions = "functions";
inline constexpr std::string_view kFunctionCall = "function_call";

inline constexpr std::string_view kModalityText = "text";
inline constexpr std::string_view kServiceTierAuto = "auto";
inline constexpr std::string_view kServiceTierDefault = "default";
inline constexpr std::string_view kResponseFormatText = "text";
inline constexpr std::string_view kResponseFormatJsonObject = "json_object";
inline constexpr std::string_view kResponseFormatJsonSchema = "json_schema";

// Messages and content parts.
inline constexpr std::string_view kRole = "role";
inline constexpr std::string_view kContent = "content";
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kType = "type";
inline constexpr std::string_view kText = "text";
inline constexpr std::string_view kImageUrl = "image_url";
inline constexpr std::string_view kUrl = "url";
inline constexpr std::string_view kDetail = "detail";
inline constexpr std::string_view kFile = "file";
inline constexpr std::string_view kFileData = "file_data";
inline constexpr std::string_view kFilename = "filename";
inline constexpr std::string_view kRefusal = "refusal";
inline constexpr std::string_view kToolCalls = "tool_calls";
inline constexpr std::string_view kToolCallId = "tool_call_id";
inline constexpr std::string_view kId = "id";
inline constexpr std::string_view kFunction = "function";
inline constexpr std::string_view kArguments = "arguments";
inline constexpr std::string_view kDescription = "description";
inline constexpr std::string_view kParameters = "parameters";
inline constexpr std::string_view kStrict = "strict";
inline constexpr std::string_view kCacheControl = "cache_control";
inline constexpr std::string_view kIndex = "index";

inline constexpr std::string_view kRoleSystem = "system";
inline constexpr std::string_view kRoleDeveloper = "developer";
inline constexpr std::string_view kRoleUser = "user";
inline constexpr std::string_view kRoleAssistant = "assistant";
inline constexpr std::string_view kRoleTool = "tool";
inline constexpr std::string_view kRoleFunction = "function";  // deprecated

inline constexpr std::string_view kPartText = "text";
inline constexpr std::string_view kPartImageUrl = "image_url";
inline constexpr std::string_view kPartFile = "file";
inline constexpr std::string_view kPartRefusal = "refusal";
inline constexpr std::string_view kPartThinking = "thinking";
inline constexpr std::string_view kPartRedactedThinking = "redacted_thinking";

inline constexpr std::string_view kToolTypeFunction = "function";
inline constexpr std::string_view kToolChoiceAuto = "auto";
inline constexpr std::string_view kToolChoiceNone = "none";
inline constexpr std::string_view kToolChoiceRequired = "required";

// Reasoning vendor fields.
inline constexpr std::string_view kReasoningContent = "reasoning_content";
inline constexpr std::string_view kThinkingBlocks = "thinking_blocks";
inline constexpr std::string_view kSignature = "signature";
inline constexpr std::string_view kData = "data";
inline constexpr std::string_view kRedactedContent = "redacted_content";

// Response.
inline constexpr std::string_view kObject = "object";
inline constexpr std::string_view kObjectChatCompletion = "chat.completion";
inline constexpr std::string_view kObjectChunk = "chat.completion.chunk";
inline constexpr std::string_view kCreated = "created";
inline constexpr std::string_view kChoices = "choices";
inline constexpr std::string_view kMessage = "message";
inline constexpr std::string_view kDelta = "delta";
inline constexpr std::string_view kFinishReason = "finish_reason";
inline constexpr std::string_view kUsage = "usage";
inline constexpr std::string_view kPromptTokens = "prompt_tokens";
inline constexpr std::string_view kCompletionTokens = "completion_tokens";
inline constexpr std::string_view kTotalTokens = "total_tokens";
inline constexpr std::string_view kPromptTokensDetails = "prompt_tokens_details";
inline constexpr std::string_view kCompletionTokensDetails = "completion_tokens_details";
inline constexpr std::string_view kCachedTokens = "cached_tokens";
inline constexpr std::string_view kCacheCreationTokens = "cache_creation_tokens";
inline constexpr std::string_view kReasoningTokens = "reasoning_tokens";
inline constexpr std::string_view kDone = "[DONE]";

inline constexpr std::string_view kFinishStop = "stop";
inline constexpr std::string_view kFinishLength = "length";
inline constexpr std::string_view kFinishToolCalls = "tool_calls";
inline constexpr std::string_view kFinishContentFilter = "content_filter";

// Embeddings: {"input", "dimensions", "encoding_format"} answered by {"object":"list","data":
// [{"object":"embedding","index","embedding"}],"model","usage"}. "normalize" is Titan V2's field,
// accepted on the OpenAI request for Bedrock backends.
inline constexpr std::string_view kInput = "input";
inline constexpr std::string_view kDimensions = "dimensions";
inline constexpr std::string_view kEncodingFormat = "encoding_format";
inline constexpr std::string_view kEncodingFloat = "float";
inline constexpr std::string_view kEncodingBase64 = "base64";
inline constexpr std::string_view kNormalize = "normalize";
inline constexpr std::string_view kObjectList = "list";
inline constexpr std::string_view kObjectEmbedding = "embedding";
inline constexpr std::string_view kEmbedding = "embedding";

// Errors: {"error":{"message","type","param","code"}}.
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kCode = "code";

}  // namespace sluice::schema::openai
