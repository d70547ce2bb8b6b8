#include "reports/stats.h"

#include <gtest/gtest.h>

namespace racetrack::reports {
namespace {

TEST(StatsTest, MedianAndCv) {
  EXPECT_DOUBLE_EQ(Median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(Median({4, 1, 2, 3}), 2.5);
  EXPECT_FALSE(CoefficientOfVariation({5}));
  EXPECT_NEAR(*CoefficientOfVariation({9, 10, 11}), 0.1, 1e-12);
}

TEST(StatsTest, PowerLawRecoversExponent) {
  auto fit = FitPowerLaw({1e3, 1e4, 1e5, 1e6}, {3e6, 3e8, 3e10, 3e12});
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->exponent, 2.0, 1e-9);
  EXPECT_NEAR(fit->coefficient, 3.0, 1e-6);
  EXPECT_NEAR(fit->r_squared, 1.0, 1e-12);
  EXPECT_FALSE(FitPowerLaw({5, 5}, {1, 2}));       // one distinct x
  EXPECT_FALSE(FitPowerLaw({1, 2}, {0, -1}));      // nothing positive
}

// Reference values from scipy.stats.mannwhitneyu(a, b, alternative="two-sided").
TEST(StatsTest, MannWhitneyExactSmallSamples) {
  auto r = MannWhitneyU({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->exact);
  EXPECT_DOUBLE_EQ(r->u, 0);
  EXPECT_NEAR(r->p_value, 2.0 / 252, 1e-12);
  r = MannWhitneyU({1, 2, 3}, {4, 5});
  EXPECT_NEAR(r->p_value, 0.2, 1e-12);
  r = MannWhitneyU({1, 3, 5}, {2, 4, 6});
  EXPECT_NEAR(r->p_value, 0.7, 1e-12);
}

TEST(StatsTest, MannWhitneyAsymptoticWithContinuity) {
  std::vector<double> a, b;
  for (int i = 0; i < 10; ++i) {
    a.push_back(100 + i);
    b.push_back(70 + i);
  }
  auto r = MannWhitneyU(a, b);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->exact);
  EXPECT_DOUBLE_EQ(r->u, 100);
  EXPECT_NEAR(r->p_value, 0.00018267, 1e-7);
}

TEST(StatsTest, MannWhitneyIdenticalAndEmpty) {
  auto r = MannWhitneyU({5, 5, 5}, {5, 5, 5});
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->p_value, 1.0);
  EXPECT_FALSE(MannWhitneyU({}, {1}));
}

}  // namespace
}  // namespace racetrack::reports
