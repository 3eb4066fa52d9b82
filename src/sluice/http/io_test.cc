// DrainingBuffer's reads: the rule that marks a socket drained, and that no byte waits unread
// because of it, on real loopback sockets with Asio's reactor.

#include "sluice/http/io.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace sluice::http {
namespace {

// A connected pair of TCP sockets on 127.0.0.1; `reader` is non-blocking, as Asio keeps it.
struct SocketPair {
  asio::io_context context;
  Socket reader{context.get_executor()};
  Socket writer{context.get_executor()};

  SocketPair() {
    Acceptor acceptor(context.get_executor(), {asio::ip::make_address("127.0.0.1"), 0});
    writer.connect(acceptor.local_endpoint());
    acceptor.accept(reader);
    reader.non_blocking(true);
  }

  void Send(std::string_view bytes) {
    asio::write(writer, asio::buffer(bytes));
    // Loopback usually delivers within the send; wait until the reader's side can tell.
    pollfd p{reader.native_handle(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 2000), 1);
  }

  // One non-blocking receive through DrainingBuffer's operation, as the reactor performs it.
  using RecvOp = asio::detail::reactive_socket_recv_op_base<DrainingBuffer>;
  asio::detail::reactor_op::status Perform(char* into, size_t size, size_t& got,
                                           boost::system::error_code& ec) {
    RecvOp op(boost::system::error_code(), reader.native_handle(),
              asio::detail::socket_ops::stream_oriented, DrainingBuffer(asio::buffer(into, size)),
              0, nullptr);
    const auto status = op.perform();
    got = op.bytes_transferred_;
    ec = op.ec_;
    return status;
  }
};

#if SLUICE_DRAINING_READS
TEST(DrainingBuffer, AShortReadMarksTheSocketDrainedAndAFullOneDoesNot) {
  SocketPair pair;
  char buf[16];
  size_t got = 0;
  boost::system::error_code ec;

  EXPECT_EQ(pair.Perform(buf, sizeof buf, got, ec), asio::detail::reactor_op::not_done)
      << "nothing to read: the operation waits for epoll";

  pair.Send("abcde");
  EXPECT_EQ(pair.Perform(buf, sizeof buf, got, ec), asio::detail::reactor_op::done_and_exhausted);
  EXPECT_EQ(std::string(buf, got), "abcde");
  EXPECT_FALSE(ec);

  pair.Send("0123456789abcdef");
  EXPECT_EQ(pair.Perform(buf, sizeof buf, got, ec), asio::detail::reactor_op::done)
      << "a full buffer may have left bytes behind";
  EXPECT_EQ(std::string(buf, got), "0123456789abcdef");

  pair.writer.shutdown(asio::socket_base::shutdown_send);
  pollfd p{pair.reader.native_handle(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
  EXPECT_EQ(pair.Perform(buf, sizeof buf, got, ec), asio::detail::reactor_op::done_and_exhausted);
  EXPECT_EQ(ec, asio::error::eof);
}
#endif

// Reads through the reactor: every byte sent arrives, whether it comes while a read waits, before
// the next read starts (epoll already reported it), or in more than one buffer's worth.
TEST(DrainingBuffer, EveryByteReachesTheNextRead) {
  SocketPair pair;
  auto guard = asio::make_work_guard(pair.context);
  char buf[16];
  std::optional<std::string> got;
  auto start_read = [&] {
    got.reset();
    pair.reader.async_read_some(DrainingBuffer(asio::buffer(buf)),
                                [&](boost::system::error_code ec, size_t n) {
                                  got = ec ? "error: " + ec.message() : std::string(buf, n);
                                });
  };
  auto finish_read = [&]() -> std::string {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!got && std::chrono::steady_clock::now() < deadline) {
      pair.context.run_one_for(std::chrono::milliseconds(100));
    }
    return got.value_or("(no read completed)");
  };

  // A short read: the socket is now taken for drained.
  start_read();
  pair.Send("first");
  EXPECT_EQ(finish_read(), "first");

  // Sent while the next read waits in the reactor, with no speculative receive before it.
  start_read();
  pair.context.poll();
  pair.Send("second");
  EXPECT_EQ(finish_read(), "second");

  // Sent and reported by epoll while no read was waiting: the next read must still see it.
  pair.Send("third");
  pair.context.poll();
  start_read();
  EXPECT_EQ(finish_read(), "third");

  // More than a buffer: a full read leaves the rest for the next one, at once.
  pair.Send("0123456789abcdefXYZ");
  start_read();
  EXPECT_EQ(finish_read(), "0123456789abcdef");
  start_read();
  EXPECT_EQ(finish_read(), "XYZ");
}

}  // namespace
}  // namespace sluice::http
