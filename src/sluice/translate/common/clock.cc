#include "sluice/translate/common/clock.h"

#include <atomic>
#include <chrono>

namespace sluice::translate::common {

namespace {
std::atomic<int64_t> g_fixed_now{-1};  // -1: not pinned
}  // namespace

int64_t NowUnixSeconds() {
  const int64_t fixed = g_fixed_now.load(std::memory_order_relaxed);
  if (fixed >= 0) return fixed;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SetNowForTesting(std::optional<int64_t> fixed) {
  g_fixed_now.store(fixed.value_or(-1), std::memory_order_relaxed);
}

}  // namespace sluice::translate::common
