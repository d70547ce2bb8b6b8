// The redis-cluster target against real throwaway clusters (redis-server --cluster-enabled,
// formed by redis-cli --cluster create): slots as the server computes them, routing, pipelines
// split per node, hash-tagged transactions, CROSSSLOT, and a slot migration mid-run that no
// caller notices.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "adapters/client.h"
#include "adapters/cluster.h"
#include "adapters/cluster_slots.h"
#include "adapters/server_process.h"
#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "tests/test_paths.h"

namespace racetrack::adapters {
namespace {

TEST(ClusterSlots, Crc16CheckValueAndHashTags) {
  EXPECT_EQ(Crc16("123456789"), 0x31C3);  // the CRC16/XMODEM check value (cluster spec)
  EXPECT_EQ(HashTagOf("{user1000}.following"), "user1000");
  EXPECT_EQ(HashTagOf("foo{}{bar}"), "foo{}{bar}");  // empty first tag: the whole key
  EXPECT_EQ(HashTagOf("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(HashTagOf("foo{bar}{zap}"), "bar");
  EXPECT_EQ(HashTagOf("no-tag"), "no-tag");
  EXPECT_EQ(HashTagOf("{unclosed"), "{unclosed");
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("{user1000}.followers"));
}

TEST(ClusterSlots, KeyPositionsFromTheDefaults) {
  const CommandKeyTable t = CommandKeyTable::Defaults();
  EXPECT_EQ(t.KeyIndexes({"GET", "k"}), (std::vector<size_t>{1}));
  EXPECT_EQ(t.KeyIndexes({"MSET", "a", "1", "b", "2"}), (std::vector<size_t>{1, 3}));
  EXPECT_EQ(t.KeyIndexes({"EVAL", "return 1", "2", "x", "y", "arg"}),
            (std::vector<size_t>{3, 4}));
  EXPECT_EQ(t.KeyIndexes({"MEMORY", "USAGE", "k"}), (std::vector<size_t>{2}));
  EXPECT_EQ(t.KeyIndexes({"XREAD", "COUNT", "1", "STREAMS", "s1", "s2", "0", "0"}),
            (std::vector<size_t>{4, 5}));
  EXPECT_EQ(t.KeyIndexes({"PING"}), (std::vector<size_t>{}));
  EXPECT_TRUE(t.MayWrite({"INCR", "k"}));
  EXPECT_FALSE(t.MayWrite({"GET", "k"}));
  EXPECT_TRUE(t.MayWrite({"EVAL", "return 1", "0"}));
}

// `per_slot` keys named "<prefix><i>" in each slot of [lo, lo + slots), in the order found.
std::vector<std::string> KeysInSlots(const std::string& prefix, int lo, int slots, int per_slot) {
  std::vector<std::string> keys;
  std::map<int, int> count;
  for (int i = 0; keys.size() < static_cast<size_t>(slots * per_slot); ++i) {
    std::string k = prefix + std::to_string(i);
    const int s = KeySlot(k);
    if (s >= lo && s < lo + slots && count[s] < per_slot) {
      ++count[s];
      keys.push_back(std::move(k));
    }
  }
  return keys;
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    servers_ = std::make_unique<ThrowawayServers>(test_paths::BinDir(), "");
    const std::string why = servers_->CannotStart(TargetKind::kRedisCluster);
    if (!why.empty()) GTEST_SKIP() << why;
    auto url = servers_->Url(TargetKind::kRedisCluster);
    ASSERT_TRUE(url.ok()) << url.status().message();
    url_ = *url;
    auto t = MakeClusterTarget(url_, options_);
    ASSERT_TRUE(t.ok()) << t.status().message();
    target_ = std::move(t).value();
  }

  // A plain connection to one node (no redirects followed), for CLUSTER commands.
  std::unique_ptr<Client> Node(const std::string& addr) {
    auto t = MakeRespTarget(TargetKind::kRedis, "redis://" + addr, options_);
    EXPECT_TRUE(t.ok()) << t.status().message();
    auto c = (*t)->Connect();
    EXPECT_TRUE(c.ok()) << c.status().message();
    return std::move(c).value();
  }

  TargetOptions options_;
  std::unique_ptr<ThrowawayServers> servers_;
  std::string url_;
  std::unique_ptr<ClusterTarget> target_;
};

TEST_F(ClusterTest, SlotsAgreeWithClusterKeyslot) {
  auto nodes = target_->Nodes();
  ASSERT_TRUE(nodes.ok()) << nodes.status().message();
  ASSERT_EQ(nodes->size(), 3u);
  auto node = Node(nodes->front().addr);
  std::mt19937_64 rng(7);
  const std::string alphabet = "ab{}:x0\x01\xff";
  std::vector<std::string> keys = {"", "{}", "{}{a}", "{a}{b}", "a{b", "}{a}", "{{a}}"};
  while (keys.size() < 400) {
    std::string k;
    const size_t n = rng() % 12;
    for (size_t i = 0; i < n; ++i) k += alphabet[rng() % alphabet.size()];
    keys.push_back(k);
  }
  std::vector<Argv> batch;
  for (const std::string& k : keys) batch.push_back({"CLUSTER", "KEYSLOT", k});
  auto replies = node->Pipeline(batch);
  ASSERT_TRUE(replies.ok()) << replies.status().message();
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ((*replies)[i].type, Reply::Type::kInteger) << (*replies)[i].ToString();
    EXPECT_EQ(KeySlot(keys[i]), (*replies)[i].integer) << "key '" << keys[i] << "'";
  }
}

TEST_F(ClusterTest, RoutesPipelinesTransactionsAndCrossSlot) {
  EXPECT_EQ(target_->kind(), TargetKind::kRedisCluster);
  EXPECT_NE(target_->endpoint().find("3 masters"), std::string::npos) << target_->endpoint();
  auto c = target_->Connect();
  ASSERT_TRUE(c.ok()) << c.status().message();
  Client& client = **c;
  ASSERT_TRUE(client.Command({"FLUSHALL"}).ok());
  // 300 keys land on every master; each is read back through the right node.
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(client.Set("k" + std::to_string(i), std::to_string(i)).ok());
  }
  for (int i = 0; i < 300; i += 37) {
    EXPECT_EQ(client.Get("k" + std::to_string(i))->value(), std::to_string(i));
  }
  auto dbsize = client.Command({"DBSIZE"});
  ASSERT_TRUE(dbsize.ok());
  EXPECT_EQ(dbsize->integer, 300);  // summed over the masters

  // A pipeline across nodes: one round trip per node, replies in the commands' order.
  std::vector<Argv> batch;
  for (int i = 0; i < 60; ++i) batch.push_back({"INCRBY", "k" + std::to_string(i), "1000"});
  batch.push_back({"GET", "k0"});
  auto replies = client.Pipeline(batch);
  ASSERT_TRUE(replies.ok()) << replies.status().message();
  for (int i = 0; i < 60; ++i) EXPECT_EQ((*replies)[i].integer, 1000 + i);
  EXPECT_EQ(replies->back().str, "1000");

  // Hash tags put related keys in one slot: WATCH + MULTI over both works.
  const std::vector<std::string> watched{"{cart:7}:items", "{cart:7}:total"};
  ASSERT_TRUE(client.Watch(watched).ok());
  const std::vector<Argv> queued{{"INCR", "{cart:7}:items"}, {"INCRBY", "{cart:7}:total", "5"}};
  auto exec = client.Exec(queued);
  ASSERT_TRUE(exec.ok()) << exec.status().message();
  ASSERT_TRUE(exec->has_value());
  EXPECT_EQ((**exec)[1].integer, 5);
  // Another client's write between WATCH and EXEC aborts it, on the cluster too.
  ASSERT_TRUE(client.Watch(watched).ok());
  auto other = target_->Connect();
  ASSERT_TRUE((*other)->Set("{cart:7}:items", "9").ok());
  exec = client.Exec(queued);
  ASSERT_TRUE(exec.ok());
  EXPECT_FALSE(exec->has_value());

  // Keys in different slots: the server's own CROSSSLOT answer reaches the caller.
  ASSERT_NE(KeySlot("a"), KeySlot("b"));
  auto cross = client.Command({"MSET", "a", "1", "b", "2"});
  ASSERT_TRUE(cross.ok());
  ASSERT_TRUE(cross->is_error());
  EXPECT_EQ(cross->str, "CROSSSLOT Keys in request don't hash to the same slot");
  const std::vector<std::string> keys{"a", "b"};
  auto script = client.Eval("return 1", keys, {});
  EXPECT_FALSE(script.ok());
  EXPECT_NE(script.status().message().find("CROSSSLOT"), std::string::npos);

  // Every master answered some of it; nothing was redirected on a stable cluster.
  const auto counters = target_->Counters();
  int nodes_used = 0;
  for (const auto& [name, v] : counters) {
    if (name.rfind("cluster_ops:", 0) == 0 && v > 0) ++nodes_used;
  }
  EXPECT_EQ(nodes_used, 3);
  EXPECT_EQ(counters.at("cluster_moved"), 0);
}

// Moves `slots` slots from the first master to the second with redis-cli while clients INCR
// keys living in exactly those slots: every increment is acknowledged and present, and the
// redirects were followed (MOVED and usually ASK) without an error reaching the callers.
TEST_F(ClusterTest, ReshardMidRunIsInvisibleToCallers) {
  auto nodes = target_->Nodes();
  ASSERT_TRUE(nodes.ok()) << nodes.status().message();
  std::vector<ClusterNode> masters;
  for (const auto& n : *nodes) {
    if (n.master) masters.push_back(n);
  }
  ASSERT_EQ(masters.size(), 3u);
  std::sort(masters.begin(), masters.end(),
            [](const ClusterNode& a, const ClusterNode& b) { return a.slots[0] < b.slots[0]; });
  const ClusterNode& from = masters[0];
  const ClusterNode& to = masters[1];
  // redis-cli takes the source's lowest slots first: put keys in those.
  constexpr int kSlots = 20;
  const int lo = from.slots[0].first;
  const std::vector<std::string> keys = KeysInSlots("m", lo, kSlots, 10);
  // Filler so each slot takes MIGRATE a while (the ASK window): 300 more keys per slot.
  {
    auto c = target_->Connect();
    ASSERT_TRUE(c.ok());
    std::vector<Argv> fill;
    for (const std::string& k : KeysInSlots("f", lo, kSlots, 300)) fill.push_back({"SET", k, "x"});
    ASSERT_TRUE((*c)->Pipeline(fill).ok());
  }

  constexpr int kClients = 4;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> acked{0}, errors{0};
  std::vector<std::string> first_error(kClients);
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      auto c = target_->Connect();
      if (!c.ok()) {
        first_error[t] = c.status().message();
        errors.fetch_add(1);
        return;
      }
      for (size_t i = t; !stop.load(); i = (i + kClients) % keys.size()) {
        auto v = (*c)->Incr(keys[i]);
        if (v.ok()) {
          acked.fetch_add(1);
        } else {
          if (first_error[t].empty()) first_error[t] = v.status().message();
          errors.fetch_add(1);
        }
        if (i % 8 == 0) {  // a pipeline over several slots now and then
          std::vector<Argv> batch = {{"GET", keys[i]}, {"GET", keys[(i + 3) % keys.size()]}};
          auto r = (*c)->Pipeline(batch);
          if (!r.ok() || (*r)[0].is_error() || (*r)[1].is_error()) {
            if (first_error[t].empty()) {
              first_error[t] = r.ok() ? (*r)[0].ToString() + " " + (*r)[1].ToString()
                                      : r.status().message();
            }
            errors.fetch_add(1);
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ProcessOptions reshard;
  reshard.program = "redis-cli";
  reshard.args = {"--cluster", "reshard", from.addr, "--cluster-from", from.id,
                  "--cluster-to", to.id, "--cluster-slots", std::to_string(kSlots),
                  "--cluster-yes", "--cluster-pipeline", "10"};
  const Status moved = ServerProcess::Run(reshard, std::chrono::seconds(60));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop.store(true);
  for (auto& th : threads) th.join();
  ASSERT_TRUE(moved.ok()) << moved.message();

  std::string errs;
  for (const auto& e : first_error) errs += e.empty() ? "" : e + "; ";
  EXPECT_EQ(errors.load(), 0) << errs;
  // Every acknowledged increment is in the final values.
  auto c = target_->Connect();
  ASSERT_TRUE(c.ok());
  int64_t sum = 0;
  for (const std::string& k : keys) {
    auto v = (*c)->Get(k);
    ASSERT_TRUE(v.ok()) << v.status().message();
    if (v->has_value()) sum += std::stoll(**v);
  }
  EXPECT_EQ(sum, acked.load());
  const auto counters = target_->Counters();
  EXPECT_GT(counters.at("cluster_moved"), 0) << "the slots moved but no MOVED was seen";
  std::printf("reshard of %d slots mid-run: %lld increments, MOVED %.0f, ASK %.0f, TRYAGAIN %.0f\n",
              kSlots, static_cast<long long>(acked.load()), counters.at("cluster_moved"),
              counters.at("cluster_ask"), counters.at("cluster_tryagain"));
  // The slots now belong to the target master, as the client's map says.
  auto after = target_->Nodes();
  ASSERT_TRUE(after.ok());
  for (const auto& n : *after) {
    if (n.id != to.id) continue;
    bool has = false;
    for (auto [a, b] : n.slots) has = has || (a <= lo && lo <= b);
    EXPECT_TRUE(has) << "slot " << lo << " did not move to " << to.addr;
  }
}

// A master holding a hot counter is killed mid-run on a cluster with one replica per master:
// its replica takes over, callers see only error replies of the expected kinds (never a broken
// client), writes succeed again, and the acknowledged increments missing from the final value
// (asynchronous replication's loss) are counted: observed <= acknowledged + ambiguous.
TEST(ClusterFailover, KillMasterIsSurvivedAndLostWritesAreCounted) {
  ThrowawayServers servers(test_paths::BinDir(), "");
  const std::string why = servers.CannotStart(TargetKind::kRedisCluster);
  if (!why.empty()) GTEST_SKIP() << why;
  ASSERT_TRUE(servers.SetClusterShape(3, 1).ok());
  auto url = servers.Url(TargetKind::kRedisCluster);
  ASSERT_TRUE(url.ok()) << url.status().message();
  TargetOptions options;
  options.cluster_retry_s = 15;
  auto t = MakeClusterTarget(*url, options);
  ASSERT_TRUE(t.ok()) << t.status().message();
  ClusterTarget& target = **t;
  const std::string key = "hot";
  auto nodes = target.Nodes();
  ASSERT_TRUE(nodes.ok()) << nodes.status().message();
  ASSERT_EQ(nodes->size(), 6u);
  std::string victim, victim_id;
  for (const ClusterNode& n : *nodes) {
    for (auto [lo, hi] : n.slots) {
      if (n.master && lo <= KeySlot(key) && KeySlot(key) <= hi) {
        victim = n.addr;
        victim_id = n.id;
      }
    }
  }
  ASSERT_FALSE(victim.empty());

  constexpr int kClients = 4;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> acked{0}, acked_after{0}, ioerr{0}, down{0}, other{0}, fatal{0};
  std::string other_text;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&] {
      auto c = target.Connect();
      if (!c.ok()) {
        fatal.fetch_add(1);
        return;
      }
      while (!stop.load()) {
        auto v = (*c)->Incr(key);
        if (v.ok()) {
          acked.fetch_add(1);
          if (target.RecoverySeconds()) acked_after.fetch_add(1);
          continue;
        }
        const std::string& m = v.status().message();
        if (v.status().code() == Status::Code::kUnavailable) {
          fatal.fetch_add(1);
        } else if (m.rfind("IOERR", 0) == 0) {
          ioerr.fetch_add(1);
        } else if (m.rfind("CLUSTERDOWN", 0) == 0) {
          down.fetch_add(1);
        } else {
          std::lock_guard lock(mu);
          other_text = m;
          other.fetch_add(1);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  target.MarkFault(victim);
  ASSERT_TRUE(servers.KillClusterNode(victim).ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!target.RecoverySeconds() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop.store(true);
  for (auto& th : threads) th.join();

  ASSERT_TRUE(target.RecoverySeconds().has_value()) << "writes never succeeded again";
  EXPECT_LT(*target.RecoverySeconds(), 15.0);
  EXPECT_EQ(fatal.load(), 0);
  EXPECT_EQ(other.load(), 0) << other_text;
  EXPECT_GT(acked_after.load(), 0);
  auto c = target.Connect();
  ASSERT_TRUE(c.ok());
  auto value = (*c)->Get(key);
  ASSERT_TRUE(value.ok()) << value.status().message();
  const int64_t observed = value->has_value() ? std::stoll(**value) : 0;
  const auto counters = target.Counters();
  const auto ambiguous = static_cast<int64_t>(counters.at("cluster_connection_lost"));
  EXPECT_LE(observed, acked.load() + ambiguous);
  EXPECT_GE(observed, 0);
  std::printf("kill of %s: writes back after %.2f s; %lld acknowledged, %lld observed, %lld "
              "acknowledged increments lost; errors: IOERR %lld, CLUSTERDOWN %lld\n",
              victim.c_str(), *target.RecoverySeconds(), static_cast<long long>(acked.load()),
              static_cast<long long>(observed),
              static_cast<long long>(std::max<int64_t>(0, acked.load() - observed)),
              static_cast<long long>(ioerr.load()), static_cast<long long>(down.load()));
  // The replica is the slot's master now, and the client's map agrees.
  auto after = target.Nodes();
  ASSERT_TRUE(after.ok());
  for (const ClusterNode& n : *after) {
    EXPECT_NE(n.addr, victim) << "the killed master is still listed as healthy";
  }
}

TEST(ClusterTargetErrors, BadUrlAndNoClusterAreOneLineErrors) {
  TargetOptions options;
  auto bad = MakeClusterTarget("http://x:1", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected redis://"), std::string::npos);
  auto port = FindFreePort();
  ASSERT_TRUE(port.ok());
  options.connect_timeout_s = 1;
  auto none = MakeClusterTarget("redis://127.0.0.1:" + std::to_string(*port), options);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(none.status().message().find('\n'), std::string::npos);
}

TEST(ClusterTargetErrors, ShapeIsValidated) {
  ThrowawayServers servers(test_paths::BinDir(), "");
  EXPECT_FALSE(servers.SetClusterShape(2, 0).ok());
  EXPECT_FALSE(servers.SetClusterShape(3, 3).ok());
  EXPECT_TRUE(servers.SetClusterShape(3, 1).ok());
}

}  // namespace
}  // namespace racetrack::adapters
