// Sharded load generation: one run split over several processes or machines, and the exact merge
// of their parts.
//
//   racetrack run counters -a incr -t redis-cluster --redis-cluster-url URL --clients 16
//       --ops 200000 --shard 2/4 --start-at 2026-12-02T09:00:00Z --json part-2.json
//   racetrack merge part-*.json -o merged.json --verify --redis-cluster-url URL
//
// A shard runs its share of the clients and of the operations (ShareOf: the remainder goes to
// the first shards) of exactly one lesson x approach x target, starting at a wall-clock time all
// shards were given. Shard 1 prepares the target and marks it ready; the others wait for the mark
// (bench/harness.h, RunOptions::shard_*). The target must outlive the shards: a URL, or servers
// kept with `racetrack servers up`.
//
// MergeShards adds the parts up: operations, errors and per-node counts are summed, the latency
// histograms are added bucket by bucket (exact: the percentiles of the merge come from the
// merged histogram, never averaged), each repetition's duration is the longest part's (they
// started together), the time series are summed interval by interval (aligned: one start time;
// an interval's p99 is the largest part's, an upper bound, since intervals keep no histogram).
// Correctness needs the end state: `merge --verify` reads it from the target once
// (Scenario::VerifyShards). Without --verify a merged record is unchecked.
//
// Parts that do not belong together are refused with one line naming the file: not a shard part,
// different shard counts or start times, a missing or duplicate shard, another lesson, approach,
// target, parameter point, seed, duration, repetitions or op budget.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bench/cli.h"
#include "engine/base/status.h"
#include "results/results.h"

namespace racetrack::bench {

// "2/4" -> {2, 4}: 1 <= I <= N <= 1024; else InvalidArgument naming --shard.
Result<std::pair<int, int>> ParseShard(const std::string& text);
// Unix seconds ("1764666000", fractions allowed) or ISO 8601 UTC ("2026-12-02T09:00:00Z").
Result<double> ParseStartAt(const std::string& text);
// Shard `index` (1-based) of `count`'s part of `total`: total / count, plus one for the first
// total % count shards. The parts add up to total.
uint64_t ShareOf(uint64_t total, int index, int count);

// The merged document (see above); `parts` as read, in any order.
Result<results::Results> MergeShards(const std::vector<results::Results>& parts);

struct MergeCommand {
  std::vector<std::string> parts;  // files
  std::string out;                 // -o
  bool verify = false;
  // --verify reads the end state from the target the shards ran against: these URLs, else a
  // server kept up with `racetrack servers up` (never a fresh throwaway: it would be empty).
  std::string redis_url, redis_cluster_url;
};

int MergeMain(const MergeCommand& command, const CliContext& context);

}  // namespace racetrack::bench
