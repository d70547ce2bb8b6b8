// Hash: a map from field to value inside one key (HSET, HGET, HGETALL, ...).
//
// Why two encodings. Most hashes in real use are small (a user's profile, a session). For them a
// hash table is wasteful: buckets, one node per field, pointers everywhere. Redis therefore keeps a
// small hash as a "listpack" — one flat, insertion-ordered sequence of field, value, field, value —
// and searches it linearly; at a few hundred entries a linear scan of contiguous memory still beats hashing.
// When the hash grows past hash-max-listpack-entries (512) fields, or any field or value is longer
// than hash-max-listpack-value (64) bytes, it converts once, for good, to a real hash table.
//
// Here the listpack is a std::vector of (field, value) pairs: the same shape (contiguous,
// insertion-ordered, linear search) without Redis's byte-level packing. Keeping the insertion order
// matters beyond speed: HGETALL, HKEYS and HSCAN on a small hash answer in that order in Redis, and
// clients (and our conformance tests) see it.
//
// Complexity:            listpack             hashtable
//   Get / Set / Erase    O(n), n <= 512       O(1) average
//   Erase                O(n) (shift)         O(1) average
//   iteration            O(n), insertion      O(n), table order
// Bytes per field: listpack sizeof(pair)=64 plus heap for strings longer than 15 bytes (SSO);
// hashtable about 64 (pair) + 16 (node link, cached hash) + 8 (bucket) plus the same string heap.
//
// Invariants:
//  1. encoding() == kListpack implies size() <= kMaxListpackEntries and every field and value is at
//     most kMaxListpackValue bytes long.
//  2. A hash never converts back from kHashtable to kListpack (as Redis).
//  3. Fields are unique in both encodings.
//
// Thread-safety: none (engine-owned).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/ds/alloc.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

class Hash final : public Object {
 public:
  static constexpr size_t kMaxListpackEntries = 512;  // hash-max-listpack-entries
  static constexpr size_t kMaxListpackValue = 64;     // hash-max-listpack-value

  enum class Enc : uint8_t { kListpack, kHashtable };

  ObjType type() const override { return ObjType::kHash; }
  size_t MemoryUsage() const override;
  std::string_view Encoding() const override {
    return enc_ == Enc::kListpack ? "listpack" : "hashtable";
  }
  std::unique_ptr<Object> Clone() const override;

  Enc encoding() const { return enc_; }
  size_t size() const { return enc_ == Enc::kListpack ? pack_.size() : table_.size(); }
  bool empty() const { return size() == 0; }

  // The value of field, or nullptr. The pointer is valid until the next modification.
  const std::string* Get(std::string_view field) const;
  // Inserts or overwrites; returns true if the field was new. May convert to kHashtable.
  bool Set(std::string_view field, std::string_view value);
  // Returns whether the field existed.
  bool Erase(std::string_view field);

  // Calls fn(field, value) for every field: insertion order for a listpack, table order otherwise.
  void ForEach(const std::function<void(const std::string&, const std::string&)>& fn) const;

  // HSCAN: visits the entries of the next buckets, about `count` of them, and returns the next
  // cursor (0 when done). A listpack is visited whole in one call, as Redis does.
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(const std::string&, const std::string&)>& fn) const;

  // A uniformly random field (listpack: by index; hashtable: random non-empty bucket, then a
  // random node in it, which is close to uniform at a healthy load factor).
  // REQUIRES: !empty().
  std::pair<const std::string*, const std::string*> Random(std::mt19937_64& rng) const;

 private:
  struct TransparentHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Table = std::unordered_map<std::string, std::string, TransparentHash, std::equal_to<>>;

  void ConvertToHashtable();

  Enc enc_ = Enc::kListpack;
  std::vector<std::pair<std::string, std::string>> pack_;  // kListpack
  Table table_;                                            // kHashtable
  size_t heap_bytes_ = 0;  // StringHeapBytes of every field and value, kept by Set / Erase
};

}  // namespace racetrack::engine
