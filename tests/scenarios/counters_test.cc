// counters on every target: the unsafe approaches lose updates, the safe ones lose none. The
// harness's start barrier and 8 clients on one hot key make the race reliable, not lucky.
#include <gtest/gtest.h>

#include <thread>

#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "bench/harness.h"
#include "scenarios/registry.h"
#include "tests/scenarios/lesson_driver.h"
#include "tests/test_paths.h"

namespace racetrack::scenarios {
namespace {

using adapters::TargetKind;

const Scenario& Counters() { return **Registry::Default().Get("counters"); }

// The harness's options for a counters run: `clients` clients for `duration_s`, no warm-up.
bench::RunOptions CountersRun(int clients, double duration_s) {
  bench::RunOptions run;
  run.clients = clients;
  run.duration_s = duration_s;
  run.warmup_s = 0;
  return run;
}

class CountersTest : public ::testing::TestWithParam<TargetKind> {};

TEST_P(CountersTest, UnsafeApproachesLoseUpdatesSafeOnesDoNot) {
  adapters::ThrowawayServers servers(test_paths::BinDir(), "");
  const std::string why = servers.CannotStart(GetParam());
  if (!why.empty()) GTEST_SKIP() << why;
  adapters::TargetOptions options;
  auto target = adapters::OpenTarget(GetParam(), options, &servers);
  ASSERT_TRUE(target.ok()) << target.status().message();

  const Scenario& counters = Counters();
  bench::Harness harness(CountersRun(8, 0.4), {}, nullptr);
  int ran = 0;
  for (const ApproachInfo& a : counters.info().approaches) {
    if (!MissingCapabilityReason(a, (*target)->capabilities()).empty()) continue;
    ++ran;
    auto record = harness.RunOne(counters, a, **target);
    ASSERT_TRUE(record.ok()) << a.id << ": " << record.status().message();
    const auto& c = record->correctness;
    EXPECT_TRUE(record->error.empty()) << a.id << ": " << record->error;
    EXPECT_GT(c.figures.at("expected"), 0) << a.id;
    if (a.expected_correct) {
      EXPECT_TRUE(c.ok) << a.id << ": " << c.note;
      EXPECT_EQ(c.figures.at("lost_updates"), 0) << a.id;
    } else {
      EXPECT_FALSE(c.ok) << a.id << ": " << c.note;
      EXPECT_GT(c.figures.at("lost_updates"), 0) << a.id;
    }
  }
  EXPECT_GE(ran, GetParam() == TargetKind::kPostgres ? 4 : 2);
}

INSTANTIATE_TEST_SUITE_P(AllTargets, CountersTest, ::testing::ValuesIn(testing::AllKinds()),
                         testing::TargetParamName);

TEST(CountersTest, OneClientCannotLoseAndTheNoteSaysWhy) {
  auto target = adapters::MakeBuiltinTarget();
  bench::RunOptions run = CountersRun(1, 0.1);
  run.clients_given = true;
  bench::Harness harness(run, {}, nullptr);
  auto record = harness.RunOne(Counters(), *Counters().info().FindApproach("client-rmw"), *target);
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(record->correctness.ok);
  EXPECT_NE(record->correctness.note.find("one client"), std::string::npos);
}

TEST(CountersTest, ServerKilledMidRunEndsTheRecordWithTheError) {
  adapters::ThrowawayServers servers(test_paths::BinDir(), "");
  if (!servers.CannotStart(TargetKind::kRedis).empty()) GTEST_SKIP() << "no redis-server";
  adapters::TargetOptions options;
  auto target = adapters::OpenTarget(TargetKind::kRedis, options, &servers);
  ASSERT_TRUE(target.ok()) << target.status().message();
  auto session = bench::Session::Open(Counters(), *Counters().info().FindApproach("incr"), **target,
                                      CountersRun(4, 30), nullptr);
  ASSERT_TRUE(session.ok());
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    servers.StopAll();
  });
  bench::PhaseSpec spec;
  spec.duration_s = 30;
  const auto t0 = std::chrono::steady_clock::now();
  bench::PhaseResult r = (*session)->RunPhase(spec);
  killer.join();
  EXPECT_FALSE(r.error.empty());
  EXPECT_NE(r.error.find("redis"), std::string::npos) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
}

}  // namespace
}  // namespace racetrack::scenarios
