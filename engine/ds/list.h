// List: the value of a Redis list key — a sequence of byte strings with O(1) push and pop at both
// ends (LPUSH/RPOP queues, LPUSH/LPOP stacks) and positional access for LINDEX/LRANGE.
//
// Structure: a chunked deque (std::deque<std::string>). Elements live in fixed 512-byte blocks of
// 16 std::string slots; a small "map" array points at the blocks. Pushing at either end fills the
// end block or adds one block, so no element ever moves: O(1) push/pop at both ends, O(1) access by
// index (block = (offset + i) / 16). This is the same shape as Redis's quicklist — a list of small
// blocks — with the difference that Redis packs each block's elements into one listpack byte
// array (~2–3 bytes of header per element), while here each element is a std::string (32 bytes,
// with short strings of up to 15 bytes stored inline and longer ones in their own allocation).
//
// Complexity: PushFront/PushBack/PopFront/PopBack O(1); At/Set O(1); Insert/Erase in the middle
// O(N) (elements shift, as in Redis where a listpack block is rewritten); Range O(S + count).
// Memory: 32 bytes per element + its capacity + 1 when longer than 15 bytes, + 8 bytes of map per
// 16 elements; Redis 7.0 needs ~len + 2..11 bytes per element, so this is the larger one for short
// values (a deliberate trade: simple code, no encode/decode on the hot path).
//
// Encoding(): Redis 7.0 reports every list as "quicklist" (the small-list "listpack" encoding came
// in 7.2), so this does too.
//
// Invariant: the engine never stores an empty List (the key is deleted with its last element).
//
// Thread-safety: none.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "engine/ds/alloc.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

class List final : public Object {
 public:
  ObjType type() const override { return ObjType::kList; }
  size_t MemoryUsage() const override;
  std::string_view Encoding() const override { return "quicklist"; }
  std::unique_ptr<Object> Clone() const override {
    auto copy = std::make_unique<List>(*this);
    copy->Recount();  // copied strings may have smaller capacities than the originals
    return copy;
  }

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  void PushFront(std::string_view v) { heap_bytes_ += StringHeapBytes(items_.emplace_front(v)); }
  void PushBack(std::string_view v) { heap_bytes_ += StringHeapBytes(items_.emplace_back(v)); }
  // REQUIRES: !empty().
  std::string PopFront();
  std::string PopBack();

  // REQUIRES: i < size().
  const std::string& At(size_t i) const { return items_[i]; }
  void Set(size_t i, std::string_view v) {
    heap_bytes_ -= StringHeapBytes(items_[i]);
    items_[i].assign(v);
    heap_bytes_ += StringHeapBytes(items_[i]);
  }
  // Inserts v before position i (i == size() appends).
  void Insert(size_t i, std::string_view v);

  // Keeps only [start, stop] (inclusive, already clamped to valid indexes, start <= stop).
  void Trim(size_t start, size_t stop);
  // Removes up to `count` elements equal to v scanning from the head (count > 0), from the tail
  // (count < 0) or all of them (count == 0). Returns how many were removed.
  size_t Remove(std::string_view v, int64_t count);

  using Items = std::deque<std::string>;
  const Items& items() const { return items_; }

 private:
  // Recounts heap_bytes_ from scratch (after bulk edits that move strings around).
  void Recount();

  Items items_;
  size_t heap_bytes_ = 0;  // sum of StringHeapBytes over items_, kept current by every mutator
};

}  // namespace racetrack::engine
