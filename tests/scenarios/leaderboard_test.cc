// The leaderboard lesson on every target at small sizes: every approach gives the expected top-10
// and ranks (ties ordered score DESC, player DESC), updates under concurrent reads are all in the
// final scores, loading happens once per size, and the growth fit is right on known curves.
#include "scenarios/leaderboard.h"

#include <cmath>

#include <gtest/gtest.h>

#include "scenarios/knobs.h"
#include "tests/scenarios/lesson_driver.h"

namespace racetrack::scenarios {
namespace {

using testing::DriveClean;

TEST(LeaderboardFitTest, GrowthExponentOfKnownCurves) {
  EXPECT_NEAR(FitGrowthExponent({{1e3, 1.0}, {1e4, 10.0}, {1e5, 100.0}}), 1.0, 1e-9);
  EXPECT_NEAR(FitGrowthExponent({{1e3, 5.0}, {1e4, 5.0}, {1e5, 5.0}}), 0.0, 1e-9);
  EXPECT_TRUE(std::isnan(FitGrowthExponent({{1e3, 5.0}})));
  EXPECT_TRUE(std::isnan(FitGrowthExponent({{1e3, 5.0}, {1e3, 6.0}})));
}

TEST(LeaderboardDataTest, NamesSortLikeNumbersAndScoresTie) {
  EXPECT_EQ(LeaderboardPlayer(42), "p:0000042");
  EXPECT_LT(LeaderboardPlayer(9), LeaderboardPlayer(10));
  std::map<int64_t, int> seen;
  for (int i = 0; i < 1000; ++i) ++seen[LeaderboardScore(42, 1000, i)];
  EXPECT_LT(seen.size(), 1000u);  // ties exist
}

TEST(LeaderboardKnobsTest, SizesZeroIsAUsageError) {
  auto scenario = MakeLeaderboardScenario();
  EXPECT_EQ(testing::KnobError(*scenario, "sizes", "1000,0"),
            "--sizes must be an integer between 10 and 10000000 (got '0')");
  const std::vector<double> good = testing::AcceptedKnobValues(*scenario, "sizes", "1000,10000");
  ASSERT_EQ(good, (std::vector<double>{1000, 10000}));
  EXPECT_EQ(scenario->ParameterPoints(scenario->info().approaches[0],
                                      adapters::TargetKind::kPostgres, {{"sizes", good}})
                .size(),
            2u);
}

TEST(LeaderboardSummaryTest, FitsPerApproachAndTarget) {
  auto scenario = MakeLeaderboardScenario();
  std::vector<PointResult> points;
  for (double n : {1e3, 1e4, 1e5}) {
    points.push_back({"sql-noindex", "postgres", {{"sizes", n}}, n / 100, 0, 0, true, {}});
    points.push_back({"zset", "redis", {{"sizes", n}}, 50, 0, 0, true, {}});
  }
  auto f = scenario->Summarize(points);
  EXPECT_NEAR(f.at("growth_exponent.sql-noindex.postgres"), 1.0, 1e-9);
  EXPECT_NEAR(f.at("growth_exponent.zset.redis"), 0.0, 1e-9);
}

class LeaderboardOnTarget : public testing::LessonOnTargetTest<MakeLeaderboardScenario> {};

TEST_P(LeaderboardOnTarget, EveryApproachAgrees) {
  for (double n : {1000.0, 5000.0}) {
    RunContext ctx;
    ctx.clients = 2;
    ctx.extra = {{"sizes", n}};
    bool loaded_before = false;
    for (const ApproachInfo* a : approaches_) {
      SCOPED_TRACE(a->id + " N=" + std::to_string(static_cast<int>(n)));
      auto r = DriveClean(*scenario_, a->id, *target_, ctx, 30);
      ASSERT_TRUE(r.ok()) << r.status().message();
      EXPECT_TRUE(r->correctness.ok) << r->correctness.note;
      EXPECT_EQ(r->correctness.figures.at("mismatches"), 0);
      EXPECT_GT(r->correctness.figures.at("checks"), 0);
      EXPECT_EQ(r->figures.at("n"), n);
      EXPECT_GT(r->figures.at("load_s"), 0);
      if (a->id.rfind("update", 0) == 0) {
        EXPECT_GT(r->correctness.figures.at("updated_players"), 0);
        EXPECT_EQ(r->figures.at("readers"), 2);
      } else if (loaded_before) {
        // Read-only approaches_ after the first of a backend reuse the loaded data.
        EXPECT_EQ(r->figures.at("loaded_now"), 0) << a->id;
      }
      loaded_before = true;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllTargets, LeaderboardOnTarget, ::testing::ValuesIn(testing::AllKinds()),
                         testing::TargetParamName);

}  // namespace
}  // namespace racetrack::scenarios
