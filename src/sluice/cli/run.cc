#include "sluice/cli/run.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <openssl/rand.h>

#include <fstream>
#include <sstream>

#include "sluice/cli/access_log_flusher.h"
#include "sluice/cli/aws.h"
#include "sluice/config/load.h"
#include "sluice/config/mcp_servers.h"
#include "sluice/fake/openai_fake.h"
#include "sluice/mcp/gateway.h"
#include "sluice/mcp/stdio_bridge.h"
#include "sluice/http/server.h"
#include "sluice/observe/access_log.h"
#include "sluice/pipeline/gateway.h"

namespace sluice::cli {

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using http::kNoThrow;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

constexpr uint16_t kDefaultListenerPort = 1975;  // `aigw run`'s listener

// Lines other programs (and tests) wait for go straight to stderr, unformatted.
void Announce(const std::string& line) {
  std::fprintf(stderr, "sluice: %s\n", line.c_str());
  std::fflush(stderr);
}

[[noreturn]] void Die(const std::string& message) {
  Announce(message);
  std::exit(1);
}

std::string DemoConfigYaml(uint16_t fake_port) {
  return R"(# Built-in demo: one OpenAI-compatible route to Sluice's in-process fake model.
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: sluice-demo
spec:
  gatewayClassName: sluice
  listeners:
    - name: http
      protocol: HTTP
      port: 1975
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata:
  name: demo
spec:
  parentRefs:
    - name: sluice-demo
      kind: Gateway
      group: gateway.networking.k8s.io
  rules:
    - name: demo-model
      matches:
        - headers:
            - type: Exact
              name: x-ai-eg-model
              value: sluice-demo
      backendRefs:
        - name: demo
    - name: any-model
      matches:
        - headers:
            - type: RegularExpression
              name: x-ai-eg-model
              value: ".*"
      backendRefs:
        - name: demo
  llmRequestCosts:
    - metadataKey: llm_input_token
      type: InputToken
    - metadataKey: llm_output_token
      type: OutputToken
    - metadataKey: llm_total_token
      type: TotalToken
---
apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIServiceBackend
metadata:
  name: demo
spec:
  schema:
    name: OpenAI
  backendRef:
    name: demo
    kind: Backend
    group: gateway.envoyproxy.io
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata:
  name: demo
spec:
  endpoints:
    - ip:
        address: 127.0.0.1
        port: )" + std::to_string(fake_port) +
         "\n";
}

// Modification times and sizes of every config file, to notice edits without inotify (works on
// ConfigMap volumes, whose files are swapped through symlinks).
std::string Fingerprint(const std::vector<std::string>& paths) {
  std::string out;
  std::error_code ec;
  auto add = [&](const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      out += p.string() + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
             std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_size) + ";";
    } else {
      out += p.string() + ":missing;";
    }
  };
  for (const auto& path : paths) {
    if (fs::is_directory(path, ec)) {
      std::set<fs::path> files;
      for (const auto& entry : fs::directory_iterator(path, ec)) files.insert(entry.path());
      for (const auto& f : files) add(f);
    } else {
      add(path);
    }
  }
  return out;
}

// Binds `address:port` on `context` with SO_REUSEPORT so every worker accepts on the same port.
Result<std::unique_ptr<http::Acceptor>> Bind(asio::io_context& context,
                                             const asio::ip::tcp::endpoint& endpoint) {
  auto acceptor = std::make_unique<http::Acceptor>(context.get_executor());
  boost::system::error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->set_option(ReusePort(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorKind::kUnavailable, "cannot listen on " + endpoint.address().to_string() +
                                              ":" + std::to_string(endpoint.port()) + ": " +
                                              ec.message());
  }
  return acceptor;
}

// SO_REUSEPORT lets a second process share a port silently; a plain bind first proves it is free.
Result<void> CheckPortFree(const asio::ip::tcp::endpoint& endpoint) {
  if (endpoint.port() == 0) return Ok();
  asio::io_context probe_context;
  asio::ip::tcp::acceptor probe(probe_context);
  boost::system::error_code ec;
  probe.open(endpoint.protocol(), ec);
  if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) probe.bind(endpoint, ec);
  if (ec) {
    return Error(ErrorKind::kUnavailable, "cannot listen on " + endpoint.address().to_string() +
                                              ":" + std::to_string(endpoint.port()) + ": " +
                                              ec.message());
  }
  return Ok();
}

// Plugs the MCP gateway into the pipeline's extension hook.
class McpExtension final : public pipeline::Extension {
 public:
  explicit McpExtension(std::unique_ptr<mcp::McpGateway> gateway) : gateway_(std::move(gateway)) {}
  bool Accepts(const config::RuntimeConfig& config, const http::Request& request) const override {
    return gateway_->Accepts(config, request);
  }
  http::Task<void> Handle(std::shared_ptr<const config::RuntimeConfig> config,
                          http::Request& request, http::ResponseWriter& writer) override {
    return gateway_->Handle(std::move(config), request, writer);
  }

 private:
  std::unique_ptr<mcp::McpGateway> gateway_;
};

struct Worker {
  // One thread runs a worker and only it touches the worker's sockets (other threads post to it,
  // e.g. to close its listeners when draining): the reactor's per-socket locks can go.
  asio::io_context context{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::vector<std::unique_ptr<http::Acceptor>> acceptors;
  std::unique_ptr<observe::AccessLogBuffer> log;
  std::unique_ptr<AccessLogFlusher> log_flusher;
  std::unique_ptr<McpExtension> mcp;
  std::unique_ptr<pipeline::Gateway> gateway;
  std::thread thread;
};

// --mcp-config / --mcp-json: the servers' MCPRoute, with stdio servers spawned and bridged.
struct McpServers {
  std::optional<config::McpRoute> route;
  std::vector<std::unique_ptr<mcp::StdioBridge>> bridges;
};

McpServers StartMcpServers(const RunOptions& options, const config::GetEnv& env) {
  McpServers out;
  std::string text = options.mcp_json;
  std::string source = "--mcp-json";
  if (!options.mcp_config.empty()) {
    std::ifstream in(options.mcp_config, std::ios::binary);
    if (!in) Die("--mcp-config " + options.mcp_config + ": cannot read file");
    std::ostringstream contents;
    contents << in.rdbuf();
    text = contents.str();
    source = options.mcp_config;
  }
  if (text.empty()) return out;
  auto parsed = config::ParseMcpServers(text, env);
  if (!parsed.ok()) Die(source + ": " + parsed.error().message());
  for (const auto& w : parsed->warnings) spdlog::warn("{}: {}", source, w);
  std::map<std::string, std::string> urls;
  for (const auto& server : parsed->servers) {
    if (!server.stdio()) continue;
    mcp::StdioServerSpec spec{server.name, server.command, server.args, server.env};
    auto bridge = mcp::StdioBridge::Start(spec);
    if (!bridge.ok()) Die(source + ": " + bridge.error().message());
    urls[server.name] = (*bridge)->url();
    Announce("mcp stdio server " + server.name + " (pid " + std::to_string((*bridge)->pid()) +
             ") bridged at " + (*bridge)->url());
    out.bridges.push_back(std::move(bridge).value());
  }
  auto route = config::McpRouteFromServers(*parsed, urls);
  if (!route.ok()) Die(source + ": " + route.error().message());
  out.route = std::move(route).value();
  return out;
}

std::shared_ptr<const config::RuntimeConfig> WithMcpServers(
    std::shared_ptr<const config::RuntimeConfig> config, const McpServers& servers) {
  if (!servers.route) return config;
  auto copy = std::make_shared<config::RuntimeConfig>(*config);
  copy->mcp_routes.push_back(*servers.route);
  return copy;
}

std::string RandomSeed() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// Runs the built-in fake provider on its own thread and loopback port.
class DemoProvider {
 public:
  Result<uint16_t> Start() {
    auto acceptor = Bind(context_, {asio::ip::make_address("127.0.0.1"), 0});
    if (!acceptor.ok()) return acceptor.error();
    acceptor_ = std::move(acceptor).value();
    const uint16_t port = acceptor_->local_endpoint().port();
    asio::co_spawn(context_,
                   http::AcceptLoop(*acceptor_, fake::MakeOpenAIFakeHandler(), {}, state_),
                   asio::detached);
    thread_ = std::thread([this] { context_.run(); });
    return port;
  }
  ~DemoProvider() {
    context_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  asio::io_context context_{1};
  std::unique_ptr<http::Acceptor> acceptor_;
  http::ServerState state_;
  std::thread thread_;
};

std::shared_ptr<const http::Handler> MakeAdminHandler(const pipeline::ConfigSource& config,
                                                      const http::ServerState& state) {
  return std::make_shared<const http::Handler>(
      [&config, &state](http::Request& req, http::ResponseWriter& w) -> http::Task<void> {
        const auto path = req.path();
        if (path == "/health") {
          co_await w.Respond(200, "application/json", R"({"status":"ok"})");
        } else if (path == "/ready") {
          if (state.draining.load()) {
            co_await w.Respond(503, "application/json", R"({"status":"draining"})");
          } else {
            co_await w.Respond(200, "application/json", R"({"status":"ready"})");
          }
        } else if (path == "/config_dump") {
          const std::string dump = config::DumpJson(*config.Get());
          co_await w.Respond(200, "application/json", dump);
        } else {
          co_await w.Respond(404, "application/json", R"({"error":"not found"})");
        }
      });
}

}  // namespace

int Run(const RunOptions& options) {
  auto logger = spdlog::stderr_color_mt("sluice");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(options.debug ? spdlog::level::debug
                                  : spdlog::level::from_str(options.log_level));

  const config::GetEnv env = config::ProcessEnv();
  std::vector<std::string> files = options.files;
  if (files.empty()) {
    const std::string home =
        env("AIGW_CONFIG_HOME").value_or(env("HOME").value_or("") + "/.config/aigw");
    if (fs::exists(home + "/config.yaml")) files.push_back(home + "/config.yaml");
  }

  std::unique_ptr<DemoProvider> demo;
  config::LoadResult loaded;
  if (!files.empty()) {
    loaded = config::LoadFiles(files, env);
  } else if (auto yaml = config::AutoConfigYaml(env)) {
    Announce("no config file given: configured from provider environment variables");
    loaded = config::LoadText(*yaml, "<environment>", env);
  } else {
    demo = std::make_unique<DemoProvider>();
    auto port = demo->Start();
    if (!port.ok()) Die(port.error().message());
    Announce("no config file and no provider keys: serving the built-in demo model "
             "(try model \"sluice-demo\")");
    loaded = config::LoadText(DemoConfigYaml(*port), "<demo>", env);
  }
  for (const auto& w : loaded.warnings) spdlog::warn("{}", w);
  if (!loaded.ignored.empty()) {
    std::string list;
    for (const auto& i : loaded.ignored) list += (list.empty() ? "" : ", ") + i;
    spdlog::info("resources accepted but not acted on: {}", list);
  }
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
    Die("invalid configuration (" + std::to_string(loaded.errors.size()) + " error(s))");
  }

  McpServers mcp_servers = StartMcpServers(options, env);
  pipeline::ConfigSource config_source(WithMcpServers(loaded.config, mcp_servers));
  // The session key is derived once here (PBKDF2), never per session.
  std::string seed = options.mcp_seed;
  if (seed.empty()) {
    seed = RandomSeed();
    if (!config_source.Get()->mcp_routes.empty()) {
      spdlog::warn("no --mcp-session-encryption-seed (or SLUICE_MCP_SESSION_ENCRYPTION_SEED): MCP "
                   "sessions are valid on this process only and end when it restarts");
    }
  }
  auto session_codec = std::make_shared<const mcp::SessionCodec>(seed);
  auto reinitialized = std::make_shared<mcp::ReinitializedSessions>();
  http::ServerState state;

  const unsigned worker_count =
      options.workers > 0 ? options.workers : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < worker_count; ++i) workers.push_back(std::make_unique<Worker>());

  boost::system::error_code addr_ec;
  const auto address = asio::ip::make_address(options.address, addr_ec);
  if (addr_ec) Die("invalid --address " + options.address + ": " + addr_ec.message());

  // One bound port per distinct listener port, shared by all workers through SO_REUSEPORT.
  std::vector<config::Listener> listeners = loaded.config->listeners;
  if (listeners.empty()) {
    spdlog::warn("no Gateway listener configured: listening on port {}", kDefaultListenerPort);
    listeners.push_back({"", "default", kDefaultListenerPort, ""});
  }
  // Listeners sharing a port share its sockets; each port-0 listener gets a free port of its own.
  std::vector<std::pair<uint16_t, std::vector<std::string>>> ports;
  for (const auto& l : listeners) {
    const uint16_t port = options.listener_port.value_or(l.port);
    const std::string name = (l.gateway.empty() ? "" : l.gateway + "/") + l.name;
    auto same = std::find_if(ports.begin(), ports.end(),
                             [&](const auto& p) { return port != 0 && p.first == port; });
    if (same != ports.end()) {
      same->second.push_back(name);
    } else {
      ports.push_back({port, {name}});
    }
  }
  for (const auto& [port, names] : ports) {
    if (auto free = CheckPortFree({address, port}); !free.ok()) Die(free.error().message());
    uint16_t bound_port = port;
    for (auto& worker : workers) {
      auto acceptor = Bind(worker->context, {address, bound_port});
      if (!acceptor.ok()) Die(acceptor.error().message());
      bound_port = (*acceptor)->local_endpoint().port();
      worker->acceptors.push_back(std::move(acceptor).value());
    }
    for (const auto& name : names) {
      Announce("listener " + name + " on " + options.address + ":" + std::to_string(bound_port));
    }
  }

  // The main thread runs signals, config reloads, the admin listener and AWS credential refresh.
  // With one worker it also runs that worker: a single-threaded process does not share its file
  // table, so the kernel skips a reference count on the file of every socket call.
  asio::io_context own_main_context{1};
  asio::io_context& main_context = workers.size() == 1 ? workers[0]->context : own_main_context;
  // AWSCredentials policies: static keys now; web identity fetched on this thread, waited for (up
  // to 10 s) so that the first requests find credentials.
  auto aws_credentials = MakeAwsCredentialManager(env, &main_context);
  {
    auto attached = aws_credentials->Attach(*loaded.config);
    for (const auto& w : attached.warnings) spdlog::warn("{}", w);
    if (!attached.errors.empty()) {
      for (const auto& e : attached.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
      Die("invalid configuration (" + std::to_string(attached.errors.size()) + " error(s))");
    }
    AwaitFirstAwsCredentials(main_context, *aws_credentials, std::chrono::seconds(10));
  }
  if (auto free = CheckPortFree({address, options.admin_port}); !free.ok()) {
    Die("admin " + free.error().message());
  }
  auto admin = Bind(main_context, {address, options.admin_port});
  if (!admin.ok()) Die("admin " + admin.error().message());
  http::ServerState admin_state;
  asio::co_spawn(main_context,
                 http::AcceptLoop(**admin, MakeAdminHandler(config_source, state), {}, admin_state),
                 asio::detached);
  Announce("admin on " + options.address + ":" + std::to_string((*admin)->local_endpoint().port()));

  const auto body_observers = pipeline::ApiBodyObservers();
  for (auto& worker : workers) {
    worker->log = std::make_unique<observe::AccessLogBuffer>(1);
    worker->log_flusher =
        std::make_unique<AccessLogFlusher>(worker->context.get_executor(), *worker->log);
    worker->gateway = std::make_unique<pipeline::Gateway>(
        config_source, worker->context.get_executor(), *worker->log);
    mcp::McpOptions mcp_options;
    mcp_options.server_version = SLUICE_VERSION;
    mcp_options.draining = &state.draining;
    mcp_options.current_config = [&config_source] { return config_source.Get(); };
    worker->mcp = std::make_unique<McpExtension>(std::make_unique<mcp::McpGateway>(
        worker->context.get_executor(), *worker->log, session_codec, reinitialized, mcp_options));
    worker->gateway->AddExtension(worker->mcp.get());
    auto* gateway = worker->gateway.get();
    auto handler = std::make_shared<const http::Handler>(
        [gateway](http::Request& req, http::ResponseWriter& w) { return gateway->Handle(req, w); });
    for (auto& acceptor : worker->acceptors) {
      asio::co_spawn(worker->context,
                     http::AcceptLoop(*acceptor, handler, {}, state, body_observers),
                     asio::detached);
    }
  }
  for (auto& worker : workers) {
    if (&worker->context == &main_context) continue;
    worker->thread = std::thread([w = worker.get()] { w->context.run(); });
  }

  auto reload = [&](const char* why) {
    if (options.files.empty() && files.empty()) {
      spdlog::info("{}: nothing to reload (no config file)", why);
      return;
    }
    auto next = config::LoadFiles(files, env);
    if (!next.errors.empty()) {
      std::string all;
      for (const auto& e : next.errors) all += (all.empty() ? "" : "; ") + e;
      Announce("config reload rejected: " + all);
      return;
    }
    auto attached = aws_credentials->Attach(*next.config);
    if (!attached.errors.empty()) {
      std::string all;
      for (const auto& e : attached.errors) all += (all.empty() ? "" : "; ") + e;
      Announce("config reload rejected: " + all);
      return;
    }
    for (const auto& w : next.warnings) spdlog::warn("{}", w);
    for (const auto& w : attached.warnings) spdlog::warn("{}", w);
    config_source.Set(WithMcpServers(next.config, mcp_servers));
    Announce(std::string("config reloaded (") + why + ")");
  };

  // Reload on a change of the files.
  std::string fingerprint = files.empty() ? "" : Fingerprint(files);
  if (!files.empty() && options.poll_interval_ms > 0) {
    asio::co_spawn(
        main_context,
        [&]() -> http::Task<void> {
          http::Timer timer(co_await asio::this_coro::executor);
          while (true) {
            timer.expires_after(std::chrono::milliseconds(options.poll_interval_ms));
            auto [ec] = co_await timer.async_wait(kNoThrow);
            if (ec) co_return;
            std::string now = Fingerprint(files);
            if (now != fingerprint) {
              fingerprint = std::move(now);
              reload("file changed");
            }
          }
        },
        asio::detached);
  }

  asio::signal_set signals(main_context, SIGINT, SIGTERM, SIGHUP);
  bool stopping = false;
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (signo == SIGHUP) {
          fingerprint = files.empty() ? "" : Fingerprint(files);
          reload("SIGHUP");
          signals.async_wait(on_signal);
          return;
        }
        if (stopping) {  // a second signal: stop now
          main_context.stop();
          return;
        }
        stopping = true;
        Announce("draining: no new connections, waiting up to " +
                 std::to_string(options.drain_timeout_seconds) + "s for requests in flight");
        state.draining.store(true);
        for (auto& worker : workers) {
          asio::post(worker->context, [w = worker.get()] {
            for (auto& a : w->acceptors) {
              boost::system::error_code ignored;
              a->close(ignored);
            }
          });
        }
        asio::co_spawn(
            main_context,
            [&]() -> http::Task<void> {
              const auto deadline = std::chrono::steady_clock::now() +
                                    std::chrono::seconds(options.drain_timeout_seconds);
              http::Timer timer(co_await asio::this_coro::executor);
              while (state.active_requests.load() > 0 &&
                     std::chrono::steady_clock::now() < deadline) {
                timer.expires_after(std::chrono::milliseconds(20));
                co_await timer.async_wait(kNoThrow);
              }
              if (state.active_requests.load() > 0) {
                Announce("drain deadline passed with " +
                         std::to_string(state.active_requests.load()) + " request(s) in flight");
              }
              main_context.stop();
            },
            asio::detached);
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);

  Announce("ready");
  main_context.run();

  for (auto& worker : workers) worker->context.stop();
  for (auto& worker : workers) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  for (auto& worker : workers) {
    worker->gateway.reset();
    worker->mcp.reset();
    worker->log->Flush();
  }
  for (auto& bridge : mcp_servers.bridges) bridge->Stop();
  Announce("stopped");
  return 0;
}

}  // namespace sluice::cli
