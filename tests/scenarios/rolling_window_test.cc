// Rolling-window figures against brute force on random and hand-made inputs.
#include "scenarios/rolling_window.h"

#include <random>

#include <gtest/gtest.h>

namespace racetrack::scenarios {
namespace {

TEST(RollingWindowTest, MatchesBruteForceOnRandomTimes) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = static_cast<int>(rng() % 200);
    const int64_t span = 1 + static_cast<int64_t>(rng() % 5000);
    const int64_t window = 1 + static_cast<int64_t>(rng() % 700);
    std::vector<int64_t> times;
    for (int i = 0; i < n; ++i) times.push_back(static_cast<int64_t>(rng() % span));
    ASSERT_EQ(MaxInRollingWindow(times, window), MaxInRollingWindowBruteForce(times, window))
        << "trial " << trial;
  }
}

TEST(RollingWindowTest, WindowIsHalfOpenOnTheLeft) {
  // 0 and 10 are exactly one window apart: never in the same (t - 10, t].
  EXPECT_EQ(MaxInRollingWindow({0, 10, 20}, 10), 1);
  EXPECT_EQ(MaxInRollingWindow({0, 9, 18}, 10), 2);
  EXPECT_EQ(MaxInRollingWindow({}, 10), 0);
  EXPECT_EQ(MaxInRollingWindow({5, 5, 5}, 1), 3);
}

TEST(RollingWindowTest, TheFixedWindowBoundaryBurstIsTwiceTheLimit) {
  // 100 just before the edge at 1000, 100 just after: each fixed window saw 100, a rolling window
  // of 1000 sees 200.
  std::vector<int64_t> times;
  for (int i = 0; i < 100; ++i) times.push_back(900 + i);
  for (int i = 0; i < 100; ++i) times.push_back(1000 + i);
  EXPECT_EQ(MaxInRollingWindow(times, 1000), 200);
}

TEST(RollingWindowTest, WrongfulRejectionsCountOnlyRejectionsWithRoomLeft) {
  // limit 2 per 10: admit, admit, reject (full: right), then at 11 the first left the window, so
  // a rejection there is wrongful.
  std::vector<Decision> d = {{0, true}, {5, true}, {6, false}, {11, false}, {12, true}};
  EXPECT_EQ(WrongfulRejections(d, 10, 2), 1);
}

TEST(RollingWindowTest, CountsPerIntervalAndRollingCounts) {
  std::vector<int64_t> times = {0, 1, 99, 100, 250, 399, 400, 1000};
  EXPECT_EQ(CountPerInterval(times, 0, 100, 4), (std::vector<int64_t>{3, 1, 1, 1}));
  // Rolling window 200 ending at 100, 200, 300, 400.
  EXPECT_EQ(RollingCountAt(times, 0, 100, 4, 200), (std::vector<int64_t>{4, 3, 1, 3}));
}

}  // namespace
}  // namespace racetrack::scenarios
