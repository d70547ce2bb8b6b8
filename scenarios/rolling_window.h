// Rolling-window arithmetic over event times, for the rate-limit lesson's accuracy figures.
//
// A window of length W ending at t is (t - W, t] — the window a sliding-log limiter checks when it
// removes entries <= now - W and counts the rest. All times are integers (microseconds).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

namespace racetrack::scenarios {

// The largest number of events in any window (t - window, t]. `times` need not be sorted.
// O(n log n) (sort + two pointers). 0 for no events; REQUIRES window > 0.
int64_t MaxInRollingWindow(std::vector<int64_t> times, int64_t window);

// The same by brute force, O(n^2): for tests.
int64_t MaxInRollingWindowBruteForce(const std::vector<int64_t>& times, int64_t window);

// The rate contract of a token bucket or GCRA, in integers: for every interval [t_i, t_j] that
// starts and ends at an admission, a * (admissions in it) <= b + c * (t_j - t_i). Token bucket
// (capacity = limit, refill limit per window W): a = W, b = W * limit, c = limit. GCRA (emission
// interval T, admitted while its theoretical arrival time is at most W ahead): a = T, b = W,
// c = 1. Returns the largest a * n - c * (t_j - t_i) over all such intervals (<= b: the contract
// holds), so the observed burst in tokens is the result / a. 0 for no events; O(n log n).
int64_t MaxRateExcess(std::vector<int64_t> times, int64_t a, int64_t c);

// One limiter decision.
struct Decision {
  int64_t t = 0;
  bool admitted = false;
};

// Rejections an exact sliding log would not have made: a rejection at t is wrongful when fewer
// than `limit` admissions (of this same decision stream) fall in (t - window, t]. `decisions` in
// time order (ties keep their order).
int64_t WrongfulRejections(const std::vector<Decision>& decisions, int64_t window, int64_t limit);

// Events per interval: bucket i counts times in [origin + i*interval, origin + (i+1)*interval),
// for `buckets` buckets; times outside are ignored. REQUIRES interval > 0.
std::vector<int64_t> CountPerInterval(const std::vector<int64_t>& times, int64_t origin,
                                      int64_t interval, int buckets);

// For each k in [0, buckets): the number of times in (end_k - window, end_k] where
// end_k = origin + (k + 1) * interval — the rolling count a teacher draws against the limit line.
std::vector<int64_t> RollingCountAt(std::vector<int64_t> times, int64_t origin, int64_t interval,
                                    int buckets, int64_t window);

}  // namespace racetrack::scenarios
