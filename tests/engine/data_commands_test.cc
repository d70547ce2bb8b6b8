// Issue 17's data commands where one script line cannot show the behaviour (the conformance
// scripts compare their replies with redis-server): SWAPDB and COPY/MOVE across dbs with WATCH
// and blocked clients, WAIT's wait, BZMPOP blocking, what the append-only log receives, SORT
// STORE and ZRANGESTORE waking watchers, OBJECT FREQ under an LFU policy.
#include <string>
#include <vector>

#include "engine/blocking.h"
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

class DataCommandsTest : public TwoClientEngineTest {
 protected:
  // Runs WATCH key on `other_` (in its db), then `writes` on the main client, then an empty
  // MULTI/EXEC on `other_`: true when the EXEC was aborted.
  bool ExecAbortedAfter(std::string_view key, const std::vector<std::vector<std::string>>& writes) {
    Run(other_, {"watch", key});
    for (const auto& w : writes) RunV(w);
    Run(other_, {"multi"});
    return Run(other_, {"exec"}) == "*-1\r\n";
  }
};

TEST_F(DataCommandsTest, SwapDbSwapsDataNotClients) {
  Run({"set", "k", "zero"});
  Run({"select", "1"});
  Run({"set", "k", "one"});
  Run({"set", "only1", "x"});
  EXPECT_EQ(Run({"swapdb", "0", "1"}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Bulk("zero"));  // the client stayed on db 1
  EXPECT_EQ(Run({"select", "0"}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Bulk("one"));
  EXPECT_EQ(Run({"get", "only1"}), Bulk("x"));
  EXPECT_EQ(engine_.db(0).index(), 0);
  EXPECT_EQ(engine_.db(1).index(), 1);
  // A write after the swap lands where the number now points, and expiry still works there.
  Run({"set", "t", "v", "px", "10"});
  clock_.AdvanceMs(20);
  EXPECT_EQ(Run({"get", "t"}), Nil());
}

TEST_F(DataCommandsTest, SwapDbAbortsWatchersOfKeysThatDiffer) {
  Run({"select", "1"});
  Run({"set", "in1", "v"});
  Run({"select", "0"});
  EXPECT_TRUE(ExecAbortedAfter("in1", {{"swapdb", "0", "1"}}));  // appears in db 0
  EXPECT_FALSE(ExecAbortedAfter("nowhere", {{"swapdb", "0", "1"}}));  // in neither db
}

TEST_F(DataCommandsTest, SwapDbServesClientsBlockedOnKeysThatAppear) {
  Run({"select", "1"});
  Run({"rpush", "l", "a"});
  Run({"select", "0"});
  EXPECT_EQ(Run(other_, {"blpop", "l", "0"}), "");
  EXPECT_TRUE(other_.is_blocked());
  Run({"swapdb", "0", "1"});
  EXPECT_FALSE(other_.is_blocked());
  EXPECT_EQ(Take(other_), Arr({"l", "a"}));
}

TEST_F(DataCommandsTest, CopyAndMoveToAnotherDbWakeWatchersThereAndPropagate) {
  std::vector<std::vector<std::string>> log;
  engine_.on_propagate = [&log](int db, Args argv) {
    log.emplace_back(argv.begin(), argv.end());
    log.back().push_back("@" + std::to_string(db));
  };
  Run({"set", "src", "v"});
  Run(other_, {"select", "2"});
  EXPECT_TRUE(ExecAbortedAfter("dst", {{"copy", "src", "dst", "db", "2"}}));
  EXPECT_TRUE(ExecAbortedAfter("src", {{"move", "src", "2"}}));
  EXPECT_EQ(Run({"exists", "src"}), Int(0));
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[1], (std::vector<std::string>{"copy", "src", "dst", "db", "2", "@0"}));
  EXPECT_EQ(log[2], (std::vector<std::string>{"move", "src", "2", "@0"}));
}

TEST_F(DataCommandsTest, CopyIsDeep) {
  Run({"rpush", "l", "a"});
  Run({"copy", "l", "l2"});
  Run({"rpush", "l", "b"});
  EXPECT_EQ(Run({"lrange", "l2", "0", "-1"}), Arr({"a"}));
}

TEST_F(DataCommandsTest, WaitWithoutReplicasWaitsOutItsTimeout) {
  EXPECT_EQ(Run({"wait", "0", "0"}), Int(0));
  EXPECT_EQ(Run(other_, {"wait", "1", "100"}), "");
  EXPECT_TRUE(other_.is_blocked());
  clock_.AdvanceMs(150);
  engine_.blocking().HandleTimeouts(clock_.NowMs());
  EXPECT_EQ(Take(other_), Int(0));
  Run({"multi"});
  Run({"wait", "5", "0"});
  EXPECT_EQ(Run({"exec"}), "*1\r\n" + Int(0));  // never blocks inside MULTI
}

TEST_F(DataCommandsTest, BzMPopBlocksThenPopsAndLogsAZPop) {
  std::vector<std::vector<std::string>> log;
  engine_.on_propagate = [&log](int, Args argv) { log.emplace_back(argv.begin(), argv.end()); };
  EXPECT_EQ(Run(other_, {"bzmpop", "0", "2", "a", "b", "max", "count", "5"}), "");
  EXPECT_TRUE(other_.is_blocked());
  Run({"zadd", "b", "1", "x", "2", "y"});
  EXPECT_EQ(Take(other_), "*2\r\n" + Bulk("b") + "*2\r\n*2\r\n" + Bulk("y") + Bulk("2") +
                              "*2\r\n" + Bulk("x") + Bulk("1"));
  EXPECT_EQ(Run({"exists", "b"}), Int(0));
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1], (std::vector<std::string>{"zpopmax", "b", "2"}));
  EXPECT_EQ(Run(other_, {"bzmpop", "0.05", "1", "a", "min"}), "");
  clock_.AdvanceMs(60);
  engine_.blocking().HandleTimeouts(clock_.NowMs());
  EXPECT_EQ(Take(other_), "*-1\r\n");
}

TEST_F(DataCommandsTest, SetBitThatChangesNothingIsNotLogged) {
  std::vector<std::string> log;
  engine_.on_propagate = [&log](int, Args argv) { log.emplace_back(argv[0]); };
  Run({"setbit", "b", "3", "1"});
  Run({"setbit", "b", "3", "1"});  // same value: not a change (as Redis)
  Run({"setbit", "b", "3", "0"});
  Run({"bitfield", "b", "overflow", "fail", "incrby", "u2", "0", "9"});  // fails: no change
  EXPECT_EQ(log, (std::vector<std::string>{"setbit", "setbit"}));
}

TEST_F(DataCommandsTest, StoringCommandsWakeWatchersOfTheirDestination) {
  Run({"rpush", "l", "3", "1", "2"});
  Run({"zadd", "z", "1", "a"});
  EXPECT_TRUE(ExecAbortedAfter("sorted", {{"sort", "l", "store", "sorted"}}));
  EXPECT_EQ(Run({"lrange", "sorted", "0", "-1"}), Arr({"1", "2", "3"}));
  EXPECT_TRUE(ExecAbortedAfter("zd", {{"zrangestore", "zd", "z", "0", "-1"}}));
  EXPECT_TRUE(ExecAbortedAfter("zu", {{"zunionstore", "zu", "1", "z"}}));
  EXPECT_TRUE(ExecAbortedAfter("z", {{"zmpop", "1", "z", "min"}}));
  EXPECT_FALSE(ExecAbortedAfter("l", {{"sort", "l"}}));  // no STORE: a read
}

TEST_F(DataCommandsTest, ObjectFreqCountsAccessesUnderAnLfuPolicy) {
  EXPECT_EQ(Run({"object", "freq", "k"}), Nil());
  Run({"set", "k", "v"});
  EXPECT_THAT(Run({"object", "freq", "k"}), IsError("ERR An LFU maxmemory policy is not selected"));
  engine_.config().maxmemory_policy = "allkeys-lfu";
  Run({"set", "f", "hello"});
  EXPECT_EQ(Run({"object", "freq", "f"}), Int(5));  // LFU_INIT_VAL, not touched by OBJECT
  Run({"get", "f"});
  EXPECT_EQ(Run({"object", "freq", "f"}), Int(6));  // the first access always counts
  EXPECT_THAT(Run({"object", "idletime", "f"}), IsError("ERR An LFU maxmemory policy is selected"));
}

}  // namespace
}  // namespace racetrack::engine
