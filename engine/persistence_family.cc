// Persistence commands: SAVE BGSAVE BGREWRITEAOF LASTSAVE (persistence.h does the work).
#include "engine/family_util.h"
#include "engine/persistence.h"

namespace racetrack::engine {
namespace {

void ReplyStatusError(CommandContext& ctx, const Status& s) {
  ctx.reply.Error(errors::FromPersistenceStatus(s.message()));
}

void CmdSave(CommandContext& ctx) {
  Status s = ctx.engine.persistence().Save();
  if (s.ok()) {
    ctx.reply.Ok();
  } else {
    ReplyStatusError(ctx, s);
  }
}

void CmdBgSave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argv.size() == 2) {
    if (!ArgIs(ctx.argv[1], "schedule")) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    schedule = true;
  }
  Persistence& p = ctx.engine.persistence();
  if (schedule && p.aof_rewrite_in_progress()) {
    ctx.reply.Status("Background saving scheduled");
    return;
  }
  Status s = p.BackgroundSave();
  if (s.ok()) {
    ctx.reply.Status("Background saving started");
  } else {
    ReplyStatusError(ctx, s);
  }
}

void CmdBgRewriteAof(CommandContext& ctx) {
  Persistence& p = ctx.engine.persistence();
  bool was_saving = p.bgsave_in_progress();
  Status s = p.BackgroundRewriteAof();
  if (!s.ok()) {
    ReplyStatusError(ctx, s);
  } else if (was_saving) {
    ctx.reply.Status("Background append only file rewriting scheduled");
  } else {
    ctx.reply.Status("Background append only file rewriting started");
  }
}

void CmdLastSave(CommandContext& ctx) { ctx.reply.Integer(ctx.engine.persistence().lastsave_s()); }

}  // namespace

void RegisterPersistenceFamily(CommandTable& table) {
  CommandRegistrar reg(table, "server");
  reg.Add("save", 1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti, {},
          "O(N) where N is the total number of keys in all databases",
          "Synchronously saves the database(s) to disk.", "1.0.0", CmdSave);
  reg.Add("bgsave", -1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading, {}, "O(1)",
          "Asynchronously saves the database(s) to disk.", "1.0.0", CmdBgSave);
  reg.Add("bgrewriteaof", 1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading, {}, "O(1)",
          "Asynchronously rewrites the append-only file to disk.", "1.0.0", CmdBgRewriteAof);
  reg.Add("lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, {}, "O(1)",
          "Returns the Unix timestamp of the last successful save to disk.", "1.0.0", CmdLastSave);
}

}  // namespace racetrack::engine
