// Listpack: a sequence of small strings and integers packed into ONE malloc'd byte array — the
// compact encoding of small hashes (hash.h), and of the nodes of a list (list.h).
//
// Why: a small hash of three fields as a hash table costs buckets, a node per field and a string
// header per field and value — hundreds of bytes for 12 bytes of data. Packed, the same hash is
// 31 bytes, in one allocation, and a linear scan of 31 contiguous bytes is as fast as hashing.
// Redis keeps every small hash, sorted set and list node this way; this is the same byte layout
// (Salvatore Sanfilippo's listpack.c, learnt from its spec), written here from scratch.
//
// Layout (all multi-byte numbers little-endian):
//
//   <total-bytes:u32> <num-elements:u16> <entry> <entry> ... <end:0xFF>
//
// num-elements saturates at 65535 ("unknown": Length() then counts by walking). Each entry is
//
//   <encoding+data> <backlen>
//
// encoding+data — the first byte says what follows:
//   0xxxxxxx                      integer 0..127 in the byte itself            (1 byte)
//   10xxxxxx <bytes>              string of up to 63 bytes, length in 6 bits   (1 + len)
//   110xxxxx yyyyyyyy             13-bit signed integer -4096..4095             (2 bytes)
//   1110xxxx yyyyyyyy <bytes>     string of up to 4095 bytes, 12-bit length     (2 + len)
//   11110000 <len:u32> <bytes>    longer string                                 (5 + len)
//   11110001 / 0010 / 0011 / 0100 then a 16 / 24 / 32 / 64-bit signed integer  (3 / 4 / 5 / 9)
//   11111111                      the end byte (not an entry)
// A string is stored as an integer exactly when it is the canonical decimal form of an int64
// ("12", "-7"; not "012", "+1" or "1.0"), so reading an entry back always gives the same bytes.
//
// backlen — the length of <encoding+data> in 1..5 bytes, written so that it can be read from its
// LAST byte backwards: each byte carries 7 bits, the high bit set on every byte but the first
// (leftmost) one. Reading backwards from an entry's start therefore finds the previous entry's
// length in O(1): that is what makes reverse iteration (LRANGE -1, RPOP, ZREVRANGE) O(1) per step.
//
// Cost: reading, the next/previous entry O(1); finding by value or by index O(N); any insertion
// or deletion O(N) (the bytes after it move, and the array is realloc'd to its exact new size) —
// which is why it is only used while small (the *-max-listpack-* limits, limits.h).
// Memory: 7 bytes + per entry 2..11 bytes of overhead (a 2-byte string "v1" takes 4 bytes).
//
// Invariants (CheckInvariants verifies them):
//  1. bytes() equals the array's length and the last byte is 0xFF.
//  2. Walking forward from First() over valid entries reaches exactly the end byte, and each
//     entry's backlen equals its encoding+data length (so walking back reproduces the walk).
//  3. The header count equals the number of entries, or is 65535 when there are at least 65535.
//
// Positions: a `Pos` is a pointer to an entry's first byte; nullptr means "none / past the end".
// Any mutation may move the array: it returns the new position to continue from, and every other
// Pos taken before it is invalid.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "engine/ds/block.h"

namespace racetrack::engine {

class Listpack {
 public:
  using Pos = const uint8_t*;

  // One decoded entry: a string (view into the array, valid until the next mutation) or an int.
  struct Entry {
    std::string_view str;
    int64_t ival = 0;
    bool is_int = false;
    // The entry as the bytes it was stored from; `buf` (>= 21 bytes) holds an integer's digits.
    std::string_view View(char* buf) const;
    bool Equals(std::string_view s) const;
  };
  static constexpr size_t kIntBuf = 24;  // enough for any int64 in decimal

  Listpack();  // empty: 7 bytes
  // Move-only, as its block; a deep copy is Copy().
  Listpack Copy() const;
  // A listpack with no array at all (an owner that switched to another encoding keeps one):
  // only AllocatedBytes(), assignment and destruction may be called on it.
  static Listpack Null() { return Listpack(Block()); }
  bool is_null() const { return lp_.is_null(); }

  // Total bytes of the array (header, entries, end byte) and the allocator's usable size for it.
  size_t bytes() const;
  size_t AllocatedBytes() const { return lp_.AllocatedBytes(); }
  // Number of entries. O(1) below 65535 entries.
  size_t size() const;
  bool empty() const { return First() == nullptr; }

  Pos First() const;
  Pos Last() const;
  Pos Next(Pos p) const;  // nullptr after the last entry
  Pos Prev(Pos p) const;  // nullptr before the first entry
  // The entry at index i (negative: from the end, -1 the last), or nullptr if out of range.
  Pos Seek(int64_t i) const;
  static Entry Get(Pos p);
  // The first entry at or after `from`, stepping `skip`+1 entries each time, equal to s
  // (Redis's lpFind; skip=1 visits the fields of a field,value,... sequence). nullptr if none.
  Pos Find(Pos from, std::string_view s, size_t skip = 0) const;

  // Insert s before p (p == nullptr: at the end). Returns the new entry's position.
  Pos Insert(Pos p, std::string_view s);
  Pos Append(std::string_view s) { return Insert(nullptr, s); }
  Pos Prepend(std::string_view s) { return Insert(First(), s); }
  // Replaces the entry at p with s; returns its (new) position.
  Pos Replace(Pos p, std::string_view s);
  // Deletes `count` entries starting at p (fewer if the end comes first); returns the position
  // of the entry that followed them (nullptr at the end).
  Pos Delete(Pos p, size_t count = 1);

  // Bytes one entry holding s would take (encoding + data + backlen): the size budget checks of
  // a quicklist node use it.
  static size_t EntrySize(std::string_view s);

  // Verifies the invariants above; false (with a reason in *why) if one is broken.
  bool CheckInvariants(std::string* why) const;

 private:
  explicit Listpack(Block block) : lp_(std::move(block)) {}
  uint8_t* lp() const { return lp_.get(); }  // moves on every resize

  Block lp_;
};

}  // namespace racetrack::engine
