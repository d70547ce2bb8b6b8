// Hash commands and the hash structure's two encodings.
#include "engine/ds/hash.h"
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

using HashFamilyTest = EngineTest;

TEST_F(HashFamilyTest, SetGetDel) {
  EXPECT_EQ(Run({"hset", "h", "a", "1", "b", "2"}), Int(2));
  EXPECT_EQ(Run({"hset", "h", "a", "10", "c", "3"}), Int(1));
  EXPECT_EQ(Run({"hget", "h", "a"}), Bulk("10"));
  EXPECT_EQ(Run({"hget", "h", "z"}), Nil());
  EXPECT_EQ(Run({"hget", "nope", "a"}), Nil());
  EXPECT_EQ(Run({"hmget", "h", "a", "z", "c"}), "*3\r\n$2\r\n10\r\n$-1\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run({"hmget", "nope", "a"}), "*1\r\n$-1\r\n");
  // Insertion order survives an overwrite, as in Redis's listpack.
  EXPECT_EQ(Run({"hgetall", "h"}), Arr({"a", "10", "b", "2", "c", "3"}));
  EXPECT_EQ(Run({"hkeys", "h"}), Arr({"a", "b", "c"}));
  EXPECT_EQ(Run({"hvals", "h"}), Arr({"10", "2", "3"}));
  EXPECT_EQ(Run({"hlen", "h"}), Int(3));
  EXPECT_EQ(Run({"hexists", "h", "b"}), Int(1));
  EXPECT_EQ(Run({"hstrlen", "h", "a"}), Int(2));
  EXPECT_EQ(Run({"hdel", "h", "b", "z"}), Int(1));
  EXPECT_EQ(Run({"hgetall", "h"}), Arr({"a", "10", "c", "3"}));
  EXPECT_EQ(Run({"hdel", "h", "a", "c"}), Int(2));
  EXPECT_EQ(Run({"exists", "h"}), Int(0));  // the last field takes the key with it
  EXPECT_EQ(Run({"hgetall", "h"}), "*0\r\n");
  EXPECT_EQ(Run({"hset", "h", "a"}), Err("ERR wrong number of arguments for 'hset' command"));
  EXPECT_EQ(Run({"hmset", "h", "a", "1", "b"}),
            Err("ERR wrong number of arguments for 'hmset' command"));
  EXPECT_EQ(Run({"hmset", "h", "a", "1"}), Ok());
  EXPECT_EQ(Run({"hsetnx", "h", "a", "2"}), Int(0));
  EXPECT_EQ(Run({"hsetnx", "h", "b", "2"}), Int(1));
}

TEST_F(HashFamilyTest, WrongType) {
  Run({"set", "s", "v"});
  for (auto r : {Run({"hget", "s", "f"}), Run({"hset", "s", "f", "v"}), Run({"hgetall", "s"}),
                 Run({"hdel", "s", "f"}), Run({"hlen", "s"}), Run({"hincrby", "s", "f", "1"})}) {
    EXPECT_EQ(r, Err("WRONGTYPE Operation against a key holding the wrong kind of value"));
  }
}

TEST_F(HashFamilyTest, Increments) {
  EXPECT_EQ(Run({"hincrby", "h", "n", "5"}), Int(5));
  EXPECT_EQ(Run({"hincrby", "h", "n", "-7"}), Int(-2));
  EXPECT_EQ(Run({"hincrby", "h", "n", "x"}), Err("ERR value is not an integer or out of range"));
  Run({"hset", "h", "s", "abc", "big", "9223372036854775807"});
  EXPECT_EQ(Run({"hincrby", "h", "s", "1"}), Err("ERR hash value is not an integer"));
  EXPECT_EQ(Run({"hincrby", "h", "big", "1"}), Err("ERR increment or decrement would overflow"));
  EXPECT_EQ(Run({"hincrbyfloat", "h", "f", "10.5"}), Bulk("10.5"));
  EXPECT_EQ(Run({"hincrbyfloat", "h", "f", "0.1"}), Bulk("10.6"));
  EXPECT_EQ(Run({"hincrbyfloat", "h", "s", "1"}), Err("ERR hash value is not a float"));
  EXPECT_EQ(Run({"hincrbyfloat", "h", "f", "inf"}), Err("ERR value is NaN or Infinity"));
  EXPECT_EQ(Run({"hincrbyfloat", "h", "f", "x"}), Err("ERR value is not a valid float"));
}

TEST_F(HashFamilyTest, EncodingConversion) {
  for (int i = 0; i < 512; ++i) {
    RunV({"hset", "h", "f" + std::to_string(i), "v"});
  }
  EXPECT_EQ(Run({"object", "encoding", "h"}), Bulk("listpack"));
  Run({"hset", "h", "one-more", "v"});
  EXPECT_EQ(Run({"object", "encoding", "h"}), Bulk("hashtable"));
  EXPECT_EQ(Run({"hlen", "h"}), Int(513));
  Run({"hset", "long", "f", std::string(64, 'x')});
  EXPECT_EQ(Run({"object", "encoding", "long"}), Bulk("listpack"));
  Run({"hset", "long", "g", std::string(65, 'x')});
  EXPECT_EQ(Run({"object", "encoding", "long"}), Bulk("hashtable"));
  EXPECT_EQ(Run({"hget", "long", "f"}), Bulk(std::string(64, 'x')));
}

TEST(HashStructureTest, MemoryGrowsWithContent) {
  Hash h;
  size_t empty = h.MemoryUsage();
  for (int i = 0; i < 600; ++i) h.Set("field-" + std::to_string(i), std::string(40, 'v'));
  EXPECT_EQ(h.encoding(), Hash::Enc::kHashtable);
  EXPECT_GT(h.MemoryUsage(), empty + 600 * 80);
  Hash copy = h.Clone();
  EXPECT_EQ(copy.size(), 600u);
}

TEST_F(HashFamilyTest, ScanAndRandField) {
  Run({"hset", "h", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(Run({"hscan", "h", "0"}),
            "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  EXPECT_EQ(Run({"hscan", "h", "0", "match", "b*"}), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(Run({"hscan", "nope", "0", "count", "0"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  EXPECT_EQ(Run({"hscan", "h", "0", "count", "0"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"hrandfield", "h", "5"}), Arr({"a", "b", "c"}));
  EXPECT_EQ(Run({"hrandfield", "h", "3", "withvalues"}), Arr({"a", "1", "b", "2", "c", "3"}));
  EXPECT_EQ(Run({"hrandfield", "h", "0"}), "*0\r\n");
  EXPECT_EQ(Run({"hrandfield", "nope"}), Nil());
  EXPECT_EQ(Run({"hrandfield", "nope", "3"}), "*0\r\n");
  std::string two = Run({"hrandfield", "h", "2"});
  EXPECT_EQ(two.substr(0, 4), "*2\r\n");
  std::string rep = Run({"hrandfield", "h", "-5"});
  EXPECT_EQ(rep.substr(0, 4), "*5\r\n");
  EXPECT_EQ(Run({"hrandfield", "h", "1", "bogus"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"hrandfield", "h", "-9223372036854775808"}),
            Err("ERR value is out of range, value must between -9223372036854775807 and "
                "9223372036854775807"));
}

}  // namespace
}  // namespace racetrack::engine
