#pragma once

// A log-linear latency histogram in the manner of HdrHistogram: values (nanoseconds) below 1,024
// are counted exactly, larger ones in 512 sub-buckets per power of two, so any value is reported
// within 1/512 (0.2%) of what was recorded, from 1 ns to hours, in a fixed 230 KiB table
// allocated with the histogram. The resolution is chosen for the differences bench/run reports:
// two p99s of 5 ms chunk gaps are told apart to 10 µs (64 sub-buckets gave 64 µs steps there,
// coarser than the 50 µs being judged). Recording is a few instructions and never allocates.
// Not thread-safe; merge per-thread histograms.

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 9;
  static constexpr uint64_t kSubBuckets = uint64_t(1) << kSubBits;  // per power of two
  static constexpr uint64_t kExactBelow = 2 * kSubBuckets;
  static constexpr int kBuckets = (64 - kSubBits) * int(kSubBuckets) + int(kExactBelow);

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
    if (value < kExactBelow) return int(value);
    const int shift = 63 - __builtin_clzll(value) - kSubBits;  // >= 1
    return shift * int(kSubBuckets) + int(value >> shift);
  }
  static uint64_t HighestEquivalent(int index);

 private:
  std::vector<uint64_t> counts_ = std::vector<uint64_t>(kBuckets);  // results live on stacks
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace sluice::bench
