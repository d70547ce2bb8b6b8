// The CI gate's decision: does a metric of one record differ between BASE and NEW by more than its
// own noise, with a test that agrees? Pure functions on plain per-repetition samples, independent
// of any results-file type, so `racetrack compare`, `compare-run` and the unit tests share it.
//
// Every metric is judged as a COST, lower is better: time per operation (a throughput's
// reciprocal, which reports/compare.cc hands in), a latency percentile, CPU time per operation.
// The change is the ratio r = median(NEW) / median(BASE), reported as r - 1. With threshold t a
// regression is r > 1 + t and an improvement r < 1 / (1 + t): symmetric in log space, so a
// build that is 1.25x slower and one that is 1.25x faster are equally far from "no change", and
// no threshold is out of reach (judged as a drop of throughput, a change could never exceed
// -100%, so a noisy record's 150% threshold could never be crossed by any slowdown).
//
// For each metric of each record compared (a GateInput) the verdict is reached in two steps, in
// one of two forms.
//
// PAIRED (compare-run's merged files: both sides came from the same R >= 2 interleaved rounds, K
// repetitions per round and side, round r of BASE run right beside round r of NEW). Why: on a
// shared VM a record's per-repetition cost sits at one of a few LEVELS (measured here:
// leaderboard p50 ~4.8 us or ~8.8 us, holding for a few repetitions, then switching), and which
// level a side drew moves its median more than a 20% change; an IQR over a bimodal mix is as
// large as the level gap. So:
//   a. each side is summarised by its BEST (lowest-cost) repetition over all R x K: the fast
//      level as soon as one repetition drew it; the change is best(NEW) / best(BASE) - 1;
//   b. its noise and test come from a PAIRED BOOTSTRAP over rounds: `bootstrap_resamples` times,
//      draw R round indices with replacement, the same for both sides, and take each side's
//      best over the drawn rounds. The exchangeable unit is the harness run (a round), not the
//      repetition: K repetitions of one process share its set-up and level;
//   c. threshold t = max(floor (10%), exp(iqr_factor (2) x IQR of the bootstrap log-ratios) - 1,
//      the A/A spread when measured) — the statistic's own noise, where the IQR of a bimodal
//      side would be the level gap;
//   d. p-value: two-sided bootstrap, 2 x (1 + resamples on the far side of no change) /
//      (1 + resamples), Holm across the family. Deterministic: the resampling stream is seeded.
//   e. consistency: a real change of the code shifts every round, at whatever level each side
//      drew, so a regression (improvement) also needs the MEDIAN over rounds of the per-round
//      best ratio NEW/BASE beyond sqrt(1 + floor) (x1.049 at 10%) in the same direction. A best
//      ratio made by one side never drawing the fast level (an A/A run on a machine whose fast
//      level is rare) shows only in the rounds where the other side drew it; its median round
//      is ~x1.00 and the verdict is "not significant". Measured on the calibration's rounds
//      (README): the injected slowdown's median round was x1.23-x1.61 (p50) where its best
//      ratio was x1.24-x1.32, while two of three CPU-metric A/A false alarms had x0.88-x1.00.
//   With fewer than `min_test_rounds` rounds the test cannot decide: "weak", the threshold
//   alone decides (the consistency check still applies).
//   A round with no sample on one side (every repetition of it measured nothing) is left out on
//   both sides.
//
// UNPAIRED (anything else: two archived runs, or sides with different round counts):
//   1. Noise threshold: max(floor (10%),
//                           iqr_factor (2) x IQR/median of the BASE side's repetitions,
//                           iqr_factor (2) x IQR/median of the NEW side's repetitions,
//                           the A/A spread of this record/metric, when one was measured).
//      A ratio of medians within [1/(1+t), 1+t] is "within noise", whatever the test says. The
//      NEW side's spread counts too: in an A/A run the side that drew the noisy harness
//      processes is as often NEW as BASE, and a real slowdown shifts NEW without widening it.
//   2. Test: a two-sided Mann-Whitney U test of base vs new repetitions, its p-value adjusted by
//      Holm's step-down method across every test in the same JudgeAll() call (all records and
//      metrics compared), so 200 records do not buy 10 false alarms at alpha 0.05. The change
//      counts only when the adjusted p-value is below alpha. (The U test depends on ranks only,
//      so judging 1/throughput instead of throughput leaves its p-value unchanged.)
//   When either side has fewer than `min_test_repetitions` samples the test cannot decide (with
//   3 vs 3 repetitions no p-value goes below 0.1): the verdict is then "weak" and the threshold
//   alone decides, as `compare` always did for archived single-repetition runs.
//
// Only the inputs that GATE take part in the Holm family and can fail the gate: `compare` gates
// on one primary cost per record (more tests per record only dilute the correction: Holm over
// three metrics of 200 records needs p < 8e-5, over one 2.5e-4) and reports the others against
// the same kind of threshold, marked "not gated". Weak tests are not part of the family. The
// one-line `reason` says which of these happened.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace racetrack::reports {

struct GateSettings {
  double floor = 0.10;        // the smallest change that can count, as a fraction
  double iqr_factor = 2.0;    // x IQR/median of the base repetitions
  double alpha = 0.05;        // family-wise, after Holm
  int min_test_repetitions = 9;  // per side, for the U test to decide (compare.py's 9)
  int min_test_rounds = 8;       // paired: rounds for the bootstrap to decide
  int bootstrap_resamples = 4000;  // paired: p >= 2 / 4001 = 5e-4 (Holm over 10 tests: 5e-3)
};

struct GateInput {
  // Per-repetition costs, lower is better (at least one each to judge): time per op, p99, CPU.
  std::vector<double> base, next;
  std::optional<double> aa_spread;  // |relative change| seen in an A/A run, when measured
  // Medians to use when a side has no per-repetition samples (archived single values).
  std::optional<double> base_value, next_value;
  // The harness runs (rounds) each side's samples came from, round r of one side run beside
  // round r of the other (compare-run). 0 = unknown. Equal on both sides and >= 2: judged
  // PAIRED; otherwise unpaired.
  int base_rounds = 0, next_rounds = 0;
  // The round (0-based, < rounds) of each sample, parallel to base / next. Empty: K = size /
  // rounds consecutive samples per round (then rounds must divide the size). A repetition that
  // measured nothing (0 operations on a loaded machine) has no sample, so its round has fewer;
  // a round without any sample on a side is left out of the pairs on both sides. (Before
  // round_of existed, one empty repetition of 48 made the sizes indivisible and sent the record
  // to the unpaired gate, whose 2 x IQR over two levels was 93%: the one missed point of the
  // second calibration, README.)
  std::vector<int> base_round_of, next_round_of;
  // false: reported beside the record's gating metric — same threshold, no Holm family, never a
  // regression or an improvement (outcome kNotGated when beyond the threshold).
  bool gates = true;
};

enum class GateOutcome {
  kNoData,          // a side has no value, or the base median is 0
  kWithinNoise,     // |change| <= threshold
  kNotSignificant,  // beyond the threshold, but the (Holm-adjusted) test does not agree
  kRegression,
  kImprovement,
  kNotGated,        // beyond the threshold on a metric that is reported, not gated
};

struct GateVerdict {
  GateOutcome outcome = GateOutcome::kNoData;
  std::optional<double> base, next;  // medians (paired: each side's best repetition)
  std::optional<double> change;      // next / base - 1 (cost: > 0 is slower)
  double threshold = 0;              // t: regression beyond 1 + t, improvement below 1 / (1 + t)
  std::string threshold_source;  // "floor", "base IQR", "new IQR", "bootstrap IQR", "A/A spread"
  std::optional<double> base_iqr_rel;  // IQR/median of the base repetitions (paired: round
  std::optional<double> next_iqr_rel;  // bests, reported only: the threshold uses the bootstrap)
  std::optional<double> p_value;       // raw U test (paired: bootstrap)
  std::optional<double> p_adjusted;    // after Holm (tests in the family only)
  bool weak = true;  // the test could not decide: threshold alone
  bool paired = false;  // judged on paired rounds (bootstrap), else unpaired (U test)
  int rounds = 0;       // paired: the rounds (pairs) judged
  int rounds_left_out = 0;  // paired: rounds without a sample on a side (not paired)
  // Paired: the median over rounds of round r's best ratio NEW/BASE (the consistency check).
  std::optional<double> median_round_ratio;
  std::string reason;  // one line: why this verdict
  bool regression() const { return outcome == GateOutcome::kRegression; }
  bool improvement() const { return outcome == GateOutcome::kImprovement; }
};

// Judges every input together (one Holm family); verdicts in input order.
std::vector<GateVerdict> JudgeAll(const std::vector<GateInput>& inputs,
                                  const GateSettings& settings);

// Whether more paired rounds could settle `v`: judged paired, its change beyond the floor in
// either direction, yet not counted — its bootstrap threshold was wider than the floor (kWithin
// Noise) or the test did not agree (kNotSignificant). On this VM that is a side whose fast level
// turned up in only one or two of the rounds: the bootstrap then leaves those rounds out of a
// third of its resamples or more, and both its spread and its p-value take in the level gap.
// More rounds give the fast level more chances to turn up on both sides. compare-run runs
// --extra-rounds more rounds of the selections with such a GATING metric, once, and judges all
// rounds together (bench/compare_run.h; a second look, which the A/A calibration measures).
bool MoreRoundsCouldDecide(const GateVerdict& v, const GateSettings& settings);

// Holm-Bonferroni adjusted p-values, in input order: sort ascending, p'(i) =
// max_{j<=i} min(1, (m - j + 1) p(j)) with 1-based j.
std::vector<double> HolmAdjust(const std::vector<double>& p_values);

// Interquartile range / median (quartiles by linear interpolation, as numpy's default);
// nullopt for fewer than 2 values or a zero median.
std::optional<double> RelativeIqr(std::vector<double> values);

// Each round's best (lowest) cost: `samples` in `rounds` consecutive groups of equal size;
// empty when `rounds` < 1 or does not divide the size. REQUIRES nothing of the values.
std::vector<double> RoundBests(const std::vector<double>& samples, int rounds);
// The same with each sample's round given (`round_of` parallel to `samples`): `rounds` values,
// NaN for a round without a sample; empty when the sizes differ or a round index is out of
// [0, rounds).
std::vector<double> RoundBests(const std::vector<double>& samples, const std::vector<int>& round_of,
                               int rounds);

// The symmetric size of a cost ratio r = 1 + change: max(r - 1, 1/r - 1), e.g. 0.25 for both
// x1.25 and x0.8. What an A/A run's change contributes as spread (a threshold t covers it).
double SymmetricChange(double change);

// "regression", "improved", "within noise", "not significant", "not gated", "n/a".
const char* OutcomeName(GateOutcome outcome);

}  // namespace racetrack::reports
