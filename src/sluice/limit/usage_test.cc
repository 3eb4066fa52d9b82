#include "sluice/limit/usage.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

namespace sluice::limit {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(SLUICE_TESTDATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  EXPECT_FALSE(s.empty()) << name;
  return s;
}

TokenUsage MakeUsage(std::optional<uint64_t> input, std::optional<uint64_t> output,
                     std::optional<uint64_t> total, std::optional<uint64_t> cached,
                     std::optional<uint64_t> cache_creation, std::optional<uint64_t> reasoning) {
  TokenUsage u;
  u.input = input;
  u.output = output;
  u.total = total;
  u.cached_input = cached;
  u.cache_creation_input = cache_creation;
  u.reasoning = reasoning;
  return u;
}

void PrintTo(const TokenUsage& u, std::ostream* os) {
  auto f = [](const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : "unset"; };
  *os << "{in=" << f(u.input) << " out=" << f(u.output) << " total=" << f(u.total)
      << " cached=" << f(u.cached_input) << " creation=" << f(u.cache_creation_input)
      << " reasoning=" << f(u.reasoning) << "}";
}

ResponseInfo Read(std::string_view body) {
  auto info = ReadOpenAIResponse(body);
  EXPECT_TRUE(info.ok()) << body << " -> " << info.error().message();
  return info.ok() ? *info : ResponseInfo{};
}

constexpr std::nullopt_t kUnset = std::nullopt;

// ---------------------------------------------------------------------------------------------
// Non-streaming responses

// OpenAI API reference, "The chat completion object".
TEST(ReadOpenAIResponseTest, ChatCompletionObject) {
  ResponseInfo info = Read(ReadTestdata("openai_chat_completion.json"));
  EXPECT_EQ(info.model, "gpt-4o-2024-08-06");
  EXPECT_EQ(info.usage, MakeUsage(1117, 46, 1163, 0, kUnset, 0));
}

TEST(ReadOpenAIResponseTest, CachedAndReasoningTokens) {
  ResponseInfo info = Read(ReadTestdata("openai_chat_completion_cached.json"));
  EXPECT_EQ(info.model, "o3-mini-2025-01-31");
  EXPECT_EQ(info.usage, MakeUsage(2006, 300, 2306, 1920, kUnset, 256));
}

// OpenAI API reference, "Create embeddings" response: prompt_tokens and total_tokens only.
TEST(ReadOpenAIResponseTest, Embeddings) {
  ResponseInfo info = Read(ReadTestdata("openai_embeddings.json"));
  EXPECT_EQ(info.model, "text-embedding-ada-002");
  EXPECT_EQ(info.usage, MakeUsage(8, kUnset, 8, kUnset, kUnset, kUnset));
}

TEST(ReadOpenAIResponseTest, InPlaceOverload) {
  std::string body = ReadTestdata("openai_chat_completion.json");
  std::string copy = body;
  auto info = ReadOpenAIResponse(body);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->usage.total, 1163u);
  EXPECT_EQ(body, copy);
}

// The reference gateway reads prompt_tokens_details.cache_creation_tokens (non-standard; sent by
// some OpenAI-compatible providers).
TEST(ReadOpenAIResponseTest, CacheCreationTokens) {
  ResponseInfo info =
      Read(R"({"model":"m","usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,)"
           R"("prompt_tokens_details":{"cached_tokens":40,"cache_creation_tokens":60}}})");
  EXPECT_EQ(info.usage, MakeUsage(100, 5, 105, 40, 60, kUnset));
}

TEST(ReadOpenAIResponseTest, AbsentOrNullUsage) {
  EXPECT_EQ(Read(R"({"model":"m"})").usage, TokenUsage{});
  EXPECT_EQ(Read(R"({"model":"m","usage":null})").usage, TokenUsage{});
  EXPECT_EQ(Read(R"({"usage":{}})").usage, TokenUsage{});
  EXPECT_EQ(
      Read(R"({"usage":{"prompt_tokens_details":null,"completion_tokens_details":null}})").usage,
      TokenUsage{});
  EXPECT_EQ(Read("{}").model, "");
}

TEST(ReadOpenAIResponseTest, OnlyNonNegativeIntegersCount) {
  ResponseInfo info =
      Read(R"({"usage":{"prompt_tokens":null,"completion_tokens":-1,"total_tokens":1.5,)"
           R"("prompt_tokens_details":{"cached_tokens":"3","cache_creation_tokens":1e3},)"
           R"("completion_tokens_details":{"reasoning_tokens":18446744073709551616}}})");
  EXPECT_EQ(info.usage, TokenUsage{});
  info = Read(R"({"usage":{"prompt_tokens":18446744073709551615,"completion_tokens":0}})");
  EXPECT_EQ(info.usage, MakeUsage(UINT64_MAX, 0, kUnset, kUnset, kUnset, kUnset));
}

TEST(ReadOpenAIResponseTest, OnlyTopLevelModelAndUsage) {
  ResponseInfo info =
      Read(R"({"choices":[{"message":{"model":"inner","usage":{"prompt_tokens":1}}}],)"
           R"("metadata":{"usage":{"prompt_tokens":2}},"model":"outer"})");
  EXPECT_EQ(info.model, "outer");
  EXPECT_EQ(info.usage, TokenUsage{});
}

TEST(ReadOpenAIResponseTest, EscapedKeysAndModel) {
  ResponseInfo info = Read(R"({"mod\u0065l":"gpt-4o\/x \u00e9","usage":{"prompt_tok\u0065ns":3}})");
  EXPECT_EQ(info.model, "gpt-4o/x \xC3\xA9");
  EXPECT_EQ(info.usage.input, 3u);
  EXPECT_EQ(Read(R"({"Model":"x","Usage":{"prompt_tokens":3}})"), ResponseInfo{});
}

TEST(ReadOpenAIResponseTest, DuplicatesLastWins) {
  ResponseInfo info =
      Read(R"({"model":"a","usage":{"prompt_tokens":1,"completion_tokens":2},"model":"b",)"
           R"("usage":{"prompt_tokens":3}})");
  EXPECT_EQ(info.model, "b");
  EXPECT_EQ(info.usage, MakeUsage(3, kUnset, kUnset, kUnset, kUnset, kUnset));
  EXPECT_EQ(Read(R"({"usage":{"prompt_tokens":1},"usage":null})").usage, TokenUsage{});
}

TEST(ReadOpenAIResponseTest, NotAnObjectIsAnUpstreamProtocolError) {
  for (std::string_view body : {"", "[]", "\"text\"", "upstream connect error or disconnect",
                                R"({"usage":{"prompt_tokens":1)", R"({"usage" 1})"}) {
    auto info = ReadOpenAIResponse(body);
    ASSERT_FALSE(info.ok()) << body;
    EXPECT_EQ(info.error().kind(), ErrorKind::kProtocol) << body;
    EXPECT_EQ(info.error().source(), ErrorSource::kUpstream) << body;
  }
}

// ---------------------------------------------------------------------------------------------
// Streams

struct StreamOutcome {
  ResponseInfo info;
  bool has_usage = false;
  bool done = false;
  uint64_t chunks = 0;
  uint64_t malformed = 0;
  uint64_t comments = 0;
  bool failed = false;
  bool operator==(const StreamOutcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const StreamOutcome& o) {
  os << "model=" << o.info.model << " usage=";
  PrintTo(o.info.usage, &os);
  return os << " has_usage=" << o.has_usage << " done=" << o.done << " chunks=" << o.chunks
            << " malformed=" << o.malformed << " comments=" << o.comments << " failed=" << o.failed;
}

// Feeds each chunk from its own buffer, scribbled over after Feed returns, and checks the bytes
// given to Feed are never modified.
StreamOutcome FeedStream(const std::vector<std::string_view>& chunks,
                         size_t max = codec::SseParser::kDefaultMaxEventBytes) {
  OpenAIStreamUsage usage(max);
  for (std::string_view chunk : chunks) {
    std::string buffer(chunk);
    usage.Feed(buffer);
    EXPECT_EQ(buffer, chunk);
    std::fill(buffer.begin(), buffer.end(), 'X');
  }
  return StreamOutcome{usage.info(),
                       usage.has_usage(),
                       usage.done(),
                       usage.chunks(),
                       usage.malformed_chunks(),
                       usage.sse().comments(),
                       usage.stream_error().has_value()};
}

void ExpectAllSplits(std::string_view input, const StreamOutcome& expected,
                     size_t max = codec::SseParser::kDefaultMaxEventBytes) {
  EXPECT_EQ(FeedStream({input}, max), expected) << "whole input";
  for (size_t i = 0; i <= input.size(); ++i) {
    ASSERT_EQ(FeedStream({input.substr(0, i), input.substr(i)}, max), expected) << "split at " << i;
  }
  if (input.size() <= 160) {
    for (size_t i = 0; i <= input.size(); ++i) {
      for (size_t j = i; j <= input.size(); ++j) {
        ASSERT_EQ(FeedStream({input.substr(0, i), input.substr(i, j - i), input.substr(j)}, max),
                  expected)
            << "split at " << i << " and " << j;
      }
    }
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  EXPECT_EQ(FeedStream(bytes, max), expected) << "byte by byte";
}

// OpenAI API reference, "The chat completion chunk object" with stream_options.include_usage:
// "usage": null on every chunk, then "choices": [] with the usage, then [DONE].
TEST(OpenAIStreamUsageTest, IncludeUsageStream) {
  StreamOutcome expected;
  expected.info.model = "gpt-4o-mini-2024-07-18";
  expected.info.usage = MakeUsage(18, 5, 23, 0, kUnset, 0);
  expected.has_usage = true;
  expected.done = true;
  expected.chunks = 5;
  ExpectAllSplits(ReadTestdata("openai_chat_stream_usage.sse"), expected);
}

TEST(OpenAIStreamUsageTest, CrlfKeepAliveStreamWithCachedAndReasoningTokens) {
  StreamOutcome expected;
  expected.info.model = "gpt-4o-mini-2024-07-18";
  expected.info.usage = MakeUsage(2006, 300, 2306, 1920, kUnset, 256);
  expected.has_usage = true;
  expected.done = true;
  expected.chunks = 5;
  expected.comments = 2;
  ExpectAllSplits(ReadTestdata("openai_chat_stream_crlf_keepalive.sse"), expected);
}

TEST(OpenAIStreamUsageTest, StreamWithoutUsage) {
  StreamOutcome expected;
  expected.info.model = "gpt-4o-mini";
  expected.done = true;
  expected.chunks = 3;
  ExpectAllSplits(ReadTestdata("openai_chat_stream_no_usage.sse"), expected);
}

// Some OpenAI-compatible servers (vLLM's continuous usage stats) send usage on every chunk: the
// last non-null one wins; a later "usage": null does not erase it. The model is the last chunk's.
TEST(OpenAIStreamUsageTest, LastNonNullUsageWins) {
  StreamOutcome expected;
  expected.info.model = "m2";
  expected.info.usage = MakeUsage(7, 2, 9, kUnset, kUnset, kUnset);
  expected.has_usage = true;
  expected.chunks = 3;
  ExpectAllSplits(
      "data: {\"model\":\"m1\",\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":1}}\n\n"
      "data: {\"model\":\"m2\",\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":2,"
      "\"total_tokens\":9}}\n\n"
      "data: {\"usage\":null}\n\n",
      expected);
}

TEST(OpenAIStreamUsageTest, MalformedChunksAreCountedNotFatal) {
  StreamOutcome expected;
  expected.info.model = "m";
  expected.info.usage = MakeUsage(1, 1, 2, kUnset, kUnset, kUnset);
  expected.has_usage = true;
  expected.done = true;
  expected.chunks = 2;
  expected.malformed = 3;
  ExpectAllSplits(
      "data: {\"model\":\"m\"\n\n"  // truncated JSON
      "data: not json\n\n"
      "data: [1,2]\n\n"
      "data: {\"model\":\"m\"}\n\n"
      "data: {\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}\n\n"
      "data: [DONE]\n\n",
      expected);
}

// Framing failure (an event above the limit) stops parsing but keeps what was read.
TEST(OpenAIStreamUsageTest, OversizedEventStopsParsing) {
  StreamOutcome expected;
  expected.info.model = "m";
  expected.chunks = 1;
  expected.failed = true;
  ExpectAllSplits("data: {\"model\":\"m\"}\n\ndata: {\"model\":\"" + std::string(40, 'x') +
                      "\"}\n\ndata: {\"model\":\"after\"}\n\n",
                  expected, 32);
}

TEST(OpenAIStreamUsageTest, TruncatedStreamKeepsEarlierUsage) {
  OpenAIStreamUsage usage;
  usage.Feed(
      "data: {\"model\":\"m\",\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":0}}\n\n"
      "data: {\"model\":\"m\",\"choi");
  EXPECT_TRUE(usage.has_usage());
  EXPECT_EQ(usage.info().usage.input, 4u);
  EXPECT_FALSE(usage.done());
  EXPECT_TRUE(usage.sse().mid_event());
}

}  // namespace
}  // namespace sluice::limit

namespace sluice::limit {
namespace {

// Chunks without a usage object are skipped once the model is known; the checks must not be
// fooled by a "usage" inside content (escaped in the raw JSON) and must accept spaced colons.
TEST(OpenAIStreamUsageSkip, FindsSpacedUsageAndIgnoresEscapedKeys) {
  OpenAIStreamUsage u;
  u.Feed("data: {\"model\":\"m-1\",\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":null}\n\n");
  u.Feed("data: {\"model\":\"m-1\",\"choices\":[{\"delta\":{\"content\":"
         "\"say \\\"usage\\\":{\\\"prompt_tokens\\\":99}\"}}],\"usage\":null}\n\n");
  EXPECT_FALSE(u.has_usage());
  u.Feed("data: {\"model\":\"m-2\",\"choices\":[],\"usage\" : {\"prompt_tokens\":3,"
         "\"completion_tokens\":4,\"total_tokens\":7}}\n\ndata: [DONE]\n\n");
  ASSERT_TRUE(u.has_usage());
  EXPECT_EQ(u.info().usage.input, 3u);
  EXPECT_EQ(u.info().usage.output, 4u);
  EXPECT_EQ(u.info().usage.total, 7u);
  EXPECT_EQ(u.info().model, "m-2");
  EXPECT_EQ(u.chunks(), 3u);
  EXPECT_TRUE(u.done());
}

// The token walk ReadOpenAIResponse tries first must read every document exactly as the On-Demand
// reader does, or leave it to that reader: random response-shaped documents (escaped keys and
// models, counts of every kind, nested look-alikes of "usage" and "model", duplicates, odd
// whitespace, details that are not objects) and random byte edits of them.
class ResponseGenerator {
 public:
  explicit ResponseGenerator(uint32_t seed) : rng_(seed) {}

  std::string Document() {
    return Object(kTopKeys, 9, [&] {
             if (last_key_ == "\"usage\"" && Pick(5) > 0) return Usage();
             if (last_key_ == "\"model\"" && Pick(4) > 0) return String();
             return Value(2);
           }) +
           Space();
  }

 private:
  static constexpr std::string_view kTopKeys[] = {
      "model", "usage", "id", "choices", "object", "created", "system_fingerprint",
      "mod\\u0065l", "us\\u0061ge", "x\\\"y", "usage ", "Model"};
  static constexpr std::string_view kUsageKeys[] = {
      "prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details",
      "completion_tokens_details", "pr\\u006fmpt_tokens", "audio_tokens"};
  static constexpr std::string_view kDetailKeys[] = {
      "cached_tokens", "cache_creation_tokens", "reasoning_tokens", "cached\\u005ftokens",
      "audio_tokens"};
  static constexpr std::string_view kNumbers[] = {
      "0", "7", "112", "-1", "1.5", "1e3", "0.0", "-0", "18446744073709551615",
      "18446744073709551616", "99999999999999999999999"};

  int Pick(int n) { return int(rng_() % uint32_t(n)); }
  std::string Space() {
    static constexpr std::string_view kSpaces[] = {"", "", "", " ", "\n", "\t ", "\r\n  "};
    return std::string(kSpaces[Pick(7)]);
  }
  template <size_t N>
  std::string Key(const std::string_view (&keys)[N]) {
    last_key_ = "\"" + std::string(keys[Pick(int(N))]) + "\"";
    return last_key_;
  }
  // An object of up to max_fields - 1 fields named from `keys`; value() sees the key in last_key_.
  template <size_t N, typename F>
  std::string Object(const std::string_view (&keys)[N], int max_fields, F&& value) {
    std::string out = "{";
    const int fields = Pick(max_fields);
    for (int i = 0; i < fields; ++i) {
      if (i > 0) out += Space() + ",";
      out += Space();
      out += Key(keys);
      out += Space() + ":" + Space();
      out += value();
    }
    return out + Space() + "}";
  }
  std::string String() {
    static constexpr std::string_view kStrings[] = {
        "gpt-4o-mini", "", "a\\\"b", "line\\nbreak", "caf\u00e9", "\\u00e9t\\u00e9", "usage",
        "\\\\", "model"};
    return "\"" + std::string(kStrings[Pick(9)]) + "\"";
  }
  std::string Count() {
    switch (Pick(6)) {
      case 0: return String();
      case 1: return "null";
      case 2: return Value(1);
      default: return std::string(kNumbers[Pick(11)]);
    }
  }
  std::string Usage() {
    return Object(kUsageKeys, 8, [&] {
      if (last_key_.find("details") != std::string::npos && Pick(4) > 0) {
        return Object(kDetailKeys, 5, [&] { return Count(); });
      }
      return Count();
    });
  }
  std::string Value(int depth) {
    const int kind = Pick(depth > 0 ? 9 : 6);
    switch (kind) {
      case 0: return String();
      case 1: return std::string(kNumbers[Pick(11)]);
      case 2: return "true";
      case 3: return "false";
      case 4: return "null";
      case 5: return "[]";
      case 6: {
        std::string out = "[";
        const int n = Pick(4);
        for (int i = 0; i < n; ++i) out += (i ? "," : "") + Space() + Value(depth - 1);
        return out + "]";
      }
      case 7: return Usage();  // a nested look-alike
      default: return Object(kTopKeys, 4, [&] { return Value(depth - 1); });
    }
  }

  std::mt19937 rng_;
  std::string last_key_;
};

void ExpectSameReading(const std::string& doc) {
  auto fast = ReadOpenAIResponse(std::string_view(doc));
  auto reference = internal::ReadOpenAIResponseOnDemand(doc);
  ASSERT_EQ(fast.ok(), reference.ok()) << doc;
  if (!fast.ok()) return;
  EXPECT_EQ(fast->model, reference->model) << doc;
  EXPECT_EQ(fast->usage, reference->usage) << doc;
}

TEST(ReadOpenAIResponseTest, TokenWalkReadsAsOnDemandDoes) {
  ResponseGenerator generator(20261127);
  std::mt19937 edits(7);
  simdjson::dom::parser validator;
  int valid_edits = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string doc = generator.Document();
    // JSON by construction; simdjson's DOM refuses integers beyond 64 bits, which it may hold.
    const auto verdict = validator.parse(doc).error();
    ASSERT_TRUE(verdict == simdjson::SUCCESS || verdict == simdjson::NUMBER_ERROR)
        << simdjson::error_message(verdict) << "\n" << doc;
    ExpectSameReading(doc);
    if (HasFailure()) return;
    // A byte edit: the result may or may not be JSON; when it is, both readers must agree.
    std::string edited = doc;
    const size_t at = edits() % edited.size();
    static constexpr std::string_view kBytes = "{}[],:\"\\ 0a-.e";
    edited[at] = kBytes[edits() % kBytes.size()];
    if (validator.parse(edited).error() == simdjson::SUCCESS) {
      ++valid_edits;
      ExpectSameReading(edited);
      if (HasFailure()) return;
    } else {
      (void)ReadOpenAIResponse(std::string_view(edited));  // must not crash or read out of bounds
    }
  }
  EXPECT_GT(valid_edits, 1000);
}

}  // namespace
}  // namespace sluice::limit
