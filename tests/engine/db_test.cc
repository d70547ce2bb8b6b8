#include "engine/db.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace racetrack::engine {
namespace {

TEST(DbTest, LazyExpiryHidesExpiredKeys) {
  ManualClock clock;
  Db db(0, &clock);
  db.Set("k", Value(std::string("v")));
  db.SetExpire("k", clock.NowMs() + 100);
  ASSERT_NE(db.Find("k"), nullptr);
  clock.AdvanceMs(100);  // at its deadline's millisecond a key still lives (Redis: now > when)
  ASSERT_NE(db.Find("k"), nullptr);
  clock.AdvanceMs(1);
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
  clock.AdvanceMs(11);
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

TEST(DbTest, RandomKeyIsFairAndSkipsExpiredKeys) {
  ManualClock clock;
  Db db(0, &clock);
  // A sparse table: 20,000 keys, all but 40 deleted (std::unordered_map kept its 20,000 buckets
  // and RANDOMKEY fell back to the first key of a walk).
  for (int i = 0; i < 20000; ++i) db.Set("k" + std::to_string(i), Value("v"));
  for (int i = 40; i < 20000; ++i) ASSERT_TRUE(db.Erase("k" + std::to_string(i)));
  for (int i = 0; i < 10; ++i) db.SetExpire("k" + std::to_string(i), clock.NowMs() + 5);
  clock.AdvanceMs(6);  // k0..k9 are now expired: RANDOMKEY deletes them when drawn
  std::map<std::string, int> counts;
  constexpr int kDraws = 30 * 500;
  for (int i = 0; i < kDraws; ++i) {
    std::string key;
    ASSERT_TRUE(db.RandomKey(&key));
    ++counts[key];
  }
  ASSERT_EQ(counts.size(), 30u);  // only the live k10..k39
  EXPECT_EQ(counts.count("k0"), 0u);
  // Chi-square, 29 degrees of freedom: mean 29, sd 7.6; 65 is p < 0.0001. Fixed seed (Db's rng).
  double expected = static_cast<double>(kDraws) / 30, chi2 = 0;
  for (const auto& [k, n] : counts) chi2 += (n - expected) * (n - expected) / expected;
  EXPECT_LT(chi2, 65.0);
  EXPECT_LE(db.table().bucket_count(), 64u + 128u);  // shrank (a shrink may still be moving)
}

TEST(DbTest, ScanSurvivesResizingAndSkipsExpiredKeys) {
  ManualClock clock;
  Db db(0, &clock);
  for (int i = 0; i < 500; ++i) db.Set("stable" + std::to_string(i), Value("v"));
  db.SetExpire("stable0", clock.NowMs() + 1);
  clock.AdvanceMs(2);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int added = 0;
  do {
    cursor = db.Scan(cursor, 10, [&](std::string_view k, const Db::Entry&) { seen.emplace(k); });
    for (int j = 0; j < 100 && added < 8000; ++j) db.Set("new" + std::to_string(added++), Value("v"));
  } while (cursor != 0);
  EXPECT_FALSE(seen.contains("stable0"));
  for (int i = 1; i < 500; ++i) EXPECT_TRUE(seen.contains("stable" + std::to_string(i))) << i;
}

TEST(DbTest, VolatileIndexFollowsTtlsAndMemoryReturnsToZero) {
  ManualClock clock;
  Db db(0, &clock);
  for (int i = 0; i < 1000; ++i) {
    std::string key = "k" + std::to_string(i);
    db.Set(key, Value(std::string(i % 50, 'x')));
    if (i % 3 == 0) db.SetExpire(key, clock.NowMs() + 1000 + i);
  }
  EXPECT_EQ(db.volatile_size(), 334u);
  EXPECT_TRUE(db.Persist("k0"));
  db.Set("k3", Value("new"));  // drops the TTL
  EXPECT_TRUE(db.Erase("k6"));
  EXPECT_EQ(db.volatile_size(), 331u);
  EXPECT_EQ(db.MemoryBytes(), db.RecountBytes());
  clock.AdvanceMs(100000);
  while (db.volatile_size() > 0) db.ActiveExpireCycle(1'000'000);
  EXPECT_EQ(db.size(), 1000u - 332u);
  EXPECT_EQ(db.MemoryBytes(), db.RecountBytes());
  db.Clear();
  EXPECT_EQ(db.MemoryBytes(), 0u);
}

// The entry keeps deadlines in 48 bits; later ones (PEXPIREAT k 9223372036854770000 is valid in
// Redis) are kept exactly beside the TTL index and never mistaken for expired.
TEST(DbTest, FarDeadlinesAreKeptExactly) {
  ManualClock clock;
  Db db(0, &clock);
  const int64_t far = 9223372036854770000, edge = KeyEntry::kFarExpire;
  for (int64_t when : {far, edge, edge + 1, edge - 1}) {
    db.Set("k", Value("v"));
    db.SetExpire("k", when);
    ASSERT_NE(db.Find("k"), nullptr) << when;
    EXPECT_EQ(db.GetExpire("k"), when);
    EXPECT_EQ(db.volatile_size(), 1u);
  }
  db.SetExpire("k", far);
  db.SetExpire("k", clock.NowMs() + 5);  // back to a near deadline
  EXPECT_EQ(db.GetExpire("k"), clock.NowMs() + 5);
  EXPECT_TRUE(db.Persist("k"));
  EXPECT_EQ(db.GetExpire("k"), -1);
  db.SetExpire("k", far);
  db.SetExpire("k", -5);  // a deadline before 1970 deletes at once, as a past one
  EXPECT_EQ(db.Find("k"), nullptr);
  EXPECT_EQ(db.volatile_size(), 0u);
  EXPECT_EQ(db.MemoryBytes(), db.RecountBytes());
}

}  // namespace
}  // namespace racetrack::engine
