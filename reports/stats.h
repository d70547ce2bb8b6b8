// The statistics reports and `racetrack compare` need, and nothing more: medians, the coefficient
// of variation, a least-squares fit on log-log axes (growth exponent), and the two-sided
// Mann-Whitney U test that Google Benchmark's compare.py uses to decide whether two sets of
// repetitions differ.
#pragma once

#include <optional>
#include <vector>

namespace racetrack::reports {

double Median(std::vector<double> values);  // REQUIRES: !values.empty()

// Standard deviation / mean (sample standard deviation); nullopt for < 2 values or mean 0.
std::optional<double> CoefficientOfVariation(const std::vector<double>& values);

struct PowerLawFit {
  double exponent = 0;  // y ~ c * x^exponent
  double coefficient = 0;
  double r_squared = 0;
};
// Fits log(y) = log(c) + e*log(x) over the points with x > 0 and y > 0; nullopt if fewer than two
// distinct x remain.
std::optional<PowerLawFit> FitPowerLaw(const std::vector<double>& x, const std::vector<double>& y);

struct UTestResult {
  double u = 0;        // U statistic of the first sample
  double p_value = 1;  // two-sided
  bool exact = false;  // exact distribution (small samples, no ties) vs normal approximation
};
// Two-sided Mann-Whitney U test. Exact when both samples have at most `exact_max` values (8, as
// SciPy's "auto" method) and there are no ties, otherwise the normal approximation with tie
// correction and continuity correction. nullopt when either sample is empty.
std::optional<UTestResult> MannWhitneyU(const std::vector<double>& a, const std::vector<double>& b,
                                        int exact_max = 8);

// compare.py's numbers: below kUTestOptimalRepetitions the test is reported as weak.
inline constexpr int kUTestMinRepetitions = 2;
inline constexpr int kUTestOptimalRepetitions = 9;

}  // namespace racetrack::reports
