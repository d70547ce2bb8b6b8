// Latency histograms, log-linear in the style of HdrHistogram (Gil Tene): values are counted in
// buckets whose width grows with the value, so every recorded value is kept to ~3 significant
// digits (relative error <= 1/1024) over the whole range 1 ns .. 60 s, in fixed memory, with O(1)
// recording (a count-leading-zeros, two shifts and an add: a few ns; see histogram_bench).
//
// Layout (kSubBucketBits = 11, so kSubBuckets = 2048, kHalf = 1024):
//   values 0 .. 2047 are counted exactly: index = value;
//   a larger value v with highest set bit m is shifted right by e = m - 10 (so 1024 <= v>>e < 2048)
//   and lands at index 2048 + (e - 1) * 1024 + ((v >> e) - 1024).
// The bucket at an index covers [lower, lower + 2^e). Values above kHighestNs are clamped to it
// (and still counted).
//
// The one bucket convention (every reader of a stored histogram uses it, so a percentile does not
// depend on who computed it): a percentile is the UPPER edge of the bucket holding its rank
// (HdrHistogram's "highest equivalent value"), capped at the largest value recorded. It never
// under-reports a latency and is at most one bucket width (1/1024 relative) above the true value.
// The mean of a decoded histogram (FromSparse) uses bucket midpoints; while recording it is exact.
//
// Units: values are nanoseconds (the JSON's "lowest_us": 0.001); the results JSON and every
// accessor ending in _us speak microseconds. Histograms with the same layout merge by adding counts (so per-thread histograms
// merge into one, and runs merge across files).
//
// Thread-safety: Histogram is a plain value, one writer. LiveHistogram has one writer (its client
// thread) and any number of concurrent snapshot readers (the sampling thread).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace racetrack::results {

inline constexpr int kSubBucketBits = 11;
inline constexpr int64_t kLowestNs = 1;
inline constexpr int64_t kHighestNs = 60'000'000'000;  // 60 s

// Index math shared by Histogram and LiveHistogram.
size_t HistogramIndex(int64_t value_ns);
size_t HistogramSize();                       // number of buckets for the range
int64_t HistogramLowerNs(size_t index);       // smallest value counted at index
int64_t HistogramUpperNs(size_t index);       // largest value counted at index
double HistogramMidNs(size_t index);          // bucket midpoint (used for the decoded mean)

inline size_t HistogramIndexInline(int64_t v) {
  if (v < 0) v = 0;
  if (v > kHighestNs) v = kHighestNs;
  constexpr int64_t kSub = int64_t{1} << kSubBucketBits;
  if (v < kSub) return static_cast<size_t>(v);
  const int msb = 63 - __builtin_clzll(static_cast<uint64_t>(v));
  const int e = msb - (kSubBucketBits - 1);
  const int64_t sub = v >> e;  // in [kSub/2, kSub)
  return static_cast<size_t>(kSub + (e - 1) * (kSub / 2) + (sub - kSub / 2));
}

// The stored form: non-zero buckets as ascending (index, count) pairs; JSON "counts".
struct SparseHistogram {
  std::vector<std::pair<size_t, uint64_t>> counts;
  bool empty() const { return counts.empty(); }
  uint64_t total() const;
};

class Histogram {
 public:
  Histogram();

  void Record(int64_t value_ns) { RecordN(value_ns, 1); }
  void RecordN(int64_t value_ns, uint64_t n) {
    const size_t i = HistogramIndexInline(value_ns);
    counts_[i] += n;
    total_ += n;
    if (value_ns > max_ns_) max_ns_ = value_ns;
    if (value_ns < min_ns_) min_ns_ = value_ns;
    sum_ns_ += static_cast<double>(value_ns) * static_cast<double>(n);
  }
  // Adds another histogram's counts (same layout by construction).
  void Merge(const Histogram& other);
  // this -= other, bucket by bucket (for interval = snapshot_now - snapshot_before). REQUIRES:
  // other is an earlier snapshot of the same source.
  void Subtract(const Histogram& other);
  void Clear();

  uint64_t count() const { return total_; }
  // The value at quantile q in [0, 1] (0.99 = p99), in microseconds, by the bucket convention
  // above; 0 when empty. q == 1 gives the max (exact while recording; the highest bucket's upper
  // edge after FromSparse).
  double PercentileUs(double q) const;
  double MeanUs() const;
  double MaxUs() const;
  double MinUs() const;

  // The stored form.
  SparseHistogram Sparse() const;
  // Rebuilds from the stored form; indexes out of range are ignored and reported as false.
  bool FromSparse(const SparseHistogram& sparse);

  const std::vector<uint64_t>& counts() const { return counts_; }

 private:
  friend class LiveHistogram;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  int64_t max_ns_ = 0;
  int64_t min_ns_ = INT64_MAX;
  double sum_ns_ = 0;  // exact mean while values are recorded; bucket midpoints after FromSparse
};

// Step CDF of a stored histogram: (value_us, fraction of values <= value_us), one point per
// non-empty bucket at its upper edge (the convention above), ascending, last fraction 1. Empty
// when the histogram is.
std::vector<std::pair<double, double>> HistogramCdf(const SparseHistogram& h);

// A histogram one thread records into while another takes snapshots. Counts are atomics written
// with relaxed load+store by the single writer (no locked instruction, same cost as plain
// increments on x86) and read with relaxed loads by the snapshotter.
class LiveHistogram {
 public:
  LiveHistogram();
  // Writer only.
  void Record(int64_t value_ns) {
    const size_t i = HistogramIndexInline(value_ns);
    auto& c = counts_[i];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (i > hi_.load(std::memory_order_relaxed)) hi_.store(i, std::memory_order_relaxed);
    if (i < lo_.load(std::memory_order_relaxed)) lo_.store(i, std::memory_order_relaxed);
    if (value_ns > max_ns_.load(std::memory_order_relaxed))
      max_ns_.store(value_ns, std::memory_order_relaxed);
    sum_ns_.store(sum_ns_.load(std::memory_order_relaxed) + value_ns, std::memory_order_relaxed);
  }
  // Any thread: adds the current counts into *out (a slightly stale view is fine).
  void AddTo(Histogram* out) const;
  // Writer only, while no snapshot is taken (between phases).
  void Reset();

 private:
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<size_t> lo_;
  std::atomic<size_t> hi_{0};
  std::atomic<int64_t> max_ns_{0};
  std::atomic<int64_t> sum_ns_{0};
};

}  // namespace racetrack::results
