// ZSet: the value of a sorted-set key — unique members, each with a double score, ordered by
// (score, member).
//
// Two encodings, as Redis 7.0 (OBJECT ENCODING answers which one is live):
//  - "listpack" (zset_listpack.h): member, score, member, score... in one packed array, searched
//    linearly. Every sorted set starts here.
//  - "skiplist": a skiplist (skiplist.h) keeps the order, so ranges, ranks and "top k" cost
//    O(log N + k); a hash index from member to skiplist node (dict.h) answers ZSCORE and finds the
//    node to move or delete in O(1). Each member is stored once, inline in its skiplist node; the
//    index is intrusive (it chains the nodes through Node::hnext), so it allocates no entries.
// A set converts to the skiplist, for good, before the add that would give it more than
// zset-max-listpack-entries members (128) or a member longer than zset-max-listpack-value bytes
// (64) (limits.h; Redis's zsetAdd). It goes back to a listpack only where Redis does: a result
// built as a skiplist (ZUNIONSTORE and friends, GEOSEARCHSTORE) that turns out small
// (ConvertToListpackIfNeeded). SORT converts its input to a skiplist (ConvertToSkiplist), as
// Redis's sortCommand does.
//
// The API is encoding-neutral: callers read elements through Iter, a position in the order, and
// never see nodes or listpack entries.
//
// Complexity:             listpack (N <= 128)    skiplist
//   Score                 O(N)                   O(1)
//   Add, Remove           O(N)                   O(log N)
//   Rank, AtRank, *InRange O(N)                  O(log N)
//   RemoveRange*          O(N)                   O(log N + M) for M removed
//   Iter Next / Prev      O(1)                   O(1)
// Bytes: listpack ~7 + 4..14 per member beyond its text; skiplist ~80 per member (node) + 8–16
// (index buckets) + a 544-byte header. Redis 7.0 spends ~100–118 bytes per member at 1M members.
//
// One word: a ZSet is the listpack's block pointer, or the skiplist's Big (skiplist + index) address
// with its low bit set (a union; encoding() reads the bit). It lives inside the key's Value
// (value.h), so "ZADD z 1 a 2 b 3 c" costs its 19-byte listpack block and nothing else — Redis's
// robj + listpack, without the robj. It is trivially relocatable: Value moves it by copying the
// word. A ZSet* (and every Iter) is valid while its Value stays where it is.
//
// Invariants:
//  1. Exactly one encoding is live: the word's low bit is clear (listpack, lp_ non-null) or set
//     (skiplist, the Big).
//  2. Skiplist: the Big's index and list hold the same members; index.Find(m) is m's node.
//  3. The engine never stores an empty ZSet.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include "engine/ds/dict.h"
#include "engine/ds/listpack.h"
#include "engine/ds/skiplist.h"
#include "engine/ds/value.h"
#include "engine/ds/zset_listpack.h"

namespace racetrack::engine {

class ZSet final {
 public:
  enum class Enc : uint8_t { kListpack, kSkiplist };

  // A position in the order: one element, or none (!valid()). Valid until the set changes.
  // member() may point into the Iter itself (an integer member decoded to text): keep the Iter
  // alive and in place while using it.
  class Iter {
   public:
    Iter() = default;
    bool valid() const { return at_ != nullptr; }
    std::string_view member() const;
    double score() const;
    void Next();
    void Prev();
    // Identifies the element while the set is unchanged (two Iters on one element are equal).
    const void* id() const { return at_; }

   private:
    friend class ZSet;
    Iter(const ZListpack* lp, const void* at) : lp_(lp), at_(at) {}
    const ZListpack* lp_ = nullptr;  // listpack encoding; nullptr for the skiplist
    const void* at_ = nullptr;       // ZListpack::Pos or const SkipList::Node*
    mutable char buf_[Listpack::kIntBuf] = {};
  };

  // Redis's zsetAdd flags and outcomes.
  enum AddFlag : uint8_t { kAddNx = 1, kAddXx = 2, kAddGt = 4, kAddLt = 8, kAddIncr = 16 };
  enum class AddResult : uint8_t {
    kAdded,      // a new member
    kUpdated,    // an existing member's score changed
    kUnchanged,  // existing member, same score (INCR by 0 included)
    kNop,        // not applied because of NX / XX / GT / LT
    kNaN,        // INCR made the score NaN (inf + -inf); nothing changed
  };

  // An empty set in the listpack encoding.
  ZSet() : lp_() {}
  ~ZSet();
  // A moved-from ZSet is an empty listpack with no array: it may only be destroyed or assigned.
  ZSet(ZSet&& o) noexcept;
  ZSet& operator=(ZSet&& o) noexcept;
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;
  // An empty set already in the skiplist encoding, for results built from other sets
  // (ZUNIONSTORE, GEOSEARCHSTORE) that call ConvertToListpackIfNeeded when done.
  static ZSet NewSkiplist();

  ObjType type() const { return ObjType::kZSet; }
  // Heap bytes held (allocator sizes): the listpack block, or the Big with its nodes and index.
  size_t MemoryUsage() const;
  std::string_view Encoding() const {
    return encoding() == Enc::kListpack ? "listpack" : "skiplist";
  }
  // A deep copy in the same encoding.
  ZSet Clone() const;

  Enc encoding() const {
    uintptr_t w;
    std::memcpy(&w, this, sizeof(w));  // the word, whichever union member is live
    return (w & kBigBit) == 0 ? Enc::kListpack : Enc::kSkiplist;
  }
  size_t size() const;

  std::optional<double> Score(std::string_view member) const;
  // 0-based rank from the lowest (or, reverse, the highest) score, and the member's score in
  // *score if not null; -1 if absent.
  int64_t Rank(std::string_view member, bool reverse, double* score = nullptr) const;

  // ZADD / ZINCRBY of one member: flags are AddFlag bits; *new_score gets the resulting score
  // when the result is kAdded, kUpdated or kUnchanged. REQUIRES: score is not NaN.
  AddResult Add(std::string_view member, double score, int flags, double* new_score);
  // REQUIRES: member absent. (Add without flags, for building sets.)
  void Insert(std::string_view member, double score);
  bool Remove(std::string_view member);

  // ---- positions ----
  Iter First() const;
  Iter Last() const;
  // The element of 0-based rank (an invalid Iter if rank >= size()).
  Iter AtRank(uint64_t rank) const;
  Iter FirstInRange(const ScoreRange& r) const;
  Iter LastInRange(const ScoreRange& r) const;
  Iter FirstInLexRange(const LexRange& r) const;
  Iter LastInLexRange(const LexRange& r) const;
  size_t CountInRange(const ScoreRange& r) const;
  size_t CountInLexRange(const LexRange& r) const;

  // ---- removals by range; each returns the number removed ----
  size_t RemoveRangeByScore(const ScoreRange& r);
  size_t RemoveRangeByLex(const LexRange& r);
  // 0-based inclusive ranks, start <= end < size().
  size_t RemoveRangeByRank(uint64_t start, uint64_t end);

  // A uniformly random element (listpack: by rank; skiplist: via the index). REQUIRES: size() > 0.
  template <typename Rng>
  Iter Random(Rng& rng) const;
  // One step of a ZSCAN cursor walk: f(const Iter&) per element visited; returns the next cursor
  // (0 = done). A listpack is visited whole, in order, in one step (as Redis).
  template <typename F>
  uint64_t Scan(uint64_t cursor, F&& f) const;
  // f(member, score) for every element in order.
  template <typename F>
  void ForEach(F&& f) const;

  // ---- encoding changes ----
  void ConvertToSkiplist();
  // Redis's zsetConvertToListpackIfNeeded: back to a listpack if size() and max_len (the longest
  // member) are within the limits.
  void ConvertToListpackIfNeeded(size_t max_len);

  // Verifies the invariants above and those of the live encoding.
  bool CheckInvariants(std::string* why) const;

 private:
  using Node = SkipList::Node;
  struct IndexTraits {
    static std::string_view Key(const Node* n) { return n->member(); }
    static Node*& Next(Node* n) { return n->hnext; }
  };
  struct Big {
    SkipList list;
    HashIndex<Node, IndexTraits> index;
  };

  static constexpr uintptr_t kBigBit = 1;

  bool packed() const { return encoding() == Enc::kListpack; }
  // REQUIRES: !packed().
  Big* big() const { return reinterpret_cast<Big*>(big_bits_ & ~kBigBit); }
  // Destroys the live encoding (the union is left with no live member).
  void Destroy();
  Iter At(const Node* n) const { return Iter(nullptr, n); }
  Iter At(ZListpack::Pos p) const { return Iter(&lp_, p); }
  void BigInsert(std::string_view member, double score);
  // Deletes n listpack elements from first; returns n.
  size_t RemovePacked(ZListpack::Pos first, size_t n);
  // True if adding member would take the listpack past a limit (Redis converts first).
  bool OutgrowsListpack(std::string_view member) const;

  union {
    ZListpack lp_;        // listpack encoding
    uintptr_t big_bits_;  // skiplist encoding: the Big's address | kBigBit
  };
};

static_assert(sizeof(ZSet) == sizeof(void*), "a ZSet is one word (it lives inside a Value)");

// ---- templates ----

template <typename Rng>
ZSet::Iter ZSet::Random(Rng& rng) const {
  if (packed()) return At(lp_.AtRank(rng() % lp_.size()));
  return At(big()->index.Random(rng));
}

template <typename F>
uint64_t ZSet::Scan(uint64_t cursor, F&& f) const {
  if (packed()) {
    for (Iter it = First(); it.valid(); it.Next()) f(static_cast<const Iter&>(it));
    return 0;
  }
  return big()->index.Scan(cursor, [&](const Node* n) { f(At(n)); });
}

template <typename F>
void ZSet::ForEach(F&& f) const {
  for (Iter it = First(); it.valid(); it.Next()) f(it.member(), it.score());
}

}  // namespace racetrack::engine
