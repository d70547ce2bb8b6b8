#include "bench/harness.h"

#include <gtest/gtest.h>

#include <thread>

#include "adapters/target.h"
#include "scenarios/registry.h"

namespace racetrack::bench {
namespace {

TEST(OpenLoopTest, ClientsInterleaveIntoOneEvenStream) {
  // 1000 ops/s over 4 clients: one op every 1 ms overall; each client every 4 ms, offset by 1 ms.
  for (int c = 0; c < 4; ++c) {
    const OpenLoopSchedule s = MakeOpenLoopSchedule(1000, 4, c);
    EXPECT_EQ(s.offset_ns, c * 1'000'000);
    EXPECT_EQ(s.period_ns, 4'000'000);
    EXPECT_EQ(s.At(0), c * 1'000'000);
    EXPECT_EQ(s.At(10), c * 1'000'000 + 40'000'000);
  }
  // The union of all clients' schedules is every multiple of 1/rate.
  std::vector<int64_t> all;
  for (int c = 0; c < 3; ++c) {
    const auto s = MakeOpenLoopSchedule(300, 3, c);
    for (uint64_t k = 0; k < 5; ++k) all.push_back(s.At(k));
  }
  std::sort(all.begin(), all.end());
  for (size_t i = 1; i < all.size(); ++i) EXPECT_NEAR(all[i] - all[i - 1], 3'333'333, 1);
}

TEST(OptionsTest, ValidationNamesTheFlag) {
  RunOptions o;
  EXPECT_TRUE(ValidateOptions(o).ok());
  o.clients = 0;
  EXPECT_NE(ValidateOptions(o).message().find("--clients"), std::string::npos);
  o = {};
  o.duration_s = -1;
  EXPECT_NE(ValidateOptions(o).message().find("--duration"), std::string::npos);
  o = {};
  o.repetitions = 0;
  EXPECT_NE(ValidateOptions(o).message().find("--repetitions"), std::string::npos);
}

const scenarios::Scenario& Counters() {
  return **scenarios::Registry::Default().Get("counters");
}

TEST(SessionTest, OpsBudgetIsExactAndCounted) {
  auto target = adapters::MakeBuiltinTarget();
  RunOptions o;
  o.clients = 3;
  auto s = Session::Open(Counters(), *Counters().info().FindApproach("incr"), *target, o, nullptr);
  ASSERT_TRUE(s.ok()) << s.status().message();
  PhaseSpec spec;
  spec.ops = 1000;
  PhaseResult r = (*s)->RunPhase(spec);
  EXPECT_EQ(r.ops, 1000u);
  EXPECT_EQ(r.histogram.count(), 1000u);
  EXPECT_EQ(r.errors, 0u);
  auto v = (*s)->Verify();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok);
  EXPECT_EQ(v->figures["expected"], 1000);
}

TEST(SessionTest, OpenLoopRunsAtTheRate) {
  auto target = adapters::MakeBuiltinTarget();
  RunOptions o;
  o.clients = 2;
  auto s = Session::Open(Counters(), *Counters().info().FindApproach("incr"), *target, o, nullptr);
  ASSERT_TRUE(s.ok());
  PhaseSpec spec;
  spec.duration_s = 0.5;
  spec.rate = 200;  // 100 ops scheduled in 0.5 s
  spec.interval_ms = 100;
  PhaseResult r = (*s)->RunPhase(spec);
  EXPECT_EQ(r.ops, 100u);
  EXPECT_GE(r.timeseries.t_s.size(), 4u);
}

TEST(SessionTest, StopEndsARunPromptly) {
  auto target = adapters::MakeBuiltinTarget();
  RunOptions o;
  o.clients = 2;
  StopFlag stop;
  auto s = Session::Open(Counters(), *Counters().info().FindApproach("incr"), *target, o, &stop);
  ASSERT_TRUE(s.ok());
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.Stop();
  });
  PhaseSpec spec;
  spec.duration_s = 60;
  const auto t0 = std::chrono::steady_clock::now();
  PhaseResult r = (*s)->RunPhase(spec);
  stopper.join();
  EXPECT_TRUE(r.stopped);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));  // not 60 s
}

TEST(HarnessTest, RunProducesRecordsSamplesAndSkips) {
  auto target = adapters::MakeBuiltinTarget();
  RunOptions o;
  o.clients = 2;
  o.duration_s = 0.3;
  o.warmup_s = 0.05;
  o.repetitions = 2;
  int samples = 0;
  Callbacks cb;
  cb.on_sample = [&](const IntervalSample& s) {
    ++samples;
    EXPECT_EQ(s.scenario, "counters");
  };
  Harness h(o, cb, nullptr);
  Plan plan;
  plan.scenarios = {&Counters()};
  plan.targets = {target.get()};
  plan.approach_filter = {"incr", "sql-update-increment"};
  Results doc;
  h.Run(plan, &doc);
  ASSERT_EQ(doc.records.size(), 1u);
  const Record& r = doc.records[0];
  EXPECT_EQ(r.approach, "incr");
  EXPECT_EQ(r.repetitions.size(), 2u);
  EXPECT_TRUE(r.correctness.ok);
  EXPECT_GT(r.throughput_ops_s, 0);
  EXPECT_GT(samples, 2);
  EXPECT_FALSE(r.timeseries.figures.at("lost_updates").empty());
  ASSERT_EQ(doc.skipped.size(), 1u);
  EXPECT_EQ(doc.skipped[0].approach, "sql-update-increment");
  EXPECT_NE(doc.skipped[0].reason.find("SQL"), std::string::npos);
}

}  // namespace
}  // namespace racetrack::bench
