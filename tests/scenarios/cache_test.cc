// The cache lesson on every target against real throwaway servers, PostgreSQL behind the cache
// tier: every approach that should be correct is (no wrong value, no stale read outside its
// documented windows), the TTL-only approach serves stale reads when writes hit cached keys,
// db-only runs on postgres only and in-process on builtin only, the figures are recorded, and bad
// knob values are one-line errors naming the range.
#include "scenarios/cache.h"

#include <gtest/gtest.h>

#include "scenarios/knobs.h"
#include "tests/scenarios/lesson_driver.h"

namespace racetrack::scenarios {
namespace {

using testing::Drive;
using testing::DriveClean;
using testing::LessonTargets;

TEST(CacheKnobsTest, BadValuesNameTheRange) {
  auto scenario = MakeCacheScenario();
  EXPECT_EQ(testing::KnobError(*scenario, "ttl-ms", "0"),
            "--ttl-ms must be an integer between 1 and 3600000 (got '0')");
  EXPECT_EQ(testing::KnobError(*scenario, "maxmemory-policy", "allkeys-random"),
            "--maxmemory-policy must be one of allkeys-lru, allkeys-lfu, volatile-ttl (got "
            "'allkeys-random')");
  EXPECT_NE(testing::KnobError(*scenario, "query", "range"), "(accepted)");
  EXPECT_EQ(testing::AcceptedKnobValues(*scenario, "query", "point,aggregate").size(), 2u);
  EXPECT_NE(testing::KnobError(*scenario, "write-ratio", "1.5"), "(accepted)");
  // A programmatic caller gets the same range check in Prepare.
  EXPECT_EQ(testing::PrepareError(*scenario, "cache-aside", {{"ttl-ms", 0}}),
            "--ttl-ms must be between 1 and 3600000");
}

TEST(CacheScenarioTest, WhereEachApproachIsRecorded) {
  auto scenario = MakeCacheScenario();
  const auto& info = scenario->info();
  ASSERT_TRUE(info.backing.has_value());
  EXPECT_EQ(*info.backing, adapters::TargetKind::kPostgres);
  const ApproachInfo* in_process = info.FindApproach("in-process");
  ASSERT_NE(in_process, nullptr);
  EXPECT_EQ(scenario->ParameterPoints(*in_process, adapters::TargetKind::kRedis, {}).size(), 0u);
  EXPECT_EQ(scenario->ParameterPoints(*in_process, adapters::TargetKind::kBuiltin, {}).size(), 2u);
  EXPECT_FALSE(info.FindApproach("cache-aside-ttl-only")->expected_correct);
  EXPECT_EQ(MissingCapabilityReason(*info.FindApproach("db-only"), adapters::kCapStrings),
            "needs SQL");
}

TEST(CacheScenarioTest, NoBackingStoreIsAReasonNotACrash) {
  auto scenario = MakeCacheScenario();
  std::string why;
  adapters::Target* builtin = LessonTargets::Get().Open(adapters::TargetKind::kBuiltin, &why);
  ASSERT_NE(builtin, nullptr) << why;
  auto admin = builtin->Connect();
  ASSERT_TRUE(admin.ok());
  RunContext ctx;
  ctx.backing_unavailable = "initdb not found";
  auto r = scenario->Prepare(*scenario->info().FindApproach("cache-aside"), **admin, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "the cache tier needs PostgreSQL as its backing store, which is unavailable: initdb "
            "not found");
}

// A cache test on one target: the cache tier, PostgreSQL behind it and the lesson; skipped with
// the reason when either target cannot be had.
class CacheWithBacking : public ::testing::TestWithParam<adapters::TargetKind> {
 protected:
  void SetUp() override {
    std::string why;
    target_ = LessonTargets::Get().Open(GetParam(), &why);
    if (target_ == nullptr) GTEST_SKIP() << "target unavailable: " << why;
    pg_ = LessonTargets::Get().Open(adapters::TargetKind::kPostgres, &why);
    if (pg_ == nullptr) GTEST_SKIP() << "no PostgreSQL to back the cache: " << why;
    scenario_ = MakeCacheScenario();
  }

  adapters::Target* target_ = nullptr;
  adapters::Target* pg_ = nullptr;
  std::unique_ptr<Scenario> scenario_;
};

class CacheOnTarget : public CacheWithBacking {};

TEST_P(CacheOnTarget, EveryApproachIsCorrectOrWrongAsExpected) {
  std::vector<std::string> skipped;
  auto approaches = testing::RunnableApproaches(*scenario_, *target_, &skipped);
  int ran = 0;
  for (const ApproachInfo* a : approaches) {
    for (double query : {0.0, 1.0}) {
      if (scenario_->ParameterPoints(*a, target_->kind(), {}).empty()) continue;
      SCOPED_TRACE(a->id + (query == 0 ? " point" : " aggregate"));
      RunContext ctx;
      ctx.clients = 3;
      ctx.backing = pg_;
      // A TTL far longer than the run: the hit ratio asserted below must not depend on how long
      // 40 aggregate scans take on a busy machine (at the default 1 s they outlived their entries).
      ctx.extra = {{"query", query}, {"write-ratio", 0.1}, {"ttl-ms", 60000}};
      ctx.workload.keys = 200;
      auto r = DriveClean(*scenario_, a->id, *target_, ctx, query == 0 ? 300 : 40);
      ASSERT_TRUE(r.ok()) << r.status().message();
      ++ran;
      const auto& f = r->figures;
      const auto& c = r->correctness.figures;
      EXPECT_EQ(c.at("wrong_values"), 0) << r->correctness.note;
      EXPECT_GT(c.at("writes"), 0);
      EXPECT_GT(f.at("db_queries"), 0);
      EXPECT_GT(f.at("read_p50_us"), 0);
      EXPECT_EQ(f.at("keys"), 200);
      if (a->expected_correct) {
        EXPECT_TRUE(r->correctness.ok) << r->correctness.note;
        EXPECT_EQ(c.at("stale_unexplained"), 0) << r->correctness.note;
      }
      if (a->id == "db-only") {
        EXPECT_EQ(f.at("hit_ratio"), 0);
        EXPECT_EQ(c.at("stale_reads"), 0);
        EXPECT_EQ(f.count("backing_postgres"), 0u);
      } else {
        EXPECT_GT(f.at("hit_ratio"), 0.3) << "200 zipf keys, a few hundred reads: mostly hits";
        EXPECT_EQ(f.at("backing_postgres"), 1);
        EXPECT_GT(f.at("hit_p50_us"), 0);
        EXPECT_EQ(f.count("evictions"), 1u);
      }
    }
  }
  if (ran == 0) GTEST_SKIP() << "no approach can run here";
}

// Only the cache tiers: postgres is the backing store, never a cache.
class CacheTierTarget : public CacheWithBacking {};

TEST_P(CacheTierTarget, TtlOnlyServesStaleReads) {
  const ApproachInfo* ttl_only = scenario_->info().FindApproach("cache-aside-ttl-only");
  ASSERT_EQ(MissingCapabilityReason(*ttl_only, target_->capabilities()), "");
  // 10 keys, a third of the operations writes, a 60 s TTL: a cached key is written soon after
  // it is cached and nothing removes the old value.
  RunContext ctx;
  ctx.clients = 2;
  ctx.backing = pg_;
  ctx.extra = {{"query", 0}, {"write-ratio", 0.3}, {"ttl-ms", 60000}};
  ctx.workload.keys = 10;
  auto r = Drive(*scenario_, "cache-aside-ttl-only", *target_, ctx, 300);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->correctness.ok);
  EXPECT_GT(r->correctness.figures.at("stale_reads"), 0);
  EXPECT_GT(r->correctness.figures.at("max_staleness_ms"), 0);
  EXPECT_EQ(r->correctness.figures.at("wrong_values"), 0);
  EXPECT_NE(r->correctness.note.find("never invalidated"), std::string::npos)
      << r->correctness.note;
  // The same workload with DEL on write: nothing unexplained.
  auto aside = Drive(*scenario_, "cache-aside", *target_, ctx, 300);
  ASSERT_TRUE(aside.ok()) << aside.status().message();
  EXPECT_TRUE(aside->correctness.ok) << aside->correctness.note;
}

TEST(CacheEvictionTest, MaxmemoryEvictsAndIsRestored) {
  std::string why;
  adapters::Target* redis = LessonTargets::Get().Open(adapters::TargetKind::kRedis, &why);
  if (redis == nullptr) GTEST_SKIP() << "redis unavailable: " << why;
  adapters::Target* pg = LessonTargets::Get().Open(adapters::TargetKind::kPostgres, &why);
  if (pg == nullptr) GTEST_SKIP() << "no PostgreSQL: " << why;
  auto scenario = MakeCacheScenario();
  auto admin = redis->Connect();
  ASSERT_TRUE(admin.ok());
  // A limit just above what the server uses now, with 2,000 keys of 2 KB: evictions must happen.
  auto info = (*admin)->Command({"INFO", "memory"});
  ASSERT_TRUE(info.ok());
  const size_t p = info->str.find("used_memory:");
  ASSERT_NE(p, std::string::npos);
  const double now_used = std::stod(info->str.substr(p + 12));
  RunContext ctx;
  ctx.clients = 2;
  ctx.backing = pg;
  ctx.extra = {{"query", 0},
               {"maxmemory", now_used + 512 * 1024},
               {"maxmemory-policy", 1},
               {"write-ratio", 0}};
  ctx.workload.keys = 2000;
  ctx.workload.distribution = *ParseKeyDistribution("uniform");
  ctx.workload.value_size = ValueSize{2048, 2048};
  auto r = Drive(*scenario, "cache-aside", *redis, ctx, 1500);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->correctness.ok) << r->correctness.note;
  EXPECT_GT(r->figures.at("evictions"), 0);
  auto after = (*admin)->Command({"CONFIG", "GET", "maxmemory"});
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->elements.size(), 2u);
  EXPECT_EQ(after->elements[1].str, "0") << "the limit must be restored";
}

INSTANTIATE_TEST_SUITE_P(AllTargets, CacheOnTarget, ::testing::ValuesIn(testing::AllKinds()),
                         testing::TargetParamName);
INSTANTIATE_TEST_SUITE_P(CacheTiers, CacheTierTarget,
                         ::testing::ValuesIn(testing::RedisLikeKinds()), testing::TargetParamName);

}  // namespace
}  // namespace racetrack::scenarios
