// Server commands: INFO CONFIG TIME COMMAND SHUTDOWN MEMORY DBSIZE.
#include "engine/command_meta.h"
#include "engine/diagnostics.h"
#include "tests/engine/engine_fixture.h"

namespace racetrack::engine {
namespace {

using ServerFamilyTest = EngineTest;

TEST_F(ServerFamilyTest, InfoSections) {
  Run({"set", "a", "1"});
  Run({"set", "b", "1", "ex", "100"});
  Run({"get", "a"});
  Run({"get", "nope"});
  std::string info = Run({"info", "keyspace"});
  EXPECT_EQ(info, Bulk("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=100000\r\n"));
  std::string all = Run({"info"});
  EXPECT_NE(all.find("# Server\r\nredis_version:7.0.15\r\n"), std::string::npos);
  EXPECT_NE(all.find("\r\n\r\n# Clients\r\nconnected_clients:1\r\n"), std::string::npos);
  EXPECT_NE(all.find("keyspace_hits:1\r\nkeyspace_misses:1\r\n"), std::string::npos);
  EXPECT_NE(all.find("# Memory\r\nused_memory:"), std::string::npos);
  EXPECT_EQ(all.find("# Commandstats"), std::string::npos);
  std::string stats = Run({"info", "commandstats"});
  EXPECT_NE(stats.find("cmdstat_set:calls=2,usec="), std::string::npos);
  EXPECT_NE(stats.find(",rejected_calls=0,failed_calls=0\r\n"), std::string::npos);
  EXPECT_EQ(Run({"info", "nosuchsection"}), Bulk(""));
  EXPECT_EQ(Run({"config", "resetstat"}), Ok());
  // Only the RESETSTAT call itself is counted afterwards, as in Redis.
  EXPECT_EQ(Run({"info", "commandstats"}).find("cmdstat_set:"), std::string::npos);
}

// The per-command counters are indexed by the command-table entry: subcommands count apart from
// their container, every way of rejecting a call counts, and INFO lists them by name.
TEST_F(ServerFamilyTest, CommandstatsPerCommandAndSubcommandInNameOrder) {
  Run({"set", "k", "v"});
  Run({"SET", "k", "v"});
  Run({"incr", "k"});      // fails (not an integer)
  Run({"incr"});           // rejected (arity)
  Run({"config", "get", "maxmemory"});
  Run({"CONFIG", "SET", "maxmemory", "x"});  // fails
  Run({"config", "set"});  // rejected (arity)
  Run({"multi"});
  Run({"incrby", "k"});    // rejected while queuing
  Run({"discard"});
  std::string stats = Run({"info", "commandstats"});
  std::vector<std::string> lines;
  for (size_t at = 0; (at = stats.find("cmdstat_", at)) != std::string::npos; ++at) {
    lines.push_back(stats.substr(at, stats.find(":calls=", at) - at));
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"cmdstat_config|get", "cmdstat_config|set",
                                             "cmdstat_discard", "cmdstat_incr", "cmdstat_incrby",
                                             "cmdstat_multi", "cmdstat_set"}));
  EXPECT_NE(stats.find("cmdstat_set:calls=2,"), std::string::npos);
  EXPECT_NE(stats.find("cmdstat_incr:calls=1,"), std::string::npos);
  EXPECT_NE(stats.find(",rejected_calls=1,failed_calls=1\r\ncmdstat_incrby:calls=0,"),
            std::string::npos);
  EXPECT_NE(stats.find("cmdstat_config|set:calls=1,"), std::string::npos);
  EXPECT_NE(stats.find("cmdstat_config|get:calls=1,"), std::string::npos);
  std::string latency = Run({"info", "latencystats"});
  EXPECT_LT(latency.find("latency_percentiles_usec_config|get:"),
            latency.find("latency_percentiles_usec_set:"));
  EXPECT_EQ(latency.find("latency_percentiles_usec_incrby:"), std::string::npos);  // never ran
  EXPECT_EQ(Run({"config", "resetstat"}), Ok());
  stats = Run({"info", "commandstats"});
  EXPECT_EQ(stats.find("cmdstat_set:"), std::string::npos);
  EXPECT_NE(stats.find("cmdstat_config|resetstat:calls=1,"), std::string::npos);
}

TEST_F(ServerFamilyTest, ConfigGetSet) {
  EXPECT_EQ(Run({"config", "get", "maxmemory-policy"}), Arr({"maxmemory-policy", "noeviction"}));
  EXPECT_EQ(Run({"config", "get", "maxmemory*"}),
            Arr({"maxmemory", "0", "maxmemory-policy", "noeviction", "maxmemory-samples", "5"}));
  EXPECT_EQ(Run({"config", "get", "databases", "hz"}), Arr({"databases", "16", "hz", "10"}));
  EXPECT_EQ(Run({"config", "get", "nothing"}), "*0\r\n");
  EXPECT_EQ(Run({"config", "set", "maxmemory", "1mb", "hz", "0"}), Ok());
  EXPECT_EQ(engine_.config().maxmemory, 1024u * 1024);
  EXPECT_EQ(engine_.config().hz, 1);  // clamped, as Redis
  EXPECT_EQ(Run({"config", "set", "maxmemory-policy", "ALLKEYS-LRU"}), Ok());
  EXPECT_EQ(engine_.config().maxmemory_policy, "allkeys-lru");
  // Each setting's values and error texts: tests/engine/config_test.cc (the one table).
  EXPECT_EQ(Run({"config", "set", "foo", "1"}),
            Err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'"));
  // All or nothing: a bad second pair leaves the first unapplied.
  EXPECT_THAT(Run({"config", "set", "maxmemory-samples", "7", "hz", "x"}), IsError("ERR CONFIG"));
  EXPECT_EQ(engine_.config().maxmemory_samples, 5);
  EXPECT_EQ(Run({"config", "set", "hz", "5", "hz", "6"}),
            Err("ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"));
  EXPECT_EQ(Run({"config", "set", "hz"}),
            Err("ERR wrong number of arguments for 'config|set' command"));
  EXPECT_EQ(Run({"config"}), Err("ERR wrong number of arguments for 'config' command"));
}

TEST_F(ServerFamilyTest, Time) {
  clock_.SetMs(1'700'000'123'456);
  EXPECT_EQ(Run({"time"}), Arr({"1700000123", "456000"}));
}

TEST_F(ServerFamilyTest, CommandTable) {
  EXPECT_EQ(Run({"command", "count"}),
            Int(static_cast<int64_t>(engine_.commands().size())));
  std::string info = Run({"command", "info", "get", "nosuch"});
  // As redis-server 7.0.15 answers (command_table_test compares every command with it).
  EXPECT_EQ(info,
            "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
            "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n" +
                Bulk("flags") + "*2\r\n+RO\r\n+access\r\n" + Bulk("begin_search") + "*4\r\n" +
                Bulk("type") + Bulk("index") + Bulk("spec") + "*2\r\n" + Bulk("index") + ":1\r\n" +
                Bulk("find_keys") + "*4\r\n" + Bulk("type") + Bulk("range") + Bulk("spec") +
                "*6\r\n" + Bulk("lastkey") + ":0\r\n" + Bulk("keystep") + ":1\r\n" +
                Bulk("limit") + ":0\r\n*0\r\n*-1\r\n");
  std::string docs = Run({"command", "docs", "get"});
  EXPECT_EQ(docs, "*2\r\n" + Bulk("get") + "*10\r\n" + Bulk("summary") +
                      Bulk("Get the value of a key") + Bulk("since") + Bulk("1.0.0") +
                      Bulk("group") + Bulk("string") + Bulk("complexity") + Bulk("O(1)") +
                      Bulk("arguments") + "*1\r\n*6\r\n" + Bulk("name") + Bulk("key") +
                      Bulk("type") + Bulk("key") + Bulk("key_spec_index") + ":0\r\n");
  EXPECT_EQ(Run({"command", "docs", "config|get"}).substr(0, 21), "*2\r\n$10\r\nconfig|get\r\n");
  std::string list = Run({"command", "list", "filterby", "pattern", "client|*"});
  EXPECT_NE(list.find("client|setname"), std::string::npos);
}

// The command table is the one source of each command's docs: Redis 7.0.15's (generated into
// command_docs_data.cc) for every command Redis has, the DocStrings it was registered with only
// for the others (CommandRegistrar refuses them for a command Redis documents). So every command
// and subcommand has a summary, and the table cannot drift from COMMAND DOCS.
TEST_F(ServerFamilyTest, EveryCommandHasItsDocsFromOneSource) {
  int from_redis = 0;
  auto check = [&](const CommandSpec& spec) {
    EXPECT_FALSE(spec.summary.empty()) << spec.name << ": no summary";
    EXPECT_FALSE(spec.since.empty()) << spec.name;
    EXPECT_FALSE(spec.group.empty()) << spec.name;
    EXPECT_NE(spec.arity, 0) << spec.name;
    const CommandDoc* doc = FindCommandDoc(spec.name);
    if (doc == nullptr) {
      EXPECT_FALSE(spec.complexity.empty()) << spec.name;  // Redis leaves a few empty
      return;
    }
    ++from_redis;
    EXPECT_EQ(spec.complexity, doc->complexity) << spec.name;
    EXPECT_EQ(spec.summary, doc->summary) << spec.name;
    EXPECT_EQ(spec.since, doc->since) << spec.name;
  };
  for (const auto& [name, spec] : engine_.commands().all()) {
    check(*spec);
    for (const auto& [sub_name, sub] : spec->subcommands) check(*sub);
  }
  EXPECT_GT(from_redis, 300);
}

TEST_F(ServerFamilyTest, ShutdownCallsHook) {
  EXPECT_EQ(Run({"shutdown"}), Err("ERR Errors trying to SHUTDOWN. Check logs."));
  int calls = 0;
  bool got_nosave = false;
  engine_.on_shutdown = [&](bool nosave) {
    ++calls;
    got_nosave = nosave;
  };
  EXPECT_EQ(Run({"shutdown", "nosave", "save"}), Err("ERR syntax error"));
  EXPECT_EQ(Run({"shutdown", "abort"}), Err("ERR No shutdown in progress."));
  EXPECT_EQ(Run({"shutdown", "save"}), "");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(got_nosave);
  EXPECT_EQ(Run({"shutdown", "NOSAVE"}), "");
  EXPECT_TRUE(got_nosave);
}

TEST_F(ServerFamilyTest, MemoryUsage) {
  EXPECT_EQ(Run({"memory", "usage", "nope"}), Nil());
  Run({"set", "small", "x"});
  Run({"set", "big", std::string(1000, 'x')});
  std::string small = Run({"memory", "usage", "small"});
  std::string big = Run({"memory", "usage", "big"});
  EXPECT_LT(std::stoll(small.substr(1)) + 1000, std::stoll(big.substr(1)));
  EXPECT_EQ(Run({"memory", "usage", "big", "samples", "x"}),
            Err("ERR value is not an integer or out of range"));
}

// The sum of the keys' charges equals what each key costs when measured afresh: in-place changes
// (APPEND, LPUSH, HSET, XADD, EXPIRE, LTRIM, ...) are all recharged after the command.
size_t ChargeDrift(Engine& e) {
  e.UsedMemory();  // settles
  size_t drift = 0;
  for (int d = 0; d < e.num_dbs(); ++d) {
    size_t kept = e.db(d).MemoryBytes(), fresh = e.db(d).RecountBytes();
    drift += fresh > kept ? fresh - kept : kept - fresh;
  }
  return drift;
}

// After every command no db holds unsettled memory charges, also when the command wrote to
// another db than the client's (the engine settles the dbs a command touched, not all 16).
TEST_F(ServerFamilyTest, EveryTouchedDbIsSettledAfterTheCommand) {
  auto all_settled = [&] {
    for (int d = 0; d < engine_.num_dbs(); ++d) {
      if (!engine_.db(d).settled()) return false;
    }
    return true;
  };
  Run({"set", "a", "1"});
  EXPECT_TRUE(all_settled());
  EXPECT_EQ(Run({"move", "a", "7"}), Int(1));
  EXPECT_TRUE(all_settled());
  Run({"set", "b", "x"});
  EXPECT_EQ(Run({"copy", "b", "c", "db", "12"}), Int(1));
  EXPECT_TRUE(all_settled());
  EXPECT_EQ(Run({"multi"}), Ok());
  Run({"select", "3"});
  Run({"rpush", "l", "1", "2"});
  Run({"select", "4"});
  Run({"hset", "h", "f", "v"});
  EXPECT_EQ(Run({"exec"}).substr(0, 4), "*4\r\n");
  EXPECT_TRUE(all_settled());
  EXPECT_EQ(Run({"swapdb", "3", "4"}), Ok());
  Run({"select", "4"});
  Run({"rpush", "l", "3"});
  EXPECT_TRUE(all_settled());
  EXPECT_EQ(ChargeDrift(engine_), 0u);
}

TEST_F(ServerFamilyTest, UsedMemoryCountsEveryChangeAndReturnsToBaseline) {
  uint64_t baseline = engine_.UsedMemory();
  std::string long_text(100, 'y');
  for (int i = 0; i < 300; ++i) {
    std::string n = std::to_string(i);
    Run({"set", "s" + n, long_text});
    Run({"append", "s" + n, long_text});
    Run({"lpush", "l", long_text + n});
    Run({"hset", "h", "f" + n, long_text});
    Run({"sadd", "set", long_text + n});
    Run({"zadd", "z", n, long_text + n});
    Run({"xadd", "x", "*", "f", long_text});
    Run({"expire", "s" + n, "1000"});
  }
  Run({"ltrim", "l", "0", "99"});
  Run({"lrem", "l", "0", long_text + "299"});
  Run({"hdel", "h", "f1", "f2"});
  Run({"select", "3"});
  Run({"set", "other-db", long_text});
  EXPECT_EQ(ChargeDrift(engine_), 0u);
  uint64_t full = engine_.UsedMemory();
  EXPECT_GT(full, baseline + 300 * 200);  // at least the strings' text
  // Each key's MEMORY USAGE is its share of used_memory.
  std::string usage = Run({"memory", "usage", "other-db"});
  EXPECT_GE(std::stoull(usage.substr(1)), long_text.size());
  Run({"flushall"});
  EXPECT_EQ(engine_.UsedMemory(), baseline);
}

TEST_F(ServerFamilyTest, UsedMemoryIsPerEngine) {
  ManualClock other_clock;
  Engine other(EngineConfig{}, &other_clock);
  uint64_t other_before = other.UsedMemory();
  uint64_t before = engine_.UsedMemory();
  for (int i = 0; i < 1000; ++i) Run({"set", "k" + std::to_string(i), std::string(1000, 'v')});
  EXPECT_GT(engine_.UsedMemory(), before + 1000 * 1000);
  EXPECT_EQ(other.UsedMemory(), other_before);  // the allocations were not its own
  // INFO memory reports the same measurement.
  std::string info = Run({"info", "memory"});
  std::string used = "used_memory:" + std::to_string(engine_.UsedMemory()) + "\r\n";
  EXPECT_NE(info.find(used), std::string::npos) << info;
}



// Redis's own deps/hdr_histogram/hdr_histogram.c, fed these durations (µs × 1000, clamped to
// 1 ns..1 s as Redis's updateCommandLatencyHistogram) and walked as fillCommandCDF walks it,
// printed this fixture; the engine's LatencyHistogram must give the same buckets and percentiles.
TEST(LatencyHistogramTest, BucketsAndPercentilesAsRedisHdrHistogram) {
  LatencyHistogram h;
  for (int64_t us : {0, 1, 2, 3, 5, 17, 40, 700, 1000000, 2000000, 600000, 536871, 541065,
                     541066}) {
    h.Record(us);
  }
  EXPECT_EQ(h.calls(), 14u);
  std::vector<std::pair<int64_t, uint64_t>> want = {{1, 2},    {2, 3},      {4, 4},
                                                    {8, 5},    {33, 6},     {66, 7},
                                                    {1056, 8}, {541065, 10}, {1073741, 14}};
  EXPECT_EQ(h.CumulativeUs(), want);
  EXPECT_EQ(h.ValueAtPercentile(0), 1);
  EXPECT_EQ(h.ValueAtPercentile(50), 40191);
  EXPECT_EQ(h.ValueAtPercentile(99), 1002438655);
  EXPECT_EQ(h.ValueAtPercentile(100), 1002438655);
  EXPECT_EQ(FormatPercentile(99.9), "99.9");
  EXPECT_EQ(FormatPercentile(50), "50");
}


// LATENCY GRAPH's text for these samples, as Redis's own sparkline.c renders it (the fixture was
// printed by Redis's latencyCommandGenSparkeline code given the same samples and ages).
TEST_F(ServerFamilyTest, LatencyGraphAsRedisSparkline) {
  EXPECT_EQ(Run({"latency", "graph", "command"}),
            Err("ERR No samples available for event 'command'"));
  const int64_t now = clock_.NowMs() / 1000;
  LatencySeries& ts = engine_.diagnostics().latency()["command"];
  const std::pair<int64_t, int64_t> samples[] = {
      {now - 3 * 86400, 4}, {now - 3600, 40}, {now - 120, 7}, {now - 59, 0}, {now - 1, 12}};
  for (const auto& [t, ms] : samples) ts.samples[ts.idx++] = {t, ms};
  ts.max = 40;
  EXPECT_EQ(Run({"latency", "graph", "command"}),
            Bulk("command - high 40 ms, low 0 ms (all time high 40 ms)\n" + std::string(80, '-') +
                 "\n"
                 " #   \n"
                 " |   \n"
                 " |  _\n"
                 "o|#_|\n"
                 "     \n"
                 "31251\n"
                 "dhm9s\n"
                 "   s \n"));
}

}  // namespace
}  // namespace racetrack::engine
