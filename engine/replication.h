// Replication, master side: the stream of changes a replica receives after SYNC (or PSYNC, which
// is always answered with a full resynchronization), as a Redis 7.0 master sends it.
//
// What a replica connection receives, in order:
//   1. PSYNC only: "+FULLRESYNC <replid> <offset>".
//   2. "$<length>\r\n" and the whole dataset as one payload: racetrack's snapshot format
//      (snapshot.h), not Redis's RDB, so a redis-server cannot load it; a reader that skips the
//      payload (Redis's own test suite does) follows the stream.
//   3. Every change, as the command that reproduces it: what the engine propagates to the
//      append-only log (Engine::Propagate). A command is preceded by SELECT when its database
//      differs from the previous one's. When one command (EXEC, a script, ...) propagates several,
//      they are wrapped in MULTI ... EXEC; a single one is not (Redis 7.0's rule).
//   4. A key deleted because it expired, as DEL, at once and outside any MULTI (Redis 7.0.15).
//   5. PING every repl-ping-replica-period seconds.
//
// A replica is an ordinary connection whose output the engine appends to and wakes, as for Pub/Sub
// messages. There is no backlog: PSYNC never continues an old stream. REPLCONF ACK refreshes a
// replica's lag, which min-replicas-to-write counts.
//
// Replica side (REPLICAOF host port): only the state, not the link. The server takes the replica
// role Redis takes — writes refused with READONLY (replica-read-only), other commands with
// MASTERDOWN while replica-serve-stale-data is no, its own changes no longer streamed to its
// replicas — but it never connects to the master: racetrack-server cannot replicate from a master
// (racetrack's or Redis's), so the link stays "down" (INFO master_link_status, ROLE's "connect")
// until REPLICAOF NO ONE makes it a master again, which disconnects its replicas as Redis does.
//
// Thread-safety: none; the engine's thread only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/command.h"

namespace racetrack::engine {

struct ClientState;

class Replication {
 public:
  // replid: 40 hex characters naming this master's stream (INFO master_replid, FULLRESYNC).
  explicit Replication(std::string replid) : replid_(std::move(replid)) {}

  // SYNC/PSYNC: writes the preamble and `payload` (the dataset) to client and streams every later
  // change to it.
  void Attach(ClientState& client, bool psync, std::string_view payload, int64_t now_ms);
  // The connection is gone (Engine::RemoveClient).
  void Detach(const ClientState* client);
  bool active() const { return !replicas_.empty(); }
  size_t replica_count() const { return replicas_.size(); }
  // Replicas whose last REPLCONF ACK (or attach) is at most max_lag_s seconds old.
  size_t GoodReplicas(int64_t now_ms, int64_t max_lag_s) const;
  // REPLCONF ACK <offset> from client (a replica). Returns false when client is no replica.
  bool Ack(const ClientState& client, int64_t offset, int64_t now_ms);
  // Bytes of commands streamed so far (master_repl_offset).
  int64_t offset() const { return offset_; }
  const std::string& replid() const { return replid_; }

  // One propagated command of the running top-level command: held until Flush.
  void Feed(int db, Args argv);
  // The end of a top-level command: sends what it propagated (wrapped in MULTI/EXEC if several).
  void Flush();
  // Sends one command now, outside any wrapping (expired-key DELs).
  void SendNow(int db, Args argv);
  // Periodic: PING every period_s seconds.
  void Cron(int64_t now_ms, int64_t period_s);

  // REPLICAOF host port: the replica role (see above); REPLICAOF NO ONE: master again, the
  // replicas attached so far are asked to close (their stream's history changes).
  void SetMaster(std::string host, int port);
  void UnsetMaster();
  // True in the replica role (Redis's server.masterhost != NULL).
  bool has_master() const { return !master_host_.empty(); }
  const std::string& master_host() const { return master_host_; }
  int master_port() const { return master_port_; }
  // Replicas (SYNC/PSYNC), for ROLE: (address, acknowledged offset).
  std::vector<std::pair<std::string, int64_t>> ReplicaOffsets() const;

  // "slave0:ip=...,port=...,state=online,offset=...,lag=..." lines for INFO replication.
  std::vector<std::string> InfoLines(int64_t now_ms) const;

 private:
  struct Replica {
    ClientState* client;
    int db = -1;  // the database its stream last selected
    int64_t ack_ms = 0;
    int64_t ack_offset = 0;
  };
  // Appends argv (as a RESP array) to every replica, after a SELECT where its db differs.
  void Send(int db, const std::vector<std::string>& argv);

  std::vector<Replica> replicas_;
  std::vector<std::pair<int, std::vector<std::string>>> pending_;
  std::string replid_;
  std::string master_host_;  // empty: master
  int master_port_ = 0;
  int64_t offset_ = 0;
  int64_t last_ping_ms_ = 0;
};

}  // namespace racetrack::engine
