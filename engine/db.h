// Db: one numbered keyspace (SELECT n) — a hash table from key to Value, with per-key expiry.
//
// Expiry works the way Redis's does, in two halves:
//  1. lazily: every lookup checks the key's deadline and deletes it if it has passed, so an expired
//     key is never seen;
//  2. actively: ActiveExpireCycle() samples keys that have a TTL and deletes the expired ones,
//     repeating while more than a quarter of a sample was expired, so memory is reclaimed even for
//     keys nobody reads again.
//
// The table is KeyTable (engine/ds/keytable.h): one allocation per key holding the Value, the
// expiry and the key bytes; incremental rehashing that also shrinks; a scan cursor that survives
// resizing; a fair random entry.
//
// Invariants:
//  1. A key has an entry in volatile_ iff its Entry::expire_ms >= 0. An entry holds its deadline
//     in 48 bits; one beyond KeyEntry::kFarExpire reads kFarExpire there (still "not expired" to
//     every test against the clock) and its exact value is the node's far_ms (ExpireOf).
//  2. volatile_ nodes point at entries owned by table_ (entries never move, so the pointers stay
//     valid until the entry is erased, which unlinks the node first).
//  3. dirty() counts changes since start (Redis's server.dirty): handlers that modify a Value in place
//     call AddDirty(); Set/Erase/expiry count themselves.
//  4. Memory accounting (MemoryBytes, for INFO memory and maxmemory): used_bytes_ is the sum of
//     KeyBytes() over the entries, as of their last settling. A handler may change a value in place
//     through the pointer Find() returned, so Find/Set/Add/SetExpire note the entry in touched_
//     with its charge at that moment (once per command: Entry::flags' kTouched bit), and Settle() —
//     called by the engine after every command for the dbs it touched (a Db announces its first
//     touched entry on the engine's unsettled list), and before any reading of MemoryBytes — adds
//     the difference to now. Erase subtracts the charge at once. So the count is per Db (per engine),
//     exact to the allocator's sizes (engine/ds/alloc.h), and costs O(keys touched) per command;
//     it needs every object's MemoryUsage() to be O(1) (or O(small)).
//
// Thread-safety: none; owned and driven by one Engine.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "engine/ds/dict.h"
#include "engine/ds/keytable.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

class Db {
 public:
  // A key's entry: value, expire_ms, key(). Its address is stable until the key is deleted.
  using Entry = KeyEntry;
  // Called when a key disappears because it expired (lazily or actively): WATCH uses it.
  using ExpireListener = std::function<void(std::string_view key)>;

  Db(int index, const Clock* clock) : index_(index), clock_(clock) {}
  ~Db() { Clear(); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  int index() const { return index_; }
  // SWAPDB (Engine::SwapDbs) moves a whole Db to the other number.
  void set_index(int index) { index_ = index; }

  // Returns the live value for key, or nullptr (missing or expired: an expired key is deleted).
  Value* Find(std::string_view key);
  // Finds without the expiry side effect and without touching access metadata.
  const Entry* Peek(std::string_view key) const { return table_.Find(key); }
  // The entry for key without the expiry side effect (eviction's access clock). nullptr if absent.
  Entry* PeekMutable(std::string_view key) { return table_.Find(key); }
  // The live value if it has type t; nullptr if missing; Status::WrongType if another type.
  Result<Value*> FindTyped(std::string_view key, ObjType t);

  // Stores value under key. Keeps the existing TTL only if keep_ttl. Counts one change.
  Value& Set(std::string_view key, Value value, bool keep_ttl = false);
  // Adds a new key; REQUIRES: key is absent (call Find first).
  Value& Add(std::string_view key, Value value);
  // Deletes key; returns whether it existed (and was live). Counts one change if so.
  bool Erase(std::string_view key);
  // Deletes the entry (live or not, no expiry listener). Counts one change.
  void Erase(Entry* e);

  // -1 if the key has no TTL. REQUIRES: key exists.
  int64_t GetExpire(std::string_view key) const;
  // The exact deadline of e (-1 for none): e.expire_ms, unless that is KeyEntry::kFarExpire.
  int64_t ExpireOf(const Entry& e) const;
  // REQUIRES: key exists. A deadline in the past deletes the key at once (as Redis does).
  void SetExpire(std::string_view key, int64_t when_ms);
  bool Persist(std::string_view key);

  size_t size() const { return table_.size(); }
  size_t volatile_size() const { return volatile_.size(); }
  void Clear();

  // Deletes up to a bounded number of expired keys by sampling, as Redis's activeExpireCycle.
  // Returns the number of keys deleted. Stops after time_budget_us.
  size_t ActiveExpireCycle(int64_t time_budget_us);

  // Cursor-based iteration (SCAN): visits buckets until at least count live keys were seen or the
  // walk ends, calling fn for each live key; returns the next cursor, 0 when done. Every key that
  // exists for the whole walk is returned at least once, even if the table is resized between calls
  // (KeyTable's reverse-binary cursor); some may come twice.
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view key, const Entry&)>& fn);

  // A uniformly random live key (expired keys met on the way are deleted); false when there is none.
  bool RandomKey(std::string* out);
  // A uniformly random live entry, or nullptr. Does not delete anything (eviction sampling).
  Entry* RandomEntry();
  // A random entry among those with a TTL (Redis's expires-dict sampling), or nullptr.
  Entry* RandomVolatileEntry();

  // Calls fn(key, entry) for every entry, expired ones included (callers skip them as they need);
  // fn must not add or delete keys.
  template <typename F>
  void ForEach(F&& fn) const {
    table_.ForEach([&](const Entry* e) { fn(e->key(), *e); });
  }

  // Bytes this db holds: its keys (KeyBytes each) plus its tables' bucket arrays. Settles first.
  size_t MemoryBytes();
  // MemoryBytes measured afresh from every key, O(N): what invariant 4 keeps equal (tests).
  size_t RecountBytes() const;
  // Recharges the entries touched since the last call (invariant 4).
  void Settle() {
    if (!touched_.empty()) SettleTouched();
  }
  // True when no touched entry awaits Settle (the engine settles after every command).
  bool settled() const { return touched_.empty(); }
  // Where this Db adds itself when an entry is touched while none is pending (nullptr: nowhere),
  // so its owner settles only the dbs a command touched. The list must outlive the Db.
  void set_unsettled_list(std::vector<Db*>* list) { unsettled_ = list; }
  // What one key costs (MEMORY USAGE): its entry block, the value's allocations and its TTL index
  // node, in allocator sizes.
  static size_t KeyBytes(const Entry& e);

  // Lets a resize in progress advance for up to budget_us (the engine's cron, as Redis's
  // databasesCron incremental rehashing).
  void Rehash(int64_t budget_us) { table_.RehashFor(budget_us); }
  const KeyTable& table() const { return table_; }

  uint64_t dirty() const { return dirty_; }
  void AddDirty(uint64_t n = 1) { dirty_ += n; }
  uint64_t expired_keys() const { return expired_keys_; }

  void set_expire_listener(ExpireListener l) { expire_listener_ = std::move(l); }
  // Called when Set or Add creates a key (keyspace "new" events, as Redis's dbAdd sends them).
  void set_new_key_listener(ExpireListener l) { new_key_listener_ = std::move(l); }
  const Clock* clock() const { return clock_; }

 private:
  // A TTL index node: which entry has a deadline (the deadline itself is in the entry, unless it
  // is beyond the entry's 48 bits: invariant 1). far_ms costs nothing: 16 and 24 bytes are both
  // malloc's smallest chunk.
  struct VolatileNode {
    VolatileNode* next = nullptr;
    Entry* entry;
    int64_t far_ms = 0;
  };
  struct VolatileTraits {
    static std::string_view Key(const VolatileNode* n) { return n->entry->key(); }
    static VolatileNode*& Next(VolatileNode* n) { return n->next; }
  };
  static constexpr uint8_t kTouched = 1;  // Entry::flags: in touched_

  bool ExpireIfNeeded(Entry* e);
  void EraseEntry(Entry* e);
  void Touch(Entry* e, bool is_new = false) {
    if (e->flags & kTouched) return;
    e->flags |= kTouched;
    if (touched_.empty() && unsettled_ != nullptr) unsettled_->push_back(this);
    touched_.push_back({e, is_new ? 0 : KeyBytes(*e)});
  }
  void SettleTouched();
  void SetVolatile(Entry* e, bool on);
  // Writes e's deadline (invariant 1). REQUIRES: e is in volatile_.
  void StoreExpire(Entry* e, int64_t when_ms);

  int index_;
  const Clock* clock_;
  KeyTable table_;
  HashIndex<VolatileNode, VolatileTraits> volatile_;
  size_t used_bytes_ = 0;  // sum of the keys' charges (invariant 4)
  struct Touched {
    Entry* entry;
    size_t charged;  // what used_bytes_ counts for it
  };
  std::vector<Touched> touched_;
  std::vector<Db*>* unsettled_ = nullptr;
  uint64_t dirty_ = 0;
  uint64_t expired_keys_ = 0;
  ExpireListener expire_listener_;
  ExpireListener new_key_listener_;
  std::mt19937_64 rng_{0x5eed};
};

}  // namespace racetrack::engine
