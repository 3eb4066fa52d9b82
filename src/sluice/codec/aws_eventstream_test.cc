// Expected bytes are AWS's published event-stream test vectors (the "encoded/positive" suite that
// the AWS SDKs share: empty_message, int32_header, payload_no_headers, payload_one_str_header).

#include "sluice/codec/aws_eventstream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::codec {
namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out += char(uint8_t(v));
  return out;
}

const std::string kEmptyMessage = Bytes({0, 0, 0, 16, 0, 0, 0, 0, 5, 194, 72, 235, 125, 152, 200, 255});
const std::string kInt32Header =
    Bytes({0,   0,   0,   45,  0,   0,   0,   16,  65,  196, 36,  184, 10,  101, 118, 101,
           110, 116, 45,  116, 121, 112, 101, 4,   0,   0,   160, 12,  123, 39,  102, 111,
           111, 39,  58,  39,  98,  97,  114, 39,  125, 54,  244, 128, 160});
const std::string kPayloadNoHeaders =
    Bytes({0, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97,
           114, 39, 125, 195, 101, 57, 54});
const std::string kPayloadOneStrHeader =
    Bytes({0,   0,   0,   61,  0,   0,   0,   32,  7,   253, 131, 150, 12,  99,  111, 110,
           116, 101, 110, 116, 45,  116, 121, 112, 101, 7,   0,   16,  97,  112, 112, 108,
           105, 99,  97,  116, 105, 111, 110, 47,  106, 115, 111, 110, 123, 39,  102, 111,
           111, 39,  58,  39,  98,  97,  114, 39,  125, 141, 156, 8,   177});

struct Seen {
  std::vector<std::string> payloads;
  std::vector<std::string> summaries;  // "name=value;..." per message
};

Result<void> FeedSplit(const std::string& input, const std::vector<size_t>& cuts, Seen& seen) {
  EventStreamDecoder decoder;
  size_t start = 0;
  std::vector<size_t> points = cuts;
  points.push_back(input.size());
  for (size_t cut : points) {
    // Each piece lives in its own buffer that is overwritten afterwards, like a socket read.
    std::string piece = input.substr(start, cut - start);
    auto r = decoder.Feed(piece, [&](const EventStreamMessage& m) -> Result<void> {
      seen.payloads.emplace_back(m.payload);
      std::string summary;
      for (const auto& h : m.headers) {
        summary += std::string(h.name) + "=";
        summary += h.type == EventStreamHeader::Type::kString ? std::string(h.bytes)
                                                              : std::to_string(h.integer);
        summary += ";";
      }
      seen.summaries.push_back(summary);
      return Ok();
    });
    std::fill(piece.begin(), piece.end(), '\xAA');
    if (!r.ok()) return r;
    start = cut;
  }
  if (decoder.mid_message()) return Error(ErrorKind::kProtocol, "truncated");
  return Ok();
}

TEST(AwsEventStream, PublishedVectorsAtEveryTwoWaySplit) {
  const std::string all = kEmptyMessage + kInt32Header + kPayloadNoHeaders + kPayloadOneStrHeader;
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    Seen seen;
    ASSERT_TRUE(FeedSplit(all, {cut}, seen).ok()) << "cut " << cut;
    ASSERT_EQ(seen.payloads.size(), 4u) << "cut " << cut;
    EXPECT_EQ(seen.payloads[0], "");
    EXPECT_EQ(seen.summaries[0], "");
    EXPECT_EQ(seen.payloads[1], "{'foo':'bar'}");
    EXPECT_EQ(seen.summaries[1], "event-type=40972;");
    EXPECT_EQ(seen.payloads[2], "{'foo':'bar'}");
    EXPECT_EQ(seen.summaries[2], "");
    EXPECT_EQ(seen.payloads[3], "{'foo':'bar'}");
    EXPECT_EQ(seen.summaries[3], "content-type=application/json;");
  }
}

TEST(AwsEventStream, ThreeWaySplitsAndByteByByte) {
  const std::string all = kInt32Header + kPayloadOneStrHeader;
  for (size_t a = 0; a <= all.size(); a += 3) {
    for (size_t b = a; b <= all.size(); b += 5) {
      Seen seen;
      ASSERT_TRUE(FeedSplit(all, {a, b}, seen).ok());
      ASSERT_EQ(seen.payloads.size(), 2u);
    }
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < all.size(); ++i) every.push_back(i);
  Seen seen;
  ASSERT_TRUE(FeedSplit(all, every, seen).ok());
  EXPECT_EQ(seen.summaries, (std::vector<std::string>{"event-type=40972;",
                                                      "content-type=application/json;"}));
}

TEST(AwsEventStream, EncoderReproducesThePublishedStringHeaderVector) {
  std::string out;
  AppendEventStreamMessage(out, {{"content-type", "application/json"}}, "{'foo':'bar'}");
  EXPECT_EQ(out, kPayloadOneStrHeader);
  out.clear();
  AppendEventStreamMessage(out, {}, "");
  EXPECT_EQ(out, kEmptyMessage);
}

TEST(AwsEventStream, CorruptFramesAreProtocolErrorsAndSticky) {
  // A flipped payload byte breaks the message CRC; a flipped length breaks the prelude CRC.
  std::string bad_payload = kPayloadNoHeaders;
  bad_payload[14] ^= 1;
  std::string bad_prelude = kPayloadNoHeaders;
  bad_prelude[3] ^= 1;
  std::string huge = Bytes({0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  for (const std::string& input : {bad_payload, bad_prelude, huge}) {
    EventStreamDecoder decoder;
    int messages = 0;
    auto r = decoder.Feed(input, [&](const EventStreamMessage&) -> Result<void> {
      ++messages;
      return Ok();
    });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::kProtocol);
    EXPECT_EQ(r.error().source(), ErrorSource::kUpstream);
    EXPECT_EQ(messages, 0);
    // Later input is refused too: the stream cannot be resynchronised.
    EXPECT_FALSE(decoder.Feed(kEmptyMessage, [&](const EventStreamMessage&) -> Result<void> {
                          return Ok();
                        }).ok());
  }
}

TEST(AwsEventStream, CallbackErrorStopsDecoding) {
  EventStreamDecoder decoder;
  auto r = decoder.Feed(kInt32Header + kInt32Header, [&](const EventStreamMessage&) -> Result<void> {
    return Error(ErrorKind::kProtocol, "stop");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "stop");
}

TEST(AwsEventStream, StringHeaderLookup) {
  std::string frame;
  AppendEventStreamMessage(frame, {{":event-type", "contentBlockDelta"},
                                   {":content-type", "application/json"},
                                   {":message-type", "event"}},
                           R"({"delta":{"text":"hi"}})");
  EventStreamDecoder decoder;
  std::string event_type;
  ASSERT_TRUE(decoder.Feed(frame, [&](const EventStreamMessage& m) -> Result<void> {
    event_type = std::string(m.StringHeader(":event-type").value_or(""));
    EXPECT_FALSE(m.StringHeader(":missing").has_value());
    return Ok();
  }).ok());
  EXPECT_EQ(event_type, "contentBlockDelta");
}

}  // namespace
}  // namespace sluice::codec
