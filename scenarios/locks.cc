// Lesson `locks`: invoice numbers under a lock, and what a paused holder does to each lock.
//
// One Step = one invoice: take the lock (waiting as long as it takes), read the last number from
// the resource, (maybe stall: the scheduled pause), work --work-ms, write number + 1, release.
// The worker records its critical section (lock acquired .. write acknowledged) and the resource
// records its own order of writes (the RPUSH's list length; the log table's bigserial), so the
// check needs no clock agreement between servers: overlaps are judged against the resource's
// order (Analyze in locks.h).
//
// Why the pause sits between the read and the write: that is where a real GC pause hurts — the
// holder has read state it will act on, its lease runs out while it is stopped, and it then
// writes as if it still held the lock. A check of the lease before writing would not help: the
// pause can strike right after the check.
//
// Why fencing registers the token on the read as well as on the write: a resource that only
// compared tokens on writes would let a stale holder's write land between a newer holder's read
// and write (both read N, both write N + 1). The resource therefore remembers the highest token
// it has seen on any access, and refuses a read or a write from an older one.
#include "scenarios/locks.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>

#include "adapters/throwaway.h"
#include "adapters/url.h"
#include "engine/base/clock.h"
#include "engine/base/split.h"
#include "scenarios/claims.h"
#include "scenarios/knobs.h"

namespace racetrack::scenarios {

namespace locks {

Analysis Analyze(const std::vector<Section>& sections) {
  Analysis a;
  a.issued = static_cast<int64_t>(sections.size());
  a.overlapping.assign(sections.size(), false);
  std::unordered_set<int64_t> seen;
  int64_t max_number = 0;
  for (const Section& s : sections) {
    if (!seen.insert(s.number).second) ++a.duplicates;
    max_number = std::max(max_number, s.number);
  }
  for (int64_t n = 1; n <= max_number; ++n) a.gaps += seen.count(n) == 0 ? 1 : 0;
  // In the resource's order of writes, a section overlaps when it started before the latest end
  // among the sections written before it.
  std::vector<size_t> order(sections.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return sections[x].write_order < sections[y].write_order;
  });
  a.interleaving.assign(sections.size(), false);
  int64_t latest_end = INT64_MIN;
  int64_t previous_number = 0;  // the resource starts at 0
  for (size_t i : order) {
    if (sections[i].start_us < latest_end) {
      a.overlapping[i] = true;
      ++a.overlaps;
    }
    if (sections[i].number != previous_number + 1) {
      a.interleaving[i] = true;
      ++a.interleaved;
    }
    latest_end = std::max(latest_end, sections[i].end_us);
    previous_number = sections[i].number;
  }
  return a;
}

bool PausesOn(uint64_t acquisition, int64_t every) {
  return every > 0 && acquisition % static_cast<uint64_t>(every) == 0;
}

}  // namespace locks

namespace {

using locks::Section;

enum class Kind {
  kNoLock,
  kSetNx,
  kSetNxPaused,
  kRedlock,
  kFencing,
  kSqlAdvisory,
  kSqlForUpdate,
  kSqlSequence,
};

const LessonApproach<Kind> kApproaches[] = {
    {Kind::kNoLock,
     {"no-lock", "No lock", "read the last number, work, write number + 1: no lock at all",
      kCapStrings | kCapScripting, false}},
    {Kind::kSetNx,
     {"set-nx-px", "SET NX PX", "SET lock token NX PX lease; release by compare-and-delete script",
      kCapStrings | kCapScripting, true}},
    {Kind::kSetNxPaused,
     {"set-nx-px-paused", "SET NX PX + paused holder",
      "the same, with a holder stalling for --pause-ms (3x the lease) every --pause-every-th time",
      kCapStrings | kCapScripting, false}},
    {Kind::kRedlock,
     {"redlock", "Redlock (3 servers) + paused holder",
      "majority of three independent servers, validity = lease - elapsed - drift; same pauses",
      kCapStrings | kCapScripting, false}},
    {Kind::kFencing,
     {"fencing", "Fencing tokens + paused holder",
      "the grant carries an INCR token; the resource refuses older tokens; same pauses", 0, true}},
    {Kind::kSqlAdvisory,
     {"sql-advisory", "pg_advisory_xact_lock",
      "a transaction-scoped advisory lock around read + write; same pauses", kCapSql, true}},
    {Kind::kSqlForUpdate,
     {"sql-for-update", "SELECT ... FOR UPDATE",
      "the counter row locked by the read, until COMMIT; same pauses", kCapSql, true}},
    {Kind::kSqlSequence,
     {"sql-sequence", "nextval (sequence)",
      "no lock: the database issues the number; every --pause-every-th transaction rolls back",
      kCapSql, true}},
};

Kind KindOf(std::string_view id) { return KindOfApproach(id, kApproaches); }

// The approaches whose holder stalls on the pause schedule. set-nx-px and no-lock stay clean
// baselines; the SQL locks pause too (they are not leases: a stalled holder blocks, it is not
// overtaken); sql-sequence rolls back instead (see StepSequence).
bool Pauses(Kind k) {
  return k == Kind::kSetNxPaused || k == Kind::kRedlock || k == Kind::kFencing ||
         k == Kind::kSqlAdvisory || k == Kind::kSqlForUpdate;
}

// The knobs a run reads, taken once from its knob values (RunKnobValues): times in milliseconds.
struct Timings {
  int64_t lease_ms;
  int64_t work_ms;
  int64_t pause_ms;  // the pause that runs: "0 = 3x the lease" already applied
  int64_t pause_every;  // the holder stalls on every N-th acquisition (0 = never)
  int64_t kill_at_ms;  // redlock only; 0 = never
};

// --pause-ms 0 is shorthand for 3x the lease: replaces it in `knobs` by the pause that runs, so the
// record's params and the run agree.
void ResolvePauseMs(std::map<std::string, double>& knobs) {
  double& pause_ms = knobs["pause-ms"];
  if (pause_ms <= 0) pause_ms = 3 * knobs["lease-ms"];
}

Timings TimingsOf(const std::map<std::string, double>& knobs) {
  auto ms = [&knobs](const char* name) { return static_cast<int64_t>(knobs.at(name)); };
  return {ms("lease-ms"), ms("work-ms"), ms("pause-ms"), ms("pause-every"),
          ms("redlock-kill-at-ms")};
}

// ---- Redis-like scripts ----
constexpr char kReleaseLua[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\n"
    "return 0";
constexpr char kWriteLua[] =
    "redis.call('SET', KEYS[1], ARGV[1])\n"
    "return redis.call('RPUSH', KEYS[2], ARGV[2])";
constexpr char kFenceAcquireLua[] =
    "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then\n"
    "  return redis.call('INCR', KEYS[2])\n"
    "end\n"
    "return 0";
constexpr char kFenceReadLua[] =
    "local f = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
    "local t = tonumber(ARGV[1])\n"
    "if t < f then return -1 end\n"
    "redis.call('SET', KEYS[2], ARGV[1])\n"
    "return tonumber(redis.call('GET', KEYS[1]) or '0')";
constexpr char kFenceWriteLua[] =
    "local f = tonumber(redis.call('GET', KEYS[3]) or '0')\n"
    "if tonumber(ARGV[1]) < f then return -1 end\n"
    "redis.call('SET', KEYS[3], ARGV[1])\n"
    "redis.call('SET', KEYS[1], ARGV[2])\n"
    "return redis.call('RPUSH', KEYS[2], ARGV[3])";

// ---- PostgreSQL ----
const char* const kSqlSetup[] = {
    "CREATE TABLE IF NOT EXISTS rt_locks_res (id int PRIMARY KEY, last bigint NOT NULL, "
    "fence bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rt_locks_log (ord bigserial PRIMARY KEY, n bigint NOT NULL, "
    "worker int NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rt_locks_lease (name text PRIMARY KEY, holder text NOT NULL, "
    "expires timestamptz NOT NULL, token bigint NOT NULL)",
    "CREATE SEQUENCE IF NOT EXISTS rt_locks_seq",
    "CREATE SEQUENCE IF NOT EXISTS rt_locks_token",
};
const char* const kSqlReset[] = {
    "TRUNCATE rt_locks_log RESTART IDENTITY",
    "DELETE FROM rt_locks_res",
    "INSERT INTO rt_locks_res VALUES (1, 0, 0)",
    "DELETE FROM rt_locks_lease",
    "INSERT INTO rt_locks_lease VALUES ('invoice', '', '-infinity', 0)",
    "ALTER SEQUENCE rt_locks_seq RESTART WITH 1",
    "ALTER SEQUENCE rt_locks_token RESTART WITH 1",
};
const SqlStatement kSqlAdvisoryLock{"lk_advisory", "SELECT pg_advisory_xact_lock(7140001)"};
const SqlStatement kSqlRead{"lk_read", "SELECT last FROM rt_locks_res WHERE id = 1"};
const SqlStatement kSqlReadForUpdate{"lk_read_fu",
                                     "SELECT last FROM rt_locks_res WHERE id = 1 FOR UPDATE"};
const SqlStatement kSqlWrite{
    "lk_write",
    "WITH u AS (UPDATE rt_locks_res SET last = $1::bigint WHERE id = 1) "
    "INSERT INTO rt_locks_log (n, worker) VALUES ($1::bigint, $2::int) RETURNING ord"};
const SqlStatement kSqlNextval{"lk_nextval", "SELECT nextval('rt_locks_seq')"};
const SqlStatement kSqlLog{"lk_log",
                           "INSERT INTO rt_locks_log (n, worker) VALUES ($1::bigint, $2::int) "
                           "RETURNING ord"};
// Fencing on PostgreSQL: a lease row is the lock, a sequence the token, and the resource row
// remembers the highest token it has seen (read: WHERE fence < $1; write: no newer token seen).
const SqlStatement kSqlLeaseAcquire{
    "lk_lease",
    "UPDATE rt_locks_lease SET holder = $1, expires = clock_timestamp() + "
    "make_interval(secs => $2::double precision / 1000), token = nextval('rt_locks_token') "
    "WHERE name = 'invoice' AND expires < clock_timestamp() RETURNING token"};
const SqlStatement kSqlLeaseRelease{
    "lk_unlease", "UPDATE rt_locks_lease SET expires = '-infinity' WHERE name = 'invoice' AND "
                  "holder = $1 AND expires > clock_timestamp()"};
const SqlStatement kSqlFenceRead{
    "lk_fence_read",
    "UPDATE rt_locks_res SET fence = $1::bigint WHERE id = 1 AND fence < $1::bigint "
    "RETURNING last"};
const SqlStatement kSqlFenceWrite{
    "lk_fence_write",
    "WITH u AS (UPDATE rt_locks_res SET last = $2::bigint WHERE id = 1 AND fence <= $1::bigint "
    "RETURNING 1) INSERT INTO rt_locks_log (n, worker) SELECT $2::bigint, $3::int FROM u "
    "RETURNING ord"};

int64_t NowUs() { return engine::MonotonicUs(); }

void SleepMs(int64_t ms) {
  if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

Result<int64_t> ToInt(const std::optional<std::string>& text, const char* what) {
  if (!text) return int64_t{0};
  try {
    size_t used = 0;
    const int64_t v = std::stoll(*text, &used);
    if (used == text->size()) return v;
  } catch (...) {
  }
  return Status::Corruption(std::string(what) + " is not an integer: '" + *text + "'");
}

Result<int64_t> IntReply(const Result<Reply>& r, const char* what) {
  if (!r.ok()) return r.status();
  if (r->type == Reply::Type::kInteger) return r->integer;
  if (r->is_nil()) return int64_t{0};
  return Status::Internal(std::string(what) + " returned " + r->ToString());
}

// One worker's record, appended by that worker only and read by Verify after the workers stop.
struct WorkerLog {
  std::vector<Section> sections;       // writes the resource accepted
  std::vector<Section> rejected;       // fenced writes the resource refused (number = attempted)
  std::vector<std::pair<int64_t, int64_t>> pauses;  // [start, end] of each stall
  std::vector<int64_t> waits_us;
};

// A lock server for redlock: a target of its own (in-process engine, or a server by URL) that
// may be "crashed" by the kill schedule.
struct LockServer {
  std::unique_ptr<adapters::Target> target;
  std::string url;  // empty for in-process
  std::atomic<bool> dead{false};
};

class LocksRun;

class LocksWorker final : public Worker {
 public:
  LocksWorker(LocksRun* run, Client* client, int index, WorkerLog* log,
              std::vector<std::unique_ptr<Client>> lock_clients)
      : run_(run), client_(client), index_(index), log_(log),
        lock_clients_(std::move(lock_clients)), rng_(static_cast<uint64_t>(index) * 7919 + 1) {}
  Status Step() override;

 private:
  // Returns false (and the status in *error) when the worker must give up the Step.
  Result<std::string> AcquireSetNx(int64_t* token);
  Result<std::string> AcquireRedlock();
  Status ReleaseRedlock(const std::string& value, bool* lost);
  Status StepSql();
  Status StepSequence();
  // In the transaction Step began: `why`, after a ROLLBACK unless the connection is gone.
  Status Abandon(Status why);
  // In that transaction, a query whose one value is an integer (`what` names it in errors); on
  // failure the transaction is abandoned.
  Result<int64_t> QueryInt(const SqlStatement& statement, std::span<const std::string> params,
                           const char* what);
  // Logs `number` for this worker with `statement` (which returns the log order), then commits;
  // *acked_us (when given) = when the log write was acknowledged. On failure the transaction is
  // abandoned.
  Result<int64_t> LogAndCommit(const SqlStatement& statement, int64_t number,
                               int64_t* acked_us = nullptr);
  Status StepFencingSql();
  void Backoff();
  void MaybePause(uint64_t acquisition);
  void RecordWrite(Section s);
  // Records the write that landed at `order` in the resource, or the refused one (order <= 0).
  void Finish(int64_t number, int64_t start, int64_t order);

  LocksRun* run_;
  Client* client_;
  int index_;
  WorkerLog* log_;
  std::vector<std::unique_ptr<Client>> lock_clients_;  // redlock: one per lock server
  std::mt19937_64 rng_;
  uint64_t serial_ = 0;
};

class LocksRun final : public ApproachRun {
 public:
  LocksRun(const ApproachInfo& approach, Timings timings, std::string prefix, int clients)
      : approach_(approach),
        kind_(KindOf(approach.id)),
        timings_(timings),
        prefix_(std::move(prefix)),
        clients_(clients),
        origin_us_(NowUs()) {}

  Result<std::unique_ptr<Worker>> MakeWorker(Client& client, int index) override {
    logs_.push_back(std::make_unique<WorkerLog>());
    std::vector<std::unique_ptr<Client>> lock_clients;
    for (auto& server : servers_) {
      auto c = server->target->Connect();
      if (!c.ok()) return c.status();
      lock_clients.push_back(std::move(c).value());
    }
    return std::unique_ptr<Worker>(std::make_unique<LocksWorker>(
        this, &client, index, logs_.back().get(), std::move(lock_clients)));
  }

  void PhaseStarting(int repetition, int64_t start_us) override {
    hooked_.store(true);
    if (repetition == 0 && timed_start_us_.load() == 0) timed_start_us_.store(start_us);
  }

  Result<std::map<std::string, double>> Sample(Client&) override {
    std::lock_guard lock(mu_);
    return std::map<std::string, double>{
        {"duplicates", static_cast<double>(live_duplicates_)},
        {"overlaps", static_cast<double>(live_overlaps_)},
        {"lock_lost", static_cast<double>(lock_lost_.load())},
        {"issued", static_cast<double>(issued_.size())}};
  }

  Result<Correctness> Verify(Client& admin) override;
  std::map<std::string, double> Figures() const override { return figures_; }
  std::map<std::string, std::vector<double>> Series() const override { return series_; }

  Status Reset(Client& admin);
  Status OpenLockServers(const RunContext& context);

  // Called by workers.
  Kind kind() const { return kind_; }
  const Timings& timings() const { return timings_; }
  const std::string& key(const char* what) const {
    auto it = keys_.find(what);
    RT_CHECK(it != keys_.end());
    return it->second;
  }
  uint64_t NextAcquisition() { return acquisitions_.fetch_add(1) + 1; }
  void LockLost() { lock_lost_.fetch_add(1); }
  void Rejected() { stale_rejected_.fetch_add(1); }
  int64_t origin_us() const { return origin_us_; }
  size_t lock_servers() const { return servers_.size(); }
  bool ServerDead(size_t i) const { return servers_[i]->dead.load(); }
  // The kill schedule: one of the redlock servers crashes --redlock-kill-at-ms into the timed
  // run. Called by workers; the first one past the instant does it.
  void MaybeKill();
  void Acked(const Section& s) {
    std::lock_guard lock(mu_);
    if (!issued_.insert(s.number).second) ++live_duplicates_;
    // Acks arrive in about the resource's write order: the live view of Analyze's rule. Fencing
    // is judged by interleaving at the resource, which acks arriving out of order cannot show
    // live; its overlaps in time are harmless, so they are not counted here either.
    if (s.start_us < latest_end_ && kind_ != Kind::kFencing) ++live_overlaps_;
    latest_end_ = std::max(latest_end_, s.end_us);
  }

 private:
  void BuildSeries(const std::vector<Section>& all, const std::vector<bool>& overlapping,
                   const std::vector<std::pair<int, std::pair<int64_t, int64_t>>>& pauses);

  const ApproachInfo& approach_;
  Kind kind_;
  Timings timings_;
  std::string prefix_;
  int clients_;
  int64_t origin_us_;
  std::map<std::string, std::string> keys_;
  std::vector<std::unique_ptr<WorkerLog>> logs_;
  std::vector<std::unique_ptr<LockServer>> servers_;
  adapters::ThrowawayServers* throwaway_ = nullptr;
  std::atomic<uint64_t> acquisitions_{0};
  std::atomic<int64_t> lock_lost_{0};
  std::atomic<int64_t> stale_rejected_{0};
  std::atomic<int64_t> timed_start_us_{0};
  std::atomic<bool> hooked_{false};  // a harness calls PhaseStarting; tests drive without one
  std::atomic<bool> killed_{false};
  std::string kill_error_;
  std::mutex mu_;  // guards the live figures below
  std::unordered_set<int64_t> issued_;
  int64_t live_duplicates_ = 0;
  int64_t live_overlaps_ = 0;
  int64_t latest_end_ = INT64_MIN;
  std::map<std::string, double> figures_;
  std::map<std::string, std::vector<double>> series_;
};

bool IsSql(Kind k) {
  return k == Kind::kSqlAdvisory || k == Kind::kSqlForUpdate || k == Kind::kSqlSequence;
}

Status LocksRun::Reset(Client& admin) {
  for (const char* k : {"lock", "last", "log", "token", "fence"}) keys_[k] = prefix_ + k;
  const bool sql = (admin.capabilities() & adapters::kCapSql) != 0;
  if (sql) {
    auto exists = admin.Query(
        SqlStatement{"", "SELECT to_regclass('rt_locks_lease') IS NOT NULL AND "
                         "to_regclass('rt_locks_token') IS NOT NULL"},
        {});
    if (!exists.ok()) return exists.status();
    const bool ready = exists->Scalar().value_or("f") == "t";
    for (const char* sql_text : kSqlSetup) {
      if (ready) break;
      auto r = admin.Query(SqlStatement{"", sql_text}, {});
      if (!r.ok()) return r.status();
    }
    for (const char* sql_text : kSqlReset) {
      auto r = admin.Query(SqlStatement{"", sql_text}, {});
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }
  for (const auto& [name, k] : keys_) {
    auto r = admin.Del(k);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

Status LocksRun::OpenLockServers(const RunContext& context) {
  if (kind_ != Kind::kRedlock) return Status::Ok();
  throwaway_ = context.servers;
  adapters::TargetOptions options;
  options.connect_timeout_s = 1;
  options.command_timeout_s = 1;  // a dead lock server must not stall the others for long
  std::vector<std::string> urls;
  auto given = context.text.find("redlock-urls");
  if (given != context.text.end() && !given->second.empty()) {
    urls = SplitCommas(given->second);
  } else if (context.target != nullptr &&
             context.target->kind() != adapters::TargetKind::kBuiltin) {
    if (context.servers == nullptr) {
      return Status::Unavailable("redlock needs three independent servers: give --redlock-urls "
                                 "or let racetrack start throwaway ones");
    }
    auto started = context.servers->StartExtra(context.target->kind(), 3);
    if (!started.ok()) return started.status();
    urls = *started;
  }
  if (urls.empty()) {
    // In-process: three engines of their own, as independent as three servers.
    for (int i = 0; i < 3; ++i) {
      auto s = std::make_unique<LockServer>();
      s->target = adapters::MakeBuiltinTarget();
      servers_.push_back(std::move(s));
    }
    return Status::Ok();
  }
  for (const std::string& url : urls) {
    auto t = adapters::MakeRespTarget(adapters::TargetKind::kRedis, url, options);
    if (!t.ok()) return t.status();
    auto s = std::make_unique<LockServer>();
    s->target = std::move(t).value();
    s->url = url;
    servers_.push_back(std::move(s));
  }
  // Leftovers of an earlier run on given servers.
  for (auto& s : servers_) {
    auto c = s->target->Connect();
    if (!c.ok()) return c.status();
    auto r = (*c)->Del(keys_.at("lock"));
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

void LocksRun::MaybeKill() {
  if (timings_.kill_at_ms <= 0 || servers_.empty() || killed_.load()) return;
  // From the first timed phase's start; without a harness, from Prepare.
  const int64_t start = hooked_.load() ? timed_start_us_.load() : origin_us_;
  if (start == 0 || NowUs() < start + timings_.kill_at_ms * 1000) return;
  bool expected = false;
  if (!killed_.compare_exchange_strong(expected, true)) return;
  LockServer& victim = *servers_[0];
  victim.dead.store(true);
  if (!victim.url.empty() && throwaway_ != nullptr) {
    Status s = throwaway_->KillExtra(victim.url);
    if (!s.ok()) kill_error_ = s.message();
  }
}

// ---- Worker ----

void LocksWorker::Backoff() {
  // A random retry delay (as the Redlock description asks) so waiting workers do not retry in
  // lock step: 0.5 .. 1.5 ms.
  std::uniform_int_distribution<int> d(500, 1500);
  std::this_thread::sleep_for(std::chrono::microseconds(d(rng_)));
}

void LocksWorker::MaybePause(uint64_t acquisition) {
  if (!Pauses(run_->kind()) || !locks::PausesOn(acquisition, run_->timings().pause_every)) return;
  const int64_t t0 = NowUs();
  SleepMs(run_->timings().pause_ms);
  log_->pauses.emplace_back(t0 - run_->origin_us(), NowUs() - run_->origin_us());
}

void LocksWorker::Finish(int64_t number, int64_t start, int64_t order) {
  const int64_t end = NowUs();
  if (order > 0) {
    RecordWrite({index_, number, start, end, order});
    return;
  }
  run_->Rejected();  // the fenced resource refused a stale holder
  log_->rejected.push_back({index_, number, start - run_->origin_us(), end - run_->origin_us(), 0});
}

void LocksWorker::RecordWrite(Section s) {
  s.worker = index_;
  s.start_us -= run_->origin_us();
  s.end_us -= run_->origin_us();
  log_->sections.push_back(s);
  run_->Acked(s);
}

Result<std::string> LocksWorker::AcquireSetNx(int64_t* token) {
  const std::string value = std::to_string(index_) + ":" + std::to_string(++serial_);
  const std::string lease = std::to_string(run_->timings().lease_ms);
  for (;;) {
    if (run_->kind() == Kind::kFencing) {
      const std::string keys[] = {run_->key("lock"), run_->key("token")};
      const std::string args[] = {value, lease};
      auto t = IntReply(client_->Eval(kFenceAcquireLua, keys, args), "fenced acquire");
      if (!t.ok()) return t.status();
      if (*t > 0) {
        *token = *t;
        return value;
      }
    } else {
      auto r = client_->Command({"SET", run_->key("lock"), value, "NX", "PX", lease});
      if (!r.ok()) return r.status();
      if (r->is_error()) return Status::InvalidArgument(r->str);
      if (!r->is_nil()) return value;
    }
    Backoff();
  }
}

Result<std::string> LocksWorker::AcquireRedlock() {
  const int64_t lease_ms = run_->timings().lease_ms;
  const std::string lease = std::to_string(lease_ms);
  const size_t n = lock_clients_.size();
  const size_t quorum = n / 2 + 1;
  // Clock drift allowance, as the Redlock description: 1% of the lease plus 2 ms.
  const int64_t drift_us = lease_ms * 10 + 2000;
  for (;;) {
    run_->MaybeKill();
    const std::string value = std::to_string(index_) + ":" + std::to_string(++serial_);
    const int64_t t0 = NowUs();
    size_t got = 0;
    for (size_t i = 0; i < n; ++i) {
      if (run_->ServerDead(i)) continue;  // crashed: the connection would only time out
      auto r = lock_clients_[i]->Command({"SET", run_->key("lock"), value, "NX", "PX", lease});
      if (r.ok() && !r->is_error() && !r->is_nil()) ++got;
    }
    const int64_t validity_us = lease_ms * 1000 - (NowUs() - t0) - drift_us;
    if (got >= quorum && validity_us > 0) return value;
    bool lost = false;
    Status s = ReleaseRedlock(value, &lost);
    if (!s.ok()) return s;
    Backoff();
  }
}

Status LocksWorker::ReleaseRedlock(const std::string& value, bool* lost) {
  const std::string keys[] = {run_->key("lock")};
  const std::string args[] = {value};
  size_t released = 0;
  for (size_t i = 0; i < lock_clients_.size(); ++i) {
    if (run_->ServerDead(i)) continue;
    auto r = lock_clients_[i]->Eval(kReleaseLua, keys, args);
    if (r.ok() && r->type == Reply::Type::kInteger && r->integer == 1) ++released;
  }
  *lost = released < lock_clients_.size() / 2 + 1;
  return Status::Ok();
}

Status LocksWorker::Step() {
  const Kind kind = run_->kind();
  if (kind == Kind::kSqlSequence) return StepSequence();
  if (IsSql(kind)) return StepSql();
  if (kind == Kind::kFencing && (client_->capabilities() & adapters::kCapSql) != 0) {
    return StepFencingSql();
  }
  const int64_t wait0 = NowUs();
  std::string value;
  int64_t token = 0;
  if (kind == Kind::kRedlock) {
    auto v = AcquireRedlock();
    if (!v.ok()) return v.status();
    value = *v;
  } else if (kind != Kind::kNoLock) {
    auto v = AcquireSetNx(&token);
    if (!v.ok()) return v.status();
    value = *v;
  }
  const int64_t start = NowUs();
  log_->waits_us.push_back(start - wait0);
  const uint64_t acquisition = run_->NextAcquisition();

  // Read.
  int64_t last = 0;
  bool stale = false;
  if (kind == Kind::kFencing) {
    const std::string keys[] = {run_->key("last"), run_->key("fence")};
    const std::string args[] = {std::to_string(token)};
    auto r = IntReply(client_->Eval(kFenceReadLua, keys, args), "fenced read");
    if (!r.ok()) return r.status();
    stale = *r < 0;
    last = std::max<int64_t>(0, *r);
  } else {
    auto r = client_->Get(run_->key("last"));
    if (!r.ok()) return r.status();
    auto v = ToInt(*r, "the last invoice number");
    if (!v.ok()) return v.status();
    last = *v;
  }
  MaybePause(acquisition);
  SleepMs(run_->timings().work_ms);

  // Write number + 1.
  const int64_t number = last + 1;
  int64_t order = -1;
  if (!stale) {
    const std::string entry = std::to_string(number) + ":" + std::to_string(index_);
    if (kind == Kind::kFencing) {
      const std::string keys[] = {run_->key("last"), run_->key("log"), run_->key("fence")};
      const std::string args[] = {std::to_string(token), std::to_string(number), entry};
      auto r = IntReply(client_->Eval(kFenceWriteLua, keys, args), "fenced write");
      if (!r.ok()) return r.status();
      order = *r;
    } else {
      const std::string keys[] = {run_->key("last"), run_->key("log")};
      const std::string args[] = {std::to_string(number), entry};
      auto r = IntReply(client_->Eval(kWriteLua, keys, args), "write");
      if (!r.ok()) return r.status();
      order = *r;
    }
  }
  Finish(number, start, order);

  // Release.
  if (kind == Kind::kRedlock) {
    bool lost = false;
    Status s = ReleaseRedlock(value, &lost);
    if (!s.ok()) return s;
    if (lost) run_->LockLost();
  } else if (kind != Kind::kNoLock) {
    const std::string keys[] = {run_->key("lock")};
    const std::string args[] = {value};
    auto r = IntReply(client_->Eval(kReleaseLua, keys, args), "release");
    if (!r.ok()) return r.status();
    if (*r != 1) run_->LockLost();  // the lease ran out: someone else may hold it now
  }
  return Status::Ok();
}

Status LocksWorker::StepSql() {
  const int64_t wait0 = NowUs();
  Status s = client_->Begin();
  if (!s.ok()) return s;
  if (run_->kind() == Kind::kSqlAdvisory) {
    auto locked = client_->Query(kSqlAdvisoryLock, {});
    if (!locked.ok()) return Abandon(locked.status());
  }
  const int64_t start_if_advisory = NowUs();
  auto last = QueryInt(run_->kind() == Kind::kSqlForUpdate ? kSqlReadForUpdate : kSqlRead, {},
                       "the last invoice number");
  if (!last.ok()) return last.status();
  // FOR UPDATE: the lock is taken by the read itself, so the wait ends when it returns.
  const int64_t start = run_->kind() == Kind::kSqlForUpdate ? NowUs() : start_if_advisory;
  log_->waits_us.push_back(start - wait0);
  MaybePause(run_->NextAcquisition());
  SleepMs(run_->timings().work_ms);
  const int64_t number = *last + 1;
  // The section ends when the write is acknowledged (as on the Redis-likes); the lock is let go
  // by the COMMIT that follows, and the next holder's section starts after that.
  int64_t end = 0;
  auto order = LogAndCommit(kSqlWrite, number, &end);
  if (!order.ok()) return order.status();
  RecordWrite({index_, number, start, end, *order});
  return Status::Ok();
}

Status LocksWorker::StepSequence() {
  // No lock at all: the sequence hands out each number once, even to transactions that later
  // roll back — every --pause-every-th one does here (an order that failed after taking its
  // number), and its number becomes a gap.
  const int64_t start = NowUs();
  Status s = client_->Begin();
  if (!s.ok()) return s;
  auto number = QueryInt(kSqlNextval, {}, "nextval");
  if (!number.ok()) return number.status();
  log_->waits_us.push_back(NowUs() - start);
  SleepMs(run_->timings().work_ms);
  if (locks::PausesOn(run_->NextAcquisition(), run_->timings().pause_every)) {
    s = client_->Rollback();
    if (!s.ok()) return s;
    run_->Rejected();  // counted as a rolled-back number
    return Status::Ok();
  }
  auto order = LogAndCommit(kSqlLog, *number);
  if (!order.ok()) return order.status();
  // Sections of a sequence may overlap freely (there is no shared read-modify-write); only the
  // numbers are checked.
  RecordWrite({index_, *number, start, NowUs(), *order});
  return Status::Ok();
}

Status LocksWorker::Abandon(Status why) {
  if (why.code() != Status::Code::kUnavailable) (void)client_->Rollback();
  return why;
}

Result<int64_t> LocksWorker::LogAndCommit(const SqlStatement& statement, int64_t number,
                                          int64_t* acked_us) {
  const std::string params[] = {std::to_string(number), std::to_string(index_)};
  auto order = QueryInt(statement, params, "the log order");
  if (!order.ok()) return order.status();
  if (acked_us != nullptr) *acked_us = NowUs();
  Status s = client_->Commit();
  if (!s.ok()) return Abandon(s);
  return *order;
}

Result<int64_t> LocksWorker::QueryInt(const SqlStatement& statement,
                                      std::span<const std::string> params, const char* what) {
  auto rows = client_->Query(statement, params);
  if (!rows.ok()) return Abandon(rows.status());
  auto v = ToInt(rows->Scalar(), what);
  if (!v.ok()) return Abandon(v.status());
  return *v;
}

Status LocksWorker::StepFencingSql() {
  const std::string holder = std::to_string(index_) + ":" + std::to_string(++serial_);
  const std::string lease_params[] = {holder, std::to_string(run_->timings().lease_ms)};
  const int64_t wait0 = NowUs();
  int64_t token = 0;
  for (;;) {
    auto r = client_->Query(kSqlLeaseAcquire, lease_params);
    if (!r.ok()) return r.status();
    if (auto t = r->Scalar()) {
      auto v = ToInt(t, "the fencing token");
      if (!v.ok()) return v.status();
      token = *v;
      break;
    }
    Backoff();
  }
  const int64_t start = NowUs();
  log_->waits_us.push_back(start - wait0);
  const uint64_t acquisition = run_->NextAcquisition();
  const std::string read_params[] = {std::to_string(token)};
  auto read = client_->Query(kSqlFenceRead, read_params);
  if (!read.ok()) return read.status();
  const bool stale = read->rows.empty();
  int64_t last = 0;
  if (!stale) {
    auto v = ToInt(read->Scalar(), "the last invoice number");
    if (!v.ok()) return v.status();
    last = *v;
  }
  MaybePause(acquisition);
  SleepMs(run_->timings().work_ms);
  const int64_t number = last + 1;
  int64_t order = 0;
  if (!stale) {
    const std::string params[] = {std::to_string(token), std::to_string(number),
                                  std::to_string(index_)};
    auto w = client_->Query(kSqlFenceWrite, params);
    if (!w.ok()) return w.status();
    if (!w->rows.empty()) {
      auto v = ToInt(w->Scalar(), "the log order");
      if (!v.ok()) return v.status();
      order = *v;
    }
  }
  Finish(number, start, order);
  auto released = client_->Query(kSqlLeaseRelease, std::vector<std::string>{holder});
  if (!released.ok()) return released.status();
  if (released->affected != 1) run_->LockLost();
  return Status::Ok();
}

// ---- Verify ----

double Percentile(std::vector<int64_t> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  return static_cast<double>(v[i]);
}

Result<Correctness> LocksRun::Verify(Client&) {
  std::vector<Section> all;
  std::vector<std::pair<int, std::pair<int64_t, int64_t>>> pauses;
  std::vector<int64_t> waits;
  std::vector<Section> rejected;
  for (size_t w = 0; w < logs_.size(); ++w) {
    const WorkerLog& log = *logs_[w];
    all.insert(all.end(), log.sections.begin(), log.sections.end());
    rejected.insert(rejected.end(), log.rejected.begin(), log.rejected.end());
    waits.insert(waits.end(), log.waits_us.begin(), log.waits_us.end());
    for (const auto& pz : log.pauses) pauses.push_back({static_cast<int>(w), pz});
  }
  locks::Analysis a = locks::Analyze(all);
  const bool sequence = kind_ == Kind::kSqlSequence;
  Correctness c;
  // Fencing is judged where it acts, at the resource: a lease may run out while a holder waits
  // for its write's reply (a busy machine is enough), so sections can overlap in time, but the
  // resource refuses any access older than one it has seen, so no write may land on a state its
  // holder did not read. Those harmless overlaps in time are reported beside the verdict.
  const bool fencing = kind_ == Kind::kFencing;
  const int64_t overlaps = sequence ? 0 : fencing ? a.interleaved : a.overlaps;
  c.ok = a.issued > 0 && a.duplicates == 0 && overlaps == 0;
  c.figures = {{"issued", static_cast<double>(a.issued)},
               {"duplicates", static_cast<double>(a.duplicates)},
               {"overlaps", static_cast<double>(overlaps)},
               {"gaps", static_cast<double>(a.gaps)},
               {"lock_lost", static_cast<double>(lock_lost_.load())},
               {"stale_rejected", static_cast<double>(sequence ? 0 : stale_rejected_.load())},
               {"pauses", static_cast<double>(pauses.size())}};
  if (sequence) c.figures["rolled_back"] = static_cast<double>(stale_rejected_.load());
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "%lld invoice numbers issued, %lld duplicates, %lld overlapping critical sections, "
                "%lld gaps; %lld lock-lost events, %lld pauses.",
                static_cast<long long>(a.issued), static_cast<long long>(a.duplicates),
                static_cast<long long>(overlaps), static_cast<long long>(a.gaps),
                static_cast<long long>(lock_lost_.load()),
                static_cast<long long>(pauses.size()));
  c.note = buf;
  if (fencing) {
    c.note += " The resource refused " + std::to_string(stale_rejected_.load()) +
              " stale accesses from holders whose lease had expired.";
    c.figures["time_overlaps"] = static_cast<double>(a.overlaps);
    if (a.overlaps > 0) {
      c.note += " " + std::to_string(a.overlaps) +
                " sections overlapped in time (a lease ran out before the holder's write was "
                "acknowledged) without any write landing on a state its holder had not read.";
    }
  }
  if (sequence) {
    c.note += " " + std::to_string(stale_rejected_.load()) +
              " rolled-back transactions left their numbers as gaps: a sequence never reuses "
              "a number.";
  }
  if (kind_ == Kind::kRedlock && timings_.kill_at_ms > 0) {
    c.figures["servers_killed"] = killed_.load() ? 1 : 0;
    c.note += killed_.load() ? " One of the three lock servers was killed mid-run" +
                                   (kill_error_.empty() ? std::string(".")
                                                        : " (" + kill_error_ + ").")
                             : " The kill instant was never reached.";
  }
  if (a.issued == 0) c.note = "No invoice was issued.";
  if (!c.ok && !approach_.expected_correct) c.note += " This is the failure the lesson shows.";
  if (c.ok && !approach_.expected_correct) {
    c.note += clients_ <= 1 ? " One worker cannot overlap with itself: run with --clients 2 or "
                              "more."
                            : " No overlap in this run, by luck: the approach is still unsafe.";
  }

  const double elapsed_s =
      all.empty() ? 0
                  : static_cast<double>(std::max_element(all.begin(), all.end(),
                                                         [](const Section& x, const Section& y) {
                                                           return x.end_us < y.end_us;
                                                         })->end_us) /
                        1e6;
  figures_["acquisitions"] = static_cast<double>(acquisitions_.load());
  if (elapsed_s > 0) {
    figures_["acquisitions_per_s"] = static_cast<double>(acquisitions_.load()) / elapsed_s;
  }
  figures_["wait_p50_us"] = Percentile(waits, 0.5);
  figures_["wait_p99_us"] = Percentile(waits, 0.99);
  figures_["lease_ms"] = static_cast<double>(timings_.lease_ms);
  figures_["pause_ms"] = static_cast<double>(Pauses(kind_) ? timings_.pause_ms : 0);
  figures_["lock_servers"] = static_cast<double>(std::max<size_t>(1, servers_.size()));
  // The rejected accesses are drawn in the swimlane too, flagged.
  std::vector<bool> overlapping = fencing ? a.interleaving : a.overlapping;
  if (sequence) overlapping.assign(all.size(), false);
  for (Section s : rejected) {
    s.write_order = -1;  // marks "refused" in the series
    all.push_back(s);
    overlapping.push_back(false);
  }
  BuildSeries(all, overlapping, pauses);
  return c;
}

// The swimlane's data: the critical sections around the first pause or overlap (the interesting
// part) — from 20 ms before it to 60 ms after the first pause ends — at most 300 of them, with
// the pauses inside that window.
void LocksRun::BuildSeries(const std::vector<Section>& all, const std::vector<bool>& overlapping,
                           const std::vector<std::pair<int, std::pair<int64_t, int64_t>>>& pauses) {
  constexpr size_t kMaxSections = 300;
  std::vector<size_t> order(all.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t x, size_t y) { return all[x].start_us < all[y].start_us; });
  int64_t focus = INT64_MAX;
  for (size_t i : order) {
    if (overlapping[i] || all[i].write_order < 0) {
      focus = all[i].start_us;
      break;
    }
  }
  for (const auto& [w, pz] : pauses) focus = std::min(focus, pz.first);
  size_t first = 0;
  size_t last = std::min(order.size(), kMaxSections);
  if (focus != INT64_MAX) {
    int64_t until = focus + 100'000;
    for (const auto& [w, pz] : pauses) {
      if (pz.first == focus) until = pz.second + 60'000;
    }
    while (first < order.size() && all[order[first]].end_us < focus - 20'000) ++first;
    last = first;
    while (last < order.size() && last - first < kMaxSections &&
           all[order[last]].start_us <= until) {
      ++last;
    }
  }
  if (first >= last) return;
  auto& worker = series_["worker"];
  auto& start = series_["start_s"];
  auto& end = series_["end_s"];
  auto& overlap = series_["overlap"];
  auto& refused = series_["refused"];
  auto& paused = series_["pause_start_s"];
  auto& paused_end = series_["pause_end_s"];
  for (size_t k = first; k < last; ++k) {
    const Section& s = all[order[k]];
    worker.push_back(s.worker);
    start.push_back(static_cast<double>(s.start_us) / 1e6);
    end.push_back(static_cast<double>(s.end_us) / 1e6);
    overlap.push_back(overlapping[order[k]] ? 1 : 0);
    refused.push_back(s.write_order < 0 ? 1 : 0);
    // The pause this section's holder took, if any, inside it.
    double ps = -1, pe = -1;
    for (const auto& [w, pz] : pauses) {
      if (w == s.worker && pz.first >= s.start_us && pz.second <= s.end_us) {
        ps = static_cast<double>(pz.first) / 1e6;
        pe = static_cast<double>(pz.second) / 1e6;
      }
    }
    paused.push_back(ps);
    paused_end.push_back(pe);
  }
}

// ---- The scenario ----

// BEGIN lesson locks
constexpr char kLesson[] = R"(The job: several workers issue invoice numbers. Each takes a lock, reads the last number, works a little, writes the number plus one, and releases the lock. Two workers that both hold "the lock" at once read the same last number and issue the same invoice number twice.

Without a lock that happens within milliseconds. SET key token NX PX lease (released by a compare-and-delete script, never a blind DEL) fixes it — as long as every holder finishes inside its lease. The article says Redlock "was made for exactly this". The measurements say otherwise: make one holder stall longer than its lease (a GC pause, a stopped VM: --pause-ms, every --pause-every-th acquisition) and the lease expires under it, a second worker takes the lock, and both write. With a single server (set-nx-px-paused) and with Redlock on three independent servers alike, every pause produces duplicate invoice numbers (measured here, 1 s at the defaults: 84-119 duplicates with one server, 68-85 with Redlock, on every Redis-like target — the paused holder writes back an old number and the ones after it repeat). Redlock buys availability — with one of its three servers killed the majority still grants the lock (--redlock-kill-at-ms) — not safety: no lease, however many servers agree on it, can stop a paused process from acting when it wakes.

What does: fencing. The lock hands out a token from INCR with every grant; the resource remembers the highest token it has seen and refuses a read or a write carrying an older one (a Lua script on the Redis-likes, WHERE fence < $1 in PostgreSQL). The paused holder wakes, tries to write, and is refused: zero duplicates, the stale writes counted. The catch is that the resource must take part — fencing is a property of the storage, not of the lock. Its verdict is judged at the resource too: holders still overlap in time (a lease can run out while a holder waits for its write's reply; the record counts these as time_overlaps), but no write lands on a state its holder did not read.

For invoice numbers specifically the boring answer is the right one: let the database issue them. PostgreSQL's advisory locks and SELECT ... FOR UPDATE are not leases — a paused holder blocks the others (watch wait p99) instead of being overtaken — and a sequence (nextval) hands out each number exactly once with no lock at all. Its nuance: a transaction that rolls back after taking a number leaves a gap; if the law wants gapless numbers, take them from a counter row locked FOR UPDATE and accept the serialization.)";
// END lesson locks

ScenarioInfo BuildInfo() {
  ScenarioInfo info = LessonInfo(
      "locks", "Locks: invoice numbers under SET NX PX, Redlock, fencing and SQL",
      "critical sections",
      "When workers take turns issuing invoice numbers under a lock, which locks still hand out a "
      "number twice when a holder stalls longer than its lease?");
  info.approaches = ApproachInfos(kApproaches);
  info.expected =
      "no-lock issues duplicates at once. set-nx-px issues none while holders finish inside the "
      "lease. With a holder paused past its lease, set-nx-px-paused and redlock both issue "
      "duplicates (one pair or more per pause); fencing issues none and counts the stale writes "
      "it refused. The SQL locks issue none (a paused holder makes the others wait); the "
      "sequence issues none and leaves gaps where transactions rolled back.";
  info.lesson = kLesson;
  info.live_figures = {"duplicates", "overlaps", "lock_lost", "issued"};
  info.default_clients = 8;
  info.default_duration_s = 1.0;
  auto knob = [](std::string name, std::string help, double min, double max, double def) {
    return Knob(std::move(name), std::move(help), min, max, {def});
  };
  info.knobs = {
      knob("lease-ms", "lock lease (PX) in milliseconds", 1, 60'000, 50),
      knob("work-ms", "work inside the critical section, milliseconds", 0, 10'000, 2),
      knob("pause-ms", "how long the paused holder stalls, ms (0 = 3x the lease)", 0, 600'000, 0),
      knob("pause-every", "the holder stalls on every N-th acquisition (0 = never)", 0, 1'000'000,
           25),
      knob("redlock-kill-at-ms",
           "redlock: kill one of the three lock servers this many ms into the run (0 = never)", 0,
           3'600'000, 0),
  };
  return info;
}

class LocksScenario final : public Lesson {
 public:
  LocksScenario() : Lesson(BuildInfo()) {}

  // One point carrying every knob's value (none sweeps), recorded as the record's params; the
  // redlock kill only where it applies.
  std::vector<std::map<std::string, double>> ParameterPoints(
      const ApproachInfo& approach, adapters::TargetKind, const KnobValues& knobs) const override {
    std::map<std::string, double> point;
    for (const KnobInfo& k : info_.knobs) {
      const double v = KnobValuesOrDefault(k, knobs).front();
      if (k.name == "redlock-kill-at-ms" && (approach.id != "redlock" || v == 0)) continue;
      point[k.name] = v;
    }
    ResolvePauseMs(point);  // the record holds the pause that runs, not the shorthand
    return {point};
  }

  Result<std::unique_ptr<ApproachRun>> Prepare(const ApproachInfo& approach, Client& admin,
                                               const RunContext& context) const override {
    auto knobs = RunKnobValues(info_, context.extra);
    if (!knobs.ok()) return knobs.status();
    ResolvePauseMs(*knobs);
    const Kind kind = KindOf(approach.id);
    const bool sql = (admin.capabilities() & adapters::kCapSql) != 0;
    if (kind == Kind::kFencing && !sql &&
        (admin.capabilities() & adapters::kCapScripting) == 0) {
      return Status::InvalidArgument("fencing needs EVAL or SQL on the target");
    }
    const std::string prefix = "rt:locks:" + approach.id + ":";
    auto run = std::make_unique<LocksRun>(approach, TimingsOf(*knobs), prefix, context.clients);
    Status s = run->Reset(admin);
    if (!s.ok()) return s;
    s = run->OpenLockServers(context);
    return PreparedRun(std::move(run), s);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeLocksScenario() { return std::make_unique<LocksScenario>(); }

}  // namespace racetrack::scenarios
