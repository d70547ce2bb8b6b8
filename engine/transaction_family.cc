// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// A Redis transaction is not a lock and has no rollback. MULTI starts queuing: Engine::Execute
// answers +QUEUED for each command after checking it exists and has the right arity (a failure
// there marks the transaction, and EXEC then answers EXECABORT without running anything). EXEC runs
// the queue back to back — nothing else runs in between, since the engine is single-threaded — and
// answers an array with one reply per command; a command that fails at run time (WRONGTYPE, not an
// integer) puts its error in the array and the others still run.
//
// WATCH is optimistic locking: if any watched key is modified (by anyone, this client included)
// or expires between WATCH and EXEC, EXEC answers a null array and runs nothing, and the client
// retries. Modifications reach watchers through Engine::SignalModifiedKey, which every write
// command, expiry and FLUSHDB/FLUSHALL (SignalFlushedDb) call. EXEC and DISCARD forget all
// watches, as does UNWATCH.
//
// Texts and corner cases follow Redis 7.0.15's multi.c (checked against a real server): WATCH and
// MULTI inside MULTI are refused without aborting the transaction; UNWATCH inside MULTI is queued.
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

void DiscardTransaction(Engine& engine, ClientState& c) {
  c.in_multi = false;
  c.multi_error = false;
  c.multi_queue.clear();
  UnwatchAll(engine, c);
}

// Redis 7.0's isWatchedKeyExpired: a watched key that was alive at WATCH time and is now
// logically expired (even if nothing has deleted it yet) counts as modified.
bool WatchedKeyExpired(CommandContext& ctx) {
  for (const auto& wk : ctx.client.watched) {
    if (wk.expired_at_watch) continue;
    const Db::Entry* e = ctx.engine.db(wk.db).Peek(wk.key);
    if (e != nullptr && e->ExpiredAt(ctx.now_ms)) return true;
  }
  return false;
}

void CmdMulti(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.Error(errors::kNestedMulti);
    return;
  }
  ctx.client.in_multi = true;
  ctx.reply.Ok();
}

void CmdDiscard(CommandContext& ctx) {
  if (!ctx.client.in_multi) {
    ctx.reply.Error(errors::kDiscardWithoutMulti);
    return;
  }
  DiscardTransaction(ctx.engine, ctx.client);
  ctx.reply.Ok();
}

void CmdExec(CommandContext& ctx) {
  ClientState& c = ctx.client;
  if (!c.in_multi) {
    ctx.reply.Error(errors::kExecWithoutMulti);
    return;
  }
  if (WatchedKeyExpired(ctx)) c.watch_dirty = true;
  if (c.multi_error || c.watch_dirty) {
    if (c.multi_error) {
      ctx.reply.Error(errors::kExecAbort);
    } else {
      ctx.reply.NullArray();
    }
    DiscardTransaction(ctx.engine, c);
    return;
  }
  // Leave the MULTI state before running the queue, so nothing the commands do is queued again.
  std::vector<std::vector<std::string>> queue = std::move(c.multi_queue);
  DiscardTransaction(ctx.engine, c);
  ctx.reply.Array(queue.size());
  for (const auto& argv : queue) ctx.engine.ExecuteQueued(c, argv);
}

void CmdWatch(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.Error(errors::kWatchInsideMulti);
    return;
  }
  // Once a watched key changed the EXEC will fail anyway: no point watching more.
  if (!ctx.client.watch_dirty) {
    for (size_t j = 1; j < ctx.argv.size(); ++j) {
      WatchKey(ctx.engine, ctx.client, ctx.client.db, ctx.argv[j]);
    }
  }
  ctx.reply.Ok();
}

void CmdUnwatch(CommandContext& ctx) {
  UnwatchAll(ctx.engine, ctx.client);  // also clears watch_dirty
  ctx.reply.Ok();
}

}  // namespace

void RegisterTransactionFamily(CommandTable& table) {
  CommandRegistrar reg(table, "transactions");
  reg.Add("multi", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy, {},
          CmdMulti);
  reg.Add("exec", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipSlowlog, {}, CmdExec);
  reg.Add("discard", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy, {},
          CmdDiscard);
  reg.Add("watch", -2, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy,
          {1, -1, 1}, CmdWatch);
  reg.Add("unwatch", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy, {},
          CmdUnwatch);
}

}  // namespace racetrack::engine
