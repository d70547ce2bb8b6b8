// Multi-connection conformance for clients blocked in XREADGROUP / XREAD (issue 18, the
// type/stream-cgroups Tcl unit): one connection blocks with BLOCK 0, another deletes, overwrites,
// flushes, swaps, renames or expires the stream, or destroys the group. Redis 7.0.15 answers a
// blocked XREADGROUP "-UNBLOCKED the stream key no longer exists" once its key is gone or holds
// another type, "-NOGROUP the consumer group this client was blocked on no longer exists" once the
// group is gone, and keeps a plain XREAD waiting on a deleted key until an entry arrives. The raw
// bytes each server sends the blocked connection are compared.
//
// Blocking is observed through INFO's blocked_clients (polled), not through a sleep, so the
// transcript does not depend on the machine's speed. Skipped only when redis-server is missing.
//
// Also here: the timeouts the blocking commands parse, at the edges of the clock (huge, infinite,
// tiny negative), answered as Redis does.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/conformance/dual_servers.h"

namespace racetrack::conformance {
namespace {

class StreamBlockingConformance : public DualServerTest {};

// True once INFO clients reports `count` blocked clients (polled for up to 10 s).
bool WaitBlocked(redisContext* c, int count) {
  const std::string want = "blocked_clients:" + std::to_string(count) + "\r\n";
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    Reply r = Command(c, {"INFO", "clients"});
    if (r && r->type == REDIS_REPLY_STRING && std::string(r->str, r->len).find(want) !=
                                                  std::string::npos) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::string BlockedStreamTranscript(int port) {
  RawSocket waiter(port);
  Connection other = Connect(port);
  if (!waiter.ok() || !other) return "(cannot connect)";
  std::string t;
  auto run = [&](const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    t += "[" + line + "] " + Show(Command(other.get(), argv).get()) + "\n";
  };
  // The waiter sends argv; the transcript records whether it blocked.
  auto block = [&](const std::vector<std::string>& argv) {
    waiter.Send(Resp(argv));
    t += WaitBlocked(other.get(), 1) ? "[blocked]\n"
                                      : "[not blocked] " + waiter.ReadUntilQuiet() + "\n";
  };
  auto woken = [&] {
    t += "[woken] " + waiter.ReadFirstThenQuiet(std::chrono::milliseconds(5000)) + "\n";
  };
  // A fresh stream "s" in db 0 with group "g" at its end.
  auto fresh = [&] {
    run({"DEL", "s"});
    run({"XADD", "s", "666", "f", "v"});
    run({"XGROUP", "CREATE", "s", "g", "$"});
  };
  const std::vector<std::string> readgroup = {"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0",
                                              "STREAMS",    "s",     ">"};
  // The waiter blocks on a fresh stream's group while `commands` run on the other connection; the
  // transcript records what wakes it.
  auto woken_by = [&](const std::vector<std::vector<std::string>>& commands) {
    fresh();
    block(readgroup);
    for (const auto& argv : commands) run(argv);
    woken();
  };
  run({"FLUSHALL"});

  woken_by({{"XADD", "s", "667", "f", "w"}});  // served as usual
  woken_by({{"DEL", "s"}});
  woken_by({{"SET", "s", "val1"}});
  woken_by({{"MULTI"}, {"DEL", "s"}, {"SADD", "s", "e1"}, {"EXEC"}});
  woken_by({{"FLUSHALL"}});

  // SWAPDB with a db where "s" does not exist, then with one where it is a list.
  for (bool list_there : {false, true}) {
    run({"SELECT", "1"});
    run({"FLUSHDB"});
    if (list_there) run({"LPUSH", "s", "e1"});
    run({"SELECT", "0"});
    woken_by({{"SWAPDB", "1", "0"}});
    run({"FLUSHALL"});
  }

  woken_by({{"XGROUP", "DESTROY", "s", "g"}});

  // RENAME over the stream: by a stream with the group and data, then by one without the group.
  woken_by({{"XGROUP", "CREATE", "s2", "g", "$", "MKSTREAM"},
            {"XADD", "s2", "100", "f1", "v1"},
            {"RENAME", "s2", "s"}});
  woken_by({{"XADD", "s2", "100", "f1", "v1"}, {"RENAME", "s2", "s"}});

  // The stream expires while the client waits (the active expiry deletes it: nobody touches it).
  woken_by({{"PEXPIRE", "s", "100"}});

  // A blocked group in a stream that is replaced by a stream with the same group and no new entry
  // keeps waiting until an entry arrives.
  fresh();
  block(readgroup);
  run({"MULTI"});
  run({"DEL", "s"});
  run({"XADD", "s", "700", "f", "v"});
  run({"XGROUP", "CREATE", "s", "g", "$"});
  run({"EXEC"});
  t += "[still waiting] " + waiter.ReadUntilQuiet(std::chrono::milliseconds(300)) + "\n";
  run({"XADD", "s", "701", "f", "v"});
  woken();

  // Plain XREAD keeps waiting on a deleted or overwritten key and is served by the next XADD.
  for (bool overwrite : {false, true}) {
    run({"DEL", "s"});
    run({"XADD", "s", "666", "f", "v"});
    block({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
    if (overwrite) run({"SET", "s", "val1"});
    run({"DEL", "s"});
    t += "[still waiting] " + waiter.ReadUntilQuiet(std::chrono::milliseconds(300)) + "\n";
    run({"XADD", "s", "667", "f", "v"});
    woken();
  }
  run({"FLUSHALL"});
  return t;
}

TEST_F(StreamBlockingConformance, BlockedReadersWhenTheStreamOrGroupGoesAway) {
  const std::string redis = SameOnBoth(
      BlockedStreamTranscript,
      {"[woken] -UNBLOCKED the stream key no longer exists\r\n",
       "[woken] -NOGROUP the consumer group this client was blocked on no longer exists\r\n"});
  EXPECT_EQ(redis.find("[not blocked]"), std::string::npos) << redis;
  EXPECT_EQ(redis.find("[woken] \n"), std::string::npos) << redis;
}

// Redis turns a blocking command's seconds into `(long long) ceill(secs * 1000)` and adds the
// clock in a signed sum: a product beyond long long (inf, 1e30) is "timeout is negative", a tiny
// negative one rounds to 0 (no timeout), and a timeout whose deadline passes INT64_MAX waits with
// no deadline — or, for CLIENT PAUSE, pauses nothing. Found by the command fuzzer (an
// out-of-range conversion in BLMPOP 7.7e96); inside MULTI the blocking forms answer at once, so
// the ones that would wait can be compared too.
TEST_F(StreamBlockingConformance, TimeoutsAtTheEdgesOfTheClockAsRedis) {
  // A server that wrongly waits makes a failed comparison after 5 s, not a hung test.
  const timeval limit{5, 0};
  redisSetTimeout(redis_.get(), limit);
  redisSetTimeout(ours_.get(), limit);
  for (const char* t : {"1e30", "-1e30", "9223372036854776", "inf", "-inf", "+inf", "nan", "-1",
                        "1e5000", "abc", "7777777777777777777777777777777777777777777777777777.01",
                        "1e-9", "0.0001"}) {
    Both({"BLPOP", "nokey", t});
    Both({"BLMPOP", t, "1", "nokey", "LEFT"});
    Both({"BZPOPMIN", "nokey", t});
    Both({"BLMOVE", "nokey", "dst", "LEFT", "RIGHT", t});
  }
  Both({"MULTI"});
  for (const char* t : {"-0.0001", "-1e-300", "9223372036854775", "9223372036854775.807"}) {
    Both({"BLPOP", "nokey", t});
    Both({"BZMPOP", t, "1", "nokey", "MIN"});
  }
  Both({"XREAD", "BLOCK", "9223372036854775807", "STREAMS", "nokey", "$"});
  Both({"WAIT", "1", "9223372036854775807"});
  EXPECT_EQ(Both({"EXEC"}).find("ERR"), std::string::npos);
  // A pause whose end passes the clock's range pauses nothing: a write right after it is served.
  Both({"CLIENT", "PAUSE", "9223372036854775807", "WRITE"});
  Both({"SET", "paused?", "no"});
  for (int port : ports_) {
    Connection admin = Connect(port);
    ASSERT_TRUE(admin);
    Command(admin.get(), {"CLIENT", "UNPAUSE"});
  }
}

}  // namespace
}  // namespace racetrack::conformance
