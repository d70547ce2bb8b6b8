// Blocking: clients waiting on keys — BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, XREAD BLOCK and
// XREADGROUP BLOCK.
//
// How it works (as Redis 7's blocking machinery):
//  1. A blocking command that finds nothing to serve calls Block(): the client is queued on each
//     key it waits for, with its command line and a deadline. The server stops reading its input
//     (Server::ProcessInput checks ClientState::is_blocked), so a blocked client costs nothing and
//     never stalls the event loop.
//  2. Every write that modifies a key calls SignalKey (via Engine::SignalModifiedKey). That only
//     records "(db, key) may be ready" when someone waits on it, so it is O(1) otherwise.
//  3. After each top-level command, ServeReady() re-runs the command of every client queued on a
//     ready key, in arrival order (FIFO per key). A command that can now serve replies and the client
//     is unblocked and woken; one that still finds nothing stays queued in its original place.
//     XREADGROUP is the exception, as in Redis 7.0.15: once its stream key is gone or holds
//     another type the client is answered "-UNBLOCKED the stream key no longer exists", and a
//     destroyed group answers "-NOGROUP ... no longer exists" (from the re-run handler). Plain XREAD
//     keeps waiting on a deleted key.
//  4. Timeouts: HandleTimeouts(now) answers the command's timeout reply (a null array for BLPOP and
//     XREAD, a null bulk for BLMOVE) for every client past its deadline. The server calls it every
//     loop turn and wakes up in time for NextDeadlineMs().
//
// Invariants:
//  1. c->blocked is set iff c appears in waiting_[(db,k)] for each k of its keys.
//  2. No empty queue is kept in waiting_.
//
// Thread-safety: none; owned by one Engine.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/client.h"
#include "engine/command.h"

namespace racetrack::engine {

class Engine;

class Blocking {
 public:
  explicit Blocking(Engine* engine) : engine_(engine) {}

  // Blocks c on keys of db until one is signalled or deadline_ms (Unix ms; 0 = forever). argv is
  // the command line re-run on a signal (a handler replaces "$" by the resolved ID first).
  // timeout_reply is the RESP sent if the deadline passes. While the command is being re-run,
  // calling Block again keeps c in its original queue position.
  void Block(ClientState& c, int db, const std::vector<std::string>& keys, int64_t deadline_ms,
             std::vector<std::string> argv, std::string timeout_reply);

  // A write touched (db, key); cheap when nobody waits.
  void SignalKey(int db, std::string_view key);
  // Every key someone waits for in db may have changed (SWAPDB): their commands are re-run.
  void SignalDb(int db);
  // Re-runs the commands of clients waiting on signalled keys. Re-entrant calls are ignored.
  void ServeReady();
  // Unblocks clients whose deadline passed, with their timeout reply.
  void HandleTimeouts(int64_t now_ms);
  // Earliest deadline among blocked clients, or -1 if none has one.
  int64_t NextDeadlineMs() const;
  // Drops c from every queue (disconnect). No reply.
  void RemoveClient(ClientState& c);
  // CLIENT UNBLOCK: ends the wait with the timeout reply (or an UNBLOCKED error if error).
  bool Unblock(ClientState& c, bool error);

  size_t blocked_clients() const { return blocked_count_; }
  size_t keys_with_waiters() const { return waiting_.size(); }

 private:
  struct Waiter;
  Waiter* StateOf(ClientState& c) const;
  void Detach(ClientState& c);
  // Ends c's wait with reply (an error message if is_error, else raw RESP) and wakes it.
  void Finish(ClientState& c, std::string_view reply, bool is_error);

  Engine* engine_;
  std::map<std::pair<int, std::string>, std::deque<ClientState*>, std::less<>> waiting_;
  std::vector<std::pair<int, std::string>> ready_;
  std::set<std::pair<int64_t, uint64_t>> deadlines_;  // (deadline_ms, client id)
  size_t blocked_count_ = 0;
  bool serving_ = false;
  ClientState* reprocessing_ = nullptr;
  bool reblocked_ = false;
};

}  // namespace racetrack::engine
