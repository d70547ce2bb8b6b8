#include "engine/ds/util.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace racetrack::engine {
namespace {

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

struct GlobCase {
  std::string_view pattern, s;
  bool nocase, match;
};

// Answers checked against redis-server 7.0.15 (tests/conformance/scripts/glob.redis sends the
// same kinds of patterns to both servers).
TEST(GlobMatchTest, RedisSemantics) {
  const GlobCase cases[] = {
      {"", "", false, true},
      {"*", "", false, false},  // Redis: an empty string matches only the empty pattern
      {"*", "x", false, true},
      {"a*", "a", false, true},
      {"a*?", "a", false, false},
      {"?", "", false, false},
      {"a?c", "abc", false, true},
      {"a\\*c", "a*c", false, true},
      {"a\\*c", "abc", false, false},
      {"a\\", "a\\", false, true},  // a trailing backslash matches itself
      {"a[bc]d", "acd", false, true},
      {"a[^bc]d", "acd", false, false},
      {"a[^bc]d", "axd", false, true},
      {"a[z-a]c", "abc", false, true},  // a range's ends may come in either order
      {"a[\\]]c", "a]c", false, true},
      {"a[]]c", "a]c", false, false},  // "[]" is an empty class; "]c" then fails
      {"a[c", "ac", false, true},  // unterminated class: ends with the pattern
      {"a[c", "ac", false, true},
      {"[", "x", false, false},
      {"A*", "abc", true, true},
      {"[A-C]", "b", true, true},
      {"[Z-a]", "_", true, false},  // ends ordered before folding: ['z','a'] is empty
      {"[Z-a]", "_", false, true},
      {"[a\\B]", "b", true, false},  // an escaped byte in a class compares exactly
      {"[a-\xff]", "\xff", false, true},  // signed chars: 0xff is -1, inside [-1, 'a']
      {"[a-\xff]", "z", false, false},
      {"[\x80-\xff]", "\xe9", false, true},
  };
  for (const GlobCase& c : cases) {
    EXPECT_EQ(GlobMatch(c.pattern, c.s, c.nocase), c.match)
        << "pattern '" << c.pattern << "' string '" << c.s << "' nocase " << c.nocase;
  }
}

// The matcher before issue 11: Redis's recursion without the early exit. Exponential, so only for
// small inputs; it is the oracle that the early exit changes no answer.
bool NaiveMatch(std::string_view p, std::string_view s) {
  while (!p.empty() && !s.empty()) {
    if (p[0] == '*') {
      while (p.size() > 1 && p[1] == '*') p.remove_prefix(1);
      if (p.size() == 1) return true;
      for (; !s.empty(); s.remove_prefix(1)) {
        if (NaiveMatch(p.substr(1), s)) return true;
      }
      return false;
    }
    if (p[0] == '[') {
      size_t i = 1;
      bool negate = i < p.size() && p[i] == '^';
      if (negate) ++i;
      bool in = false;
      for (;; ++i) {
        if (i >= p.size()) {
          i = p.size() - 1;
          break;
        }
        if (p[i] == '\\' && i + 1 < p.size()) {
          ++i;
          in |= p[i] == s[0];
        } else if (p[i] == ']') {
          break;
        } else if (i + 2 < p.size() && p[i + 1] == '-') {
          int lo = static_cast<signed char>(p[i]), hi = static_cast<signed char>(p[i + 2]);
          if (lo > hi) std::swap(lo, hi);
          int c = static_cast<signed char>(s[0]);
          in |= c >= lo && c <= hi;
          i += 2;
        } else {
          in |= p[i] == s[0];
        }
      }
      if (in == negate) return false;
      p.remove_prefix(i);
    } else if (p[0] != '?') {
      if (p[0] == '\\' && p.size() >= 2) p.remove_prefix(1);
      if (p[0] != s[0]) return false;
    }
    p.remove_prefix(1);
    s.remove_prefix(1);
    if (s.empty()) {
      while (!p.empty() && p[0] == '*') p.remove_prefix(1);
      break;
    }
  }
  return p.empty() && s.empty();
}

TEST(GlobMatchTest, EarlyExitChangesNoAnswer) {
  std::mt19937_64 rng(11);
  const std::string_view pattern_bytes = "ab*?*[]^-\\";
  const std::string_view string_bytes = "ab]-\\^";
  for (int round = 0; round < 200'000; ++round) {
    std::string p, s;
    size_t plen = rng() % 9, slen = rng() % 9;
    for (size_t i = 0; i < plen; ++i) p += pattern_bytes[rng() % pattern_bytes.size()];
    for (size_t i = 0; i < slen; ++i) s += string_bytes[rng() % string_bytes.size()];
    ASSERT_EQ(GlobMatch(p, s), NaiveMatch(p, s)) << "pattern '" << p << "' string '" << s << "'";
  }
}

// Issue 11: "a*a*...*b" against "aaa...a" took exponential time (the server hung on KEYS). The
// work is now bounded by the pattern size times the string size, whatever the pattern. Steps, not
// time, so the bound holds on any machine.
TEST(GlobMatchTest, PathologicalPatternsTakePolynomialSteps) {
  struct Shape {
    std::string_view unit, last;
  };
  const Shape shapes[] = {{"a*", "b"}, {"*a", "b"}, {"?*", "b"}, {"[a]*", "[b]"},
                          {"*a*", "*b"},  {"a*", "a"}, {"*[^b]", "b"}, {"\\a*", "\\b"}};
  for (const Shape& shape : shapes) {
    for (size_t stars : {5, 20, 100, 1000}) {
      for (size_t len : {10, 100, 1000, 5000}) {
        std::string pattern = Repeat(shape.unit, stars) + std::string(shape.last);
        std::string s = Repeat("a", len);
        uint64_t steps = 0;
        bool matched = GlobMatchCounted(pattern, s, false, &steps);
        uint64_t bound = 4 * (pattern.size() + 1) * (s.size() + 1);
        ASSERT_LE(steps, bound) << "pattern " << shape.unit << " x " << stars << " + "
                                << shape.last << ", string 'a' x " << len << " (matched "
                                << matched << ")";
      }
    }
  }
}

// The worst case for the early exit: a long literal after a '*' is re-scanned from every start.
TEST(GlobMatchTest, LongSegmentAfterStarIsQuadraticAtWorst) {
  for (size_t k : {10, 100, 1000}) {
    std::string pattern = "*" + Repeat("a", k) + "b";
    std::string s = Repeat("a", 2 * k);
    uint64_t steps = 0;
    EXPECT_FALSE(GlobMatchCounted(pattern, s, false, &steps));
    EXPECT_GE(steps, k * k / 2);  // the re-scans really happen (the count is honest)
    EXPECT_LE(steps, 4 * (pattern.size() + 1) * (s.size() + 1));
  }
}

TEST(GlobMatchTest, IssueElevenPatternAnswersInFewSteps) {
  uint64_t steps = 0;
  EXPECT_FALSE(GlobMatchCounted(Repeat("a*", 20) + "b", Repeat("a", 40), false, &steps));
  // Without the early exit the recursion makes on the order of C(40, 20) ~ 1e11 calls.
  EXPECT_LE(steps, 1000u);
}

TEST(GlobMatchTest, NestingLimitAsRedis) {
  std::string s = Repeat("a", 1200);
  EXPECT_TRUE(GlobMatch(Repeat("a*", 1000) + "a", s));
  EXPECT_FALSE(GlobMatch(Repeat("a*", 1001) + "a", s));  // Redis 7.0.15 answers the same
  EXPECT_TRUE(GlobMatch(Repeat("a*", 1001), s));  // a trailing '*' needs no deeper level
}

}  // namespace
}  // namespace racetrack::engine
