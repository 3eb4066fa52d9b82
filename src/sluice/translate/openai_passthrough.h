#pragma once

#include <memory>

#include "sluice/translate/translator.h"

namespace sluice::translate {

// OpenAI-compatible client → OpenAI-compatible backend (chat completions, completions,
// embeddings): the body goes upstream as received (model already spliced by the pipeline when
// overridden), the answer comes back byte for byte, usage is read on the side.
std::unique_ptr<Translator> NewOpenAIPassthrough(Endpoint endpoint);

// OpenAI-compatible client → Azure OpenAI (chat completions, embeddings): the same exchange with
// the deployment and api-version in the path.
std::unique_ptr<Translator> NewAzureOpenAI(Endpoint endpoint);

}  // namespace sluice::translate
