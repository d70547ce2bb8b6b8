// Db: one numbered keyspace (SELECT n) — a hash table from key to Value, with per-key expiry.
//
// Expiry works the way Redis's does, in two halves:
//  1. lazily: every lookup checks the key's deadline and deletes it if it has passed, so an expired
//     key is never seen;
//  2. actively: ActiveExpireCycle() samples keys that have a TTL and deletes the expired ones,
//     repeating while more than a quarter of a sample was expired, so memory is reclaimed even for
//     keys nobody reads again.
//
// Invariants:
//  1. A key has an entry in volatile_ iff its Entry::expire_ms >= 0.
//  2. volatile_ holds views of keys owned by dict_ (node-based, so the views survive rehashing).
//  3. dirty() counts changes since start (Redis's server.dirty): handlers that modify a Value in place
//     call AddDirty(); Set/Erase/expiry count themselves.
//  4. Memory accounting (MemoryBytes, for INFO memory and maxmemory): each entry remembers the
//     bytes it is charged for (Entry::charged: its table node, the key's buffer, the value's
//     allocations — KeyBytes()), and used_bytes_ is the sum of the charges. A handler may change a
//     value in place through the pointer Find() returned, so Find/Set/Add note the entry in
//     touched_, and Settle() — called by the engine after every command, and before any reading
//     of MemoryBytes — recharges the noted entries. Erase subtracts the charge at once. So the
//     count is per Db (per engine), exact to the allocator's sizes (engine/ds/alloc.h), and costs
//     O(keys touched) per command; it needs every object's MemoryUsage() to be O(1) (or O(small)).
//
// Thread-safety: none; owned and driven by one Engine.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/base/clock.h"
#include "engine/base/status.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Db {
 public:
  struct Entry {
    Value value;
    int64_t expire_ms = -1;  // Unix ms deadline, -1 for none
    size_t charged = 0;      // bytes counted for this key in used_bytes_ (invariant 4)
  };
  using Dict = std::unordered_map<std::string, Entry, StringHash, std::equal_to<>>;
  // Called when a key disappears because it expired (lazily or actively): WATCH uses it.
  using ExpireListener = std::function<void(std::string_view key)>;

  Db(int index, const Clock* clock) : index_(index), clock_(clock) {}
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  int index() const { return index_; }
  // SWAPDB (Engine::SwapDbs) moves a whole Db to the other number.
  void set_index(int index) { index_ = index; }

  // Returns the live value for key, or nullptr (missing or expired: an expired key is deleted).
  Value* Find(std::string_view key);
  // Finds without the expiry side effect and without touching access metadata.
  const Entry* Peek(std::string_view key) const;
  // The live value if it has type t; nullptr if missing; Status::WrongType if another type.
  Result<Value*> FindTyped(std::string_view key, ObjType t);

  // Stores value under key. Keeps the existing TTL only if keep_ttl. Counts one change.
  Value& Set(std::string_view key, Value value, bool keep_ttl = false);
  // Adds a new key; REQUIRES: key is absent (call Find first).
  Value& Add(std::string_view key, Value value);
  // Deletes key; returns whether it existed (and was live). Counts one change if so.
  bool Erase(std::string_view key);

  // -1 if the key has no TTL. REQUIRES: key exists.
  int64_t GetExpire(std::string_view key) const;
  // REQUIRES: key exists. A deadline in the past deletes the key at once (as Redis does).
  void SetExpire(std::string_view key, int64_t when_ms);
  bool Persist(std::string_view key);

  size_t size() const { return dict_.size(); }
  size_t volatile_size() const { return volatile_.size(); }
  void Clear();

  // Deletes up to a bounded number of expired keys by sampling, as Redis's activeExpireCycle.
  // Returns the number of keys deleted. Stops after time_budget_us.
  size_t ActiveExpireCycle(int64_t time_budget_us);

  // Cursor-based iteration over buckets (SCAN). Calls fn for each live key in the visited buckets;
  // returns the next cursor, 0 when done. Keys that exist for the whole scan are returned at least
  // once unless the table is resized during the scan (documented limitation).
  uint64_t Scan(uint64_t cursor, size_t count, const std::function<void(const std::string&, const Entry&)>& fn);

  // A uniformly-chosen-bucket random live key, or empty when the db is empty.
  bool RandomKey(std::string* out);

  // Bytes this db holds: its keys (KeyBytes each) plus its tables' bucket arrays. Settles first.
  size_t MemoryBytes();
  // Recharges the entries touched since the last call (invariant 4).
  void Settle();
  // What one key costs (MEMORY USAGE): its table node, key buffer, value and TTL index entry.
  static size_t KeyBytes(const std::string& key, const Entry& e);

  const Dict& dict() const { return dict_; }
  Dict& mutable_dict() { return dict_; }

  uint64_t dirty() const { return dirty_; }
  void AddDirty(uint64_t n = 1) { dirty_ += n; }
  uint64_t expired_keys() const { return expired_keys_; }

  void set_expire_listener(ExpireListener l) { expire_listener_ = std::move(l); }
  const Clock* clock() const { return clock_; }

 private:
  bool ExpireIfNeeded(Dict::iterator it);
  void EraseIt(Dict::iterator it);
  void Touch(Dict::iterator it) { touched_.push_back(&*it); }

  int index_;
  const Clock* clock_;
  Dict dict_;
  std::unordered_set<std::string_view, StringHash, std::equal_to<>> volatile_;
  size_t used_bytes_ = 0;                      // sum of Entry::charged
  std::vector<Dict::value_type*> touched_;     // entries to recharge (node-stable pointers)
  uint64_t dirty_ = 0;
  uint64_t expired_keys_ = 0;
  ExpireListener expire_listener_;
  std::mt19937_64 rng_{0x5eed};
};

}  // namespace racetrack::engine
