// persistence: the loss accounting by hand, the bad input, and small runs of every mode on every
// server target — real processes killed with SIGKILL and restarted on their data.
#include "scenarios/persistence.h"

#include <gtest/gtest.h>

#include "adapters/target.h"
#include "bench/harness.h"
#include "scenarios/knobs.h"
#include "scenarios/registry.h"
#include "tests/scenarios/lesson_driver.h"

namespace racetrack::scenarios {
namespace {

using adapters::TargetKind;

TEST(PersistenceTally, RecoveredBelowAckedIsLost) {
  // Client 0 wrote 10..25 and the state came back as of write 20: 5 lost of 15. Client 1 wrote
  // nothing new. Client 2's write 8 was applied but its reply never came: recovered 8 > acked 7.
  const KillTally t = TallyKill({{10, 25, 20}, {4, 4, 4}, {0, 7, 8}});
  EXPECT_EQ(t.acked_writes, 15 + 0 + 7);
  EXPECT_EQ(t.lost, 5);
}

TEST(PersistenceTally, EverythingGoneLosesEverythingAcknowledgedIncludingOlderWrites) {
  // Memory only: the counter restarts at 0, and the 10 writes that survived an earlier kill are
  // gone too; they were acknowledged, so they count.
  const KillTally t = TallyKill({{10, 30, 0}});
  EXPECT_EQ(t.acked_writes, 20);
  EXPECT_EQ(t.lost, 30);
}

TEST(PersistenceKnobs, ZeroKillsIsAOneLineError) {
  const Scenario& p = **Registry::Default().Get("persistence");
  EXPECT_EQ(testing::KnobError(p, "kills", "0"),
            "--kills must be an integer between 1 and 100 (got '0')");
}

TEST(PersistenceTargets, TheInProcessEngineHasNoProcessToKill) {
  auto target = adapters::MakeBuiltinTarget();
  const Scenario& p = **Registry::Default().Get("persistence");
  for (const ApproachInfo& a : p.info().approaches) {
    EXPECT_FALSE(MissingCapabilityReason(a, target->capabilities()).empty()) << a.id;
  }
}

class PersistenceTargets
    : public testing::LessonOnTargetTest<MakePersistenceScenario, /*kAllowNoApproach=*/true> {};

TEST_P(PersistenceTargets, KilledAndRestartedAlwaysAndSyncOnLoseNothingMemoryOnlyLoses) {
  bench::RunOptions run;
  run.warmup_s = 0;
  run.clients = 4;
  run.clients_given = true;
  bench::Harness harness(run, {}, nullptr);
  for (const ApproachInfo* a : approaches_) {
    auto record =
        harness.RunOne(*scenario_, *a, *target_, 1, 1, {{"kills", 2}, {"uptime-ms", 250}});
    ASSERT_TRUE(record.ok()) << a->id << ": " << record.status().message();
    EXPECT_TRUE(record->error.empty()) << a->id << ": " << record->error;
    const auto& f = record->correctness.figures;
    EXPECT_EQ(f.at("kills"), 2) << a->id;
    EXPECT_GT(f.at("acked_writes"), 0) << a->id;
    EXPECT_EQ(record->ops, f.at("acked_writes")) << a->id;
    EXPECT_GT(record->figures.at("recover_s_mean"), 0) << a->id;
    // Memory only and snapshots that never came write nothing; logs and WAL always do.
    if (a->id.rfind("aof-", 0) == 0 || a->id.rfind("sql-", 0) == 0) {
      EXPECT_GT(record->figures.at("bytes_on_disk"), 0) << a->id;
    }
    if (a->id == "aof-always" || a->id == "sql-sync-on") {
      EXPECT_TRUE(record->correctness.ok) << a->id << ": " << record->correctness.note;
      EXPECT_EQ(f.at("lost_writes"), 0) << a->id;
    }
    // Memory only, and the default snapshot rules, whose first save is a minute away at least.
    if (a->id == "none" || a->id == "snapshot-default") {
      EXPECT_FALSE(record->correctness.ok) << a->id << ": " << record->correctness.note;
      EXPECT_GT(f.at("lost_writes"), 0) << a->id;
    }
    EXPECT_EQ(record->series.at("lost").size(), 2u) << a->id;
  }
  EXPECT_EQ(approaches_.size(), GetParam() == TargetKind::kPostgres ? 3u : 5u);
}

INSTANTIATE_TEST_SUITE_P(ServerTargets, PersistenceTargets,
                         ::testing::Values(TargetKind::kBuiltinTcp, TargetKind::kRedis,
                                           TargetKind::kPostgres),
                         testing::TargetParamName);

}  // namespace
}  // namespace racetrack::scenarios
