// Micro-benchmarks of the engine's data structures themselves (no commands, no network): the
// skiplist behind sorted sets at 10^3..10^6 elements — insert, rank, top-10 — with Google
// Benchmark's complexity fit, which should report O(log N) for each; and the memory of a
// 1,000,000-member sorted set, in bytes per member, to set beside Redis's MEMORY USAGE.
//
//   bin/racetrack-structures-bench --benchmark_filter=SkipList
//
// Data: scores are uniform random integers from a fixed seed; members are "member:<i>" (short
// names, as in the leaderboard scenario). Each size's structure is built once, outside the timed
// loops, and reused by the repetitions.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/ds/skiplist.h"
#include "engine/ds/zset.h"

namespace racetrack::engine {
namespace {

constexpr uint64_t kSeed = 20240601;

struct Built {
  std::unique_ptr<SkipList> list;
  std::vector<std::pair<double, std::string>> entries;  // what was inserted, in insertion order
};

// One prepared skiplist per size, kept for the process (building 10^6 nodes takes seconds).
Built& SkipListOfSize(int64_t n) {
  static auto* cache = new std::map<int64_t, Built>();
  auto it = cache->find(n);
  if (it != cache->end()) return it->second;
  Built b;
  b.list = std::make_unique<SkipList>(kSeed);
  std::mt19937_64 rng(kSeed);
  b.entries.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double score = static_cast<double>(rng() % 1'000'000'000);
    std::string member = "member:" + std::to_string(i);
    b.list->Insert(score, member);
    b.entries.emplace_back(score, std::move(member));
  }
  return cache->emplace(n, std::move(b)).first->second;
}

// Insert one element into a list of N (then delete it again, so N stays N): O(log N) each.
void BM_SkipListInsert(benchmark::State& state) {
  Built& b = SkipListOfSize(state.range(0));
  std::mt19937_64 rng(kSeed + 1);
  std::string member = "member:new";
  for (auto _ : state) {
    double score = static_cast<double>(rng() % 1'000'000'000);
    SkipList::Node* n = b.list->Insert(score, member);
    benchmark::DoNotOptimize(n);
    b.list->Delete(score, member);
  }
  state.SetComplexityN(state.range(0));
  state.SetLabel("insert+delete");
}
BENCHMARK(BM_SkipListInsert)->RangeMultiplier(10)->Range(1'000, 1'000'000)->Complexity(benchmark::oLogN);

// ZRANK: the rank of a random existing member, by summing spans along the search path.
void BM_SkipListRank(benchmark::State& state) {
  Built& b = SkipListOfSize(state.range(0));
  std::mt19937_64 rng(kSeed + 2);
  for (auto _ : state) {
    const auto& e = b.entries[rng() % b.entries.size()];
    benchmark::DoNotOptimize(b.list->GetRank(e.first, e.second));
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_SkipListRank)->RangeMultiplier(10)->Range(1'000, 1'000'000)->Complexity(benchmark::oLogN);

// ZRANGE lb 0 9 REV: find rank N by spans (as Redis does), then walk 10 backward links.
void BM_SkipListTop10(benchmark::State& state) {
  Built& b = SkipListOfSize(state.range(0));
  uint64_t n = b.list->length();
  for (auto _ : state) {
    const SkipList::Node* x = b.list->ByRank(n);
    for (int i = 0; i < 10 && x != nullptr; ++i) {
      benchmark::DoNotOptimize(x->member().data());
      x = x->prev();
    }
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_SkipListTop10)->RangeMultiplier(10)->Range(1'000, 1'000'000)->Complexity(benchmark::oLogN);

// ZADD of a new member into a sorted set of N (skiplist + member index), removed again.
void BM_ZSetAddRemove(benchmark::State& state) {
  ZSet zs;
  std::mt19937_64 rng(kSeed);
  for (int64_t i = 0; i < state.range(0); ++i) {
    zs.Insert("member:" + std::to_string(i), static_cast<double>(rng() % 1'000'000'000));
  }
  std::string member = "member:new";
  for (auto _ : state) {
    zs.Insert(member, static_cast<double>(rng() % 1'000'000'000));
    zs.Remove(member);
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_ZSetAddRemove)->RangeMultiplier(10)->Range(1'000, 100'000)->Complexity(benchmark::oLogN);

// Memory of a 1,000,000-member sorted set: counters bytes_total and bytes_per_member. For
// comparison, Redis 7.0's MEMORY USAGE of the same set is about 102–118 MB.
void BM_ZSetMemory(benchmark::State& state) {
  size_t bytes = 0;
  for (auto _ : state) {
    ZSet zs;
    std::mt19937_64 rng(kSeed);
    for (int64_t i = 0; i < state.range(0); ++i) {
      zs.Insert("member:" + std::to_string(i), static_cast<double>(rng() % 1'000'000'000));
    }
    bytes = zs.MemoryUsage();
  }
  state.counters["bytes_total"] = static_cast<double>(bytes);
  state.counters["bytes_per_member"] = static_cast<double>(bytes) / static_cast<double>(state.range(0));
}
BENCHMARK(BM_ZSetMemory)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace racetrack::engine

BENCHMARK_MAIN();
