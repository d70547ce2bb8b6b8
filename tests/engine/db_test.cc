#include "engine/db.h"

#include <gtest/gtest.h>

namespace racetrack::engine {
namespace {

TEST(DbTest, LazyExpiryHidesExpiredKeys) {
  ManualClock clock;
  Db db(0, &clock);
  db.Set("k", Value(std::string("v")));
  db.SetExpire("k", clock.NowMs() + 100);
  ASSERT_NE(db.Find("k"), nullptr);
  clock.AdvanceMs(100);
  EXPECT_EQ(db.Find("k"), nullptr);
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.volatile_size(), 0u);
}

TEST(DbTest, ActiveExpiryReclaimsUnreadKeys) {
  ManualClock clock;
  Db db(0, &clock);
  for (int i = 0; i < 10000; ++i) {
    std::string key = "k" + std::to_string(i);
    db.Set(key, Value(std::string("v")));
    if (i % 2 == 0) db.SetExpire(key, clock.NowMs() + 10);
  }
  clock.AdvanceMs(10);
  for (int round = 0; round < 1000 && db.volatile_size() > 0; ++round) {
    db.ActiveExpireCycle(1'000'000);
  }
  // Sampling stops once under 25% of a sample is expired, so a small tail may remain (as in Redis).
  EXPECT_LT(db.volatile_size(), 500u);
  EXPECT_GE(db.size(), 5000u);
}

TEST(DbTest, SetClearsTtlUnlessKept) {
  ManualClock clock;
  Db db(0, &clock);
  db.Set("k", Value(std::string("v")));
  db.SetExpire("k", clock.NowMs() + 1000);
  db.Set("k", Value(std::string("w")), /*keep_ttl=*/true);
  EXPECT_GE(db.GetExpire("k"), 0);
  db.Set("k", Value(std::string("x")));
  EXPECT_EQ(db.GetExpire("k"), -1);
  EXPECT_EQ(db.volatile_size(), 0u);
}

}  // namespace
}  // namespace racetrack::engine
