// Micro-benchmark: the cost of recording one latency (the harness's hot path must stay <= 30 ns).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "results/histogram.h"

namespace {

std::vector<int64_t> Values() {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(11.0, 1.5);  // ~60 us median, long tail
  std::vector<int64_t> v(4096);
  for (auto& x : v) x = static_cast<int64_t>(dist(rng));
  return v;
}

// Histogram: the single-threaded one results are built from; LiveHistogram: the harness's, one
// writer and concurrent readers (relaxed atomics).
template <typename H>
void BM_Record(benchmark::State& state) {
  H h;
  const auto values = Values();
  size_t i = 0;
  for (auto _ : state) {
    h.Record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(&h);
  benchmark::ClobberMemory();
}
BENCHMARK_TEMPLATE(BM_Record, racetrack::results::Histogram);
BENCHMARK_TEMPLATE(BM_Record, racetrack::results::LiveHistogram);

}  // namespace

BENCHMARK_MAIN();
