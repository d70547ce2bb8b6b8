// Hash: a map from field to value inside one key (HSET, HGET, HGETALL, ...).
//
// Why two encodings. Most hashes in real use are small (a user's profile, a session). For them a
// hash table is wasteful: buckets, one node per field, a string header per field and value. Redis
// therefore keeps a small hash as a listpack (listpack.h) — one flat byte array of field, value,
// field, value, in insertion order — and searches it linearly: "HSET h f1 v1 f2 v2 f3 v3" is a
// 31-byte array. When the hash grows past hash-max-listpack-entries fields (512 by default), or a
// field or value longer than hash-max-listpack-value (64) bytes arrives, it converts once, for
// good, to a real hash table (limits.h has the settings; CONFIG SET changes them).
// Keeping the insertion order matters beyond memory: HGETALL, HKEYS and HSCAN on a small hash
// answer in that order in Redis, and clients (and our conformance tests) see it.
//
// Complexity:            listpack              hashtable
//   Get / Set / Erase    O(n) scan + O(n) move  O(1) average
//   iteration            O(n), insertion order  O(n), table order
// Bytes per field: listpack 2..11 bytes of overhead per field and per value (a short field is its
// length + 2); hashtable about 64 (pair) + 16 (node link, cached hash) + 8 (bucket) plus the heap
// of strings longer than 15 bytes.
//
// Strings handed out: a listpack holds bytes, not std::strings, so Get, ForEach, Scan and Random
// decode the entry into a per-thread scratch string and hand out a reference to it. Such a
// reference is valid until the next call on ANY Hash (copy it to keep it); in a hashtable it is
// the stored string itself.
//
// One word: a Hash is the listpack's block pointer, or the hashtable's address with its low bit set
// (a union; encoding() reads the bit). It lives inside the key's Value (value.h), so a small hash
// costs its listpack block and nothing else — Redis's robj + listpack, without the robj. It is
// trivially relocatable: Value moves it by copying the word.
//
// Invariants:
//  1. Exactly one of lp_ (listpack) and the Table (hashtable) is live; encoding() says which.
//  2. encoding() == kListpack implies every field and value was at most hash-max-listpack-value
//     bytes and the count at most hash-max-listpack-entries when written (a later CONFIG SET may
//     lower the limits; the next write then converts, as in Redis).
//  3. A hash never converts back from kHashtable to kListpack (as Redis).
//  4. Fields are unique in both encodings.
//
// Thread-safety: none (engine-owned).
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "engine/ds/alloc.h"
#include "engine/ds/listpack.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

class Hash final {
 public:
  enum class Enc : uint8_t { kListpack, kHashtable };

  Hash() : lp_() {}
  ~Hash();
  Hash(Hash&& o) noexcept;
  Hash& operator=(Hash&&) = delete;
  Hash(const Hash&) = delete;
  Hash& operator=(const Hash&) = delete;

  ObjType type() const { return ObjType::kHash; }
  // Heap bytes held (allocator sizes): the listpack block, or the table with its nodes.
  size_t MemoryUsage() const;
  std::string_view Encoding() const {
    return encoding() == Enc::kListpack ? "listpack" : "hashtable";
  }
  // A deep copy in the same encoding.
  Hash Clone() const;

  Enc encoding() const { return (Word() & kTableBit) != 0 ? Enc::kHashtable : Enc::kListpack; }
  size_t size() const;
  bool empty() const { return size() == 0; }

  // The value of field, or nullptr. Valid until the next call on any Hash (see above).
  const std::string* Get(std::string_view field) const;
  // Inserts or overwrites; returns true if the field was new. May convert to kHashtable.
  bool Set(std::string_view field, std::string_view value);
  // Returns whether the field existed.
  bool Erase(std::string_view field);

  // Calls fn(field, value) for every field: insertion order for a listpack, table order
  // otherwise. The references are valid only during the call.
  void ForEach(const std::function<void(const std::string&, const std::string&)>& fn) const;

  // HSCAN: visits the entries of the next buckets, about `count` of them, and returns the next
  // cursor (0 when done). A listpack is visited whole in one call, as Redis does. The references
  // are valid only during the call.
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(const std::string&, const std::string&)>& fn) const;

  // A uniformly random field and its value (listpack: by index; hashtable: random non-empty
  // bucket, then a random node in it, close to uniform at a healthy load factor). Valid until the
  // next call on any Hash. REQUIRES: !empty().
  std::pair<const std::string*, const std::string*> Random(std::mt19937_64& rng) const;

 private:
  struct TransparentHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, std::string, TransparentHash, std::equal_to<>>;
  struct Table {
    Map map;
    size_t heap_bytes = 0;  // StringHeapBytes of every field and value, kept by Set / Erase
  };

  static constexpr uintptr_t kTableBit = 1;

  // The object's one word, read as bytes (valid whichever union member is live).
  uintptr_t Word() const {
    uintptr_t w;
    std::memcpy(&w, this, sizeof(w));
    return w;
  }
  // REQUIRES: encoding() == kHashtable.
  Table* table() const { return reinterpret_cast<Table*>(table_bits_ & ~kTableBit); }
  void ConvertToHashtable();

  union {
    Listpack lp_;           // kListpack: field, value, field, value, ...
    uintptr_t table_bits_;  // kHashtable: the Table's address | kTableBit
  };
};

static_assert(sizeof(Hash) == sizeof(void*), "a Hash is one word (it lives inside a Value)");

}  // namespace racetrack::engine
