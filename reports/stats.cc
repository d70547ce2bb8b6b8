// Mann-Whitney U follows the textbook definition (Mann & Whitney 1947) and SciPy's conventions so
// that p-values agree with what Google Benchmark's compare.py prints for the same samples:
// U is computed from mid-ranks, the exact null distribution is counted by recursion for small
// samples, and the asymptotic branch uses the tie-corrected variance with a 0.5 continuity
// correction.

#include "reports/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace racetrack::reports {

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::optional<double> CoefficientOfVariation(const std::vector<double>& values) {
  if (values.size() < 2) return std::nullopt;
  double mean = std::accumulate(values.begin(), values.end(), 0.0) / values.size();
  if (mean == 0) return std::nullopt;
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / (values.size() - 1)) / std::fabs(mean);
}

std::optional<PowerLawFit> FitPowerLaw(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> lx, ly;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (x[i] > 0 && y[i] > 0) {
      lx.push_back(std::log(x[i]));
      ly.push_back(std::log(y[i]));
    }
  }
  if (lx.size() < 2) return std::nullopt;
  double n = lx.size();
  double mx = std::accumulate(lx.begin(), lx.end(), 0.0) / n;
  double my = std::accumulate(ly.begin(), ly.end(), 0.0) / n;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < lx.size(); ++i) {
    sxx += (lx[i] - mx) * (lx[i] - mx);
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) * (ly[i] - my);
  }
  if (sxx == 0) return std::nullopt;
  PowerLawFit fit;
  fit.exponent = sxy / sxx;
  fit.coefficient = std::exp(my - fit.exponent * mx);
  fit.r_squared = syy == 0 ? 1.0 : (sxy * sxy) / (sxx * syy);
  return fit;
}

namespace {

// Number of arrangements of m x's and n y's with U = u, for all u in [0, m*n].
std::vector<double> ExactUCounts(int m, int n) {
  // counts[i][j] is the distribution for i x's and j y's; built up row by row.
  std::vector<std::vector<std::vector<double>>> table(
      m + 1, std::vector<std::vector<double>>(n + 1));
  for (int i = 0; i <= m; ++i) {
    for (int j = 0; j <= n; ++j) {
      std::vector<double>& dist = table[i][j];
      dist.assign(i * j + 1, 0.0);
      if (i == 0 || j == 0) {
        dist[0] = 1;
        continue;
      }
      // The largest element is an x (it beats all j y's) or a y.
      const std::vector<double>& with_x = table[i - 1][j];
      const std::vector<double>& with_y = table[i][j - 1];
      for (size_t u = 0; u < with_x.size(); ++u) dist[u + j] += with_x[u];
      for (size_t u = 0; u < with_y.size(); ++u) dist[u] += with_y[u];
    }
  }
  return table[m][n];
}

}  // namespace

std::optional<UTestResult> MannWhitneyU(const std::vector<double>& a, const std::vector<double>& b,
                                        int exact_max) {
  if (a.empty() || b.empty()) return std::nullopt;
  const size_t n1 = a.size(), n2 = b.size(), n = n1 + n2;
  std::vector<std::pair<double, int>> all;
  for (double v : a) all.emplace_back(v, 0);
  for (double v : b) all.emplace_back(v, 1);
  std::sort(all.begin(), all.end(),
            [](const auto& l, const auto& r) { return l.first < r.first; });
  double rank_sum_a = 0, tie_term = 0;
  bool ties = false;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && all[j].first == all[i].first) ++j;
    double mid_rank = (i + 1 + j) / 2.0;  // ranks are 1-based: mean of i+1..j
    for (size_t k = i; k < j; ++k) {
      if (all[k].second == 0) rank_sum_a += mid_rank;
    }
    double t = static_cast<double>(j - i);
    if (t > 1) ties = true;
    tie_term += t * t * t - t;
    i = j;
  }
  UTestResult res;
  res.u = rank_sum_a - n1 * (n1 + 1) / 2.0;
  const double mu = n1 * n2 / 2.0;
  const size_t limit = static_cast<size_t>(std::max(0, exact_max));
  if (n1 <= limit && n2 <= limit && !ties) {
    std::vector<double> counts = ExactUCounts(static_cast<int>(n1), static_cast<int>(n2));
    double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    int u_big = static_cast<int>(std::max(res.u, n1 * n2 - res.u));
    double upper = 0;  // P(U >= u_big)
    for (size_t u = u_big; u < counts.size(); ++u) upper += counts[u];
    res.p_value = std::min(1.0, 2 * upper / total);
    res.exact = true;
    return res;
  }
  double var = n1 * n2 / 12.0 * ((n + 1) - tie_term / (static_cast<double>(n) * (n - 1)));
  if (var <= 0) {
    res.p_value = 1;
    return res;
  }
  double z = (std::fabs(res.u - mu) - 0.5) / std::sqrt(var);
  res.p_value = std::min(1.0, z <= 0 ? 1.0 : std::erfc(z / std::sqrt(2.0)));
  return res;
}

}  // namespace racetrack::reports
