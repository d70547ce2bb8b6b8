#include "engine/persistence.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "engine/aof.h"
#include "engine/ds/util.h"
#include "engine/engine.h"
#include "engine/errors.h"
#include "engine/snapshot.h"

namespace racetrack::engine {
namespace {

bool FileExists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (!name.empty() && name[0] == '/') return name;
  return (dir.empty() ? std::string(".") : dir) + "/" + name;
}

// "3600 1 300 100" -> {(3600,1), (300,100)}; malformed pairs are ignored.
std::vector<std::pair<int64_t, int64_t>> ParseSaveRules(const std::string& s) {
  std::vector<std::string> words;
  SplitArgs(s, &words);
  std::vector<std::pair<int64_t, int64_t>> rules;
  for (size_t i = 0; i + 1 < words.size(); i += 2) {
    int64_t secs, changes;
    if (ParseInt64(words[i], &secs) && ParseInt64(words[i + 1], &changes)) rules.emplace_back(secs, changes);
  }
  return rules;
}

}  // namespace

Persistence::Persistence(Engine* engine) : engine_(engine) {
  lastsave_s_ = engine_->clock().NowMs() / 1000;
}

Persistence::~Persistence() {
  // A child still running belongs to this engine's lifetime: do not leave zombies behind.
  for (pid_t p : {bgsave_pid_, rewrite_pid_}) {
    if (p > 0) {
      int st;
      waitpid(p, &st, 0);
    }
  }
  if (!rewrite_temp_.empty()) unlink(rewrite_temp_.c_str());
}

std::string Persistence::snapshot_path() const {
  return JoinPath(engine_->config().dir, engine_->config().dbfilename);
}

std::string Persistence::aof_path() const {
  return JoinPath(engine_->config().dir, engine_->config().appendfilename);
}

Status Persistence::Start() {
  const EngineConfig& cfg = engine_->config();
  bool loaded_from_aof = false;
  if (cfg.appendonly && FileExists(aof_path())) {
    bool truncated;
    uint64_t commands;
    Status s = LoadAof(*engine_, aof_path(), &truncated, &commands);
    if (!s.ok()) return s;
    loaded_from_aof = true;
    std::fprintf(stderr, "racetrack-server: DB loaded from append only file %s (%llu commands)\n",
                 aof_path().c_str(), static_cast<unsigned long long>(commands));
  } else if (FileExists(snapshot_path())) {
    Status s = LoadSnapshotFile(*engine_, snapshot_path(), &loaded_keys_);
    if (!s.ok()) return s;
    std::fprintf(stderr, "racetrack-server: DB loaded from snapshot %s (%llu keys)\n",
                 snapshot_path().c_str(), static_cast<unsigned long long>(loaded_keys_));
  }
  dirty_at_last_save_ = engine_->dirty();
  lastsave_s_ = engine_->clock().NowMs() / 1000;
  if (cfg.appendonly) {
    if (!loaded_from_aof) {
      // Turning the log on over existing data: the log must start with that data (Redis writes
      // a base file); a snapshot preamble does that synchronously.
      Status s = WriteFileAtomically(aof_path(), EncodeSnapshot(*engine_));
      if (!s.ok()) return s;
    }
    return SetAppendOnly(true);
  }
  return Status::Ok();
}

Status Persistence::SwitchAppendOnly(bool on) {
  if (on && !aof_) {
    Status s = WriteFileAtomically(aof_path(), EncodeSnapshot(*engine_));
    if (!s.ok()) return s;
  }
  return SetAppendOnly(on);
}

Status Persistence::SetAppendOnly(bool on) {
  if (!on) {
    engine_->on_propagate = nullptr;
    aof_.reset();
    engine_->config().appendonly = false;
    return Status::Ok();
  }
  if (aof_) return Status::Ok();
  auto aof = std::make_unique<Aof>(aof_path(), engine_->config().appendfsync);
  Status s = aof->Open();
  if (!s.ok()) return s;
  aof_ = std::move(aof);
  engine_->config().appendonly = true;
  Aof* raw = aof_.get();
  engine_->on_propagate = [this, raw](int db, Args argv) {
    raw->set_fsync_policy(engine_->config().appendfsync);
    raw->Feed(db, argv);
    // Commands with relative TTLs are followed by the absolute deadline they produced, so a
    // replay later in time sets the same deadline (Redis rewrites them to PEXPIREAT).
    static constexpr std::string_view kRelative[] = {"expire", "pexpire", "setex", "psetex",
                                                     "set", "getex", "expireat", "restore"};
    std::string name = ToLower(argv[0]);
    for (std::string_view r : kRelative) {
      if (name != r || argv.size() < 2) continue;
      const Db& d = engine_->db(db);
      const Db::Entry* e = d.Peek(argv[1]);
      if (e != nullptr && e->expire_ms >= 0) {
        std::string when = std::to_string(d.ExpireOf(*e));
        std::string_view pe[] = {"PEXPIREAT", argv[1], when};
        raw->Feed(db, Args(pe));
      }
      break;
    }
  };
  return Status::Ok();
}

void Persistence::BeforeSleep() {
  if (aof_) {
    Status s = aof_->Flush();
    if (!s.ok()) std::fprintf(stderr, "racetrack-server: %s\n", s.message().c_str());
  }
}

Status Persistence::Save() {
  if (bgsave_pid_ > 0) return Status::InvalidArgument(std::string(errors::kBgsaveInProgress));
  Status s = WriteSnapshotFile(*engine_, snapshot_path());
  if (!s.ok()) return s;
  lastsave_s_ = engine_->clock().NowMs() / 1000;
  dirty_at_last_save_ = engine_->dirty();
  last_bgsave_ok_ = true;
  return Status::Ok();
}

Status Persistence::BackgroundSave() {
  if (bgsave_pid_ > 0) return Status::InvalidArgument(std::string(errors::kBgsaveInProgress));
  if (rewrite_pid_ > 0) {
    return Status::InvalidArgument(std::string(errors::kBgsaveChildActive));
  }
  if (aof_) (void)aof_->Flush();
  std::fflush(nullptr);
  uint64_t dirty = engine_->dirty();
  pid_t pid = fork();
  if (pid < 0) {
    last_bgsave_ok_ = false;
    return Status::IoError(std::string(errors::kBgsaveForkFailed));
  }
  if (pid == 0) {
    // Child: the parent's keyspace as of the fork, copy-on-write. Write and leave without running
    // any destructor (the parent owns the sockets and the log).
    Status s = WriteSnapshotFile(*engine_, snapshot_path());
    if (!s.ok()) std::fprintf(stderr, "racetrack-server: BGSAVE child: %s\n", s.message().c_str());
    _exit(s.ok() ? 0 : 1);
  }
  bgsave_pid_ = pid;
  bgsave_start_s_ = engine_->clock().NowMs() / 1000;
  changes_since_save_base_ = dirty;
  last_bgsave_try_s_ = bgsave_start_s_;
  return Status::Ok();
}

Status Persistence::BackgroundRewriteAof() {
  if (rewrite_pid_ > 0) {
    return Status::InvalidArgument(std::string(errors::kAofRewriteInProgress));
  }
  if (bgsave_pid_ > 0) {
    rewrite_scheduled_ = true;
    return Status::Ok();
  }
  if (!aof_) {
    // Without the log on, Redis writes a fresh one anyway; keep it simple: a foreground write.
    return WriteFileAtomically(aof_path(), EncodeSnapshot(*engine_));
  }
  (void)aof_->Flush(true);
  std::fflush(nullptr);
  std::string dir = engine_->config().dir.empty() ? "." : engine_->config().dir;
  aof_->StartRewrite();
  pid_t pid = fork();
  if (pid < 0) {
    aof_->AbortRewrite();
    return Status::IoError(std::string(errors::kAofRewriteForkFailed));
  }
  if (pid == 0) {
    std::string temp = dir + "/temp-rewriteaof-bg-" + std::to_string(getpid()) + ".aof";
    std::string bytes = EncodeSnapshot(*engine_);
    FILE* f = std::fopen(temp.c_str(), "wb");
    bool ok = f != nullptr && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() &&
              std::fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (f) std::fclose(f);
    _exit(ok ? 0 : 1);
  }
  rewrite_pid_ = pid;
  rewrite_temp_ = dir + "/temp-rewriteaof-bg-" + std::to_string(pid) + ".aof";
  rewrite_start_s_ = engine_->clock().NowMs() / 1000;
  rewrite_scheduled_ = false;
  return Status::Ok();
}

void Persistence::FinishRewrite(bool ok) {
  if (ok && aof_) {
    Status s = aof_->FinishRewrite(rewrite_temp_);
    if (!s.ok()) {
      std::fprintf(stderr, "racetrack-server: AOF rewrite: %s\n", s.message().c_str());
      ok = false;
    }
  } else if (aof_) {
    aof_->AbortRewrite();
  }
  if (!ok) unlink(rewrite_temp_.c_str());
  last_rewrite_ok_ = ok;
  last_rewrite_time_s_ = engine_->clock().NowMs() / 1000 - rewrite_start_s_;
  rewrite_temp_.clear();
  rewrite_pid_ = -1;
}

void Persistence::ReapChildren() {
  if (bgsave_pid_ > 0) {
    int st = 0;
    pid_t r = waitpid(bgsave_pid_, &st, WNOHANG);
    if (r == bgsave_pid_) {
      bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
      last_bgsave_ok_ = ok;
      last_bgsave_time_s_ = engine_->clock().NowMs() / 1000 - bgsave_start_s_;
      if (ok) {
        lastsave_s_ = engine_->clock().NowMs() / 1000;
        dirty_at_last_save_ = changes_since_save_base_;
      } else {
        // A killed child may leave its temp file; the real file was never touched.
        unlink((engine_->config().dir + "/temp-" + std::to_string(bgsave_pid_) + ".rts").c_str());
      }
      bgsave_pid_ = -1;
    }
  }
  if (rewrite_pid_ > 0) {
    int st = 0;
    pid_t r = waitpid(rewrite_pid_, &st, WNOHANG);
    if (r == rewrite_pid_) FinishRewrite(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
}

void Persistence::Cron() {
  ReapChildren();
  if (bgsave_pid_ > 0 || rewrite_pid_ > 0) return;
  if (rewrite_scheduled_) {
    (void)BackgroundRewriteAof();
    return;
  }
  int64_t now_s = engine_->clock().NowMs() / 1000;
  uint64_t changes = engine_->dirty() - dirty_at_last_save_;
  for (const auto& [secs, min_changes] : ParseSaveRules(engine_->config().save)) {
    // After a failed BGSAVE, retry only every 5 s (CONFIG_BGSAVE_RETRY_DELAY).
    if (changes >= static_cast<uint64_t>(min_changes) && now_s - lastsave_s_ >= secs &&
        (last_bgsave_ok_ || now_s - last_bgsave_try_s_ > 5)) {
      std::fprintf(stderr, "racetrack-server: %lld changes in %lld seconds. Saving...\n",
                   static_cast<long long>(min_changes), static_cast<long long>(secs));
      (void)BackgroundSave();
      break;
    }
  }
}

Status Persistence::Shutdown(bool nosave) {
  if (aof_) (void)aof_->Flush(true);
  for (pid_t* p : {&bgsave_pid_, &rewrite_pid_}) {
    if (*p > 0) {
      kill(*p, SIGKILL);
      int st;
      waitpid(*p, &st, 0);
      *p = -1;
    }
  }
  if (!rewrite_temp_.empty()) {
    unlink(rewrite_temp_.c_str());
    rewrite_temp_.clear();
  }
  if (!nosave && !ParseSaveRules(engine_->config().save).empty()) return Save();
  return Status::Ok();
}

std::string Persistence::InfoFields() const {
  int64_t now_s = engine_->clock().NowMs() / 1000;
  std::string o;
  auto add = [&o](const char* k, const std::string& v) {
    o += k;
    o += ':';
    o += v;
    o += "\r\n";
  };
  auto num = [](int64_t v) { return std::to_string(v); };
  add("loading", "0");
  add("async_loading", "0");
  add("current_cow_peak", "0");
  add("current_cow_size", "0");
  add("current_cow_size_age", "0");
  add("current_fork_perc", "0.00");
  add("current_save_keys_processed", "0");
  add("current_save_keys_total", "0");
  add("rdb_changes_since_last_save", num(static_cast<int64_t>(engine_->dirty() - dirty_at_last_save_)));
  add("rdb_bgsave_in_progress", bgsave_pid_ > 0 ? "1" : "0");
  add("rdb_last_save_time", num(lastsave_s_));
  add("rdb_last_bgsave_status", last_bgsave_ok_ ? "ok" : "err");
  add("rdb_last_bgsave_time_sec", num(last_bgsave_time_s_));
  add("rdb_current_bgsave_time_sec", num(bgsave_pid_ > 0 ? now_s - bgsave_start_s_ : -1));
  add("rdb_last_cow_size", "0");
  add("rdb_last_load_keys_expired", "0");
  add("rdb_last_load_keys_loaded", num(static_cast<int64_t>(loaded_keys_)));
  add("aof_enabled", aof_ ? "1" : "0");
  add("aof_rewrite_in_progress", rewrite_pid_ > 0 ? "1" : "0");
  add("aof_rewrite_scheduled", rewrite_scheduled_ ? "1" : "0");
  add("aof_last_rewrite_time_sec", num(last_rewrite_time_s_));
  add("aof_current_rewrite_time_sec", num(rewrite_pid_ > 0 ? now_s - rewrite_start_s_ : -1));
  add("aof_last_bgrewrite_status", last_rewrite_ok_ ? "ok" : "err");
  add("aof_rewrites", "0");
  add("aof_last_write_status", !aof_ || aof_->last_write_ok() ? "ok" : "err");
  add("aof_last_cow_size", "0");
  add("module_fork_in_progress", "0");
  add("module_fork_last_cow_size", "0");
  if (aof_) add("aof_current_size", num(static_cast<int64_t>(aof_->current_size())));
  // Not a Redis field: writes this server acknowledged that are not yet in an fsynced file — with
  // the AOF on, commands written to it but not covered by an fdatasync; without it, changes since
  // the last snapshot (an approximation: it includes a write whose reply is still being sent).
  // An OS crash or power cut now would lose them (a process kill loses only what is not even in
  // the page cache: nothing under AOF, the same changes without it).
  const uint64_t unsynced =
      aof_ ? aof_->unsynced_commands() : engine_->dirty() - dirty_at_last_save_;
  add("racetrack_unfsynced_writes", num(static_cast<int64_t>(unsynced)));
  return o;
}

}  // namespace racetrack::engine
