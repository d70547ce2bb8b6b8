#include "reports/histogram.h"

#include <gtest/gtest.h>

#include <random>

#include "bench/histogram.h"  // the producer's layout: the two must agree

namespace racetrack::reports {
namespace {

TEST(HistogramTest, IndexMatchesBenchLayout) {
  std::mt19937_64 rng(7);
  std::vector<int64_t> values;
  for (int64_t v = 0; v < 5000; ++v) values.push_back(v);
  for (int i = 0; i < 20000; ++i) values.push_back(static_cast<int64_t>(rng() % 60'000'000'000));
  for (int64_t v : values) {
    int64_t index = ValueToIndex(bench::kSubBucketBits, 1, static_cast<double>(v));
    ASSERT_EQ(static_cast<size_t>(index), bench::HistogramIndexInline(v)) << v;
    ValueRange range = IndexToRange(bench::kSubBucketBits, 1, index);
    ASSERT_LE(range.low, v);
    ASSERT_GE(range.high, v);
  }
}

TEST(HistogramTest, CdfIsMonotoneAndInMicroseconds) {
  StoredHistogram h;
  h.sub_bucket_bits = 11;
  h.unit_us = 0.001;  // nanosecond counts
  for (double us : {10.0, 20.0, 20.0, 500.0}) {
    h.counts.emplace_back(ValueToIndex(11, 1, us * 1000), 1);
  }
  auto cdf = HistogramCdf(h);
  ASSERT_EQ(cdf.size(), 3u);
  EXPECT_NEAR(cdf[0].first, 10.0, 0.01);
  EXPECT_DOUBLE_EQ(cdf[0].second, 0.25);
  EXPECT_NEAR(cdf[1].first, 20.0, 0.02);
  EXPECT_DOUBLE_EQ(cdf[1].second, 0.75);
  EXPECT_NEAR(cdf[2].first, 500.0, 0.5);
  EXPECT_DOUBLE_EQ(cdf[2].second, 1.0);
}

TEST(HistogramTest, PercentileFallback) {
  LatencySummary l;
  l.p50 = 10;
  l.p99 = 40;
  l.max = 90;
  auto cdf = PercentileCdf(l);
  ASSERT_EQ(cdf.size(), 3u);
  EXPECT_EQ(cdf.back(), std::make_pair(90.0, 1.0));
  EXPECT_TRUE(PercentileCdf(LatencySummary{}).empty());
}

}  // namespace
}  // namespace racetrack::reports
