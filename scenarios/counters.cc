// counters: N clients increment one hot counter at the same time.
//
// The seed article says "use INCR for counters, a read-modify-write loses updates". This lesson
// measures both halves of that sentence on every target: the unsafe approaches must lose updates
// (the harness releases all clients at once on one key, so the race window is hit constantly),
// the safe ones must lose none, and the timing shows what each safe way costs.
//
// Bookkeeping: a worker counts an increment as *acknowledged* only after the target confirmed it
// (the SET/EXEC/COMMIT returned OK). At the end, observed = the counter's value; lost_updates =
// acknowledged - observed. An acknowledged increment that is not in the final value was lost.
#include "scenarios/counters.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/base/parse.h"
#include "scenarios/claims.h"
#include "scenarios/knobs.h"

namespace racetrack::scenarios {

namespace {

using adapters::Isolation;

constexpr char kLesson[] = R"(Two clients read a counter (41), both add one in their own memory, both write 42: two increments happened, one survived. That is a lost update, and it needs no bug in the database, only a read and a write that are separate requests.

Client-side read-modify-write (GET, parse, +1, SET) loses updates on every target, the built-in engine included, because another client's SET can land between our GET and our SET. The SQL version (SELECT v, then UPDATE ... SET v = $1) loses them the same way at PostgreSQL's default READ COMMITTED isolation: the SELECT takes no lock, so two transactions read the same value.

The fixes move the increment to where the data lives or make the conflict visible:
- INCR / HINCRBY: the server does read-add-write as one command; a single-threaded server cannot interleave anything inside it.
- A Lua script: the whole script runs atomically, so even a GET + SET inside it is safe.
- WATCH/MULTI/EXEC: optimistic; EXEC fails if the key changed since WATCH and the client retries (the retries are the cost under contention).
- UPDATE ... SET v = v + 1: the row lock serializes writers and the new value is computed from the latest committed one.
- SELECT ... FOR UPDATE: takes the row lock at read time; the others wait.
- SERIALIZABLE: PostgreSQL detects the conflict and aborts one transaction (SQLSTATE 40001); the client retries.

Expect INCR to be the fastest safe way and WATCH and SERIALIZABLE to pay in retries as clients grow; on PostgreSQL the single-statement UPDATE beats both locking transactions because it is one round trip instead of four.)";

constexpr char kKeyPrefix[] = "rt:counters:";
constexpr char kHashKey[] = "rt:counters:hash";
constexpr char kHashField[] = "hits";

const SqlStatement kCreate{"", "CREATE TABLE IF NOT EXISTS rt_counters (id text PRIMARY KEY, "
                               "v bigint NOT NULL)"};
const SqlStatement kReset{"", "INSERT INTO rt_counters (id, v) VALUES ($1, 0) "
                              "ON CONFLICT (id) DO UPDATE SET v = 0"};
const SqlStatement kSelect{"rt_counters_select", "SELECT v FROM rt_counters WHERE id = $1"};
const SqlStatement kSelectForUpdate{"rt_counters_select_fu",
                                    "SELECT v FROM rt_counters WHERE id = $1 FOR UPDATE"};
const SqlStatement kWrite{"rt_counters_write", "UPDATE rt_counters SET v = $2 WHERE id = $1"};
const SqlStatement kIncrement{"rt_counters_increment",
                              "UPDATE rt_counters SET v = v + 1 WHERE id = $1"};
// --counter-keys N > 1: the rows "<key>:0" .. "<key>:N-1", made and summed in one statement each.
const SqlStatement kResetMany{"", "INSERT INTO rt_counters (id, v) SELECT $1 || ':' || g, 0 FROM "
                                  "generate_series(0, $2::int - 1) g "
                                  "ON CONFLICT (id) DO UPDATE SET v = 0"};
const SqlStatement kSumMany{"rt_counters_sum",
                            "SELECT coalesce(sum(v), 0) FROM rt_counters WHERE id LIKE $1 || ':%'"};

constexpr char kLuaIncrement[] =
    "local v = tonumber(redis.call('GET', KEYS[1]) or '0') + 1\n"
    "redis.call('SET', KEYS[1], v)\n"
    "return v";

enum class Kind {
  kClientRmw,
  kWatchMulti,
  kIncr,
  kHIncrBy,
  kLua,
  kSqlReadThenWrite,
  kSqlUpdateIncrement,
  kSqlSelectForUpdate,
  kSqlSerializable,
};

const LessonApproach<Kind> kApproaches[] = {
    {Kind::kClientRmw,
     {"client-rmw", "GET + modify + SET",
      "read a JSON object, add one in the client, write it back", kCapStrings, false}},
    {Kind::kWatchMulti,
     {"watch-multi", "WATCH/MULTI/EXEC",
      "optimistic: EXEC fails if the key changed since WATCH; retry", kCapWatchMulti, true}},
    {Kind::kIncr, {"incr", "INCR", "the server increments in one command", kCapIncr, true}},
    {Kind::kHIncrBy, {"hincrby", "HINCRBY", "the same, on a field of a hash", kCapHashes, true}},
    {Kind::kLua,
     {"lua-script", "Lua script", "GET + SET inside one EVAL, which runs atomically", kCapScripting,
      true}},
    {Kind::kSqlReadThenWrite,
     {"sql-read-then-write", "SQL SELECT then UPDATE",
      "SELECT v, then UPDATE ... SET v = $1, at READ COMMITTED", kCapSql, false}},
    {Kind::kSqlUpdateIncrement,
     {"sql-update-increment", "SQL UPDATE v = v + 1", "one statement: UPDATE ... SET v = v + 1",
      kCapSql, true}},
    {Kind::kSqlSelectForUpdate,
     {"sql-select-for-update", "SQL SELECT ... FOR UPDATE",
      "lock the row when reading it, then UPDATE", kCapSql, true}},
    {Kind::kSqlSerializable,
     {"sql-serializable", "SQL SERIALIZABLE + retry",
      "SELECT then UPDATE at SERIALIZABLE; retry on serialization failure", kCapSql, true}},
};

Kind KindOf(std::string_view id) { return KindOfApproach(id, kApproaches); }

bool IsSql(Kind k) {
  return k == Kind::kSqlReadThenWrite || k == Kind::kSqlUpdateIncrement ||
         k == Kind::kSqlSelectForUpdate || k == Kind::kSqlSerializable;
}

Result<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  if (!ParseWhole(s, &v)) {
    return Status::Corruption("counter value is not an integer: '" + std::string(s) + "'");
  }
  return v;
}

// The JSON object the client-side read-modify-write keeps: {"count": N}.
Result<int64_t> ParseJsonCount(const std::optional<std::string>& text) {
  if (!text) return int64_t{0};
  auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("count") ||
      !j["count"].is_number_integer()) {
    return Status::Corruption("counter is not a {\"count\": N} JSON object");
  }
  return j["count"].get<int64_t>();
}

std::string JsonCount(int64_t n) { return nlohmann::json{{"count", n}}.dump(); }

class CountersRun;

class CountersWorker final : public Worker {
 public:
  CountersWorker(CountersRun* run, Client* client, int index)
      : run_(run), client_(client), next_(static_cast<size_t>(index)) {}
  Status Step() override;

 private:
  Status SqlTransaction(const std::string& key, Isolation isolation, const SqlStatement& select,
                        bool retry_conflicts);

  CountersRun* run_;
  Client* client_;
  size_t next_;  // the next counter this worker increments (--counter-keys: round robin)
};

class CountersRun final : public ApproachRun {
 public:
  CountersRun(const ApproachInfo& approach, int clients, int counter_keys)
      : approach_(approach), kind_(KindOf(approach.id)), clients_(clients),
        key_(std::string(kKeyPrefix) + approach.id) {
    // One hot counter keeps its historical name; N counters are "<key>:i" (hash fields
    // "hits:i": one hash is one key, so it lives on one cluster shard however many fields).
    for (int i = 0; i < counter_keys; ++i) {
      keys_.push_back(counter_keys == 1 ? key_ : key_ + ":" + std::to_string(i));
      fields_.push_back(counter_keys == 1 ? std::string(kHashField)
                                          : std::string(kHashField) + ":" + std::to_string(i));
    }
  }

  Result<std::unique_ptr<Worker>> MakeWorker(Client& client, int index) override {
    return std::unique_ptr<Worker>(std::make_unique<CountersWorker>(this, &client, index));
  }

  // The sum of the counters' current values as this approach stores them.
  Result<int64_t> ReadValue(Client& c) const {
    if (keys_.size() > 1) return ReadMany(c);
    switch (kind_) {
      case Kind::kClientRmw: {
        auto v = c.Get(key_);
        if (!v.ok()) return v.status();
        return ParseJsonCount(*v);
      }
      case Kind::kHIncrBy: {
        auto r = c.Command({"HGET", kHashKey, kHashField});
        if (!r.ok()) return r.status();
        if (r->is_error()) return Status::InvalidArgument(r->str);
        if (r->is_nil()) return int64_t{0};
        return ParseInt(r->str);
      }
      case Kind::kWatchMulti:
      case Kind::kIncr:
      case Kind::kLua: {
        auto v = c.Get(key_);
        if (!v.ok()) return v.status();
        if (!v->has_value()) return int64_t{0};
        return ParseInt(**v);
      }
      default: {
        auto rows = c.Query(kSelect, std::vector<std::string>{key_});
        if (!rows.ok()) return rows.status();
        auto v = rows->Scalar();
        if (!v) return Status::NotFound("counter row '" + key_ + "' is missing");
        return ParseInt(*v);
      }
    }
  }

  // --counter-keys N > 1: one pipeline of N reads (split per node on a cluster), one HVALS, or
  // one SQL sum.
  Result<int64_t> ReadMany(Client& c) const {
    if (IsSql(kind_)) {
      auto rows = c.Query(kSumMany, std::vector<std::string>{key_});
      if (!rows.ok()) return rows.status();
      return ParseInt(rows->Scalar().value_or("0"));
    }
    std::vector<adapters::Argv> reads;
    if (kind_ == Kind::kHIncrBy) {
      reads.push_back({"HVALS", kHashKey});
    } else {
      for (const std::string& k : keys_) reads.push_back({"GET", k});
    }
    auto replies = c.Pipeline(reads);
    if (!replies.ok()) return replies.status();
    const std::vector<adapters::Reply>& values =
        kind_ == Kind::kHIncrBy ? replies->front().elements : *replies;
    int64_t sum = 0;
    for (const adapters::Reply& r : values) {
      if (r.is_error()) return Status::InvalidArgument(r.str);
      if (r.is_nil()) continue;
      auto v = kind_ == Kind::kClientRmw ? ParseJsonCount(r.str) : ParseInt(r.str);
      if (!v.ok()) return v.status();
      sum += *v;
    }
    return sum;
  }

  Status Reset(Client& c) const {
    if (keys_.size() > 1) {
      if (IsSql(kind_)) {
        auto created = c.Query(kCreate, {});
        if (!created.ok()) return created.status();
        auto reset = c.Query(kResetMany,
                             std::vector<std::string>{key_, std::to_string(keys_.size())});
        return reset.ok() ? Status::Ok() : reset.status();
      }
      if (kind_ == Kind::kHIncrBy) {
        auto r = c.Del(kHashKey);
        return r.ok() ? Status::Ok() : r.status();
      }
      std::vector<adapters::Argv> writes;
      for (const std::string& k : keys_) {
        writes.push_back({"SET", k, kind_ == Kind::kClientRmw ? JsonCount(0) : "0"});
      }
      auto r = c.Pipeline(writes);
      if (!r.ok()) return r.status();
      for (const adapters::Reply& reply : *r) {
        if (reply.is_error()) return Status::InvalidArgument(reply.str);
      }
      return Status::Ok();
    }
    if (IsSql(kind_)) {
      auto created = c.Query(kCreate, {});
      if (!created.ok()) return created.status();
      auto reset = c.Query(kReset, std::vector<std::string>{key_});
      return reset.ok() ? Status::Ok() : reset.status();
    }
    if (kind_ == Kind::kHIncrBy) {
      auto r = c.Del(kHashKey);
      return r.ok() ? Status::Ok() : r.status();
    }
    if (kind_ == Kind::kClientRmw) return c.Set(key_, JsonCount(0));
    return c.Set(key_, "0");
  }

  Result<std::map<std::string, double>> Sample(Client& observer) override {
    const int64_t acked = acked_.load(std::memory_order_relaxed);
    auto observed = ReadValue(observer);
    if (!observed.ok()) return observed.status();
    // In-flight increments are applied but not yet acknowledged, so acked - observed can be
    // briefly negative for safe approaches; losses only ever add up.
    return std::map<std::string, double>{
        {"lost_updates", static_cast<double>(std::max<int64_t>(0, acked - *observed))},
        // The GUI's live "expected vs observed" bars.
        {"expected", static_cast<double>(acked)},
        {"observed", static_cast<double>(*observed)},
        {"retries", static_cast<double>(retries_.load(std::memory_order_relaxed))}};
  }

  Result<Correctness> Verify(Client& admin) override {
    auto observed = ReadValue(admin);
    if (!observed.ok()) return observed.status();
    return Judge(acked_.load(), *observed, retries_.load());
  }

  // The verdict from acknowledged increments and the value found (also over a sharded run's
  // parts: VerifyShards).
  Correctness Judge(int64_t expected, int64_t observed, int64_t retries) const {
    const int64_t lost = expected - observed;
    Correctness c;
    c.ok = lost == 0;
    c.figures = {{"expected", static_cast<double>(expected)},
                 {"observed", static_cast<double>(observed)},
                 {"lost_updates", static_cast<double>(lost)},
                 {"retries", static_cast<double>(retries)}};
    if (lost > 0) {
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.1f%%",
                    100.0 * static_cast<double>(lost) /
                        static_cast<double>(std::max<int64_t>(1, expected)));
      c.note = std::to_string(lost) + " of " + std::to_string(expected) +
               " acknowledged increments were lost (" + pct + ")";
      if (!approach_.expected_correct) c.note += ": the race this lesson shows";
      c.note += ".";
    } else if (lost < 0) {
      c.note = "the counter is " + std::to_string(-lost) +
               " above the acknowledged increments (an increment applied whose reply was lost?).";
    } else if (!approach_.expected_correct) {
      c.note = clients_ <= 1
                   ? "nothing lost: one client cannot race with itself; run with --clients 2 or "
                     "more to see the lost updates."
                   : "nothing lost in this run, but only by luck: the approach is still unsafe "
                     "(the race window was never hit; try more clients or a longer run).";
    } else {
      c.note = "every acknowledged increment is in the final value.";
    }
    return c;
  }

  // The counter a worker's `n`-th step increments, and its hash field.
  const std::string& key(size_t n) const { return keys_[n % keys_.size()]; }
  const std::string& field(size_t n) const { return fields_[n % fields_.size()]; }
  Kind kind() const { return kind_; }
  void Ack() { acked_.fetch_add(1, std::memory_order_relaxed); }
  int clients() const { return clients_; }
  void Retry() { retries_.fetch_add(1, std::memory_order_relaxed); }

 private:
  const ApproachInfo& approach_;
  Kind kind_;
  int clients_;
  std::string key_;
  std::vector<std::string> keys_;
  std::vector<std::string> fields_;
  std::atomic<int64_t> acked_{0};
  std::atomic<int64_t> retries_{0};
};

Status CountersWorker::SqlTransaction(const std::string& key, Isolation isolation,
                                      const SqlStatement& select, bool retry_conflicts) {
  const std::vector<std::string> id{key};
  for (;;) {
    Status s = client_->Begin(isolation);
    if (!s.ok()) return s;
    auto rows = client_->Query(select, id);
    Status failed = rows.status();
    if (rows.ok()) {
      auto v = rows->Scalar();
      auto current = v ? ParseInt(*v) : Result<int64_t>(Status::NotFound("counter row missing"));
      failed = current.status();
      if (current.ok()) {
        auto written = client_->Query(kWrite, std::vector<std::string>{
                                                  key, std::to_string(*current + 1)});
        failed = written.status();
        if (written.ok()) {
          failed = client_->Commit();
          if (failed.ok()) {
            run_->Ack();
            return Status::Ok();
          }
        }
      }
    }
    const bool conflict = client_->LastErrorWasConflict();
    // A dead connection cannot roll back; report the original failure.
    if (failed.code() == Status::Code::kUnavailable) return failed;
    Status rolled_back = client_->Rollback();
    if (!rolled_back.ok()) return rolled_back;
    if (!(conflict && retry_conflicts)) return failed;
    run_->Retry();
  }
}

Status CountersWorker::Step() {
  const size_t n = next_;
  next_ += static_cast<size_t>(run_->clients());
  const std::string& key = run_->key(n);
  switch (run_->kind()) {
    case Kind::kClientRmw: {
      auto text = client_->Get(key);
      if (!text.ok()) return text.status();
      auto count = ParseJsonCount(*text);
      if (!count.ok()) return count.status();
      Status s = client_->Set(key, JsonCount(*count + 1));
      if (!s.ok()) return s;
      run_->Ack();
      return Status::Ok();
    }
    case Kind::kWatchMulti: {
      const std::vector<std::string> keys{key};
      for (;;) {
        Status s = client_->Watch(keys);
        if (!s.ok()) return s;
        auto text = client_->Get(key);
        if (!text.ok()) return text.status();
        auto value = text->has_value() ? ParseInt(**text) : Result<int64_t>(int64_t{0});
        if (!value.ok()) return value.status();
        const std::vector<adapters::Argv> queued{{"SET", key, std::to_string(*value + 1)}};
        auto exec = client_->Exec(queued);
        if (!exec.ok()) return exec.status();
        if (exec->has_value()) break;
        run_->Retry();  // the key changed between WATCH and EXEC: read again
      }
      run_->Ack();
      return Status::Ok();
    }
    case Kind::kIncr: {
      auto v = client_->Incr(key);
      if (!v.ok()) return v.status();
      run_->Ack();
      return Status::Ok();
    }
    case Kind::kHIncrBy: {
      auto v = client_->HIncrBy(kHashKey, run_->field(n));
      if (!v.ok()) return v.status();
      run_->Ack();
      return Status::Ok();
    }
    case Kind::kLua: {
      const std::vector<std::string> keys{key};
      auto v = client_->Eval(kLuaIncrement, keys, {});
      if (!v.ok()) return v.status();
      run_->Ack();
      return Status::Ok();
    }
    case Kind::kSqlReadThenWrite:
      return SqlTransaction(key, Isolation::kReadCommitted, kSelect, /*retry_conflicts=*/false);
    case Kind::kSqlSelectForUpdate:
      return SqlTransaction(key, Isolation::kReadCommitted, kSelectForUpdate, false);
    case Kind::kSqlSerializable:
      return SqlTransaction(key, Isolation::kSerializable, kSelect, /*retry_conflicts=*/true);
    case Kind::kSqlUpdateIncrement: {
      auto r = client_->Query(kIncrement, std::vector<std::string>{key});
      if (!r.ok()) return r.status();
      if (r->affected != 1) return Status::NotFound("counter row '" + key + "' is missing");
      run_->Ack();
      return Status::Ok();
    }
  }
  return Status::Internal("unknown approach");
}

ScenarioInfo BuildInfo() {
  ScenarioInfo info = LessonInfo(
      "counters", "Counters under concurrency", "increments",
      "When many clients increment the same counter at once, which ways lose updates, and what "
      "does each safe way cost?");
  info.approaches = ApproachInfos(kApproaches);
  info.expected =
      "The two read-then-write approaches (client-rmw, sql-read-then-write) lose updates as "
      "soon as two clients race; every other approach loses none. INCR/HINCRBY are fastest; "
      "WATCH and SERIALIZABLE pay with retries that grow with the number of clients.";
  info.lesson = kLesson;
  info.live_figures = {"lost_updates", "retries", "expected", "observed"};
  info.default_clients = 8;
  // A knob for sharded targets: one hot counter lives on one shard; N spread over all.
  info.knobs = {Knob("counter-keys",
                     "Counters the increments spread over, round robin (default 1: one hot "
                     "counter). On redis-cluster the record's cluster_ops:<node> figures show "
                     "one shard doing all the work at 1 and every shard sharing it at 1000",
                     1, 100000, {1}, kKnobSweeps)};
  return info;
}

class CountersScenario final : public Lesson {
 public:
  CountersScenario() : Lesson(BuildInfo()) {}

  // Records get a counter-keys param only when the knob is given.
  std::vector<std::map<std::string, double>> ParameterPoints(
      const ApproachInfo&, adapters::TargetKind, const KnobValues& knobs) const override {
    auto it = knobs.find("counter-keys");
    if (it == knobs.end() || it->second.empty()) return {{}};
    std::vector<std::map<std::string, double>> points;
    for (double v : it->second) points.push_back({{"counter-keys", v}});
    return points;
  }

  Result<std::unique_ptr<ApproachRun>> Prepare(const ApproachInfo& approach, Client& admin,
                                               const RunContext& context) const override {
    const int counter_keys = static_cast<int>(RunKnobValue(info_, context.extra, "counter-keys"));
    auto run = std::make_unique<CountersRun>(approach, context.clients, counter_keys);
    // A shard after the first increments the counter shard 1 has reset.
    Status s = context.shard_index > 1 ? Status::Ok() : run->Reset(admin);
    return PreparedRun(std::move(run), s);
  }

  bool Shardable() const override { return true; }

  // Every shard's acknowledged increments against the one final value.
  Result<Correctness> VerifyShards(const ApproachInfo& approach, Client& admin,
                                   const RunContext& context,
                                   const std::vector<Correctness>& parts) const override {
    const int counter_keys = static_cast<int>(RunKnobValue(info_, context.extra, "counter-keys"));
    CountersRun run(approach, context.clients, counter_keys);
    int64_t expected = 0, retries = 0;
    for (const Correctness& part : parts) {
      auto e = part.figures.find("expected");
      if (e == part.figures.end()) return Status::InvalidArgument("a part has no 'expected' figure");
      expected += static_cast<int64_t>(e->second);
      auto r = part.figures.find("retries");
      if (r != part.figures.end()) retries += static_cast<int64_t>(r->second);
    }
    auto observed = run.ReadValue(admin);
    if (!observed.ok()) return observed.status();
    return run.Judge(expected, *observed, retries);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeCountersScenario() { return std::make_unique<CountersScenario>(); }

}  // namespace racetrack::scenarios
