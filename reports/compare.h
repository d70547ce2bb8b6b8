// Run-to-run comparison (`racetrack compare BASE NEW`): the CI regression check.
//
// Records are matched by scenario/approach/target/parameter point. For each match, throughput
// (higher is better) and p99 latency (lower is better) are compared: the change of the median and,
// when both sides have per-repetition samples, a two-sided Mann-Whitney U test across repetitions
// (as Google Benchmark's compare.py). A metric regresses when it got worse by more than the
// threshold AND, if the test is strong (>= kUTestOptimalRepetitions on both sides), the test is
// significant (p < alpha). With fewer repetitions the test is reported as weak and the threshold
// alone decides. A correctness check that passed in BASE and fails in NEW is always a regression,
// unless the approach is one the lesson expects to go wrong. Records on one side only are listed.
//
// Thread-safety: pure functions; a Comparison points into the Results it was built from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/model.h"

namespace racetrack::reports {

struct CompareSettings {
  double threshold_pct = 10;  // a worse change smaller than this is noise
  double alpha = 0.05;        // significance level of the U test
};

struct MetricChange {
  std::string metric;  // "throughput", "p99"
  std::string unit;    // "ops/s", "us"
  bool higher_is_better = true;
  std::optional<double> base, next;  // medians
  std::optional<double> change;      // (next - base) / base
  std::optional<double> p_value;     // U test, when both sides have >= 2 samples
  size_t base_n = 0, next_n = 0;     // samples per side
  bool weak = true;                  // too few repetitions for the test to decide
  bool regression = false;
  bool improvement = false;
};

struct RecordComparison {
  const Record* base = nullptr;
  const Record* next = nullptr;
  std::vector<MetricChange> metrics;
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
