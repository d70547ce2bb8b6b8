// ZSet: the value of a sorted-set key — unique members, each with a double score, ordered by
// (score, member).
//
// Why two structures (as Redis's t_zset.c explains): a skiplist (skiplist.h) keeps the order, so
// ranges, ranks and "top k" cost O(log N + k); a hash index from member to skiplist node
// (dict.h) answers ZSCORE and finds the node to move or delete in O(1). Each member is stored
// once, inline in its skiplist node; the index is intrusive (it chains the nodes themselves through
// Node::hnext), so the member→score map costs no allocation of its own.
//
// Complexity: Find/Score O(1); Insert, Remove, UpdateScore, Rank O(log N); RemoveRange* O(log N + M).
// Memory per member: one skiplist node (~80 bytes for a short member, see skiplist.h) plus 8–16
// bytes of hash buckets. Redis 7.0 spends ~100–118 bytes per member at 1M members.
//
// Encoding(): Redis 7.0 keeps small sorted sets (<= zset-max-listpack-entries members, each <=
// zset-max-listpack-value bytes; 128 and 64 by default, limits.h) in a listpack and converts them
// to skiplist+dict for good once either limit is crossed (it never converts back on deletion).
// PARTIAL: this class always uses the skiplist (so a small sorted set costs ~100 bytes per member
// where Redis's listpack costs ~10), but reports the name Redis would report by tracking the same
// rule (Insert, ConvertToListpackIfNeeded): the callers walk Node* and list() directly, so a real
// packed encoding needs an encoding-neutral API first.
//
// Invariants:
//  1. index_ and list_ hold the same members; index_.Find(m) is m's node in list_.
//  2. The engine never stores an empty ZSet.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "engine/ds/dict.h"
#include "engine/ds/skiplist.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

class ZSet final : public Object {
 public:
  using Node = SkipList::Node;
  ZSet() = default;

  ObjType type() const override { return ObjType::kZSet; }
  size_t MemoryUsage() const override {
    return sizeof(ZSet) + list_.MemoryUsage() + index_.MemoryUsage();
  }
  std::string_view Encoding() const override { return listpack_ ? "listpack" : "skiplist"; }
  std::unique_ptr<Object> Clone() const override;

  size_t size() const { return list_.length(); }
  bool is_listpack() const { return listpack_; }
  // For a result built in skiplist form (ZUNIONSTORE...): switch to the listpack name if it fits,
  // as Redis's zsetConvertToListpackIfNeeded. max_len: the longest member.
  void ConvertToListpackIfNeeded(size_t max_len);
  void set_listpack(bool v) { listpack_ = v; }

  Node* Find(std::string_view member) const { return index_.Find(member); }
  std::optional<double> Score(std::string_view member) const {
    const Node* n = index_.Find(member);
    if (n == nullptr) return std::nullopt;
    return n->score;
  }

  // REQUIRES: member absent.
  Node* Insert(std::string_view member, double score);
  // REQUIRES: node belongs to this set.
  void UpdateScore(Node* node, double score) { list_.UpdateScore(node, StoredScore(score)); }
  bool Remove(std::string_view member);

  // 0-based rank from the lowest (or, reverse, the highest) score; -1 if absent.
  int64_t Rank(std::string_view member, bool reverse) const;

  size_t RemoveRangeByScore(const ScoreRange& r);
  size_t RemoveRangeByLex(const LexRange& r);
  // 0-based inclusive ranks, start <= end < size().
  size_t RemoveRangeByRank(uint64_t start, uint64_t end);

  const SkipList& list() const { return list_; }

  // REQUIRES: size() > 0.
  template <typename Rng>
  const Node* Random(Rng& rng) const {
    return index_.Random(rng);
  }
  // One step of a ZSCAN cursor walk over the index: f(const Node*) per entry; returns the next
  // cursor (0 = done).
  template <typename F>
  uint64_t Scan(uint64_t cursor, F&& f) const {
    return index_.Scan(cursor, f);
  }

 private:
  // A listpack stores a score as text and "-0" comes back as the integer 0, so Redis answers 0
  // for -0 while the set is small (and keeps that 0 after conversion); a skiplist keeps -0.
  double StoredScore(double score) const { return listpack_ && score == 0 ? 0.0 : score; }

  struct IndexTraits {
    static std::string_view Key(const Node* n) { return n->member(); }
    static Node*& Next(Node* n) { return n->hnext; }
  };

  SkipList list_;
  HashIndex<Node, IndexTraits> index_;
  bool listpack_ = true;
};

}  // namespace racetrack::engine
