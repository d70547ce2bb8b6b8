// Set: the value of a Redis set key — unique byte strings, unordered.
//
// Two encodings, switched exactly where Redis 7.0 switches them, because OBJECT ENCODING and the
// order of SMEMBERS on small integer sets are visible to clients:
//  - intset (intset.h): every member is a canonical 64-bit decimal integer ("12", "-7"; not "012"
//    or "+1") and there are at most set-max-intset-entries (512 by default, limits.h) of them. One
//    sorted array of 16-, 32- or 64-bit values, so lookups are a binary search and SMEMBERS
//    returns them in ascending order, as Redis does; {1, 2, 3} is a 14-byte block.
//  - hashtable: a chained hash table (dict.h) of member blobs — one allocation per member holding
//    the chain link, the length and the bytes.
// A set converts intset → hashtable when a non-integer member is added or the member count passes
// set-max-intset-entries, and never converts back (as Redis 7.0; listpack sets arrived in 7.2).
//
// Complexity: Add/Remove O(N) in an intset (binary search, then the tail moves; N <= 512),
// Contains O(log N); O(1) expected in a hashtable; Random O(1) expected; iteration O(N).
// Memory per member: 2, 4 or 8 bytes (intset); hashtable: a 16-byte header + the member, rounded
// up to a malloc chunk (32 bytes for members up to 16 bytes), plus 8–16 bytes of buckets.
//
// One word: a Set is the intset's block pointer, or the hashtable's address with its low bit set
// (a union; is_intset() reads the bit). It lives inside the key's Value (value.h), so {1, 2, 3}
// costs its 14-byte intset block and nothing else — Redis's robj + intset, without the robj. It is
// trivially relocatable: Value moves it by copying the word.
//
// Invariants:
//  1. is_intset() iff the word's low bit is clear; then ints_ holds the members, otherwise the
//     Table does.
//  2. The engine never stores an empty Set.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "engine/ds/dict.h"
#include "engine/ds/intset.h"
#include "engine/ds/util.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

class Set final {
 public:
  // A new empty set, encoded as an intset or a hashtable.
  explicit Set(bool intset = true);
  // The encoding Redis's setTypeCreate picks for a set whose first member is `first`.
  static Set ForFirstMember(std::string_view first) {
    int64_t v;
    return Set(ParseInt64(first, &v));
  }
  ~Set();
  // A moved-from Set may only be destroyed.
  Set(Set&& o) noexcept;
  Set& operator=(Set&&) = delete;
  Set(const Set&) = delete;
  Set& operator=(const Set&) = delete;

  ObjType type() const { return ObjType::kSet; }
  // Heap bytes held (allocator sizes): the intset block, or the table, its buckets and members.
  size_t MemoryUsage() const;
  std::string_view Encoding() const { return is_intset() ? "intset" : "hashtable"; }
  // A deep copy in the same encoding.
  Set Clone() const;

  size_t size() const { return is_intset() ? ints_.size() : table()->index.size(); }
  bool empty() const { return size() == 0; }
  bool is_intset() const {
    uintptr_t w;
    std::memcpy(&w, this, sizeof(w));  // the word, whichever union member is live
    return (w & kTableBit) == 0;
  }

  // Returns true if m was added (absent before).
  bool Add(std::string_view m);
  // Returns true if m was present.
  bool Remove(std::string_view m);
  bool Contains(std::string_view m) const;

  // Calls f(std::string_view) for each member: ascending for an intset, table order otherwise.
  template <typename F>
  void ForEach(F&& f) const {
    if (is_intset()) {
      char buf[24];
      for (size_t i = 0, n = ints_.size(); i < n; ++i) f(FormatIntTo(ints_.At(i), buf));
    } else {
      table()->index.ForEach([&f](const Member* m) { f(m->view()); });
    }
  }

  // A uniformly chosen member (hashtable: Redis's bucket-then-chain choice). REQUIRES: !empty().
  template <typename Rng>
  std::string Random(Rng& rng) const {
    if (is_intset()) return FormatInt(ints_.At(rng() % ints_.size()));
    return std::string(table()->index.Random(rng)->view());
  }

  // SSCAN step. An intset is returned whole with cursor 0 (as Redis does for compact encodings);
  // a hashtable visits buckets by the reverse-binary cursor until about `count` members were
  // seen or 10*count buckets were visited.
  template <typename F>
  uint64_t Scan(uint64_t cursor, size_t count, F&& f) const {
    if (is_intset()) {
      ForEach(f);
      return 0;
    }
    size_t seen = 0;
    size_t max_buckets = count * 10;
    do {
      cursor = table()->index.Scan(cursor, [&](const Member* m) {
        f(m->view());
        ++seen;
      });
    } while (cursor != 0 && max_buckets-- > 0 && seen < count);
    return cursor;
  }

 private:
  struct Member {
    Member* next;
    uint32_t len;
    const char* data() const { return reinterpret_cast<const char*>(this + 1); }
    std::string_view view() const { return {data(), len}; }
  };
  struct MemberTraits {
    static std::string_view Key(const Member* m) { return m->view(); }
    static Member*& Next(Member* m) { return m->next; }
  };
  struct Table {
    HashIndex<Member, MemberTraits> index;
    size_t member_bytes = 0;  // malloc chunks held by the members
  };

  static constexpr uintptr_t kTableBit = 1;

  static std::string_view FormatIntTo(int64_t v, char* buf);
  static size_t MemberBytes(size_t len);
  // REQUIRES: !is_intset().
  Table* table() const { return reinterpret_cast<Table*>(table_bits_ & ~kTableBit); }
  // Makes this set an empty hashtable. REQUIRES: ints_ is live and already destroyed or moved.
  void StartTable();
  void TableAdd(std::string_view m);
  void ConvertToTable();

  union {
    Intset ints_;           // intset encoding
    uintptr_t table_bits_;  // hashtable encoding: the Table's address | kTableBit
  };
};

static_assert(sizeof(Set) == sizeof(void*), "a Set is one word (it lives inside a Value)");

}  // namespace racetrack::engine
