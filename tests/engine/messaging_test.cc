// Pub/Sub, streams and blocking commands through the engine (ManualClock, no network).
#include <string>

#include "engine/blocking.h"
#include "engine/pubsub.h"
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

class MessagingTest : public TwoClientEngineTest {
 protected:
  MessagingTest() { engine_.AddClient(&third_); }
  ~MessagingTest() override { engine_.RemoveClient(&third_); }
  ClientState third_;
};

TEST_F(MessagingTest, SubscribeRepliesAndMessageFormat) {
  EXPECT_EQ(Run(other_, {"subscribe", "a", "b"}),
            "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
  EXPECT_EQ(Run(third_, {"psubscribe", "a*"}), "*3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:1\r\n");
  EXPECT_EQ(Run({"publish", "a", "hi"}), Int(2));
  EXPECT_EQ(Take(other_), "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n");
  EXPECT_EQ(Take(third_), "*4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$2\r\nhi\r\n");
  EXPECT_EQ(Run({"pubsub", "numsub", "a", "zz"}), "*4\r\n$1\r\na\r\n:1\r\n$2\r\nzz\r\n:0\r\n");
  EXPECT_EQ(Run({"pubsub", "numpat"}), Int(1));
  EXPECT_THAT(Run(other_, {"get", "x"}), IsError("ERR Can't execute 'get': only (P|S)SUBSCRIBE"));
  EXPECT_THAT(Run(other_, {"publish", "x", "y"}), IsError("ERR Can't execute 'publish'"));
  EXPECT_EQ(Run(other_, {"unsubscribe", "a"}), "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(Run({"unsubscribe"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
}

TEST_F(MessagingTest, DisconnectDropsSubscriptions) {
  {
    ClientState gone;
    engine_.AddClient(&gone);
    Run(gone, {"subscribe", "c"});
    engine_.RemoveClient(&gone);
  }
  EXPECT_EQ(Run({"publish", "c", "x"}), Int(0));
  EXPECT_EQ(Run({"pubsub", "channels"}), "*0\r\n");
}

TEST_F(MessagingTest, PublishInsideMultiIsQueuedAndDelivered) {
  Run(other_, {"subscribe", "c"});
  Take(other_);
  EXPECT_EQ(Run({"multi"}), Ok());
  EXPECT_EQ(Run({"publish", "c", "m"}), Status("QUEUED"));
  EXPECT_EQ(Run({"exec"}), "*1\r\n:1\r\n");
  EXPECT_EQ(Take(other_), "*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n");
}

TEST_F(MessagingTest, XAddIdsAndErrors) {
  clock_.SetMs(1000);
  EXPECT_EQ(Run({"xadd", "s", "*", "f", "v"}), Bulk("1000-0"));
  EXPECT_EQ(Run({"xadd", "s", "*", "f", "v"}), Bulk("1000-1"));
  clock_.SetMs(500);  // the clock goes back: IDs still increase
  EXPECT_EQ(Run({"xadd", "s", "*", "f", "v"}), Bulk("1000-2"));
  EXPECT_EQ(Run({"xadd", "s", "1000-*", "f", "v"}), Bulk("1000-3"));
  EXPECT_EQ(Run({"xadd", "s", "1000-3", "f", "v"}),
            Err("ERR The ID specified in XADD is equal or smaller than the target stream top item"));
  EXPECT_EQ(Run({"xadd", "t", "0-0", "f", "v"}), Err("ERR The ID specified in XADD must be greater than 0-0"));
  EXPECT_EQ(Run({"xadd", "s", "5-x", "f", "v"}),
            Err("ERR Invalid stream ID specified as stream command argument"));
  EXPECT_EQ(Run({"xadd", "s", "*", "f"}), Err("ERR wrong number of arguments for 'xadd' command"));
  EXPECT_EQ(Run({"xlen", "s"}), Int(4));
  EXPECT_EQ(Run({"xadd", "n", "nomkstream", "*", "f", "v"}), Nil());
  EXPECT_EQ(Run({"exists", "n"}), Int(0));
}

TEST_F(MessagingTest, TrimExactAndApproximate) {
  for (int i = 1; i <= 250; ++i) Run({"xadd", "s", std::to_string(i) + "-0", "f", "v"});
  EXPECT_EQ(Run({"xtrim", "s", "maxlen", "~", "120"}), Int(100));  // one whole node of 100
  EXPECT_EQ(Run({"xtrim", "s", "maxlen", "=", "120"}), Int(30));
  EXPECT_EQ(Run({"xtrim", "s", "minid", "200"}), Int(69));
  EXPECT_EQ(Run({"xlen", "s"}), Int(51));
  EXPECT_EQ(Run({"xtrim", "s", "maxlen", "10", "limit", "5"}),
            Err("ERR syntax error, LIMIT cannot be used without the special ~ option"));
}

TEST_F(MessagingTest, GroupsPendingAndClaim) {
  EXPECT_EQ(Run({"xgroup", "create", "s", "g", "$"}),
            Err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
                "want to use the MKSTREAM option to create an empty stream automatically."));
  EXPECT_EQ(Run({"xgroup", "create", "s", "g", "$", "mkstream"}), Ok());
  EXPECT_THAT(Run({"xgroup", "create", "s", "g", "$"}), IsError("BUSYGROUP"));
  Run({"xadd", "s", "1-0", "a", "1"});
  Run({"xadd", "s", "2-0", "b", "2"});
  EXPECT_EQ(Run({"xreadgroup", "group", "g", "c1", "streams", "s", ">"}),
            "*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
            "*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run({"xreadgroup", "group", "g", "c1", "streams", "s", ">"}), "*-1\r\n");
  EXPECT_EQ(Run({"xack", "s", "g", "1-0"}), Int(1));
  clock_.AdvanceMs(5000);
  EXPECT_EQ(Run({"xpending", "s", "g"}),
            "*4\r\n:1\r\n$3\r\n2-0\r\n$3\r\n2-0\r\n*1\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n");
  EXPECT_EQ(Run({"xpending", "s", "g", "-", "+", "10"}),
            "*1\r\n*4\r\n$3\r\n2-0\r\n$2\r\nc1\r\n:5000\r\n:1\r\n");
  EXPECT_EQ(Run({"xclaim", "s", "g", "c2", "10000", "2-0"}), "*0\r\n");  // not idle enough
  EXPECT_EQ(Run({"xclaim", "s", "g", "c2", "1000", "2-0", "justid"}), "*1\r\n$3\r\n2-0\r\n");
  EXPECT_EQ(Run({"xpending", "s", "g", "-", "+", "10", "c2"}),
            "*1\r\n*4\r\n$3\r\n2-0\r\n$2\r\nc2\r\n:0\r\n:1\r\n");
  clock_.AdvanceMs(100);
  EXPECT_EQ(Run({"xautoclaim", "s", "g", "c3", "50", "0"}),
            "*3\r\n$3\r\n0-0\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*0\r\n");
  Run({"xdel", "s", "2-0"});
  clock_.AdvanceMs(100);
  EXPECT_EQ(Run({"xautoclaim", "s", "g", "c3", "50", "0"}), "*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$3\r\n2-0\r\n");
  EXPECT_EQ(Run({"xgroup", "delconsumer", "s", "g", "c1"}), Int(0));
  EXPECT_THAT(Run({"xreadgroup", "group", "nog", "c", "streams", "s", ">"}), IsError("NOGROUP"));
}

TEST_F(MessagingTest, XReadBlockIsServedByXAdd) {
  Run({"xadd", "s", "1-0", "a", "1"});
  EXPECT_EQ(Run(other_, {"xread", "block", "0", "streams", "s", "$"}), "");
  EXPECT_TRUE(other_.is_blocked());
  Run({"xadd", "s", "2-0", "b", "2"});
  EXPECT_FALSE(other_.is_blocked());
  EXPECT_EQ(Take(other_), "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
}

TEST_F(MessagingTest, BlockingTimeoutAndArrivalOrder) {
  EXPECT_EQ(Run(other_, {"blpop", "l", "1"}), "");
  EXPECT_EQ(Run(third_, {"blpop", "l", "0"}), "");
  EXPECT_EQ(engine_.blocking().blocked_clients(), 2u);
  EXPECT_EQ(Run({"rpush", "l", "x"}), Int(1));
  EXPECT_EQ(Take(other_), "*2\r\n$1\r\nl\r\n$1\r\nx\r\n");  // first come, first served
  EXPECT_TRUE(third_.is_blocked());
  clock_.AdvanceMs(2000);
  engine_.blocking().HandleTimeouts(clock_.NowMs());
  EXPECT_TRUE(third_.is_blocked());  // BLPOP 0 waits forever
  EXPECT_EQ(Run(other_, {"brpop", "m", "0.5"}), "");
  clock_.AdvanceMs(600);
  engine_.blocking().HandleTimeouts(clock_.NowMs());
  EXPECT_EQ(Take(other_), "*-1\r\n");
  EXPECT_THAT(Run({"blpop", "l", "-1"}), IsError("ERR timeout is negative"));
}

TEST_F(MessagingTest, BlockingCommandsDoNotBlockInsideMulti) {
  Run({"multi"});
  Run({"blpop", "nothing", "0"});
  EXPECT_EQ(Run({"exec"}), "*1\r\n*-1\r\n");
  EXPECT_FALSE(client_.is_blocked());
}

TEST_F(MessagingTest, BlMoveServesAndPropagatesTheInnerCommand) {
  std::vector<std::string> log;
  engine_.on_propagate = [&log](int, Args argv) { log.emplace_back(argv[0]); };
  EXPECT_EQ(Run(other_, {"blmove", "src", "dst", "left", "right", "0"}), "");
  Run({"rpush", "src", "a"});
  EXPECT_EQ(Take(other_), Bulk("a"));
  EXPECT_EQ(Run({"lrange", "dst", "0", "-1"}), Arr({"a"}));
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1], "lmove");
}

// Issue 11: BLMPOP ran a nested LMPOP that was not in the command table, and the lookup's
// invariant aborted the server.
TEST_F(MessagingTest, BlMPopPopsBlocksAndIsServedAsRedis) {
  std::vector<std::vector<std::string>> log;
  engine_.on_propagate = [&log](int, Args argv) { log.emplace_back(argv.begin(), argv.end()); };
  Run({"rpush", "b", "1", "2", "3"});
  EXPECT_EQ(Run({"blmpop", "0", "2", "a", "b", "right", "count", "2"}),
            "*2\r\n" + Bulk("b") + Arr({"3", "2"}));
  EXPECT_EQ(Run({"blmpop", "0.01", "1", "a", "left"}), "");  // blocks for 10 ms
  EXPECT_TRUE(client_.is_blocked());
  clock_.AdvanceMs(10);
  engine_.blocking().HandleTimeouts(clock_.NowMs());
  EXPECT_EQ(Take(client_), "*-1\r\n");
  EXPECT_EQ(Run(other_, {"blmpop", "0", "2", "a", "c", "left", "count", "5"}), "");
  Run({"rpush", "c", "x", "y"});
  EXPECT_EQ(Take(other_), "*2\r\n" + Bulk("c") + Arr({"x", "y"}));
  EXPECT_EQ(Run({"exists", "c"}), Int(0));
  // Logged as the pops they amount to, as Redis replicates them.
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[1], (std::vector<std::string>{"rpop", "b", "2"}));
  EXPECT_EQ(log[3], (std::vector<std::string>{"lpop", "c", "2"}));
}

TEST_F(MessagingTest, BlMPopChecksItsArgumentsBeforeItsTimeoutAsRedis) {
  EXPECT_EQ(Run({"blmpop", "x", "0", "k", "left"}), Err("ERR numkeys should be greater than 0"));
  EXPECT_EQ(Run({"blmpop", "x", "1", "k", "middle"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"blmpop", "x", "1", "k", "left", "count", "0"}),
            Err("ERR count should be greater than 0"));
  EXPECT_EQ(Run({"blmpop", "x", "1", "k", "left"}),
            Err("ERR timeout is not a float or out of range"));
  Run({"set", "s", "v"});
  EXPECT_THAT(Run({"blmpop", "0", "2", "nokey", "s", "left"}), IsError("WRONGTYPE"));
}

TEST_F(MessagingTest, BlockingCommandsAnswerAtOnceInMultiAndScripts) {
  Run({"multi"});
  Run({"blmpop", "0", "1", "nothing", "left"});
  Run({"lmpop", "1", "nothing", "left"});
  EXPECT_EQ(Run({"exec"}), "*2\r\n*-1\r\n*-1\r\n");
  // A null array becomes Lua's false, which EVAL returns as a null bulk (as Redis).
  EXPECT_EQ(Run({"eval", "return redis.pcall('blmpop', '0', '1', 'nothing', 'left')", "0"}),
            Nil());
  EXPECT_FALSE(client_.is_blocked());
}

// An embedder that sends a blocked client's next command (the in-process adapter does) gets an
// error, not a second wait: Blocking::Block's invariant is about the engine's state, and this
// keeps it so whatever the caller does.
TEST_F(MessagingTest, ACommandFromABlockedClientIsRefusedNotNested) {
  EXPECT_EQ(Run(other_, {"blpop", "l", "0"}), "");
  EXPECT_THAT(Run(other_, {"blpop", "m", "0"}), IsError("ERR this client is blocked"));
  EXPECT_THAT(Run(other_, {"get", "m"}), IsError("ERR this client is blocked"));
  EXPECT_EQ(engine_.blocking().blocked_clients(), 1u);
  Run({"rpush", "l", "x"});
  EXPECT_EQ(Take(other_), "*2\r\n$1\r\nl\r\n$1\r\nx\r\n");
  EXPECT_EQ(Run(other_, {"get", "m"}), Nil());
}

// Commands the engine runs for itself (EXEC's queue, redis.call, a blocked client's re-run, the
// append-only log) go through ExecuteQueued: an unknown name, subcommand or argument count there
// is an error reply, where it used to be an invariant that aborted the server.
TEST_F(MessagingTest, InternalExecutionOfABadCommandIsAnErrorReply) {
  engine_.ExecuteQueued(client_, {"nosuchcommand", "a"});
  EXPECT_THAT(Take(client_), IsError("ERR unknown command 'nosuchcommand'"));
  engine_.ExecuteQueued(client_, {"client", "nosuchsub"});
  EXPECT_THAT(Take(client_), IsError("ERR unknown subcommand 'nosuchsub'"));
  engine_.ExecuteQueued(client_, {"set", "k"});
  EXPECT_EQ(Take(client_), Err("ERR wrong number of arguments for 'set' command"));
  engine_.ExecuteQueued(client_, {});
  EXPECT_THAT(Take(client_), IsError("ERR"));
  EXPECT_EQ(Run({"ping"}), Status("PONG"));
}

}  // namespace
}  // namespace racetrack::engine
