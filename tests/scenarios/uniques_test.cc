// The uniques lesson on every target against real throwaway servers: the visit stream has exactly
// N distinct visitors; exact approaches count N; HyperLogLogs land inside 3 sigma on a fixed seed
// (and record their error); memory is measured (a HyperLogLog's stays bounded while the set's
// grows); bitmaps run on the engine and redis, and are skipped with the reason where a target has
// none; --sizes is range-checked.
#include "scenarios/uniques.h"

#include <gtest/gtest.h>

#include <unordered_set>

#include "scenarios/knobs.h"
#include "tests/scenarios/lesson_driver.h"

namespace racetrack::scenarios {
namespace {

using testing::DriveClean;

TEST(UniquesStreamTest, ExactlyNDistinctVisitorsWithRepeats) {
  for (int64_t n : {100, 101, 1000, 12345}) {
    UniquesStream s(42, n);
    std::unordered_set<int64_t> seen;
    for (int64_t j = 0; j < s.visits(); ++j) {
      const int64_t id = s.Visit(j);
      ASSERT_GE(id, 0);
      ASSERT_LT(id, s.id_range());
      ASSERT_GE(s.Day(j), 0);
      ASSERT_LT(s.Day(j), 7);
      seen.insert(id);
    }
    EXPECT_EQ(static_cast<int64_t>(seen.size()), n);
    EXPECT_GE(s.visits(), n + n / 2);  // a third of the visits are repeats
  }
  EXPECT_NE(UniquesStream(1, 1000).Visit(0), UniquesStream(2, 1000).Visit(0));
}

TEST(UniquesKnobsTest, SizesZeroIsAOneLineError) {
  auto scenario = MakeUniquesScenario();
  EXPECT_EQ(testing::KnobError(*scenario, "sizes", "0"),
            "--sizes must be an integer between 100 and 10000000 (got '0')");
  EXPECT_NEAR(HllSigma(16384), 0.008125, 1e-9);
  // The lesson checks its own range even when another lesson's --sizes parsed the flag.
  EXPECT_EQ(testing::PrepareError(*scenario, "set", {{"sizes", 10}}),
            "--sizes must be an integer between 100 and 10000000 (got 10)");
}

class UniquesOnTarget
    : public testing::LessonOnTargetTest<MakeUniquesScenario, /*kAllowNoApproach=*/true> {};

TEST_P(UniquesOnTarget, ExactCountsAndHllWithinTheBand) {
  if (GetParam() == adapters::TargetKind::kBuiltin ||
      GetParam() == adapters::TargetKind::kBuiltinTcp) {
    // The engine has SETBIT/BITCOUNT (issue 17): the bitmap approach runs here, never skipped.
    bool bitmap_runs = false;
    for (const ApproachInfo* a : approaches_) bitmap_runs |= a->id == "bitmap";
    EXPECT_TRUE(bitmap_runs);
    for (const auto& s : on_.skipped) EXPECT_FALSE(s.starts_with("bitmap")) << s;
  }
  if (approaches_.empty()) GTEST_SKIP() << on_.skip;
  std::map<std::string, double> memory_at_20k;
  for (const ApproachInfo* a : approaches_) {
    for (double n : {1000.0, 20000.0}) {
      SCOPED_TRACE(a->id + " N=" + std::to_string(static_cast<int>(n)));
      RunContext ctx;
      ctx.clients = 2;
      ctx.extra = {{"sizes", n}};
      // Ten batches per worker is more than one pass: repeats must not change the count.
      auto r = DriveClean(*scenario_, a->id, *target_, ctx, 40);
      if (!r.ok() && r.status().code() == Status::Code::kUnavailable) {
        std::cout << "[ skipped  ] " << a->id << ": " << r.status().message() << "\n";
        break;
      }
      ASSERT_TRUE(r.ok()) << r.status().message();
      const auto& c = r->correctness.figures;
      EXPECT_TRUE(r->correctness.ok) << r->correctness.note;
      EXPECT_EQ(c.at("expected"), n);
      if (a->id == "hll" || a->id == "hll-merge" || a->id == "sql-hll") {
        EXPECT_LE(std::fabs(c.at("rel_error")), 3 * HllSigma(16384));
        EXPECT_EQ(c.at("bound"), 3 * HllSigma(16384));
      } else {
        EXPECT_EQ(c.at("observed"), n);
      }
      EXPECT_GT(r->figures.at("memory_bytes"), 0);
      EXPECT_GT(r->figures.at("count_p50_us"), 0);
      EXPECT_GT(r->figures.at("ingest_visits_per_s"), 0);
      if (a->id == "hll-merge") {
        EXPECT_EQ(c.at("pfmerge_count"), c.at("observed"));
      }
      if (n == 20000) memory_at_20k[a->id] = r->figures.at("memory_bytes");
    }
  }
  if (memory_at_20k.count("set") && memory_at_20k.count("hll")) {
    EXPECT_LE(memory_at_20k["hll"], 16 * 1024) << "a HyperLogLog is at most 12 KB plus a header";
    EXPECT_GT(memory_at_20k["set"], 10 * memory_at_20k["hll"]);
  }
}

INSTANTIATE_TEST_SUITE_P(AllTargets, UniquesOnTarget, ::testing::ValuesIn(testing::AllKinds()),
                         testing::TargetParamName);

}  // namespace
}  // namespace racetrack::scenarios
