#include "sluice/bench/loadgen.h"

#include <llhttp.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <deque>
#include <list>
#include <memory>
#include <optional>
#include <vector>

namespace sluice::bench {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Executor = asio::io_context::executor_type;
template <typename T = void>
using Task = asio::awaitable<T, Executor>;
constexpr asio::use_awaitable_t<Executor> kUse{};
using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
using Timer = asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, Executor>;

uint64_t Nanos(Clock::duration d) {
  const auto n = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return n > 0 ? uint64_t(n) : 0;
}

// Reads one HTTP/1.1 response at a time with llhttp.
struct ResponseReader {
  llhttp_t parser;
  llhttp_settings_t settings;
  bool complete = false;
  bool body_seen = false;  // body bytes in the current read
  int status = 0;

  ResponseReader() {
    llhttp_settings_init(&settings);
    settings.on_headers_complete = [](llhttp_t* p) {
      static_cast<ResponseReader*>(p->data)->status = p->status_code;
      return 0;
    };
    settings.on_body = [](llhttp_t* p, const char*, size_t) {
      static_cast<ResponseReader*>(p->data)->body_seen = true;
      return 0;
    };
    settings.on_message_complete = [](llhttp_t* p) {
      static_cast<ResponseReader*>(p->data)->complete = true;
      return int(HPE_PAUSED);
    };
    Reset();
  }
  void Reset() {
    llhttp_init(&parser, HTTP_RESPONSE, &settings);
    parser.data = this;
    complete = false;
    status = 0;
  }
  // False on a protocol error.
  bool Feed(const char* data, size_t len) {
    body_seen = false;
    llhttp_errno_t err = llhttp_execute(&parser, data, len);
    if (err == HPE_OK) return true;
    if (err == HPE_PAUSED && complete) return true;
    return false;
  }
};

class Generator;

class Conn {
 public:
  Conn(Generator& gen, Executor ex) : gen_(gen), socket_(ex), wake_(ex) { input_.resize(64 * 1024); }
  Task<void> Run();
  void Wake() { wake_.cancel(); }
  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
    wake_.cancel();
  }

 private:
  Task<bool> Connect();
  // Sends the request and reads the answer; records it when due in the window.
  Task<bool> Exchange(TimePoint scheduled);

  Generator& gen_;
  Socket socket_;
  Timer wake_;
  ResponseReader reader_;
  std::string input_;
  bool connected_ = false;
};

class Generator {
 public:
  Generator(asio::io_context& ctx, const LoadOptions& o) : ctx_(ctx), o_(o) {
    boost::system::error_code ec;
    endpoint_ = asio::ip::tcp::endpoint(asio::ip::make_address(o.host, ec), o.port);
  }

  LoadResult Run() {
    const auto now = Clock::now();
    start_ = now + std::chrono::milliseconds(100);  // time for the first connections
    window_start_ = start_ + o_.warmup;
    end_ = window_start_ + o_.duration;
    for (int i = 0; i < std::max(1, o_.connections); ++i) Spawn();
    if (o_.rate > 0) {
      asio::co_spawn(ctx_, Ticker(), asio::detached);
    } else {
      asio::co_spawn(ctx_, ClosedLoopEnd(), asio::detached);
    }
    ctx_.run();
    result_.seconds = std::chrono::duration<double>(o_.duration).count();
    // Requests due in the window that never completed count as errors.
    const uint64_t accounted = result_.completed + result_.non_2xx + window_errors_;
    if (o_.rate > 0 && result_.scheduled > accounted) {
      result_.errors += result_.scheduled - accounted;
    }
    result_.errors += window_errors_;
    return result_;
  }

  bool closed_loop() const { return o_.rate <= 0; }
  const LoadOptions& options() const { return o_; }
  const asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  bool finished() const { return finished_; }

  // Next job for a connection, or nullopt when the run is over. Waits while there is none.
  std::optional<TimePoint> TakeJob() {
    if (closed_loop()) {
      const auto now = Clock::now();
      if (finished_ || now >= end_) return std::nullopt;
      if (now < start_) return start_;  // the caller waits until then
      return now;
    }
    if (pending_.empty()) return std::nullopt;
    const TimePoint t = pending_.front();
    pending_.pop_front();
    return t;
  }
  bool HasPending() const { return !pending_.empty(); }
  bool scheduling_done() const { return scheduling_done_; }

  void GoIdle(Conn* c) { idle_.push_back(c); }
  void LeaveIdle(Conn* c) {
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (*it == c) {
        idle_.erase(it);
        return;
      }
    }
  }

  bool InWindow(TimePoint scheduled) const {
    return scheduled >= window_start_ && scheduled < end_;
  }
  void RecordError(TimePoint scheduled) {
    if (InWindow(scheduled)) ++window_errors_;
  }
  void RecordConnectError() { ++connect_errors_; }
  LoadResult& result() { return result_; }

  void ConnectionEnded() {
    --open_;
    MaybeFinish();
  }
  void MaybeFinish() {
    if (closed_loop()) return;
    if (scheduling_done_ && pending_.empty() && busy_ == 0) Finish();
  }
  void Busy(int delta) { busy_ += delta; }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    drain_timer_.reset();
    for (auto* c : all_) c->Close();
    idle_.clear();
  }

 private:
  void Spawn() {
    ++open_;
    ++result_.connections_opened;
    auto conn = std::make_shared<Conn>(*this, ctx_.get_executor());
    all_.push_back(conn.get());
    asio::co_spawn(ctx_, [conn, this]() -> Task<void> {
      co_await conn->Run();
      for (auto it = all_.begin(); it != all_.end(); ++it) {
        if (*it == conn.get()) {
          all_.erase(it);
          break;
        }
      }
      ConnectionEnded();
    }, asio::detached);
  }

  void Dispatch() {
    size_t n = pending_.size();
    while (n > 0 && !idle_.empty()) {
      Conn* c = idle_.back();
      idle_.pop_back();
      c->Wake();
      --n;
    }
    // Connections still to be woken by the ones being set up: open more only beyond those.
    const int waiting_setup = open_ - busy_ - int(idle_.size());
    int more = int(n) - std::max(0, waiting_setup);
    while (more-- > 0 && open_ < o_.max_connections) Spawn();
  }

  Task<void> Ticker() {
    Timer timer(ctx_.get_executor());
    const double interval_ns = 1e9 / o_.rate;
    uint64_t i = 0;
    while (!finished_) {
      const auto now = Clock::now();
      while (true) {
        const TimePoint t = start_ + std::chrono::nanoseconds(uint64_t(double(i) * interval_ns));
        if (t >= end_ || t > now) break;
        pending_.push_back(t);
        if (InWindow(t)) ++result_.scheduled;
        ++i;
      }
      Dispatch();
      const TimePoint next = start_ + std::chrono::nanoseconds(uint64_t(double(i) * interval_ns));
      if (next >= end_) break;
      timer.expires_at(next);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(kUse, ec));
    }
    scheduling_done_ = true;
    // Wake idle connections so they can notice the end; give in-flight answers `drain` to come.
    MaybeFinish();
    if (finished_) co_return;
    drain_timer_ = std::make_unique<Timer>(ctx_.get_executor(), o_.drain);
    boost::system::error_code ec;
    co_await drain_timer_->async_wait(asio::redirect_error(kUse, ec));
    Finish();
  }

  Task<void> ClosedLoopEnd() {
    Timer timer(ctx_.get_executor(), end_);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(kUse, ec));
    // Answers still in flight get `drain` to finish; their requests started in the window.
    timer.expires_after(o_.drain);
    co_await timer.async_wait(asio::redirect_error(kUse, ec));
    Finish();
  }

  asio::io_context& ctx_;
  LoadOptions o_;
  asio::ip::tcp::endpoint endpoint_;
  TimePoint start_, window_start_, end_;
  std::deque<TimePoint> pending_;
  std::vector<Conn*> idle_;
  std::list<Conn*> all_;
  std::unique_ptr<Timer> drain_timer_;
  int open_ = 0;
  int busy_ = 0;
  bool scheduling_done_ = false;
  bool finished_ = false;
  uint64_t window_errors_ = 0;
  uint64_t connect_errors_ = 0;
  LoadResult result_;
};

Task<bool> Conn::Connect() {
  boost::system::error_code ec;
  socket_.close(ec);
  socket_ = Socket(socket_.get_executor());
  co_await socket_.async_connect(gen_.endpoint(), asio::redirect_error(kUse, ec));
  if (ec) {
    gen_.RecordConnectError();
    co_return false;
  }
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  reader_.Reset();
  connected_ = true;
  co_return true;
}

Task<void> Conn::Run() {
  boost::system::error_code ec;
  int connect_failures = 0;
  while (!gen_.finished()) {
    if (!connected_) {
      if (!co_await Connect()) {
        // Keep trying briefly: a refused connect under load should not end the connection slot.
        if (++connect_failures > 20) co_return;
        wake_.expires_after(std::chrono::milliseconds(50));
        co_await wake_.async_wait(asio::redirect_error(kUse, ec));
        continue;
      }
      connect_failures = 0;
    }
    auto job = gen_.TakeJob();
    if (!job) {
      if (gen_.closed_loop() || gen_.scheduling_done()) {
        if (!gen_.HasPending()) co_return;
        continue;
      }
      gen_.GoIdle(this);
      wake_.expires_at(TimePoint::max());
      co_await wake_.async_wait(asio::redirect_error(kUse, ec));
      gen_.LeaveIdle(this);
      continue;
    }
    if (gen_.closed_loop() && *job > Clock::now()) {
      wake_.expires_at(*job);
      co_await wake_.async_wait(asio::redirect_error(kUse, ec));
      continue;
    }
    gen_.Busy(1);
    const bool ok = co_await Exchange(*job);
    gen_.Busy(-1);
    if (!ok) {
      gen_.RecordError(*job);
      connected_ = false;
    }
    gen_.MaybeFinish();
  }
}

Task<bool> Conn::Exchange(TimePoint scheduled) {
  boost::system::error_code ec;
  co_await asio::async_write(socket_, asio::buffer(gen_.options().request),
                             asio::redirect_error(kUse, ec));
  if (ec) co_return false;
  reader_.complete = false;
  bool first = true;
  TimePoint last_body{};
  uint64_t bytes = 0;
  const bool record = gen_.InWindow(scheduled);
  LoadResult& r = gen_.result();
  while (!reader_.complete) {
    const size_t n = co_await socket_.async_read_some(asio::buffer(input_),
                                                      asio::redirect_error(kUse, ec));
    if (ec) co_return false;
    const auto now = Clock::now();
    bytes += n;
    if (first) {
      first = false;
      if (record) r.ttfb.Record(Nanos(now - scheduled));
    }
    if (!reader_.Feed(input_.data(), n)) co_return false;
    if (reader_.body_seen && gen_.options().stream) {
      if (last_body != TimePoint{} && record) r.chunk_gap.Record(Nanos(now - last_body));
      last_body = now;
    }
  }
  const auto done = Clock::now();
  const int status = reader_.status;
  const bool keep_alive = llhttp_should_keep_alive(&reader_.parser) != 0;
  llhttp_resume(&reader_.parser);
  reader_.complete = false;
  if (record) {
    r.response_bytes += bytes;
    if (status >= 200 && status < 300) {
      ++r.completed;
      r.latency.Record(Nanos(done - scheduled));
    } else {
      ++r.non_2xx;
    }
  }
  if (!keep_alive) connected_ = false;
  co_return true;
}

std::string Us(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", double(ns) / 1000.0);
  return buf;
}

std::string HistJson(const Histogram& h) {
  std::string s = "{\"count\":" + std::to_string(h.count());
  s += ",\"p50\":" + Us(h.Quantile(0.5));
  s += ",\"p90\":" + Us(h.Quantile(0.9));
  s += ",\"p99\":" + Us(h.Quantile(0.99));
  s += ",\"p999\":" + Us(h.Quantile(0.999));
  s += ",\"max\":" + Us(h.max());
  s += ",\"mean\":" + Us(uint64_t(h.mean()));
  s += "}";
  return s;
}

std::string HistText(const char* name, const Histogram& h) {
  return std::string(name) + " (us): p50 " + Us(h.Quantile(0.5)) + "  p90 " + Us(h.Quantile(0.9)) +
         "  p99 " + Us(h.Quantile(0.99)) + "  p99.9 " + Us(h.Quantile(0.999)) + "  max " +
         Us(h.max()) + "\n";
}

}  // namespace

LoadResult RunLoad(const LoadOptions& options) {
  asio::io_context ctx{1};
  Generator gen(ctx, options);
  return gen.Run();
}

std::string ResultJson(const LoadResult& r, double target_rate) {
  char rps[32];
  std::snprintf(rps, sizeof rps, "%.1f", r.rps());
  std::string s = "{\"target_rps\":" + std::to_string(int64_t(target_rate));
  s += ",\"rps\":" + std::string(rps);
  s += ",\"seconds\":" + std::to_string(r.seconds);
  s += ",\"scheduled\":" + std::to_string(r.scheduled);
  s += ",\"completed\":" + std::to_string(r.completed);
  s += ",\"non_2xx\":" + std::to_string(r.non_2xx);
  s += ",\"errors\":" + std::to_string(r.errors);
  s += ",\"connections\":" + std::to_string(r.connections_opened);
  s += ",\"response_bytes\":" + std::to_string(r.response_bytes);
  s += ",\"latency_us\":" + HistJson(r.latency);
  s += ",\"ttfb_us\":" + HistJson(r.ttfb);
  s += ",\"chunk_gap_us\":" + HistJson(r.chunk_gap);
  s += "}";
  return s;
}

std::string ResultText(const LoadResult& r, double target_rate) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%s: %.0f req/s achieved%s, %llu ok, %llu non-2xx, %llu errors, %llu connections\n",
                target_rate > 0 ? "open loop" : "closed loop", r.rps(),
                target_rate > 0 ? (" (target " + std::to_string(int64_t(target_rate)) + ")").c_str()
                                : "",
                (unsigned long long)r.completed, (unsigned long long)r.non_2xx,
                (unsigned long long)r.errors, (unsigned long long)r.connections_opened);
  std::string s = line;
  s += HistText("latency", r.latency);
  if (r.chunk_gap.count() > 0) {
    s += HistText("ttfb   ", r.ttfb);
    s += HistText("chunk gap", r.chunk_gap);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Idle streams.

namespace {

class Holder {
 public:
  Holder(asio::io_context& ctx, const HoldOptions& o) : ctx_(ctx), o_(o) {
    boost::system::error_code ec;
    endpoint_ = asio::ip::tcp::endpoint(asio::ip::make_address(o.host, ec), o.port);
  }

  HoldResult Run() {
    const auto t0 = Clock::now();
    auto setup_deadline = std::make_shared<Timer>(ctx_.get_executor(), o_.setup_timeout);
    asio::co_spawn(ctx_, [this, setup_deadline]() -> Task<void> {
      boost::system::error_code ec;
      co_await setup_deadline->async_wait(asio::redirect_error(kUse, ec));
      Ready();
    }, asio::detached);
    ready_hook_ = [this, setup_deadline, t0] {
      result_.setup_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      setup_deadline->cancel();
    };
    for (int i = 0; i < o_.connect_batch && launched_ < o_.streams; ++i) Launch();
    ctx_.run();
    return result_;
  }

 private:
  void Launch() {
    ++launched_;
    auto socket = std::make_shared<Socket>(ctx_.get_executor());
    sockets_.push_back(socket);
    asio::co_spawn(ctx_, Stream(socket), asio::detached);
  }

  void Settled(bool ok) {
    if (ok) ++result_.open; else ++result_.failed;
    ++settled_;
    if (launched_ < o_.streams) Launch();
    if (settled_ == o_.streams) Ready();
  }

  void Ready() {
    if (ready_) return;
    ready_ = true;
    if (ready_hook_) ready_hook_();
    if (o_.on_ready) o_.on_ready(result_.open);
    asio::co_spawn(ctx_, [this]() -> Task<void> {
      Timer t(ctx_.get_executor(), o_.hold);
      boost::system::error_code ec;
      co_await t.async_wait(asio::redirect_error(kUse, ec));
      for (auto& s : sockets_) s->close(ec);
    }, asio::detached);
  }

  Task<void> Stream(std::shared_ptr<Socket> socket) {
    boost::system::error_code ec;
    co_await socket->async_connect(endpoint_, asio::redirect_error(kUse, ec));
    if (!ec) {
      co_await asio::async_write(*socket, asio::buffer(o_.request), asio::redirect_error(kUse, ec));
    }
    ResponseReader reader;
    char buf[4096];
    bool settled = false;
    while (!ec) {
      const size_t n = co_await socket->async_read_some(asio::buffer(buf),
                                                         asio::redirect_error(kUse, ec));
      if (ec) break;
      if (!reader.Feed(buf, n)) break;
      if (!settled && (reader.body_seen || reader.complete)) {
        settled = true;
        Settled(reader.status >= 200 && reader.status < 300 && !reader.complete);
      }
      if (reader.complete) break;
    }
    if (!settled) Settled(false);
    socket->close(ec);
  }

  asio::io_context& ctx_;
  HoldOptions o_;
  asio::ip::tcp::endpoint endpoint_;
  std::vector<std::shared_ptr<Socket>> sockets_;
  std::function<void()> ready_hook_;
  int launched_ = 0;
  int settled_ = 0;
  bool ready_ = false;
  HoldResult result_;
};

}  // namespace

HoldResult HoldStreams(const HoldOptions& options) {
  asio::io_context ctx{1};
  Holder holder(ctx, options);
  return holder.Run();
}

}  // namespace sluice::bench
