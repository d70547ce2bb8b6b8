// Lesson `ratelimit`: the limiters, the traffic, and the accuracy figures.
//
// Why the numbers are integers everywhere: Redis's Lua turns numbers into strings with "%.14g",
// so a microsecond Unix timestamp (1.7e15) would lose digits on its way into ZADD or SET. The
// virtual clock therefore starts near 10^9 µs, and the token bucket keeps its level in
// "token-microseconds" (tokens x W), so every quantity is an integer below 10^14 and exact in Lua
// 5.1 doubles, Lua 5.4 integers and PostgreSQL bigints alike — the same decisions on every target.
//
// Why the sliding-window counter compares prev*(W-elapsed) + cur*W < limit*W instead of a
// weighted float: the integer form gives the same verdict on Lua and SQL at exact ties.
#include "scenarios/ratelimit.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "scenarios/claims.h"
#include "scenarios/knobs.h"
#include "scenarios/memory_per_key.h"
#include "scenarios/rolling_window.h"

namespace racetrack::scenarios {

namespace {

constexpr int64_t kVirtualOriginUs = 1'000'000'000;  // see the top of the file
constexpr int64_t kSeriesIntervalUs = 100'000;         // the series' 100 ms buckets
constexpr int kSeriesBuckets = 100;                    // 10 s of virtual time
constexpr int64_t kManyKeysGapUs = 100;

// ---------------------------------------------------------------------------------------------
// Traffic.

}  // namespace

TrafficSchedule::TrafficSchedule(TrafficPattern pattern, int64_t origin_us, int64_t window_us,
                                 int64_t limit, uint64_t seed)
    : pattern_(pattern),
      origin_(origin_us),
      window_(window_us),
      limit_(limit),
      last_(origin_us),
      seed_(seed),
      rng_(seed) {}

int64_t TrafficSchedule::Next() {
  const int64_t k = k_++;
  switch (pattern_) {
    case TrafficPattern::kBoundary: {
      const int64_t cycle = k / (2 * limit_);
      const int64_t i = k % (2 * limit_);
      const int64_t edge = origin_ + (2 * cycle + 1) * window_;
      const int64_t burst = window_ / 10;  // a tenth of the window on each side of the edge
      return edge - burst + i * burst / limit_;  // i < limit: before the edge; then after it
    }
    case TrafficPattern::kSteady:
      return origin_ + k * window_ / (2 * limit_);
    case TrafficPattern::kBursty: {
      const int64_t w = (last_ - origin_) / window_;
      // The window's mood is a function of its index and the seed, not of the draw order.
      std::mt19937_64 mood(static_cast<uint64_t>(w) * 0x9E3779B97F4A7C15ULL ^ seed_);
      const bool burst = std::uniform_real_distribution<double>(0, 1)(mood) < 0.3;
      const double rate_per_us =
          static_cast<double>(limit_) * (burst ? 5.0 : 0.5) / static_cast<double>(window_);
      const double gap = std::exponential_distribution<double>(rate_per_us)(rng_);
      last_ += std::max<int64_t>(1, std::llround(gap));
      return last_;
    }
    case TrafficPattern::kManyKeys:
      return origin_ + k * kManyKeysGapUs;
  }
  return origin_;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Limiters.

struct Params {
  int64_t window_us = 1'000'000;
  int64_t limit = 100;
};

// One limiter on one target. Allow() is one decision for `key` at virtual time `now`.
class Limiter {
 public:
  virtual ~Limiter() = default;
  virtual Result<bool> Allow(Client& c, const std::string& key, int64_t now, uint64_t seq) = 0;
  // The Redis keys holding `key`'s state at time `now` (for MEMORY USAGE); empty on SQL.
  virtual std::vector<std::string> StateKeys(const std::string& key, int64_t now) const = 0;
};

Result<bool> IntegerVerdict(const Result<Reply>& r) {
  if (!r.ok()) return r.status();
  if (r->type != Reply::Type::kInteger) {
    return Status::Internal("limiter script returned " + r->ToString() + ", expected 0 or 1");
  }
  return r->integer == 1;
}

std::string TtlMs(const Params& p) {
  // Cleanup only (decisions use the virtual clock): two windows plus a minute of slack, because
  // virtual time may run slower than real time when the limit is high.
  return std::to_string(2 * p.window_us / 1000 + 60'000);
}

// Fixed window: INCR the window's counter and set its expiry, in MULTI/EXEC.
class FixedWindowResp final : public Limiter {
 public:
  explicit FixedWindowResp(Params p) : p_(p) {}
  Result<bool> Allow(Client& c, const std::string& key, int64_t now, uint64_t) override {
    const std::string k = key + ":" + std::to_string(now / p_.window_us);
    const std::vector<adapters::Argv> cmds = {{"INCR", k}, {"PEXPIRE", k, TtlMs(p_)}};
    auto r = c.Exec(cmds);
    if (!r.ok()) return r.status();
    if (!r->has_value() || (*r)->empty() || (**r)[0].type != Reply::Type::kInteger) {
      return Status::Internal("MULTI/EXEC of INCR returned no counter");
    }
    return (**r)[0].integer <= p_.limit;
  }
  std::vector<std::string> StateKeys(const std::string& key, int64_t now) const override {
    return {key + ":" + std::to_string(now / p_.window_us)};
  }

 private:
  Params p_;
};

// A limiter whose state is one key, decided by one script: KEYS[1] is the key, ARGV what
// `args` makes of the decision's time and sequence number; the script returns 1 (admit) or 0.
class OneKeyScriptLimiter final : public Limiter {
 public:
  using ArgsFn = std::vector<std::string> (*)(const Params& p, int64_t now, uint64_t seq);
  OneKeyScriptLimiter(const char* script, ArgsFn args, Params p)
      : script_(script), args_(args), p_(p) {}
  Result<bool> Allow(Client& c, const std::string& key, int64_t now, uint64_t seq) override {
    const std::string keys[] = {key};
    return IntegerVerdict(c.Eval(script_, keys, args_(p_, now, seq)));
  }
  std::vector<std::string> StateKeys(const std::string& key, int64_t) const override {
    return {key};
  }

 private:
  const char* script_;
  ArgsFn args_;
  Params p_;
};

// Sliding log: a sorted set of admission times; drop the old, count, add when below the limit.
constexpr char kSlidingLogLua[] = R"lua(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
)lua";

std::vector<std::string> SlidingLogArgs(const Params& p, int64_t now, uint64_t seq) {
  return {std::to_string(now), std::to_string(now - p.window_us), std::to_string(p.limit),
          std::to_string(now) + "-" + std::to_string(seq), TtlMs(p)};
}

// Sliding-window counter: this window's count plus the previous one's, weighted by how much of
// the previous window still overlaps the rolling window.
constexpr char kWindowCounterLua[] = R"lua(
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
local w = tonumber(ARGV[2])
if prev * tonumber(ARGV[1]) + cur * w < tonumber(ARGV[3]) * w then
  redis.call('INCR', KEYS[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 1
end
return 0
)lua";

// One script reads both windows' counters, so they must share a Redis Cluster slot: the hash tag
// {key} makes both hash on the client's key alone, as a real deployment would write it (without
// it a cluster answers CROSSSLOT).
std::string WindowKey(const std::string& key, int64_t window) {
  return "{" + key + "}:" + std::to_string(window);
}

class WindowCounterResp final : public Limiter {
 public:
  explicit WindowCounterResp(Params p) : p_(p) {}
  Result<bool> Allow(Client& c, const std::string& key, int64_t now, uint64_t) override {
    const int64_t win = now / p_.window_us;
    const int64_t overlap = p_.window_us - (now - win * p_.window_us);
    const std::string keys[] = {WindowKey(key, win), WindowKey(key, win - 1)};
    const std::string args[] = {std::to_string(overlap), std::to_string(p_.window_us),
                                std::to_string(p_.limit), TtlMs(p_)};
    return IntegerVerdict(c.Eval(kWindowCounterLua, keys, args));
  }
  std::vector<std::string> StateKeys(const std::string& key, int64_t now) const override {
    const int64_t win = now / p_.window_us;
    return {WindowKey(key, win), WindowKey(key, win - 1)};
  }

 private:
  Params p_;
};

// Token bucket: capacity = limit, refilled at limit per window. Level in token-microseconds.
constexpr char kTokenBucketLua[] = R"lua(
local now = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
local lim = tonumber(ARGV[3])
local cap = w * lim
local v = redis.call('HMGET', KEYS[1], 'level', 'ts')
local level = tonumber(v[1]) or cap
local ts = tonumber(v[2]) or now
local elapsed = now - ts
if elapsed > w then elapsed = w end
if elapsed < 0 then elapsed = 0 end
level = level + elapsed * lim
if level > cap then level = cap end
local ok = 0
if level >= w then
  level = level - w
  ok = 1
end
redis.call('HSET', KEYS[1], 'level', level, 'ts', now)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return ok
)lua";

std::vector<std::string> TokenBucketArgs(const Params& p, int64_t now, uint64_t) {
  return {std::to_string(now), std::to_string(p.window_us), std::to_string(p.limit), TtlMs(p)};
}

// GCRA: one "theoretical arrival time" per key; admit when it is not more than W ahead of now.
constexpr char kGcraLua[] = R"lua(
local now = tonumber(ARGV[1])
local t = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + t
if new_tat - now > tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], new_tat, 'PX', ARGV[4])
return 1
)lua";

std::vector<std::string> GcraArgs(const Params& p, int64_t now, uint64_t) {
  return {std::to_string(now), std::to_string(p.window_us / p.limit), std::to_string(p.window_us),
          TtlMs(p)};
}

// ---- PostgreSQL: one statement or one function call per decision (one round trip). ----

const SqlStatement kSqlFixed{
    "rl_fixed_allow",
    "INSERT INTO rl_fixed(k, win, n) VALUES ($1, $2::bigint, 1) "
    "ON CONFLICT (k, win) DO UPDATE SET n = rl_fixed.n + 1 RETURNING n"};
const SqlStatement kSqlLog{"rl_log_allow",
                           "SELECT rl_sliding_log($1, $2::bigint, $3::bigint, $4::int)"};
const SqlStatement kSqlCounter{"rl_counter_allow",
                               "SELECT rl_window_counter($1, $2::bigint, $3::bigint, $4::int)"};
// Rejections leave the row alone: refilling later from the older ts gives the same level.
const SqlStatement kSqlBucket{
    "rl_bucket_allow",
    "INSERT INTO rl_bucket(k, level, ts) VALUES ($1, $3::bigint * $4::bigint - $3::bigint, "
    "$2::bigint) ON CONFLICT (k) DO UPDATE SET level = least($3::bigint * $4::bigint, "
    "rl_bucket.level + least(greatest($2::bigint - rl_bucket.ts, 0), $3::bigint) * $4::bigint) "
    "- $3::bigint, ts = $2::bigint WHERE least($3::bigint * $4::bigint, rl_bucket.level + "
    "least(greatest($2::bigint - rl_bucket.ts, 0), $3::bigint) * $4::bigint) >= $3::bigint "
    "RETURNING 1"};
const SqlStatement kSqlGcra{
    "rl_gcra_allow",
    "INSERT INTO rl_gcra(k, tat) VALUES ($1, $2::bigint + $3::bigint) ON CONFLICT (k) DO UPDATE "
    "SET tat = greatest(rl_gcra.tat, $2::bigint) + $3::bigint WHERE greatest(rl_gcra.tat, "
    "$2::bigint) + $3::bigint - $2::bigint <= $4::bigint RETURNING 1"};

const char* const kSqlSetup[] = {
    "CREATE TABLE IF NOT EXISTS rl_fixed (k text NOT NULL, win bigint NOT NULL, n int NOT NULL, "
    "PRIMARY KEY (k, win))",
    "CREATE TABLE IF NOT EXISTS rl_log (k text NOT NULL, ts bigint NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rl_log_k_ts ON rl_log (k, ts)",
    "CREATE TABLE IF NOT EXISTS rl_counter (k text NOT NULL, win bigint NOT NULL, n int NOT NULL, "
    "PRIMARY KEY (k, win))",
    "CREATE TABLE IF NOT EXISTS rl_bucket (k text PRIMARY KEY, level bigint NOT NULL, "
    "ts bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rl_gcra (k text PRIMARY KEY, tat bigint NOT NULL)",
    R"sql(CREATE OR REPLACE FUNCTION rl_sliding_log(p_k text, p_now bigint, p_w bigint, p_lim int)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE c int;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(p_k));
  DELETE FROM rl_log WHERE k = p_k AND ts <= p_now - p_w;
  SELECT count(*) INTO c FROM rl_log WHERE k = p_k;
  IF c < p_lim THEN
    INSERT INTO rl_log(k, ts) VALUES (p_k, p_now);
    RETURN 1;
  END IF;
  RETURN 0;
END $$)sql",
    R"sql(CREATE OR REPLACE FUNCTION rl_window_counter(p_k text, p_now bigint, p_w bigint,
                                             p_lim int)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE cw bigint := p_now / p_w; cur bigint; prev bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(p_k));
  SELECT coalesce(sum(n) FILTER (WHERE win = cw), 0), coalesce(sum(n) FILTER (WHERE win = cw - 1), 0)
    INTO cur, prev FROM rl_counter WHERE k = p_k AND win >= cw - 1 AND win <= cw;
  IF prev * (p_w - (p_now - cw * p_w)) + cur * p_w < p_lim::bigint * p_w THEN
    INSERT INTO rl_counter(k, win, n) VALUES (p_k, cw, 1)
      ON CONFLICT (k, win) DO UPDATE SET n = rl_counter.n + 1;
    RETURN 1;
  END IF;
  RETURN 0;
END $$)sql",
};

enum class Algo { kFixed, kLog, kCounter, kBucket, kGcra };

class SqlLimiter final : public Limiter {
 public:
  SqlLimiter(Algo algo, Params p) : algo_(algo), p_(p) {}
  Result<bool> Allow(Client& c, const std::string& key, int64_t now, uint64_t) override {
    const std::string w = std::to_string(p_.window_us);
    const std::string lim = std::to_string(p_.limit);
    const std::string t = std::to_string(now);
    switch (algo_) {
      case Algo::kFixed: {
        const std::string params[] = {key, std::to_string(now / p_.window_us)};
        auto r = c.Query(kSqlFixed, params);
        if (!r.ok()) return r.status();
        auto n = r->Scalar();
        if (!n) return Status::Internal("fixed-window upsert returned no count");
        return std::stoll(*n) <= p_.limit;
      }
      case Algo::kLog:
      case Algo::kCounter: {
        const std::string params[] = {key, t, w, lim};
        auto r = c.Query(algo_ == Algo::kLog ? kSqlLog : kSqlCounter, params);
        if (!r.ok()) return r.status();
        auto v = r->Scalar();
        return v.has_value() && *v == "1";
      }
      case Algo::kBucket: {
        const std::string params[] = {key, t, w, lim};
        auto r = c.Query(kSqlBucket, params);
        if (!r.ok()) return r.status();
        return !r->rows.empty();
      }
      case Algo::kGcra: {
        const std::string params[] = {key, t, std::to_string(p_.window_us / p_.limit), w};
        auto r = c.Query(kSqlGcra, params);
        if (!r.ok()) return r.status();
        return !r->rows.empty();
      }
    }
    return Status::Internal("unknown limiter");
  }
  std::vector<std::string> StateKeys(const std::string&, int64_t) const override { return {}; }

 private:
  Algo algo_;
  Params p_;
};

const char* SqlTable(Algo algo) {
  switch (algo) {
    case Algo::kFixed: return "rl_fixed";
    case Algo::kLog: return "rl_log";
    case Algo::kCounter: return "rl_counter";
    case Algo::kBucket: return "rl_bucket";
    case Algo::kGcra: return "rl_gcra";
  }
  return "";
}

struct ApproachSpec {
  Algo algo;
  bool sql;
};

std::unique_ptr<Limiter> MakeLimiter(ApproachSpec spec, Params p) {
  if (spec.sql) return std::make_unique<SqlLimiter>(spec.algo, p);
  switch (spec.algo) {
    case Algo::kFixed: return std::make_unique<FixedWindowResp>(p);
    case Algo::kLog:
      return std::make_unique<OneKeyScriptLimiter>(kSlidingLogLua, SlidingLogArgs, p);
    case Algo::kCounter: return std::make_unique<WindowCounterResp>(p);
    case Algo::kBucket:
      return std::make_unique<OneKeyScriptLimiter>(kTokenBucketLua, TokenBucketArgs, p);
    case Algo::kGcra: return std::make_unique<OneKeyScriptLimiter>(kGcraLua, GcraArgs, p);
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// The run.

struct KeyDecision {
  int32_t key;  // index into the run's keys
  Decision d;
};

// What one worker saw; read by Verify after the workers stopped.
struct WorkerLog {
  std::vector<KeyDecision> decisions;
  int64_t last_now = 0;
};

class RatelimitRun;

class RatelimitWorker final : public Worker {
 public:
  RatelimitWorker(RatelimitRun* run, Client* client, int index, WorkerLog* log);
  Status Step() override;

 private:
  RatelimitRun* run_;
  Client* client_;
  WorkerLog* log_;
  std::vector<int32_t> keys_;  // key indices this worker owns
  size_t next_key_ = 0;
  engine::ManualClock clock_;  // this worker's virtual time
  TrafficSchedule schedule_;
  uint64_t seq_ = 0;
};

struct Tally;

class RatelimitRun final : public ApproachRun {
 public:
  RatelimitRun(ApproachSpec spec, bool expected_strict, Params p, TrafficPattern pattern,
               std::string prefix, int64_t origin, uint64_t seed, int clients)
      : spec_(spec),
        strict_(expected_strict),
        p_(p),
        pattern_(pattern),
        prefix_(std::move(prefix)),
        origin_(origin),
        seed_(seed),
        limiter_(MakeLimiter(spec, p)) {
    clients_ = std::max(clients, 1);
    const int n = pattern == TrafficPattern::kManyKeys ? kManyKeysCount : clients_;
    for (int i = 0; i < n; ++i) keys_.push_back(prefix_ + std::to_string(i));
  }

  Result<std::unique_ptr<Worker>> MakeWorker(Client& client, int index) override {
    std::lock_guard lock(mu_);
    logs_.push_back(std::make_unique<WorkerLog>());
    return std::unique_ptr<Worker>(new RatelimitWorker(this, &client, index, logs_.back().get()));
  }

  Result<std::map<std::string, double>> Sample(Client&) override {
    return std::map<std::string, double>{
        {"admitted", static_cast<double>(admitted_.load(std::memory_order_relaxed))},
        {"rejected", static_cast<double>(rejected_.load(std::memory_order_relaxed))}};
  }

  Result<Correctness> Verify(Client& admin) override;
  std::map<std::string, double> Figures() const override { return figures_; }
  std::string MemoryMethod() const override { return memory_method_; }
  std::map<std::string, std::vector<double>> Series() const override { return series_; }

  // For workers.
  Limiter& limiter() { return *limiter_; }
  const std::vector<std::string>& keys() const { return keys_; }
  TrafficPattern pattern() const { return pattern_; }
  const Params& params() const { return p_; }
  int64_t origin() const { return origin_; }
  uint64_t seed() const { return seed_; }
  void Count(bool admitted) {
    (admitted ? admitted_ : rejected_).fetch_add(1, std::memory_order_relaxed);
  }
  int clients_ = 1;

 private:
  // The rate contract a * n <= b + c * interval of token bucket and GCRA (`applies`).
  struct Contract {
    bool applies = false;
    int64_t a = 1, b = 0, c = 1;
  };
  // Verify's steps.
  Contract RateContract() const;
  Tally TallyDecisions(const std::vector<std::vector<Decision>>& per_key) const;
  void BuildSeries(const std::vector<Decision>& decisions);
  std::string MeasureMemory(Client& admin, const std::vector<std::vector<Decision>>& per_key,
                            int64_t keys_used);
  Correctness Judge(const Tally& t) const;

  ApproachSpec spec_;
  std::string memory_method_;  // set by Verify
  bool strict_;
  Params p_;
  TrafficPattern pattern_;
  std::string prefix_;
  int64_t origin_;
  uint64_t seed_;
  std::unique_ptr<Limiter> limiter_;
  std::vector<std::string> keys_;
  std::mutex mu_;
  std::vector<std::unique_ptr<WorkerLog>> logs_;
  std::atomic<uint64_t> admitted_{0}, rejected_{0};
  std::map<std::string, double> figures_;
  std::map<std::string, std::vector<double>> series_;
};

RatelimitWorker::RatelimitWorker(RatelimitRun* run, Client* client, int index, WorkerLog* log)
    : run_(run),
      client_(client),
      log_(log),
      clock_(0),
      schedule_(run->pattern(), run->origin(), run->params().window_us, run->params().limit,
                run->seed() + static_cast<uint64_t>(index) * 7919) {
  const int n = static_cast<int>(run->keys().size());
  const int clients = std::max(run->clients_, 1);
  for (int k = index; k < n; k += clients) keys_.push_back(k);
}

Status RatelimitWorker::Step() {
  if (keys_.empty()) return Status::Ok();  // more workers than keys: this one has nothing to do
  const int32_t key = keys_[next_key_];
  next_key_ = (next_key_ + 1) % keys_.size();
  const int64_t t = schedule_.Next();
  clock_.AdvanceUs(t - clock_.NowUs());  // the virtual clock jumps to the scheduled time
  const int64_t now = clock_.NowUs();
  auto allowed = run_->limiter().Allow(*client_, run_->keys()[static_cast<size_t>(key)], now,
                                       ++seq_);
  if (!allowed.ok()) return allowed.status();
  log_->decisions.push_back(KeyDecision{key, Decision{now, *allowed}});
  log_->last_now = now;
  run_->Count(*allowed);
  return Status::Ok();
}

// What Verify counts over every key's decisions.
struct Tally {
  int64_t admitted = 0, rejected = 0, max_in_window = 0, wrongful = 0, keys_used = 0;
  int64_t max_excess = 0;  // the rate contract's largest a * n - c * interval (MaxRateExcess)
};

Tally RatelimitRun::TallyDecisions(const std::vector<std::vector<Decision>>& per_key) const {
  Tally t;
  const Contract k = RateContract();
  for (const auto& decisions : per_key) {
    if (decisions.empty()) continue;
    ++t.keys_used;
    std::vector<int64_t> times;
    for (const Decision& d : decisions) {
      if (d.admitted) {
        ++t.admitted;
        times.push_back(d.t);
      } else {
        ++t.rejected;
      }
    }
    t.max_in_window = std::max(t.max_in_window, MaxInRollingWindow(times, p_.window_us));
    if (k.applies) t.max_excess = std::max(t.max_excess, MaxRateExcess(times, k.a, k.c));
    t.wrongful += WrongfulRejections(decisions, p_.window_us, p_.limit);
  }
  return t;
}

// Token bucket and GCRA are judged on their own contract (an average rate plus a burst), in
// the integer form of MaxRateExcess: a * n <= b + c * interval.
RatelimitRun::Contract RatelimitRun::RateContract() const {
  Contract k;
  k.applies = spec_.algo == Algo::kBucket || spec_.algo == Algo::kGcra;
  const int64_t emission_us = p_.window_us / p_.limit;  // GCRA's T, as its script gets it
  k.a = spec_.algo == Algo::kBucket ? p_.window_us : emission_us;
  k.b = spec_.algo == Algo::kBucket ? p_.window_us * p_.limit : p_.window_us;
  k.c = spec_.algo == Algo::kBucket ? p_.limit : 1;
  return k;
}

// The series of one key: admitted / rejected per 100 ms of virtual time, its rolling count and
// the limit line.
void RatelimitRun::BuildSeries(const std::vector<Decision>& decisions) {
  std::vector<int64_t> adm, rej;
  for (const Decision& d : decisions) (d.admitted ? adm : rej).push_back(d.t);
  const auto a = CountPerInterval(adm, origin_, kSeriesIntervalUs, kSeriesBuckets);
  const auto r = CountPerInterval(rej, origin_, kSeriesIntervalUs, kSeriesBuckets);
  const auto rolling =
      RollingCountAt(adm, origin_, kSeriesIntervalUs, kSeriesBuckets, p_.window_us);
  int used = kSeriesBuckets;  // trim the empty tail (the run may cover less virtual time)
  while (used > 0 && a[static_cast<size_t>(used - 1)] == 0 &&
         r[static_cast<size_t>(used - 1)] == 0) {
    --used;
  }
  for (int i = 0; i < used; ++i) {
    const auto u = static_cast<size_t>(i);
    series_["t_s"].push_back(static_cast<double>((i + 1) * kSeriesIntervalUs) / 1e6);
    series_["admitted"].push_back(static_cast<double>(a[u]));
    series_["rejected"].push_back(static_cast<double>(r[u]));
    series_["rolling_admitted"].push_back(static_cast<double>(rolling[u]));
    series_["limit"].push_back(static_cast<double>(p_.limit));
  }
}

// Memory per client key, one way on every target (scenarios/memory_per_key.h): after the run,
// at rest, over every key. Returns a sentence for the note ("" when there is nothing to say).
std::string RatelimitRun::MeasureMemory(Client& admin,
                                        const std::vector<std::vector<Decision>>& per_key,
                                        int64_t keys_used) {
  if (keys_used == 0) return "";
  std::string note;
  Result<KeyMemory> memory = Status::Internal("unset");
  if (spec_.sql) {
    memory = SqlMemoryPerKey(admin, SqlTable(spec_.algo), keys_used);
    if (spec_.algo == Algo::kFixed || spec_.algo == Algo::kCounter) {
      note = " Rows of past windows stay until a cleanup job deletes them (none here).";
    }
  } else {
    std::vector<std::string> state;
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (per_key[i].empty()) continue;
      for (const std::string& k : limiter_->StateKeys(keys_[i], per_key[i].back().t)) {
        state.push_back(k);
      }
    }
    memory = RespMemoryPerKey(admin, state, keys_used);
  }
  if (!memory.ok()) return note + " Memory not measured: " + memory.status().message() + ".";
  AddMemoryFigures(*memory, &figures_);
  memory_method_ = memory->method;
  return note;
}

Correctness RatelimitRun::Judge(const Tally& t) const {
  const Contract k = RateContract();
  Correctness c;
  c.figures["admitted"] = static_cast<double>(t.admitted);
  c.figures["rejected"] = static_cast<double>(t.rejected);
  c.figures["limit"] = static_cast<double>(p_.limit);
  c.figures["window_ms"] = static_cast<double>(p_.window_us) / 1000;
  c.figures["max_in_window"] = static_cast<double>(t.max_in_window);
  c.figures["max_in_window_ratio"] =
      static_cast<double>(t.max_in_window) / static_cast<double>(p_.limit);
  c.figures["wrongful_rejections"] = static_cast<double>(t.wrongful);
  // The verdict judges each limiter on its own contract (ApproachInfo::contract); the lesson's
  // figure, the most admitted in any rolling window, stays beside it either way.
  if (k.applies) {
    c.figures["burst_allowance"] = static_cast<double>(k.b) / static_cast<double>(k.a);
    c.figures["max_burst"] = static_cast<double>(t.max_excess) / static_cast<double>(k.a);
    c.ok = t.max_excess <= k.b;
  } else {
    // Fixed window and the sliding-window counter are judged on the rolling window too: that is
    // what "100 per second" is read as, and what the lesson shows them breaking. The sliding
    // log also promises never to reject what an exact sliding count would admit.
    c.ok = t.max_in_window <= p_.limit && (!strict_ || t.wrongful == 0);
  }
  char buf[320];
  std::snprintf(buf, sizeof(buf),
                "At most %lld admitted in a rolling %lld ms window (limit %lld, %.2fx); %lld "
                "admitted, %lld rejected, %lld rejections an exact sliding count would have "
                "admitted.",
                static_cast<long long>(t.max_in_window),
                static_cast<long long>(p_.window_us / 1000), static_cast<long long>(p_.limit),
                static_cast<double>(t.max_in_window) / static_cast<double>(p_.limit),
                static_cast<long long>(t.admitted), static_cast<long long>(t.rejected),
                static_cast<long long>(t.wrongful));
  c.note = buf;
  if (k.applies) {
    std::snprintf(buf, sizeof(buf),
                  " Its contract (a burst of %.4g plus the rate over any interval): the largest "
                  "burst seen was %.4g, %s.",
                  c.figures["burst_allowance"], c.figures["max_burst"],
                  c.ok ? "kept" : "BROKEN");
    c.note += buf;
  }
  return c;
}

Result<Correctness> RatelimitRun::Verify(Client& admin) {
  // Per key, in time order (one worker per key, so its log order is time order).
  std::vector<std::vector<Decision>> per_key(keys_.size());
  int64_t last_now = origin_;
  for (const auto& log : logs_) {
    for (const KeyDecision& kd : log->decisions)
      per_key[static_cast<size_t>(kd.key)].push_back(kd.d);
    last_now = std::max(last_now, log->last_now);
  }
  const Tally t = TallyDecisions(per_key);
  if (!per_key.empty()) BuildSeries(per_key[0]);
  figures_["keys"] = static_cast<double>(t.keys_used);
  figures_["virtual_s"] = static_cast<double>(last_now - origin_) / 1e6;
  const std::string memory_note = MeasureMemory(admin, per_key, t.keys_used);

  Correctness c = Judge(t);
  c.note += memory_note;
  if (t.admitted + t.rejected == 0) {
    c.ok = false;
    c.note = "No decisions were made.";
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// The scenario.

constexpr uint32_t kRespScript = adapters::kCapScripting;

// The five limiters. Each runs as approach `id` on the Redis-likes and as `id`-sql on PostgreSQL,
// titled "<name> (<how>)"; both share the summary, the verdict expected and the contract.
struct Algorithm {
  Algo algo;
  const char* id;
  const char* name;
  const char* resp_how;
  uint32_t resp_needs;
  const char* sql_how;
  bool expected_correct;
  const char* summary;
  const char* contract;  // what it promises (ApproachInfo::contract): Verify judges it on this
};

constexpr Algorithm kAlgorithms[] = {
    {Algo::kFixed, "fixed-window", "Fixed window", "MULTI INCR+PEXPIRE",
     adapters::kCapIncr | adapters::kCapWatchMulti, "SQL upsert", false,
     "one counter per calendar window (INCR + PEXPIRE in MULTI/EXEC; SQL upsert): cheap, but up "
     "to 2x the limit across a window edge",
     "never more than the limit per calendar window, so up to 2x the limit in a rolling window "
     "across an edge; judged on the rolling window it is taken for"},
    {Algo::kLog, "sliding-log", "Sliding log", "sorted set, Lua",
     kRespScript | adapters::kCapSortedSets, "SQL function", true,
     "a sorted set of admission times: drop the old, count, add (one Lua script; SQL function "
     "with an advisory lock): exact, memory grows with the limit",
     "never more than the limit in any rolling window, and no rejection an exact sliding count "
     "would admit"},
    {Algo::kCounter, "sliding-window-counter", "Sliding-window counter", "Lua", kRespScript,
     "SQL function", false,
     "this window's count + the previous one's weighted by overlap: two counters, approximate",
     "about the limit in any rolling window (it assumes the previous window was uniform); judged "
     "on the rolling window"},
    {Algo::kBucket, "token-bucket", "Token bucket", "Lua", kRespScript | adapters::kCapHashes,
     "SQL upsert", true,
     "tokens refilled at limit/window, capacity = limit: smooth, allows a burst of capacity",
     "never more than capacity + rate x t admitted in any interval t (capacity = limit, rate = "
     "limit per window)"},
    {Algo::kGcra, "gcra", "GCRA", "Lua", kRespScript, "SQL upsert", true,
     "one theoretical arrival time per key: token bucket's behaviour in a single integer",
     "never more than burst + t / T admitted in any interval t (T = window / limit, burst = "
     "window / T = the limit)"},
};

ScenarioInfo BuildInfo() {
  ScenarioInfo info = LessonInfo(
      "ratelimit", "Rate limiting: fixed vs sliding windows", "decisions",
      "When the limit is 100 requests per second, how many requests does each limiter actually "
      "let through in one second?");
  // Every limiter on the Redis-likes, then every one on PostgreSQL.
  for (const bool sql : {false, true}) {
    for (const Algorithm& a : kAlgorithms) {
      info.approaches.push_back(
          {std::string(a.id) + (sql ? "-sql" : ""),
           std::string(a.name) + " (" + (sql ? a.sql_how : a.resp_how) + ")", a.summary,
           sql ? adapters::kCapSql : a.resp_needs, a.expected_correct, a.contract});
    }
  }
  info.expected =
      "Under the boundary pattern the fixed window admits the limit just before the edge and the "
      "limit again just after: about 2x the limit inside one rolling window. The sliding log never "
      "admits more than the limit in any rolling window and never rejects wrongly. The "
      "sliding-window counter overshoots a little (it assumes the previous window was uniform). "
      "Token bucket and GCRA admit a full burst plus what refills meanwhile (about 1.2x here): by "
      "design, they limit the average rate and the burst size, not every rolling window. Each is "
      "judged on its own contract: the sliding log on every rolling window, token bucket and GCRA "
      "on capacity + rate x t over any interval t (both keep it), and the fixed window and the "
      "counter on the rolling window they are taken for (both break it under this traffic).";
  info.lesson =
      "What happens: a client sends 100 requests in the last 100 ms of a second and 100 more in "
      "the first 100 ms of the next. A fixed-window limiter (\"100 per calendar second\", INCR on "
      "a per-second key) admits all 200 — each calendar second saw only 100 — so the backend "
      "gets twice the rate it was promised, within 200 ms.\n\n"
      "Why: the fixed window forgets everything at the edge. Its promise is per calendar window, "
      "not per any window of that length. Token bucket and GCRA promise something else again: an "
      "average rate with a burst allowance, so a full bucket plus its refill can pass in one "
      "window. The sliding log remembers every admission time and checks the real rolling window, "
      "which is exact — at the cost of memory proportional to the limit per client (see "
      "memory_per_key_bytes) and a sorted-set update per request.\n\n"
      "The fix: decide what the limit must guarantee. If no rolling window may ever exceed it, use "
      "a sliding log (atomically: one Lua script, or a SQL function holding a per-key lock). If an "
      "average rate with bounded bursts is the real requirement, token bucket or GCRA are cheaper "
      "(one small value per client) and honest about it. The sliding-window counter is a cheap "
      "approximation that slightly overshoots. All of them must run atomically on the server: "
      "the read-decide-write done in the client would race.\n\n"
      "How this is measured: each request carries its scheduled time as the limiter's clock "
      "(virtual time), so the decisions are exactly reproducible on every target and the cost "
      "measured is one real decision round trip. PostgreSQL does this well too: an upsert with "
      "RETURNING is one round trip, and a PL/pgSQL function is its Lua.";
  info.live_figures = {"admitted", "rejected"};
  info.default_clients = 4;
  info.default_duration_s = 1.0;  // virtual time: 1 s of real time covers many windows
  info.knobs = {
      ChoiceKnob("pattern",
                 "traffic: boundary (the limit before and after a window edge), steady (2x the "
                 "limit), bursty (Poisson bursts), many-keys (10,000 clients, for memory)",
                 {"boundary", "steady", "bursty", "many-keys"}, {0}, kKnobSweeps),
      Knob("limit", "requests admitted per window", 1, 10'000, {100}),
      Knob("window-ms", "the limit's window in milliseconds", 10, 10'000, {1000}),
  };
  return info;
}

ApproachSpec SpecFor(std::string_view id) {
  const bool sql = id.ends_with("-sql");
  const std::string_view base = sql ? id.substr(0, id.size() - 4) : id;
  for (const Algorithm& a : kAlgorithms) {
    if (base == a.id) return {a.algo, sql};
  }
  RT_CHECK(!"an approach id the lesson's table lacks");
  return {Algo::kFixed, sql};
}

class RatelimitScenario final : public Lesson {
 public:
  RatelimitScenario() : Lesson(BuildInfo()) {}

  Result<std::unique_ptr<ApproachRun>> Prepare(const ApproachInfo& approach, Client& admin,
                                               const RunContext& context) const override;

};

Result<std::unique_ptr<ApproachRun>> RatelimitScenario::Prepare(const ApproachInfo& approach,
                                                                Client& admin,
                                                                const RunContext& context) const {
  Params p;
  const double limit = RunKnobValue(info_, context.extra, "limit");
  const double window_ms = RunKnobValue(info_, context.extra, "window-ms");
  const double pattern = RunKnobValue(info_, context.extra, "pattern");
  for (const char* name : {"limit", "window-ms", "pattern"}) {
    const KnobInfo* k = FindKnob(info_, name);
    const double v = RunKnobValue(info_, context.extra, name);
    if (v < k->min || v > k->max || std::floor(v) != v) {
      return Status::InvalidArgument(std::string("--") + name + " must be between " +
                                     std::to_string(static_cast<int64_t>(k->min)) + " and " +
                                     std::to_string(static_cast<int64_t>(k->max)));
    }
  }
  p.limit = static_cast<int64_t>(limit);
  p.window_us = static_cast<int64_t>(window_ms) * 1000;
  const ApproachSpec spec = SpecFor(approach.id);
  // A fresh key prefix per run: nothing to delete on Redis-likes (old keys expire).
  const uint64_t nonce = (context.seed * 0x9E3779B97F4A7C15ULL) ^
                         static_cast<uint64_t>(engine::MonotonicUs());
  const std::string prefix = "rl:" + approach.id + ":" + std::to_string(nonce % 1'000'000'007) + ":";
  if (spec.sql) {
    // Create the tables and functions once (IF NOT EXISTS would print a notice every time).
    auto exists = admin.Query(SqlStatement{"", "SELECT to_regclass('rl_gcra') IS NOT NULL AND "
                                               "to_regprocedure('rl_window_counter(text,bigint,"
                                               "bigint,integer)') IS NOT NULL"},
                              {});
    if (!exists.ok()) return Status(exists.status());
    const bool ready = exists->Scalar().value_or("f") == "t";
    for (const char* sql : kSqlSetup) {
      if (ready) break;
      auto r = admin.Query(SqlStatement{"", sql}, {});
      if (!r.ok()) return Status(r.status());
    }
    auto r = admin.Query(SqlStatement{"", std::string("TRUNCATE ") + SqlTable(spec.algo)}, {});
    if (!r.ok()) return Status(r.status());
  }
  const int64_t origin = (kVirtualOriginUs / (2 * p.window_us) + 1) * (2 * p.window_us);
  auto run = std::make_unique<RatelimitRun>(spec, spec.algo == Algo::kLog, p,
                                            static_cast<TrafficPattern>(static_cast<int>(pattern)),
                                            prefix, origin, context.seed, context.clients);
  return PreparedRun(std::move(run), Status::Ok());
}

}  // namespace

std::unique_ptr<Scenario> MakeRatelimitScenario() { return std::make_unique<RatelimitScenario>(); }

}  // namespace racetrack::scenarios
