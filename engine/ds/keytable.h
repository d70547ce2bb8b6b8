// KeyTable: the keyspace's hash table — key -> (Value, expiry) in one allocation per key, chained
// buckets, incremental rehashing both ways (it grows and it shrinks), a SCAN cursor that survives
// resizing, and a uniformly random entry.
//
// Why not std::unordered_map<std::string, Entry>: a node per key plus a separate key buffer for
// keys over 15 bytes, 104+ bytes for the smallest key, a bucket array that never shrinks, and no
// way to scan across a resize or to draw a fair random key. This is Redis's dict.c, specialised:
//
//   bucket array (8 B/bucket)         one malloc per key (Entry)
//   +----+----+----+----+       +---------------+------+--------------+-----+-----+--------------+
//   | *  | .  | *  | .  |  ->   | Value (16 B)  | next | expire (48b) | flg | len | key bytes... |
//   +----+----+----+----+       +---------------+------+--------------+-----+-----+--------------+
//                                0               16     24             30    31    32
//   (len 255 means a 4-byte length follows, for keys of 255 bytes or more)
//
// A key "n" holding "12345" therefore costs one 33-byte request (malloc's 40-byte class) plus its
// share of the bucket array; Redis 7.0 needs a 24-byte dictEntry, an 8-byte key sds and a 16-byte
// robj (48 B). Keys of up to 8 bytes fit the 40-byte class, up to 24 bytes the 56-byte one.
//
// The expiry is a 48-bit signed Unix-ms deadline (until the year 6429), -1 for none; a deadline
// beyond kFarExpire is stored as kFarExpire and its exact value kept by the owner (engine/db.h),
// so every "has it expired?" test can read the entry alone.
//
// Algorithm (Redis's dict, Pieter Noordhuis's scan):
//  - Two tables while resizing. The array doubles when the table holds as many entries as buckets,
//    and shrinks to the smallest power of two >= entries when it is under 1/10 full. A resize
//    allocates the new array and moves one bucket per later operation (RehashStep; the engine also
//    calls RehashFor from its cron), so no single command pays O(N). Lookups check both tables;
//    inserts go to the new one.
//  - Scan: a reverse-binary cursor — the cursor's high bits are incremented first, so when the
//    table grows or shrinks between calls, the buckets already visited map onto a prefix of the new
//    cursor order: every entry present for the whole walk is returned at least once (some twice).
//  - Random: rejection sampling — pick a bucket uniformly among both tables' buckets and an index
//    uniformly in [0, chain_bound); accept if the chain is that long. Every entry then has the same
//    probability 1/(buckets * chain_bound) per try, unlike Redis's dictGetRandomKey, which favours
//    entries in short chains. chain_bound is an upper bound on the longest chain: Insert and the
//    rehash moves of a shrink (the only ways a chain grows) raise it; it is never lowered, which
//    costs only extra tries.
//
// Complexity: Find, Insert, Erase O(1) expected plus one rehash step; Scan O(1) buckets per call
// (a few more while resizing); Random O(buckets/entries * chain_bound) tries, at most ~10 * bound.
// Memory: the Entry (32 + key bytes, rounded up by malloc) + 8-16 bytes of buckets per key (up to
// 80 just after mass deletions, until the shrink completes).
//
// Invariants:
//  1. Each table's bucket count is 0 or a power of two; tables_[1] is non-empty iff rehashing.
//  2. While rehashing, buckets of tables_[0] below rehash_idx_ are empty.
//  3. Each entry is in exactly one chain: the bucket Hash(key) & mask of the table it is in.
//  4. size() is the number of chained entries; keys are unique.
//  5. No chain is longer than chain_bound_.
//  6. While pause_ > 0 (ForEach running), no rehash step runs, so erasing the visited entry is safe.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "engine/base/status.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

class KeyTable;

// One key: its value, its expiry, the chain link and the key bytes, in one malloc'd block.
// Created and destroyed only by KeyTable; its address is stable for its whole life.
class KeyEntry {
 public:
  // The largest deadline the entry holds itself (2^47 - 1 ms); see the drawing above.
  static constexpr int64_t kFarExpire = (int64_t{1} << 47) - 1;

  Value value;

  // As Redis's keyIsExpired: a key is gone once the clock has passed its deadline (now > when),
  // not at the deadline's own millisecond.
  bool ExpiredAt(int64_t now_ms) const { return expire_ms >= 0 && expire_ms < now_ms; }

  std::string_view key() const {
    const char* p = reinterpret_cast<const char*>(this) + kKeyOffset;
    if (key_len8_ != kLongKey) return {p, key_len8_};
    uint32_t n;
    std::memcpy(&n, p, sizeof(n));
    return {p + sizeof(n), n};
  }
  // Bytes the allocator gave this block.
  size_t AllocatedBytes() const;

  // The fields below are laid out as drawn above (declaration order); the key bytes follow
  // key_len8_. Only KeyTable writes next_ and key_len8_.
  KeyEntry* next_ = nullptr;
  // Unix ms deadline, -1 for none; kFarExpire stands for any later one (its owner has the value).
  int64_t expire_ms : 48 = -1;
  // Bits for the keyspace's own bookkeeping (engine/db.h uses them).
  uint8_t flags = 0;
  uint8_t key_len8_ = 0;  // the key's length, or kLongKey: a uint32 length precedes the key
  static constexpr uint8_t kLongKey = 255;
  static constexpr size_t kKeyOffset = 32;

 private:
  friend class KeyTable;
  KeyEntry() = default;
  ~KeyEntry() = default;
};

class KeyTable {
 public:
  using Entry = KeyEntry;

  KeyTable() = default;
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;
  ~KeyTable() { Clear(); }

  static uint64_t Hash(std::string_view key);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Buckets in both tables.
  size_t bucket_count() const { return tables_[0].size + tables_[1].size; }
  // Heap bytes of the bucket arrays (allocator sizes).
  size_t BucketBytes() const;
  bool rehashing() const { return tables_[1].size != 0; }

  Entry* Find(std::string_view key) const;
  // Adds a new entry holding value. REQUIRES: key is absent. The returned address is stable until
  // the entry is erased.
  Entry* Insert(std::string_view key, Value value);
  // Unlinks and frees e. REQUIRES: e is in this table.
  void Erase(Entry* e);
  // Frees every entry and both arrays.
  void Clear();

  // Moves up to n buckets to the new table while resizing (visiting at most 10n empty ones).
  void RehashStep(size_t n = 1);
  // Rehashes in steps of 100 buckets until done or budget_us has passed (Redis's dictRehashMilliseconds).
  void RehashFor(int64_t budget_us);

  // Calls f(Entry*) for each entry of the bucket(s) the cursor names; returns the next cursor, 0
  // when the walk is complete. f must not insert or erase.
  template <typename F>
  uint64_t Scan(uint64_t cursor, F&& f) const;

  // A uniformly random entry, or nullptr when empty. rng() returns uniform 64-bit values.
  template <typename Rng>
  Entry* Random(Rng& rng);

  // Calls f(Entry*) for every entry; f may erase the entry it is given (and no other).
  template <typename F>
  void ForEach(F&& f);
  template <typename F>
  void ForEach(F&& f) const {
    const_cast<KeyTable*>(this)->ForEach([&](Entry* e) { f(static_cast<const Entry*>(e)); });
  }

  // Test hooks.
  size_t chain_bound() const { return chain_bound_; }
  size_t table_size(int i) const { return tables_[i].size; }

 private:
  struct Table {
    Entry** buckets = nullptr;
    size_t size = 0;  // power of two or 0
    size_t used = 0;
    uint64_t mask() const { return size - 1; }
  };

  static uint64_t Reverse(uint64_t v);
  static size_t ChainLength(const Entry* e) {
    size_t n = 0;
    for (; e != nullptr; e = e->next_) ++n;
    return n;
  }
  static void FreeEntry(Entry* e);
  // Links e at the head of its bucket in t and raises chain_bound_ if that chain is now the longest.
  void Link(Table& t, Entry* e, uint64_t hash, bool count_chain);
  // Starts resizing to n buckets when no resize is running.
  void StartResize(size_t n);
  void MaybeGrow();
  void MaybeShrink();
  void FinishRehashIfDone();
  void Step() {
    if (rehashing() && pause_ == 0) RehashStep(1);
  }

  Table tables_[2];
  size_t rehash_idx_ = 0;  // next bucket of tables_[0] to move, while rehashing
  size_t size_ = 0;
  size_t chain_bound_ = 1;
  int pause_ = 0;
};

// ---- templates ----

#ifdef NDEBUG
#define RT_DCHECK_CHAIN(cond) (void)0
#else
#define RT_DCHECK_CHAIN(cond) RT_CHECK(cond)
#endif

template <typename F>
uint64_t KeyTable::Scan(uint64_t v, F&& f) const {
  if (size_ == 0) return 0;
  auto emit = [&](const Table& t, uint64_t idx) {
    for (Entry* e = t.buckets[idx]; e != nullptr; e = e->next_) f(e);
  };
  if (!rehashing()) {
    uint64_t m0 = tables_[0].mask();
    emit(tables_[0], v & m0);
    v |= ~m0;
  } else {
    const Table* t0 = &tables_[0];
    const Table* t1 = &tables_[1];
    if (t0->size > t1->size) std::swap(t0, t1);
    uint64_t m0 = t0->mask(), m1 = t1->mask();
    emit(*t0, v & m0);
    // The buckets of the larger table that expand the smaller one's bucket at the cursor.
    for (;;) {
      emit(*t1, v & m1);
      v |= ~m1;
      v = Reverse(Reverse(v) + 1);
      if ((v & (m0 ^ m1)) == 0) break;
    }
    return v;
  }
  return Reverse(Reverse(v) + 1);
}

template <typename Rng>
KeyEntry* KeyTable::Random(Rng& rng) {
  if (size_ == 0) return nullptr;
  Step();
  size_t s0 = tables_[0].size, total = s0 + tables_[1].size;
  for (;;) {
    uint64_t slot = rng() % total;
    Entry* head = slot < s0 ? tables_[0].buckets[slot] : tables_[1].buckets[slot - s0];
    if (head == nullptr) continue;
    size_t len = ChainLength(head);
    RT_DCHECK_CHAIN(len <= chain_bound_);
    size_t pick = rng() % chain_bound_;
    if (pick >= len) continue;
    while (pick-- > 0) head = head->next_;
    return head;
  }
}

template <typename F>
void KeyTable::ForEach(F&& f) {
  ++pause_;
  for (Table& t : tables_) {
    for (size_t i = 0; i < t.size; ++i) {
      for (Entry* e = t.buckets[i]; e != nullptr;) {
        Entry* next = e->next_;  // f may erase e
        f(e);
        e = next;
      }
    }
  }
  --pause_;
}

}  // namespace racetrack::engine
