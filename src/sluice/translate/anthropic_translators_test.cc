// Request edge cases (422 naming the field, fields forwarded as the provider's own validation
// needs), the reasoning-effort mapping, error shapes (reference §9) and mid-stream failures for the
// Anthropic-family translators. Expected values come from the Anthropic, OpenAI and Bedrock API
// references and Envoy AI Gateway's documented behaviour (testdata/README.md).

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sluice/codec/aws_eventstream.h"
#include "sluice/core/strings.h"
#include "sluice/translate/common/anthropic_errors.h"
#include "sluice/translate/common/anthropic_usage.h"
#include "sluice/translate/common/json_util.h"
#include "sluice/translate/translator.h"

namespace sluice::translate {
namespace {

namespace bj = boost::json;
using config::SchemaName;

struct Translated {
  std::unique_ptr<Translator> t;
  Result<UpstreamRequest> up{Error(ErrorKind::kInternal, "unset")};
};

Translated Translate(Endpoint ep, SchemaName schema, std::string_view body, bool stream = false,
                     std::string_view model = "m", std::vector<HeaderView> headers = {}) {
  static config::Backend backend;
  backend.schema.name = schema;
  Translated r;
  r.t = NewTranslator(ep, schema);
  ClientRequest req;
  req.endpoint = ep;
  req.body = body;
  req.model = model;
  req.stream = stream;
  req.backend = &backend;
  req.headers = headers;  // outlives the call below
  r.up = r.t->TranslateRequest(req);
  return r;
}

bj::object BodyOf(const Translated& r) {
  EXPECT_TRUE(r.up.ok()) << (r.up.ok() ? "" : r.up.error().message());
  return bj::parse(r.up->body).as_object();
}

void Expect422(Endpoint ep, SchemaName schema, std::string_view body, std::string_view field) {
  auto r = Translate(ep, schema, body);
  ASSERT_FALSE(r.up.ok()) << body;
  EXPECT_EQ(r.up.error().kind(), ErrorKind::kUnprocessable) << r.up.error().message();
  EXPECT_TRUE(r.up.error().message().starts_with(field)) << r.up.error().message();
}

// ---- Anthropic → OpenAI ----------------------------------------------------------------------

TEST(AnthropicToOpenAI, FieldsWithoutAnOpenAIEquivalentAre422NamingThem) {
  const auto ep = Endpoint::kMessages;
  const auto s = SchemaName::kOpenAI;
  Expect422(
      ep, s,
      R"({"model":"m","max_tokens":5,"messages":[],"tools":[{"type":"web_search_20250305","name":"web_search"}]})",
      "tools[0].type");
  Expect422(
      ep, s,
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://x/a.pdf"}}]}]})",
      "messages[0].content[0].source.type");
  Expect422(
      ep, s,
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}}]}]}]})",
      "messages[0].content[0].content[0].type");
  Expect422(ep, s, R"({"model":"m","max_tokens":5,"messages":[],"container":"c"})", "container");
  Expect422(
      ep, s,
      R"({"model":"m","max_tokens":5,"messages":[],"output_config":{"format":{"type":"xml"}}})",
      "output_config.format.type");
  // count_tokens has no OpenAI chat equivalent either: the pair is not registered.
  EXPECT_FALSE(Supports(Endpoint::kMessagesCountTokens, s));
}

TEST(AnthropicToOpenAI, NoMaxTokensStaysAbsentAndEffortAndFormatMap) {
  auto r = Translate(Endpoint::kMessages, SchemaName::kOpenAI,
                     R"({"model":"m","messages":[{"role":"user","content":"hi"}],"top_k":5,)"
                     R"("service_tier":"standard_only","output_config":{"effort":"high",)"
                     R"("format":{"type":"json_schema","schema":{"type":"object"}}}})");
  const auto body = BodyOf(r);
  EXPECT_FALSE(body.contains("max_completion_tokens"));
  EXPECT_EQ(body.at("top_k"), 5);
  EXPECT_EQ(body.at("service_tier"), "default");
  EXPECT_EQ(body.at("reasoning_effort"), "high");
  EXPECT_EQ(
      bj::serialize(body.at("response_format")),
      R"({"type":"json_schema","json_schema":{"name":"output","schema":{"type":"object"},"strict":true}})");
  EXPECT_EQ(r.up->path, "/v1/chat/completions");
}

TEST(AnthropicToOpenAI, ErrorsTakeAnthropicShape) {
  auto r = Translate(Endpoint::kMessages, SchemaName::kOpenAI, R"({"model":"m","messages":[]})");
  auto e = r.t->TranslateError(
      429, "application/json", "",
      R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})");
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(e.body,
            R"({"type":"error","error":{"type":"requests","message":"Rate limit reached"}})");
  e = r.t->TranslateError(503, "text/plain", "", "upstream connect error");
  EXPECT_EQ(
      e.body,
      R"({"type":"error","error":{"type":"service_unavailable_error","message":"upstream connect error"}})");
}

TEST(AnthropicToOpenAI, StreamErrorChunkBecomesAnErrorEvent) {
  auto r = Translate(Endpoint::kMessages, SchemaName::kOpenAI,
                     R"({"model":"m","max_tokens":5,"stream":true,"messages":[]})", true);
  r.t->OnResponseHead(200, "text/event-stream");
  std::string out;
  ASSERT_TRUE(r.t->OnUpstreamBody(
                     "data: "
                     "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{"
                     "\"content\":\"a\"}}]}\n\n"
                     "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n",
                     out)
                  .ok());
  ASSERT_TRUE(r.t->OnUpstreamEnd(out).ok());
  EXPECT_NE(
      out.find(
          "event: error\ndata: "
          "{\"type\":\"error\",\"error\":{\"type\":\"server_error\",\"message\":\"overloaded\"}}"),
      std::string::npos)
      << out;
  EXPECT_EQ(out.find("message_stop"), std::string::npos) << out;
  EXPECT_EQ(r.t->stream_error(), "overloaded");
}

// ---- modelNameOverride splices ----------------------------------------------------------------

// Both passthroughs put an override in by byte splice, from the gateway's record of where "model"
// lies when it has one, else by scanning again; either way with the same bytes.
TEST(ModelOverride, SplicedTheSameWithOrWithoutTheGatewaysRecord) {
  static config::Backend backend;
  const std::string body = "{\"max_tokens\":5, \"model\" : \"claude\",\"messages\":[]}";
  const std::string expected =
      "{\"max_tokens\":5, \"model\" : \"x\\\"y\",\"messages\":[]}";
  std::string peeked = body;
  auto peek = json::PeekRequest(peeked);
  ASSERT_TRUE(peek.ok());
  ASSERT_TRUE(peek->only_model.has_value());
  for (auto [ep, schema] : {std::pair{Endpoint::kMessages, SchemaName::kAnthropic},
                            std::pair{Endpoint::kChatCompletions, SchemaName::kOpenAI}}) {
    for (bool recorded : {false, true}) {
      backend.schema.name = schema;
      auto t = NewTranslator(ep, schema);
      ClientRequest req;
      req.endpoint = ep;
      req.body = body;
      req.model = "x\"y";
      req.model_override = "x\"y";
      if (recorded) req.model_value = peek->only_model;
      req.backend = &backend;
      auto up = t->TranslateRequest(req);
      ASSERT_TRUE(up.ok()) << up.error().message();
      EXPECT_FALSE(up->body_is_client_body);
      EXPECT_EQ(up->body, expected) << "recorded=" << recorded;
    }
  }
}

// The OpenAI passthrough reads a whole answer where it lies, with the same result as piecewise.
TEST(OpenAIPassthrough, WholeAnswerReadInPlaceAsPiecewise) {
  static config::Backend backend;
  backend.schema.name = SchemaName::kOpenAI;
  const std::string answer =
      R"({"id":"c","object":"chat.completion","model":"gpt-4o-mini","choices":[],)"
      R"("usage":{"prompt_tokens":25,"completion_tokens":15,"total_tokens":40}})";
  ClientRequest req;
  req.endpoint = Endpoint::kChatCompletions;
  req.body = R"({"model":"m"})";
  req.model = "m";
  req.backend = &backend;
  limit::ResponseInfo piecewise, whole;
  for (bool at_once : {false, true}) {
    auto t = NewTranslator(Endpoint::kChatCompletions, SchemaName::kOpenAI);
    ASSERT_TRUE(t->TranslateRequest(req).ok());
    t->OnResponseHead(200, "application/json");
    std::string out, body = answer;
    if (at_once) {
      ASSERT_TRUE(t->OnUpstreamWholeBody(body, out).ok());
      EXPECT_EQ(body, answer);  // the bytes relayed to the client are untouched
      whole = t->response();
    } else {
      ASSERT_TRUE(t->OnUpstreamBody(answer.substr(0, 50), out).ok());
      ASSERT_TRUE(t->OnUpstreamBody(answer.substr(50), out).ok());
      ASSERT_TRUE(t->OnUpstreamEnd(out).ok());
      piecewise = t->response();
    }
  }
  EXPECT_EQ(whole, piecewise);
  EXPECT_EQ(whole.model, "gpt-4o-mini");
  EXPECT_EQ(whole.usage.total, 40u);
}

// ---- Anthropic usage read from stream events in place ------------------------------------------

// The DOM reading of a stream event, as the translators that rebuild events do it.
void ReadEventByDom(common::AnthropicUsage& usage, std::string_view json) {
  auto parsed = common::ParseJson(json, ErrorSource::kUpstream);
  if (!parsed.ok() || !parsed->is_object()) return;
  const auto& o = parsed->get_object();
  const auto type = common::StringOr(o, "type", "");
  if (type == "message_start") {
    if (const auto* m = common::FindObject(o, "message")) usage.OnMessage(*m);
  } else if (type == "message_delta") {
    usage.OnMessageDelta(o);
  }
}

TEST(AnthropicUsageInPlace, ReadsStreamEventsAsTheDomReadingDoes) {
  const std::vector<std::vector<std::string>> streams = {
      {R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",)"
       R"("model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":25,)"
       R"("cache_creation_input_tokens":3,"cache_read_input_tokens":7,"output_tokens":1}}})",
       R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"usage"}})",
       R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}})"},
      // Fields in another order, escaped keys and model, a later non-zero input override, thinking.
      {R"({"message":{"usage":{"input_tokens":0,"output_tokens":0},"model":"cé",)"
       R"("id":"m"},"type":"message_start"})",
       R"({"usage":{"input_tokens":9,"cache_read_input_tokens":0,"output_tokens":4,)"
       R"("output_tokens_details":{"thinking_tokens":2}},"type":"message_delta"})"},
      // Counts the way a DOM reads them: 1e3 and 5.0 count, negatives, strings and nulls do not.
      {R"({"type":"message_start","message":{"usage":{"input_tokens":1e3,"output_tokens":5.0,)"
       R"("cache_read_input_tokens":-1,"cache_creation_input_tokens":"4"}}})",
       R"({"type":"message_delta","usage":{"output_tokens":null,"input_tokens":18446744073709551616}})"},
      // Not usable: no object, malformed, unknown types.
      {"[1]", R"({"type":"message_start","message":)", R"({"type":"ping"})", "not json",
       R"({"type":"message_delta","usage":[1]})"},
  };
  for (const auto& events : streams) {
    common::AnthropicUsage in_place, dom;
    for (const auto& e : events) {
      in_place.OnStreamEvent(e);
      ReadEventByDom(dom, e);
    }
    EXPECT_EQ(in_place.usage(), dom.usage()) << events.front();
    EXPECT_EQ(in_place.model(), dom.model()) << events.front();
    EXPECT_EQ(in_place.id(), dom.id()) << events.front();
    EXPECT_EQ(in_place.seen(), dom.seen()) << events.front();
    EXPECT_EQ(in_place.thinking(), dom.thinking()) << events.front();
  }
  common::AnthropicUsage first;
  first.OnStreamEvent(streams[0][0]);
  first.OnStreamEvent(streams[0][2]);
  EXPECT_EQ(first.usage().input, 35u);
  EXPECT_EQ(first.usage().output, 15u);
  EXPECT_EQ(first.model(), "claude-sonnet-4-5");
  EXPECT_FALSE(first.OnStreamEvent("[1]"));
  EXPECT_TRUE(first.OnStreamEvent(R"({"type":"ping"})"));
}

// ---- Anthropic → Anthropic -------------------------------------------------------------------

TEST(AnthropicPassthrough, AddsAnthropicVersionOnlyWhenTheClientSentNone) {
  const std::string body = R"({"model":"m","max_tokens":5,"messages":[]})";
  auto without = Translate(Endpoint::kMessages, SchemaName::kAnthropic, body);
  ASSERT_TRUE(without.up.ok());
  ASSERT_EQ(without.up->set_headers.size(), 1u);
  EXPECT_EQ(without.up->set_headers[0].first, "anthropic-version");
  EXPECT_EQ(without.up->set_headers[0].second, "2023-06-01");
  EXPECT_TRUE(without.up->body_is_client_body);  // sent byte for byte, without a copy
  EXPECT_TRUE(without.up->body.empty());
  auto with = Translate(Endpoint::kMessages, SchemaName::kAnthropic, body, false, "m",
                        {{"anthropic-version", "2026-10-21"}});
  ASSERT_TRUE(with.up.ok());
  EXPECT_TRUE(with.up->set_headers.empty());
  EXPECT_TRUE(with.t->relays_unchanged());
}

TEST(AnthropicPassthrough, ErrorsPassThroughOrAreWrappedByStatus) {
  auto r = Translate(Endpoint::kMessages, SchemaName::kAnthropic, R"({"model":"m","messages":[]})");
  const std::string api =
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})";
  EXPECT_EQ(r.t->TranslateError(529, "application/json", "", api).body, api);
  // Reference §9's status → type table.
  const std::pair<int, std::string_view> table[] = {
      {400, "invalid_request_error"}, {401, "authentication_error"},      {403, "permission_error"},
      {404, "not_found_error"},       {413, "request_too_large"},         {429, "rate_limit_error"},
      {500, "internal_server_error"}, {503, "service_unavailable_error"}, {529, "overloaded_error"},
      {418, "internal_server_error"}};
  for (const auto& [status, type] : table) {
    const auto e = r.t->TranslateError(status, "text/html", "", "<h1>x</h1>");
    EXPECT_EQ(e.status, status);
    EXPECT_EQ(e.body, common::AnthropicErrorJson(type, "<h1>x</h1>"));
  }
}

// ---- Anthropic → Claude on Bedrock -----------------------------------------------------------

TEST(AnthropicToAWSAnthropic, ExceptionMidStreamEndsWithAnErrorEvent) {
  auto r = Translate(Endpoint::kMessages, SchemaName::kAWSAnthropic,
                     R"({"model":"m","max_tokens":5,"stream":true,"messages":[]})", true,
                     "anthropic.claude-3-haiku-20240307-v1:0");
  ASSERT_TRUE(r.up.ok());
  EXPECT_EQ(r.up->path,
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke-with-response-stream");
  std::string bytes;
  const std::string start =
      R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-haiku-20240307","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":1}}})";
  codec::AppendEventStreamMessage(bytes, {{":event-type", "chunk"}, {":message-type", "event"}},
                                  R"({"bytes":")" + Base64Encode(start) + R"("})");
  codec::AppendEventStreamMessage(
      bytes, {{":exception-type", "throttlingException"}, {":message-type", "exception"}},
      R"({"message":"Too many tokens, please wait before trying again."})");
  r.t->OnResponseHead(200, "application/vnd.amazon.eventstream");
  std::string out;
  ASSERT_TRUE(r.t->OnUpstreamBody(bytes, out).ok());
  ASSERT_TRUE(r.t->OnUpstreamEnd(out).ok());
  EXPECT_EQ(
      out,
      "event: message_start\ndata: " + start +
          "\n\nevent: error\ndata: "
          R"({"type":"error","error":{"type":"rate_limit_error","message":"Too many tokens, please wait before trying again."}})"
          "\n\n");
  EXPECT_EQ(r.t->stream_error(),
            "throttlingException: Too many tokens, please wait before trying again.");
}

TEST(AnthropicToAWSAnthropic, CorruptFrameIsAnUpstreamError) {
  auto r = Translate(Endpoint::kMessages, SchemaName::kAWSAnthropic,
                     R"({"model":"m","max_tokens":5,"stream":true,"messages":[]})", true);
  r.t->OnResponseHead(200, "application/vnd.amazon.eventstream");
  std::string bytes;
  codec::AppendEventStreamMessage(bytes, {{":event-type", "chunk"}}, R"({"bytes":"e30="})");
  bytes[bytes.size() - 1] ^= 1;  // message CRC no longer matches
  std::string out;
  EXPECT_FALSE(r.t->OnUpstreamBody(bytes, out).ok());
}

TEST(AnthropicToAWSAnthropic, BedrockErrorsInAnthropicShape) {
  auto r =
      Translate(Endpoint::kMessages, SchemaName::kAWSAnthropic, R"({"model":"m","messages":[]})");
  auto e = r.t->TranslateError(
      400, "application/json",
      "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
      R"({"message":"max_tokens: Field required"})");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(
      e.body,
      R"({"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}})");
  e = r.t->TranslateError(503, "text/plain", "", "Service Unavailable");
  EXPECT_EQ(
      e.body,
      R"({"type":"error","error":{"type":"service_unavailable_error","message":"Service Unavailable"}})");
}

// ---- OpenAI → Claude on Bedrock --------------------------------------------------------------

TEST(OpenAIToAWSAnthropic, FieldsClaudeCannotExpressAre422NamingThem) {
  const auto ep = Endpoint::kChatCompletions;
  const auto s = SchemaName::kAWSAnthropic;
  const std::string m = R"("model":"m","messages":[{"role":"user","content":"hi"}])";
  Expect422(ep, s, "{" + m + R"(,"temperature":1.5})", "temperature");
  Expect422(ep, s, "{" + m + R"(,"temperature":-0.1})", "temperature");
  Expect422(ep, s, "{" + m + R"(,"n":2})", "n");
  Expect422(ep, s, "{" + m + R"(,"logprobs":true})", "logprobs");
  Expect422(ep, s, "{" + m + R"(,"seed":7})", "seed");
  Expect422(ep, s, "{" + m + R"(,"presence_penalty":0.5})", "presence_penalty");
  Expect422(ep, s, "{" + m + R"(,"response_format":{"type":"json_object"}})",
            "response_format.type");
  Expect422(ep, s, "{" + m + R"(,"reasoning_effort":"extreme"})", "reasoning_effort");
  Expect422(ep, s, R"({"model":"m","messages":[{"role":"function","name":"f","content":"x"}]})",
            "messages[0].role");
  Expect422(
      ep, s,
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AA==","format":"wav"}}]}]})",
      "messages[0].content[0].type");
  Expect422(
      ep, s,
      R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{not json"}}]}]})",
      "messages[0].tool_calls[0].function.arguments");
  // Defaults that mean "nothing" are accepted.
  auto r = Translate(
      ep, s,
      "{" + m +
          R"(,"n":1,"logprobs":false,"presence_penalty":0,"response_format":{"type":"text"},"stream_options":null})");
  EXPECT_TRUE(r.up.ok()) << r.up.error().message();
}

TEST(OpenAIToAWSAnthropic, NoMaxTokensIsForwardedForBedrockToReject) {
  auto r = Translate(Endpoint::kChatCompletions, SchemaName::kAWSAnthropic,
                     R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  const auto body = BodyOf(r);
  EXPECT_FALSE(body.contains("max_tokens"));
  EXPECT_FALSE(body.contains("model"));
  EXPECT_EQ(body.at("anthropic_version"), "bedrock-2023-05-31");
}

TEST(OpenAIToAWSAnthropic, ReasoningEffortFollowsTheModel) {
  const std::string m =
      R"("model":"m","max_tokens":64000,"messages":[{"role":"user","content":"hi"}])";
  // A model that takes output_config.effort (Claude Opus 4.7): the effort itself.
  auto r =
      Translate(Endpoint::kChatCompletions, SchemaName::kAWSAnthropic,
                "{" + m + R"(,"reasoning_effort":"xhigh"})", false, "us.anthropic.claude-opus-4-7");
  auto body = BodyOf(r);
  EXPECT_EQ(bj::serialize(body.at("output_config")), R"({"effort":"xhigh"})");
  EXPECT_FALSE(body.contains("thinking"));
  // A model without effort: the documented thinking budget.
  for (const auto& [effort, budget] : std::vector<std::pair<std::string, int>>{
           {"minimal", 1024}, {"low", 1024}, {"medium", 4096}, {"high", 16384}, {"xhigh", 32000}}) {
    r = Translate(Endpoint::kChatCompletions, SchemaName::kAWSAnthropic,
                  "{" + m + R"(,"reasoning_effort":")" + effort + R"("})", false,
                  "anthropic.claude-3-7-sonnet-20250219-v1:0");
    body = BodyOf(r);
    EXPECT_EQ(bj::serialize(body.at("thinking")),
              R"({"type":"enabled","budget_tokens":)" + std::to_string(budget) + "}")
        << effort;
  }
  // "none": no thinking; an explicit thinking (adaptive) always wins.
  r = Translate(Endpoint::kChatCompletions, SchemaName::kAWSAnthropic,
                "{" + m + R"(,"reasoning_effort":"none"})", false, "anthropic.claude-3-7-sonnet");
  EXPECT_FALSE(BodyOf(r).contains("thinking"));
  r = Translate(Endpoint::kChatCompletions, SchemaName::kAWSAnthropic,
                "{" + m + R"(,"reasoning_effort":"high","thinking":{"type":"adaptive"}})", false,
                "anthropic.claude-sonnet-4");
  EXPECT_EQ(bj::serialize(BodyOf(r).at("thinking")), R"({"type":"adaptive"})");
}

TEST(OpenAIToAWSAnthropic, ThinkingBlocksAndCacheControlGoBackToClaude) {
  auto r = Translate(
      Endpoint::kChatCompletions, SchemaName::kAWSAnthropic,
      R"({"model":"m","max_tokens":9,"messages":[)"
      R"({"role":"user","content":[{"type":"text","text":"long doc","cache_control":{"type":"ephemeral"}}]},)"
      R"({"role":"assistant","content":"ok","thinking_blocks":[{"type":"thinking","thinking":"hm","signature":"sig1"},{"type":"redacted_thinking","data":"ZGF0YQ=="}]},)"
      R"({"role":"user","content":"go on"}]})");
  const auto body = BodyOf(r);
  EXPECT_EQ(
      bj::serialize(body.at("messages")),
      R"([{"role":"user","content":[{"type":"text","text":"long doc","cache_control":{"type":"ephemeral"}}]},)"
      R"({"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"sig1"},{"type":"redacted_thinking","data":"ZGF0YQ=="},{"type":"text","text":"ok"}]},)"
      R"({"role":"user","content":"go on"}])");
}

TEST(OpenAIToAWSAnthropic, BedrockErrorsInOpenAIShape) {
  auto r = Translate(Endpoint::kChatCompletions, SchemaName::kAWSAnthropic,
                     R"({"model":"m","messages":[]})");
  auto e = r.t->TranslateError(
      429, "application/json",
      "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
      R"({"message":"Too many requests"})");
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(
      e.body,
      R"({"type":"error","error":{"type":"ThrottlingException","code":"429","message":"Too many requests"}})");
  e = r.t->TranslateError(502, "text/html", "", "<html>Bad Gateway</html>");
  EXPECT_EQ(
      e.body,
      R"({"type":"error","error":{"type":"AWSBedrockBackendError","code":"502","message":"<html>Bad Gateway</html>"}})");
}

// Claude on Bedrock (InvokeModel) and Converse answer errors alike, so both backends map a body
// the same way for each client API, whatever its shape.
TEST(BedrockErrors, BothBedrockSchemasMapEveryBodyAlike) {
  struct Case {
    int status;
    std::string_view error_type, body, openai, anthropic;
  };
  const Case cases[] = {
      {400, "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
       R"({"Message":"m"})",
       R"({"type":"error","error":{"type":"ValidationException","code":"400","message":"m"}})",
       R"({"type":"error","error":{"type":"invalid_request_error","message":"m"}})"},
      {529, "", R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})",
       R"({"type":"error","error":{"type":"overloaded_error","code":"529","message":"busy"}})",
       R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})"},
      {500, "InternalServerException", R"({"code":7})",
       R"({"type":"error","error":{"type":"AWSBedrockBackendError","code":"500","message":"{\"code\":7}"}})",
       R"({"type":"error","error":{"type":"internal_server_error","message":"{\"code\":7}"}})"},
      {502, "", "bad \xff byte",
       R"({"type":"error","error":{"type":"AWSBedrockBackendError","code":"502","message":"bad )"
       "\xEF\xBF\xBD"
       R"( byte"}})",
       R"({"type":"error","error":{"type":"internal_server_error","message":"bad )"
       "\xEF\xBF\xBD"
       R"( byte"}})"},
  };
  for (SchemaName schema : {SchemaName::kAWSBedrock, SchemaName::kAWSAnthropic}) {
    auto chat = Translate(Endpoint::kChatCompletions, schema, R"({"model":"m","messages":[]})");
    auto messages = Translate(Endpoint::kMessages, schema, R"({"model":"m","messages":[]})");
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(c.body));
      const auto o = chat.t->TranslateError(c.status, "application/json", c.error_type, c.body);
      EXPECT_EQ(o.status, c.status);
      EXPECT_EQ(o.body, c.openai);
      const auto a = messages.t->TranslateError(c.status, "application/json", c.error_type, c.body);
      EXPECT_EQ(a.status, c.status);
      EXPECT_EQ(a.body, c.anthropic);
    }
  }
}

TEST(OpenAIToAWSAnthropic, ExceptionMidStreamIsAnErrorChunkThenDone) {
  auto r = Translate(Endpoint::kChatCompletions, SchemaName::kAWSAnthropic,
                     R"({"model":"m","max_tokens":5,"stream":true,"messages":[]})", true);
  std::string bytes;
  codec::AppendEventStreamMessage(
      bytes, {{":exception-type", "modelStreamErrorException"}, {":message-type", "exception"}},
      R"({"message":"The model stream failed"})");
  r.t->OnResponseHead(200, "application/vnd.amazon.eventstream");
  std::string out;
  ASSERT_TRUE(r.t->OnUpstreamBody(bytes, out).ok());
  ASSERT_TRUE(r.t->OnUpstreamEnd(out).ok());
  EXPECT_EQ(out,
            "data: {\"error\":{\"message\":\"The model stream "
            "failed\",\"type\":\"modelStreamErrorException\",\"code\":null}}\n\n"
            "data: [DONE]\n\n");
  EXPECT_FALSE(r.t->stream_error().empty());
}

}  // namespace
}  // namespace sluice::translate
