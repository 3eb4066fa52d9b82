#include "sluice/translate/bedrock/converse_translator.h"

#include "sluice/schema/bedrock/runtime.h"
#include "sluice/translate/bedrock/converse_request.h"

namespace sluice::translate::bedrock {

namespace br = schema::bedrock;

Result<UpstreamRequest> ConverseTranslator::TranslateRequest(const ClientRequest& request) {
  model_ = std::string(request.model);
  stream_ = request.stream;
  info_.model = model_;  // Bedrock answers run the requested model and do not name it
  simdjson::dom::parser parser;
  auto body = ParseClientObject(parser, request.body);
  if (!body.ok()) return body.error();
  return BuildRequest(*body);
}

Translator::ResponseShape ConverseTranslator::OnResponseHead(
    int status, std::string_view upstream_content_type) {
  if (id_.empty()) id_ = FallbackId(id_prefix_);
  return RebuildingTranslator::OnResponseHead(status, upstream_content_type);
}

Result<void> ConverseTranslator::OnStreamBytes(std::string_view bytes, std::string& out) {
  if (failed_) return Ok();
  return reader_.Feed(
      bytes,
      [&](const ConverseEvent& e) -> Result<void> {
        if (failed_) return Ok();  // nothing follows the error event
        element usage;
        if (e.type == br::kEventMessageStop) {
          stopped_ = true;
        } else if (e.type == br::kEventMetadata && Find(e.payload, br::kUsage, usage)) {
          usage_.Read(usage);
          info_.usage = usage_.ToTokenUsage();
        }
        return OnEvent(e, out);
      },
      [&](const ConverseException& ex) -> Result<void> {
        if (!failed_) FailStream(out, ex.type, ex.status, ex.message);
        return Ok();
      });
}

Result<void> ConverseTranslator::OnStreamEnd(std::string& out) {
  if (failed_) return Ok();
  if (reader_.mid_message() || !stopped_) {
    FailStream(out, "", 502,
               reader_.mid_message() ? "the Bedrock stream ended inside an event-stream message"
                                     : "the Bedrock stream ended before messageStop");
    return Ok();
  }
  EndStream(out);
  return Ok();
}

Result<void> ConverseTranslator::OnJsonAnswer(std::string_view body, std::string& out) {
  simdjson::dom::parser parser;
  auto answer = ParseConverseOutput(parser, body);
  if (!answer.ok()) return answer.error();
  usage_ = answer->usage;
  info_.usage = usage_.ToTokenUsage();
  TranslateJson(*answer, out);
  return Ok();
}

}  // namespace sluice::translate::bedrock
