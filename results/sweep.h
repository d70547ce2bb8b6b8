// Sweeps over records: the latency objective of a --rate sweep (--slo p99:1ms) and its knee —
// for each approach x target (x other params), the highest offered rate the target sustains
// within the objective. Used alike by the console table (bench/cli.cc) and the reports.
//
// The knee rule, stated once: a record at offered rate R "meets" the objective when
//   - it ended normally (no error) and completed at least one operation,
//   - its latency at the objective's percentile is within the bound (the harness's open loop
//     measures from the scheduled start, so queueing behind a saturated server counts), and
//   - its achieved throughput is at least kKneeMinAchieved (95%) of R: an open loop that could
//     not even send at R has not shown that the target sustains R.
// The knee is the highest R whose record meets it. No record meeting it = no knee ("none of the
// rates met it"), which the report states rather than leaving a blank.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results/results.h"

namespace racetrack::results {

struct Slo {
  std::string percentile;  // "p50", "p90", "p99", "p999"
  double bound_us = 0;     // > 0
  std::string text;        // as given: "p99:1ms"
};

// "p99:1ms", "p50:250us", "p999:0.5s": a percentile (p50|p90|p99|p999), a colon, a positive
// number with a unit us|ms|s. One-line Error naming what is wrong and the syntax.
Expected<Slo> ParseSlo(std::string_view text);

// The record's latency at the objective's percentile (µs), if it has one.
std::optional<double> SloLatencyUs(const Record& r, const Slo& slo);

inline constexpr double kKneeMinAchieved = 0.95;

// Whether one record meets the objective (the rule above). REQUIRES: r has a "rate" param.
bool MeetsSlo(const Record& r, const Slo& slo);

struct Knee {
  std::string scenario, approach, target;
  std::string other_params;            // the group's params besides "rate" ("clients=8"), may be ""
  std::optional<double> rate;          // the knee; nullopt when no rate met the objective
  std::vector<double> rates;           // every offered rate of the group, ascending
  std::vector<const Record*> records;  // the group's records, in the order of `rates`
};

// The knee of every group of records that carry a "rate" param (group = scenario, approach,
// target and every param but "rate"), in the order the groups first appear.
std::vector<Knee> FindKnees(const std::vector<Record>& records, const Slo& slo);

}  // namespace racetrack::results
