#pragma once

// A log-linear latency histogram in the manner of HdrHistogram: values (nanoseconds) below 128
// are counted exactly, larger ones in 64 sub-buckets per power of two, so any value is reported
// within 1/64 (1.6%) of what was recorded, from 1 ns to hours, in a fixed 30 KiB table. Recording
// is a few instructions and never allocates. Not thread-safe; merge per-thread histograms.

#include <array>
#include <cstdint>
#include <string>

namespace sluice::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 6;                     // 64 sub-buckets per power of two
  static constexpr int kBuckets = (64 - kSubBits) * 64 + 128;

  void Record(uint64_t value) {
    ++counts_[Index(value)];
    ++count_;
    sum_ += value;
    if (value > max_) max_ = value;
    if (value < min_) min_ = value;
  }
  void Merge(const Histogram& other);
  void Reset() { *this = Histogram(); }

  uint64_t count() const { return count_; }
  uint64_t max() const { return count_ ? max_ : 0; }
  uint64_t min() const { return count_ ? min_ : 0; }
  double mean() const { return count_ ? double(sum_) / double(count_) : 0.0; }
  // The value at quantile q in [0, 1]: the highest value equivalent to the bucket holding the
  // ceil(q * count)-th smallest recording, capped by the exact maximum. 0 when empty.
  uint64_t Quantile(double q) const;

  // Index of the bucket for `value` and the highest value that bucket holds (exposed for tests).
  static int Index(uint64_t value) {
    if (value < 128) return int(value);
    const int shift = 63 - __builtin_clzll(value) - kSubBits;  // >= 1
    return shift * 64 + int(value >> shift);
  }
  static uint64_t HighestEquivalent(int index);

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace sluice::bench
