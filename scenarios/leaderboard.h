// Lesson `leaderboard`: SQL `ORDER BY score DESC, player DESC LIMIT 10` (without and with a btree
// index) vs a sorted set (ZRANGE ... REV), plus the two companion queries — a player's rank
// (SQL count of higher scores vs ZREVRANK) and a score update under concurrent top-10 reads
// (UPDATE vs ZINCRBY) — at N = 10^3 .. 10^6 players.
//
// Data: N players "p:0000000".. with integer scores derived from the seed (ties on purpose). Ties
// are ordered the same way everywhere: score descending, then player descending (what ZRANGE REV
// does with equal scores). Loading is preparation: done once per (target, N, seed) — PostgreSQL
// via INSERT ... SELECT FROM unnest($1::text[], $2::bigint[]) in chunks, sorted sets via
// pipelined ZADD batches — timed and reported as figures.load_s, never inside the measured loop;
// a later record reuses the loaded data unless an update approach changed it.
//
// Knob: --sizes (sweep; default 1000,10000,100000; 10^6 on request).
//
// Correctness: every top-10 the workers read equals the top-10 computed in the client from the
// generated data; every rank read equals the expected rank; after updates, the updated players'
// scores and the top-10 equal what the increments imply. ok = no mismatch.
//
// Summarize(): the fitted growth exponent b of cost ~ N^b (least squares on log p50 vs log N)
// per approach and target: ~1 for the unindexed scan, ~0 for the index and the sorted set.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

std::unique_ptr<Scenario> MakeLeaderboardScenario();

// The generated data set: player i's name and initial score.
std::string LeaderboardPlayer(int64_t i);
int64_t LeaderboardScore(uint64_t seed, int64_t n, int64_t i);

// Least-squares slope of log(y) against log(x) over points with x > 0 and y > 0; NaN when fewer
// than two distinct x.
double FitGrowthExponent(const std::vector<std::pair<double, double>>& xy);

}  // namespace racetrack::scenarios
