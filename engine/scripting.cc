// ScriptEngine: the Lua interpreter, the sandbox, the two conversions (RESP -> Lua for
// redis.call's result, Lua -> RESP for the script's result) and the time-limit hook.
//
// A note on errors. Lua (built as C) raises errors with longjmp, which skips C++ destructors. So
// every C function registered with Lua keeps C++ objects inside a helper that returns normally, and
// calls lua_error only after that helper has returned, with nothing but trivially destructible
// locals left in scope.
#include "engine/scripting.h"

#include <lua.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "engine/base/clock.h"
#include "engine/ds/sha1.h"
#include "engine/ds/util.h"
#include "engine/engine.h"
#include "engine/errors.h"

namespace racetrack::engine {

// Everything the static Lua callbacks need; reached through the state's extra space.
struct ScriptEngine::RunState {
  Engine* engine = nullptr;
  ClientState* client = nullptr;  // the fake client
  bool active = false;            // a script is running
  bool read_only = false;
  bool killed = false;
  int64_t start_us = 0;
  int64_t limit_us = 0;
  int64_t limit_ms = 0;
  // math.random's rand48 state: starts where an unseeded rand48 starts and carries over from one
  // script to the next (only math.randomseed reseeds), as in Redis 7.0.
  uint64_t rand48 = 0x1234ABCD330EULL;
};

namespace {

using RunState = ScriptEngine::RunState;

constexpr const char* kEnvKey = "racetrack.env";          // registry: the scripts' _ENV proxy
constexpr const char* kProxiesKey = "racetrack.proxies";  // registry: every read-only proxy
constexpr int kHookInstructions = 100000;                 // as Redis's luaMaskCountHook

RunState* State(lua_State* L) { return *static_cast<RunState**>(lua_getextraspace(L)); }

// ---------------------------------------------------------------------------------------------
// Error tables ({err = "CODE message"}), as Redis's luaPushErrorBuff
// ---------------------------------------------------------------------------------------------

// `e` is either "-CODE message" (a RESP error line) or a bare message, which gets the code ERR.
void PushErrorTable(lua_State* L, std::string_view e) {
  std::string_view code = "ERR";
  std::string_view msg = e;
  if (!e.empty() && e[0] == '-') {
    size_t sp = e.find(' ');
    if (sp == std::string_view::npos) {
      msg = e.substr(1);
    } else {
      code = e.substr(1, sp - 1);
      msg = e.substr(sp + 1);
    }
  }
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.remove_prefix(1);
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.remove_suffix(1);
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, code.data(), code.size());
  lua_pushliteral(L, " ");
  lua_pushlstring(L, msg.data(), msg.size());
  lua_concat(L, 3);
  lua_setfield(L, -2, "err");
}

// The pcall message handler (Redis's __redis__err__handler): turns any error into a table and
// records where in the script it happened. When the error comes from a C function (redis.call,
// error()), the location is that of its Lua caller.
int ErrorHandler(lua_State* L) {
  lua_Debug ar;
  bool have = lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar);
  if (have && std::strcmp(ar.what, "C") == 0) have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
  if (!lua_istable(L, 1)) {
    luaL_tolstring(L, 1, nullptr);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, errors::kLuaErrorPrefix);
    lua_pushvalue(L, -3);
    lua_concat(L, 2);
    lua_setfield(L, -2, "err");
    lua_replace(L, 1);
    lua_settop(L, 1);
  }
  if (have) {
    lua_pushliteral(L, "source");
    lua_pushstring(L, ar.source);
    lua_rawset(L, 1);
    lua_pushliteral(L, "line");
    lua_pushinteger(L, ar.currentline);
    lua_rawset(L, 1);
  }
  return 1;
}

// ---------------------------------------------------------------------------------------------
// RESP -> Lua (redis.call's result)
// ---------------------------------------------------------------------------------------------
//   integer -> number          bulk -> string          nil bulk / nil array -> false
//   array -> table (1..n)      status -> {ok = s}      error -> {err = s}

void PushResp(lua_State* L, std::string_view r, size_t* pos) {
  if (!lua_checkstack(L, 4) || *pos >= r.size()) {
    lua_pushnil(L);
    return;
  }
  size_t start = *pos;
  size_t eol = r.find("\r\n", start);
  if (eol == std::string_view::npos) {
    *pos = r.size();
    lua_pushnil(L);
    return;
  }
  std::string_view line = r.substr(start + 1, eol - start - 1);
  *pos = eol + 2;
  int64_t n = 0;
  switch (r[start]) {
    case '+':
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, line.data(), line.size());
      lua_setfield(L, -2, "ok");
      return;
    case '-':
      PushErrorTable(L, r.substr(start, eol - start));
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "ignore_error_stats_update");
      return;
    case ':':
      ParseInt64(line, &n);
      lua_pushinteger(L, n);
      return;
    case '$':
      ParseInt64(line, &n);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      lua_pushlstring(L, r.data() + *pos, static_cast<size_t>(n));
      *pos += static_cast<size_t>(n) + 2;
      return;
    case '*':
      ParseInt64(line, &n);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      lua_createtable(L, static_cast<int>(n), 0);
      for (int64_t i = 1; i <= n; ++i) {
        PushResp(L, r, pos);
        lua_rawseti(L, -2, i);
      }
      return;
    default:
      lua_pushnil(L);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Lua -> RESP (the script's result)
// ---------------------------------------------------------------------------------------------
//   string -> bulk    number -> integer (truncated)    true -> 1    false / nil -> nil bulk
//   {err = s} -> error    {ok = s} -> status    {double = n} -> double
//   other table -> array of t[1], t[2], ... up to the first nil

// t[name] without metamethods (pushes the value, returns its type). The script's result and error
// objects are read outside any protected call, where a raising __index would abort the process.
int RawField(lua_State* L, int t, const char* name) {
  t = lua_absindex(L, t);
  lua_pushstring(L, name);
  return lua_rawget(L, t);
}

// (long long)d on x86-64: out-of-range and NaN give INT64_MIN, which is what Redis answers.
int64_t LuaNumberToInteger(lua_State* L, int idx) {
  if (lua_isinteger(L, idx)) return lua_tointeger(L, idx);
  double d = lua_tonumber(L, idx);
  if (std::isnan(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(d);
}

std::string MapCrLf(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

// Lua 5.1's C stack limit (LUAI_MAXCSTACK), where Redis's lua_checkstack fails for a deeply nested
// (or self-containing) table. Lua 5.4 allows a million slots; our C stack would run out first.
constexpr int kMaxReplyStack = 8000;

// Consumes the value on top of the stack.
void ReplyFromLua(lua_State* L, ReplyBuilder& reply) {
  if (lua_gettop(L) + 4 > kMaxReplyStack || !lua_checkstack(L, 4)) {
    reply.Error(errors::kLuaStackLimit);
    lua_pop(L, 1);
    return;
  }
  size_t len;
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      const char* s = lua_tolstring(L, -1, &len);
      reply.Bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (lua_toboolean(L, -1)) {
        reply.Integer(1);
      } else {
        reply.Null();
      }
      break;
    case LUA_TNUMBER:
      reply.Integer(LuaNumberToInteger(L, -1));
      break;
    case LUA_TTABLE: {
      if (RawField(L, -1, "err") == LUA_TSTRING) {
        const char* s = lua_tolstring(L, -1, &len);
        reply.Error(std::string_view(s, len));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (RawField(L, -1, "ok") == LUA_TSTRING) {
        const char* s = lua_tolstring(L, -1, &len);
        reply.Status(MapCrLf(std::string_view(s, len)));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      if (RawField(L, -1, "double") == LUA_TNUMBER) {
        reply.Double(lua_tonumber(L, -1));
        lua_pop(L, 2);
        return;
      }
      lua_pop(L, 1);
      size_t token = reply.BeginArray();
      size_t n = 0;
      for (lua_Integer j = 1;; ++j) {
        if (lua_rawgeti(L, -1, j) == LUA_TNIL) {
          lua_pop(L, 1);
          break;
        }
        ReplyFromLua(L, reply);
        ++n;
      }
      reply.EndArray(token, n);
      break;
    }
    default:
      reply.Null();
  }
  lua_pop(L, 1);
}

// ---------------------------------------------------------------------------------------------
// redis.call / redis.pcall
// ---------------------------------------------------------------------------------------------

// Redis's scriptCall checks, in its order. Returns the error text, or empty if the command may run.
std::string CheckScriptCommand(RunState* rs, const std::vector<std::string>& argv) {
  const CommandSpec* spec = rs->engine->commands().Find(argv[0]);
  if (spec != nullptr && !spec->subcommands.empty() && argv.size() >= 2) {
    auto it = spec->subcommands.find(ToLower(argv[1]));
    spec = it == spec->subcommands.end() ? nullptr : it->second.get();
  }
  if (spec == nullptr) return std::string(errors::kLuaUnknownCommand);
  int argc = static_cast<int>(argv.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity || spec->handler == nullptr) {
    return std::string(errors::kLuaWrongArity);
  }
  if (spec->flags & kCmdNoScript) return std::string(errors::kLuaNoScriptCommand);
  if (rs->read_only && (spec->flags & kCmdWrite)) {
    return std::string(errors::kLuaWriteInReadOnly);
  }
  return "";
}

// Leaves the result (or an error table) on the stack; returns whether to raise it.
bool RunRedisCommand(lua_State* L, bool raise) {
  RunState* rs = State(L);
  int argc = lua_gettop(L);
  if (argc == 0) {
    PushErrorTable(L, errors::kLuaCallNoArgs);
    return raise;
  }
  std::vector<std::string> argv;
  argv.reserve(static_cast<size_t>(argc));
  for (int j = 1; j <= argc; ++j) {
    int t = lua_type(L, j);
    if (t == LUA_TNUMBER) {
      // Not lua_tolstring: its format loses precision. Lua 5.1 (Redis) only had doubles, so
      // integers are formatted as the double they would have been there.
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, j)));
      argv.emplace_back(buf, static_cast<size_t>(n));
    } else if (t == LUA_TSTRING) {
      size_t n;
      const char* s = lua_tolstring(L, j, &n);
      argv.emplace_back(s, n);
    } else {
      lua_settop(L, 0);
      PushErrorTable(L, errors::kLuaCallArgType);
      return raise;
    }
  }
  lua_settop(L, 0);
  std::string err = CheckScriptCommand(rs, argv);
  if (!err.empty()) {
    PushErrorTable(L, err);
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "ignore_error_stats_update");
    return raise;
  }
  ClientState& c = *rs->client;
  c.reply.Clear();
  // ExecuteQueued, not Execute: no MULTI queuing, and blocked clients are not served in the middle
  // of the script (that happens after EVAL returns), which keeps the script atomic.
  rs->engine->ExecuteQueued(c, argv);
  std::string out = std::move(c.reply.buffer());
  c.reply.Clear();
  size_t pos = 0;
  PushResp(L, out, &pos);
  return raise && !out.empty() && out[0] == '-';
}

int LuaRedisCall(lua_State* L) {
  if (RunRedisCommand(L, true)) return lua_error(L);
  return 1;
}

int LuaRedisPcall(lua_State* L) {
  RunRedisCommand(L, false);
  return 1;
}

// ---------------------------------------------------------------------------------------------
// The rest of the redis.* API
// ---------------------------------------------------------------------------------------------

int LuaSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushErrorTable(L, errors::kLuaWrongArgs);
    return lua_error(L);
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  char hex[41];
  {
    std::string h = Sha1Hex(s ? std::string_view(s, len) : std::string_view());
    std::memcpy(hex, h.data(), 40);
  }
  hex[40] = '\0';
  lua_pushstring(L, hex);
  return 1;
}

int LuaErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, errors::kLuaWrongArgsOrType);
    return 1;
  }
  size_t len;
  const char* s = lua_tolstring(L, 1, &len);
  if (len > 0 && s[0] == '-') {
    PushErrorTable(L, std::string_view(s, len));
  } else {
    lua_pushliteral(L, "-");
    lua_pushvalue(L, 1);
    lua_concat(L, 2);
    s = lua_tolstring(L, -1, &len);
    PushErrorTable(L, std::string_view(s, len));
  }
  return 1;
}

int LuaStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, errors::kLuaWrongArgsOrType);
    return 1;
  }
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

// redis.log(level, msg, ...): validated as Redis does; the engine has no log file, so the message
// itself goes nowhere.
int LuaLog(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) {
    PushErrorTable(L, errors::kLuaLogArity);
    return lua_error(L);
  }
  if (!lua_isnumber(L, 1)) {
    PushErrorTable(L, errors::kLuaLogLevelType);
    return lua_error(L);
  }
  lua_Number level = lua_tonumber(L, 1);
  if (level < 0 || level > 3) {
    PushErrorTable(L, errors::kLuaLogLevel);
    return lua_error(L);
  }
  return 0;
}

int LuaSetResp(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushErrorTable(L, errors::kLuaSetRespArity);
    return lua_error(L);
  }
  lua_Number v = lua_tonumber(L, 1);
  if (v != 2 && v != 3) {
    PushErrorTable(L, errors::kLuaSetRespVersion);
    return lua_error(L);
  }
  return 0;  // partial: replies are always converted as RESP2 (see scripting.h)
}

int LuaSetRepl(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushErrorTable(L, errors::kLuaSetReplArity);
    return lua_error(L);
  }
  lua_Integer flags = static_cast<lua_Integer>(lua_tonumber(L, 1));
  if ((flags & ~lua_Integer{3}) != 0) {
    PushErrorTable(L, errors::kLuaSetReplFlags);
    return lua_error(L);
  }
  return 0;  // effects are always propagated command by command
}

int LuaReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int LuaBreakpoint(lua_State* L) {
  lua_pushboolean(L, 0);  // no debugger attached
  return 1;
}

int LuaNoop(lua_State*) { return 0; }

// Redis 7's pcall: an error table {err = "..."} reaches the script as its message string, as in
// older versions where errors were strings.
int LuaPcall(lua_State* L) {
  int argc = lua_gettop(L);
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != LUA_OK) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

// error(message [, level]) as Lua 5.1: a number message gets the position prefix too (5.4 adds it
// to strings only), so error(42) reads "user_script:1: 42" as in Redis.
int LuaError(lua_State* L) {
  lua_Integer level = luaL_optinteger(L, 2, 1);
  lua_settop(L, 1);
  if (lua_isstring(L, 1) && level > 0) {
    luaL_where(L, static_cast<int>(level));
    lua_pushvalue(L, 1);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

// load and loadstring as Lua 5.1 (Redis) has them — load(function [, name]) and
// loadstring(string [, name]) — on top of 5.4's load, restricted to source text (no bytecode) and
// to the scripts' own environment unless one is given.
int LuaLoadString(lua_State* L) {
  int argc = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));  // the real load
  lua_pushvalue(L, 1);
  if (argc >= 2) {
    lua_pushvalue(L, 2);
  } else {
    lua_pushnil(L);
  }
  lua_pushliteral(L, "t");
  if (argc >= 4) {
    lua_pushvalue(L, 4);
  } else {
    lua_getfield(L, LUA_REGISTRYINDEX, kEnvKey);
  }
  lua_call(L, 4, LUA_MULTRET);
  return lua_gettop(L) - argc;
}

int LuaLoad(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  return LuaLoadString(L);
}

// math.random / math.randomseed as Redis's: a rand48 sequence reseeded with 0 before each script,
// so a script returns the same "random" numbers on every run and on every machine.
int32_t Rand48Next(RunState* rs) {
  rs->rand48 = (rs->rand48 * 0x5DEECE66DULL + 0xB) & ((uint64_t{1} << 48) - 1);
  return static_cast<int32_t>(rs->rand48 >> 17);
}

void Rand48Seed(RunState* rs, int32_t seed) {
  rs->rand48 = (static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E;
}

int LuaMathRandom(lua_State* L) {
  RunState* rs = State(L);
  constexpr int32_t kMax = INT32_MAX;
  lua_Number r = static_cast<lua_Number>(Rand48Next(rs) % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      return 1;
    case 1: {
      lua_Integer u = luaL_checkinteger(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushinteger(L, static_cast<lua_Integer>(std::floor(r * static_cast<lua_Number>(u))) + 1);
      return 1;
    }
    case 2: {
      lua_Integer l = luaL_checkinteger(L, 1);
      lua_Integer u = luaL_checkinteger(L, 2);
      luaL_argcheck(L, l <= u, 2, errors::kLuaIntervalEmpty);
      lua_pushinteger(
          L, static_cast<lua_Integer>(std::floor(r * static_cast<lua_Number>(u - l + 1))) + l);
      return 1;
    }
    default:
      return luaL_error(L, errors::kLuaWrongArgsC);
  }
}

int LuaMathRandomSeed(lua_State* L) {
  Rand48Seed(State(L), static_cast<int32_t>(luaL_checkinteger(L, 1)));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Sandbox: read-only globals and libraries
// ---------------------------------------------------------------------------------------------

int ReadonlyError(lua_State* L) { return luaL_error(L, errors::kLuaReadonlyTable); }

int NonexistentGlobal(lua_State* L) {
  return luaL_error(L, errors::kLuaNoGlobalFormat,
                    luaL_tolstring(L, 2, nullptr));
}

// Pushes a proxy for the table at `real` (absolute index): reads go through, writes raise.
void PushReadonlyProxy(lua_State* L, int real) {
  lua_newtable(L);
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, real);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyError);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  // Remember it, so what rawset() put into it can be cleared after each script.
  lua_getfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushvalue(L, -2);
  lua_rawseti(L, -2, static_cast<lua_Integer>(lua_rawlen(L, -2)) + 1);
  lua_pop(L, 1);
}

void ClearTable(lua_State* L, int t) {
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_pushnil(L);
    lua_rawset(L, t);
  }
}

void SetFunction(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void SetNumber(lua_State* L, const char* name, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, name);
}

// The time-limit hook. Once the limit has passed it re-arms itself on every line, so a script
// that catches the error with pcall is stopped again at its next line (as Redis does for KILL).
void CountHook(lua_State* L, lua_Debug*) {
  RunState* rs = State(L);
  if (!rs->killed) {
    if (MonotonicUs() - rs->start_us < rs->limit_us) return;
    rs->killed = true;
    lua_sethook(L, CountHook, LUA_MASKLINE, 0);
  }
  lua_pushfstring(L, errors::kLuaTimeLimitFormat,
                  static_cast<LUA_INTEGER>(rs->limit_ms));
  size_t len;
  const char* msg = lua_tolstring(L, -1, &len);
  PushErrorTable(L, std::string_view(msg, len));
  lua_error(L);
}

// "#!lua flags=no-writes,allow-oom" (Redis 7's shebang). Returns false with *error set.
bool ParseShebang(std::string_view body, size_t* shebang_len, bool* no_writes, std::string* error) {
  *shebang_len = 0;
  *no_writes = false;
  if (!body.starts_with("#!")) return true;
  size_t eol = body.find('\n');
  *shebang_len = eol == std::string_view::npos ? body.size() : eol;
  std::vector<std::string> parts;
  if (!SplitArgs(body.substr(0, *shebang_len), &parts) || parts.empty()) {
    *error = errors::kBadShebang;
    return false;
  }
  if (parts[0] != "#!lua") {
    *error = errors::UnexpectedShebangEngine(parts[0]);
    return false;
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (!p.starts_with("flags=")) {
      *error = errors::UnknownShebangOption(parts[i]);
      return false;
    }
    p.remove_prefix(6);
    while (true) {
      size_t comma = p.find(',');
      std::string_view flag = p.substr(0, comma);
      if (flag == "no-writes") {
        *no_writes = true;
      } else if (flag != "allow-oom" && flag != "allow-stale" && flag != "no-cluster" &&
                 flag != "allow-cross-slot-keys") {
        *error = errors::UnexpectedShebangFlag(flag);
        return false;
      }
      if (comma == std::string_view::npos) break;
      p.remove_prefix(comma + 1);
    }
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ScriptEngine
// ---------------------------------------------------------------------------------------------

ScriptEngine::ScriptEngine(Engine* engine) : engine_(engine), run_(std::make_unique<RunState>()) {
  client_.is_script = true;
  client_.authenticated = true;
  client_.deny_blocking = true;
  client_.name = "lua";
  run_->engine = engine_;
  run_->client = &client_;
  InitLua();
}

ScriptEngine::~ScriptEngine() { CloseLua(); }

void ScriptEngine::InitLua() {
  lua_State* L = luaL_newstate();
  RT_CHECK(L != nullptr);
  lua_ = L;
  *static_cast<RunState**>(lua_getextraspace(L)) = run_.get();

  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kProxiesKey);

  // The libraries Redis loads, minus the extras (cjson, cmsgpack, struct, bit) and debug.
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
  luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
  lua_settop(L, 0);

  lua_pushglobaltable(L);  // 1: the real globals
  const int g = 1;
  for (const char* name : {"dofile", "loadfile", "print", "warn", "require"}) {
    lua_pushnil(L);
    lua_setfield(L, g, name);
  }
  lua_getfield(L, g, "load");
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, LuaLoadString, 1);
  lua_setfield(L, g, "loadstring");
  lua_pushcclosure(L, LuaLoad, 1);
  lua_setfield(L, g, "load");
  lua_getfield(L, g, LUA_TABLIBNAME);
  lua_getfield(L, -1, "unpack");
  lua_setfield(L, g, "unpack");  // Lua 5.1 name
  lua_pop(L, 1);
  lua_pushcfunction(L, LuaPcall);
  lua_setfield(L, g, "pcall");
  lua_pushcfunction(L, LuaError);
  lua_setfield(L, g, "error");

  lua_getfield(L, g, LUA_MATHLIBNAME);
  SetFunction(L, "random", LuaMathRandom);
  SetFunction(L, "randomseed", LuaMathRandomSeed);
  lua_pop(L, 1);

  lua_newtable(L);  // redis
  SetFunction(L, "call", LuaRedisCall);
  SetFunction(L, "pcall", LuaRedisPcall);
  SetFunction(L, "sha1hex", LuaSha1Hex);
  SetFunction(L, "error_reply", LuaErrorReply);
  SetFunction(L, "status_reply", LuaStatusReply);
  SetFunction(L, "log", LuaLog);
  SetFunction(L, "setresp", LuaSetResp);
  SetFunction(L, "set_repl", LuaSetRepl);
  SetFunction(L, "replicate_commands", LuaReplicateCommands);
  SetFunction(L, "breakpoint", LuaBreakpoint);
  SetFunction(L, "debug", LuaNoop);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", 1);
  SetNumber(L, "REPL_SLAVE", 2);
  SetNumber(L, "REPL_REPLICA", 2);
  SetNumber(L, "REPL_ALL", 3);
  SetNumber(L, "REDIS_VERSION_NUM", 0x0007000f);
  lua_pushliteral(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
  lua_setfield(L, g, "redis");

  // Libraries become read-only proxies; the real tables stay reachable only through them.
  for (const char* lib : {LUA_TABLIBNAME, LUA_STRLIBNAME, LUA_MATHLIBNAME, "redis"}) {
    lua_getfield(L, g, lib);
    PushReadonlyProxy(L, lua_gettop(L));
    lua_setfield(L, g, lib);
    lua_pop(L, 1);
  }
  // Strings' metatable would hand out the real string table: hide it.
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);

  // The scripts' environment: reads fall through to the globals (a missing one raises),
  // writes raise. _G names the proxy, so _G.x = 1 is refused too.
  PushReadonlyProxy(L, g);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kEnvKey);
  lua_setfield(L, g, LUA_GNAME);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, g);
  lua_settop(L, 0);
}

void ScriptEngine::CloseLua() {
  if (lua_ != nullptr) lua_close(lua_);
  lua_ = nullptr;
}

void ScriptEngine::Flush() {
  CloseLua();
  scripts_.clear();
  InitLua();
}

bool ScriptEngine::Exists(std::string_view sha) const {
  return sha.size() == 40 && scripts_.count(ToLower(sha)) > 0;
}

bool ScriptEngine::Compile(std::string_view body, const std::string& sha, std::string* error) {
  if (scripts_.count(sha) > 0) return true;
  size_t shebang_len;
  bool no_writes;
  if (!ParseShebang(body, &shebang_len, &no_writes, error)) return false;
  // The shebang line is left out but its newline kept, so line numbers match the source.
  std::string_view code = body.substr(shebang_len);
  lua_State* L = lua_;
  if (luaL_loadbufferx(L, code.data(), code.size(), "@user_script", "t") != LUA_OK) {
    *error = errors::ScriptCompileError(lua_tostring(L, -1));
    // Lua 5.1 quotes the end-of-input token; 5.4 does not. Scripts and clients see 5.1's text.
    if (error->ends_with(" near <eof>")) error->replace(error->size() - 5, 5, "'<eof>'");
    lua_settop(L, 0);
    return false;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, kEnvKey);
  lua_setupvalue(L, -2, 1);  // a main chunk's only upvalue is _ENV
  lua_setfield(L, LUA_REGISTRYINDEX, ("f_" + sha).c_str());
  scripts_[sha] = Script{.no_writes = no_writes};
  return true;
}

Result<std::string> ScriptEngine::Load(std::string_view body) {
  std::string sha = Sha1Hex(body);
  std::string error;
  if (!Compile(body, sha, &error)) return Status::InvalidArgument(error);
  return sha;
}

void ScriptEngine::Eval(ClientState& caller, std::string_view script, bool by_sha, Args keys,
                        Args args, bool read_only, ReplyBuilder& reply) {
  std::string sha = by_sha ? ToLower(script) : Sha1Hex(script);
  auto it = scripts_.find(sha);
  if (it == scripts_.end()) {
    if (by_sha) {
      reply.Error(errors::kNoScript);
      return;
    }
    std::string error;
    if (!Compile(script, sha, &error)) {
      reply.Error(error);
      return;
    }
    it = scripts_.find(sha);
  }
  lua_State* L = lua_;
  RT_CHECK(!run_->active);  // EVAL is refused from scripts (noscript), so runs never nest

  lua_settop(L, 0);
  lua_pushcfunction(L, ErrorHandler);                          // 1
  lua_getfield(L, LUA_REGISTRYINDEX, ("f_" + sha).c_str());    // 2
  lua_pushglobaltable(L);                                      // 3
  lua_createtable(L, static_cast<int>(keys.size()), 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    lua_pushlstring(L, keys[i].data(), keys[i].size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setfield(L, 3, "KEYS");
  lua_createtable(L, static_cast<int>(args.size()), 0);
  for (size_t i = 0; i < args.size(); ++i) {
    lua_pushlstring(L, args[i].data(), args[i].size());
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  lua_setfield(L, 3, "ARGV");
  lua_pop(L, 1);

  RunState& rs = *run_;
  rs.active = true;
  rs.read_only = read_only || it->second.no_writes;
  rs.killed = false;
  rs.limit_ms = engine_->config().lua_time_limit_ms;
  rs.limit_us = rs.limit_ms * 1000;
  rs.start_us = MonotonicUs();
  client_.db = caller.db;  // the script starts in the caller's db; its SELECT stays inside
  if (rs.limit_ms > 0) lua_sethook(L, CountHook, LUA_MASKCOUNT, kHookInstructions);

  int status = lua_pcall(L, 0, 1, 1);
  lua_sethook(L, nullptr, 0, 0);

  if (status == LUA_OK) {
    ReplyFromLua(L, reply);
  } else if (lua_istable(L, -1)) {
    std::string msg(errors::kLuaUnknownError);
    if (RawField(L, -1, "err") == LUA_TSTRING || lua_isnumber(L, -1)) msg = lua_tostring(L, -1);
    lua_pop(L, 1);
    RawField(L, -1, "source");
    RawField(L, -2, "line");
    if (lua_isstring(L, -2) && lua_isstring(L, -1)) {
      msg += " script: " + sha + ", on " + lua_tostring(L, -2) + ":" + lua_tostring(L, -1) + ".";
    }
    reply.Error(msg);
  } else {
    // Errors the handler never saw (out of memory, an error inside the handler).
    std::string msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
    reply.Error(errors::ScriptRunError(sha, msg.substr(0, 100)));
  }
  lua_settop(L, 0);

  // Undo what rawset() may have slipped past the read-only proxies.
  lua_getfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, 1));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, 1, i);
    ClearTable(L, 2);
    lua_pop(L, 1);
  }
  lua_settop(L, 0);
  rs.active = false;
  client_.reply.Clear();
}

}  // namespace racetrack::engine
