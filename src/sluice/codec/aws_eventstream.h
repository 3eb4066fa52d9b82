#pragma once

// AWS event-stream binary framing (application/vnd.amazon.eventstream), as Bedrock's
// ConverseStream and InvokeModelWithResponseStream send it:
//
//   prelude:  total length (u32 BE) | headers length (u32 BE) | prelude CRC32 (u32 BE)
//   headers:  repeated { name length (u8) | name | value type (u8) | value }
//   payload:  total length - headers length - 16 bytes
//   trailer:  message CRC32 (u32 BE) over everything before it
//
// Header value types: 0 true, 1 false, 2 byte, 3 short, 4 int, 5 long, 6 bytes (u16 length),
// 7 string (u16 length), 8 timestamp (i64 ms), 9 uuid (16 bytes). Integers are big-endian; the
// CRC is CRC-32 (IEEE, as zlib computes it). A frame with a bad CRC or inconsistent lengths is an
// upstream protocol error, never a crash.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/codec/function_ref.h"
#include "sluice/core/result.h"

namespace sluice::codec {

struct EventStreamHeader {
  enum class Type : uint8_t {
    kTrue = 0, kFalse = 1, kByte = 2, kShort = 3, kInt = 4, kLong = 5,
    kBytes = 6, kString = 7, kTimestamp = 8, kUuid = 9,
  };
  std::string_view name;
  Type type = Type::kString;
  std::string_view bytes;  // kBytes, kString, kUuid
  int64_t integer = 0;     // kByte .. kLong, kTimestamp; 1/0 for kTrue/kFalse
};

// One decoded message. Views point into the decoder's buffer and are valid during the callback.
struct EventStreamMessage {
  std::vector<EventStreamHeader> headers;
  std::string_view payload;

  // The string value of a header (":event-type", ":message-type", ":exception-type", ...).
  std::optional<std::string_view> StringHeader(std::string_view name) const;
};

// Incremental decoder: Feed bytes at any chunking; complete messages are handed to the callback.
// Memory is bounded by the largest message (at most kMaxMessageBytes). Not thread-safe.
class EventStreamDecoder {
 public:
  static constexpr uint32_t kMaxMessageBytes = 16 * 1024 * 1024;  // AWS's limit

  Result<void> Feed(std::string_view bytes,
                    FunctionRef<Result<void>(const EventStreamMessage&)> on_message);
  // True when bytes of an unfinished message are buffered (a stream that ends here is truncated).
  bool mid_message() const { return !buffer_.empty(); }
  uint64_t messages() const { return messages_; }

 private:
  Result<void> DecodeOne(std::string_view frame,
                         FunctionRef<Result<void>(const EventStreamMessage&)>& on_message);

  std::string buffer_;
  EventStreamMessage scratch_;
  std::optional<Error> error_;
  uint64_t messages_ = 0;
};

// Appends one encoded message with string-valued headers (the shape Bedrock sends). For fakes,
// benchmarks and tests.
void AppendEventStreamMessage(std::string& out,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              std::string_view payload);

}  // namespace sluice::codec
