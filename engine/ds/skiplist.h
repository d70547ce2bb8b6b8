// SkipList: the ordered half of a sorted set — elements (score, member) kept sorted so that range
// queries, rank queries and "top k" are O(log N + k).
//
// Algorithm: William Pugh, "Skip Lists: A Probabilistic Alternative to Balanced Trees" (CACM 1990),
// with the two additions Redis's t_zset.c makes:
//  - each forward link carries a *span*, the number of level-0 steps it jumps, so summing spans
//    along a search path gives an element's rank, and walking by spans finds the element of a given
//    rank — both O(log N);
//  - a backward pointer on level 0, so reverse iteration (ZREVRANGE) is O(1) per step.
// A node's height is 1 + the number of successive coin flips that come up with probability
// p = 1/4, capped at 32 levels; the expected number of forward links per node is 1/(1-p) = 1.33.
//
// Order: by score, and by member bytes (unsigned, memcmp order; a prefix sorts first) for equal
// scores — exactly Redis's order, so ranges and ranks match it.
//
// Complexity (N elements, expected): Insert, Delete, UpdateScore, GetRank, ByRank, FirstInRange,
// LastInRange O(log N); DeleteRange* O(log N + M) for M removed; iteration O(1) per step.
//
// Memory per node: one allocation holding a 32-byte header (score, backward, the owner's hash
// link, member length, height), 16 bytes per level (forward, span) and the member bytes inline.
// With 1.33 levels on average and a 13-byte member that is ~67 bytes, 80 with malloc's rounding.
//
// Invariants (CheckInvariants verifies them):
//  1. Level 0 is sorted strictly by (score, member). (Unique members are the owner's rule; the
//     skiplist itself needs only distinct (score, member) pairs.)
//  2. For every level i, the level-i list is a sub-sequence of the level-(i-1) list, and a node of
//     height h appears on levels 0..h-1.
//  3. For each non-null forward link at level i from a to b, span == rank(b) - rank(a) (the
//     header's rank is 0).
//  4. backward of the first node is null; of any other node it is its level-0 predecessor;
//     tail() is the last node; length() counts the level-0 nodes.
//  5. level() is the height of the tallest node (at least 1).
//
// Ownership: the skiplist allocates and frees its nodes. Node::hnext is reserved for the owner
// (the zset's member index, dict.h) and never read here.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace racetrack::engine {

// A score interval [min, max] where either end may be exclusive, e.g. "(1 5" -> (1, 5].
struct ScoreRange {
  double min = 0, max = 0;
  bool min_exclusive = false, max_exclusive = false;
};

// A member interval for ZRANGEBYLEX: "[a" inclusive, "(a" exclusive, "-" / "+" the infinities.
struct LexBound {
  enum class Kind : uint8_t { kValue, kMinusInf, kPlusInf };
  Kind kind = Kind::kValue;
  bool exclusive = false;
  std::string value;
};
struct LexRange {
  LexBound min, max;
};

class SkipList {
 public:
  static constexpr int kMaxLevel = 32;

  struct Node;
  struct Level {
    Node* forward;
    uint64_t span;
  };
  struct Node {
    double score;
    Node* backward;
    Node* hnext;  // the owner's hash-chain link (see the file comment)
    uint32_t len;
    uint8_t height;

    Level* levels() { return reinterpret_cast<Level*>(this + 1); }
    const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }
    std::string_view member() const {
      return {reinterpret_cast<const char*>(levels() + height), len};
    }
    Node* next() const { return levels()[0].forward; }
    Node* prev() const { return backward; }
  };

  explicit SkipList(uint64_t seed = 0x2545F4914F6CDD1DULL);
  ~SkipList();
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  size_t length() const { return length_; }
  int level() const { return level_; }
  Node* first() const { return header_->levels()[0].forward; }
  Node* tail() const { return tail_; }
  // Heap bytes of all nodes (glibc malloc chunk sizes) including the header.
  size_t MemoryUsage() const { return bytes_; }

  // REQUIRES: (score, member) is not present. Returns the new node.
  Node* Insert(double score, std::string_view member);
  // Removes and frees the node (score, member); false if absent.
  bool Delete(double score, std::string_view member);
  // Moves node to new_score, keeping the same Node (so owners' pointers stay valid).
  // REQUIRES: node belongs to this list.
  void UpdateScore(Node* node, double new_score);

  // 1-based rank of (score, member); 0 if absent.
  uint64_t GetRank(double score, std::string_view member) const;
  // The node of 1-based rank, or nullptr if rank is 0 or > length().
  Node* ByRank(uint64_t rank) const;

  Node* FirstInRange(const ScoreRange& r) const;
  Node* LastInRange(const ScoreRange& r) const;
  Node* FirstInLexRange(const LexRange& r) const;
  Node* LastInLexRange(const LexRange& r) const;

  // Delete every node in the range; on_delete(node) runs before each node is freed (the owner
  // unlinks it from its index). Return the number removed.
  template <typename F>
  size_t DeleteRangeByScore(const ScoreRange& r, F&& on_delete);
  template <typename F>
  size_t DeleteRangeByLex(const LexRange& r, F&& on_delete);
  // start, end: 1-based inclusive ranks, 1 <= start <= end.
  template <typename F>
  size_t DeleteRangeByRank(uint64_t start, uint64_t end, F&& on_delete);

  // Verifies invariants 1–5; returns false (with a reason in *why) on the first violation.
  bool CheckInvariants(std::string* why) const;

  static bool ValueGteMin(double v, const ScoreRange& r) {
    return r.min_exclusive ? v > r.min : v >= r.min;
  }
  static bool ValueLteMax(double v, const ScoreRange& r) {
    return r.max_exclusive ? v < r.max : v <= r.max;
  }
  static bool LexGteMin(std::string_view v, const LexBound& min);
  static bool LexLteMax(std::string_view v, const LexBound& max);
  // True if no value can lie in the range (min above max, or equal with an exclusive end).
  static bool IsEmptyRange(const ScoreRange& r);
  static bool IsEmptyLexRange(const LexRange& r);

 private:
  // (a.score, a.member) < (score, member)
  static bool Less(const Node* a, double score, std::string_view member) {
    return a->score < score || (a->score == score && a->member() < member);
  }
  static size_t NodeBytes(int height, size_t len);
  static size_t ChunkBytes(size_t request);
  Node* NewNode(int height, double score, std::string_view member);
  void FreeNode(Node* n);
  int RandomLevel();
  // Links x (score/member/height already set) at its sorted position.
  void Link(Node* x);
  // Unlinks x given update[i] = x's predecessor at each level.
  void Unlink(Node* x, Node** update);
  // Fills update[] with the last node before (score, member) at each level.
  void FindPredecessors(double score, std::string_view member, Node** update) const;
  // The last node (or the header) for which before(node) holds, which must hold for a prefix of
  // the list: the descent every search makes. With update, fills update[i] with that node at
  // each level i (the predecessors of the first node where before stops holding).
  template <typename Before>
  Node* FindLastBefore(Before before, Node** update = nullptr) const;
  // Deletes the nodes after update[0] while in_range(node, number deleted so far) holds, given
  // update[] from FindLastBefore; on_delete as for DeleteRange*. Returns the number deleted.
  template <typename InRange, typename F>
  size_t DeleteRun(Node** update, InRange in_range, F& on_delete);

  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  size_t bytes_ = 0;
  uint64_t rng_state_;
};

// ---- templates ----

template <typename Before>
SkipList::Node* SkipList::FindLastBefore(Before before, Node** update) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && before(x->levels()[i].forward)) x = x->levels()[i].forward;
    if (update != nullptr) update[i] = x;
  }
  return x;
}

template <typename InRange, typename F>
size_t SkipList::DeleteRun(Node** update, InRange in_range, F& on_delete) {
  size_t removed = 0;
  Node* x = update[0]->levels()[0].forward;
  while (x != nullptr && in_range(x, removed)) {
    Node* next = x->levels()[0].forward;
    Unlink(x, update);
    on_delete(x);
    FreeNode(x);
    ++removed;
    x = next;
  }
  return removed;
}

template <typename F>
size_t SkipList::DeleteRangeByScore(const ScoreRange& r, F&& on_delete) {
  Node* update[kMaxLevel];
  FindLastBefore([&r](const Node* n) { return !ValueGteMin(n->score, r); }, update);
  return DeleteRun(
      update, [&r](const Node* n, size_t) { return ValueLteMax(n->score, r); }, on_delete);
}

template <typename F>
size_t SkipList::DeleteRangeByLex(const LexRange& r, F&& on_delete) {
  Node* update[kMaxLevel];
  FindLastBefore([&r](const Node* n) { return !LexGteMin(n->member(), r.min); }, update);
  return DeleteRun(
      update, [&r](const Node* n, size_t) { return LexLteMax(n->member(), r.max); }, on_delete);
}

template <typename F>
size_t SkipList::DeleteRangeByRank(uint64_t start, uint64_t end, F&& on_delete) {
  Node* update[kMaxLevel];
  Node* x = header_;
  uint64_t traversed = 0;  // the rank of x
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && traversed + x->levels()[i].span < start) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  return DeleteRun(
      update, [&](const Node*, size_t removed) { return traversed + 1 + removed <= end; },
      on_delete);
}

}  // namespace racetrack::engine
