#include "sluice/json/incremental_index.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sluice/json/padding.h"
#include "sluice/json/parser.h"
#include "sluice/json/request_body.h"
#include "sluice/json/unescape.h"

namespace sluice::json {
namespace {

struct SinglePass {
  simdjson::error_code error;
  std::vector<uint32_t> offsets;
};

SinglePass IndexAtOnce(std::string document) {
  EnsurePadding(document);
  StructuralIndexLease lease(document.size());
  SinglePass out{lease.Index(document.data(), document.size()), {}};
  if (out.error == simdjson::SUCCESS) {
    out.offsets.assign(lease.offsets(), lease.offsets() + lease.count());
  }
  return out;
}

std::string FirstDifference(const std::string& doc, const std::vector<uint32_t>& pieced,
                            const std::vector<uint32_t>& once) {
  size_t i = 0;
  while (i < pieced.size() && i < once.size() && pieced[i] == once[i]) ++i;
  auto around = [&](const std::vector<uint32_t>& v) {
    if (i >= v.size()) return std::string("(none)");
    const size_t at = v[i];
    return std::to_string(at) + " [" + doc.substr(at < 8 ? 0 : at - 8, std::min<size_t>(at, 8)) +
           "|" + doc.substr(at, 8) + "]";
  };
  return "token " + std::to_string(i) + ": in pieces " + around(pieced) + ", at once " +
         around(once) + "\n" + doc;
}

// Feeds `document` to an index as a socket would: in random steps, with bytes not yet received
// set to garbage (an in-place body holds zeros there; anything must do).
simdjson::error_code IndexInSteps(std::string& document, IncrementalIndex& index,
                                  std::mt19937& rng, size_t max_step) {
  const std::string original = document;
  for (size_t received = 0; received < document.size();) {
    received = std::min(document.size(), received + 1 + rng() % max_step);
    for (size_t i = received; i < document.size(); ++i) document[i] = char(rng());
    std::copy(original.begin(), original.begin() + received, document.begin());
    index.Advance(document, received);
    EXPECT_EQ(document.substr(0, received), original.substr(0, received)) << "bytes restored";
  }
  EnsurePadding(document);
  const simdjson::error_code e = index.Finish(document);
  EXPECT_EQ(document, original);
  return e;
}

// Random edits of documents that put every kind of token, multi-byte UTF-8, escapes, control
// characters and invalid bytes around every possible cut: the index built in pieces must accept
// exactly what one pass accepts, and then hold the very same offsets.
TEST(IncrementalIndexTest, EqualsASinglePass) {
  const std::vector<std::string> seeds = {
      R"({"model":"m","messages":[{"role":"user","content":"hello there, how are you?"}]})",
      R"({"a":[12345,-2.5e10,true,false,null,{"b":"\u00e9\n\"q\\"}],"c":"é中😀 words"})",
      R"( { "n" : 1234567890 , "t" : [ true , null ] , "s" : "\\\\\\" } )",
      R"({"x":"a\"b\"c\"d","y":[[["deep"]]],"z":"\/\b\f\r\t"})",
  };
  const std::vector<std::string> pieces = {"{", "}", "[", "]", ":", ",", "\"", " ", "\\", "\\\"",
                                           "1", "e", "tru", "null", "é", "中", "😀", "\xE4\xB8",
                                           "\x80", "\xFF", "\x01", "\\u00", "aaaa"};
  std::mt19937 rng(20261127);
  int accepted = 0, refused = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string doc = seeds[rng() % seeds.size()];
    // Longer documents, so that pieces have room to form.
    for (int r = int(rng() % 4); r > 0; --r) {
      doc.insert(doc.size() - 1, ",\"k\":" + doc.substr(0, doc.size() - 1) + "}");
    }
    const int edits = int(rng() % 4);
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      const size_t pos = rng() % doc.size();
      const std::string& piece = pieces[rng() % pieces.size()];
      if (rng() % 2) doc.insert(pos, piece);
      else doc.replace(pos, std::min(piece.size(), doc.size() - pos), piece);
    }
    const SinglePass once = IndexAtOnce(doc);
    IncrementalIndex index(1 + rng() % 8);
    std::string body = doc;
    const simdjson::error_code e = IndexInSteps(body, index, rng, 1 + rng() % 200);
    ASSERT_EQ(e == simdjson::SUCCESS, once.error == simdjson::SUCCESS)
        << doc << "\nsingle pass: " << once.error << ", in pieces: " << e;
    if (e != simdjson::SUCCESS) {
      ++refused;
      continue;
    }
    ++accepted;
    const std::vector<uint32_t> pieced(index.offsets(), index.offsets() + index.count());
    ASSERT_EQ(pieced, once.offsets) << FirstDifference(doc, pieced, once.offsets);
    ASSERT_EQ(index.escapes_valid(), ValidEscapes(doc)) << doc;
  }
  EXPECT_GT(accepted, 2000);
  EXPECT_GT(refused, 2000);
}

TEST(IncrementalIndexTest, IndexesAsBytesArrive) {
  std::string doc = R"({"model":"m","messages":[{"role":"user","content":")" +
                    std::string(100000, 'x') + R"("}]})";
  const size_t size = doc.size();
  IncrementalIndex index(1024);
  index.Advance(doc, 500);
  EXPECT_EQ(index.indexed(), 0u) << "less than a piece";
  index.Advance(doc, 60000);
  EXPECT_GT(index.indexed(), 50000u);
  EXPECT_LE(index.indexed(), 60000u - kPadding);
  index.Advance(doc, size);
  EXPECT_GT(index.indexed(), size - 2 * kPadding);
  EnsurePadding(doc);
  ASSERT_EQ(index.Finish(doc), simdjson::SUCCESS);
  EXPECT_EQ(std::vector<uint32_t>(index.offsets(), index.offsets() + index.count()),
            IndexAtOnce(doc).offsets);
}

TEST(IncrementalIndexTest, AFirstPieceErrorStopsIndexing) {
  std::string doc = "{\"a\":\"\x01" + std::string(5000, 'x') + "\"}";
  IncrementalIndex index(256);
  index.Advance(doc, doc.size());
  const size_t stopped_at = index.indexed();
  index.Advance(doc, doc.size());
  EXPECT_EQ(index.indexed(), stopped_at);
  EnsurePadding(doc);
  EXPECT_EQ(index.Finish(doc), simdjson::UNESCAPED_CHARS);
}

TEST(IncrementalIndexTest, ALongRunWithoutACutWaitsForTheEnd) {
  // Backslash pairs: no byte in the run may end a piece.
  std::string doc = "{\"a\":\"" + std::string(20000, '\\') + "\"}";
  IncrementalIndex index(256);
  index.Advance(doc, doc.size());
  EXPECT_LT(index.indexed(), 10u);
  EnsurePadding(doc);
  ASSERT_EQ(index.Finish(doc), simdjson::SUCCESS);
  EXPECT_TRUE(index.escapes_valid());
}

// A body of tiny values, whose index would be about its size, is indexed in one pass at the end
// instead, with the same result.
TEST(IncrementalIndexTest, GivesUpOnABodyOfTinyValues) {
  std::string body = R"({"model":"m","n":[)";
  for (int i = 0; i < 300'000; ++i) body += "1,";
  body += R"(1],"stream":true})";
  IncrementalIndex index;
  for (size_t received = 0; received < body.size();) {
    received = std::min(body.size(), received + 64 * 1024);
    index.Advance(body, received);
  }
  EXPECT_TRUE(index.given_up());
  EXPECT_EQ(index.count(), 0u) << "the index's memory is released";
  auto peek = PeekRequest(body, &index);
  ASSERT_TRUE(peek.ok()) << peek.error().message();
  EXPECT_EQ(peek->model, "m");
  EXPECT_TRUE(peek->stream);
}

TEST(IncrementalIndexTest, PeekRequestOverTheIndex) {
  std::string body = R"({"messages":[{"role":"user","content":")" + std::string(70000, 'y') +
                     R"("}],"model":"gpt-4o","stream":true})";
  IncrementalIndex index(4096);
  index.Advance(body, body.size());
  auto peek = PeekRequest(body, &index);
  ASSERT_TRUE(peek.ok()) << peek.error().message();
  EXPECT_EQ(peek->model, "gpt-4o");
  EXPECT_TRUE(peek->stream);

  std::string bad = R"({"model":"m","x":")" + std::string(70000, 'y') + R"(\q"})";
  IncrementalIndex bad_index(4096);
  bad_index.Advance(bad, bad.size());
  auto refused = PeekRequest(bad, &bad_index);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message().rfind("STRING_ERROR", 0), 0u) << refused.error().message();
}

}  // namespace
}  // namespace sluice::json
