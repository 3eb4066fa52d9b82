// Golden vectors for the Anthropic-family translators (testdata/<pair>/<case>/, see
// testdata/README.md for each file's source). Every upstream response is fed whole, split in two
// at every byte, and one byte at a time; the client bytes and the usage must be the same each time.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sluice/codec/aws_eventstream.h"
#include "sluice/codec/sse.h"
#include "sluice/core/strings.h"
#include "sluice/translate/common/clock.h"
#include "sluice/translate/common/json_util.h"
#include "sluice/translate/translator.h"

namespace sluice::translate {
namespace {

namespace fs = std::filesystem;
namespace bj = boost::json;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bj::value ParseOrDie(std::string_view text, const std::string& what) {
  boost::system::error_code ec;
  bj::value v = bj::parse(text, ec);
  EXPECT_FALSE(ec) << what << ": " << ec.message() << "\n" << text;
  return v;
}

// SSE as a list of (event, parsed data) — data that is not JSON ("[DONE]") kept as a string.
std::vector<std::pair<std::string, bj::value>> ParseSse(std::string_view text) {
  std::vector<std::pair<std::string, bj::value>> events;
  codec::SseParser parser;
  auto r = parser.Feed(text, [&](const codec::SseEvent& e) -> Result<void> {
    boost::system::error_code ec;
    bj::value v = bj::parse(e.data, ec);
    if (ec) v = bj::string(e.data);
    events.emplace_back(std::string(e.event), std::move(v));
    return Ok();
  });
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(parser.mid_event()) << "unterminated event in:\n" << text;
  return events;
}

// Bedrock InvokeModelWithResponseStream bytes from one Anthropic event per line; lines starting
// with "!exception <type> " become exception frames.
std::string EncodeBedrockStream(const std::string& jsonl) {
  std::string out;
  std::istringstream lines(jsonl);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (line.starts_with("!exception ")) {
      std::string rest = line.substr(11);
      const auto sp = rest.find(' ');
      codec::AppendEventStreamMessage(out,
                                      {{":exception-type", rest.substr(0, sp)},
                                       {":content-type", "application/json"},
                                       {":message-type", "exception"}},
                                      rest.substr(sp + 1));
      continue;
    }
    std::string payload = R"({"bytes":")" + Base64Encode(line) + R"(","p":"abcd"})";
    codec::AppendEventStreamMessage(out,
                                    {{":event-type", "chunk"},
                                     {":content-type", "application/json"},
                                     {":message-type", "event"}},
                                    payload);
  }
  return out;
}

struct Case {
  std::string dir;  // under testdata/
  Endpoint endpoint;
  config::SchemaName schema;
  std::string model_override;
  std::string version;
  std::vector<std::pair<std::string, std::string>> headers;
  int status = 200;
};

struct Outcome {
  std::string client;
  limit::ResponseInfo info;
};

class Golden {
 public:
  explicit Golden(const Case& c) : c_(c), dir_(fs::path(SLUICE_TESTDATA_DIR) / c.dir) {
    common::SetNowForTesting(1700000000);
    backend_.schema.name = c.schema;
    backend_.schema.version = c.version;
    body_ = Read(dir_ / "request.json");
    auto v = ParseOrDie(body_, "request.json");
    client_model_ = std::string(v.as_object().at("model").as_string());
    const auto* s = v.as_object().if_contains("stream");
    stream_ = s && s->is_bool() && s->get_bool();
  }

  ClientRequest Request() const {
    ClientRequest r;
    r.endpoint = c_.endpoint;
    r.body = body_;
    r.model = c_.model_override.empty() ? std::string_view(client_model_)
                                        : std::string_view(c_.model_override);
    r.model_override = c_.model_override;
    r.stream = stream_;
    r.backend = &backend_;
    header_views_.clear();
    for (const auto& [n, v] : c_.headers) header_views_.push_back({n, v});
    r.headers = header_views_;
    return r;
  }

  std::unique_ptr<Translator> Fresh(UpstreamRequest* up = nullptr) const {
    auto t = NewTranslator(c_.endpoint, c_.schema);
    EXPECT_NE(t, nullptr);
    auto r = t->TranslateRequest(Request());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    if (up && r.ok()) *up = std::move(r).value();
    return t;
  }

  void CheckRequest() const {
    UpstreamRequest up;
    Fresh(&up);
    if (up.body_is_client_body) up.body = std::string(Request().body);  // what the gateway sends
    EXPECT_EQ(up.path, TrimWhitespace(Read(dir_ / "upstream_path.txt")));
    if (fs::exists(dir_ / "upstream_request.invoke_body.json")) {
      // CountTokens wraps the InvokeModel body in base64: compare what it decodes to.
      auto outer = ParseOrDie(up.body, "upstream body");
      auto inner = Base64Decode(outer.at("input").at("invokeModel").at("body").as_string().c_str());
      ASSERT_TRUE(inner.has_value());
      EXPECT_EQ(ParseOrDie(*inner, "invoke body"),
                ParseOrDie(Read(dir_ / "upstream_request.invoke_body.json"), "invoke_body"));
    } else if (fs::exists(dir_ / "upstream_request.raw")) {
      EXPECT_EQ(up.body, Read(dir_ / "upstream_request.raw"));
    } else {
      EXPECT_EQ(ParseOrDie(up.body, "upstream body"),
                ParseOrDie(Read(dir_ / "upstream_request.json"), "upstream_request.json"))
          << "got:\n"
          << up.body;
    }
    if (fs::exists(dir_ / "upstream_headers.txt")) {
      std::istringstream lines(Read(dir_ / "upstream_headers.txt"));
      for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        const auto colon = line.find(':');
        const std::string name = line.substr(0, colon),
                          value(TrimWhitespace(line.substr(colon + 1)));
        bool found = false;
        for (const auto& [n, v] : up.set_headers) found |= n == name && v == value;
        EXPECT_TRUE(found) << "missing upstream header " << line;
      }
    }
  }

  std::string UpstreamBytes(std::string* content_type) const {
    if (fs::exists(dir_ / "response.events.jsonl")) {
      *content_type = "application/vnd.amazon.eventstream";
      return EncodeBedrockStream(Read(dir_ / "response.events.jsonl"));
    }
    if (fs::exists(dir_ / "response.sse")) {
      *content_type = "text/event-stream; charset=utf-8";
      return Read(dir_ / "response.sse");
    }
    *content_type = "application/json";
    return Read(dir_ / "response.json");
  }

  Outcome Run(const std::string& bytes, const std::string& content_type,
              const std::vector<size_t>& cuts) const {
    auto t = Fresh();
    Outcome o;
    const bool unchanged = t->relays_unchanged();
    t->OnResponseHead(200, content_type);
    size_t from = 0;
    std::string out;
    auto feed = [&](size_t to) {
      auto r = t->OnUpstreamBody(std::string_view(bytes).substr(from, to - from), out);
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
      from = to;
    };
    for (size_t cut : cuts) feed(cut);
    feed(bytes.size());
    auto r = t->OnUpstreamEnd(out);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    o.client = unchanged ? bytes : out;
    o.info = t->response();
    return o;
  }

  void CheckResponse() const {
    std::string content_type;
    const std::string bytes = UpstreamBytes(&content_type);
    const Outcome whole = Run(bytes, content_type, {});
    // Expected client bytes.
    if (fs::exists(dir_ / "expected.raw")) {
      EXPECT_EQ(whole.client, Read(dir_ / "expected.raw"));
    } else if (fs::exists(dir_ / "expected.sse")) {
      const auto got = ParseSse(whole.client);
      const auto want = ParseSse(Read(dir_ / "expected.sse"));
      ASSERT_EQ(got.size(), want.size()) << whole.client;
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].first, want[i].first) << "event " << i;
        EXPECT_EQ(got[i].second, want[i].second)
            << "event " << i << "\n got: " << bj::serialize(got[i].second)
            << "\nwant: " << bj::serialize(want[i].second);
      }
    } else {
      EXPECT_EQ(ParseOrDie(whole.client, "client body"),
                ParseOrDie(Read(dir_ / "expected.json"), "expected.json"))
          << "got:\n"
          << whole.client;
    }
    // Expected usage and model.
    const auto want = ParseOrDie(Read(dir_ / "usage.json"), "usage.json").as_object();
    auto field = [&](const char* k) -> std::optional<uint64_t> {
      const auto* v = want.if_contains(k);
      if (!v) return std::nullopt;
      return v->to_number<uint64_t>();
    };
    limit::TokenUsage u;
    u.input = field("input");
    u.output = field("output");
    u.total = field("total");
    u.cached_input = field("cached_input");
    u.cache_creation_input = field("cache_creation_input");
    u.reasoning = field("reasoning");
    EXPECT_EQ(whole.info.usage, u);
    EXPECT_EQ(whole.info.model, want.at("model").as_string().c_str());
    // Any chunking gives the same bytes and usage: every two-way split, then byte by byte.
    for (size_t cut = 1; cut < bytes.size(); ++cut) {
      const Outcome split = Run(bytes, content_type, {cut});
      ASSERT_EQ(split.client, whole.client) << "split at " << cut;
      ASSERT_EQ(split.info, whole.info) << "split at " << cut;
    }
    std::vector<size_t> every;
    for (size_t i = 1; i < bytes.size(); ++i) every.push_back(i);
    const Outcome bytewise = Run(bytes, content_type, every);
    EXPECT_EQ(bytewise.client, whole.client);
    EXPECT_EQ(bytewise.info, whole.info);
  }

 private:
  Case c_;
  fs::path dir_;
  config::Backend backend_;
  std::string body_;
  std::string client_model_;
  mutable std::vector<HeaderView> header_views_;  // what Request() points at
  bool stream_ = false;
};

class AnthropicGolden : public ::testing::TestWithParam<Case> {};

TEST_P(AnthropicGolden, Request) { Golden(GetParam()).CheckRequest(); }
TEST_P(AnthropicGolden, Response) { Golden(GetParam()).CheckResponse(); }

using config::SchemaName;
const Case kCases[] = {
    {"anthropic_anthropic/messages_json",
     Endpoint::kMessages,
     SchemaName::kAnthropic,
     "claude-sonnet-4-5-20250929",
     "",
     {{"anthropic-version", "2023-06-01"}}},
    {"anthropic_anthropic/messages_stream",
     Endpoint::kMessages,
     SchemaName::kAnthropic,
     "",
     "",
     {{"anthropic-version", "2023-06-01"}, {"anthropic-beta", "interleaved-thinking-2025-05-14"}}},
    {"anthropic_anthropic/count_tokens",
     Endpoint::kMessagesCountTokens,
     SchemaName::kAnthropic,
     "",
     "",
     {{"anthropic-version", "2023-06-01"}}},
    {"anthropic_openai/messages_json", Endpoint::kMessages, SchemaName::kOpenAI, "", "", {}},
    {"anthropic_openai/messages_stream", Endpoint::kMessages, SchemaName::kOpenAI, "", "", {}},
    {"anthropic_openai/messages_stream_reasoning",
     Endpoint::kMessages,
     SchemaName::kOpenAI,
     "",
     "",
     {}},
    {"anthropic_aws_anthropic/messages_json",
     Endpoint::kMessages,
     SchemaName::kAWSAnthropic,
     "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
     "",
     {{"anthropic-version", "2023-06-01"},
      {"anthropic-beta", "context-1m-2025-08-07, token-efficient-tools-2025-02-19"}}},
    {"anthropic_aws_anthropic/messages_stream",
     Endpoint::kMessages,
     SchemaName::kAWSAnthropic,
     "anthropic.claude-3-5-sonnet-20241022-v2:0",
     "bedrock-2023-05-31",
     {}},
    {"anthropic_aws_anthropic/count_tokens",
     Endpoint::kMessagesCountTokens,
     SchemaName::kAWSAnthropic,
     "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
     "",
     {}},
    {"openai_aws_anthropic/chat_json",
     Endpoint::kChatCompletions,
     SchemaName::kAWSAnthropic,
     "anthropic.claude-3-7-sonnet-20250219-v1:0",
     "",
     {}},
    {"openai_aws_anthropic/chat_stream",
     Endpoint::kChatCompletions,
     SchemaName::kAWSAnthropic,
     "",
     "",
     {}},
};

INSTANTIATE_TEST_SUITE_P(Pairs, AnthropicGolden, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.dir;
                           for (char& ch : name) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace sluice::translate
