#include "engine/ds/stream.h"

#include <algorithm>
#include <charconv>

#include "engine/ds/encoding.h"
#include "engine/ds/limits.h"
#include "engine/ds/util.h"

namespace racetrack::engine {

std::string StreamID::ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

bool StreamID::Incr(StreamID* out) const {
  *out = *this;
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) return false;
    out->ms++;
    out->seq = 0;
  } else {
    out->seq++;
  }
  return true;
}

bool StreamID::Decr(StreamID* out) const {
  *out = *this;
  if (seq == 0) {
    if (ms == 0) return false;
    out->ms--;
    out->seq = UINT64_MAX;
  } else {
    out->seq--;
  }
  return true;
}

namespace {
bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

bool ParseStreamID(std::string_view s, uint64_t missing_seq, StreamID* out) {
  if (s.size() > 127) return false;
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!ParseU64(s, &out->ms)) return false;
    out->seq = missing_seq;
    return true;
  }
  return ParseU64(s.substr(0, dash), &out->ms) && ParseU64(s.substr(dash + 1), &out->seq);
}

size_t StreamObject::EntryBytes(const Entry& e) {
  // A std::map node (three links + colour, padded to 32) holding the ID and the Entry, the fields
  // vector's array, and each field's own heap buffer.
  size_t bytes = AllocSize(32 + sizeof(StreamID) + sizeof(Entry)) +
                 AllocSize(e.fields.capacity() * sizeof(std::string));
  for (const auto& f : e.fields) bytes += StringHeapBytes(f);
  return bytes;
}

size_t StreamObject::MemoryUsage() const {
  // Entries are counted as they come and go (entry_bytes_); groups are few, walked here.
  size_t total = sizeof(*this) + entry_bytes_ + nodes_.size() * AllocSize(32 + 8 + sizeof(Node));
  for (const auto& [name, g] : groups) {
    total += 128 + name.size() + g.pel.size() * 96;
    for (const auto& [cname, c] : g.consumers) total += 96 + cname.size() + c.pel.size() * 48;
  }
  return total;
}

std::unique_ptr<Object> StreamObject::Clone() const {
  auto copy = std::make_unique<StreamObject>(*this);
  copy->entry_bytes_ = 0;  // copies may have smaller capacities than the originals
  for (const auto& [id, e] : copy->entries_) copy->entry_bytes_ += EntryBytes(e);
  return copy;
}

void StreamObject::Append(StreamID id, std::vector<std::string> fields) {
  const int64_t node_max = Limits().stream_node_max_entries;  // 0: no limit
  if (nodes_.empty() || (node_max > 0 && nodes_.rbegin()->second.total >= node_max)) {
    nodes_[next_node_++] = Node{};
  }
  auto& [node_id, node] = *nodes_.rbegin();
  ++node.total;
  ++node.live;
  auto it = entries_.emplace_hint(entries_.end(), id, Entry{node_id, std::move(fields)});
  entry_bytes_ += EntryBytes(it->second);
  last_id = id;
  ++entries_added;
}

void StreamObject::RemoveEntry(std::map<StreamID, Entry>::iterator it) {
  auto nit = nodes_.find(it->second.node);
  if (nit != nodes_.end() && --nit->second.live == 0) nodes_.erase(nit);
  entry_bytes_ -= EntryBytes(it->second);
  entries_.erase(it);
}

bool StreamObject::Delete(StreamID id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  RemoveEntry(it);
  if (id > max_deleted_id) max_deleted_id = id;
  return true;
}

int64_t StreamObject::RemoveLeadingNode(uint64_t node) {
  int64_t removed = 0;
  while (!entries_.empty() && entries_.begin()->second.node == node) {
    RemoveEntry(entries_.begin());
    ++removed;
  }
  return removed;
}

int64_t StreamObject::TrimMaxLen(uint64_t maxlen, bool approx, int64_t limit) {
  int64_t removed = 0;
  while (entries_.size() > maxlen) {
    if (limit > 0 && removed >= limit) break;
    auto nit = nodes_.begin();
    if (approx) {
      // Only whole nodes, and only if the stream stays at least maxlen long.
      if (entries_.size() - nit->second.live < maxlen) break;
      if (limit > 0 && removed + nit->second.live > limit) break;
      removed += RemoveLeadingNode(nit->first);
    } else {
      RemoveEntry(entries_.begin());
      ++removed;
    }
  }
  return removed;
}

int64_t StreamObject::TrimMinId(StreamID minid, bool approx, int64_t limit) {
  int64_t removed = 0;
  while (!entries_.empty() && entries_.begin()->first < minid) {
    if (limit > 0 && removed >= limit) break;
    if (approx) {
      // A node goes only if its last entry is below minid.
      uint64_t node = entries_.begin()->second.node;
      uint32_t live = nodes_.begin()->second.live;
      auto last = entries_.begin();
      std::advance(last, live - 1);
      if (!(last->first < minid)) break;
      if (limit > 0 && removed + live > limit) break;
      removed += RemoveLeadingNode(node);
    } else {
      RemoveEntry(entries_.begin());
      ++removed;
    }
  }
  return removed;
}

bool StreamObject::HasTombstonesFrom(StreamID start) const {
  if (entries_.empty() || max_deleted_id.IsZero()) return false;
  return start <= max_deleted_id;
}

int64_t StreamObject::EstimateDistance(StreamID id) const {
  if (entries_added == 0) return 0;
  if (entries_.empty() && id <= last_id) return static_cast<int64_t>(entries_added);
  if (id == last_id) return static_cast<int64_t>(entries_added);
  if (id > last_id) return -1;
  StreamID first = FirstId();
  if (max_deleted_id.IsZero() || max_deleted_id < first) {
    if (id < first) return static_cast<int64_t>(entries_added - entries_.size());
    if (id == first) return static_cast<int64_t>(entries_added - entries_.size() + 1);
  }
  return -1;
}

// Layout: last_id, max_deleted_id, entries_added, next_node, #entries { id, node, #fields, fields },
// #groups { name, last_id, entries_read+1, #pel { id, consumer, time, count }, #consumers { name,
// seen, #ids } }. Nodes are rebuilt from the entries' node tags.
void StreamObject::Serialize(std::string* out) const {
  auto put_id = [out](StreamID id) {
    PutVarint(out, id.ms);
    PutVarint(out, id.seq);
  };
  put_id(last_id);
  put_id(max_deleted_id);
  PutVarint(out, entries_added);
  PutVarint(out, next_node_);
  PutVarint(out, entries_.size());
  for (const auto& [id, e] : entries_) {
    put_id(id);
    PutVarint(out, e.node);
    PutVarint(out, e.fields.size());
    for (const auto& f : e.fields) PutString(out, f);
  }
  PutVarint(out, groups.size());
  for (const auto& [name, g] : groups) {
    PutString(out, name);
    put_id(g.last_id);
    PutVarint(out, static_cast<uint64_t>(g.entries_read + 1));
    PutVarint(out, g.pel.size());
    for (const auto& [id, n] : g.pel) {
      put_id(id);
      PutString(out, n.consumer);
      PutVarint(out, static_cast<uint64_t>(n.delivery_time_ms));
      PutVarint(out, n.delivery_count);
    }
    PutVarint(out, g.consumers.size());
    for (const auto& [cname, c] : g.consumers) {
      PutString(out, cname);
      PutVarint(out, static_cast<uint64_t>(c.seen_time_ms));
    }
  }
}

bool StreamObject::Deserialize(std::string_view in, StreamObject* s) {
  ByteReader r(in);
  auto get_id = [&r](StreamID* id) { return r.GetVarint(&id->ms) && r.GetVarint(&id->seq); };
  uint64_t n = 0;
  if (!get_id(&s->last_id) || !get_id(&s->max_deleted_id) || !r.GetVarint(&s->entries_added) ||
      !r.GetVarint(&s->next_node_) || !r.GetVarint(&n)) {
    return false;
  }
  StreamID prev;
  for (uint64_t i = 0; i < n; ++i) {
    StreamID id;
    Entry e;
    uint64_t nf;
    if (!get_id(&id) || !r.GetVarint(&e.node) || !r.GetVarint(&nf) || nf > in.size()) return false;
    if (i > 0 && !(prev < id)) return false;
    if (id > s->last_id) return false;
    prev = id;
    e.fields.resize(nf);
    for (auto& f : e.fields) {
      if (!r.GetString(&f)) return false;
    }
    Node& node = s->nodes_[e.node];
    ++node.live;
    ++node.total;
    auto added = s->entries_.emplace_hint(s->entries_.end(), id, std::move(e));
    s->entry_bytes_ += EntryBytes(added->second);
  }
  // The tail node takes no more entries after a load (with the limit in force then).
  if (!s->nodes_.empty()) {
    uint32_t& total = s->nodes_.rbegin()->second.total;
    total = static_cast<uint32_t>(
        std::clamp<int64_t>(Limits().stream_node_max_entries, total, UINT32_MAX / 2));
  }
  if (!r.GetVarint(&n)) return false;
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    StreamGroup g;
    uint64_t er, np, nc;
    if (!r.GetString(&name) || !get_id(&g.last_id) || !r.GetVarint(&er) || !r.GetVarint(&np)) return false;
    g.entries_read = static_cast<int64_t>(er) - 1;
    for (uint64_t j = 0; j < np; ++j) {
      StreamID id;
      StreamNack nack;
      uint64_t t;
      if (!get_id(&id) || !r.GetString(&nack.consumer) || !r.GetVarint(&t) ||
          !r.GetVarint(&nack.delivery_count)) {
        return false;
      }
      nack.delivery_time_ms = static_cast<int64_t>(t);
      g.consumers[nack.consumer].pel.insert(id);
      g.pel.emplace(id, std::move(nack));
    }
    if (!r.GetVarint(&nc)) return false;
    for (uint64_t j = 0; j < nc; ++j) {
      std::string cname;
      uint64_t seen;
      if (!r.GetString(&cname) || !r.GetVarint(&seen)) return false;
      g.consumers[cname].seen_time_ms = static_cast<int64_t>(seen);
    }
    s->groups.emplace(std::move(name), std::move(g));
  }
  return r.done();
}

}  // namespace racetrack::engine
