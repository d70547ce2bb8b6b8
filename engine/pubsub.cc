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
void Deliver(ClientState* c, std::string_view bytes) {
  if (c->reply.resp3() && bytes.starts_with('*')) {
    c->reply.Raw(">");
    bytes.remove_prefix(1);
  }
  c->reply.Raw(bytes);
  if (c->wake) c->wake();
}

}  // namespace

bool PubSub::Subscribe(ClientState* c, std::string_view channel) {
  if (!c->channels.emplace(channel).second) return false;
  channels_[std::string(channel)].push_back(c);
  return true;
}

bool PubSub::Unsubscribe(ClientState* c, std::string_view channel) {
  auto cit = c->channels.find(std::string(channel));
  if (cit == c->channels.end()) return false;
  c->channels.erase(cit);
  auto it = channels_.find(std::string(channel));
  if (it != channels_.end()) {
    EraseClient(&it->second, c);
    if (it->second.empty()) channels_.erase(it);
  }
  return true;
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
}

size_t PubSub::Publish(std::string_view channel, std::string_view message) {
  size_t receivers = 0;
  auto it = channels_.find(std::string(channel));
  if (it != channels_.end()) {
    std::string bytes = "*3\r\n$7\r\nmessage\r\n";
    AppendBulk(&bytes, channel);
    AppendBulk(&bytes, message);
    // Copy the list: a wake callback must not unsubscribe, but be safe against it anyway.
    std::vector<ClientState*> subs = it->second;
    for (ClientState* c : subs) Deliver(c, bytes);
    receivers += subs.size();
  }
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
      for (ClientState* c : copy) Deliver(c, bytes);
      receivers += copy.size();
    }
  }
  return receivers;
}

std::vector<std::string> PubSub::Channels(std::string_view pattern, bool filter) const {
  std::vector<std::string> out;
  for (const auto& [ch, subs] : channels_) {
    if (!filter || GlobMatch(pattern, ch)) out.push_back(ch);
  }
  return out;
}

size_t PubSub::NumSub(std::string_view channel) const {
  auto it = channels_.find(std::string(channel));
  return it == channels_.end() ? 0 : it->second.size();
}

}  // namespace racetrack::engine
