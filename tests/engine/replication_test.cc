// The replication stream and the replica role (engine/replication.h) where one conformance line
// cannot show it: what a SYNC-attached replica receives (the Tcl suite's
// attach_to_replication_stream), ROLE and INFO in both roles. READONLY / MASTERDOWN replies are
// compared with redis-server in tests/conformance/scripts/transactions.redis.
#include <string>

#include "engine/replication.h"
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

class ReplicationTest : public EngineTest {
 protected:
  ReplicationTest() {
    engine_.AddClient(&replica_);
    Run(replica_, {"sync"});  // the preamble and the snapshot payload, dropped
  }
  ~ReplicationTest() override { engine_.RemoveClient(&replica_); }
  // What the replica received since the last call.
  std::string Stream() {
    std::string out = std::move(replica_.reply.buffer());
    replica_.reply.Clear();
    return out;
  }
  static std::string Cmd(std::initializer_list<std::string_view> argv) {
    std::string out = "*" + std::to_string(argv.size()) + "\r\n";
    for (std::string_view a : argv) out += Bulk(a);
    return out;
  }
  ClientState replica_;
};

TEST_F(ReplicationTest, PublishIsStreamedToReplicasButNotLogged) {
  int logged = 0;
  engine_.on_propagate = [&](int, Args) { ++logged; };
  Run({"multi"});
  Run({"publish", "bla", "bla"});
  Run({"exec"});
  EXPECT_EQ(Stream(), Cmd({"SELECT", "0"}) + Cmd({"publish", "bla", "bla"}));
  EXPECT_EQ(logged, 0);  // Redis forces PUBLISH to replicas only
}

TEST_F(ReplicationTest, IncrByFloatIsPropagatedAsTheValueItProduced) {
  EXPECT_EQ(Run({"eval", "return redis.call('incrbyfloat', KEYS[1], 1.5)", "1", "key"}),
            Bulk("1.5"));
  EXPECT_EQ(Stream(), Cmd({"SELECT", "0"}) + Cmd({"SET", "key", "1.5", "KEEPTTL"}));
}

TEST_F(ReplicationTest, ReplicaRoleRefusesWritesAndStopsTheStream) {
  Run({"set", "foo", "bar"});
  Stream();
  Run({"multi"});
  Run({"set", "foo2", "bar"});
  EXPECT_EQ(Run({"replicaof", "localhost", "9999"}), Status("QUEUED"));
  Run({"set", "foo3", "bar"});
  EXPECT_EQ(Run({"exec"}), "*3\r\n" + Ok() + Ok() + Ok());  // EXEC runs the queue as queued
  EXPECT_EQ(Stream(), "");  // the transaction is not streamed: this server is a replica now
  EXPECT_EQ(Run({"set", "foo4", "bar"}), Err("READONLY You can't write against a read only replica."));
  EXPECT_EQ(Run({"role"}), "*5\r\n" + Bulk("slave") + Bulk("localhost") + Int(9999) +
                               Bulk("connect") + Int(-1));
  std::string info = Run({"info", "replication"});
  EXPECT_NE(info.find("role:slave\r\nmaster_host:localhost\r\nmaster_port:9999\r\n"
                      "master_link_status:down\r\n"),
            std::string::npos)
      << info;
  EXPECT_EQ(Run({"replicaof", "localhost", "9999"}),
            Status("OK Already connected to specified master"));
  EXPECT_EQ(Run({"replicaof", "no", "one"}), Ok());
  EXPECT_TRUE(replica_.close_after_reply);  // REPLICAOF NO ONE disconnects the replicas
  EXPECT_EQ(Run({"set", "foo4", "bar"}), Ok());
  EXPECT_EQ(Run({"role"}).substr(0, 16), "*3\r\n" + Bulk("master"));
  EXPECT_NE(Run({"info", "replication"}).find("role:master\r\n"), std::string::npos);
}

TEST_F(ReplicationTest, ASyncedClientCannotMakeTheServerAReplica) {
  EXPECT_EQ(Run(replica_, {"replicaof", "localhost", "1"}),
            Err("ERR Command is not valid when client is a replica."));
  EXPECT_EQ(Run(replica_, {"replicaof", "no", "one"}), Ok());
}

}  // namespace
}  // namespace racetrack::engine
