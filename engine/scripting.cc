// ScriptEngine: EVAL's script cache and its interpreter. The sandbox, the conversions and the
// run loop are shared with functions (scripting_lua.cc).
#include "engine/scripting.h"

#include "engine/ds/sha1.h"
#include "engine/ds/util.h"
#include "engine/engine.h"
#include "engine/errors.h"
#include "engine/scripting_lua.h"

namespace racetrack::engine {

ScriptEngine::ScriptEngine(Engine* engine)
    : engine_(engine), interp_(std::make_unique<lua::Interp>()) {
  ClientState& c = interp_->client;
  c.is_script = true;
  c.authenticated = true;
  c.deny_blocking = true;
  c.name = "lua";
  interp_->engine = engine_;
  InitLua();
}

ScriptEngine::~ScriptEngine() { CloseLua(); }

void ScriptEngine::InitLua() { lua_ = lua::NewState(interp_.get(), lua::Mode::kEval); }

void ScriptEngine::CloseLua() {
  if (lua_ != nullptr) lua_close(lua_);
  lua_ = nullptr;
}

void ScriptEngine::Flush() {
  CloseLua();
  scripts_.clear();
  InitLua();
}

size_t ScriptEngine::MemoryBytes() const {
  return static_cast<size_t>(lua_gc(lua_, LUA_GCCOUNT, 0)) * 1024 +
         static_cast<size_t>(lua_gc(lua_, LUA_GCCOUNTB, 0));
}

bool ScriptEngine::Exists(std::string_view sha) const {
  return sha.size() == 40 && scripts_.count(ToLower(sha)) > 0;
}

bool ScriptEngine::Compile(std::string_view body, const std::string& sha, std::string* error) {
  if (scripts_.count(sha) > 0) return true;
  lua::Shebang shebang;
  if (!lua::ParseShebang(body, /*eval_mode=*/true, &shebang, error)) return false;
  // The shebang line is left out but its newline kept, so line numbers match the source.
  std::string_view code = body.substr(shebang.length);
  lua_State* L = lua_;
  if (lua::LoadText(L, code, "@user_script") != 0) {
    *error = errors::ScriptCompileError(lua_tostring(L, -1));
    lua_settop(L, 0);
    return false;
  }
  lua_setfield(L, LUA_REGISTRYINDEX, ("f_" + sha).c_str());
  scripts_[sha] = Script{.flags = shebang.flags, .shebang = shebang.present};
  return true;
}

Result<std::string> ScriptEngine::Load(std::string_view body) {
  std::string sha = Sha1Hex(body);
  std::string error;
  if (!Compile(body, sha, &error)) return Status::InvalidArgument(error);
  return sha;
}

void ScriptEngine::Eval(ClientState& caller, Args argv, std::string_view script, bool by_sha,
                        Args keys, Args args, bool read_only, ReplyBuilder& reply) {
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
  const Script& sc = it->second;
  if (sc.shebang) {
    std::string_view err = lua::CheckDeclaredFlags(*engine_, sc.flags, read_only);
    if (!err.empty()) {
      reply.Error(err);
      return;
    }
  }
  RunningScript run;
  run.eval = true;
  run.read_only = read_only || (sc.shebang && (sc.flags & lua::kScriptNoWrites));

  lua_State* L = lua_;
  lua_settop(L, 0);
  lua::PushErrorHandler(L);
  lua_getfield(L, LUA_REGISTRYINDEX, ("f_" + sha).c_str());
  lua::PushRealGlobals(L);
  lua::PushStringArray(L, keys);
  lua_setfield(L, -2, "KEYS");
  lua::PushStringArray(L, args);
  lua_setfield(L, -2, "ARGV");
  lua_pop(L, 1);
  lua::RunAndReply(L, *interp_, run, caller, argv, 0, sha, reply);
}

void KillRunningScript(Engine& engine, bool eval, ReplyBuilder& reply) {
  RunningScript* run = engine.running_script();
  if (run == nullptr) {
    reply.Error(errors::kNotBusy);
  } else if (run->wrote) {
    reply.Error(errors::kUnkillable);
  } else if (eval && !run->eval) {
    reply.Error(errors::kBusyFunction);
  } else if (!eval && run->eval) {
    reply.Error(errors::kBusyScript);
  } else {
    run->kill = true;
    reply.Ok();
  }
}

}  // namespace racetrack::engine
