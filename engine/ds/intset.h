// Intset: a set of integers as one sorted array in one malloc'd block — the compact encoding of a
// small set whose members are all integers (set.h), as Redis's intset.c.
//
// Layout (little-endian):
//
//   <encoding:u32 = 2|4|8> <length:u32> <length values of `encoding` bytes each, ascending>
//
// Width: every value is stored in the same width, the narrowest of 16, 32 and 64 bits that holds
// ALL of them. Adding a value that does not fit upgrades the whole array to the wider width
// (O(N) once; the new value is then the smallest or the largest, so it goes at one end). The
// width never narrows again, even when the wide values are removed (as Redis).
//
// Cost: Find O(log N) (binary search); Add / Remove O(N) (the tail moves, the block is realloc'd
// to its exact size); iteration ascending, O(1) per step.
// Memory: 8 bytes + width x N: {1, 2, 3} is 14 bytes (16 with malloc's rounding).
//
// Invariants (CheckInvariants):
//  1. encoding is 2, 4 or 8 and the block holds 8 + encoding x length bytes.
//  2. Values are strictly ascending.
//  3. encoding is at least the narrowest width of every value (not necessarily the narrowest).
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "engine/ds/block.h"

namespace racetrack::engine {

class Intset {
 public:
  Intset();  // empty: 8 bytes
  // Move-only, as its block; a deep copy is Copy().
  Intset Copy() const;
  // An intset with no block (an owner that switched to another encoding keeps one): only
  // AllocatedBytes(), assignment and destruction may be called on it.
  static Intset Null() { return Intset(Block()); }

  size_t size() const;
  // Bytes of one value: 2, 4 or 8.
  size_t width() const;
  // The block's size (8 + width x size) and the allocator's usable size for it.
  size_t bytes() const { return 8 + width() * size(); }
  size_t AllocatedBytes() const { return is_.AllocatedBytes(); }

  // Returns false if v was already present.
  bool Add(int64_t v);
  // Returns false if v was absent.
  bool Remove(int64_t v);
  bool Contains(int64_t v) const;
  // The i-th smallest value. REQUIRES: i < size().
  int64_t At(size_t i) const;

  bool CheckInvariants(std::string* why) const;

 private:
  explicit Intset(Block block) : is_(std::move(block)) {}
  uint8_t* values() const { return is_.get() + 8; }
  // Index of v, or of where it would be inserted (*found says which).
  size_t Search(int64_t v, bool* found) const;
  void Put(size_t i, int64_t v);  // stores v at index i in the current width
  void Resize(size_t n);          // realloc for n values of the current width, sets length

  Block is_;
};

}  // namespace racetrack::engine
