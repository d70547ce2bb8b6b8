// Lesson `cache`: why it is built this way.
//
// - Every cached value carries the database row's version and the id of the fill that stored it
//   ("version|fill|soft-expiry|a|b|payload"), so a read can be placed against the writes offline
//   (cache_staleness.h) without trusting timestamps inside the servers.
// - Logging every read would cost hundreds of MB at in-process speeds, so a read is logged only
//   when it COULD be stale: a write of its key was in flight (pending_[key] > 0) or a newer version
//   had been acknowledged (latest_[key] > version read) when the read finished. A writer raises
//   pending_ before the database call and lowers it after its invalidation, and publishes latest_
//   in between, so a stale read always sees one or the other (sequentially consistent atomics).
// - The stampede figure counts database queries for the hottest key (key 0, rank 1 under zipf)
//   per miss episode: an episode starts when a client misses key 0 while no other client is
//   inside a miss of it. Cache-aside sends every concurrent misser to the database; single-flight
//   sends one.
// - native keeps each product as a hash updated in place by a max-version-wins script with the
//   row the write returned, so a slow writer can never move it backwards and a fill racing a
//   write can never plant an old version: its only stale window is commit -> script.
// - Latency per tier (hit, miss, write) comes from per-thread reservoirs of 20,000 samples: the
//   harness's histogram mixes reads and writes, the tiers are the lesson's figures.
#include "scenarios/cache.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <list>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "engine/base/clock.h"
#include "engine/base/parse.h"
#include "scenarios/cache_staleness.h"
#include "scenarios/claims.h"
#include "scenarios/key_distribution.h"
#include "scenarios/knobs.h"

namespace racetrack::scenarios {

namespace {

constexpr int64_t kDefaultKeys = 10'000;
constexpr int64_t kMinKeys = 10;
constexpr int64_t kMaxCacheKeys = 1'000'000;
constexpr int64_t kOrderRows = 200'000;
constexpr int64_t kLoadChunk = 10'000;
constexpr int64_t kLockMs = 500;
constexpr size_t kReservoir = 20'000;
constexpr uint64_t kMinSampleReads = 20;  // reads per live hit-ratio point
constexpr char kPrefix[] = "rt:cache:";

enum class Kind { kDbOnly, kCacheAside, kTtlOnly, kSingleFlight, kNative, kInProcess };
enum class Query { kPoint = 0, kAggregate = 1 };

const LessonApproach<Kind> kApproaches[] = {
    {Kind::kDbOnly,
     {"db-only", "Every read queries PostgreSQL",
      "no cache: the baseline every cache is measured against (recorded once, on postgres)",
      kCapSql, true}},
    {Kind::kCacheAside,
     {"cache-aside", "Cache-aside, DEL on write",
      "GET; on a miss query PostgreSQL and SET with a TTL (--ttl-ms); a write updates the "
      "database, then DELs the key",
      kCapStrings, true}},
    {Kind::kTtlOnly,
     {"cache-aside-ttl-only", "Cache-aside, TTL only",
      "the same without the DEL on write: a cached value can be stale for up to the TTL",
      kCapStrings, false}},
    {Kind::kSingleFlight,
     {"single-flight", "Single-flight (lock + stale-while-revalidate)",
      "cache-aside where one client recomputes a missing or expired key under SET NX PX; the "
      "others wait for it or serve the expired copy: no stampede",
      kCapStrings, true}},
    {Kind::kNative,
     {"native", "Native hash, updated in place",
      "a hash per product, written in place on every write (max-version-wins script with the "
      "row the database returned), read with one HMGET: the article's \"native operation\"",
      kCapHashes | kCapScripting, true}},
    {Kind::kInProcess,
     {"in-process", "In-process LRU",
      "an LRU with TTL shared by the client threads, invalidated on write: the lower bound "
      "(recorded once, on builtin; the target is unused)",
      kCapStrings, true}},
};

Kind KindOf(std::string_view id) { return KindOfApproach(id, kApproaches); }

bool UsesRedis(Kind k) {
  return k == Kind::kCacheAside || k == Kind::kTtlOnly || k == Kind::kSingleFlight ||
         k == Kind::kNative;
}

using engine::MonotonicNs;

// ---- Values. ----

struct Value {
  int64_t version = 0;
  int64_t a = 0;  // point: qty; aggregate: order count
  int64_t b = 0;  // aggregate: order sum
  std::string payload;
  uint64_t fill = 0;    // the fill that stored it (0: a write, or straight from the database)
  int64_t soft_ms = 0;  // single-flight: refresh after this (steady clock, ms)
};

std::string Encode(const Value& v) {
  return std::to_string(v.version) + "|" + std::to_string(v.fill) + "|" +
         std::to_string(v.soft_ms) + "|" + std::to_string(v.a) + "|" + std::to_string(v.b) + "|" +
         v.payload;
}

bool Decode(std::string_view s, Value* v) {
  std::string_view parts[5];
  for (auto& part : parts) {
    const size_t bar = s.find('|');
    if (bar == std::string_view::npos) return false;
    part = s.substr(0, bar);
    s.remove_prefix(bar + 1);
  }
  v->payload = std::string(s);
  return ParseWhole(parts[0], &v->version) && ParseWhole(parts[1], &v->fill) &&
         ParseWhole(parts[2], &v->soft_ms) && ParseWhole(parts[3], &v->a) &&
         ParseWhole(parts[4], &v->b);
}

// ---- The database side. ----

const SqlStatement kReadPoint{"cache_read_point",
                              "SELECT version, qty, 0, payload FROM cache_items WHERE id = $1"};
const SqlStatement kReadAggregate{
    "cache_read_aggregate",
    "SELECT i.aversion, count(o.product_id), coalesce(sum(o.amount), 0), '' FROM cache_items i "
    "LEFT JOIN cache_orders o ON o.product_id = i.id WHERE i.id = $1 GROUP BY i.aversion"};
const SqlStatement kReadTotals{"cache_read_totals",
                               "SELECT aversion, n, total, '' FROM cache_items WHERE id = $1"};
const SqlStatement kWritePoint{
    "cache_write_point",
    "UPDATE cache_items SET version = version + 1, qty = qty + 1 WHERE id = $1 RETURNING "
    "version, qty, 0, payload"};
const SqlStatement kWriteAggregate{
    "cache_write_aggregate",
    "WITH o AS (INSERT INTO cache_orders (product_id, amount) VALUES ($1, $2)) UPDATE "
    "cache_items SET aversion = aversion + 1, n = n + 1, total = total + $2 WHERE id = $1 "
    "RETURNING aversion, n, total, ''"};

// The amount a write's order adds to product `id` (aggregate query).
int64_t WriteAmount(int64_t id) { return 1 + id % 97; }
// The initial orders: order g is for product g % keys, amount 1 + (g * 7919) % 100.
int64_t OrderAmount(int64_t g) { return 1 + (g * 7919) % 100; }

// What every value of a key must satisfy, whatever its version (each write keeps these).
struct Dataset {
  int64_t keys = 0;
  uint64_t seed = 0;
  ValueSize value_size;
  std::vector<int64_t> n0, s0;  // per key: order count and sum minus what writes added
  double load_s = 0;
  bool loaded_now = false;

  // "" when `v` is a value key `id` can have; else what is wrong.
  std::string Check(Query q, int64_t id, const Value& v) const {
    const auto i = static_cast<size_t>(id);
    char buf[160];
    if (q == Query::kPoint) {
      const int64_t len = ValueSizeOf(value_size, seed, id);
      if (v.a - v.version == id % 1000 && static_cast<int64_t>(v.payload.size()) == len) {
        return "";
      }
      std::snprintf(buf, sizeof buf, "key %lld: version %lld with qty %lld, payload %zu bytes",
                    static_cast<long long>(id), static_cast<long long>(v.version),
                    static_cast<long long>(v.a), v.payload.size());
      return buf;
    }
    if (v.a - v.version == n0[i] && v.b - WriteAmount(id) * v.version == s0[i]) return "";
    std::snprintf(buf, sizeof buf, "key %lld: version %lld with %lld orders summing %lld",
                  static_cast<long long>(id), static_cast<long long>(v.version),
                  static_cast<long long>(v.a), static_cast<long long>(v.b));
    return buf;
  }
};

Status Exec(Client& c, const std::string& sql) {
  auto r = c.Query(SqlStatement{"", sql}, {});
  return r.ok() ? Status::Ok() : r.status();
}

Result<Value> RowToValue(const Result<adapters::SqlRows>& r) {
  if (!r.ok()) return r.status();
  if (r->rows.empty() || r->rows[0].size() < 4) return Status::Internal("no such product row");
  const auto& row = r->rows[0];
  Value v;
  if (!row[0] || !row[1] || !row[2] || !ParseWhole(*row[0], &v.version) ||
      !ParseWhole(*row[1], &v.a) || !ParseWhole(*row[2], &v.b)) {
    return Status::Internal("malformed product row");
  }
  v.payload = row[3].value_or("");
  return v;
}

// Loads the tables unless the same (keys, seed, value size) is already there. The invariants in
// Dataset hold across runs (every write keeps them), so data is reused, not reset.
Result<std::shared_ptr<Dataset>> EnsureData(Client& db, int64_t keys, uint64_t seed,
                                            const ValueSize& vs) {
  auto data = std::make_shared<Dataset>();
  data->keys = keys;
  data->seed = seed;
  data->value_size = vs;
  data->n0.assign(static_cast<size_t>(keys), 0);
  data->s0.assign(static_cast<size_t>(keys), 0);
  for (int64_t g = 0; g < kOrderRows; ++g) {
    data->n0[static_cast<size_t>(g % keys)] += 1;
    data->s0[static_cast<size_t>(g % keys)] += OrderAmount(g);
  }
  const std::string tag = "v2/" + std::to_string(keys) + "/" +
                          std::to_string(static_cast<int64_t>(seed)) + "/" + ValueSizeName(vs) +
                          "/" + std::to_string(kOrderRows);
  auto meta = db.Query(SqlStatement{"", "SELECT to_regclass('cache_meta') IS NOT NULL"}, {});
  if (!meta.ok()) return meta.status();
  if (meta->Scalar().value_or("f") == "t") {
    auto have = db.Query(SqlStatement{"", "SELECT load_s FROM cache_meta WHERE tag = $1"},
                         std::vector<std::string>{tag});
    if (!have.ok()) return have.status();
    if (!have->rows.empty() && have->rows[0][0]) {
      data->load_s = std::stod(*have->rows[0][0]);
      return data;
    }
  }
  const int64_t t0 = MonotonicNs();
  for (const char* t : {"cache_meta", "cache_items", "cache_orders"}) {
    auto exists = db.Query(SqlStatement{"", "SELECT to_regclass($1) IS NOT NULL"},
                           std::vector<std::string>{t});
    if (!exists.ok()) return exists.status();
    if (exists->Scalar().value_or("f") == "t") {
      Status s = Exec(db, std::string("DROP TABLE ") + t);
      if (!s.ok()) return s;
    }
  }
  // Each query kind has its own version column, so point writes never break the aggregate's
  // invariants and the other way round.
  Status s = Exec(db,
                  "CREATE TABLE cache_items (id bigint PRIMARY KEY, version bigint NOT NULL, "
                  "qty bigint NOT NULL, aversion bigint NOT NULL, n bigint NOT NULL, total "
                  "bigint NOT NULL, payload text NOT NULL)");
  if (!s.ok()) return s;
  // No index on product_id, on purpose: the aggregate is the expensive query caches exist for.
  if (!(s = Exec(db,
                 "CREATE TABLE cache_orders (product_id bigint NOT NULL, amount bigint NOT "
                 "NULL)"))
           .ok()) {
    return s;
  }
  const SqlStatement insert{
      "",
      "INSERT INTO cache_items (id, version, qty, aversion, n, total, payload) SELECT t.id, "
      "0, t.id % 1000, 0, 0, 0, left(repeat(md5(t.id::text), t.len / 32 + 1), t.len) FROM "
      "unnest($1::bigint[], $2::int[]) AS t(id, len)"};
  for (int64_t i = 0; i < keys; i += kLoadChunk) {
    std::string ids = "{", lens = "{";
    for (int64_t id = i; id < std::min(keys, i + kLoadChunk); ++id) {
      if (id != i) {
        ids += ',';
        lens += ',';
      }
      ids += std::to_string(id);
      lens += std::to_string(ValueSizeOf(vs, seed, id));
    }
    auto r = db.Query(insert, std::vector<std::string>{ids + "}", lens + "}"});
    if (!r.ok()) return r.status();
  }
  auto orders = db.Query(
      SqlStatement{"",
                   "INSERT INTO cache_orders (product_id, amount) SELECT g % $1::bigint, 1 + "
                   "(g * 7919) % 100 FROM generate_series(0, $2::bigint - 1) g"},
      std::vector<std::string>{std::to_string(keys), std::to_string(kOrderRows)});
  if (!orders.ok()) return orders.status();
  if (!(s = Exec(db,
                 "UPDATE cache_items i SET n = s.c, total = s.t FROM (SELECT product_id, "
                 "count(*) AS c, sum(amount) AS t FROM cache_orders GROUP BY product_id) s "
                 "WHERE i.id = s.product_id"))
           .ok()) {
    return s;
  }
  if (!(s = Exec(db, "VACUUM ANALYZE cache_items")).ok()) return s;
  if (!(s = Exec(db, "VACUUM ANALYZE cache_orders")).ok()) return s;
  data->load_s = static_cast<double>(MonotonicNs() - t0) / 1e9;
  data->loaded_now = true;
  if (!(s = Exec(db, "CREATE TABLE cache_meta (tag text PRIMARY KEY, load_s double precision)"))
           .ok()) {
    return s;
  }
  auto m = db.Query(SqlStatement{"", "INSERT INTO cache_meta VALUES ($1, $2)"},
                    std::vector<std::string>{tag, std::to_string(data->load_s)});
  if (!m.ok()) return m.status();
  return data;
}

// ---- The in-process cache: an LRU with TTL shared by the client threads. ----

class Lru {
 public:
  explicit Lru(size_t capacity) : capacity_(capacity) {}
  std::optional<Value> Get(int64_t key, int64_t now_ns) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    if (it->second.expires_ns <= now_ns) {
      order_.erase(it->second.pos);
      map_.erase(it);
      return std::nullopt;
    }
    order_.splice(order_.begin(), order_, it->second.pos);
    return it->second.value;
  }
  void Put(int64_t key, Value v, int64_t expires_ns) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it != map_.end()) {
      it->second.value = std::move(v);
      it->second.expires_ns = expires_ns;
      order_.splice(order_.begin(), order_, it->second.pos);
      return;
    }
    order_.push_front(key);
    map_.emplace(key, Entry{std::move(v), expires_ns, order_.begin()});
    while (capacity_ > 0 && map_.size() > capacity_) {
      map_.erase(order_.back());
      order_.pop_back();
      ++evictions_;
    }
  }
  void Erase(int64_t key) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return;
    order_.erase(it->second.pos);
    map_.erase(it);
  }
  uint64_t evictions() {
    std::lock_guard lock(mu_);
    return evictions_;
  }

 private:
  struct Entry {
    Value value;
    int64_t expires_ns;
    std::list<int64_t>::iterator pos;
  };
  std::mutex mu_;
  size_t capacity_;
  std::unordered_map<int64_t, Entry> map_;
  std::list<int64_t> order_;  // most recent first
  uint64_t evictions_ = 0;
};

// Max-version-wins: the hash moves only forward, whoever arrives last.
constexpr char kNativeSet[] =
    "local cur = redis.call('HGET', KEYS[1], 'v')\n"
    "if (not cur) or tonumber(cur) < tonumber(ARGV[1]) then\n"
    "  redis.call('HSET', KEYS[1], 'v', ARGV[1], 'f', ARGV[2], 'a', ARGV[3], 'b', ARGV[4], "
    "'p', ARGV[5])\n"
    "  return 1\n"
    "end\n"
    "return 0\n";

// ---- Per-thread bookkeeping. ----

class Reservoir {
 public:
  void Add(double x, std::mt19937_64& rng) {
    ++seen_;
    if (v_.size() < kReservoir) {
      v_.push_back(x);
    } else {
      const uint64_t j = rng() % seen_;
      if (j < kReservoir) v_[j] = x;
    }
  }
  const std::vector<double>& values() const { return v_; }

 private:
  std::vector<double> v_;
  uint64_t seen_ = 0;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct WorkerLog {
  std::vector<CacheWriteEvent> writes;
  std::vector<CacheFillEvent> fills;
  std::vector<CacheReadEvent> suspects;
  Reservoir hit_us, miss_us, write_us, read_us;
  std::string first_wrong;
};

// Every worker's log merged, for Verify.
struct RunLog {
  std::vector<CacheWriteEvent> writes;
  std::vector<CacheFillEvent> fills;
  std::vector<CacheReadEvent> suspects;
  std::vector<double> hit_us, miss_us, write_us, read_us;
  std::string first_wrong;
};

struct Settings {
  Kind kind = Kind::kCacheAside;
  Query query = Query::kPoint;
  int64_t keys = kDefaultKeys;
  KeyDistribution distribution;
  ValueSize value_size;
  double write_ratio = 0.05;
  int64_t ttl_ms = 1000;
  int64_t maxmemory = 0;
  std::string policy = "allkeys-lru";
  uint64_t seed = 42;
  adapters::TargetKind target = adapters::TargetKind::kBuiltin;
};

class CacheRun;

class CacheWorker final : public Worker {
 public:
  CacheWorker(CacheRun* run, Client* cache, Client* db, std::unique_ptr<Client> own_db, int index,
              WorkerLog* log, uint64_t seed)
      : run_(run),
        cache_(cache),
        db_(db),
        own_db_(std::move(own_db)),
        index_(index),
        log_(log),
        rng_(seed) {}
  Status Step() override;

 private:
  Result<Value> DbRead(int64_t key);
  Result<std::optional<Value>> CacheGet(int64_t key);
  Status CacheFill(int64_t key, Value v);
  Result<Value> MissAndFill(int64_t key);
  Result<Value> SingleFlightRead(int64_t key, bool* hit);
  Status Write(int64_t key);
  std::string Key(int64_t key) const;
  uint64_t NextFillId() { return (static_cast<uint64_t>(index_) + 1) << 40 | ++fill_seq_; }

  CacheRun* run_;
  Client* cache_;
  Client* db_;
  std::unique_ptr<Client> own_db_;
  int index_;
  WorkerLog* log_;
  std::mt19937_64 rng_;
  uint64_t fill_seq_ = 0;
};

class CacheRun final : public ApproachRun {
 public:
  CacheRun(Settings s, std::shared_ptr<const Dataset> data, adapters::Target* backing,
           std::string prefix)
      : s_(std::move(s)),
        data_(std::move(data)),
        backing_(backing),
        prefix_(std::move(prefix)),
        sampler_(s_.keys, s_.distribution),
        pending_(new std::atomic<int32_t>[static_cast<size_t>(s_.keys)]),
        latest_(new std::atomic<int64_t>[static_cast<size_t>(s_.keys)]) {
    for (int64_t i = 0; i < s_.keys; ++i) {
      pending_[static_cast<size_t>(i)].store(0);
      latest_[static_cast<size_t>(i)].store(-1);
    }
    if (s_.kind == Kind::kInProcess) {
      // --maxmemory sizes the LRU too: entries of about payload + 96 bytes of bookkeeping.
      const size_t per_entry = static_cast<size_t>(s_.value_size.max) + 96;
      lru_ = std::make_unique<Lru>(
          s_.maxmemory > 0 ? std::max<size_t>(1, static_cast<size_t>(s_.maxmemory) / per_entry)
                           : 0);
    }
  }

  bool ColdStart() const override { return true; }

  Result<std::unique_ptr<Worker>> MakeWorker(Client& client, int index) override {
    std::unique_ptr<Client> own_db;
    Client* db = &client;
    if (s_.kind != Kind::kDbOnly) {
      auto c = backing_->Connect();
      if (!c.ok()) return c.status();
      own_db = std::move(*c);
      db = own_db.get();
    }
    std::lock_guard lock(mu_);
    logs_.push_back(std::make_unique<WorkerLog>());
    return std::unique_ptr<Worker>(new CacheWorker(this, &client, db, std::move(own_db), index,
                                                   logs_.back().get(),
                                                   s_.seed * 1'000'003 + index + 1));
  }

  Result<std::map<std::string, double>> Sample(Client&) override {
    const uint64_t hits = hits_.load(), lookups = hits + misses_.load();
    // A ratio over a handful of reads (the last, partial interval) is noise: keep the previous
    // one until enough reads accumulate.
    if (lookups >= sampled_lookups_ + kMinSampleReads || (sampled_lookups_ == 0 && lookups > 0)) {
      last_ratio_ = static_cast<double>(hits - sampled_hits_) /
                    static_cast<double>(lookups - sampled_lookups_);
    }
    if (lookups >= sampled_lookups_ + kMinSampleReads) {
      sampled_hits_ = hits;
      sampled_lookups_ = lookups;
    }
    return std::map<std::string, double>{{"hit_ratio", last_ratio_},
                                         {"db_queries", static_cast<double>(db_queries_.load())}};
  }

  Result<Correctness> Verify(Client& admin) override;
  std::map<std::string, double> Figures() const override { return figures_; }

  // Restores the cache tier's maxmemory settings (Prepare changed them).
  Status SaveMemoryConfig(Client& admin) {
    for (const char* name : {"maxmemory", "maxmemory-policy"}) {
      auto r = admin.Command({"CONFIG", "GET", name});
      if (!r.ok()) return r.status();
      if (r->is_error() || r->elements.size() < 2) {
        return Status::InvalidArgument(std::string("CONFIG GET ") + name + " failed");
      }
      saved_config_.emplace_back(name, r->elements[1].str);
    }
    for (const auto& [name, value] :
         {std::pair<std::string, std::string>{"maxmemory", std::to_string(s_.maxmemory)},
          {"maxmemory-policy", s_.policy}}) {
      auto r = admin.Command({"CONFIG", "SET", name, value});
      if (!r.ok()) return r.status();
      if (r->is_error()) return Status::InvalidArgument("CONFIG SET " + name + ": " + r->str);
    }
    return Status::Ok();
  }

  Result<int64_t> EvictedKeys(Client& admin) const {
    auto r = admin.Command({"INFO", "stats"});
    if (!r.ok()) return r.status();
    const size_t p = r->str.find("evicted_keys:");
    if (p == std::string::npos) return Status::NotFound("no evicted_keys in INFO");
    return std::stoll(r->str.substr(p + 13));
  }

  void set_evicted_before(int64_t n) { evicted_before_ = n; }

  const Settings& settings() const { return s_; }
  const Dataset& data() const { return *data_; }
  const KeySampler& sampler() const { return sampler_; }
  const std::string& prefix() const { return prefix_; }
  Lru* lru() { return lru_.get(); }
  std::atomic<int32_t>& pending(int64_t k) { return pending_[static_cast<size_t>(k)]; }
  std::atomic<int64_t>& latest(int64_t k) { return latest_[static_cast<size_t>(k)]; }

  std::atomic<uint64_t> hits_{0}, misses_{0}, db_queries_{0}, writes_{0}, wrong_{0};
  std::atomic<uint64_t> hot_db_queries_{0}, hot_episodes_{0}, stale_served_{0}, waited_{0},
      fallbacks_{0};
  std::atomic<int> hot_inflight_{0};
  std::atomic<int64_t> first_ns_{0}, last_ns_{0};

 private:
  // Verify's steps: gather the workers' logs, record the figures, count evictions and restore
  // the cache tier, then the verdict and its note.
  RunLog MergedLogs();
  void AddFigures(const RunLog& log, const StalenessReport& st);
  Status CountEvictionsAndCleanUp(Client& admin);
  Correctness Judge(const StalenessReport& st, const std::string& first_wrong) const;

  Settings s_;
  std::shared_ptr<const Dataset> data_;
  adapters::Target* backing_;
  std::string prefix_;
  KeySampler sampler_;
  std::unique_ptr<std::atomic<int32_t>[]> pending_;
  std::unique_ptr<std::atomic<int64_t>[]> latest_;
  std::unique_ptr<Lru> lru_;
  std::mutex mu_;
  std::vector<std::unique_ptr<WorkerLog>> logs_;
  uint64_t sampled_hits_ = 0, sampled_lookups_ = 0;
  double last_ratio_ = 0;
  std::vector<std::pair<std::string, std::string>> saved_config_;
  int64_t evicted_before_ = -1;
  std::map<std::string, double> figures_;
};

std::string CacheWorker::Key(int64_t key) const { return run_->prefix() + std::to_string(key); }

Result<Value> CacheWorker::DbRead(int64_t key) {
  const Settings& s = run_->settings();
  const SqlStatement& st = s.query == Query::kPoint  ? kReadPoint
                           : s.kind == Kind::kNative ? kReadTotals
                                                     : kReadAggregate;
  const std::string params[] = {std::to_string(key)};
  run_->db_queries_.fetch_add(1);
  if (key == 0) run_->hot_db_queries_.fetch_add(1);
  return RowToValue(db_->Query(st, params));
}

Result<std::optional<Value>> CacheWorker::CacheGet(int64_t key) {
  const Settings& s = run_->settings();
  if (s.kind == Kind::kInProcess) return run_->lru()->Get(key, MonotonicNs());
  if (s.kind == Kind::kNative) {
    auto r = cache_->Command({"HMGET", Key(key), "v", "f", "a", "b", "p"});
    if (!r.ok()) return r.status();
    if (r->is_error()) return Status::InvalidArgument(r->str);
    if (r->elements.size() != 5 || r->elements[0].is_nil()) return std::optional<Value>();
    Value v;
    if (!ParseWhole(r->elements[0].str, &v.version) || !ParseWhole(r->elements[1].str, &v.fill) ||
        !ParseWhole(r->elements[2].str, &v.a) || !ParseWhole(r->elements[3].str, &v.b)) {
      return Status::Internal("malformed native hash for key " + std::to_string(key));
    }
    v.payload = r->elements[4].str;
    return std::optional<Value>(std::move(v));
  }
  auto r = cache_->Get(Key(key));
  if (!r.ok()) return r.status();
  if (!r->has_value()) return std::optional<Value>();
  Value v;
  if (!Decode(**r, &v))
    return Status::Internal("malformed cached value for key " + std::to_string(key));
  return std::optional<Value>(std::move(v));
}

Status CacheWorker::CacheFill(int64_t key, Value v) {
  const Settings& s = run_->settings();
  switch (s.kind) {
    case Kind::kInProcess:
      run_->lru()->Put(key, std::move(v), MonotonicNs() + s.ttl_ms * 1'000'000);
      return Status::Ok();
    case Kind::kNative: {
      const std::string keys[] = {Key(key)};
      const std::string args[] = {std::to_string(v.version), std::to_string(v.fill),
                                  std::to_string(v.a), std::to_string(v.b), v.payload};
      auto r = cache_->Eval(kNativeSet, keys, args);
      return r.ok() ? Status::Ok() : r.status();
    }
    case Kind::kSingleFlight: {
      // Kept for two TTLs; refreshed after one, while the old copy is still served.
      auto r = cache_->Command({"SET", Key(key), Encode(v), "PX", std::to_string(2 * s.ttl_ms)});
      if (!r.ok()) return r.status();
      return r->is_error() ? Status::InvalidArgument(r->str) : Status::Ok();
    }
    default: {
      auto r = cache_->Command({"SET", Key(key), Encode(v), "PX", std::to_string(s.ttl_ms)});
      if (!r.ok()) return r.status();
      return r->is_error() ? Status::InvalidArgument(r->str) : Status::Ok();
    }
  }
}

// A miss: query the database and store the row. The read itself returns the database's row.
Result<Value> CacheWorker::MissAndFill(int64_t key) {
  CacheFillEvent fill;
  fill.fill_id = NextFillId();
  fill.db_start_ns = MonotonicNs();
  auto v = DbRead(key);
  if (!v.ok()) return v.status();
  Value stored = *v;
  stored.fill = fill.fill_id;
  stored.soft_ms = fill.db_start_ns / 1'000'000 + run_->settings().ttl_ms;
  Status s = CacheFill(key, std::move(stored));
  if (!s.ok()) return s;
  fill.set_end_ns = MonotonicNs();
  log_->fills.push_back(fill);
  return v;
}

Result<Value> CacheWorker::SingleFlightRead(int64_t key, bool* hit) {
  auto cached = CacheGet(key);
  if (!cached.ok()) return cached.status();
  const int64_t now_ms = MonotonicNs() / 1'000'000;
  if (cached->has_value() && now_ms < (*cached)->soft_ms) {
    *hit = true;
    return **cached;
  }
  const std::string lock = run_->prefix() + "lock:" + std::to_string(key);
  auto got =
      cache_->Command({"SET", lock, std::to_string(index_), "NX", "PX", std::to_string(kLockMs)});
  if (!got.ok()) return got.status();
  if (got->type == Reply::Type::kStatus) {  // we hold the lock: recompute, store, release
    auto v = MissAndFill(key);
    auto del = cache_->Del(lock);
    if (!v.ok()) return v.status();
    if (!del.ok()) return del.status();
    *hit = false;
    return v;
  }
  if (cached->has_value()) {  // soft-expired and someone is refreshing: serve the copy
    run_->stale_served_.fetch_add(1);
    *hit = true;
    return **cached;
  }
  // Missing and someone is recomputing: wait for the value, up to the lock's lifetime.
  const int64_t give_up = MonotonicNs() + kLockMs * 1'000'000;
  while (MonotonicNs() < give_up) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    auto again = CacheGet(key);
    if (!again.ok()) return again.status();
    if (again->has_value()) {
      run_->waited_.fetch_add(1);
      *hit = true;
      return **again;
    }
  }
  run_->fallbacks_.fetch_add(1);
  *hit = false;
  return DbRead(key);
}

Status CacheWorker::Write(int64_t key) {
  const Settings& s = run_->settings();
  const int64_t t0 = MonotonicNs();
  run_->pending(key).fetch_add(1);
  Result<Value> v = Status::Internal("unset");
  if (s.query == Query::kPoint) {
    const std::string params[] = {std::to_string(key)};
    v = RowToValue(db_->Query(kWritePoint, params));
  } else {
    const std::string params[] = {std::to_string(key), std::to_string(WriteAmount(key))};
    v = RowToValue(db_->Query(kWriteAggregate, params));
  }
  if (!v.ok()) {
    run_->pending(key).fetch_sub(1);
    return v.status();
  }
  CacheWriteEvent w;
  w.key = key;
  w.version = v->version;
  w.commit_ack_ns = MonotonicNs();
  int64_t seen = run_->latest(key).load();
  while (seen < v->version && !run_->latest(key).compare_exchange_weak(seen, v->version)) {
  }
  Status inval = Status::Ok();
  if (s.kind != Kind::kDbOnly && s.kind != Kind::kTtlOnly) {
    w.inval_start_ns = MonotonicNs();
    if (s.kind == Kind::kInProcess) {
      run_->lru()->Erase(key);
    } else if (s.kind == Kind::kNative) {
      Value in_place = *v;
      in_place.fill = 0;
      inval = CacheFill(key, std::move(in_place));
    } else {
      auto d = cache_->Del(Key(key));
      if (!d.ok()) inval = d.status();
    }
    w.inval_ack_ns = MonotonicNs();
  }
  run_->pending(key).fetch_sub(1);
  if (!inval.ok()) {
    w.inval_ack_ns = -1;  // the invalidation may not have happened
  }
  log_->writes.push_back(w);
  run_->writes_.fetch_add(1);
  log_->write_us.Add(static_cast<double>(MonotonicNs() - t0) / 1e3, rng_);
  return inval;
}

Status CacheWorker::Step() {
  const Settings& s = run_->settings();
  const int64_t key = run_->sampler().Next(rng_);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int64_t start = MonotonicNs();
  int64_t expected = 0;
  run_->first_ns_.compare_exchange_strong(expected, start);
  if (s.write_ratio > 0 && unit(rng_) < s.write_ratio) {
    Status st = Write(key);
    run_->last_ns_.store(MonotonicNs());
    return st;
  }
  Value got;
  uint64_t fill_read = 0;
  bool hit = false;
  if (s.kind == Kind::kDbOnly) {
    auto v = DbRead(key);
    if (!v.ok()) return v.status();
    got = std::move(*v);
  } else {
    // A miss of the hottest key starts an episode unless one is in progress (the stampede).
    struct HotGuard {
      CacheRun* run = nullptr;
      void Enter(CacheRun* r, int64_t key) {
        if (key != 0) return;
        run = r;
        if (run->hot_inflight_.fetch_add(1) == 0) run->hot_episodes_.fetch_add(1);
      }
      ~HotGuard() {
        if (run != nullptr) run->hot_inflight_.fetch_sub(1);
      }
    } guard;
    Result<Value> v = Status::Internal("unset");
    if (s.kind == Kind::kSingleFlight) {
      // (Hot episodes for single-flight are counted at the first GET that finds the key
      // missing or soft-expired, like for the others.)
      auto peek = CacheGet(key);
      if (!peek.ok()) return peek.status();
      const bool fresh = peek->has_value() && MonotonicNs() / 1'000'000 < (*peek)->soft_ms;
      if (fresh) {
        got = std::move(**peek);
        hit = true;
        fill_read = got.fill;
      } else {
        guard.Enter(run_, key);
        v = SingleFlightRead(key, &hit);
        if (!v.ok()) return v.status();
        got = std::move(*v);
        fill_read = hit ? got.fill : 0;
      }
    } else {
      auto cached = CacheGet(key);
      if (!cached.ok()) return cached.status();
      if (cached->has_value()) {
        got = std::move(**cached);
        hit = true;
        fill_read = got.fill;
      } else {
        guard.Enter(run_, key);
        v = MissAndFill(key);
        if (!v.ok()) return v.status();
        got = std::move(*v);
      }
    }
  }
  const int64_t end = MonotonicNs();
  run_->last_ns_.store(end);
  (hit ? run_->hits_ : run_->misses_).fetch_add(1);
  const double us = static_cast<double>(end - start) / 1e3;
  log_->read_us.Add(us, rng_);
  if (s.kind != Kind::kDbOnly) (hit ? log_->hit_us : log_->miss_us).Add(us, rng_);
  const std::string wrong = run_->data().Check(s.query, key, got);
  if (!wrong.empty()) {
    run_->wrong_.fetch_add(1);
    if (log_->first_wrong.empty()) log_->first_wrong = wrong;
  }
  if (run_->pending(key).load() > 0 || run_->latest(key).load() > got.version) {
    log_->suspects.push_back({key, got.version, start, fill_read});
  }
  return Status::Ok();
}

RunLog CacheRun::MergedLogs() {
  RunLog all;
  auto append = [](std::vector<double>* to, const Reservoir& from) {
    to->insert(to->end(), from.values().begin(), from.values().end());
  };
  std::lock_guard lock(mu_);
  for (const auto& log : logs_) {
    all.writes.insert(all.writes.end(), log->writes.begin(), log->writes.end());
    all.fills.insert(all.fills.end(), log->fills.begin(), log->fills.end());
    all.suspects.insert(all.suspects.end(), log->suspects.begin(), log->suspects.end());
    append(&all.hit_us, log->hit_us);
    append(&all.miss_us, log->miss_us);
    append(&all.write_us, log->write_us);
    append(&all.read_us, log->read_us);
    if (all.first_wrong.empty()) all.first_wrong = log->first_wrong;
  }
  return all;
}

void CacheRun::AddFigures(const RunLog& log, const StalenessReport& st) {
  const uint64_t reads = hits_.load() + misses_.load();
  const double elapsed_s =
      std::max(1e-9, static_cast<double>(last_ns_.load() - first_ns_.load()) / 1e9);
  figures_["hit_ratio"] =
      reads > 0 ? static_cast<double>(hits_.load()) / static_cast<double>(reads) : 0;
  figures_["db_queries"] = static_cast<double>(db_queries_.load());
  figures_["db_queries_per_s"] = static_cast<double>(db_queries_.load()) / elapsed_s;
  figures_["read_p50_us"] = Percentile(log.read_us, 0.5);
  figures_["read_p99_us"] = Percentile(log.read_us, 0.99);
  for (const auto& [name, us] :
       {std::pair<const char*, const std::vector<double>*>{"hit", &log.hit_us},
        {"miss", &log.miss_us},
        {"write", &log.write_us}}) {
    if (us->empty()) continue;
    figures_[std::string(name) + "_p50_us"] = Percentile(*us, 0.5);
    figures_[std::string(name) + "_p99_us"] = Percentile(*us, 0.99);
  }
  figures_["stale_reads"] = static_cast<double>(st.stale_reads);
  figures_["max_staleness_ms"] = st.max_staleness_ms;
  figures_["hot_key_db_queries"] = static_cast<double>(hot_db_queries_.load());
  figures_["hot_key_miss_episodes"] = static_cast<double>(hot_episodes_.load());
  if (hot_episodes_.load() > 0) {
    figures_["db_queries_per_hot_expiry"] =
        static_cast<double>(hot_db_queries_.load()) / static_cast<double>(hot_episodes_.load());
  }
  figures_["keys"] = static_cast<double>(s_.keys);
  figures_["ttl_ms"] = static_cast<double>(s_.ttl_ms);
  figures_["write_ratio"] = s_.write_ratio;
  figures_["value_size_max"] = static_cast<double>(s_.value_size.max);
  figures_["hot_key_probability"] = sampler_.Probability(0);
  if (s_.distribution.kind == KeyDistribution::Kind::kZipf) {
    figures_["zipf_s"] = s_.distribution.zipf_s;
  }
  figures_["load_s"] = data_->load_s;
  figures_["loaded_now"] = data_->loaded_now ? 1 : 0;
  if (s_.kind != Kind::kDbOnly) figures_["backing_postgres"] = 1;
  if (s_.kind == Kind::kSingleFlight) {
    figures_["waited_for_fill"] = static_cast<double>(waited_.load());
    figures_["served_soft_expired"] = static_cast<double>(stale_served_.load());
    figures_["lock_fallbacks"] = static_cast<double>(fallbacks_.load());
  }
}

Status CacheRun::CountEvictionsAndCleanUp(Client& admin) {
  if (s_.kind == Kind::kInProcess) {
    figures_["evictions"] = static_cast<double>(lru_->evictions());
    return Status::Ok();
  }
  if (!UsesRedis(s_.kind)) return Status::Ok();
  auto ev = EvictedKeys(admin);
  if (ev.ok() && evicted_before_ >= 0) {
    figures_["evictions"] = static_cast<double>(*ev - evicted_before_);
  }
  for (const auto& [name, value] : saved_config_) {
    auto r = admin.Command({"CONFIG", "SET", name, value});
    if (!r.ok()) return r.status();
  }
  // Drop this run's keys (a fresh prefix per record keeps the next one cold anyway).
  for (int64_t i = 0; i < s_.keys; i += 1000) {
    Argv del = {"DEL"};
    for (int64_t k = i; k < std::min(s_.keys, i + 1000); ++k) {
      del.push_back(prefix_ + std::to_string(k));
    }
    auto r = admin.Command(del);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Correctness CacheRun::Judge(const StalenessReport& st, const std::string& first_wrong) const {
  const uint64_t reads = hits_.load() + misses_.load(), wrong = wrong_.load();
  Correctness c;
  c.figures["reads"] = static_cast<double>(reads);
  c.figures["writes"] = static_cast<double>(writes_.load());
  c.figures["wrong_values"] = static_cast<double>(wrong);
  c.figures["stale_reads"] = static_cast<double>(st.stale_reads);
  c.figures["max_staleness_ms"] = st.max_staleness_ms;
  c.figures["stale_in_invalidation_window"] = static_cast<double>(st.invalidation_window);
  c.figures["stale_fill_races"] = static_cast<double>(st.fill_races);
  c.figures["stale_unexplained"] = static_cast<double>(st.unexplained);
  c.figures["suspect_reads_checked"] = static_cast<double>(st.reads_checked);
  char buf[400];
  const bool expected_stale = s_.kind == Kind::kTtlOnly;
  if (s_.kind == Kind::kDbOnly || s_.kind == Kind::kTtlOnly) {
    c.ok = wrong == 0 && st.stale_reads == 0;
  } else {
    c.ok = wrong == 0 && st.unexplained == 0;
  }
  if (wrong > 0) {
    c.note = std::to_string(wrong) + " wrong values; first: " + first_wrong + ". ";
  }
  if (st.stale_reads == 0) {
    std::snprintf(buf, sizeof buf, "No stale read in %llu reads (%llu writes).",
                  static_cast<unsigned long long>(reads),
                  static_cast<unsigned long long>(writes_.load()));
    c.note += buf;
    if (expected_stale) c.note += " (No write hit a cached key inside its TTL this time.)";
  } else if (st.unexplained == 0) {
    std::snprintf(buf, sizeof buf,
                  "%llu stale reads of %llu, max %.2f ms, all inside the documented windows: %llu "
                  "began before the write's invalidation returned, %llu from a fill that loaded "
                  "the old row before the write and stored it after the invalidation (the "
                  "cache-aside race; it lives until the TTL).",
                  static_cast<unsigned long long>(st.stale_reads),
                  static_cast<unsigned long long>(reads), st.max_staleness_ms,
                  static_cast<unsigned long long>(st.invalidation_window),
                  static_cast<unsigned long long>(st.fill_races));
    c.note += buf;
  } else {
    std::snprintf(buf, sizeof buf,
                  "%llu stale reads of %llu (max %.1f ms stale; TTL %lld ms), %llu outside any "
                  "invalidation window; first: %s.",
                  static_cast<unsigned long long>(st.stale_reads),
                  static_cast<unsigned long long>(reads), st.max_staleness_ms,
                  static_cast<long long>(s_.ttl_ms),
                  static_cast<unsigned long long>(st.unexplained), st.first_unexplained.c_str());
    c.note += buf;
  }
  return c;
}

Result<Correctness> CacheRun::Verify(Client& admin) {
  const RunLog log = MergedLogs();
  const StalenessReport st = AnalyzeStaleness(log.writes, log.fills, log.suspects);
  AddFigures(log, st);
  Status cleaned = CountEvictionsAndCleanUp(admin);
  if (!cleaned.ok()) return cleaned;
  return Judge(st, log.first_wrong);
}

// ---- The scenario. ----

ScenarioInfo BuildInfo() {
  ScenarioInfo info = LessonInfo(
      "cache", "Caching a database: cache-aside, single-flight, native structures", "requests",
      "How much faster is a read served by a cache than by PostgreSQL — for a point lookup and "
      "for an aggregate — what does it cost in stale reads, and what happens when a hot key "
      "expires?");
  info.approaches = ApproachInfos(kApproaches);
  info.expected =
      "For a point lookup PostgreSQL answers in about 0.1 ms on this machine, so a cache over "
      "the network saves little (a GET costs a round trip too) and the in-process LRU is the "
      "only big win — the article's 50 ms -> 5 ms -> 0.5 ms is about an expensive query, not a "
      "primary-key lookup. For the aggregate (a scan of 200,000 orders: milliseconds), every "
      "cache tier wins by one or two orders of magnitude at a high hit ratio. Cache-aside with "
      "DEL serves stale values only inside its documented race windows; TTL-only serves them "
      "for up to the TTL. When the hottest key expires, cache-aside sends every waiting client "
      "to the database; single-flight sends one.";
  info.lesson =
      "What happens: a cache keeps the answer to a query close to the client. Reads that hit "
      "skip the database; reads that miss pay for the query plus a SET. Zipf-distributed keys "
      "(a few products get most reads) make the hit ratio climb fast from a cold start.\n\n"
      "Why: the speed-up of a cache is memoisation — not doing the work again. When the work "
      "is a 0.1 ms index lookup, a network cache is one round trip instead of another; when it "
      "is a scan over many rows, the saving is the scan. The seed article's \"PostgreSQL ~50 ms "
      "-> cache ~5 ms -> native ~0.5 ms\" mixes these: the measured tiers are in the table.\n\n"
      "The price is staleness. After a write commits, a cache can serve the old value until it "
      "is invalidated: with DEL on write that window is the write's own duration, plus the "
      "known cache-aside race (a reader loads the old row, the writer commits and deletes, the "
      "reader stores the old row until its TTL). Without invalidation every cached value is "
      "stale for up to the TTL after a write. A hot key that expires makes every client miss "
      "at once (a stampede); single-flight lets one recompute while the others wait or serve "
      "the expired copy. Native structures updated in place avoid both: there is nothing to "
      "recompute.\n\n"
      "How this is measured: PostgreSQL is the system of record; every value carries its row "
      "version, every read is checked against the invariants the writes keep, and stale reads "
      "are found by comparing each read's version with the writes acknowledged before it "
      "began. Figures: hit ratio (and its time series from cold), database queries per "
      "second, latency per tier (hit, miss, write), stale reads and the maximum staleness, "
      "database queries per miss episode of the hottest key, evictions under --maxmemory.";
  info.live_figures = {"hit_ratio", "db_queries"};
  info.table_figures = {"hit_ratio",   "hit_p50_us",       "db_queries_per_s",
                        "stale_reads", "max_staleness_ms", "db_queries_per_hot_expiry",
                        "evictions"};
  info.default_duration_s = 1.0;
  info.backing = adapters::TargetKind::kPostgres;
  info.knobs = {
      ChoiceKnob("query",
                 "point (an indexed row, ~0.1 ms) or aggregate (a scan of 200,000 orders); one "
                 "record per value",
                 {"point", "aggregate"}, {0, 1}, kKnobSweeps),
      Knob("ttl-ms", "cache entry time to live, ms", 1, 3'600'000, {1000}),
      Knob("write-ratio", "fraction of operations that are writes", 0, 1, {0.05}, kKnobReal),
      Knob("maxmemory", "cache tier memory limit in bytes, 0 = none (sizes the in-process LRU too)",
           0, 1e12, {0}),
      ChoiceKnob("maxmemory-policy", "eviction policy with --maxmemory",
                 {"allkeys-lru", "allkeys-lfu", "volatile-ttl"}, {0}),
  };
  return info;
}

class CacheScenario final : public Lesson {
 public:
  CacheScenario() : Lesson(BuildInfo()) {}

  std::vector<std::map<std::string, double>> ParameterPoints(
      const ApproachInfo& approach, adapters::TargetKind kind,
      const KnobValues& knobs) const override {
    if (approach.id == "in-process" && kind != adapters::TargetKind::kBuiltin) return {};
    return CartesianPoints({{"query", KnobValuesOrDefault(info_.knobs[0], knobs)}});
  }

  std::map<std::string, double> Summarize(const std::vector<PointResult>& points) const override {
    // The three-tier table: median read latency per tier and query kind.
    std::map<std::string, double> out;
    for (const PointResult& p : points) {
      auto q = p.params.find("query");
      const std::string query = ChoiceName(info_.knobs[0], q == p.params.end() ? 0 : q->second);
      auto fig = [&](const char* name) -> std::optional<double> {
        auto it = p.figures.find(name);
        if (it == p.figures.end()) return std::nullopt;
        return it->second;
      };
      if (p.approach == "db-only") {
        if (auto v = fig("read_p50_us")) out["db_p50_us." + query] = *v;
      } else if (p.approach == "cache-aside") {
        if (auto v = fig("hit_p50_us")) out["cache_hit_p50_us." + query + "." + p.target] = *v;
      } else if (p.approach == "native") {
        if (auto v = fig("hit_p50_us")) out["native_p50_us." + query + "." + p.target] = *v;
      } else if (p.approach == "in-process") {
        if (auto v = fig("hit_p50_us")) out["in_process_p50_us." + query] = *v;
      }
    }
    return out;
  }

  Result<std::unique_ptr<ApproachRun>> Prepare(const ApproachInfo& approach, Client& admin,
                                               const RunContext& context) const override {
    Settings s;
    s.kind = KindOf(approach.id);
    s.seed = context.seed;
    s.target = context.target != nullptr ? context.target->kind() : adapters::TargetKind::kBuiltin;
    auto knob = [&](size_t i) { return RunKnobValue(info_, context.extra, info_.knobs[i].name); };
    // The CLI range-checks knobs; a programmatic caller (GUI, tests) gets the same message here.
    for (size_t i = 0; i < info_.knobs.size(); ++i) {
      const KnobInfo& k = info_.knobs[i];
      const double v = knob(i);
      if (!(v >= k.min && v <= k.max) || (k.integer && std::floor(v) != v)) {
        std::string range;
        for (const auto& c : k.choices) range += (range.empty() ? "one of " : ", ") + c;
        if (range.empty()) {
          auto num = [](double x) {
            char buf[40];
            std::snprintf(buf, sizeof buf, std::floor(x) == x ? "%.0f" : "%g", x);
            return std::string(buf);
          };
          range = "between " + num(k.min) + " and " + num(k.max);
        }
        return Status::InvalidArgument("--" + k.name + " must be " + range);
      }
    }
    s.query = knob(0) == 1 ? Query::kAggregate : Query::kPoint;
    s.ttl_ms = static_cast<int64_t>(knob(1));
    s.write_ratio = knob(2);
    s.maxmemory = static_cast<int64_t>(knob(3));
    s.policy = ChoiceName(info_.knobs[4], knob(4));
    s.keys = context.workload.keys.value_or(kDefaultKeys);
    if (s.keys < kMinKeys || s.keys > kMaxCacheKeys) {
      return Status::InvalidArgument("--keys must be between 10 and 1000000 for the cache lesson");
    }
    if (context.workload.distribution) s.distribution = *context.workload.distribution;
    if (context.workload.value_size) s.value_size = *context.workload.value_size;

    // The database: the target itself for db-only, else the backing store.
    std::unique_ptr<Client> own_db;
    Client* db = &admin;
    if (s.kind != Kind::kDbOnly) {
      if (context.backing == nullptr) {
        return Status::Unavailable(
            "the cache tier needs PostgreSQL as its backing store, which is unavailable" +
            (context.backing_unavailable.empty() ? std::string()
                                                 : ": " + context.backing_unavailable));
      }
      auto c = context.backing->Connect();
      if (!c.ok()) return c.status();
      own_db = std::move(*c);
      db = own_db.get();
    }
    auto data = EnsureData(*db, s.keys, s.seed, s.value_size);
    if (!data.ok()) return data.status();

    // A fresh key prefix per record: the cache starts cold without touching other keys.
    static std::atomic<uint64_t> counter{0};
    const std::string prefix =
        kPrefix +
        std::to_string(SplitMix64(static_cast<uint64_t>(MonotonicNs()) + counter.fetch_add(1)) %
                       1'000'000'000) +
        ":";
    auto run = std::make_unique<CacheRun>(s, std::move(*data), context.backing, prefix);
    if (UsesRedis(s.kind)) {
      auto ev = run->EvictedKeys(admin);
      if (ev.ok()) run->set_evicted_before(*ev);
      if (s.maxmemory > 0) {
        Status st = run->SaveMemoryConfig(admin);
        if (!st.ok()) return st;
      }
    }
    return PreparedRun(std::move(run), Status::Ok());
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeCacheScenario() { return std::make_unique<CacheScenario>(); }

}  // namespace racetrack::scenarios
