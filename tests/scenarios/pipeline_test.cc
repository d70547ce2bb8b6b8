// The pipeline lesson on every target: all commands acknowledged and in the final state, the
// effective RTT through the delay proxy is the asked one, a pipelined job needs ceil(N/P) round
// trips (and is faster than one by one at the same RTT), bad knob values are usage errors.
#include "scenarios/pipeline.h"

#include <gtest/gtest.h>

#include "scenarios/knobs.h"
#include "tests/scenarios/lesson_driver.h"

namespace racetrack::scenarios {
namespace {

using testing::DriveClean;

TEST(PipelineModelTest, RoundTrips) {
  EXPECT_EQ(PipelineRoundTrips(1000, 1), 1000);
  EXPECT_EQ(PipelineRoundTrips(1000, 10), 100);
  EXPECT_EQ(PipelineRoundTrips(1000, 1000), 1);
  EXPECT_EQ(PipelineRoundTrips(1000, 300), 4);
  EXPECT_EQ(PipelineRoundTrips(7, 0), 7);
}

TEST(PipelineKnobsTest, BadValuesAreOneLineUsageErrors) {
  auto scenario = MakePipelineScenario();
  EXPECT_EQ(testing::KnobError(*scenario, "rtt-ms", "-1"),
            "--rtt-ms must be between 0 and 1000 (got '-1')");
  EXPECT_EQ(testing::KnobError(*scenario, "batch", "0"),
            "--batch must be an integer between 1 and 100000 (got '0')");
  EXPECT_EQ(testing::AcceptedKnobValues(*scenario, "rtt-ms", "0,0.5,5"),
            (std::vector<double>{0, 0.5, 5}));
}

TEST(PipelinePointsTest, BuiltinRunsAtRttZeroOnlyAndBatchOnlyForBatched) {
  auto scenario = MakePipelineScenario();
  const auto& info = scenario->info();
  auto one = scenario->ParameterPoints(*info.FindApproach("one-by-one"),
                                       adapters::TargetKind::kRedis, {});
  EXPECT_EQ(one.size(), 3u);  // rtt 0, 1, 5
  EXPECT_EQ(one[0].count("batch"), 0u);
  auto piped = scenario->ParameterPoints(*info.FindApproach("pipeline"),
                                         adapters::TargetKind::kRedis, {});
  EXPECT_EQ(piped.size(), 12u);  // 3 RTTs x 4 batches
  auto builtin = scenario->ParameterPoints(*info.FindApproach("pipeline"),
                                           adapters::TargetKind::kBuiltin, {});
  EXPECT_EQ(builtin.size(), 4u);
  for (const auto& p : builtin) EXPECT_EQ(p.at("rtt-ms"), 0);
}

class PipelineOnTarget : public testing::LessonOnTargetTest<MakePipelineScenario> {};

TEST_P(PipelineOnTarget, AllAcknowledgedAndRttAsAsked) {
  const bool network = GetParam() != adapters::TargetKind::kBuiltin;
  const double rtt = network ? 4 : 0;
  for (const ApproachInfo* a : approaches_) {
    SCOPED_TRACE(a->id);
    RunContext ctx;
    ctx.clients = 1;
    // 40 commands in batches of 10: 4 round trips (one by one: 40).
    ctx.extra = {{"rtt-ms", rtt}, {"batch", 10}, {"commands", 40}};
    auto r = DriveClean(*scenario_, a->id, *target_, ctx, 2);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r->correctness.ok) << r->correctness.note;
    EXPECT_EQ(r->correctness.figures.at("observed"), 80);
    EXPECT_EQ(r->correctness.figures.at("expected"), 80);
    const bool batched = a->id != "one-by-one" && a->id != "sql-one-by-one";
    EXPECT_EQ(r->figures.at("round_trips"), batched ? 4 : 40);
    if (network) {
      const double eff = r->figures.at("effective_rtt_ms");
      EXPECT_GE(eff, rtt * 0.9) << "the proxy must add the RTT";
      // Accuracy itself is tested in delay_proxy_test against an echo server; here, on a busy
      // machine, only that the record says so when the RTT is off.
      if (r->correctness.figures.at("rtt_within_tolerance") == 0) {
        EXPECT_NE(r->correctness.note.find("not within 10%"), std::string::npos);
      }
      // A job can never beat its round trips.
      EXPECT_GE(r->figures.at("job_s"), r->figures.at("model_s") * 0.9);
    }
    std::cout << "[   info   ] " << a->id << ": job " << r->figures.at("job_s") * 1000
              << " ms, model " << r->figures.at("model_s") * 1000 << " ms\n";
  }
}

INSTANTIATE_TEST_SUITE_P(AllTargets, PipelineOnTarget, ::testing::ValuesIn(testing::AllKinds()),
                         testing::TargetParamName);

}  // namespace
}  // namespace racetrack::scenarios
