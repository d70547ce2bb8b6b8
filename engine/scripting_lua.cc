// The shared Lua 5.1 runtime: sandbox, conversions, redis.* API and the busy/kill hook.
//
// A note on errors. Lua (built as C) raises errors with longjmp, which skips C++ destructors. So
// every C function registered with Lua keeps C++ objects inside a helper that returns normally, and
// calls lua_error only after that helper has returned, with nothing but trivially destructible
// locals left in scope.
#include "engine/scripting_lua.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "engine/acl.h"
#include "engine/base/clock.h"
#include "engine/ds/sha1.h"
#include "engine/ds/util.h"
#include "engine/engine.h"
#include "engine/errors.h"
#include "engine/replication.h"
#include "engine/scripting_libs.h"

namespace racetrack::engine::lua {
namespace {

// Registry keys: addresses of these bytes are unique light userdata.
char kInterpKey;
char kProxiesKey;   // proxy -> real table
char kErrHandlerKey;
char kRealGlobalsKey;
char kStringMetaProxyKey;  // getmetatable("")'s answer

constexpr int kHookInstructions = 100000;  // as Redis's luaMaskCountHook
// Lua 5.1's C stack limit (LUAI_MAXCSTACK): where Redis's lua_checkstack fails for a deeply nested
// (or self-containing) table.
constexpr int kMaxReplyStack = 8000;

int AbsIndex(lua_State* L, int i) {
  return (i > 0 || i <= LUA_REGISTRYINDEX) ? i : lua_gettop(L) + i + 1;
}

// t[name] without metamethods (pushes the value, returns its type). The script's result and error
// objects are read outside any protected call, where a raising __index would abort the process.
int RawField(lua_State* L, int t, const char* name) {
  t = AbsIndex(L, t);
  lua_pushstring(L, name);
  lua_rawget(L, t);
  return lua_type(L, -1);
}

// ---------------------------------------------------------------------------------------------
// Error tables and the error handler
// ---------------------------------------------------------------------------------------------

// tostring(v) for the error handler: what Lua 5.1's tostring prints, without calling into Lua.
void PushToString(lua_State* L, int idx) {
  idx = AbsIndex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TSTRING:
    case LUA_TNUMBER:
      lua_pushvalue(L, idx);
      lua_tostring(L, -1);
      return;
    case LUA_TNIL:
      lua_pushliteral(L, "nil");
      return;
    case LUA_TBOOLEAN:
      lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
      return;
    default:
      lua_pushfstring(L, "%s: %p", lua_typename(L, lua_type(L, idx)), lua_topointer(L, idx));
  }
}

// Redis's __redis__err__handler: turns any error into {err=..., source=..., line=...}. When the
// error comes from a C function (redis.call, error()), the location is that of its Lua caller.
int ErrorHandler(lua_State* L) {
  lua_Debug ar;
  bool have = lua_getstack(L, 1, &ar) && lua_getinfo(L, "nSl", &ar);
  if (have && std::strcmp(ar.what, "C") == 0) {
    have = lua_getstack(L, 2, &ar) && lua_getinfo(L, "nSl", &ar);
  }
  if (!lua_istable(L, 1)) {
    lua_pushstring(L, errors::kLuaErrorPrefix);
    PushToString(L, 1);
    lua_concat(L, 2);
    lua_createtable(L, 0, 3);
    lua_insert(L, -2);
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
  const char type = r[start];
  int64_t n = 0;
  if (type == ':' || type == '$' || type == '*') ParseInt64(line, &n);
  if ((type == '$' || type == '*') && n < 0) {  // a null bulk or array is false in Lua
    lua_pushboolean(L, 0);
    return;
  }
  switch (type) {
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
      lua_pushnumber(L, static_cast<lua_Number>(n));
      return;
    case '$':
      lua_pushlstring(L, r.data() + *pos, static_cast<size_t>(n));
      *pos += static_cast<size_t>(n) + 2;
      return;
    case '*':
      lua_createtable(L, static_cast<int>(n), 0);
      for (int64_t i = 1; i <= n; ++i) {
        PushResp(L, r, pos);
        lua_rawseti(L, -2, static_cast<int>(i));
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

// (long long)d on x86-64: out-of-range and NaN give INT64_MIN, which is what Redis answers.
int64_t LuaNumberToInteger(lua_Number d) {
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
      reply.Integer(LuaNumberToInteger(lua_tonumber(L, -1)));
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
      for (int j = 1;; ++j) {
        lua_rawgeti(L, -1, j);
        if (lua_isnil(L, -1)) {
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
// The stack's arguments (strings, numbers) as a command's argv, and the stack emptied. On another
// type: false, with Redis's error table left on the stack.
bool ArgsFromStack(lua_State* L, std::vector<std::string>* argv) {
  int argc = lua_gettop(L);
  argv->reserve(static_cast<size_t>(argc));
  for (int j = 1; j <= argc; ++j) {
    int t = lua_type(L, j);
    if (t == LUA_TNUMBER) {
      // Not lua_tolstring: its "%.14g" loses precision (Redis uses %.17g here too).
      char buf[64];
      int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, j)));
      argv->emplace_back(buf, static_cast<size_t>(n));
    } else if (t == LUA_TSTRING) {
      size_t n;
      const char* s = lua_tolstring(L, j, &n);
      argv->emplace_back(s, n);
    } else {
      lua_settop(L, 0);
      PushErrorTable(L, errors::kLuaCallArgType);
      return false;
    }
  }
  lua_settop(L, 0);
  return true;
}

// argv's command, or its subcommand for a container (Redis's lookupCommand); nullptr if unknown.
const CommandSpec* FindCommand(const Engine& engine, const std::vector<std::string>& argv) {
  const CommandSpec* spec = engine.commands().Find(argv[0]);
  if (spec != nullptr && !spec->subcommands.empty() && argv.size() >= 2) {
    auto it = spec->subcommands.find(ToLower(argv[1]));
    spec = it == spec->subcommands.end() ? nullptr : it->second.get();
  }
  return spec;
}

std::string CheckScriptCommand(Interp* in, const std::vector<std::string>& argv,
                               const CommandSpec** out) {
  const CommandSpec* spec = FindCommand(*in->engine, argv);
  if (spec == nullptr) return std::string(errors::kLuaUnknownCommand);
  int argc = static_cast<int>(argv.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity || spec->handler == nullptr) {
    return std::string(errors::kLuaWrongArity);
  }
  if (spec->flags & kCmdNoScript) return std::string(errors::kLuaNoScriptCommand);
  Engine& engine = *in->engine;
  const EngineConfig& cfg = engine.config();
  const bool replica = engine.replication().has_master();  // its master link is always down
  if (replica && !cfg.replica_serve_stale_data && !(spec->flags & kCmdStale)) {
    return std::string(errors::kLuaStaleReplica);
  }
  if (in->run != nullptr && in->run->read_only && (spec->flags & kCmdWrite)) {
    return std::string(errors::kLuaWriteInReadOnly);
  }
  // scriptVerifyWriteCommandAllow: the server state only stops a script before its first write.
  if (in->run != nullptr && !in->run->wrote && (spec->flags & kCmdWrite)) {
    if (replica && cfg.replica_read_only) return "-" + std::string(errors::kReadOnlyReplica);
    if (!replica && cfg.min_replicas_to_write > 0 && cfg.min_replicas_max_lag > 0 &&
        engine.replication().GoodReplicas(engine.clock().NowMs(), cfg.min_replicas_max_lag) <
            static_cast<size_t>(cfg.min_replicas_to_write)) {
      return "-" + std::string(errors::kNoReplicas);
    }
  }
  // scriptVerifyOOM: only before the script's first write (it cannot stop half-way after one).
  if (in->run != nullptr && !in->run->allow_oom && !in->run->wrote &&
      (spec->flags & kCmdDenyOom) && cfg.maxmemory > 0 && engine.pre_command_oom()) {
    return "-" + std::string(errors::kOom);  // '-': keeps the OOM code (PushErrorTable)
  }
  *out = spec;
  return "";
}

// Leaves the result (or an error table) on the stack; returns whether to raise it.
bool RunRedisCommand(lua_State* L, bool raise) {
  Interp* in = GetInterp(L);
  int argc = lua_gettop(L);
  if (in->run == nullptr) {
    // FUNCTION LOAD's top level, or a callback kept and called later: Redis's text.
    lua_settop(L, 0);
    PushErrorTable(L, errors::kLuaCallOutsideScript);
    return true;
  }
  if (argc == 0) {
    PushErrorTable(L, errors::kLuaCallNoArgs);
    return raise;
  }
  std::vector<std::string> argv;
  if (!ArgsFromStack(L, &argv)) return raise;
  const CommandSpec* spec = nullptr;
  std::string err = CheckScriptCommand(in, argv, &spec);
  if (!err.empty()) {
    PushErrorTable(L, err);
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "ignore_error_stats_update");
    return raise;
  }
  // As Redis's SCRIPT_WRITE_DIRTY: once a write command was called the script cannot be killed.
  if (spec->flags & kCmdWrite) in->run->wrote = true;
  ClientState& c = in->client;
  c.reply.Clear();
  // ExecuteQueued, not Execute: no MULTI queuing, and blocked clients are not served in the middle
  // of the script (that happens after EVAL returns), which keeps the script atomic.
  in->engine->ExecuteQueued(c, argv);
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
  if (GetInterp(L)->run == nullptr) {
    RunRedisCommand(L, true);
    return lua_error(L);
  }
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
  auto flags = static_cast<int64_t>(lua_tonumber(L, 1));
  if ((flags & ~int64_t{3}) != 0) {
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

// redis.acl_check_cmd(cmd, ...): whether the script's caller may run the command on those
// arguments (Redis's luaRedisAclCheckCmdPermissionsCommand).
int LuaAclCheckCmd(lua_State* L) {
  Interp* in = GetInterp(L);
  if (in->run == nullptr) {
    PushErrorTable(L, errors::kLuaAclCheckOutsideScript);
    return lua_error(L);
  }
  if (lua_gettop(L) == 0) {
    PushErrorTable(L, errors::kLuaCallNoArgs);
    return lua_error(L);
  }
  std::vector<std::string> argv;
  if (!ArgsFromStack(L, &argv)) return lua_error(L);
  const CommandSpec* spec = FindCommand(*in->engine, argv);
  if (spec == nullptr) {
    PushErrorTable(L, errors::kLuaAclInvalidCommand);
    return lua_error(L);
  }
  const AclUser* user = in->run->caller != nullptr ? in->run->caller->user : nullptr;
  std::vector<std::string_view> views(argv.begin(), argv.end());
  int errpos = 0;
  bool ok = user == nullptr ||
            in->engine->acl().Check(user, *spec, Args(views), &errpos) == AclResult::kOk;
  lua_pushboolean(L, ok ? 1 : 0);
  return 1;
}

// Redis 7's pcall: an error table {err = "..."} reaches the script as its message string, as in
// older versions where errors were strings.
int LuaPcall(lua_State* L) {
  int argc = lua_gettop(L);
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
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

// loadstring / load that never load bytecode (see LoadText).
int LuaLoadString(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, s);
  if (LoadText(L, std::string_view(s, len), name) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

// load(f [, name]): concatenates what f returns, then compiles it as text.
int LuaLoad(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(L, 2, "=(load)");
  lua_settop(L, 2);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (true) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  size_t len;
  const char* s = lua_tolstring(L, -1, &len);
  if (LoadText(L, std::string_view(s, len), name) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

// math.random / math.randomseed as Redis's: a rand48 sequence reseeded before each script, so a
// script returns the same "random" numbers on every run and on every machine.
int32_t Rand48Next(Interp* in) {
  in->rand48 = (in->rand48 * 0x5DEECE66DULL + 0xB) & ((uint64_t{1} << 48) - 1);
  return static_cast<int32_t>(in->rand48 >> 17);
}

int LuaMathRandom(lua_State* L) {
  Interp* in = GetInterp(L);
  constexpr int32_t kMax = INT32_MAX;
  lua_Number r = static_cast<lua_Number>(Rand48Next(in) % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      return 1;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, errors::kLuaIntervalEmpty);
      lua_pushnumber(L, std::floor(r * u) + 1);
      return 1;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, errors::kLuaIntervalEmpty);
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      return 1;
    }
    default:
      return luaL_error(L, errors::kLuaWrongArgsC);
  }
}

int LuaMathRandomSeed(lua_State* L) {
  Interp* in = GetInterp(L);
  int32_t seed = luaL_checkint(L, 1);
  in->rand48 = (static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Sandbox: read-only proxies
// ---------------------------------------------------------------------------------------------

int ReadonlyError(lua_State* L) { return luaL_error(L, errors::kLuaReadonlyTable); }

int NonexistentGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, errors::kLuaNoGlobalFormat, name ? name : "?");
}

// If the value at idx is a proxy, replaces it with its real table.
void Unproxy(lua_State* L, int idx) {
  idx = AbsIndex(L, idx);
  if (!lua_istable(L, idx)) return;
  lua_pushlightuserdata(L, &kProxiesKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  if (lua_istable(L, -1)) {
    lua_replace(L, idx);
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
  }
}

bool IsProxy(lua_State* L, int idx) {
  idx = AbsIndex(L, idx);
  lua_pushlightuserdata(L, &kProxiesKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  bool yes = !lua_isnil(L, -1);
  lua_pop(L, 2);
  return yes;
}

// Pushes a proxy for the table at `real`: reads go through, writes raise. `index` overrides
// __index (the globals' proxy reads through another table while FUNCTION LOAD runs).
void PushReadonlyProxy(lua_State* L, int real) {
  real = AbsIndex(L, real);
  lua_newtable(L);
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, real);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyError);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pushlightuserdata(L, &kProxiesKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, real);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// next / pairs / rawget / rawset / rawequal that know the proxies, so the sandbox's tables
// iterate as Redis's read-only tables do and rawset cannot slip past them.
int LuaNext(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  Unproxy(L, 1);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

int LuaPairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));  // next
  lua_pushvalue(L, 1);
  Unproxy(L, -1);
  lua_pushnil(L);
  return 3;
}

int LuaRawGet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  Unproxy(L, 1);
  lua_settop(L, 2);
  lua_rawget(L, 1);
  return 1;
}

int LuaRawSet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (IsProxy(L, 1)) {
    // Raised from the C function itself: no "user_script:1:" prefix, as Redis's.
    lua_pushstring(L, errors::kLuaReadonlyTable);
    return lua_error(L);
  }
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// getmetatable as Redis's for strings: a read-only view of the string metatable, whose __index
// is the (read-only) string library.
int LuaGetMetatable(lua_State* L) {
  luaL_checkany(L, 1);
  if (lua_type(L, 1) == LUA_TSTRING) {
    lua_pushlightuserdata(L, &kStringMetaProxyKey);
    lua_rawget(L, LUA_REGISTRYINDEX);
    return 1;
  }
  // Redis's read-only tables: the libraries have no metatable; _G has the globals protection's,
  // itself read-only (here: a read-only view of the real globals' metatable).
  if (lua_istable(L, 1) && IsProxy(L, 1)) {
    lua_settop(L, 1);
    Unproxy(L, 1);
    if (!lua_getmetatable(L, 1)) {
      lua_pushnil(L);
      return 1;
    }
    PushReadonlyProxy(L, -1);
    return 1;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

// setmetatable: a read-only table (a proxy) keeps its metatable, as in Redis.
int LuaSetMetatable(lua_State* L) {
  if (lua_istable(L, 1) && IsProxy(L, 1)) {
    lua_pushstring(L, errors::kLuaReadonlyTable);
    return lua_error(L);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

void SetFunction(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void SetNumber(lua_State* L, const char* name, lua_Number v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

void OpenLib(lua_State* L, const char* name, lua_CFunction open) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

// redis.register_function is added by function.cc; these are common to EVAL and functions.
const luaL_Reg kRedisFunctions[] = {
    {"call", LuaRedisCall},
    {"pcall", LuaRedisPcall},
    {"sha1hex", LuaSha1Hex},
    {"error_reply", LuaErrorReply},
    {"status_reply", LuaStatusReply},
    {"setresp", LuaSetResp},
    {"set_repl", LuaSetRepl},
    {"replicate_commands", LuaReplicateCommands},
    {"breakpoint", LuaBreakpoint},
    {"debug", LuaNoop},
    {"acl_check_cmd", LuaAclCheckCmd},
    {nullptr, nullptr},
};

void PushRedisTable(lua_State* L) {
  lua_newtable(L);
  luaL_register(L, nullptr, kRedisFunctions);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", 1);
  SetNumber(L, "REPL_SLAVE", 2);
  SetNumber(L, "REPL_REPLICA", 2);
  SetNumber(L, "REPL_ALL", 3);
}

void AddLogAndVersion(lua_State* L) {
  SetFunction(L, "log", LuaLog);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REDIS_VERSION_NUM", 0x0007000f);
  lua_pushliteral(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
}

void SetErrorMetatable(lua_State* L) {
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
}

}  // namespace

void CountHook(lua_State* L, lua_Debug*) {
  Interp* in = GetInterp(L);
  RunningScript* rs = in->run;
  if (rs == nullptr) {
    // FUNCTION LOAD's top-level code: Redis gives it 500 ms.
    if (in->load_ctx == nullptr || MonotonicUs() - in->load_start_us < kFunctionLoadTimeoutUs) {
      return;
    }
    lua_sethook(L, CountHook, LUA_MASKLINE, 0);
    PushErrorTable(L, errors::kFunctionLoadTimeout);
    lua_error(L);
    return;
  }
  Engine* engine = in->engine;
  if (!rs->kill) {
    int64_t limit_ms = engine->config().lua_time_limit_ms;
    if (limit_ms <= 0 || MonotonicUs() - rs->start_us < limit_ms * 1000) return;
    if (engine->process_events_while_blocked) {
      // As Redis's scriptInterrupt: past busy-reply-threshold, other clients are served (and get
      // BUSY) while the script goes on, until SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE.
      rs->timed_out = true;
      engine->process_events_while_blocked();
      if (!rs->kill) return;
    } else {
      // No event loop (the in-process engine): nobody could send SCRIPT KILL, so the script is
      // stopped here (a documented difference, scripting.h).
      rs->kill = true;
      rs->killed_by_limit = true;
    }
  }
  lua_sethook(L, CountHook, LUA_MASKLINE, 0);
  if (rs->killed_by_limit) {
    char msg[128];
    std::snprintf(msg, sizeof(msg), errors::kLuaTimeLimitFormat,
                  static_cast<long long>(engine->config().lua_time_limit_ms));
    PushErrorTable(L, msg);
  } else {
    PushErrorTable(L, errors::kLuaKilledByUser);
  }
  lua_error(L);
}

Interp::Interp(Engine* e) : engine(e) {
  client.is_script = true;
  client.authenticated = true;
  client.deny_blocking = true;
  client.name = "lua";
}

Interp* GetInterp(lua_State* L) {
  lua_pushlightuserdata(L, &kInterpKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* in = static_cast<Interp*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return in;
}

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

void PushErrorHandler(lua_State* L) {
  lua_pushlightuserdata(L, &kErrHandlerKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
}

void PushStringArray(lua_State* L, Args items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

int LoadText(lua_State* L, std::string_view code, const char* chunkname) {
  if (!code.empty() && code[0] == LUA_SIGNATURE[0]) {
    // A leading space keeps the lexer (not the undumper) in charge; line numbers do not change.
    std::string text = " " + std::string(code);
    return luaL_loadbuffer(L, text.data(), text.size(), chunkname);
  }
  return luaL_loadbuffer(L, code.data(), code.size(), chunkname);
}

lua_State* NewState(Interp* interp, Mode mode) {
  lua_State* L = luaL_newstate();
  RT_CHECK(L != nullptr);
  lua_pushlightuserdata(L, &kInterpKey);
  lua_pushlightuserdata(L, interp);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, &kProxiesKey);
  lua_newtable(L);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, &kErrHandlerKey);
  lua_pushcfunction(L, ErrorHandler);
  lua_rawset(L, LUA_REGISTRYINDEX);

  // The libraries Redis 7.0 loads (luaLoadLibraries), debug excepted: the error handler that
  // needs it is C here.
  OpenLib(L, "", luaopen_base);
  OpenLib(L, LUA_TABLIBNAME, luaopen_table);
  OpenLib(L, LUA_STRLIBNAME, luaopen_string);
  OpenLib(L, LUA_MATHLIBNAME, luaopen_math);
  OpenLib(L, "cjson", OpenCjson);
  OpenLib(L, "struct", OpenStruct);
  OpenLib(L, "cmsgpack", OpenCmsgpack);
  OpenLib(L, "bit", OpenBit);
  lua_settop(L, 0);

  lua_pushvalue(L, LUA_GLOBALSINDEX);  // 1: the real globals
  const int g = 1;
  for (const char* name : {"dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy",
                           "module", "require", "package"}) {
    lua_pushnil(L);
    lua_setfield(L, g, name);
  }
  SetFunction(L, "loadstring", LuaLoadString);
  SetFunction(L, "load", LuaLoad);
  SetFunction(L, "pcall", LuaPcall);
  SetFunction(L, "rawget", LuaRawGet);
  SetFunction(L, "rawset", LuaRawSet);
  lua_pushcfunction(L, LuaNext);
  lua_pushvalue(L, -1);
  lua_setfield(L, g, "next");
  lua_pushcclosure(L, LuaPairs, 1);
  lua_setfield(L, g, "pairs");
  lua_getfield(L, g, LUA_MATHLIBNAME);
  SetFunction(L, "random", LuaMathRandom);
  SetFunction(L, "randomseed", LuaMathRandomSeed);
  lua_pop(L, 1);
  if (mode == Mode::kEval) {
    lua_pushcfunction(L, ErrorHandler);
    lua_setfield(L, g, "__redis__err__handler");
  }

  PushRedisTable(L);
  AddLogAndVersion(L);
  lua_setfield(L, g, "redis");

  // Libraries become read-only proxies; the real tables stay reachable only through them.
  for (const char* lib : {LUA_TABLIBNAME, LUA_STRLIBNAME, LUA_MATHLIBNAME, LUA_COLIBNAME, "redis",
                          "cjson", "struct", "cmsgpack", "bit"}) {
    lua_getfield(L, g, lib);
    PushReadonlyProxy(L, -1);
    lua_setfield(L, g, lib);
    lua_pop(L, 1);
  }
  // Strings' metatable reads through the string library's proxy, and scripts see it read-only.
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, g, LUA_STRLIBNAME);
  lua_setfield(L, -2, "__index");
  lua_pushlightuserdata(L, &kStringMetaProxyKey);
  PushReadonlyProxy(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pop(L, 2);
  lua_getfield(L, g, "getmetatable");
  lua_pushcclosure(L, LuaGetMetatable, 1);
  lua_setfield(L, g, "getmetatable");
  lua_getfield(L, g, "setmetatable");
  lua_pushcclosure(L, LuaSetMetatable, 1);
  lua_setfield(L, g, "setmetatable");

  lua_pushlightuserdata(L, &kRealGlobalsKey);
  lua_pushvalue(L, g);
  lua_rawset(L, LUA_REGISTRYINDEX);

  // The globals every function (and loadstring's chunks) now see: a proxy that reads through to
  // the real globals (a missing one raises) and refuses writes. _G names the proxy.
  SetErrorMetatable(L);  // on the real globals
  PushReadonlyProxy(L, g);
  lua_pushvalue(L, -1);
  lua_setfield(L, g, "_G");
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_settop(L, 0);
  return L;
}

void PushLibraryApi(lua_State* L, lua_CFunction register_function) {
  lua_newtable(L);  // library globals
  lua_newtable(L);  // its redis table
  SetFunction(L, "register_function", register_function);
  AddLogAndVersion(L);
  SetErrorMetatable(L);
  PushReadonlyProxy(L, -1);
  lua_remove(L, -2);
  lua_setfield(L, -2, "redis");
  SetErrorMetatable(L);
}

void SetGlobalsIndex(lua_State* L, int table) {
  // The globals proxy's __index: the real globals, or FUNCTION LOAD's library API.
  table = AbsIndex(L, table);
  lua_getmetatable(L, LUA_GLOBALSINDEX);
  lua_pushvalue(L, table);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

void PushRealGlobals(lua_State* L) {
  lua_pushlightuserdata(L, &kRealGlobalsKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
}

void CallAndReply(lua_State* L, int nargs, const std::string& funcname, ReplyBuilder& reply) {
  Interp* in = GetInterp(L);
  int base = lua_gettop(L) - nargs - 1;  // the error handler's index
  bool hook = in->engine->config().lua_time_limit_ms > 0;
  if (hook) lua_sethook(L, CountHook, LUA_MASKCOUNT, kHookInstructions);
  int status = lua_pcall(L, nargs, 1, base);
  lua_sethook(L, nullptr, 0, 0);
  if (status == 0) {
    ReplyFromLua(L, reply);
  } else if (lua_istable(L, -1)) {
    std::string msg(errors::kLuaUnknownError);
    if (RawField(L, -1, "err") == LUA_TSTRING || lua_isnumber(L, -1)) msg = lua_tostring(L, -1);
    lua_pop(L, 1);
    RawField(L, -1, "source");
    RawField(L, -2, "line");
    if (lua_isstring(L, -2) && lua_isstring(L, -1)) {
      msg += " script: " + funcname + ", on " + lua_tostring(L, -2) + ":" + lua_tostring(L, -1) +
             ".";
    }
    lua_pop(L, 3);
    reply.Error(msg);
  } else {
    // Errors the handler never saw (out of memory, an error inside the handler).
    std::string msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
    lua_pop(L, 1);
    reply.Error(errors::ScriptRunError(funcname, msg.substr(0, 100)));
  }
  lua_settop(L, base - 1);
  in->client.reply.Clear();
}

std::string_view CheckDeclaredFlags(Engine& engine, uint32_t flags, bool read_only) {
  const EngineConfig& cfg = engine.config();
  const bool replica = engine.replication().has_master();  // its master link is always down
  if (replica && !cfg.replica_serve_stale_data && !(flags & kScriptAllowStale)) {
    return errors::kScriptStale;
  }
  if (flags & kScriptNoWrites) return "";
  if (replica && cfg.replica_read_only) return errors::kScriptOnReadOnlyReplica;
  if (read_only) return errors::kScriptWriteFlagOnRo;
  if (!replica && cfg.min_replicas_to_write > 0 && cfg.min_replicas_max_lag > 0 &&
      engine.replication().GoodReplicas(engine.clock().NowMs(), cfg.min_replicas_max_lag) <
          static_cast<size_t>(cfg.min_replicas_to_write)) {
    return errors::kNoReplicas;
  }
  if (!(flags & kScriptAllowOom) && cfg.maxmemory > 0 && engine.pre_command_oom()) {
    return errors::kScriptOom;
  }
  return "";
}

void RunAndReply(lua_State* L, Interp& in, RunningScript& run, ClientState& caller, Args argv,
                 int nargs, const std::string& funcname, ReplyBuilder& reply) {
  RT_CHECK(in.engine->running_script() == nullptr);  // EVAL/FCALL are noscript: runs never nest
  run.start_us = MonotonicUs();
  run.caller = &caller;
  run.command.assign(argv.begin(), argv.end());
  in.run = &run;
  in.client.db = caller.db;  // the script starts in the caller's db; its SELECT stays inside
  in.engine->set_running_script(&run);
  size_t reply_start = reply.size();
  CallAndReply(L, nargs, funcname, reply);
  if (run.shutdown) reply.buffer().resize(reply_start);
  lua_settop(L, 0);
  in.engine->set_running_script(nullptr);
  in.run = nullptr;
}

// ---------------------------------------------------------------------------------------------
// Shebang
// ---------------------------------------------------------------------------------------------

uint32_t ScriptFlagByName(std::string_view name) {
  if (name == "no-writes") return kScriptNoWrites;
  if (name == "allow-oom") return kScriptAllowOom;
  if (name == "allow-stale") return kScriptAllowStale;
  if (name == "no-cluster") return kScriptNoCluster;
  if (name == "allow-cross-slot-keys") return kScriptAllowCrossSlot;
  return 0;
}

std::vector<std::string> ScriptFlagNames(uint32_t flags) {
  std::vector<std::string> out;
  if (flags & kScriptNoWrites) out.emplace_back("no-writes");
  if (flags & kScriptAllowOom) out.emplace_back("allow-oom");
  if (flags & kScriptAllowStale) out.emplace_back("allow-stale");
  if (flags & kScriptNoCluster) out.emplace_back("no-cluster");
  if (flags & kScriptAllowCrossSlot) out.emplace_back("allow-cross-slot-keys");
  return out;
}

bool ParseShebang(std::string_view body, bool eval_mode, Shebang* out, std::string* error) {
  *out = Shebang{};
  if (!body.starts_with("#!")) return true;
  out->present = true;
  size_t eol = body.find('\n');
  out->length = eol == std::string_view::npos ? body.size() : eol;
  std::vector<std::string> parts;
  if (!SplitArgs(body.substr(0, out->length), &parts) || parts.empty()) {
    *error = errors::kBadShebang;
    return false;
  }
  if (!eval_mode) {
    // functions.c's functionExtractLibMetaData
    if (parts[0] != "#!lua") {
      *error = errors::FunctionEngineNotFound(std::string_view(parts[0]).substr(2));
      return false;
    }
    for (size_t i = 1; i < parts.size(); ++i) {
      std::string_view p = parts[i];
      if (p.starts_with("name=")) {
        out->name = std::string(p.substr(5));
      } else {
        *error = errors::FunctionInvalidMetadata(p);
        return false;
      }
    }
    return true;
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
    // As sdssplitlen: "" has no flags, but "a," has an empty second one (an error).
    for (bool more = !p.empty(); more;) {
      size_t comma = p.find(',');
      std::string_view flag = p.substr(0, comma);
      uint32_t f = ScriptFlagByName(flag);
      if (f == 0) {
        *error = errors::UnexpectedShebangFlag(flag);
        return false;
      }
      out->flags |= f;
      more = comma != std::string_view::npos;
      if (more) p.remove_prefix(comma + 1);
    }
  }
  return true;
}

}  // namespace racetrack::engine::lua
