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
  if (numkeys > static_cast<int64_t>(ctx.argv.size()) - 3) {
    ctx.reply.Error("ERR Number of keys can't be greater than number of args");
    return;
  }
  if (numkeys < 0) {
    ctx.reply.Error("ERR Number of keys can't be negative");
    return;
  }
  size_t nk = static_cast<size_t>(numkeys);
  Args keys = ctx.argv.subspan(3, nk);
  Args args = ctx.argv.subspan(3 + nk);
  ctx.engine.scripts().Eval(ctx.client, ctx.argv[1], by_sha, keys, args, read_only, ctx.reply);
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
    ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    return;
  }
  ctx.engine.scripts().Flush();  // ASYNC frees at once too: the cache is small
  ctx.reply.Ok();
}

// A script runs inside one engine call, so no other command can ever arrive while one is running:
// there is never a script to kill (runaway scripts stop themselves, see scripting.h).
void CmdScriptKill(CommandContext& ctx) {
  ctx.reply.Error("NOTBUSY No scripts in execution right now.");
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
  ctx.reply.Error("ERR SCRIPT DEBUG (the Lua debugger) is not supported by this server");
}

}  // namespace

void RegisterScriptingFamily(CommandTable& table) {
  constexpr uint32_t kEvalFlags = kCmdNoScript | kCmdStale | kCmdMovableKeys;
  const char* kEvalComplexity = "Depends on the script that is executed.";
  table.Register({.name = "eval", .arity = -3, .flags = kEvalFlags, .group = "scripting",
                  .complexity = kEvalComplexity,
                  .summary = "Executes a server-side Lua script.", .since = "2.6.0",
                  .handler = CmdEval});
  table.Register({.name = "evalsha", .arity = -3, .flags = kEvalFlags, .group = "scripting",
                  .complexity = kEvalComplexity,
                  .summary = "Executes a server-side Lua script by SHA1 digest.", .since = "2.6.0",
                  .handler = CmdEvalSha});
  table.Register({.name = "eval_ro", .arity = -3, .flags = kEvalFlags | kCmdReadOnly,
                  .group = "scripting", .complexity = kEvalComplexity,
                  .summary = "Executes a read-only server-side Lua script.", .since = "7.0.0",
                  .handler = CmdEvalRo});
  table.Register({.name = "evalsha_ro", .arity = -3, .flags = kEvalFlags | kCmdReadOnly,
                  .group = "scripting", .complexity = kEvalComplexity,
                  .summary = "Executes a read-only server-side Lua script by SHA1 digest.",
                  .since = "7.0.0", .handler = CmdEvalShaRo});

  table.Register({.name = "script", .arity = -2, .group = "scripting",
                  .complexity = "Depends on subcommand.",
                  .summary = "A container for Lua scripts management commands.", .since = "2.6.0"});
  table.RegisterSub("script", {.name = "load", .arity = 3, .flags = kCmdNoScript | kCmdStale,
                               .group = "scripting",
                               .complexity = "O(N) with N being the length in bytes of the script body.",
                               .summary = "Loads a server-side Lua script to the script cache.",
                               .since = "2.6.0", .handler = CmdScriptLoad});
  table.RegisterSub("script", {.name = "exists", .arity = -3, .flags = kCmdNoScript,
                               .group = "scripting",
                               .complexity = "O(N) with N being the number of scripts to check.",
                               .summary = "Determines whether server-side Lua scripts exist in the "
                                          "script cache.",
                               .since = "2.6.0", .handler = CmdScriptExists});
  table.RegisterSub("script", {.name = "flush", .arity = -2, .flags = kCmdNoScript,
                               .group = "scripting",
                               .complexity = "O(N) with N being the number of scripts in cache",
                               .summary = "Removes all server-side Lua scripts from the script "
                                          "cache.",
                               .since = "2.6.0", .handler = CmdScriptFlush});
  table.RegisterSub("script", {.name = "kill", .arity = 2, .flags = kCmdNoScript | kCmdAllowBusy,
                               .group = "scripting", .complexity = "O(1)",
                               .summary = "Terminates a server-side Lua script during execution.",
                               .since = "2.6.0", .handler = CmdScriptKill});
  table.RegisterSub("script", {.name = "help", .arity = 2, .flags = kCmdLoading | kCmdStale,
                               .group = "scripting", .complexity = "O(1)",
                               .summary = "Returns helpful text about the different subcommands.",
                               .since = "5.0.0", .handler = CmdScriptHelp});
  table.RegisterSub("script", {.name = "debug", .arity = 3, .flags = kCmdNoScript,
                               .group = "scripting", .complexity = "O(1)",
                               .summary = "Sets the debug mode of server-side Lua scripts.",
                               .since = "3.2.0", .handler = CmdScriptDebug});
}

}  // namespace racetrack::engine
