// Micro-benchmarks of the engine's glob matcher (engine/ds/util.h GlobMatch, behind KEYS, SCAN MATCH,
// PSUBSCRIBE, PUBSUB CHANNELS and CONFIG GET) on the patterns that used to hang racetrack-server
// (issue 11, CVE-2022-36021): nested stars that fail at the end. Each reports the matcher's
// steps per match beside its time, and Google Benchmark's complexity fit over the size.
//
//   bin/racetrack-glob-bench
//   bin/racetrack-glob-bench --benchmark_filter=NestedStars
//
// Shapes (N is the benchmark's argument, up to 1024: past 1000 nested stars Redis's nesting limit,
// kept by the matcher, cuts the search short):
//   NestedStars   "a*" x N + "b" against "a" x 2N   — exponential before the fix, now ~linear
//   LongSegment   "*" + "a" x N + "b" against "a" x 2N — the early exit's worst case, O(N^2)
//   ManyClasses   "[a]*" x N + "[b]" against "a" x 2N
//   KeysCommand   KEYS "a*" x 20 + "b" over N keys of 40 'a's, through the engine (no network)
// Every pattern is checked to give the expected answer before it is timed.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/client.h"
#include "engine/ds/util.h"
#include "engine/engine.h"

namespace racetrack::engine {
namespace {

std::string Repeat(std::string_view s, int64_t n) {
  std::string out;
  for (int64_t i = 0; i < n; ++i) out += s;
  return out;
}

// Times GlobMatch(pattern, s); expects no match (every shape here fails at its last byte).
void TimeNoMatch(benchmark::State& state, const std::string& pattern, const std::string& s) {
  uint64_t steps = 0;
  if (GlobMatchCounted(pattern, s, false, &steps)) {
    state.SkipWithError("the pattern matched; the benchmark expects no match");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(GlobMatch(pattern, s));
  state.counters["steps"] = static_cast<double>(steps);
  state.SetComplexityN(state.range(0));
}

void BM_GlobNestedStars(benchmark::State& state) {
  TimeNoMatch(state, Repeat("a*", state.range(0)) + "b", Repeat("a", 2 * state.range(0)));
}
BENCHMARK(BM_GlobNestedStars)->RangeMultiplier(4)->Range(4, 1024)->Complexity();

void BM_GlobLongSegment(benchmark::State& state) {
  TimeNoMatch(state, "*" + Repeat("a", state.range(0)) + "b", Repeat("a", 2 * state.range(0)));
}
BENCHMARK(BM_GlobLongSegment)->RangeMultiplier(4)->Range(4, 1024)->Complexity();

void BM_GlobManyClasses(benchmark::State& state) {
  TimeNoMatch(state, Repeat("[a]*", state.range(0)) + "[b]", Repeat("a", 2 * state.range(0)));
}
BENCHMARK(BM_GlobManyClasses)->RangeMultiplier(4)->Range(4, 1024)->Complexity();

// The issue's own request, end to end through the command table: KEYS over N keys.
void BM_GlobKeysCommand(benchmark::State& state) {
  Engine engine;
  ClientState client;
  engine.AddClient(&client);
  std::string value = "1";
  for (int64_t i = 0; i < state.range(0); ++i) {
    std::string key = Repeat("a", 40) + ":" + std::to_string(i);
    engine.Run(client, {"set", key, value});
  }
  std::string pattern = Repeat("a*", 20) + "b";
  if (engine.Run(client, {"keys", pattern}) != "*0\r\n") {
    state.SkipWithError("KEYS matched a key; expected none");
  } else {
    for (auto _ : state) benchmark::DoNotOptimize(engine.Run(client, {"keys", pattern}));
    state.SetComplexityN(state.range(0));
  }
  engine.RemoveClient(&client);
}
BENCHMARK(BM_GlobKeysCommand)->RangeMultiplier(10)->Range(100, 10'000)->Complexity(benchmark::oN);

}  // namespace
}  // namespace racetrack::engine

BENCHMARK_MAIN();
