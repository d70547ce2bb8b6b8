// Stream: an append-only log of entries (field/value pairs) keyed by strictly increasing IDs
// "<ms>-<seq>", with consumer groups that track what each consumer was given and has acknowledged.
// Unlike Pub/Sub, nothing is lost when a reader is away: it reads from where it left off, and an
// entry delivered to a consumer that died stays in the group's pending list (PEL) until another
// consumer claims it (XCLAIM/XAUTOCLAIM) and acknowledges it (XACK).
//
// Representation: Redis keeps a radix tree of listpack "nodes" of up to 100 entries. We keep an
// ordered map ID -> entry (O(log N) append, lookup and range start) and remember which 100-entry
// node each entry would live in, only so that approximate trimming (`MAXLEN ~`, `MINID ~`) removes
// whole nodes exactly when Redis would (stream-node-max-entries 100; the 4 KB node byte limit is not
// modelled, so streams of large entries trim a little differently under `~`).
//
// Complexity: XADD O(log N); XRANGE O(log N + M); XDEL O(log N) per ID; trimming O(M removed).
// Memory: per entry one map node (~64 B) + the field/value strings + 8 B node tag.
//
// Invariants:
//  1. Every entry ID <= last_id; last_id never decreases (even after deletions or a clock going
//     back), so IDs stay strictly increasing.
//  2. nodes_[n].live == number of entries whose node is n; no node with live == 0 is kept.
//  3. A group's PEL entry for ID x is also in its consumer's pel set, and vice versa.
//  4. entries_added counts every XADD ever (not reduced by deletions).
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ds/alloc.h"
#include "engine/ds/value.h"

namespace racetrack::engine {

struct StreamID {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamID&) const = default;
  std::string ToString() const;
  bool IsZero() const { return ms == 0 && seq == 0; }
  static constexpr StreamID Max() { return {UINT64_MAX, UINT64_MAX}; }
  // The next ID after this one; false on overflow (this is Max()).
  bool Incr(StreamID* out) const;
  bool Decr(StreamID* out) const;
};

// Parses "<ms>-<seq>" or "<ms>" (seq = missing_seq). strict rejects the special IDs.
bool ParseStreamID(std::string_view s, uint64_t missing_seq, StreamID* out);

struct StreamNack {  // one entry of a group's pending entries list
  std::string consumer;
  int64_t delivery_time_ms = 0;
  uint64_t delivery_count = 1;
};

struct StreamConsumer {
  int64_t seen_time_ms = 0;
  std::set<StreamID> pel;
};

struct StreamGroup {
  StreamID last_id;
  int64_t entries_read = -1;  // -1: unknown (Redis's SCG_INVALID_ENTRIES_READ)
  std::map<StreamID, StreamNack> pel;
  std::map<std::string, StreamConsumer, std::less<>> consumers;
};

class StreamObject final : public Object {
 public:
  struct Entry {
    uint64_t node = 0;
    std::vector<std::string> fields;  // field, value, field, value, ...
  };

  ObjType type() const override { return ObjType::kStream; }
  size_t MemoryUsage() const override;
  std::string_view Encoding() const override { return "stream"; }
  std::unique_ptr<Object> Clone() const override;

  // Appends with an ID the caller checked is > last_id.
  void Append(StreamID id, std::vector<std::string> fields);
  // Removes one entry; returns whether it existed. Updates max_deleted_id.
  bool Delete(StreamID id);
  // MAXLEN (threshold = count) or MINID trimming; approx trims whole nodes only; limit caps the
  // entries removed (0 = none). Returns the number removed.
  int64_t TrimMaxLen(uint64_t maxlen, bool approx, int64_t limit);
  int64_t TrimMinId(StreamID minid, bool approx, int64_t limit);

  StreamID FirstId() const { return entries_.empty() ? StreamID{} : entries_.begin()->first; }
  // Counter estimate of how many entries were ever added up to id (Redis's
  // streamEstimateDistanceFromFirstEverEntry); -1 if unknown.
  int64_t EstimateDistance(StreamID id) const;
  // Whether a deleted entry lies in [start, +inf).
  bool HasTombstonesFrom(StreamID start) const;

  const std::map<StreamID, Entry>& entries() const { return entries_; }
  size_t length() const { return entries_.size(); }
  size_t node_count() const { return nodes_.size(); }

  StreamID last_id;
  StreamID max_deleted_id;
  uint64_t entries_added = 0;
  std::map<std::string, StreamGroup, std::less<>> groups;

  // Serialization for snapshots (snapshot.cc): a self-contained byte string.
  void Serialize(std::string* out) const;
  // Returns false on malformed input.
  static bool Deserialize(std::string_view in, StreamObject* out);

 private:
  void RemoveEntry(std::map<StreamID, Entry>::iterator it);
  // Removes the first entries while they belong to `node` (an approximate trim's whole node);
  // returns how many.
  int64_t RemoveLeadingNode(uint64_t node);
  // Allocator bytes one entry holds (its map node, fields array and field buffers).
  static size_t EntryBytes(const Entry& e);
  struct Node {
    uint32_t live = 0;
    uint32_t total = 0;
  };
  std::map<StreamID, Entry> entries_;
  std::map<uint64_t, Node> nodes_;
  uint64_t next_node_ = 0;
  size_t entry_bytes_ = 0;  // sum of EntryBytes over entries_
};

}  // namespace racetrack::engine
