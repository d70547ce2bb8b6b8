#include "engine/ds/list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

}  // namespace
}  // namespace racetrack::engine
