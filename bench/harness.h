// The harness: runs scenario approaches on targets with N client threads and measures them —
// the one measurement loop shared by the CLI, racetrack-bench (Google Benchmark) and the GUI.
//
// Session = one approach of one scenario on one target: it opens one connection per client
// thread plus an admin and an observer connection, calls Scenario::Prepare (outside timing), and
// keeps its client threads parked between phases. RunPhase() releases every thread at the same
// instant (a start barrier: all clients hit the target together, which is what makes races show)
// and runs until the phase's duration or op budget is spent or Stop() is called.
//
//   closed loop (rate == 0): each client sends, waits for the reply, sends the next;
//   open loop (rate > 0):    client i's k-th operation is *scheduled* at
//                            start + (i + k * clients) * (1 / rate) — the clients interleave to
//                            one evenly spaced stream of `rate` ops/s — and its latency is
//                            measured from the scheduled time, not from when it was sent, so a
//                            stalled server shows up as queueing latency (no coordinated omission).
//
// Latencies go into one LiveHistogram per thread; every interval (default 100 ms) the calling
// thread snapshots them for the time series (ops, p99 in that interval) and asks the scenario for
// its live figures (lost updates so far), then reports Progress and the IntervalSample through
// the callbacks. Warm-up is a phase whose measurements are discarded.
//
// Harness::Run() runs a whole plan (scenarios x approaches x targets): per combination a Session,
// warm-up, `repetitions` timed phases, then Verify. Combinations a target cannot run are skipped
// with the reason. Around each timed phase the server's CPU time is read (Session::CpuSeconds):
// the repetition's cpu_us_per_op and the record's figure "cpu_us_per_op" (median), a figure that
// survives a busy neighbour better than throughput does (`racetrack compare --metric cpu`).
//
// CALIBRATION HOOK (bench/gate-calibration only, off by default): the environment variable
// RACETRACK_CALIBRATION_SLOWDOWN="scenario/approach/target:F" makes every timed operation of that
// combination cost F x its usual time more: after the reply the client thread busy-waits a fixed
// D = F x the median operation latency of the warm-up (measured without the hook), inside the
// timed region — like code that got slower (it burns CPU, it does not sleep). A fixed D, not F x
// each operation's own time: on a loaded machine an operation that was preempted would otherwise
// be stretched by F x the preemption too, injecting far more than F (the first calibration saw
// -40..-70% throughput for F = 0.25). Without a warm-up median (--warmup 0, runs sized by whole
// jobs, or a warm-up that completed no operation on a loaded machine) D is F x the median of the
// first 65 timed operations of the first client to reach them, which run unslowed. On `builtin`
// with one client (in-process: the engine runs on the client thread) F = 0.25 -> median latency
// x1.25, about -20% throughput and +25% CPU per op. It exists to prove that `racetrack compare-run` catches a known slowdown; a
// record run with it says so in its figures ("calibration_slowdown" F, "calibration_spin_us" D).
//
// Thread-safety: Stop() may be called from any thread (the GUI's Stop button, the Ctrl-C watcher)
// and makes the run end within about one interval (an operation in flight is waited for, bounded
// by the adapters' command timeout). Callbacks run on the thread that called Run()/RunPhase().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/client.h"
#include "adapters/target.h"
#include "engine/base/status.h"
#include "results/histogram.h"
#include "results/results.h"
#include "scenarios/knobs.h"
#include "scenarios/registry.h"
#include "scenarios/scenario.h"

namespace racetrack::bench {

// The harness fills the results library's model directly (results/results.h).
using results::Environment;
using results::Histogram;
using results::LiveHistogram;
using results::Record;
using results::Results;
using results::ScenarioText;
using results::Skip;
using results::TargetStatus;
using results::Timeseries;

// --fault: something done to the target once per combination, `at_s` into its first timed
// repetition, from a thread of its own (kill-master: SIGKILL a cluster master; failover: CLUSTER
// FAILOVER on a replica). `inject` returns a one-line description of what it did, or why it
// could not. The record gets figures fault_at_s and, on a redis-cluster, fault_recovery_s (until
// a command on one of the victim's slots succeeded again), and a sentence in its note.
struct FaultPlan {
  std::string spec;  // as given: "kill-master@3s"
  double at_s = 0;
  std::function<Result<std::string>(adapters::Target&)> inject;
};

struct RunOptions {
  int clients = 8;
  double duration_s = 2.0;            // per repetition, when ops is unset
  // False when duration_s is the default: then a scenario's ScenarioInfo::default_duration_s
  // (when set) is used instead.
  bool duration_given = false;
  // Likewise for clients and ScenarioInfo::default_clients.
  bool clients_given = false;
  std::optional<uint64_t> ops;        // per repetition, across all clients (overrides duration)
  double rate = 0;                    // open loop total ops/s; 0 = closed loop
  double warmup_s = 0.2;
  int repetitions = 1;
  uint64_t seed = 42;
  int interval_ms = 100;
  std::map<std::string, double> extra;  // scenario knobs (RunContext::extra)
  // Knob value lists per name (--sizes 1000,10000; scenarios::KnobInfo): each scenario expands
  // them into parameter points (Scenario::ParameterPoints), one record each. Empty = defaults.
  scenarios::KnobValues knobs;
  // The same per scenario id, each parsed with that lesson's own knob ranges and choices (the
  // CLI fills this: two lessons may share a knob name); wins over `knobs` for that scenario.
  scenarios::ScenarioKnobValues scenario_knobs;

  // The knob values scenario `id` runs with: `knobs`, overlaid with scenario_knobs[id].
  scenarios::KnobValues KnobsFor(const std::string& id) const;

  // Harness-wide key workload (--keys, --distribution, --value-size), for lessons that read keys.
  scenarios::KeyWorkload workload;
  // The backing target of lessons that declare one (ScenarioInfo::backing: the cache lesson's
  // PostgreSQL), opened by the caller; null with the reason when it could not be had.
  adapters::Target* backing = nullptr;
  std::string backing_unavailable;
  // Text-valued scenario options (RunContext::text): "redlock-urls".
  std::map<std::string, std::string> text;
  // Starts extra servers for approaches that need several (RunContext::servers); may be null.
  adapters::ThrowawayServers* servers = nullptr;

  // Sweep axes (--clients 1,8,32, --rate 1000,5000): each value is a parameter point of its own,
  // one record each with "clients" / "rate" in its params; empty = the single `clients` / `rate`
  // above. Harness::Run crosses them with the scenario's own points (clients outer, rate inner).
  std::vector<int> clients_sweep;
  std::vector<double> rate_sweep;
  // Params stamped on every record of the run as they are (the CLI's "durability" when several
  // modes run: each mode is a Harness::Run of its own, its servers reconfigured in between).
  std::map<std::string, double> record_params;
  // --fault (see FaultPlan); unset = none.
  std::optional<FaultPlan> fault;
  // --shard I/N --start-at T (bench/merge.h): this process is shard `shard_index` (1-based) of
  // `shard_count` (0 = not sharded); `clients` and `ops` are already its share. Shard 1 prepares
  // the target and sets a ready mark on it, the others leave the lesson's state alone
  // (RunContext::shard_index) and wait for the mark; every shard starts its warm-up at
  // `start_at` (Unix seconds). Its records' verdicts are left to `racetrack merge --verify`
  // (checked = false; the figures stay).
  int shard_index = 0;
  int shard_count = 0;
  double start_at = 0;
};

// InvalidArgument naming the bad option ("--clients must be between 1 and 1024").
Status ValidateOptions(const RunOptions& options);

struct Progress {
  std::string scenario, approach, target;
  int repetition = 0;   // 0-based; -1 during warm-up
  int repetitions = 1;
  double elapsed_s = 0;
  double total_s = 0;   // 0 when running by op count
  uint64_t ops = 0;     // completed in this phase so far
  uint64_t total_ops = 0;  // the op budget, 0 when running by duration
  int combination = 0;  // 1-based index of this scenario/approach/target in the plan
  int combinations = 0;
};

struct IntervalSample {
  std::string scenario, approach, target;
  int repetition = 0;
  double t_s = 0;        // end of the interval, from the start of the phase
  uint64_t ops = 0;      // completed in the interval
  double throughput_ops_s = 0;
  double p99_us = 0;     // of the operations completed in the interval; 0 if none
  std::map<std::string, double> figures;  // the scenario's live figures, cumulative
};

struct Callbacks {
  std::function<void(const Progress&)> on_progress;
  std::function<void(const IntervalSample&)> on_sample;
  std::function<void(const TargetStatus&)> on_target;  // once per target, as it is opened
  std::function<void(const Skip&)> on_skip;
  std::function<void(const Record&)> on_record;        // each record as soon as it is complete
};

// Shared stop flag: the GUI's Stop button, Ctrl-C.
class StopFlag {
 public:
  void Stop() { stopped_.store(true, std::memory_order_relaxed); }
  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }
  void Reset() { stopped_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> stopped_{false};
};

// Open-loop schedule of one client, in nanoseconds from the phase start.
struct OpenLoopSchedule {
  int64_t offset_ns = 0;  // first operation
  int64_t period_ns = 0;  // between this client's operations
  int64_t At(uint64_t k) const { return offset_ns + static_cast<int64_t>(k) * period_ns; }
};
// REQUIRES: rate > 0, clients >= 1, 0 <= client < clients.
OpenLoopSchedule MakeOpenLoopSchedule(double rate, int clients, int client);

// What one phase produced.
struct PhaseResult {
  uint64_t ops = 0;
  uint64_t errors = 0;
  double duration_s = 0;
  Histogram histogram;
  Timeseries timeseries;
  std::string error;  // set when a client's connection failed: the phase ended early
  bool stopped = false;  // Stop() ended it
};

struct PhaseSpec {
  double duration_s = 0;           // used when ops == 0
  uint64_t ops = 0;                // total across clients
  double rate = 0;                 // open loop when > 0
  int interval_ms = 100;
  int repetition = 0;              // for callbacks; -1 = warm-up
  bool sample = true;              // time series and callbacks
  // The scenario's run ends the phase (ApproachRun::OwnsTimeline): duration and ops are ignored.
  bool own_timeline = false;
};

class Session {
 public:
  // Opens clients+2 connections and prepares the approach. Failures are one-line Statuses.
  static Result<std::unique_ptr<Session>> Open(const scenarios::Scenario& scenario,
                                               const scenarios::ApproachInfo& approach,
                                               adapters::Target& target,
                                               const RunOptions& options, StopFlag* stop);
  ~Session();  // joins the client threads

  // The one measurement loop. Callbacks may be null.
  PhaseResult RunPhase(const PhaseSpec& spec, const Callbacks* callbacks = nullptr,
                       const Progress* progress_template = nullptr);
  Result<scenarios::Correctness> Verify();
  std::map<std::string, double> Figures() const;
  std::string MemoryMethod() const;  // ApproachRun::MemoryMethod
  std::map<std::string, std::vector<double>> Series() const;  // ApproachRun::Series
  std::optional<uint64_t> PreferredOps() const;              // ApproachRun::PreferredOps
  bool ColdStart() const;                                    // ApproachRun::ColdStart
  bool OwnsTimeline() const;                                 // ApproachRun::OwnsTimeline
  // CPU seconds the server has used so far, where the target can tell: builtin = this process
  // (getrusage: the engine and the client threads together), builtin-tcp and redis = the
  // server process (INFO cpu used_cpu_sys + used_cpu_user, over the admin connection, so it works
  // for a server given by URL too); nullopt for postgres (one backend process per connection:
  // not measured yet) and client (no server). Call between phases, never during one.
  std::optional<double> CpuSeconds();
  double calibration_slowdown() const;  // the calibration hook's F for this session, 0 = off
  // The calibration hook's fixed spin D (ns) from the warm-up's median latency; 0 = not known
  // yet (taken from the first timed operations). Timed phases only: the warm-up never spins.
  void SetCalibrationSpinNs(int64_t ns);
  int64_t calibration_spin_ns() const;

  const scenarios::Scenario& scenario() const { return scenario_; }
  const scenarios::ApproachInfo& approach() const { return approach_; }
  adapters::Target& target() const { return target_; }

 private:
  struct Shared;
  Session(const scenarios::Scenario& scenario, const scenarios::ApproachInfo& approach,
          adapters::Target& target, const RunOptions& options, StopFlag* stop);
  // One client thread: parks until a phase begins, runs it, reports it done, until Close.
  void ClientLoop(int index);
  // Parks until the next phase (false: the session is closing), then sleeps until its start.
  bool WaitForPhase(uint64_t* seen, PhaseSpec* spec, int64_t* start);
  // One client's share of a phase: steps its worker and records latencies and counts.
  void RunClientPhase(int index, const PhaseSpec& spec, int64_t start,
                      std::vector<int64_t>* unslowed);
  // Open loop: waits for the scheduled start `t0`; false when the phase was stopped meanwhile.
  bool SleepUntilSlot(int64_t t0);
  // The calibration hook (see RACETRACK_CALIBRATION_SLOWDOWN): busy-waits the slowdown after an
  // operation that ended at `t1` and returns the new end; before D is known, samples latencies.
  int64_t CalibrationHook(int64_t t0, int64_t t1, std::vector<int64_t>* unslowed);
  // RunPhase's first and last steps: reset the counters and release the parked clients
  // (returns the start time, shared by every client); sum what the clients did.
  int64_t BeginPhase(const PhaseSpec& spec);
  void EndPhase(PhaseResult* result);

  const scenarios::Scenario& scenario_;
  const scenarios::ApproachInfo& approach_;
  adapters::Target& target_;
  RunOptions options_;
  StopFlag* stop_;
  std::unique_ptr<Shared> shared_;
  std::vector<std::thread> threads_;
};

// What to run.
struct Plan {
  std::vector<const scenarios::Scenario*> scenarios;
  std::vector<adapters::Target*> targets;  // opened, available ones
  std::vector<std::string> approach_filter;  // empty = all
};

class Harness {
 public:
  Harness(RunOptions options, Callbacks callbacks, StopFlag* stop);

  // One combination: Session, warm-up, repetitions, Verify -> a Record (timing kept even when the
  // check fails; a connection failure ends it early with record.error set). A "clients" or
  // "rate" entry of `point` (a sweep value) overrides the options' own.
  Result<Record> RunOne(const scenarios::Scenario& scenario,
                        const scenarios::ApproachInfo& approach, adapters::Target& target,
                        int combination = 1, int combinations = 1,
                        const std::map<std::string, double>& point = {});

  // Every runnable combination of the plan, in order scenario > approach > target; the records
  // and skips are appended to *doc.
  void Run(const Plan& plan, Results* doc);

 private:
  // RunOne's steps: the untimed warm-up phase, then the timed repetitions (`ops`: the run's
  // preferred op count when the user gave none).
  struct TimedRuns;
  void WarmUp(Session& s, const RunOptions& options, const Progress& tmpl, Record* record);
  TimedRuns RunRepetitions(Session& s, const RunOptions& options, const Progress& tmpl,
                           std::optional<uint64_t> ops, Record* record);

  RunOptions options_;
  Callbacks callbacks_;
  StopFlag* stop_;
};

// A lesson's text as the registry states it, in the form a results file carries.
ScenarioText TextOf(const scenarios::ScenarioInfo& info);
// Gives every scenario of `run` that the file carries no text for the registry's text (files
// written before "scenario_info", or by hand), and a text without claims the registry's claims
// (files written before claims); unknown scenario ids stay without.
void FillScenarioInfo(Results* run);

// Host, cores, memory, kernel, compiler, git revision, loopback RTT (median of TCP ping-pongs).
Environment CollectEnvironment();
// Median round trip of `n` one-byte ping-pongs over a loopback TCP socket pair, in microseconds.
double MeasureLoopbackRttUs(int n = 200);

}  // namespace racetrack::bench
