// Persistence commands: SAVE BGSAVE BGREWRITEAOF LASTSAVE (persistence.h does the work), and
// DUMP/RESTORE, which move one key in the snapshot format (snapshot.h).
#include <utility>

#include "engine/arg_util.h"
#include "engine/family_util.h"
#include "engine/persistence.h"
#include "engine/snapshot.h"

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
  if (ctx.argv.size() == 2 && !ArgFlag(ctx.argv[1], {{"schedule", &schedule}})) {
    ctx.reply.Error(errors::kSyntax);
    return;
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

void CmdDump(CommandContext& ctx) {
  std::string payload = DumpKey(ctx.engine, ctx.db.index(), ctx.argv[1]);
  if (payload.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(payload);
  }
}

// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], checked in Redis's order.
// IDLETIME and FREQ are validated and otherwise ignored (the restored key starts fresh). A
// relative TTL propagates as an absolute one (ttl ABSTTL), as Redis rewrites it.
void CmdRestore(CommandContext& ctx) {
  bool replace = false, absttl = false, idle = false, freq = false;
  for (size_t j = 4; j < ctx.argv.size(); ++j) {
    const bool more = j + 1 < ctx.argv.size();
    int64_t n;
    if (ArgIs(ctx.argv[j], "replace")) {
      replace = true;
    } else if (ArgIs(ctx.argv[j], "absttl")) {
      absttl = true;
    } else if (ArgIs(ctx.argv[j], "idletime") && more && !freq) {
      if (!ArgInt64(ctx, ++j, &n)) return;
      if (n < 0) return ctx.reply.Error(errors::kInvalidIdleTime);
      idle = true;
    } else if (ArgIs(ctx.argv[j], "freq") && more && !idle) {
      if (!ArgInt64(ctx, ++j, &n)) return;
      if (n < 0 || n > 255) return ctx.reply.Error(errors::kInvalidFreq);
      freq = true;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  std::string_view key = ctx.argv[1];
  if (!replace && ctx.db.Find(key) != nullptr) return ctx.reply.Error(errors::kBusyKey);
  int64_t ttl;
  if (!ArgInt64(ctx, 2, &ttl)) return;
  if (ttl < 0) return ctx.reply.Error(errors::kInvalidTtl);
  // Checked before the old key goes: a bad payload leaves it in place.
  Status checked = RestoreKey(ctx.engine, ctx.db.index(), "", ctx.argv[3], /*apply=*/false);
  if (!checked.ok()) return ctx.reply.Error(checked.message());
  const bool deleted = replace && ctx.db.Erase(key);
  if (ttl > 0 && !absttl) ttl += ctx.now_ms;
  if (ttl > 0 && ttl <= ctx.now_ms) {  // already expired: nothing is created
    if (deleted) ctx.engine.ReplacePropagation({"DEL", std::string(key)});
    if (deleted) Notify(ctx, kNotifyGeneric, "del", key);
    return ctx.reply.Ok();
  }
  // The value is rebuilt by inner commands: they propagate nothing and send no keyspace events
  // (RESTORE sends "new" and "restore", as Redis's dbAdd and restoreCommand).
  ctx.engine.set_propagation_paused(true);
  const int events = std::exchange(ctx.engine.config().notify_keyspace_events, 0);
  Status loaded = RestoreKey(ctx.engine, ctx.db.index(), key, ctx.argv[3], /*apply=*/true);
  ctx.engine.config().notify_keyspace_events = events;
  ctx.engine.set_propagation_paused(false);
  if (!loaded.ok()) return ctx.reply.Error(loaded.message());
  Notify(ctx, kNotifyNew, "new", key);
  ctx.db.AddDirty();
  if (ttl > 0) {
    ctx.db.SetExpire(key, ttl);
    if (!absttl) {
      std::vector<std::string> argv(ctx.argv.begin(), ctx.argv.end());
      argv[2] = FormatInt(ttl);
      argv.emplace_back("ABSTTL");
      ctx.engine.ReplacePropagation(std::move(argv));
    }
  }
  Notify(ctx, kNotifyGeneric, "restore", key);
  ctx.reply.Ok();
}

}  // namespace

void RegisterPersistenceFamily(CommandTable& table) {
  CommandRegistrar reg(table, "server");
  reg.Add("save", 1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti, {}, CmdSave);
  reg.Add("bgsave", -1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading, {}, CmdBgSave);
  reg.Add("bgrewriteaof", 1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading, {}, CmdBgRewriteAof);
  reg.Add("dump", 2, kCmdReadOnly, {1, 1, 1}, CmdDump);
  reg.Add("restore", -4, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdRestore);
  reg.Add("lastsave", 1, kCmdLoading | kCmdStale | kCmdFast, {}, CmdLastSave);
}

}  // namespace racetrack::engine
