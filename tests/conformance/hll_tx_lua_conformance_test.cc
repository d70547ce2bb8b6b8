// Conformance beyond one-connection scripts (issue 3): the same 100,000 elements PFADDed into a
// real redis-server and into racetrack-server give the same PFCOUNT and byte-identical GET of the
// key; WATCH with a second connection modifying the key makes EXEC answer a null array on both.
//
// Both servers are throwaway processes on free loopback ports. Skipped only when redis-server is
// not installed.
#include <hiredis/hiredis.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "adapters/server_process.h"
#include "tests/conformance/dual_servers.h"

namespace racetrack::conformance {
namespace {

class HllTxLuaConformance : public conformance::DualServerTest {};

TEST_F(HllTxLuaConformance, HundredThousandElementsGiveSameCountAndBytes) {
  Both({"del", "visitors", "v2", "merged"});
  // 100 PFADD calls of 1,000 elements each, pipelined.
  for (redisContext* c : {redis_.get(), ours_.get()}) {
    for (int batch = 0; batch < 100; ++batch) {
      std::vector<std::string> argv = {"pfadd", "visitors"};
      for (int i = 0; i < 1000; ++i) argv.push_back("user:" + std::to_string(batch * 1000 + i));
      std::vector<const char*> ptrs;
      std::vector<size_t> lens;
      for (const auto& a : argv) {
        ptrs.push_back(a.data());
        lens.push_back(a.size());
      }
      ASSERT_EQ(redisAppendCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data()),
                REDIS_OK);
    }
    for (int batch = 0; batch < 100; ++batch) {
      void* r = nullptr;
      ASSERT_EQ(redisGetReply(c, &r), REDIS_OK);
      Reply reply(static_cast<redisReply*>(r));
      ASSERT_EQ(reply->type, REDIS_REPLY_INTEGER) << Show(reply.get());
    }
  }
  // Bytes before the first PFCOUNT (stale cache), the count, bytes after (cache stored).
  std::string before = Both({"get", "visitors"});
  EXPECT_NE(before.find("bulk(12304):HYLL"), std::string::npos);
  std::string count = Both({"pfcount", "visitors"});
  RecordProperty("pfcount_100k", count);
  EXPECT_EQ(count.substr(0, 1), ":");
  Both({"get", "visitors"});
  Both({"strlen", "visitors"});

  // Union and merge with a second, sparse HLL.
  Both({"pfadd", "v2", "user:1", "user:2", "someone-else", "another-one"});
  Both({"get", "v2"});
  Both({"pfcount", "visitors", "v2"});
  Both({"pfmerge", "merged", "v2", "visitors"});
  Both({"get", "merged"});
  Both({"pfcount", "merged"});
}

TEST_F(HllTxLuaConformance, WatchedKeyModifiedByAnotherConnectionFailsExec) {
  for (int port : ports_) {
    SCOPED_TRACE(port == ports_[0] ? "redis-server" : "racetrack-server");
    Connection a = Connect(port), b = Connect(port);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(Show(Command(a.get(), {"set", "balance", "100"}).get()), "+OK");
    EXPECT_EQ(Show(Command(a.get(), {"watch", "balance"}).get()), "+OK");
    EXPECT_EQ(Show(Command(b.get(), {"incrby", "balance", "5"}).get()), ":105");
    EXPECT_EQ(Show(Command(a.get(), {"multi"}).get()), "+OK");
    EXPECT_EQ(Show(Command(a.get(), {"set", "balance", "0"}).get()), "+QUEUED");
    EXPECT_EQ(Show(Command(a.get(), {"exec"}).get()), "(nil)");  // *-1
    EXPECT_EQ(Show(Command(a.get(), {"get", "balance"}).get()), "bulk(3):105");

    // Unmodified: EXEC runs; and the next EXEC no longer watches anything.
    EXPECT_EQ(Show(Command(a.get(), {"watch", "balance"}).get()), "+OK");
    EXPECT_EQ(Show(Command(b.get(), {"get", "balance"}).get()), "bulk(3):105");
    EXPECT_EQ(Show(Command(a.get(), {"multi"}).get()), "+OK");
    EXPECT_EQ(Show(Command(a.get(), {"incr", "balance"}).get()), "+QUEUED");
    EXPECT_EQ(Show(Command(a.get(), {"exec"}).get()), "[:106]");
    EXPECT_EQ(Show(Command(b.get(), {"set", "balance", "7"}).get()), "+OK");
    EXPECT_EQ(Show(Command(a.get(), {"multi"}).get()), "+OK");
    EXPECT_EQ(Show(Command(a.get(), {"exec"}).get()), "[]");

    // A write by a Lua script on the other connection counts too.
    EXPECT_EQ(Show(Command(a.get(), {"watch", "balance"}).get()), "+OK");
    EXPECT_EQ(Show(Command(b.get(), {"eval", "return redis.call('incr', KEYS[1])", "1", "balance"})
                       .get()),
              ":8");
    EXPECT_EQ(Show(Command(a.get(), {"multi"}).get()), "+OK");
    EXPECT_EQ(Show(Command(a.get(), {"exec"}).get()), "(nil)");
  }
}

// A runaway script (BUSY, SCRIPT KILL, UNKILLABLE) is compared in script_busy_conformance_test.

}  // namespace
}  // namespace racetrack::conformance
