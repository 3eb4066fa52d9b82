#include "sluice/translate/rebuilding_translator.h"

namespace sluice::translate {

Translator::ResponseShape RebuildingTranslator::OnResponseHead(int, std::string_view) {
  if (stream_) return {"text/event-stream", true};
  return {"application/json", false};
}

Result<void> RebuildingTranslator::OnUpstreamBody(std::string_view bytes, std::string& out) {
  if (!stream_) {
    body_.append(bytes);
    return Ok();
  }
  return OnStreamBytes(bytes, out);
}

Result<void> RebuildingTranslator::OnUpstreamEnd(std::string& out) {
  if (stream_) return OnStreamEnd(out);
  return OnJsonAnswer(body_, out);
}

}  // namespace sluice::translate
