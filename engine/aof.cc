#include "engine/aof.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "engine/engine.h"
#include "engine/resp.h"
#include "engine/snapshot.h"

namespace racetrack::engine {

Aof::Aof(std::string path, std::string fsync_policy)
    : path_(std::move(path)), policy_(std::move(fsync_policy)) {}

Aof::~Aof() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  if (fd_ >= 0) {
    (void)Flush(true);
    close(fd_);
  }
}

Status Aof::Open() {
  int fd = open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot open append only file " + path_ + ": " + strerror(errno));
  struct stat st {};
  fstat(fd, &st);
  {
    std::lock_guard<std::mutex> lock(mu_);
    fd_ = fd;
  }
  size_ = static_cast<uint64_t>(st.st_size);
  selected_db_ = -1;
  if (!sync_thread_.joinable()) sync_thread_ = std::thread([this] { SyncLoop(); });
  return Status::Ok();
}

void Aof::AppendCommand(std::string* out, int* selected, int db, Args argv) {
  if (db != *selected) {
    std::string d = std::to_string(db);
    out->append("*2\r\n$6\r\nSELECT\r\n$" + std::to_string(d.size()) + "\r\n" + d + "\r\n");
    *selected = db;
  }
  out->push_back('*');
  out->append(std::to_string(argv.size()));
  out->append("\r\n");
  for (std::string_view a : argv) {
    out->push_back('$');
    out->append(std::to_string(a.size()));
    out->append("\r\n");
    out->append(a);
    out->append("\r\n");
  }
}

void Aof::Feed(int db, Args argv) {
  fed_.fetch_add(1);
  AppendCommand(&buf_, &selected_db_, db, argv);
  if (rewriting_) AppendCommand(&rewrite_buf_, &rewrite_selected_db_, db, argv);
}

Status Aof::Flush(bool force_sync) {
  if (fd_ < 0) return Status::Ok();
  if (!buf_.empty()) {
    size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = write(fd_, buf_.data() + off, buf_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        last_write_ok_ = false;
        buf_.erase(0, off);  // keep what was not written; try again next turn
        size_ += off;
        return Status::IoError("write " + path_ + ": " + strerror(errno));
      }
      off += static_cast<size_t>(n);
    }
    size_ += buf_.size();
    buf_.clear();
    last_write_ok_ = true;
    written_.store(fed_.load());
    unsynced_.store(true);
  }
  if ((force_sync || policy_ == "always") && unsynced_.load()) {
    unsynced_.store(false);
    const uint64_t covered = written_.load();
    if (fdatasync(fd_) != 0) return Status::IoError("fdatasync " + path_ + ": " + strerror(errno));
    synced_.store(covered);
  }
  return Status::Ok();
}

void Aof::SyncLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::seconds(1));
    if (stop_) break;
    if (policy_ == "everysec" && fd_ >= 0 && unsynced_.exchange(false)) {
      const uint64_t covered = written_.load();
      if (fdatasync(fd_) == 0) synced_.store(std::max(synced_.load(), covered));
    }
  }
}

void Aof::StartRewrite() {
  rewriting_ = true;
  rewrite_buf_.clear();
  rewrite_selected_db_ = -1;
}

void Aof::AbortRewrite() {
  rewriting_ = false;
  rewrite_buf_.clear();
}

Status Aof::FinishRewrite(const std::string& temp_path) {
  rewriting_ = false;
  (void)Flush(true);
  int fd = open(temp_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + temp_path + ": " + strerror(errno));
  size_t off = 0;
  while (off < rewrite_buf_.size()) {
    ssize_t n = write(fd, rewrite_buf_.data() + off, rewrite_buf_.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return Status::IoError("write " + temp_path + ": " + strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  rewrite_buf_.clear();
  if (fsync(fd) != 0) {
    close(fd);
    return Status::IoError("fsync " + temp_path);
  }
  if (rename(temp_path.c_str(), path_.c_str()) != 0) {
    close(fd);
    return Status::IoError("rename " + temp_path + " -> " + path_ + ": " + strerror(errno));
  }
  struct stat st {};
  fstat(fd, &st);
  int old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = fd_;
    fd_ = fd;  // the renamed file, already open for appending
  }
  close(old);
  size_ = static_cast<uint64_t>(st.st_size);
  // The rewritten file's commands selected their own db; force a SELECT before the next one.
  selected_db_ = rewrite_selected_db_;
  return Status::Ok();
}

namespace {

// Walks the file: preamble (if any) then whole RESP commands. Calls fn for each command; stops at
// the first problem. Returns the offset reached and fills *problem / *tail.
struct Walk {
  size_t valid = 0;     // end of the last whole command
  bool truncated = false;
  std::string error;    // set on corruption
};

template <typename Fn>
Walk WalkAof(std::string_view bytes, const std::string& path, Engine* engine, Fn fn) {
  Walk w;
  size_t pos = 0;
  if (bytes.starts_with(kSnapshotMagic)) {
    if (engine == nullptr) {
      // --check-aof: validate the preamble on a scratch engine.
      Engine scratch;
      uint64_t keys;
      Status s = LoadSnapshotBytes(scratch, bytes, path, &keys, &pos);
      if (!s.ok()) {
        w.error = s.message();
        return w;
      }
    } else {
      uint64_t keys;
      Status s = LoadSnapshotBytes(*engine, bytes, path, &keys, &pos);
      if (!s.ok()) {
        w.error = s.message();
        return w;
      }
    }
  }
  w.valid = pos;
  RequestParser parser(ParserLimits{.max_bulk_len = INT64_MAX / 2, .max_multibulk_len = INT32_MAX});
  std::vector<std::string_view> argv;
  std::string err;
  while (pos < bytes.size()) {
    if (bytes[pos] != '*') {
      w.error = "Bad file format reading the append only file " + path + " at offset " +
                std::to_string(pos) + ": expected '*'";
      return w;
    }
    size_t consumed = 0;
    auto outcome = parser.Parse(bytes.substr(pos), &argv, &consumed, &err);
    if (outcome == RequestParser::Outcome::kNeedMore) {
      w.truncated = true;
      return w;
    }
    if (outcome == RequestParser::Outcome::kError || argv.empty()) {
      w.error = "Bad file format reading the append only file " + path + " at offset " +
                std::to_string(pos) + ": " + (err.empty() ? "empty command" : err);
      return w;
    }
    std::string problem = fn(argv);
    if (!problem.empty()) {
      w.error = problem + " reading the append only file " + path + " at offset " + std::to_string(pos);
      return w;
    }
    pos += consumed;
    w.valid = pos;
  }
  return w;
}

}  // namespace

Status LoadAof(Engine& engine, const std::string& path, bool* truncated, uint64_t* commands) {
  std::string bytes;
  Status s = ReadWholeFile(path, &bytes);
  if (!s.ok()) return s;
  *truncated = false;
  *commands = 0;
  ClientState client;
  client.authenticated = true;
  client.deny_blocking = true;
  EngineStats saved = engine.stats();
  Walk w = WalkAof(bytes, path, &engine, [&](const std::vector<std::string_view>& argv) -> std::string {
    const CommandSpec* spec = engine.commands().Find(argv[0]);
    if (spec == nullptr) return "Unknown command '" + std::string(argv[0].substr(0, 64)) + "'";
    std::vector<std::string> copy(argv.begin(), argv.end());
    engine.ExecuteQueued(client, copy);
    client.reply.Clear();
    ++*commands;
    return "";
  });
  // A crafted log may WATCH or SUBSCRIBE on this client, which dies here: drop it from every
  // registry so nothing keeps a pointer to it.
  engine.RemoveClient(&client);
  engine.stats() = std::move(saved);
  if (!w.error.empty()) return Status::Corruption(w.error);
  if (w.truncated) {
    *truncated = true;
    std::fprintf(stderr,
                 "racetrack-server: !!! Warning: short read while loading the AOF file %s !!!\n"
                 "racetrack-server: AOF loaded anyway because aof-load-truncated is enabled; "
                 "dropped the incomplete last command (%zu bytes) and truncated the file to %zu\n",
                 path.c_str(), bytes.size() - w.valid, w.valid);
    Status t = TruncateFile(path, w.valid);
    if (!t.ok()) return t;
  }
  return Status::Ok();
}

AofCheckResult CheckAof(const std::string& path) {
  AofCheckResult r;
  std::string bytes;
  Status s = ReadWholeFile(path, &bytes);
  if (!s.ok()) {
    r.ok = false;
    r.message = s.message();
    return r;
  }
  r.file_size = bytes.size();
  Walk w = WalkAof(bytes, path, nullptr, [](const std::vector<std::string_view>&) { return std::string(); });
  r.valid_bytes = w.valid;
  if (!w.error.empty()) {
    r.ok = false;
    r.message = w.error;
  } else if (w.truncated) {
    r.ok = false;
    r.truncated_tail = true;
    r.message = "AOF " + path + " is truncated at offset " + std::to_string(w.valid) + " (" +
                std::to_string(bytes.size() - w.valid) + " bytes of an incomplete command)";
  } else {
    r.message = "AOF " + path + " is valid (" + std::to_string(bytes.size()) + " bytes)";
  }
  return r;
}

Status TruncateFile(const std::string& path, size_t size) {
  if (truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    return Status::IoError("cannot truncate " + path + ": " + strerror(errno));
  }
  return Status::Ok();
}

}  // namespace racetrack::engine
