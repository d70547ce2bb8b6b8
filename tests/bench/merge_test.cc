// Sharded runs: the merge of parts (exact histogram sum, ops summed, refusals), the --shard and
// --start-at parsers, and two shard processes against a kept-up redis-cluster whose merge equals
// a single-process run of the same work in operations and verdict.
#include "bench/merge.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/bench/shell.h"
#include "results/histogram.h"
#include "tests/test_paths.h"

namespace racetrack::bench {
namespace {

using results::Record;
using results::Results;

// A part of a 2-shard run with `n` operations at latencies base, base+1, ... microseconds.
Results Part(int index, int n, int64_t base_us) {
  Results d;
  d.path = "part-" + std::to_string(index) + ".json";
  d.parameters.scenarios = {"counters"};
  d.parameters.targets = {"redis-cluster"};
  d.parameters.shard_index = index;
  d.parameters.shard_count = 2;
  d.parameters.start_at = 1764666000;
  d.parameters.ops = static_cast<uint64_t>(n);
  d.parameters.clients = 2;
  Record r;
  r.scenario = "counters";
  r.approach = "incr";
  r.target = "redis-cluster";
  r.params["clients"] = 2;
  results::Histogram h;
  for (int i = 0; i < n; ++i) h.Record((base_us + i) * 1000);
  r.repetitions.push_back({static_cast<double>(n), 1.0 + index * 0.1, n / (1.0 + index * 0.1),
                           h.PercentileUs(0.99), std::nullopt});
  r.correctness.figures = {{"expected", static_cast<double>(n)}, {"retries", 0}};
  r.figures = {{"cluster_ops:127.0.0.1:1", static_cast<double>(n)}, {"load_s", 0.5 * index}};
  results::Summarize(&r, h);
  d.records.push_back(r);
  return d;
}

TEST(MergeTest, SumsOpsAndMergesHistogramsExactly) {
  const std::vector<Results> parts = {Part(2, 300, 900), Part(1, 500, 10)};
  auto merged = MergeShards(parts);
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  ASSERT_EQ(merged->records.size(), 1u);
  const Record& m = merged->records[0];
  EXPECT_EQ(m.ops, 800);
  EXPECT_EQ(m.params.at("clients"), 4);
  EXPECT_EQ(merged->parameters.ops, 800u);
  EXPECT_EQ(merged->parameters.shard_index, 0);
  // Bucket by bucket, the merge is the sum of the parts.
  results::Histogram sum, a, b;
  a.FromSparse(parts[0].records[0].histogram);
  b.FromSparse(parts[1].records[0].histogram);
  sum.Merge(a);
  sum.Merge(b);
  EXPECT_EQ(m.histogram.counts, sum.Sparse().counts);
  // Percentiles come from the merged histogram: p50 lies in the first part's range (10..509 µs),
  // which an average of the parts' p50s (~ (260 + 1050) / 2) would not.
  EXPECT_LT(*m.latency_us.p50, 520);
  EXPECT_GT(*m.latency_us.p99, 900);
  // Counts add up; a figure the parts disagree on is dropped, not averaged.
  EXPECT_EQ(m.figures.at("cluster_ops:127.0.0.1:1"), 800);
  EXPECT_EQ(m.figures.count("load_s"), 0u);
  EXPECT_EQ(m.correctness.figures.at("expected"), 800);
  EXPECT_FALSE(m.correctness.checked);  // only --verify reads the end state
  // Each repetition lasted as long as its slowest part.
  EXPECT_DOUBLE_EQ(*m.repetitions[0].duration_s, 1.2);
}

TEST(MergeTest, RefusesPartsThatDoNotBelongTogether) {
  auto message = [](std::vector<Results> parts) {
    auto m = MergeShards(parts);
    return m.ok() ? std::string("merged") : m.status().message();
  };
  EXPECT_EQ(message({Part(1, 10, 1)}), "shard 2/2 is missing");
  EXPECT_EQ(message({Part(1, 10, 1), Part(1, 10, 1)}),
            "shard 1/2 given twice: part-1.json and part-1.json");
  Results single = Part(2, 10, 1);
  single.parameters.shard_count = 0;
  EXPECT_EQ(message({Part(1, 10, 1), single}),
            "part-2.json is not a shard part (run it with --shard I/N)");
  Results later = Part(2, 10, 1);
  later.parameters.start_at += 60;
  EXPECT_NE(message({Part(1, 10, 1), later}).find("of another run"), std::string::npos);
  Results seed = Part(2, 10, 1);
  seed.parameters.seed = 7;
  EXPECT_NE(message({Part(1, 10, 1), seed}).find("ran other parameters"), std::string::npos);
  Results other = Part(2, 10, 1);
  other.records[0].approach = "lua-script";
  EXPECT_NE(message({Part(1, 10, 1), other}).find("has other records"), std::string::npos);
  EXPECT_EQ(message({}), "no parts to merge");
}

TEST(MergeTest, ShardAndStartAtParsers) {
  EXPECT_EQ(*ParseShard("2/4"), std::make_pair(2, 4));
  for (const char* bad : {"0/2", "3/2", "2", "a/b", "1/2x", "1/0"}) {
    EXPECT_FALSE(ParseShard(bad).ok()) << bad;
  }
  EXPECT_EQ(*ParseStartAt("1764666000"), 1764666000);
  EXPECT_EQ(*ParseStartAt("2026-12-02T09:00:00Z"), 1796202000);
  EXPECT_FALSE(ParseStartAt("tomorrow").ok());
  EXPECT_FALSE(ParseStartAt("2026-12-02T09:00:00").ok());  // no zone: ambiguous
  uint64_t total = 0;
  for (int i = 1; i <= 3; ++i) total += ShareOf(10, i, 3);
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(ShareOf(10, 1, 3), 4u);
}

// Two shard processes against a redis-cluster kept up by `racetrack servers up`, merged with
// --verify, against one process doing the same work.
TEST(MergeEndToEnd, TwoShardsEqualOneProcess) {
  namespace fs = std::filesystem;
  if (system("command -v redis-server >/dev/null && command -v redis-cli >/dev/null") != 0) {
    GTEST_SKIP() << "redis-server or redis-cli not found on PATH";
  }
  const fs::path dir = fs::temp_directory_path() / ("racetrack-merge-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string bin = test_paths::BinDir() + "/racetrack";
  const std::string env = "RACETRACK_STATE_FILE=" + (dir / "servers.json").string() + " ";
  auto up = testing::Shell(env + bin + " servers up redis-cluster");
  ASSERT_EQ(up.code, 0) << up.output;
  const std::string start = std::to_string(time(nullptr) + 4);
  const std::string common = env + bin + " run counters -a incr -t redis-cluster --ops 3000 -c 4 "
                                         "--warmup 0 -q --start-at " + start;
  auto shards = testing::Shell("(" + common + " --shard 1/2 --json " + (dir / "p1.json").string() +
                               " & " + common + " --shard 2/2 --json " +
                               (dir / "p2.json").string() + " & wait)");
  auto merged = testing::Shell(env + bin + " merge " + (dir / "p1.json").string() + " " +
                               (dir / "p2.json").string() + " -o " + (dir / "m.json").string() +
                               " --verify");
  auto single = testing::Shell(env + bin + " run counters -a incr -t redis-cluster --ops 3000 -c 4 "
                                           "--warmup 0 -q --json " + (dir / "s.json").string());
  auto down = testing::Shell(env + bin + " servers down");
  EXPECT_EQ(shards.code, 0) << shards.output;
  ASSERT_EQ(merged.code, 0) << merged.output;
  EXPECT_EQ(single.code, 0) << single.output;
  EXPECT_EQ(down.code, 0) << down.output;

  auto m = results::ReadResults((dir / "m.json").string());
  auto s = results::ReadResults((dir / "s.json").string());
  auto p1 = results::ReadResults((dir / "p1.json").string());
  auto p2 = results::ReadResults((dir / "p2.json").string());
  ASSERT_TRUE(m.ok() && s.ok() && p1.ok() && p2.ok());
  const Record& mr = m->records.at(0);
  const Record& sr = s->records.at(0);
  EXPECT_EQ(p1->records.at(0).ops, 1500);
  EXPECT_EQ(mr.ops, sr.ops);
  EXPECT_EQ(mr.params.at("clients"), sr.params.at("clients"));
  EXPECT_TRUE(mr.correctness.checked);
  EXPECT_EQ(mr.verdict(), sr.verdict());
  EXPECT_EQ(mr.correctness.figures.at("expected"), 3000);
  EXPECT_EQ(mr.correctness.figures.at("lost_updates"), 0);
  results::Histogram sum, a, b;
  a.FromSparse(p1->records.at(0).histogram);
  b.FromSparse(p2->records.at(0).histogram);
  sum.Merge(a);
  sum.Merge(b);
  EXPECT_EQ(mr.histogram.counts, sum.Sparse().counts);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace racetrack::bench
