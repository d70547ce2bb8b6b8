#include "engine/ds/list.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "engine/ds/limits.h"

namespace racetrack::engine {
namespace {

std::vector<std::string> Items(const List& l) { return {l.items().begin(), l.items().end()}; }

TEST(ListTest, PushPopBothEnds) {
  List l;
  l.PushBack("b");
  l.PushFront("a");
  l.PushBack("c");
  EXPECT_EQ(Items(l), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(l.PopFront(), "a");
  EXPECT_EQ(l.PopBack(), "c");
  EXPECT_EQ(l.size(), 1u);
  EXPECT_EQ(l.Encoding(), "quicklist");
}

TEST(ListTest, InsertSetTrim) {
  List l;
  for (const char* s : {"0", "1", "2", "3", "4"}) l.PushBack(s);
  l.Insert(2, "x");
  l.Set(0, "first");
  EXPECT_EQ(Items(l), (std::vector<std::string>{"first", "1", "x", "2", "3", "4"}));
  l.Trim(1, 3);
  EXPECT_EQ(Items(l), (std::vector<std::string>{"1", "x", "2"}));
}

TEST(ListTest, RemoveFromHeadTailAndAll) {
  auto make = [] {
    List l;
    for (const char* s : {"a", "b", "a", "c", "a"}) l.PushBack(s);
    return l;
  };
  List head = make();
  EXPECT_EQ(head.Remove("a", 2), 2u);
  EXPECT_EQ(Items(head), (std::vector<std::string>{"b", "c", "a"}));
  List tail = make();
  EXPECT_EQ(tail.Remove("a", -2), 2u);
  EXPECT_EQ(Items(tail), (std::vector<std::string>{"a", "b", "c"}));
  List all = make();
  EXPECT_EQ(all.Remove("a", 0), 3u);
  EXPECT_EQ(Items(all), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(all.Remove("zz", 0), 0u);
}

TEST(ListTest, MemoryUsageGrowsWithLongElements) {
  List l;
  size_t before = l.MemoryUsage();
  l.PushBack(std::string(100, 'x'));
  EXPECT_GE(l.MemoryUsage(), before + 101);
}

// "RPUSH l a b c" is one node holding a 16-byte listpack (Redis 7.0: the same bytes). Redis's
// MEMORY USAGE of it is 144 B, of which 112 are the value (robj, quicklist, node, listpack) and
// 32 the key and its dict entry; this object should not cost more than Redis's value.
TEST(ListTest, SmallListIsOnePackedNode) {
  List l;
  for (const char* s : {"a", "b", "c"}) l.PushBack(s);
  EXPECT_EQ(l.node_count(), 1u);
  EXPECT_LE(l.MemoryUsage(), 112u);
}

TEST(ListTest, NodesSplitAtTheConfiguredSize) {
  EncodingLimits saved = Limits();
  List l;
  for (int i = 0; i < 10000; ++i) l.PushBack(std::string(10, 'x'));
  // 8 KB nodes (list-max-listpack-size -2) of 12-byte entries: about 680 entries per node.
  EXPECT_GE(l.node_count(), 10000u / 690);
  EXPECT_LE(l.node_count(), 10000u / 600);
  Limits().list_max_listpack_size = 5;
  List five;
  for (int i = 0; i < 23; ++i) five.PushFront(std::to_string(i));
  EXPECT_EQ(five.node_count(), 5u);
  EXPECT_EQ(five.At(0), "22");
  EXPECT_EQ(five.At(22), "0");
  Limits() = saved;
}

// Every mutator against a std::deque model, with nodes of 3 entries so that every operation
// crosses node boundaries (splits, empty nodes dropped, iteration across nodes both ways).
TEST(ListTest, MatchesModelAcrossSmallNodes) {
  EncodingLimits saved = Limits();
  Limits().list_max_listpack_size = 3;
  std::mt19937_64 rng(5);
  List l;
  std::deque<std::string> model;
  auto value = [&] { return std::to_string(rng() % 6); };  // few values: Remove finds matches
  for (int step = 0; step < 4000; ++step) {
    int op = static_cast<int>(rng() % 8);
    std::string v = value();
    if (model.empty() || op <= 1) {
      if (op == 0) {
        l.PushFront(v);
        model.push_front(v);
      } else {
        l.PushBack(v);
        model.push_back(v);
      }
    } else if (op == 2) {
      size_t i = rng() % (model.size() + 1);
      l.Insert(i, v);
      model.insert(model.begin() + static_cast<std::ptrdiff_t>(i), v);
    } else if (op == 3) {
      size_t i = rng() % model.size();
      l.Set(i, v + "-set");
      model[i] = v + "-set";
    } else if (op == 4) {
      if (rng() % 2 == 0) {
        ASSERT_EQ(l.PopFront(), model.front());
        model.pop_front();
      } else {
        ASSERT_EQ(l.PopBack(), model.back());
        model.pop_back();
      }
    } else if (op == 5) {
      int64_t count = static_cast<int64_t>(rng() % 5) - 2;
      size_t removed = l.Remove(v, count);
      size_t expect = 0;
      size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(count > 0 ? count : -count);
      if (count >= 0) {
        for (auto it = model.begin(); it != model.end() && expect < limit;) {
          if (*it == v) {
            it = model.erase(it);
            ++expect;
          } else {
            ++it;
          }
        }
      } else {
        for (size_t i = model.size(); i-- > 0 && expect < limit;) {
          if (model[i] == v) {
            model.erase(model.begin() + static_cast<std::ptrdiff_t>(i));
            ++expect;
          }
        }
      }
      ASSERT_EQ(removed, expect);
    } else if (op == 6 && model.size() > 2 && rng() % 4 == 0) {
      size_t start = rng() % model.size();
      size_t stop = start + rng() % (model.size() - start);
      l.Trim(start, stop);
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(stop) + 1, model.end());
      model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(start));
    } else {
      size_t i = rng() % model.size();
      ASSERT_EQ(l.At(i), model[i]);
    }
    ASSERT_EQ(l.size(), model.size()) << "step " << step;
    if (model.empty()) continue;
    if (step % 50 == 0) {
      ASSERT_EQ(Items(l), std::vector<std::string>(model.begin(), model.end())) << step;
      std::vector<std::string> back;
      auto it = l.IteratorAt(model.size() - 1);
      for (size_t k = 0; k < model.size(); ++k, --it) back.insert(back.begin(), *it);
      ASSERT_EQ(back, std::vector<std::string>(model.begin(), model.end()));
    }
  }
  auto copy = l.Clone();
  EXPECT_EQ(Items(static_cast<const List&>(*copy)), Items(l));
  Limits() = saved;
}

}  // namespace
}  // namespace racetrack::engine
