#include "sluice/http/io.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>

namespace sluice::http {

void SendNow(Socket& socket, std::span<asio::const_buffer>& buffers) {
  constexpr size_t kMaxParts = 8;
  iovec parts[kMaxParts];
  const size_t count = std::min(buffers.size(), kMaxParts);
  for (size_t i = 0; i < count; ++i) {
    parts[i].iov_base = const_cast<void*>(buffers[i].data());
    parts[i].iov_len = buffers[i].size();
  }
  msghdr message{};
  message.msg_iov = parts;
  message.msg_iovlen = count;
  const ssize_t sent = ::sendmsg(socket.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent <= 0) return;
  size_t left = static_cast<size_t>(sent);
  while (!buffers.empty() && left >= buffers.front().size()) {
    left -= buffers.front().size();
    buffers = buffers.subspan(1);
  }
  if (left > 0) buffers.front() += left;
}

}  // namespace sluice::http
