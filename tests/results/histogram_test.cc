#include "results/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace racetrack::results {
namespace {

// Nearest-rank percentile of exact data, in microseconds.
double ExactUs(std::vector<int64_t> v, double q) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  rank = std::max<size_t>(rank, 1);
  return static_cast<double>(v[rank - 1]) / 1000.0;
}

TEST(HistogramTest, IndexRoundTripsWithinPrecision) {
  for (int64_t v : {0LL, 1LL, 2047LL, 2048LL, 2049LL, 4095LL, 4096LL, 123456789LL,
                    59'999'999'999LL, 60'000'000'000LL}) {
    const size_t i = HistogramIndex(v);
    EXPECT_LE(HistogramLowerNs(i), v) << v;
    EXPECT_GE(HistogramUpperNs(i), v) << v;
    EXPECT_LE(static_cast<double>(HistogramUpperNs(i) - HistogramLowerNs(i)),
              std::max(1.0, static_cast<double>(v) / 1024.0))
        << v;
  }
  EXPECT_EQ(HistogramIndex(2047), 2047u);  // exact below 2^11
  EXPECT_EQ(HistogramIndex(kHighestNs * 10), HistogramIndex(kHighestNs));  // clamped
  EXPECT_EQ(HistogramSize(), HistogramIndex(kHighestNs) + 1);
}

TEST(HistogramTest, PercentilesMatchExactDataWithinOnePerMille) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(11.0, 2.0);  // 1 us .. seconds
  std::vector<int64_t> values;
  Histogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = std::max<int64_t>(1, static_cast<int64_t>(dist(rng)));
    values.push_back(v);
    h.Record(v);
  }
  EXPECT_EQ(h.count(), values.size());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = ExactUs(values, q);
    EXPECT_NEAR(h.PercentileUs(q), exact, exact * 0.001 + 0.001) << "q=" << q;
  }
  EXPECT_DOUBLE_EQ(h.MaxUs(), static_cast<double>(*std::max_element(values.begin(), values.end())) / 1000.0);
  double sum = 0;
  for (auto v : values) sum += static_cast<double>(v);
  EXPECT_NEAR(h.MeanUs(), sum / static_cast<double>(values.size()) / 1000.0, 1e-6);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 10000; ++i) {
    const int64_t v = static_cast<int64_t>(rng() % 50'000'000);
    (i % 2 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.counts(), all.counts());
  EXPECT_DOUBLE_EQ(a.PercentileUs(0.99), all.PercentileUs(0.99));
}

TEST(HistogramTest, SparseRoundTripAndSubtract) {
  Histogram h;
  for (int64_t v : std::vector<int64_t>{5, 5, 3000, 1000000, 7000000000}) h.Record(v);
  Histogram back;
  ASSERT_TRUE(back.FromSparse(h.Sparse()));
  EXPECT_EQ(back.counts(), h.counts());
  EXPECT_NEAR(back.PercentileUs(0.5), h.PercentileUs(0.5), h.PercentileUs(0.5) * 0.001);
  EXPECT_FALSE(back.FromSparse(SparseHistogram{{{HistogramSize() + 5, 1}}}));

  Histogram later = h;
  later.Record(42);
  later.Subtract(h);
  EXPECT_EQ(later.count(), 1u);
  EXPECT_NEAR(later.PercentileUs(0.5), 0.042, 1e-9);
}

TEST(HistogramTest, LiveHistogramSnapshotsWhatWasRecorded) {
  LiveHistogram live;
  Histogram plain;
  for (int64_t v = 1; v < 100000; v += 37) {
    live.Record(v);
    plain.Record(v);
  }
  Histogram snap;
  live.AddTo(&snap);
  EXPECT_EQ(snap.counts(), plain.counts());
  EXPECT_EQ(snap.count(), plain.count());
  live.Reset();
  Histogram empty;
  live.AddTo(&empty);
  EXPECT_EQ(empty.count(), 0u);
}

// The one bucket convention: a percentile is its bucket's upper edge, capped at the max recorded.
TEST(HistogramTest, PercentileIsTheBucketsUpperEdgeCappedAtTheMax) {
  Histogram h;
  for (int i = 0; i < 99; ++i) h.Record(110'000);  // bucket [109'952, 110'015] ns
  h.Record(2'100'000);
  const size_t i110 = HistogramIndex(110'000);
  EXPECT_DOUBLE_EQ(h.PercentileUs(0.5), static_cast<double>(HistogramUpperNs(i110)) / 1000.0);
  EXPECT_DOUBLE_EQ(h.PercentileUs(0.999), 2100.0);  // the exact max, not the bucket's edge
  // Decoded from the stored form, the same rule gives the same p50.
  Histogram back;
  ASSERT_TRUE(back.FromSparse(h.Sparse()));
  EXPECT_DOUBLE_EQ(back.PercentileUs(0.5), h.PercentileUs(0.5));
  EXPECT_NEAR(back.PercentileUs(0.999), 2100.0, 2100.0 / 1024);
}

TEST(HistogramTest, CdfStepsAtUpperEdgesInMicroseconds) {
  Histogram h;
  for (int64_t ns : {10'000, 20'000, 20'000, 500'000}) h.Record(ns);
  auto cdf = HistogramCdf(h.Sparse());
  ASSERT_EQ(cdf.size(), 3u);
  EXPECT_NEAR(cdf[0].first, 10.0, 0.01);
  EXPECT_DOUBLE_EQ(cdf[0].second, 0.25);
  EXPECT_DOUBLE_EQ(cdf[1].first, static_cast<double>(HistogramUpperNs(HistogramIndex(20'000))) / 1000);
  EXPECT_DOUBLE_EQ(cdf[1].second, 0.75);
  EXPECT_NEAR(cdf[2].first, 500.0, 0.5);
  EXPECT_DOUBLE_EQ(cdf[2].second, 1.0);
  EXPECT_TRUE(HistogramCdf(SparseHistogram{}).empty());
}

TEST(HistogramTest, EmptyHistogramReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.PercentileUs(0.99), 0);
  EXPECT_EQ(h.MeanUs(), 0);
  EXPECT_EQ(h.MaxUs(), 0);
}

}  // namespace
}  // namespace racetrack::results
