#pragma once

// Asio vocabulary for Sluice's I/O: one io_context per worker thread, so every I/O object uses the
// io_context's own executor type rather than the type-erased any_io_executor (cheaper dispatch).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <span>

// Not self-contained: after the socket headers above.
#include <boost/asio/detail/reactive_socket_recv_op.hpp>
#include <boost/version.hpp>

// DrainingBuffer's receive operation (below) is written against the reactor internals of Boost
// 1.81, the Boost of Debian 12. With another Boost it is left out and DrainingBuffer reads as a
// plain buffer does.
#if BOOST_VERSION / 100 == 1081 && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#define SLUICE_DRAINING_READS 1
#else
#define SLUICE_DRAINING_READS 0
#endif

namespace sluice::http {

namespace asio = boost::asio;
using Executor = asio::io_context::executor_type;
template <typename T = void>
using Task = asio::awaitable<T, Executor>;
inline constexpr asio::use_awaitable_t<Executor> kUseTask{};
// Completion token that reports errors as values (std::tuple<error_code, ...>) instead of throwing.
inline constexpr auto kNoThrow = asio::as_tuple(kUseTask);

using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<asio::ip::tcp, Executor>;
using Resolver = asio::ip::basic_resolver<asio::ip::tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

// A read buffer for plain TCP sockets (`socket.async_read_some(DrainingBuffer(...), token)`) whose
// reads tell Asio's reactor when they left the socket empty. Asio 1.81 takes a stream socket for
// drained only at its end, so every read starts with a recv(2) that fails with EAGAIN before it
// waits for epoll: two wasted system calls per proxied request (the client's request and the
// provider's answer). A read that returns fewer bytes than asked for has emptied the socket's
// receive queue, and epoll (edge-triggered) reports the next byte that arrives, so the next read
// can wait for it at once; the specialization below says so. Not for TLS streams: the TLS layer
// reads ahead on its own.
struct DrainingBuffer : asio::mutable_buffer {
  explicit DrainingBuffer(asio::mutable_buffer buffer) : asio::mutable_buffer(buffer) {}
};

// Sends what the socket takes at once of `buffers`, without blocking or suspending, and drops what
// was sent from the front of `buffers`. Usually that is everything, and the caller's coroutine
// goes on without an asynchronous write (whose completion, even when the kernel takes the bytes at
// once, is a trip through the scheduler). What is left, and any error, is for the asynchronous
// write that follows.
void SendNow(Socket& socket, std::span<asio::const_buffer>& buffers);

}  // namespace sluice::http

#if SLUICE_DRAINING_READS
// Asio's receive operation for a DrainingBuffer: the same non-blocking recv(2), reporting a short
// read as "done and exhausted", which turns the reactor's speculative read off until epoll reports
// the socket readable again.
template <>
class boost::asio::detail::reactive_socket_recv_op_base<sluice::http::DrainingBuffer>
    : public reactor_op {
 public:
  reactive_socket_recv_op_base(const boost::system::error_code& success_ec, socket_type socket,
                               socket_ops::state_type state,
                               const sluice::http::DrainingBuffer& buffer,
                               socket_base::message_flags flags, func_type complete_func)
      : reactor_op(success_ec, &reactive_socket_recv_op_base::do_perform, complete_func),
        socket_(socket),
        state_(state),
        buffer_(buffer),
        flags_(flags) {}

  static status do_perform(reactor_op* base) {
    auto* op = static_cast<reactive_socket_recv_op_base*>(base);
    const bool stream = (op->state_ & socket_ops::stream_oriented) != 0;
    if (!socket_ops::non_blocking_recv1(op->socket_, op->buffer_.data(), op->buffer_.size(),
                                        op->flags_, stream, op->ec_, op->bytes_transferred_)) {
      return not_done;
    }
    return stream && op->bytes_transferred_ < op->buffer_.size() ? done_and_exhausted : done;
  }

 private:
  socket_type socket_;
  socket_ops::state_type state_;
  sluice::http::DrainingBuffer buffer_;
  socket_base::message_flags flags_;
};
#endif  // SLUICE_DRAINING_READS
