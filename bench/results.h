// Results: the `racetrack.result/1` document (docs/results-schema.md) as structs, and its JSON
// writer and reader. The harness fills these; the CLI writes them with --json; the GUI and tools
// read them back. Library `racetrack_results` (results.cc + histogram.cc) has no other racetrack
// dependency than engine/base/status.h, so reports/ can link it without the harness.
//
// Thread-safety: plain values and free functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/histogram.h"
#include "engine/base/status.h"

namespace racetrack::bench {

inline constexpr char kResultSchema[] = "racetrack.result/1";

struct Environment {
  std::string host;
  int cores = 0;
  uint64_t memory_bytes = 0;
  std::string kernel;
  std::string compiler;
  std::string git_revision;
  double loopback_rtt_us = 0;               // median of TCP ping-pongs at start; 0 = not measured
  std::map<std::string, std::string> servers;  // target -> server version
};

struct Parameters {
  std::string command_line;  // redacted
  std::vector<std::string> scenarios;
  std::vector<std::string> targets;
  int clients = 8;
  double duration_s = 2.0;
  std::optional<uint64_t> ops;
  std::optional<double> rate;
  double warmup_s = 0.2;
  int repetitions = 1;
  uint64_t seed = 42;
  int interval_ms = 100;
  std::map<std::string, double> extra;
};

struct TargetStatus {
  std::string name;
  bool available = false;
  std::string reason;    // why not, when unavailable
  std::string endpoint;  // redacted, informational (not in schema v1's example; readers ignore)
};

struct Skip {
  std::string scenario, approach, target, reason;
};

struct RepetitionResult {
  uint64_t ops = 0;
  double duration_s = 0;
  double throughput_ops_s = 0;
  double p99_us = 0;
};

struct LatencyUs {
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
};

struct TimeSeries {
  int interval_ms = 100;
  std::vector<double> t_s;
  std::vector<uint64_t> ops;
  std::vector<double> p99_us;
  std::map<std::string, std::vector<double>> figures;  // cumulative at interval end
};

struct CorrectnessResult {
  bool ok = false;
  bool expected_ok = true;
  std::map<std::string, double> figures;  // expected, observed, lost_updates, retries, ...
  std::string note;
};

struct Record {
  std::string scenario, approach, target;
  std::map<std::string, double> params;  // the parameter point: clients, rate, ...
  uint64_t ops = 0;                      // all repetitions
  uint64_t errors = 0;
  double duration_s = 0;                 // all repetitions
  double throughput_ops_s = 0;           // median over repetitions
  std::vector<RepetitionResult> repetitions;
  double tp_median = 0, tp_min = 0, tp_max = 0, tp_cv = 0;
  LatencyUs latency;
  Histogram histogram;                   // all repetitions merged
  TimeSeries timeseries;                 // the median repetition's
  CorrectnessResult correctness;
  std::map<std::string, double> figures;
  // Series on the scenario's own time axis (ratelimit: admitted per 100 ms of virtual time and
  // the limit line); JSON "series", omitted when empty.
  std::map<std::string, std::vector<double>> series;
  std::string error;                     // non-empty: the run ended early on this
};

struct ApproachText {
  std::string id, title, summary;
  bool expected_correct = true;
};
struct ScenarioText {
  std::string title, question, expected, lesson;
  std::vector<ApproachText> approaches;
};

struct ResultDocument {
  std::string created;  // UTC ISO 8601
  std::string racetrack_version;
  Environment environment;
  Parameters parameters;
  std::vector<TargetStatus> targets;
  std::vector<Skip> skipped;
  std::map<std::string, ScenarioText> scenario_info;
  std::vector<Record> records;
  // Scenario-level figures over all its records (leaderboard: growth exponents); JSON
  // "scenario_figures", omitted when empty.
  std::map<std::string, std::map<std::string, double>> scenario_figures;
};

// Fills latency/throughput summaries of `record` from its histogram and repetitions.
void Summarize(Record* record);

nlohmann::json ToJson(const Record& record);
nlohmann::json ToJson(const ResultDocument& doc);
// Strict on identity (schema string, records' names), lenient on optional fields.
Result<Record> RecordFromJson(const nlohmann::json& j);
Result<ResultDocument> FromJson(const nlohmann::json& j);

// File I/O: one-line errors naming the path.
Status WriteResults(const ResultDocument& doc, const std::string& path);
Result<ResultDocument> ReadResults(const std::string& path);

// Current UTC time as "2026-11-27T12:00:00Z".
std::string UtcNowIso8601();

}  // namespace racetrack::bench
