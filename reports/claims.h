// The article beside the measurements: evaluates a lesson's claims (results::ClaimText, stated by
// scenarios/claims.cc and copied into every results file) against the file's records. One pure
// function decides every claim the same way for the HTML and Markdown reports, the GUI's closing
// slide and `racetrack figures`:
//
//   1. Each subject selects records: its scenario and approach, its target (or every target),
//      its pinned parameter values; records that ended on an error or lack the figure are left
//      out; with at_largest, only each target's records at the largest value of that parameter.
//   2. Points: a "value" claim has one point per selected record; "ratio" and "chain" claims join
//      one record per subject, on the same target where a subject names none, and at equal values
//      of the parameters the records share but the subjects do not pin.
//   3. Each point's decisive number (the value, subjects[0] / subjects[1], or first / last) is
//      judged by the claim's thresholds; the claim is confirmed or contradicted when every point
//      agrees, "depends" when they disagree (on target, on query, ...), "not measured" when no
//      point exists (the approach was skipped or the lesson not run).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/model.h"

namespace racetrack::reports {

using results::ClaimText;

enum class ClaimOutcome { kConfirmed, kContradicted, kDepends, kNotMeasured };
// "confirmed", "contradicted", "depends", "not measured".
std::string_view ClaimOutcomeName(ClaimOutcome outcome);

struct ClaimPoint {
  std::string where;  // "redis", "redis, query=1"
  std::string text;   // "PostgreSQL 37 ms → cache 48.7 µs → native 137 µs (270×)"
  double decisive = 0;
  ClaimOutcome outcome = ClaimOutcome::kNotMeasured;
};

struct ClaimEvaluation {
  std::string scenario;  // lesson id
  std::string lesson;    // lesson title ("" when the file has none)
  ClaimText claim;
  ClaimOutcome outcome = ClaimOutcome::kNotMeasured;
  std::vector<ClaimPoint> points;
  // "redis: PostgreSQL 37 ms → …; builtin: …", or why nothing was measured.
  std::string measured;
};

// One claim of lesson `scenario` against `records` (records of other lessons are ignored).
ClaimEvaluation EvaluateClaim(const ClaimText& claim, const std::string& scenario,
                              const std::vector<Record>& records);

// Every claim of every lesson of `run` that has records, in the order the lessons ran.
std::vector<ClaimEvaluation> EvaluateClaims(const Results& run);

// The claims as a Markdown table (lesson | the article says | measured here | outcome |
// decided by), "" when `claims` is empty. The Markdown report opens with it; `racetrack figures`
// puts it in the README.
std::string ClaimsMarkdownTable(const std::vector<ClaimEvaluation>& claims);
// "✅ confirmed", "⊘ contradicted", "⚖️ depends", "– not measured".
std::string ClaimOutcomeMark(ClaimOutcome outcome);

// A record's figure by the names claims and README tables use: "throughput", "p50_us", "p99_us"
// (the latency summary) or a correctness / figures name; nullopt when the record lacks it.
std::optional<double> RecordFigure(const Record& r, std::string_view figure);

// A figure's value as the claims show it: "37 ms", "14.1 KB", "2.00×", "0.23%", "64,594".
std::string FormatClaimFigure(std::string_view figure, double value);
// The figure's name to print before that value: Humanize's, without the unit when the value
// carries its own ("wait_p99_us" -> "wait p99", "load_ms" -> "load (ms)").
std::string ClaimFigureLabel(std::string_view figure);

}  // namespace racetrack::reports
