// Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP.
// The interpreter, the sandbox and the conversions are in scripting.h; this file parses arguments
// in the order Redis 7.0's eval.c does, so the same bad input gets the same error.
#include "engine/family_util.h"
#include "engine/scripting.h"

namespace racetrack::engine {
namespace {

// EVAL script numkeys [key ...] [arg ...]
void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  // EVALSHA refuses a name that is not 40 characters before looking at numkeys.
  if (by_sha && ctx.argv[1].size() != 40) {
    ctx.reply.Error(errors::kNoScript);
    return;
  }
  int64_t numkeys;
  if (!ArgInt64(ctx, 2, &numkeys)) return;
  Args keys, args;
  if (!SplitNumKeys(ctx, numkeys, &keys, &args)) return;
  ctx.engine.scripts().Eval(ctx.client, ctx.argv, ctx.argv[1], by_sha, keys, args, read_only,
                            ctx.reply);
}

void CmdEval(CommandContext& ctx) { EvalGeneric(ctx, false, false); }
void CmdEvalSha(CommandContext& ctx) { EvalGeneric(ctx, true, false); }
void CmdEvalRo(CommandContext& ctx) { EvalGeneric(ctx, false, true); }
void CmdEvalShaRo(CommandContext& ctx) { EvalGeneric(ctx, true, true); }

void CmdScriptLoad(CommandContext& ctx) {
  Result<std::string> sha = ctx.engine.scripts().Load(ctx.argv[2]);
  if (!sha.ok()) {
    ctx.reply.Error(sha.status().message());
    return;
  }
  ctx.reply.Bulk(*sha);
}

void CmdScriptExists(CommandContext& ctx) {
  ctx.reply.Array(ctx.argv.size() - 2);
  for (size_t j = 2; j < ctx.argv.size(); ++j) {
    ctx.reply.Integer(ctx.engine.scripts().Exists(ctx.argv[j]) ? 1 : 0);
  }
}

void CmdScriptFlush(CommandContext& ctx) {
  if (ctx.argv.size() > 3 || (ctx.argv.size() == 3 && !ArgIs(ctx.argv[2], "sync") &&
                              !ArgIs(ctx.argv[2], "async"))) {
    ctx.reply.Error(errors::kScriptFlushOption);
    return;
  }
  ctx.engine.scripts().Flush();  // ASYNC frees at once too: the cache is small
  ctx.reply.Ok();
}

// Reaches the engine only while a script runs past busy-reply-threshold (the server's loop is
// polled from the script's hook), or when nothing runs (NOTBUSY).
void CmdScriptKill(CommandContext& ctx) {
  KillRunningScript(ctx.engine, /*eval=*/true, ctx.reply);
}

void CmdScriptHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "SCRIPT",
            {"DEBUG (YES|SYNC|NO)", "    Set the debug mode for subsequent scripts executed.",
             "EXISTS <sha1> [<sha1> ...]",
             "    Return information about the existence of the scripts in the script cache.",
             "FLUSH [ASYNC|SYNC]",
             "    Flush the Lua scripts cache. Very dangerous on replicas.",
             "    When called without the optional mode argument, the behavior is determined by the",
             "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
             "    * ASYNC: Asynchronously flush the scripts cache.",
             "    * SYNC: Synchronously flush the scripts cache.",
             "KILL", "    Kill the currently executing Lua script.", "LOAD <script>",
             "    Load a script into the scripts cache without executing it."});
}

void CmdScriptDebug(CommandContext& ctx) {
  ctx.reply.Error(errors::kScriptDebugUnsupported);
}

}  // namespace

void RegisterScriptingFamily(CommandTable& table) {
  CommandRegistrar reg(table, "scripting");
  reg.Add("eval", -3, kCmdRunsScript, {}, CmdEval);
  reg.Add("evalsha", -3, kCmdRunsScript, {}, CmdEvalSha);
  reg.Add("eval_ro", -3, kCmdRunsScript | kCmdReadOnly, {}, CmdEvalRo);
  reg.Add("evalsha_ro", -3, kCmdRunsScript | kCmdReadOnly, {}, CmdEvalShaRo);

  reg.Add("script", -2, 0, {}, nullptr);
  reg.Sub("script", "load", 3, kCmdNoScript | kCmdStale, {}, CmdScriptLoad);
  reg.Sub("script", "exists", -3, kCmdNoScript, {}, CmdScriptExists);
  reg.Sub("script", "flush", -2, kCmdNoScript, {}, CmdScriptFlush);
  reg.Sub("script", "kill", 2, kCmdNoScript | kCmdAllowBusy, {}, CmdScriptKill);
  reg.Sub("script", "help", 2, kCmdLoading | kCmdStale, {}, CmdScriptHelp);
  reg.Sub("script", "debug", 3, kCmdNoScript, {}, CmdScriptDebug);
}

}  // namespace racetrack::engine
