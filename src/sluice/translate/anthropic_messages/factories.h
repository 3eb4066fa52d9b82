#pragma once

// Translators for the Anthropic Messages endpoints (POST /anthropic/v1/messages and
// /anthropic/v1/messages/count_tokens), one per backend schema.

#include <memory>

#include "sluice/translate/translator.h"

namespace sluice::translate {

// Schema Anthropic: native passthrough. POST {prefix}/messages (count_tokens:
// /v1/messages/count_tokens); model spliced when overridden; anthropic-version and anthropic-beta
// kept (anthropic-version added when the client sent none); the answer relayed byte for byte,
// usage read from the message (or message_start / message_delta events).
std::unique_ptr<Translator> NewAnthropicPassthrough(Endpoint endpoint);

// Schema OpenAI: the Messages request becomes a chat completions request and the answer (JSON or
// SSE) becomes an Anthropic message or event stream.
std::unique_ptr<Translator> NewAnthropicToOpenAI(Endpoint endpoint);

// Schema AWSAnthropic: Claude on Bedrock through InvokeModel (/model/{id}/invoke and
// /invoke-with-response-stream; count_tokens through /model/{base id}/count-tokens). The stream's
// event-stream frames are re-emitted as Anthropic SSE.
std::unique_ptr<Translator> NewAnthropicToAWSAnthropic(Endpoint endpoint);

}  // namespace sluice::translate
