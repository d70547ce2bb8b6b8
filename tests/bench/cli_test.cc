// The `racetrack` binary end to end: exit codes, one-line errors, JSON, redaction.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "results/results.h"
#include "tests/bench/shell.h"
#include "tests/test_paths.h"

namespace racetrack::bench {
namespace {

using testing::Outcome;

Outcome Racetrack(const std::string& args) {
  return testing::Shell(test_paths::BinDir() + "/racetrack " + args);
}

int Lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// A `racetrack` run with `--json <a temporary file>` added to `args`: what it printed and exited
// with (the Outcome), the file's text ("" when it wrote none) and the file as the reader reads
// it. The file is removed.
struct JsonRun : Outcome {
  std::string text;
  results::Expected<results::Results> doc;
};
JsonRun RacetrackWithJson(const std::string& args) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("racetrack-cli-" + std::to_string(getpid()) + ".json"))
                               .string();
  Outcome outcome = Racetrack(args + " --json " + path);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  JsonRun run{std::move(outcome), text.str(), results::ReadResults(path)};
  std::remove(path.c_str());
  return run;
}

// Runs `args` and expects a usage error: exit code 2, one line holding each of `fragments`.
void ExpectUsageError(const std::string& args, std::initializer_list<std::string_view> fragments) {
  SCOPED_TRACE(args);
  auto o = Racetrack(args);
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_EQ(Lines(o.output), 1) << o.output;
  for (std::string_view f : fragments) EXPECT_NE(o.output.find(f), std::string::npos) << o.output;
}

TEST(CliTest, UsageErrorsAreOneLineNamingTheValidChoices) {
  ExpectUsageError("run nosuch", {"counters"});
  ExpectUsageError("run counters --target nope", {"builtin-tcp"});
  ExpectUsageError("run counters --bogus", {"--clients"});
  ExpectUsageError("run counters -t builtin --approach nope", {"incr"});
  ExpectUsageError("run counters -t builtin --clients 0", {"--clients"});

  EXPECT_EQ(Racetrack("--version").code, 0);
  EXPECT_EQ(Racetrack("run --help").code, 0);
  EXPECT_EQ(Racetrack("servers --help").code, 0);
}

TEST(CliTest, KnobValuesAreCheckedByTheLessonThatOwnsTheKnob) {
  auto o = Racetrack("run leaderboard -t builtin --sizes 0");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.output,
            "racetrack run: --sizes for leaderboard must be an integer between 10 and 10000000 "
            "(got '0')\n");
  o = Racetrack("run counters -t builtin --sizes 1000");
  EXPECT_EQ(o.code, 2);
  EXPECT_EQ(o.output,
            "racetrack run: --sizes is a knob of leaderboard, uniques, not of the selected counters\n");
  o = Racetrack("run ratelimit -t builtin --pattern sideways");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.output.find("--pattern for ratelimit must be one of"), std::string::npos)
      << o.output;
}

// --param NAME VALUE is --NAME VALUE spelled another way: the value reaches the run and its
// record, range-checked by the lesson; a name no lesson has, or a knob given twice, is an error.
TEST(CliTest, ParamIsTheKnobFlagSpelledAnotherWay) {
  const JsonRun run = RacetrackWithJson(
      "run pipeline -t builtin -a one-by-one -d 0.1 --warmup 0 -q --rtt-ms 0 --param commands 70");
  EXPECT_EQ(run.code, 0) << run.output;
  ASSERT_TRUE(run.doc.ok()) << run.doc.error().message();
  ASSERT_FALSE(run.doc->records.empty());
  for (const auto& r : run.doc->records) EXPECT_EQ(r.params.at("commands"), 70) << r.approach;
  ExpectUsageError("run pipeline -t builtin --param nosuch 1",
                   {"--param nosuch: no lesson has that knob"});
  ExpectUsageError("run pipeline -t builtin --param commands 70 --commands 80",
                   {"--param commands: the knob is already given"});
  ExpectUsageError("run pipeline -t builtin --param commands 0",
                   {"--commands for pipeline must be an integer between"});
}

// The key-workload flags and the cache/uniques knobs: one line each, naming the valid range.
TEST(CliTest, WorkloadAndLessonKnobErrorsNameTheRange) {
  const std::pair<const char*, const char*> cases[] = {
      {"run cache --distribution zipf:-1", "--distribution zipf:S needs 0 < S <= 5 (got 'zipf:-1')"},
      {"run cache --distribution pareto", "--distribution must be one of uniform, zipf:S"},
      {"run cache --keys 0", "--keys must be an integer between 1 and 100000000 (got '0')"},
      {"run cache --value-size 10-1", "--value-size must be N or MIN-MAX bytes, between 1 and"},
      {"run cache --ttl-ms 0", "--ttl-ms for cache must be an integer between 1 and 3600000 (got '0')"},
      {"run cache --maxmemory-policy allkeys-random",
       "--maxmemory-policy for cache must be one of allkeys-lru, allkeys-lfu, volatile-ttl"},
      {"run uniques --sizes 0", "--sizes for uniques must be an integer between"},
  };
  for (const auto& [args, message] : cases) ExpectUsageError(args, {message});
}

// The workload flags are recorded in the results' parameters.
TEST(CliTest, WorkloadIsRecordedInParameters) {
  const JsonRun run = RacetrackWithJson(
      "run counters -t builtin -a incr -d 0.1 --warmup 0 -q --keys 500 "
      "--distribution hotspot:0.9/0.1 --value-size 10-20");
  EXPECT_EQ(run.code, 0) << run.output;
  const auto& doc = run.doc;
  ASSERT_TRUE(doc.ok()) << doc.error().message();
  EXPECT_EQ(doc->parameters.keys.value_or(0), 500);
  EXPECT_EQ(doc->parameters.distribution, "hotspot:0.9/0.1");
  EXPECT_EQ(doc->parameters.value_size, "10-20");
}

// The messaging and persistence lessons' bad input: one line, exit 2, nothing run.
TEST(CliTest, MessagingAndPersistenceBadInputIsOneLine) {
  ExpectUsageError("run messaging -t builtin --kill-at-ms 5000",
                   {"--kill-at-ms 5000 is after the producer's last send at 2000 ms"});
  ExpectUsageError("run messaging -t builtin --kill-at-ms 800 --restart-at-ms 600",
                   {"--restart-at-ms 600 must be after --kill-at-ms 800"});
  ExpectUsageError("run persistence -t builtin-tcp --kills 0",
                   {"--kills for persistence must be an integer between 1 and 100 (got '0')"});
  ExpectUsageError("run messaging persistence -t builtin --approach aof-sometimes",
                   {"unknown approach 'aof-sometimes'", "streams-group", "aof-always"});
}

TEST(CliTest, ListShowsLessonsAndTargets) {
  auto o = Racetrack("list --verbose");
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.output.find("lost update"), std::string::npos);
  EXPECT_NE(o.output.find("builtin"), std::string::npos);
  EXPECT_NE(o.output.find("postgres"), std::string::npos);
}

TEST(CliTest, RunWritesJsonAndUnsafeLossesDoNotFailTheExitCode) {
  const JsonRun run =
      RacetrackWithJson("run counters -t builtin -a incr -a client-rmw -d 0.2 --warmup 0 -q");
  EXPECT_EQ(run.code, 0) << run.output;
  const auto& doc = run.doc;
  ASSERT_TRUE(doc.ok()) << doc.error().message();
  ASSERT_EQ(doc->records.size(), 2u);
  for (const auto& r : doc->records) {
    if (r.approach == "client-rmw") {
      EXPECT_FALSE(r.correctness.ok);
      EXPECT_FALSE(r.correctness.expected_ok);
    } else {
      EXPECT_TRUE(r.correctness.ok);
    }
  }
  EXPECT_EQ(doc->parameters.clients, 8);
  EXPECT_GT(doc->environment.loopback_rtt_us, 0);
  for (const auto& r : doc->records) {
    EXPECT_EQ(r.unit, "increments");
    EXPECT_EQ(r.verdict(), r.approach == "client-rmw" ? results::Verdict::kWrongExpected
                                                      : results::Verdict::kCorrect);
  }
}

TEST(CliTest, UnavailableRequestedTargetExits3AndNeverShowsThePassword) {
  const JsonRun run = RacetrackWithJson(
      "run counters -t redis -a incr -d 0.1 --redis-url redis://:hunter2@127.0.0.1:1");
  EXPECT_EQ(run.code, 3) << run.output;
  EXPECT_EQ(run.output.find("hunter2"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("redis"), std::string::npos);
  const std::string& json = run.text;
  ASSERT_FALSE(json.empty()) << "no results file";
  EXPECT_EQ(json.find("hunter2"), std::string::npos);
  EXPECT_NE(json.find("\"available\": false"), std::string::npos);
}

// locks and sessions: bad knob values and a malformed --redlock-urls are one-line usage errors
// before anything runs.
TEST(CliTest, LocksAndSessionsBadInputIsOneLine) {
  ExpectUsageError("run locks -t builtin --pause-ms -1",
                   {"--pause-ms for locks must be an integer between 0 and 600000"});
  ExpectUsageError("run sessions -t builtin --revoke 2",
                   {"--revoke for sessions must be between 0 and 1"});
  ExpectUsageError("run locks -t builtin --redlock-urls redis://a:1,nonsense,redis://b:2",
                   {"--redlock-urls"});
  ExpectUsageError("run locks -t builtin --redlock-urls redis://a:1", {});
  ExpectUsageError("run sessions -t builtin --maxmemory-policy lfu-ish", {});
}

// The serverless `client` target: listed for sessions' jwt, joins a sessions run by default.
TEST(CliTest, ClientTargetRunsOnlyTheClientSideApproach) {
  auto o = Racetrack("list");
  EXPECT_NE(o.output.find("sessions/jwt"), std::string::npos) << o.output;
  o = Racetrack("run sessions -t client -t builtin --users 200 --revoke 0.1 --revoke-at-ms 0 "
                "--duration 0.2 --warmup 0 -c 2");
  EXPECT_EQ(o.code, 0) << o.output;
  EXPECT_NE(o.output.find("jwt                         client"), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("session-ttl                 client"), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("skipped"), std::string::npos) << o.output;
}


TEST(CliTest, BadSweepAndDurabilityValuesAreOneLineUsageErrors) {
  struct Case {
    const char* args;
    const char* names;  // a word the message must contain
  };
  for (const Case& c : {Case{"--durability fast", "--durability"},
                        Case{"--durability off,", "--durability"},
                        Case{"--durability off,off", "twice"},
                        Case{"--clients 0", "--clients"},
                        Case{"--clients 1,x,8", "'x'"},
                        Case{"--clients 1,,8", "--clients"},
                        Case{"--clients 2,2", "twice"},
                        Case{"--clients 1,2000", "1024"},
                        Case{"--rate 1000,-5", "--rate"},
                        Case{"--rate 1000 --slo p99", "p99:1ms"},
                        Case{"--rate 1000 --slo p97:1ms", "percentile"},
                        Case{"--rate 1000 --slo p99:1parsec", "unit"},
                        Case{"--slo p99:1ms", "needs --rate"}}) {
    ExpectUsageError(std::string("run counters -t builtin ") + c.args, {c.names});
  }
}

TEST(CliTest, ClientsAndDurabilityAxesGiveOneRecordPerPointAndReadBackSettings) {
  JsonRun run = RacetrackWithJson(
      "run counters -t builtin -a incr -a watch-multi --clients 1,4 --durability off,strict "
      "-d 0.1 --warmup 0");
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("durability: off,strict"), std::string::npos) << run.output;
  auto& doc = run.doc;
  ASSERT_TRUE(doc.ok()) << doc.error().message();
  // 2 approaches x 2 clients x 2 modes.
  ASSERT_EQ(doc->records.size(), 8u);
  std::set<std::string> points;
  for (const auto& r : doc->records) {
    points.insert(r.approach + " " + r.ParamsLabel());
    EXPECT_TRUE(r.correctness.ok) << r.approach;
  }
  EXPECT_EQ(points.size(), 8u);
  EXPECT_EQ(points.count("watch-multi clients=4 durability=strict"), 1u);
  EXPECT_EQ(doc->environment.durability, "off,strict");
  ASSERT_EQ(doc->environment.server_settings.count("builtin@strict"), 1u);
  EXPECT_EQ(doc->environment.server_settings["builtin@strict"]["appendfsync"], "always");
  EXPECT_EQ(doc->environment.server_settings["builtin@strict"]["appendonly"], "yes");
  EXPECT_EQ(doc->environment.server_settings["builtin@off"]["appendonly"], "no");
}

TEST(CliTest, RateSweepWithAnObjectivePrintsTheKneePerApproach) {
  const JsonRun run = RacetrackWithJson(
      "run counters -t builtin -a incr --rate 200,400 --slo p99:1s -d 0.2 --warmup 0");
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("knee"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("counters/incr"), std::string::npos) << run.output;
  const auto& doc = run.doc;
  ASSERT_TRUE(doc.ok()) << doc.error().message();
  ASSERT_EQ(doc->records.size(), 2u);
  EXPECT_EQ(doc->parameters.slo, "p99:1s");
  EXPECT_EQ(doc->records[0].Param("rate"), 200);
  EXPECT_EQ(doc->records[1].Param("rate"), 400);
}

}  // namespace
}  // namespace racetrack::bench
