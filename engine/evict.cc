#include "engine/evict.h"

#include <random>

#include "engine/db.h"
#include "engine/engine.h"
#include "engine/notify.h"

namespace racetrack::engine {
namespace {


// LFU counter as Redis's LFULogIncr: increments get less likely as the counter grows
// (lfu-log-factor 10); a new key starts at 5 (LFU_INIT_VAL) so it is not evicted at once.
constexpr uint32_t kLfuInit = 5;
constexpr double kLfuLogFactor = 10;

uint32_t LfuCounter(uint32_t clock) { return clock & 0xff; }
uint32_t LfuMinutes(uint32_t clock) { return clock >> 8; }

// Decays the counter by one per minute idle (lfu-decay-time 1), as Redis's LFUDecrAndReturn.
uint32_t LfuDecayed(uint32_t clock, int64_t now_min) {
  if (clock == 0) return kLfuInit;
  uint32_t counter = LfuCounter(clock);
  int64_t idle = (now_min & 0xffffff) - LfuMinutes(clock);
  if (idle < 0) idle += 0x1000000;
  return idle >= counter ? 0 : counter - static_cast<uint32_t>(idle);
}

double Rand01(uint64_t* state) {
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return static_cast<double>(*state >> 11) / static_cast<double>(1ULL << 53);
}

}  // namespace

bool IsLfuPolicy(const std::string& policy) { return policy.ends_with("-lfu"); }

int64_t LfuFrequency(uint32_t access_clock, int64_t now_ms) {
  return LfuDecayed(access_clock, now_ms / 60000);
}

int64_t LruIdleSeconds(uint32_t access_clock, int64_t now_ms) {
  if (access_clock == 0) return 0;
  int64_t idle = now_ms / 1000 - static_cast<int64_t>(access_clock);
  return idle > 0 ? idle : 0;
}

void TouchKeys(Engine& engine, Db& db, const CommandSpec& spec, Args argv) {
  const std::string& policy = engine.config().maxmemory_policy;
  int64_t now_ms = engine.clock().NowMs();
  static thread_local uint64_t rng = 0x9e3779b97f4a7c15ULL;
  // OBJECT reads the metadata without touching it (Redis's LOOKUP_NOTOUCH).
  if (spec.name.starts_with("object|")) return;
  for (int pos : spec.KeyPositions(argv.size())) {
    Db::Entry* e = db.PeekMutable(argv[static_cast<size_t>(pos)]);
    if (e == nullptr) continue;
    uint32_t& clock = e->value.access_clock;
    if (IsLfuPolicy(policy)) {
      int64_t now_min = now_ms / 60000;
      uint32_t counter = LfuDecayed(clock, now_min);
      if (counter < 255) {
        double base = counter > kLfuInit ? counter - kLfuInit : 0;
        if (Rand01(&rng) < 1.0 / (base * kLfuLogFactor + 1)) ++counter;
      }
      clock = (static_cast<uint32_t>(now_min & 0xffffff) << 8) | counter;
    } else {
      clock = static_cast<uint32_t>(now_ms / 1000);
    }
  }
}

bool PerformEvictions(Engine& engine) {
  const EngineConfig& cfg = engine.config();
  if (cfg.maxmemory == 0 || engine.UsedMemory() <= cfg.maxmemory) return true;
  const std::string& policy = cfg.maxmemory_policy;
  if (policy == "noeviction") return false;
  bool volatile_only = policy.starts_with("volatile-");
  bool random = policy.ends_with("-random");
  bool ttl = policy == "volatile-ttl";
  bool lfu = IsLfuPolicy(policy);
  int64_t now_ms = engine.clock().NowMs();
  int samples = std::max(1, cfg.maxmemory_samples);

  while (engine.UsedMemory() > cfg.maxmemory) {
    // One round: sample every db, keep the single best candidate (Redis keeps a pool of 16; one
    // best-of-N per round gives the same approximation quality with N = maxmemory-samples).
    int best_db = -1;
    std::string best_key;
    double best_score = -1;
    for (int d = 0; d < engine.num_dbs(); ++d) {
      Db& db = engine.db(d);
      if (db.size() == 0 || (volatile_only && db.volatile_size() == 0)) continue;
      for (int s = 0; s < samples; ++s) {
        // As Redis: volatile-* policies sample the TTL index, allkeys-* the whole keyspace.
        const Db::Entry* e = volatile_only ? db.RandomVolatileEntry() : db.RandomEntry();
        if (e == nullptr) break;
        double score;  // higher = better to evict
        if (random) {
          score = 1;
        } else if (ttl) {
          score = 1e18 - static_cast<double>(e->expire_ms);
        } else if (lfu) {
          score = 255 - LfuDecayed(e->value.access_clock, now_ms / 60000);
        } else {
          score = static_cast<double>(now_ms / 1000) - e->value.access_clock;
        }
        if (score > best_score) {
          best_score = score;
          best_db = d;
          best_key = e->key();
        }
        if (random) break;
      }
    }
    if (best_db < 0) return false;  // nothing evictable
    engine.SignalModifiedKey(best_db, best_key);
    engine.db(best_db).Erase(best_key);
    if (engine.propagating()) {  // the log and replicas forget it too: Redis propagates a DEL
      std::string_view del[] = {"del", best_key};
      engine.PropagateNow(best_db, Args(del));
    }
    NotifyKeyspaceEvent(engine, kNotifyEvicted, "evicted", best_key, best_db);
    ++engine.stats().evicted_keys;
  }
  return true;
}

}  // namespace racetrack::engine
