// Command-table properties (issue 18), checked against a throwaway real redis-server 7.0.
//
// 1. Every command racetrack-server lists in COMMAND (subcommands too) has the arity, flags,
//    legacy key positions (first, last, step), ACL categories, tips and key specs that real
//    Redis's COMMAND reports for it. Commands
//    Redis has and racetrack does not are listed in the test's output (and as the test property
//    `missing`), not failed: other work adds them.
// 2. Every command racetrack flags `write` has an example invocation below (a new write command
//    without one fails the test, so it cannot miss these checks). Each example runs on both
//    servers: its keys are prepared, a second connection WATCHes the key the command modifies,
//    the command runs, and the watcher's MULTI/PING/EXEC must be aborted exactly when Redis's
//    is; the command's reply and the state of its keys must equal Redis's. racetrack-server runs
//    with the append-only log on (appendfsync always); after every example it is restarted on
//    that log and the whole keyspace (every database, types, values, which keys have a TTL) must
//    read back the same.
//
// Examples name keys K, K2 and D (a destination); each is replaced by "<command>:k" etc., so the
// examples share one keyspace without touching each other. `$LAST` in the command is replaced by
// the last setup command's bulk reply (DUMP's payload for RESTORE), per server.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "adapters/server_process.h"
#include "tests/conformance/dual_servers.h"
#include "tests/test_paths.h"

namespace racetrack::conformance {
namespace {

using Argv = std::vector<std::string>;

// One command's info, as COMMAND reports it: name, arity, flags (sorted), first, last, step.
struct Info {
  std::string name;
  long long arity = 0;
  std::set<std::string> flags;
  long long first = 0, last = 0, step = 0;
  std::string categories_tips_key_specs;  // elements 6..8, printed (each in Redis's order)
};

std::string Describe(const Info& i) {
  std::string flags;
  for (const auto& f : i.flags) flags += (flags.empty() ? "" : " ") + f;
  return "arity " + std::to_string(i.arity) + ", flags [" + flags + "], keys " +
         std::to_string(i.first) + " " + std::to_string(i.last) + " " + std::to_string(i.step) +
         ", categories/tips/key specs " + i.categories_tips_key_specs;
}

void AddInfo(const redisReply* e, std::map<std::string, Info>* out) {
  if (e == nullptr || e->type != REDIS_REPLY_ARRAY || e->elements < 6) return;
  Info i;
  i.name.assign(e->element[0]->str, e->element[0]->len);
  i.arity = e->element[1]->integer;
  for (size_t f = 0; f < e->element[2]->elements; ++f) {
    const redisReply* flag = e->element[2]->element[f];
    i.flags.emplace(flag->str, flag->len);
  }
  i.first = e->element[3]->integer;
  i.last = e->element[4]->integer;
  i.step = e->element[5]->integer;
  for (size_t k = 6; k < 9 && k < e->elements; ++k) {
    i.categories_tips_key_specs += Show(e->element[k]) + " ";
  }
  if (e->elements > 9 && e->element[9]->type == REDIS_REPLY_ARRAY) {
    for (size_t s = 0; s < e->element[9]->elements; ++s) AddInfo(e->element[9]->element[s], out);
  }
  (*out)[i.name] = std::move(i);
}

// Every command and subcommand COMMAND lists, by name ("xgroup|create").
std::map<std::string, Info> Commands(redisContext* c) {
  std::map<std::string, Info> out;
  Reply r = Command(c, {"COMMAND"});
  if (r && r->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < r->elements; ++i) AddInfo(r->element[i], &out);
  }
  return out;
}

// Deliberate differences, each with its reason (and listed in the README's known gaps).
const std::map<std::string, std::string>& DeliberateDifferences() {
  static const auto* d = new std::map<std::string, std::string>{
      {"zrank", "accepts Redis 7.2's WITHSCORE (arity -3; Redis 7.0 has 3)"},
      {"zrevrank", "accepts Redis 7.2's WITHSCORE (arity -3; Redis 7.0 has 3)"},
  };
  return *d;
}

// Each test against both servers: a redis-server and a racetrack-server, one connection to each.
class CommandTableTest : public DualServerTest {};

TEST_F(CommandTableTest, ArityFlagsAndKeyPositionsEqualRedis) {
  std::map<std::string, Info> theirs = Commands(redis_.get()), mine = Commands(ours_.get());
  ASSERT_GT(theirs.size(), 200u);
  ASSERT_GT(mine.size(), 100u);
  int compared = 0;
  for (const auto& [name, info] : mine) {
    auto it = theirs.find(name);
    if (it == theirs.end()) {
      ADD_FAILURE() << name << ": racetrack lists it, Redis 7.0 has no such command";
      continue;
    }
    ++compared;
    if (DeliberateDifferences().contains(name)) {
      std::printf("%s differs on purpose: %s\n", name.c_str(),
                  DeliberateDifferences().at(name).c_str());
      continue;
    }
    EXPECT_EQ(Describe(info), Describe(it->second)) << name << " (racetrack vs Redis)";
  }
  std::string missing;
  int n_missing = 0;
  for (const auto& [name, info] : theirs) {
    if (!mine.contains(name)) {
      missing += (missing.empty() ? "" : " ") + name;
      ++n_missing;
    }
  }
  std::printf("command table: %d commands compared with Redis; %d of Redis's not in racetrack: %s\n",
              compared, n_missing, missing.c_str());
  RecordProperty("compared", compared);
  RecordProperty("missing", missing);
}

// COMMAND DOCS <name>'s map printed without its "subcommands" entry: Redis lists all of a
// container's subcommands, racetrack the ones it has, and each is compared under its own name.
std::string Docs(redisContext* c, const std::string& name) {
  Reply r = Command(c, {"COMMAND", "DOCS", name});
  if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
      r->element[1]->type != REDIS_REPLY_ARRAY) {
    return Show(r.get());
  }
  const redisReply* m = r->element[1];
  std::string s;
  for (size_t i = 0; i + 1 < m->elements; i += 2) {
    std::string key(m->element[i]->str, m->element[i]->len);
    if (key != "subcommands") s += key + "=" + Show(m->element[i + 1]) + " ";
  }
  return s;
}

// Issue 17: COMMAND DOCS answers as Redis 7.0.15's for every command racetrack has (summary, since,
// group, complexity, doc flags, deprecation, history, arguments).
TEST_F(CommandTableTest, CommandDocsEqualRedis) {
  std::map<std::string, Info> mine = Commands(ours_.get());
  ASSERT_GT(mine.size(), 100u);
  int compared = 0;
  for (const auto& [name, info] : mine) {
    EXPECT_EQ(Docs(ours_.get(), name), Docs(redis_.get(), name)) << name << " (racetrack vs Redis)";
    ++compared;
  }
  std::printf("command docs: %d commands and subcommands compared with Redis\n", compared);
  RecordProperty("compared", compared);
}

// One write command's example. `watch` is the placeholder of the key the command modifies; empty
// for commands that name no key (FUNCTION ...): only the log replay is checked for them.
struct Example {
  std::vector<Argv> setup;
  Argv command;
  std::string watch = "K";
};

// Every Redis 7.0 write command but MIGRATE (it needs a second server) and RESTORE-ASKING and
// PFDEBUG's cluster/debug siblings. Deterministic on purpose: explicit stream ids, one-element
// SPOPs, no random members.
const std::map<std::string, Example>& Examples() {
  static const auto* examples = new std::map<std::string, Example>{
      {"append", {{}, {"append", "K", "v"}}},
      {"bitfield", {{}, {"bitfield", "K", "SET", "u8", "0", "255"}}},
      {"bitop", {{{"set", "K", "a"}, {"set", "K2", "b"}}, {"bitop", "AND", "D", "K", "K2"}, "D"}},
      {"blmove", {{{"rpush", "K", "a", "b"}}, {"blmove", "K", "D", "LEFT", "RIGHT", "0"}}},
      {"blmpop", {{{"rpush", "K", "a", "b"}}, {"blmpop", "0", "1", "K", "LEFT"}}},
      {"blpop", {{{"rpush", "K", "a", "b"}}, {"blpop", "K", "0"}}},
      {"brpop", {{{"rpush", "K", "a", "b"}}, {"brpop", "K", "0"}}},
      {"brpoplpush", {{{"rpush", "K", "a", "b"}}, {"brpoplpush", "K", "D", "0"}}},
      {"bzmpop", {{{"zadd", "K", "1", "a", "2", "b"}}, {"bzmpop", "0", "1", "K", "MIN"}}},
      {"bzpopmax", {{{"zadd", "K", "1", "a", "2", "b"}}, {"bzpopmax", "K", "0"}}},
      {"bzpopmin", {{{"zadd", "K", "1", "a", "2", "b"}}, {"bzpopmin", "K", "0"}}},
      {"copy", {{{"set", "K", "v"}}, {"copy", "K", "D"}, "D"}},
      {"decr", {{{"set", "K", "10"}}, {"decr", "K"}}},
      {"decrby", {{{"set", "K", "10"}}, {"decrby", "K", "3"}}},
      {"del", {{{"set", "K", "v"}}, {"del", "K"}}},
      {"expire", {{{"set", "K", "v"}}, {"expire", "K", "1000"}}},
      {"expireat", {{{"set", "K", "v"}}, {"expireat", "K", "4000000000"}}},
      {"flushall", {{{"set", "K", "v"}}, {"flushall"}}},
      {"flushdb", {{{"set", "K", "v"}}, {"flushdb"}}},
      {"function|delete",
       {{{"function", "load", "#!lua name=dellib\nredis.register_function('delf', "
                              "function() return 1 end)"}},
        {"function", "delete", "dellib"},
        ""}},
      {"function|flush",
       {{{"function", "load", "#!lua name=flushlib\nredis.register_function('flushf', "
                              "function() return 1 end)"}},
        {"function", "flush"},
        ""}},
      {"function|load",
       {{},
        {"function", "load",
         "#!lua name=loadlib\nredis.register_function('loadf', function() return 1 end)"},
        ""}},
      {"function|restore",
       {{{"function", "load", "#!lua name=restorelib\nredis.register_function('restoref', "
                              "function() return 1 end)"},
         {"function", "dump"}},
        {"function", "restore", "$LAST", "REPLACE"},
        ""}},
      {"geoadd", {{}, {"geoadd", "K", "13.361389", "38.115556", "Palermo"}}},
      {"georadius",
       {{{"geoadd", "K", "13.361389", "38.115556", "Palermo"}},
        {"georadius", "K", "15", "37", "200", "km", "STORE", "D"},
        "D"}},
      {"georadiusbymember",
       {{{"geoadd", "K", "13.361389", "38.115556", "Palermo"}},
        {"georadiusbymember", "K", "Palermo", "200", "km", "STORE", "D"},
        "D"}},
      {"geosearchstore",
       {{{"geoadd", "K", "13.361389", "38.115556", "Palermo"}},
        {"geosearchstore", "D", "K", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
        "D"}},
      {"getdel", {{{"set", "K", "v"}}, {"getdel", "K"}}},
      {"getex", {{{"set", "K", "v"}}, {"getex", "K", "EX", "1000"}}},
      {"getset", {{{"set", "K", "v"}}, {"getset", "K", "w"}}},
      {"hdel", {{{"hset", "K", "f", "v", "g", "w"}}, {"hdel", "K", "f"}}},
      {"hincrby", {{{"hset", "K", "f", "1"}}, {"hincrby", "K", "f", "2"}}},
      {"hincrbyfloat", {{{"hset", "K", "f", "1"}}, {"hincrbyfloat", "K", "f", "1.5"}}},
      {"hmset", {{}, {"hmset", "K", "f", "v"}}},
      {"hset", {{}, {"hset", "K", "f", "v"}}},
      {"hsetnx", {{}, {"hsetnx", "K", "f", "v"}}},
      {"incr", {{{"set", "K", "10"}}, {"incr", "K"}}},
      {"incrby", {{{"set", "K", "10"}}, {"incrby", "K", "5"}}},
      {"incrbyfloat", {{{"set", "K", "10"}}, {"incrbyfloat", "K", "1.5"}}},
      {"linsert", {{{"rpush", "K", "a"}}, {"linsert", "K", "BEFORE", "a", "x"}}},
      {"lmove", {{{"rpush", "K", "a", "b"}}, {"lmove", "K", "D", "LEFT", "RIGHT"}}},
      {"lmpop", {{{"rpush", "K", "a", "b"}}, {"lmpop", "1", "K", "LEFT"}}},
      {"lpop", {{{"rpush", "K", "a", "b"}}, {"lpop", "K"}}},
      {"lpush", {{}, {"lpush", "K", "a"}}},
      {"lpushx", {{{"rpush", "K", "a"}}, {"lpushx", "K", "b"}}},
      {"lrem", {{{"rpush", "K", "a", "b"}}, {"lrem", "K", "1", "a"}}},
      {"lset", {{{"rpush", "K", "a"}}, {"lset", "K", "0", "x"}}},
      {"ltrim", {{{"rpush", "K", "a", "b", "c"}}, {"ltrim", "K", "1", "-1"}}},
      {"move", {{{"set", "K", "v"}}, {"move", "K", "1"}}},
      {"mset", {{}, {"mset", "K", "v", "K2", "w"}}},
      {"msetnx", {{}, {"msetnx", "K", "v", "K2", "w"}}},
      {"persist", {{{"setex", "K", "1000", "v"}}, {"persist", "K"}}},
      {"pexpire", {{{"set", "K", "v"}}, {"pexpire", "K", "1000000"}}},
      {"pexpireat", {{{"set", "K", "v"}}, {"pexpireat", "K", "4000000000000"}}},
      {"pfadd", {{}, {"pfadd", "K", "a", "b", "c"}}},
      {"pfdebug", {{{"pfadd", "K", "a", "b", "c"}}, {"pfdebug", "todense", "K"}}},
      {"pfmerge", {{{"pfadd", "K", "a", "b"}}, {"pfmerge", "D", "K"}, "D"}},
      {"psetex", {{}, {"psetex", "K", "1000000", "v"}}},
      {"rename", {{{"set", "K", "v"}}, {"rename", "K", "D"}}},
      {"renamenx", {{{"set", "K", "v"}}, {"renamenx", "K", "D"}}},
      {"restore", {{{"set", "K", "v"}, {"dump", "K"}}, {"restore", "D", "0", "$LAST"}, "D"}},
      {"rpop", {{{"rpush", "K", "a", "b"}}, {"rpop", "K"}}},
      {"rpoplpush", {{{"rpush", "K", "a", "b"}}, {"rpoplpush", "K", "D"}}},
      {"rpush", {{}, {"rpush", "K", "a"}}},
      {"rpushx", {{{"rpush", "K", "a"}}, {"rpushx", "K", "b"}}},
      {"sadd", {{}, {"sadd", "K", "a"}}},
      {"sdiffstore", {{{"sadd", "K", "a", "b"}}, {"sdiffstore", "D", "K"}, "D"}},
      {"set", {{}, {"set", "K", "v"}}},
      {"setbit", {{}, {"setbit", "K", "7", "1"}}},
      {"setex", {{}, {"setex", "K", "1000", "v"}}},
      {"setnx", {{}, {"setnx", "K", "v"}}},
      {"setrange", {{{"set", "K", "hello"}}, {"setrange", "K", "1", "xx"}}},
      {"sinterstore", {{{"sadd", "K", "a", "b"}}, {"sinterstore", "D", "K"}, "D"}},
      {"smove", {{{"sadd", "K", "a", "b"}}, {"smove", "K", "D", "a"}}},
      {"sort", {{{"rpush", "K", "3", "1", "2"}}, {"sort", "K", "STORE", "D"}, "D"}},
      {"spop", {{{"sadd", "K", "a"}}, {"spop", "K"}}},
      {"srem", {{{"sadd", "K", "a", "b"}}, {"srem", "K", "a"}}},
      {"sunionstore", {{{"sadd", "K", "a", "b"}}, {"sunionstore", "D", "K"}, "D"}},
      {"swapdb", {{{"set", "K", "v"}}, {"swapdb", "0", "1"}}},
      {"unlink", {{{"set", "K", "v"}}, {"unlink", "K"}}},
      {"xack",
       {{{"xadd", "K", "1-1", "f", "v"},
         {"xgroup", "create", "K", "g", "0"},
         {"xreadgroup", "GROUP", "g", "c", "STREAMS", "K", ">"}},
        {"xack", "K", "g", "1-1"}}},
      {"xadd", {{}, {"xadd", "K", "1-1", "f", "v"}}},
      {"xautoclaim",
       {{{"xadd", "K", "1-1", "f", "v"},
         {"xgroup", "create", "K", "g", "0"},
         {"xreadgroup", "GROUP", "g", "c", "STREAMS", "K", ">"}},
        {"xautoclaim", "K", "g", "c2", "0", "0-0", "JUSTID"}}},
      {"xclaim",
       {{{"xadd", "K", "1-1", "f", "v"},
         {"xgroup", "create", "K", "g", "0"},
         {"xreadgroup", "GROUP", "g", "c", "STREAMS", "K", ">"}},
        {"xclaim", "K", "g", "c2", "0", "1-1", "JUSTID"}}},
      {"xdel", {{{"xadd", "K", "1-1", "f", "v"}, {"xadd", "K", "2-1", "f", "v"}},
                {"xdel", "K", "1-1"}}},
      {"xgroup|create", {{}, {"xgroup", "create", "K", "g", "$", "MKSTREAM"}}},
      {"xgroup|createconsumer",
       {{{"xadd", "K", "1-1", "f", "v"}, {"xgroup", "create", "K", "g", "0"}},
        {"xgroup", "createconsumer", "K", "g", "c"}}},
      {"xgroup|delconsumer",
       {{{"xadd", "K", "1-1", "f", "v"},
         {"xgroup", "create", "K", "g", "0"},
         {"xgroup", "createconsumer", "K", "g", "c"}},
        {"xgroup", "delconsumer", "K", "g", "c"}}},
      {"xgroup|destroy",
       {{{"xadd", "K", "1-1", "f", "v"}, {"xgroup", "create", "K", "g", "0"}},
        {"xgroup", "destroy", "K", "g"}}},
      {"xgroup|setid",
       {{{"xadd", "K", "1-1", "f", "v"}, {"xgroup", "create", "K", "g", "0"}},
        {"xgroup", "setid", "K", "g", "1-1"}}},
      {"xreadgroup",
       {{{"xadd", "K", "1-1", "f", "v"}, {"xgroup", "create", "K", "g", "0"}},
        {"xreadgroup", "GROUP", "g", "c", "STREAMS", "K", ">"}}},
      {"xsetid", {{{"xadd", "K", "1-1", "f", "v"}}, {"xsetid", "K", "5-0"}}},
      {"xtrim", {{{"xadd", "K", "1-1", "f", "v"}}, {"xtrim", "K", "MAXLEN", "0"}}},
      {"zadd", {{}, {"zadd", "K", "1", "a"}}},
      {"zdiffstore", {{{"zadd", "K", "1", "a"}}, {"zdiffstore", "D", "1", "K"}, "D"}},
      {"zincrby", {{{"zadd", "K", "1", "a"}}, {"zincrby", "K", "2", "a"}}},
      {"zinterstore", {{{"zadd", "K", "1", "a"}}, {"zinterstore", "D", "1", "K"}, "D"}},
      {"zmpop", {{{"zadd", "K", "1", "a", "2", "b"}}, {"zmpop", "1", "K", "MIN"}}},
      {"zpopmax", {{{"zadd", "K", "1", "a", "2", "b"}}, {"zpopmax", "K"}}},
      {"zpopmin", {{{"zadd", "K", "1", "a", "2", "b"}}, {"zpopmin", "K"}}},
      {"zrangestore", {{{"zadd", "K", "1", "a"}}, {"zrangestore", "D", "K", "0", "-1"}, "D"}},
      {"zrem", {{{"zadd", "K", "1", "a", "2", "b"}}, {"zrem", "K", "a"}}},
      {"zremrangebylex", {{{"zadd", "K", "0", "a", "0", "b"}}, {"zremrangebylex", "K", "-", "(b"}}},
      {"zremrangebyrank", {{{"zadd", "K", "1", "a", "2", "b"}}, {"zremrangebyrank", "K", "0", "0"}}},
      {"zremrangebyscore",
       {{{"zadd", "K", "1", "a", "2", "b"}}, {"zremrangebyscore", "K", "0", "1"}}},
      {"zunionstore", {{{"zadd", "K", "1", "a"}}, {"zunionstore", "D", "1", "K"}, "D"}},
  };
  return *examples;
}

// Known gap (README, Status): the engine invalidates WATCH for every key of a write command that
// changed data (engine.cc) unless its handler says otherwise (ClientState::no_key_signal, as the
// stream family's consumer-group commands do), where Redis 7.0 does not signal PFDEBUG's key.
// Its EXEC outcome is reported, not compared; everything else about it is.
const std::set<std::string>& WatchGaps() {
  static const auto* gaps = new std::set<std::string>{"pfdebug"};
  return *gaps;
}

// The keyspace-wide commands run first, while the keyspace holds only their own keys.
bool RunsFirst(const std::string& name) {
  return name == "flushall" || name == "flushdb" || name == "swapdb";
}

std::string Placeholder(const std::string& name, const std::string& arg) {
  if (arg == "K") return name + ":k";
  if (arg == "K2") return name + ":k2";
  if (arg == "D") return name + ":d";
  return arg;
}

Argv Expand(const std::string& name, const Argv& argv, const std::string& last) {
  Argv out;
  for (const auto& a : argv) out.push_back(a == "$LAST" ? last : Placeholder(name, a));
  return out;
}

std::string SortedElements(const redisReply* r, size_t group) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return Show(r);
  std::vector<std::string> items;
  for (size_t i = 0; i + group <= r->elements; i += group) {
    std::string item;
    for (size_t j = 0; j < group; ++j) item += Show(r->element[i + j]) + " ";
    items.push_back(item);
  }
  std::sort(items.begin(), items.end());
  std::string s;
  for (const auto& i : items) s += i + "; ";
  return s;
}

// A key's type, value (order-free where the type is) and whether it has a TTL.
std::string KeyState(redisContext* c, const std::string& key) {
  Reply type = Command(c, {"type", key});
  std::string t = type ? std::string(type->str, type->len) : "?";
  std::string value;
  if (t == "string") {
    value = Show(Command(c, {"get", key}).get());
  } else if (t == "list") {
    value = Show(Command(c, {"lrange", key, "0", "-1"}).get());
  } else if (t == "set") {
    value = SortedElements(Command(c, {"smembers", key}).get(), 1);
  } else if (t == "hash") {
    value = SortedElements(Command(c, {"hgetall", key}).get(), 2);
  } else if (t == "zset") {
    value = Show(Command(c, {"zrange", key, "0", "-1", "WITHSCORES"}).get());
  } else if (t == "stream") {
    value = Show(Command(c, {"xrange", key, "-", "+"}).get()) + " groups " +
            Show(Command(c, {"xinfo", "groups", key}).get());
  }
  Reply ttl = Command(c, {"pttl", key});
  bool has_ttl = ttl && ttl->type == REDIS_REPLY_INTEGER && ttl->integer >= 0;
  return t + " " + value + (has_ttl ? " (ttl)" : "");
}

// Every key of databases 0 and 1, and the function libraries' names when FUNCTION exists.
std::map<std::string, std::string> Keyspace(redisContext* c, bool functions) {
  std::map<std::string, std::string> out;
  for (const char* db : {"0", "1"}) {
    Command(c, {"select", db});
    Reply keys = Command(c, {"keys", "*"});
    if (!keys || keys->type != REDIS_REPLY_ARRAY) continue;
    for (size_t i = 0; i < keys->elements; ++i) {
      std::string key(keys->element[i]->str, keys->element[i]->len);
      out[std::string(db) + ":" + key] = KeyState(c, key);
    }
  }
  Command(c, {"select", "0"});
  if (functions) {
    Reply libs = Command(c, {"function", "list"});
    std::set<std::string> names;
    for (size_t i = 0; libs && libs->type == REDIS_REPLY_ARRAY && i < libs->elements; ++i) {
      const redisReply* lib = libs->element[i];
      if (lib->type == REDIS_REPLY_ARRAY && lib->elements >= 2) {
        names.insert(Show(lib->element[1]));
      }
    }
    for (const auto& n : names) out["function library " + n] = "loaded";
  }
  return out;
}

// What one example did on one server.
struct Outcome {
  std::string reply;
  bool exec_aborted = false;
  std::string state;  // the example's keys' states
  std::string error;
};

Outcome RunExample(int port, const std::string& name, const Example& ex) {
  Outcome o;
  Connection main = Connect(port), watcher = Connect(port);
  if (!main || !watcher) {
    o.error = "cannot connect";
    return o;
  }
  std::string last;
  for (const Argv& step : ex.setup) {
    Reply r = Command(main.get(), Expand(name, step, last));
    if (!r) {
      o.error = "connection lost in setup";
      return o;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      o.error = "setup " + Show(r.get());
      return o;
    }
    if (r->type == REDIS_REPLY_STRING) last.assign(r->str, r->len);
  }
  if (!ex.watch.empty()) Command(watcher.get(), {"watch", Placeholder(name, ex.watch)});
  Reply reply = Command(main.get(), Expand(name, ex.command, last));
  o.reply = Show(reply.get());
  if (!ex.watch.empty()) {
    Command(watcher.get(), {"multi"});
    Command(watcher.get(), {"ping"});
    Reply exec = Command(watcher.get(), {"exec"});
    o.exec_aborted = exec && exec->type == REDIS_REPLY_NIL;
  }
  for (const char* key : {"K", "K2", "D"}) {
    std::string k = Placeholder(name, key);
    o.state += k + "=" + KeyState(main.get(), k) + "; ";
  }
  return o;
}

class LoggedServer {
 public:
  explicit LoggedServer(std::string dir) : dir_(std::move(dir)) {}
  // Starts racetrack-server on the log in dir_ (replaying what it holds).
  std::string Start() {
    Result<int> port = adapters::FindFreePort();
    if (!port.ok()) return port.status().message();
    port_ = *port;
    auto p = adapters::ServerProcess::Start(
        {.program = test_paths::BinDir() + "/racetrack-server",
         .args = {"--port", std::to_string(port_), "--appendonly", "yes", "--appendfsync",
                  "always", "--dir", dir_},
         .working_dir = dir_,
         .log_path = dir_ + "/server.log"});
    if (!p.ok()) return p.status().message();
    process_ = std::move(*p);
    Status up = process_->WaitForPort(port_, std::chrono::seconds(20));
    return up.ok() ? std::string() : up.message();
  }
  std::string Restart() {
    Status s = process_->Stop();
    if (!s.ok()) return s.message();
    return Start();
  }
  int port() const { return port_; }

 private:
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<adapters::ServerProcess> process_;
};

TEST_F(CommandTableTest, EveryWriteCommandIsSeenByWatchAndReplayedFromTheLog) {
  char templ[] = "/tmp/racetrack-command-table-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  std::string dir = templ;
  LoggedServer ours(dir);
  ASSERT_EQ(ours.Start(), "");

  Connection probe = Connect(ours.port());
  ASSERT_TRUE(probe);
  Command(redis_.get(), {"flushall"});
  Command(redis_.get(), {"function", "flush"});
  std::map<std::string, Info> mine = Commands(probe.get());
  bool functions = mine.contains("function");

  // Every racetrack write command needs an example.
  for (const auto& [name, info] : mine) {
    if (info.flags.contains("write") && !Examples().contains(name)) {
      ADD_FAILURE() << name << " is flagged write but has no example in command_table_test.cc";
    }
  }
  std::vector<std::string> order;
  for (const auto& [name, ex] : Examples()) {
    if (RunsFirst(name)) order.push_back(name);
  }
  for (const auto& [name, ex] : Examples()) {
    if (!RunsFirst(name)) order.push_back(name);
  }

  int run = 0, aborted = 0;
  std::string not_in_racetrack, no_abort_in_redis, watch_gaps;
  for (const std::string& name : order) {
    const Example& ex = Examples().at(name);
    if (!mine.contains(name)) {
      not_in_racetrack += (not_in_racetrack.empty() ? "" : " ") + name;
      continue;
    }
    ++run;
    SCOPED_TRACE(name);
    Outcome theirs = RunExample(ports_[0], name, ex);
    ASSERT_EQ(theirs.error, "") << "the example fails on Redis itself";
    Outcome mine_now = RunExample(ours.port(), name, ex);
    ASSERT_EQ(mine_now.error, "");
    EXPECT_EQ(mine_now.reply, theirs.reply) << "reply (racetrack vs Redis)";
    if (WatchGaps().contains(name)) {
      if (mine_now.exec_aborted != theirs.exec_aborted) {
        watch_gaps += (watch_gaps.empty() ? "" : " ") + name;
      }
    } else {
      EXPECT_EQ(mine_now.exec_aborted, theirs.exec_aborted)
          << "WATCH " << Placeholder(name, ex.watch) << " then " << name
          << ": Redis's EXEC " << (theirs.exec_aborted ? "aborted" : "ran");
    }
    EXPECT_EQ(mine_now.state, theirs.state) << "key states (racetrack vs Redis)";
    if (theirs.exec_aborted) {
      ++aborted;
    } else if (!ex.watch.empty()) {
      no_abort_in_redis += (no_abort_in_redis.empty() ? "" : " ") + name;
    }

    // The log replays to the same keyspace.
    Connection c = Connect(ours.port());
    ASSERT_TRUE(c);
    std::map<std::string, std::string> before = Keyspace(c.get(), functions);
    c.reset();
    ASSERT_EQ(ours.Restart(), "");
    c = Connect(ours.port());
    ASSERT_TRUE(c);
    std::map<std::string, std::string> after = Keyspace(c.get(), functions);
    EXPECT_EQ(after, before) << "the keyspace after replaying the append-only log";
    if (HasFatalFailure()) break;
  }
  std::printf("write commands: %d examples run, %d abort a WATCH in Redis; Redis's EXEC runs "
              "after: %s; known WATCH gap (racetrack aborts): %s; not in racetrack: %s\n",
              run, aborted, no_abort_in_redis.c_str(), watch_gaps.c_str(),
              not_in_racetrack.c_str());
  RecordProperty("examples_run", run);
  RecordProperty("not_in_racetrack", not_in_racetrack);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace racetrack::conformance
