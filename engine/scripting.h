// ScriptEngine: Lua scripting (EVAL, EVALSHA, SCRIPT) — one Lua 5.4 interpreter per Engine.
//
// Why. A script runs several commands as one atomic step, next to the data: "read a counter, decide,
// write it back" without a round trip per command and without WATCH retries. The `counters`
// scenario compares it with WATCH/MULTI and with INCR.
//
// How a script runs (as Redis 7.0's eval.c / script_lua.c):
//  1. The script is named by the SHA-1 of its body, compiled once (chunk name "@user_script") and
//     cached until SCRIPT FLUSH. EVALSHA runs a cached script by that name.
//  2. KEYS and ARGV become global arrays; the chunk runs inside the one engine call that executes
//     EVAL, so nothing else runs meanwhile: the script is atomic.
//  3. redis.call / redis.pcall run a command as a fake client (ClientState::is_script) through the
//     engine's ordinary path and turn the RESP reply into Lua values; the script's return value is
//     turned back into RESP. The conversion rules are Redis's (see scripting.cc).
//  4. Errors carry Redis 7.0's texts: "ERR <msg> script: <sha>, on @user_script:<line>.".
//
// Sandbox: only the base, table, string and math libraries; no io, os, package, require, dofile,
// loadfile, print, and load() accepts source text only (no bytecode). Globals and the library
// tables are read-only from scripts ("Attempt to modify a readonly table"), and reading a
// nonexistent global is an error, as in Redis 7.0.
//
// Time limit — where we differ from Redis on purpose. Redis lets a script run past lua-time-limit,
// answers BUSY to everyone else and waits for SCRIPT KILL. Here (issue 3) a script that runs longer
// than EngineConfig::lua_time_limit_ms is stopped by a count hook that checks a monotonic clock,
// the caller gets "ERR Script killed after exceeding lua-time-limit ..." and the server goes on
// serving. Writes the script made before it was stopped stay (Redis would refuse to kill such a
// script and demand SHUTDOWN NOSAVE instead).
//
// Differences from Redis 7.0 that a client can see (partial):
//  - The interpreter is Lua 5.4, not 5.1: _VERSION is "Lua 5.4"; integer/float subtypes exist
//    (tostring(3/1) is "3.0"); some runtime error texts differ in wording ("attempt to index a nil
//    value (local 't')"). For 5.1 scripts, unpack is an alias of table.unpack, load takes a
//    function and loadstring a string, as in 5.1.
//  - The cjson, cmsgpack, struct and bit libraries are not provided.
//  - Library tables are read-only proxies: pairs(string) iterates nothing.
//  - redis.setresp(3) is accepted but replies are still converted as RESP2; RESP3-only reply
//    tables (map, set, big_number, verbatim_string) returned by a script are sent as arrays/nil.
//  - PFCOUNT (Redis's may-replicate) is allowed in read-only scripts.
//
// Thread-safety: none; owned by one Engine, used on its thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/base/status.h"
#include "engine/client.h"
#include "engine/command.h"

struct lua_State;

namespace racetrack::engine {

class Engine;

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

  // EVAL (by_sha = false: `script` is the body) or EVALSHA (`script` is the SHA-1). Writes exactly
  // one reply to `reply`. read_only: EVAL_RO/EVALSHA_RO — write commands are refused.
  void Eval(ClientState& caller, std::string_view script, bool by_sha, Args keys, Args args,
            bool read_only, ReplyBuilder& reply);

  // What the Lua callbacks (static functions in scripting.cc) reach through the interpreter.
  struct RunState;

 private:
  struct Script {
    bool no_writes = false;  // "#!lua flags=no-writes"
  };

  void InitLua();
  void CloseLua();
  // Compiles `body` into the registry under its SHA-1 unless already there. On failure writes the
  // error text to *error and returns false.
  bool Compile(std::string_view body, const std::string& sha, std::string* error);

  Engine* engine_;
  lua_State* lua_ = nullptr;
  ClientState client_;  // the fake client redis.call runs as
  std::unique_ptr<RunState> run_;
  std::unordered_map<std::string, Script> scripts_;  // by SHA-1
};

}  // namespace racetrack::engine
