// Memory per key, measured one way on every target, so lessons' memory figures compare: after the
// run, at rest (no client writing), over every key of the approach (not a sample taken mid-run),
// with the method stated next to the figure (results: Record::memory_method).
//
// - Redis-likes (builtin, builtin-tcp, redis): MEMORY USAGE <key> SAMPLES 0 on every key — the
//   same command and the same accounting whether the engine is in-process or behind TCP — sent in
//   pipelined batches, summed, divided by the number of keys. A key that is gone reads as 0 bytes.
// - PostgreSQL: the table's pages (pg_total_relation_size: heap, indexes, TOAST, free space) per
//   key, split into the rows' own data (sum of pg_column_size of each heap tuple) and the page
//   overhead (the rest: page and tuple headers, alignment, free space, indexes).
//
// Thread-safety: none of its own; the caller's admin connection is used from one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adapters/client.h"
#include "engine/base/status.h"

namespace racetrack::scenarios {

struct KeyMemory {
  double per_key_bytes = 0;       // figures.memory_per_key_bytes
  // PostgreSQL only (0 elsewhere): per_key_bytes = data_per_key_bytes + overhead_per_key_bytes.
  double data_per_key_bytes = 0;  // figures.memory_data_per_key_bytes
  double overhead_per_key_bytes = 0;  // figures.memory_overhead_per_key_bytes
  std::string method;             // for Record::memory_method: how, over how many keys
};

// Redis-likes: every key in `keys` (each key's state; a limiter with several keys per client
// passes them all and divides by `per` = the number of clients they belong to; 0 = keys.size()).
// NotFound when the target has no MEMORY USAGE.
Result<KeyMemory> RespMemoryPerKey(adapters::Client& admin, const std::vector<std::string>& keys,
                                   int64_t per = 0);

// PostgreSQL: `table` holds the state of `keys` keys (`where` optionally restricts the rows
// counted as data, e.g. "k LIKE 'run-%'"; the page figure is the whole relation's).
Result<KeyMemory> SqlMemoryPerKey(adapters::Client& admin, const std::string& table, int64_t keys);

// Puts a KeyMemory into a record's figures (the three names above; the SQL split only when set).
void AddMemoryFigures(const KeyMemory& memory, std::map<std::string, double>* figures);

}  // namespace racetrack::scenarios
