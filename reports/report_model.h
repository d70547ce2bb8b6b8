// What every human-readable report shows, computed once: per scenario the lesson and a table of
// approach x target (x parameter point x run) with formatted figures and a verdict; the
// environment side by side; and the warnings. The HTML and Markdown writers only lay this out, so
// the two formats cannot disagree about a number or a verdict.
//
// Thread-safety: pure functions over the results they are given (rows point into them).
#pragma once

#include <string>
#include <vector>

#include "reports/model.h"

namespace racetrack::reports {

// A lesson's title and text for a report: the scenario_info of the first run that carries it
// (the registry's text, copied by the harness or filled in by the CLI), else "Scenario <id>".
struct LessonText {
  std::string title;
  std::string lesson;  // the question, then the lesson
};
LessonText LessonFor(const std::string& scenario, const std::vector<Results>& runs);

// The record's verdict (results/results.h): correct, wrong-expected, wrong-unexpected,
// correct-unexpected, or unchecked.
using Verdict = results::Verdict;

struct TableRow {
  const Results* run = nullptr;
  const Record* record = nullptr;
  // Formatted; "–" when missing. `throughput` is the number alone when the table's header names
  // the unit (ScenarioTable::unit), else "1,234 updates/s".
  std::string throughput, p50, p99, p999;
  Verdict verdict = Verdict::kUnchecked;
  std::string figures;  // "lost updates 3,412 · expected 16,000 · ..."
  std::string note;     // correctness.note
  std::string contract;  // the approach's promise the verdict judged ("" when it states none)
  bool high_cv = false;
  bool timing_trusted = true;
  std::string timing_note;  // why not, when !timing_trusted
  // The verdict's mark and word as every report shows them: "✅ correct", "☑ correct" (timing
  // untrusted), "✗ wrong, as expected", "❌ WRONG (unexpected)", "❓ correct, though expected
  // wrong", "–".
  std::string VerdictCell() const;
};

struct ScenarioTable {
  std::string scenario;
  LessonText lesson;
  std::vector<TableRow> rows;  // grouped by (params, approach, target), runs adjacent
  bool show_run = false;       // several runs contain this scenario
  bool show_params = false;    // rows differ in their parameter point
  // The op unit every row shares ("decisions"), named in the throughput header as
  // "throughput (decisions/s)"; "" when rows differ (each cell then carries its unit).
  std::string unit;
  std::string ThroughputHeader() const;  // "throughput (decisions/s)" or "throughput"
};

// Records whose throughput CV across repetitions exceeds this are flagged.
inline constexpr double kHighCv = results::kNoiseLimitCv;

std::vector<ScenarioTable> BuildTables(const std::vector<Results>& runs);

struct Warning {
  // kHighCv: the record's timing is not trusted (CV above the limit, RTT out of tolerance, too
  // few operations); the text says which.
  enum class Kind { kFailedCheck, kHighCv, kErrors, kSkippedTarget, kExpectedWrong };
  Kind kind;
  std::string text;  // one sentence, plain text
};
// Most severe first: failed checks, errors, high variation, skipped targets, then the lesson's
// expected failures (informational).
std::vector<Warning> BuildWarnings(const std::vector<Results>& runs);

// Environment rows: a label and one value per run ("" when a run lacks it).
struct EnvRow {
  std::string label;
  std::vector<std::string> values;
};
std::vector<EnvRow> BuildEnvironment(const std::vector<Results>& runs);

// The durability mode(s) the runs used (`racetrack run --durability`), for the report's header
// and every table's caption: "off", "off, strict" (then the rows' durability param tells which),
// "strict (a) · off (b)" when runs differ, "not recorded" for files written before the flag.
std::string DurabilityText(const std::vector<Results>& runs);

// The knee of each approach x target of a --rate sweep with --slo (results/sweep.h), one
// sentence: "Knee (highest offered rate with p99 ≤ 1 ms and ≥ 95% of it achieved): incr on
// redis 20k ops/s; ...". "" when no run of `scenario` has an objective and rate-swept records.
std::string KneeText(const std::string& scenario, const std::vector<Results>& runs);

// Text shared by the writers.
std::string VerdictText(Verdict v);  // results::VerdictLabel: "correct", "wrong, as expected", ...
std::string RecordName(const Record& r, const Results* run, bool with_run);  // "counters / incr on redis"

}  // namespace racetrack::reports
