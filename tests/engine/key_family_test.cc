// Generic key commands, expiry on a manual clock, and flushing with WATCH.
#include <set>

#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

using KeyFamilyTest = EngineTest;

TEST_F(KeyFamilyTest, DelExistsTouchUnlink) {
  Run({"mset", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(Run({"exists", "a", "a", "nope"}), Int(2));
  EXPECT_EQ(Run({"touch", "a", "b", "nope"}), Int(2));
  EXPECT_EQ(Run({"del", "a", "nope"}), Int(1));
  EXPECT_EQ(Run({"unlink", "b", "c"}), Int(2));
  EXPECT_EQ(Run({"dbsize"}), Int(0));
  EXPECT_EQ(Run({"del"}), Err("ERR wrong number of arguments for 'del' command"));
}

TEST_F(KeyFamilyTest, ExpireAndTtl) {
  EXPECT_EQ(Run({"expire", "k", "10"}), Int(0));
  EXPECT_EQ(Run({"ttl", "k"}), Int(-2));
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(Run({"expire", "k", "10"}), Int(1));
  EXPECT_EQ(Run({"ttl", "k"}), Int(10));
  clock_.AdvanceMs(1400);
  EXPECT_EQ(Run({"ttl", "k"}), Int(9));  // 8.6 s rounds to 9, as Redis
  EXPECT_EQ(Run({"pttl", "k"}), Int(8600));
  EXPECT_EQ(Run({"pexpire", "k", "100"}), Int(1));
  EXPECT_EQ(Run({"pttl", "k"}), Int(100));
  int64_t at = clock_.NowMs() + 5000;
  EXPECT_EQ(RunV({"pexpireat", "k", std::to_string(at)}), Int(1));
  EXPECT_EQ(Run({"pexpiretime", "k"}), Int(at));
  EXPECT_EQ(Run({"expiretime", "k"}), Int((at + 500) / 1000));
  EXPECT_EQ(Run({"persist", "k"}), Int(1));
  EXPECT_EQ(Run({"persist", "k"}), Int(0));
  EXPECT_EQ(Run({"expiretime", "k"}), Int(-1));
  EXPECT_EQ(Run({"expire", "k", "-1"}), Int(1));  // a past deadline deletes at once
  EXPECT_EQ(Run({"exists", "k"}), Int(0));
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"expireat", "k", "1"}), Int(1));
  EXPECT_EQ(Run({"exists", "k"}), Int(0));
}

TEST_F(KeyFamilyTest, ExpireOptions) {
  Run({"set", "k", "v"});
  EXPECT_EQ(Run({"expire", "k", "100", "xx"}), Int(0));
  EXPECT_EQ(Run({"expire", "k", "100", "gt"}), Int(0));  // no TTL counts as infinite
  EXPECT_EQ(Run({"expire", "k", "100", "nx"}), Int(1));
  EXPECT_EQ(Run({"expire", "k", "200", "nx"}), Int(0));
  EXPECT_EQ(Run({"expire", "k", "50", "gt"}), Int(0));
  EXPECT_EQ(Run({"expire", "k", "200", "gt"}), Int(1));
  EXPECT_EQ(Run({"expire", "k", "300", "lt"}), Int(0));
  EXPECT_EQ(Run({"expire", "k", "30", "LT"}), Int(1));
  EXPECT_EQ(Run({"ttl", "k"}), Int(30));
  EXPECT_EQ(Run({"expire", "k", "1", "nx", "xx"}),
            Err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  EXPECT_EQ(Run({"expire", "k", "1", "gt", "lt"}),
            Err("ERR GT and LT options at the same time are not compatible"));
  EXPECT_EQ(Run({"expire", "k", "1", "foo"}), Err("ERR Unsupported option foo"));
  // As Redis's printf %s: the quoted option ends at its first NUL byte (differential fuzzer).
  EXPECT_EQ(RunV({"expire", "k", "1", std::string("fo\0o", 4)}), Err("ERR Unsupported option fo"));
  EXPECT_EQ(RunV({"expire", "k", "1", std::string("\0\xff", 2)}), Err("ERR Unsupported option "));
  EXPECT_EQ(Run({"pexpire", "k", "1", "\r\n"}), Err("ERR Unsupported option "));
  EXPECT_EQ(Run({"expire", "k", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"expire", "k", "9223372036854775807"}),
            Err("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(Run({"pexpire", "k", "9223372036854775807"}),
            Err("ERR invalid expire time in 'pexpire' command"));
}

TEST_F(KeyFamilyTest, LazyAndActiveExpiry) {
  Run({"set", "a", "1", "px", "10"});
  Run({"set", "b", "1", "px", "10"});
  clock_.AdvanceMs(11);
  EXPECT_EQ(Run({"get", "a"}), Nil());  // lazily
  EXPECT_EQ(Run({"dbsize"}), Int(1));   // b is still in memory, but invisible
  EXPECT_EQ(Run({"keys", "*"}), "*0\r\n");
  engine_.Cron();  // actively
  EXPECT_EQ(Run({"dbsize"}), Int(0));
}

TEST_F(KeyFamilyTest, TypeRename) {
  Run({"set", "s", "v"});
  Run({"hset", "h", "f", "v"});
  EXPECT_EQ(Run({"type", "s"}), Status("string"));
  EXPECT_EQ(Run({"type", "h"}), Status("hash"));
  EXPECT_EQ(Run({"type", "nope"}), Status("none"));
  EXPECT_EQ(Run({"rename", "nope", "x"}), Err("ERR no such key"));
  EXPECT_EQ(Run({"rename", "s", "s"}), Ok());
  EXPECT_EQ(Run({"renamenx", "s", "s"}), Int(0));
  Run({"expire", "s", "100"});
  EXPECT_EQ(Run({"rename", "s", "t"}), Ok());
  EXPECT_EQ(Run({"ttl", "t"}), Int(100));
  EXPECT_EQ(Run({"exists", "s"}), Int(0));
  EXPECT_EQ(Run({"renamenx", "t", "h"}), Int(0));
  EXPECT_EQ(Run({"rename", "t", "h"}), Ok());
  EXPECT_EQ(Run({"type", "h"}), Status("string"));
  EXPECT_EQ(Run({"renamenx", "h", "z"}), Int(1));
}

TEST_F(KeyFamilyTest, KeysScanRandomKey) {
  EXPECT_EQ(Run({"randomkey"}), Nil());
  Run({"mset", "user:1", "a", "user:2", "b", "other", "c"});
  Run({"hset", "user:h", "f", "v"});
  EXPECT_EQ(Run({"keys", "nothing*"}), "*0\r\n");
  EXPECT_EQ(Run({"keys", "other"}), Arr({"other"}));
  std::string r = Run({"randomkey"});
  EXPECT_EQ(r[0], '$');

  // A full SCAN returns every key exactly once (no resizing during the scan).
  std::multiset<std::string> seen;
  std::string cursor = "0";
  do {
    std::string reply = RunV({"scan", cursor, "count", "2", "match", "user:*"});
    // *2 $len cursor *n ...
    size_t p = reply.find("\r\n", 4);
    size_t c_start = reply.find("\r\n") + 2;
    c_start = reply.find("\r\n", c_start) + 2;
    (void)p;
    size_t c_end = reply.find("\r\n", c_start);
    cursor = reply.substr(c_start, c_end - c_start);
    for (const char* k : {"user:1", "user:2", "user:h", "other"}) {
      if (reply.find(std::string("\r\n") + k + "\r\n") != std::string::npos) seen.insert(k);
    }
  } while (cursor != "0");
  EXPECT_EQ(seen, (std::multiset<std::string>{"user:1", "user:2", "user:h"}));

  std::string typed = Run({"scan", "0", "count", "1000", "type", "hash"});
  EXPECT_EQ(typed, "*2\r\n$1\r\n0\r\n*1\r\n$6\r\nuser:h\r\n");
  EXPECT_EQ(Run({"scan", "x"}), Err("ERR invalid cursor"));
  EXPECT_EQ(Run({"scan", "0", "count", "0"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"scan", "0", "bogus"}), Err("ERR syntax error"));
}

TEST_F(KeyFamilyTest, ObjectEncoding) {
  Run({"set", "i", "12345"});
  Run({"set", "e", "hello"});
  Run({"set", "r", std::string(50, 'x')});
  Run({"hset", "h", "f", "v"});
  EXPECT_EQ(Run({"object", "encoding", "i"}), Bulk("int"));
  EXPECT_EQ(Run({"object", "encoding", "e"}), Bulk("embstr"));
  EXPECT_EQ(Run({"object", "encoding", "r"}), Bulk("raw"));
  EXPECT_EQ(Run({"object", "encoding", "h"}), Bulk("listpack"));
  EXPECT_EQ(Run({"object", "encoding", "nope"}), Nil());
  EXPECT_EQ(Run({"object", "foo"}), Err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  EXPECT_EQ(Run({"object"}), Err("ERR wrong number of arguments for 'object' command"));
  EXPECT_EQ(Run({"object", "encoding"}),
            Err("ERR wrong number of arguments for 'object|encoding' command"));
}

TEST_F(KeyFamilyTest, FlushMarksWatchersAndSelectIsolates) {
  ClientState other;
  engine_.AddClient(&other);
  Run({"set", "k", "v"});
  WatchKey(engine_, other, 0, "k");  // what WATCH k does
  EXPECT_EQ(Run({"select", "1"}), Ok());
  Run({"set", "k", "db1"});
  EXPECT_EQ(Run({"flushdb"}), Ok());
  EXPECT_FALSE(other.watch_dirty);  // db 1 flushed: the watch is on db 0
  EXPECT_EQ(Run({"select", "0"}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"flushall", "async"}), Ok());
  EXPECT_TRUE(other.watch_dirty);
  EXPECT_EQ(Run({"dbsize"}), Int(0));
  EXPECT_EQ(Run({"flushall", "bogus"}), Err("ERR syntax error"));
  UnwatchAll(engine_, other);
  engine_.RemoveClient(&other);
}

}  // namespace
}  // namespace racetrack::engine
