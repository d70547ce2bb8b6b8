#include "engine/ds/skiplist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace racetrack::engine {
namespace {

using Entry = std::pair<double, std::string>;

void ExpectValid(const SkipList& sl) {
  std::string why;
  ASSERT_TRUE(sl.CheckInvariants(&why)) << why;
}

std::vector<Entry> Contents(const SkipList& sl) {
  std::vector<Entry> out;
  for (const SkipList::Node* n = sl.first(); n != nullptr; n = n->next()) {
    out.emplace_back(n->score, std::string(n->member()));
  }
  return out;
}

TEST(SkipListTest, EmptyListIsValid) {
  SkipList sl;
  ExpectValid(sl);
  EXPECT_EQ(sl.length(), 0u);
  EXPECT_EQ(sl.first(), nullptr);
  EXPECT_EQ(sl.tail(), nullptr);
  EXPECT_EQ(sl.ByRank(1), nullptr);
  EXPECT_EQ(sl.GetRank(1, "a"), 0u);
}

TEST(SkipListTest, OrdersByScoreThenMemberBytes) {
  SkipList sl;
  sl.Insert(2, "b");
  sl.Insert(1, "z");
  sl.Insert(2, "a");
  sl.Insert(2, "ab");
  sl.Insert(2, "\xff");
  sl.Insert(-1, "q");
  ExpectValid(sl);
  std::vector<Entry> want = {{-1, "q"}, {1, "z"}, {2, "a"}, {2, "ab"}, {2, "b"}, {2, "\xff"}};
  EXPECT_EQ(Contents(sl), want);
  EXPECT_EQ(sl.GetRank(2, "ab"), 4u);
  EXPECT_EQ(sl.ByRank(4)->member(), "ab");
  EXPECT_EQ(sl.tail()->member(), "\xff");
}

// Random inserts, deletes and score updates, checked against a std::set after every step batch:
// order, rank of every element, ByRank of every rank, and the structural invariants.
TEST(SkipListTest, RandomOperationsMatchSortedVector) {
  std::mt19937_64 rng(42);
  SkipList sl(7);
  std::set<Entry> model;
  for (int step = 0; step < 20000; ++step) {
    int op = static_cast<int>(rng() % 10);
    std::string member = "m" + std::to_string(rng() % 2000);
    double score = static_cast<double>(rng() % 50);  // many equal scores
    auto existing = std::find_if(model.begin(), model.end(),
                                 [&](const Entry& e) { return e.second == member; });
    if (op < 6) {
      if (existing == model.end()) {
        sl.Insert(score, member);
        model.emplace(score, member);
      }
    } else if (op < 8) {
      if (existing != model.end()) {
        EXPECT_TRUE(sl.Delete(existing->first, member));
        model.erase(existing);
      } else {
        EXPECT_FALSE(sl.Delete(score, member));
      }
    } else if (existing != model.end()) {
      // Find the node by rank, then move it.
      uint64_t rank = sl.GetRank(existing->first, member);
      ASSERT_GT(rank, 0u);
      SkipList::Node* node = sl.ByRank(rank);
      ASSERT_EQ(node->member(), member);
      sl.UpdateScore(node, score);
      model.erase(existing);
      model.emplace(score, member);
    }
    if (step % 1000 == 999) {
      ExpectValid(sl);
      std::vector<Entry> sorted(model.begin(), model.end());
      ASSERT_EQ(Contents(sl), sorted);
      for (size_t i = 0; i < sorted.size(); ++i) {
        ASSERT_EQ(sl.GetRank(sorted[i].first, sorted[i].second), i + 1);
        ASSERT_EQ(sl.ByRank(i + 1)->member(), sorted[i].second);
      }
    }
  }
}

TEST(SkipListTest, ScoreRanges) {
  SkipList sl;
  for (int i = 1; i <= 10; ++i) sl.Insert(i, "m" + std::to_string(i));
  ScoreRange r{.min = 3, .max = 7, .min_exclusive = true, .max_exclusive = false};
  EXPECT_EQ(sl.FirstInRange(r)->score, 4);
  EXPECT_EQ(sl.LastInRange(r)->score, 7);
  ScoreRange empty{.min = 5, .max = 5, .min_exclusive = true};
  EXPECT_TRUE(SkipList::IsEmptyRange(empty));
  EXPECT_EQ(sl.FirstInRange(empty), nullptr);
  ScoreRange above{.min = 11, .max = 20};
  EXPECT_EQ(sl.FirstInRange(above), nullptr);
  EXPECT_EQ(sl.LastInRange(above), nullptr);
  ScoreRange inverted{.min = 8, .max = 2};
  EXPECT_EQ(sl.LastInRange(inverted), nullptr);

  std::vector<std::string> deleted;
  size_t n = sl.DeleteRangeByScore(r, [&](SkipList::Node* x) { deleted.emplace_back(x->member()); });
  EXPECT_EQ(n, 4u);
  EXPECT_EQ(deleted, (std::vector<std::string>{"m4", "m5", "m6", "m7"}));
  ExpectValid(sl);
  EXPECT_EQ(sl.DeleteRangeByRank(2, 3, [](SkipList::Node*) {}), 2u);  // m2, m3
  ExpectValid(sl);
  EXPECT_EQ(Contents(sl).front().second, "m1");
  EXPECT_EQ(sl.ByRank(2)->member(), "m8");
}

TEST(SkipListTest, LexRanges) {
  SkipList sl;
  for (const char* m : {"a", "aa", "ab", "b", "c", "d"}) sl.Insert(0, m);
  LexRange r;
  r.min = {LexBound::Kind::kValue, false, "aa"};
  r.max = {LexBound::Kind::kValue, true, "c"};
  EXPECT_EQ(sl.FirstInLexRange(r)->member(), "aa");
  EXPECT_EQ(sl.LastInLexRange(r)->member(), "b");
  LexRange all{{LexBound::Kind::kMinusInf, false, ""}, {LexBound::Kind::kPlusInf, false, ""}};
  EXPECT_EQ(sl.FirstInLexRange(all)->member(), "a");
  EXPECT_EQ(sl.LastInLexRange(all)->member(), "d");
  LexRange none{{LexBound::Kind::kPlusInf, false, ""}, {LexBound::Kind::kMinusInf, false, ""}};
  EXPECT_TRUE(SkipList::IsEmptyLexRange(none));
  EXPECT_EQ(sl.FirstInLexRange(none), nullptr);
  EXPECT_EQ(sl.DeleteRangeByLex(r, [](SkipList::Node*) {}), 3u);
  ExpectValid(sl);
  EXPECT_EQ(sl.length(), 3u);
}

TEST(SkipListTest, UpdateScoreKeepsNodeAndOrder) {
  SkipList sl;
  SkipList::Node* a = sl.Insert(1, "a");
  sl.Insert(2, "b");
  sl.Insert(3, "c");
  sl.UpdateScore(a, 1.5);  // stays in place
  EXPECT_EQ(sl.first(), a);
  sl.UpdateScore(a, 10);  // moves to the end, same node
  EXPECT_EQ(sl.tail(), a);
  EXPECT_EQ(sl.GetRank(10, "a"), 3u);
  ExpectValid(sl);
}

TEST(SkipListTest, MemoryUsageTracksNodes) {
  SkipList sl;
  size_t empty = sl.MemoryUsage();
  for (int i = 0; i < 1000; ++i) sl.Insert(i, "member:" + std::to_string(i));
  size_t full = sl.MemoryUsage();
  EXPECT_GT(full, empty + 1000 * 48);
  EXPECT_LT(full, empty + 1000 * 160);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(sl.Delete(i, "member:" + std::to_string(i)));
  EXPECT_EQ(sl.MemoryUsage(), empty);
}

}  // namespace
}  // namespace racetrack::engine
