// ThrowawayServers: the servers racetrack starts for itself when no URL is given —
// redis-server (persistence off), racetrack-server, and a PostgreSQL cluster — each on a free
// loopback port, started on demand, waited for until it answers, and stopped and removed when the
// object is destroyed (normal exit, error paths) or StopAll() is called (the Ctrl-C handler).
//
// PostgreSQL: initdb into a fresh mktemp directory (chmod 755), as the `postgres` user via
// `runuser` when running as root, with --locale=C.UTF-8 --encoding=UTF8, password authentication
// (a random password, user "racetrack"), its unix socket in the same directory, listening on
// 127.0.0.1 only. Like the throwaway Redis it starts without durability (fsync=off,
// synchronous_commit=off, full_page_writes=off) — like for like; `racetrack run --durability`
// changes both live (adapters/durability.h); point --postgres-url at a real server to measure one.
//
// Redis Cluster (`redis-cluster`): N masters (SetClusterShape; default 3) and R replicas each,
// every node a redis-server --cluster-enabled yes on a free loopback port (and a free bus port,
// --cluster-port, so a data port above 55535 works too) in its own temp directory, a
// cluster-node-timeout of 1 s (a failover finishes in seconds), joined with `redis-cli --cluster
// create ... --cluster-yes`; ready when every node reports cluster_state:ok and every replica is
// in sync. Url() returns the first master's URL: the client discovers the rest.
//
// Reuse across runs (`racetrack servers up|status|down`): Up() starts the set detached (they
// survive this process) and records them in a state file; a later ThrowawayServers given the same
// state file uses a recorded server that still answers instead of starting another. Down() stops
// the recorded ones and removes the file.
//
// Directories left by a racetrack killed with SIGKILL (its servers die with it via PDEATHSIG)
// are removed by the next ThrowawayServers constructed on the machine.
//
// Caveat: Linux delivers PDEATHSIG when the *thread* that started a server exits, so call Url()
// from a thread that lives as long as the servers should (main, or the GUI's main thread).
//
// Thread-safety: all methods are safe from any thread (one internal mutex). StopAll() may be
// called from a signal-watching thread while another thread is inside a *Url() call.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/server_process.h"
#include "adapters/target.h"
#include "engine/base/status.h"

namespace racetrack::adapters {

// The folder of the running executable (racetrack-server and the other binaries live beside
// it in a build): what the CLI and the benchmark binary pass as `bin_dir`; "." if unknown.
std::string ExecutableDir();

// One server as recorded in the state file.
struct ServerRecord {
  std::string target;  // "redis", "builtin-tcp", "postgres"
  std::string url;     // full URL (the state file is private to the user: mode 0600)
  int pid = 0;         // the process to signal to stop it
  std::string dir;     // temp directory to remove, may be empty
  std::string version;
};

struct ServerStatus {
  ServerRecord record;
  bool alive = false;
};

class ThrowawayServers {
 public:
  // bin_dir: where racetrack-server lives. state_file: may be empty (no reuse).
  ThrowawayServers(std::string bin_dir, std::string state_file);
  ~ThrowawayServers();  // StopAll()
  ThrowawayServers(const ThrowawayServers&) = delete;
  ThrowawayServers& operator=(const ThrowawayServers&) = delete;

  // The server's URL, starting it if needed (or reusing a recorded one that still answers).
  // Failures carry a one-line reason ("redis-server not found on PATH").
  Result<std::string> Url(TargetKind kind);

  // Why `kind` could not be started here ("redis-server not found on PATH"), or "" when it looks
  // startable (binary present; for postgres as root, a postgres user exists). Cheap: starts
  // nothing. A live recorded server counts as startable.
  std::string CannotStart(TargetKind kind);

  // Starts `n` more servers of `kind` that no one else is handed (Url() never returns them): the
  // redlock approach's independent lock servers. Stopped with the others by StopAll().
  Result<std::vector<std::string>> StartExtra(TargetKind kind, int n);
  // SIGKILLs one server StartExtra started (a crash, not a shutdown) and removes its directory.
  Status KillExtra(const std::string& url);

  // Stops and removes every server this object started (not the recorded, reused ones).
  // Idempotent.
  void StopAll();

  // The shape of a throwaway cluster started from now on: masters >= 3 (redis-cli --cluster
  // create needs three), replicas per master 0..2. InvalidArgument otherwise.
  Status SetClusterShape(int masters, int replicas);
  // SIGKILLs the throwaway cluster node at `addr` ("127.0.0.1:30001") — a crash, not a shutdown
  // (`--fault kill-master`). NotFound when no node this object started is there.
  Status KillClusterNode(const std::string& addr);

  // `servers up`: starts the kinds not already running, detached, and records all in the state
  // file. Returns the records (URLs unredacted: callers redact before printing).
  Result<std::vector<ServerRecord>> Up(const std::vector<TargetKind>& kinds);
  // `servers status`: the recorded servers and whether each still answers.
  std::vector<ServerStatus> List();
  // `servers down`: stops the recorded servers, removes their directories and the state file.
  Status Down();

  // The default state file: $XDG_STATE_HOME/racetrack/servers.json, else
  // ~/.local/state/racetrack/servers.json.
  static std::string DefaultStateFile();

 private:
  struct Running;
  Result<std::unique_ptr<Running>> Start(TargetKind kind, bool detached);
  // Every node of a new cluster, the first master first.
  Result<std::vector<std::unique_ptr<Running>>> StartCluster(bool detached);

  std::string bin_dir_;
  std::string state_file_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Running>> running_;  // started by us, stopped by StopAll
  int cluster_masters_ = 3;
  int cluster_replicas_ = 0;
};

// The newest /usr/lib/postgresql/N/bin/<name> (initdb, postgres), else <name> on PATH; empty when
// neither exists.
std::string FindPostgresBinary(const std::string& name);

}  // namespace racetrack::adapters
