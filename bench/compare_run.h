// `racetrack compare-run --base BASE_BIN --new NEW_BIN [--suite ci | scenarios...]`: the CI gate
// that does not cry wolf. Two results files run one after the other carry the machine's drift
// between the runs (on a shared box often more than the 10% threshold, and consistent within a
// run, so the U test calls it significant). compare-run instead runs the two builds' harnesses
// alternately, repetition by repetition, so drift hits both sides alike:
//
//   for each selection (one scenario on one target):
//     for round 1..R:            (R = --repetitions, default 9)
//       in a random order (seeded, per selection and round):
//         BASE_BIN run SCENARIO -t TARGET --repetitions K --json ...   (and the same for NEW_BIN)
//
// Each harness run does its own session set-up, warm-up and K (--per-round, default 1; the suite's
// with --suite) timed repetitions per record; the R results of a side are merged per record
// (MergeRounds) into one results file per side with R x K repetitions in round order and the
// round count (reports::kRoundsFigure), then compared with reports/compare, which judges such
// records PAIRED (reports/gate.h: each side's best repetition, noise and p-value from a
// bootstrap over the paired rounds, Holm, one gating metric per record).
//
// Cost: one round costs a harness process per selection and side (process start, target probe,
// data set-up), far more than the 0.1 s timed repetitions. So the CI suite (bench/suite.h "ci")
// is seven cheap selections and its defaults are R = 16 rounds of K = 3: the gate's power grows
// with rounds, and K > 1 lets a round's best repetition find the machine's fast level. Measured
// here: about 5 minutes per A/A run (README). Exit codes as `compare`:
// 0 no significant regression, 1 regression or correctness flip, 2 usage / a side could not run.
//
// Servers: Redis and PostgreSQL are started once (throwaway, or --redis-url/--postgres-url) and
// shared by both sides — the same server for both is what makes the sides comparable. builtin-tcp
// is different on purpose: each side runs its OWN build's racetrack-server (started once per side
// with `BIN servers up builtin-tcp` under a per-side state file, stopped at the end), since
// sharing one would hide an engine change.
//
// Granularity: the unit that alternates is one scenario on one target (its approaches and
// parameter points run back to back inside one harness process): finer would cost one process
// start and target probe per record and repetition, coarser (whole suite per round) would let
// minutes of drift between a record's A and B repetitions back in.
//
// Two stages (--extra-rounds E, default E = R): after the R rounds both sides are merged and
// judged; a selection with a gating metric that more rounds could settle (reports/gate.h
// MoreRoundsCouldDecide: paired, beyond the floor, but its bootstrap threshold was wide or the
// test or the consistency check did not agree — on this VM, a side whose fast level turned up in
// one or two rounds) runs E more rounds, interleaved as before, and the comparison judges all
// R + E rounds of it together. Only those selections pay for it. This is a second look at those
// records, which can raise the A/A false-alarm rate (at most about twice alpha for them); the
// calibration's A/A runs measure what it does (README).
//
// --leave-out SCENARIO/TARGET drops a selection from the schedule; --merge-only runs nothing and
// merges the round files an interrupted run left in OUT/rounds (selections it did not reach are
// missing from both sides), then compares them.
//
// Thread-safety: call from main's thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/suite.h"
#include "results/results.h"

namespace racetrack::bench {

struct CompareRunOptions {
  std::string base_bin, new_bin;  // racetrack executables of the two builds
  std::vector<std::string> scenarios;  // empty with suite "ci" = every scenario
  std::string suite;                   // "", "ci" or "full" (bench/suite.h)
  // The suite's (scenario, approaches, target) selections when the user named no scenario and
  // no target; empty = every scenario on every usable target.
  std::vector<SuiteSelection> suite_selections;
  std::vector<std::string> targets;    // empty = builtin, builtin-tcp, redis, postgres
  std::vector<std::string> run_args;   // passed to every `run` unchanged (--run-arg)
  std::vector<std::string> leave_out;  // "scenario/target" selections not run (--leave-out)
  bool merge_only = false;  // run nothing: merge OUT/rounds of an interrupted run (--merge-only)
  int repetitions = 9;                 // rounds (with --suite and no -r: the suite's)
  int per_round = 1;  // timed repetitions per harness run (per round and side; suite's with --suite)
  // More rounds for the selections a first look leaves undecided (--extra-rounds); -1 = as many
  // as `repetitions`, 0 = none.
  int extra_rounds = -1;
  uint64_t seed = 1;                   // the A/B order's random seed (recorded)
  std::string redis_url, postgres_url;  // empty = one throwaway server for both sides
  std::string out_dir = "compare-run";  // base.json, new.json, comparison.json, logs/
  // Passed to the comparison (reports/cli.h CompareOptions).
  double threshold_pct = 10;
  double alpha = 0.05;
  std::string metric = "wall";
  std::vector<std::string> aa_files;
  std::string markdown_out;  // "" = OUT/comparison.md
  bool quiet = false;
};

// One harness run of the schedule.
struct InterleaveStep {
  size_t selection = 0;  // index into the selections
  int round = 0;         // 0-based
  bool is_new = false;   // which build
};

// The run order: per selection, per round, both sides in a random order drawn from `seed`
// (deterministic for a seed). Exactly one step per (selection, round, side).
std::vector<InterleaveStep> InterleaveSchedule(size_t selections, int rounds, uint64_t seed);

// Merges one side's per-round results documents into one: records matched by
// scenario/approach/target/params get every round's repetitions (in round order), their
// histograms merged and summaries recomputed (results::Summarize), the figure "cpu_us_per_op" the
// median of the repetitions' values, correctness ok only if every round's check passed (and the
// correctness figures reports::kChecksFigure / kFailedChecksFigure count the rounds' checks, so
// `compare` can tell "failed once under load" from "fails every time"), the figure
// reports::kRoundsFigure the number of rounds merged (so `compare` can pair round r of BASE with
// round r of NEW: reports/gate.h, paired), errors
// summed, the first run error kept. The first document's metadata (environment, parameters with repetitions = rounds) is
// kept; skips and targets are the union. Records seen in only some rounds keep the repetitions
// they have.
results::Results MergeRounds(const std::vector<results::Results>& rounds);

// The subcommand; exit code as described above. argv[0] is "compare-run".
int CompareRunMain(int argc, char** argv);

// Short help for the top-level `racetrack --help` listing.
inline constexpr char kCompareRunSummary[] =
    "Interleave two builds' harnesses (ABAB..) on the same servers and compare: the CI gate "
    "(`racetrack compare-run --help`)";

}  // namespace racetrack::bench
