// ClientPause: CLIENT PAUSE / UNPAUSE — holding clients' commands back for a while, as Redis's
// pauseClients (networking.c). An operator pauses writes (WRITE) or everything (ALL) for a number
// of milliseconds, e.g. to let a replica catch up before a failover.
//
// How a held command waits (as Redis's BLOCKED_POSTPONE): Engine::Execute checks Holds() just
// before it would queue (MULTI) or run the command — after the lookup, arity, AUTH, ACL and OOM
// checks, which still answer at once — and, for a client whose owner can re-send it
// (ClientState::pausable: the network server's connections), marks the client `postponed` and
// returns without a reply. The server leaves that command unread in the connection's input and
// stops reading the connection; each loop turn it re-sends the held commands, oldest first, so
// they run in their original order once the pause has ended or was lifted (CLIENT UNPAUSE, itself
// held under ALL — as in Redis, an ALL pause only ends with its timeout). The in-process engine
// has no event loop to wait in: its clients are not pausable and CLIENT PAUSE does not hold them.
//
// Under WRITE, a command is held if it may write or replicate: commands flagged write, EVAL,
// EVALSHA, FCALL, PFCOUNT, PUBLISH and SPUBLISH (Redis's may_replicate), and EXEC of a
// transaction that queued one. Redis also stops expiring and evicting keys while paused; the
// engine does not (a known gap).
//
// Thread-safety: none; owned by one Engine.
#pragma once

#include <cstdint>

#include "engine/client.h"
#include "engine/command.h"

namespace racetrack::engine {

class ClientPause {
 public:
  // In increasing strictness, as Redis's pause_type.
  enum class Mode { kOff, kWrite, kAll };

  // Pauses until end_ms (Unix ms). A pause still in force at now_ms keeps the later end and the
  // stricter mode, as Redis merges them.
  void Pause(int64_t now_ms, int64_t end_ms, Mode mode);
  void Unpause() { mode_ = Mode::kOff; }
  // The mode in force at now_ms (kOff once the end has passed).
  Mode ModeAt(int64_t now_ms) const;
  // When the pause in force ends (Unix ms); 0 when none is.
  int64_t end_ms() const { return mode_ == Mode::kOff ? 0 : end_ms_; }
  // Whether `spec` (argv's command, already looked up) from client c must wait at now_ms.
  bool Holds(const CommandTable& table, const ClientState& c, const CommandSpec& spec,
             int64_t now_ms) const;

 private:
  Mode mode_ = Mode::kOff;
  int64_t end_ms_ = 0;
};

}  // namespace racetrack::engine
