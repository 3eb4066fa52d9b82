#include "sluice/mcp/stdio_bridge.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <cstring>
#include <deque>
#include <map>
#include <thread>

#include "sluice/codec/sse.h"
#include "sluice/http/server.h"

extern char** environ;

namespace sluice::mcp {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using http::kNoThrow;
using Descriptor = asio::posix::basic_stream_descriptor<http::Executor>;

// Messages for one waiting HTTP exchange (a POST awaiting its response, or the GET stream).
struct Mailbox {
  std::deque<std::string> messages;
  http::Timer* timer = nullptr;
  bool closed = false;
  void Push(std::string m) {
    messages.push_back(std::move(m));
    if (timer) timer->cancel();
  }
  void Close() {
    closed = true;
    if (timer) timer->cancel();
  }
};

}  // namespace

struct StdioBridge::Impl {
  asio::io_context context{1};
  std::unique_ptr<http::Acceptor> acceptor;
  http::ServerState state;
  std::thread thread;
  pid_t pid = -1;
  uint16_t port = 0;
  std::string name;
  std::unique_ptr<Descriptor> to_child;
  std::unique_ptr<Descriptor> from_child;
  std::string write_queue;
  bool writing = false;
  bool child_gone = false;
  // Pending requests by the JSON text of their id, in arrival order for unsolicited messages.
  std::map<std::string, std::shared_ptr<Mailbox>> pending;
  std::vector<std::shared_ptr<Mailbox>> order;
  std::shared_ptr<Mailbox> get_stream;
  std::optional<json::value> init_result;  // the child's answer to the first initialize
  bool initialized_sent = false;

  http::Task<void> WriteLine(std::string line) {
    write_queue += line;
    write_queue += '\n';
    if (writing) co_return;
    writing = true;
    while (!write_queue.empty() && !child_gone) {
      std::string out;
      out.swap(write_queue);
      auto [ec, n] = co_await asio::async_write(*to_child, asio::buffer(out), kNoThrow);
      if (ec) child_gone = true;
    }
    writing = false;
  }

  void Route(std::string line) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) return;
    json::object& o = v.get_object();
    const bool response = !o.contains("method") && o.contains("id");
    if (response) {
      const std::string key = json::serialize(o.at("id"));
      auto it = pending.find(key);
      if (it != pending.end()) {
        if (!init_result && key == init_key) {
          if (const json::value* r = o.if_contains("result")) init_result = *r;
        }
        it->second->Push(std::move(line));
        it->second->Close();
        std::erase(order, it->second);
        pending.erase(it);
      }
      return;
    }
    // A notification or a request from the server: to the newest request in flight (it is
    // probably about it, e.g. progress), else to the GET stream.
    if (!order.empty()) {
      order.back()->Push(std::move(line));
    } else if (get_stream) {
      get_stream->Push(std::move(line));
    }
  }
  std::string init_key;

  http::Task<void> ReadLoop() {
    asio::streambuf buf(size_t{64} << 20);
    while (true) {
      auto [ec, n] = co_await asio::async_read_until(*from_child, buf, '\n', kNoThrow);
      if (ec) break;
      std::string line(asio::buffers_begin(buf.data()), asio::buffers_begin(buf.data()) + n);
      buf.consume(n);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (!line.empty()) Route(std::move(line));
    }
    child_gone = true;
    for (auto& [k, box] : pending) box->Close();
    pending.clear();
    order.clear();
    if (get_stream) get_stream->Close();
  }

  // Waits for the next message of `box`; nullopt when it is closed and empty.
  static http::Task<std::optional<std::string>> Next(Mailbox& box, http::Executor ex) {
    while (box.messages.empty() && !box.closed) {
      http::Timer timer(ex, http::Timer::time_point::max());
      box.timer = &timer;
      co_await timer.async_wait(kNoThrow);
      box.timer = nullptr;
      auto cancel_state = co_await asio::this_coro::cancellation_state;
      if (cancel_state.cancelled() != asio::cancellation_type::none) co_return std::nullopt;
    }
    if (box.messages.empty()) co_return std::nullopt;
    std::string m = std::move(box.messages.front());
    box.messages.pop_front();
    co_return m;
  }

  http::Task<void> Handle(http::Request& req, http::ResponseWriter& w) {
    co_await asio::this_coro::throw_if_cancelled(false);
    auto ex = co_await asio::this_coro::executor;
    if (req.method == "DELETE") {
      co_await w.Respond(200, {}, {});
      co_return;
    }
    if (req.method == "GET") {
      if (get_stream) {
        co_await w.Respond(409, "text/plain", "a stream is already open");
        co_return;
      }
      auto box = std::make_shared<Mailbox>();
      get_stream = box;
      http::Headers h;
      h.Set("content-type", "text/event-stream");
      w.StartResponse(200, h, std::nullopt);
      bool ok = co_await w.WriteBody(": stdio bridge\n\n");
      while (ok) {
        auto m = co_await Next(*box, ex);
        if (!m) break;
        std::string ev;
        codec::AppendSseEvent(ev, "message", *m);
        ok = co_await w.WriteBody(ev);
      }
      if (get_stream == box) get_stream.reset();
      co_await w.Finish();
      co_return;
    }
    if (req.method != "POST") {
      co_await w.Respond(405, "text/plain", "method not allowed");
      co_return;
    }
    boost::system::error_code ec;
    json::value v = json::parse(req.body, ec);
    if (ec || !v.is_object()) {
      co_await w.Respond(400, "text/plain", "invalid JSON-RPC message");
      co_return;
    }
    json::object& o = v.get_object();
    const json::value* method = o.if_contains("method");
    const json::value* id = o.if_contains("id");
    if (child_gone) {
      co_await w.Respond(502, "text/plain", "stdio server " + name + " exited");
      co_return;
    }
    if (method == nullptr || id == nullptr) {
      // A notification or a response: accepted (Transports §Sending Messages to the Server).
      const bool repeat_initialized = method && method->is_string() &&
                                      method->get_string() == "notifications/initialized" &&
                                      initialized_sent;
      if (method && method->is_string() && method->get_string() == "notifications/initialized") {
        initialized_sent = true;
      }
      if (!repeat_initialized) co_await WriteLine(json::serialize(v));
      co_await w.Respond(202, {}, {});
      co_return;
    }
    const std::string key = json::serialize(*id);
    if (method->is_string() && method->get_string() == "initialize" && init_result) {
      json::object answer;
      answer["jsonrpc"] = "2.0";
      answer["id"] = *id;
      answer["result"] = *init_result;
      co_await w.Respond(200, "application/json", json::serialize(answer));
      co_return;
    }
    if (method->is_string() && method->get_string() == "initialize") init_key = key;
    auto box = std::make_shared<Mailbox>();
    if (auto it = pending.find(key); it != pending.end()) it->second->Close();
    pending[key] = box;
    order.push_back(box);
    co_await WriteLine(std::string(req.body));
    http::Headers h;
    h.Set("content-type", "text/event-stream");
    w.StartResponse(200, h, std::nullopt);
    while (true) {
      auto m = co_await Next(*box, ex);
      if (!m) break;
      std::string ev;
      codec::AppendSseEvent(ev, "message", *m);
      if (!co_await w.WriteBody(ev)) break;
    }
    if (auto it = pending.find(key); it != pending.end() && it->second == box) {
      pending.erase(it);
      std::erase(order, box);
    }
    co_await w.Finish();
  }
};

StdioBridge::StdioBridge(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StdioBridge::~StdioBridge() { Stop(); }

std::string StdioBridge::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/mcp";
}

int StdioBridge::pid() const { return impl_->pid; }

void StdioBridge::Stop() {
  if (!impl_) return;
  impl_->context.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->pid > 0) {
    ::kill(impl_->pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(impl_->pid, &status, WNOHANG) == impl_->pid) {
        impl_->pid = -1;
        break;
      }
      ::usleep(20'000);
    }
    if (impl_->pid > 0) {
      ::kill(impl_->pid, SIGKILL);
      ::waitpid(impl_->pid, &status, 0);
      impl_->pid = -1;
    }
  }
}

Result<std::unique_ptr<StdioBridge>> StdioBridge::Start(const StdioServerSpec& spec) {
  auto impl = std::make_unique<Impl>();
  impl->name = spec.name;
  int in_pipe[2];
  int out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return Error(ErrorKind::kInternal, "cannot create pipes for " + spec.name);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  std::vector<std::string> argv_s{spec.command};
  argv_s.insert(argv_s.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) env_s.emplace_back(*e);
  for (const auto& [k, v] : spec.env) {
    std::erase_if(env_s, [&](const std::string& s) { return s.starts_with(k + "="); });
    env_s.push_back(k + "=" + v);
  }
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc =
      posix_spawnp(&pid, spec.command.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (rc != 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    return Error(ErrorKind::kUnavailable, "cannot start stdio server " + spec.name + " (" +
                                              spec.command + "): " + std::strerror(rc));
  }
  impl->pid = pid;
  impl->to_child = std::make_unique<Descriptor>(impl->context.get_executor(), in_pipe[1]);
  impl->from_child = std::make_unique<Descriptor>(impl->context.get_executor(), out_pipe[0]);

  impl->acceptor = std::make_unique<http::Acceptor>(impl->context.get_executor());
  boost::system::error_code ec;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor->bind(endpoint, ec);
  if (!ec) impl->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    auto bridge = std::unique_ptr<StdioBridge>(new StdioBridge(std::move(impl)));
    return Error(ErrorKind::kUnavailable, "cannot listen for stdio bridge: " + ec.message());
  }
  impl->port = impl->acceptor->local_endpoint().port();
  Impl* raw = impl.get();
  auto handler = std::make_shared<const http::Handler>(
      [raw](http::Request& req, http::ResponseWriter& w) { return raw->Handle(req, w); });
  http::ServerLimits limits;
  limits.idle_timeout = std::chrono::hours(24);
  asio::co_spawn(impl->context, http::AcceptLoop(*impl->acceptor, handler, limits, impl->state),
                 asio::detached);
  asio::co_spawn(impl->context, raw->ReadLoop(), asio::detached);
  impl->thread = std::thread([raw] { raw->context.run(); });
  return std::unique_ptr<StdioBridge>(new StdioBridge(std::move(impl)));
}

}  // namespace sluice::mcp
