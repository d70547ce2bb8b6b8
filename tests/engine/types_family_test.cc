// Command-level tests for the list, set and sorted-set families, read like redis-cli sessions.
// Exhaustive reply-for-reply checks against a real Redis live in tests/conformance/scripts.
#include <string>

#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

class TypesFamilyTest : public EngineTest {};

TEST_F(TypesFamilyTest, ListPushPopRange) {
  EXPECT_EQ(Run({"rpush", "l", "a", "b", "c"}), Int(3));
  EXPECT_EQ(Run({"lpush", "l", "z"}), Int(4));
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}), Arr({"z", "a", "b", "c"}));
  EXPECT_EQ(Run({"lpop", "l", "2"}), Arr({"z", "a"}));
  EXPECT_EQ(Run({"rpop", "l"}), Bulk("c"));
  EXPECT_EQ(Run({"lmove", "l", "m", "left", "right"}), Bulk("b"));
  EXPECT_EQ(Run({"exists", "l"}), Int(0));  // emptied lists disappear
  EXPECT_EQ(Run({"lpop", "nokey", "1"}), "*-1\r\n");
  EXPECT_EQ(Run({"lpos", "m", "b", "count", "0"}), "*1\r\n:0\r\n");
}

TEST_F(TypesFamilyTest, ListErrors) {
  Run({"rpush", "l", "a"});
  EXPECT_EQ(Run({"lset", "l", "5", "x"}), Err("ERR index out of range"));
  EXPECT_EQ(Run({"lset", "nokey", "0", "x"}), Err("ERR no such key"));
  EXPECT_EQ(Run({"lpop", "l", "-1"}), Err("ERR value is out of range, must be positive"));
  EXPECT_THAT(Run({"lpos", "l", "a", "rank", "0"}), IsError("ERR RANK can't be zero"));
  EXPECT_EQ(Run({"linsert", "l", "middle", "a", "b"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"lrange", "l", "0", "-1"}), Arr({"a"}));  // nothing changed
}

// A negative count repeats picks |count| times whatever the key holds; a count whose reply would
// exceed the reply limit is refused up front (fuzz finding: SRANDMEMBER s -372036854775808 made
// the server build a reply of 3.7e17 members), and the server goes on serving.
TEST_F(TypesFamilyTest, RandomPicksCannotAskForAReplyBeyondTheLimit) {
  Run({"sadd", "s", "a", "b"});
  Run({"hset", "h", "f", "v"});
  Run({"zadd", "z", "1", "m"});
  const std::string too_many = "ERR count 372036854775808 would make a reply larger than "
                               "1073741824 bytes (client-output-buffer-limit normal, 1gb when 0)";
  EXPECT_EQ(Run({"srandmember", "s", "-372036854775808"}), Err(too_many));
  EXPECT_EQ(Run({"hrandfield", "h", "-372036854775808"}), Err(too_many));
  EXPECT_EQ(Run({"zrandmember", "z", "-372036854775808"}), Err(too_many));
  EXPECT_EQ(Run({"srandmember", "s", "-3"}).substr(0, 4), "*3\r\n");  // small counts answer
  EXPECT_EQ(Run({"srandmember", "nokey", "-372036854775808"}), "*0\r\n");  // nothing to pick
  // With a normal-class hard limit the limit is that: 1 MB holds 174,762 empty-bulk picks, or
  // 87,381 pairs.
  EXPECT_EQ(Run({"config", "set", "client-output-buffer-limit", "normal 1mb 0 0"}), "+OK\r\n");
  EXPECT_EQ(Run({"srandmember", "s", "-174762"}).substr(0, 9), "*174762\r\n");
  EXPECT_THAT(Run({"srandmember", "s", "-174763"}), IsError("ERR count 174763 would make"));
  EXPECT_THAT(Run({"hrandfield", "h", "-87382", "withvalues"}), IsError("ERR count 87382"));
  EXPECT_THAT(Run({"zrandmember", "z", "-87382", "withscores"}), IsError("ERR count 87382"));
  EXPECT_EQ(Run({"scard", "s"}), Int(2));  // nothing changed
}

TEST_F(TypesFamilyTest, SetCommands) {
  EXPECT_EQ(Run({"sadd", "s", "3", "1", "2"}), Int(3));
  EXPECT_EQ(Run({"smembers", "s"}), Arr({"1", "2", "3"}));  // intset: ascending
  EXPECT_EQ(Run({"object", "encoding", "s"}), Bulk("intset"));
  EXPECT_EQ(Run({"sadd", "s", "x"}), Int(1));
  EXPECT_EQ(Run({"object", "encoding", "s"}), Bulk("hashtable"));
  EXPECT_EQ(Run({"sadd", "t", "2", "x", "9"}), Int(3));
  EXPECT_EQ(Run({"sintercard", "2", "s", "t"}), Int(2));
  EXPECT_EQ(Run({"sdiffstore", "d", "t", "s"}), Int(1));
  EXPECT_EQ(Run({"smembers", "d"}), Arr({"9"}));
  EXPECT_EQ(Run({"smove", "d", "s", "9"}), Int(1));
  EXPECT_EQ(Run({"exists", "d"}), Int(0));
  EXPECT_EQ(Run({"smismember", "s", "9", "nope"}), "*2\r\n:1\r\n:0\r\n");
  EXPECT_EQ(Run({"spop", "t", "10"}).substr(0, 4), "*3\r\n");
  EXPECT_EQ(Run({"exists", "t"}), Int(0));
  EXPECT_EQ(Run({"sintercard", "0", "s"}), Err("ERR numkeys should be greater than 0"));
}

TEST_F(TypesFamilyTest, ZSetAddFlagsAndRanges) {
  EXPECT_EQ(Run({"zadd", "z", "1", "a", "2", "b", "3", "c"}), Int(3));
  EXPECT_EQ(Run({"zadd", "z", "ch", "gt", "0", "a", "5", "b"}), Int(1));
  EXPECT_EQ(Run({"zadd", "z", "incr", "1", "a"}), Bulk("2"));
  EXPECT_EQ(Run({"zrange", "z", "0", "-1", "withscores"}), Arr({"a", "2", "c", "3", "b", "5"}));
  EXPECT_EQ(Run({"zrange", "z", "+inf", "(2", "byscore", "rev", "limit", "0", "1"}), Arr({"b"}));
  EXPECT_EQ(Run({"zrevrank", "z", "a"}), Int(2));
  EXPECT_EQ(Run({"zrank", "z", "c", "withscore"}), "*2\r\n:1\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run({"zcount", "z", "(2", "5"}), Int(2));
  EXPECT_EQ(Run({"zpopmax", "z"}), Arr({"b", "5"}));
  EXPECT_EQ(Run({"zscore", "z", "a"}), Bulk("2"));
  EXPECT_EQ(Run({"zadd", "z", "0.1", "f"}), Int(1));
  EXPECT_EQ(Run({"zscore", "z", "f"}), Bulk("0.10000000000000001"));
}

TEST_F(TypesFamilyTest, ZSetErrorsChangeNothing) {
  Run({"zadd", "z", "1", "a"});
  uint64_t dirty = engine_.dirty();
  EXPECT_EQ(Run({"zadd", "z", "1", "b", "x", "c"}), Err("ERR value is not a valid float"));
  EXPECT_EQ(Run({"zadd", "z", "nx", "xx", "1", "a"}),
            Err("ERR XX and NX options at the same time are not compatible"));
  EXPECT_EQ(Run({"zadd", "z", "gt", "lt", "1", "a"}),
            Err("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(Run({"zadd", "z", "incr", "1", "a", "2", "b"}),
            Err("ERR INCR option supports a single increment-element pair"));
  EXPECT_EQ(Run({"zrangebyscore", "z", "x", "1"}), Err("ERR min or max is not a float"));
  EXPECT_EQ(Run({"zrangebylex", "z", "a", "b"}), Err("ERR min or max not valid string range item"));
  EXPECT_EQ(engine_.dirty(), dirty);
  Run({"zadd", "z", "inf", "a"});
  EXPECT_EQ(Run({"zincrby", "z", "-inf", "a"}), Err("ERR resulting score is not a number (NaN)"));
  EXPECT_EQ(Run({"zscore", "z", "a"}), Bulk("inf"));
  EXPECT_EQ(Run({"zcard", "z"}), Int(1));
}

TEST_F(TypesFamilyTest, ZUnionInterStore) {
  Run({"zadd", "a", "1", "x", "2", "y"});
  Run({"zadd", "b", "10", "y", "20", "z"});
  Run({"sadd", "s", "y"});
  EXPECT_EQ(Run({"zunionstore", "u", "2", "a", "b", "weights", "2", "1"}), Int(3));
  EXPECT_EQ(Run({"zrange", "u", "0", "-1", "withscores"}), Arr({"x", "2", "y", "14", "z", "20"}));
  EXPECT_EQ(Run({"zinterstore", "i", "3", "a", "b", "s", "aggregate", "max"}), Int(1));
  EXPECT_EQ(Run({"zrange", "i", "0", "-1", "withscores"}), Arr({"y", "10"}));
  EXPECT_EQ(Run({"zinterstore", "i", "2", "a", "nokey"}), Int(0));
  EXPECT_EQ(Run({"exists", "i"}), Int(0));
}

TEST_F(TypesFamilyTest, WrongTypeEverywhere) {
  Run({"set", "str", "v"});
  for (auto argv : std::initializer_list<std::initializer_list<std::string_view>>{
           {"lpush", "str", "a"}, {"llen", "str"}, {"lrange", "str", "0", "1"},
           {"sadd", "str", "a"}, {"smembers", "str"}, {"sinter", "str"},
           {"zadd", "str", "1", "a"}, {"zrange", "str", "0", "1"}, {"zscore", "str", "a"},
           {"zunionstore", "d", "1", "str"}}) {
    EXPECT_THAT(Run(argv), IsError("WRONGTYPE")) << *argv.begin();
  }
  EXPECT_EQ(Run({"get", "str"}), Bulk("v"));
}

TEST_F(TypesFamilyTest, WritesCountAsDirty) {
  uint64_t d0 = engine_.dirty();
  Run({"rpush", "l", "a", "b"});
  uint64_t d1 = engine_.dirty();
  EXPECT_GT(d1, d0);
  Run({"lset", "l", "0", "x"});
  EXPECT_GT(engine_.dirty(), d1);
  uint64_t d2 = engine_.dirty();
  Run({"lrange", "l", "0", "-1"});
  Run({"zadd", "z", "1", "a"});
  uint64_t d3 = engine_.dirty();
  EXPECT_GT(d3, d2);
  Run({"zadd", "z", "1", "a"});  // same score: no change
  EXPECT_EQ(engine_.dirty(), d3);
}

}  // namespace
}  // namespace racetrack::engine
