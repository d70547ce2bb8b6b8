// String commands, as redis-cli sessions against an in-process engine on a manual clock.
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

using StringFamilyTest = EngineTest;

TEST_F(StringFamilyTest, GetSet) {
  EXPECT_EQ(Run({"get", "k"}), Nil());
  EXPECT_EQ(Run({"set", "k", "v"}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"set", "k", ""}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Bulk(""));
  EXPECT_EQ(Run({"get"}), Err("ERR wrong number of arguments for 'get' command"));
}

TEST_F(StringFamilyTest, SetNxXxGet) {
  EXPECT_EQ(Run({"set", "k", "1", "xx"}), Nil());
  EXPECT_EQ(Run({"set", "k", "1", "nx"}), Ok());
  EXPECT_EQ(Run({"set", "k", "2", "nx"}), Nil());
  EXPECT_EQ(Run({"set", "k", "2", "XX"}), Ok());
  EXPECT_EQ(Run({"set", "k", "3", "get"}), Bulk("2"));
  EXPECT_EQ(Run({"set", "k", "4", "nx", "get"}), Bulk("3"));  // NX fails, GET still answers
  EXPECT_EQ(Run({"get", "k"}), Bulk("3"));
  EXPECT_EQ(Run({"set", "k", "1", "nx", "xx"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"set", "k", "1", "bogus"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"hset", "h", "f", "v"}), Int(1));
  EXPECT_THAT(Run({"set", "h", "v", "get"}), IsError("WRONGTYPE"));
  EXPECT_EQ(Run({"type", "h"}), Status("hash"));  // a failed SET GET changes nothing
}

TEST_F(StringFamilyTest, SetExpiryOptions) {
  EXPECT_EQ(Run({"set", "k", "v", "ex", "10"}), Ok());
  EXPECT_EQ(Run({"pttl", "k"}), Int(10000));
  EXPECT_EQ(Run({"set", "k", "v", "px", "1500"}), Ok());
  EXPECT_EQ(Run({"pttl", "k"}), Int(1500));
  EXPECT_EQ(Run({"set", "k", "w", "keepttl"}), Ok());
  EXPECT_EQ(Run({"pttl", "k"}), Int(1500));
  EXPECT_EQ(Run({"set", "k", "w"}), Ok());
  EXPECT_EQ(Run({"pttl", "k"}), Int(-1));
  int64_t now_s = clock_.NowMs() / 1000;
  EXPECT_EQ(RunV({"set", "k", "v", "exat", std::to_string(now_s + 100)}), Ok());
  EXPECT_EQ(Run({"expiretime", "k"}), Int(now_s + 100));
  EXPECT_EQ(RunV({"set", "k", "v", "pxat", std::to_string(clock_.NowMs() + 5)}), Ok());
  clock_.AdvanceMs(5);
  EXPECT_EQ(Run({"get", "k"}), Bulk("v"));  // at the deadline itself, as Redis (now > when)
  clock_.AdvanceMs(1);
  EXPECT_EQ(Run({"get", "k"}), Nil());

  EXPECT_EQ(Run({"set", "k", "v", "ex", "0"}), Err("ERR invalid expire time in 'set' command"));
  EXPECT_EQ(Run({"set", "k", "v", "px", "-1"}), Err("ERR invalid expire time in 'set' command"));
  EXPECT_EQ(Run({"set", "k", "v", "ex", "9223372036854775807"}),
            Err("ERR invalid expire time in 'set' command"));
  EXPECT_EQ(Run({"set", "k", "v", "ex", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"set", "k", "v", "ex"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"set", "k", "v", "ex", "1", "px", "1"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"set", "k", "v", "ex", "1", "keepttl"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"exists", "k"}), Int(0));
}

TEST_F(StringFamilyTest, SetNxSetExPSetEx) {
  EXPECT_EQ(Run({"setnx", "k", "a"}), Int(1));
  EXPECT_EQ(Run({"setnx", "k", "b"}), Int(0));
  EXPECT_EQ(Run({"get", "k"}), Bulk("a"));
  EXPECT_EQ(Run({"setex", "k", "5", "v"}), Ok());
  EXPECT_EQ(Run({"ttl", "k"}), Int(5));
  EXPECT_EQ(Run({"psetex", "k", "2500", "v"}), Ok());
  EXPECT_EQ(Run({"pttl", "k"}), Int(2500));
  EXPECT_EQ(Run({"setex", "k", "0", "v"}), Err("ERR invalid expire time in 'setex' command"));
  EXPECT_EQ(Run({"psetex", "k", "-5", "v"}), Err("ERR invalid expire time in 'psetex' command"));
  clock_.AdvanceMs(2501);
  EXPECT_EQ(Run({"get", "k"}), Nil());
}

TEST_F(StringFamilyTest, GetSetGetDelGetEx) {
  EXPECT_EQ(Run({"getset", "k", "1"}), Nil());
  EXPECT_EQ(Run({"getset", "k", "2"}), Bulk("1"));
  EXPECT_EQ(Run({"getdel", "k"}), Bulk("2"));
  EXPECT_EQ(Run({"getdel", "k"}), Nil());
  EXPECT_EQ(Run({"getex", "k"}), Nil());
  EXPECT_EQ(Run({"set", "k", "v"}), Ok());
  EXPECT_EQ(Run({"getex", "k", "ex", "100"}), Bulk("v"));
  EXPECT_EQ(Run({"ttl", "k"}), Int(100));
  EXPECT_EQ(Run({"getex", "k", "persist"}), Bulk("v"));
  EXPECT_EQ(Run({"ttl", "k"}), Int(-1));
  EXPECT_EQ(Run({"getex", "k", "nx"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"getex", "k", "px", "0"}), Err("ERR invalid expire time in 'getex' command"));
  EXPECT_EQ(Run({"getex", "k", "pxat", "1"}), Bulk("v"));  // a past deadline deletes the key
  EXPECT_EQ(Run({"exists", "k"}), Int(0));
}

TEST_F(StringFamilyTest, MGetMSet) {
  EXPECT_EQ(Run({"mset", "a", "1", "b", "2"}), Ok());
  EXPECT_EQ(Run({"hset", "h", "f", "v"}), Int(1));
  EXPECT_EQ(Run({"mget", "a", "h", "nope", "b"}), "*4\r\n$1\r\n1\r\n$-1\r\n$-1\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run({"mset", "a", "1", "b"}), Err("ERR wrong number of arguments for 'mset' command"));
  EXPECT_EQ(Run({"msetnx", "a", "9", "c", "3"}), Int(0));
  EXPECT_EQ(Run({"exists", "c"}), Int(0));
  EXPECT_EQ(Run({"msetnx", "c", "3", "d", "4"}), Int(1));
  EXPECT_EQ(Run({"mget", "c", "d"}), Arr({"3", "4"}));
}

TEST_F(StringFamilyTest, AppendStrlenRanges) {
  EXPECT_EQ(Run({"append", "k", "Hello"}), Int(5));
  EXPECT_EQ(Run({"append", "k", " World"}), Int(11));
  EXPECT_EQ(Run({"strlen", "k"}), Int(11));
  EXPECT_EQ(Run({"strlen", "nope"}), Int(0));
  EXPECT_EQ(Run({"getrange", "k", "0", "4"}), Bulk("Hello"));
  EXPECT_EQ(Run({"getrange", "k", "-5", "-1"}), Bulk("World"));
  EXPECT_EQ(Run({"getrange", "k", "-1", "-5"}), Bulk(""));
  EXPECT_EQ(Run({"getrange", "k", "5", "100"}), Bulk(" World"));
  EXPECT_EQ(Run({"getrange", "nope", "0", "-1"}), Bulk(""));
  EXPECT_EQ(Run({"getrange", "k", "a", "1"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"setrange", "k", "6", "Redis"}), Int(11));
  EXPECT_EQ(Run({"get", "k"}), Bulk("Hello Redis"));
  EXPECT_EQ(Run({"setrange", "z", "3", "x"}), Int(4));
  EXPECT_EQ(Run({"get", "z"}), Bulk(std::string("\0\0\0x", 4)));
  EXPECT_EQ(Run({"setrange", "empty", "5", ""}), Int(0));
  EXPECT_EQ(Run({"exists", "empty"}), Int(0));
  EXPECT_EQ(Run({"setrange", "k", "-1", "x"}), Err("ERR offset is out of range"));
  EXPECT_EQ(Run({"setrange", "k", "536870911", "xx"}),
            Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
}

TEST_F(StringFamilyTest, Counters) {
  EXPECT_EQ(Run({"incr", "k"}), Int(1));
  EXPECT_EQ(Run({"incrby", "k", "10"}), Int(11));
  EXPECT_EQ(Run({"decr", "k"}), Int(10));
  EXPECT_EQ(Run({"decrby", "k", "20"}), Int(-10));
  EXPECT_EQ(Run({"get", "k"}), Bulk("-10"));
  EXPECT_EQ(Run({"set", "k", "9223372036854775807"}), Ok());
  EXPECT_EQ(Run({"incr", "k"}), Err("ERR increment or decrement would overflow"));
  EXPECT_EQ(Run({"decrby", "k", "-9223372036854775808"}), Err("ERR decrement would overflow"));
  EXPECT_EQ(Run({"set", "k", " 1"}), Ok());
  EXPECT_EQ(Run({"incr", "k"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"incrby", "k", "1.5"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"hset", "h", "f", "v"}), Int(1));
  EXPECT_THAT(Run({"incr", "h"}), IsError("WRONGTYPE"));
}

TEST_F(StringFamilyTest, IncrKeepsTtl) {
  EXPECT_EQ(Run({"set", "k", "1", "ex", "100"}), Ok());
  EXPECT_EQ(Run({"incr", "k"}), Int(2));
  EXPECT_EQ(Run({"ttl", "k"}), Int(100));
}

TEST_F(StringFamilyTest, IncrByFloat) {
  EXPECT_EQ(Run({"incrbyfloat", "k", "10.5"}), Bulk("10.5"));
  EXPECT_EQ(Run({"incrbyfloat", "k", "0.1"}), Bulk("10.6"));
  EXPECT_EQ(Run({"incrbyfloat", "k", "-5"}), Bulk("5.6"));
  EXPECT_EQ(Run({"set", "k", "5.0e3"}), Ok());
  EXPECT_EQ(Run({"incrbyfloat", "k", "2.0e2"}), Bulk("5200"));
  EXPECT_EQ(Run({"incrbyfloat", "k", "abc"}), Err("ERR value is not a valid float"));
  EXPECT_EQ(Run({"incrbyfloat", "k", "inf"}), Err("ERR increment would produce NaN or Infinity"));
  EXPECT_EQ(Run({"set", "s", "x"}), Ok());
  EXPECT_EQ(Run({"incrbyfloat", "s", "1"}), Err("ERR value is not a valid float"));
}

TEST_F(StringFamilyTest, WritesCountAsDirty) {
  uint64_t before = engine_.dirty();
  Run({"set", "k", "1"});
  Run({"incr", "k"});
  Run({"append", "k", "0"});
  Run({"setrange", "k", "0", "9"});
  EXPECT_EQ(engine_.dirty(), before + 4);
}

}  // namespace
}  // namespace racetrack::engine
