#include "reports/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace racetrack::reports {

namespace {

int UnitMagnitude(double lowest) {
  return lowest >= 1 ? static_cast<int>(std::floor(std::log2(lowest))) : 0;
}

}  // namespace

ValueRange IndexToRange(int sub_bucket_bits, double lowest, int64_t index) {
  const int half_magnitude = sub_bucket_bits - 1;
  const int64_t half_count = int64_t{1} << half_magnitude;
  int64_t bucket = (index >> half_magnitude) - 1;
  int64_t sub_bucket = (index & (half_count - 1)) + half_count;
  if (bucket < 0) {
    sub_bucket -= half_count;
    bucket = 0;
  }
  const int shift = static_cast<int>(bucket) + UnitMagnitude(lowest);
  double low = std::ldexp(static_cast<double>(sub_bucket), shift);
  double width = std::ldexp(1.0, shift);
  return {low, low + width - 1};
}

int64_t ValueToIndex(int sub_bucket_bits, double lowest, double value) {
  const int unit = UnitMagnitude(lowest);
  const int half_magnitude = sub_bucket_bits - 1;
  const int64_t half_count = int64_t{1} << half_magnitude;
  const uint64_t mask = ((uint64_t{1} << sub_bucket_bits) - 1) << unit;
  uint64_t v = value < 0 ? 0 : static_cast<uint64_t>(value);
  int pow2ceiling = 64 - std::countl_zero(v | mask);
  int bucket = pow2ceiling - unit - (half_magnitude + 1);
  int64_t sub_bucket = static_cast<int64_t>(v >> (bucket + unit));
  return (static_cast<int64_t>(bucket + 1) << half_magnitude) + (sub_bucket - half_count);
}

std::vector<std::pair<double, double>> HistogramCdf(const StoredHistogram& h) {
  std::vector<std::pair<double, double>> out;
  if (h.empty()) return out;
  std::vector<std::pair<int64_t, int64_t>> counts = h.counts;
  std::sort(counts.begin(), counts.end());
  double total = 0;
  for (const auto& [index, count] : counts) total += static_cast<double>(count);
  double running = 0;
  for (const auto& [index, count] : counts) {
    running += static_cast<double>(count);
    ValueRange range = IndexToRange(h.sub_bucket_bits, h.lowest, index);
    double value_us = range.high * h.unit_us;
    double fraction = running / total;
    if (!out.empty() && out.back().first == value_us) {
      out.back().second = fraction;
    } else {
      out.emplace_back(value_us, fraction);
    }
  }
  out.back().second = 1.0;
  return out;
}

std::vector<std::pair<double, double>> PercentileCdf(const LatencySummary& l) {
  std::vector<std::pair<double, double>> out;
  const std::pair<const std::optional<double>*, double> points[] = {
      {&l.p50, 0.5}, {&l.p90, 0.9}, {&l.p99, 0.99}, {&l.p999, 0.999}, {&l.max, 1.0}};
  for (const auto& [value, fraction] : points) {
    if (*value && **value > 0 && (out.empty() || **value >= out.back().first)) {
      out.emplace_back(**value, fraction);
    }
  }
  return out;
}

}  // namespace racetrack::reports
