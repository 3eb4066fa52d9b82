#include <array>

#include "sluice/json/errors.h"
#include "sluice/translate/anthropic_messages/factories.h"
#include "sluice/translate/openai_chat/to_aws_anthropic.h"
#include "sluice/translate/anthropic_messages/to_bedrock_converse.h"
#include "sluice/translate/openai_chat/to_bedrock_converse.h"
#include "sluice/translate/openai_embeddings/to_bedrock_titan.h"
#include "sluice/translate/openai_passthrough.h"
#include "sluice/translate/translator.h"

namespace sluice::translate {

namespace {

using Factory = std::unique_ptr<Translator> (*)(Endpoint);
using config::SchemaName;

struct Entry {
  Endpoint endpoint;
  SchemaName schema;
  Factory factory;
};

// The supported (client endpoint, backend schema) pairs. One line per pair; a translation unit per
// pair family. OpenAI → OpenAI passthrough comes first.
constexpr std::array kRegistry = {
    Entry{Endpoint::kChatCompletions, SchemaName::kOpenAI, &NewOpenAIPassthrough},
    Entry{Endpoint::kCompletions, SchemaName::kOpenAI, &NewOpenAIPassthrough},
    Entry{Endpoint::kEmbeddings, SchemaName::kOpenAI, &NewOpenAIPassthrough},
    Entry{Endpoint::kChatCompletions, SchemaName::kAzureOpenAI, &NewAzureOpenAI},
    Entry{Endpoint::kEmbeddings, SchemaName::kAzureOpenAI, &NewAzureOpenAI},
    Entry{Endpoint::kMessages, SchemaName::kAnthropic, &NewAnthropicPassthrough},
    Entry{Endpoint::kMessagesCountTokens, SchemaName::kAnthropic, &NewAnthropicPassthrough},
    Entry{Endpoint::kMessages, SchemaName::kOpenAI, &NewAnthropicToOpenAI},
    Entry{Endpoint::kMessages, SchemaName::kAWSAnthropic, &NewAnthropicToAWSAnthropic},
    Entry{Endpoint::kMessagesCountTokens, SchemaName::kAWSAnthropic, &NewAnthropicToAWSAnthropic},
    Entry{Endpoint::kChatCompletions, SchemaName::kAWSBedrock, &NewOpenAIChatToBedrockConverse},
    Entry{Endpoint::kEmbeddings, SchemaName::kAWSBedrock, &NewOpenAIEmbeddingsToBedrockTitan},
    Entry{Endpoint::kMessages, SchemaName::kAWSBedrock, &NewAnthropicToBedrockConverse},
    // CountTokens is one Bedrock operation whatever API serves the model: it takes an InvokeModel
    // body, so an AWSBedrock backend counts the way an AWSAnthropic one does.
    Entry{Endpoint::kMessagesCountTokens, SchemaName::kAWSBedrock, &NewAnthropicToAWSAnthropic},
    Entry{Endpoint::kChatCompletions, SchemaName::kAWSAnthropic, &NewOpenAIToAWSAnthropic},
};

}  // namespace

std::string_view EndpointName(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kChatCompletions: return "/v1/chat/completions";
    case Endpoint::kCompletions: return "/v1/completions";
    case Endpoint::kEmbeddings: return "/v1/embeddings";
    case Endpoint::kMessages: return "/anthropic/v1/messages";
    case Endpoint::kMessagesCountTokens: return "/anthropic/v1/messages/count_tokens";
  }
  return "";
}

ClientApi ApiOf(Endpoint endpoint) {
  return endpoint == Endpoint::kMessages || endpoint == Endpoint::kMessagesCountTokens
             ? ClientApi::kAnthropic
             : ClientApi::kOpenAI;
}

std::unique_ptr<Translator> NewTranslator(Endpoint endpoint, SchemaName schema) {
  for (const Entry& e : kRegistry) {
    if (e.endpoint == endpoint && e.schema == schema) return e.factory(endpoint);
  }
  return nullptr;
}

bool Supports(Endpoint endpoint, SchemaName schema) {
  for (const Entry& e : kRegistry) {
    if (e.endpoint == endpoint && e.schema == schema) return true;
  }
  return false;
}

Result<void> SpliceModelOverride(const ClientRequest& request, std::string& out) {
  if (request.model_value) {
    out = json::WithModelAt(request.body, *request.model_value, request.model_override);
    return Ok();
  }
  out = std::string(request.body);
  return json::SpliceModel(out, request.model_override);
}

ClientError GatewayError(int status, std::string_view type, std::string_view message) {
  return {status, "application/json", json::OpenAIErrorJson(type, status, message)};
}

}  // namespace sluice::translate
