#include "sluice/translate/bedrock/converse_translator.h"

#include "sluice/schema/bedrock/runtime.h"
#include "sluice/translate/bedrock/converse_request.h"

namespace sluice::translate::bedrock {

Result<UpstreamRequest> ConverseTranslator::TranslateRequest(const ClientRequest& request) {
  model_ = std::string(request.model);
  stream_ = request.stream;
  info_.model = model_;  // Bedrock answers run the requested model and do not name it
  simdjson::dom::parser parser;
  auto body = ParseClientObject(parser, request.body);
  if (!body.ok()) return body.error();
  return BuildRequest(*body);
}

Result<void> ConverseTranslator::OnUpstreamBody(std::string_view bytes, std::string& out) {
  if (!stream_) {
    body_.append(bytes);
    return Ok();
  }
  if (failed_) return Ok();
  return reader_.Feed(
      bytes,
      [&](const ConverseEvent& e) -> Result<void> {
        if (failed_) return Ok();  // nothing follows the error event
        element usage;
        if (e.type == schema::bedrock::kEventMessageStop) {
          stopped_ = true;
        } else if (e.type == schema::bedrock::kEventMetadata &&
                   Find(e.payload, schema::bedrock::kUsage, usage)) {
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

Result<void> ConverseTranslator::OnUpstreamEnd(std::string& out) {
  if (!stream_) {
    simdjson::dom::parser parser;
    auto answer = ParseConverseOutput(parser, body_);
    if (!answer.ok()) return answer.error();
    usage_ = answer->usage;
    info_.usage = usage_.ToTokenUsage();
    TranslateJson(*answer, out);
    return Ok();
  }
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

}  // namespace sluice::translate::bedrock
