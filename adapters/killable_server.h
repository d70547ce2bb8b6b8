// KillableServer: a server process started on its own data directory with a given persistence
// configuration, that can be killed with SIGKILL and restarted on the same data — what the
// `persistence` lesson does to racetrack-server, redis-server and PostgreSQL.
//
//   auto s = KillableServer::Start(TargetKind::kRedis, {"--appendonly", "yes"}, bin_dir);
//   ... write through a client connected to (*s)->url() ...
//   (*s)->Kill();                         // SIGKILL to every process of the server, at once
//   Result<double> up = (*s)->Restart();  // same port, same data; seconds until it serves
//
// Settings are server flags: redis-server / racetrack-server flags ("--appendfsync", "always"),
// or PostgreSQL "-c name=value" pairs. The data directory is a fresh temp directory (chmod 755,
// owned by the `postgres` user for PostgreSQL when running as root), removed by the destructor.
//
// Killing PostgreSQL: the postmaster and every child it has at that instant get SIGKILL together
// (the backends are group leaders of their own, so signalling the postmaster's group alone would
// leave them running). Restart waits until all of them are gone, then removes the stale lock
// files a killed postmaster leaves (postmaster.pid, the socket lock), as its crash recovery
// expects an operator or init system to.
//
// Thread-safety: one thread at a time; url() and data_dir() may be read from any thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "adapters/server_process.h"
#include "adapters/target.h"
#include "engine/base/status.h"

namespace racetrack::adapters {

class KillableServer {
 public:
  // kind: kBuiltinTcp (racetrack-server from bin_dir), kRedis (redis-server on PATH) or
  // kPostgres (initdb + postgres). Fails with a one-line reason when the binary is missing or the
  // server does not come up.
  static Result<std::unique_ptr<KillableServer>> Start(TargetKind kind,
                                                       std::vector<std::string> settings,
                                                       const std::string& bin_dir);
  ~KillableServer();  // stops the server (gracefully) and removes the data directory
  KillableServer(const KillableServer&) = delete;
  KillableServer& operator=(const KillableServer&) = delete;

  // Full URL with the password (PostgreSQL): never print it; Redact().
  const std::string& url() const { return url_; }
  const std::string& data_dir() const { return dir_; }
  TargetKind kind() const { return kind_; }

  // SIGKILL to the server's processes; returns once none of them runs.
  Status Kill();
  // Starts it again on the same data directory and port; the seconds from the start of the
  // process until it serves (accepts a connection, or answers PQping for PostgreSQL).
  Result<double> Restart();
  // Bytes of every file under the data directory (RDB, AOF, or PostgreSQL's whole cluster).
  uint64_t BytesOnDisk() const;
  // Bytes under a subdirectory (PostgreSQL's pg_wal), 0 when absent.
  uint64_t BytesUnder(const std::string& relative) const;

 private:
  KillableServer() = default;
  Status Launch();       // starts the process and waits until it serves
  Status WaitServing();  // polls until it serves or dies

  TargetKind kind_ = TargetKind::kRedis;
  std::vector<std::string> settings_;
  std::string program_;
  std::string dir_;      // the temp directory (removed at the end)
  std::string pg_data_;  // PostgreSQL's data directory inside dir_
  std::string run_as_;   // "postgres" when root runs PostgreSQL
  int port_ = 0;
  std::string url_;
  std::unique_ptr<ServerProcess> process_;
};

}  // namespace racetrack::adapters
