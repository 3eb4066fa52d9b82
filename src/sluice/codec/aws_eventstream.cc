#include "sluice/codec/aws_eventstream.h"

#include <zlib.h>

#include <cstring>

namespace sluice::codec {

namespace {

constexpr size_t kPreludeBytes = 12;
constexpr size_t kMinMessageBytes = 16;  // prelude + message CRC

uint32_t ReadU32(const char* p) {
  return (uint32_t(uint8_t(p[0])) << 24) | (uint32_t(uint8_t(p[1])) << 16) |
         (uint32_t(uint8_t(p[2])) << 8) | uint32_t(uint8_t(p[3]));
}

uint64_t ReadBigEndian(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | uint8_t(p[i]);
  return v;
}

void AppendU32(std::string& out, uint32_t v) {
  out += char(v >> 24);
  out += char(v >> 16);
  out += char(v >> 8);
  out += char(v);
}

uint32_t Crc32(std::string_view data) {
  return uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), uInt(data.size())));
}

Error Corrupt(std::string message) {
  return Error(ErrorKind::kProtocol, "malformed AWS event-stream frame: " + std::move(message),
               ErrorSource::kUpstream, false);
}

}  // namespace

std::optional<std::string_view> EventStreamMessage::StringHeader(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name == name && h.type == EventStreamHeader::Type::kString) return h.bytes;
  }
  return std::nullopt;
}

Result<void> EventStreamDecoder::Feed(
    std::string_view bytes, FunctionRef<Result<void>(const EventStreamMessage&)> on_message) {
  if (error_) return *error_;
  auto fail = [&](Error e) -> Result<void> {
    error_ = e;
    return e;
  };
  // Decode whole frames straight from `bytes` when nothing is buffered; buffer only the tail.
  std::string_view input = bytes;
  if (!buffer_.empty()) {
    buffer_.append(bytes);
    input = buffer_;
  }
  size_t consumed = 0;
  while (input.size() - consumed >= kPreludeBytes) {
    const char* p = input.data() + consumed;
    const uint32_t total = ReadU32(p);
    if (total < kMinMessageBytes || total > kMaxMessageBytes) {
      return fail(Corrupt("total length " + std::to_string(total) + " out of range"));
    }
    if (Crc32(std::string_view(p, 8)) != ReadU32(p + 8)) {
      return fail(Corrupt("prelude CRC mismatch"));
    }
    if (input.size() - consumed < total) break;
    if (auto r = DecodeOne(std::string_view(p, total), on_message); !r.ok()) {
      return fail(r.error());
    }
    consumed += total;
  }
  if (input.data() == buffer_.data() && !buffer_.empty()) {
    buffer_.erase(0, consumed);
  } else {
    buffer_.assign(input.substr(consumed));
  }
  return Ok();
}

Result<void> EventStreamDecoder::DecodeOne(
    std::string_view frame, FunctionRef<Result<void>(const EventStreamMessage&)>& on_message) {
  const uint32_t total = uint32_t(frame.size());
  const uint32_t headers_len = ReadU32(frame.data() + 4);
  if (headers_len > total - kMinMessageBytes) {
    return Corrupt("headers length " + std::to_string(headers_len) + " exceeds the message");
  }
  if (Crc32(frame.substr(0, total - 4)) != ReadU32(frame.data() + total - 4)) {
    return Corrupt("message CRC mismatch");
  }
  scratch_.headers.clear();
  std::string_view h = frame.substr(kPreludeBytes, headers_len);
  while (!h.empty()) {
    EventStreamHeader header;
    const size_t name_len = uint8_t(h[0]);
    if (h.size() < 1 + name_len + 1) return Corrupt("truncated header name");
    header.name = h.substr(1, name_len);
    const uint8_t type = uint8_t(h[1 + name_len]);
    h.remove_prefix(2 + name_len);
    using T = EventStreamHeader::Type;
    auto fixed = [&](size_t n) -> bool {
      if (h.size() < n) return false;
      header.integer = int64_t(ReadBigEndian(h.data(), n));
      // Sign-extend the narrower integer types.
      if (n < 8 && (header.integer >> (8 * n - 1)) & 1) header.integer -= int64_t(1) << (8 * n);
      h.remove_prefix(n);
      return true;
    };
    switch (type) {
      case 0: header.type = T::kTrue; header.integer = 1; break;
      case 1: header.type = T::kFalse; header.integer = 0; break;
      case 2: header.type = T::kByte; if (!fixed(1)) return Corrupt("truncated byte header"); break;
      case 3: header.type = T::kShort; if (!fixed(2)) return Corrupt("truncated short header"); break;
      case 4: header.type = T::kInt; if (!fixed(4)) return Corrupt("truncated int header"); break;
      case 5: header.type = T::kLong; if (!fixed(8)) return Corrupt("truncated long header"); break;
      case 8:
        header.type = T::kTimestamp;
        if (!fixed(8)) return Corrupt("truncated timestamp header");
        break;
      case 6:
      case 7: {
        header.type = type == 6 ? T::kBytes : T::kString;
        if (h.size() < 2) return Corrupt("truncated header value length");
        const size_t len = size_t(ReadBigEndian(h.data(), 2));
        if (h.size() < 2 + len) return Corrupt("truncated header value");
        header.bytes = h.substr(2, len);
        h.remove_prefix(2 + len);
        break;
      }
      case 9:
        header.type = T::kUuid;
        if (h.size() < 16) return Corrupt("truncated uuid header");
        header.bytes = h.substr(0, 16);
        h.remove_prefix(16);
        break;
      default:
        return Corrupt("unknown header value type " + std::to_string(type));
    }
    scratch_.headers.push_back(header);
  }
  scratch_.payload = frame.substr(kPreludeBytes + headers_len, total - headers_len - kMinMessageBytes);
  ++messages_;
  return on_message(scratch_);
}

void AppendEventStreamMessage(std::string& out,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              std::string_view payload) {
  std::string encoded_headers;
  for (const auto& [name, value] : headers) {
    encoded_headers += char(uint8_t(name.size()));
    encoded_headers += name;
    encoded_headers += char(7);  // string
    encoded_headers += char(uint8_t(value.size() >> 8));
    encoded_headers += char(uint8_t(value.size()));
    encoded_headers += value;
  }
  const uint32_t total = uint32_t(kMinMessageBytes + encoded_headers.size() + payload.size());
  const size_t start = out.size();
  AppendU32(out, total);
  AppendU32(out, uint32_t(encoded_headers.size()));
  AppendU32(out, Crc32(std::string_view(out).substr(start, 8)));
  out += encoded_headers;
  out += payload;
  AppendU32(out, Crc32(std::string_view(out).substr(start)));
}

}  // namespace sluice::codec
