// The `redis-cluster` target: a real Redis Cluster through a slot-aware client.
//
// A Client of this target holds one connection per node it has talked to (opened on first use)
// and sends each command to the master serving its keys' slot (cluster_slots.h). The slot map
// comes from CLUSTER SLOTS and is shared by every Client of the target; it is refreshed when a
// node answers
//   MOVED slot host:port   the slot lives elsewhere now: the map is updated, the command resent;
//   ASK slot host:port     the slot is migrating and this key has gone already: ASKING + the
//                          command on that node, once (the map is not updated);
//   TRYAGAIN               a multi-key command during a migration: resent after a pause;
//   CLUSTERDOWN            the cluster cannot serve (a master died and no replica has taken over
//                          yet): the map is refreshed and the command resent after a pause;
// and when a node cannot be reached (a killed master): the map is refreshed from another node
// until a replica has been promoted. All of this is bounded by TargetOptions::cluster_retry_s;
// past it the last error reply reaches the caller as a Reply of type kError (a Status from the
// typed calls): an error of the run, not the end of it.
//
// A write whose connection broke after it was sent may or may not have run: it is never resent
// (that could apply it twice). The caller gets the error reply
//   "IOERR connection to 127.0.0.1:30001 lost before the reply; the command may have run"
// and the client stays usable (the next command reconnects or goes to the new master). Only
// when no node of the cluster answers at all is the Status kUnavailable.
//
// Pipelines are split per node: each node's share goes in one round trip (nodes one after the
// other), and the replies are put back in the order of the commands. A reply that is a
// redirect or TRYAGAIN/CLUSTERDOWN is redone alone as above. Multi-key atomicity (WATCH, MULTI,
// EVAL) needs every key in one slot: Watch() and Exec() go to the node of their keys (hash tags
// make related keys share a slot), and a request whose keys span slots is answered by the
// server's own "CROSSSLOT Keys in request don't hash to the same slot".
//
// Keyless commands: FLUSHALL, FLUSHDB, SCRIPT, FUNCTION and CONFIG SET go to every node (the
// first error, else the first node's reply, is returned); DBSIZE is summed over the masters;
// anything else keyless (PING, INFO, CONFIG GET, PUBLISH, TIME) goes to one master. KEYS, SCAN
// and RANDOMKEY see that one master only. Pub/Sub is not offered (no kCapPubSub).
//
// Figures: Target::Counters() returns cumulative counts since the target was opened —
// cluster_moved, cluster_ask, cluster_tryagain, cluster_clusterdown, cluster_unreachable
// (a node refused the connection; resent), cluster_connection_lost (a command whose reply was
// lost), cluster_map_refreshes, and cluster_ops:<host:port> per node (commands answered by it).
//
// Thread-safety: the Target's methods are safe from any thread; a Client is one thread's.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/target.h"
#include "engine/base/status.h"

namespace racetrack::adapters {

// One node as CLUSTER SLOTS / CLUSTER NODES show it.
struct ClusterNode {
  std::string addr;       // "127.0.0.1:30001"
  std::string id;         // the node id (40 hex)
  bool master = false;
  std::string master_id;  // for a replica: its master's id
  std::vector<std::pair<int, int>> slots;  // ranges served (masters)
};

class ClusterTarget : public Target {
 public:
  // The topology as the cluster reports it now (CLUSTER NODES of a reachable node; nodes marked
  // failed are left out).
  virtual Result<std::vector<ClusterNode>> Nodes() = 0;
  // The master that answered the most commands so far (the one under load), "" when none did.
  virtual std::string BusiestMaster() const = 0;
  // Fault accounting: from now on, the first command on a slot `victim` served that another
  // node answers (its replica, promoted) ends the outage; RecoverySeconds() is the time from this
  // call to then (nullopt until it happened).
  virtual void MarkFault(const std::string& victim) = 0;
  virtual std::optional<double> RecoverySeconds() const = 0;
  // CLUSTER FAILOVER on a replica of `master` (a manual, coordinated failover: the replica catches
  // up, then takes over). NotFound when `master` has no replica; the reply's error otherwise.
  virtual Status Failover(const std::string& master) = 0;
};

// Opens the cluster any of whose nodes is at `url` (redis://[user:password@]host:port): reads
// the slot map, checks that every slot is served (else Unavailable: "cluster_state is fail"),
// and probes capabilities on one master.
Result<std::unique_ptr<ClusterTarget>> MakeClusterTarget(std::string_view url,
                                                         const TargetOptions& options);

}  // namespace racetrack::adapters
