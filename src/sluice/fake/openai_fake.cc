#include "sluice/fake/openai_fake.h"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <string>

#include "sluice/core/strings.h"

namespace sluice::fake {

namespace {

namespace json = boost::json;
using http::kNoThrow;

int64_t HeaderInt(const http::Request& req, std::string_view name, int64_t fallback) {
  auto v = req.headers.Get(name);
  if (!v) return fallback;
  int64_t out = fallback;
  std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

http::Task<void> Sleep(std::chrono::milliseconds d) {
  if (d.count() <= 0) co_return;
  http::Timer t(co_await boost::asio::this_coro::executor, d);
  co_await t.async_wait(kNoThrow);
}

std::string LastUserText(const json::object& body) {
  const auto* messages = body.if_contains("messages");
  if (!messages || !messages->is_array()) return {};
  for (auto it = messages->as_array().rbegin(); it != messages->as_array().rend(); ++it) {
    if (!it->is_object()) continue;
    const auto& m = it->as_object();
    const auto* content = m.if_contains("content");
    if (!content) continue;
    if (content->is_string()) return std::string(content->as_string());
    if (content->is_array()) {
      for (const auto& part : content->as_array()) {
        if (part.is_object() && part.as_object().contains("text") &&
            part.as_object().at("text").is_string()) {
          return std::string(part.as_object().at("text").as_string());
        }
      }
    }
  }
  return {};
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    words.emplace_back(text.substr(i, j - i + (j < text.size() ? 1 : 0)));
    i = j + 1;
  }
  return words;
}

json::object Usage(int64_t prompt, int64_t completion) {
  return {{"prompt_tokens", prompt},
          {"completion_tokens", completion},
          {"total_tokens", prompt + completion},
          {"prompt_tokens_details", {{"cached_tokens", 0}, {"audio_tokens", 0}}},
          {"completion_tokens_details",
           {{"reasoning_tokens", 0},
            {"audio_tokens", 0},
            {"accepted_prediction_tokens", 0},
            {"rejected_prediction_tokens", 0}}}};
}

struct ChunkShape {
  std::string id;
  std::string object;
  int64_t created;
  std::string model;
  bool chat;
  bool include_usage;
};

json::object RoleDelta() { return {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}; }
json::object ContentDelta(const std::string& text) { return {{"content", text}}; }

// One `data:` event of a stream (OpenAI API reference, "The chat completion chunk object"): with
// include_usage every chunk carries "usage": null.
std::string StreamChunk(const ChunkShape& s, json::object delta, bool finish) {
  json::object choice{{"index", 0}, {"logprobs", nullptr}};
  choice["finish_reason"] = finish ? json::value("stop") : json::value(nullptr);
  if (s.chat) {
    choice["delta"] = std::move(delta);
  } else {
    const auto* text = delta.if_contains("content");
    choice["text"] = text ? *text : json::value("");
  }
  json::object chunk{{"id", s.id},       {"object", s.object},
                     {"created", s.created}, {"model", s.model},
                     {"system_fingerprint", "fp_sluice"}};
  chunk["choices"] = json::array{std::move(choice)};
  if (s.include_usage) chunk["usage"] = nullptr;
  return "data: " + json::serialize(chunk) + "\n\n";
}

// The last chunk when include_usage is set: empty choices and the usage object.
std::string UsageChunk(const ChunkShape& s, json::object usage) {
  json::object chunk{{"id", s.id},       {"object", s.object},
                     {"created", s.created}, {"model", s.model},
                     {"system_fingerprint", "fp_sluice"}};
  chunk["choices"] = json::array();
  chunk["usage"] = std::move(usage);
  return "data: " + json::serialize(chunk) + "\n\n";
}

http::Task<void> Error(http::ResponseWriter& w, int status, std::string_view message,
                       std::string_view type = "invalid_request_error") {
  json::object err{{"error",
                    {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}};
  co_await w.Respond(status, "application/json", json::serialize(err));
}

class FakeServer {
 public:
  explicit FakeServer(FakeOptions options) : options_(options) {}

  http::Task<void> Handle(http::Request& req, http::ResponseWriter& w) {
    const auto path = req.path();
    if (path == "/v1/models" && req.method == "GET") {
      json::object list{{"object", "list"},
                        {"data", json::array{json::object{{"id", "sluice-demo"},
                                                          {"object", "model"},
                                                          {"created", 1735689600},
                                                          {"owned_by", "sluice"}}}}};
      co_await w.Respond(200, "application/json", json::serialize(list));
      co_return;
    }
    if (req.method != "POST") {
      co_await Error(w, 404, "Unknown request URL: " + req.method + " " + std::string(path));
      co_return;
    }
    boost::system::error_code ec;
    json::value parsed = json::parse(req.body, ec);
    if (ec || !parsed.is_object()) {
      co_await Error(w, 400, "We could not parse the JSON body of your request.");
      co_return;
    }
    const auto& body = parsed.as_object();
    co_await Sleep(std::chrono::milliseconds(HeaderInt(req, "x-fake-latency-ms", 0)));
    if (path.ends_with("/chat/completions")) {
      co_await Chat(req, body, w, true);
    } else if (path.ends_with("/completions")) {
      co_await Chat(req, body, w, false);
    } else if (path.ends_with("/embeddings")) {
      co_await Embeddings(body, w);
    } else {
      co_await Error(w, 404, "Unknown request URL: POST " + std::string(path));
    }
  }

 private:
  http::Task<void> Chat(const http::Request& req, const json::object& body,
                        http::ResponseWriter& w, bool chat) {
    const std::string model =
        body.contains("model") && body.at("model").is_string()
            ? std::string(body.at("model").as_string())
            : "sluice-demo";
    std::string prompt = chat ? LastUserText(body) : "";
    if (!chat && body.contains("prompt") && body.at("prompt").is_string()) {
      prompt = std::string(body.at("prompt").as_string());
    }
    std::string answer = "Hello from Sluice's demo model! You said: " + prompt;
    if (const int64_t pad = HeaderInt(req, "x-fake-response-bytes", 0);
        pad > int64_t(answer.size())) {
      while (int64_t(answer.size()) < pad) answer += " lorem";
    }
    const int64_t prompt_tokens = std::max<int64_t>(1, int64_t(req.body.size()) / 4);
    auto words = Words(answer);
    const int64_t completion_tokens = int64_t(words.size());
    const std::string id = std::string(chat ? "chatcmpl-" : "cmpl-") + "sluicedemo" +
                           std::to_string(++counter_);
    const int64_t created = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
    const bool stream = body.contains("stream") && body.at("stream").is_bool() &&
                        body.at("stream").as_bool();
    const std::string object = chat ? "chat.completion" : "text_completion";

    if (!stream) {
      json::object choice{{"index", 0}, {"finish_reason", "stop"}, {"logprobs", nullptr}};
      if (chat) {
        choice["message"] = {{"role", "assistant"}, {"content", answer}, {"refusal", nullptr}};
      } else {
        choice["text"] = answer;
      }
      json::object out{{"id", id},
                       {"object", object},
                       {"created", created},
                       {"model", model},
                       {"choices", json::array{choice}},
                       {"usage", Usage(prompt_tokens, completion_tokens)},
                       {"system_fingerprint", "fp_sluice"}};
      co_await w.Respond(200, "application/json", json::serialize(out));
      co_return;
    }

    bool include_usage = false;
    if (const auto* so = body.if_contains("stream_options"); so && so->is_object()) {
      const auto* iu = so->as_object().if_contains("include_usage");
      include_usage = iu && iu->is_bool() && iu->as_bool();
    }
    const int64_t chunks = HeaderInt(req, "x-fake-chunks", int64_t(words.size()));
    const auto delay = std::chrono::milliseconds(
        HeaderInt(req, "x-fake-chunk-delay-ms", options_.default_chunk_delay.count()));
    http::Headers headers;
    headers.Set("content-type", "text/event-stream; charset=utf-8");
    headers.Set("cache-control", "no-cache");
    w.StartResponse(200, headers, std::nullopt);
    // GCC 12 cannot keep brace-initialised JSON temporaries alive across co_await, so the chunks
    // are built by a plain function first.
    const ChunkShape shape{id, chat ? "chat.completion.chunk" : "text_completion", created, model,
                           chat, include_usage};
    if (chat) {
      const std::string first = StreamChunk(shape, RoleDelta(), false);
      if (!co_await w.WriteBody(first)) co_return;
    }
    for (int64_t i = 0; i < chunks; ++i) {
      co_await Sleep(delay);
      const std::string& piece = words.empty() ? answer : words[size_t(i) % words.size()];
      const std::string data = StreamChunk(shape, ContentDelta(piece), false);
      if (!co_await w.WriteBody(data)) co_return;
    }
    const std::string stop = StreamChunk(shape, json::object(), true);
    if (!co_await w.WriteBody(stop)) co_return;
    if (include_usage) {
      const std::string last = UsageChunk(shape, Usage(prompt_tokens, chunks));
      if (!co_await w.WriteBody(last)) co_return;
    }
    if (!co_await w.WriteBody("data: [DONE]\n\n")) co_return;
    co_await w.Finish();
  }

  http::Task<void> Embeddings(const json::object& body, http::ResponseWriter& w) {
    const std::string model = body.contains("model") && body.at("model").is_string()
                                  ? std::string(body.at("model").as_string())
                                  : "sluice-demo-embedding";
    const auto* input = body.if_contains("input");
    std::vector<std::string> inputs;
    if (input && input->is_string()) {
      inputs.emplace_back(input->as_string());
    } else if (input && input->is_array()) {
      for (const auto& v : input->as_array()) {
        inputs.push_back(v.is_string() ? std::string(v.as_string()) : json::serialize(v));
      }
    } else {
      co_await Error(w, 400, "'input' is a required property");
      co_return;
    }
    int64_t dims = 8;
    if (const auto* d = body.if_contains("dimensions"); d && d->is_int64()) dims = d->as_int64();
    json::array data;
    int64_t tokens = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      json::array vec;
      const size_t h = std::hash<std::string>{}(inputs[i]);
      for (int64_t k = 0; k < dims; ++k) vec.push_back(double((h >> (k % 32)) & 0xFF) / 255.0);
      data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", std::move(vec)}});
      tokens += std::max<int64_t>(1, int64_t(inputs[i].size()) / 4);
    }
    json::object out{{"object", "list"},
                     {"data", std::move(data)},
                     {"model", model},
                     {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
    co_await w.Respond(200, "application/json", json::serialize(out));
  }

  FakeOptions options_;
  uint64_t counter_ = 0;
};

}  // namespace

std::shared_ptr<const http::Handler> MakeOpenAIFakeHandler(FakeOptions options) {
  auto server = std::make_shared<FakeServer>(options);
  return std::make_shared<const http::Handler>(
      [server](http::Request& req, http::ResponseWriter& w) { return server->Handle(req, w); });
}

}  // namespace sluice::fake
