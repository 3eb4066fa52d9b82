#pragma once

// Clock readings for the request path.

#include <time.h>

#include <chrono>

namespace sluice {

// steady_clock's time (both are CLOCK_MONOTONIC) as of the kernel's last tick: up to a few
// milliseconds behind, but read from memory without the TSC, several times cheaper than
// steady_clock::now(). For deadlines and ages measured in tens of milliseconds or more, never for
// durations that are reported.
inline std::chrono::steady_clock::time_point CoarseSteadyNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

}  // namespace sluice
