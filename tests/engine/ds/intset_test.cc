#include "engine/ds/intset.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace racetrack::engine {
namespace {

void ExpectValid(const Intset& is) {
  std::string why;
  EXPECT_TRUE(is.CheckInvariants(&why)) << why;
}

TEST(IntsetTest, SmallValuesUseSixteenBits) {
  Intset is;
  EXPECT_TRUE(is.Add(3));
  EXPECT_TRUE(is.Add(1));
  EXPECT_TRUE(is.Add(2));
  EXPECT_FALSE(is.Add(2));
  EXPECT_EQ(is.width(), 2u);
  EXPECT_EQ(is.bytes(), 14u);  // Redis's {1, 2, 3}: 8-byte header + 3 x 2
  EXPECT_EQ(is.At(0), 1);
  EXPECT_EQ(is.At(2), 3);
  ExpectValid(is);
}

TEST(IntsetTest, UpgradesAtEitherEndAndNeverNarrows) {
  Intset is;
  is.Add(5);
  is.Add(-5);
  is.Add(40000);  // 32 bits, the largest: goes at the end
  EXPECT_EQ(is.width(), 4u);
  is.Add(-5000000000LL);  // 64 bits, the smallest: goes at the front
  EXPECT_EQ(is.width(), 8u);
  EXPECT_EQ(is.size(), 4u);
  EXPECT_EQ(is.At(0), -5000000000LL);
  EXPECT_EQ(is.At(1), -5);
  EXPECT_EQ(is.At(2), 5);
  EXPECT_EQ(is.At(3), 40000);
  EXPECT_TRUE(is.Remove(-5000000000LL));
  EXPECT_EQ(is.width(), 8u);  // as Redis: no downgrade
  EXPECT_FALSE(is.Contains(-5000000000LL));
  EXPECT_FALSE(is.Contains(INT64_MAX));
  ExpectValid(is);
}

TEST(IntsetTest, MatchesModelUnderRandomOps) {
  std::mt19937_64 rng(11);
  Intset is;
  std::set<int64_t> model;
  for (int step = 0; step < 5000; ++step) {
    int shift = static_cast<int>(rng() % 4) * 16 + 1;  // values of every width
    int64_t v = static_cast<int64_t>(rng()) >> (64 - std::min(shift, 63));
    if (rng() % 3 == 0) {
      EXPECT_EQ(is.Remove(v), model.erase(v) == 1);
    } else {
      EXPECT_EQ(is.Add(v), model.insert(v).second);
    }
    ASSERT_EQ(is.size(), model.size());
  }
  ExpectValid(is);
  size_t i = 0;
  for (int64_t v : model) EXPECT_EQ(is.At(i++), v);
  Intset copy = is.Copy();
  EXPECT_EQ(copy.size(), is.size());
  EXPECT_EQ(copy.width(), is.width());
}

}  // namespace
}  // namespace racetrack::engine
