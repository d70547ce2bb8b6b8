// Pub/Sub commands: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, their shard forms
// SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, and PUBSUB. Replies are exactly as Redis 7.0 sends them: one
// ["subscribe", channel, count] array per channel (a push reply in RESP3). The count is the
// client's channels plus patterns for the plain forms, its shard channels for the shard forms (as
// Redis counts them).
#include <algorithm>

#include "engine/family_util.h"
#include "engine/replication.h"
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

// What a confirmation counts: the shard channels for the shard forms, channels plus patterns for
// (P)SUBSCRIBE and (P)UNSUBSCRIBE.
size_t SubscriptionCount(const ClientState& c, bool shard) {
  return shard ? c.shard_channels.size() : c.channels.size() + c.patterns.size();
}

// (P|S)SUBSCRIBE name [name ...]: adds each subscription of the kind and confirms each, counting
// as UnsubscribeGeneric does.
void SubscribeGeneric(CommandContext& ctx, std::string_view kind,
                      bool (PubSub::*add)(ClientState*, std::string_view), bool shard) {
  PubSub& ps = ctx.engine.pubsub();
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    (ps.*add)(&ctx.client, ctx.argv[i]);
    ReplySub(ctx.reply, kind, ctx.argv[i], SubscriptionCount(ctx.client, shard));
  }
}

void CmdSubscribe(CommandContext& ctx) {
  if (!SubscribeAllowed(ctx)) return;
  SubscribeGeneric(ctx, "subscribe", &PubSub::Subscribe, false);
}

void CmdPSubscribe(CommandContext& ctx) {
  if (!SubscribeAllowed(ctx)) return;
  SubscribeGeneric(ctx, "psubscribe", &PubSub::PSubscribe, false);
}

// (P|S)UNSUBSCRIBE [name ...]: drops each named subscription of the kind (with no names, every
// one the client holds) and confirms each; with nothing to drop, one confirmation with a null name.
// The count is the shard channels' for SUNSUBSCRIBE, channels plus patterns otherwise.
void UnsubscribeGeneric(CommandContext& ctx, std::string_view kind,
                        const std::unordered_set<std::string>& mine,
                        bool (PubSub::*drop)(ClientState*, std::string_view), bool shard) {
  auto count = [&] { return SubscriptionCount(ctx.client, shard); };
  std::vector<std::string> names;
  if (ctx.argv.size() == 1) {
    names.assign(mine.begin(), mine.end());
    if (names.empty()) {
      ReplySubNil(ctx.reply, kind, count());
      return;
    }
  } else {
    names.assign(ctx.argv.begin() + 1, ctx.argv.end());
  }
  PubSub& ps = ctx.engine.pubsub();
  for (const auto& name : names) {
    (ps.*drop)(&ctx.client, name);
    ReplySub(ctx.reply, kind, name, count());
  }
}

void CmdUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, "unsubscribe", ctx.client.channels, &PubSub::Unsubscribe, false);
}

void CmdPUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, "punsubscribe", ctx.client.patterns, &PubSub::PUnsubscribe, false);
}

void CmdSUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, "sunsubscribe", ctx.client.shard_channels, &PubSub::SUnsubscribe, true);
}

// SSUBSCRIBE expects to stay subscribed after its reply, so Redis refuses it where a client must get
// one reply per command (EXEC, and clients that may not block); SUBSCRIBE is allowed in EXEC.
void CmdSSubscribe(CommandContext& ctx) {
  if (ctx.client.deny_blocking || ctx.client.is_script || ctx.engine.in_nested_call()) {
    ctx.reply.Error(errors::kSsubscribeDenyBlocking);
    return;
  }
  SubscribeGeneric(ctx, "ssubscribe", &PubSub::SSubscribe, true);
}

void CmdSPublish(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.pubsub().SPublish(ctx.argv[1], ctx.argv[2])));
}

void CmdPublish(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.engine.pubsub().Publish(ctx.argv[1], ctx.argv[2])));
  ctx.engine.replication().Feed(ctx.client.db, ctx.argv);  // to replicas only, as Redis (no AOF)
}

// PUBSUB CHANNELS|SHARDCHANNELS [pattern].
void ReplyChannelList(CommandContext& ctx, bool shard) {
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "PUBSUB"));
    return;
  }
  bool filter = ctx.argv.size() == 3;
  std::string_view pattern = filter ? ctx.argv[2] : "";
  const PubSub& ps = ctx.engine.pubsub();
  auto chans = shard ? ps.ShardChannels(pattern, filter) : ps.Channels(pattern, filter);
  ctx.reply.Array(chans.size());
  for (const auto& c : chans) ctx.reply.Bulk(c);
}

// PUBSUB NUMSUB|SHARDNUMSUB [channel ...].
void ReplyNumSub(CommandContext& ctx, bool shard) {
  const PubSub& ps = ctx.engine.pubsub();
  ctx.reply.Array((ctx.argv.size() - 2) * 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    ctx.reply.Bulk(ctx.argv[i]);
    size_t n = shard ? ps.ShardNumSub(ctx.argv[i]) : ps.NumSub(ctx.argv[i]);
    ctx.reply.Integer(static_cast<int64_t>(n));
  }
}

void CmdPubsubChannels(CommandContext& ctx) { ReplyChannelList(ctx, false); }
void CmdPubsubShardChannels(CommandContext& ctx) { ReplyChannelList(ctx, true); }
void CmdPubsubNumSub(CommandContext& ctx) { ReplyNumSub(ctx, false); }
void CmdPubsubShardNumSub(CommandContext& ctx) { ReplyNumSub(ctx, true); }

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
  reg.Add("subscribe", -2, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdSubscribe);
  reg.Add("unsubscribe", -1, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {},
          CmdUnsubscribe);
  reg.Add("psubscribe", -2, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdPSubscribe);
  reg.Add("punsubscribe", -1, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {},
          CmdPUnsubscribe);
  reg.Add("publish", 3, kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast, {}, CmdPublish);
  reg.Add("ssubscribe", -2, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {1, -1, 1},
          CmdSSubscribe);
  reg.Add("sunsubscribe", -1, kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale, {1, -1, 1},
          CmdSUnsubscribe);
  reg.Add("spublish", 3, kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast, {1, 1, 1}, CmdSPublish);
  reg.Add("pubsub", -2, 0, {}, CmdPubsub);
  reg.Sub("pubsub", "channels", -2, kCmdPubSub | kCmdLoading | kCmdStale, {}, CmdPubsubChannels);
  reg.Sub("pubsub", "numsub", -2, kCmdPubSub | kCmdLoading | kCmdStale, {}, CmdPubsubNumSub);
  reg.Sub("pubsub", "numpat", 2, kCmdPubSub | kCmdLoading | kCmdStale, {}, CmdPubsubNumPat);
  reg.Sub("pubsub", "shardchannels", -2, kCmdPubSub | kCmdLoading | kCmdStale, {},
          CmdPubsubShardChannels);
  reg.Sub("pubsub", "shardnumsub", -2, kCmdPubSub | kCmdLoading | kCmdStale, {},
          CmdPubsubShardNumSub);
  reg.Sub("pubsub", "help", 2, kCmdLoading | kCmdStale, {}, CmdPubsubHelp);
}

}  // namespace racetrack::engine
