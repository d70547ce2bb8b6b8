// PubSub: the channel and pattern registry behind SUBSCRIBE, PSUBSCRIBE and PUBLISH, and the shard
// channels behind SSUBSCRIBE and SPUBLISH (Redis 7's sharded Pub/Sub).
//
// Pub/Sub is fire-and-forget: PUBLISH writes the message into the output buffer of every client
// subscribed at that instant and forgets it. Nothing is stored; a subscriber that is not connected
// (or not yet subscribed) never sees the message. Streams (stream.h) are the durable alternative.
//
// Fan-out: the RESP bytes of a message are built once per PUBLISH (once per matching pattern for
// pmessage) and appended to each receiver's buffer; each receiver is then woken once so the server
// flushes it. A receiver that does not read lets its buffer grow until the server's
// client-output-buffer-limit for pubsub clients disconnects it (server.cc), so memory stays bounded.
//
// Delivery order, as Redis: channel subscribers in subscription order, then pattern subscribers.
//
// Shard channels are a namespace of their own: SPUBLISH reaches only SSUBSCRIBErs of that exact
// channel (never patterns, never SUBSCRIBErs of the same name), as a `smessage`. In a cluster Redis
// keeps them within the slot's shard; here there is one shard, so they differ from plain channels
// only by that separation.
//
// Invariants:
//  1. c is in channels_[ch] iff ch is in c->channels (same for patterns, and for shard_channels_
//     with c->shard_channels).
//  2. No empty vector is kept in channels_, shard_channels_ or patterns_.
//
// Thread-safety: none; owned by one Engine.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/client.h"

namespace racetrack::engine {

class PubSub {
 public:
  // Each returns whether the subscription set changed.
  bool Subscribe(ClientState* c, std::string_view channel);
  bool Unsubscribe(ClientState* c, std::string_view channel);
  bool PSubscribe(ClientState* c, std::string_view pattern);
  bool PUnsubscribe(ClientState* c, std::string_view pattern);
  bool SSubscribe(ClientState* c, std::string_view channel);
  bool SUnsubscribe(ClientState* c, std::string_view channel);
  // Drops every subscription of c, without replies (disconnect, RESET).
  void RemoveClient(ClientState* c);

  // Delivers message to subscribers of channel and of matching patterns; returns the number of
  // receivers (a client subscribed both ways counts twice, as in Redis).
  size_t Publish(std::string_view channel, std::string_view message);
  // SPUBLISH: delivers to the shard channel's subscribers only; returns their number.
  size_t SPublish(std::string_view channel, std::string_view message);

  // PUBSUB CHANNELS [pattern]: active channels (at least one subscriber), optionally filtered.
  std::vector<std::string> Channels(std::string_view pattern, bool filter) const;
  size_t NumSub(std::string_view channel) const;
  size_t NumPat() const { return patterns_.size(); }
  // PUBSUB SHARDCHANNELS / SHARDNUMSUB.
  std::vector<std::string> ShardChannels(std::string_view pattern, bool filter) const;
  size_t ShardNumSub(std::string_view channel) const;

 private:
  using Registry = std::unordered_map<std::string, std::vector<ClientState*>>;
  static bool Add(Registry* r, std::unordered_set<std::string>* mine, ClientState* c,
                  std::string_view channel);
  static bool Remove(Registry* r, std::unordered_set<std::string>* mine, ClientState* c,
                     std::string_view channel);
  // Sends a [kind, channel, message] frame to the channel's subscribers; returns their number.
  static size_t Deliver(const Registry& r, std::string_view kind, std::string_view channel,
                        std::string_view message);
  static std::vector<std::string> List(const Registry& r, std::string_view pattern, bool filter);
  static size_t Count(const Registry& r, std::string_view channel);

  Registry channels_;
  Registry shard_channels_;
  std::map<std::string, std::vector<ClientState*>, std::less<>> patterns_;
};

}  // namespace racetrack::engine
