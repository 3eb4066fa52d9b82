#include "sluice/codec/sse.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace sluice::codec {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(SLUICE_TESTDATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Ev {
  std::string event, data, id;
  bool operator==(const Ev&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Ev& e) {
  return os << "{event=\"" << e.event << "\" data=\"" << e.data << "\" id=\"" << e.id << "\"}";
}

struct Outcome {
  std::vector<Ev> events;
  uint64_t comments = 0;
  bool ok = true;
  std::string last_event_id;
  std::optional<uint64_t> retry;
  bool mid_event = false;
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "ok=" << o.ok << " comments=" << o.comments << " mid_event=" << o.mid_event
     << " retry=" << (o.retry ? std::to_string(*o.retry) : "none") << " events=[";
  for (const Ev& e : o.events) os << e << " ";
  return os << "]";
}

// Feeds `chunks` one by one, each from its own heap buffer that is scribbled over and freed right
// after Feed returns, so a view kept past Feed shows up as wrong data (or an ASan report).
Outcome FeedChunks(const std::vector<std::string_view>& chunks,
                   size_t max = SseParser::kDefaultMaxEventBytes) {
  SseParser parser(max);
  Outcome out;
  for (std::string_view chunk : chunks) {
    auto buffer = std::make_unique<char[]>(chunk.size() + 1);
    std::memcpy(buffer.get(), chunk.data(), chunk.size());
    auto r = parser.Feed(std::string_view(buffer.get(), chunk.size()), [&](const SseEvent& e) {
      out.events.push_back(Ev{std::string(e.event), std::string(e.data), std::string(e.id)});
      return Ok();
    });
    std::memset(buffer.get(), 'X', chunk.size());
    if (!r.ok()) {
      out.ok = false;
      EXPECT_EQ(r.error().kind(), ErrorKind::kTooLarge);
      break;
    }
  }
  out.comments = parser.comments();
  out.last_event_id = parser.last_event_id();
  out.retry = parser.retry();
  out.mid_event = out.ok && parser.mid_event();  // meaningless once failed
  EXPECT_EQ(parser.events(), out.events.size());
  return out;
}

// Checks that `input` gives `expected` whole, split at every byte boundary into two chunks, into
// three chunks at every pair of boundaries (inputs up to 96 bytes), and one byte at a time.
void ExpectAllSplits(std::string_view input, const Outcome& expected,
                     size_t max = SseParser::kDefaultMaxEventBytes) {
  EXPECT_EQ(FeedChunks({input}, max), expected) << "whole input";
  for (size_t i = 0; i <= input.size(); ++i) {
    ASSERT_EQ(FeedChunks({input.substr(0, i), input.substr(i)}, max), expected) << "split at " << i;
  }
  if (input.size() <= 96) {
    for (size_t i = 0; i <= input.size(); ++i) {
      for (size_t j = i; j <= input.size(); ++j) {
        ASSERT_EQ(FeedChunks({input.substr(0, i), input.substr(i, j - i), input.substr(j)}, max),
                  expected)
            << "split at " << i << " and " << j;
      }
    }
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  EXPECT_EQ(FeedChunks(bytes, max), expected) << "byte by byte";
}

Outcome Events(std::vector<Ev> events, uint64_t comments = 0) {
  Outcome o;
  o.events = std::move(events);
  o.comments = comments;
  for (const Ev& e : o.events) o.last_event_id = e.id;
  return o;
}

// WHATWG HTML §9.2.1 (Introduction): three messages, the second with two data lines.
TEST(SseParserTest, SpecIntroductionMessages) {
  ExpectAllSplits(
      "data: This is the first message.\n\n"
      "data: This is the second message, it\n"
      "data: has two lines.\n\n"
      "data: This is the third message.\n\n",
      Events({{"", "This is the first message.", ""},
              {"", "This is the second message, it\nhas two lines.", ""},
              {"", "This is the third message.", ""}}));
}

// §9.2.1: event types "add" and "remove".
TEST(SseParserTest, SpecEventTypes) {
  ExpectAllSplits(
      "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n",
      Events({{"add", "73857293", ""}, {"remove", "2153", ""}, {"add", "113411", ""}}));
}

// §9.2.6 first example: a comment, ids (an "id" line with no colon resets the id to empty), a
// field without the optional space, and a last block never dispatched for lack of a blank line.
TEST(SseParserTest, SpecIdsAndUnterminatedLastBlock) {
  Outcome expected = Events({{"", "first event", "1"}, {"", "second event", ""}}, 1);
  expected.mid_event = true;
  ExpectAllSplits(
      ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n",
      expected);
}

// §9.2.6 second example: "data" alone and "data:" give empty data; two "data" lines give "\n";
// the final block is not followed by a blank line and is discarded.
TEST(SseParserTest, SpecEmptyDataLines) {
  Outcome expected = Events({{"", "", ""}, {"", "\n", ""}});
  expected.mid_event = true;
  ExpectAllSplits("data\n\ndata\ndata\n\ndata:", expected);
}

// §9.2.6 third example: a space after the colon is optional.
TEST(SseParserTest, SpecOptionalSpace) {
  ExpectAllSplits("data:test\n\ndata: test\n\n", Events({{"", "test", ""}, {"", "test", ""}}));
}

TEST(SseParserTest, LineEndingsCrLfCrAndLf) {
  Outcome expected = Events({{"a", "1\n2", ""}, {"", "3", ""}, {"", "4", ""}, {"", "5", ""}});
  ExpectAllSplits("event: a\r\ndata: 1\rdata: 2\n\r\ndata: 3\r\rdata: 4\n\ndata: 5\r\n\r\n",
                  expected);
  // CR CR is two line ends (an empty line), not one.
  ExpectAllSplits("data: x\r\r", Events({{"", "x", ""}}));
  // LF CR is two line ends too.
  ExpectAllSplits("data: y\n\r", Events({{"", "y", ""}}));
}

TEST(SseParserTest, OnlyOneLeadingSpaceIsStrippedAndColonsInValuesKept) {
  ExpectAllSplits("data:  two spaces\ndata:\tx\ndata: a:b: c\n\n",
                  Events({{"", " two spaces\n\tx\na:b: c", ""}}));
}

TEST(SseParserTest, CommentsAreCountedAndIgnored) {
  ExpectAllSplits(": keep-alive\n\n:\n: x\ndata: a\n: inside an event\ndata: b\n\n",
                  Events({{"", "a\nb", ""}}, 4));
}

TEST(SseParserTest, EventWithoutDataIsNotDispatchedAndResetsType) {
  ExpectAllSplits("event: ping\n\ndata: d\n\n", Events({{"", "d", ""}}));
  ExpectAllSplits("event: a\nevent: b\ndata: d\n\n", Events({{"b", "d", ""}}));
  ExpectAllSplits("\n\n\n", Events({}));
}

TEST(SseParserTest, FieldsWithoutColonAndUnknownFields) {
  // "event" with no colon sets an empty type; unknown fields (and case variants) are ignored.
  ExpectAllSplits("event: x\nevent\nfoo: bar\nData: no\nDATA\ndata: yes\n\n",
                  Events({{"", "yes", ""}}));
}

TEST(SseParserTest, IdPersistsAndIgnoresNul) {
  Outcome expected = Events({{"", "a", "5"}, {"", "b", "5"}, {"", "c", "6"}, {"", "d", "6"}});
  static constexpr char kInput[] =
      "id: 5\ndata: a\n\ndata: b\n\nid: 6\ndata: c\n\nid: 7\0x\ndata: d\n\n";
  ExpectAllSplits(std::string_view(kInput, sizeof(kInput) - 1), expected);
  // An id in an event that is never dispatched still updates the last event ID buffer.
  Outcome only_id;
  only_id.last_event_id = "9";
  ExpectAllSplits("id: 9\n\n", only_id);
}

TEST(SseParserTest, Retry) {
  Outcome expected = Events({{"", "x", ""}});
  expected.retry = 3000;
  ExpectAllSplits("retry: 3000\nretry: 30x\nretry:\nretry: -1\ndata: x\n\n", expected);
  Outcome big;
  big.retry = UINT64_MAX;
  ExpectAllSplits("retry: 999999999999999999999999\n", big);
  EXPECT_TRUE(FeedChunks({"retry: 1\n"}).mid_event == false);
}

TEST(SseParserTest, LeadingBomIsSkippedOnce) {
  ExpectAllSplits(
      "\xEF\xBB\xBF"
      "data: a\n\n",
      Events({{"", "a", ""}}));
  // A second BOM is part of the first field name, which is then unknown.
  ExpectAllSplits(
      "\xEF\xBB\xBF\xEF\xBB\xBF"
      "data: a\n\ndata: b\n\n",
      Events({{"", "b", ""}}));
  // BOM bytes elsewhere are content.
  ExpectAllSplits(
      "data: \xEF\xBB\xBF"
      "a\n\n",
      Events({{"",
               "\xEF\xBB\xBF"
               "a",
               ""}}));
  // A BOM prefix that turns out not to be one is content (here: part of an unknown field name).
  ExpectAllSplits(
      "\xEF\xBB"
      "data: a\n\ndata: b\n\n",
      Events({{"", "b", ""}}));
}

TEST(SseParserTest, Utf8PassesThroughAtEverySplit) {
  ExpectAllSplits("event: \xC3\xA9v\ndata: caf\xC3\xA9 \xF0\x9F\x98\x80\n\n",
                  Events({{"\xC3\xA9v", "caf\xC3\xA9 \xF0\x9F\x98\x80", ""}}));
}

TEST(SseParserTest, MaxEventSizeIndependentOfChunking) {
  // Limit 10: "data: 12345678" is a 14-byte line.
  Outcome fail;
  fail.ok = false;
  ExpectAllSplits("data: 12345678\n\n", fail, 10);
  // Exactly at the limit passes: the 11-byte line "data:123456", then the dispatch.
  ExpectAllSplits("data:123456\n\n", Events({{"", "123456", ""}}), 11);
  // Accumulated data lines count: 6 + 6 + 6 bytes of data exceed 16 on the third line.
  ExpectAllSplits(
      "data: ab\n\ndata:abcdef\ndata:abcdef\ndata:abcdef\n\n",
      [] {
        Outcome o;
        o.ok = false;
        o.events = {{"", "ab", ""}};
        return o;
      }(),
      16);
  // A long comment line counts too (an unterminated line cannot grow without bound).
  ExpectAllSplits(": " + std::string(40, 'c') + "\n", fail, 32);
}

TEST(SseParserTest, ErrorsAreSticky) {
  SseParser parser(4);
  auto none = [](const SseEvent&) { return Ok(); };
  EXPECT_FALSE(parser.Feed("data: long\n", none).ok());
  auto again = parser.Feed("\n", none);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind(), ErrorKind::kTooLarge);
  EXPECT_EQ(again.error().source(), ErrorSource::kUpstream);
}

TEST(SseParserTest, CallbackErrorStopsParsing) {
  SseParser parser;
  int calls = 0;
  auto r = parser.Feed("data: a\n\ndata: b\n\n", [&](const SseEvent&) -> Result<void> {
    ++calls;
    return Error(ErrorKind::kProtocol, "stop");
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "stop");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(parser.Feed("data: c\n\n", [&](const SseEvent&) { return Ok(); }).ok());
}

TEST(SseParserTest, WholeEventInOneChunkIsNotCopied) {
  SseParser parser;
  std::string chunk = "data: payload\n\n";
  std::string_view seen;
  ASSERT_TRUE(parser
                  .Feed(chunk,
                        [&](const SseEvent& e) {
                          seen = e.data;
                          return Ok();
                        })
                  .ok());
  EXPECT_EQ(seen.data(), chunk.data() + 6);
}

// An OpenAI chat completions stream in the documented shape, CRLF line ends, keep-alive comments,
// multi-byte UTF-8 split at every byte boundary.
TEST(SseParserTest, OpenAIChatStream) {
  std::string input = ReadTestdata("openai_chat_stream_crlf.sse");
  ASSERT_FALSE(input.empty());
  Outcome whole = FeedChunks({input});
  ASSERT_TRUE(whole.ok);
  ASSERT_EQ(whole.events.size(), 6u);
  EXPECT_EQ(whole.comments, 2u);
  EXPECT_FALSE(whole.mid_event);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(
        whole.events[i].data.rfind(R"({"id":"chatcmpl-123","object":"chat.completion.chunk")", 0),
        0u)
        << i;
    EXPECT_EQ(whole.events[i].event, "");
  }
  EXPECT_NE(whole.events[2].data.find("cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
                                      "e \xF0\x9F\x98\x80"),
            std::string::npos);
  EXPECT_EQ(whole.events[5].data, "[DONE]");
  ExpectAllSplits(input, whole);
}

// ---------------------------------------------------------------------------------------------
// Writer

TEST(SseWriterTest, Format) {
  std::string out;
  AppendSseEvent(out, "", R"({"a":1})");
  EXPECT_EQ(out, "data: {\"a\":1}\n\n");
  out.clear();
  AppendSseEvent(out, "message_start", "x");
  EXPECT_EQ(out, "event: message_start\ndata: x\n\n");
  out.clear();
  AppendSseEvent(out, "", "a\nb\r\nc\rd");
  EXPECT_EQ(out, "data: a\ndata: b\ndata: c\ndata: d\n\n");
  out.clear();
  AppendSseEvent(out, "", "");
  EXPECT_EQ(out, "data: \n\n");
  out.clear();
  AppendSseEvent(out, "", "end\n");
  EXPECT_EQ(out, "data: end\ndata: \n\n");
  out.clear();
  AppendSseEvent(out, "bad\ndata: injected", "x");
  EXPECT_EQ(out, "event: bad\ndata: x\n\n");
  out.clear();
  AppendSseComment(out, "keep-alive");
  EXPECT_EQ(out, ": keep-alive\n\n");
}

TEST(SseWriterTest, RoundTripsThroughTheParser) {
  std::string out;
  AppendSseComment(out, "keep-alive");
  AppendSseEvent(out, "", "[DONE]");
  AppendSseEvent(out, "e", "two\nlines");
  AppendSseEvent(out, "", "");
  AppendSseEvent(out, "", " leading space\n\nblank line inside");
  AppendSseEvent(out, "", "crlf\r\nbecomes lf");
  ExpectAllSplits(out, Events({{"", "[DONE]", ""},
                               {"e", "two\nlines", ""},
                               {"", "", ""},
                               {"", " leading space\n\nblank line inside", ""},
                               {"", "crlf\nbecomes lf", ""}},
                              1));
}

}  // namespace
}  // namespace sluice::codec
