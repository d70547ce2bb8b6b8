// Lua scripting: EVAL/EVALSHA/SCRIPT, the conversions both ways, Redis 7.0's error texts, the
// sandbox, the libraries, and the time limit of an engine without an event loop. Expected replies were checked against Redis 7.0.15.
#include "engine/scripting.h"

#include "engine/ds/sha1.h"
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

class ScriptingTest : public EngineTest {
 protected:
  std::string Eval(std::string_view script) { return Run({"eval", script, "0"}); }
  // The " script: <sha>, on @user_script:<line>." suffix Redis adds to runtime errors.
  static std::string Where(std::string_view script, int line) {
    return " script: " + Sha1Hex(script) + ", on @user_script:" + std::to_string(line) + ".";
  }
};

TEST(Sha1Test, KnownDigests) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Sha1Hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  EXPECT_EQ(Sha1Hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");  // SCRIPT LOAD
}

TEST_F(ScriptingTest, LuaToRespConversions) {
  EXPECT_EQ(Eval("return 3.99"), Int(3));
  EXPECT_EQ(Eval("return -3.99"), Int(-3));
  EXPECT_EQ(Eval("return 'hello'"), Bulk("hello"));
  EXPECT_EQ(Eval("return true"), Int(1));
  EXPECT_EQ(Eval("return false"), Nil());
  EXPECT_EQ(Eval("return nil"), Nil());
  EXPECT_EQ(Eval("return"), Nil());
  EXPECT_EQ(Eval("return {1,2,3,'x',nil,5}"), "*4\r\n" + Int(1) + Int(2) + Int(3) + Bulk("x"));
  EXPECT_EQ(Eval("return {1,true,false,{2,'a'}}"),
            "*4\r\n" + Int(1) + Int(1) + Nil() + "*2\r\n" + Int(2) + Bulk("a"));
  EXPECT_EQ(Eval("return {}"), "*0\r\n");
  EXPECT_EQ(Eval("return {a=1}"), "*0\r\n");
  EXPECT_EQ(Eval("return {ok='fine'}"), Status("fine"));
  EXPECT_EQ(Eval("return {err='MY error'}"), Err("MY error"));
  EXPECT_EQ(Eval("return {ok='x', err='y'}"), Err("y"));
  EXPECT_EQ(Eval("return {err='line1\\nline2'}"), Err("line1 line2"));
  EXPECT_EQ(Eval("return {ok='a\\r\\nb'}"), Status("a  b"));
  EXPECT_EQ(Eval("return {double=1.5}"), Bulk("1.5"));
  EXPECT_EQ(Eval("return redis.status_reply('fine')"), Status("fine"));
  EXPECT_EQ(Eval("return redis.error_reply('x y')"), Err("x y"));
  EXPECT_EQ(Eval("return redis.error_reply('-x y')"), Err("x y"));
  EXPECT_EQ(Eval("return redis.error_reply('nospace')"), Err("ERR nospace"));
  EXPECT_EQ(Eval("return redis.error_reply()"), Err("ERR wrong number or type of arguments"));
  // Out-of-range numbers become LLONG_MIN, as (long long) does on x86-64.
  EXPECT_EQ(Eval("return 1/0"), Int(INT64_MIN));
  EXPECT_EQ(Eval("return 0/0"), Int(INT64_MIN));
  EXPECT_EQ(Eval("return 1e30"), Int(INT64_MIN));
  // A table that contains itself.
  std::string deep = Eval("local t = {}; t[1] = t; return t");
  EXPECT_NE(deep.find("-ERR reached lua stack limit\r\n"), std::string::npos);
}

TEST_F(ScriptingTest, RespToLuaConversions) {
  EXPECT_EQ(Eval("return redis.call('ping')"), Status("PONG"));
  EXPECT_EQ(Eval("local r = redis.call('ping'); return type(r)..r.ok"), Bulk("tablePONG"));
  EXPECT_EQ(Eval("return tostring(redis.call('get','nokey'))"), Bulk("false"));
  EXPECT_EQ(Eval("return type(redis.call('exists','nokey'))"), Bulk("number"));
  EXPECT_EQ(Eval("redis.call('rpush','L','a','b'); return redis.call('lrange','L',0,-1)"),
            Arr({"a", "b"}));
  EXPECT_EQ(Eval("local r = redis.pcall('incr','L'); return type(r)..' '..r.err"),
            Bulk("table WRONGTYPE Operation against a key holding the wrong kind of value"));
  // Numbers are passed as %.17g, as Lua 5.1 doubles in Redis.
  EXPECT_EQ(Eval("return redis.call('set','n',0.1)"), Ok());
  EXPECT_EQ(Run({"get", "n"}), Bulk("0.10000000000000001"));
  EXPECT_EQ(Eval("return redis.call('set','n',3)"), Ok());
  EXPECT_EQ(Run({"get", "n"}), Bulk("3"));
}

TEST_F(ScriptingTest, KeysAndArgv) {
  EXPECT_EQ(Run({"eval", "return {KEYS[1], KEYS[2], ARGV[1], #ARGV}", "2", "k1", "k2", "a1", "a2"}),
            "*4\r\n" + Bulk("k1") + Bulk("k2") + Bulk("a1") + Int(2));
  EXPECT_EQ(Run({"eval", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"}), Ok());
  EXPECT_EQ(Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"eval", "return #KEYS", "0"}), Int(0));  // KEYS is rebuilt for every script
}

TEST_F(ScriptingTest, EvalArgumentErrors) {
  EXPECT_EQ(Run({"eval", "return 1", "-1"}), Err("ERR Number of keys can't be negative"));
  EXPECT_EQ(Run({"eval", "return 1", "2", "a"}),
            Err("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(Run({"eval", "return 1", "x"}), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Run({"eval", "return 1"}), Err("ERR wrong number of arguments for 'eval' command"));
  EXPECT_EQ(Run({"evalsha", "abc", "0"}), Err("NOSCRIPT No matching script. Please use EVAL."));
  EXPECT_EQ(Run({"evalsha", std::string(40, '0'), "0"}),
            Err("NOSCRIPT No matching script. Please use EVAL."));
  EXPECT_EQ(Eval("return 1 +"),
            Err("ERR Error compiling script (new function): user_script:1: unexpected symbol near "
                "'<eof>'"));
}

TEST_F(ScriptingTest, ScriptCache) {
  EXPECT_EQ(Run({"script", "load", "return 1"}), Bulk("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"));
  EXPECT_EQ(Run({"script", "exists", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "abc"}),
            "*2\r\n" + Int(1) + Int(0));
  EXPECT_EQ(Run({"script", "exists", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB"}), "*1\r\n" + Int(1));
  EXPECT_EQ(Run({"evalsha", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"}), Int(1));
  EXPECT_EQ(Run({"evalsha_ro", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}), Int(1));
  // EVAL caches too.
  EXPECT_EQ(Eval("return 2"), Int(2));
  EXPECT_EQ(Run({"evalsha", Sha1Hex("return 2"), "0"}), Int(2));
  EXPECT_EQ(Run({"script", "flush", "bogus"}), Err("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
  EXPECT_EQ(Run({"script", "flush", "async"}), Ok());
  EXPECT_EQ(Run({"evalsha", Sha1Hex("return 2"), "0"}),
            Err("NOSCRIPT No matching script. Please use EVAL."));
  EXPECT_EQ(Run({"script", "load", "return 1 +"}),
            Err("ERR Error compiling script (new function): user_script:1: unexpected symbol near "
                "'<eof>'"));
  EXPECT_EQ(Run({"script", "kill"}), Err("NOTBUSY No scripts in execution right now."));
  EXPECT_THAT(Run({"script", "foo"}), IsError("ERR unknown subcommand 'foo'. Try SCRIPT HELP."));
}

TEST_F(ScriptingTest, RedisCallErrors) {
  const std::string s1 = "return redis.call('foo')";
  EXPECT_EQ(Eval(s1), Err("ERR Unknown Redis command called from script" + Where(s1, 1)));
  const std::string s2 = "return redis.call('get')";
  EXPECT_EQ(Eval(s2), Err("ERR Wrong number of args calling Redis command from script" + Where(s2, 1)));
  const std::string s3 = "return redis.call()";
  EXPECT_EQ(Eval(s3),
            Err("ERR Please specify at least one argument for this redis lib call" + Where(s3, 1)));
  const std::string s4 = "return redis.call({})";
  EXPECT_EQ(Eval(s4),
            Err("ERR Lua redis lib command arguments must be strings or integers" + Where(s4, 1)));
  const std::string s5 = "return redis.call('multi')";
  EXPECT_EQ(Eval(s5), Err("ERR This Redis command is not allowed from script" + Where(s5, 1)));
  const std::string s6 = "return redis.call('eval', 'return 1', 0)";
  EXPECT_EQ(Eval(s6), Err("ERR This Redis command is not allowed from script" + Where(s6, 1)));
  Run({"set", "s", "abc"});
  const std::string s7 = "local x = 1\nreturn redis.call('incr', 's')";
  EXPECT_EQ(Eval(s7), Err("ERR value is not an integer or out of range" + Where(s7, 2)));
  EXPECT_EQ(Eval("return redis.pcall('incr', 's')"), Err("ERR value is not an integer or out of range"));
  EXPECT_EQ(Eval("return redis.pcall('get')"),
            Err("ERR Wrong number of args calling Redis command from script"));
  EXPECT_EQ(Eval("local r = redis.pcall('foo'); return r.err"),
            Bulk("ERR Unknown Redis command called from script"));
  const std::string s8 = "return redis.sha1hex()";
  EXPECT_EQ(Eval(s8), Err("ERR wrong number of arguments" + Where(s8, 1)));
  EXPECT_EQ(Eval("return redis.sha1hex('')"), Bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709"));
}

TEST_F(ScriptingTest, ScriptErrors) {
  const std::string s1 = "error('boom')";
  EXPECT_EQ(Eval(s1), Err("ERR user_script:1: boom" + Where(s1, 1)));
  const std::string s2 = "error({err='MY boom'})";
  EXPECT_EQ(Eval(s2), Err("MY boom" + Where(s2, 1)));
  // Redis 7's pcall hands the err string of an error table to the script.
  EXPECT_EQ(Eval("local ok, e = pcall(function() redis.call('foo') end); return {tostring(ok), e}"),
            Arr({"false", "ERR Unknown Redis command called from script"}));
  EXPECT_EQ(Eval("local ok, e = pcall(error, 'x', 0); return e"), Bulk("x"));
}

TEST_F(ScriptingTest, ReadOnlyScripts) {
  const std::string s = "return redis.call('set','x','1')";
  EXPECT_EQ(Run({"eval_ro", s, "1", "x"}),
            Err("ERR Write commands are not allowed from read-only scripts." + Where(s, 1)));
  EXPECT_EQ(Run({"eval_ro", "return redis.pcall('set','x','1')", "1", "x"}),
            Err("ERR Write commands are not allowed from read-only scripts."));
  EXPECT_EQ(Run({"exists", "x"}), Int(0));
  Run({"set", "x", "5"});
  EXPECT_EQ(Run({"eval_ro", "return redis.call('get', KEYS[1])", "1", "x"}), Bulk("5"));
  // A shebang flag makes a script read-only under plain EVAL too.
  const std::string sb = "#!lua flags=no-writes\nreturn redis.call('set','x','1')";
  EXPECT_EQ(Eval(sb), Err("ERR Write commands are not allowed from read-only scripts." + Where(sb, 2)));
  EXPECT_EQ(Eval("#!lua flags=no-writes\nreturn redis.call('get','x')"), Bulk("5"));
  EXPECT_EQ(Eval("#!python\nreturn 1"), Err("ERR Unexpected engine in script shebang: #!python"));
  EXPECT_EQ(Eval("#!lua flags=bogus\nreturn 1"), Err("ERR Unexpected flag in script shebang: bogus"));
}

TEST_F(ScriptingTest, Sandbox) {
  const std::string g = "x = 1";
  EXPECT_EQ(Eval(g), Err("ERR user_script:1: Attempt to modify a readonly table" + Where(g, 1)));
  const std::string r = "return x";
  EXPECT_EQ(Eval(r),
            Err("ERR user_script:1: Script attempted to access nonexistent global variable 'x'" +
                Where(r, 1)));
  for (const char* lib : {"os", "io", "require", "dofile", "loadfile", "package", "debug"}) {
    std::string s = std::string("return ") + lib;
    EXPECT_EQ(Eval(s), Err("ERR user_script:1: Script attempted to access nonexistent global "
                           "variable '" + std::string(lib) + "'" + Where(s, 1)))
        << lib;
  }
  const std::string m1 = "string.x = 1";
  EXPECT_EQ(Eval(m1), Err("ERR user_script:1: Attempt to modify a readonly table" + Where(m1, 1)));
  const std::string m2 = "redis.call = nil";
  EXPECT_EQ(Eval(m2), Err("ERR user_script:1: Attempt to modify a readonly table" + Where(m2, 1)));
  const std::string m3 = "_G.y = 1";
  EXPECT_EQ(Eval(m3), Err("ERR user_script:1: Attempt to modify a readonly table" + Where(m3, 1)));
  // rawset is refused on the globals and libraries, as on Redis's read-only tables.
  const std::string rs = "rawset(_G, 'z', 7); return z";
  EXPECT_EQ(Eval(rs), Err("ERR Attempt to modify a readonly table" + Where(rs, 1)));
  EXPECT_THAT(Eval("return z"), IsError("ERR user_script:1: Script attempted to access nonexistent"));
  // pairs sees through the read-only proxies.
  EXPECT_EQ(Eval("local n = 0 for k in pairs(bit) do n = n + 1 end return n"), Int(12));
  // Bytecode cannot be loaded; source can, in the sandbox.
  EXPECT_EQ(Eval("local f = loadstring(string.dump(function() return 1 end)); return tostring(f)"),
            Bulk("nil"));
  EXPECT_EQ(Eval("return loadstring('return 1 + 1')()"), Int(2));
  EXPECT_THAT(Eval("return load('return 1')"),
              IsError("ERR user_script:1: bad argument #1 to 'load' (function expected, got string)"));
  EXPECT_THAT(Eval("return loadstring('return os')()"),
              IsError("ERR [string \"return os\"]:1: Script attempted"));
  EXPECT_EQ(Eval("return type(unpack)"), Bulk("function"));
  EXPECT_EQ(Eval("return string.format('%d-%s', 5, 'x')"), Bulk("5-x"));
  EXPECT_EQ(Eval("return ('abc'):upper()"), Bulk("ABC"));
  EXPECT_EQ(Eval("return redis.REDIS_VERSION"), Bulk("7.0.15"));
}

TEST_F(ScriptingTest, MathRandomIsRedisSequence) {
  // A fresh Redis 7.0.15 answers exactly these: rand48 from its unseeded state, carried across
  // scripts.
  EXPECT_EQ(Eval("return {math.random(1000), math.random(1000), math.random(5, 9)}"),
            "*3\r\n" + Int(397) + Int(841) + Int(6));
  EXPECT_EQ(Eval("return {math.random(1000), math.random(1000), math.random(5, 9)}"),
            "*3\r\n" + Int(447) + Int(319) + Int(9));
  EXPECT_EQ(Eval("math.randomseed(42) return math.random(1000000)"), Int(744526));
  EXPECT_EQ(Eval("return {math.random(1000), tostring(math.random())}"),
            "*2\r\n" + Int(343) + Bulk("0.11108528222474"));
}

TEST_F(ScriptingTest, ScriptRunsInCallersDbAndSelectStaysInside) {
  Run({"select", "3"});
  EXPECT_EQ(Eval("redis.call('set','k','in3'); redis.call('select','5'); "
                 "return redis.call('set','k','in5')"),
            Ok());
  EXPECT_EQ(Run({"get", "k"}), Bulk("in3"));
  EXPECT_EQ(Eval("return redis.call('get','k')"), Bulk("in3"));
  Run({"select", "5"});
  EXPECT_EQ(Run({"get", "k"}), Bulk("in5"));
}

TEST_F(ScriptingTest, KeyspaceUnchangedAfterCompileOrArgumentErrors) {
  Run({"set", "k", "v"});
  Eval("redis.call('set','k','changed') return 1 +");
  Run({"eval", "redis.call('set','k','changed')", "5"});
  EXPECT_EQ(Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"dbsize"}), Int(1));
}

TEST_F(ScriptingTest, WritesOfAScriptTouchWatchers) {
  ClientState watcher;
  engine_.AddClient(&watcher);
  Run({"set", "k", "1"});
  EXPECT_EQ(Run(watcher, {"watch", "k"}), Ok());
  Eval("return redis.call('incr','k')");
  Run(watcher, {"multi"});
  EXPECT_EQ(Run(watcher, {"exec"}), "*-1\r\n");
  engine_.RemoveClient(&watcher);
}

TEST_F(ScriptingTest, EvalInsideMulti) {
  Run({"multi"});
  EXPECT_EQ(Run({"eval", "return redis.call('incr', KEYS[1])", "1", "c"}), Status("QUEUED"));
  EXPECT_EQ(Run({"eval", "return redis.call('incr', KEYS[1])", "1", "c"}), Status("QUEUED"));
  EXPECT_EQ(Run({"exec"}), "*2\r\n" + Int(1) + Int(2));
}

TEST_F(ScriptingTest, Lua51AndRedisLibraries) {
  EXPECT_EQ(Eval("return _VERSION"), Bulk("Lua 5.1"));
  EXPECT_EQ(Eval("return table.getn({1, 2, 3})"), Int(3));
  EXPECT_EQ(Eval("return tostring(3/1)"), Bulk("3"));
  EXPECT_EQ(Eval("return cjson.encode({1, 'x', {a = true}})"), Bulk("[1,\"x\",{\"a\":true}]"));
  EXPECT_EQ(Eval("return cjson.encode(2^53)"), Bulk("9.007199254741e+15"));
  EXPECT_EQ(Eval("return cjson.encode({})"), Bulk("{}"));
  EXPECT_EQ(Eval("return cjson.decode('[1,{\"b\":\"c\"}]')[2].b"), Bulk("c"));
  EXPECT_THAT(Eval("return cjson.decode('[1,')"),
              IsError("ERR user_script:1: Expected value but found T_END at character 4"));
  EXPECT_EQ(Eval("return cmsgpack.unpack(cmsgpack.pack({1, 2, 300}))[3]"), Int(300));
  EXPECT_EQ(Eval("return cmsgpack.pack(300)"), Bulk(std::string("\xcd\x01\x2c", 3)));
  EXPECT_EQ(Eval("return bit.tohex(bit.bor(0xf0, 0x0f))"), Bulk("000000ff"));
  EXPECT_EQ(Eval("return bit.tobit(0xffffffff)"), Int(-1));
  EXPECT_EQ(Eval("return struct.pack('>I2', 258)"), Bulk(std::string("\x01\x02", 2)));
  EXPECT_EQ(Eval("return {struct.unpack('<i2', struct.pack('<i2', -2))}"), "*2\r\n" + Int(-2) + Int(3));
  EXPECT_EQ(Eval("return struct.size('>I4 b d')"), Int(13));
}

class ScriptTimeLimitTest : public EngineTest {
 protected:
  ScriptTimeLimitTest() : EngineTest(Config()) {}
  static EngineConfig Config() {
    EngineConfig c;
    c.lua_time_limit_ms = 50;
    return c;
  }
};

TEST_F(ScriptTimeLimitTest, InfiniteLoopIsStoppedAndTheEngineKeepsServing) {
  Run({"set", "k", "v"});
  const std::string loop = "while true do end";
  EXPECT_EQ(Run({"eval", loop, "0"}),
            Err("ERR Script killed after exceeding lua-time-limit (50 ms) script: " + Sha1Hex(loop) +
                ", on @user_script:1."));
  EXPECT_EQ(Run({"get", "k"}), Bulk("v"));
  EXPECT_EQ(Run({"eval", "return 1", "0"}), Int(1));
}

TEST_F(ScriptTimeLimitTest, PcallCannotSwallowTheKill) {
  const std::string s = "while true do pcall(function() while true do end end) end";
  EXPECT_THAT(Run({"eval", s, "0"}), IsError("ERR Script killed after exceeding lua-time-limit"));
  EXPECT_EQ(Run({"ping"}), Status("PONG"));
}

TEST_F(ScriptTimeLimitTest, ConfigChangeAppliesToTheNextScript) {
  engine_.config().lua_time_limit_ms = 20;
  EXPECT_THAT(Run({"eval", "local i = 0 while true do i = i + 1 end", "0"}),
              IsError("ERR Script killed after exceeding lua-time-limit (20 ms)"));
}

}  // namespace
}  // namespace racetrack::engine
