#include "engine/ds/util.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace racetrack::engine {

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;  // no leading zeros, no '+', no space
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

namespace {

// What Redis's string2d and string2ld share: the whole text (not empty, at most 5000 characters,
// no space at either end) must be one number for `convert` (strtod or strtold), and not NaN.
// *range_error tells whether the conversion set ERANGE.
template <typename T, typename Convert>
bool ConvertFloat(std::string_view s, Convert convert, T* v, bool* range_error) {
  if (s.empty() || s.size() > 5000) return false;
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back())))
    return false;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  *v = convert(buf.c_str(), &end);
  *range_error = errno == ERANGE;
  return end == buf.c_str() + buf.size() && !std::isnan(*v);
}

}  // namespace

bool ParseDouble(std::string_view s, double* out) {
  double v;
  bool range_error;
  auto convert = [](const char* p, char** end) { return std::strtod(p, end); };
  if (!ConvertFloat(s, convert, &v, &range_error)) return false;
  // An overflow, or an underflow to zero, is refused; one to a denormal is kept (string2d).
  if (range_error && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO))
    return false;
  *out = v;
  return true;
}

bool ParseLongDouble(std::string_view s, long double* out) {
  long double v;
  bool range_error;
  auto convert = [](const char* p, char** end) { return std::strtold(p, end); };
  if (!ConvertFloat(s, convert, &v, &range_error) || range_error) return false;
  *out = v;
  return true;
}

std::string FormatLongDouble(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5600];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return "0";
  std::string s(buf, static_cast<size_t>(n));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string FormatInt(int64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, p);
}

namespace {

// Glob matching, as Redis 7.0's stringmatchlen (util.c), including its corner cases: an
// unterminated '[' ends at the pattern's end, '\\' inside a class matches the next byte exactly
// (even under nocase), a range's ends may come in either order, and an empty string matches only
// the empty pattern (so "*" does not match ""; KEYS and SCAN special-case "*" before calling this).
//
// Why it is polynomial. The naive recursion tries, for every '*', every split of the rest of the
// string, so "a*a*a*...*b" against "aaaa...a" costs O(len^stars): Redis before 7.0.10 hung on it
// (CVE-2022-36021). The fix used here is Redis's: when the part of the pattern after a '*' fails
// at *every* start position of the rest of the string, no earlier '*' can help by eating more
// characters — that would only start the same tail later in the string, where it was just shown to
// fail — so the whole match fails at once (tail_failed_). Each '*' then descends into the next one
// at most once, and the other start positions each cost one scan of the segment up to the next
// '*': O(pattern length x string length) steps in all.
//
// Bytes compare as the signed chars of Redis built on x86-64: in a range [a-z], bytes >= 0x80
// sort below ASCII. Case folding (nocase) touches only A-Z, as the C locale Redis runs in.
class GlobMatcher {
 public:
  explicit GlobMatcher(bool nocase) : nocase_(nocase) {}

  // Redis's nesting limit: a pattern needing more than this many nested '*' never matches.
  static constexpr int kMaxNesting = 1000;

  bool Match(std::string_view p, std::string_view s, int nesting) {
    if (nesting > kMaxNesting) return false;
    while (!p.empty() && !s.empty()) {
      ++steps_;
      switch (p[0]) {
        case '*': {
          while (p.size() > 1 && p[1] == '*') p.remove_prefix(1);
          if (p.size() == 1) return true;  // a trailing '*' takes the rest of the string
          for (; !s.empty(); s.remove_prefix(1)) {
            ++steps_;
            if (Match(p.substr(1), s, nesting + 1)) return true;
            if (tail_failed_) return false;
          }
          tail_failed_ = true;  // the tail matches no suffix: no earlier '*' can rescue it
          return false;
        }
        case '?':
          break;
        case '[':
          if (!MatchClass(&p, s[0])) return false;
          break;
        case '\\':
          if (p.size() >= 2) p.remove_prefix(1);
          [[fallthrough]];
        default:
          if (Fold(p[0]) != Fold(s[0])) return false;
          break;
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

  uint64_t steps() const { return steps_; }

 private:
  static int FoldInt(int v) { return v >= 'A' && v <= 'Z' ? v - 'A' + 'a' : v; }
  int Fold(char c) const {
    int v = static_cast<signed char>(c);
    return nocase_ ? FoldInt(v) : v;
  }

  // *p starts at '['. Leaves *p on the class's closing ']' (or its last byte if unterminated) and
  // returns whether c is in the class.
  bool MatchClass(std::string_view* p, char c) {
    p->remove_prefix(1);
    bool negate = !p->empty() && (*p)[0] == '^';
    if (negate) p->remove_prefix(1);
    bool match = false;
    while (true) {
      ++steps_;
      if (p->empty()) {  // unterminated: the caller's advance past "]" must end the pattern
        *p = std::string_view(p->data() - 1, 1);
        break;
      }
      char first = (*p)[0];
      if (first == '\\' && p->size() >= 2) {
        p->remove_prefix(1);
        if ((*p)[0] == c) match = true;
      } else if (first == ']') {
        break;
      } else if (p->size() >= 3 && (*p)[1] == '-') {
        // Redis orders the ends before folding them, so [Z-a] under nocase matches nothing.
        int lo = static_cast<signed char>(first), hi = static_cast<signed char>((*p)[2]);
        if (lo > hi) std::swap(lo, hi);
        if (nocase_) {
          lo = FoldInt(lo);
          hi = FoldInt(hi);
        }
        int v = Fold(c);
        if (v >= lo && v <= hi) match = true;
        p->remove_prefix(2);
      } else if (Fold(first) == Fold(c)) {
        match = true;
      }
      p->remove_prefix(1);
    }
    return negate ? !match : match;
  }

  bool nocase_;
  bool tail_failed_ = false;
  uint64_t steps_ = 0;
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view s, bool nocase) {
  GlobMatcher m(nocase);
  return m.Match(pattern, s, 0);
}

bool GlobMatchCounted(std::string_view pattern, std::string_view s, bool nocase, uint64_t* steps) {
  GlobMatcher m(nocase);
  bool matched = m.Match(pattern, s, 0);
  *steps = m.steps();
  return matched;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace racetrack::engine
