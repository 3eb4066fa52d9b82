#include "sluice/translate/common/bedrock_invoke_stream.h"

#include "sluice/core/strings.h"
#include "sluice/schema/bedrock/runtime.h"
#include "sluice/translate/common/json_util.h"

namespace sluice::translate::common {

namespace br = schema::bedrock;

Result<void> BedrockInvokeStream::Feed(std::string_view bytes, const Handler& handler) {
  return decoder_.Feed(bytes, [&](const codec::EventStreamMessage& m) -> Result<void> {
    const auto message_type =
        m.StringHeader(br::kEventHeaderMessageType).value_or(br::kMessageTypeEvent);
    if (message_type != br::kMessageTypeEvent) {
      std::string_view type = m.StringHeader(br::kEventHeaderExceptionType)
                                  .value_or(m.StringHeader(br::kEventHeaderEventType).value_or(""));
      std::string message(m.payload);
      if (auto parsed = ParseJson(m.payload, ErrorSource::kUpstream);
          parsed.ok() && parsed->is_object()) {
        if (auto msg = FindString(parsed->get_object(), br::kErrorMessage))
          message = std::string(*msg);
      }
      return handler.on_exception(type, message);
    }
    if (m.StringHeader(br::kEventHeaderEventType).value_or(br::kEventChunk) != br::kEventChunk) {
      return Ok();  // other event types carry nothing a client needs
    }
    auto parsed = ParseJson(m.payload, ErrorSource::kUpstream);
    const bj::object* o = parsed.ok() ? parsed->if_object() : nullptr;
    const auto b64 = o ? FindString(*o, br::kBytes) : std::nullopt;
    if (!b64) {
      return Error(ErrorKind::kProtocol, "Bedrock chunk without \"bytes\"", ErrorSource::kUpstream);
    }
    auto decoded = Base64Decode(*b64);
    if (!decoded) {
      return Error(ErrorKind::kProtocol, "Bedrock chunk bytes are not base64",
                   ErrorSource::kUpstream);
    }
    decoded_ = std::move(*decoded);
    return handler.on_event(decoded_);
  });
}

}  // namespace sluice::translate::common
