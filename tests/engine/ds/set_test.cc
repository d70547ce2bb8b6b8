#include "engine/ds/set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace racetrack::engine {
namespace {

std::vector<std::string> Members(const Set& s) {
  std::vector<std::string> out;
  s.ForEach([&out](std::string_view m) { out.emplace_back(m); });
  return out;
}

TEST(SetTest, IntsetKeepsSortedOrder) {
  Set s;
  EXPECT_TRUE(s.Add("3"));
  EXPECT_TRUE(s.Add("-1"));
  EXPECT_TRUE(s.Add("10"));
  EXPECT_FALSE(s.Add("3"));
  EXPECT_EQ(s.Encoding(), "intset");
  EXPECT_EQ(Members(s), (std::vector<std::string>{"-1", "3", "10"}));
  EXPECT_TRUE(s.Contains("10"));
  EXPECT_FALSE(s.Contains("010"));
  EXPECT_FALSE(s.Remove("x"));
  EXPECT_TRUE(s.Remove("3"));
  EXPECT_EQ(s.size(), 2u);
}

TEST(SetTest, ConvertsOnNonIntegerOrSize) {
  Set a;
  a.Add("1");
  a.Add("01");  // not canonical: a string
  EXPECT_EQ(a.Encoding(), "hashtable");
  EXPECT_TRUE(a.Contains("1"));
  EXPECT_TRUE(a.Contains("01"));

  Set b;
  for (int i = 0; i < 512; ++i) b.Add(std::to_string(i));
  EXPECT_EQ(b.Encoding(), "intset");
  b.Add("512");
  EXPECT_EQ(b.Encoding(), "hashtable");
  EXPECT_EQ(b.size(), 513u);
  for (int i = 0; i <= 512; ++i) ASSERT_TRUE(b.Contains(std::to_string(i)));
  EXPECT_EQ(Set::ForFirstMember("x").Encoding(), "hashtable");
  EXPECT_EQ(Set::ForFirstMember("7").Encoding(), "intset");
}

TEST(SetTest, HashtableMatchesModelUnderRandomOps) {
  std::mt19937_64 rng(3);
  Set s(false);
  std::set<std::string> model;
  for (int i = 0; i < 50000; ++i) {
    std::string m = "k" + std::to_string(rng() % 3000);
    if (rng() % 3 == 0) {
      EXPECT_EQ(s.Remove(m), model.erase(m) == 1);
    } else {
      EXPECT_EQ(s.Add(m), model.insert(m).second);
    }
  }
  auto got = Members(s);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, std::vector<std::string>(model.begin(), model.end()));
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(model.count(s.Random(rng)));
}

// A full SSCAN walk returns every member, even when the table grows in the middle of it.
TEST(SetTest, ScanSurvivesResize) {
  Set s(false);
  for (int i = 0; i < 1000; ++i) s.Add("m" + std::to_string(i));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = s.Scan(cursor, 10, [&seen](std::string_view m) { seen.emplace(m); });
    if (++calls == 20) {
      for (int i = 1000; i < 5000; ++i) s.Add("m" + std::to_string(i));  // forces rehashing
    }
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(seen.count("m" + std::to_string(i))) << i;
}

TEST(SetTest, CloneIsDeep) {
  Set s(false);
  s.Add("a");
  Set copy = s.Clone();
  s.Remove("a");
  EXPECT_TRUE(copy.Contains("a"));
}

}  // namespace
}  // namespace racetrack::engine
