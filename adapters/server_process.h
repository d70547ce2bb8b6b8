// ServerProcess: the one way racetrack starts a child process — a database server usually — waits
// for it, signals it, restarts it and stops it. Throwaway servers (throwaway.h), the conformance
// tests and the durability test all use it; nothing else in the tree forks.
//
//   ProcessOptions opts{.program = "redis-server", .args = {"--port", std::to_string(port)}};
//   Result<std::unique_ptr<ServerProcess>> p = ServerProcess::Start(opts);
//   if (!p.ok()) ...                                     // could not spawn: p.status() says why
//   Status up = (*p)->WaitForPort(port, std::chrono::seconds(10));  // includes the log tail
//   (*p)->Kill();                                        // kill -9 the whole process group
//   Status again = (*p)->Restart();                      // same argv/env/dir, same log (appended)
//   ...                                                  // destructor: stop signal, then SIGKILL
//
// The child runs in its own process group (so a `runuser` wrapper and whatever it starts are
// signalled together), with stdout and stderr appended to a log file. Unless `detached`, it gets
// PR_SET_PDEATHSIG (the stop signal), so a racetrack or test killed with SIGKILL leaves no server
// behind; a detached child gets its own session instead and outlives this process. Caveat: Linux
// delivers PDEATHSIG when the *thread* that forked exits, so start long-lived servers from a
// thread that lives as long as they should.
//
// Thread-safety: a ServerProcess is used by one thread at a time, except Signal(), which another
// thread may call while the owner waits on the server (the durability test kills mid-stream).
// The free functions are thread-safe.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace racetrack::adapters {

struct ProcessOptions {
  std::string program;            // a path, or a name looked up on PATH
  std::vector<std::string> args;  // not including the program name
  std::vector<std::string> env;   // extra "NAME=value" entries on top of this process's environment
  std::string run_as_user;        // non-empty: run via `runuser -u USER -- program args...`
  std::string working_dir;        // empty: inherit
  std::string log_path;           // stdout+stderr go here (appended); empty: a new file in /tmp
  // The polite signal Stop() sends first (and the PDEATHSIG): SIGTERM, or SIGINT for PostgreSQL
  // ("fast shutdown": SIGTERM would wait for every client to leave).
  int stop_signal = SIGTERM;
  // Own session, no PDEATHSIG: the child survives this process (`racetrack servers up`).
  bool detached = false;
};

class ServerProcess {
 public:
  // Spawns the child. Fails (without a child left running) if the program cannot be found, the
  // log cannot be opened, or fork fails. An exec failure in the child shows as an early exit
  // whose reason is in the log.
  static Result<std::unique_ptr<ServerProcess>> Start(const ProcessOptions& options);

  // Runs a program to completion (initdb, say): Ok when it exits with code 0 within `timeout`;
  // otherwise Unavailable with the exit code and the log tail (and the child killed).
  static Status Run(const ProcessOptions& options, std::chrono::milliseconds timeout);

  ~ServerProcess();  // Stop() with the default grace period, unless Release()d
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return options_.log_path; }
  const ProcessOptions& options() const { return options_; }

  // True while the child has not exited (reaps it if it has).
  bool Running();
  // The child's exit status as waitpid reports it; meaningful once Running() is false.
  int exit_status() const { return exit_status_; }
  // "exited with code 3", "killed by signal 9".
  std::string DescribeExit() const;

  // Polls until host:port accepts a TCP connection. Errors: the child exited first (with its
  // exit code and the log tail) or the timeout passed (with the log tail).
  Status WaitForPort(int port, std::chrono::milliseconds timeout,
                     const std::string& host = "127.0.0.1");
  // Polls `ready` (every 10 ms) until it returns true; the same errors as WaitForPort, with
  // `what` ("accept connections on port 5432") in their text. For servers whose readiness is
  // more than an open port (PostgreSQL answers PQping).
  Status WaitUntil(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                   const std::string& what);

  // Sends `sig` to the child's process group and returns at once (the group may outlive the
  // child for a moment: a wrapper's server). Safe to call from another thread while the owner
  // thread waits on the server.
  void Signal(int sig);
  // kill -9: SIGKILL to the process group; returns once the child is reaped and the group is
  // gone. The files it wrote stay, so a Restart() finds them (crash-recovery tests). Idempotent.
  void Kill();
  // The stop signal to the process group, then SIGKILL if anything of it is still alive after
  // `grace`. An error when it had to be killed. Idempotent.
  Status Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // Stops the child if it still runs (Stop(grace)), then starts it again with the same options:
  // same argv, environment, working directory and log (appended). Wait for it again afterwards.
  Status Restart(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // Forgets the child: the destructor leaves it running (detached servers recorded elsewhere).
  void Release() { released_ = true; }

  // The last `max_bytes` of the log, for error messages.
  std::string LogTail(size_t max_bytes = 2000) const;

 private:
  explicit ServerProcess(ProcessOptions options) : options_(std::move(options)) {}
  Status Spawn();
  // True once no process of the child's group is left (the leader reaped or not).
  bool GroupGone() const;
  // Polls until the leader exited and its group is empty; false at the deadline.
  bool WaitStopped(std::chrono::steady_clock::time_point deadline);

  ProcessOptions options_;  // log_path filled in by the first Spawn
  std::string program_;     // the resolved path of options_.program
  std::atomic<pid_t> pid_{0};
  std::atomic<bool> exited_{true};
  bool released_ = false;
  int exit_status_ = 0;
};

// A loopback TCP port that was free a moment ago (bind to port 0, read it back, close).
Result<int> FindFreePort();

// True when something accepts TCP connections on host:port (IPv4).
bool PortAnswers(int port, const std::string& host = "127.0.0.1");

// The full path of `program` on PATH (or `program` itself if it contains a '/'); empty if absent.
std::string FindProgram(const std::string& program);

// Stops a process that is not our child (one recorded by `racetrack servers up` in an earlier
// run): `sig`, then SIGKILL after `grace`. Ok when it is gone (or was already).
Status StopPid(pid_t pid, int sig, std::chrono::milliseconds grace);

}  // namespace racetrack::adapters
