// Scenario knobs as `racetrack run` flags, and the CI suite:
//  - no lesson's knob may take a run flag's name (checked over the real registry: a lesson that
//    breaks the rule fails here);
//  - two lessons with a knob of the same name each check a value with their own range and
//    choices, and the error names the lesson;
//  - the CI suite's knob values are valid for the lessons it names, and the user's flags win.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bench/cli.h"
#include "bench/suite.h"
#include "scenarios/knobs.h"
#include "scenarios/registry.h"

namespace racetrack::bench {
namespace {

using scenarios::KnobInfo;
using scenarios::Scenario;
using scenarios::ScenarioInfo;

// A lesson that only declares knobs (never run).
class KnobOnlyScenario : public Scenario {
 public:
  KnobOnlyScenario(std::string id, std::vector<KnobInfo> knobs) {
    info_.id = std::move(id);
    info_.knobs = std::move(knobs);
  }
  const ScenarioInfo& info() const override { return info_; }
  Result<std::unique_ptr<scenarios::ApproachRun>> Prepare(
      const scenarios::ApproachInfo&, adapters::Client&,
      const scenarios::RunContext&) const override {
    return Status::Unavailable("not runnable");
  }

 private:
  ScenarioInfo info_;
};

KnobInfo Sizes(double min, double max) {
  return {.name = "sizes", .help = "N", .min = min, .max = max, .defaults = {min}};
}

KnobInfo Pattern(std::vector<std::string> choices) {
  return {.name = "pattern",
          .help = "p",
          .min = 0,
          .max = 0,
          .choices = std::move(choices),
          .defaults = {0},
          .sweep = false};
}

TEST(KnobNamesTest, NoLessonInTheRegistryReusesARunFlagName) {
  Status s = CheckKnobNames(scenarios::Registry::Default());
  EXPECT_TRUE(s.ok()) << s.message();
}

// Every lesson says what one operation is (throughput is labelled "<unit>/s" everywhere), in the
// plural, and the approaches that are judged on a contract of their own state it.
TEST(LessonUnitsTest, EveryLessonNamesItsOperation) {
  for (const scenarios::Scenario* s : scenarios::Registry::Default().all()) {
    const scenarios::ScenarioInfo& info = s->info();
    SCOPED_TRACE(info.id);
    EXPECT_FALSE(info.unit.empty());
    EXPECT_NE(info.unit, "ops");
    EXPECT_EQ(info.unit.back(), 's') << "plural, as in \"" << info.unit << "/s\"";
    for (const auto& a : info.approaches) {
      if (!a.unit.empty()) {
        EXPECT_EQ(a.unit.back(), 's') << a.id;
      }
    }
  }
  const auto* rl = scenarios::Registry::Default().Find("ratelimit");
  ASSERT_NE(rl, nullptr);
  for (const auto& a : rl->info().approaches) EXPECT_FALSE(a.contract.empty()) << a.id;
  EXPECT_TRUE(rl->info().FindApproach("token-bucket")->expected_correct);
  EXPECT_TRUE(rl->info().FindApproach("gcra-sql")->expected_correct);
  EXPECT_FALSE(rl->info().FindApproach("fixed-window")->expected_correct);
}

TEST(KnobNamesTest, AKnobNamedLikeAHarnessFlagIsRefused) {
  for (const std::string flag : {"rate", "clients", "duration", "ops", "repetitions", "warmup",
                                 "seed", "json", "target", "t"}) {
    KnobOnlyScenario bad("newlesson", {{.name = flag, .min = 0, .max = 1, .defaults = {0}}});
    Status s = CheckKnobNames(scenarios::Registry({&bad}));
    ASSERT_FALSE(s.ok()) << flag;
    EXPECT_EQ(s.message(),
              "lesson 'newlesson' declares knob --" + flag + ", which is a racetrack run flag");
  }
  KnobOnlyScenario twice("twice", {Sizes(1, 2), Sizes(3, 4)});
  EXPECT_EQ(CheckKnobNames(scenarios::Registry({&twice})).message(),
            "lesson 'twice' declares knob --sizes twice");
}

TEST(SharedKnobTest, EachLessonChecksTheValueWithItsOwnRange) {
  KnobOnlyScenario leaderboard("leaderboard", {Sizes(100, 1000000)});
  KnobOnlyScenario cache("cache", {Sizes(1, 500)});
  const std::vector<const Scenario*> both = {&leaderboard, &cache};

  // Too small for the leaderboard, fine for the cache: the leaderboard's range decides.
  auto r = scenarios::ParseScenarioKnobs(both, both, {{"sizes", "0"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "--sizes for leaderboard must be an integer between 100 and 1000000 (got '0')");
  // Fine for the leaderboard, too large for the cache (the second lesson is checked too).
  r = scenarios::ParseScenarioKnobs(both, both, {{"sizes", "1000"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "--sizes for cache must be an integer between 1 and 500 (got '1000')");
  r = scenarios::ParseScenarioKnobs(both, both, {{"sizes", "200"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["leaderboard"]["sizes"], std::vector<double>{200});
  EXPECT_EQ((*r)["cache"]["sizes"], std::vector<double>{200});
  // Only the selected lessons are asked.
  r = scenarios::ParseScenarioKnobs({&cache}, both, {{"sizes", "5"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->count("leaderboard"), 0u);
}

TEST(SharedKnobTest, ChoicesAreLookedUpInEachLessonsOwnList) {
  KnobOnlyScenario a("ratelimit", {Pattern({"steady", "boundary"})});
  KnobOnlyScenario b("cache", {Pattern({"boundary", "zipf"})});
  const std::vector<const Scenario*> both = {&a, &b};
  auto r = scenarios::ParseScenarioKnobs(both, both, {{"pattern", "boundary"}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)["ratelimit"]["pattern"], std::vector<double>{1});
  EXPECT_EQ((*r)["cache"]["pattern"], std::vector<double>{0});
  r = scenarios::ParseScenarioKnobs(both, both, {{"pattern", "zipf"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "--pattern for ratelimit must be one of steady, boundary (got 'zipf')");
}

TEST(SharedKnobTest, AKnobOfAnUnselectedLessonIsAnError) {
  KnobOnlyScenario leaderboard("leaderboard", {Sizes(100, 1000000)});
  KnobOnlyScenario counters("counters", {});
  auto r = scenarios::ParseScenarioKnobs({&counters}, {&leaderboard, &counters},
                                         {{"sizes", "1000"}, {"pattern", ""}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "--sizes is a knob of leaderboard, not of the selected counters");
}

TEST(HarnessKnobsTest, ALessonsOwnValuesWinOverTheSharedOnes) {
  RunOptions o;
  o.knobs["sizes"] = {1, 2};
  o.scenario_knobs["leaderboard"]["sizes"] = {100};
  EXPECT_EQ(o.KnobsFor("leaderboard")["sizes"], std::vector<double>{100});
  EXPECT_EQ(o.KnobsFor("cache")["sizes"], (std::vector<double>{1, 2}));
}

TEST(SuiteTest, FullRunsEveryLessonWithItsOwnSmallKnobValues) {
  const auto& registry = scenarios::Registry::Default();
  RunCommand cmd;
  ASSERT_TRUE(ApplySuite("full", {}, {}, registry, &cmd).ok());
  EXPECT_EQ(cmd.scenarios.size(), registry.all().size());
  EXPECT_EQ(cmd.options.repetitions, 15);
  EXPECT_DOUBLE_EQ(cmd.options.duration_s, 0.1);
  EXPECT_DOUBLE_EQ(cmd.options.warmup_s, 0.05);
  EXPECT_TRUE(cmd.options.duration_given);
  EXPECT_EQ(cmd.options.scenario_knobs["leaderboard"]["sizes"], (std::vector<double>{1000, 10000}));
  EXPECT_EQ(cmd.options.scenario_knobs["pipeline"]["batch"], (std::vector<double>{1, 100}));
  EXPECT_EQ(cmd.options.scenario_knobs.count("counters"), 0u);  // its defaults
}

// The CI gate's suite: a few selections, each naming a registered lesson, an approach that lesson
// has, and a target name; its lessons' knobs parse; compare-run defaults of many rounds.
TEST(SuiteTest, CiIsAFewSelectionsOfRealLessonsAndApproaches) {
  const auto& registry = scenarios::Registry::Default();
  auto ci = SuiteForCompare("ci");
  ASSERT_TRUE(ci.ok());
  EXPECT_GE(ci->rounds, 8);  // the paired test needs 8 rounds to decide (reports/gate.h)
  EXPECT_GE(ci->per_round, 2);
  ASSERT_FALSE(ci->selections.empty());
  EXPECT_LE(ci->selections.size(), 10u);
  std::set<std::string> targets;
  for (const SuiteSelection& sel : ci->selections) {
    const scenarios::Scenario* sc = registry.Find(sel.scenario);
    ASSERT_NE(sc, nullptr) << sel.scenario;
    for (const std::string& a : sel.approaches) {
      bool found = false;
      for (const auto& approach : sc->info().approaches) found = found || approach.id == a;
      EXPECT_TRUE(found) << sel.scenario << " has no approach " << a;
    }
    targets.insert(sel.target);
  }
  EXPECT_EQ(targets, (std::set<std::string>{"builtin", "builtin-tcp", "redis", "postgres"}));
  RunCommand cmd;
  ASSERT_TRUE(ApplySuite("ci", {}, {}, registry, &cmd).ok());
  EXPECT_LT(cmd.scenarios.size(), registry.all().size());  // only the suite's lessons
  EXPECT_EQ(cmd.options.repetitions, ci->per_round);
  EXPECT_FALSE(SuiteForCompare("nightly").ok());
  EXPECT_TRUE(SuiteForCompare("full")->selections.empty());  // everything
}

TEST(SuiteTest, TheUsersFlagsAndScenariosWin) {
  const auto& registry = scenarios::Registry::Default();
  RunCommand cmd;
  cmd.scenarios = {"leaderboard"};
  cmd.options.repetitions = 3;
  ASSERT_TRUE(ApplySuite("ci", {"repetitions"}, {{"sizes", "500"}}, registry, &cmd).ok());
  EXPECT_EQ(cmd.scenarios, std::vector<std::string>{"leaderboard"});
  EXPECT_EQ(cmd.options.repetitions, 3);
  EXPECT_EQ(cmd.options.scenario_knobs["leaderboard"].count("sizes"), 0u);  // the user's, later
  EXPECT_EQ(cmd.options.scenario_knobs.count("pipeline"), 0u);              // not selected
  EXPECT_FALSE(ApplySuite("nightly", {}, {}, registry, &cmd).ok());
}

// The console table: throughput in the lesson's unit, the four verdict marks, and an untrusted
// timing marked ⚠ with its reason and never a plain ✅.
TEST(RunTableTest, ShowsUnitsVerdictMarksAndUntrustedTiming) {
  results::Results doc;
  auto add = [&](const std::string& scenario, const std::string& approach, const std::string& unit,
                 bool ok, bool expected_ok, double tp) -> results::Record& {
    results::Record r;
    r.scenario = scenario;
    r.approach = approach;
    r.target = "builtin";
    r.unit = unit;
    r.throughput_ops_s = tp;
    r.latency_us.p50 = 5'278'532;
    r.latency_us.p99 = 5'300'000;
    r.ops = 1;
    r.correctness.checked = true;
    r.correctness.ok = ok;
    r.correctness.expected_ok = expected_ok;
    doc.records.push_back(r);
    return doc.records.back();
  };
  results::Record& slow = add("pipeline", "one-by-one", "jobs", true, true, 0.1894);
  results::AssessTiming(&slow);  // one timed job
  add("ratelimit", "fixed-window", "decisions", false, false, 2571);
  add("ratelimit", "token-bucket", "decisions", true, true, 75210).ops = 1000;
  add("ratelimit", "sliding-window-counter", "decisions", false, true, 3000).ops = 1000;
  add("leaderboard", "zset", "queries", true, true, 9000).ops = 1000;
  add("leaderboard", "update-zset", "updates", true, false, 8000).ops = 1000;
  const std::string table = FormatRunTable(doc);
  EXPECT_NE(table.find("jobs/s"), std::string::npos) << table;
  EXPECT_NE(table.find("0.189"), std::string::npos) << "not \"0\": " << table;
  EXPECT_NE(table.find("p50/job"), std::string::npos) << table;
  EXPECT_NE(table.find("5.28 s"), std::string::npos) << table;
  EXPECT_NE(table.find("☑ correct"), std::string::npos) << table;
  EXPECT_NE(table.find("⚠ timing not trusted: only 1 timed job"), std::string::npos) << table;
  EXPECT_NE(table.find("decisions/s"), std::string::npos) << table;
  EXPECT_NE(table.find("✗ wrong (expected)"), std::string::npos) << table;
  EXPECT_NE(table.find("✅ correct"), std::string::npos) << table;
  EXPECT_NE(table.find("❌ WRONG"), std::string::npos) << table;
  EXPECT_NE(table.find("❓ correct (unsafe: no race hit)"), std::string::npos) << table;
  // leaderboard's approaches differ in unit: each cell names its own.
  EXPECT_NE(table.find("9000 queries/s"), std::string::npos) << table;
  EXPECT_NE(table.find("8000 updates/s"), std::string::npos) << table;
  // Never a ✅ on the untrusted pipeline row.
  const size_t pipeline_row = table.find("one-by-one");
  ASSERT_NE(pipeline_row, std::string::npos);
  const std::string row = table.substr(pipeline_row, table.find('\n', pipeline_row) - pipeline_row);
  EXPECT_EQ(row.find("✅"), std::string::npos) << row;
  EXPECT_NE(row.find("⚠"), std::string::npos) << row;
}

}  // namespace
}  // namespace racetrack::bench
