// Scenario: one lesson — two or more approaches to the same job, run on the same workload against
// several targets, with a correctness check next to the timing (STYLE.md §7).
//
// The shape, and who calls what (the harness, bench/harness.h, drives it):
//
//   info()                      what the lesson is: id, title, the question, the approaches and
//                               what each needs, the expected outcome and why, the lesson text.
//   Prepare(approach, admin)    outside the timed loop: reset state on the target (DEL the key,
//                               CREATE TABLE + INSERT the row). Returns an ApproachRun: the state
//                               of one approach on one target for one record.
//   run->MakeWorker(client, i)  once per client thread, with that thread's own connection.
//   worker->Step()              one logical operation (one increment, including its retries).
//                               This is what the harness times.
//   run->Sample(observer)       between intervals, on the sampling thread, with its own
//                               connection: the scenario's figures so far (lost_updates) for the
//                               live time series.
//   run->Verify(admin)          after the timed loop: what "correct" means, as a Correctness.
//
// Workers count what they need (acknowledged increments, retries) in the ApproachRun's atomics;
// warm-up operations count for correctness too (they happened), only the timing excludes them.
//
// Thread-safety: Scenario objects are stateless (const); per-run state lives in the ApproachRun.
// Prepare() is called from one thread per run. Workers run on their own threads
// concurrently; Sample() may run concurrently with them; Verify() runs after they stopped.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/client.h"
#include "adapters/target.h"
#include "engine/base/status.h"
#include "scenarios/key_distribution.h"

namespace racetrack::scenarios {

// The adapter vocabulary every lesson speaks (STYLE.md §6), named once for the folder.
using adapters::Argv;
using adapters::Client;
using adapters::Reply;
using adapters::SqlStatement;
using enum adapters::Capability;  // kCapStrings, kCapSql, ...: what an approach needs

struct ApproachInfo {
  std::string id;        // stable, kebab-case: "atomic-incr" (used in names, JSON, filters)
  std::string title;     // "INCR"
  std::string summary;   // one line: what it does
  uint32_t needs = 0;  // adapters::Capability bits the target must have
  // True when the approach is supposed to be correct (the exit code and the reports treat a failed
  // check as a regression); false for the approaches the lesson shows going wrong.
  bool expected_correct = true;
  // What the approach promises, one line ("never more than capacity + rate x t admitted in any
  // interval t"): Verify judges the approach on this, and reports show it beside the verdict.
  // Empty = the scenario's single rule (its `expected` text) applies to every approach.
  std::string contract;
  // Its own op unit when it differs from the scenario's (plural); "" = ScenarioInfo::unit.
  std::string unit;
};

// A scenario knob (--sizes, --rtt-ms, --batch, --pattern): declared by the scenario so the CLI and
// the GUI can offer, validate and sweep it without knowing the scenario (scenarios/knobs.h parses
// and validates values: "--rtt-ms must be between 0 and 1000 (got -1)").
struct KnobInfo {
  std::string name;  // flag name without dashes: "rtt-ms"; also the params/extra key
  std::string help;  // one line
  double min = 0;    // inclusive valid range of each value
  double max = 0;
  bool integer = true;
  std::vector<std::string> choices;  // non-empty: a named choice, passed as its index
  std::vector<double> defaults;      // used when the user gives none
  bool sweep = true;  // accepts a comma list; each value is a separate parameter point (record)
};
// How a knob built by Knob() / ChoiceKnob() takes its values (bits; KnobInfo::sweep, ::integer).
enum KnobFlags : uint32_t {
  kKnobOneValue = 0,  // one value, integer
  kKnobSweeps = 1,    // a comma list, one parameter point (record) per value
  kKnobReal = 2,      // real numbers, not only integers
};
// A numeric knob: each value in [min, max]; `defaults` when the user gives none.
KnobInfo Knob(std::string name, std::string help, double min, double max,
              std::vector<double> defaults, uint32_t flags = kKnobOneValue);
// A named choice, passed as its index into `choices`; `defaults` are indexes.
KnobInfo ChoiceKnob(std::string name, std::string help, std::vector<std::string> choices,
                    std::vector<double> defaults, uint32_t flags = kKnobOneValue);

// Values per knob name, as the user gave them (or the defaults).
using KnobValues = std::map<std::string, std::vector<double>>;

// A sentence of the article (/work/shared/seed: "Redis is more than a cache") and the rule that
// decides it from this lesson's records; scenarios/claims.cc states them all, the harness copies
// them into the results file (results::ClaimText documents the fields and the rule) and
// reports/claims.h evaluates them: confirmed, contradicted, depends, or not measured.
struct ClaimSubject {
  std::string label;     // "PostgreSQL", "cache", "native"
  std::string approach;
  std::string target;    // "" = each target that ran the approach
  std::map<std::string, double> params;  // only records at these parameter values
  std::string figure;    // "" = the claim's figure
};
struct ClaimInfo {
  std::string id;       // "counters.rmw-loses"
  std::string article;  // the article's sentence, briefly
  std::string kind = "value";  // "value" | "ratio" | "chain"
  std::string figure;          // "throughput", "p50_us", "p99_us" or a record figure name
  std::vector<ClaimSubject> subjects;
  double confirm_at = 0, contradict_at = 0;
  std::string at_largest;  // parameter: keep only each subject's records at its largest value
  std::string rule;        // the rule in words
};

struct ScenarioInfo {
  std::string id;        // "counters"
  std::string title;     // "Counters under concurrency"
  std::string question;  // one sentence
  std::vector<ApproachInfo> approaches;
  std::string expected;  // the expected outcome and why, a short paragraph
  std::string lesson;    // the lesson text (plain text, paragraphs separated by blank lines)
  // What one Step() is, plural, as in "<unit>/s": "increments", "decisions", "jobs". Every
  // throughput and latency of the lesson is per this unit (results: Record::unit).
  std::string unit;
  // Names of the figures Sample() returns, for the time series ("lost_updates").
  std::vector<std::string> live_figures;
  // Record figures (correctness or figures) `racetrack run` prints after each row of its table
  // ("hit_ratio", "stale_reads"); default none.
  std::vector<std::string> table_figures;
  // Default parameter point (clients etc.) when the user gives none; 0 = harness default.
  int default_clients = 0;
  // Knobs this scenario reads from RunContext::extra (see KnobInfo). Default: none.
  std::vector<KnobInfo> knobs;
  // Default duration per repetition when the user gives none; 0 = harness default.
  double default_duration_s = 0;
  // The kind of target that stands behind this lesson's own target (cache: the PostgreSQL a cache
  // tier fronts). The CLI and the GUI open it (or reuse it when it is also a target) and pass it
  // as RunContext::backing; nullopt = none.
  std::optional<adapters::TargetKind> backing;
  // The article's claims this lesson's records decide (ArticleClaims(id), scenarios/claims.h).
  std::vector<ClaimInfo> claims;

  const ApproachInfo* FindApproach(std::string_view approach_id) const;
};

// A ScenarioInfo with its heading filled in (the rest is the lesson's to fill): id, title,
// unit (what one Step() is, plural) and the question; its claims are ArticleClaims(id).
ScenarioInfo LessonInfo(std::string id, std::string title, std::string unit, std::string question);

// The parameter point and knobs a record runs with.
struct RunContext {
  int clients = 8;
  uint64_t seed = 42;
  // Knob values: the record's parameter point (see Scenario::ParameterPoints).
  std::map<std::string, double> extra;
  // The target being run, for scenarios that need connections of their own (pipeline opens them
  // through a delay proxy). May be null (then such approaches report why they cannot run).
  adapters::Target* target = nullptr;
  // The harness-wide key workload (--keys, --distribution, --value-size) as the user gave it.
  KeyWorkload workload;
  // ScenarioInfo::backing, opened; null when it could not be had (backing_unavailable says why).
  adapters::Target* backing = nullptr;
  std::string backing_unavailable;
  // Starts extra servers of the target's kind for approaches that need several independent ones
  // (locks' redlock: three lock servers). May be null (then such an approach needs URLs in
  // `text` or reports why it cannot run).
  adapters::ThrowawayServers* servers = nullptr;
  // Text-valued options, by flag name without dashes: "redlock-urls" (comma-separated URLs).
  std::map<std::string, std::string> text;
  // A sharded run (`racetrack run --shard I/N`): this process's 1-based shard, 0 when not
  // sharded. Above 1, shard 1 has prepared the shared state: Prepare must not reset it.
  int shard_index = 0;
};

// The correctness object of one record (schema: records[].correctness).
struct Correctness {
  bool ok = false;
  std::map<std::string, double> figures;  // expected, observed, lost_updates, retries, ...
  std::string note;                        // one or two sentences for people
  // Non-empty when the run's own conditions make its timing unfit to read (pipeline: the
  // effective RTT missed its tolerance): the record gets timing_trusted = false with this note.
  std::string timing_doubt;
};

// What Step() returns when a run that owns its timeline (ApproachRun::OwnsTimeline) has nothing
// more for this worker in this phase. It ends the worker's loop; it is not an error.
inline Status Finished() { return Status::OutOfRange("finished: the run's timeline is over"); }
inline bool IsFinished(const Status& s) {
  return s.code() == Status::Code::kOutOfRange && s.message() == Finished().message();
}

// One client thread's operation for one approach.
class Worker {
 public:
  virtual ~Worker() = default;
  // One logical operation. A non-OK Status counts as an error; kUnavailable / kIoError (the
  // connection is gone) end the run with that message; Finished() ends this worker's phase.
  virtual Status Step() = 0;
  // When set after a successful Step, the harness records this as the operation's latency instead
  // of how long Step() took: for work that started before the Step (messaging: a message's time
  // from its scheduled send to its processing, which another thread began). Default: unset.
  virtual std::optional<int64_t> LastLatencyNs() const { return std::nullopt; }
};

// One approach on one target for one record (all its repetitions).
class ApproachRun {
 public:
  virtual ~ApproachRun() = default;
  // `client` is that thread's own connection and outlives the worker; `index` in [0, clients).
  virtual Result<std::unique_ptr<Worker>> MakeWorker(adapters::Client& client, int index) = 0;
  // The live figures so far (names from ScenarioInfo::live_figures). Default: none.
  virtual Result<std::map<std::string, double>> Sample(adapters::Client& observer);
  virtual Result<Correctness> Verify(adapters::Client& admin) = 0;
  // Figures that are not correctness (schema: records[].figures), e.g. preparation time.
  virtual std::map<std::string, double> Figures() const { return {}; }
  // How figures.memory_per_key_bytes was measured (scenarios/memory_per_key.h's KeyMemory::
  // method), for records[].memory_method; "" when the run has no memory figure. After Verify.
  virtual std::string MemoryMethod() const { return ""; }
  // Operations per repetition this run wants when the user gave neither --ops nor --duration
  // (pipeline: one job of N commands takes N x RTT; a time budget would cut it or waste it), and
  // then the harness skips its warm-up phase (MakeWorker warms the connection). Default: none.
  virtual std::optional<uint64_t> PreferredOps() const { return std::nullopt; }
  // True when the first timed repetition must start from the state Prepare left (the cache
  // lesson's cold cache, whose hit ratio climbs during the run): the harness then skips its
  // warm-up phase. Default: false.
  virtual bool ColdStart() const { return false; }

  // True when the run decides when each phase ends (messaging: every message accounted for;
  // persistence: the last kill recovered): the harness then runs no warm-up and no duration or op
  // budget, and each worker's loop ends when its Step() returns Finished() (or on Stop()).
  virtual bool OwnsTimeline() const { return false; }
  // Series on the scenario's own time axis (schema: records[].series), e.g. ratelimit's admitted
  // per 100 ms of its virtual clock with the limit line: {"t_s": [...], "admitted": [...], ...};
  // every vector the same length. Default: none.
  virtual std::map<std::string, std::vector<double>> Series() const { return {}; }
  // Called on the harness's thread just before a phase's clients are released: `repetition` is
  // -1 for the warm-up, else 0-based; `start_us` is when the clients start, on
  // engine::MonotonicUs()'s clock (sessions revokes at --revoke-at-ms after the first timed
  // phase's start). Default: nothing.
  virtual void PhaseStarting(int repetition, int64_t start_us) { (void)repetition, (void)start_us; }
};

// One finished record, as Scenario::Summarize sees it (scenarios cannot see bench/ types).
struct PointResult {
  std::string approach, target;
  std::map<std::string, double> params;  // the parameter point
  double p50_us = 0, mean_us = 0, throughput_ops_s = 0;
  bool ok = false;
  std::map<std::string, double> figures;  // the record's figures
};

class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual const ScenarioInfo& info() const = 0;
  // The parameter points (one record each) of `approach` on a target of `kind`, from the knob
  // values (the user's or info().knobs' defaults). Each point is merged into RunContext::extra and
  // recorded as the record's params. An empty list = nothing to run there (e.g. an injected RTT on
  // the in-process target). Default: one empty point.
  virtual std::vector<std::map<std::string, double>> ParameterPoints(
      const ApproachInfo& approach, adapters::TargetKind kind, const KnobValues& knobs) const {
    (void)approach, (void)kind, (void)knobs;
    return {{}};
  }
  // Scenario-level figures over all finished records of this scenario (leaderboard: the fitted
  // growth exponent of cost vs N per approach and target). Results JSON: scenario_figures.<id>.
  virtual std::map<std::string, double> Summarize(const std::vector<PointResult>& points) const {
    (void)points;
    return {};
  }
  // Rules across knobs that one knob's range cannot state (messaging: --kill-at-ms must fall
  // before the last send). The CLI calls it before running; Prepare checks again. Default: ok.
  virtual Status ValidateKnobs(const KnobValues& knobs) const {
    (void)knobs;
    return Status::Ok();
  }
  // REQUIRES: the target has approach.needs (the harness checks).
  virtual Result<std::unique_ptr<ApproachRun>> Prepare(const ApproachInfo& approach,
                                                       adapters::Client& admin,
                                                       const RunContext& context) const = 0;
  // Sharded runs (`racetrack merge --verify`): the verdict over every shard's part, from the
  // parts' correctness figures and the target's end state, read once all shards have finished.
  // A lesson that can run sharded implements it (and honours RunContext::shard_index in
  // Prepare); the default says it cannot, and `racetrack run --shard` refuses the lesson.
  virtual bool Shardable() const { return false; }
  virtual Result<Correctness> VerifyShards(const ApproachInfo& approach, adapters::Client& admin,
                                           const RunContext& context,
                                           const std::vector<Correctness>& parts) const {
    (void)approach, (void)admin, (void)context, (void)parts;
    return Status::InvalidArgument("lesson '" + info().id + "' cannot be run sharded yet");
  }
};

// The base every lesson derives from: it holds the ScenarioInfo the lesson builds once, in its
// constructor, and answers info() with it.
class Lesson : public Scenario {
 public:
  const ScenarioInfo& info() const final { return info_; }
  // One point per combination of every knob's values (AllKnobPoints): the usual case, where each
  // knob applies on every target. Lessons whose knobs depend on the approach or target override it.
  std::vector<std::map<std::string, double>> ParameterPoints(
      const ApproachInfo& approach, adapters::TargetKind kind, const KnobValues& knobs) const override;

 protected:
  explicit Lesson(ScenarioInfo info) : info_(std::move(info)) {}
  ScenarioInfo info_;
};

// Prepare's usual ending: the run, once its own preparation `prepared` succeeded, as the
// ApproachRun the harness drives; else that preparation's error.
template <typename Run>
Result<std::unique_ptr<ApproachRun>> PreparedRun(std::unique_ptr<Run> run, const Status& prepared) {
  if (!prepared.ok()) return prepared;
  return std::unique_ptr<ApproachRun>(std::move(run));
}

// One approach of a lesson with the lesson's own enumerator for it. A lesson declares its
// approaches once, in a table of these: its info() lists them (ApproachInfos) and its code finds
// an approach's enumerator by id (KindOfApproach).
template <typename Kind>
struct LessonApproach {
  Kind kind;
  ApproachInfo info;
};

// The ApproachInfos of a lesson's approach table, in table order (ScenarioInfo::approaches).
template <typename Kind, size_t N>
std::vector<ApproachInfo> ApproachInfos(const LessonApproach<Kind> (&table)[N]) {
  std::vector<ApproachInfo> infos;
  for (const LessonApproach<Kind>& a : table) infos.push_back(a.info);
  return infos;
}

// An approach id as the lesson's own enumerator, from its approach table. An id the table lacks
// is a bug: it aborts.
template <typename Kind, size_t N>
Kind KindOfApproach(std::string_view id, const LessonApproach<Kind> (&table)[N]) {
  for (const LessonApproach<Kind>& a : table) {
    if (a.info.id == id) return a.kind;
  }
  RT_CHECK(!"an approach id the lesson's table lacks");
  return table[0].kind;
}

// Why `approach` cannot run on a target with capabilities `caps`, or "" when it can.
std::string MissingCapabilityReason(const ApproachInfo& approach, uint32_t caps);

}  // namespace racetrack::scenarios
