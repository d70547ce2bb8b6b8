// Results: the `racetrack.result/N` document (docs/results-schema.md) as plain structs, with its
// one writer and its one reader. The harness (bench/) fills a Results and writes it; reports,
// `racetrack compare`, the GUI and the benchmark binary read files back into the same structs.
// This library (racetrack_results: results.cc, histogram.cc, format.cc) owns the schema and
// depends on nothing but nlohmann JSON.
//
// Schema versions: this build writes kSchemaVersion and reads every version from 1 up to it. Any
// change to the fields (a new verdict, unit, cluster or shard field) bumps the version
// (`racetrack.result/3`, ...), keeps a reader for the older ones, and adds a saved file of the
// new version to tests/results/fixtures/ with a test that reads it. Version 2 added the
// four-value verdict, timing_trusted/timing_note, the op unit, the CV flag, the approaches'
// contracts and memory_method; a version-1 file is read with the same verdicts (derived from
// correctness.ok/expected_ok), unit "ops", and timing judged by AssessTiming's CV and op rules.
//
// The reader is strict: the schema string, the record identity (scenario, approach, target), the
// histogram layout and the type of every field it knows are checked, and the first problem is
// returned as one line naming the file and the field, e.g.
//   "run.json: records[3].latency_us.p99: expected a number, got a string".
// Optional fields may be absent (or null): an absent number stays an empty optional, an absent
// object or list an empty container, so a report on a partial or older run still renders. Unknown
// fields are ignored.
//
// Thread-safety: plain values and free functions; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "results/histogram.h"

namespace racetrack::results {

inline constexpr std::string_view kSchemaPrefix = "racetrack.result/";
inline constexpr int kSchemaVersion = 2;

// Timing is not trusted when the throughput's coefficient of variation across repetitions is
// above this (10%): differences smaller than the spread mean nothing.
inline constexpr double kNoiseLimitCv = 0.10;
// Timing is not trusted when fewer operations than this were timed over all repetitions: the
// figure is one or two samples (pipeline's 5 s job at 5 ms RTT is one).
inline constexpr double kMinTrustedOps = 5;

// A record's correctness verdict, against what the lesson expects of the approach. JSON
// "verdict": "correct" | "wrong-expected" | "wrong-unexpected" | "correct-unexpected"; absent
// when the record was not checked.
enum class Verdict {
  kUnchecked,          // no correctness check in the record
  kCorrect,            // checked, passed, meant to pass
  kWrongExpected,      // checked, failed, and the lesson shows this approach going wrong
  kWrongUnexpected,    // checked, failed on an approach meant to be correct: a regression
  kCorrectUnexpected,  // checked, passed, though the lesson expects it wrong (no race was hit)
};
// The JSON value: "correct", "wrong-expected", ...; "" for kUnchecked.
std::string_view VerdictId(Verdict v);
// The inverse of VerdictId for the four checked values; nullopt for anything else.
std::optional<Verdict> VerdictFromId(std::string_view id);
// The verdict table: not checked -> kUnchecked; else ok x expected_ok picks one of the four.
Verdict DeriveVerdict(bool checked, bool ok, bool expected_ok);
// For people, with a mark that tells the four apart: "✅ correct", "✔ wrong, as expected" ...
// (reports and the console table use these; see VerdictMark for the mark alone).
std::string_view VerdictMark(Verdict v);   // "✅", "✗", "❌", "❓", "–"
std::string_view VerdictLabel(Verdict v);  // "correct", "wrong, as expected",
                                           // "WRONG (unexpected)", "correct, though expected
                                           // wrong", "not checked"
// The mark of a verdict whose timing is not trusted: a correct record never shows a plain ✅
// then ("☑" with the untrusted flag); the other marks stay (their timing is not the point).
std::string_view VerdictMark(Verdict v, bool timing_trusted);
// The mark beside a throughput or latency that is not trusted.
inline constexpr std::string_view kUntrustedMark = "⚠";

// The reader's and writer's error: one line, naming the file and, when it applies, the field.
class Error {
 public:
  Error() = default;
  explicit Error(std::string message) : message_(std::move(message)) {}
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

// A value or the Error saying why there is none (this library's own, so that it depends on no
// other racetrack code).
template <typename T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}    // NOLINT: implicit, a value is a success
  Expected(Error error) : v_(std::move(error)) {}  // NOLINT: implicit, an Error is a failure
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Error& error() const { return std::get<Error>(v_); }
  // REQUIRES: ok().
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Error> v_;
};

struct LatencySummary {  // microseconds
  std::optional<double> p50, p90, p99, p999, max, mean;
};

struct Repetition {
  std::optional<double> ops, duration_s, throughput_ops_s;
  std::optional<double> p99_us;  // lets `compare` test p99 across repetitions
  // Server CPU time per operation in this repetition, where the target could tell
  // (bench/harness.h): what `compare --metric cpu` tests. Optional in every schema version
  // (JSON "cpu_us_per_op", omitted when unknown).
  std::optional<double> cpu_us_per_op;
  // The median operation latency of this repetition: a wall-clock figure a busy neighbour
  // disturbs far less than throughput (a preemption delays the one operation it falls into, and
  // a throughput window loses the whole time slice). What `compare` judges as "p50". Optional in
  // every schema version (JSON "p50_us", omitted when unknown).
  std::optional<double> p50_us;
};

struct ThroughputStats {
  std::optional<double> median, min, max, cv;  // over repetitions; cv = stddev / mean
  // cv above kNoiseLimitCv (JSON "cv_above_limit", written from version 2 on; derived from cv).
  bool HighCv() const { return cv && *cv > kNoiseLimitCv; }
};

struct Timeseries {
  double interval_ms = 100;
  std::vector<double> t_s;     // end of each interval, from the start of timing
  std::vector<double> ops;     // completed in that interval
  std::vector<double> p99_us;
  std::map<std::string, std::vector<double>> figures;  // cumulative at interval end
  bool empty() const { return t_s.empty(); }
};

// The outcome of a record's correctness check (JSON "correctness").
struct Correctness {
  bool checked = false;     // the record carries a verdict (JSON "ok"); false = not checked
  bool ok = false;          // the check passed
  // Whether the approach is meant to pass (JSON "expected_ok"; when absent, scenario_info's
  // approach list, else true). A failed check on an approach the lesson shows going wrong is the
  // lesson, not a regression.
  bool expected_ok = true;
  std::map<std::string, double> figures;  // expected, observed, lost_updates, retries, ...
  std::string note;                       // the check's explanation
  Verdict verdict() const { return DeriveVerdict(checked, ok, expected_ok); }
};

// The name of a record's "durability" param value (0 off, 1 relaxed, 2 strict), else the number.
std::string DurabilityParamName(double value);

// One approach x target x parameter point.
struct Record {
  std::string scenario, approach, target;
  std::map<std::string, double> params;  // the parameter point: clients, rate, sizes, rtt_ms, ...
  std::optional<double> ops, errors, duration_s;  // ops and duration over all repetitions
  std::optional<double> throughput_ops_s;         // median over repetitions
  std::vector<Repetition> repetitions;
  ThroughputStats throughput_stats;
  LatencySummary latency_us;
  SparseHistogram histogram;  // all repetitions merged (histogram.h's layout and convention)
  Timeseries timeseries;      // the median repetition's
  Correctness correctness;
  std::map<std::string, double> figures;  // scenario figures that are not correctness
  // Series on the scenario's own axis (ratelimit: admitted per 100 ms of virtual time).
  std::map<std::string, std::vector<double>> series;
  std::string error;  // non-empty: the run of this record ended early on this error
  // What one operation is, plural, as in "<unit>/s": "increments", "decisions", "jobs". JSON
  // "unit"; empty = "ops" (version-1 files). Throughput and latency are per this unit.
  std::string unit;
  // Whether the timing (throughput, latency) can be read as a measurement: false when the
  // injected RTT missed its tolerance, the CV is above kNoiseLimitCv, or too few operations were
  // timed; timing_note says why (sentences joined with "; "). The verdict is separate.
  bool timing_trusted = true;
  std::string timing_note;
  // How figures.memory_per_key_bytes was measured ("used_memory delta after the run, at rest,
  // over 1,000 keys"); empty when the record has no memory figure.
  std::string memory_method;

  // "scenario/approach/target/{params}": how runs are matched across files.
  std::string Key() const;
  // "N=1000 rtt_ms=1" (keys sorted); "" when there are no params. The "durability" param
  // (0 off, 1 relaxed, 2 strict: `--durability off,strict` runs) is shown by name.
  std::string ParamsLabel() const;
  Verdict verdict() const { return correctness.verdict(); }
  // unit, or "ops" when the record names none; UnitSingular: "increment", "op".
  std::string Unit() const { return unit.empty() ? "ops" : unit; }
  std::string UnitSingular() const;
  // The verdict as a bool: nullopt when the record was not checked.
  std::optional<bool> Correct() const {
    return correctness.checked ? std::optional<bool>(correctness.ok) : std::nullopt;
  }
  bool ExpectedCorrect() const { return correctness.expected_ok; }
  // A failed check on an approach meant to be correct.
  bool UnexpectedFailure() const {
    return correctness.checked && !correctness.ok && correctness.expected_ok;
  }
  // A number from correctness or figures (correctness first), if present.
  std::optional<double> Figure(const std::string& name) const;
  std::optional<double> Param(const std::string& name) const;
  // Throughput samples across repetitions (falls back to the single median value).
  std::vector<double> ThroughputSamples() const;
  std::vector<double> P99Samples() const;  // only per-repetition values; may be empty
  std::vector<double> CpuSamples() const;  // per-repetition cpu_us_per_op; may be empty
  std::vector<double> P50Samples() const;  // per-repetition p50_us; may be empty
};

struct Environment {
  std::string host;
  int cores = 0;                            // 0 = unknown
  uint64_t memory_bytes = 0;                // 0 = unknown
  std::string kernel, compiler, git_revision;
  double loopback_rtt_us = 0;               // median of TCP ping-pongs at start; 0 = not measured
  std::map<std::string, std::string> servers;  // target -> server version
  // Optional (written when set, read in any schema version): the --durability mode(s) of the
  // run as given ("off", "off,strict"), and each server's effective durability settings as read
  // back from it (adapters/durability.h): key = target, or "target@mode" when several modes
  // ran; value = setting -> value ("fsync" -> "on", "appendfsync" -> "always").
  std::string durability;
  std::map<std::string, std::map<std::string, std::string>> server_settings;
};

struct Parameters {
  std::string command_line;  // redacted
  std::vector<std::string> scenarios, targets;
  int clients = 8;
  double duration_s = 2.0;
  std::optional<uint64_t> ops;
  std::optional<double> rate;  // ops/s for an open loop
  double warmup_s = 0.2;
  int repetitions = 1;
  uint64_t seed = 42;
  int interval_ms = 100;
  std::map<std::string, double> extra;  // scenario knobs
  // The harness-wide key workload (--keys, --distribution, --value-size) when given; JSON
  // "workload": {"keys": 10000, "distribution": "zipf:0.99", "value_size": "100"}, omitted when
  // none was given (each lesson then uses its own defaults and records them in its figures).
  std::optional<int64_t> keys;
  std::string distribution;
  std::string value_size;
  // Optional: the latency objective of a --rate sweep as given ("p99:1ms"; reports/sweep.h).
  std::string slo;
  // Optional: this file is shard `shard_index` (1-based) of `shard_count` of one run started
  // together at `start_at` (Unix seconds): JSON "shard": {"index": 1, "count": 3, "start_at": T},
  // omitted when shard_count is 0. `racetrack merge` combines the parts.
  int shard_index = 0;
  int shard_count = 0;
  double start_at = 0;
};

struct TargetStatus {
  std::string name;
  bool available = false;
  std::string reason;    // why not, when unavailable
  std::string endpoint;  // redacted, informational
};

// An approach x target the run could not measure, with why.
struct Skip {
  std::string scenario, approach, target, reason;
};

struct ApproachText {
  std::string id, title, summary;
  bool expected_correct = true;
  std::string contract;  // what the approach promises, which its verdict judges (version 2)
  std::string unit;      // its own op unit when it differs from the scenario's; "" = the same
};

// One record set a claim reads (results JSON scenario_info.<id>.claims[].subjects[]).
struct ClaimSubject {
  std::string label;     // the subject's name in the measured text: "PostgreSQL", "cache"
  std::string approach;  // required
  std::string target;    // "" = every target that has the approach (then one point per target)
  std::map<std::string, double> params;  // only records with these parameter values
  std::string figure;    // overrides ClaimText::figure for this subject ("" = the claim's)
};

// A sentence of the article and how this run's records decide it (scenarios/claims.cc is the
// only author; reports/claims.h evaluates it). Optional in every schema version: files written
// before claims existed have none.
//   kind "value": each subject's figure, each record a point;
//        "ratio": subjects[0] / subjects[1] (one point per compatible pair of records);
//        "chain": subjects[0] -> ... -> subjects[n-1] shown in order; the decisive number is the
//                 ratio first / last.
//   figure: "throughput", "p50_us", "p99_us" (the latency summary) or a correctness / figures
//           name ("lost_updates").
//   The decisive number v gives the outcome: when confirm_at >= contradict_at (higher confirms),
//   v >= confirm_at is confirmed and v <= contradict_at contradicted; otherwise (lower confirms)
//   v <= confirm_at is confirmed and v >= contradict_at contradicted; in between, "depends".
//   at_largest: when set, each subject keeps only its records with the largest value of that
//   parameter (per target): "at the largest N this run measured".
struct ClaimText {
  std::string id;       // "counters.rmw-loses": stable
  std::string article;  // the article's sentence, quoted briefly or in our words
  std::string kind = "value";
  std::string figure;
  std::vector<ClaimSubject> subjects;
  double confirm_at = 0, contradict_at = 0;
  std::string at_largest;
  std::string rule;  // the rule in words: "confirmed when ≥ 10x, contradicted when ≤ 2x"
};

// A lesson's text as the scenario registry states it (scenarios/registry.h is its only author;
// the harness copies it into every file it writes so a file explains itself).
struct ScenarioText {
  std::string title, question, expected, lesson;
  std::vector<ApproachText> approaches;
  std::vector<ClaimText> claims;  // the article's claims this lesson tests; may be empty
  std::string unit;  // what one operation is, plural ("decisions"); "" = "ops" (version 1)
  const ApproachText* Approach(const std::string& id) const;  // nullptr when not listed
};

// One results file.
struct Results {
  std::string path;   // where it was read from (not stored in the file)
  std::string label;  // short name for side-by-side columns (file stem, made unique by readers)
  int schema_version = kSchemaVersion;  // the version it was read as
  std::string created;                  // UTC ISO 8601
  std::string racetrack_version;
  Environment environment;
  Parameters parameters;
  std::vector<TargetStatus> targets;
  std::vector<Skip> skipped;
  std::map<std::string, ScenarioText> scenario_info;
  std::vector<Record> records;
  // Scenario-level figures over all its records (leaderboard: growth exponents).
  std::map<std::string, std::map<std::string, double>> scenario_figures;

  // Scenario ids in order of first appearance among the records.
  std::vector<std::string> Scenarios() const;
};

// Writer: the current schema version, pretty-printed, atomically (temp file + rename).
std::string ToJsonText(const Results& results);
Expected<bool> WriteResults(const Results& results, const std::string& path);

// Reader. `origin` names the document in errors (usually its path).
Expected<Results> ParseResults(std::string_view text, const std::string& origin);
// Reads a file; label = the file stem.
Expected<Results> ReadResults(const std::string& path);
// Reads several files and makes their labels unique ("run", "run (2)").
Expected<std::vector<Results>> ReadResultsFiles(const std::vector<std::string>& paths);

// Fills a record's latency summary and throughput statistics from its histogram and repetitions
// (the harness calls this once a record's repetitions are in) and stores the histogram.
void Summarize(Record* record, const Histogram& merged);

// Judges a record's timing by the rules every target shares and adds what it finds to
// timing_note, clearing timing_trusted: throughput CV above kNoiseLimitCv, fewer than
// kMinTrustedOps timed operations. A doubt already there (the scenario's: RTT out of tolerance)
// stays. The harness calls it after Summarize; the reader calls it for version-1 files.
void AssessTiming(Record* record);

// "12,345 decisions/s" (FormatHuman + the record's unit); "–" when missing.
std::string ThroughputWithUnit(const Record& record);

// Step CDF from the percentile summary, for records that carry no histogram.
std::vector<std::pair<double, double>> PercentileCdf(const LatencySummary& latency);

// Current UTC time as "2026-11-27T12:00:00Z".
std::string UtcNowIso8601();

}  // namespace racetrack::results
