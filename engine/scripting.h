// ScriptEngine: Lua scripting (EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT) on Lua 5.1, as Redis 7.0
// runs it — one interpreter per Engine. FUNCTION / FCALL have their own interpreter (function.h);
// both share the runtime in scripting_lua.h (sandbox, redis.* API, conversions, busy/kill hook).
//
// Why. A script runs several commands as one atomic step, next to the data: "read a counter, decide,
// write it back" without a round trip per command and without WATCH retries. The `counters`
// scenario compares it with WATCH/MULTI and with INCR.
//
// How a script runs (as Redis 7.0's eval.c / script_lua.c):
//  1. The script is named by the SHA-1 of its body, compiled once (chunk name "@user_script") and
//     cached until SCRIPT FLUSH. EVALSHA runs a cached script by that name.
//  2. KEYS and ARGV become global arrays; the chunk runs inside the one engine call that executes
//     EVAL: no other command changes data meanwhile, so the script is atomic.
//  3. redis.call / redis.pcall run a command as a fake client (ClientState::is_script) through the
//     engine's ordinary path and turn the RESP reply into Lua values; the script's return value is
//     turned back into RESP. The conversion rules are Redis's (scripting_lua.cc).
//  4. Errors carry Redis 7.0's texts: "ERR <msg> script: <sha>, on @user_script:<line>.".
//  5. The libraries are Redis's: base, table, string, math, coroutine, cjson, cmsgpack, bit, struct
//     (scripting_libs.h), behind Redis's globals protection (scripting_lua.h).
//
// A runaway script, as Redis: past busy-reply-threshold (alias lua-time-limit, default 5000 ms) the
// script's hook polls the server's event loop (Engine::process_events_while_blocked), so other
// clients are served and answered "BUSY Redis is busy running a script..." until SCRIPT KILL
// (which stops a script that has not written yet) or SHUTDOWN NOSAVE; a script that has written
// gets UNKILLABLE. Difference on purpose: an engine without an event loop (the in-process target,
// where no other client could ever send SCRIPT KILL) stops the script at the threshold itself with
// "ERR Script killed after exceeding lua-time-limit (N ms)".
//
// Differences from Redis 7.0 that a client can see (partial):
//  - Library tables and the globals are read-only proxies (scripting_lua.h): getmetatable("")
//    is false; ipairs and # over a library table see nothing.
//  - redis.setresp(3) is accepted but replies are still converted as RESP2; RESP3-only reply
//    tables (map, set, big_number, verbatim_string) returned by a script are sent as arrays/nil.
//  - PFCOUNT (Redis's may-replicate) is allowed in read-only scripts.
//  - SCRIPT DEBUG (the Lua debugger) is not supported.
//
// Thread-safety: none; owned by one Engine, used on its thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"
#include "engine/client.h"
#include "engine/command.h"

namespace racetrack::engine {

class Engine;
namespace lua {
class Vm;
}

// The script (EVAL) or function (FCALL) running now. Engine::running_script() points at it while
// it runs; SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE flag it, the engine answers BUSY from it.
struct RunningScript {
  bool eval = true;        // EVAL (SCRIPT KILL stops it) or FCALL (FUNCTION KILL)
  bool read_only = false;  // EVAL_RO / FCALL_RO / no-writes: write commands are refused
  // Redis's SCRIPT_ALLOW_OOM: a script or function declaring allow-oom (an EVAL without shebang
  // never has it). Without it, the first deny-oom command is refused while the server was over
  // maxmemory when the command started (Engine::pre_command_oom), as scriptVerifyOOM.
  bool allow_oom = false;
  bool wrote = false;      // a write command was called: the script can no longer be killed
  bool timed_out = false;  // past busy-reply-threshold: other clients get BUSY
  bool kill = false;       // asked to stop (the hook raises at its next check)
  bool killed_by_limit = false;  // stopped by the threshold itself (no event loop)
  bool shutdown = false;         // SHUTDOWN NOSAVE: the caller gets no reply, as from Redis
  int64_t start_us = 0;
  ClientState* caller = nullptr;
  std::string name;                  // the function's name (FCALL), for FUNCTION STATS
  std::vector<std::string> command;  // the calling command, for FUNCTION STATS
};

class ScriptEngine {
 public:
  explicit ScriptEngine(Engine* engine);
  ~ScriptEngine();
  ScriptEngine(const ScriptEngine&) = delete;
  ScriptEngine& operator=(const ScriptEngine&) = delete;

  // SCRIPT LOAD: compiles and caches `body`. Returns its SHA-1 (40 lower-case hex digits) or the
  // full error text ("ERR Error compiling script (new function): ...").
  Result<std::string> Load(std::string_view body);
  // SCRIPT EXISTS: whether a script with this SHA-1 (any letter case) is cached.
  bool Exists(std::string_view sha) const;
  // SCRIPT FLUSH: forgets every script and starts a fresh interpreter.
  void Flush();
  size_t size() const { return scripts_.size(); }
  // The declared (shebang) flags of a cached script; false when it is not cached or has none.
  bool DeclaredFlags(std::string_view sha, uint32_t* flags) const;

  // EVAL (by_sha = false: `script` is the body) or EVALSHA (`script` is the SHA-1). Writes exactly
  // one reply to `reply`. read_only: EVAL_RO/EVALSHA_RO — write commands are refused.
  void Eval(ClientState& caller, Args argv, std::string_view script, bool by_sha, Args keys,
            Args args, bool read_only, ReplyBuilder& reply);

  // Lua heap in bytes (INFO's used_memory_lua).
  size_t MemoryBytes() const;

 private:
  struct Script {
    uint32_t flags = 0;     // shebang flags (lua::kScriptNoWrites, ...)
    bool shebang = false;   // declared flags: Redis checks them before running
  };

  // Compiles `body` into the registry under its SHA-1 unless already there. On failure writes the
  // error text to *error and returns false.
  bool Compile(std::string_view body, const std::string& sha, std::string* error);

  Engine* engine_;
  std::unique_ptr<lua::Vm> vm_;                      // reset by Flush
  std::unordered_map<std::string, Script> scripts_;  // by SHA-1
};

// Redis's getCommandFlags for EVAL/EVALSHA(_RO) and FCALL(_RO): a script or function that declares
// flags (a shebang, register_function's flags) gets write / deny-oom / stale from them (Redis's
// scriptFlagsToCmdFlags), so the server's checks (maxmemory, READONLY, MASTERDOWN, NOREPLICAS)
// refuse it before it runs. An EVAL without shebang, an unknown script or function, and every
// other command: spec.flags.
uint32_t ScriptCommandFlags(Engine& engine, const CommandSpec& spec, Args argv);

// SCRIPT KILL (eval) / FUNCTION KILL: flags the running script to stop and answers OK, or answers
// NOTBUSY, UNKILLABLE, or BUSY when the other kind of script runs.
void KillRunningScript(Engine& engine, bool eval, ReplyBuilder& reply);

}  // namespace racetrack::engine
