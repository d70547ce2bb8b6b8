// EncodingLimits: when a small hash, sorted set, set or list node outgrows its compact encoding
// (listpack.h, intset.h) — Redis 7.0's settings, same names and defaults:
//
//   hash-max-listpack-entries 512   hash-max-listpack-value 64    (alias hash-max-ziplist-*)
//   zset-max-listpack-entries 128   zset-max-listpack-value 64    (alias zset-max-ziplist-*)
//   set-max-intset-entries 512
//   list-max-listpack-size -2       (alias list-max-ziplist-size; -1..-5 = node of 4/8/16/32/64 KB,
//                                    a positive N = at most N entries per node)
//   stream-node-max-entries 100     (entries per stream node; XADD/XTRIM's `~` trims whole nodes)
//
// The structures read them when they decide to convert (an object converts once, for good, and
// never back — as Redis). The engine copies its EngineConfig's values here when it is created and
// on CONFIG SET (engine/config.cc), so they are process-wide like Redis's server.* settings: two
// engines in one process share them (the last one configured wins).
//
// Thread-safety: plain globals; set them from the thread that runs the engine.
#pragma once

#include <cstddef>
#include <cstdint>

namespace racetrack::engine {

struct EncodingLimits {
  size_t hash_max_listpack_entries = 512;
  size_t hash_max_listpack_value = 64;
  size_t zset_max_listpack_entries = 128;
  size_t zset_max_listpack_value = 64;
  size_t set_max_intset_entries = 512;
  int64_t list_max_listpack_size = -2;
  // stream-node-max-entries: entries per stream node before a new node starts (0: no limit).
  int64_t stream_node_max_entries = 100;
};

// The limits in force (a process-wide instance).
inline EncodingLimits& Limits() {
  static EncodingLimits limits;
  return limits;
}

}  // namespace racetrack::engine
