// Persistence: what keeps the data across a restart — snapshots (snapshot.h) and the append-only
// log (aof.h) — and the policy around them: load on start, `save <seconds> <changes>` rules, SAVE,
// BGSAVE, BGREWRITEAOF, LASTSAVE, INFO persistence.
//
// Background work uses fork(), as Redis does: the child sees a copy-on-write image of the keyspace
// frozen at the fork, writes it to a temp file and renames it into place, while the parent keeps
// serving. A child killed midway leaves only a temp file behind; the previous file stays intact.
//
// Startup order (as Redis): with appendonly yes and a log present, the log is the source of truth
// and the snapshot is ignored; otherwise the snapshot is loaded if present.
//
// Thread-safety: none, except the everysec fsync thread inside Aof.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/status.h"

namespace racetrack::engine {

class Engine;
class Aof;

class Persistence {
 public:
  explicit Persistence(Engine* engine);
  ~Persistence();
  Persistence(const Persistence&) = delete;
  Persistence& operator=(const Persistence&) = delete;

  // Loads the append-only log (appendonly yes and the file exists) or else the snapshot, then
  // opens the log for appending when appendonly is on. A damaged file is a kCorruption Status whose
  // message names the file and the byte offset; the caller refuses to start.
  Status Start();

  Status Save();            // SAVE: writes the snapshot in the foreground
  Status BackgroundSave();  // BGSAVE: forks a child that writes it
  Status BackgroundRewriteAof();
  // Opens (on) or closes the log; the caller keeps config().appendonly in step.
  Status SetAppendOnly(bool on);
  // CONFIG SET appendonly yes/no at runtime: turning it on first writes the current data as the
  // log's base (a snapshot preamble, as Start() does), so a replay sees the writes before it too.
  Status SwitchAppendOnly(bool on);

  // Reaps finished children, applies the save rules. Called from Engine::Cron.
  void Cron();
  // Writes the log buffer (fsync under always). Called from Engine::BeforeSleep.
  void BeforeSleep();
  // SHUTDOWN: final fsync of the log, final SAVE when save rules exist (unless nosave).
  Status Shutdown(bool nosave);

  int64_t lastsave_s() const { return lastsave_s_; }
  bool bgsave_in_progress() const { return bgsave_pid_ > 0; }
  bool aof_rewrite_in_progress() const { return rewrite_pid_ > 0; }
  // The "# Persistence" section of INFO, lines ending in CRLF, without the header line.
  std::string InfoFields() const;
  std::string snapshot_path() const;
  std::string aof_path() const;
  // Test hook: pid of the running BGSAVE child, or -1.
  pid_t bgsave_pid() const { return bgsave_pid_; }

 private:
  void ReapChildren();
  void FinishRewrite(bool ok);

  Engine* engine_;
  std::unique_ptr<Aof> aof_;
  int64_t lastsave_s_ = 0;
  uint64_t dirty_at_last_save_ = 0;
  int64_t last_bgsave_try_s_ = 0;
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_time_s_ = -1;
  int64_t bgsave_start_s_ = 0;
  pid_t bgsave_pid_ = -1;
  pid_t rewrite_pid_ = -1;
  std::string rewrite_temp_;
  int64_t rewrite_start_s_ = 0;
  bool last_rewrite_ok_ = true;
  int64_t last_rewrite_time_s_ = -1;
  bool rewrite_scheduled_ = false;
  uint64_t changes_since_save_base_ = 0;
  uint64_t loaded_keys_ = 0;
};

}  // namespace racetrack::engine
