// Run-to-run comparison (`racetrack compare BASE NEW`): the CI regression check.
//
// Records are matched by scenario/approach/target/parameter point. For each match the metrics of
// CompareSettings::metric are compared, each as a cost (lower is better) — "wall": time per
// operation ("time/op" = 1 / throughput, in microseconds per the lesson's unit of work), median
// latency (p50: what a busy neighbour disturbs least — a preemption delays one operation, where
// a throughput window loses the whole time slice) and p99 latency; "cpu": server CPU time per
// operation (where the run recorded it) — and judged by reports/gate.h. Records merged from
// compare-run's interleaved rounds (figure kRoundsFigure, equal on both sides) are judged PAIRED:
// each side's best repetition, best(NEW)/best(BASE) against t = max(threshold, the spread of a
// paired bootstrap over rounds, the A/A spread when given), and the bootstrap's p-value after
// a Holm correction over every test of the
// comparison. Other records (two archived runs) are judged UNPAIRED: the ratio of medians against
// t = max(threshold, 2 x IQR/median of each side's repetitions, A/A spread) and the Mann-Whitney
// U test. A regression is a ratio above 1 + t, an improvement below 1 / (1 + t). With fewer than
// kUTestOptimalRepetitions on a side (paired: GateSettings::min_test_rounds rounds) the test is
// reported as weak and the threshold alone decides. One metric per record GATES (takes part in Holm and can
// fail the comparison): p50 where both sides recorded it per repetition, else time/op; with
// "cpu", CPU per op. The others are reported against their own thresholds ("not gated").
//
// A correctness check that passed in BASE and fails in NEW is a regression ("flip"), unless the
// approach is one the lesson expects to go wrong. A record merged from several harness runs
// (compare-run) carries how many of its checks ran and failed (correctness figures
// kChecksFigure / kFailedChecksFigure): it flips only when NEW's check failed in EVERY run and
// BASE's passed in most — a lesson whose check a loaded machine breaks now and then (a lease
// that expires under a descheduled holder) then does not fail an A/A run, while a change that
// breaks the check breaks it every time. Records on one side only are listed.
//
// Two results files run one after the other carry the machine's drift between the runs (on a
// shared 2-core box often more than 10%, consistent within a run, so the test calls it
// significant); the output says so unless `interleaved` is set (`racetrack compare-run`).
//
// Thread-safety: pure functions; a Comparison points into the Results it was built from.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"
#include "reports/model.h"

namespace racetrack::reports {

struct CompareSettings {
  double threshold_pct = 10;  // a worse change smaller than this is noise (the gate's floor)
  double alpha = 0.05;        // family-wise significance level (U test, Holm-corrected)
  std::string metric = "wall";  // "wall" (throughput, p99) or "cpu" (cpu_us_per_op)
  // Measured A/A spread, |relative change|, by AaKey(record key, metric).
  std::map<std::string, double> aa_spread;
  bool interleaved = false;  // the two sides ran alternately (compare-run): no drift note
};

// The key of aa_spread: Record::Key() + "|" + metric name.
std::string AaKey(const std::string& record_key, const std::string& metric);
// The A/A spreads in a comparison JSON (ComparisonJson of an A/A run): per record and metric the
// symmetric size of its change (gate.h SymmetricChange: x1.25 and x0.8 both 0.25), the larger
// when a key repeats. Merged into *spread (max). A file from before costs were judged (metric
// "throughput", change of throughput c) counts as "time/op" with change 1/(1+c) - 1. One-line
// error on bad input.
Status ReadAaSpread(const std::string& path, std::map<std::string, double>* spread);

// Correctness figures a merged record carries (bench/compare_run.h MergeRounds): the number of
// harness runs whose check ran, and how many of them failed.
inline constexpr char kChecksFigure[] = "checks_run";
inline constexpr char kFailedChecksFigure[] = "checks_failed";

// The number of harness runs (compare-run rounds) a merged record's repetitions came from, in
// round order: lets the gate pair round r of BASE with round r of NEW (reports/gate.h, paired).
inline constexpr char kRoundsFigure[] = "harness_runs";

// How many checks of a record ran and failed (runs 0: not checked).
struct CheckCounts {
  int runs = 0;
  int failed = 0;
};

struct MetricChange {
  std::string metric;  // "time/op" (1 / throughput), "p50", "p99", "cpu"
  std::string unit;    // "us/op", "us"
  std::string per;     // time/op: the lesson's unit of work ("increments"), else ""
  std::optional<double> base, next;  // medians (costs: lower is better)
  std::optional<double> change;      // next / base - 1
  std::optional<double> p_value;     // U test, when both sides have >= 2 samples
  std::optional<double> p_adjusted;  // Holm-adjusted, when the test was strong enough to count
  size_t base_n = 0, next_n = 0;     // samples per side
  bool weak = true;                  // too few repetitions for the test to decide
  bool paired = false;               // judged on paired rounds (gate.h), else unpaired
  int rounds = 0;                    // paired: rounds judged
  double threshold = 0;              // the noise threshold used, fraction
  std::string threshold_source;      // "floor", "base IQR", "A/A spread"
  std::string outcome;               // gate.h OutcomeName
  std::string reason;                // one line: why this verdict
  bool regression = false;
  bool improvement = false;
  bool gates = true;  // the record's gating metric; false = reported only
  // A gating metric more paired rounds could settle (gate.h MoreRoundsCouldDecide): compare-run
  // runs --extra-rounds more rounds of its selection.
  bool more_rounds = false;
};

struct RecordComparison {
  const Record* base = nullptr;
  const Record* next = nullptr;
  std::vector<MetricChange> metrics;
  CheckCounts base_checks, next_checks;
  bool correctness_flip = false;   // passed in base, fails in new (and is meant to pass)
  bool correctness_fixed = false;  // failed in base, passes in new
  bool Regressed() const;
};

struct Comparison {
  std::string base_path, next_path;
  CompareSettings settings;
  std::vector<RecordComparison> matched;
  std::vector<const Record*> only_base, only_next;
  size_t regressions = 0;  // metrics that regressed
  size_t flips = 0;        // correctness flips
  size_t weak = 0;         // matched records decided by threshold alone
  bool Failed() const { return regressions > 0 || flips > 0; }
  int ExitCode() const { return Failed() ? 1 : 0; }
};

Comparison CompareResults(const Results& base, const Results& next, const CompareSettings& settings);

// Renderings: a fixed-width table for the terminal, a Markdown table for CI job summaries, and JSON
// for tools ({"exit_code", "regressions", "flips", "records": [...], "only_in_base", ...}).
std::string ComparisonText(const Comparison& c);
std::string ComparisonMarkdown(const Comparison& c);
nlohmann::json ComparisonJson(const Comparison& c);

}  // namespace racetrack::reports
