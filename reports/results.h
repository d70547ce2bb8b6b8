// Results reader: a `racetrack.result/1` JSON document (docs/results-schema.md) turned into plain
// structs that reports, `racetrack compare` and the GUI can walk without touching JSON.
//
// Validation is strict about what identifies a document (it must be JSON, its "schema" must be
// racetrack.result/N with N this build understands, it must hold at least one record, and every
// record must name its scenario, approach and target) and lenient about everything else: a missing
// or null optional field becomes an empty optional / empty container, never an error, so a report
// on an older or partial run still renders.
//
// Every error is a Status whose message is one line that starts with the file name, e.g.
//   "old.json: written by a newer racetrack (schema racetrack.result/2); this build reads
//    racetrack.result/1 - upgrade racetrack to read it"
//
// Thread-safety: plain values and free functions; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace racetrack::reports {

inline constexpr std::string_view kSchemaPrefix = "racetrack.result/";
inline constexpr int kSchemaVersion = 1;

struct LatencySummary {  // microseconds
  std::optional<double> p50, p90, p99, p999, max, mean;
};

// The log-linear histogram as stored (sparse [index, count] pairs); see histogram.h to decode.
// HdrHistogram counts integer multiples of a unit. bench/ (the producer) counts nanoseconds and
// writes "lowest_us": 0.001; schema v1's example counts microseconds ("lowest_us": 1). The reader
// turns either into (unit_us, lowest in units) so histogram.h can decode both.
struct StoredHistogram {
  int sub_bucket_bits = 0;
  double lowest = 1;   // lowest discernible value, in units
  double unit_us = 1;  // one unit in microseconds: 1, or 0.001 for nanosecond counts
  std::vector<std::pair<int64_t, int64_t>> counts;
  bool empty() const { return counts.empty(); }
};

struct Repetition {
  std::optional<double> ops, duration_s, throughput_ops_s;
  // Not in schema v1's example but accepted when a producer records it ("latency_us": {"p99": ..}
  // or "p99_us"): lets `compare` test p99 across repetitions.
  std::optional<double> p99_us;
};

struct ThroughputStats {
  std::optional<double> median, min, max, cv;
};

struct Timeseries {
  double interval_ms = 0;
  std::vector<double> t_s, ops, p99_us;
  std::map<std::string, std::vector<double>> figures;  // cumulative at interval end (schema rule)
  bool empty() const { return t_s.empty(); }
};

struct Record {
  std::string scenario, approach, target;
  nlohmann::json params = nlohmann::json::object();  // the parameter point
  std::optional<double> ops, errors, duration_s, throughput_ops_s;
  std::vector<Repetition> repetitions;
  ThroughputStats throughput_stats;
  LatencySummary latency_us;
  StoredHistogram histogram;
  Timeseries timeseries;
  std::optional<bool> correct;  // correctness.ok; nullopt = not checked
  // Whether the approach is meant to pass its check (scenarios' ApproachInfo::expected_correct):
  // correctness "expected_ok" (what bench/ writes) or record "expected_correct", else
  // scenario_info's approach list; nullopt = unknown (treated as true). A failed check on an approach the lesson shows going wrong is the lesson, not a bug.
  std::optional<bool> expected_correct;
  nlohmann::json correctness = nlohmann::json::object();   // everything, including "ok"
  nlohmann::json figures = nlohmann::json::object();
  std::string error;  // non-empty: the run of this record ended early on this error

  // "scenario/approach/target/{params as compact JSON, keys sorted}": how runs are matched.
  std::string Key() const;
  // "N=1000 rtt_ms=1" (keys sorted); "" when there are no params.
  std::string ParamsLabel() const;
  bool ExpectedCorrect() const { return expected_correct.value_or(true); }
  // A failed check on an approach meant to be correct.
  bool UnexpectedFailure() const { return correct == false && ExpectedCorrect(); }
  // A number from correctness or figures (correctness first), if present and numeric.
  std::optional<double> Figure(const std::string& name) const;
  // Throughput samples across repetitions (falls back to the single median value).
  std::vector<double> ThroughputSamples() const;
  std::vector<double> P99Samples() const;  // only per-repetition values; may be empty
};

struct TargetInfo {
  std::string name;
  bool available = true;
  std::string reason;
};

// Optional per-scenario text a producer may embed: "scenario_info": {"counters": {"title": ..,
// "question": .., "lesson": .., "approaches": [{"id": .., "title": .., "expected_correct": ..}]}}.
// Reports fall back to lessons.h when absent.
struct ScenarioInfo {
  std::string title, question, expected, lesson;
  std::map<std::string, bool> expected_correct;        // approach id -> expected_correct
  std::map<std::string, std::string> approach_titles;  // approach id -> "INCR"
};

// An approach x target the run could not measure, with why ("skipped" in bench/'s output).
struct SkippedRun {
  std::string scenario, approach, target, reason;
};

struct Results {
  std::string path;   // where it was read from
  std::string label;  // short name for side-by-side columns (file stem, made unique by the caller)
  std::string schema, created, racetrack_version;
  nlohmann::json environment = nlohmann::json::object();
  nlohmann::json parameters = nlohmann::json::object();
  std::vector<TargetInfo> targets;
  std::vector<SkippedRun> skipped;
  std::vector<Record> records;
  std::map<std::string, ScenarioInfo> scenario_info;

  // Scenario ids in order of first appearance among the records.
  std::vector<std::string> Scenarios() const;
};

// Parses a document. `origin` names it in error messages (usually the path).
Result<Results> ParseResults(std::string_view text, const std::string& origin);

// Reads and parses a file; label defaults to the file stem.
Result<Results> ReadResultsFile(const std::string& path);

// Reads several files and makes their labels unique ("run", "run (2)").
Result<std::vector<Results>> ReadResultsFiles(const std::vector<std::string>& paths);

// Small JSON helpers shared by the writers: a number if `j[key]` is one, else nullopt.
std::optional<double> NumberAt(const nlohmann::json& j, const char* key);
// A scalar as compact text (strings unquoted, numbers without trailing zeros).
std::string ScalarText(const nlohmann::json& j);

}  // namespace racetrack::reports
