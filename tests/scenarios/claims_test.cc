// The registry's claims: every lesson tests at least one sentence of the article, and every
// claim names approaches its lesson has, a known kind, and a rule whose thresholds differ.
#include "scenarios/claims.h"

#include <gtest/gtest.h>

#include <set>

#include "scenarios/registry.h"

namespace racetrack::scenarios {
namespace {

TEST(ClaimsTest, EveryLessonClaimsSomethingAndEveryClaimIsWellFormed) {
  std::set<std::string> ids;
  for (const Scenario* s : Registry::Default().all()) {
    const ScenarioInfo& info = s->info();
    EXPECT_FALSE(info.claims.empty()) << info.id << " tests no claim of the article";
    for (const ClaimInfo& c : info.claims) {
      EXPECT_TRUE(ids.insert(c.id).second) << "duplicate claim id " << c.id;
      EXPECT_EQ(c.id.rfind(info.id + ".", 0), 0u) << c.id << " should start with " << info.id;
      EXPECT_FALSE(c.article.empty()) << c.id;
      EXPECT_FALSE(c.rule.empty()) << c.id;
      EXPECT_NE(c.confirm_at, c.contradict_at) << c.id << ": the rule cannot tell them apart";
      EXPECT_TRUE(c.kind == "value" || c.kind == "ratio" || c.kind == "chain") << c.id;
      EXPECT_GE(c.subjects.size(), c.kind == "value" ? 1u : 2u) << c.id;
      for (const ClaimSubject& subject : c.subjects) {
        EXPECT_NE(info.FindApproach(subject.approach), nullptr)
            << c.id << " names approach " << subject.approach << ", which " << info.id
            << " does not have";
        EXPECT_FALSE(subject.label.empty()) << c.id;
        EXPECT_FALSE((subject.figure.empty() ? c.figure : subject.figure).empty()) << c.id;
      }
    }
  }
  EXPECT_EQ(ArticleClaims("no-such-lesson").size(), 0u);
}

}  // namespace
}  // namespace racetrack::scenarios
