#pragma once

// An open-loop HTTP/1.1 load generator on Asio, shared by bench/loadgen and `sluice bench`.
//
// Open loop: request i is scheduled at start + i / rate whatever the responses do, and its latency
// is counted from that scheduled time, not from when a connection was free to send it, so a
// stalled server shows up as latency instead of silently lowering the rate (no coordinated
// omission). Scheduled requests go to any idle keep-alive connection; when none is idle, a new one
// is opened (up to max_connections) and the wait counts as latency. Closed loop (rate 0): every
// connection sends its next request as soon as the previous answer is complete, to find maximum
// throughput.
//
// Runs on the calling thread with an io_context of its own. Traffic goes only to the given host,
// which callers keep on loopback.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "sluice/bench/histogram.h"

namespace sluice::bench {

struct LoadOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string request;                   // complete request bytes, sent as they are
  double rate = 1000;                    // requests per second; 0: closed loop
  std::chrono::milliseconds duration{5000};  // measured window
  std::chrono::milliseconds warmup{1000};    // same load before the window, not recorded
  int connections = 32;                  // opened before the start
  int max_connections = 2048;            // open loop: opened on demand up to this
  std::chrono::milliseconds drain{5000}; // after the last send, wait this long for answers
  bool stream = false;                   // record TTFB and gaps between body reads
};

struct LoadResult {
  Histogram latency;    // scheduled send → last byte of the answer (ns)
  Histogram ttfb;       // scheduled send → first byte of the answer (ns)
  Histogram chunk_gap;  // streams: time between reads that carried body bytes (ns)
  uint64_t scheduled = 0;  // requests due in the measured window
  uint64_t completed = 0;  // of those, answered completely with a 2xx
  uint64_t non_2xx = 0;
  uint64_t errors = 0;     // connect, write, read or parse failures, and answers never received
  uint64_t connections_opened = 0;
  uint64_t response_bytes = 0;
  double seconds = 0;      // length of the measured window
  double rps() const { return seconds > 0 ? double(completed) / seconds : 0.0; }
};

LoadResult RunLoad(const LoadOptions& options);

// Percentiles and counts as one JSON object (times in microseconds).
std::string ResultJson(const LoadResult& result, double target_rate);
// A few human-readable lines.
std::string ResultText(const LoadResult& result, double target_rate);

struct HoldOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string request;  // a streaming request whose answer stays open (long chunk delay)
  int streams = 1000;
  int connect_batch = 256;               // connections being set up at once
  std::chrono::milliseconds setup_timeout{60'000};
  std::chrono::milliseconds hold{10'000};  // after all are open (or the setup timed out)
  // Called once every stream has its first body bytes, or at the setup timeout, with the count.
  std::function<void(int open_streams)> on_ready;
};

struct HoldResult {
  int open = 0;     // streams that received their first body bytes
  int failed = 0;
  double setup_seconds = 0;
};

// Opens `streams` concurrent streaming requests, keeps them open for `hold`, then closes them.
HoldResult HoldStreams(const HoldOptions& options);

}  // namespace sluice::bench
