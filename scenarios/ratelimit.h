// Lesson `ratelimit`: fixed window vs sliding log vs sliding-window counter vs token bucket vs
// GCRA — what "100 requests per second" actually admits, measured on every target.
//
// Each limiter is written the way it is really done on each target: atomic via MULTI/EXEC
// (fixed window: INCR + PEXPIRE) or one Lua script (the others) on Redis-likes, and on PostgreSQL
// one statement (upsert ... RETURNING) or a PL/pgSQL function holding a per-key advisory lock.
//
// Time is virtual: every request carries its scheduled time as `now` (the client-supplied clock,
// as many real limiters do), taken from a per-client traffic schedule (TrafficSchedule) driven by
// an engine::ManualClock. So the decisions are reproducible run to run and target to target, the
// boundary burst lands exactly on the window edge, and nothing sleeps: the harness's latency is
// the real cost of one decision (one round trip plus the limiter's work).
//
// Each client key is driven by exactly one worker (worker i owns its keys), so one key's requests
// reach the server in time order, as they would from one user.
//
// Knobs: --pattern boundary|steady|bursty|many-keys (sweep), --limit N (per window, 1..10000),
// --window-ms W (10..10000).
//
// Accuracy per record (correctness): admitted, rejected, max_in_window (the most admissions of one
// key in any rolling window of W, from the admit times) vs limit, wrongful_rejections (rejections
// an exact sliding log would not have made); ok = max_in_window <= limit (and, for the sliding
// log, no wrongful rejection); token bucket and GCRA are judged on their own contract instead
// (burst + rate x t over any interval: burst_allowance, max_burst). Figures: memory_per_key_bytes
// (scenarios/memory_per_key.h: after the run, at rest, over every key; SQL split into data and
// page overhead). Series: admitted and rejected per 100 ms of key 0, its rolling count and the limit line.
#pragma once

#include <cstdint>
#include <memory>
#include <random>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

enum class TrafficPattern { kBoundary = 0, kSteady = 1, kBursty = 2, kManyKeys = 3 };

// Keys in the many-keys pattern (split across workers).
inline constexpr int kManyKeysCount = 10'000;

// One client's request times, in microseconds of virtual time, non-decreasing.
//   boundary:  per cycle of 2W: `limit` requests evenly in the last tenth of a window, and `limit`
//              more in the first tenth of the next (window edges at multiples of W);
//   steady:    2 x limit per window, evenly;
//   bursty:    Poisson arrivals; each window is a burst (rate 5 x limit / W) with probability 0.3,
//              else quiet (0.5 x limit / W);
//   many-keys: one request every 100 µs (the worker round-robins over its keys).
class TrafficSchedule {
 public:
  // origin: a multiple of 2 x window.
  TrafficSchedule(TrafficPattern pattern, int64_t origin_us, int64_t window_us, int64_t limit,
                  uint64_t seed);
  int64_t Next();

 private:
  TrafficPattern pattern_;
  int64_t origin_, window_, limit_;
  int64_t k_ = 0;     // requests so far
  int64_t last_ = 0;  // bursty: the previous time
  uint64_t seed_;
  std::mt19937_64 rng_;
};

std::unique_ptr<Scenario> MakeRatelimitScenario();

}  // namespace racetrack::scenarios
