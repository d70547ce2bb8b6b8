// Transports of the `messaging` lesson: how each approach sends, fetches, acknowledges and
// recovers messages (scenarios/messaging.cc runs them). One per approach:
//   pubsub              PUBLISH / SUBSCRIBE on one channel
//   streams-group       XADD to a stream per consumer slot, XREADGROUP, XACK; a replacement
//                       XAUTOCLAIMs the dead consumer's pending entries first
//   streams-no-reclaim  the same without the XAUTOCLAIM
//   list-queue          LPUSH / BRPOP on a list per slot
//   list-reliable       BLMOVE into a per-slot processing list, LREM when done; a replacement
//                       moves what a dead consumer left there back onto the queue (the reaper)
//   sql-notify          pg_notify / LISTEN
//   sql-queue           a table partitioned by slot; DELETE ... WHERE id IN (SELECT ... FOR
//                       UPDATE SKIP LOCKED) RETURNING inside a transaction committed when done
//
// Thread-safety: a Transport is shared by the producer and consumer threads of a run; its methods
// touch only the Client they are given (one per thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adapters/client.h"
#include "engine/base/status.h"

namespace racetrack::scenarios::messaging {

using adapters::Client;

inline constexpr int kFetchWaitMs = 50;  // longest a consumer blocks in one fetch
inline constexpr int kBatch = 16;        // messages per fetch, where the approach fetches batches
inline constexpr int kSqlPollMs = 5;     // an empty SQL partition is polled this often

struct Msg {
  uint64_t n = 0;
  int64_t sent_ns = 0;
  std::string ref;  // what the ack needs: a stream entry id, a list value
};

using Outgoing = std::vector<std::pair<uint64_t, std::string>>;  // (n, payload)

class Transport {
 public:
  virtual ~Transport() = default;
  // Fresh, empty state for a round (outside the timed part of the round).
  virtual Status Reset(Client& admin, int consumers) = 0;
  virtual Status Send(Client& producer, const Outgoing& batch, int consumers) = 0;
  // A consumer joins slot (generation 0 at the start, > 0 for a replacement). What it must
  // process before anything new (reclaimed entries) goes to *recovered.
  virtual Status Join(Client& c, int slot, int generation, std::vector<Msg>* recovered) = 0;
  // Up to a batch, waiting at most kFetchWaitMs for the first.
  virtual Result<std::vector<Msg>> Fetch(Client& c, int slot, int generation) = 0;
  // Done with the batch (XACK, LREM, COMMIT); nothing for fire-and-forget approaches.
  virtual Status Ack(Client& c, int slot, const std::vector<Msg>& batch) {
    (void)c, (void)slot, (void)batch;
    return Status::Ok();
  }
  // Entries the server holds as delivered but not acknowledged (a stream's PEL, processing
  // lists). Approaches that keep no such record report 0.
  virtual Result<int64_t> Pending(Client& observer, int consumers) {
    (void)observer, (void)consumers;
    return int64_t{0};
  }
};

// REQUIRES: id is one of the lesson's approach ids.
std::unique_ptr<Transport> MakeTransport(const std::string& id);

}  // namespace racetrack::scenarios::messaging
