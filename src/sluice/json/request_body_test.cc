#include "sluice/json/request_body.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "sluice/json/incremental_index.h"
#include "sluice/json/parser.h"

namespace sluice::json {
namespace {

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(SLUICE_TESTDATA_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RequestPeek Peek(std::string body) {
  auto peek = PeekRequest(body);
  EXPECT_TRUE(peek.ok()) << body << " -> " << peek.error().message();
  return peek.ok() ? *peek : RequestPeek{};
}

// ---------------------------------------------------------------------------------------------
// PeekRequest

// The request example of the OpenAI API reference, "Create chat completion" (Streaming tab),
// with stream_options from the same page.
TEST(PeekRequestTest, OpenAIStreamingRequest) {
  RequestPeek peek = Peek(ReadTestdata("chat_request_stream.json"));
  EXPECT_TRUE(peek.has_model);
  EXPECT_EQ(peek.model, "gpt-4o");
  EXPECT_TRUE(peek.stream);
  EXPECT_TRUE(peek.include_usage);
}

TEST(PeekRequestTest, MinimalAndAbsentFields) {
  RequestPeek peek = Peek(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_TRUE(peek.has_model);
  EXPECT_EQ(peek.model, "m");
  EXPECT_FALSE(peek.stream);
  EXPECT_FALSE(peek.include_usage);

  peek = Peek("{}");
  EXPECT_FALSE(peek.has_model);
  EXPECT_EQ(peek.model, "");
  EXPECT_FALSE(peek.stream);

  peek = Peek(R"({"model":""})");
  EXPECT_TRUE(peek.has_model);
  EXPECT_EQ(peek.model, "");
}

TEST(PeekRequestTest, ModelMustBeAString) {
  for (const char* body : {R"({"model":42})", R"({"model":null})", R"({"model":["a"]})",
                           R"({"model":{"name":"a"}})", R"({"model":true})"}) {
    RequestPeek peek = Peek(body);
    EXPECT_FALSE(peek.has_model) << body;
    EXPECT_EQ(peek.model, "") << body;
  }
}

TEST(PeekRequestTest, StreamMustBeTrue) {
  EXPECT_TRUE(Peek(R"({"stream":true})").stream);
  EXPECT_FALSE(Peek(R"({"stream":false})").stream);
  EXPECT_FALSE(Peek(R"({"stream":"true"})").stream);
  EXPECT_FALSE(Peek(R"({"stream":1})").stream);
  EXPECT_FALSE(Peek(R"({"stream":null})").stream);
}

TEST(PeekRequestTest, IncludeUsage) {
  EXPECT_TRUE(Peek(R"({"stream_options":{"include_usage":true}})").include_usage);
  EXPECT_FALSE(Peek(R"({"stream_options":{"include_usage":false}})").include_usage);
  EXPECT_FALSE(Peek(R"({"stream_options":{"include_usage":null}})").include_usage);
  EXPECT_FALSE(Peek(R"({"stream_options":{"include_usage":"true"}})").include_usage);
  EXPECT_FALSE(Peek(R"({"stream_options":null})").include_usage);
  EXPECT_FALSE(Peek(R"({"stream_options":{}})").include_usage);
  EXPECT_FALSE(Peek(R"({"stream_options":{"x":{"include_usage":true}}})").include_usage);
  EXPECT_FALSE(Peek(R"({"metadata":{"stream_options":{"include_usage":true}}})").include_usage);
  EXPECT_TRUE(
      Peek(R"({"stream_options":{"a":[1,{"b":2}],"include_usage":true,"c":{}}})").include_usage);
}

TEST(PeekRequestTest, NestedKeysAreIgnored) {
  RequestPeek peek = Peek(R"({"messages":[{"role":"user","content":"x","model":"inner"}],)"
                          R"("metadata":{"model":"meta","stream":true},"model":"outer"})");
  EXPECT_EQ(peek.model, "outer");
  EXPECT_FALSE(peek.stream);
  peek = Peek(R"({"tools":[{"model":"t"}]})");
  EXPECT_FALSE(peek.has_model);
}

TEST(PeekRequestTest, KeysAreDecodedAndCaseSensitive) {
  EXPECT_EQ(Peek(R"({"mod\u0065l":"escaped-key"})").model, "escaped-key");
  EXPECT_EQ(Peek(R"({"\u006d\u006f\u0064\u0065\u006c":"all-escaped"})").model, "all-escaped");
  EXPECT_FALSE(Peek(R"({"Model":"m","MODEL":"n"})").has_model);
  EXPECT_FALSE(Peek(R"({"model ":"m"," model":"n"})").has_model);
  EXPECT_TRUE(Peek(R"({"str\u0065am":true})").stream);
}

TEST(PeekRequestTest, ModelEscapesAreDecoded) {
  EXPECT_EQ(Peek(R"({"model":"gpt-4o\/mini"})").model, "gpt-4o/mini");
  EXPECT_EQ(Peek(R"({"model":"caf\u00e9 \"q\"\n"})").model, "caf\xC3\xA9 \"q\"\n");
  EXPECT_EQ(Peek("{\"model\":\"caf\xC3\xA9\"}").model, "caf\xC3\xA9");
  EXPECT_EQ(Peek(R"({"model":"\ud83d\ude00"})").model, "\xF0\x9F\x98\x80");
}

// Duplicate keys: the last occurrence wins, as in Go's encoding/json and JSON.parse.
TEST(PeekRequestTest, DuplicateKeysLastWins) {
  RequestPeek peek = Peek(R"({"model":"a","stream":true,"model":"b","stream":false})");
  EXPECT_EQ(peek.model, "b");
  EXPECT_FALSE(peek.stream);
  peek = Peek(R"({"model":"a","model":7})");
  EXPECT_FALSE(peek.has_model);
  peek = Peek(R"({"stream_options":{"include_usage":true},"stream_options":null})");
  EXPECT_FALSE(peek.include_usage);
  peek = Peek(R"({"stream_options":{"include_usage":false,"include_usage":true}})");
  EXPECT_TRUE(peek.include_usage);
}

TEST(PeekRequestTest, Whitespace) {
  RequestPeek peek = Peek(
      " \r\n\t{ \"model\" \t:\r\n \"m\" ,\n\t\"stream\" :true , \"stream_options\" : { "
      "\"include_usage\" : true } } \r\n\t ");
  EXPECT_EQ(peek.model, "m");
  EXPECT_TRUE(peek.stream);
  EXPECT_TRUE(peek.include_usage);
}

TEST(PeekRequestTest, ValidEdgeCases) {
  // Valid JSON that a strict-but-fast parser might reject.
  for (const char* body : {
           R"({"a":1e400,"b":12345678901234567890123456789,"c":-0.0e+5})",
           R"({"a":"\ud800 lone surrogate, accepted as Go does"})",
           R"({"":1,"a":[],"b":{},"c":[[],{}],"d":[null,true,false,"s",0]})",
           R"({"a":"\"\\\/\b\f\n\r\t\u0000"})",
           "{\"a\":\"\xF0\x9F\x98\x80\"}",
       }) {
    std::string s = body;
    EXPECT_TRUE(PeekRequest(s).ok()) << body;
  }
}

TEST(PeekRequestTest, ReadsInPlaceWithoutChangingTheBody) {
  std::string body = R"({"model":"m"})";
  body.shrink_to_fit();  // no padding: PeekRequest grows capacity once
  std::string copy = body;
  ASSERT_TRUE(PeekRequest(body).ok());
  EXPECT_EQ(body, copy);
  EXPECT_TRUE(HasPadding(body));
  const char* data = body.data();
  ASSERT_TRUE(PeekRequest(body).ok());
  EXPECT_EQ(body.data(), data);  // padded: read where it lies
}

struct Malformed {
  const char* body;
  const char* code;  // expected prefix of the message
};

class MalformedTest : public testing::TestWithParam<Malformed> {};

TEST_P(MalformedTest, IsInvalidArgument) {
  std::string body = GetParam().body;
  auto peek = PeekRequest(body);
  ASSERT_FALSE(peek.ok()) << body;
  EXPECT_EQ(peek.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(peek.error().source(), ErrorSource::kClient);
  const std::string& message = peek.error().message();
  EXPECT_EQ(message.rfind(GetParam().code, 0), 0u) << body << " -> " << message;
  // The same documents are refused by every editing function, which leave the body alone.
  std::string original = body;
  EXPECT_FALSE(SpliceModel(body, "x").ok());
  EXPECT_FALSE(EnsureIncludeUsage(body).ok());
  EXPECT_FALSE(ApplyBodyMutation(body, {{{"a", "1"}}, {"b"}}).ok());
  EXPECT_EQ(body, original);
}

// Codes as simdjson names them; "" accepts any message (the exact code is simdjson's business).
INSTANTIATE_TEST_SUITE_P(
    Documents, MalformedTest,
    testing::Values(
        Malformed{"", "EMPTY"}, Malformed{"   \n", "EMPTY"},
        Malformed{R"([1,2])", "INCORRECT_TYPE"}, Malformed{R"("model")", "INCORRECT_TYPE"},
        Malformed{"null", "INCORRECT_TYPE"}, Malformed{"42", "INCORRECT_TYPE"},
        Malformed{R"({"model":"m"}})", "TRAILING_CONTENT"},
        Malformed{R"({"model":"m"} {})", "TRAILING_CONTENT"}, Malformed{R"({"model":"m"} x)", ""},
        Malformed{R"({"model":"m")", ""}, Malformed{R"({"model":"m)", "UNCLOSED_STRING"},
        Malformed{R"({"a":1,})", ""}, Malformed{R"({"a" 1})", ""},
        Malformed{R"({"a":1 "b":2})", ""}, Malformed{R"({"a":[1,]})", ""},
        Malformed{R"({"a":[1})", ""}, Malformed{R"({"a":{"b":1]})", ""}, Malformed{R"({"a":})", ""},
        Malformed{R"({a:1})", ""}, Malformed{R"({'a':1})", ""}, Malformed{R"({,})", ""},
        Malformed{R"({"a":01})", "NUMBER_ERROR"}, Malformed{R"({"a":1.})", "NUMBER_ERROR"},
        Malformed{R"({"a":-})", "NUMBER_ERROR"}, Malformed{R"({"a":1e})", "NUMBER_ERROR"},
        Malformed{R"({"a":[.5]})", ""}, Malformed{R"({"a":+1})", ""}, Malformed{R"({"a":NaN})", ""},
        Malformed{R"({"a":Infinity})", ""}, Malformed{R"({"a":12abc})", "NUMBER_ERROR"},
        Malformed{R"({"a":tru})", "T_ATOM_ERROR"}, Malformed{R"({"a":truex})", "T_ATOM_ERROR"},
        Malformed{R"({"a":fals})", "F_ATOM_ERROR"}, Malformed{R"({"a":[nul]})", "N_ATOM_ERROR"},
        Malformed{R"({"a":"\x"})", "STRING_ERROR"}, Malformed{R"({"a":"\u12"})", "STRING_ERROR"},
        Malformed{R"({"a":{"b":"\u12G4"}})", "STRING_ERROR"},
        Malformed{R"({"k\q":1})", "STRING_ERROR"}, Malformed{R"({"a":{"k\q":1}})", "STRING_ERROR"},
        Malformed{"{\"a\":\"\x01\"}", "UNESCAPED_CHARS"},
        Malformed{"{\"a\":\"\xFF\"}", "UTF8_ERROR"},
        Malformed{"{\"model\":\"\xC3\"}", "UTF8_ERROR"}));

TEST(PeekRequestTest, DepthLimit) {
  auto nested = [](int depth) {
    std::string body = "{\"a\":";
    for (int i = 0; i < depth; ++i) body += '[';
    for (int i = 0; i < depth; ++i) body += ']';
    return body + "}";
  };
  std::string ok = nested(kMaxDepth - 2);
  EXPECT_TRUE(PeekRequest(ok).ok());
  std::string deep = nested(kMaxDepth + 10);
  auto peek = PeekRequest(deep);
  ASSERT_FALSE(peek.ok());
  EXPECT_EQ(peek.error().kind(), ErrorKind::kInvalidArgument);
}

// A top-level key and a key inside it, both escaped: each is decoded on its own.
TEST(PeekRequestTest, EscapedKeysAtBothLevels) {
  EXPECT_TRUE(Peek(R"({"stream\u005foptions":{"include\u005fusage":true}})").include_usage);
  EXPECT_TRUE(Peek(R"({"stream_options":{"include\u005fusage":true},"m\u006fdel":"x"})")
                  .include_usage);
}

// The nesting limit counts the top-level object: kMaxDepth containers are accepted, one more is
// not.
TEST(PeekRequestTest, DepthLimitBoundary) {
  auto nested = [](int arrays) {
    return "{\"a\":" + std::string(arrays, '[') + std::string(arrays, ']') + "}";
  };
  std::string at_limit = nested(kMaxDepth - 1);
  EXPECT_TRUE(PeekRequest(at_limit).ok());
  std::string over = nested(kMaxDepth);
  auto peek = PeekRequest(over);
  ASSERT_FALSE(peek.ok());
  EXPECT_EQ(peek.error().message().rfind("DEPTH_ERROR", 0), 0u) << peek.error().message();
}

// Differential check of the validating scan against simdjson's DOM parser, which validates
// fully: random edits of valid documents must be accepted or refused by both alike. The edits use
// no hex digits beyond 'a' and no exponents, so the two known, deliberate differences (a lone
// surrogate escape and numbers beyond double or 64-bit range, accepted here as Go accepts them)
// cannot arise.
TEST(PeekRequestTest, AcceptsExactlyWhatAFullParserAccepts) {
  const std::vector<std::string> seeds = {
      R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true})",
      R"({"a":[1,-2.5,0,{"b":null,"c":[true,false]}],"d":{"e":{"f":"g\n\"h"}},"i":""})",
      R"( { "stream_options" : { "include_usage" : true } , "n" : [ ] , "o" : { } } )",
      R"({"k\\":"v\/","x":[[[]]],"y":[{},{"z":[0.5,10]}]})",
      // Containers inside a reported object, and nesting the scan skips without reporting.
      R"({"stream_options":{"include_usage":true,"x":[{"y":[1,{}]},"z"]},"m":[[{"a":"b"}],{}]})",
  };
  const std::string alphabet = "{}[]:,\" \\tnfa-.01";
  simdjson::dom::parser dom;
  std::mt19937 rng(20261126);
  int accepted = 0, refused = 0;
  for (int round = 0; round < 30000; ++round) {
    std::string doc = seeds[rng() % seeds.size()];
    const int edits = 1 + int(rng() % 3);
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      const size_t pos = rng() % doc.size();
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0: doc.insert(doc.begin() + pos, c); break;
        case 1: doc.erase(pos, 1); break;
        default: doc[pos] = c; break;
      }
    }
    simdjson::dom::element root;
    const bool dom_ok = !dom.parse(doc).get(root) && root.is_object();
    std::string body = doc;
    const bool ours = PeekRequest(body).ok();
    ASSERT_EQ(ours, dom_ok) << doc;
    // The same scan over an index built in pieces as the body arrives.
    std::string arriving = doc;
    IncrementalIndex index(1 + rng() % 8);
    for (size_t received = 0; received < arriving.size();) {
      received = std::min(arriving.size(), received + 1 + rng() % 16);
      index.Advance(arriving, received);
    }
    ASSERT_EQ(PeekRequest(arriving, &index).ok(), dom_ok) << doc;
    (ours ? accepted : refused)++;
  }
  // Both outcomes were exercised.
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 1000);
}

// ---------------------------------------------------------------------------------------------
// SpliceModel

// SpliceModel's result, checked against WithModelAt's wherever the peek located the model.
std::string Spliced(std::string body, std::string_view model) {
  std::string original = body;
  auto peek = PeekRequest(original);
  auto r = SpliceModel(body, model);
  EXPECT_TRUE(r.ok()) << body << " -> " << r.error().message();
  EXPECT_TRUE(HasPadding(body));
  if (peek.ok() && peek->only_model) {
    EXPECT_EQ(WithModelAt(original, *peek->only_model, model), body) << original;
  }
  return body;
}

TEST(SpliceModelTest, PeekLocatesTheOnlyStringModel) {
  auto span = [](std::string body) { return Peek(std::move(body)).only_model; };
  EXPECT_EQ(span(R"({"model":"a","x":1})"), (ByteSpan{9, 12}));
  EXPECT_EQ(span(" {\t\"model\"\r\n:\n\"a\"  ,\"x\":1}\n"), (ByteSpan{14, 17}));
  EXPECT_EQ(span(R"({"mod\u0065l":"caf\u00e9"})"), (ByteSpan{14, 25}));
  EXPECT_EQ(span(R"({"model":"a","model":"b"})"), std::nullopt);  // duplicates: every one is edited
  EXPECT_EQ(span(R"({"model":42})"), std::nullopt);
  EXPECT_EQ(span(R"({"x":{"model":"a"}})"), std::nullopt);
}

TEST(SpliceModelTest, ReplacesOnlyTheTopLevelValue) {
  EXPECT_EQ(Spliced(R"({"model":"a","messages":[]})", "b"), R"({"model":"b","messages":[]})");
  EXPECT_EQ(Spliced(R"({"messages":[{"model":"keep"}],"model":"a","metadata":{"model":"keep"}})",
                    "gpt-4o-mini"),
            R"({"messages":[{"model":"keep"}],"model":"gpt-4o-mini","metadata":{"model":"keep"}})");
}

TEST(SpliceModelTest, PreservesEveryOtherByte) {
  std::string body = ReadTestdata("chat_request_pretty.json");
  std::string expected = ReadTestdata("chat_request_pretty.model_override.json");
  EXPECT_EQ(Spliced(body, "claude-3-5-sonnet"), expected);
  EXPECT_EQ(Spliced(" {\t\"model\"\r\n:\n\"a\"  ,\"x\":1}\n", "b"),
            " {\t\"model\"\r\n:\n\"b\"  ,\"x\":1}\n");
}

TEST(SpliceModelTest, QuotesTheNewModel) {
  EXPECT_EQ(Spliced(R"({"model":"a"})", "x\"y\\z\n\x01"), R"({"model":"x\"y\\z\n\u0001"})");
  EXPECT_EQ(Spliced(R"({"model":"a"})", "caf\xC3\xA9"), "{\"model\":\"caf\xC3\xA9\"}");
  EXPECT_EQ(Spliced(R"({"model":"a"})", ""), R"({"model":""})");
}

TEST(SpliceModelTest, ReplacesAnyValueTypeAndEscapedKeys) {
  EXPECT_EQ(Spliced(R"({"model":42})", "m"), R"({"model":"m"})");
  EXPECT_EQ(Spliced(R"({"model":{"x":[1,2]} ,"y":0})", "m"), R"({"model":"m" ,"y":0})");
  EXPECT_EQ(Spliced(R"({"mod\u0065l":"a"})", "m"), R"({"mod\u0065l":"m"})");
  EXPECT_EQ(Spliced(R"({"model":"caf\u00e9"})", "m"), R"({"model":"m"})");
  EXPECT_EQ(Spliced(R"({"Model":"a"})", "m"), R"({"Model":"a","model":"m"})");
}

TEST(SpliceModelTest, EveryDuplicateIsReplaced) {
  EXPECT_EQ(Spliced(R"({"model":"a","x":1,"model":"b"})", "m"),
            R"({"model":"m","x":1,"model":"m"})");
}

TEST(SpliceModelTest, AppendsWhenAbsent) {
  EXPECT_EQ(Spliced("{}", "m"), R"({"model":"m"})");
  EXPECT_EQ(Spliced(" { } ", "m"), R"( {"model":"m" } )");
  EXPECT_EQ(Spliced(R"({"a":1})", "m"), R"({"a":1,"model":"m"})");
  EXPECT_EQ(Spliced("{\n  \"a\": [1, 2]\n}\n", "m"), "{\n  \"a\": [1, 2],\"model\":\"m\"\n}\n");
}

// ---------------------------------------------------------------------------------------------
// EnsureIncludeUsage

std::string WithUsage(std::string body) {
  auto r = EnsureIncludeUsage(body);
  EXPECT_TRUE(r.ok()) << body << " -> " << r.error().message();
  return body;
}

TEST(EnsureIncludeUsageTest, AppendsStreamOptions) {
  EXPECT_EQ(WithUsage(R"({"model":"m","stream":true})"),
            R"({"model":"m","stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(WithUsage("{}"), R"({"stream_options":{"include_usage":true}})");
  EXPECT_EQ(WithUsage("{\n  \"stream\": true\n}"),
            "{\n  \"stream\": true,\"stream_options\":{\"include_usage\":true}\n}");
  // Nested stream_options are not the request's.
  EXPECT_EQ(WithUsage(R"({"metadata":{"stream_options":null}})"),
            R"({"metadata":{"stream_options":null},"stream_options":{"include_usage":true}})");
}

TEST(EnsureIncludeUsageTest, EditsAnExistingObject) {
  EXPECT_EQ(WithUsage(R"({"stream_options":{}})"), R"({"stream_options":{"include_usage":true}})");
  EXPECT_EQ(WithUsage(R"({"stream_options": { } ,"x":1})"),
            R"({"stream_options": {"include_usage":true } ,"x":1})");
  EXPECT_EQ(
      WithUsage(R"({"stream_options": {"other": [1, {"include_usage":false}] } })"),
      R"({"stream_options": {"other": [1, {"include_usage":false}],"include_usage":true } })");
  EXPECT_EQ(WithUsage(R"({"stream_options":{"include_usage":false},"stream":true})"),
            R"({"stream_options":{"include_usage":true},"stream":true})");
  EXPECT_EQ(WithUsage(R"({"stream_options":{"include_usage" : null }})"),
            R"({"stream_options":{"include_usage" : true }})");
  EXPECT_EQ(WithUsage(R"({"stream_options":{"include_usage":0,"Include_usage":false}})"),
            R"({"stream_options":{"include_usage":true,"Include_usage":false}})");
  EXPECT_EQ(WithUsage(R"({"stream_options":{"includ\u0065_usage":false}})"),
            R"({"stream_options":{"includ\u0065_usage":true}})");
}

TEST(EnsureIncludeUsageTest, ReplacesNull) {
  EXPECT_EQ(WithUsage(R"({"stream_options":null,"stream":true})"),
            R"({"stream_options":{"include_usage":true},"stream":true})");
}

TEST(EnsureIncludeUsageTest, Duplicates) {
  EXPECT_EQ(WithUsage(R"({"stream_options":{"include_usage":true},"stream_options":{}})"),
            R"({"stream_options":{"include_usage":true},"stream_options":{"include_usage":true}})");
  EXPECT_EQ(WithUsage(R"({"stream_options":{"include_usage":false,"include_usage":true}})"),
            R"({"stream_options":{"include_usage":true,"include_usage":true}})");
}

TEST(EnsureIncludeUsageTest, AlreadyTrueLeavesTheBufferAlone) {
  std::string body = ReadTestdata("chat_request_stream.json");
  EnsurePadding(body);
  std::string copy = body;
  const char* data = body.data();
  ASSERT_TRUE(EnsureIncludeUsage(body).ok());
  EXPECT_EQ(body, copy);
  EXPECT_EQ(body.data(), data);
}

TEST(EnsureIncludeUsageTest, RejectsNonObjectStreamOptions) {
  for (const char* body : {R"({"stream_options":true})", R"({"stream_options":"x"})",
                           R"({"stream_options":[]})", R"({"stream_options":1})"}) {
    std::string s = body;
    auto r = EnsureIncludeUsage(s);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument);
    EXPECT_EQ(s, body);
  }
}

// ---------------------------------------------------------------------------------------------
// ApplyBodyMutation

std::string Mutated(std::string body, config::BodyMutation mutation) {
  auto r = ApplyBodyMutation(body, mutation);
  EXPECT_TRUE(r.ok()) << body << " -> " << r.error().message();
  return body;
}

config::BodyMutation Remove(std::vector<std::string> names) { return {{}, std::move(names)}; }
config::BodyMutation Set(std::vector<std::pair<std::string, std::string>> set) {
  return {std::move(set), {}};
}

TEST(BodyMutationTest, Removals) {
  const std::string body = R"({"a":1, "b":[2], "c":{"d":3}})";
  EXPECT_EQ(Mutated(body, Remove({"a"})), R"({"b":[2], "c":{"d":3}})");
  EXPECT_EQ(Mutated(body, Remove({"b"})), R"({"a":1, "c":{"d":3}})");
  EXPECT_EQ(Mutated(body, Remove({"c"})), R"({"a":1, "b":[2]})");
  EXPECT_EQ(Mutated(body, Remove({"a", "b"})), R"({"c":{"d":3}})");
  EXPECT_EQ(Mutated(body, Remove({"b", "c"})), R"({"a":1})");
  EXPECT_EQ(Mutated(body, Remove({"a", "c"})), R"({"b":[2]})");
  EXPECT_EQ(Mutated(body, Remove({"a", "b", "c"})), R"({})");
  EXPECT_EQ(Mutated(body, Remove({"d", "A", ""})), body);  // nested, case-different, empty
  EXPECT_EQ(Mutated(R"({"a":1,"a":2,"b":3})", Remove({"a"})), R"({"b":3})");
  EXPECT_EQ(Mutated(R"({"\u0061":1,"b":3})", Remove({"a"})), R"({"b":3})");
}

TEST(BodyMutationTest, RemovalsKeepFormatting) {
  std::string body = "{\n  \"model\": \"m\",\n  \"user\": \"u\",\n  \"n\": 1\n}\n";
  EXPECT_EQ(Mutated(body, Remove({"user"})), "{\n  \"model\": \"m\",\n  \"n\": 1\n}\n");
  EXPECT_EQ(Mutated(body, Remove({"n"})), "{\n  \"model\": \"m\",\n  \"user\": \"u\"\n}\n");
  EXPECT_EQ(Mutated(body, Remove({"model"})), "{\n  \"user\": \"u\",\n  \"n\": 1\n}\n");
  EXPECT_EQ(Mutated(body, Remove({"model", "user", "n"})), "{\n  \n}\n");
}

TEST(BodyMutationTest, Sets) {
  EXPECT_EQ(Mutated(R"({"a":1,"b":2})", Set({{"a", "\"x\""}})), R"({"a":"x","b":2})");
  EXPECT_EQ(Mutated(R"({"a":1,"b":2})", Set({{"c", "{\"k\": [1]}"}})),
            R"({"a":1,"b":2,"c":{"k": [1]}})");
  EXPECT_EQ(Mutated("{}", Set({{"c", "true"}, {"d", "null"}})), R"({"c":true,"d":null})");
  EXPECT_EQ(Mutated(R"({"a":1,"a":2})", Set({{"a", "3"}})), R"({"a":3,"a":3})");
  EXPECT_EQ(Mutated(R"({"a":1})", Set({{"A", "2"}})), R"({"a":1,"A":2})");
  EXPECT_EQ(Mutated(R"({"a":1})", Set({{"", "2"}})), R"({"a":1})");
  // Of several sets of one key the last wins, at the position of the first append.
  EXPECT_EQ(Mutated(R"({"a":1})", Set({{"x", "1"}, {"y", "2"}, {"x", "3"}})),
            R"({"a":1,"x":3,"y":2})");
  EXPECT_EQ(Mutated(R"({"a":1})", Set({{"a", "5"}, {"a", "6"}})), R"({"a":6})");
  // New key names are JSON-escaped.
  EXPECT_EQ(Mutated("{}", Set({{"we\"ird", "1"}})), R"({"we\"ird":1})");
}

TEST(BodyMutationTest, RemovalsThenSets) {
  // A key removed then set is appended at the end, like sjson's delete then set.
  EXPECT_EQ(Mutated(R"({"a":1,"b":2,"c":3})", {{{"a", "9"}}, {"a"}}), R"({"b":2,"c":3,"a":9})");
  EXPECT_EQ(Mutated(R"({"a":1,"b":2,"c":3})", {{{"b", "8"}, {"d", "7"}}, {"c"}}),
            R"({"a":1,"b":8,"d":7})");
  EXPECT_EQ(Mutated(R"({"a":1,"b":2})", {{{"z", "0"}}, {"a", "b"}}), R"({"z":0})");
  EXPECT_EQ(Mutated(R"({"a":1,"b":2,"c":3})", {{{"c", "[]"}}, {"b"}}), R"({"a":1,"c":[]})");
  EXPECT_EQ(Mutated("{\n  \"a\": 1,\n  \"b\": 2\n}", {{{"a", "0"}, {"n", "1"}}, {"b"}}),
            "{\n  \"a\": 0,\"n\":1\n}");
}

TEST(BodyMutationTest, EmptyMutationIsANoOpEvenOnBadJson) {
  std::string body = "not json";
  EXPECT_TRUE(ApplyBodyMutation(body, {}).ok());
  EXPECT_EQ(body, "not json");
}

}  // namespace
}  // namespace sluice::json
