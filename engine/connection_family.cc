// Connection commands: PING, ECHO, SELECT, AUTH, HELLO, QUIT, CLIENT.
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

void CmdPing(CommandContext& ctx) {
  if (ctx.argv.size() > 2) {
    ctx.reply.Error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (ctx.client.subscription_count() > 0) {  // RESP2 in Pub/Sub context: ["pong", msg]
    ctx.reply.Array(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.argv.size() == 2 ? ctx.argv[1] : "");
    return;
  }
  if (ctx.argv.size() == 2) {
    ctx.reply.Bulk(ctx.argv[1]);
  } else {
    ctx.reply.Status("PONG");
  }
}

void CmdQuit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client.close_after_reply = true;
}

}  // namespace

void RegisterConnectionFamily(CommandTable& table) {
  table.Register({.name = "ping", .arity = -1, .flags = kCmdFast, .group = "connection",
                  .complexity = "O(1)", .summary = "Returns the server's liveliness response.",
                  .since = "1.0.0", .handler = CmdPing});
  table.Register({.name = "quit", .arity = -1,
                  .flags = kCmdNoAuth | kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast |
                           kCmdAllowBusy,
                  .group = "connection", .complexity = "O(1)",
                  .summary = "Closes the connection.", .since = "1.0.0", .handler = CmdQuit});
}

}  // namespace racetrack::engine
