// Rolling-window arithmetic. Two pointers over sorted times: the left pointer only moves right, so
// the maximum over every window ending at an event is found in one pass; a window that maximizes
// the count can always be slid right until its end touches an event without losing any, so windows
// ending at events are the only ones to check.
#include "scenarios/rolling_window.h"

#include <algorithm>
#include <deque>

namespace racetrack::scenarios {

int64_t MaxRateExcess(std::vector<int64_t> times, int64_t a, int64_t c) {
  // With e_k = a*k - c*t_k over the sorted times, the interval [t_i, t_j] has
  // a*(j-i+1) - c*(t_j - t_i) = e_j - e_i + a, so the answer is a + max over j of
  // (e_j - min_{i<=j} e_i): one pass with a running minimum.
  if (times.empty()) return 0;
  std::sort(times.begin(), times.end());
  int64_t best = 0;
  int64_t min_e = 0;
  for (size_t k = 0; k < times.size(); ++k) {
    const int64_t e = a * static_cast<int64_t>(k) - c * times[k];
    if (k == 0 || e < min_e) min_e = e;
    best = std::max(best, e - min_e + a);
  }
  return best;
}

int64_t MaxInRollingWindow(std::vector<int64_t> times, int64_t window) {
  std::sort(times.begin(), times.end());
  int64_t best = 0;
  size_t left = 0;
  for (size_t right = 0; right < times.size(); ++right) {
    while (times[left] <= times[right] - window) ++left;
    best = std::max<int64_t>(best, static_cast<int64_t>(right - left + 1));
  }
  return best;
}

int64_t MaxInRollingWindowBruteForce(const std::vector<int64_t>& times, int64_t window) {
  int64_t best = 0;
  for (int64_t end : times) {
    int64_t n = 0;
    for (int64_t t : times) {
      if (t > end - window && t <= end) ++n;
    }
    best = std::max(best, n);
  }
  return best;
}

int64_t WrongfulRejections(const std::vector<Decision>& decisions, int64_t window, int64_t limit) {
  std::deque<int64_t> admitted;  // admission times inside the current window
  int64_t wrongful = 0;
  for (const Decision& d : decisions) {
    while (!admitted.empty() && admitted.front() <= d.t - window) admitted.pop_front();
    if (d.admitted) {
      admitted.push_back(d.t);
    } else if (static_cast<int64_t>(admitted.size()) < limit) {
      ++wrongful;
    }
  }
  return wrongful;
}

std::vector<int64_t> CountPerInterval(const std::vector<int64_t>& times, int64_t origin,
                                      int64_t interval, int buckets) {
  std::vector<int64_t> out(static_cast<size_t>(std::max(buckets, 0)), 0);
  for (int64_t t : times) {
    if (t < origin) continue;
    const int64_t i = (t - origin) / interval;
    if (i < buckets) ++out[static_cast<size_t>(i)];
  }
  return out;
}

std::vector<int64_t> RollingCountAt(std::vector<int64_t> times, int64_t origin, int64_t interval,
                                    int buckets, int64_t window) {
  std::sort(times.begin(), times.end());
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(std::max(buckets, 0)));
  for (int k = 0; k < buckets; ++k) {
    const int64_t end = origin + (k + 1) * interval;
    auto hi = std::upper_bound(times.begin(), times.end(), end);
    auto lo = std::upper_bound(times.begin(), times.end(), end - window);
    out.push_back(static_cast<int64_t>(hi - lo));
  }
  return out;
}

}  // namespace racetrack::scenarios
