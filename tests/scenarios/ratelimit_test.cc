// The ratelimit lesson on every target: under the boundary pattern the fixed window admits twice
// the limit inside one rolling window, the sliding log never exceeds it nor rejects wrongly; every
// limiter decides the same way on every target (virtual time makes it deterministic).
#include "scenarios/ratelimit.h"

#include <gtest/gtest.h>

#include "scenarios/knobs.h"
#include "tests/scenarios/lesson_driver.h"

namespace racetrack::scenarios {
namespace {

using testing::Drive;
using testing::LessonTargets;

constexpr int kLimit = 20;

TEST(TrafficScheduleTest, BoundaryPutsTheLimitOnEachSideOfAnEdge) {
  const int64_t w = 1'000'000;
  TrafficSchedule s(TrafficPattern::kBoundary, 10 * w, w, kLimit, 1);
  int before = 0, after = 0;
  int64_t prev = 0;
  for (int i = 0; i < 2 * kLimit; ++i) {
    const int64_t t = s.Next();
    EXPECT_GE(t, prev);
    prev = t;
    const int64_t edge = 11 * w;
    if (t >= edge - w / 10 && t < edge) ++before;
    if (t >= edge && t < edge + w / 10) ++after;
  }
  EXPECT_EQ(before, kLimit);
  EXPECT_EQ(after, kLimit);
  EXPECT_EQ(s.Next(), 13 * w - w / 10);  // the next cycle starts before the edge at 13 W
}

TEST(TrafficScheduleTest, PatternsAreNonDecreasingAndSeeded) {
  for (auto p : {TrafficPattern::kSteady, TrafficPattern::kBursty, TrafficPattern::kManyKeys}) {
    TrafficSchedule a(p, 0, 1'000'000, 100, 5), b(p, 0, 1'000'000, 100, 5);
    int64_t prev = -1;
    for (int i = 0; i < 2000; ++i) {
      const int64_t t = a.Next();
      EXPECT_EQ(t, b.Next());
      EXPECT_GE(t, prev);
      prev = t;
    }
  }
}

TEST(RatelimitKnobsTest, BadInputIsAOneLineUsageError) {
  auto scenario = MakeRatelimitScenario();
  const KnobInfo* pattern = FindKnob(scenario->info(), "pattern");
  ASSERT_NE(pattern, nullptr);
  auto bad = ParseKnobValues(*pattern, "sideways");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "--pattern must be one of boundary, steady, bursty, many-keys (got 'sideways')");
  auto good = ParseKnobValues(*pattern, "boundary,many-keys");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, (std::vector<double>{0, 3}));
  const KnobInfo* limit = FindKnob(scenario->info(), "limit");
  auto zero = ParseKnobValues(*limit, "0");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("between 1 and 10000"), std::string::npos);
}

class RatelimitOnTarget : public ::testing::TestWithParam<adapters::TargetKind> {};

TEST_P(RatelimitOnTarget, BoundaryBurstAndSlidingLogAccuracy) {
  auto scenario = MakeRatelimitScenario();
  auto on = testing::OpenLesson(*scenario, GetParam());
  if (!on.skip.empty()) GTEST_SKIP() << on.skip;
  adapters::Target* target = on.target;
  const auto& approaches = on.approaches;

  RunContext ctx;
  ctx.clients = 1;
  ctx.extra = {{"pattern", 0}, {"limit", kLimit}, {"window-ms", 1000}};
  std::map<std::string, double> admitted_by_algo;
  for (const ApproachInfo* a : approaches) {
    SCOPED_TRACE(a->id);
    // Three cycles of (limit before the edge, limit after it).
    auto r = Drive(*scenario, a->id, *target, ctx, 3 * 2 * kLimit);
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_EQ(r->error, "");
    const auto& f = r->correctness.figures;
    std::cout << "[   info   ] " << a->id << ": " << r->correctness.note << "\n";
    EXPECT_EQ(f.at("admitted") + f.at("rejected"), 3 * 2 * kLimit);
    std::string algo = a->id;
    if (algo.size() > 4 && algo.substr(algo.size() - 4) == "-sql") algo.resize(algo.size() - 4);
    admitted_by_algo[algo] = f.at("admitted");
    if (algo == "fixed-window") {
      EXPECT_EQ(f.at("max_in_window"), 2 * kLimit);  // the boundary burst
      EXPECT_EQ(f.at("admitted"), 3 * 2 * kLimit);
      EXPECT_FALSE(r->correctness.ok);
    } else if (algo == "sliding-log") {
      EXPECT_EQ(f.at("max_in_window"), kLimit);
      EXPECT_EQ(f.at("wrongful_rejections"), 0);
      EXPECT_EQ(f.at("admitted"), 3 * kLimit);
      EXPECT_TRUE(r->correctness.ok) << r->correctness.note;
    } else {
      // Token bucket, GCRA and the counter let part of the second burst through, never all.
      EXPECT_GT(f.at("max_in_window"), kLimit * 0.99);
      EXPECT_LT(f.at("max_in_window"), 2 * kLimit);
    }
    // The series of key 0 shows the burst: some 100 ms bucket reaches the limit.
    ASSERT_TRUE(r->series.count("admitted"));
    double peak = 0;
    for (double v : r->series.at("rolling_admitted")) peak = std::max(peak, v);
    EXPECT_EQ(peak, f.at("max_in_window"));
  }
  // The same decisions on every target: remember the first target's counts and compare.
  static std::map<std::string, double>* first = nullptr;
  if (first == nullptr) {
    first = new std::map<std::string, double>(admitted_by_algo);
  } else {
    for (const auto& [algo, n] : admitted_by_algo) {
      if (first->count(algo)) {
        EXPECT_EQ(n, first->at(algo)) << algo;
      }
    }
  }
}

TEST_P(RatelimitOnTarget, ManyKeysMeasuresMemoryPerKey) {
  auto scenario = MakeRatelimitScenario();
  auto on = testing::OpenLesson(*scenario, GetParam());
  if (!on.skip.empty()) GTEST_SKIP() << on.skip;
  adapters::Target* target = on.target;
  const auto& approaches = on.approaches;
  RunContext ctx;
  ctx.clients = 2;
  ctx.extra = {{"pattern", 3}, {"limit", 10}, {"window-ms", 1000}};
  const ApproachInfo* a = approaches.front();
  auto r = Drive(*scenario, a->id, *target, ctx, 200);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->error, "");
  EXPECT_EQ(r->figures.at("keys"), 400);  // two workers, 200 distinct keys each
  EXPECT_EQ(r->correctness.figures.at("rejected"), 0);
  if (r->figures.count("memory_bytes_per_key")) {
    EXPECT_GT(r->figures.at("memory_bytes_per_key"), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(AllTargets, RatelimitOnTarget, ::testing::ValuesIn(testing::AllKinds()),
                         [](const auto& info) {
                           std::string n(adapters::TargetName(info.param));
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace racetrack::scenarios
