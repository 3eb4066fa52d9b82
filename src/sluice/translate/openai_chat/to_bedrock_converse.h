#pragma once

#include <memory>

#include "sluice/translate/translator.h"

namespace sluice::translate {

// OpenAI chat completions client → AWS Bedrock Converse (POST /model/{id}/converse) and
// ConverseStream (/model/{id}/converse-stream), the answer back as an OpenAI chat.completion or a
// chat.completion.chunk SSE stream ending in "data: [DONE]". docs/translation.md lists every field
// and how it maps.
std::unique_ptr<Translator> NewOpenAIChatToBedrockConverse(Endpoint endpoint);

}  // namespace sluice::translate
