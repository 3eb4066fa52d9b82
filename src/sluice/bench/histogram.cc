#include "sluice/bench/histogram.h"

#include <cmath>

namespace sluice::bench {

void Histogram::Merge(const Histogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  if (other.count_) {
    if (other.max_ > max_) max_ = other.max_;
    if (other.min_ < min_) min_ = other.min_;
  }
}

uint64_t Histogram::HighestEquivalent(int index) {
  if (uint64_t(index) < kExactBelow) return uint64_t(index);
  const int shift = index / int(kSubBuckets) - 1;
  // in [kSubBuckets, kExactBelow)
  const uint64_t sub = uint64_t(index - shift * int(kSubBuckets));
  return ((sub + 1) << shift) - 1;
}

uint64_t Histogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  if (q <= 0) return min();
  uint64_t rank = uint64_t(std::ceil(q * double(count_)));
  if (rank < 1) rank = 1;
  if (rank >= count_) return max_;
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const uint64_t v = HighestEquivalent(i);
      return v < max_ ? v : max_;
    }
  }
  return max_;
}

}  // namespace sluice::bench
