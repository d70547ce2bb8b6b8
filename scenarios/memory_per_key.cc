// Why MEMORY USAGE ... SAMPLES 0 over every key, after the run: a sample of keys taken at an
// arbitrary moment gave the same limiter 8.5 KB in-process and 6.3 KB over TCP (the sorted sets
// were at different sizes when sampled, and SAMPLES 5 estimates big collections). At rest, over
// all keys, with the full count, both read the same state the same way.
//
// Why PostgreSQL's figure is split: a tuple of two bigints is ~40 bytes of data, while an 8 KB
// page, tuple headers and the primary-key index make the relation several times that; reporting
// only the relation size per key compared page overhead with a Redis value.
#include "scenarios/memory_per_key.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace racetrack::scenarios {

namespace {

constexpr size_t kBatch = 256;  // MEMORY USAGE calls per pipelined round trip

std::string Count(int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
  return buf;
}

}  // namespace

Result<KeyMemory> RespMemoryPerKey(adapters::Client& admin, const std::vector<std::string>& keys,
                                   int64_t per) {
  if (keys.empty()) return Status::InvalidArgument("no keys to measure");
  const int64_t divisor = per > 0 ? per : static_cast<int64_t>(keys.size());
  double bytes = 0;
  const bool pipelined = (admin.capabilities() & adapters::kCapPipeline) != 0;
  for (size_t start = 0; start < keys.size(); start += kBatch) {
    const size_t end = std::min(keys.size(), start + kBatch);
    std::vector<adapters::Argv> batch;
    for (size_t i = start; i < end; ++i) batch.push_back({"MEMORY", "USAGE", keys[i], "SAMPLES", "0"});
    std::vector<adapters::Reply> replies;
    if (pipelined) {
      auto r = admin.Pipeline(batch);
      if (!r.ok()) return r.status();
      replies = std::move(*r);
    } else {
      for (const adapters::Argv& argv : batch) {
        auto r = admin.Command(argv);
        if (!r.ok()) return r.status();
        replies.push_back(std::move(*r));
      }
    }
    for (const adapters::Reply& reply : replies) {
      if (reply.is_error()) return Status::NotFound("MEMORY USAGE is not available: " + reply.str);
      bytes += static_cast<double>(reply.integer);  // nil (key gone) reads as 0
    }
  }
  KeyMemory m;
  m.per_key_bytes = bytes / static_cast<double>(divisor);
  m.method = "MEMORY USAGE SAMPLES 0 of every key after the run, at rest: " +
             Count(static_cast<int64_t>(keys.size())) + " keys / " + Count(divisor);
  return m;
}

Result<KeyMemory> SqlMemoryPerKey(adapters::Client& admin, const std::string& table, int64_t keys) {
  if (keys <= 0) return Status::InvalidArgument("no keys to measure");
  // One statement, so both figures see the same state.
  const adapters::SqlStatement q{
      "", "SELECT pg_total_relation_size('" + table + "'), (SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM " +
              table + " t)"};
  auto r = admin.Query(q, {});
  if (!r.ok()) return r.status();
  if (r->rows.empty() || r->rows[0].size() < 2 || !r->rows[0][0] || !r->rows[0][1]) {
    return Status::Internal("pg_total_relation_size('" + table + "') returned nothing");
  }
  const double total = std::stod(*r->rows[0][0]);
  const double data = std::stod(*r->rows[0][1]);
  KeyMemory m;
  m.per_key_bytes = total / static_cast<double>(keys);
  m.data_per_key_bytes = data / static_cast<double>(keys);
  m.overhead_per_key_bytes = std::max(0.0, total - data) / static_cast<double>(keys);
  m.method = "pg_total_relation_size('" + table + "') after the run, at rest, over " +
             Count(keys) + " keys; data = sum(pg_column_size(row)), the rest page overhead";
  return m;
}

void AddMemoryFigures(const KeyMemory& memory, std::map<std::string, double>* figures) {
  (*figures)["memory_per_key_bytes"] = memory.per_key_bytes;
  if (memory.data_per_key_bytes > 0 || memory.overhead_per_key_bytes > 0) {
    (*figures)["memory_data_per_key_bytes"] = memory.data_per_key_bytes;
    (*figures)["memory_overhead_per_key_bytes"] = memory.overhead_per_key_bytes;
  }
}

}  // namespace racetrack::scenarios
