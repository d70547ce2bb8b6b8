#include "engine/pubsub.h"

#include <algorithm>

#include "engine/ds/util.h"

namespace racetrack::engine {
namespace {

void AppendBulk(std::string* out, std::string_view s) {
  out->push_back('$');
  out->append(std::to_string(s.size()));
  out->append("\r\n");
  out->append(s);
  out->append("\r\n");
}

bool EraseClient(std::vector<ClientState*>* v, ClientState* c) {
  auto it = std::find(v->begin(), v->end(), c);
  if (it == v->end()) return false;
  v->erase(it);  // keeps subscription order for the others
  return true;
}

// `bytes` is the message as a RESP2 array, built once for every receiver; a RESP3 client gets it
// as a push reply ('>' for '*').
void Send(ClientState* c, std::string_view bytes) {
  if (c->reply.resp3() && bytes.starts_with('*')) {
    c->reply.Raw(">");
    bytes.remove_prefix(1);
  }
  c->reply.Raw(bytes);
  if (c->wake) c->wake();
}

}  // namespace

bool PubSub::Add(Registry* r, std::unordered_set<std::string>* mine, ClientState* c,
                 std::string_view channel) {
  if (!mine->emplace(channel).second) return false;
  (*r)[std::string(channel)].push_back(c);
  return true;
}

bool PubSub::Remove(Registry* r, std::unordered_set<std::string>* mine, ClientState* c,
                    std::string_view channel) {
  auto cit = mine->find(std::string(channel));
  if (cit == mine->end()) return false;
  mine->erase(cit);
  auto it = r->find(std::string(channel));
  if (it != r->end()) {
    EraseClient(&it->second, c);
    if (it->second.empty()) r->erase(it);
  }
  return true;
}

bool PubSub::Subscribe(ClientState* c, std::string_view channel) {
  return Add(&channels_, &c->channels, c, channel);
}

bool PubSub::Unsubscribe(ClientState* c, std::string_view channel) {
  return Remove(&channels_, &c->channels, c, channel);
}

bool PubSub::SSubscribe(ClientState* c, std::string_view channel) {
  return Add(&shard_channels_, &c->shard_channels, c, channel);
}

bool PubSub::SUnsubscribe(ClientState* c, std::string_view channel) {
  return Remove(&shard_channels_, &c->shard_channels, c, channel);
}

bool PubSub::PSubscribe(ClientState* c, std::string_view pattern) {
  if (!c->patterns.emplace(pattern).second) return false;
  auto it = patterns_.find(pattern);
  if (it == patterns_.end()) it = patterns_.emplace(std::string(pattern), std::vector<ClientState*>{}).first;
  it->second.push_back(c);
  return true;
}

bool PubSub::PUnsubscribe(ClientState* c, std::string_view pattern) {
  auto cit = c->patterns.find(std::string(pattern));
  if (cit == c->patterns.end()) return false;
  c->patterns.erase(cit);
  auto it = patterns_.find(pattern);
  if (it != patterns_.end()) {
    EraseClient(&it->second, c);
    if (it->second.empty()) patterns_.erase(it);
  }
  return true;
}

void PubSub::RemoveClient(ClientState* c) {
  std::vector<std::string> chans(c->channels.begin(), c->channels.end());
  for (const auto& ch : chans) Unsubscribe(c, ch);
  std::vector<std::string> pats(c->patterns.begin(), c->patterns.end());
  for (const auto& p : pats) PUnsubscribe(c, p);
  std::vector<std::string> shard(c->shard_channels.begin(), c->shard_channels.end());
  for (const auto& ch : shard) SUnsubscribe(c, ch);
}

size_t PubSub::Deliver(const Registry& r, std::string_view kind, std::string_view channel,
                       std::string_view message) {
  auto it = r.find(std::string(channel));
  if (it == r.end()) return 0;
  std::string bytes = "*3\r\n";
  AppendBulk(&bytes, kind);
  AppendBulk(&bytes, channel);
  AppendBulk(&bytes, message);
  // Copy the list: a wake callback must not unsubscribe, but be safe against it anyway.
  std::vector<ClientState*> subs = it->second;
  for (ClientState* c : subs) Send(c, bytes);
  return subs.size();
}

size_t PubSub::Publish(std::string_view channel, std::string_view message) {
  size_t receivers = Deliver(channels_, "message", channel, message);
  if (!patterns_.empty()) {
    std::string tail;  // channel and message, shared by every pattern's frame
    AppendBulk(&tail, channel);
    AppendBulk(&tail, message);
    for (const auto& [pattern, subs] : patterns_) {
      if (!GlobMatch(pattern, channel)) continue;
      std::string bytes = "*4\r\n$8\r\npmessage\r\n";
      AppendBulk(&bytes, pattern);
      bytes += tail;
      std::vector<ClientState*> copy = subs;
      for (ClientState* c : copy) Send(c, bytes);
      receivers += copy.size();
    }
  }
  return receivers;
}

size_t PubSub::SPublish(std::string_view channel, std::string_view message) {
  return Deliver(shard_channels_, "smessage", channel, message);
}

std::vector<std::string> PubSub::List(const Registry& r, std::string_view pattern, bool filter) {
  std::vector<std::string> out;
  for (const auto& [ch, subs] : r) {
    if (!filter || GlobMatch(pattern, ch)) out.push_back(ch);
  }
  return out;
}

size_t PubSub::Count(const Registry& r, std::string_view channel) {
  auto it = r.find(std::string(channel));
  return it == r.end() ? 0 : it->second.size();
}

std::vector<std::string> PubSub::Channels(std::string_view pattern, bool filter) const {
  return List(channels_, pattern, filter);
}

size_t PubSub::NumSub(std::string_view channel) const { return Count(channels_, channel); }

std::vector<std::string> PubSub::ShardChannels(std::string_view pattern, bool filter) const {
  return List(shard_channels_, pattern, filter);
}

size_t PubSub::ShardNumSub(std::string_view channel) const {
  return Count(shard_channels_, channel);
}

}  // namespace racetrack::engine
