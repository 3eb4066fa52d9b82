// Golden vectors for the AWS Bedrock translators (testdata/README.md says where each expected
// value comes from). Every case's upstream response is fed through the translator whole, split
// at every byte boundary into two pieces, and one byte at a time; each run must give the same
// client bytes, equal (as JSON, event by event) to the expected ones, and the expected usage.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sluice/codec/aws_eventstream.h"
#include "sluice/codec/sse.h"
#include "sluice/config/runtime.h"
#include "sluice/translate/common/clock.h"
#include "sluice/translate/translator.h"

namespace sluice::translate {
namespace {

namespace fs = std::filesystem;
namespace bj = boost::json;

const fs::path kTestdata = fs::path(SLUICE_TESTDATA_DIR);

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bj::value ReadJson(const fs::path& p) {
  boost::system::error_code ec;
  bj::value v = bj::parse(ReadFile(p), ec);
  EXPECT_FALSE(ec) << p << ": " << ec.message();
  return v;
}

// JSON equality where numbers compare by value (1 == 1.0) and object key order is free. Returns
// the path of the first difference, or "" when equal.
std::string Diff(const bj::value& want, const bj::value& got, const std::string& path = "$") {
  if (want.is_number() && got.is_number()) {
    return want.to_number<double>() == got.to_number<double>() ? "" : path;
  }
  if (want.kind() != got.kind()) return path + " (kind)";
  if (want.is_object()) {
    const auto& w = want.get_object();
    const auto& g = got.get_object();
    for (const auto& [k, v] : w) {
      auto it = g.find(k);
      if (it == g.end()) return path + "." + std::string(k) + " (missing)";
      if (auto d = Diff(v, it->value(), path + "." + std::string(k)); !d.empty()) return d;
    }
    for (const auto& [k, v] : g) {
      if (!w.contains(k)) return path + "." + std::string(k) + " (unexpected)";
    }
    return "";
  }
  if (want.is_array()) {
    const auto& w = want.get_array();
    const auto& g = got.get_array();
    if (w.size() != g.size()) return path + " (size " + std::to_string(g.size()) + ")";
    for (size_t i = 0; i < w.size(); ++i) {
      if (auto d = Diff(w[i], g[i], path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
    }
    return "";
  }
  return want == got ? "" : path;
}

config::SchemaName SchemaOf(const std::string& pair) {
  (void)pair;
  return config::SchemaName::kAWSBedrock;
}

Endpoint EndpointOf(const std::string& pair) {
  if (pair.rfind("openai_chat", 0) == 0) return Endpoint::kChatCompletions;
  if (pair.rfind("openai_embeddings", 0) == 0) return Endpoint::kEmbeddings;
  return Endpoint::kMessages;
}

// The upstream body: a JSON file as is, or an event-stream built from a JSON list of messages
// ({"headers": {name: value}, "payload": object or string}) with the codec's encoder.
std::string UpstreamBytes(const fs::path& dir) {
  if (fs::exists(dir / "upstream_response.json")) return ReadFile(dir / "upstream_response.json");
  std::string out;
  const bj::value events = ReadJson(dir / "upstream_events.json");
  for (const auto& e : events.as_array()) {
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [k, v] : e.at("headers").as_object()) {
      headers.emplace_back(std::string(k), std::string(v.as_string()));
    }
    const bj::value& payload = e.at("payload");
    const std::string body =
        payload.is_string() ? std::string(payload.as_string()) : bj::serialize(payload);
    codec::AppendEventStreamMessage(out, headers, body);
  }
  if (fs::exists(dir / "upstream_truncate.json")) {
    const auto n = ReadJson(dir / "upstream_truncate.json").as_int64();
    out.resize(out.size() - static_cast<size_t>(n));
  }
  return out;
}

struct Case {
  std::string pair;
  std::string name;
  fs::path dir;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.pair << "/" << c.name; }

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const std::string pair : {"openai_chat-bedrock_converse", "openai_embeddings-bedrock_titan",
                                 "anthropic_messages-bedrock_converse"}) {
    const fs::path root = kTestdata / pair;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::directory_iterator(root)) {
      if (entry.is_directory())
        cases.push_back({pair, entry.path().filename().string(), entry.path()});
    }
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.dir < b.dir; });
  return cases;
}

class BedrockGolden : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { common::SetNowForTesting(1700000000); }
  void TearDown() override { common::SetNowForTesting(std::nullopt); }
};

struct Prepared {
  std::unique_ptr<Translator> translator;
  Result<UpstreamRequest> upstream = Error(ErrorKind::kInternal, "unset");
};

Prepared Prepare(const Case& c, const bj::object& meta, const std::string& body,
                 config::Backend& backend) {
  backend.schema.name = SchemaOf(c.pair);
  Prepared p;
  p.translator = NewTranslator(EndpointOf(c.pair), backend.schema.name);
  EXPECT_NE(p.translator, nullptr);
  ClientRequest req;
  req.endpoint = EndpointOf(c.pair);
  req.body = body;
  req.model = meta.at("model").as_string();
  req.stream = meta.contains("stream") && meta.at("stream").as_bool();
  req.backend = &backend;
  p.upstream = p.translator->TranslateRequest(req);
  return p;
}

// Splits SSE text into (event, data) pairs with the codec's parser.
std::vector<std::pair<std::string, std::string>> SseEvents(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> events;
  codec::SseParser parser;
  auto r = parser.Feed(text, [&](const codec::SseEvent& e) -> Result<void> {
    events.emplace_back(std::string(e.event), std::string(e.data));
    return Ok();
  });
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(parser.mid_event()) << "the client stream ends inside an event";
  return events;
}

TEST_P(BedrockGolden, Case) {
  const Case& c = GetParam();
  const bj::object meta = ReadJson(c.dir / "case.json").as_object();
  const std::string body = ReadFile(c.dir / "request.json");
  config::Backend backend;
  Prepared p = Prepare(c, meta, body, backend);
  ASSERT_NE(p.translator, nullptr);

  if (meta.contains("expect_error")) {
    const bj::object& want = meta.at("expect_error").as_object();
    ASSERT_FALSE(p.upstream.ok()) << "the request should be rejected";
    const std::string kind(want.at("kind").as_string());
    EXPECT_EQ(p.upstream.error().kind(),
              kind == "unprocessable" ? ErrorKind::kUnprocessable : ErrorKind::kInvalidArgument);
    const std::string contains(want.at("message_contains").as_string());
    EXPECT_NE(p.upstream.error().message().find(contains), std::string::npos)
        << p.upstream.error().message();
    return;
  }
  ASSERT_TRUE(p.upstream.ok()) << p.upstream.error().message();

  // The upstream request.
  const bj::object want_up = ReadJson(c.dir / "upstream_request.json").as_object();
  EXPECT_EQ(p.upstream->path, want_up.at("path").as_string());
  boost::system::error_code ec;
  const bj::value got_body = bj::parse(p.upstream->body, ec);
  ASSERT_FALSE(ec) << "upstream body is not JSON: " << p.upstream->body;
  EXPECT_EQ(Diff(want_up.at("body"), got_body), "") << p.upstream->body;

  // Upstream error translation.
  if (fs::exists(c.dir / "upstream_error.json")) {
    const bj::object err = ReadJson(c.dir / "upstream_error.json").as_object();
    const bj::object want = ReadJson(c.dir / "client_error.json").as_object();
    const int status = static_cast<int>(err.at("status").as_int64());
    const ClientError got = p.translator->TranslateError(
        status, err.at("content_type").as_string(),
        err.contains("error_type") ? std::string_view(err.at("error_type").as_string()) : "",
        err.at("body").as_string());
    EXPECT_EQ(got.status, want.at("status").as_int64());
    const bj::value got_json = bj::parse(got.body, ec);
    ASSERT_FALSE(ec) << got.body;
    EXPECT_EQ(Diff(want.at("body"), got_json), "") << got.body;
    return;
  }

  // The response, at every chunking.
  const std::string upstream = UpstreamBytes(c.dir);
  const bool stream = meta.contains("stream") && meta.at("stream").as_bool();
  const std::string request_id =
      meta.contains("request_id") ? std::string(meta.at("request_id").as_string()) : "";
  const bool expect_failure = meta.contains("expect_response_failure");

  auto run = [&](const std::vector<size_t>& cuts, std::string& out) -> Result<void> {
    config::Backend b2;
    Prepared q = Prepare(c, meta, body, b2);
    if (!q.upstream.ok()) return q.upstream.error();
    if (!request_id.empty()) q.translator->SetUpstreamRequestId(request_id);
    const auto shape = q.translator->OnResponseHead(
        200, stream ? "application/vnd.amazon.eventstream" : "application/json");
    EXPECT_EQ(shape.stream, stream);
    EXPECT_EQ(shape.content_type, stream ? "text/event-stream" : "application/json");
    size_t at = 0;
    for (size_t cut : cuts) {
      auto r = q.translator->OnUpstreamBody(std::string_view(upstream).substr(at, cut - at), out);
      if (!r.ok()) return r;
      at = cut;
    }
    auto r = q.translator->OnUpstreamBody(std::string_view(upstream).substr(at), out);
    if (!r.ok()) return r;
    r = q.translator->OnUpstreamEnd(out);
    if (!r.ok()) return r;
    if (meta.contains("stream_error_contains")) {
      EXPECT_NE(q.translator->stream_error().find(meta.at("stream_error_contains").as_string()),
                std::string::npos)
          << q.translator->stream_error();
    } else {
      EXPECT_TRUE(q.translator->stream_error().empty()) << q.translator->stream_error();
    }
    if (fs::exists(c.dir / "usage.json")) {
      const bj::object u = ReadJson(c.dir / "usage.json").as_object();
      const limit::ResponseInfo& info = q.translator->response();
      auto field = [&](const char* name) -> std::optional<uint64_t> {
        if (!u.contains(name) || u.at(name).is_null()) return std::nullopt;
        return static_cast<uint64_t>(u.at(name).to_number<int64_t>());
      };
      EXPECT_EQ(info.usage.input, field("input"));
      EXPECT_EQ(info.usage.output, field("output"));
      EXPECT_EQ(info.usage.total, field("total"));
      EXPECT_EQ(info.usage.cached_input, field("cached_input"));
      EXPECT_EQ(info.usage.cache_creation_input, field("cache_creation_input"));
      EXPECT_EQ(info.usage.reasoning, field("reasoning"));
      EXPECT_EQ(info.model, u.at("model").as_string());
    }
    return Ok();
  };

  std::string whole;
  auto r = run({}, whole);
  if (expect_failure) {
    ASSERT_FALSE(r.ok()) << "the response should be an upstream error";
    EXPECT_NE(r.error().message().find(meta.at("expect_response_failure").as_string()),
              std::string::npos)
        << r.error().message();
    return;
  }
  ASSERT_TRUE(r.ok()) << r.error().message();

  if (stream) {
    const bj::array want = ReadJson(c.dir / "client_events.json").as_array();
    const auto got = SseEvents(whole);
    ASSERT_EQ(got.size(), want.size()) << whole;
    for (size_t i = 0; i < want.size(); ++i) {
      const bj::object& w = want[i].as_object();
      EXPECT_EQ(got[i].first, w.contains("event") ? w.at("event").as_string() : "") << i;
      if (w.at("data").is_string()) {
        EXPECT_EQ(got[i].second, w.at("data").as_string()) << i;
      } else {
        const bj::value data = bj::parse(got[i].second, ec);
        ASSERT_FALSE(ec) << got[i].second;
        EXPECT_EQ(Diff(w.at("data"), data), "") << "event " << i << ": " << got[i].second;
      }
    }
  } else {
    const bj::value want = ReadJson(c.dir / "client_response.json");
    const bj::value got = bj::parse(whole, ec);
    ASSERT_FALSE(ec) << whole;
    EXPECT_EQ(Diff(want, got), "") << whole;
  }

  // Same bytes at every two-piece split and one byte at a time.
  for (size_t k = 0; k <= upstream.size(); ++k) {
    std::string out;
    auto rk = run({k}, out);
    ASSERT_TRUE(rk.ok()) << "split at " << k << ": " << rk.error().message();
    ASSERT_EQ(out, whole) << "split at " << k;
  }
  std::vector<size_t> every;
  for (size_t k = 1; k < upstream.size(); ++k) every.push_back(k);
  std::string bytewise;
  ASSERT_TRUE(run(every, bytewise).ok());
  EXPECT_EQ(bytewise, whole);
}

INSTANTIATE_TEST_SUITE_P(Testdata, BedrockGolden, ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.pair + "__" + info.param.name;
                           for (char& ch : name) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace sluice::translate
