// Lesson `uniques`: counting distinct visitors — an exact set (SADD/SCARD), a HyperLogLog
// (PFADD/PFCOUNT), seven daily HyperLogLogs merged for the week (multi-key PFCOUNT, checked with
// PFMERGE), a bitmap (SETBIT by integer id + BITCOUNT), SQL COUNT(DISTINCT) over a visits table,
// and the PostgreSQL `hll` extension — at cardinalities 10^2 .. 10^7 (`--sizes`).
//
// Data: the visit stream of N distinct visitors is generated from the seed (UniquesStream): about
// 1.5 N visits, every visitor at least once, a third of the visits repeats of earlier visitors
// (a repeat must not change the count). Visitor ids are distinct integers in [0, 4N) — an
// affine permutation — so a bitmap needs 4N bits. The exact count is N by construction.
//
// What is timed: the ingest. Each Step adds one batch of visits (pipelined commands, or one
// INSERT/UPDATE of an array for SQL); PreferredOps() asks for exactly the batches of one pass,
// so the harness's latency is per batch and figures.ingest_ids_per_s the ingest rate. Sample()
// reads the structure's memory and estimate live, so the GUI shows the HyperLogLog's memory
// stopping at 12 KB while the set's keeps growing. Verify() finishes the ingest if a --duration
// cut it short, then times the count (figures.count_p50_us) and checks it.
//
// Correctness: exact approaches (set, bitmap, sql-count-distinct) must return N. HyperLogLogs
// are ok when |estimate - N| / N <= 3 sigma, sigma = 1.04 / sqrt(m) = 0.81% for m = 16384
// registers (Redis's, and the one the sql-hll approach configures: hll_empty(14, 5)); the error
// is recorded either way.
#pragma once

#include <cstdint>
#include <memory>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

std::unique_ptr<Scenario> MakeUniquesScenario();

// The generated visit stream of `n` distinct visitors.
class UniquesStream {
 public:
  UniquesStream(uint64_t seed, int64_t n);
  int64_t distinct() const { return n_; }
  int64_t visits() const { return visits_; }
  // Visitor id of visit j (0 <= j < visits()): distinct ids in [0, id_range()).
  int64_t Visit(int64_t j) const;
  // Day (0..6) of visit j, for the weekly merge.
  int Day(int64_t j) const;
  int64_t id_range() const { return range_; }

 private:
  int64_t IdOf(int64_t i) const;  // the i-th distinct visitor
  uint64_t seed_;
  int64_t n_, visits_, range_, mult_, offset_;
};

// One standard error of a HyperLogLog with m registers: 1.04 / sqrt(m).
double HllSigma(int64_t registers);

}  // namespace racetrack::scenarios
