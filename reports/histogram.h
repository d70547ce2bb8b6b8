// Decoding the stored log-linear latency histogram into plottable points.
//
// The layout is HdrHistogram's (Gil Tene): values are grouped in buckets of doubling width, each
// split into 2^sub_bucket_bits linear sub-buckets, so the relative error is at most
// 2^-(sub_bucket_bits-1) at any magnitude. A counts-array index maps back to the lowest value of
// its sub-bucket and that sub-bucket's width; we plot each sub-bucket at its upper edge (the value
// HdrHistogram reports as "highest equivalent"), which keeps percentiles conservative.
//
// bench/histogram.h (the producer) uses exactly this indexing with sub_bucket_bits = 11 over
// integer nanoseconds; tests/reports/histogram_test.cc checks the two agree. Reports decode here
// rather than link the harness, so reading results never needs the benchmark's dependencies.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "reports/results.h"

namespace racetrack::reports {

struct ValueRange {
  double low = 0;   // lowest value that maps to the index
  double high = 0;  // highest value that maps to it
};

// The value range covered by counts index `index`, in the histogram's stored unit (lowest is the
// lowest discernible value in that unit).
ValueRange IndexToRange(int sub_bucket_bits, double lowest, int64_t index);

// The inverse, for producing fixtures and tests: the index a value is counted under.
int64_t ValueToIndex(int sub_bucket_bits, double lowest, double value);

// Step CDF in microseconds: (value_us, fraction of operations <= value_us), sorted by value, last fraction 1.
// Empty when the histogram is empty.
std::vector<std::pair<double, double>> HistogramCdf(const StoredHistogram& h);

// The same shape from the percentile summary, for records that carry no histogram.
std::vector<std::pair<double, double>> PercentileCdf(const LatencySummary& l);

}  // namespace racetrack::reports
