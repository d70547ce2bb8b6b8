// The `sessions` lesson on every target (jwt on the serverless `client` target): after the
// logout, server-side sessions and the denylist accept nothing, a plain JWT keeps being accepted,
// short access tokens stay within their lifetime; the memory-limit pattern counts users logged
// out by eviction; bad knob values are one-line errors.
#include "scenarios/sessions.h"

#include <gtest/gtest.h>

#include "scenarios/knobs.h"
#include "tests/scenarios/lesson_driver.h"

namespace racetrack::scenarios {
namespace {

using testing::Drive;
using testing::DriveClean;
using testing::LessonTargets;

TEST(SessionsKnobsTest, BadInputIsAOneLineError) {
  auto scenario = MakeSessionsScenario();
  EXPECT_EQ(testing::KnobError(*scenario, "revoke", "2"),
            "--revoke must be between 0 and 1 (got '2')");
  EXPECT_EQ(testing::KnobError(*scenario, "revoke", "0.5"), "(accepted)");
  auto target = adapters::MakeBuiltinTarget();
  auto admin = target->Connect();
  ASSERT_TRUE(admin.ok());
  RunContext ctx;
  ctx.target = target.get();
  ctx.extra["revoke"] = 2;
  auto run = scenario->Prepare(*scenario->info().FindApproach("session-ttl"), **admin, ctx);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("--revoke"), std::string::npos);
  EXPECT_EQ(run.status().message().find('\n'), std::string::npos);
  // The memory limit is refused in-process (its figure would be the whole process's).
  ctx.extra = {{"maxmemory", 1'000'000}};
  run = scenario->Prepare(*scenario->info().FindApproach("session-ttl"), **admin, ctx);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("in-process"), std::string::npos);
}

std::vector<adapters::TargetKind> KindsWithClient() {
  auto kinds = testing::AllKinds();
  kinds.push_back(adapters::TargetKind::kClient);
  return kinds;
}

class SessionsOnTarget : public ::testing::TestWithParam<adapters::TargetKind> {};

TEST_P(SessionsOnTarget, RevokedUsersAreRefusedExceptWithAPlainJwt) {
  std::string why;
  std::unique_ptr<adapters::Target> client_target;
  adapters::Target* target = nullptr;
  if (GetParam() == adapters::TargetKind::kClient) {
    client_target = adapters::MakeClientTarget();
    target = client_target.get();
  } else {
    target = LessonTargets::Get().Open(GetParam(), &why);
  }
  if (target == nullptr) GTEST_SKIP() << "target unavailable: " << why;
  auto scenario = MakeSessionsScenario();
  auto approaches = testing::RunnableApproaches(*scenario, *target, nullptr);
  ASSERT_FALSE(approaches.empty());
  for (const ApproachInfo* a : approaches) {
    SCOPED_TRACE(a->id + " on " + std::string(target->name()));
    RunContext ctx;
    ctx.clients = 4;
    // The revocation happens at the first request, so every later request counts.
    ctx.extra = {{"users", 2000}, {"revoke", 0.05}, {"revoke-at-ms", 0}};
    auto r = DriveClean(*scenario, a->id, *target, ctx, 400);
    ASSERT_TRUE(r.ok()) << r.status().message();
    const auto& f = r->correctness.figures;
    EXPECT_EQ(f.at("revoked_users"), 100);
    EXPECT_EQ(f.at("requests"), 1600);
    EXPECT_EQ(f.at("wrongly_rejected"), 0);
    // About 5% of the requests after the revocation come from revoked users: all accepted or
    // all refused. The revoking worker's own 400 requests all come after it (about 20 of them
    // revoked users'); on fast targets the other workers may be done before it.
    const double after = f.at("accepted_after_revocation") + f.at("rejected_after_revocation");
    EXPECT_GT(after, 5);
    if (a->id == "jwt" || a->id == "jwt-short-refresh") {
      EXPECT_GT(f.at("accepted_after_revocation"), 0);
      EXPECT_GE(f.at("revocation_delay_ms"), 0);
    } else {
      EXPECT_EQ(f.at("accepted_after_revocation"), 0);
      EXPECT_GT(f.at("rejected_after_revocation"), 0);
    }
    EXPECT_EQ(r->correctness.ok, a->id != "jwt") << r->correctness.note;
    const double trips = r->figures.at("round_trips_per_request");
    if (a->id == "jwt") {
      EXPECT_EQ(trips, 0);
    }
    if (a->id == "session-ttl" || a->id == "sql-session" || a->id == "jwt-denylist") {
      EXPECT_EQ(trips, 1);
    }
    if (a->id == "jwt-short-refresh") {
      EXPECT_LT(trips, 0.2);
    }
    if (a->id.rfind("jwt", 0) == 0) {
      EXPECT_GT(r->figures.at("local_verify_p50_us"), 0);
    }
    ASSERT_TRUE(r->series.count("revoked_users_accepted"));
  }
}

// The memory-limit pattern on a real server: a limit just above what the server already uses
// cannot hold 20,000 sessions; allkeys-lru logs users out, noeviction refuses logins.
class SessionsMaxmemory : public ::testing::TestWithParam<adapters::TargetKind> {};

TEST_P(SessionsMaxmemory, EvictsOrRefusesSessions) {
  std::string why;
  adapters::Target* target = LessonTargets::Get().Open(GetParam(), &why);
  if (target == nullptr) GTEST_SKIP() << "target unavailable: " << why;
  auto admin = target->Connect();
  ASSERT_TRUE(admin.ok());
  auto info = (*admin)->Command({"INFO", "memory"});
  ASSERT_TRUE(info.ok());
  const size_t at = info->str.find("used_memory:");
  ASSERT_NE(at, std::string::npos) << info->str;
  const double used = std::stod(info->str.substr(at + 12));
  auto scenario = MakeSessionsScenario();
  for (double policy : {0.0, 4.0}) {  // allkeys-lru, noeviction
    SCOPED_TRACE(policy);
    RunContext ctx;
    ctx.clients = 2;
    ctx.extra = {{"users", 20000},      {"revoke", 0.01},
                 {"revoke-at-ms", 0},   {"maxmemory", used + 400'000},
                 {"maxmemory-policy", policy}};
    auto r = Drive(*scenario, "session-ttl", *target, ctx, 200);
    ASSERT_TRUE(r.ok()) << r.status().message();
    const auto& f = r->correctness.figures;
    EXPECT_FALSE(r->correctness.ok);
    if (policy == 0) {
      EXPECT_GT(f.at("users_evicted"), 0) << r->correctness.note;
    } else {
      EXPECT_GT(f.at("logins_refused"), 0) << r->correctness.note;
    }
  }
  // The limit is restored: a big write succeeds again.
  auto cfg = (*admin)->Command({"CONFIG", "GET", "maxmemory"});
  ASSERT_TRUE(cfg.ok());
  ASSERT_EQ(cfg->elements.size(), 2u);
  EXPECT_EQ(cfg->elements[1].str, "0");
}

INSTANTIATE_TEST_SUITE_P(AllTargets, SessionsOnTarget, ::testing::ValuesIn(KindsWithClient()),
                         testing::TargetParamName);
// The memory limit needs a Redis-like server process of its own.
INSTANTIATE_TEST_SUITE_P(ServerTargets, SessionsMaxmemory,
                         ::testing::Values(adapters::TargetKind::kBuiltinTcp,
                                           adapters::TargetKind::kRedis),
                         testing::TargetParamName);

}  // namespace
}  // namespace racetrack::scenarios
