// persistence: acknowledged writes, kill -9, restart, read back.
//
// How this lesson fits the harness: the server under test is not the target's server. Prepare
// starts a server process of the target's kind (adapters/killable_server.h) on a fresh data
// directory with the approach's persistence settings — the run-wide durability setting does not
// apply — and the workers write to it. The run owns its timeline (ApproachRun::OwnsTimeline): a
// keeper thread, alive as long as the run, lets the K workers write for a random uptime, kills
// the server with SIGKILL, waits until every worker has seen its connection die (so each one's
// last acknowledged value is final), restarts the server on the same data, reads every counter
// back and compares. After --kills kills the round is over and Step() returns Finished().
// Restarts happen on the keeper thread because a child process started with PDEATHSIG dies with
// the thread that started it.
//
// Each worker INCRs its own counter (UPDATE ... SET v = v + 1 ... RETURNING v on PostgreSQL): the
// reply is the counter's value as of that write, so the value recovered after a restart says
// exactly which acknowledged writes survived (see TallyKill in persistence.h). A Step is one
// acknowledged write; its latency is that request's, not the outage a failed attempt waited for.
#include "scenarios/persistence.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "adapters/killable_server.h"
#include "engine/base/clock.h"
#include "engine/base/parse.h"
#include "scenarios/claims.h"
#include "scenarios/knobs.h"

namespace racetrack::scenarios {

namespace {

using adapters::KillableServer;
using adapters::TargetKind;

// BEGIN lesson persistence
constexpr char kLesson[] = R"(Eight clients write acknowledged increments as fast as they can. At random moments the server is killed with SIGKILL (no shutdown, no final save), restarted on the same data directory, and every counter is read back: an acknowledged write that is not in the recovered value was lost. The modes are the approaches.

Redis-likes: none (no RDB, no AOF) loses everything at every kill. Snapshots (save 1 1, or the out-of-the-box save 3600 1 300 100 60 10000) lose everything written since the last snapshot: up to a second with save 1 1, and with the default rules on a busy server the last minute (at most; less when 10,000 changes come sooner). The append-only file with appendfsync always writes and fsyncs each write before replying, so nothing acknowledged is lost, at a throughput cost that depends on the disk's fsync latency. appendfsync everysec fsyncs once a second; racetrack-server writes each command to the file before replying, but real Redis, when the previous second's background fsync is still running (a slow disk, like this box's), postpones the write for up to 2 seconds and replies anyway (its INFO counts these as aof_delayed_fsync). Those acknowledged writes are only in Redis's memory, so a plain process kill loses them: measured here, thousands of writes at one kill.

PostgreSQL: synchronous_commit=on flushes the commit's WAL record to disk before acknowledging; synchronous_commit=off acknowledges before the WAL reaches the kernel (the WAL writer follows within about 3 x wal_writer_delay); fsync=off writes the WAL but never waits for the disk.

What this box can show and what it cannot: a process kill keeps the operating system's page cache. A write that the server handed to the kernel (write() returned) survives a kill even if it was never fsynced — so fsync=off (and everysec on racetrack-server) lose nothing here, although an OS crash or power cut would cost them what was not yet on disk. That window is the exposure figure: writes acknowledged but not yet fsynced at the moment of each kill (racetrack-server reports it as racetrack_unfsynced_writes in INFO persistence; real Redis reports it only for snapshots, as rdb_changes_since_last_save; PostgreSQL as the distance between its WAL insert and flush positions, in bytes). synchronous_commit=off is different, and is where the usual advice ("it only loses data on an OS crash") is wrong: its not-yet-written commits sit in PostgreSQL's own shared memory (the WAL buffers), not in the kernel's page cache, so killing the whole server loses them. Measured here: a few hundred of about 30,000 acknowledged writes over five kills, every run; its exposure figure (WAL bytes inserted but not yet flushed at the kill) is the size of that window.

The article's closing advice (records that need absolute safety belong elsewhere) is about exactly this: Redis can be configured to lose nothing acknowledged on a process crash (appendfsync always), but its defaults and its common settings trade a window of writes for throughput, and only the always/synchronous modes close the window for an OS crash.)";
// END lesson persistence

constexpr char kKeyPrefix[] = "rt:persistence:";

const SqlStatement kSqlCreate{"", "CREATE TABLE IF NOT EXISTS rt_persistence (id int PRIMARY KEY, "
                                  "v bigint NOT NULL)"};
const SqlStatement kSqlReset{"", "TRUNCATE rt_persistence"};
const SqlStatement kSqlEnsure{"rt_persistence_ensure",
                              "INSERT INTO rt_persistence (id, v) VALUES ($1, 0) "
                              "ON CONFLICT (id) DO NOTHING"};
const SqlStatement kSqlIncrement{"rt_persistence_incr",
                                 "UPDATE rt_persistence SET v = v + 1 WHERE id = $1 RETURNING v"};
const SqlStatement kSqlRead{"rt_persistence_read", "SELECT v FROM rt_persistence WHERE id = $1"};
const SqlStatement kSqlExposure{
    "", "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), pg_current_wal_flush_lsn())"};

using engine::MonotonicNs;

bool IsSqlMode(const std::string& id) { return id.rfind("sql-", 0) == 0; }

// The server flags of each mode.
std::vector<std::string> Settings(const std::string& id) {
  if (id == "none") return {"--appendonly", "no", "--save", ""};
  if (id == "snapshot-1s") return {"--appendonly", "no", "--save", "1 1"};
  if (id == "snapshot-default") {
    return {"--appendonly", "no", "--save", "3600 1 300 100 60 10000"};
  }
  if (id == "aof-everysec") {
    return {"--appendonly", "yes", "--appendfsync", "everysec", "--save", ""};
  }
  if (id == "aof-always") return {"--appendonly", "yes", "--appendfsync", "always", "--save", ""};
  if (id == "sql-sync-on") return {"-c", "synchronous_commit=on", "-c", "fsync=on"};
  if (id == "sql-sync-off") return {"-c", "synchronous_commit=off", "-c", "fsync=on"};
  RT_CHECK(id == "sql-fsync-off");
  return {"-c", "synchronous_commit=on", "-c", "fsync=off"};
}

Result<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  if (!ParseWhole(s, &v)) return Status::Corruption("not an integer: '" + std::string(s) + "'");
  return v;
}

// A field of an INFO reply ("name:value\r\n"), or nullopt.
std::optional<int64_t> InfoField(const std::string& info, std::string_view name) {
  const std::string key = "\n" + std::string(name) + ":";
  size_t p = ("\n" + info).find(key);
  if (p == std::string::npos) return std::nullopt;
  p += key.size() - 1;
  const size_t end = info.find_first_of("\r\n", p);
  auto v = ParseInt(std::string_view(info).substr(p, end - p));
  if (!v.ok()) return std::nullopt;
  return *v;
}

struct KillRecord {
  double t_s = 0;          // when, from the start of the round
  int64_t acked = 0;       // acknowledged writes so far in the round
  int64_t recovered = 0;   // of those, in the recovered state (acked - lost, cumulative)
  int64_t lost = 0;        // at this kill
  double recover_s = 0;    // restart until serving
  double exposure = -1;    // acknowledged but not fsynced at the kill; -1 = the server cannot say
};

class PersistenceRun;

class PersistenceWorker final : public Worker {
 public:
  PersistenceWorker(PersistenceRun* run, int index) : run_(run), index_(index) {}
  Status Step() override;
  std::optional<int64_t> LastLatencyNs() const override { return latency_ns_; }

 private:
  friend class PersistenceRun;
  PersistenceRun* run_;
  int index_;
  uint64_t phases_done_ = 0;
  uint64_t parked_generation_ = UINT64_MAX;  // the server generation whose death it saw
  uint64_t conn_generation_ = UINT64_MAX;
  std::unique_ptr<Client> conn_;
  std::optional<int64_t> latency_ns_;
};

class PersistenceRun final : public ApproachRun {
 public:
  PersistenceRun(const ApproachInfo& approach, TargetKind kind, int clients, int kills,
                 int uptime_ms, uint64_t seed)
      : approach_(approach), kind_(kind), sql_(IsSqlMode(approach.id)), clients_(clients),
        kills_(kills), uptime_ms_(uptime_ms), rng_(seed),
        acked_(std::make_unique<std::atomic<int64_t>[]>(static_cast<size_t>(clients))),
        start_(static_cast<size_t>(clients), 0) {}

  ~PersistenceRun() override {
    {
      std::lock_guard lock(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    if (keeper_.joinable()) keeper_.join();
  }

  // Starts the server (on the calling thread, which lives as long as the run) and the keeper.
  Status Start(const std::string& bin_dir, const adapters::TargetOptions& options) {
    auto server = KillableServer::Start(kind_, Settings(approach_.id), bin_dir);
    if (!server.ok()) return server.status();
    server_ = std::move(*server);
    auto target = kind_ == TargetKind::kPostgres
                      ? adapters::MakePostgresTarget(server_->url(), options)
                      : adapters::MakeRespTarget(kind_, server_->url(), options);
    if (!target.ok()) return target.status();
    target_ = std::move(*target);
    keeper_ = std::thread([this] { Keeper(); });
    return Status::Ok();
  }

  bool OwnsTimeline() const override { return true; }

  Result<std::unique_ptr<Worker>> MakeWorker(Client&, int index) override {
    return std::unique_ptr<Worker>(std::make_unique<PersistenceWorker>(this, index));
  }

  Status Step(PersistenceWorker* w) {
    std::unique_lock lock(mu_);
    if (w->phases_done_ == rounds_requested_) {
      ++rounds_requested_;
      cv_.notify_all();
    }
    for (;;) {
      if (rounds_finished_ == rounds_requested_) {
        w->phases_done_ = rounds_finished_;
        if (!round_error_.ok()) return round_error_;
        return Finished();
      }
      if (up_ && w->parked_generation_ != generation_) break;
      if (!up_ && w->parked_generation_ != generation_) {
        // The server is down (or not yet up for this round) and this worker had not noticed.
        w->parked_generation_ = generation_;
        ++parked_;
        cv_.notify_all();
      }
      cv_.wait(lock);
    }
    const uint64_t generation = generation_;
    lock.unlock();

    if (w->conn_generation_ != generation || w->conn_ == nullptr) {
      w->conn_.reset();
      auto conn = target_->Connect();
      if (conn.ok()) {
        w->conn_ = std::move(*conn);
        w->conn_generation_ = generation;
      }
    }
    Result<int64_t> value = Status::Unavailable("no connection");
    const int64_t t0 = MonotonicNs();
    if (w->conn_ != nullptr) value = Write(*w->conn_, w->index_);
    const int64_t t1 = MonotonicNs();
    if (value.ok()) {
      acked_[static_cast<size_t>(w->index_)].store(*value);
      total_acked_.fetch_add(1);
      w->latency_ns_ = t1 - t0;
      return Status::Ok();
    }
    // The server died under us (or refused): wait for the next generation, then write again.
    lock.lock();
    if (w->parked_generation_ != generation) {
      w->parked_generation_ = generation;
      ++parked_;
      cv_.notify_all();
    }
    lock.unlock();
    return Step(w);
  }

  Result<std::map<std::string, double>> Sample(Client&) override {
    std::lock_guard lock(mu_);
    int64_t lost = 0;
    for (const KillRecord& k : kills_done_) lost += k.lost;
    return std::map<std::string, double>{
        {"acked", static_cast<double>(total_acked_.load())},
        {"lost", static_cast<double>(lost)},
        {"kills", static_cast<double>(kills_done_.size())},
        {"server_down", up_ ? 0.0 : 1.0}};
  }

  Result<Correctness> Verify(Client&) override {
    std::lock_guard lock(mu_);
    Correctness c;
    int64_t lost = 0, lost_max = 0, acked = 0;
    double exposure_sum = 0;
    int exposure_n = 0;
    for (const KillRecord& k : all_kills_) {
      lost += k.lost;
      lost_max = std::max(lost_max, k.lost);
      if (k.exposure >= 0) {
        exposure_sum += k.exposure;
        ++exposure_n;
      }
    }
    for (const auto& r : round_acked_) acked += r;
    const int64_t kills = static_cast<int64_t>(all_kills_.size());
    c.ok = lost == 0 && kills > 0;
    c.figures = {{"kills", static_cast<double>(kills)},
                 {"acked_writes", static_cast<double>(acked)},
                 {"lost_writes", static_cast<double>(lost)},
                 {"lost_per_kill_max", static_cast<double>(lost_max)},
                 {"lost_per_kill_mean", kills > 0 ? static_cast<double>(lost) / kills : 0}};
    if (exposure_n > 0) c.figures["exposure_at_kill_mean"] = exposure_sum / exposure_n;
    if (kills == 0) {
      c.note = "the server was never killed: " + round_error_.message();
      return c;
    }
    const std::string mean_exposure =
        exposure_n == 0 ? "" : " (mean exposure at the kills: " +
                                   std::to_string(std::llround(exposure_sum / exposure_n)) +
                                   (sql_ ? " WAL bytes" : " writes") + ").";
    // The note of a mode that lost nothing although it does not fsync before each reply: why,
    // then the exposure (or `unreported` when the server does not report it).
    auto unsynced_note = [&](const char* why, const char* unreported) {
      return "0 of " + std::to_string(acked) + " lost over " + std::to_string(kills) +
             " kills: " + why + (exposure_n > 0 ? mean_exposure : unreported);
    };
    if (lost > 0) {
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.1f%%",
                    100.0 * static_cast<double>(lost) / static_cast<double>(std::max<int64_t>(1, acked)));
      c.note = std::to_string(lost) + " of " + std::to_string(acked) +
               " acknowledged writes lost over " + std::to_string(kills) + " kills (" + pct +
               ", at most " + std::to_string(lost_max) + " at one kill)";
      c.note += approach_.expected_correct ? "." : ": the window this mode leaves open.";
    } else if (approach_.id == "aof-always" || approach_.id == "sql-sync-on") {
      c.note = "0 of " + std::to_string(acked) + " acknowledged writes lost over " +
               std::to_string(kills) + " kills: every reply waited for the fsync.";
    } else if (approach_.expected_correct) {
      c.note = unsynced_note(
          "a process kill keeps the OS page cache, and this mode hands each write to the kernel "
          "before replying. An OS crash or power cut would lose what was not yet fsynced",
          " (this server does not report how much that was).");
    } else if (approach_.id == "aof-everysec") {
      c.note = unsynced_note(
          "this server wrote every command to the page cache before replying. Real Redis "
          "postpones that write while a slow fsync runs and replies anyway, so it can lose "
          "acknowledged writes to a kill; an OS crash would cost the unsynced ones",
          ".");
    } else if (approach_.id == "sql-sync-off") {
      c.note = "0 lost over " + std::to_string(kills) +
               " kills, by luck of timing: commits not yet written sit in PostgreSQL's WAL "
               "buffers, which a kill discards; this time the WAL writer had written them.";
    } else {
      c.note = "0 lost over " + std::to_string(kills) +
               " kills, by luck of timing: this mode keeps no durable copy of recent writes.";
    }
    return c;
  }

  std::map<std::string, double> Figures() const override {
    std::lock_guard lock(mu_);
    std::map<std::string, double> f;
    double recover = 0, recover_max = 0;
    for (const KillRecord& k : all_kills_) {
      recover += k.recover_s;
      recover_max = std::max(recover_max, k.recover_s);
    }
    if (!all_kills_.empty()) {
      f["recover_s_mean"] = recover / static_cast<double>(all_kills_.size());
      f["recover_s_max"] = recover_max;
    }
    int64_t acked = 0;
    for (const auto& r : round_acked_) acked += r;
    f["throughput_writes_s"] = uptime_s_ > 0 ? static_cast<double>(acked) / uptime_s_ : 0;
    f["bytes_on_disk"] = static_cast<double>(bytes_on_disk_);
    if (sql_) f["wal_bytes_on_disk"] = static_cast<double>(wal_bytes_);
    return f;
  }

  std::map<std::string, std::vector<double>> Series() const override {
    std::lock_guard lock(mu_);
    std::map<std::string, std::vector<double>> s;
    for (const KillRecord& k : kills_done_) {
      s["t_s"].push_back(k.t_s);
      s["acked"].push_back(static_cast<double>(k.acked));
      s["recovered"].push_back(static_cast<double>(k.recovered));
      s["lost"].push_back(static_cast<double>(k.lost));
      s["recover_s"].push_back(k.recover_s);
      s["exposure"].push_back(k.exposure);
    }
    return s;
  }

 private:
  Result<int64_t> Write(Client& c, int index) {
    if (sql_) {
      auto rows = c.Query(kSqlIncrement, std::vector<std::string>{std::to_string(index)});
      if (!rows.ok()) return rows.status();
      auto v = rows->Scalar();
      if (!v) return Status::NotFound("counter row " + std::to_string(index) + " is missing");
      return ParseInt(*v);
    }
    return c.Incr(kKeyPrefix + std::to_string(index));
  }

  Result<int64_t> Read(Client& c, int index) {
    if (sql_) {
      auto rows = c.Query(kSqlRead, std::vector<std::string>{std::to_string(index)});
      if (!rows.ok()) return rows.status();
      auto v = rows->Scalar();
      return v ? ParseInt(*v) : Result<int64_t>(int64_t{0});
    }
    auto v = c.Get(kKeyPrefix + std::to_string(index));
    if (!v.ok()) return v.status();
    return v->has_value() ? ParseInt(**v) : Result<int64_t>(int64_t{0});
  }

  // Counters at 0 (and, on PostgreSQL, their rows present).
  Status Reset(Client& c) {
    if (sql_) {
      for (const SqlStatement* st : {&kSqlCreate, &kSqlReset}) {
        auto r = c.Query(*st, {});
        if (!r.ok()) return r.status();
      }
      return EnsureRows(c);
    }
    for (int i = 0; i < clients_; ++i) {
      auto r = c.Del(kKeyPrefix + std::to_string(i));
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }

  // A mode that lost the INSERTs themselves (none of the SQL ones should) gets the rows back at 0.
  Status EnsureRows(Client& c) {
    for (int i = 0; i < clients_; ++i) {
      auto r = c.Query(kSqlEnsure, std::vector<std::string>{std::to_string(i)});
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  }

  // Writes acknowledged but not yet fsynced, as the server reports it; -1 when it cannot.
  double Exposure(Client& admin) {
    if (sql_) {
      if (approach_.id == "sql-fsync-off") return -1;  // its flush position is never fsynced
      auto rows = admin.Query(kSqlExposure, {});
      if (!rows.ok() || !rows->Scalar()) return -1;
      return std::atof(rows->Scalar()->c_str());
    }
    auto r = admin.Command({"INFO", "persistence"});
    if (!r.ok() || r->is_error()) return -1;
    if (auto v = InfoField(r->str, "racetrack_unfsynced_writes")) return static_cast<double>(*v);
    if (InfoField(r->str, "aof_enabled").value_or(1) == 0) {
      if (auto v = InfoField(r->str, "rdb_changes_since_last_save")) return static_cast<double>(*v);
    }
    return -1;
  }

  Result<std::unique_ptr<Client>> Admin() { return target_->Connect(); }

  // Waits (mu_ held by `lock`) until every worker has seen the server die, at most 10 s.
  void WaitParked(std::unique_lock<std::mutex>& lock) {
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return parked_ >= clients_ || quit_; });
  }

  void Keeper() {
    uint64_t served = 0;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return quit_ || rounds_requested_ > served; });
        if (quit_) return;
        ++served;
      }
      Status s = RunRound();
      std::lock_guard lock(mu_);
      if (!s.ok()) round_error_ = s;
      up_ = false;
      rounds_finished_ = served;
      cv_.notify_all();
    }
  }

  Status RunRound() {
    auto admin = Admin();
    if (!admin.ok()) return admin.status();
    Status s = Reset(**admin);
    if (!s.ok()) return s;
    const int64_t round_t0 = MonotonicNs();
    {
      std::lock_guard lock(mu_);
      for (int i = 0; i < clients_; ++i) {
        acked_[static_cast<size_t>(i)].store(0);
        start_[static_cast<size_t>(i)] = 0;
      }
      total_acked_ = 0;
      kills_done_.clear();
      parked_ = 0;
      ++generation_;
      up_ = true;
    }
    cv_.notify_all();
    int64_t acked_in_round = 0;
    for (int k = 0; k < kills_; ++k) {
      // Uptime: uniform in [0.5, 1.5] x --uptime-ms, from the run's seed.
      const double factor = std::uniform_real_distribution<double>(0.5, 1.5)(rng_);
      const int64_t up_since = MonotonicNs();
      {
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, std::chrono::milliseconds(std::llround(uptime_ms_ * factor)),
                         [&] { return quit_; })) {
          return Status::Unavailable("stopped");
        }
      }
      KillRecord rec;
      rec.exposure = Exposure(**admin);
      rec.t_s = static_cast<double>(MonotonicNs() - round_t0) / 1e9;
      s = server_->Kill();
      if (!s.ok()) return s;
      uptime_s_ += static_cast<double>(MonotonicNs() - up_since) / 1e9;
      std::vector<CounterEpoch> epochs(static_cast<size_t>(clients_));
      {
        std::unique_lock lock(mu_);
        up_ = false;
        cv_.notify_all();
        WaitParked(lock);
        for (int i = 0; i < clients_; ++i) {
          const size_t ii = static_cast<size_t>(i);
          epochs[ii].start = start_[ii];
          epochs[ii].acked = std::max(start_[ii], acked_[ii].load());
        }
      }
      admin->reset();
      auto recover = server_->Restart();
      if (!recover.ok()) return recover.status();
      rec.recover_s = *recover;
      auto fresh = Admin();
      if (!fresh.ok()) return fresh.status();
      *admin = std::move(*fresh);
      if (sql_) {
        s = EnsureRows(**admin);
        if (!s.ok()) return s;
      }
      for (int i = 0; i < clients_; ++i) {
        auto v = Read(**admin, i);
        if (!v.ok()) return v.status();
        epochs[static_cast<size_t>(i)].recovered = *v;
      }
      const KillTally t = TallyKill(epochs);
      acked_in_round += t.acked_writes;
      rec.acked = acked_in_round;
      rec.lost = t.lost;
      {
        std::lock_guard lock(mu_);
        int64_t lost_so_far = t.lost;
        for (const KillRecord& r : kills_done_) lost_so_far += r.lost;
        rec.recovered = acked_in_round - lost_so_far;
        kills_done_.push_back(rec);
        all_kills_.push_back(rec);
        for (int i = 0; i < clients_; ++i) {
          const size_t ii = static_cast<size_t>(i);
          start_[ii] = epochs[ii].recovered;
          acked_[ii].store(epochs[ii].recovered);
        }
        parked_ = 0;
        ++generation_;
        up_ = k + 1 < kills_;  // after the last kill the round is over
      }
      cv_.notify_all();
    }
    {
      std::lock_guard lock(mu_);
      round_acked_.push_back(acked_in_round);
      bytes_on_disk_ = server_->BytesOnDisk();
      if (sql_) wal_bytes_ = server_->BytesUnder("pg_wal");
    }
    return Status::Ok();
  }

  const ApproachInfo& approach_;
  TargetKind kind_;
  bool sql_;
  int clients_;
  int kills_;
  int uptime_ms_;
  std::mt19937_64 rng_;  // keeper thread only
  std::unique_ptr<KillableServer> server_;
  std::unique_ptr<adapters::Target> target_;  // clients of server_
  std::thread keeper_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  bool quit_ = false;
  uint64_t rounds_requested_ = 0;
  uint64_t rounds_finished_ = 0;
  Status round_error_;
  uint64_t generation_ = 0;  // bumped when the server comes (back) up
  bool up_ = false;          // workers may write
  int parked_ = 0;           // workers that saw this generation's server die
  std::unique_ptr<std::atomic<int64_t>[]> acked_;  // per client: last acknowledged value
  std::vector<int64_t> start_;                     // per client: value the epoch began from
  std::atomic<int64_t> total_acked_{0};            // this round, for the live chart
  std::vector<KillRecord> kills_done_;             // this round
  std::vector<KillRecord> all_kills_;              // every round
  std::vector<int64_t> round_acked_;
  double uptime_s_ = 0;
  uint64_t bytes_on_disk_ = 0;
  uint64_t wal_bytes_ = 0;
};

Status PersistenceWorker::Step() { return run_->Step(this); }

ScenarioInfo BuildInfo() {
  constexpr uint32_t kRedisLike = kCapIncr | kCapOwnProcess;
  constexpr uint32_t kSqlProcess = kCapSql | kCapOwnProcess;
  ScenarioInfo info = LessonInfo(
      "persistence", "Persistence under kill -9", "writes",
      "When the server is killed with SIGKILL and restarted, how many acknowledged writes does "
      "each persistence mode lose, and what does its safety cost?");
  info.approaches = {
      {"none", "No persistence", "no RDB, no AOF: memory only", kRedisLike, false},
      {"snapshot-1s", "RDB, save 1 1", "a snapshot every second when anything changed", kRedisLike,
       false},
      {"snapshot-default", "RDB, default rules",
       "save 3600 1 300 100 60 10000: what an out-of-the-box install keeps", kRedisLike, false},
      // Expected wrong on measurement, although the issue expected it safe from a process
      // kill: real Redis postpones the AOF write while a slow background fsync runs and keeps
      // replying (measured here: ~23% of acknowledged writes lost at one kill on redis-server;
      // 0 on racetrack-server, which always writes before replying).
      {"aof-everysec", "AOF, fsync every second",
       "appendonly yes, appendfsync everysec: fsynced once a second", kRedisLike, false},
      {"aof-always", "AOF, fsync always",
       "appendonly yes, appendfsync always: fsynced before the reply", kRedisLike, true},
      {"sql-sync-on", "PostgreSQL synchronous_commit=on",
       "the commit's WAL is flushed to disk before the acknowledgement", kSqlProcess, true},
      // Expected wrong, though the issue that asked for this lesson expected otherwise: its
      // unwritten commits sit in PostgreSQL's shared WAL buffers, which a kill of the whole
      // server discards (measured: a few hundred of ~30,000 acknowledged writes per 5 kills).
      {"sql-sync-off", "PostgreSQL synchronous_commit=off",
       "acknowledged before the WAL is written; the WAL writer follows within ~600 ms", kSqlProcess,
       false},
      {"sql-fsync-off", "PostgreSQL fsync=off", "WAL written at commit, never fsynced", kSqlProcess,
       true},
  };
  info.expected =
      "none and the snapshot modes lose acknowledged writes at every kill (snapshot-1s up to "
      "about a second's worth, snapshot-default everything since the start at this run's "
      "length). aof-always and sql-sync-on lose none. sql-fsync-off (and aof-everysec on "
      "racetrack-server) lose none under a process kill because the kernel's page cache "
      "survives it; the exposure figure is what an OS crash would cost. aof-everysec on real "
      "Redis loses writes whose AOF write it postponed behind a slow fsync. sql-sync-off loses the "
      "commits still in PostgreSQL's "
      "WAL buffers (shared memory, gone with the server).";
  info.lesson = kLesson;
  info.live_figures = {"acked", "lost", "kills", "server_down"};
  info.default_clients = 8;
  info.knobs = {
      Knob("kills", "times the server is killed with SIGKILL and restarted", 1, 100, {5}),
      Knob("uptime-ms", "mean time the server runs between kills (each uniform in 0.5x..1.5x)", 50,
           600'000, {800}),
  };
  return info;
}

class PersistenceScenario final : public Lesson {
 public:
  PersistenceScenario() : Lesson(BuildInfo()) {}

  Result<std::unique_ptr<ApproachRun>> Prepare(const ApproachInfo& approach, Client&,
                                               const RunContext& context) const override {
    if (context.target == nullptr) {
      return Status::InvalidArgument("persistence needs its target to know which server to start");
    }
    const int kills = static_cast<int>(RunKnobValue(info_, context.extra, "kills"));
    if (kills < 1) return Status::InvalidArgument("--kills must be an integer between 1 and 100");
    const int uptime_ms = static_cast<int>(RunKnobValue(info_, context.extra, "uptime-ms"));
    auto run = std::make_unique<PersistenceRun>(approach, context.target->kind(), context.clients,
                                                kills, uptime_ms, context.seed);
    adapters::TargetOptions options;
    Status s = run->Start(context.target->bin_dir(), options);
    return PreparedRun(std::move(run), s);
  }
};

}  // namespace

KillTally TallyKill(const std::vector<CounterEpoch>& clients) {
  KillTally t;
  for (const CounterEpoch& c : clients) {
    t.acked_writes += std::max<int64_t>(0, c.acked - c.start);
    t.lost += std::max<int64_t>(0, c.acked - c.recovered);
  }
  return t;
}

std::unique_ptr<Scenario> MakePersistenceScenario() {
  return std::make_unique<PersistenceScenario>();
}

}  // namespace racetrack::scenarios
