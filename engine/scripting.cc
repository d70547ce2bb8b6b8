// ScriptEngine: EVAL's script cache and its interpreter. The sandbox, the conversions and the
// run loop are shared with functions (scripting_lua.cc).
#include "engine/scripting.h"

#include "engine/ds/sha1.h"
#include "engine/ds/util.h"
#include "engine/engine.h"
#include "engine/errors.h"
#include "engine/function.h"
#include "engine/replication.h"
#include "engine/scripting_lua.h"

namespace racetrack::engine {

ScriptEngine::ScriptEngine(Engine* engine)
    : engine_(engine), vm_(std::make_unique<lua::Vm>(engine, lua::Mode::kEval)) {}

ScriptEngine::~ScriptEngine() = default;

void ScriptEngine::Flush() {
  vm_->Reset();
  scripts_.clear();
}

size_t ScriptEngine::MemoryBytes() const {
  lua_State* L = vm_->state();
  return static_cast<size_t>(lua_gc(L, LUA_GCCOUNT, 0)) * 1024 +
         static_cast<size_t>(lua_gc(L, LUA_GCCOUNTB, 0));
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
  lua_State* L = vm_->state();
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
  std::string_view err;
  if (sc.shebang) {
    err = lua::CheckDeclaredFlags(*engine_, sc.flags, read_only);
  } else if (engine_->replication().has_master() && !engine_->config().replica_serve_stale_data) {
    err = errors::kMasterDown;  // compatibility mode on a stale replica (its link is always down)
  }
  if (!err.empty()) {
    reply.Error(err);
    return;
  }
  RunningScript run;
  run.eval = true;
  run.read_only = read_only || (sc.shebang && (sc.flags & lua::kScriptNoWrites));
  run.allow_oom = sc.shebang && (sc.flags & lua::kScriptAllowOom);

  lua_State* L = vm_->state();
  lua_settop(L, 0);
  lua::PushErrorHandler(L);
  lua_getfield(L, LUA_REGISTRYINDEX, ("f_" + sha).c_str());
  lua::PushRealGlobals(L);
  lua::PushStringArray(L, keys);
  lua_setfield(L, -2, "KEYS");
  lua::PushStringArray(L, args);
  lua_setfield(L, -2, "ARGV");
  lua_pop(L, 1);
  lua::RunAndReply(L, vm_->interp(), run, caller, argv, 0, sha, reply);
}

bool ScriptEngine::DeclaredFlags(std::string_view sha, uint32_t* flags) const {
  auto it = scripts_.find(std::string(sha));
  if (it == scripts_.end() || !it->second.shebang) return false;
  *flags = it->second.flags;
  return true;
}

uint32_t ScriptCommandFlags(Engine& engine, const CommandSpec& spec, Args argv) {
  const std::string& name = spec.name;
  if (argv.size() < 2 || !(name.starts_with("eval") || name.starts_with("fcall"))) return spec.flags;
  uint32_t declared = 0;
  if (name.starts_with("fcall")) {
    if (!engine.has_functions() || !engine.functions().FlagsOf(argv[1], &declared)) {
      return spec.flags;
    }
  } else {
    const bool by_sha = name.starts_with("evalsha");
    if (by_sha && argv[1].size() != 40) return spec.flags;
    std::string sha = by_sha ? ToLower(argv[1]) : Sha1Hex(argv[1]);
    if (!engine.scripts().DeclaredFlags(sha, &declared)) {
      // Not cached (or cached without shebang): EVAL reads the body's shebang, as Redis does.
      lua::Shebang shebang;
      std::string ignored;
      if (by_sha || !lua::ParseShebang(argv[1], /*eval_mode=*/true, &shebang, &ignored) ||
          !shebang.present) {
        return spec.flags;
      }
      declared = shebang.flags;
    }
  }
  uint32_t flags = spec.flags & ~(kCmdStale | kCmdDenyOom | kCmdWrite);
  if (!(declared & (lua::kScriptAllowOom | lua::kScriptNoWrites))) flags |= kCmdDenyOom;
  if (!(declared & lua::kScriptNoWrites)) flags |= kCmdWrite;
  if (declared & lua::kScriptAllowStale) flags |= kCmdStale;
  return flags;
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
