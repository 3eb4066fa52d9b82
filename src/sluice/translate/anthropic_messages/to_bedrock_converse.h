#pragma once

#include <memory>

#include "sluice/translate/translator.h"

namespace sluice::translate {

// Anthropic Messages client (POST /anthropic/v1/messages) → AWS Bedrock Converse
// (/model/{id}/converse) and ConverseStream (/model/{id}/converse-stream); the answer comes back
// as an Anthropic message, or as Anthropic's SSE event stream (message_start,
// content_block_start/delta/stop for text, thinking and tool_use, message_delta with stop_reason
// and usage, message_stop). docs/translation.md lists every field and how it maps.
std::unique_ptr<Translator> NewAnthropicToBedrockConverse(Endpoint endpoint);

}  // namespace sluice::translate
