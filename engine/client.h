// ClientState: what the engine knows about one connection (or one in-process caller): its id,
// selected db, authentication, name, output buffer, and the per-client state of transactions,
// Pub/Sub and blocking commands.
//
// Ownership: the connection (server) or the in-process adapter owns a ClientState and registers it
// with Engine::AddClient for its lifetime. The engine may append to any registered client's
// `reply` (Pub/Sub messages, unblocked replies) and then calls its `wake` so the owner flushes it.
//
// Thread-safety: none; touched only by the engine's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/resp.h"

namespace racetrack::engine {

struct AclUser;      // acl.h
struct CommandSpec;  // command.h

struct ClientState {
  uint64_t id = 0;  // assigned by Engine::AddClient
  int db = 0;
  bool authenticated = false;
  // The ACL user this connection runs as (acl.h): `default` until AUTH/HELLO picks another.
  // nullptr for the engine's internal clients (append-only log replay), which ACL does not check.
  const AclUser* user = nullptr;
  std::string name;
  std::string addr = "internal:0";   // peer "ip:port"
  std::string laddr = "internal:0";  // local "ip:port"
  int fd = -1;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  // The last command it ran (CLIENT LIST's cmd=; nullptr shows "NULL"): an entry of the engine's
  // command table, which outlives its clients.
  const CommandSpec* last_command = nullptr;
  bool close_after_reply = false;  // QUIT, protocol errors: close once `reply` is flushed
  bool is_script = false;          // the fake client Lua's redis.call runs as
  bool is_replica = false;         // attached with SYNC/PSYNC: receives the replication stream
  // CLIENT NO-EVICT ON: shown as flag 'e'. Nothing evicts clients here (no maxmemory-clients).
  bool no_evict = false;

  ReplyBuilder reply;            // pending output
  // CLIENT REPLY: kOff drops every reply, SKIP drops the next command's (kSkipNext while the
  // CLIENT REPLY SKIP itself runs, then kSkip for the command whose reply is dropped).
  enum class ReplyMode { kOn, kOff, kSkipNext, kSkip };
  ReplyMode reply_mode = ReplyMode::kOn;
  std::function<void()> wake;    // set by the owner: "reply has new bytes, flush them"

  // MULTI/EXEC/WATCH.
  bool in_multi = false;
  bool multi_error = false;  // a command failed to queue: EXEC answers EXECABORT
  std::vector<std::vector<std::string>> multi_queue;
  bool watch_dirty = false;  // a watched key was touched
  struct WatchedKey {
    int db;
    std::string key;
    // The key existed but was already logically expired at WATCH time: its later deletion by
    // expiry is not a change (Redis 7.0's watchedKey.expired).
    bool expired_at_watch;
  };
  std::vector<WatchedKey> watched;

  // Pub/Sub.
  std::unordered_set<std::string> channels;
  std::unordered_set<std::string> patterns;
  std::unordered_set<std::string> shard_channels;  // SSUBSCRIBE
  // Every subscription: non-zero puts the connection in Pub/Sub mode (Redis's CLIENT_PUBSUB).
  size_t subscription_count() const {
    return channels.size() + patterns.size() + shard_channels.size();
  }

  // Blocking commands (BLPOP, XREAD BLOCK, ...): opaque state owned by the blocking machinery.
  std::shared_ptr<void> blocked;
  bool is_blocked() const { return blocked != nullptr; }
  bool deny_blocking = false;  // AOF loading, internal clients: blocking commands never block

  // CLIENT PAUSE (client_pause.h): `pausable` is set by an owner that can re-send a held command
  // (the network server); Execute sets `postponed` instead of running a command the pause holds,
  // and the owner clears it when it takes the command back.
  bool pausable = false;
  bool postponed = false;

  // Set by a write handler whose effects were already propagated by nested calls (BLPOP runs
  // LPOP): the engine does not propagate the command itself. Reset after each call.
  bool prevent_propagation = false;
  // Set by a write handler whose key Redis 7.0 does not signal as modified (XSETID, XACK, XCLAIM,
  // ...): WATCHers of it stay valid and clients blocked on it are not re-run. Reset after each call.
  bool no_key_signal = false;
};

}  // namespace racetrack::engine
