// Functions (FUNCTION / FCALL) in the engine alone: loading, calling, flags, DUMP/RESTORE and the
// libraries surviving a snapshot. Replies were checked against Redis 7.0.15 (the conformance
// script tests/conformance/scripts/functions.redis compares the rest with a real server).
#include "engine/function.h"

#include "engine/snapshot.h"
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

class FunctionTest : public EngineTest {};

constexpr const char* kLib =
    "#!lua name=lib\n"
    "redis.register_function('echo', function(keys, args) return args[1] end)\n"
    "redis.register_function{function_name='get', callback=function(keys) "
    "return redis.call('get', keys[1]) end, flags={'no-writes'}}\n"
    "redis.register_function('set', function(keys, args) return redis.call('set', keys[1], "
    "args[1]) end)";

TEST(Crc64Test, RedisCheckValue) {
  // crc64.c's own test vector.
  EXPECT_EQ(Crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
}

TEST_F(FunctionTest, LoadCallAndFlags) {
  EXPECT_EQ(Run({"function", "load", kLib}), Bulk("lib"));
  EXPECT_EQ(Run({"fcall", "echo", "0", "hi"}), Bulk("hi"));
  EXPECT_EQ(Run({"fcall", "set", "1", "k", "v"}), Ok());
  EXPECT_EQ(Run({"fcall_ro", "get", "1", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"fcall_ro", "set", "1", "k", "w"}),
            Err("ERR Can not execute a script with write flag using *_ro command."));
  EXPECT_EQ(Run({"function", "load", kLib}), Err("ERR Library 'lib' already exists"));
  EXPECT_EQ(Run({"function", "load", "replace", kLib}), Bulk("lib"));
  EXPECT_EQ(Run({"fcall", "nosuch", "0"}), Err("ERR Function not found"));
  EXPECT_EQ(Run({"function", "delete", "lib"}), Ok());
  EXPECT_EQ(Run({"fcall", "echo", "0", "hi"}), Err("ERR Function not found"));
}

TEST_F(FunctionTest, LoadErrorsChangeNothing) {
  EXPECT_EQ(Run({"function", "load", "#!lua name=a\nreturn 1"}), Err("ERR No functions registered"));
  EXPECT_EQ(Run({"function", "load", "#!lua name=a\nlocal x = string.len('a')"}),
            Err("ERR Error registering functions: ERR user_function:2: Script attempted to access "
                "nonexistent global variable 'string'"));
  EXPECT_EQ(Run({"function", "list"}), "*0\r\n");
  // A load colliding with another library's function keeps the old one.
  Run({"function", "load", kLib});
  EXPECT_EQ(Run({"function", "load",
                 "#!lua name=b\nredis.register_function('echo', function() return 1 end)"}),
            Err("ERR Function echo already exists"));
  EXPECT_EQ(Run({"fcall", "echo", "0", "still"}), Bulk("still"));
}

TEST_F(FunctionTest, DumpRestoreRoundTrip) {
  Run({"function", "load", kLib});
  std::string dump = Run({"function", "dump"});
  ASSERT_EQ(dump[0], '$');
  std::string payload = dump.substr(dump.find("\r\n") + 2);
  payload.resize(payload.size() - 2);
  EXPECT_EQ(Run({"function", "restore", payload}), Err("ERR Library lib already exists"));
  EXPECT_EQ(Run({"function", "flush"}), Ok());
  EXPECT_EQ(Run({"function", "restore", payload}), Ok());
  EXPECT_EQ(Run({"fcall", "echo", "0", "back"}), Bulk("back"));
  payload[3] ^= 1;
  EXPECT_EQ(Run({"function", "restore", payload, "replace"}),
            Err("ERR DUMP payload version or checksum are wrong"));
}

TEST_F(FunctionTest, LibrariesSurviveASnapshot) {
  Run({"function", "load", kLib});
  Run({"set", "k", "v"});
  std::string bytes = EncodeSnapshot(engine_);
  Engine other;
  uint64_t keys = 0;
  size_t consumed = 0;
  ASSERT_TRUE(LoadSnapshotBytes(other, bytes, "test", &keys, &consumed).ok());
  ClientState c;
  other.AddClient(&c);
  c.authenticated = true;
  EXPECT_EQ(other.Run(c, {"fcall", "get", "1", "k"}), Bulk("v"));
  other.RemoveClient(&c);
}

TEST_F(FunctionTest, RunawayFunctionStoppedWithoutEventLoop) {
  engine_.config().lua_time_limit_ms = 30;
  Run({"function", "load", "#!lua name=spin\nredis.register_function('spin', function() while true do end end)"});
  EXPECT_THAT(Run({"fcall", "spin", "0"}),
              IsError("ERR Script killed after exceeding lua-time-limit (30 ms) script: spin"));
  EXPECT_EQ(Run({"function", "stats"}),
            "*4\r\n" + Bulk("running_script") + Nil() + Bulk("engines") + "*2\r\n" +
                Bulk("LUA") + "*4\r\n" + Bulk("libraries_count") + Int(1) + Bulk("functions_count") +
                Int(1));
}

}  // namespace
}  // namespace racetrack::engine
