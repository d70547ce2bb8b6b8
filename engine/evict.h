// Eviction: keeping the dataset under `maxmemory`, as Redis's evict.c.
//
// used memory is measured, not estimated: Engine::UsedMemory() sums the allocator sizes of this
// engine's keys and values (engine/db.h, invariant 4) — per engine, not per process, so two
// engines in one process (tests, builtin targets) do not evict against each other's memory, and
// it works under any allocator, AddressSanitizer's included. Reading it costs O(dbs).
//
// Policies (maxmemory-policy), approximated by sampling as Redis does — each round looks at
// maxmemory-samples random keys per db and evicts the best candidate, until usage fits:
//   noeviction      nothing is evicted; commands flagged denyoom get the OOM error
//   allkeys-lru     least recently used (Value::access_clock = last access, seconds)
//   volatile-lru    same, among keys with a TTL
//   allkeys-lfu / volatile-lfu   least frequently used (access_clock's low 8 bits: Redis's
//                   logarithmic counter; high 24 bits: last decrement time in minutes)
//   allkeys-random / volatile-random
//   volatile-ttl    the key whose TTL ends soonest
//
// Thread-safety: none; runs on the engine's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/command.h"

namespace racetrack::engine {

class Engine;
class Db;

// Evicts keys until engine.UsedMemory() <= maxmemory. Returns false when still above the limit (policy
// noeviction, or nothing left that the policy may evict).
bool PerformEvictions(Engine& engine);
// True for allkeys-lfu / volatile-lfu (access_clock holds an LFU counter, not an LRU clock).
bool IsLfuPolicy(const std::string& policy);
// OBJECT FREQ: the LFU counter of an access_clock, decayed to now (Redis's LFUDecrAndReturn).
int64_t LfuFrequency(uint32_t access_clock, int64_t now_ms);
// OBJECT IDLETIME: seconds since the LRU access_clock; 0 for a clock never set.
int64_t LruIdleSeconds(uint32_t access_clock, int64_t now_ms);
// Updates the LRU clock / LFU counter of the keys a command names (called before each command
// when maxmemory is set).
void TouchKeys(Engine& engine, Db& db, const CommandSpec& spec, Args argv);

}  // namespace racetrack::engine
