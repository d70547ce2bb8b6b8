// Target: where a scenario runs — one of four, each a factory of Clients (one connection per
// client thread).
//
//   builtin      the engine in-process (one Engine per Target; callers serialized by a mutex, as
//                a single-threaded server serializes them, so atomic commands stay atomic)
//   builtin-tcp  the same engine behind racetrack-server, over RESP (hiredis) on loopback
//   redis        a real Redis via hiredis
//   postgres     a real PostgreSQL via libpq
//   redis-cluster  a real Redis Cluster through a slot-aware client (cluster.h). Not one of
//                AllTargetKinds() either: a throwaway cluster is several servers and a few
//                seconds to form, so it runs when named (-t redis-cluster).
//   client       no server at all: the work happens in the client (sessions' `jwt` verifies a
//                signed token locally). Not one of AllTargetKinds() (the default server
//                targets); a run adds it when a planned approach needs kCapClientSide, and
//                only such approaches run on it.
//
// OpenTarget() makes one available: from a URL when given, else from a throwaway server (see
// throwaway.h). A target that cannot be had yields a Status whose message is the one-line reason
// shown to the user and recorded in the results ("redis-server not found on PATH", "connection
// refused", "password authentication failed"). URLs in messages are always redacted.
//
// Thread-safety: Connect(), name(), capabilities() and the other accessors are safe from any
// thread; the Clients it returns are not shared.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/client.h"
#include "engine/base/status.h"

namespace racetrack::adapters {

class ThrowawayServers;

enum class TargetKind { kBuiltin, kBuiltinTcp, kRedis, kPostgres, kClient, kRedisCluster };

// The server targets, in display order: the default set of a run.
const std::vector<TargetKind>& AllTargetKinds();
// Every kind a user may name: AllTargetKinds() and `client`.
const std::vector<TargetKind>& KnownTargetKinds();
std::string_view TargetName(TargetKind kind);
// "builtin" -> kBuiltin, ...; unknown names give InvalidArgument naming the valid choices.
Result<TargetKind> ParseTargetName(std::string_view name);
// "builtin, builtin-tcp, redis, postgres, client" — for error messages and help.
std::string TargetNameList();

struct TargetOptions {
  std::string redis_url;     // redis://[user:password@]host:port[/db]; empty = throwaway
  std::string postgres_url;  // postgresql://user:password@host:port/db; empty = throwaway
  std::string redis_cluster_url;  // redis://host:port of any node of a cluster; empty = throwaway
  // The redis-cluster client's bound on redirects and retries of one command (cluster.h).
  double cluster_retry_s = 10.0;
  // Where racetrack-server lives (normally the directory of the running binary).
  std::string bin_dir;
  double connect_timeout_s = 5.0;
  double command_timeout_s = 30.0;  // a reply slower than this is an error, never a hang
};

class Target {
 public:
  virtual ~Target() = default;
  virtual TargetKind kind() const = 0;
  std::string_view name() const { return TargetName(kind()); }
  // Capability bits (Capability in client.h), probed when the target was opened.
  virtual uint32_t capabilities() const = 0;
  // A redacted description of the endpoint: "in-process", "redis://127.0.0.1:41234/0".
  virtual std::string endpoint() const = 0;
  // The server's version as it reports it ("7.0.15", "15.8", "racetrack 0.1.0").
  virtual std::string server_version() const = 0;
  // The full, UNREDACTED URL to reach the same server another way (the pipeline lesson dials it
  // through adapters/delay_proxy.h). Empty for the in-process target. Never print it: Redact().
  virtual std::string dial_url() const { return {}; }
  // Opens one connection (one per client thread). Safe to call from several threads.
  virtual Result<std::unique_ptr<Client>> Connect() = 0;
  // Cumulative counts of what the target's clients did beyond the commands themselves, since it
  // was opened (redis-cluster: redirects, retries, commands per node — cluster.h). The harness
  // records their growth over the timed phases in a record's figures. Default: none.
  virtual std::map<std::string, double> Counters() const { return {}; }

  // Where racetrack's binaries live (TargetOptions::bin_dir when opened with OpenTarget): a lesson
  // that starts server processes of its own (persistence) finds racetrack-server there.
  const std::string& bin_dir() const { return bin_dir_; }
  void set_bin_dir(std::string dir) { bin_dir_ = std::move(dir); }

 private:
  std::string bin_dir_;
};

// Makes `kind` available. `servers` starts throwaway servers on demand (may be null: then only
// URLs and builtin work). The Target borrows `servers`, which must outlive it.
Result<std::unique_ptr<Target>> OpenTarget(TargetKind kind, const TargetOptions& options,
                                           ThrowawayServers* servers);

// Direct constructors, for tests and tools that already have an endpoint.
std::unique_ptr<Target> MakeBuiltinTarget();
// The `client` target: capabilities kCapClientSide only; its Clients refuse every command.
std::unique_ptr<Target> MakeClientTarget();
Result<std::unique_ptr<Target>> MakeRespTarget(TargetKind kind, std::string_view url,
                                               const TargetOptions& options);
Result<std::unique_ptr<Target>> MakePostgresTarget(std::string_view url,
                                                   const TargetOptions& options);

// Whether a target can be had right now, and if not, why (for `racetrack list`).
struct TargetAvailability {
  TargetKind kind;
  bool available = false;
  std::string reason;  // empty when available
};

}  // namespace racetrack::adapters
