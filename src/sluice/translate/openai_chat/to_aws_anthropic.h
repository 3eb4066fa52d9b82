#pragma once

#include <memory>

#include "sluice/translate/translator.h"

namespace sluice::translate {

// OpenAI chat completions client → Claude on Amazon Bedrock through InvokeModel
// (/model/{id}/invoke) and InvokeModelWithResponseStream (/model/{id}/invoke-with-response-stream).
// The request becomes an Anthropic Messages body; the answer comes back as a chat.completion or
// as chat.completion.chunk SSE ending in a usage chunk and "data: [DONE]". docs/translation.md
// lists every field and how it maps.
std::unique_ptr<Translator> NewOpenAIToAWSAnthropic(Endpoint endpoint);

}  // namespace sluice::translate
