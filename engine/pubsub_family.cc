// Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB. Replies are
// RESP2 exactly as Redis 7.0 sends them: one ["subscribe", channel, count] array per channel.
#include <algorithm>

#include "engine/family_util.h"
#include "engine/pubsub.h"

namespace racetrack::engine {
namespace {

void ReplySub(ReplyBuilder& r, std::string_view kind, std::string_view name, size_t count) {
  r.Array(3);
  r.Bulk(kind);
  r.Bulk(name);
  r.Integer(static_cast<int64_t>(count));
}

void ReplySubNil(ReplyBuilder& r, std::string_view kind, size_t count) {
  r.Array(3);
  r.Bulk(kind);
  r.Null();
  r.Integer(static_cast<int64_t>(count));
}

bool SubscribeAllowed(CommandContext& ctx) {
  // Redis refuses (P)SUBSCRIBE inside MULTI (flag no-multi) — the arity/flags check handles
  // queuing; here only the script case.
  if (ctx.client.is_script) {
    ctx.reply.Error("ERR This Redis command is not allowed from script");
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

constexpr uint32_t kPs = kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale;

}  // namespace

void RegisterPubSubFamily(CommandTable& t) {
  auto reg = [&t](const char* name, int arity, uint32_t flags, const char* complexity,
                  const char* summary, const char* since, CommandHandler h) {
    t.Register({.name = name, .arity = arity, .flags = flags, .group = "pubsub",
                .complexity = complexity, .summary = summary, .since = since, .handler = h});
  };
  reg("subscribe", -2, kPs, "O(N) where N is the number of channels to subscribe to.",
      "Listens for messages published to channels.", "2.0.0", CmdSubscribe);
  reg("unsubscribe", -1, kPs, "O(N) where N is the number of channels to unsubscribe.",
      "Stops listening to messages posted to channels.", "2.0.0", CmdUnsubscribe);
  reg("psubscribe", -2, kPs, "O(N) where N is the number of patterns to subscribe to.",
      "Listens for messages published to channels that match one or more patterns.", "2.0.0",
      CmdPSubscribe);
  reg("punsubscribe", -1, kPs, "O(N) where N is the number of patterns to unsubscribe.",
      "Stops listening to messages published to channels that match one or more patterns.",
      "2.0.0", CmdPUnsubscribe);
  reg("publish", 3, kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast,
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the "
      "total number of subscribed patterns (by any client).",
      "Posts a message to a channel.", "2.0.0", CmdPublish);
  reg("pubsub", -2, 0, "Depends on subcommand.", "A container for Pub/Sub commands.", "2.8.0",
      CmdPubsub);
  auto sub = [&t](const char* name, int arity, const char* summary, CommandHandler h) {
    t.RegisterSub("pubsub", {.name = name, .arity = arity,
                             .flags = kCmdPubSub | kCmdLoading | kCmdStale, .group = "pubsub",
                             .complexity = "O(N)", .summary = summary, .since = "2.8.0",
                             .handler = h});
  };
  sub("channels", -2, "Returns the active channels.", CmdPubsubChannels);
  sub("numsub", -2, "Returns a count of subscribers to channels.", CmdPubsubNumSub);
  sub("numpat", 2, "Returns a count of unique pattern subscriptions.", CmdPubsubNumPat);
  sub("help", 2, "Returns helpful text about the different subcommands.", CmdPubsubHelp);
}

}  // namespace racetrack::engine
