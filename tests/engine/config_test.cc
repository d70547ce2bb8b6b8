// The server-config table: the config file, the command-line flags and CONFIG SET accept and
// reject the same values with the same text (Redis 7.0.15's, checked by hand against
// redis-server: `CONFIG SET hz abc`, `CONFIG SET maxmemory 1x`, ...), and memory sizes cannot
// overflow.
#include "engine/config.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "adapters/server_process.h"
#include "tests/engine/engine_fixture.h"
#include "tests/test_paths.h"

namespace racetrack::engine {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name, value;
  std::string error;  // "" = accepted
  std::string after;  // CONFIG GET's value once accepted
};

// Values tried on every path. The errors are Redis 7.0.15's CONFIG SET texts.
const std::vector<Case>& Cases() {
  static const std::vector<Case> kCases = {
      {"hz", "abc", "argument couldn't be parsed into an integer", ""},
      {"hz", "+10", "argument couldn't be parsed into an integer", ""},
      {"hz", "-1", "argument must be between 0 and 2147483647 inclusive", ""},
      {"hz", "0", "", "1"},  // clamped into 1..500, as Redis runs it
      {"hz", "100000", "", "500"},
      {"hz", "50", "", "50"},
      {"maxclients", "0", "argument must be between 1 and 4294967295 inclusive", ""},
      {"maxclients", "4294967296", "argument must be between 1 and 4294967295 inclusive", ""},
      {"maxclients", "4294967295", "", "4294967295"},
      {"maxmemory", "1x", "argument must be a memory value", ""},
      {"maxmemory", "-1", "argument must be a memory value", ""},
      {"maxmemory", "1.5mb", "argument must be a memory value", ""},
      {"maxmemory", "kb", "argument must be a memory value", ""},
      // Overflow: Redis wraps these silently (17179869184gb becomes 0); racetrack refuses.
      {"maxmemory", "17179869184gb", "argument must be a memory value", ""},
      {"maxmemory", "9223372036854775808", "argument must be a memory value", ""},
      {"maxmemory", "9223372036854775807", "", "9223372036854775807"},
      {"maxmemory", "8589934591gb", "", "9223372035781033984"},
      {"maxmemory", "1MB", "", "1048576"},
      {"maxmemory", "5G", "", "5000000000"},
      {"maxmemory-samples", "0", "argument must be between 1 and 2147483647 inclusive", ""},
      {"maxmemory-samples", "65", "", "65"},
      {"maxmemory-policy", "foo",
       "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
       "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
       ""},
      {"maxmemory-policy", "ALLKEYS-LRU", "", "allkeys-lru"},
      {"appendonly", "maybe", "argument must be 'yes' or 'no'", ""},
      {"appendfsync", "sometimes", "argument(s) must be one of the following: everysec, always, no",
       ""},
      {"appendfsync", "always", "", "always"},
      {"proto-max-bulk-len", "1kb",
       "argument must be between 1048576 and 9223372036854775807 inclusive", ""},
      {"client-query-buffer-limit", "1",
       "argument must be between 1048576 and 9223372036854775807 inclusive", ""},
      {"lua-time-limit", "-1", "argument must be between 0 and 9223372036854775807 inclusive", ""},
      {"busy-reply-threshold", "abc", "argument couldn't be parsed into an integer", ""},
      {"busy-reply-threshold", "100", "", "100"},
      {"save", "1 2 3", "Invalid save parameters", ""},
      {"save", "-1 2", "Invalid save parameters", ""},
      {"save", "3600 1 300 100", "", "3600 1 300 100"},
      {"save", "", "", ""},
      {"client-output-buffer-limit", "pubsub 1 2",
       "Wrong number of arguments in buffer limit configuration.", ""},
      {"client-output-buffer-limit", "foo 1 2 3",
       "Invalid client class specified in buffer limit configuration.", ""},
      {"client-output-buffer-limit", "pubsub 1x 2 3",
       "Error in hard, soft or soft_seconds setting in buffer limit configuration.", ""},
      {"client-output-buffer-limit", "pubsub 64mb 16mb 30", "",
       "normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 30"},
  };
  return kCases;
}

class ConfigTest : public EngineTest {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rt-config-test-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The file path: one "name value" line, the value in redis-cli quoting.
  racetrack::Status ViaFile(const Case& c, EngineConfig* config) {
    const std::string path = (dir_ / "racetrack.conf").string();
    std::ofstream(path) << "# a comment\n" << c.name << " \"" << c.value << "\"\n";
    return LoadConfigFile(path, config);
  }

  fs::path dir_;
};

TEST_F(ConfigTest, FileFlagAndConfigSetAgreeOnEveryValue) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name + " '" + c.value + "'");
    EngineConfig from_file, from_flag;
    racetrack::Status file = ViaFile(c, &from_file);
    racetrack::Status flag = ApplyConfigSetting(&from_flag, c.name, {c.value});
    std::string set = Run({"config", "set", c.name, c.value});
    if (c.error.empty()) {
      EXPECT_TRUE(file.ok()) << file.message();
      EXPECT_TRUE(flag.ok()) << flag.message();
      EXPECT_EQ(set, Ok());
      const ConfigOption* o = FindConfigOption(c.name);
      ASSERT_NE(o, nullptr);
      EXPECT_EQ(o->get(from_file), c.after);
      EXPECT_EQ(o->get(from_flag), c.after);
      EXPECT_EQ(o->get(engine_.config()), c.after);
      EXPECT_EQ(Run({"config", "get", c.name}), Arr({c.name, c.after}));
    } else {
      EXPECT_EQ(file.message(), (dir_ / "racetrack.conf").string() + ":2: '" + c.name + " " +
                                    c.value + "': " + c.error);
      EXPECT_EQ(flag.message(), "'" + c.name + " " + c.value + "': " + c.error);
      EXPECT_EQ(set, Err("ERR CONFIG SET failed (possibly related to argument '" + c.name +
                         "') - " + c.error));
      // Nothing changed anywhere.
      const ConfigOption* o = FindConfigOption(c.name);
      EXPECT_EQ(o->get(from_file), o->DefaultValue());
      EXPECT_EQ(o->get(from_flag), o->DefaultValue());
    }
  }
}

TEST_F(ConfigTest, EveryOptionRoundTripsItsDefaultOnEveryPath) {
  for (const ConfigOption& o : ConfigOptions()) {
    SCOPED_TRACE(std::string(o.name));
    const std::string def = o.DefaultValue();
    EngineConfig config;
    EXPECT_TRUE(ApplyConfigSetting(&config, o.name, {def}).ok());
    EXPECT_EQ(o.get(config), def);
    std::string set = Run({"config", "set", o.name, def});
    if (o.runtime) {
      EXPECT_EQ(set, Ok());
    } else {
      EXPECT_EQ(set, Err("ERR CONFIG SET failed (possibly related to argument '" +
                         std::string(o.name) + "') - can't set immutable config"));
    }
  }
}

TEST_F(ConfigTest, ImmutableOptionsAreValidatedAtStartAndRefusedAtRuntime) {
  EngineConfig config;
  EXPECT_TRUE(ApplyConfigSetting(&config, "databases", {"3"}).ok());
  EXPECT_EQ(config.databases, 3);
  EXPECT_EQ(ApplyConfigSetting(&config, "databases", {"0"}).message(),
            "'databases 0': argument must be between 1 and 1000000 inclusive");
  EXPECT_EQ(ApplyConfigSetting(&config, "port", {"65536"}).message(),
            "'port 65536': argument must be between 0 and 65535 inclusive");
  EXPECT_EQ(Run({"config", "set", "databases", "3"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
                "immutable config"));
  EXPECT_EQ(Run({"config", "set", "port", "abc"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'port') - can't set "
                "immutable config"));
}

TEST_F(ConfigTest, AliasesNameTheSameSetting) {
  EXPECT_EQ(FindConfigOption("LUA-TIME-LIMIT"), FindConfigOption("busy-reply-threshold"));
  EXPECT_EQ(Run({"config", "set", "lua-time-limit", "250"}), Ok());
  EXPECT_EQ(Run({"config", "get", "busy-reply-threshold"}), Arr({"busy-reply-threshold", "250"}));
  EXPECT_EQ(Run({"config", "get", "lua*"}), Arr({"lua-time-limit", "250"}));
  EXPECT_EQ(Run({"config", "set", "busy-reply-threshold", "1", "lua-time-limit", "2"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - "
                "duplicate parameter"));
}

TEST_F(ConfigTest, FileErrorsNameTheLine) {
  const std::string path = (dir_ / "bad.conf").string();
  std::ofstream(path) << "port 0\n\nhz abc\n";
  EngineConfig config;
  EXPECT_EQ(LoadConfigFile(path, &config).message(),
            path + ":3: 'hz abc': argument couldn't be parsed into an integer");
  std::ofstream(path) << "nosuch 1\n";
  EXPECT_EQ(LoadConfigFile(path, &config).message(),
            path + ":1: Bad directive or wrong number of arguments: 'nosuch'");
  std::ofstream(path) << "hz 1 2\n";
  EXPECT_EQ(LoadConfigFile(path, &config).message(),
            path + ":1: Bad directive or wrong number of arguments: 'hz'");
  std::ofstream(path) << "save 3600 1 300 100\nclient-output-buffer-limit pubsub 1mb 1mb 0\n";
  EXPECT_TRUE(LoadConfigFile(path, &config).ok());
  EXPECT_EQ(config.save, "3600 1 300 100");
  EXPECT_EQ(config.pubsub_output_hard_limit, 1024 * 1024);
}

TEST(ParseMemoryTest, UnitsAndOverflow) {
  int64_t n = 0;
  EXPECT_TRUE(ParseMemory("42", &n));
  EXPECT_EQ(n, 42);
  EXPECT_TRUE(ParseMemory("1k", &n));
  EXPECT_EQ(n, 1000);
  EXPECT_TRUE(ParseMemory("1KB", &n));
  EXPECT_EQ(n, 1024);
  EXPECT_TRUE(ParseMemory("3gb", &n));
  EXPECT_EQ(n, 3LL * 1024 * 1024 * 1024);
  EXPECT_TRUE(ParseMemory("7b", &n));
  EXPECT_EQ(n, 7);
  for (const char* bad : {"", "gb", "-1", "1x", "1.5k", " 1", "9223372036854775807k",
                          "8589934592gb", "99999999999999999999"}) {
    EXPECT_FALSE(ParseMemory(bad, &n)) << bad;
  }
}

// The real racetrack-server: a bad flag or a bad file line is one line on stderr and exit 2.
TEST(ServerFlagsTest, BadFlagAndBadFileLineStopTheServerWithTheTablesText) {
  const std::string log =
      fs::temp_directory_path() / ("rt-config-flags-" + std::to_string(getpid()) + ".log");
  Status s = adapters::ServerProcess::Run(
      {.program = test_paths::BinDir() + "/racetrack-server",
       .args = {"--hz", "abc"},
       .log_path = log},
      std::chrono::seconds(10));
  EXPECT_NE(s.message().find("exited with code 2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("racetrack-server: --hz: 'hz abc': argument couldn't be parsed into "
                             "an integer"),
            std::string::npos)
      << s.message();
  const std::string conf = log + ".conf";
  std::ofstream(conf) << "maxmemory 17179869184gb\n";
  s = adapters::ServerProcess::Run(
      {.program = test_paths::BinDir() + "/racetrack-server", .args = {conf}, .log_path = log},
      std::chrono::seconds(10));
  EXPECT_NE(s.message().find(conf + ":1: 'maxmemory 17179869184gb': argument must be a memory "
                                    "value"),
            std::string::npos)
      << s.message();
  fs::remove(log);
  fs::remove(conf);
}

}  // namespace
}  // namespace racetrack::engine
