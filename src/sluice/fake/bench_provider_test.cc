// The benchmark fake provider's Anthropic and Bedrock modes (and its OpenAI stream), checked on the
// wire: a blocking client on loopback, llhttp to read the answers (chunked encoding included), the
// repository's event-stream decoder (CRCs checked) for ConverseStream.

#include "sluice/fake/bench_provider.h"

#include <gtest/gtest.h>
#include <llhttp.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "sluice/codec/aws_eventstream.h"

namespace sluice::fake {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  bool chunked = false;
  std::string body;  // de-chunked
};

// One keep-alive connection that sends requests and reads whole answers, one at a time.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    llhttp_settings_init(&settings_);
    settings_.on_message_begin = [](llhttp_t* p) {
      Self(p).response_ = Response();
      return 0;
    };
    settings_.on_header_field = [](llhttp_t* p, const char* at, size_t len) {
      auto& c = Self(p);
      if (c.in_value_) c.field_.clear();
      c.in_value_ = false;
      for (size_t i = 0; i < len; ++i)
        c.field_ += char(std::tolower(static_cast<unsigned char>(at[i])));
      return 0;
    };
    settings_.on_header_value = [](llhttp_t* p, const char* at, size_t len) {
      auto& c = Self(p);
      c.in_value_ = true;
      c.response_.headers[c.field_].append(at, len);
      return 0;
    };
    settings_.on_headers_complete = [](llhttp_t* p) {
      auto& c = Self(p);
      c.field_.clear();
      c.in_value_ = false;
      c.response_.status = p->status_code;
      c.response_.chunked = (p->flags & F_CHUNKED) != 0;
      return 0;
    };
    settings_.on_body = [](llhttp_t* p, const char* at, size_t len) {
      Self(p).response_.body.append(at, len);
      return 0;
    };
    settings_.on_message_complete = [](llhttp_t* p) {
      Self(p).complete_ = true;
      return int(HPE_PAUSED);
    };
    llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
    parser_.data = this;
  }

  Response Post(const std::string& path, const std::string& body,
                const std::vector<std::string>& headers = {}) {
    std::string request =
        "POST " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\n" +
        "content-type: application/json\r\ncontent-length: " + std::to_string(body.size()) + "\r\n";
    for (const auto& h : headers) request += h + "\r\n";
    request += "\r\n" + body;
    asio::write(socket_, asio::buffer(request));
    return Read();
  }

 private:
  static Client& Self(llhttp_t* p) { return *static_cast<Client*>(p->data); }

  Response Read() {
    complete_ = false;
    while (!complete_) {
      if (pending_.empty()) {
        char buf[4096];
        boost::system::error_code ec;
        const size_t n = socket_.read_some(asio::buffer(buf), ec);
        if (ec) {
          ADD_FAILURE() << "connection ended before the answer did: " << ec.message();
          return response_;
        }
        pending_.assign(buf, n);
      }
      const llhttp_errno_t err = llhttp_execute(&parser_, pending_.data(), pending_.size());
      if (err == HPE_PAUSED) {
        pending_.erase(0, size_t(llhttp_get_error_pos(&parser_) - pending_.data()));
        llhttp_resume(&parser_);
      } else if (err == HPE_OK) {
        pending_.clear();
      } else {
        ADD_FAILURE() << "bad HTTP answer: " << llhttp_errno_name(err);
        return response_;
      }
    }
    return response_;
  }

  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  llhttp_settings_t settings_;
  llhttp_t parser_;
  std::string pending_, field_;
  bool in_value_ = false;
  bool complete_ = false;
  Response response_;
};

class BenchProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BenchProviderOptions options;
    options.chunks = 5;
    auto started = BenchProvider::Start(options);
    ASSERT_TRUE(started.ok()) << started.error().message();
    provider_ = std::move(*started);
  }

  uint16_t port() const { return provider_->port(); }

  std::unique_ptr<BenchProvider> provider_;
};

// The fake counts body bytes / 4 as input tokens.
int64_t InputTokens(const std::string& body) { return int64_t(body.size()) / 4; }

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// A JSON string value as std::string (gtest prints it on failure; a non-string throws).
std::string Str(const json::value& v) { return std::string(v.as_string()); }

struct SseEvent {
  std::string name;
  json::value data;
};

// Splits an SSE body into events; every event must have one `event:` and one `data:` line.
std::vector<SseEvent> ParseSse(const std::string& body) {
  std::vector<SseEvent> events;
  size_t at = 0;
  while (at < body.size()) {
    const size_t end = body.find("\n\n", at);
    if (end == std::string::npos) {
      ADD_FAILURE() << "unterminated event: " << body.substr(at);
      break;
    }
    const std::string block = body.substr(at, end - at);
    at = end + 2;
    const size_t newline = block.find('\n');
    if (!block.starts_with("event: ") || newline == std::string::npos ||
        block.compare(newline + 1, 6, "data: ") != 0) {
      ADD_FAILURE() << "not an event/data pair: " << block;
      continue;
    }
    events.push_back({block.substr(7, newline - 7), json::parse(block.substr(newline + 7))});
  }
  return events;
}

TEST_F(BenchProviderTest, AnthropicMessage) {
  Client client(port());
  const std::string body =
      R"({"model":"claude-bench","max_tokens":64,"messages":[{"role":"user","content":"hello there"}]})";
  const Response r = client.Post("/anthropic/v1/messages", body);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  const json::object m = json::parse(r.body).as_object();
  EXPECT_TRUE(std::string_view(m.at("id").as_string()).starts_with("msg_"));
  EXPECT_EQ(Str(m.at("type")), "message");
  EXPECT_EQ(Str(m.at("role")), "assistant");
  EXPECT_EQ(Str(m.at("model")), "claude-bench");
  const json::array& content = m.at("content").as_array();
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(Str(content[0].at("type")), "text");
  const std::string text(content[0].at("text").as_string());
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(Str(m.at("stop_reason")), "end_turn");
  EXPECT_TRUE(m.at("stop_sequence").is_null());
  EXPECT_EQ(m.at("usage").at("input_tokens").as_int64(), InputTokens(body));
  EXPECT_EQ(m.at("usage").at("output_tokens").as_int64(), int64_t(text.size()) / 4);
}

TEST_F(BenchProviderTest, AnthropicStreamEventsInOrderWithUsage) {
  Client client(port());
  const std::string body =
      R"({"model":"claude-bench","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]})";
  const Response r = client.Post("/v1/messages", body, {"x-fake-chunks: 7"});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_TRUE(r.chunked);
  const std::vector<SseEvent> events = ParseSse(r.body);

  std::vector<std::string> names;
  for (const auto& e : events) {
    names.push_back(e.name);
    EXPECT_EQ(Str(e.data.at("type")), e.name) << "event name and data type differ";
  }
  std::vector<std::string> expected = {"message_start", "content_block_start", "ping"};
  for (int i = 0; i < 7; ++i) expected.push_back("content_block_delta");
  expected.insert(expected.end(), {"content_block_stop", "message_delta", "message_stop"});
  ASSERT_EQ(names, expected);

  const json::value& start = events[0].data.at("message");
  EXPECT_EQ(Str(start.at("model")), "claude-bench");
  EXPECT_EQ(Str(start.at("role")), "assistant");
  EXPECT_TRUE(start.at("content").as_array().empty());
  EXPECT_TRUE(start.at("stop_reason").is_null());
  EXPECT_EQ(start.at("usage").at("input_tokens").as_int64(), InputTokens(body));
  EXPECT_EQ(Str(events[1].data.at("content_block").at("type")), "text");
  std::string text;
  for (int i = 3; i < 10; ++i) {
    EXPECT_EQ(events[i].data.at("index").as_int64(), 0);
    EXPECT_EQ(Str(events[i].data.at("delta").at("type")), "text_delta");
    text += events[i].data.at("delta").at("text").as_string();
  }
  EXPECT_EQ(text, Repeat("lorem ", 7));
  const json::value& end = events[11].data;
  EXPECT_EQ(Str(end.at("delta").at("stop_reason")), "end_turn");
  EXPECT_EQ(end.at("usage").at("output_tokens").as_int64(), 7);
}

TEST_F(BenchProviderTest, AnthropicStreamHonoursChunkDelay) {
  Client client(port());
  const auto start = std::chrono::steady_clock::now();
  const Response r = client.Post("/v1/messages", R"({"model":"m","stream":true})",
                                 {"x-fake-chunks: 3", "x-fake-chunk-delay-ms: 20"});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.status, 200);
  EXPECT_GE(elapsed, std::chrono::milliseconds(60));
  EXPECT_EQ(ParseSse(r.body).size(), 9u);  // 6 around the 3 deltas
}

TEST_F(BenchProviderTest, BedrockConverse) {
  Client client(port());
  const std::string body = R"({"messages":[{"role":"user","content":[{"text":"hello"}]}]})";
  const Response r = client.Post(
      "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", body,
      {"authorization: AWS4-HMAC-SHA256 Credential=AKID/x, Signature=0", "x-fake-latency-ms: 5"});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  const json::object c = json::parse(r.body).as_object();
  const json::value& message = c.at("output").at("message");
  EXPECT_EQ(Str(message.at("role")), "assistant");
  ASSERT_EQ(message.at("content").as_array().size(), 1u);
  const std::string text(message.at("content").at(0).at("text").as_string());
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(Str(c.at("stopReason")), "end_turn");
  const json::value& usage = c.at("usage");
  EXPECT_EQ(usage.at("inputTokens").as_int64(), InputTokens(body));
  EXPECT_EQ(usage.at("outputTokens").as_int64(), int64_t(text.size()) / 4);
  EXPECT_EQ(usage.at("totalTokens").as_int64(),
            usage.at("inputTokens").as_int64() + usage.at("outputTokens").as_int64());
  EXPECT_EQ(c.at("metrics").at("latencyMs").as_int64(), 5);
}

struct Frame {
  std::string event_type, content_type, message_type;
  json::value payload;
};

TEST_F(BenchProviderTest, BedrockConverseStreamFrames) {
  Client client(port());
  const std::string body = R"({"messages":[{"role":"user","content":[{"text":"hi"}]}]})";
  const Response r =
      client.Post("/model/amazon.nova-micro-v1%3A0/converse-stream", body, {"x-fake-chunks: 4"});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.at("content-type"), "application/vnd.amazon.eventstream");
  EXPECT_TRUE(r.chunked);

  std::vector<Frame> frames;
  codec::EventStreamDecoder decoder;
  auto fed = decoder.Feed(r.body, [&](const codec::EventStreamMessage& m) -> Result<void> {
    frames.push_back({std::string(m.StringHeader(":event-type").value_or("")),
                      std::string(m.StringHeader(":content-type").value_or("")),
                      std::string(m.StringHeader(":message-type").value_or("")),
                      json::parse(m.payload)});
    return Ok();
  });
  ASSERT_TRUE(fed.ok()) << fed.error().message();
  EXPECT_FALSE(decoder.mid_message());

  std::vector<std::string> types;
  for (const auto& f : frames) {
    types.push_back(f.event_type);
    EXPECT_EQ(f.content_type, "application/json");
    EXPECT_EQ(f.message_type, "event");
    EXPECT_TRUE(f.payload.as_object().contains("p")) << "Bedrock pads every event";
  }
  const std::vector<std::string> expected = {
      "messageStart",      "contentBlockDelta", "contentBlockDelta", "contentBlockDelta",
      "contentBlockDelta", "contentBlockStop",  "messageStop",       "metadata"};
  ASSERT_EQ(types, expected);
  EXPECT_EQ(Str(frames[0].payload.at("role")), "assistant");
  std::string text;
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(frames[i].payload.at("contentBlockIndex").as_int64(), 0);
    text += frames[i].payload.at("delta").at("text").as_string();
  }
  EXPECT_EQ(text, Repeat("lorem ", 4));
  EXPECT_EQ(frames[5].payload.at("contentBlockIndex").as_int64(), 0);
  EXPECT_EQ(Str(frames[6].payload.at("stopReason")), "end_turn");
  const json::value& usage = frames[7].payload.at("usage");
  EXPECT_EQ(usage.at("inputTokens").as_int64(), InputTokens(body));
  EXPECT_EQ(usage.at("outputTokens").as_int64(), 4);
  EXPECT_EQ(usage.at("totalTokens").as_int64(), InputTokens(body) + 4);
  EXPECT_TRUE(frames[7].payload.at("metrics").at("latencyMs").is_int64());
}

TEST_F(BenchProviderTest, BedrockStreamTwiceOnOneConnectionAndUnknownOperation) {
  // A second answer on the same connection parses only if the first one's chunking was exact.
  Client client(port());
  for (int chunks : {2, 30}) {
    const Response r =
        client.Post("/model/m/converse-stream", "{}", {"x-fake-chunks: " + std::to_string(chunks)});
    ASSERT_EQ(r.status, 200);
    codec::EventStreamDecoder decoder;
    int deltas = 0;
    ASSERT_TRUE(decoder
                    .Feed(r.body,
                          [&](const codec::EventStreamMessage& m) -> Result<void> {
                            if (m.StringHeader(":event-type") == "contentBlockDelta") ++deltas;
                            return Ok();
                          })
                    .ok());
    EXPECT_EQ(deltas, chunks);
    EXPECT_EQ(decoder.messages(), uint64_t(chunks + 4));
  }
  EXPECT_EQ(client.Post("/model/m/invoke", "{}").status, 404);
  EXPECT_EQ(provider_->requests(), 3u);
}

TEST_F(BenchProviderTest, OpenAIStreamStillEndsWithUsageAndDone) {
  Client client(port());
  const std::string body =
      R"({"model":"gpt-bench","stream":true,"stream_options":{"include_usage":true},"messages":[]})";
  const Response r = client.Post("/v1/chat/completions", body, {"x-fake-chunks: 3"});
  ASSERT_EQ(r.status, 200);
  std::vector<std::string> data;
  size_t at = 0;
  while ((at = r.body.find("data: ", at)) != std::string::npos) {
    const size_t end = r.body.find("\n\n", at);
    data.push_back(r.body.substr(at + 6, end - at - 6));
    at = end;
  }
  ASSERT_EQ(data.size(), 7u);  // role, 3 content, finish, usage, [DONE]
  EXPECT_EQ(data.back(), "[DONE]");
  std::string text;
  for (int i = 1; i <= 3; ++i) {
    text += json::parse(data[i]).at("choices").at(0).at("delta").at("content").as_string();
  }
  EXPECT_EQ(text, Repeat("lorem ", 3));
  const json::value usage = json::parse(data[5]).at("usage");
  EXPECT_EQ(usage.at("prompt_tokens").as_int64(), InputTokens(body));
  EXPECT_EQ(usage.at("completion_tokens").as_int64(), 3);
}

}  // namespace
}  // namespace sluice::fake
