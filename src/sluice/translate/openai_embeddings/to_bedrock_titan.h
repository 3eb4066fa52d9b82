#pragma once

#include <memory>

#include "sluice/translate/translator.h"

namespace sluice::translate {

// OpenAI embeddings client → Amazon Titan Text Embeddings on AWS Bedrock (POST /model/{id}/invoke
// with {"inputText","dimensions","normalize"}), answered in OpenAI's embeddings shape with usage
// from inputTextTokenCount. Titan embeds one text per call: a batch is a 422.
std::unique_ptr<Translator> NewOpenAIEmbeddingsToBedrockTitan(Endpoint endpoint);

}  // namespace sluice::translate
