// The Lua 5.1 runtime shared by EVAL (scripting.h) and FUNCTION/FCALL (function.h): a sandboxed
// interpreter with Redis 7.0's globals, libraries and redis.* API, the two value conversions and
// the run loop with its busy/kill hook. Internal to the engine: only scripting.cc and function.cc
// include it, so Lua's headers stay out of every other file.
//
// The sandbox, as Redis 7.0's script_lua.c builds it:
//  - Globals: exactly Redis's set (no io, os, package, require, dofile, loadfile, print, getfenv,
//    setfenv, newproxy). Writing a global raises "Attempt to modify a readonly table" and reading
//    an undefined one "Script attempted to access nonexistent global variable 'x'".
//  - Libraries: base, table, string, math, coroutine, and Redis's cjson, cmsgpack, bit, struct
//    (scripting_libs.h), each read-only.
//  - Redis patches its Lua core to flag tables read-only. Debian's liblua5.1 cannot be patched, so
//    here the globals and every library are read-only *proxies*: empty tables whose metatable
//    reads through to the real table and refuses writes. rawset on a proxy is refused as Redis
//    refuses it on a read-only table; next/pairs/rawget see through proxies, so pairs(string)
//    iterates as in Redis. What differs: getmetatable("") is false (the string metatable would
//    hand out the real string table), and ipairs / # on a library table see an empty table.
//
// Thread-safety: none; one interpreter per ScriptEngine / FunctionEngine, on the engine's thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/client.h"
#include "engine/command.h"
#include "engine/scripting.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

namespace racetrack::engine {

class Engine;

namespace lua {

// What the C callbacks of one interpreter reach (registry light userdata "racetrack.run").
struct Interp {
  // The fake client is a script's: authenticated, named "lua", never blocking.
  explicit Interp(Engine* e);

  Engine* engine = nullptr;
  ClientState client;  // the fake client redis.call runs as
  // Set while a script or function runs (nullptr otherwise).
  RunningScript* run = nullptr;
  // math.random's rand48 state: starts where an unseeded rand48 starts and carries over from one
  // script to the next (only math.randomseed reseeds), as in Redis 7.0.
  uint64_t rand48 = 0x1234ABCD330EULL;
  // FUNCTION LOAD in progress: register_function adds here (function.cc's LoadContext).
  void* load_ctx = nullptr;
  int64_t load_start_us = 0;
};

enum class Mode { kEval, kFunction };

// A fresh sandboxed interpreter. REQUIRES: interp outlives it.
lua_State* NewState(Interp* interp, Mode mode);

// One sandboxed interpreter with the Interp its callbacks reach, owned together (the state points
// at the Interp, so a Vm is neither copied nor moved): ScriptEngine and FunctionEngine hold one.
class Vm {
 public:
  Vm(Engine* engine, Mode mode) : interp_(engine), mode_(mode), state_(NewState(&interp_, mode)) {}
  ~Vm() { lua_close(state_); }
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  lua_State* state() const { return state_; }
  Interp& interp() { return interp_; }
  // Closes the state and opens a fresh one (SCRIPT FLUSH). The Interp stays, so math.random's
  // sequence carries on, as in Redis.
  void Reset() {
    lua_close(state_);
    state_ = NewState(&interp_, mode_);
  }

 private:
  Interp interp_;
  Mode mode_;
  lua_State* state_;
};

Interp* GetInterp(lua_State* L);

// Pushes {err = "CODE message"}: `e` is "-CODE message" or a bare message (code ERR).
void PushErrorTable(lua_State* L, std::string_view e);
// The error handler (Redis's __redis__err__handler), stored in the registry.
void PushErrorHandler(lua_State* L);

// Runs the function on top of the stack (error handler below it, `nargs` arguments above it)
// under the busy/kill hook and writes exactly one reply: its result converted to RESP, or the
// error "<err> script: <funcname>, on <source>:<line>.". Pops everything it was given.
void CallAndReply(lua_State* L, int nargs, const std::string& funcname, ReplyBuilder& reply);

// FUNCTION LOAD support (function.cc). The globals every chunk sees are a proxy whose __index is
// switched: to the library API table (only `redis` with register_function, log and the version,
// as Redis's LIBRARY_API) while a library's top-level code runs, back to the real globals after.
void PushLibraryApi(lua_State* L, lua_CFunction register_function);
void PushRealGlobals(lua_State* L);
void SetGlobalsIndex(lua_State* L, int table);
// Redis's 500 ms budget for a library's top-level code ("FUNCTION LOAD timeout").
inline constexpr int64_t kFunctionLoadTimeoutUs = 500'000;

// The busy/kill hook (every 100,000 VM instructions, as Redis's luaMaskCountHook); while a library
// loads, it enforces kFunctionLoadTimeoutUs instead.
void CountHook(lua_State* L, lua_Debug* ar);

// scriptPrepareForRun's checks for a script that declared flags (a function always has): the
// error text, or "" when it may run.
std::string_view CheckDeclaredFlags(Engine& engine, uint32_t flags, bool read_only);

// Runs the function on the stack (error handler below it, nargs arguments above it) as `run`
// (eval, read_only and name already set) for `caller`, whose command is argv: registers it as the
// engine's running script in the caller's db, then CallAndReply, then unregisters it. A script
// ended by SHUTDOWN NOSAVE leaves no reply, as Redis's (the server is going away).
void RunAndReply(lua_State* L, Interp& in, RunningScript& run, ClientState& caller, Args argv,
                 int nargs, const std::string& funcname, ReplyBuilder& reply);

// Pushes a Lua array of strings.
void PushStringArray(lua_State* L, Args items);

// "#!lua flags=no-writes,allow-oom" / "#!lua name=lib": the shebang line of a script or library.
struct Shebang {
  size_t length = 0;  // bytes of the first line (0 when there is none)
  bool present = false;
  uint32_t flags = 0;  // kScriptNoWrites | ...
  std::string name;    // name=<lib> (FUNCTION LOAD)
};
inline constexpr uint32_t kScriptNoWrites = 1 << 0;
inline constexpr uint32_t kScriptAllowOom = 1 << 1;
inline constexpr uint32_t kScriptAllowStale = 1 << 2;
inline constexpr uint32_t kScriptNoCluster = 1 << 3;
inline constexpr uint32_t kScriptAllowCrossSlot = 1 << 4;
// Parses a flag name ("no-writes", ...); 0 if unknown.
uint32_t ScriptFlagByName(std::string_view name);
// Flag names in Redis's order (FUNCTION LIST).
std::vector<std::string> ScriptFlagNames(uint32_t flags);
// eval_mode: EVAL's shebang (flags= only); else FUNCTION LOAD's (name= and no flags=).
bool ParseShebang(std::string_view body, bool eval_mode, Shebang* out, std::string* error);

// luaL_loadbuffer that never loads bytecode: a body starting with ESC gets Lua 5.1's parse error,
// as Redis's patched interpreter gives (it is compiled as text).
int LoadText(lua_State* L, std::string_view code, const char* chunkname);

}  // namespace lua
}  // namespace racetrack::engine
