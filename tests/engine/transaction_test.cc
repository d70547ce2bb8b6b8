// MULTI / EXEC / DISCARD / WATCH / UNWATCH, as redis-cli sessions. Expected replies were checked
// against Redis 7.0.15.
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

class TransactionTest : public TwoClientEngineTest {};

TEST_F(TransactionTest, QueuesAndExecutes) {
  EXPECT_EQ(Run({"multi"}), Ok());
  EXPECT_EQ(Run({"set", "a", "1"}), Status("QUEUED"));
  EXPECT_EQ(Run({"incr", "a"}), Status("QUEUED"));
  EXPECT_EQ(Run({"get", "a"}), Status("QUEUED"));
  EXPECT_EQ(Run(other_, {"get", "a"}), Nil());  // nothing ran yet
  EXPECT_EQ(Run({"exec"}), "*3\r\n" + Ok() + Int(2) + Bulk("2"));
  EXPECT_EQ(Run({"exec"}), Err("ERR EXEC without MULTI"));
}

TEST_F(TransactionTest, EmptyTransaction) {
  EXPECT_EQ(Run({"multi"}), Ok());
  EXPECT_EQ(Run({"exec"}), "*0\r\n");
}

TEST_F(TransactionTest, ControlErrors) {
  EXPECT_EQ(Run({"exec"}), Err("ERR EXEC without MULTI"));
  EXPECT_EQ(Run({"discard"}), Err("ERR DISCARD without MULTI"));
  EXPECT_EQ(Run({"multi"}), Ok());
  EXPECT_EQ(Run({"multi"}), Err("ERR MULTI calls can not be nested"));
  EXPECT_EQ(Run({"watch", "x"}), Err("ERR WATCH inside MULTI is not allowed"));
  EXPECT_EQ(Run({"ping"}), Status("QUEUED"));
  // Neither error aborts the transaction.
  EXPECT_EQ(Run({"exec"}), "*1\r\n" + Status("PONG"));
  EXPECT_EQ(Run({"multi", "extra"}), Err("ERR wrong number of arguments for 'multi' command"));
}

TEST_F(TransactionTest, QueuingErrorAbortsEverything) {
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"multi"}), Ok());
  EXPECT_EQ(Run({"set", "a", "2"}), Status("QUEUED"));
  EXPECT_THAT(Run({"nosuchcommand", "x"}), IsError("ERR unknown command 'nosuchcommand'"));
  EXPECT_EQ(Run({"set", "a"}), Err("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(Run({"exec"}), Err("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(Run({"get", "a"}), Bulk("1"));
  EXPECT_EQ(Run({"exec"}), Err("ERR EXEC without MULTI"));  // the transaction is gone
}

TEST_F(TransactionTest, RuntimeErrorsAreRepliesAndTheRestRuns) {
  Run({"set", "s", "abc"});
  EXPECT_EQ(Run({"multi"}), Ok());
  Run({"incr", "s"});
  Run({"set", "b", "x"});
  Run({"rpush", "s", "y"});
  Run({"get", "b"});
  EXPECT_EQ(Run({"exec"}), "*4\r\n" + Err("ERR value is not an integer or out of range") + Ok() +
                               Err("WRONGTYPE Operation against a key holding the wrong kind of "
                                   "value") +
                               Bulk("x"));
}

TEST_F(TransactionTest, DiscardDropsTheQueue) {
  EXPECT_EQ(Run({"multi"}), Ok());
  Run({"set", "a", "1"});
  EXPECT_EQ(Run({"discard"}), Ok());
  EXPECT_EQ(Run({"exists", "a"}), Int(0));
  EXPECT_EQ(Run({"discard"}), Err("ERR DISCARD without MULTI"));
}

TEST_F(TransactionTest, WatchedKeyModifiedByAnotherClientFailsExec) {
  Run({"set", "k", "1"});
  EXPECT_EQ(Run({"watch", "k"}), Ok());
  EXPECT_EQ(Run(other_, {"set", "k", "2"}), Ok());
  EXPECT_EQ(Run({"multi"}), Ok());
  Run({"set", "k", "3"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
  EXPECT_EQ(Run({"get", "k"}), Bulk("2"));
}

TEST_F(TransactionTest, WatchedKeyModifiedBySameClientFailsExec) {
  EXPECT_EQ(Run({"watch", "k"}), Ok());
  Run({"set", "k", "mine"});  // creating a missing key is a modification too
  EXPECT_EQ(Run({"multi"}), Ok());
  Run({"ping"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
}

TEST_F(TransactionTest, UnmodifiedWatchSucceedsAndReadsDoNotCount) {
  Run({"set", "k", "1"});
  EXPECT_EQ(Run({"watch", "k", "other"}), Ok());
  Run(other_, {"get", "k"});
  Run(other_, {"set", "unrelated", "x"});
  Run(other_, {"set", "k", "1", "xx", "get"});  // SET ... GET writes even the same value
  EXPECT_EQ(Run({"multi"}), Ok());
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");

  EXPECT_EQ(Run({"watch", "k"}), Ok());
  Run(other_, {"get", "k"});
  Run(other_, {"incrby", "nope", "notanumber"});  // a failed write changes nothing
  EXPECT_EQ(Run({"multi"}), Ok());
  Run({"incr", "k"});
  EXPECT_EQ(Run({"exec"}), "*1\r\n" + Int(2));
}

TEST_F(TransactionTest, ExecAndDiscardForgetWatches) {
  Run({"watch", "k"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*0\r\n");
  Run(other_, {"set", "k", "x"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*0\r\n");

  Run({"watch", "k"});
  Run({"multi"});
  Run({"discard"});
  Run(other_, {"set", "k", "y"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*0\r\n");
}

TEST_F(TransactionTest, UnwatchForgetsEvenADirtyWatch) {
  Run({"watch", "k"});
  Run(other_, {"set", "k", "x"});
  EXPECT_EQ(Run({"unwatch"}), Ok());
  Run({"multi"});
  EXPECT_EQ(Run({"unwatch"}), Status("QUEUED"));  // queued, as in Redis
  EXPECT_EQ(Run({"exec"}), "*1\r\n" + Ok());
}

TEST_F(TransactionTest, WatchedKeyThatExpiresFailsExec) {
  Run({"set", "k", "v", "px", "100"});
  EXPECT_EQ(Run({"watch", "k"}), Ok());
  clock_.AdvanceMs(200);  // logically expired, not yet deleted by anyone
  Run({"multi"});
  Run({"ping"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
}

TEST_F(TransactionTest, KeyAlreadyExpiredAtWatchIsNotAChangeWhenDeleted) {
  Run({"set", "k", "v", "px", "100"});
  clock_.AdvanceMs(200);
  EXPECT_EQ(Run({"watch", "k"}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Nil());  // lazy expiry deletes it now
  Run({"multi"});
  Run({"ping"});
  EXPECT_EQ(Run({"exec"}), "*1\r\n" + Status("PONG"));
}

TEST_F(TransactionTest, FlushTouchesWatchedKeys) {
  Run({"set", "k", "v"});
  Run({"watch", "k"});
  Run(other_, {"flushall"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
}

TEST_F(TransactionTest, PfcountRefreshingTheCacheTouchesWatchers) {
  // Redis 7.0: PFCOUNT rewrites the cached cardinality inside the string, a modification.
  Run({"pfadd", "h", "a"});
  Run({"watch", "h"});
  EXPECT_EQ(Run({"pfcount", "h"}), Int(1));
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*-1\r\n");
  Run({"watch", "h"});
  EXPECT_EQ(Run({"pfcount", "h"}), Int(1));  // cache now valid: a pure read
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*0\r\n");
}

TEST_F(TransactionTest, WatchIsPerDatabase) {
  Run({"watch", "k"});
  Run(other_, {"select", "1"});
  Run(other_, {"set", "k", "db1"});
  Run({"multi"});
  EXPECT_EQ(Run({"exec"}), "*0\r\n");
}

TEST_F(TransactionTest, SelectInsideTransactionAppliesToLaterCommands) {
  Run({"multi"});
  Run({"select", "2"});
  Run({"set", "k", "in2"});
  EXPECT_EQ(Run({"exec"}), "*2\r\n" + Ok() + Ok());
  EXPECT_EQ(Run({"get", "k"}), Bulk("in2"));
  Run({"select", "0"});
  EXPECT_EQ(Run({"get", "k"}), Nil());
}

}  // namespace
}  // namespace racetrack::engine
