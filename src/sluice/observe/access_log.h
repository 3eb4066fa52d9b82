#pragma once

// JSON access log: one line per request on stdout. Lines are buffered per worker and written in
// batches (on size or a periodic flush), so logging costs no syscall per request.

#include <boost/container/small_vector.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::observe {

// How long a line may wait in a worker's buffer before it is written (nginx's access_log
// flush= plays the same part): at 1,000 requests per second, one write(2) per 100 lines.
inline constexpr std::chrono::milliseconds kAccessLogFlushDelay{100};

// What one request did. Filled in by the pipeline as the request progresses. The views point
// into the request, the configuration and the answer, which all outlive the record.
struct AccessRecord {
  int64_t start_unix_micros = 0;
  std::string_view method;
  std::string_view path;
  int response_code = 0;
  double duration_ms = 0;
  std::string_view route;
  std::string_view rule;
  std::string_view backend;
  std::string upstream;  // host:port attempted last
  bool stream = false;
  std::string_view original_model;  // the client's model
  std::string_view request_model;   // after modelNameOverride
  std::string_view response_model;
  std::string_view provider;  // gen_ai.provider.name
  std::optional<uint64_t> input_tokens, output_tokens, total_tokens, cached_input_tokens,
      cache_creation_input_tokens, reasoning_tokens;
  // (metadata key, value); the keys view the configuration, which outlives the record. A route
  // names a few costs: they are kept inline.
  boost::container::small_vector<std::pair<std::string_view, uint64_t>, 4> costs;
  std::string error;
  int attempts = 0;
};

// Renders a record as one JSON object (no trailing newline).
std::string FormatAccessRecord(const AccessRecord& record);
// The same, appended to `out`.
void AppendAccessRecord(std::string& out, const AccessRecord& record);

// A per-worker buffer in front of a file descriptor. Not thread-safe: one per worker thread.
// Write() appends; the buffer goes out when it passes `flush_bytes` or when Flush() is called
// (its owner schedules that when a line lands in an empty buffer: see set_on_first_line). Writes
// from several workers are serialised by a process-wide mutex held only for the write(2) of a
// whole batch, so lines never interleave.
class AccessLogBuffer {
 public:
  explicit AccessLogBuffer(int fd = 1, size_t flush_bytes = 32 * 1024)
      : fd_(fd), flush_bytes_(flush_bytes) {}
  ~AccessLogBuffer() { Flush(); }
  AccessLogBuffer(const AccessLogBuffer&) = delete;
  AccessLogBuffer& operator=(const AccessLogBuffer&) = delete;

  void Write(std::string_view line);
  // Formats the record straight into the buffer (no intermediate string).
  void Write(const AccessRecord& record);
  void Flush();
  // Called when a line lands in an empty buffer; the owner schedules a Flush() shortly after
  // (kAccessLogFlushDelay), so a quiet gateway's lines appear promptly and a busy one's are
  // written in batches.
  void set_on_first_line(std::function<void()> callback) { on_first_line_ = std::move(callback); }

 private:
  void Written(bool was_empty);

  int fd_;
  size_t flush_bytes_;
  // The lines are buffer_[0, used_). buffer_ keeps its size between batches, so each record is
  // written into bytes already there rather than into room zero-filled for it.
  std::string buffer_;
  size_t used_ = 0;
  std::function<void()> on_first_line_;
};

}  // namespace sluice::observe
