// List: the value of a Redis list key — a sequence of byte strings with O(1) push and pop at both
// ends (LPUSH/RPOP queues, LPUSH/LPOP stacks) and positional access for LINDEX/LRANGE.
//
// Structure: a quicklist, as Redis 7.0 — a sequence of nodes, each node a listpack (listpack.h)
// holding a run of consecutive elements packed into one byte array. A node grows until it would
// pass list-max-listpack-size (limits.h): -2 (the default) means 8 KB of listpack per node, -1..-5
// mean 4/8/16/32/64 KB, a positive N means at most N elements per node. Then a new node starts.
//
//   nodes_: [ node0: lp{a b c ... } ] [ node1: lp{ ... } ] ... [ nodeK: lp{ ... z} ]
//
// Why: one std::string per element costs 32 bytes plus a heap block for anything over 15 bytes;
// packed, "RPUSH l a b c" is a 16-byte listpack (2..11 bytes of overhead per element), and a long
// list of short values costs about their length + 3 bytes each.
//
// The node array is a std::vector: pushing at the tail is amortized O(1); a new head node moves
// the node array (O(N / elements-per-node) pointer moves, once per full node).
//
// Complexity: PushFront/PushBack/PopFront/PopBack O(1) amortized (plus O(node bytes) memmove
// inside the end node's listpack: an 8 KB node at most); At/Set O(nodes + node entries); Insert
// / Erase in the middle O(nodes + node bytes) (the node splits in two when it overflows); Range
// O(nodes + count) via the iterator. Memory: ~len + 2..11 bytes per element, + 24 bytes per node.
//
// Encoding(): Redis 7.0 reports every list as "quicklist" (the small-list "listpack" encoding came
// in 7.2), and so does this.
//
// Strings handed out: At() and the iterator decode into a string (At: a per-thread scratch, valid
// until the next call on any List; the iterator returns by value).
//
// Invariants:
//  1. No node is empty; count_ is the sum of the nodes' sizes; alloc_bytes_ the sum of their
//     allocations.
//  2. The engine never stores an empty List (the key is deleted with its last element).
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ds/listpack.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

class List final : public Object {
 public:
  ObjType type() const override { return ObjType::kList; }
  size_t MemoryUsage() const override;
  std::string_view Encoding() const override { return "quicklist"; }
  std::unique_ptr<Object> Clone() const override;

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }

  void PushFront(std::string_view v);
  void PushBack(std::string_view v);
  // REQUIRES: !empty().
  std::string PopFront();
  std::string PopBack();

  // REQUIRES: i < size(). Valid until the next call on any List.
  const std::string& At(size_t i) const;
  void Set(size_t i, std::string_view v);
  // Inserts v before position i (i == size() appends).
  void Insert(size_t i, std::string_view v);

  // Keeps only [start, stop] (inclusive, already clamped to valid indexes, start <= stop).
  void Trim(size_t start, size_t stop);
  // Removes up to `count` elements equal to v scanning from the head (count > 0), from the tail
  // (count < 0) or all of them (count == 0). Returns how many were removed.
  size_t Remove(std::string_view v, int64_t count);

  // Walks the elements in order; `*it` is the element's bytes (a std::string by value).
  // Bidirectional; `it + n` advances n steps. Invalidated by any modification.
  class Iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = std::string;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string;

    std::string operator*() const;
    // The element without a copy (an integer entry is formatted into the iterator's buffer).
    std::string_view view() const;
    Iterator& operator++();
    Iterator& operator--();
    Iterator operator+(std::ptrdiff_t n) const;
    bool operator==(const Iterator& o) const { return node_ == o.node_ && pos_ == o.pos_; }
    bool operator!=(const Iterator& o) const { return !(*this == o); }

   private:
    friend class List;
    Iterator(const List* list, size_t node, Listpack::Pos pos) : list_(list), node_(node), pos_(pos) {}
    const List* list_;
    size_t node_;        // nodes_.size() for end()
    Listpack::Pos pos_;  // nullptr for end()
    mutable char buf_[Listpack::kIntBuf];
  };
  // The elements as a sequence (begin/end/size/[]); kept so callers that walked the old
  // std::deque keep compiling. Prefer the iterator to operator[] in loops (O(nodes) per []).
  class Items {
   public:
    explicit Items(const List* list) : list_(list) {}
    Iterator begin() const { return list_->begin(); }
    Iterator end() const { return list_->end(); }
    size_t size() const { return list_->size(); }
    std::string operator[](size_t i) const { return *list_->IteratorAt(i); }

   private:
    const List* list_;
  };
  Items items() const { return Items(this); }
  Iterator begin() const;
  Iterator end() const { return Iterator(this, nodes_.size(), nullptr); }
  // The iterator at index i (i == size() gives end()).
  Iterator IteratorAt(size_t i) const;

  // Elements per node and node count (tests and MEMORY USAGE reasoning).
  size_t node_count() const { return nodes_.size(); }

 private:
  // Whether a node of `bytes` bytes and `count` entries is within list-max-listpack-size.
  static bool WithinLimit(size_t bytes, size_t count);
  // Whether node may take one more entry of `entry_bytes` (Redis's _quicklistNodeAllowInsert).
  static bool NodeAllows(const Listpack& node, size_t entry_bytes);
  // The node holding index i and i's offset inside it. REQUIRES: i < size().
  size_t Locate(size_t i, size_t* offset) const;
  // Splits node k in two halves when it has outgrown the size limit.
  void MaybeSplit(size_t k);
  void DropEmpty(size_t k);
  // Node edits that keep alloc_bytes_ current (MemoryUsage must be O(1): engine/db.h).
  template <typename F>
  void Edit(size_t k, F&& f) {
    size_t before = nodes_[k].AllocatedBytes();
    f(nodes_[k]);
    alloc_bytes_ = alloc_bytes_ - before + nodes_[k].AllocatedBytes();
  }
  void InsertNode(size_t k, Listpack node);
  void EraseNodes(size_t k, size_t n);

  std::vector<Listpack> nodes_;
  size_t count_ = 0;
  size_t alloc_bytes_ = 0;  // sum of the nodes' AllocatedBytes()
};

}  // namespace racetrack::engine
