// PubSub: the channel and pattern registry behind SUBSCRIBE, PSUBSCRIBE and PUBLISH.
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
// Invariants:
//  1. c is in channels_[ch] iff ch is in c->channels (same for patterns).
//  2. No empty vector is kept in channels_ or patterns_.
//
// Thread-safety: none; owned by one Engine.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
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
  // Drops every subscription of c, without replies (disconnect, RESET).
  void RemoveClient(ClientState* c);

  // Delivers message to subscribers of channel and of matching patterns; returns the number of
  // receivers (a client subscribed both ways counts twice, as in Redis).
  size_t Publish(std::string_view channel, std::string_view message);

  // PUBSUB CHANNELS [pattern]: active channels (at least one subscriber), optionally filtered.
  std::vector<std::string> Channels(std::string_view pattern, bool filter) const;
  size_t NumSub(std::string_view channel) const;
  size_t NumPat() const { return patterns_.size(); }

 private:
  std::unordered_map<std::string, std::vector<ClientState*>> channels_;
  std::map<std::string, std::vector<ClientState*>, std::less<>> patterns_;
};

}  // namespace racetrack::engine
