// Replication commands: SYNC, PSYNC, REPLCONF (master side; replication.h has the stream), and
// REPLICAOF / SLAVEOF / ROLE (the replica role, state only: this server never connects to a
// master, see replication.h).
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

// REPLICAOF host port | NO ONE, as Redis 7.0.15's replicaofCommand.
void CmdReplicaOf(CommandContext& ctx) {
  Replication& repl = ctx.engine.replication();
  if (ArgIs(ctx.argv[1], "no") && ArgIs(ctx.argv[2], "one")) {
    repl.UnsetMaster();
    ctx.reply.Ok();
    return;
  }
  if (ctx.client.is_replica) {
    ctx.reply.Error(errors::kReplicaofFromReplica);
    return;
  }
  int64_t port;
  if (!ParseInt64(ctx.argv[2], &port) || port < 0 || port > 65535) {
    ctx.reply.Error(errors::kInvalidMasterPort);
    return;
  }
  if (repl.has_master() && EqualsIgnoreCase(repl.master_host(), ctx.argv[1]) &&
      repl.master_port() == port) {
    ctx.reply.Status(errors::kAlreadyConnectedToMaster);
    return;
  }
  repl.SetMaster(std::string(ctx.argv[1]), static_cast<int>(port));
  ctx.reply.Ok();
}

// ROLE: master, offset, [ip, port, offset] per replica; or slave, host, port, "connect", -1 (the
// link is never established here).
void CmdRole(CommandContext& ctx) {
  const Replication& repl = ctx.engine.replication();
  if (repl.has_master()) {
    ctx.reply.Array(5);
    ctx.reply.Bulk("slave");
    ctx.reply.Bulk(repl.master_host());
    ctx.reply.Integer(repl.master_port());
    ctx.reply.Bulk("connect");
    ctx.reply.Integer(-1);
    return;
  }
  auto replicas = repl.ReplicaOffsets();
  ctx.reply.Array(3);
  ctx.reply.Bulk("master");
  ctx.reply.Integer(repl.offset());
  ctx.reply.Array(replicas.size());
  for (const auto& [addr, offset] : replicas) {
    size_t colon = addr.rfind(':');
    ctx.reply.Array(3);
    ctx.reply.Bulk(addr.substr(0, colon));
    ctx.reply.Bulk(colon == std::string::npos ? "0" : addr.substr(colon + 1));
    ctx.reply.Bulk(std::to_string(offset));
  }
}

}  // namespace

void RegisterReplicationFamily(CommandTable& table) {
  CommandRegistrar reg(table, "server");
  // Redis documents no complexity for SYNC and PSYNC; here a full resynchronization costs O(N), N
  // the number of keys (the whole dataset is sent).
  reg.Add("sync", 1, kCmdNoAsyncLoading | kCmdAdmin | kCmdNoMulti | kCmdNoScript, {}, CmdSync);
  reg.Add("psync", -3, kCmdNoAsyncLoading | kCmdAdmin | kCmdNoMulti | kCmdNoScript, {}, CmdPSync);
  reg.Add("replconf", -1, kCmdServerAdmin | kCmdAllowBusy, {}, CmdReplConf);
  reg.Add("replicaof", 3, kCmdNoAsyncLoading | kCmdAdmin | kCmdNoScript | kCmdStale, {},
          CmdReplicaOf);
  reg.Add("slaveof", 3, kCmdNoAsyncLoading | kCmdAdmin | kCmdNoScript | kCmdStale, {},
          CmdReplicaOf);
  reg.Add("role", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast, {}, CmdRole);
}

}  // namespace racetrack::engine
