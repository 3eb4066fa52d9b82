#pragma once

// Writes a worker's access-log buffer kAccessLogFlushDelay after a line lands in it empty: lines
// of a quiet gateway appear promptly, a busy one's go out in batches (one write(2) per many).

#include "sluice/http/io.h"
#include "sluice/observe/access_log.h"

namespace sluice::cli {

// Lives on the worker's thread, beside the buffer it flushes, and must not outlive the buffer or
// the worker's io_context.
class AccessLogFlusher {
 public:
  AccessLogFlusher(http::Executor executor, observe::AccessLogBuffer& log)
      : timer_(executor), log_(log) {
    log_.set_on_first_line([this] {
      timer_.expires_after(observe::kAccessLogFlushDelay);
      timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec) log_.Flush();
      });
    });
  }
  ~AccessLogFlusher() { log_.set_on_first_line(nullptr); }
  AccessLogFlusher(const AccessLogFlusher&) = delete;
  AccessLogFlusher& operator=(const AccessLogFlusher&) = delete;

 private:
  http::Timer timer_;
  observe::AccessLogBuffer& log_;
};

}  // namespace sluice::cli
