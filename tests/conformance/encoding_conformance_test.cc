// Compact encodings against a real redis-server 7.0.15 (issue 16): every command below runs on both
// servers, replies compared, and OBJECT ENCODING compared after each one — across every threshold
// (entry counts and value lengths) of hashes, sorted sets, sets and lists, at the defaults and
// after CONFIG SET moves the thresholds (also through the *-ziplist-* aliases). A conversion one
// element early or late, or a conversion back, fails here.
//
// Both servers are throwaway processes on free loopback ports. Skipped only when redis-server is
// not installed.
#include <hiredis/hiredis.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/conformance/dual_servers.h"

namespace racetrack {
namespace {

using conformance::Command;
using conformance::Connect;
using conformance::Connection;
using conformance::Show;

// Redis 7.0.15's defaults, restored after every test.
const std::vector<std::pair<std::string, std::string>> kDefaults = {
    {"hash-max-listpack-entries", "512"}, {"hash-max-listpack-value", "64"},
    {"zset-max-listpack-entries", "128"}, {"zset-max-listpack-value", "64"},
    {"set-max-intset-entries", "512"},    {"list-max-listpack-size", "-2"}};

class EncodingConformance : public conformance::DualServerTest {
 protected:
  void SetUp() override {
    DualServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Both({"flushall"});
    for (const auto& [name, value] : kDefaults) Both({"config", "set", name, value});
  }
  void TearDown() override {
    if (!redis_ || !ours_) return;
    for (const auto& [name, value] : kDefaults) Both({"config", "set", name, value});
    Both({"flushall"});
  }

  // Runs argv, then compares OBJECT ENCODING of key. Returns Redis's encoding reply.
  // `unordered`: the reply's order is the hash table's (HGETALL, SMEMBERS, HSCAN of a hashtable
  // encoding), which differs between the two tables by design; the sorted leaves are compared.
  std::string Step(const std::vector<std::string>& argv, const std::string& key,
                   bool unordered = false) {
    if (unordered) {
      EXPECT_EQ(SortedLeaves(Command(redis_.get(), argv).get()),
                SortedLeaves(Command(ours_.get(), argv).get()))
          << argv[0] << " " << key;
    } else {
      Both(argv);
    }
    std::string a = Show(Command(redis_.get(), {"object", "encoding", key}).get());
    std::string b = Show(Command(ours_.get(), {"object", "encoding", key}).get());
    std::string cmd;
    for (const auto& w : argv) cmd += (cmd.empty() ? "" : " ") + w.substr(0, 20);
    EXPECT_EQ(a, b) << "OBJECT ENCODING " << key << " after: " << cmd;
    return a;
  }

  static std::vector<std::string> SortedLeaves(const redisReply* r) {
    std::vector<std::string> out;
    Collect(r, &out);
    std::sort(out.begin(), out.end());
    return out;
  }
  static void Collect(const redisReply* r, std::vector<std::string>* out) {
    if (r != nullptr && r->type == REDIS_REPLY_ARRAY) {
      for (size_t i = 0; i < r->elements; ++i) Collect(r->element[i], out);
    } else {
      out->push_back(Show(r));
    }
  }
};

std::string Str(size_t n, char c = 'x') { return std::string(n, c); }

TEST_F(EncodingConformance, ConfigNamesAliasesAndErrors) {
  for (const char* name :
       {"hash-max-listpack-entries", "hash-max-ziplist-entries", "hash-max-listpack-value",
        "hash-max-ziplist-value", "zset-max-listpack-entries", "zset-max-ziplist-entries",
        "zset-max-listpack-value", "zset-max-ziplist-value", "set-max-intset-entries",
        "list-max-listpack-size", "list-max-ziplist-size"}) {
    Both({"config", "get", name});
  }
  Both({"config", "set", "hash-max-ziplist-entries", "7"});
  Both({"config", "get", "hash-max-listpack-entries"});
  Both({"config", "set", "zset-max-ziplist-value", "1kb"});
  Both({"config", "get", "zset-max-listpack-value"});
  Both({"config", "set", "list-max-ziplist-size", "-5"});
  Both({"config", "get", "list-max-listpack-size"});
  Both({"config", "set", "hash-max-listpack-entries", "-1"});
  Both({"config", "set", "hash-max-listpack-entries", "abc"});
  Both({"config", "set", "hash-max-listpack-value", "-1"});
  Both({"config", "set", "hash-max-listpack-value", "xyz"});
  Both({"config", "set", "set-max-intset-entries", "1.5"});
  Both({"config", "set", "list-max-listpack-size", "99999999999"});
}

// Hashes: the (entries+1)-th field converts, a field or value of (value+1) bytes converts, an
// overwrite after the limit was lowered converts, and nothing converts back.
TEST_F(EncodingConformance, HashThresholds) {
  for (auto [entries, value] : std::vector<std::pair<int, int>>{{512, 64}, {4, 8}, {1, 0}, {0, 3}}) {
    SCOPED_TRACE("entries " + std::to_string(entries) + " value " + std::to_string(value));
    Both({"config", "set", "hash-max-listpack-entries", std::to_string(entries)});
    Both({"config", "set", "hash-max-ziplist-value", std::to_string(value)});
    Both({"del", "h"});
    for (int i = 0; i <= entries + 1; ++i) {
      Step({"hset", "h", "f" + std::to_string(i), std::to_string(i)}, "h");
    }
    Step({"hdel", "h", "f0", "f1"}, "h");  // stays hashtable
    for (int len : {value, value + 1}) {
      for (const char* which : {"field", "value"}) {
        std::string key = std::string("h") + which + std::to_string(len);
        bool field = which[0] == 'f';
        Step({"hset", key, "a", "1"}, key);
        Step({"hset", key, field ? Str(len) : "b", field ? "2" : Str(len)}, key);
        Step({"hsetnx", key, "a", Str(len + 5)}, key);  // exists: no write, no conversion
        Step({"hsetnx", key, "c", Str(len)}, key);
        Step({"hgetall", key}, key, /*unordered=*/true);
      }
    }
    Both({"del", "hi"});
    Step({"hincrbyfloat", "hi", Str(value + 1, 'k'), "1.5"}, "hi");
    Step({"hincrby", "hi", "n", "123456789012"}, "hi");
  }
  // Lowering the limit under an existing listpack hash: the next write converts, even an
  // overwrite of an existing field (Redis's hashTypeSet checks the length on every write).
  Both({"config", "set", "hash-max-listpack-entries", "512"});
  Both({"del", "low"});
  for (int i = 0; i < 5; ++i) Step({"hset", "low", "f" + std::to_string(i), "v"}, "low");
  Both({"config", "set", "hash-max-listpack-entries", "3"});
  Step({"hget", "low", "f1"}, "low");
  Step({"hset", "low", "f1", "w"}, "low");
  Step({"hscan", "low", "0", "count", "100"}, "low", /*unordered=*/true);
}

TEST_F(EncodingConformance, HashLargeValueInMultiFieldHset) {
  Step({"hset", "m", "a", "1", "b", Str(65), "c", "3"}, "m");
  Step({"hset", "n", "a", "1", "b", "2"}, "n");
  Step({"hmset", "n", "c", Str(64), "d", Str(65)}, "n");
  Step({"hscan", "n", "0"}, "n", /*unordered=*/true);
  Step({"hkeys", "n"}, "n", /*unordered=*/true);
}

// Sets: intset until a non-integer (or non-canonical "01") member or the (entries+1)-th member;
// 16/32/64-bit values stay intset; nothing converts back.
TEST_F(EncodingConformance, SetThresholds) {
  for (int entries : {512, 5, 1, 0}) {
    SCOPED_TRACE("entries " + std::to_string(entries));
    Both({"config", "set", "set-max-intset-entries", std::to_string(entries)});
    Both({"del", "s", "t", "u", "dst"});
    for (int i = 0; i <= entries + 1; ++i) Step({"sadd", "s", std::to_string(i * 7 - 20)}, "s");
    Step({"srem", "s", "1", "-20", "-13"}, "s");
    Step({"sadd", "t", "1", "70000", "-5000000000", "9223372036854775807"}, "t");
    Step({"smembers", "t"}, "t", /*unordered=*/true);
    Step({"sadd", "t", "01"}, "t");
    Step({"srem", "t", "01"}, "t");
    Step({"sadd", "u", "a"}, "u");
    Step({"srem", "u", "a"}, "u");
    Step({"sadd", "u", "1", "2", "x"}, "u");
    Step({"sadd", "v", "1", "2", "3"}, "v");
    Step({"sunionstore", "dst", "v", "t"}, "dst");
    Step({"sinterstore", "dst", "v", "t"}, "dst");
    Step({"sdiffstore", "dst", "v", "u"}, "dst");
    Step({"smove", "v", "w", "2"}, "w");
    Step({"sscan", "v", "0"}, "v", /*unordered=*/true);
  }
}

// Sorted sets: listpack until the (entries+1)-th member or a member longer than value bytes.
TEST_F(EncodingConformance, ZSetThresholds) {
  for (auto [entries, value] : std::vector<std::pair<int, int>>{{128, 64}, {3, 5}, {0, 64}}) {
    SCOPED_TRACE("entries " + std::to_string(entries) + " value " + std::to_string(value));
    Both({"config", "set", "zset-max-ziplist-entries", std::to_string(entries)});
    Both({"config", "set", "zset-max-listpack-value", std::to_string(value)});
    Both({"del", "z", "big", "w", "dst"});
    for (int i = 0; i <= entries + 1; ++i) {
      Step({"zadd", "z", std::to_string(i), "m" + std::to_string(i)}, "z");
    }
    Step({"zrem", "z", "m0", "m1"}, "z");
    for (int len : {value, value + 1}) {
      std::string key = "zl" + std::to_string(len);
      Step({"zadd", key, "1", "a"}, key);
      Step({"zadd", key, "2", Str(len)}, key);
      Step({"zincrby", "zi" + std::to_string(len), "1", Str(len)}, "zi" + std::to_string(len));
    }
    std::vector<std::string> many = {"zadd", "big"};
    for (int i = 0; i < entries + 1; ++i) {
      many.push_back(std::to_string(i));
      many.push_back("e" + std::to_string(i));
    }
    Step(many, "big");
    Step({"zadd", "w", "1", "a", "2", "b"}, "w");
    Step({"zunionstore", "dst", "2", "w", "zl" + std::to_string(value)}, "dst");
    Step({"zinterstore", "dst", "2", "w", "z"}, "dst");
    Step({"zrange", "w", "0", "-1", "withscores"}, "w");
  }
}

// Sorted sets written by commands other than ZADD: results built from other sets (ZRANGESTORE,
// the *STORE set algebra, GEOSEARCHSTORE) take the listpack when small; SORT converts its input to
// a skiplist; COPY keeps the encoding; an update never converts, a new member does; scores keep
// their exact values (and -0 becomes 0) through the packed text.
TEST_F(EncodingConformance, ZSetConversionsByOtherCommands) {
  for (auto [entries, value] : std::vector<std::pair<int, int>>{{128, 64}, {3, 5}}) {
    SCOPED_TRACE("entries " + std::to_string(entries) + " value " + std::to_string(value));
    Both({"config", "set", "zset-max-listpack-entries", std::to_string(entries)});
    Both({"config", "set", "zset-max-ziplist-value", std::to_string(value)});
    Both({"flushall"});
    std::vector<std::string> src = {"zadd", "src"};
    for (int i = 0; i < entries + 2; ++i) {
      src.push_back(std::to_string(i % 7));
      src.push_back("s" + std::to_string(i));
    }
    Step(src, "src");
    Step({"zrangestore", "dst", "src", "0", "1"}, "dst");
    Step({"zrangestore", "dst", "src", "0", "-1"}, "dst");
    Step({"zrangestore", "dst", "src", "(1", "5", "byscore", "limit", "1", "2"}, "dst");
    Step({"zrangestore", "dst", "src", "+", "-", "bylex", "rev"}, "dst");
    Step({"zadd", "few", "1", "s1", "2", "s2", "3", Str(value + 1)}, "few");
    Step({"zinterstore", "dst", "2", "src", "few"}, "dst");
    Step({"zunionstore", "dst", "2", "src", "few", "weights", "1", "2"}, "dst");
    Step({"zdiffstore", "dst", "2", "src", "few"}, "dst");
    Step({"zdiffstore", "dst", "2", "few", "src"}, "dst");
    Step({"copy", "src", "srccopy"}, "srccopy");
    Step({"zpopmin", "srccopy", "3"}, "srccopy");
    Step({"zremrangebyscore", "srccopy", "-inf", "4"}, "srccopy");
    Step({"zrange", "srccopy", "0", "-1", "withscores"}, "srccopy");

    Step({"zadd", "s", "3", "c", "1", "a", "2", "b"}, "s");
    Step({"copy", "s", "s2"}, "s2");
    Step({"sort", "s", "alpha"}, "s");
    Step({"sort_ro", "s2", "by", "nosort"}, "s2");
    Step({"zadd", "s", "4", "d"}, "s");

    Step({"geoadd", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
         "g");
    Step({"geosearchstore", "gdst", "g", "fromlonlat", "15", "37", "byradius", "200", "km", "asc"},
         "gdst");
    Step({"geosearchstore", "gdst", "g", "fromlonlat", "15", "37", "byradius", "200", "km",
          "storedist"},
         "gdst");
    Step({"georadius", "g", "15", "37", "200", "km", "store", "gdst"}, "gdst");
    Step({"geoadd", "g", "13.5", "38", Str(value + 1, 'p')}, "g");

    // Lowered limits: an update stays packed, a new member converts.
    Both({"config", "set", "zset-max-listpack-entries", "128"});
    Step({"zadd", "lo", "1", "a", "2", "b", "3", "c"}, "lo");
    Both({"config", "set", "zset-max-listpack-entries", "2"});
    Step({"zadd", "lo", "5", "a"}, "lo");
    Step({"zincrby", "lo", "1", "b"}, "lo");
    Step({"zadd", "lo", "4", "d"}, "lo");
    Both({"config", "set", "zset-max-listpack-entries", std::to_string(entries)});

    Step({"zadd", "num", "-0", "z", "0.1", "a", "1e300", "b", "inf", "c", "-inf", "d", "4.5e18", "e",
          "-12", "-12", "2.5", "7"},
         "num");
    Step({"zrange", "num", "0", "-1", "withscores"}, "num");
    Step({"zscore", "num", "z"}, "num");
    Step({"zadd", "num", "1", Str(value + 1)}, "num");
    Step({"zrange", "num", "0", "-1", "withscores"}, "num");
    Step({"zadd", "long", "1", Str(value + 1), "2", "a"}, "long");
  }
}

// Lists answer "quicklist" in 7.0 whatever their size; node sizes change only memory, so the
// replies across node boundaries are what is compared (with 2-entry nodes every command crosses
// several nodes).
TEST_F(EncodingConformance, ListNodesAtEverySize) {
  for (const char* size : {"-2", "-1", "-5", "2", "1"}) {
    SCOPED_TRACE(std::string("list-max-listpack-size ") + size);
    Both({"config", "set", "list-max-ziplist-size", size});
    Both({"del", "l"});
    Step({"rpush", "l", "a", "b", "c"}, "l");
    for (int i = 0; i < 40; ++i) {
      Step({i % 2 ? "lpush" : "rpush", "l", std::to_string(i % 7), Str(static_cast<size_t>(i) * 30)},
           "l");
    }
    Step({"lrange", "l", "0", "-1"}, "l");
    Step({"linsert", "l", "before", "3", "ins"}, "l");
    Step({"linsert", "l", "after", "5", Str(5000)}, "l");
    Step({"lset", "l", "7", "set7"}, "l");
    Step({"lrem", "l", "2", "1"}, "l");
    Step({"lrem", "l", "-2", "2"}, "l");
    Step({"lpos", "l", "4", "rank", "-1", "count", "0"}, "l");
    Step({"lindex", "l", "-3"}, "l");
    Step({"ltrim", "l", "3", "-4"}, "l");
    Step({"lrange", "l", "-10", "-1"}, "l");
    Step({"rpop", "l", "3"}, "l");
    Step({"lpop", "l", "3"}, "l");
    Step({"llen", "l"}, "l");
  }
}

}  // namespace
}  // namespace racetrack
