#pragma once

// Asio vocabulary for Sluice's I/O: one io_context per worker thread, so every I/O object uses the
// io_context's own executor type rather than the type-erased any_io_executor (cheaper dispatch).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <span>

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

// Sends what the socket takes at once of `buffers`, without blocking or suspending, and drops what
// was sent from the front of `buffers`. Usually that is everything, and the caller's coroutine
// goes on without an asynchronous write (whose completion, even when the kernel takes the bytes at
// once, is a trip through the scheduler). What is left, and any error, is for the asynchronous
// write that follows.
void SendNow(Socket& socket, std::span<asio::const_buffer>& buffers);

}  // namespace sluice::http
