#include "engine/ds/hash.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/ds/limits.h"

namespace racetrack::engine {
namespace {

std::vector<std::pair<std::string, std::string>> Pairs(const Hash& h) {
  std::vector<std::pair<std::string, std::string>> out;
  h.ForEach([&out](const std::string& f, const std::string& v) { out.emplace_back(f, v); });
  return out;
}

// "HSET h f1 v1 f2 v2 f3 v3": a 31-byte listpack in insertion order, and that block is all the
// object costs (it lives inside the key's Value): no more than Redis's listpack (32 B) plus 8.
TEST(HashTest, SmallHashIsOnePackedArrayInInsertionOrder) {
  Hash h;
  EXPECT_TRUE(h.Set("f1", "v1"));
  EXPECT_TRUE(h.Set("f2", "v2"));
  EXPECT_TRUE(h.Set("f3", "v3"));
  EXPECT_FALSE(h.Set("f1", "w1"));  // overwrite in place
  EXPECT_EQ(h.encoding(), Hash::Enc::kListpack);
  EXPECT_EQ(Pairs(h), (std::vector<std::pair<std::string, std::string>>{
                          {"f1", "w1"}, {"f2", "v2"}, {"f3", "v3"}}));
  EXPECT_LE(h.MemoryUsage(), 40u);
  ASSERT_NE(h.Get("f2"), nullptr);
  EXPECT_EQ(*h.Get("f2"), "v2");
  EXPECT_EQ(h.Get("v2"), nullptr);  // values are not fields
  EXPECT_TRUE(h.Erase("f2"));
  EXPECT_EQ(h.size(), 2u);
}

TEST(HashTest, ConvertsAtTheConfiguredLimitsAndNeverBack) {
  EncodingLimits saved = Limits();
  Limits().hash_max_listpack_entries = 3;
  Limits().hash_max_listpack_value = 4;
  Hash h;
  h.Set("a", "1234");
  h.Set("b", "2");
  h.Set("c", "3");
  EXPECT_EQ(h.encoding(), Hash::Enc::kListpack);
  h.Set("d", "4");  // the 4th field
  EXPECT_EQ(h.encoding(), Hash::Enc::kHashtable);
  h.Erase("d");
  h.Erase("c");
  EXPECT_EQ(h.encoding(), Hash::Enc::kHashtable);
  Hash v;
  v.Set("a", "12345");  // a 5-byte value
  EXPECT_EQ(v.encoding(), Hash::Enc::kHashtable);
  Limits() = saved;
}

// Random sets and erases against a std::map, across the conversion, with integer-looking and
// long values (the listpack stores canonical integers as integers).
TEST(HashTest, MatchesModelUnderRandomOps) {
  std::mt19937_64 rng(3);
  Hash h;
  std::map<std::string, std::string> model;
  for (int step = 0; step < 4000; ++step) {
    std::string f = "f" + std::to_string(rng() % 700);
    if (rng() % 4 == 0) {
      EXPECT_EQ(h.Erase(f), model.erase(f) == 1);
    } else {
      std::string v = rng() % 2 ? std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64))
                                : std::string(rng() % 70, 'v');
      EXPECT_EQ(h.Set(f, v), model.count(f) == 0);
      model[f] = v;
    }
    ASSERT_EQ(h.size(), model.size());
  }
  for (const auto& [f, v] : model) {
    const std::string* got = h.Get(f);
    ASSERT_NE(got, nullptr) << f;
    EXPECT_EQ(*got, v);
  }
  const Hash copy = h.Clone();
  std::map<std::string, std::string> seen;
  copy.ForEach(
      [&seen](const std::string& f, const std::string& v) { seen[f] = v; });
  EXPECT_EQ(seen, model);
}

}  // namespace
}  // namespace racetrack::engine
