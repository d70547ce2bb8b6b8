// Function commands: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL/HELP, FCALL and
// FCALL_RO. The libraries and the interpreter are in function.h; this file parses arguments in
// the order Redis 7.0's functions.c does, so the same bad input gets the same error.
#include "engine/errors.h"
#include "engine/family_util.h"
#include "engine/function.h"
#include "engine/scripting.h"

namespace racetrack::engine {
namespace {

// Libraries are data: their changes count as writes (snapshot saves, the append-only log records
// the command), as Redis's server.dirty++.
void MarkDirty(CommandContext& ctx) { ctx.db.AddDirty(); }

void CmdFunctionContainer(CommandContext& ctx) { ReplyUnknownSubcommand(ctx, "FUNCTION"); }

// FUNCTION LOAD [REPLACE] code
void CmdFunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t pos = 2;
  while (pos < ctx.argv.size() - 1) {
    std::string_view a = ctx.argv[pos++];
    if (ArgIs(a, "replace")) {
      replace = true;
      continue;
    }
    ctx.reply.Error(errors::FunctionUnknownOption(a));
    return;
  }
  if (pos >= ctx.argv.size()) {
    ctx.reply.Error(errors::kFunctionCodeMissing);
    return;
  }
  Result<std::string> name = ctx.engine.functions().Load(ctx.argv[pos], replace);
  if (!name.ok()) {
    ctx.reply.Error(name.status().message());
    return;
  }
  MarkDirty(ctx);
  ctx.reply.Bulk(*name);
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]
void CmdFunctionList(CommandContext& ctx) {
  bool with_code = false;
  std::string pattern;
  bool have_pattern = false;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    std::string_view a = ctx.argv[i];
    if (!with_code && ArgIs(a, "withcode")) {
      with_code = true;
      continue;
    }
    if (!have_pattern && ArgIs(a, "libraryname")) {
      if (i >= ctx.argv.size() - 1) {
        ctx.reply.Error(errors::kFunctionLibraryNameMissing);
        return;
      }
      pattern = std::string(ctx.argv[++i]);
      have_pattern = true;
      continue;
    }
    ctx.reply.Error(errors::FunctionListUnknownArgument(a));
    return;
  }
  ctx.engine.functions().List(ctx.reply, have_pattern ? &pattern : nullptr, with_code);
}

void CmdFunctionDelete(CommandContext& ctx) {
  if (!ctx.engine.functions().Delete(ctx.argv[2])) {
    ctx.reply.Error(errors::kLibraryNotFound);
    return;
  }
  MarkDirty(ctx);
  ctx.reply.Ok();
}

void CmdFunctionFlush(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "FUNCTION"));
    return;
  }
  if (ctx.argv.size() == 3 && !ArgIs(ctx.argv[2], "sync") && !ArgIs(ctx.argv[2], "async")) {
    ctx.reply.Error(errors::kFunctionFlushOption);
    return;
  }
  ctx.engine.functions().Flush();
  MarkDirty(ctx);
  ctx.reply.Ok();
}

void CmdFunctionDump(CommandContext& ctx) { ctx.reply.Bulk(ctx.engine.functions().Dump()); }

// FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]
void CmdFunctionRestore(CommandContext& ctx) {
  if (ctx.argv.size() > 4) {
    ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "FUNCTION"));
    return;
  }
  std::string_view policy = "append";
  if (ctx.argv.size() == 4) {
    policy = ctx.argv[3];
    if (!ArgIs(policy, "append") && !ArgIs(policy, "replace") && !ArgIs(policy, "flush")) {
      ctx.reply.Error(errors::kFunctionRestorePolicy);
      return;
    }
  }
  std::string err = ctx.engine.functions().Restore(ctx.argv[2], policy);
  if (!err.empty()) {
    ctx.reply.Error(err);
    return;
  }
  MarkDirty(ctx);
  ctx.reply.Ok();
}

void CmdFunctionStats(CommandContext& ctx) {
  const RunningScript* run = ctx.engine.running_script();
  if (run != nullptr && run->eval) {
    ctx.reply.Error(errors::kBusyScript);
    return;
  }
  ctx.engine.functions().Stats(ctx.reply);
}

void CmdFunctionKill(CommandContext& ctx) {
  KillRunningScript(ctx.engine, /*eval=*/false, ctx.reply);
}

void CmdFunctionHelp(CommandContext& ctx) {
  ReplyHelp(
      ctx, "FUNCTION",
      {"LOAD [REPLACE] <FUNCTION CODE>",
       "    Create a new library with the given library name and code.",
       "DELETE <LIBRARY NAME>",
       "    Delete the given library.",
       "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
       "    Return general information on all the libraries:",
       "    * Library name",
       "    * The engine used to run the Library",
       "    * Library description",
       "    * Functions list",
       "    * Library code (if WITHCODE is given)",
       "    It also possible to get only function that matches a pattern using LIBRARYNAME "
       "argument.",
       "STATS",
       "    Return information about the current function running:",
       "    * Function name",
       "    * Command used to run the function",
       "    * Duration in MS that the function is running",
       "    If no function is running, return nil",
       "    In addition, returns a list of available engines.",
       "KILL",
       "    Kill the current running function.",
       "FLUSH [ASYNC|SYNC]",
       "    Delete all the libraries.",
       "    When called without the optional mode argument, the behavior is determined by the",
       "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
       "    * ASYNC: Asynchronously flush the libraries.",
       "    * SYNC: Synchronously flush the libraries.",
       "DUMP",
       "    Return a serialized payload representing the current libraries, can be restored using "
       "FUNCTION RESTORE command",
       "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
       "    Restore the libraries represented by the given payload, it is possible to give a "
       "restore policy to",
       "    control how to handle existing libraries (default APPEND):",
       "    * FLUSH: delete all existing libraries.",
       "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
       "abort.",
       "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
       "replace the old",
       "      libraries with the new libraries (notice that even on this option there is a "
       "chance of failure",
       "      in case of functions name collision with another library)."});
}

// FCALL name numkeys [key ...] [arg ...]
void FcallGeneric(CommandContext& ctx, bool read_only) {
  FunctionEngine& fe = ctx.engine.functions();
  int64_t numkeys;
  // Redis looks the function up first, then numkeys.
  if (!fe.Has(ctx.argv[1])) {
    ctx.reply.Error(errors::kFunctionNotFound);
    return;
  }
  if (!ParseInt64(ctx.argv[2], &numkeys)) {
    ctx.reply.Error(errors::kFunctionBadNumKeys);
    return;
  }
  Args keys, args;
  if (!SplitNumKeys(ctx, numkeys, &keys, &args)) return;
  fe.Call(ctx.client, ctx.argv, ctx.argv[1], keys, args, read_only, ctx.reply);
}

void CmdFcall(CommandContext& ctx) { FcallGeneric(ctx, false); }
void CmdFcallRo(CommandContext& ctx) { FcallGeneric(ctx, true); }

}  // namespace

void RegisterFunctionFamily(CommandTable& table) {
  CommandRegistrar reg(table, "scripting");
  reg.Add("fcall", -3, kCmdRunsScript, {}, CmdFcall);
  reg.Add("fcall_ro", -3, kCmdRunsScript | kCmdReadOnly, {}, CmdFcallRo);
  reg.Add("function", -2, 0, {}, CmdFunctionContainer);
  reg.Sub("function", "load", -3, kCmdNoScript | kCmdWrite | kCmdDenyOom, {}, CmdFunctionLoad);
  reg.Sub("function", "list", -2, kCmdNoScript, {}, CmdFunctionList);
  reg.Sub("function", "delete", 3, kCmdNoScript | kCmdWrite, {}, CmdFunctionDelete);
  reg.Sub("function", "flush", -2, kCmdNoScript | kCmdWrite, {}, CmdFunctionFlush);
  reg.Sub("function", "dump", 2, kCmdNoScript, {}, CmdFunctionDump);
  reg.Sub("function", "restore", -3, kCmdNoScript | kCmdWrite | kCmdDenyOom, {},
          CmdFunctionRestore);
  reg.Sub("function", "stats", 2, kCmdNoScript | kCmdAllowBusy, {}, CmdFunctionStats);
  reg.Sub("function", "kill", 2, kCmdNoScript | kCmdAllowBusy, {}, CmdFunctionKill);
  reg.Sub("function", "help", 2, kCmdLoading | kCmdStale, {}, CmdFunctionHelp);
}

}  // namespace racetrack::engine
