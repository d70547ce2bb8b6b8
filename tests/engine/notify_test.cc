// Keyspace notifications (engine/notify.h) and CLIENT UNBLOCK in-process: the class string's
// parsing and rendering as Redis's notify.c, the exact pmessage frames a subscriber receives, the
// events the engine sends itself (new, expired, evicted) and the wait CLIENT UNBLOCK ends. The same
// behaviour is compared with a real redis-server in keyspace_events_conformance_test.
#include "engine/notify.h"

#include <string>

#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

TEST(NotifyFlagsTest, ParseAndFormatAsRedis) {
  EXPECT_EQ(ParseNotifyFlags(""), 0);
  EXPECT_EQ(ParseNotifyFlags("K"), kNotifyKeyspace);
  EXPECT_EQ(ParseNotifyFlags("KEA"), kNotifyKeyspace | kNotifyKeyevent | kNotifyAll);
  EXPECT_EQ(ParseNotifyFlags("KEX"), -1);
  EXPECT_EQ(ParseNotifyFlags("k"), -1);
  EXPECT_EQ(ParseNotifyFlags("A") & kNotifyNew, 0);  // n and m are not part of A
  EXPECT_EQ(ParseNotifyFlags("A") & kNotifyKeyMiss, 0);
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"KEA", "AKE"},
           {"gKE", "gKE"},
           {"$lshzxeKE", "$lshzxeKE"},
           {"KA", "AK"},
           {"EA", "AE"},
           {"An", "A"},  // Redis 7.0.15 shows no n after A
           {"nKm", "nKm"},
           {"EKg$lshzxetdnm", "AKEm"},
           {"ee", "e"},
           {"", ""}}) {
    EXPECT_EQ(FormatNotifyFlags(ParseNotifyFlags(in)), out) << in;
  }
}

class NotifyTest : public EngineTest {
 protected:
  NotifyTest() {
    engine_.AddClient(&sub_);
    engine_.AddClient(&other_);
    Run(sub_, {"psubscribe", "__key*__:*"});
  }
  ~NotifyTest() override {
    engine_.RemoveClient(&other_);
    engine_.RemoveClient(&sub_);
  }
  // What the subscriber received since the last call.
  std::string Received() {
    std::string out = std::move(sub_.reply.buffer());
    sub_.reply.Clear();
    return out;
  }
  static std::string PMessage(std::string_view channel, std::string_view message) {
    return "*4\r\n" + Bulk("pmessage") + Bulk("__key*__:*") + Bulk(channel) + Bulk(message);
  }

  ClientState sub_;
  ClientState other_;
};

TEST_F(NotifyTest, NothingIsSentByDefault) {
  EXPECT_EQ(Run({"config", "get", "notify-keyspace-events"}),
            Arr({"notify-keyspace-events", ""}));
  Run({"set", "k", "v"});
  EXPECT_EQ(Received(), "");
}

TEST_F(NotifyTest, KeyspaceAndKeyeventFramesInRedisOrder) {
  EXPECT_EQ(Run({"config", "set", "notify-keyspace-events", "KEA"}), Ok());
  Run({"set", "foo", "bar"});
  EXPECT_EQ(Received(), PMessage("__keyspace@0__:foo", "set") + PMessage("__keyevent@0__:set", "foo"));
  Run({"select", "3"});
  Run({"lpush", "l", "a"});
  Run({"lpop", "l"});
  EXPECT_EQ(Received(), PMessage("__keyspace@3__:l", "lpush") + PMessage("__keyevent@3__:lpush", "l") +
                            PMessage("__keyspace@3__:l", "lpop") + PMessage("__keyevent@3__:lpop", "l") +
                            PMessage("__keyspace@3__:l", "del") + PMessage("__keyevent@3__:del", "l"));
}

TEST_F(NotifyTest, ClassesMaskEvents) {
  Run({"config", "set", "notify-keyspace-events", "Kl"});
  Run({"set", "foo", "bar"});
  Run({"rpush", "l", "a"});
  Run({"del", "l"});  // generic: masked
  EXPECT_EQ(Received(), PMessage("__keyspace@0__:l", "rpush"));
  EXPECT_THAT(Run({"config", "set", "notify-keyspace-events", "KQ"}),
              IsError("ERR CONFIG SET failed (possibly related to argument "
                      "'notify-keyspace-events') - Invalid event class character. Use "
                      "'Ag$lshzxeKEtmdn'."));
  EXPECT_EQ(Run({"config", "get", "notify-keyspace-events"}),
            Arr({"notify-keyspace-events", "lK"}));
}

TEST_F(NotifyTest, NewKeyOnlyWhenCreated) {
  Run({"config", "set", "notify-keyspace-events", "En"});
  Run({"set", "foo", "bar"});
  Run({"set", "foo", "baz"});
  Run({"hset", "h", "f", "v"});
  Run({"hset", "h", "g", "v"});
  EXPECT_EQ(Received(), PMessage("__keyevent@0__:new", "foo") + PMessage("__keyevent@0__:new", "h"));
}

TEST_F(NotifyTest, ExpiredWhenAReadFindsTheDeadlinePassed) {
  Run({"config", "set", "notify-keyspace-events", "Egx"});
  Run({"psetex", "k", "100", "v"});
  EXPECT_EQ(Received(), PMessage("__keyevent@0__:expire", "k"));
  clock_.AdvanceMs(101);
  EXPECT_EQ(Run({"get", "k"}), Nil());
  EXPECT_EQ(Received(), PMessage("__keyevent@0__:expired", "k"));
}

TEST_F(NotifyTest, EvictedWhenMaxmemoryIsReached) {
  Run({"config", "set", "notify-keyspace-events", "Ee"});
  Run({"config", "set", "maxmemory-policy", "allkeys-lru"});
  Run({"set", "foo", "bar"});
  Run({"config", "set", "maxmemory", "1"});  // evicts at once, as Redis's updateMaxmemory
  EXPECT_EQ(Run({"dbsize"}), Int(0));
  Run({"config", "set", "maxmemory", "0"});
  EXPECT_EQ(Received(), PMessage("__keyevent@0__:evicted", "foo"));
}

TEST_F(NotifyTest, SmoveSendsSremThenSadd) {
  Run({"config", "set", "notify-keyspace-events", "KA"});
  Run({"sadd", "a", "x"});
  Received();
  EXPECT_EQ(Run({"smove", "a", "b", "x"}), Int(1));
  EXPECT_EQ(Received(), PMessage("__keyspace@0__:a", "srem") + PMessage("__keyspace@0__:a", "del") +
                            PMessage("__keyspace@0__:b", "sadd"));
}

// Redis's "SMOVE only notify dstset when the addition is successful": a WATCH on a destination
// that already holds the member stays valid.
TEST_F(NotifyTest, SmoveLeavesAWatchOnAnUnchangedDestination) {
  Run({"sadd", "src", "a", "b"});
  Run({"sadd", "dst", "a"});
  Run({"watch", "dst"});
  Run({"multi"});
  Run({"sadd", "dst", "c"});
  EXPECT_EQ(Run(other_, {"smove", "src", "dst", "a"}), Int(1));
  EXPECT_EQ(Run({"exec"}), "*1\r\n" + Int(1));
  Run({"watch", "src"});
  Run({"multi"});
  Run({"sadd", "dst", "d"});
  EXPECT_EQ(Run(other_, {"smove", "src", "dst", "b"}), Int(1));
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");  // the source did change
}

TEST_F(NotifyTest, EventsFromInsideExec) {
  Run({"config", "set", "notify-keyspace-events", "K$"});
  Run({"multi"});
  Run({"set", "a", "1"});
  Run({"incr", "a"});
  Run({"exec"});
  EXPECT_EQ(Received(), PMessage("__keyspace@0__:a", "set") + PMessage("__keyspace@0__:a", "incrby"));
}

TEST_F(NotifyTest, ClientUnblockEndsAWait) {
  const std::string id = std::to_string(other_.id);
  EXPECT_EQ(Run(other_, {"blpop", "l", "0"}), "");
  ASSERT_TRUE(other_.is_blocked());
  EXPECT_EQ(Run({"client", "unblock", id, "error"}), Int(1));
  EXPECT_FALSE(other_.is_blocked());
  EXPECT_EQ(other_.reply.buffer(), Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
  other_.reply.Clear();
  EXPECT_EQ(Run(other_, {"bzpopmin", "z", "0"}), "");
  EXPECT_EQ(Run({"client", "unblock", id}), Int(1));
  EXPECT_EQ(other_.reply.buffer(), "*-1\r\n");  // the timeout reply
  other_.reply.Clear();
  EXPECT_EQ(Run({"client", "unblock", id, "timeout"}), Int(0));  // not blocked any more
  EXPECT_THAT(Run({"client", "unblock", id, "later"}),
              IsError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
  EXPECT_THAT(Run({"client", "unblock", "x"}), IsError("ERR value is not an integer"));
  // The released client is served again, and the list works as before.
  EXPECT_EQ(Run(other_, {"blpop", "l", "0"}), "");
  Run({"rpush", "l", "v"});
  EXPECT_EQ(other_.reply.buffer(), Arr({"l", "v"}));
}

}  // namespace
}  // namespace racetrack::engine
