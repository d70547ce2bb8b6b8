// Aof: the append-only log — every write command that changed data, in RESP, as Redis's AOF.
//
// File: an optional snapshot preamble (snapshot.h format, written by BGREWRITEAOF, like Redis's
// aof-use-rdb-preamble) followed by RESP multibulk commands, with SELECT whenever the database
// changes. Replaying it from the top rebuilds the dataset.
//
// Durability (appendfsync):
//   always    Feed() buffers; Flush() — called before the server writes any reply — writes the
//             buffer and fdatasync()s it, so a reply never leaves before its write is on disk.
//   everysec  Flush() writes (the data is in the OS page cache: safe from a process crash); a
//             background thread fdatasync()s once a second, so a power loss costs at most ~1 s.
//   no        Flush() writes; the OS decides when to reach the disk.
//
// Rewrite (BGREWRITEAOF): a forked child writes a snapshot preamble into a temp file while the
// parent keeps logging to the old file and also to a rewrite buffer; when the child succeeds, the
// parent appends the buffer to the temp file, fsyncs it and renames it over the log.
//
// Loading: a command cut short at the end of the file (a crash mid-write) is dropped with a warning
// and the file truncated to the last whole command (Redis's aof-load-truncated yes); anything else
// malformed refuses to load with a Corruption status naming the file and byte offset.
//
// Thread-safety: Feed/Flush/rewrite on the engine's thread; the fsync thread only fdatasyncs the
// current descriptor under mu_.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "engine/base/status.h"
#include "engine/command.h"

namespace racetrack::engine {

class Engine;

class Aof {
 public:
  Aof(std::string path, std::string fsync_policy);
  ~Aof();
  Aof(const Aof&) = delete;
  Aof& operator=(const Aof&) = delete;

  // Opens (creating if needed) the log for appending and starts the everysec thread.
  Status Open();
  void Feed(int db, Args argv);
  // Writes the buffer; fsyncs under always (or when force_sync).
  Status Flush(bool force_sync = false);

  void StartRewrite();
  // Appends the rewrite buffer to temp_path, syncs it, renames it over the log and reopens it.
  Status FinishRewrite(const std::string& temp_path);
  void AbortRewrite();

  void set_fsync_policy(std::string p) { policy_ = std::move(p); }
  const std::string& path() const { return path_; }
  bool last_write_ok() const { return last_write_ok_; }
  uint64_t current_size() const { return size_; }
  // Commands written to the log (so already acknowledged: Flush runs before replies leave) whose
  // bytes are not yet known to be on disk (fdatasync'ed): what an OS crash or power cut at this
  // instant would lose. Always 0 under always, where Flush syncs before any reply.
  uint64_t unsynced_commands() const {
    const uint64_t written = written_.load(), synced = synced_.load();
    return written > synced ? written - synced : 0;
  }

 private:
  void SyncLoop();
  static void AppendCommand(std::string* out, int* selected, int db, Args argv);

  std::string path_;
  std::string policy_;
  int fd_ = -1;
  std::string buf_;
  int selected_db_ = -1;
  bool rewriting_ = false;
  std::string rewrite_buf_;
  int rewrite_selected_db_ = -1;
  bool last_write_ok_ = true;
  uint64_t size_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> unsynced_{false};
  std::atomic<uint64_t> fed_{0};      // commands fed since the log was opened
  std::atomic<uint64_t> written_{0};  // of those, written to the file (page cache)
  std::atomic<uint64_t> synced_{0};   // of those, covered by a completed fdatasync
  std::thread sync_thread_;
};

// Replays the log at path into engine. *truncated is set when a partial last command was dropped
// (the file is then truncated to the last whole command). kNotFound if the file does not exist.
Status LoadAof(Engine& engine, const std::string& path, bool* truncated, uint64_t* commands);

// `racetrack-server --check-aof FILE [--fix]`: validates structure (preamble + RESP commands).
struct AofCheckResult {
  bool ok = true;
  bool truncated_tail = false;  // only the last command is incomplete (fixable)
  size_t valid_bytes = 0;       // length of the longest valid prefix
  size_t file_size = 0;
  std::string message;          // one line
};
AofCheckResult CheckAof(const std::string& path);
// Truncates path to valid_bytes (what --fix does).
Status TruncateFile(const std::string& path, size_t size);

}  // namespace racetrack::engine
