// Stale-read detection on hand-built interleavings: what counts as stale (a newer version
// acknowledged before the read began), how stale (from that acknowledgement), and which stale
// reads the cache-aside windows explain (read during the invalidation; the fill race) and which
// they do not (no invalidation at all; a value older than a write whose DEL had returned).
#include "scenarios/cache_staleness.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <vector>

namespace racetrack::scenarios {
namespace {

constexpr int64_t kMs = 1'000'000;

// A report's counts, compared at once: the stale reads, and how each was accounted for (by the
// invalidation window alone, by a fill race, or not at all).
struct Counts {
  uint64_t stale_reads = 0, invalidation_window = 0, fill_races = 0, unexplained = 0;
  bool operator==(const Counts&) const = default;
};
Counts CountsOf(const StalenessReport& r) {
  return {r.stale_reads, r.invalidation_window, r.fill_races, r.unexplained};
}
void PrintTo(const Counts& c, std::ostream* os) {
  *os << "{stale " << c.stale_reads << ", invalidation window " << c.invalidation_window
      << ", fill races " << c.fill_races << ", unexplained " << c.unexplained << "}";
}

TEST(CacheStalenessTest, FreshReadsAndReadsOverlappingTheCommitAreNotStale) {
  // Version 1 of key 7 committed (acknowledged) at 10 ms.
  std::vector<CacheWriteEvent> writes = {{7, 1, 10 * kMs, 11 * kMs, 12 * kMs}};
  std::vector<CacheReadEvent> reads = {
      {7, 1, 20 * kMs, 0},  // the new version: fresh
      {7, 0, 9 * kMs, 0},   // began before the commit was acknowledged: not stale
      {7, 0, 10 * kMs, 0},  // began at the acknowledgement itself: not "before"
      {8, 0, 50 * kMs, 0},  // another key, never written
  };
  StalenessReport r = AnalyzeStaleness(writes, {}, reads);
  EXPECT_EQ(r.reads_checked, 4u);
  EXPECT_EQ(CountsOf(r), Counts{});
  EXPECT_EQ(r.max_staleness_ms, 0);
}

TEST(CacheStalenessTest, ReadDuringTheInvalidationIsExplained) {
  // Commit acked at 10 ms, DEL from 10.5 ms to 12 ms. A cached read of version 0 at 11 ms.
  std::vector<CacheWriteEvent> writes = {{7, 1, 10 * kMs, 10 * kMs + kMs / 2, 12 * kMs}};
  std::vector<CacheFillEvent> fills = {{42, 1 * kMs, 2 * kMs}};
  StalenessReport r = AnalyzeStaleness(writes, fills, {{7, 0, 11 * kMs, 42}});
  EXPECT_EQ(CountsOf(r), (Counts{.stale_reads = 1, .invalidation_window = 1}));
  EXPECT_DOUBLE_EQ(r.max_staleness_ms, 1.0);
}

// Reader R misses at 1 ms and queries the database (gets version 0). Writer W commits version 1
// at 2 ms and DELs 2.1-2.2 ms. R's SET of version 0 (fill 99) lands at `set_end_ns`. A later
// reader hits that entry at 40 ms: whether its staleness is explained depends on when R's SET
// landed.
StalenessReport FillThenReadAt40Ms(int64_t set_end_ns) {
  const std::vector<CacheWriteEvent> writes = {
      {7, 1, 2 * kMs, 2 * kMs + kMs / 10, 2 * kMs + kMs / 5}};
  return AnalyzeStaleness(writes, {{99, 1 * kMs, set_end_ns}}, {{7, 0, 40 * kMs, 99}});
}

TEST(CacheStalenessTest, TheCacheAsideFillRaceIsExplained) {
  // R's SET lands at 3 ms, after the DEL: stale for 38 ms, the documented race.
  StalenessReport r = FillThenReadAt40Ms(3 * kMs);
  EXPECT_EQ(CountsOf(r), (Counts{.stale_reads = 1, .fill_races = 1}));
  EXPECT_DOUBLE_EQ(r.max_staleness_ms, 38.0);
}

TEST(CacheStalenessTest, AFillThatEndedBeforeTheDelIsNotARace) {
  // The fill stored version 0 at 1.5 ms, before the write's DEL began (2.1 ms): the DEL must
  // have removed it. Serving version 0 at 40 ms has no excuse.
  StalenessReport r = FillThenReadAt40Ms(kMs + kMs / 2);
  EXPECT_EQ(CountsOf(r), (Counts{.stale_reads = 1, .unexplained = 1}));
  EXPECT_DOUBLE_EQ(r.max_unexplained_staleness_ms, 38.0);
  EXPECT_NE(r.first_unexplained.find("key 7"), std::string::npos);
}

TEST(CacheStalenessTest, WithoutInvalidationEveryStaleReadIsUnexplained) {
  // TTL-only: no DEL (-1). Versions 1 and 2 committed at 5 and 8 ms; a read of version 0 at
  // 30 ms is stale since the FIRST newer commit (25 ms); a read of version 1 at 30 ms since
  // version 2 (22 ms).
  std::vector<CacheWriteEvent> writes = {{3, 2, 8 * kMs, -1, -1}, {3, 1, 5 * kMs, -1, -1}};
  std::vector<CacheFillEvent> fills = {{5, 0, kMs}};
  StalenessReport r = AnalyzeStaleness(
      writes, fills, {{3, 0, 30 * kMs, 5}, {3, 1, 30 * kMs, 5}, {3, 2, 30 * kMs, 5}});
  EXPECT_EQ(CountsOf(r), (Counts{.stale_reads = 2, .unexplained = 2}));
  EXPECT_DOUBLE_EQ(r.max_staleness_ms, 25.0);
  EXPECT_NE(r.first_unexplained.find("never invalidated"), std::string::npos);
}

TEST(CacheStalenessTest, EveryNewerWriteMustBeExplained) {
  // Version 0 survived write 1's DEL through a fill race, but write 2's DEL (done by 20 ms) came
  // after that fill: a read at 30 ms of version 0 is unexplained.
  std::vector<CacheWriteEvent> writes = {{1, 1, 2 * kMs, 3 * kMs, 4 * kMs},
                                         {1, 2, 10 * kMs, 15 * kMs, 20 * kMs}};
  std::vector<CacheFillEvent> fills = {{8, 1 * kMs, 5 * kMs}};
  StalenessReport r = AnalyzeStaleness(writes, fills, {{1, 0, 30 * kMs, 8}, {1, 0, 6 * kMs, 8}});
  // The read at 6 ms (only write 1 had committed) is a fill race; the read at 30 ms unexplained.
  EXPECT_EQ(CountsOf(r), (Counts{.stale_reads = 2, .fill_races = 1, .unexplained = 1}));
}

TEST(CacheStalenessTest, AReadStraightFromTheDatabaseCannotBeExplainedIfStale) {
  std::vector<CacheWriteEvent> writes = {{1, 1, 2 * kMs, 3 * kMs, 4 * kMs}};
  StalenessReport r = AnalyzeStaleness(writes, {}, {{1, 0, 10 * kMs, 0}});
  EXPECT_EQ(CountsOf(r), (Counts{.stale_reads = 1, .unexplained = 1}));
}

}  // namespace
}  // namespace racetrack::scenarios
