#include "results/histogram.h"

#include <algorithm>
#include <cmath>

namespace racetrack::results {

namespace {
constexpr int64_t kSub = int64_t{1} << kSubBucketBits;
constexpr int64_t kHalf = kSub / 2;
}  // namespace

size_t HistogramIndex(int64_t value_ns) { return HistogramIndexInline(value_ns); }

size_t HistogramSize() { return HistogramIndexInline(kHighestNs) + 1; }

int64_t HistogramLowerNs(size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < kSub) return i;
  const int64_t e = i / kHalf - 1;
  const int64_t s = i - e * kHalf;
  return s << e;
}

int64_t HistogramUpperNs(size_t index) {
  const auto i = static_cast<int64_t>(index);
  if (i < kSub) return i;
  const int64_t e = i / kHalf - 1;
  return HistogramLowerNs(index) + (int64_t{1} << e) - 1;
}

double HistogramMidNs(size_t index) {
  return (static_cast<double>(HistogramLowerNs(index)) +
          static_cast<double>(HistogramUpperNs(index))) / 2.0;
}

Histogram::Histogram() : counts_(HistogramSize(), 0) {}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  max_ns_ = std::max(max_ns_, other.max_ns_);
  min_ns_ = std::min(min_ns_, other.min_ns_);
  sum_ns_ += other.sum_ns_;
}

void Histogram::Subtract(const Histogram& other) {
  // The interval's exact max is unknown after subtraction; the highest non-empty bucket's upper
  // bound stands in (within the histogram's precision).
  total_ = 0;
  max_ns_ = 0;
  min_ns_ = INT64_MAX;
  for (size_t i = 0; i < counts_.size(); ++i) {
    counts_[i] = counts_[i] >= other.counts_[i] ? counts_[i] - other.counts_[i] : 0;
    if (counts_[i] != 0) {
      total_ += counts_[i];
      max_ns_ = HistogramUpperNs(i);
      if (min_ns_ == INT64_MAX) min_ns_ = HistogramLowerNs(i);
    }
  }
  sum_ns_ = std::max(0.0, sum_ns_ - other.sum_ns_);
}

void Histogram::Clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  max_ns_ = 0;
  min_ns_ = INT64_MAX;
  sum_ns_ = 0;
}

double Histogram::PercentileUs(double q) const {
  if (total_ == 0) return 0;
  if (q >= 1.0) return MaxUs();
  if (q < 0) q = 0;
  // The smallest value v such that at least q of the values are <= v (nearest rank).
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The bucket's upper edge (highest equivalent value), never above the max recorded.
      const double v = std::min(static_cast<double>(HistogramUpperNs(i)),
                                static_cast<double>(max_ns_));
      return v / 1000.0;
    }
  }
  return MaxUs();
}

double Histogram::MeanUs() const {
  return total_ == 0 ? 0 : sum_ns_ / static_cast<double>(total_) / 1000.0;
}
double Histogram::MaxUs() const { return static_cast<double>(max_ns_) / 1000.0; }
double Histogram::MinUs() const {
  return total_ == 0 ? 0 : static_cast<double>(min_ns_) / 1000.0;
}

uint64_t SparseHistogram::total() const {
  uint64_t n = 0;
  for (const auto& [index, count] : counts) n += count;
  return n;
}

SparseHistogram Histogram::Sparse() const {
  SparseHistogram out;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) out.counts.emplace_back(i, counts_[i]);
  }
  return out;
}

bool Histogram::FromSparse(const SparseHistogram& sparse) {
  Clear();
  bool all_in_range = true;
  for (const auto& [index, count] : sparse.counts) {
    if (index >= counts_.size()) {
      all_in_range = false;
      continue;
    }
    counts_[index] += count;
    total_ += count;
    max_ns_ = std::max(max_ns_, HistogramUpperNs(index));
    min_ns_ = std::min(min_ns_, HistogramLowerNs(index));
    sum_ns_ += HistogramMidNs(index) * static_cast<double>(count);
  }
  return all_in_range;
}

std::vector<std::pair<double, double>> HistogramCdf(const SparseHistogram& h) {
  std::vector<std::pair<double, double>> out;
  const double total = static_cast<double>(h.total());
  if (total == 0) return out;
  std::vector<std::pair<size_t, uint64_t>> counts = h.counts;
  std::sort(counts.begin(), counts.end());
  double running = 0;
  for (const auto& [index, count] : counts) {
    if (count == 0 || index >= HistogramSize()) continue;
    running += static_cast<double>(count);
    const double value_us = static_cast<double>(HistogramUpperNs(index)) / 1000.0;
    if (!out.empty() && out.back().first == value_us) {
      out.back().second = running / total;
    } else {
      out.emplace_back(value_us, running / total);
    }
  }
  if (!out.empty()) out.back().second = 1.0;
  return out;
}

LiveHistogram::LiveHistogram()
    : counts_(new std::atomic<uint64_t>[HistogramSize()]), lo_(HistogramSize()) {
  for (size_t i = 0; i < HistogramSize(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void LiveHistogram::AddTo(Histogram* out) const {
  const size_t lo = lo_.load(std::memory_order_relaxed);
  const size_t hi = hi_.load(std::memory_order_relaxed);
  uint64_t total = 0;
  for (size_t i = lo; i <= hi && i < HistogramSize(); ++i) {
    const uint64_t c = counts_[i].load(std::memory_order_relaxed);
    if (c == 0) continue;
    out->counts_[i] += c;
    total += c;
    out->min_ns_ = std::min(out->min_ns_, HistogramLowerNs(i));
  }
  out->total_ += total;
  out->max_ns_ = std::max(out->max_ns_, max_ns_.load(std::memory_order_relaxed));
  out->sum_ns_ += static_cast<double>(sum_ns_.load(std::memory_order_relaxed));
}

void LiveHistogram::Reset() {
  const size_t lo = lo_.load(std::memory_order_relaxed);
  const size_t hi = hi_.load(std::memory_order_relaxed);
  for (size_t i = lo; i <= hi && i < HistogramSize(); ++i) {
    counts_[i].store(0, std::memory_order_relaxed);
  }
  lo_.store(HistogramSize(), std::memory_order_relaxed);
  hi_.store(0, std::memory_order_relaxed);
  max_ns_.store(0, std::memory_order_relaxed);
  sum_ns_.store(0, std::memory_order_relaxed);
}

}  // namespace racetrack::results
