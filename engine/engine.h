// Engine: the built-in Redis-like database as an ordinary object — numbered keyspaces, the command
// table, connected clients, statistics and configuration. No globals: a test can create several
// engines in one process, each with its own (e.g. manual) Clock.
//
// Execute() is the one entry point for commands, shared by the RESP server, the in-process adapter,
// MULTI/EXEC and Lua: lookup, arity, authentication, MULTI queuing, then the handler, then the
// after-effects (command statistics, WATCH invalidation, propagation to the append-only log).
//
// Thread-safety: none. The engine is single-threaded like Redis; callers on several threads
// serialize (the server has one thread; the in-process adapter holds a mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/base/clock.h"
#include "engine/client.h"
#include "engine/client_pause.h"
#include "engine/command.h"
#include "engine/db.h"
#include "engine/ds/limits.h"

namespace racetrack::engine {

class PubSub;       // pubsub.h
class Blocking;     // blocking.h
class Persistence;  // persistence.h
class ScriptEngine;  // scripting.h
class FunctionEngine;  // function.h
struct RunningScript;  // scripting.h
class Acl;           // acl.h
class Diagnostics;   // diagnostics.h
class Replication;   // replication.h
enum class AclContext;  // acl.h

// Settings, named as redis.conf names them. CONFIG GET/SET read and write these.
struct EngineConfig {
  int databases = 16;
  std::string requirepass;
  int64_t maxclients = 10000;
  int64_t timeout = 0;  // seconds a client may stay idle before it is closed (0: never)
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  int hz = 10;
  int port = 7379;
  std::string bind = "127.0.0.1";
  int64_t lua_time_limit_ms = 5000;
  int64_t hll_sparse_max_bytes = 3000;  // sparse HyperLogLog strings grow up to this, then go dense
  uint64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int maxmemory_samples = 5;
  std::string dir = ".";
  std::string dbfilename = "dump.rdb";
  bool appendonly = false;
  std::string appendfsync = "everysec";
  std::string appendfilename = "appendonly.aof";
  std::string save;  // "3600 1 300 100 60 10000" as redis.conf; empty disables snapshots
  // client-output-buffer-limit <class> <hard> <soft> <soft-seconds> (0 = no limit), with Redis's
  // defaults: normal 0 0 0, replica 256mb 64mb 60 (kept for CONFIG GET; no replicas here),
  // pubsub 32mb 8mb 60.
  int64_t normal_output_hard_limit = 0;
  int64_t normal_output_soft_limit = 0;
  int64_t normal_output_soft_seconds = 0;
  int64_t replica_output_hard_limit = 256LL * 1024 * 1024;
  int64_t replica_output_soft_limit = 64LL * 1024 * 1024;
  int64_t replica_output_soft_seconds = 60;
  int64_t pubsub_output_hard_limit = 32LL * 1024 * 1024;
  int64_t pubsub_output_soft_limit = 8LL * 1024 * 1024;
  int64_t pubsub_output_soft_seconds = 60;
  // protected-mode: while `default` has no password, refuse clients not on the loopback interface.
  bool protected_mode = true;
  // SLOWLOG (microseconds; < 0 disables, 0 logs everything) and LATENCY (milliseconds; 0 is off).
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  int64_t latency_monitor_threshold = 0;
  // notify-keyspace-events: the classes of keyspace events published (notify.h), 0 = none.
  int notify_keyspace_events = 0;
  bool latency_tracking = true;  // per-command latency histograms (LATENCY HISTOGRAM)
  std::vector<double> latency_tracking_info_percentiles = {50, 99, 99.9};  // INFO latencystats
  // ACL (acl.h): the channels new users start with ("resetchannels" or "allchannels") and the
  // ACL LOG's length.
  std::string acl_pubsub_default = "resetchannels";
  std::string aclfile;  // users for ACL LOAD / SAVE (startup only); "" = none
  int64_t acllog_max_len = 128;
  // Settings Redis's own test suite sets that change nothing here, accepted so a redis.conf or a
  // CONFIG SET written for Redis works: lists are never compressed (list-compress-depth), snapshots
  // are racetrack's own format (aof-use-rdb-preamble, rdb-key-save-delay, sanitize-dump-payload).
  // replica-read-only and replica-serve-stale-data apply in the replica role (REPLICAOF), whose
  // link to the master is never up here (replication.h).
  int64_t list_compress_depth = 0;
  bool aof_use_rdb_preamble = true;
  int64_t rdb_key_save_delay = 0;
  std::string sanitize_dump_payload = "no";
  bool replica_read_only = true;
  bool replica_serve_stale_data = true;
  // Replication (SYNC, replication.h): seconds between the PINGs sent to replicas, and the
  // minimum number of replicas (lagging at most min-replicas-max-lag seconds) a write needs.
  int64_t repl_ping_replica_period = 10;
  int64_t min_replicas_to_write = 0;
  int64_t min_replicas_max_lag = 10;
  // hash-max-listpack-entries & co: when small objects leave their compact encodings. Copied to
  // the process-wide Limits() (engine/ds/limits.h) when the engine starts and on CONFIG SET.
  EncodingLimits encoding;
};

// Applies a client-output-buffer-limit value ("pubsub 32mb 8mb 60", several classes may follow
// each other; classes normal, replica/slave, pubsub). False, changing nothing, when malformed.
bool ApplyOutputBufferLimits(EngineConfig* config, std::string_view value);

struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

struct EngineStats {
  uint64_t total_commands_processed = 0;
  uint64_t total_connections_received = 0;
  uint64_t rejected_connections = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  int64_t start_time_us = 0;
  // By CommandSpec::acl_id (INFO commandstats names them); sized on first use, so a reset is
  // `stats = EngineStats{}`. Read and write them through Engine::command_stats.
  std::vector<CommandStats> commands;
};

class Engine {
 public:
  explicit Engine(EngineConfig config = {}, const Clock* clock = SystemClock::Default());
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Registers a client for its lifetime: assigns its id, creation time and auth state.
  void AddClient(ClientState* client);
  void RemoveClient(ClientState* client);
  const std::map<uint64_t, ClientState*>& clients() const { return clients_; }

  // Executes one command and appends its reply to client.reply. argv[0] is the command name.
  // A client blocked in a command (BLPOP, ...) gets an error: the caller should not read a
  // blocked client's input (the server does not), and a second command must not nest a wait.
  void Execute(ClientState& client, Args argv);
  // Convenience for tests and tools: runs one command and returns (then clears) its RESP reply.
  std::string Run(ClientState& client, std::initializer_list<std::string_view> argv);

  // Periodic housekeeping (active expiry, ...). The server calls it config().hz times a second.
  void Cron();

  Db& db(int index) { return *dbs_[static_cast<size_t>(index)]; }
  int num_dbs() const { return static_cast<int>(dbs_.size()); }
  const CommandTable& commands() const { return commands_; }
  const Clock& clock() const { return *clock_; }
  EngineConfig& config() { return config_; }
  EngineStats& stats() { return stats_; }
  // The counters of one command or subcommand of this engine's table (an index, not a name lookup:
  // dispatch bumps them on every call).
  CommandStats& command_stats(const CommandSpec& spec) {
    const size_t id = static_cast<size_t>(spec.acl_id);
    if (id >= stats_.commands.size()) {
      stats_.commands.resize(static_cast<size_t>(commands_.acl_id_count()));
    }
    return stats_.commands[id];
  }
  uint64_t dirty() const;  // changes across all dbs since start
  // Bytes this engine's data holds, measured in allocator sizes (Db::MemoryBytes per db, plus the
  // Db structures themselves): INFO memory's used_memory and what maxmemory is compared with.
  // Counts only this engine, so several engines in one process do not see each other. Excludes
  // client buffers, the command table and the code, which Redis's used_memory also includes (its
  // empty-server baseline is ~0.9 MB).
  uint64_t UsedMemory();
  // The engine's random source (RANDOMKEY-like commands, HRANDFIELD, ...): seeded, so runs repeat.
  std::mt19937_64& rng() { return rng_; }

  // Marks key as modified: clients WATCHing it will fail their EXEC.
  void SignalModifiedKey(int db, std::string_view key);
  // Before FLUSHDB (db >= 0) or FLUSHALL (db == -1): marks clients WATCHing a key that exists
  // in the flushed db(s), as Redis's touchAllWatchedKeysInDb.
  void SignalFlushedDb(int db);
  // SWAPDB a b: the two keyspaces change numbers, O(1) in keys. Clients stay on their number (so
  // they see the other data); WATCHers of a key that differs between the two are marked as Redis
  // marks them, and clients blocked on keys of either db re-check. REQUIRES: valid indexes.
  void SwapDbs(int a, int b);
  // Called after each successful write command that changed data (the append-only log hooks in).
  std::function<void(int db, Args argv)> on_propagate;
  // Where every change leaves the engine: the append-only log (on_propagate) and the replicas
  // (replication.h; sent at the end of the top-level command).
  void Propagate(int db, Args argv);
  // The same, sent to replicas at once, outside the running command's MULTI/EXEC (evictions).
  void PropagateNow(int db, Args argv);
  // True when a change would go anywhere (a log or a replica): a handler may skip building a
  // propagated form nobody reads.
  bool propagating() const;
  // While paused, Propagate and PropagateNow send nothing: RESTORE rebuilds a value with inner
  // commands and propagates itself.
  void set_propagation_paused(bool on) { propagation_paused_ = on; }
  // Asks the server to shut down (SHUTDOWN); set by the server, may be empty.
  std::function<void(bool nosave)> on_shutdown;

  // Pub/Sub registry, clients blocked on keys, snapshot + append-only log.
  PubSub& pubsub() { return *pubsub_; }
  Blocking& blocking() { return *blocking_; }
  Persistence& persistence() { return *persistence_; }
  // The Lua interpreter and script cache (EVAL, SCRIPT), created on first use.
  ScriptEngine& scripts();
  // Function libraries (FUNCTION, FCALL), created on first use.
  FunctionEngine& functions();
  bool has_functions() const { return functions_ != nullptr; }
  // The script or function running now (nullptr when none). While one runs past
  // busy-reply-threshold, Execute answers other clients BUSY except for allow-busy commands.
  RunningScript* running_script() const { return running_script_; }
  void set_running_script(RunningScript* run) { running_script_ = run; }
  // Set by the server: serves other connections once without blocking (Redis's
  // processEventsWhileBlocked), called by a script's hook while it runs past busy-reply-threshold.
  // Empty when there is no event loop (in-process engine): such a script is stopped instead.
  std::function<void()> process_events_while_blocked;
  // ACL users, rules and the ACL log.
  Acl& acl() { return *acl_; }
  // The slow log, latency samples and MONITOR clients.
  Diagnostics& diagnostics() { return *diagnostics_; }
  // CLIENT PAUSE state; Execute postpones what it holds (client_pause.h).
  ClientPause& client_pause() { return client_pause_; }
  // Replicas attached with SYNC/PSYNC and the stream they receive.
  Replication& replication() { return *replication_; }
  // The client whose command is running (Redis's server.current_client): a script's redis.call
  // is checked against its ACL user. nullptr between commands.
  ClientState* current_client() const { return current_client_; }
  // The server calls this once per event-loop turn after running commands and before writing
  // replies: the append-only log is written (and fsynced under appendfsync always) here, so no
  // reply leaves before the write it acknowledges is in the log.
  void BeforeSleep();
  // True inside EXEC or a nested call (Lua, BLPOP's inner LPOP): blocking commands do not block.
  bool in_nested_call() const { return call_depth_ > 1; }
  // A write handler may replace what is propagated to the append-only log for this call (XADD *
  // propagates the ID it generated, as Redis does).
  void ReplacePropagation(std::vector<std::string> argv) { propagate_override_ = std::move(argv); }

  // Whether the server was over maxmemory (nothing left to evict) when the running top-level
  // command started (Redis's pre_command_oom_state): what a script's deny-oom commands check.
  bool pre_command_oom() const { return pre_command_oom_; }

  // Runs a command on behalf of the engine itself: EXEC's queue, redis.call, a blocked client's
  // re-run, a blocking command's inner pop, the append-only log's replay. No MULTI queuing, no
  // auth or subscribe-mode checks, and blocked clients are not served afterwards. An unknown
  // command or subcommand, or a wrong argument count, gets the error reply Execute would give.
  void ExecuteQueued(ClientState& client, const std::vector<std::string>& argv);

 private:
  // Execute without CLIENT REPLY's filtering.
  void ExecuteCommand(ClientState& client, Args argv);
  // Runs the handler with the command's time `now_ms` (one clock reading per command, taken by the
  // caller) and does the after-effects.
  void Call(ClientState& client, const CommandSpec& spec, Args argv, int64_t now_ms);
  // Settles the memory accounting of the dbs the command touched (db.h, invariant 4).
  void SettleTouchedDbs();
  // The expiry listener of the Db numbered index (WATCH and the expired_keys statistic).
  void InstallExpireListener(int index);
  // Redis's touchAllWatchedKeysInDb(emptied, replaced_with) for SWAPDB.
  void TouchWatchedKeysSwapped(int emptied, int replaced_with);
  // The ACL check; on a denial logs it, replies NOPERM (queuing: as processCommand rejects, also
  // failing a MULTI) and returns false.
  bool CheckAcl(ClientState& client, const CommandSpec& spec, Args argv, AclContext where,
                bool queuing);

  EngineConfig config_;
  const Clock* clock_;
  std::vector<std::unique_ptr<Db>> dbs_;
  // Dbs with entries touched since the last settling: each Db adds itself on its first touch, so
  // a command settles the dbs it touched rather than walking all of them.
  std::vector<Db*> unsettled_dbs_;
  CommandTable commands_;
  std::map<uint64_t, ClientState*> clients_;
  uint64_t next_client_id_ = 1;
  EngineStats stats_;
  std::mt19937_64 rng_{0x5eed5eedULL};
  // WATCH: (db, key) -> clients watching it.
  std::map<std::pair<int, std::string>, std::vector<ClientState*>, std::less<>> watched_keys_;

  std::unique_ptr<PubSub> pubsub_;
  std::unique_ptr<Blocking> blocking_;
  std::unique_ptr<Persistence> persistence_;
  std::unique_ptr<ScriptEngine> scripts_;
  std::unique_ptr<FunctionEngine> functions_;
  RunningScript* running_script_ = nullptr;
  std::unique_ptr<Acl> acl_;
  std::unique_ptr<Diagnostics> diagnostics_;
  std::unique_ptr<Replication> replication_;
  ClientState* current_client_ = nullptr;
  const CommandSpec* current_spec_ = nullptr;
  ClientPause client_pause_;
  int call_depth_ = 0;
  std::vector<std::string> propagate_override_;
  bool propagation_paused_ = false;
  bool pre_command_oom_ = false;

  friend void WatchKey(Engine& engine, ClientState& client, int db, std::string_view key);
  friend void UnwatchAll(Engine& engine, ClientState& client);
};

// WATCH bookkeeping, shared by the transaction family and client teardown.
void WatchKey(Engine& engine, ClientState& client, int db, std::string_view key);
void UnwatchAll(Engine& engine, ClientState& client);

}  // namespace racetrack::engine
