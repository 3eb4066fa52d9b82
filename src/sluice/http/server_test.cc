// The server and client against each other and against raw sockets, on loopback port 0.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "sluice/http/client.h"
#include "sluice/http/server.h"

namespace sluice::http {
namespace {

// Echo handler: answers with the method, target, a header and the body it received.
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
  std::string body = req.method + " " + req.target + " x=" +
                     std::string(req.headers.Get("x-test").value_or("-")) + " body=" + req.body;
  co_await w.Respond(200, "text/plain", body);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    acceptor_ = std::make_unique<Acceptor>(context_.get_executor(),
                                           asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor_->local_endpoint().port();
    ServerLimits limits;
    limits.max_body_bytes = 1024;
    limits.max_header_bytes = 2048;
    asio::co_spawn(context_,
                   AcceptLoop(*acceptor_, std::make_shared<const Handler>(Echo), limits, state_),
                   asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  void TearDown() override {
    context_.stop();
    thread_.join();
  }

  // Sends raw bytes and reads until the server closes or `timeout` passes.
  std::string RawExchange(const std::string& bytes, bool half_close = true) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(s, asio::buffer(bytes));
    if (half_close) s.shutdown(asio::socket_base::shutdown_send);
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
        UpstreamTarget target{"127.0.0.1", port_, false, "", nullptr, "k"};
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
          seen.push_back(std::to_string(head_result->status) + " " + got);
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
        UpstreamTarget target{"127.0.0.1", closed_port, false, "", nullptr, "closed"};
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

}  // namespace
}  // namespace sluice::http
