// Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB. Replies are
// exactly as Redis 7.0 sends them: one ["subscribe", channel, count] array per channel (a push
// reply in RESP3).
#include <algorithm>

#include "engine/family_util.h"
#include "engine/pubsub.h"

namespace racetrack::engine {
namespace {

void ReplySub(ReplyBuilder& r, std::string_view kind, std::string_view name, size_t count) {
  r.Push(3);
  r.Bulk(kind);
  r.Bulk(name);
  r.Integer(static_cast<int64_t>(count));
}

void ReplySubNil(ReplyBuilder& r, std::string_view kind, size_t count) {
  r.Push(3);
  r.Bulk(kind);
  r.Null();
  r.Integer(static_cast<int64_t>(count));
}

bool SubscribeAllowed(CommandContext& ctx) {
  // Redis refuses (P)SUBSCRIBE inside MULTI (flag no-multi) — the arity/flags check handles
  // queuing; here only the script case.
  if (ctx.client.is_script) {
    ctx.reply.Error(errors::kNotAllowedFromScript);
    return false;
  }
  return true;
}

void CmdSubscribe(CommandContext& ctx) {
  if (!SubscribeAllowed(ctx)) return;
  PubSub& ps = ctx.engine.pubsub();
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    ps.Subscribe(&ctx.client, ctx.argv[i]);
    ReplySub(ctx.reply, "subscribe", ctx.argv[i], ctx.client.subscription_count());
  }
}

void CmdPSubscribe(CommandContext& ctx) {
  if (!SubscribeAllowed(ctx)) return;
  PubSub& ps = ctx.engine.pubsub();
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    ps.PSubscribe(&ctx.client, ctx.argv[i]);
    ReplySub(ctx.reply, "psubscribe", ctx.argv[i], ctx.client.subscription_count());
  }
}

void CmdUnsubscribe(CommandContext& ctx) {
  PubSub& ps = ctx.engine.pubsub();
  std::vector<std::string> names;
  if (ctx.argv.size() == 1) {
    names.assign(ctx.client.channels.begin(), ctx.client.channels.end());
    if (names.empty()) {
      ReplySubNil(ctx.reply, "unsubscribe", ctx.client.subscription_count());
      return;
    }
  } else {
    names.assign(ctx.argv.begin() + 1, ctx.argv.end());
  }
  for (const auto& ch : names) {
    ps.Unsubscribe(&ctx.client, ch);
    ReplySub(ctx.reply, "unsubscribe", ch, ctx.client.subscription_count());
  }
}

void CmdPUnsubscribe(CommandContext& ctx) {
  PubSub& ps = ctx.engine.pubsub();
  std::vector<std::string> names;
  if (ctx.argv.size() == 1) {
    names.assign(ctx.client.patterns.begin(), ctx.client.patterns.end());
    if (names.empty()) {
      ReplySubNil(ctx.reply, "punsubscribe", ctx.client.subscription_count());
      return;
    }
  } else {
    names.assign(ctx.argv.begin() + 1, ctx.argv.end());
  }
  for (const auto& p : names) {
    ps.PUnsubscribe(&ctx.client, p);
    ReplySub(ctx.reply, "punsubscribe", p, ctx.client.subscription_count());
  }
}

void CmdPublish(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.pubsub().Publish(ctx.argv[1], ctx.argv[2])));
}

void CmdPubsubChannels(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ReplyArityError(ctx);
    return;
  }
  bool filter = ctx.argv.size() == 3;
  auto chans = ctx.engine.pubsub().Channels(filter ? ctx.argv[2] : "", filter);
  ctx.reply.Array(chans.size());
  for (const auto& c : chans) ctx.reply.Bulk(c);
}

void CmdPubsubNumSub(CommandContext& ctx) {
  ctx.reply.Array((ctx.argv.size() - 2) * 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    ctx.reply.Bulk(ctx.argv[i]);
    ctx.reply.Integer(static_cast<int64_t>(ctx.engine.pubsub().NumSub(ctx.argv[i])));
  }
}

void CmdPubsubNumPat(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.pubsub().NumPat()));
}

void CmdPubsubHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "PUBSUB",
            {"CHANNELS [<pattern>]",
             "    Return the currently active channels matching a <pattern> (default: '*').",
             "NUMPAT", "    Return number of subscriptions to patterns.",
             "NUMSUB [<channel> ...]",
             "    Return the number of subscribers for the specified channels, excluding",
             "    pattern subscriptions(default: no channels).",
             "SHARDCHANNELS [<pattern>]",
             "    Return the currently active shard level channels matching a <pattern> (default: '*').",
             "SHARDNUMSUB [<shardchannel> ...]",
             "    Return the number of subscribers for the specified shard level channel(s)"});
}

void CmdPubsub(CommandContext& ctx) { ReplyArityError(ctx); }

}  // namespace

void RegisterPubSubFamily(CommandTable& table) {
  CommandRegistrar reg(table, "pubsub");
  reg.Add("subscribe", -2, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {},
          "O(N) where N is the number of channels to subscribe to.",
          "Listens for messages published to channels.", "2.0.0", CmdSubscribe);
  reg.Add("unsubscribe", -1, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {},
          "O(N) where N is the number of channels to unsubscribe.",
          "Stops listening to messages posted to channels.", "2.0.0", CmdUnsubscribe);
  reg.Add("psubscribe", -2, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {},
          "O(N) where N is the number of patterns to subscribe to.",
          "Listens for messages published to channels that match one or more patterns.", "2.0.0",
          CmdPSubscribe);
  reg.Add("punsubscribe", -1, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {},
          "O(N) where N is the number of patterns to unsubscribe.",
          "Stops listening to messages published to channels that match one or more patterns.",
          "2.0.0", CmdPUnsubscribe);
  reg.Add(
      "publish", 3, kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast, {},
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the "
      "total number of subscribed patterns (by any client).",
      "Posts a message to a channel.", "2.0.0", CmdPublish);
  reg.Add("pubsub", -2, 0, {}, "Depends on subcommand.", "A container for Pub/Sub commands.",
          "2.8.0", CmdPubsub);
  reg.Sub("pubsub", "channels", -2, kCmdPubSub | kCmdLoading | kCmdStale, {}, "O(N)",
          "Returns the active channels.", "2.8.0", CmdPubsubChannels);
  reg.Sub("pubsub", "numsub", -2, kCmdPubSub | kCmdLoading | kCmdStale, {}, "O(N)",
          "Returns a count of subscribers to channels.", "2.8.0", CmdPubsubNumSub);
  reg.Sub("pubsub", "numpat", 2, kCmdPubSub | kCmdLoading | kCmdStale, {}, "O(N)",
          "Returns a count of unique pattern subscriptions.", "2.8.0", CmdPubsubNumPat);
  reg.Sub("pubsub", "help", 2, kCmdLoading | kCmdStale, {}, "O(N)",
          "Returns helpful text about the different subcommands.", "2.8.0", CmdPubsubHelp);
}

}  // namespace racetrack::engine
