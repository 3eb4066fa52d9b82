#include "sluice/observe/access_log.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/src.hpp>

namespace sluice::observe {
namespace {

TEST(AccessLogTest, FormatsValidJsonWithEscapesAndOptionalFields) {
  AccessRecord r;
  r.start_unix_micros = 1'700'000'000'123'456;
  r.method = "POST";
  r.path = "/v1/chat/completions";
  r.response_code = 200;
  r.duration_ms = 1.5;
  r.route = "default/r";
  r.backend = "default/b";
  r.original_model = "gpt-\"4\"";
  r.request_model = "gpt-4o";
  r.input_tokens = 12;
  r.costs = {{"llm_input_token", 12}};
  auto parsed = boost::json::parse(FormatAccessRecord(r)).as_object();
  EXPECT_EQ(parsed.at("start_time").as_string(), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(parsed.at("response_code").as_int64(), 200);
  EXPECT_EQ(parsed.at("gen_ai.original.model").as_string(), "gpt-\"4\"");
  EXPECT_EQ(parsed.at("gen_ai.usage.input_tokens").as_int64(), 12);
  EXPECT_FALSE(parsed.contains("gen_ai.usage.output_tokens"));
  EXPECT_EQ(parsed.at("costs").as_object().at("llm_input_token").as_int64(), 12);
  EXPECT_EQ(parsed.at("stream").as_bool(), false);
  EXPECT_NE(FormatAccessRecord(r).find(R"("duration_ms":1.500,)"), std::string::npos);
  r.duration_ms = 12345.6789;
  EXPECT_NE(FormatAccessRecord(r).find(R"("duration_ms":12345.679,)"), std::string::npos);
  r.duration_ms = 0.0004;
  EXPECT_NE(FormatAccessRecord(r).find(R"("duration_ms":0.000,)"), std::string::npos);
}

// The record is written into room sized before writing: strings at their worst escape growth
// (every byte a control character) and every optional field present must still fit exactly.
TEST(AccessLogTest, WorstCaseRecordFitsAndRoundTrips) {
  AccessRecord r;
  r.start_unix_micros = 1'700'000'000'000'001;
  r.method = "POST";
  const std::string controls(300, '\x01');
  r.path = controls;
  r.response_code = 599;
  r.duration_ms = 1e12;
  r.route = r.rule = r.backend = r.upstream = controls;
  r.original_model = r.request_model = r.response_model = r.provider = controls;
  r.error = controls;
  r.attempts = 3;
  r.stream = true;
  r.input_tokens = r.output_tokens = r.total_tokens = UINT64_MAX;
  r.cached_input_tokens = r.cache_creation_input_tokens = r.reasoning_tokens = UINT64_MAX;
  std::vector<std::string> keys;  // the record only views its cost keys
  for (int i = 0; i < 20; ++i) keys.push_back(std::string(40, '"') + std::to_string(i));
  for (const auto& key : keys) r.costs.emplace_back(key, UINT64_MAX);
  std::string out = "prefix";
  AppendAccessRecord(out, r);
  ASSERT_EQ(out.substr(0, 6), "prefix");
  auto parsed = boost::json::parse(std::string_view(out).substr(6)).as_object();
  EXPECT_EQ(parsed.at("path").as_string(), controls);
  EXPECT_EQ(parsed.at("error").as_string(), controls);
  EXPECT_EQ(parsed.at("gen_ai.usage.reasoning_tokens").as_uint64(), UINT64_MAX);
  EXPECT_EQ(parsed.at("costs").as_object().size(), 20u);
  EXPECT_EQ(parsed.at("attempts").as_int64(), 3);
  EXPECT_EQ(parsed.at("stream").as_bool(), true);
}

TEST(AccessLogTest, BuffersUntilFlush) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    AccessLogBuffer buf(fds[1], 1 << 20);
    buf.Write("{\"a\":1}");
    buf.Write("{\"b\":2}");
    char tmp[64];
    // Nothing written yet: a non-blocking read finds the pipe empty.
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    EXPECT_EQ(read(fds[0], tmp, sizeof tmp), -1);
    buf.Flush();
    ssize_t n = read(fds[0], tmp, sizeof tmp);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(tmp, n), "{\"a\":1}\n{\"b\":2}\n");
  }
  close(fds[0]);
  close(fds[1]);
}

TEST(AccessLogTest, RecordsWrittenStraightIntoTheBufferAreOneLineEach) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  AccessRecord first;
  first.start_unix_micros = 1'700'000'000'999'999;  // the last microsecond of a second
  first.method = "GET";
  first.path = "/v1/models";
  first.error = "tab\there\x01";
  AccessRecord second = first;
  second.start_unix_micros = 1'700'000'001'000'000;  // the next second: the cached prefix moves
  second.costs = {{"cost \"q\"", 7}};
  {
    AccessLogBuffer buf(fds[1], 1 << 20);
    buf.Write(first);
    buf.Write(second);
    buf.Flush();
  }
  char tmp[2048];
  const ssize_t n = read(fds[0], tmp, sizeof tmp);
  ASSERT_GT(n, 0);
  const std::string out(tmp, size_t(n));
  EXPECT_EQ(out, FormatAccessRecord(first) + "\n" + FormatAccessRecord(second) + "\n");
  const auto newline = out.find('\n');
  auto a = boost::json::parse(out.substr(0, newline)).as_object();
  auto b = boost::json::parse(out.substr(newline + 1, out.size() - newline - 2)).as_object();
  EXPECT_EQ(a.at("start_time").as_string(), "2023-11-14T22:13:20.999999Z");
  EXPECT_EQ(b.at("start_time").as_string(), "2023-11-14T22:13:21.000000Z");
  EXPECT_EQ(a.at("error").as_string(), "tab\there\x01");
  EXPECT_EQ(b.at("costs").as_object().at("cost \"q\"").as_int64(), 7);
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
}  // namespace sluice::observe
