#include "sluice/translate/bedrock/converse_common.h"

#include <gtest/gtest.h>

#include "sluice/translate/bedrock/converse_request.h"
#include "sluice/translate/bedrock/json_writer.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/reasoning_effort.h"
#include "sluice/translate/common/upstream_path.h"

namespace sluice::translate::bedrock {
namespace {

TEST(ModelPath, EncodesEverythingButUnreservedCharacters) {
  // The AWS SDKs encode path labels as RFC 3986 unreserved-only; Bedrock ids carry ':' and ARNs
  // '/'.
  EXPECT_EQ(common::BedrockModelPath("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "/converse"),
            "/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse");
  EXPECT_EQ(
      common::BedrockModelPath("arn:aws:bedrock:us-east-1:123:inference-profile/x~y_z", "/invoke"),
      "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fx~y_z/invoke");
  EXPECT_EQ(common::BedrockModelPath("a b+c%", ""), "/model/a%20b%2Bc%25");
}

TEST(ConverseUsage, ExplicitCachingCount) {
  simdjson::dom::parser parser;
  auto root = ParseJson(parser,
                        R"({"inputTokens":10,"outputTokens":5,"totalTokens":45,)"
                        R"("cacheReadInputTokens":20,"cacheWriteInputTokens":10})",
                        ErrorSource::kUpstream);
  ASSERT_TRUE(root.ok());
  ConverseUsage u;
  u.Read(*root);
  const limit::TokenUsage t = u.ToTokenUsage();
  EXPECT_EQ(t.input, 40u);  // reference §5: input + cache read + cache write
  EXPECT_EQ(t.output, 5u);
  EXPECT_EQ(t.total, 45u);
  EXPECT_EQ(t.cached_input, 20u);
  EXPECT_EQ(t.cache_creation_input, 10u);
  EXPECT_FALSE(t.reasoning);

  std::string out;
  JsonWriter w(out);
  WriteOpenAIUsage(w, u);
  EXPECT_EQ(out, R"({"prompt_tokens":40,"completion_tokens":5,"total_tokens":45,)"
                 R"("prompt_tokens_details":{"cached_tokens":20,"cache_creation_tokens":10}})");
}

TEST(ConverseUsage, NothingReportedStaysUnset) {
  ConverseUsage u;
  EXPECT_EQ(u.ToTokenUsage(), limit::TokenUsage{});
}

TEST(DataUri, Base64AndPercentEncoded) {
  auto a = ParseDataUri("data:image/png;base64,iVBO Rw0K\nGgo=");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->media_type, "image/png");
  EXPECT_EQ(a->base64, "iVBORw0KGgo=");  // canonical: whitespace gone
  auto b = ParseDataUri("data:text/plain;charset=utf-8,hi%20there");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->media_type, "text/plain");
  EXPECT_EQ(b->base64, "aGkgdGhlcmU=");
  auto c = ParseDataUri("data:,x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->media_type, "text/plain");  // RFC 2397 default
  EXPECT_FALSE(ParseDataUri("https://example.com/a.png"));
  EXPECT_FALSE(ParseDataUri("data:image/png;base64"));
  EXPECT_FALSE(ParseDataUri("data:image/png;base64,@@@"));
  EXPECT_FALSE(ParseDataUri("data:text/plain,%zz"));
}

TEST(Formats, ImageAndDocumentTypes) {
  EXPECT_EQ(ImageFormat("image/jpg"), "jpeg");
  EXPECT_EQ(ImageFormat("IMAGE/PNG"), "png");
  EXPECT_FALSE(ImageFormat("image/bmp"));
  EXPECT_EQ(DocumentFormat("application/pdf"), "pdf");
  EXPECT_EQ(DocumentFormat("text/markdown"), "md");
  EXPECT_FALSE(DocumentFormat("application/zip"));
  EXPECT_EQ(DocumentName("/tmp/Q3  report_final.v2.pdf"), "Q3 report final v2");
  EXPECT_EQ(DocumentName(""), "document");
  EXPECT_EQ(DocumentName("***"), "document");
}

TEST(StopReasons, OpenAIAndAnthropicMaps) {
  EXPECT_EQ(OpenAIFinishReason("end_turn"), "stop");
  EXPECT_EQ(OpenAIFinishReason("stop_sequence"), "stop");
  EXPECT_EQ(OpenAIFinishReason("max_tokens"), "length");
  EXPECT_EQ(OpenAIFinishReason("model_context_window_exceeded"), "length");
  EXPECT_EQ(OpenAIFinishReason("tool_use"), "tool_calls");
  EXPECT_EQ(OpenAIFinishReason("content_filtered"), "content_filter");
  EXPECT_EQ(OpenAIFinishReason("guardrail_intervened"), "content_filter");
  EXPECT_EQ(OpenAIFinishReason(""), "stop");
  EXPECT_EQ(AnthropicStopReason("tool_use"), "tool_use");
  EXPECT_EQ(AnthropicStopReason("stop_sequence"), "stop_sequence");
  EXPECT_EQ(AnthropicStopReason("guardrail_intervened"), "refusal");
  EXPECT_EQ(AnthropicStopReason("malformed_tool_use"), "end_turn");
}

TEST(Errors, ExceptionStatusesFromTheApiReference) {
  EXPECT_EQ(StatusForException("throttlingException"), 429);
  EXPECT_EQ(StatusForException("ThrottlingException"), 429);
  EXPECT_EQ(StatusForException("validationException"), 400);
  EXPECT_EQ(StatusForException("modelStreamErrorException"), 424);
  EXPECT_EQ(StatusForException("serviceUnavailableException"), 503);
  EXPECT_EQ(StatusForException("somethingNew"), 500);
  EXPECT_EQ(common::AnthropicErrorTypeForStatus(429), "rate_limit_error");
  EXPECT_EQ(common::AnthropicErrorTypeForStatus(529), "overloaded_error");
  EXPECT_EQ(common::AnthropicErrorTypeForStatus(418), "internal_server_error");
}

TEST(Errors, InvalidUtf8InARawBodyStaysValidJson) {
  const ClientError e = common::BedrockErrorToAnthropic(502, "bad \xff byte");
  EXPECT_EQ(e.body, R"({"type":"error","error":{"type":"internal_server_error","message":"bad )"
                    "\xEF\xBF\xBD"
                    R"( byte"}})");
  const ClientError o =
      common::BedrockErrorToOpenAI(400, "application/json", "", R"({"Message":"m"})");
  EXPECT_EQ(o.body, R"({"type":"error","error":{"type":"AWSBedrockBackendError","code":"400",)"
                    R"("message":"m"}})");
}

TEST(JsonWriter, SeparatorsAndNumbersAsWritten) {
  simdjson::dom::parser parser;
  auto root =
      ParseJson(parser, R"({"a":0.7,"b":1.0,"c":-3,"d":[true,null,"x\n"]})", ErrorSource::kClient);
  ASSERT_TRUE(root.ok());
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("v").Element(*root).Field("s", "q\"").Key("e").BeginArray().EndArray();
  w.Key("o").BeginObject().EndObject().Key("n").Int(-1).Key("u").Uint(2).EndObject();
  EXPECT_EQ(out, R"({"v":{"a":0.7,"b":1.0,"c":-3,"d":[true,null,"x\n"]},"s":"q\"","e":[],"o":{},)"
                 R"("n":-1,"u":2})");
  std::string list = "1";
  JsonWriter more(list, true);
  more.Int(2).Int(3);
  EXPECT_EQ(list, "1,2,3");
}

// Keys and strings of any length are escaped alike, and parse back to the original text.
TEST(JsonWriter, EscapesKeysAndStrings) {
  const std::string tricky = "q\"b\\s\n\x01\x1f\t/\xc3\xa9";
  // 12 bytes a copy: escapes inside and across the eight-byte steps of the escape scan.
  for (size_t repeat : {size_t{1}, size_t{5}, size_t{6}, size_t{60}}) {
    std::string text;
    for (size_t i = 0; i < repeat; ++i) text += tricky;
    std::string out;
    JsonWriter w(out);
    w.BeginObject().Field(text, text).Key("n").Int(1).Field("k", text).EndObject();
    simdjson::dom::parser parser;
    auto root = ParseJson(parser, out, ErrorSource::kClient);
    ASSERT_TRUE(root.ok()) << out;
    simdjson::dom::object object;
    ASSERT_EQ(root->get_object().get(object), simdjson::SUCCESS);
    std::string_view value;
    ASSERT_EQ(object[text].get_string().get(value), simdjson::SUCCESS) << out;
    EXPECT_EQ(value, text);
    ASSERT_EQ(object["k"].get_string().get(value), simdjson::SUCCESS);
    EXPECT_EQ(value, text);
    EXPECT_NE(out.find("\\u0001"), std::string::npos) << out;  // control bytes as \u escapes
    EXPECT_NE(out.find("\\u001f"), std::string::npos) << out;
  }
}

TEST(ConverseMessageList, MergesConsecutiveRolesAndDropsEmptyTurns) {
  ConverseMessageList list;
  list.Blocks("user").Raw(R"({"text":"a"})");
  list.Blocks("assistant");
  list.DropIfEmpty();
  list.Blocks("user").Raw(R"({"text":"b"})");
  list.Blocks("assistant").Raw(R"({"text":"c"})");
  std::string out;
  JsonWriter w(out);
  list.Write(w);
  EXPECT_EQ(out, R"([{"role":"user","content":[{"text":"a"},{"text":"b"}]},)"
                 R"({"role":"assistant","content":[{"text":"c"}]}])");
}

TEST(ConverseStreamReader, ExceptionsAndCorruptFrames) {
  std::string bytes;
  codec::AppendEventStreamMessage(bytes,
                                  {{":message-type", "event"}, {":event-type", "messageStart"}},
                                  R"({"role":"assistant"})");
  codec::AppendEventStreamMessage(
      bytes, {{":message-type", "exception"}, {":exception-type", "validationException"}},
      R"({"message":"bad input"})");
  ConverseStreamReader reader;
  std::vector<std::string> seen;
  auto r = reader.Feed(
      bytes,
      [&](const ConverseEvent& e) -> Result<void> {
        seen.push_back(std::string(e.type));
        return Ok();
      },
      [&](const ConverseException& ex) -> Result<void> {
        seen.push_back(ex.type + "/" + ex.message + "/" + std::to_string(ex.status));
        return Ok();
      });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"messageStart", "validationException/bad input/400"}));

  std::string corrupt = bytes;
  corrupt[corrupt.size() - 1] ^= 1;  // message CRC
  ConverseStreamReader reader2;
  auto r2 = reader2.Feed(
      corrupt, [](const ConverseEvent&) -> Result<void> { return Ok(); },
      [](const ConverseException&) -> Result<void> { return Ok(); });
  EXPECT_FALSE(r2.ok());

  std::string not_json;
  codec::AppendEventStreamMessage(
      not_json, {{":message-type", "event"}, {":event-type", "metadata"}}, "not json");
  ConverseStreamReader reader3;
  auto r3 = reader3.Feed(
      not_json, [](const ConverseEvent&) -> Result<void> { return Ok(); },
      [](const ConverseException&) -> Result<void> { return Ok(); });
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().kind(), ErrorKind::kProtocol);
}

TEST(ReasoningEffort, TheDocumentedTable) {
  EXPECT_EQ(common::ThinkingBudget("minimal"), 1024u);
  EXPECT_EQ(common::ThinkingBudget("low"), 1024u);
  EXPECT_EQ(common::ThinkingBudget("medium"), 4096u);
  EXPECT_EQ(common::ThinkingBudget("high"), 16384u);
  EXPECT_EQ(common::ThinkingBudget("xhigh"), 32000u);
  EXPECT_FALSE(common::ThinkingBudget("none"));
  EXPECT_EQ(common::ClaudeEffort("minimal"), "low");
  EXPECT_EQ(common::ClaudeEffort("xhigh"), "xhigh");
  EXPECT_FALSE(common::ClaudeEffort("none"));
  EXPECT_FALSE(common::IsKnownReasoningEffort("extreme"));
  EXPECT_TRUE(common::ClaudeAcceptsEffort("us.anthropic.claude-opus-4-5-20251101-v1:0"));
  EXPECT_TRUE(common::ClaudeAcceptsEffort("claude-sonnet-4-6"));
  EXPECT_FALSE(common::ClaudeAcceptsEffort("anthropic.claude-3-7-sonnet-20250219-v1:0"));
  EXPECT_FALSE(common::ClaudeAcceptsEffort("claude-sonnet-4-5"));
}

}  // namespace
}  // namespace sluice::translate::bedrock
