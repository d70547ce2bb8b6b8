// The redis-cluster target (cluster.h). Reasons behind the choices:
//  - Each node is reached through the `redis` target's own client (MakeRespTarget: hiredis, the
//    same timeouts, AUTH, error conversion), one Target per node made once and shared; the
//    cluster client only decides where a command goes and what to do with redirects.
//  - The slot map is one immutable snapshot behind a shared_ptr: a client reads it without a
//    lock held across I/O; a refresh builds a new one. Refreshes are rate-limited (one per
//    kMinRefreshGap) so a storm of MOVED replies during a reshard costs a handful of CLUSTER
//    SLOTS, not one per command.
//  - MOVED updates the one slot at once (the reply says where it went) and asks for a refresh
//    (its neighbours probably moved with it).
//  - Retries sleep 5 ms doubling to 200 ms: a failover takes about a node timeout plus a second,
//    and a client that spins would only add load to the survivors.
#include "adapters/cluster.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "adapters/cluster_slots.h"
#include "adapters/url.h"
#include "engine/base/clock.h"

namespace racetrack::adapters {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kMinRefreshGap = std::chrono::milliseconds(50);

using engine::MonotonicNs;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// The slot map: which master serves each slot, and every node known.
struct SlotMap {
  std::vector<std::string> masters;               // addresses, in slot order of their first range
  std::vector<std::string> replicas;
  std::vector<int16_t> owner = std::vector<int16_t>(kClusterSlots, -1);  // index into masters

  const std::string* NodeOf(int slot) const {
    const int16_t i = owner[static_cast<size_t>(slot)];
    return i < 0 ? nullptr : &masters[static_cast<size_t>(i)];
  }
  bool Complete() const {
    return std::none_of(owner.begin(), owner.end(), [](int16_t i) { return i < 0; });
  }
};

// Parses CLUSTER SLOTS: [[start, end, [host, port, id], [replica...]...], ...]. `fallback_host`
// stands in for a node announced without one (an empty or "?" host).
Result<std::shared_ptr<SlotMap>> ParseSlots(const Reply& r, const std::string& fallback_host) {
  if (r.type != Reply::Type::kArray) {
    return Status::Unavailable("CLUSTER SLOTS answered " + r.ToString());
  }
  auto map = std::make_shared<SlotMap>();
  auto addr_of = [&](const Reply& node) -> std::string {
    if (node.type != Reply::Type::kArray || node.elements.size() < 2) return "";
    std::string host = node.elements[0].str;
    if (host.empty() || host == "?") host = fallback_host;
    return host + ":" + std::to_string(node.elements[1].integer);
  };
  std::vector<std::pair<int, int>> firsts;  // (first slot, master index) to order the masters
  for (const Reply& range : r.elements) {
    if (range.type != Reply::Type::kArray || range.elements.size() < 3) {
      return Status::Corruption("CLUSTER SLOTS: a range of an unexpected shape");
    }
    const int lo = static_cast<int>(range.elements[0].integer);
    const int hi = static_cast<int>(range.elements[1].integer);
    const std::string master = addr_of(range.elements[2]);
    if (master.empty() || lo < 0 || hi >= kClusterSlots || lo > hi) {
      return Status::Corruption("CLUSTER SLOTS: a bad range");
    }
    auto it = std::find(map->masters.begin(), map->masters.end(), master);
    const int16_t index = static_cast<int16_t>(it - map->masters.begin());
    if (it == map->masters.end()) {
      map->masters.push_back(master);
      firsts.push_back({lo, index});
    }
    for (int s = lo; s <= hi; ++s) map->owner[static_cast<size_t>(s)] = index;
    for (size_t i = 3; i < range.elements.size(); ++i) {
      const std::string replica = addr_of(range.elements[i]);
      if (!replica.empty() && std::find(map->replicas.begin(), map->replicas.end(), replica) ==
                                  map->replicas.end()) {
        map->replicas.push_back(replica);
      }
    }
  }
  return map;
}

// Splits "host:port".
std::pair<std::string, int> SplitAddr(const std::string& addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos) return {addr, 6379};
  return {addr.substr(0, colon), std::atoi(addr.c_str() + colon + 1)};
}

// Parses CLUSTER NODES, leaving out failed nodes; `fallback_host` stands in for a node announced
// without an IP.
std::vector<ClusterNode> ParseNodes(const std::string& text, const std::string& fallback_host) {
  // <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <state> <slot> <slot>...
  std::vector<ClusterNode> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string id, address, flags, master, ping, pong, epoch, state, slot;
    if (!(f >> id >> address >> flags >> master >> ping >> pong >> epoch >> state)) continue;
    if (flags.find("fail") != std::string::npos && flags.find("fail?") == std::string::npos) {
      continue;
    }
    ClusterNode n;
    n.id = id;
    n.addr = address.substr(0, address.find('@'));
    if (StartsWith(n.addr, ":")) n.addr = fallback_host + n.addr;  // no IP announced
    n.master = flags.find("master") != std::string::npos;
    if (master != "-") n.master_id = master;
    while (f >> slot) {
      if (slot[0] == '[') continue;  // a migrating/importing slot
      const size_t dash = slot.find('-');
      const int lo = std::atoi(slot.c_str());
      const int hi = dash == std::string::npos ? lo : std::atoi(slot.c_str() + dash + 1);
      n.slots.push_back({lo, hi});
    }
    out.push_back(std::move(n));
  }
  return out;
}

// A redirect reply "MOVED 3999 127.0.0.1:6381" / "ASK ...": the slot and the address.
bool ParseRedirect(const std::string& err, std::string_view kind, int* slot, std::string* addr) {
  if (!StartsWith(err, kind) || err.size() <= kind.size() || err[kind.size()] != ' ') return false;
  std::istringstream in(err.substr(kind.size() + 1));
  return static_cast<bool>(in >> *slot >> *addr);
}

Reply ErrorReply(std::string text) {
  Reply r;
  r.type = Reply::Type::kError;
  r.str = std::move(text);
  return r;
}

class ClusterTargetImpl;

class ClusterClient final : public Client {
 public:
  explicit ClusterClient(ClusterTargetImpl* target) : target_(target) {}

  std::string_view target_name() const override { return "redis-cluster"; }
  uint32_t capabilities() const override;

  Result<Reply> Command(const Argv& argv) override;
  Result<std::vector<Reply>> Pipeline(std::span<const Argv> commands) override;
  Status Watch(std::span<const std::string> keys) override;
  Status Unwatch() override;
  Result<std::optional<std::vector<Reply>>> Exec(std::span<const Argv> commands) override;
  void Abort() override {
    for (auto& [addr, conn] : conns_) conn->Abort();
    conns_.clear();
  }

 private:
  // The connection to `addr`, opened on first use; a Status when the node cannot be reached.
  Result<Client*> Conn(const std::string& addr);
  void Drop(const std::string& addr) { conns_.erase(addr); }
  // The slot of the command's keys (the first key's), -1 for a keyless command.
  Result<int> SlotOf(const Argv& argv);
  // One keyed command with redirects and retries (cluster.h). `slot` >= 0.
  Result<Reply> Routed(const Argv& argv, int slot);
  // A keyless command to one node, as it is (no redirects); the connection is dropped when it
  // fails.
  Result<Reply> SendTo(const std::string& addr, const Argv& argv);
  // A keyless command sent to every node; the first error, else the first node's reply.
  Result<Reply> Broadcast(const Argv& argv, bool sum_integers, bool masters_only);
  // Pauses before the next attempt; false when the retry budget is spent.
  bool Backoff(Clock::time_point deadline, int* attempt);

  ClusterTargetImpl* target_;
  std::map<std::string, std::unique_ptr<Client>> conns_;
  std::string watch_addr_;  // the node holding this client's WATCH, "" when none
};

class ClusterTargetImpl final : public ClusterTarget {
 public:
  ClusterTargetImpl(Url seed, std::string redacted, TargetOptions options)
      : seed_(std::move(seed)), redacted_(std::move(redacted)), options_(std::move(options)) {}

  TargetKind kind() const override { return TargetKind::kRedisCluster; }
  uint32_t capabilities() const override { return caps_; }
  std::string endpoint() const override {
    auto map = Map();
    return redacted_ + " (cluster: " + std::to_string(map->masters.size()) + " masters, " +
           std::to_string(map->replicas.size()) + " replicas)";
  }
  std::string server_version() const override { return version_; }
  Result<std::unique_ptr<Client>> Connect() override {
    // Reach one master now, so a cluster that went away fails here like any other target.
    auto client = std::make_unique<ClusterClient>(this);
    auto pong = client->Command({"PING"});
    if (!pong.ok()) return pong.status();
    return std::unique_ptr<Client>(std::move(client));
  }

  std::map<std::string, double> Counters() const override {
    std::map<std::string, double> out = {
        {"cluster_moved", static_cast<double>(moved.load())},
        {"cluster_ask", static_cast<double>(ask.load())},
        {"cluster_tryagain", static_cast<double>(tryagain.load())},
        {"cluster_clusterdown", static_cast<double>(clusterdown.load())},
        {"cluster_unreachable", static_cast<double>(unreachable.load())},
        {"cluster_connection_lost", static_cast<double>(connection_lost.load())},
        {"cluster_map_refreshes", static_cast<double>(refreshes.load())}};
    std::lock_guard lock(mu_);
    for (const auto& [addr, n] : node_ops_) out["cluster_ops:" + addr] = static_cast<double>(n->load());
    return out;
  }

  Result<std::vector<ClusterNode>> Nodes() override;
  std::string BusiestMaster() const override {
    auto map = Map();
    std::lock_guard lock(mu_);
    std::string best;
    uint64_t most = 0;
    for (const std::string& m : map->masters) {
      auto it = node_ops_.find(m);
      if (it != node_ops_.end() && it->second->load() > most) {
        most = it->second->load();
        best = m;
      }
    }
    return best;
  }
  void MarkFault(const std::string& victim) override {
    auto map = Map();
    std::vector<bool> slots(kClusterSlots, false);
    for (int s = 0; s < kClusterSlots; ++s) {
      const std::string* node = map->NodeOf(s);
      slots[static_cast<size_t>(s)] = node != nullptr && *node == victim;
    }
    std::lock_guard lock(mu_);
    victim_slots_ = std::move(slots);
    victim_ = victim;
    recovered_ns_.store(0);
    fault_ns_.store(MonotonicNs());
  }
  Status Failover(const std::string& master) override {
    auto nodes = Nodes();
    if (!nodes.ok()) return nodes.status();
    std::string master_id;
    for (const ClusterNode& n : *nodes) {
      if (n.addr == master) master_id = n.id;
    }
    for (const ClusterNode& n : *nodes) {
      if (n.master || master_id.empty() || n.master_id != master_id) continue;
      auto conn = ConnectNode(n.addr);
      if (!conn.ok()) return conn.status();
      auto r = (*conn)->Command({"CLUSTER", "FAILOVER"});
      if (!r.ok()) return r.status();
      if (r->is_error()) return Status::Unavailable("CLUSTER FAILOVER on " + n.addr + ": " + r->str);
      return Status::Ok();
    }
    return Status::NotFound("master " + master +
                            " has no replica to fail over to (start the cluster with "
                            "--cluster-replicas 1)");
  }
  std::optional<double> RecoverySeconds() const override {
    const int64_t f = fault_ns_.load(), r = recovered_ns_.load();
    if (f == 0 || r == 0) return std::nullopt;
    return static_cast<double>(r - f) / 1e9;
  }

  // ---- For the clients. ----
  std::shared_ptr<const SlotMap> Map() const {
    std::lock_guard lock(mu_);
    return map_;
  }
  const CommandKeyTable& keys() const { return keys_; }
  const TargetOptions& options() const { return options_; }

  // A connection to `addr` (a node Target made once per address).
  Result<std::unique_ptr<Client>> ConnectNode(const std::string& addr) {
    std::shared_ptr<Target> node;
    {
      std::lock_guard lock(mu_);
      auto it = nodes_.find(addr);
      if (it != nodes_.end()) node = it->second;
    }
    if (node == nullptr) {
      auto made = MakeRespTarget(TargetKind::kRedis, NodeUrl(addr), options_);
      if (!made.ok()) return made.status();
      std::lock_guard lock(mu_);
      node = nodes_.emplace(addr, std::shared_ptr<Target>(std::move(made).value())).first->second;
    }
    return node->Connect();
  }

  // Sends `argv` to each of `candidates` in turn until `use(addr, reply)` returns Ok, and returns
  // Ok; a node that cannot be reached, answers an error or whose reply `use` refuses is skipped.
  // When no node serves, the last failure (Unavailable "no node known" for no candidates).
  Status FirstNodeThatServes(const std::vector<std::string>& candidates, const Argv& argv,
                             const std::function<Status(const std::string&, const Reply&)>& use) {
    Status last = Status::Unavailable("no node known");
    for (const std::string& addr : candidates) {
      auto conn = ConnectNode(addr);
      auto r = conn.ok() ? (*conn)->Command(argv) : Result<Reply>(conn.status());
      if (!r.ok()) {
        last = r.status();
      } else if (r->is_error()) {
        last = Status::Unavailable(addr + ": " + r->str);
      } else if (last = use(addr, *r); last.ok()) {
        return last;
      }
    }
    return last;
  }

  // Re-reads CLUSTER SLOTS from the first node that answers, unless another refresh happened
  // within kMinRefreshGap (`force` ignores the gap: opening the target).
  Status Refresh(bool force = false) {
    std::lock_guard refresh_lock(refresh_mu_);
    if (!force && Clock::now() - last_refresh_ < kMinRefreshGap) return Status::Ok();
    std::vector<std::string> candidates;
    {
      std::lock_guard lock(mu_);
      if (map_ != nullptr) {
        candidates = map_->masters;
        candidates.insert(candidates.end(), map_->replicas.begin(), map_->replicas.end());
      }
    }
    candidates.push_back(seed_.host + ":" + std::to_string(seed_.port == 0 ? 6379 : seed_.port));
    Status last = FirstNodeThatServes(
        candidates, {"CLUSTER", "SLOTS"}, [&](const std::string& addr, const Reply& r) -> Status {
          auto map = ParseSlots(r, SplitAddr(addr).first);
          if (!map.ok()) return map.status();
          if ((*map)->masters.empty()) {
            return Status::Unavailable(addr + " serves no slots: " + r.ToString());
          }
          std::lock_guard lock(mu_);
          map_ = std::move(map).value();
          refreshes.fetch_add(1);
          return Status::Ok();
        });
    last_refresh_ = Clock::now();
    if (last.ok()) return last;
    return Status::Unavailable("redis-cluster " + redacted_ + ": no node answers CLUSTER SLOTS (" +
                               last.message() + ")");
  }

  // MOVED: `slot` is served by `addr` now.
  void Moved(int slot, const std::string& addr) {
    std::lock_guard lock(mu_);
    auto map = std::make_shared<SlotMap>(*map_);
    auto it = std::find(map->masters.begin(), map->masters.end(), addr);
    if (it == map->masters.end()) it = map->masters.insert(map->masters.end(), addr);
    map->owner[static_cast<size_t>(slot)] = static_cast<int16_t>(it - map->masters.begin());
    map_ = std::move(map);
  }

  // A command answered by `addr` for `slot` (-1: keyless).
  void Answered(const std::string& addr, int slot, uint64_t n = 1) {
    std::atomic<uint64_t>* counter = nullptr;
    {
      std::lock_guard lock(mu_);
      auto& slot_counter = node_ops_[addr];
      if (slot_counter == nullptr) slot_counter = std::make_unique<std::atomic<uint64_t>>(0);
      counter = slot_counter.get();
      // Served by another node: a reply from the victim itself was in flight before the fault.
      if (slot >= 0 && fault_ns_.load() != 0 && recovered_ns_.load() == 0 &&
          victim_slots_[static_cast<size_t>(slot)] && addr != victim_) {
        recovered_ns_.store(MonotonicNs());
      }
    }
    counter->fetch_add(n, std::memory_order_relaxed);
  }

  Status Open();

  std::atomic<uint64_t> moved{0}, ask{0}, tryagain{0}, clusterdown{0}, unreachable{0},
      connection_lost{0}, refreshes{0};

 private:
  std::string NodeUrl(const std::string& addr) const {
    std::string auth = seed_.has_password ? seed_.user + ":" + seed_.password + "@"
                                          : (seed_.user.empty() ? "" : seed_.user + "@");
    return "redis://" + auth + addr;
  }

  Url seed_;
  std::string redacted_;
  TargetOptions options_;
  uint32_t caps_ = 0;
  std::string version_ = "unknown";
  CommandKeyTable keys_;

  mutable std::mutex mu_;  // guards map_, nodes_, node_ops_, victim_slots_
  std::shared_ptr<const SlotMap> map_;
  std::map<std::string, std::shared_ptr<Target>> nodes_;
  std::map<std::string, std::unique_ptr<std::atomic<uint64_t>>> node_ops_;
  std::vector<bool> victim_slots_ = std::vector<bool>(kClusterSlots, false);
  std::string victim_;
  std::atomic<int64_t> fault_ns_{0}, recovered_ns_{0};

  std::mutex refresh_mu_;  // one refresh at a time
  Clock::time_point last_refresh_{};
};

Status ClusterTargetImpl::Open() {
  Status s = Refresh(/*force=*/true);
  if (!s.ok()) return s;
  auto map = Map();
  if (!map->Complete()) {
    return Status::Unavailable("redis-cluster " + redacted_ +
                               ": not every slot is served (cluster_state is fail)");
  }
  auto node = ConnectNode(map->masters.front());
  if (!node.ok()) return node.status();
  auto table = (*node)->Command({"COMMAND"});
  keys_ = CommandKeyTable::Defaults();
  if (table.ok() && !table->is_error()) {
    CommandKeyTable loaded;
    if (loaded.Load(*table).ok()) keys_ = std::move(loaded);
  }
  std::shared_ptr<Target> first;
  {
    std::lock_guard lock(mu_);
    first = nodes_[map->masters.front()];
  }
  version_ = first->server_version();
  // A node's own capabilities, less what a cluster does not offer through this client: Pub/Sub
  // (a subscribed connection would be one of the per-node ones) and killing its own server
  // process (the persistence lesson's).
  caps_ = first->capabilities() & ~(kCapPubSub | kCapOwnProcess);
  return Status::Ok();
}

Result<std::vector<ClusterNode>> ClusterTargetImpl::Nodes() {
  auto map = Map();
  std::vector<std::string> candidates = map->masters;
  candidates.insert(candidates.end(), map->replicas.begin(), map->replicas.end());
  std::vector<ClusterNode> out;
  Status s = FirstNodeThatServes(
      candidates, {"CLUSTER", "NODES"}, [&](const std::string& addr, const Reply& r) {
        out = ParseNodes(r.str, SplitAddr(addr).first);
        return Status::Ok();
      });
  if (!s.ok()) return s;
  return out;
}

// ---- ClusterClient ----

uint32_t ClusterClient::capabilities() const { return target_->capabilities(); }

Result<Client*> ClusterClient::Conn(const std::string& addr) {
  auto it = conns_.find(addr);
  if (it != conns_.end()) return it->second.get();
  auto c = target_->ConnectNode(addr);
  if (!c.ok()) return c.status();
  Client* raw = c->get();
  conns_[addr] = std::move(c).value();
  return raw;
}

Result<int> ClusterClient::SlotOf(const Argv& argv) {
  auto indexes = target_->keys().KeyIndexes(argv);
  if (!indexes) {  // a movable-keys command we do not parse: the server knows
    Argv getkeys{"COMMAND", "GETKEYS"};
    getkeys.insert(getkeys.end(), argv.begin(), argv.end());
    auto r = Broadcast(getkeys, false, true);  // one master answers; the first reply wins
    if (!r.ok()) return r.status();
    if (r->is_error() || r->elements.empty()) return -1;
    return KeySlot(r->elements[0].str);
  }
  if (indexes->empty()) return -1;
  return KeySlot(argv[(*indexes)[0]]);
}

Result<Reply> ClusterClient::SendTo(const std::string& addr, const Argv& argv) {
  auto conn = Conn(addr);
  if (!conn.ok()) return conn.status();
  auto r = (*conn)->Command(argv);
  if (!r.ok()) {
    Drop(addr);
    return r.status();
  }
  target_->Answered(addr, -1);
  return r;
}

bool ClusterClient::Backoff(Clock::time_point deadline, int* attempt) {
  const auto pause = std::chrono::milliseconds(std::min(200, 5 << std::min(*attempt, 6)));
  ++*attempt;
  if (Clock::now() + pause >= deadline) return false;
  std::this_thread::sleep_for(pause);
  return true;
}

Result<Reply> ClusterClient::Routed(const Argv& argv, int slot) {
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(
                         static_cast<int64_t>(target_->options().cluster_retry_s * 1000));
  std::string ask_addr;
  int attempt = 0;
  Reply last = ErrorReply("CLUSTERDOWN no node serves slot " + std::to_string(slot));
  Status unreachable = Status::Ok();
  for (;;) {
    std::string addr = ask_addr;
    if (addr.empty()) {
      auto map = target_->Map();
      if (const std::string* node = map->NodeOf(slot)) addr = *node;
    }
    if (addr.empty()) {  // an unserved slot: the cluster is reconfiguring
      (void)target_->Refresh();
      if (!Backoff(deadline, &attempt)) return last;
      continue;
    }
    auto conn = Conn(addr);
    if (!conn.ok()) {  // nothing was sent: safe to try again once the map changes
      target_->unreachable.fetch_add(1);
      unreachable = conn.status();
      last = ErrorReply("CLUSTERDOWN " + addr + " is unreachable: " + conn.status().message());
      (void)target_->Refresh();
      if (!Backoff(deadline, &attempt)) {
        // Unreachable to the end: if no node answers at all, the cluster is gone.
        if (!target_->Refresh(true).ok()) return unreachable;
        return last;
      }
      continue;
    }
    Result<Reply> reply = Status::Ok();
    if (!ask_addr.empty()) {
      const Argv batch[] = {{"ASKING"}, argv};
      auto both = (*conn)->Pipeline(batch);
      reply = both.ok() ? Result<Reply>(std::move((*both)[1])) : Result<Reply>(both.status());
      ask_addr.clear();
    } else {
      reply = (*conn)->Command(argv);
    }
    if (!reply.ok()) {  // the connection broke after the command was sent
      Drop(addr);
      if (target_->keys().MayWrite(argv)) {
        target_->connection_lost.fetch_add(1);
        (void)target_->Refresh();
        return ErrorReply("IOERR connection to " + addr +
                          " lost before the reply; the command may have run");
      }
      target_->unreachable.fetch_add(1);
      (void)target_->Refresh();
      if (!Backoff(deadline, &attempt)) return ErrorReply("IOERR " + reply.status().message());
      continue;
    }
    if (!reply->is_error()) {
      target_->Answered(addr, slot);
      return reply;
    }
    const std::string& err = reply->str;
    int moved_slot = 0;
    std::string to;
    if (ParseRedirect(err, "MOVED", &moved_slot, &to)) {
      target_->moved.fetch_add(1);
      target_->Moved(moved_slot, to);
      if (++attempt > 32 || Clock::now() >= deadline) return reply;
      continue;
    }
    if (ParseRedirect(err, "ASK", &moved_slot, &to)) {
      target_->ask.fetch_add(1);
      ask_addr = to;
      if (++attempt > 32 || Clock::now() >= deadline) return reply;
      continue;
    }
    const bool try_again = StartsWith(err, "TRYAGAIN");
    const bool down = StartsWith(err, "CLUSTERDOWN");
    if (!try_again && !down) {
      target_->Answered(addr, slot);  // an ordinary error reply (WRONGTYPE, CROSSSLOT): answered
      return reply;
    }
    (try_again ? target_->tryagain : target_->clusterdown).fetch_add(1);
    last = *reply;
    if (down) (void)target_->Refresh();
    if (!Backoff(deadline, &attempt)) return last;
  }
}

Result<Reply> ClusterClient::Broadcast(const Argv& argv, bool sum_integers, bool masters_only) {
  auto map = target_->Map();
  std::vector<std::string> nodes = map->masters;
  if (!masters_only) nodes.insert(nodes.end(), map->replicas.begin(), map->replicas.end());
  if (!sum_integers && masters_only && argv.size() >= 2 && Upper(argv[0]) == "COMMAND") {
    nodes.resize(std::min<size_t>(nodes.size(), 1));
  }
  std::optional<Reply> first, error;
  int64_t sum = 0;
  Status unreachable = Status::Ok();
  for (const std::string& addr : nodes) {
    auto r = SendTo(addr, argv);
    if (!r.ok()) {  // a dead replica does not fail a FLUSHALL; a dead master shows below
      unreachable = r.status();
      continue;
    }
    if (r->is_error()) {
      // A replica refuses writes (READONLY) and follows its master instead.
      if (!StartsWith(r->str, "READONLY") && !error) error = *r;
      continue;
    }
    if (!first) first = *r;
    sum += r->integer;
  }
  if (error) return *error;
  if (!first) {
    return unreachable.ok() ? Status::Unavailable("redis-cluster: no node to send to")
                            : unreachable;
  }
  if (sum_integers && first->type == Reply::Type::kInteger) first->integer = sum;
  return *first;
}

Result<Reply> ClusterClient::Command(const Argv& argv) {
  if (argv.empty()) return Status::InvalidArgument("empty command");
  auto slot = SlotOf(argv);
  if (!slot.ok()) return slot.status();
  if (*slot >= 0) return Routed(argv, *slot);
  const std::string name = Upper(argv[0]);
  const std::string sub = argv.size() > 1 ? Upper(argv[1]) : "";
  if (name == "FLUSHALL" || name == "FLUSHDB" || name == "SCRIPT" || name == "FUNCTION" ||
      (name == "CONFIG" && (sub == "SET" || sub == "RESETSTAT"))) {
    return Broadcast(argv, false, /*masters_only=*/name != "CONFIG");
  }
  if (name == "DBSIZE") return Broadcast(argv, true, true);
  if (name == "UNWATCH" || name == "MULTI" || name == "EXEC" || name == "DISCARD") {
    return Status::InvalidArgument("redis-cluster: use Watch/Exec, not a bare " + name);
  }
  // Any other keyless command: one master, the first that answers.
  auto map = target_->Map();
  Status last = Status::Unavailable("redis-cluster: no master known");
  for (const std::string& addr : map->masters) {
    auto r = SendTo(addr, argv);
    if (r.ok()) return r;
    last = r.status();
  }
  return last;
}

Result<std::vector<Reply>> ClusterClient::Pipeline(std::span<const Argv> commands) {
  // Route every command; a MULTI ... EXEC block goes whole to the node of its first key.
  std::vector<int> slots(commands.size(), -1);
  std::vector<std::string> where(commands.size());
  auto map = target_->Map();
  const std::string any = map->masters.empty() ? "" : map->masters.front();
  for (size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].empty()) return Status::InvalidArgument("empty command in a pipeline");
    auto slot = SlotOf(commands[i]);
    if (!slot.ok()) return slot.status();
    slots[i] = *slot;
    const std::string* node = *slot >= 0 ? map->NodeOf(*slot) : nullptr;
    where[i] = node != nullptr ? *node : any;
  }
  for (size_t i = 0; i < commands.size(); ++i) {
    if (Upper(commands[i][0]) != "MULTI") continue;
    size_t end = i + 1;
    std::string node;
    for (; end < commands.size(); ++end) {
      const std::string name = Upper(commands[end][0]);
      if (name == "EXEC" || name == "DISCARD") break;
      if (node.empty() && slots[end] >= 0) node = where[end];
    }
    for (size_t k = i; k <= std::min(end, commands.size() - 1); ++k) {
      if (!node.empty()) where[k] = node;
      slots[k] = -2;  // inside a transaction: never redone alone
    }
    i = end;
  }
  // One round trip per node, in the order nodes first appear.
  std::vector<Reply> replies(commands.size());
  std::vector<std::string> order;
  for (const std::string& w : where) {
    if (std::find(order.begin(), order.end(), w) == order.end()) order.push_back(w);
  }
  std::vector<size_t> redo;
  for (const std::string& addr : order) {
    std::vector<size_t> mine;
    std::vector<Argv> batch;
    for (size_t i = 0; i < commands.size(); ++i) {
      if (where[i] != addr) continue;
      mine.push_back(i);
      batch.push_back(commands[i]);
    }
    auto conn = Conn(addr);
    Result<std::vector<Reply>> got = conn.ok() ? (*conn)->Pipeline(batch)
                                               : Result<std::vector<Reply>>(conn.status());
    if (!got.ok()) {
      Drop(addr);
      const bool sent = conn.ok();
      (sent ? target_->connection_lost : target_->unreachable).fetch_add(1);
      for (size_t i : mine) {
        // Not sent (refused), or a read: safe to redo alone. A sent write may have run.
        if ((!sent || !target_->keys().MayWrite(commands[i])) && slots[i] >= 0) {
          redo.push_back(i);
        } else {
          replies[i] = ErrorReply("IOERR connection to " + addr +
                                  " lost before the reply; the command may have run");
        }
      }
      continue;
    }
    uint64_t answered = 0;
    for (size_t k = 0; k < mine.size(); ++k) {
      Reply& r = (*got)[k];
      const size_t i = mine[k];
      if (r.is_error() && slots[i] >= 0 &&
          (StartsWith(r.str, "MOVED ") || StartsWith(r.str, "ASK ") ||
           StartsWith(r.str, "TRYAGAIN") || StartsWith(r.str, "CLUSTERDOWN"))) {
        redo.push_back(i);
        continue;
      }
      replies[i] = std::move(r);
      ++answered;
    }
    target_->Answered(addr, -1, answered);
  }
  std::sort(redo.begin(), redo.end());
  for (size_t i : redo) {
    auto r = Routed(commands[i], slots[i]);
    if (!r.ok()) return r.status();
    replies[i] = std::move(r).value();
  }
  return replies;
}

Status ClusterClient::Watch(std::span<const std::string> keys) {
  if (keys.empty()) return Status::InvalidArgument("WATCH needs a key");
  Argv argv{"WATCH"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  const int slot = KeySlot(keys.front());
  auto r = Routed(argv, slot);
  if (!r.ok()) return r.status();
  if (r->is_error()) return Status::InvalidArgument(r->str);
  // The node that answered holds the WATCH: the one the map names now.
  auto map = target_->Map();
  const std::string* node = map->NodeOf(slot);
  watch_addr_ = node != nullptr ? *node : "";
  return Status::Ok();
}

Status ClusterClient::Unwatch() {
  if (watch_addr_.empty()) return Status::Ok();
  auto conn = Conn(watch_addr_);
  watch_addr_.clear();
  if (!conn.ok()) return Status::Ok();  // the node is gone, and its WATCH with it
  auto r = (*conn)->Command({"UNWATCH"});
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::optional<std::vector<Reply>>> ClusterClient::Exec(std::span<const Argv> commands) {
  const bool watching = !watch_addr_.empty();
  int slot = -1;
  for (const Argv& c : commands) {
    auto s = SlotOf(c);
    if (!s.ok()) return s.status();
    if (*s >= 0) {
      slot = *s;
      break;
    }
  }
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(
                         static_cast<int64_t>(target_->options().cluster_retry_s * 1000));
  int attempt = 0;
  std::string ask_addr;
  for (;;) {
    std::string addr = watching ? watch_addr_ : ask_addr;
    if (addr.empty() && slot >= 0) {
      auto map = target_->Map();
      if (const std::string* node = map->NodeOf(slot)) addr = *node;
    }
    if (addr.empty()) {
      auto map = target_->Map();
      if (!map->masters.empty()) addr = map->masters.front();
    }
    std::vector<Argv> batch;
    if (!ask_addr.empty()) batch.push_back({"ASKING"});
    batch.push_back({"MULTI"});
    batch.insert(batch.end(), commands.begin(), commands.end());
    batch.push_back({"EXEC"});
    const size_t skip = ask_addr.empty() ? 0 : 1;
    ask_addr.clear();
    watch_addr_.clear();  // EXEC ends the WATCH, whatever it answers
    auto conn = Conn(addr);
    if (!conn.ok()) {
      target_->unreachable.fetch_add(1);
      (void)target_->Refresh();
      if (watching) return std::optional<std::vector<Reply>>{};  // the WATCH died with the node
      if (!Backoff(deadline, &attempt)) return Status::InvalidArgument(
          "CLUSTERDOWN " + addr + " is unreachable: " + conn.status().message());
      continue;
    }
    auto replies = (*conn)->Pipeline(batch);
    if (!replies.ok()) {
      Drop(addr);
      target_->connection_lost.fetch_add(1);
      (void)target_->Refresh();
      return Status::InvalidArgument("IOERR connection to " + addr +
                                     " lost before the reply; the transaction may have run");
    }
    // A queued command refused with a redirect (EXECABORT follows): nothing ran.
    std::string redirect;
    for (size_t i = skip; i + 1 < replies->size(); ++i) {
      const Reply& r = (*replies)[i];
      if (!r.is_error()) continue;
      if (StartsWith(r.str, "MOVED ") || StartsWith(r.str, "ASK ") ||
          StartsWith(r.str, "TRYAGAIN") || StartsWith(r.str, "CLUSTERDOWN")) {
        redirect = r.str;
        break;
      }
      return Status::InvalidArgument(r.str);  // queued wrong: EXECABORT's cause
    }
    Reply& exec = replies->back();
    if (redirect.empty() && exec.is_error() &&
        (StartsWith(exec.str, "TRYAGAIN") || StartsWith(exec.str, "CLUSTERDOWN"))) {
      redirect = exec.str;
    }
    if (redirect.empty()) {
      if (exec.is_error()) return Status::InvalidArgument(exec.str);
      target_->Answered(addr, slot, commands.size());
      if (exec.is_nil()) return std::optional<std::vector<Reply>>{};
      return std::optional<std::vector<Reply>>(std::move(exec.elements));
    }
    int moved_slot = 0;
    std::string to;
    if (ParseRedirect(redirect, "MOVED", &moved_slot, &to)) {
      target_->moved.fetch_add(1);
      target_->Moved(moved_slot, to);
    } else if (ParseRedirect(redirect, "ASK", &moved_slot, &to)) {
      target_->ask.fetch_add(1);
      ask_addr = to;
    } else {
      (StartsWith(redirect, "TRYAGAIN") ? target_->tryagain : target_->clusterdown).fetch_add(1);
      if (!Backoff(deadline, &attempt)) return Status::InvalidArgument(redirect);
    }
    // A WATCH on the wrong node watched nothing: the caller reads again and retries.
    if (watching) return std::optional<std::vector<Reply>>{};
    if (++attempt > 32 || Clock::now() >= deadline) return Status::InvalidArgument(redirect);
  }
}

}  // namespace

Result<std::unique_ptr<ClusterTarget>> MakeClusterTarget(std::string_view url_text,
                                                         const TargetOptions& options) {
  auto url = ParseUrlOfScheme(url_text, {"redis"}, "redis://[user:password@]host:port of a node");
  if (!url.ok()) return url.status();
  if (!url->path.empty() && url->path != "0") {
    return BadUrl(url_text, "a cluster has database 0 only");
  }
  auto target = std::make_unique<ClusterTargetImpl>(*url, Redact(url_text), options);
  Status s = target->Open();
  if (!s.ok()) return s;
  return std::unique_ptr<ClusterTarget>(std::move(target));
}

}  // namespace racetrack::adapters
