// The server and client against each other and against raw sockets, on loopback port 0.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "sluice/http/client.h"
#include "sluice/http/message.h"
#include "sluice/http/server.h"

namespace sluice::http {
namespace {

// Keeps every body byte the server reports final, in order, to compare with the body the handler
// gets: each call must report more bytes, and none may change afterwards.
class RecordingObserver final : public BodyObserver {
 public:
  void OnBodyBytes(std::string& body, size_t received) override {
    ++calls_;
    if (received <= seen_.size() || received > body.size()) {
      ordered_ = false;
      return;
    }
    seen_.append(body, seen_.size(), received - seen_.size());
  }
  // "<calls>:same" when what was seen is the whole body.
  std::string Summary(const std::string& body) const {
    return std::to_string(calls_) + (ordered_ && seen_ == body ? ":same" : ":differs");
  }

 private:
  int calls_ = 0;
  bool ordered_ = true;
  std::string seen_;
};

// Echo handler: answers with the method, target, a header and the body it received (after what
// a body observer saw, when there was one).
Task<void> Echo(Request& req, ResponseWriter& w) {
  if (req.target == "/stream") {
    Headers h;
    h.Set("content-type", "text/event-stream");
    w.StartResponse(200, h, std::nullopt);
    co_await w.WriteBody("data: one\n\n");
    co_await w.WriteBody("data: two\n\n");
    co_await w.Finish();
    co_return;
  }
  std::string observed;
  if (req.body_observer) {
    observed = " observed=" + static_cast<RecordingObserver&>(*req.body_observer).Summary(req.body);
  }
  std::string body = req.method + " " + req.target + " x=" +
                     std::string(req.headers.Get("x-test").value_or("-")) + observed +
                     " body=" + req.body;
  co_await w.Respond(200, "text/plain", body);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    acceptor_ = std::make_unique<Acceptor>(context_.get_executor(),
                                           asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor_->local_endpoint().port();
    const ServerLimits limits = Limits();
    asio::co_spawn(context_,
                   AcceptLoop(*acceptor_, std::make_shared<const Handler>(Echo), limits, state_,
                              Observers()),
                   asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  void TearDown() override {
    context_.stop();
    thread_.join();
  }

  virtual std::shared_ptr<const BodyObserverFactory> Observers() const { return nullptr; }

  virtual ServerLimits Limits() const {
    ServerLimits limits;
    limits.max_body_bytes = 1024;
    limits.max_header_bytes = 2048;
    return limits;
  }

  // Sends raw bytes and reads until the server closes or `timeout` passes.
  std::string RawExchange(const std::string& bytes, bool half_close = true) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(s, asio::buffer(bytes));
    if (half_close) s.shutdown(asio::socket_base::shutdown_send);
    return ReadUntilClosed(s);
  }

  // Reads until the server closes or 5 s pass without a byte.
  static std::string ReadUntilClosed(asio::ip::tcp::socket& s) {
    timeval tv{5, 0};
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char buf[4096];
    boost::system::error_code ec;
    while (true) {
      size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec) break;
      out.append(buf, n);
    }
    return out;
  }

  asio::io_context context_{1};
  std::unique_ptr<Acceptor> acceptor_;
  ServerState state_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(ServerTest, PipelinedRequestsAnsweredInOrder) {
  const std::string out = RawExchange(
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n1\r\n!\r\n0\r\n\r\n"
      "GET /c HTTP/1.1\r\nHost: x\r\nX-Test: 7\r\nConnection: close\r\n\r\n",
      false);
  const auto a = out.find("POST /a x=- body=abc");
  const auto b = out.find("POST /b x=- body=hi!");
  const auto c = out.find("GET /c x=7 body=");
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  ASSERT_NE(c, std::string::npos) << out;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(out.find("connection: close"), std::string::npos);
}

// A connection reuses its request object and response-head buffer: nothing of one request (a
// header, the body, the response head) may show in the next.
TEST_F(ServerTest, RequestsOnOneConnectionStartClean) {
  const std::string out = RawExchange(
      "POST /a HTTP/1.1\r\nHost: x\r\nX-Test: 1\r\nContent-Length: 5\r\n\r\nfirst"
      "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      false);
  const auto a = out.find("POST /a x=1 body=first");
  const auto b = out.find("GET /b x=- body=");
  ASSERT_NE(a, std::string::npos) << out;
  ASSERT_NE(b, std::string::npos) << out;
  EXPECT_LT(a, b);
  EXPECT_EQ(out.find("first", a + std::string_view("POST /a x=1 body=first").size()),
            std::string::npos)
      << out;
  // Two heads, each with its own length: the second answer's head starts afresh.
  const auto second_head = out.find("HTTP/1.1 200", 1);
  ASSERT_NE(second_head, std::string::npos) << out;
  EXPECT_EQ(out.find("HTTP/1.1 200", second_head + 1), std::string::npos) << out;
  EXPECT_NE(out.find("connection: close", second_head), std::string::npos) << out;
  EXPECT_EQ(out.find("connection: close"), out.find("connection: close", second_head)) << out;
}

// Header names and values that straddle two reads arrive in pieces; an empty value is followed
// by another field. Each field must come out whole and separate.
TEST_F(ServerTest, HeadersSplitAcrossReadsAndEmptyValues) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port_});
  const std::vector<std::string> pieces = {"GET /split HTTP/1.1\r\nHo", "st: x\r\nX-Emp",
                                           "ty:\r\nX-Te", "st: v", "1\r\nConnection: close\r\n\r\n"};
  for (const auto& piece : pieces) {
    asio::write(s, asio::buffer(piece));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // one read per piece
  }
  const std::string out = ReadUntilClosed(s);
  EXPECT_NE(out.find("GET /split x=v1 body="), std::string::npos) << out;
}

// The upstream client's response parser, with the same splits: a fake upstream writes its
// answer in pieces.
TEST(ClientTest, ResponseHeadersSplitAcrossReads) {
  asio::io_context io{1};
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const uint16_t port = acceptor.local_endpoint().port();
  std::thread upstream([&acceptor] {
    asio::io_context up;
    asio::ip::tcp::socket peer(up);
    acceptor.accept(peer);
    char buf[1024];
    peer.read_some(asio::buffer(buf));  // the request head (small: one read)
    const std::vector<std::string> pieces = {"HTTP/1.1 200 OK\r\nX-Emp", "ty:\r\nX-Up",
                                             "stream: ab", "c\r\ncontent-length: 2\r\n\r\nok"};
    for (const auto& piece : pieces) {
      asio::write(peer, asio::buffer(piece));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  std::promise<std::string> result;
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        UpstreamPool pool(io.get_executor());
        UpstreamTarget target{"127.0.0.1", port, false, "", nullptr, "split", "127.0.0.1"};
        auto conn = co_await pool.Acquire(target, std::chrono::seconds(5));
        if (!conn.ok()) {
          result.set_value("acquire failed");
          co_return;
        }
        co_await (*conn)->Send("GET / HTTP/1.1\r\nhost: x\r\n\r\n", "");
        auto head = co_await (*conn)->ReadHead();
        if (!head.ok()) {
          result.set_value("head failed: " + head.error().message());
          co_return;
        }
        std::string got = std::to_string((*head)->status);
        for (const auto& f : (*head)->headers.fields()) got += " [" + f.name + "=" + f.value + "]";
        result.set_value(got);
      },
      asio::detached);
  io.run();
  upstream.join();
  EXPECT_EQ(result.get_future().get(),
            "200 [X-Empty=] [X-Upstream=abc] [content-length=2]");
}

TEST_F(ServerTest, ConflictingContentLengthAndTransferEncodingIs400) {
  const std::string out = RawExchange(
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400 ", 0), 0u) << out;
  EXPECT_NE(out.find("\"code\":\"400\""), std::string::npos);
}

TEST_F(ServerTest, Http11WithoutHostIs400) {
  const std::string out = RawExchange("GET / HTTP/1.1\r\nX-Test: 1\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400 ", 0), 0u) << out;
  EXPECT_NE(out.find("missing Host header"), std::string::npos) << out;
}

TEST_F(ServerTest, BodyOverLimitIs413BeforeReadingIt) {
  const std::string out =
      RawExchange("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", false);
  EXPECT_EQ(out.rfind("HTTP/1.1 413 ", 0), 0u) << out;
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  std::string req = "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  req += "800\r\n" + std::string(0x800, 'a') + "\r\n0\r\n\r\n";
  const std::string out = RawExchange(req);
  EXPECT_EQ(out.rfind("HTTP/1.1 413 ", 0), 0u) << out;
}

TEST_F(ServerTest, HeadersOverLimitAre431) {
  const std::string out = RawExchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                      std::string(4000, 'b') + "\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 431 ", 0), 0u) << out;
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(s, asio::buffer(std::string(
                     "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")));
  char buf[256];
  size_t n = s.read_some(asio::buffer(buf));
  EXPECT_EQ(std::string(buf, n), "HTTP/1.1 100 Continue\r\n\r\n");
  asio::write(s, asio::buffer(std::string("ok")));
  n = s.read_some(asio::buffer(buf));
  EXPECT_NE(std::string(buf, n).find("POST /e x=- body=ok"), std::string::npos);
}

TEST_F(ServerTest, Http10AndHead) {
  std::string out = RawExchange("GET /old HTTP/1.0\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.0 200 ", 0), 0u) << out;
  EXPECT_NE(out.find("GET /old x=- body="), std::string::npos);
  out = RawExchange("HEAD /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 200 ", 0), 0u) << out;
  EXPECT_NE(out.find("content-length: 17"), std::string::npos) << out;  // "HEAD /h x=- body="
  EXPECT_EQ(out.find("body="), std::string::npos) << "HEAD must not carry a body: " << out;
}

TEST_F(ServerTest, ChunkedStreamingResponse) {
  const std::string out =
      RawExchange("GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(out.find("transfer-encoding: chunked"), std::string::npos) << out;
  EXPECT_NE(out.find("b\r\ndata: one\n\n\r\nb\r\ndata: two\n\n\r\n0\r\n\r\n"), std::string::npos)
      << out;
}

// The pooled client: a second request reuses the first connection; bodies arrive whole.
TEST_F(ServerTest, ClientReusesKeepAliveConnections) {
  asio::io_context io{1};
  std::promise<std::vector<std::string>> result;
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        UpstreamPool pool(io.get_executor());
        UpstreamTarget target{"127.0.0.1", port_, false, "", nullptr, "k", "127.0.0.1"};
        std::vector<std::string> seen;
        for (int i = 0; i < 3; ++i) {
          auto conn = co_await pool.Acquire(target, std::chrono::seconds(5));
          if (!conn.ok()) {
            seen.push_back("acquire failed: " + conn.error().message());
            break;
          }
          seen.push_back((*conn)->reused() ? "reused" : "new");
          const std::string body = "n=" + std::to_string(i);
          const std::string head = "POST /p HTTP/1.1\r\nhost: x\r\ncontent-length: " +
                                   std::to_string(body.size()) + "\r\n\r\n";
          auto sent = co_await (*conn)->Send(head, body);
          if (!sent.ok()) break;
          auto head_result = co_await (*conn)->ReadHead();
          if (!head_result.ok()) break;
          std::string got;
          while (true) {
            auto piece = co_await (*conn)->ReadBody();
            if (!piece.ok() || !piece->has_value()) break;
            got.append(**piece);
          }
          seen.push_back(std::to_string((*head_result)->status) + " " + got);
          pool.Release(std::move(conn).value());
        }
        result.set_value(seen);
      },
      asio::detached);
  io.run();
  const auto seen = result.get_future().get();
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_EQ(seen[0], "new");
  EXPECT_EQ(seen[1], "200 POST /p x=- body=n=0");
  EXPECT_EQ(seen[2], "reused");
  EXPECT_EQ(seen[3], "200 POST /p x=- body=n=1");
  EXPECT_EQ(seen[4], "reused");
}

// An upstream on a real socket that answers one connection's requests with scripted bytes: each
// answer is written in parts, a short pause between them (so that the client reads them apart).
class ScriptedUpstream {
 public:
  explicit ScriptedUpstream(std::vector<std::vector<std::string>> answers)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}),
        thread_([this, answers = std::move(answers)] { Serve(answers); }) {}
  ~ScriptedUpstream() {
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the accept if no client came
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void Serve(const std::vector<std::vector<std::string>>& answers) {
    asio::ip::tcp::socket s(io_);
    boost::system::error_code ec;
    acceptor_.accept(s, ec);
    if (ec) return;
    for (const auto& parts : answers) {
      asio::streambuf request;
      asio::read_until(s, request, "\r\n\r\n", ec);
      if (ec) return;
      for (const auto& part : parts) {
        asio::write(s, asio::buffer(part), ec);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
      }
    }
    char c;
    s.read_some(asio::buffer(&c, 1), ec);  // until the client closes
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

// Sends GET requests on one pooled connection (reusing it while it allows) and describes each
// answer: "new|reused STATUS [name=value]... body", or what failed.
std::vector<std::string> FetchAll(uint16_t port, int requests, size_t max_body_bytes) {
  asio::io_context io{1};
  std::vector<std::string> seen;
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        UpstreamPool pool(io.get_executor());
        UpstreamTarget target{"127.0.0.1", port, false, "", nullptr, "k", "127.0.0.1"};
        for (int i = 0; i < requests; ++i) {
          auto conn = co_await pool.Acquire(target, std::chrono::seconds(5));
          if (!conn.ok()) co_return;
          auto sent = co_await (*conn)->Send("GET / HTTP/1.1\r\nhost: x\r\n\r\n", "");
          if (!sent.ok()) co_return;
          auto head = co_await (*conn)->ReadHead();
          if (!head.ok()) co_return;
          std::string got = std::string((*conn)->reused() ? "reused " : "new ") +
                            std::to_string((*head)->status);
          for (const auto& f : (*head)->headers.fields()) {
            got += " [" + f.name + "=" + f.value + "]";
          }
          bool need_read;
          auto whole = (*conn)->BufferedWholeBody(max_body_bytes, need_read);
          if (need_read) {
            got += " (read on)";
            whole = co_await (*conn)->ReadWholeBody(max_body_bytes);
          }
          if (whole.ok()) {
            got += " " + **whole;
          } else {
            got += " error: " + whole.error().message() +
                   ((*conn)->reusable() ? " (reusable)" : " (not reusable)");
          }
          seen.push_back(got);
          pool.Release(std::move(conn).value());
        }
      },
      asio::detached);
  io.run();  // ends when the pool (and its idle connection) is gone
  return seen;
}

// The client reuses a connection's response head and body storage: the second response on a
// connection shows its own fields and body only, none of the first's.
TEST(ClientTest, SecondResponseOnAConnectionCarriesOnlyItsOwnHeadersAndBody) {
  ScriptedUpstream upstream(
      {{"HTTP/1.1 200 OK\r\nx-first-response-long-name: a value longer than a short string\r\n"
        "x-a: 1\r\ncontent-type: application/json\r\ncontent-length: 12\r\n\r\nfirst answer"},
       {"HTTP/1.1 201 Created\r\ncontent-length: 3\r\nx-b: 2\r\n\r\nyes"}});
  const auto seen = FetchAll(upstream.port(), 2, 1024);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0],
            "new 200 [x-first-response-long-name=a value longer than a short string] [x-a=1] "
            "[content-type=application/json] [content-length=12] first answer");
  EXPECT_EQ(seen[1], "reused 201 [content-length=3] [x-b=2] yes");
}

// A whole body gathered over several reads, content-length and chunked, and one past the limit.
TEST(ClientTest, WholeBodyIsGatheredAcrossReadsAndBoundedBySize) {
  ScriptedUpstream upstream({{"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n01234", "567", "89"},
                             {"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n",
                              "2\r\nde\r\n0\r\n\r\n"},
                             {"HTTP/1.1 200 OK\r\ncontent-length: 12\r\n\r\n", "0123456789ab"}});
  const auto seen = FetchAll(upstream.port(), 3, 10);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "new 200 [content-length=10] (read on) 0123456789");
  EXPECT_EQ(seen[1], "reused 200 [transfer-encoding=chunked] (read on) abcde");
  EXPECT_EQ(seen[2],
            "reused 200 [content-length=12] (read on) error: upstream response too large "
            "(not reusable)");
}

TEST_F(ServerTest, ClientReportsClosedPortAsRetryableUnavailable) {
  // A port that was free a moment ago: bind, note, close.
  uint16_t closed_port;
  {
    asio::io_context tmp;
    asio::ip::tcp::acceptor a(tmp, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = a.local_endpoint().port();
  }
  asio::io_context io{1};
  std::promise<std::string> result;
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        UpstreamPool pool(io.get_executor());
        UpstreamTarget target{"127.0.0.1", closed_port, false, "", nullptr, "closed", "127.0.0.1"};
        auto conn = co_await pool.Acquire(target, std::chrono::seconds(5));
        if (conn.ok()) {
          result.set_value("connected?");
        } else {
          result.set_value(std::string(conn.error().retryable() ? "retryable " : "final ") +
                           conn.error().message());
        }
      },
      asio::detached);
  io.run();
  const std::string got = result.get_future().get();
  EXPECT_EQ(got.rfind("retryable connect to 127.0.0.1:", 0), 0u) << got;
  EXPECT_NE(got.find("refused"), std::string::npos) << got;
}

// The connection's one timer, with timeouts short enough to watch it work: the idle keep-alive
// wait, the slow-request read deadline, a handler's deadline and the client watch.
class TimeoutTest : public ::testing::Test {
 protected:
  static constexpr auto kIdle = std::chrono::milliseconds(300);

  void SetUp() override {
    acceptor_ = std::make_unique<Acceptor>(
        context_.get_executor(), asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor_->local_endpoint().port();
    ServerLimits limits;
    limits.idle_timeout = kIdle;
    limits.request_read_timeout = kIdle;
    auto handler = std::make_shared<const Handler>(
        [this](Request& req, ResponseWriter& w) { return Handle(req, w); });
    asio::co_spawn(context_, AcceptLoop(*acceptor_, handler, limits, state_), asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  void TearDown() override {
    context_.stop();
    thread_.join();
  }

  // /sleep/N answers after N ms; /deadline arms a 100 ms deadline and waits 5 s; /watch waits 5 s
  // and reports through client_gone_ whether the connection saw the client leave.
  Task<void> Handle(Request& req, ResponseWriter& w) {
    Timer timer(co_await asio::this_coro::executor);
    std::chrono::milliseconds wait{5000};
    if (req.target.rfind("/sleep/", 0) == 0) wait = std::chrono::milliseconds(std::stoi(req.target.substr(7)));
    if (req.target == "/deadline") w.control()->ArmDeadline(std::chrono::milliseconds(100));
    timer.expires_after(wait);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable_t<Executor>()));
    if (req.target == "/watch") client_gone_.set_value(w.control()->client_gone());
    if (w.control()->deadline_expired()) {
      co_await w.Respond(504, "text/plain", "deadline");
    } else if (!ec) {
      co_await w.Respond(200, "text/plain", "slept");
    }
  }

  asio::ip::tcp::socket Connect(asio::io_context& io) {
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port_});
    timeval tv{5, 0};  // a read that gets nothing for this long fails the test instead of hanging
    setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
  }

  // Reads one response with a Content-Length body; "" when the connection ends first.
  static std::string ReadResponse(asio::ip::tcp::socket& s, std::string& pending) {
    boost::system::error_code ec;
    char buf[4096];
    while (true) {
      const size_t head_end = pending.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const size_t cl = pending.find("content-length: ");
        const size_t length = cl < head_end ? std::stoul(pending.substr(cl + 16)) : 0;
        if (pending.size() >= head_end + 4 + length) {
          std::string response = pending.substr(0, head_end + 4 + length);
          pending.erase(0, response.size());
          return response;
        }
      }
      const size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec) return "";
      pending.append(buf, n);
    }
  }

  // Whether the server closes the connection (end of stream) before the 5 s receive timeout.
  static bool ServerCloses(asio::ip::tcp::socket& s) {
    char byte;
    boost::system::error_code ec;
    s.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

  asio::io_context context_{1};
  std::unique_ptr<Acceptor> acceptor_;
  ServerState state_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::promise<bool> client_gone_;
};

TEST_F(TimeoutTest, IdleKeepAliveConnectionIsClosed) {
  asio::io_context io;
  auto s = Connect(io);
  std::string pending;
  asio::write(s, asio::buffer(std::string("GET /sleep/0 HTTP/1.1\r\nhost: x\r\n\r\n")));
  EXPECT_NE(ReadResponse(s, pending).find("200 OK"), std::string::npos);
  EXPECT_TRUE(ServerCloses(s));
}

TEST_F(TimeoutTest, RequestNotReceivedInTimeIs408) {
  asio::io_context io;
  auto s = Connect(io);
  asio::write(s, asio::buffer(std::string("POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nabc")));
  std::string pending;
  const std::string response = ReadResponse(s, pending);
  EXPECT_NE(response.find("408 Request Timeout"), std::string::npos) << response;
  EXPECT_NE(response.find("RequestTimeout"), std::string::npos) << response;
}

// Requests that keep a connection busy for several idle periods, back to back and with pauses
// shorter than the idle timeout, are all answered on it: the lazily re-armed timer must not close
// a connection that is working.
TEST_F(TimeoutTest, BusyConnectionOutlivesTheIdleTimeout) {
  asio::io_context io;
  auto s = Connect(io);
  std::string pending;
  for (int i = 0; i < 12; ++i) {
    asio::write(s, asio::buffer(std::string("GET /sleep/60 HTTP/1.1\r\nhost: x\r\n\r\n")));
    const std::string response = ReadResponse(s, pending);
    ASSERT_NE(response.find("200 OK"), std::string::npos) << "request " << i << ": " << response;
    if (i % 3 == 2) std::this_thread::sleep_for(kIdle / 3);
  }
}

TEST_F(TimeoutTest, DeadlineCancelsTheHandler) {
  asio::io_context io;
  auto s = Connect(io);
  std::string pending;
  asio::write(s, asio::buffer(std::string("GET /deadline HTTP/1.1\r\nhost: x\r\n\r\n")));
  const std::string response = ReadResponse(s, pending);
  EXPECT_NE(response.find("504"), std::string::npos) << response;
  EXPECT_NE(response.find("deadline"), std::string::npos) << response;
}

TEST_F(TimeoutTest, ClientLeavingCancelsTheHandler) {
  auto seen = client_gone_.get_future();
  {
    asio::io_context io;
    auto s = Connect(io);
    asio::write(s, asio::buffer(std::string("GET /watch HTTP/1.1\r\nhost: x\r\n\r\n")));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the handler is waiting
  }  // the client closes its end
  ASSERT_EQ(seen.wait_for(std::chrono::seconds(4)), std::future_status::ready)
      << "the handler ran its whole 5 s wait: the client's departure went unnoticed";
  EXPECT_TRUE(seen.get());
}

// The headers a proxy never forwards (RFC 9110 §7.6.1 and the framing ones it sets itself), in
// any case, and nothing that merely shares a length or prefix with one of them.
std::vector<std::string> Listed(const Headers& h) {
  std::vector<std::string> out;
  for (const auto& f : h.fields()) out.push_back(f.name + "=" + f.value);
  return out;
}

TEST(HeadersTest, RemoveKeepsOrderAndClearedFieldsAreReused) {
  Headers h;
  h.Add("A", "1");
  h.Add("b", "a value longer than the short-string buffer");
  h.Add("a", "2");
  h.Add("C", "3");
  h.Remove("a");
  EXPECT_EQ(Listed(h), (std::vector<std::string>{"b=a value longer than the short-string buffer",
                                                  "C=3"}));
  EXPECT_EQ(h.Get("A"), std::nullopt);
  h.Set("c", "4");
  EXPECT_EQ(Listed(h), (std::vector<std::string>{"b=a value longer than the short-string buffer",
                                                  "c=4"}));

  // Refilled after Clear: the first field's storage is the long value's, and nothing of the old
  // fields shows.
  const char* storage = h.fields()[0].value.data();
  h.Clear();
  EXPECT_EQ(h.size(), 0u);
  EXPECT_EQ(h.Get("b"), std::nullopt);
  Header& field = h.Append();
  EXPECT_TRUE(field.name.empty());
  EXPECT_TRUE(field.value.empty());
  field.name = "x";
  field.value = "y";
  EXPECT_EQ(h.fields()[0].value.data(), storage);
  EXPECT_EQ(Listed(h), (std::vector<std::string>{"x=y"}));

  // Spares holding more than allowed are dropped.
  h.Add("big", std::string(4096, 'v'));
  h.Clear(1024);
  h.Add("k", "v");
  EXPECT_NE(h.fields()[0].value.data(), storage);
  EXPECT_EQ(Listed(h), (std::vector<std::string>{"k=v"}));
}

TEST(HopByHopTest, FramingAndConnectionHeadersAreRecognisedInAnyCase) {
  for (const char* name : {"Connection", "keep-alive", "Proxy-Connection", "TE", "trailer",
                           "Transfer-Encoding", "UPGRADE", "content-length"}) {
    EXPECT_TRUE(IsHopByHopOrFraming(name)) << name;
  }
  for (const char* name : {"", "t", "tf", "trailers", "upgrades", "connectionx", "content-type",
                           "keep-alive2", "content-lengths", "x-connection", "authorization"}) {
    EXPECT_FALSE(IsHopByHopOrFraming(name)) << name;
  }
}

// Large bodies of known length are read straight into the request's body, in steps: what the
// handler gets must be the exact bytes, however they were split on the wire.
class LargeBodyTest : public ServerTest {
 protected:
  ServerLimits Limits() const override {
    ServerLimits limits;
    limits.max_body_bytes = 8 * 1024 * 1024;
    limits.request_read_timeout = std::chrono::milliseconds(500);
    return limits;
  }
  // Bodies of POSTs are observed.
  std::shared_ptr<const BodyObserverFactory> Observers() const override {
    return std::make_shared<const BodyObserverFactory>(
        [](const Request& req) -> std::unique_ptr<BodyObserver> {
          if (req.method != "POST") return nullptr;
          return std::make_unique<RecordingObserver>();
        });
  }

  static std::string Body(size_t size) {
    std::string body(size, ' ');
    uint32_t x = 12345;
    for (char& c : body) {
      x = x * 1103515245 + 12345;
      c = char('a' + (x >> 16) % 26);
    }
    return body;
  }
};

// A body over two in-place steps (1 MB each), its start in the same packet as the headers and the
// rest in uneven writes, then a pipelined request: both answered, the body byte for byte, and the
// body observer shown each part of it as it came.
TEST_F(LargeBodyTest, ArrivesWholeAndLeavesThePipelinedRequestAlone) {
  const std::string body = Body(2 * 1024 * 1024 + 4321);
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port_});
  const std::string head = "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  asio::write(s, asio::buffer(head + body.substr(0, 1000)));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  size_t at = 1000;
  for (size_t piece : {size_t{70'000}, size_t{1'500'000}, size_t{3}}) {
    asio::write(s, asio::buffer(body.data() + at, piece));
    at += piece;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  asio::write(s, asio::buffer(body.substr(at) +
                              "GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string out = ReadUntilClosed(s);
  const size_t answer = out.find("POST /big x=- observed=");
  ASSERT_NE(answer, std::string::npos) << out.substr(0, 300);
  const size_t summary = answer + std::string("POST /big x=- observed=").size();
  const size_t start = out.find(" body=", summary) + std::string(" body=").size();
  const std::string calls = out.substr(summary, out.find(':', summary) - summary);
  EXPECT_GE(std::stoi(calls), 4) << "one call per read: the body came in five writes";
  EXPECT_EQ(out.substr(out.find(':', summary), 6), ":same ");
  ASSERT_GE(out.size(), start + body.size());
  EXPECT_TRUE(out.compare(start, body.size(), body) == 0) << "the body arrived altered";
  EXPECT_EQ(out.compare(start + body.size(), 9, "HTTP/1.1 "), 0) << "the body is longer";
  EXPECT_NE(out.find("GET /next x=- body=", start + body.size()), std::string::npos);
}

// Bodies small enough to arrive with their head are not offered to the observer factory.
TEST_F(LargeBodyTest, SmallBodiesAreNotObserved) {
  const std::string out = RawExchange(
      "POST /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_NE(out.find("POST /small x=- body=hello"), std::string::npos) << out;
}

// A body cut short by the client's end of the connection never reaches the handler.
TEST_F(LargeBodyTest, CutShortIsNotHandled) {
  const std::string out = RawExchange(
      "POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + Body(50'000));
  EXPECT_EQ(out.find("body="), std::string::npos) << out.substr(0, 300);
}

// A client that stops sending in the middle of a large body gets 408 once the read times out.
TEST_F(LargeBodyTest, StalledMidBodyTimesOut) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(s, asio::buffer("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                              Body(30'000)));
  const std::string out = ReadUntilClosed(s);
  EXPECT_EQ(out.rfind("HTTP/1.1 408", 0), 0u) << out.substr(0, 300);
  EXPECT_EQ(out.find("body="), std::string::npos);
}

}  // namespace
}  // namespace sluice::http
