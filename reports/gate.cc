// Why max(floor, 2 x IQR/median, A/A spread): on a shared 2-core box one record's repetitions
// may spread 3% and another's 40%; a single 10% threshold is then too strict for the second and
// (harmlessly) loose for the first. The base side's own spread is what the record's noise looks
// like today; an A/A run adds what the rest of the suite's drift does to it. The floor keeps
// "significant but tiny" changes (a steady 3%) from failing CI.
//
// Why a cost ratio and not a relative change of throughput: a throughput can fall by at most
// 100%, so once a noisy record's threshold passed 100% no slowdown could ever be reported, and a
// 1.25x slowdown (-20%) and a 1.25x speedup (+25%) were judged at different distances from zero.
// Time per operation has no ceiling, and comparing r with 1 + t and 1 / (1 + t) treats the two
// directions alike.
//
// Why the best repetition and a bootstrap over paired rounds (measured 2026-12-02, README): this
// VM's per-repetition costs sit at one of two levels x1.6-1.9 apart (leaderboard/zset/builtin p50
// ~4.8 or ~8.8 us), and the level holds for a few repetitions and then switches, in runs of
// either build alike: a machine state, not the code. A side's median then depends on how many
// of its repetitions drew the slow level, and an IQR over the mix spans the level gap, so the
// unpaired gate's thresholds reached 68-150% and it caught a x1.25 slowdown in 0 of 3 runs. The
// best repetition of a side is the fast level as soon as one repetition of it drew that level,
// which over R x K interleaved repetitions both sides do alike; best vs best compares like with
// like. Its uncertainty is measured the way the data came: whole rounds (one harness process
// per side, run side by side) resampled together, so a round where the machine was slow for
// both sides stays paired. In a simulation of such levels (slow share 0.5-0.6, 16 rounds of 3,
// 10 records) a Wilcoxon signed-rank test of per-round best ratios caught x1.25 in 25-40% of
// families, this bootstrap in 85-100%, with no false alarms in either.
//
// Why Holm and not Bonferroni: same family-wise guarantee, never less power. Why the exact U
// distribution up to kExactMax samples per side: with 9 vs 9 repetitions the normal
// approximation bottoms out at p = 4e-4 for complete separation, which Holm over ~200 tests can
// never call significant; the exact tail (4e-5) can.

#include "reports/gate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "engine/base/enum_names.h"
#include "reports/stats.h"

namespace racetrack::reports {

namespace {

constexpr int kExactMax = 25;

std::string Pct(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", fraction * 100);
  return buf;
}

std::string SignedPct(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", fraction * 100);
  return buf;
}

std::string P(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", p);
  return buf;
}

double Quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// "x1.25" / "x0.800": the cost ratio, the number the verdict compares.
std::string Ratio(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, r >= 1 ? "x%.2f" : "x%.3f", r);
  return buf;
}

// Raises v->threshold to the largest of the floor, the two sides' scaled IQR/median and the A/A
// spread, naming the source.
void SetThreshold(const std::vector<double>& base, const std::vector<double>& next,
                  const std::optional<double>& aa_spread, const GateSettings& s, GateVerdict* v) {
  v->threshold = s.floor;
  v->threshold_source = "floor";
  v->base_iqr_rel = RelativeIqr(base);
  v->next_iqr_rel = RelativeIqr(next);
  if (v->base_iqr_rel && s.iqr_factor * *v->base_iqr_rel > v->threshold) {
    v->threshold = s.iqr_factor * *v->base_iqr_rel;
    v->threshold_source = "base IQR";
  }
  if (v->next_iqr_rel && s.iqr_factor * *v->next_iqr_rel > v->threshold) {
    v->threshold = s.iqr_factor * *v->next_iqr_rel;
    v->threshold_source = "new IQR";
  }
  if (aa_spread && *aa_spread > v->threshold) {
    v->threshold = *aa_spread;
    v->threshold_source = "A/A spread";
  }
}

bool AllPositive(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double x) { return x > 0; });
}

// A deterministic stream for the bootstrap, so a verdict is a function of its samples.
constexpr uint64_t kBootstrapSeed = 0x9e3779b97f4a7c15ULL;

// The paired form (gate.h): true when `in` qualifies and *v was filled (bests, change,
// threshold, p-value, weak).
bool JudgePaired(const GateInput& in, const GateSettings& s, GateVerdict* v) {
  if (in.base_rounds < 2 || in.next_rounds != in.base_rounds) return false;
  auto bests = [&](const std::vector<double>& samples, const std::vector<int>& round_of) {
    return round_of.empty() ? RoundBests(samples, in.base_rounds)
                            : RoundBests(samples, round_of, in.base_rounds);
  };
  const std::vector<double> all_base = bests(in.base, in.base_round_of);
  const std::vector<double> all_next = bests(in.next, in.next_round_of);
  if (all_base.empty() || all_next.empty()) return false;
  // The pairs: rounds with a sample on both sides (NaN: none).
  std::vector<double> base, next;
  for (size_t r = 0; r < all_base.size(); ++r) {
    if (std::isnan(all_base[r]) || std::isnan(all_next[r])) continue;
    base.push_back(all_base[r]);
    next.push_back(all_next[r]);
  }
  const int rounds = static_cast<int>(base.size());
  if (rounds < 2 || !AllPositive(base) || !AllPositive(next)) return false;
  v->paired = true;
  v->rounds = rounds;
  v->rounds_left_out = in.base_rounds - rounds;
  v->base = *std::min_element(base.begin(), base.end());
  v->next = *std::min_element(next.begin(), next.end());
  v->base_iqr_rel = RelativeIqr(base);
  v->next_iqr_rel = RelativeIqr(next);
  v->change = *v->next / *v->base - 1;
  std::vector<double> round_log_ratio;
  for (size_t r = 0; r < base.size(); ++r) round_log_ratio.push_back(std::log(next[r] / base[r]));
  v->median_round_ratio = std::exp(Median(round_log_ratio));
  // Paired bootstrap over rounds: the same R round indices, drawn with replacement, for both
  // sides; the best of the drawn rounds per side.
  std::mt19937_64 rng(kBootstrapSeed);
  std::uniform_int_distribution<int> pick(0, rounds - 1);
  std::vector<double> log_ratio;
  log_ratio.reserve(static_cast<size_t>(s.bootstrap_resamples));
  size_t at_most_zero = 0, at_least_zero = 0;
  for (int b = 0; b < s.bootstrap_resamples; ++b) {
    double best_base = HUGE_VAL, best_next = HUGE_VAL;
    for (int r = 0; r < rounds; ++r) {
      const int i = pick(rng);
      best_base = std::min(best_base, base[static_cast<size_t>(i)]);
      best_next = std::min(best_next, next[static_cast<size_t>(i)]);
    }
    const double lr = std::log(best_next / best_base);
    log_ratio.push_back(lr);
    at_most_zero += lr <= 0;
    at_least_zero += lr >= 0;
  }
  const double resamples = static_cast<double>(log_ratio.size());
  v->p_value = std::min(1.0, 2 * static_cast<double>(std::min(at_most_zero, at_least_zero) + 1) /
                                 (resamples + 1));
  v->threshold = s.floor;
  v->threshold_source = "floor";
  std::sort(log_ratio.begin(), log_ratio.end());
  if (!log_ratio.empty()) {
    const double spread =
        std::exp(s.iqr_factor * (Quantile(log_ratio, 0.75) - Quantile(log_ratio, 0.25))) - 1;
    if (spread > v->threshold) {
      v->threshold = spread;
      v->threshold_source = "bootstrap IQR";
    }
  }
  if (in.aa_spread && *in.aa_spread > v->threshold) {
    v->threshold = *in.aa_spread;
    v->threshold_source = "A/A spread";
  }
  v->weak = rounds < std::max(2, s.min_test_rounds);
  return true;
}

}  // namespace

std::vector<double> RoundBests(const std::vector<double>& samples, const std::vector<int>& round_of,
                               int rounds) {
  if (rounds < 1 || samples.size() != round_of.size()) return {};
  std::vector<double> out(static_cast<size_t>(rounds), std::nan(""));
  for (size_t i = 0; i < samples.size(); ++i) {
    if (round_of[i] < 0 || round_of[i] >= rounds) return {};
    double& best = out[static_cast<size_t>(round_of[i])];
    if (std::isnan(best) || samples[i] < best) best = samples[i];
  }
  return out;
}

std::vector<double> RoundBests(const std::vector<double>& samples, int rounds) {
  if (rounds < 1 || samples.empty() || samples.size() % static_cast<size_t>(rounds) != 0) return {};
  const size_t k = samples.size() / static_cast<size_t>(rounds);
  std::vector<double> out;
  for (size_t r = 0; r < static_cast<size_t>(rounds); ++r) {
    out.push_back(*std::min_element(samples.begin() + r * k, samples.begin() + (r + 1) * k));
  }
  return out;
}

double SymmetricChange(double change) {
  const double r = 1 + change;
  if (!(r > 0)) return std::fabs(change);
  return std::max(r - 1, 1 / r - 1);
}

std::optional<double> RelativeIqr(std::vector<double> values) {
  if (values.size() < 2) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double median = Quantile(values, 0.5);
  if (median == 0) return std::nullopt;
  return (Quantile(values, 0.75) - Quantile(values, 0.25)) / std::fabs(median);
}

std::vector<double> HolmAdjust(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
  std::vector<double> out(m);
  double running = 0;
  for (size_t j = 0; j < m; ++j) {
    const double adjusted = std::min(1.0, static_cast<double>(m - j) * p[order[j]]);
    running = std::max(running, adjusted);
    out[order[j]] = running;
  }
  return out;
}

bool MoreRoundsCouldDecide(const GateVerdict& v, const GateSettings& s) {
  if (!v.paired || !v.change) return false;
  if (v.outcome != GateOutcome::kWithinNoise && v.outcome != GateOutcome::kNotSignificant) {
    return false;
  }
  return SymmetricChange(*v.change) > s.floor;
}

// kNoData has no row: it prints as "n/a".
constexpr EnumName<GateOutcome> kOutcomeNames[] = {
    {GateOutcome::kRegression, "regression"},
    {GateOutcome::kImprovement, "improved"},
    {GateOutcome::kWithinNoise, "within noise"},
    {GateOutcome::kNotSignificant, "not significant"},
    {GateOutcome::kNotGated, "not gated"},
};
static_assert(NamesEveryValue(kOutcomeNames, GateOutcome::kNotGated, GateOutcome::kWithinNoise));

const char* OutcomeName(GateOutcome o) {
  // The names are string literals, so the view's data() ends in '\0'.
  return NameOf(kOutcomeNames, o, "n/a").data();
}

std::vector<GateVerdict> JudgeAll(const std::vector<GateInput>& inputs, const GateSettings& s) {
  std::vector<GateVerdict> out(inputs.size());
  // Pass 1: medians, thresholds, raw p-values; collect the Holm family.
  std::vector<size_t> family;
  std::vector<double> family_p;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const GateInput& in = inputs[i];
    GateVerdict& v = out[i];
    if (!JudgePaired(in, s, &v)) {
      v.base = in.base.empty() ? in.base_value : std::optional<double>(Median(in.base));
      v.next = in.next.empty() ? in.next_value : std::optional<double>(Median(in.next));
      SetThreshold(in.base, in.next, in.aa_spread, s, &v);
      if (!v.base || !v.next || !(*v.base > 0) || !(*v.next > 0)) {
        v.outcome = GateOutcome::kNoData;
        v.reason = !v.base || !v.next ? "no value on one side" : "a median is not positive";
        continue;
      }
      v.change = *v.next / *v.base - 1;
      const size_t n = std::min(in.base.size(), in.next.size());
      if (n >= 2) {
        if (auto u = MannWhitneyU(in.base, in.next, kExactMax)) v.p_value = u->p_value;
      }
      v.weak = !v.p_value || n < static_cast<size_t>(std::max(2, s.min_test_repetitions));
    }
    if (!v.weak && in.gates) {
      family.push_back(i);
      family_p.push_back(*v.p_value);
    }
  }
  // Pass 2: Holm across the family, then the verdicts and their reasons.
  const std::vector<double> adjusted = HolmAdjust(family_p);
  for (size_t k = 0; k < family.size(); ++k) out[family[k]].p_adjusted = adjusted[k];
  for (size_t i = 0; i < inputs.size(); ++i) {
    GateVerdict& v = out[i];
    if (!v.change) continue;
    const double r = 1 + *v.change;  // cost ratio NEW / BASE
    const double slower = 1 + v.threshold, faster = 1 / slower;
    const std::string what =
        (v.paired ? "best of " + std::to_string(v.rounds) + " paired rounds " +
                        (v.rounds_left_out > 0 ? "(" + std::to_string(v.rounds_left_out) +
                                                     " without a sample on a side left out) "
                                               : std::string())
                  : std::string()) +
        Ratio(r) + " (" + SignedPct(*v.change) + ")" +
        (v.median_round_ratio ? ", median round " + Ratio(*v.median_round_ratio) : std::string());
    const std::string test = v.paired ? "paired bootstrap" : "U test";
    const std::string limits = "[" + Ratio(faster) + ", " + Ratio(slower) + "] = threshold " +
                               Pct(v.threshold) + " (" + v.threshold_source + ")";
    if (r <= slower && r >= faster) {
      v.outcome = GateOutcome::kWithinNoise;
      v.reason = what + " within " + limits;
      continue;
    }
    const bool worse = r > slower;
    const std::string beyond = what + (worse ? " above " : " below ") + limits;
    // gate.h step e: a paired change must show in most rounds, not in the best repetition alone.
    const double consistent = std::sqrt(1 + s.floor);
    const bool inconsistent = v.median_round_ratio && inputs[i].gates &&
                              (worse ? *v.median_round_ratio < consistent
                                     : *v.median_round_ratio > 1 / consistent);
    if (inconsistent) {
      v.outcome = GateOutcome::kNotSignificant;
      v.reason = beyond + "; but the median round is only " + Ratio(*v.median_round_ratio) +
                 " (needs " + (worse ? "above " + Ratio(consistent) : "below " +
                 Ratio(1 / consistent)) + "): the change shows in the best repetition, not in "
                 "most paired rounds";
      continue;
    }
    if (!inputs[i].gates) {
      v.outcome = GateOutcome::kNotGated;
      v.reason = beyond + (v.p_value ? "; " + test + " p=" + P(*v.p_value) : std::string()) +
                 "; reported only, the record's gating metric decides";
      continue;
    }
    if (v.weak) {
      v.outcome = worse ? GateOutcome::kRegression : GateOutcome::kImprovement;
      v.reason = beyond + "; too few " + (v.paired ? "rounds" : "repetitions") + " for the " +
                 test + ", threshold alone decides";
      continue;
    }
    const bool significant = *v.p_adjusted < s.alpha;
    v.reason = beyond + "; " + test + " p=" + P(*v.p_value) + ", Holm-adjusted " +
               P(*v.p_adjusted) +
               (significant ? " < " : " >= ") + "alpha " + P(s.alpha) + " (" +
               std::to_string(family.size()) + " tests)";
    if (!significant) {
      v.outcome = GateOutcome::kNotSignificant;
    } else {
      v.outcome = worse ? GateOutcome::kRegression : GateOutcome::kImprovement;
    }
  }
  return out;
}

}  // namespace racetrack::reports
