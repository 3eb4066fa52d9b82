#pragma once

// InvokeModelWithResponseStream for Claude: AWS event-stream frames (codec/aws_eventstream) whose
// "chunk" events carry {"bytes":"<base64 of one Anthropic streaming event JSON>"}, and whose
// exception frames (":message-type: exception") carry {"message":M} with the type in
// ":exception-type" (Bedrock API reference, InvokeModelWithResponseStream, "Response Syntax").
// Feeds at any chunking; one instance per stream; not thread-safe.

#include <string>
#include <string_view>

#include "sluice/codec/aws_eventstream.h"
#include "sluice/codec/function_ref.h"
#include "sluice/core/result.h"

namespace sluice::translate::common {

class BedrockInvokeStream {
 public:
  struct Handler {
    // One decoded Anthropic event (JSON text), in order.
    codec::FunctionRef<Result<void>(std::string_view event_json)> on_event;
    // An exception frame: type (e.g. "throttlingException") and message.
    codec::FunctionRef<Result<void>(std::string_view type, std::string_view message)> on_exception;
  };

  // A frame that fails its CRC, a chunk that is not {"bytes": base64} or whose bytes are not
  // JSON: kProtocol from the upstream.
  Result<void> Feed(std::string_view bytes, const Handler& handler);
  bool mid_message() const { return decoder_.mid_message(); }

 private:
  codec::EventStreamDecoder decoder_;
  std::string decoded_;
};

}  // namespace sluice::translate::common
