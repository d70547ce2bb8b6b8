#include "engine/ds/zset_listpack.h"

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace racetrack::engine {
namespace {

// Redis's double2ll: true (and *out) when d is a whole number that a long long holds exactly, in
// the range Redis trusts (|d| <= LLONG_MAX / 2). NaN compares false and is refused.
bool DoubleToInt(double d, long long* out) {
  if (!(d >= static_cast<double>(-LLONG_MAX / 2) && d <= static_cast<double>(LLONG_MAX / 2))) {
    return false;
  }
  long long ll = static_cast<long long>(d);
  if (static_cast<double>(ll) != d) return false;
  *out = ll;
  return true;
}

}  // namespace

ZListpack ZListpack::Copy() const { return ZListpack(lp_.Copy()); }

std::string_view ZListpack::FormatScore(double score, char* buf) {
  long long ll;
  int n;
  if (DoubleToInt(score, &ll)) {
    auto [end, ec] = std::to_chars(buf, buf + kScoreBuf, ll);
    return {buf, static_cast<size_t>(end - buf)};
  }
  if (std::isinf(score)) return score > 0 ? "inf" : "-inf";
  n = std::snprintf(buf, kScoreBuf, "%.17g", score);
  return {buf, static_cast<size_t>(n)};
}

double ZListpack::Score(Pos p) const {
  Listpack::Entry e = Listpack::Get(lp_.Next(p));
  if (e.is_int) return static_cast<double>(e.ival);
  // Redis's zzlStrtod: the text is ours (FormatScore), so it always parses.
  char buf[kScoreBuf + 1];
  size_t n = e.str.size() < kScoreBuf ? e.str.size() : kScoreBuf;
  std::memcpy(buf, e.str.data(), n);
  buf[n] = '\0';
  return std::strtod(buf, nullptr);
}

ZListpack::Pos ZListpack::Last() const {
  Pos score = lp_.Last();
  return score == nullptr ? nullptr : lp_.Prev(score);
}

ZListpack::Pos ZListpack::Next(Pos p) const {
  Pos score = lp_.Next(p);
  return score == nullptr ? nullptr : lp_.Next(score);
}

ZListpack::Pos ZListpack::Prev(Pos p) const {
  Pos score = lp_.Prev(p);
  return score == nullptr ? nullptr : lp_.Prev(score);
}

ZListpack::Pos ZListpack::AtRank(uint64_t rank) const {
  size_t n = size();
  if (rank >= n) return nullptr;
  return lp_.Seek(static_cast<int64_t>(2 * rank));
}

uint64_t ZListpack::RankOf(Pos p) const {
  uint64_t rank = 0;
  for (Pos q = First(); q != nullptr && q != p; q = Next(q)) ++rank;
  return rank;
}

// Walks from p (forwards, or backwards) to the first element where reached(p) holds; returns it
// if inside(p) holds too (Redis's zzlFirstInRange / zzlLastInRange and their lex forms).
template <typename Reached, typename Inside>
ZListpack::Pos ZListpack::Seek(Pos p, bool backward, Reached reached, Inside inside) const {
  for (; p != nullptr; p = backward ? Prev(p) : Next(p)) {
    if (reached(p)) return inside(p) ? p : nullptr;
  }
  return nullptr;
}

ZListpack::Pos ZListpack::FirstInRange(const ScoreRange& r) const {
  return Seek(First(), false, [&](Pos p) { return SkipList::ValueGteMin(Score(p), r); },
              [&](Pos p) { return SkipList::ValueLteMax(Score(p), r); });
}

ZListpack::Pos ZListpack::LastInRange(const ScoreRange& r) const {
  return Seek(Last(), true, [&](Pos p) { return SkipList::ValueLteMax(Score(p), r); },
              [&](Pos p) { return SkipList::ValueGteMin(Score(p), r); });
}

ZListpack::Pos ZListpack::FirstInLexRange(const LexRange& r) const {
  char buf[Listpack::kIntBuf];
  return Seek(First(), false, [&](Pos p) { return SkipList::LexGteMin(Member(p, buf), r.min); },
              [&](Pos p) { return SkipList::LexLteMax(Member(p, buf), r.max); });
}

ZListpack::Pos ZListpack::LastInLexRange(const LexRange& r) const {
  char buf[Listpack::kIntBuf];
  return Seek(Last(), true, [&](Pos p) { return SkipList::LexLteMax(Member(p, buf), r.max); },
              [&](Pos p) { return SkipList::LexGteMin(Member(p, buf), r.min); });
}

void ZListpack::Insert(std::string_view member, double score) {
  // Redis's zzlInsert: before the first element with a higher score, or an equal score and a
  // greater member.
  char buf[Listpack::kIntBuf];
  for (Pos p = First(); p != nullptr; p = Next(p)) {
    double s = Score(p);
    if (s > score || (s == score && Member(p, buf) > member)) {
      InsertBefore(p, member, score);
      return;
    }
  }
  Append(member, score);
}

void ZListpack::Append(std::string_view member, double score) {
  char buf[kScoreBuf];
  lp_.Append(member);
  lp_.Append(FormatScore(score, buf));
}

void ZListpack::InsertBefore(Pos p, std::string_view member, double score) {
  char buf[kScoreBuf];
  Pos m = lp_.Insert(p, member);
  lp_.Insert(lp_.Next(m), FormatScore(score, buf));  // before the element that was at p
}

bool ZListpack::CheckInvariants(std::string* why) const {
  if (!lp_.CheckInvariants(why)) return false;
  if (lp_.size() % 2 != 0) {
    if (why) *why = "odd number of entries";
    return false;
  }
  char a[Listpack::kIntBuf], b[Listpack::kIntBuf];
  Pos prev = nullptr;
  for (Pos p = First(); p != nullptr; prev = p, p = Next(p)) {
    if (prev == nullptr) continue;
    double ps = Score(prev), s = Score(p);
    if (ps > s || (ps == s && Member(prev, a) >= Member(p, b))) {
      if (why) *why = "elements out of (score, member) order";
      return false;
    }
  }
  return true;
}

}  // namespace racetrack::engine
