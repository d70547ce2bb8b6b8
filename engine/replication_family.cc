// Replication commands, master side: SYNC, PSYNC, REPLCONF (replication.h has the stream).
#include "engine/family_util.h"
#include "engine/replication.h"
#include "engine/snapshot.h"

namespace racetrack::engine {
namespace {

void Attach(CommandContext& ctx, bool psync) {
  if (ctx.client.is_replica) return;  // Redis ignores SYNC from a client already attached
  ctx.engine.replication().Attach(ctx.client, psync, EncodeSnapshot(ctx.engine), ctx.now_ms);
}

// SYNC: the dataset, then the stream.
void CmdSync(CommandContext& ctx) { Attach(ctx, false); }

// PSYNC replid offset: always a full resynchronization (there is no backlog to continue from).
void CmdPSync(CommandContext& ctx) { Attach(ctx, true); }

// REPLCONF <option> <value> ...: ACK <offset> refreshes a replica's lag and is not answered;
// listening-port, ip-address, capa and getack are accepted.
void CmdReplConf(CommandContext& ctx) {
  if (ctx.argv.size() % 2 == 0) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  for (size_t j = 1; j < ctx.argv.size(); j += 2) {
    std::string_view opt = ctx.argv[j];
    if (ArgIs(opt, "ack")) {
      int64_t offset;
      if (!ParseInt64(ctx.argv[j + 1], &offset)) return;
      ctx.engine.replication().Ack(ctx.client, offset, ctx.now_ms);
      return;  // Redis sends no reply to an ACK
    }
    if (!ArgIs(opt, "listening-port") && !ArgIs(opt, "ip-address") && !ArgIs(opt, "capa") &&
        !ArgIs(opt, "getack") && !ArgIs(opt, "rdb-only") && !ArgIs(opt, "rdb-filter-only")) {
      ctx.reply.Error(errors::UnrecognizedReplconfOption(opt));
      return;
    }
  }
  ctx.reply.Ok();
}

}  // namespace

void RegisterReplicationFamily(CommandTable& table) {
  CommandRegistrar reg(table, "server");
  // Redis documents no complexity for these; this is what the full resynchronization costs here.
  constexpr std::string_view kFullSync = "O(N) where N is the number of keys (the dataset is sent)";
  reg.Add("sync", 1, kCmdNoAsyncLoading | kCmdAdmin | kCmdNoMulti | kCmdNoScript, {}, kFullSync,
          "Internal command used for replication", "1.0.0", CmdSync);
  reg.Add("psync", -3, kCmdNoAsyncLoading | kCmdAdmin | kCmdNoMulti | kCmdNoScript, {}, kFullSync,
          "Internal command used for replication", "2.8.0", CmdPSync);
  reg.Add("replconf", -1, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdAllowBusy, {},
          "O(1)", "An internal command for configuring the replication stream", "3.0.0",
          CmdReplConf);
}

}  // namespace racetrack::engine
