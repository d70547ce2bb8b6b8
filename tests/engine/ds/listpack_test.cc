#include "engine/ds/listpack.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

namespace racetrack::engine {
namespace {

std::vector<std::string> Forward(const Listpack& lp) {
  std::vector<std::string> out;
  char buf[Listpack::kIntBuf];
  for (Listpack::Pos p = lp.First(); p != nullptr; p = lp.Next(p)) {
    out.emplace_back(Listpack::Get(p).View(buf));
  }
  return out;
}

std::vector<std::string> Backward(const Listpack& lp) {
  std::vector<std::string> out;
  char buf[Listpack::kIntBuf];
  for (Listpack::Pos p = lp.Last(); p != nullptr; p = lp.Prev(p)) {
    out.insert(out.begin(), std::string(Listpack::Get(p).View(buf)));
  }
  return out;
}

void ExpectValid(const Listpack& lp) {
  std::string why;
  EXPECT_TRUE(lp.CheckInvariants(&why)) << why;
}

TEST(ListpackTest, EmptyIsSevenBytes) {
  Listpack lp;
  EXPECT_EQ(lp.bytes(), 7u);
  EXPECT_EQ(lp.size(), 0u);
  EXPECT_TRUE(lp.empty());
  EXPECT_EQ(lp.First(), nullptr);
  EXPECT_EQ(lp.Last(), nullptr);
  ExpectValid(lp);
}

// The sizes Redis's listpack gives the same entries (its MEMORY USAGE figures depend on them):
// "HSET h f1 v1 f2 v2 f3 v3" is 6 + 6 x 4 + 1 = 31 bytes.
TEST(ListpackTest, EntrySizesMatchRedisLayout) {
  EXPECT_EQ(Listpack::EntrySize("f1"), 4u);                     // 6-bit string: 1 + 2 + backlen 1
  EXPECT_EQ(Listpack::EntrySize("7"), 2u);                      // 7-bit uint
  EXPECT_EQ(Listpack::EntrySize("-7"), 3u);                     // 13-bit int
  EXPECT_EQ(Listpack::EntrySize("4095"), 3u);                   // 13-bit int
  EXPECT_EQ(Listpack::EntrySize("4096"), 4u);                   // 16-bit int
  EXPECT_EQ(Listpack::EntrySize("100000"), 5u);                 // 24-bit int
  EXPECT_EQ(Listpack::EntrySize("10000000000"), 10u);           // 64-bit int
  EXPECT_EQ(Listpack::EntrySize("007"), 5u);                    // not canonical: a string
  EXPECT_EQ(Listpack::EntrySize(std::string(63, 'x')), 65u);    // 6-bit length
  EXPECT_EQ(Listpack::EntrySize(std::string(64, 'x')), 67u);    // 12-bit length, 1-byte backlen
  EXPECT_EQ(Listpack::EntrySize(std::string(200, 'x')), 204u);  // 2-byte backlen
  EXPECT_EQ(Listpack::EntrySize(std::string(5000, 'x')), 5007u);  // 32-bit length
  Listpack lp;
  for (const char* s : {"f1", "v1", "f2", "v2", "f3", "v3"}) lp.Append(s);
  EXPECT_EQ(lp.bytes(), 31u);
  EXPECT_EQ(lp.size(), 6u);
  ExpectValid(lp);
}

TEST(ListpackTest, RoundTripsEveryEncoding) {
  std::vector<std::string> values = {"0", "127", "128", "-1", "-4096", "4095", "-4097", "32767",
                                     "-32768", "32768", "8388607", "-8388608", "8388608",
                                     "2147483647", "-2147483648", "2147483648",
                                     "9223372036854775807", "-9223372036854775808",
                                     "9223372036854775808", "-0", "+1", "01", "1.5", "", "a",
                                     std::string(63, 'b'), std::string(64, 'c'),
                                     std::string(4095, 'd'), std::string(4096, 'e'),
                                     std::string(70000, 'f')};
  Listpack lp;
  for (const std::string& v : values) lp.Append(v);
  ExpectValid(lp);
  EXPECT_EQ(Forward(lp), values);
  EXPECT_EQ(Backward(lp), values);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_TRUE(Listpack::Get(lp.Seek(static_cast<int64_t>(i))).Equals(values[i])) << i;
  }
  EXPECT_TRUE(Listpack::Get(lp.Seek(-1)).Equals(values.back()));
  EXPECT_EQ(lp.Seek(static_cast<int64_t>(values.size())), nullptr);
  EXPECT_TRUE(Listpack::Get(lp.Find(lp.First(), "8388608")).Equals("8388608"));
  EXPECT_EQ(lp.Find(lp.First(), "0128"), nullptr);
}

TEST(ListpackTest, FindWithSkipVisitsFieldsOnly) {
  Listpack lp;
  for (const char* s : {"a", "b", "b", "c"}) lp.Append(s);  // fields a, b; values b, c
  Listpack::Pos p = lp.Find(lp.First(), "b", 1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p, lp.Seek(2));  // the field "b", not the value "b" at index 1
  EXPECT_EQ(lp.Find(lp.First(), "c", 1), nullptr);
}

// Random inserts, replacements and deletes against a std::deque model, checking the invariants
// (backlen, count, end byte) after every step.
TEST(ListpackTest, MatchesModelUnderRandomOps) {
  std::mt19937_64 rng(7);
  Listpack lp;
  std::deque<std::string> model;
  auto random_value = [&]() -> std::string {
    switch (rng() % 4) {
      case 0: return std::to_string(static_cast<int64_t>(rng()) >> (rng() % 64));
      case 1: return std::string(rng() % 70, 'x');
      case 2: return std::string(rng() % 300, 'y');
      default: return std::to_string(rng() % 200);
    }
  };
  for (int step = 0; step < 3000; ++step) {
    int op = static_cast<int>(rng() % 4);
    if (model.empty() || op == 0) {
      size_t i = rng() % (model.size() + 1);
      std::string v = random_value();
      lp.Insert(i == model.size() ? nullptr : lp.Seek(static_cast<int64_t>(i)), v);
      model.insert(model.begin() + static_cast<std::ptrdiff_t>(i), v);
    } else if (op == 1) {
      size_t i = rng() % model.size();
      std::string v = random_value();
      lp.Replace(lp.Seek(static_cast<int64_t>(i)), v);
      model[i] = v;
    } else if (op == 2) {
      size_t i = rng() % model.size();
      size_t n = 1 + rng() % 3;
      lp.Delete(lp.Seek(static_cast<int64_t>(i)), n);
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(i),
                  model.begin() + static_cast<std::ptrdiff_t>(std::min(model.size(), i + n)));
    } else {
      lp.Append(random_value());
      char buf[Listpack::kIntBuf];
      model.emplace_back(Listpack::Get(lp.Last()).View(buf));
    }
    ASSERT_EQ(lp.size(), model.size());
    std::string why;
    ASSERT_TRUE(lp.CheckInvariants(&why)) << why << " at step " << step;
  }
  EXPECT_EQ(Forward(lp), std::vector<std::string>(model.begin(), model.end()));
  EXPECT_EQ(Backward(lp), std::vector<std::string>(model.begin(), model.end()));
  Listpack copy = lp.Copy();
  EXPECT_EQ(Forward(copy), Forward(lp));
}

TEST(ListpackTest, CountSaturatesAndRecovers) {
  Listpack lp;
  for (int i = 0; i < 65540; ++i) lp.Append("1");
  EXPECT_EQ(lp.size(), 65540u);
  ExpectValid(lp);
  lp.Delete(lp.First(), 10);
  EXPECT_EQ(lp.size(), 65530u);
  ExpectValid(lp);
}

}  // namespace
}  // namespace racetrack::engine
