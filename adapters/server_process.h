// ServerProcess: one child process (a database server, usually) that racetrack starts, waits for,
// and stops — the building block of throwaway servers in tests and in the harness.
//
//   ProcessOptions opts{.program = "redis-server", .args = {"--port", std::to_string(port)}};
//   Result<std::unique_ptr<ServerProcess>> p = ServerProcess::Start(opts);
//   if (!p.ok()) ...                                     // could not spawn: p.status() says why
//   Status up = (*p)->WaitForPort(port, std::chrono::seconds(10));  // includes the log tail
//   ...                                                  // destructor: SIGTERM, then SIGKILL
//
// The child runs in its own process group (so a `runuser` wrapper and whatever it starts are
// signalled together), with stdout and stderr appended to a log file, and is killed by the kernel
// if this process dies first (PR_SET_PDEATHSIG), so a crashed test leaves no server behind.
//
// Thread-safety: a ServerProcess is used by one thread at a time. FindFreePort is thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace racetrack::adapters {

struct ProcessOptions {
  std::string program;             // a path, or a name looked up on PATH
  std::vector<std::string> args;   // not including the program name
  std::vector<std::string> env;    // extra "NAME=value" entries on top of this process's environment
  std::string run_as_user;         // non-empty: run via `runuser -u USER -- program args...`
  std::string working_dir;         // empty: inherit
  std::string log_path;            // stdout+stderr go here (appended); empty: a new file in /tmp
};

class ServerProcess {
 public:
  // Spawns the child. Fails (without a child left running) if the program cannot be found, the
  // log cannot be opened, or fork fails. An exec failure in the child shows as an early exit
  // whose reason is in the log.
  static Result<std::unique_ptr<ServerProcess>> Start(const ProcessOptions& options);

  ~ServerProcess();  // Stop() with the default grace period
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // True while the child has not exited (reaps it if it has).
  bool Running();
  // The child's exit status as waitpid reports it; meaningful once Running() is false.
  int exit_status() const { return exit_status_; }

  // Polls until host:port accepts a TCP connection. Errors: the child exited first (with its
  // exit code and the log tail) or the timeout passed (with the log tail).
  Status WaitForPort(int port, std::chrono::milliseconds timeout,
                     const std::string& host = "127.0.0.1");

  // SIGTERM to the process group, then SIGKILL if it is still alive after `grace`. Idempotent.
  Status Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

  // The last `max_bytes` of the log, for error messages.
  std::string LogTail(size_t max_bytes = 2000) const;

 private:
  ServerProcess(pid_t pid, std::string log_path, std::string program)
      : pid_(pid), log_path_(std::move(log_path)), program_(std::move(program)) {}

  pid_t pid_;
  std::string log_path_;
  std::string program_;
  bool exited_ = false;
  int exit_status_ = 0;
};

// A loopback TCP port that was free a moment ago (bind to port 0, read it back, close).
Result<int> FindFreePort();

// The full path of `program` on PATH (or `program` itself if it contains a '/'); empty if absent.
std::string FindProgram(const std::string& program);

}  // namespace racetrack::adapters
