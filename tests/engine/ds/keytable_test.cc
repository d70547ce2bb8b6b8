#include "engine/ds/keytable.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

namespace racetrack::engine {
namespace {

std::string Key(int i) { return "key:" + std::to_string(i); }

// Walks a whole scan, doing `between` after each call; returns every key seen.
template <typename F>
std::multiset<std::string> FullScan(KeyTable& t, F&& between) {
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = t.Scan(cursor, [&](const KeyEntry* e) { seen.emplace(e->key()); });
    between();
  } while (cursor != 0);
  return seen;
}

TEST(KeyTableTest, EntryLayoutIsAsDrawn) {
  KeyTable t;
  KeyEntry* e = t.Insert("n", Value("12345"));
  auto* base = reinterpret_cast<const char*>(e);
  EXPECT_EQ(reinterpret_cast<const char*>(&e->value) - base, 0);
  EXPECT_EQ(reinterpret_cast<const char*>(&e->next_) - base, 16);
  EXPECT_EQ(reinterpret_cast<const char*>(&e->flags) - base, 30);  // after the 48-bit expiry
  EXPECT_EQ(reinterpret_cast<const char*>(&e->key_len8_) - base + 1,
            static_cast<long>(KeyEntry::kKeyOffset));
  EXPECT_EQ(e->key(), "n");
  // One malloc per key, in the 40-byte class for keys of up to 8 bytes (Redis 7.0: 48 bytes in
  // three blocks).
  EXPECT_LE(e->AllocatedBytes(), 40u);
  EXPECT_LE(t.Insert("k:999999", Value("v000000001"))->AllocatedBytes(), 40u);
}

TEST(KeyTableTest, ExpiryHoldsFortySevenBitDeadlines) {
  KeyTable t;
  KeyEntry* e = t.Insert("k", Value("v"));
  EXPECT_EQ(e->expire_ms, -1);
  e->expire_ms = KeyEntry::kFarExpire;
  EXPECT_EQ(e->expire_ms, KeyEntry::kFarExpire);
  e->expire_ms = 1764676800000;  // 2025-12-02
  EXPECT_EQ(e->expire_ms, 1764676800000);
  EXPECT_EQ(e->flags, 0);
  EXPECT_EQ(e->key(), "k");
}

TEST(KeyTableTest, FindInsertEraseAndLongKeys) {
  KeyTable t;
  std::string long_key(300, 'x');
  t.Insert(long_key, Value("long"));
  t.Insert("", Value("empty key"));
  for (int i = 0; i < 5000; ++i) t.Insert(Key(i), Value(std::to_string(i)));
  EXPECT_EQ(t.size(), 5002u);
  ASSERT_NE(t.Find(long_key), nullptr);
  EXPECT_EQ(t.Find(long_key)->key(), long_key);
  EXPECT_EQ(t.Find(long_key)->value.str(), "long");
  ASSERT_NE(t.Find(""), nullptr);
  for (int i = 0; i < 5000; ++i) {
    KeyEntry* e = t.Find(Key(i));
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->value.str(), std::to_string(i));
  }
  EXPECT_EQ(t.Find("key:5000"), nullptr);
  for (int i = 0; i < 5000; i += 2) t.Erase(t.Find(Key(i)));
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(t.Find(Key(i)) != nullptr, i % 2 == 1) << i;
  EXPECT_EQ(t.size(), 2502u);
}

TEST(KeyTableTest, GrowsAndShrinksIncrementally) {
  KeyTable t;
  for (int i = 0; i < 100000; ++i) t.Insert(Key(i), Value());
  while (t.rehashing()) t.RehashStep(100);
  size_t full = t.bucket_count();
  EXPECT_GE(full, 100000u);
  EXPECT_LE(full, 262144u);
  for (int i = 0; i < 99990; ++i) t.Erase(t.Find(Key(i)));
  t.RehashFor(1'000'000);
  EXPECT_FALSE(t.rehashing());
  // Under 10% full shrinks to the smallest power of two that holds the rest.
  EXPECT_LE(t.bucket_count(), 16u);
  EXPECT_LT(t.BucketBytes(), 256u);
  for (int i = 99990; i < 100000; ++i) EXPECT_NE(t.Find(Key(i)), nullptr);
}

TEST(KeyTableTest, ScanReturnsEveryStableKeyWhileGrowing) {
  KeyTable t;
  for (int i = 0; i < 1000; ++i) t.Insert(Key(i), Value());
  int next = 1000;
  auto seen = FullScan(t, [&] {
    // Several resizes mid-walk (then stop growing, or the walk would chase the table forever).
    for (int j = 0; j < 200 && next < 9000; ++j) t.Insert(Key(next++), Value());
  });
  EXPECT_GT(t.size(), 8000u);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.contains(Key(i))) << i;
}

TEST(KeyTableTest, ScanReturnsEveryStableKeyWhileShrinking) {
  KeyTable t;
  for (int i = 0; i < 20000; ++i) t.Insert(Key(i), Value());
  while (t.rehashing()) t.RehashStep(100);
  int next_gone = 100;  // keys 0..99 stay for the whole walk; the rest go
  size_t buckets_before = t.bucket_count();
  auto seen = FullScan(t, [&] {
    for (int j = 0; j < 500 && next_gone < 20000; ++j) t.Erase(t.Find(Key(next_gone++)));
  });
  t.RehashFor(1'000'000);
  EXPECT_LT(t.bucket_count(), buckets_before / 64);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.contains(Key(i))) << i;
}

TEST(KeyTableTest, ScanDuringARehashVisitsBothTables) {
  KeyTable t;
  for (int i = 0; i < 4096; ++i) t.Insert(Key(i), Value());  // the last insert starts a resize
  t.Insert("one-more", Value());
  ASSERT_TRUE(t.rehashing());
  auto seen = FullScan(t, [] {});
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), t.size());
}

TEST(KeyTableTest, ForEachMayEraseTheVisitedEntry) {
  KeyTable t;
  for (int i = 0; i < 3000; ++i) t.Insert(Key(i), Value());
  t.Insert("trigger", Value());
  size_t visited = 0;
  t.ForEach([&](KeyEntry* e) {
    ++visited;
    if (e->key() != "trigger") t.Erase(e);  // would start a shrink: paused until the walk ends
  });
  EXPECT_EQ(visited, 3001u);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_NE(t.Find("trigger"), nullptr);
  t.RehashFor(1'000'000);
  EXPECT_LE(t.bucket_count(), 8u);
}

// Draws from a table of k keys and returns the chi-square statistic against the uniform law.
double ChiSquare(KeyTable& t, int k, int draws, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::unordered_map<std::string, int> counts;
  for (int i = 0; i < draws; ++i) ++counts[std::string(t.Random(rng)->key())];
  EXPECT_EQ(counts.size(), static_cast<size_t>(k));
  double expected = static_cast<double>(draws) / k, chi2 = 0;
  for (const auto& [key, n] : counts) chi2 += (n - expected) * (n - expected) / expected;
  return chi2;
}

TEST(KeyTableTest, RandomIsUniformByChiSquare) {
  // 500 keys, 500 * 400 draws: with 499 degrees of freedom the statistic has mean 499 and
  // standard deviation 31.6; 620 is p < 0.0001. Picking a bucket then a chain position (Redis's
  // dictGetRandomKey) scores in the thousands here, since chains at load ~0.5-1 vary in length.
  KeyTable t;
  for (int i = 0; i < 500; ++i) t.Insert(Key(i), Value());
  EXPECT_LT(ChiSquare(t, 500, 500 * 400, 42), 620.0);
}

TEST(KeyTableTest, RandomIsUniformInASparseTableAndWhileRehashing) {
  KeyTable t;
  for (int i = 0; i < 50000; ++i) t.Insert(Key(i), Value());
  for (int i = 0; i < 49950; ++i) t.Erase(t.Find(Key(i)));  // 50 left in a sparse table
  // 49 degrees of freedom: mean 49, sd 9.9; 90 is p < 0.0001.
  EXPECT_LT(ChiSquare(t, 50, 50 * 400, 7), 90.0);
  // Two tables: 4096 entries fill 4096 buckets, the next insert starts doubling.
  KeyTable growing;
  for (int i = 0; i < 4097; ++i) growing.Insert(Key(i), Value());
  ASSERT_TRUE(growing.rehashing());
  std::mt19937_64 rng0(3);
  std::map<std::string, int> first_draws;
  for (int i = 0; i < 2000; ++i) ++first_draws[std::string(growing.Random(rng0)->key())];
  EXPECT_GT(first_draws.size(), 1500u);  // 2000 draws over 4097 keys: ~1600 distinct expected
  KeyTable empty;
  std::mt19937_64 rng(1);
  EXPECT_EQ(empty.Random(rng), nullptr);
}

}  // namespace
}  // namespace racetrack::engine
