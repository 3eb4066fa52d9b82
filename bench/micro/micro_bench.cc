// Google Benchmark micro-benchmarks of the request path's hot pieces: body peek, SSE framing,
// route match, usage extraction and the access-log line. Run: build/release/sluice_microbench
// (scripts/test does not run them; they time the machine, not correctness).

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <string>

#include "sluice/codec/sse.h"
#include "sluice/config/load.h"
#include "sluice/json/incremental_index.h"
#include "sluice/json/request_body.h"
#include "sluice/limit/usage.h"
#include "sluice/observe/access_log.h"
#include "sluice/route/matcher.h"

namespace {

using namespace sluice;

std::string Filler(size_t bytes) {
  static constexpr std::string_view kWords = "lorem ipsum dolor sit amet consectetur ";
  std::string out;
  while (out.size() < bytes) out.append(kWords.substr(0, std::min(kWords.size(), bytes - out.size())));
  return out;
}

// The chat bodies of the benchmark scenarios: N messages of B bytes.
std::string ChatBody(int messages, size_t bytes, bool stream) {
  std::string body = R"({"model":"gpt-4o-mini","messages":[)";
  for (int i = 0; i < messages; ++i) {
    if (i) body += ',';
    body += R"({"role":"user","content":")" + Filler(bytes) + "\"}";
  }
  body += "]";
  if (stream) body += R"(,"stream":true)";
  body += "}";
  return body;
}

void BM_PeekRequest(benchmark::State& state) {
  std::string body = ChatBody(int(state.range(0)), size_t(state.range(1)), true);
  body.reserve(body.size() + 64);
  for (auto _ : state) {
    auto peek = json::PeekRequest(body);
    benchmark::DoNotOptimize(peek);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}
BENCHMARK(BM_PeekRequest)->Args({10, 10})->Args({10, 1000})->Args({10, 100000})->Args({1000, 100})
    ->Args({100000, 1})->Args({10, 1000000});

// The same scan over an index built while the body arrived in 64 KiB reads, as the server does
// for a large body: the work in total (Advance after each read, then the peek), which the server
// spreads over the body's arrival.
void BM_PeekRequestIndexedInPieces(benchmark::State& state) {
  std::string body = ChatBody(int(state.range(0)), size_t(state.range(1)), true);
  body.reserve(body.size() + 64);
  constexpr size_t kRead = 64 * 1024;
  for (auto _ : state) {
    json::IncrementalIndex index;
    for (size_t received = 0; received < body.size();) {
      received = std::min(body.size(), received + kRead);
      index.Advance(body, received);
    }
    auto peek = json::PeekRequest(body, &index);
    benchmark::DoNotOptimize(peek);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}
BENCHMARK(BM_PeekRequestIndexedInPieces)->Args({10, 100000})->Args({100000, 1})
    ->Args({10, 1000000});

void BM_SpliceModel(benchmark::State& state) {
  const std::string original = ChatBody(10, size_t(state.range(0)), false);
  for (auto _ : state) {
    std::string body = original;
    auto r = json::SpliceModel(body, "gpt-4o-mini-2024-07-18");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SpliceModel)->Arg(10)->Arg(1000);

// One OpenAI chat completion chunk, as providers send it (with include_usage: "usage": null).
std::string StreamBytes(int chunks) {
  std::string s;
  for (int i = 0; i < chunks; ++i) {
    s += R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735689600,)"
         R"("model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":)"
         R"({"content":"lorem "},"logprobs":null,"finish_reason":null}],"usage":null})"
         "\n\n";
  }
  s += R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735689600,)"
       R"("model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":20,)"
       R"("total_tokens":30}})"
       "\n\ndata: [DONE]\n\n";
  return s;
}

void BM_SseParse(benchmark::State& state) {
  const std::string stream = StreamBytes(20);
  const size_t piece = size_t(state.range(0));  // bytes per read
  for (auto _ : state) {
    codec::SseParser parser;
    uint64_t events = 0;
    for (size_t at = 0; at < stream.size(); at += piece) {
      auto r = parser.Feed(std::string_view(stream).substr(at, piece),
                           [&](const codec::SseEvent& e) -> Result<void> {
                             events += e.data.size();
                             return Ok();
                           });
      benchmark::DoNotOptimize(r);
    }
    benchmark::DoNotOptimize(events);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(stream.size()));
}
BENCHMARK(BM_SseParse)->Arg(64)->Arg(1024)->Arg(1 << 20);

void BM_StreamUsage(benchmark::State& state) {
  const std::string stream = StreamBytes(int(state.range(0)));
  for (auto _ : state) {
    limit::OpenAIStreamUsage usage;
    usage.Feed(stream);
    benchmark::DoNotOptimize(usage.info());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * (state.range(0) + 2));
}
BENCHMARK(BM_StreamUsage)->Arg(20)->Arg(500);

void BM_ReadOpenAIResponse(benchmark::State& state) {
  std::string body =
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1735689600,"model":"gpt-4o-mini",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":")" +
      Filler(size_t(state.range(0))) +
      R"(","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":25,)"
      R"("completion_tokens":15,"total_tokens":40,"prompt_tokens_details":{"cached_tokens":0},)"
      R"("completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_1"})";
  body.reserve(body.size() + 64);
  for (auto _ : state) {
    auto info = limit::ReadOpenAIResponse(body);
    benchmark::DoNotOptimize(info);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}
BENCHMARK(BM_ReadOpenAIResponse)->Arg(60)->Arg(10000);

class MapHeaders : public route::HeaderLookup {
 public:
  explicit MapHeaders(std::map<std::string, std::string> h) : h_(std::move(h)) {}
  std::optional<std::string_view> Get(std::string_view name) const override {
    auto it = h_.find(std::string(name));
    if (it == h_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, std::string> h_;
};

// A route table of `rules` Exact model rules and a final regex rule, like a gateway with many
// models; the request matches rule `rules / 2`.
std::shared_ptr<const config::RuntimeConfig> RouteTable(int rules) {
  std::string yaml = R"(
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: up}
spec:
  endpoints: [{ip: {address: 127.0.0.1, port: 9000}}]
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata: {name: a}
spec:
  schema: {name: OpenAI}
  backendRef: {name: up, kind: Backend, group: gateway.envoyproxy.io}
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: r}
spec:
  rules:
)";
  for (int i = 0; i < rules; ++i) {
    yaml += "    - matches: [{headers: [{type: Exact, name: x-ai-eg-model, value: model-" +
            std::to_string(i) + "}]}]\n      backendRefs: [{name: a}]\n";
  }
  yaml += "    - matches: [{headers: [{type: RegularExpression, name: x-ai-eg-model, value: "
          "\"gpt-.*\"}]}]\n      backendRefs: [{name: a}]\n";
  auto r = config::LoadText(yaml, "bench.yaml",
                            [](std::string_view) { return std::optional<std::string>(); });
  return r.config;
}

void BM_MatchRoute(benchmark::State& state) {
  auto cfg = RouteTable(int(state.range(0)));
  if (!cfg) {
    state.SkipWithError("config did not load");
    return;
  }
  MapHeaders headers({{"x-ai-eg-model", "model-" + std::to_string(state.range(0) / 2)},
                      {"content-type", "application/json"}});
  for (auto _ : state) {
    auto m = route::MatchRoute(*cfg, "127.0.0.1:8080", headers);
    benchmark::DoNotOptimize(m);
  }
}
// An AIGatewayRoute holds at most 15 rules (config's kMaxRules): 14 + the regex rule.
BENCHMARK(BM_MatchRoute)->Arg(1)->Arg(7)->Arg(14);

void BM_MatchRouteRegex(benchmark::State& state) {
  auto cfg = RouteTable(10);
  if (!cfg) {
    state.SkipWithError("config did not load");
    return;
  }
  MapHeaders headers(std::map<std::string, std::string>{{"x-ai-eg-model", "gpt-4o-mini"}});
  for (auto _ : state) {
    auto m = route::MatchRoute(*cfg, "127.0.0.1:8080", headers);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_MatchRouteRegex);

// One access-log line as the benchmark's chat requests produce it, formatted into a worker's
// buffer (written to /dev/null when the buffer fills).
void BM_AccessLogLine(benchmark::State& state) {
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  observe::AccessLogBuffer log(null_fd);
  observe::AccessRecord r;
  r.start_unix_micros = 1'795'700'000'000'000;
  r.method = "POST";
  r.path = "/v1/chat/completions";
  r.response_code = 200;
  r.duration_ms = 1.022;
  r.route = "default/bench";
  r.rule = "rule/0";
  r.backend = "default/openai";
  r.upstream = "127.0.0.1:28341";
  r.original_model = r.request_model = r.response_model = "gpt-4o-mini";
  r.provider = "openai";
  r.input_tokens = 112;
  r.output_tokens = 16;
  r.total_tokens = 128;
  r.cached_input_tokens = 0;
  r.reasoning_tokens = 0;
  r.costs = {{"llm_input_token", 112}, {"llm_output_token", 16}, {"llm_total_token", 128}};
  for (auto _ : state) log.Write(r);
  log.Flush();
  ::close(null_fd);
}
BENCHMARK(BM_AccessLogLine);

}  // namespace

BENCHMARK_MAIN();
