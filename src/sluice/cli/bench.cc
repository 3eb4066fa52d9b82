#include "sluice/cli/bench.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "sluice/bench/loadgen.h"
#include "sluice/bench/procstat.h"
#include "sluice/bench/workload.h"
#include "sluice/cli/access_log_flusher.h"
#include "sluice/config/load.h"
#include "sluice/fake/bench_provider.h"
#include "sluice/http/server.h"
#include "sluice/observe/access_log.h"
#include "sluice/pipeline/gateway.h"

namespace sluice::cli {

namespace {

namespace asio = boost::asio;

struct FakeProviderOptions {
  fake::BenchProviderOptions provider;
  int64_t latency_ms = 0;
  int64_t chunk_delay_ms = 0;
};

struct BenchOptions {
  double rate = 1000;
  double duration = 3;
  double warmup = 1;
  int connections = 32;
  int messages = 10;
  size_t message_bytes = 100;
  bool stream = false;
  int chunks = 20;
  int sluice_core = -1;  // -1: the last core
  bool json = false;
};

FakeProviderOptions g_fake;
BenchOptions g_bench;

// Runs the benchmark fake provider in the foreground until SIGINT/SIGTERM.
int RunFakeProvider(FakeProviderOptions o) {
  o.provider.latency = std::chrono::milliseconds(o.latency_ms);
  o.provider.chunk_delay = std::chrono::milliseconds(o.chunk_delay_ms);
  auto provider = fake::BenchProvider::Start(o.provider);
  if (!provider.ok()) {
    std::fprintf(stderr, "sluice: %s\n", provider.error().message().c_str());
    return 1;
  }
  std::fprintf(stderr, "sluice: fake provider on %s:%u\n", o.provider.address.c_str(),
               unsigned((*provider)->port()));
  asio::io_context signals_context;
  asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { signals_context.stop(); });
  signals_context.run();
  (*provider)->Stop();
  return 0;
}

// The gateway as users run it: an APIKey BackendSecurityPolicy, llmRequestCosts, and a second
// model name that a modelNameOverride maps to the provider's.
std::string BenchConfigYaml(uint16_t fake_port) {
  return R"(apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: bench}
spec:
  gatewayClassName: sluice
  listeners: [{name: http, protocol: HTTP, port: 0}]
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: bench}
spec:
  parentRefs: [{name: bench, kind: Gateway, group: gateway.networking.k8s.io}]
  llmRequestCosts:
    - {metadataKey: llm_input_token, type: InputToken}
    - {metadataKey: llm_output_token, type: OutputToken}
    - {metadataKey: llm_total_token, type: TotalToken}
  rules:
    - matches: [{headers: [{type: Exact, name: x-ai-eg-model, value: gpt-4o-mini}]}]
      backendRefs: [{name: openai}]
    - matches: [{headers: [{type: Exact, name: x-ai-eg-model, value: bench-override}]}]
      backendRefs: [{name: openai, modelNameOverride: gpt-4o-mini}]
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata: {name: openai}
spec:
  schema: {name: OpenAI}
  backendRef: {name: openai, kind: Backend, group: gateway.envoyproxy.io}
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: BackendSecurityPolicy
metadata: {name: openai-apikey}
spec:
  targetRefs: [{group: aigateway.envoyproxy.io, kind: AIServiceBackend, name: openai}]
  type: APIKey
  apiKey: {secretRef: {name: openai-apikey}}
---
apiVersion: v1
kind: Secret
metadata: {name: openai-apikey}
type: Opaque
stringData: {apiKey: sk-bench-upstream-key}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: openai}
spec:
  endpoints: [{ip: {address: 127.0.0.1, port: )" +
         std::to_string(fake_port) + "}}]\n";
}

void PinThread(pthread_t thread, int core) {
  if (core < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  pthread_setaffinity_np(thread, sizeof set, &set);
}

void PinThreadToAllBut(pthread_t thread, int excluded, int cores) {
  if (cores < 2) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c = 0; c < cores; ++c) {
    if (c != excluded) CPU_SET(c, &set);
  }
  pthread_setaffinity_np(thread, sizeof set, &set);
}

// One Sluice worker on a thread of its own, bound to 127.0.0.1 on a free port.
class InProcessGateway {
 public:
  static std::unique_ptr<InProcessGateway> Start(std::shared_ptr<const config::RuntimeConfig> cfg,
                                                 std::string* error) {
    auto g = std::unique_ptr<InProcessGateway>(new InProcessGateway(std::move(cfg)));
    boost::system::error_code ec;
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    g->acceptor_.open(endpoint.protocol(), ec);
    if (!ec) g->acceptor_.bind(endpoint, ec);
    if (!ec) g->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      *error = "cannot listen on 127.0.0.1: " + ec.message();
      return nullptr;
    }
    // The access log is on, as users run it; its lines go to /dev/null so the terminal stays
    // readable.
    g->log_fd_ = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    g->log_ = std::make_unique<observe::AccessLogBuffer>(g->log_fd_);
    g->log_flusher_ = std::make_unique<AccessLogFlusher>(g->context_.get_executor(), *g->log_);
    g->gateway_ = std::make_unique<pipeline::Gateway>(g->source_, g->context_.get_executor(),
                                                      *g->log_);
    auto* gateway = g->gateway_.get();
    auto handler = std::make_shared<const http::Handler>(
        [gateway](http::Request& req, http::ResponseWriter& w) { return gateway->Handle(req, w); });
    asio::co_spawn(g->context_,
                   http::AcceptLoop(g->acceptor_, handler, {}, g->state_,
                                    pipeline::ApiBodyObservers()),
                   asio::detached);
    InProcessGateway* raw = g.get();
    g->thread_ = std::thread([raw] { raw->context_.run(); });
    return g;
  }

  ~InProcessGateway() {
    context_.stop();
    if (thread_.joinable()) thread_.join();
    gateway_.reset();
    log_flusher_.reset();
    log_.reset();
    if (log_fd_ >= 0) ::close(log_fd_);
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  pthread_t thread_handle() { return thread_.native_handle(); }

 private:
  explicit InProcessGateway(std::shared_ptr<const config::RuntimeConfig> cfg)
      : source_(std::move(cfg)), acceptor_(context_.get_executor()) {}

  pipeline::ConfigSource source_;
  asio::io_context context_{1};
  http::Acceptor acceptor_;
  http::ServerState state_;
  int log_fd_ = -1;
  std::unique_ptr<observe::AccessLogBuffer> log_;
  std::unique_ptr<AccessLogFlusher> log_flusher_;
  std::unique_ptr<pipeline::Gateway> gateway_;
  std::thread thread_;
};

std::string Us(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%8.1f", double(ns) / 1000.0);
  return buf;
}

std::string SignedUs(int64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+8.1f", double(ns) / 1000.0);
  return buf;
}

bench::LoadOptions LoadFor(const BenchOptions& o, uint16_t port, const std::string& request,
                           double rate) {
  bench::LoadOptions l;
  l.port = port;
  l.request = request;
  l.rate = rate;
  l.duration = std::chrono::milliseconds(int64_t(o.duration * 1000));
  l.warmup = std::chrono::milliseconds(int64_t(o.warmup * 1000));
  l.drain = std::chrono::milliseconds(3000);
  l.connections = o.connections;
  l.stream = o.stream;
  return l;
}

int RunBench(const BenchOptions& o) {
  const int cores = int(std::thread::hardware_concurrency());
  const int sluice_core = o.sluice_core >= 0 ? o.sluice_core : (cores > 1 ? cores - 1 : -1);
  // The load generator (this thread) and the fake provider share the other cores.
  PinThreadToAllBut(pthread_self(), sluice_core, cores);

  fake::BenchProviderOptions fake_options;
  auto provider = fake::BenchProvider::Start(fake_options);
  if (!provider.ok()) {
    std::fprintf(stderr, "sluice bench: %s\n", provider.error().message().c_str());
    return 1;
  }
  auto loaded = config::LoadText(BenchConfigYaml((*provider)->port()), "<bench>",
                                 [](std::string_view) { return std::optional<std::string>(); });
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
    return 1;
  }
  std::string error;
  auto gateway = InProcessGateway::Start(loaded.config, &error);
  if (!gateway) {
    std::fprintf(stderr, "sluice bench: %s\n", error.c_str());
    return 1;
  }
  PinThread(gateway->thread_handle(), sluice_core);

  bench::Scenario scenario;
  scenario.messages = o.messages;
  scenario.message_bytes = o.message_bytes;
  scenario.stream = o.stream;
  scenario.chunks = o.chunks;
  scenario.headers.emplace_back("authorization", "Bearer sk-client-key");
  const std::string body = bench::BuildBody(scenario);
  const std::string direct_req =
      bench::BuildRequest(scenario, "127.0.0.1:" + std::to_string((*provider)->port()), body);
  const std::string sluice_req =
      bench::BuildRequest(scenario, "127.0.0.1:" + std::to_string(gateway->port()), body);

  std::printf("sluice bench: %d core(s); Sluice: 1 worker on core %d; load generator and fake "
              "provider on the others\n",
              cores, sluice_core);
  std::printf("request: chat completions, %d messages x %zu B (%zu B body)%s; access log on, "
              "llmRequestCosts, APIKey policy\n",
              o.messages, o.message_bytes, body.size(),
              o.stream ? (", stream of " + std::to_string(o.chunks) + " chunks").c_str() : "");
  std::printf("open loop at %.0f req/s for %.1f s after %.1f s warm-up, then closed loop with %d "
              "connections\n\n",
              o.rate, o.duration, o.warmup, o.connections);
  std::fflush(stdout);

  const auto direct = bench::RunLoad(LoadFor(o, (*provider)->port(), direct_req, o.rate));
  const double cpu0 = bench::ThreadCpuSeconds(gateway->thread_handle());
  const auto via = bench::RunLoad(LoadFor(o, gateway->port(), sluice_req, o.rate));
  const double cpu1 = bench::ThreadCpuSeconds(gateway->thread_handle());
  const auto max = bench::RunLoad(LoadFor(o, gateway->port(), sluice_req, 0));
  const double cpu2 = bench::ThreadCpuSeconds(gateway->thread_handle());
  const auto rss = bench::ProcessRssKiB(getpid()).value_or(0);
  const auto peak = bench::ProcessPeakRssKiB(getpid()).value_or(0);

  // Requests handled while the CPU clock ran include the warm-up and drain of each phase.
  const double via_requests = double(via.completed) * (o.duration + o.warmup) / o.duration;
  const double max_requests = double(max.completed) * (o.duration + o.warmup) / o.duration;
  const double cpu_per_req_fixed = via_requests > 0 ? (cpu1 - cpu0) / via_requests : 0;
  const double cpu_per_req_max = max_requests > 0 ? (cpu2 - cpu1) / max_requests : 0;

  auto row = [](const char* name, const bench::Histogram& h) {
    std::printf("  %-22s %s %s %s %s %s\n", name, Us(h.Quantile(0.5)).c_str(),
                Us(h.Quantile(0.9)).c_str(), Us(h.Quantile(0.99)).c_str(),
                Us(h.Quantile(0.999)).c_str(), Us(h.max()).c_str());
  };
  std::printf("latency at %.0f req/s (us)    p50      p90      p99    p99.9      max\n", o.rate);
  row("direct to provider", direct.latency);
  row("through Sluice", via.latency);
  std::printf("  %-22s %s %s %s %s\n", "added by Sluice",
              SignedUs(int64_t(via.latency.Quantile(0.5)) - int64_t(direct.latency.Quantile(0.5)))
                  .c_str(),
              SignedUs(int64_t(via.latency.Quantile(0.9)) - int64_t(direct.latency.Quantile(0.9)))
                  .c_str(),
              SignedUs(int64_t(via.latency.Quantile(0.99)) - int64_t(direct.latency.Quantile(0.99)))
                  .c_str(),
              SignedUs(int64_t(via.latency.Quantile(0.999)) -
                       int64_t(direct.latency.Quantile(0.999)))
                  .c_str());
  if (o.stream) {
    row("TTFB direct", direct.ttfb);
    row("TTFB through Sluice", via.ttfb);
  }
  std::printf("\nachieved: direct %.0f req/s, through Sluice %.0f req/s; errors %llu / %llu\n",
              direct.rps(), via.rps(), (unsigned long long)(direct.errors + direct.non_2xx),
              (unsigned long long)(via.errors + via.non_2xx));
  std::printf("max throughput through Sluice (closed loop, %d connections, 1 worker): %.0f req/s "
              "(errors %llu)\n",
              o.connections, max.rps(), (unsigned long long)(max.errors + max.non_2xx));
  std::printf("Sluice CPU per request: %.1f us at %.0f req/s, %.1f us at max throughput\n",
              cpu_per_req_fixed * 1e6, o.rate, cpu_per_req_max * 1e6);
  std::printf("process RSS (Sluice + fake provider + load generator): %.1f MiB now, %.1f MiB "
              "peak\n",
              double(rss) / 1024.0, double(peak) / 1024.0);
  if (o.json) {
    std::printf("%s\n", ("{\"direct\":" + bench::ResultJson(direct, o.rate) +
                         ",\"sluice\":" + bench::ResultJson(via, o.rate) +
                         ",\"sluice_max\":" + bench::ResultJson(max, 0) +
                         ",\"cpu_us_per_request\":" + std::to_string(cpu_per_req_fixed * 1e6) +
                         ",\"cpu_us_per_request_max\":" + std::to_string(cpu_per_req_max * 1e6) +
                         ",\"rss_kib\":" + std::to_string(rss) +
                         ",\"peak_rss_kib\":" + std::to_string(peak) + "}")
                            .c_str());
  }
  gateway.reset();
  (*provider)->Stop();
  const bool failed = via.errors + via.non_2xx + direct.errors + direct.non_2xx > 0;
  return failed ? 1 : 0;
}

}  // namespace

void AddBenchCommands(CLI::App& app) {
  auto* fp = app.add_subcommand("fake-provider",
                                "Run the benchmark fake provider (OpenAI, Anthropic, Bedrock)");
  fp->group("");  // hidden: a tool for bench/run
  fp->add_option("--address", g_fake.provider.address, "Address to bind")->capture_default_str();
  fp->add_option("--port", g_fake.provider.port, "Port (0: any free port)")->capture_default_str();
  fp->add_option("--latency-ms", g_fake.latency_ms, "Added latency before each response head")
      ->capture_default_str();
  fp->add_option("--chunks", g_fake.provider.chunks, "Stream content chunks")
      ->capture_default_str();
  fp->add_option("--chunk-delay-ms", g_fake.chunk_delay_ms, "Delay between stream chunks")
      ->capture_default_str();
  fp->add_option("--response-bytes", g_fake.provider.response_bytes,
                 "Answer text size of non-streaming answers (0: short)")
      ->capture_default_str();
  fp->add_option("--embedding-dims", g_fake.provider.embedding_dims, "Embedding dimensions")
      ->capture_default_str();

  auto* b = app.add_subcommand(
      "bench", "Measure Sluice's overhead on this machine: fake provider + gateway on loopback");
  b->add_option("--rate", g_bench.rate, "Open-loop requests per second")->capture_default_str();
  b->add_option("--duration", g_bench.duration, "Measured seconds per phase")
      ->capture_default_str();
  b->add_option("--warmup", g_bench.warmup, "Warm-up seconds per phase")->capture_default_str();
  b->add_option("-c,--connections", g_bench.connections, "Connections")->capture_default_str();
  b->add_option("--messages", g_bench.messages, "Chat messages per request")
      ->capture_default_str();
  b->add_option("--message-bytes", g_bench.message_bytes, "Bytes per message")
      ->capture_default_str();
  b->add_flag("--stream", g_bench.stream, "Streaming chat completions");
  b->add_option("--chunks", g_bench.chunks, "Chunks per stream")->capture_default_str();
  b->add_option("--sluice-core", g_bench.sluice_core, "Core for the Sluice worker (default: last)");
  b->add_flag("--json", g_bench.json, "Also print the results as one JSON line");
}

std::optional<int> RunBenchCommands(const CLI::App& app) {
  if (app.got_subcommand("fake-provider")) return RunFakeProvider(g_fake);
  if (app.got_subcommand("bench")) return RunBench(g_bench);
  return std::nullopt;
}

}  // namespace sluice::cli
