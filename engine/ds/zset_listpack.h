// ZListpack: a small sorted set packed into one listpack (listpack.h) — the encoding Redis 7.0
// gives every sorted set of at most zset-max-listpack-entries members (128) whose members are at
// most zset-max-listpack-value bytes (64); zset.h converts to a skiplist beyond that.
//
// Why: a skiplist node plus its index slot costs ~100 bytes per member and the empty skiplist a
// 544-byte header; "ZADD z 1 a 2 b 3 c" packed is a 19-byte array. For a few dozen members a linear
// scan of one contiguous array is as fast as following pointers.
//
// Layout: the listpack holds the elements in order, two entries each —
//
//   <member> <score> <member> <score> ...     sorted by (score, member), as the skiplist
//
// A score is stored as Redis's zzlInsertAt stores it: an integer entry when the double is a whole
// number with |x| <= 2^62 (double2ll; so -0 comes back as 0), else the text "inf", "-inf" or
// "%.17g" (which strtod reads back exactly). A member is a listpack string, or an integer entry when
// it is a canonical int64 ("12"), decoded back to the same text.
//
// Positions: a Pos is a member's entry (its score is the entry after it); nullptr means none. Any
// mutation may move the array and invalidates every Pos taken before it.
//
// Complexity (N members): Find, Insert, Delete, Rank, the *InRange lookups O(N); First, Last,
// Next, Prev O(1); AtRank O(N) (walks from the nearer end). Insert/Delete also move the bytes after
// the position and realloc the array to its exact size — fine while N is small, which is the point.
// Bytes: 7 + per member (1..2 + len + 1) + per score 2..10 (a small integer score takes 2).
//
// Invariants (CheckInvariants verifies them):
//  1. The listpack is valid (Listpack::CheckInvariants) and holds an even number of entries.
//  2. Elements are strictly increasing by (score, member), members compared as unsigned bytes.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/ds/listpack.h"
#include "engine/ds/skiplist.h"

namespace racetrack::engine {

class ZListpack {
 public:
  using Pos = Listpack::Pos;
  // Enough for any stored score's text ("-1.2345678901234567e-308" is 24 bytes) and any int64.
  static constexpr size_t kScoreBuf = 32;

  ZListpack() = default;
  ZListpack(ZListpack&&) noexcept = default;
  ZListpack& operator=(ZListpack&&) noexcept = default;
  ZListpack Copy() const;
  // No array at all (the owner switched to a skiplist): only AllocatedBytes, assignment and
  // destruction may be called.
  static ZListpack Null() { return ZListpack(Listpack::Null()); }
  bool is_null() const { return lp_.is_null(); }

  size_t size() const { return lp_.size() / 2; }
  size_t bytes() const { return lp_.bytes(); }
  size_t AllocatedBytes() const { return lp_.AllocatedBytes(); }

  // ---- reading one element ----
  // The member at p; buf (Listpack::kIntBuf bytes) holds an integer member's digits.
  static std::string_view Member(Pos p, char* buf) { return Listpack::Get(p).View(buf); }
  double Score(Pos p) const;

  Pos First() const { return lp_.First(); }
  Pos Last() const;
  Pos Next(Pos p) const;  // nullptr after the last element
  Pos Prev(Pos p) const;  // nullptr before the first element
  // The element of 0-based rank, or nullptr if rank >= size().
  Pos AtRank(uint64_t rank) const;
  // 0-based rank of the element at p.
  uint64_t RankOf(Pos p) const;
  Pos Find(std::string_view member) const { return lp_.Find(lp_.First(), member, /*skip=*/1); }

  Pos FirstInRange(const ScoreRange& r) const;
  Pos LastInRange(const ScoreRange& r) const;
  Pos FirstInLexRange(const LexRange& r) const;
  Pos LastInLexRange(const LexRange& r) const;

  // ---- changing ----
  // Inserts at the sorted position. REQUIRES: member absent.
  void Insert(std::string_view member, double score);
  // Appends after the last element. REQUIRES: (score, member) sorts after every element.
  void Append(std::string_view member, double score);
  // Deletes n elements starting at p (fewer if the end comes first).
  void Delete(Pos p, size_t n = 1) { lp_.Delete(p, 2 * n); }

  // The bytes Redis's zzlInsertAt stores for score: an integer's digits or "inf"/"-inf"/%.17g.
  // Returns the text, written into buf (kScoreBuf bytes).
  static std::string_view FormatScore(double score, char* buf);

  bool CheckInvariants(std::string* why) const;

 private:
  explicit ZListpack(Listpack lp) : lp_(std::move(lp)) {}
  void InsertBefore(Pos p, std::string_view member, double score);
  template <typename Reached, typename Inside>
  Pos Seek(Pos p, bool backward, Reached reached, Inside inside) const;

  Listpack lp_;
};

}  // namespace racetrack::engine
