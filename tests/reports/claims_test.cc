// EvaluateClaim on fixture records: every outcome (confirmed, contradicted, depends, not
// measured), the record join of ratio and chain claims, at_largest, and the measured text.
#include "reports/claims.h"

#include <gtest/gtest.h>

#include "reports/writers.h"

namespace racetrack::reports {
namespace {

using results::ClaimSubject;

Record Rec(const std::string& approach, const std::string& target,
           std::map<std::string, double> params, std::map<std::string, double> figures,
           std::optional<double> p50 = std::nullopt) {
  Record r;
  r.scenario = "lesson";
  r.approach = approach;
  r.target = target;
  r.params = std::move(params);
  r.correctness.checked = true;
  r.correctness.ok = true;
  r.correctness.figures = std::move(figures);
  r.latency_us.p50 = p50;
  return r;
}

ClaimText Claim(std::string kind, std::string figure, std::vector<ClaimSubject> subjects,
                double confirm_at, double contradict_at) {
  ClaimText c;
  c.id = "lesson.claim";
  c.article = "The article says so.";
  c.kind = std::move(kind);
  c.figure = std::move(figure);
  c.subjects = std::move(subjects);
  c.confirm_at = confirm_at;
  c.contradict_at = contradict_at;
  return c;
}

// A figure cell names the figure without the unit its value already prints, also when a
// statistic follows the unit (README figures once read "wait p99 (µs) 520 ms" and
// "recover s mean 0.0104").
TEST(ClaimsTest, FigureLabelsDropTheUnitTheirValuePrints) {
  EXPECT_EQ(ClaimFigureLabel("wait_p99_us"), "wait p99");
  EXPECT_EQ(FormatClaimFigure("wait_p99_us", 520000), "520 ms");
  EXPECT_EQ(ClaimFigureLabel("recover_s_mean"), "recover mean");
  EXPECT_EQ(FormatClaimFigure("recover_s_mean", 0.0104), "10.4 ms");
  EXPECT_EQ(ClaimFigureLabel("throughput_writes_s"), "throughput writes");
  EXPECT_EQ(FormatClaimFigure("throughput_writes_s", 78384), "78,384/s");
  EXPECT_EQ(ClaimFigureLabel("exposure_at_kill_mean"), "exposure at kill mean");
  EXPECT_EQ(FormatClaimFigure("exposure_at_kill_mean", 23746), "23,746");
}

TEST(ClaimsTest, ValueClaimConfirmedContradictedOrDependsOnTarget) {
  // "GET+SET loses updates": confirmed from 1 lost update, contradicted at 0.
  ClaimText loses = Claim("value", "lost_updates", {{"GET+SET", "client-rmw", "", {}, ""}}, 1, 0);
  std::vector<Record> records = {Rec("client-rmw", "builtin", {}, {{"lost_updates", 807923}}),
                                 Rec("client-rmw", "redis", {}, {{"lost_updates", 64594}}),
                                 Rec("incr", "redis", {}, {{"lost_updates", 0}})};
  ClaimEvaluation ev = EvaluateClaim(loses, "lesson", records);
  EXPECT_EQ(ev.outcome, ClaimOutcome::kConfirmed);
  ASSERT_EQ(ev.points.size(), 2u);
  EXPECT_EQ(ev.measured, "builtin: GET+SET 807,923; redis: GET+SET 64,594");

  records[1].correctness.figures["lost_updates"] = 0;
  EXPECT_EQ(EvaluateClaim(loses, "lesson", records).outcome, ClaimOutcome::kDepends);
  records[0].correctness.figures["lost_updates"] = 0;
  EXPECT_EQ(EvaluateClaim(loses, "lesson", records).outcome, ClaimOutcome::kContradicted);

  // Lower confirms ("never miscounts"): 0 confirmed, >= 1 contradicted.
  ClaimText atomic = Claim("value", "lost_updates", {{"INCR", "incr", "", {}, ""}}, 0, 1);
  EXPECT_EQ(EvaluateClaim(atomic, "lesson", records).outcome, ClaimOutcome::kConfirmed);
}

TEST(ClaimsTest, NotMeasuredWhenRecordsAreMissingFailedOrOfAnotherLesson) {
  ClaimText c = Claim("value", "lost_updates", {{"INCR", "incr", "", {}, ""}}, 0, 1);
  EXPECT_EQ(EvaluateClaim(c, "lesson", {}).outcome, ClaimOutcome::kNotMeasured);
  Record errored = Rec("incr", "redis", {}, {{"lost_updates", 0}});
  errored.error = "connection refused";
  Record other = Rec("incr", "redis", {}, {{"lost_updates", 0}});
  other.scenario = "other";
  Record no_figure = Rec("incr", "builtin", {}, {});
  ClaimEvaluation ev = EvaluateClaim(c, "lesson", {errored, other, no_figure});
  EXPECT_EQ(ev.outcome, ClaimOutcome::kNotMeasured);
  EXPECT_TRUE(ev.points.empty());
  EXPECT_EQ(ev.measured, "no record of this run measures it");
  // A ratio needs both sides.
  ClaimText ratio = Claim("ratio", "p50_us",
                          {{"SQL", "sql", "postgres", {}, ""}, {"INCR", "incr", "", {}, ""}}, 10, 2);
  EXPECT_EQ(EvaluateClaim(ratio, "lesson", {Rec("sql", "postgres", {}, {}, 275)}).outcome,
            ClaimOutcome::kNotMeasured);
}

TEST(ClaimsTest, RatioPairsAFixedTargetWithEachOtherTargetAndDependsWhenTheyDisagree) {
  ClaimText c = Claim("ratio", "p50_us",
                      {{"SQL", "sql", "postgres", {}, ""}, {"INCR", "incr", "", {}, ""}}, 10, 2);
  std::vector<Record> records = {Rec("sql", "postgres", {{"clients", 8}}, {}, 275),
                                 Rec("incr", "builtin", {{"clients", 8}}, {}, 0.39),
                                 Rec("incr", "redis", {{"clients", 8}}, {}, 137.5),
                                 Rec("incr", "redis", {{"clients", 1}}, {}, 20)};  // not paired
  ClaimEvaluation ev = EvaluateClaim(c, "lesson", records);
  ASSERT_EQ(ev.points.size(), 2u);
  EXPECT_EQ(ev.points[0].where, "postgres/builtin");
  EXPECT_EQ(ev.points[0].outcome, ClaimOutcome::kConfirmed);
  EXPECT_EQ(ev.points[1].text, "SQL 275 µs / INCR 138 µs = 2.00×");
  EXPECT_EQ(ev.points[1].outcome, ClaimOutcome::kContradicted);
  EXPECT_EQ(ev.outcome, ClaimOutcome::kDepends);
}

TEST(ClaimsTest, RatioJoinsAtEqualUnpinnedParamsAndIgnoresPinnedOnes) {
  // Pipeline: one-by-one vs batch=1000, both at rtt-ms=5; commands must match.
  ClaimText c = Claim("ratio", "job_s",
                      {{"one by one", "one-by-one", "", {{"rtt-ms", 5}}, ""},
                       {"pipelined", "pipeline", "", {{"rtt-ms", 5}, {"batch", 1000}}, ""}},
                      10, 2);
  std::vector<Record> records = {
      Rec("one-by-one", "redis", {{"rtt-ms", 5}, {"commands", 1000}}, {{"job_s", 5.3}}),
      Rec("one-by-one", "redis", {{"rtt-ms", 0}, {"commands", 1000}}, {{"job_s", 0.07}}),
      Rec("one-by-one", "redis", {{"rtt-ms", 5}, {"commands", 100}}, {{"job_s", 0.53}}),
      Rec("pipeline", "redis", {{"rtt-ms", 5}, {"batch", 1000}, {"commands", 1000}},
          {{"job_s", 0.0059}}),
      Rec("pipeline", "redis", {{"rtt-ms", 5}, {"batch", 10}, {"commands", 1000}},
          {{"job_s", 0.53}})};
  ClaimEvaluation ev = EvaluateClaim(c, "lesson", records);
  ASSERT_EQ(ev.points.size(), 1u);
  EXPECT_EQ(ev.points[0].text, "one by one 5.3 s / pipelined 5.9 ms = 898×");
  EXPECT_EQ(ev.outcome, ClaimOutcome::kConfirmed);
}

TEST(ClaimsTest, ChainShowsEveryStepAndVaryingParamsNameThePoint) {
  ClaimText c = Claim("chain", "hit_p50_us",
                      {{"PostgreSQL", "db-only", "postgres", {}, "read_p50_us"},
                       {"cache", "cache-aside", "", {}, ""},
                       {"native", "native", "", {}, ""}},
                      30, 3);
  std::vector<Record> records;
  for (double q : {0.0, 1.0}) {
    records.push_back(Rec("db-only", "postgres", {{"query", q}}, {{"read_p50_us", q ? 37000 : 210}}));
    records.push_back(Rec("cache-aside", "redis", {{"query", q}}, {{"hit_p50_us", 50}}));
    records.push_back(Rec("native", "redis", {{"query", q}}, {{"hit_p50_us", 20}}));
  }
  ClaimEvaluation ev = EvaluateClaim(c, "lesson", records);
  ASSERT_EQ(ev.points.size(), 2u);
  EXPECT_EQ(ev.points[0].where, "postgres/redis, query=0");
  EXPECT_EQ(ev.points[0].text, "PostgreSQL 210 µs → cache 50 µs → native 20 µs (10.5×)");
  EXPECT_EQ(ev.points[0].outcome, ClaimOutcome::kDepends);
  EXPECT_EQ(ev.points[1].outcome, ClaimOutcome::kConfirmed);
  EXPECT_EQ(ev.outcome, ClaimOutcome::kDepends);
}

TEST(ClaimsTest, AtLargestKeepsOnlyTheLargestParameterValuePerTarget) {
  ClaimText c = Claim("value", "memory_bytes", {{"PFADD", "hll", "", {}, ""}}, 16384, 65536);
  c.at_largest = "sizes";
  std::vector<Record> records = {
      Rec("hll", "redis", {{"sizes", 1000}}, {{"memory_bytes", 99999}}),
      Rec("hll", "redis", {{"sizes", 100000}}, {{"memory_bytes", 14392}}),
      Rec("hll", "builtin", {{"sizes", 1000}}, {{"memory_bytes", 3640}})};
  ClaimEvaluation ev = EvaluateClaim(c, "lesson", records);
  ASSERT_EQ(ev.points.size(), 2u);
  EXPECT_EQ(ev.outcome, ClaimOutcome::kConfirmed);
  EXPECT_EQ(ev.measured, "redis, sizes=100000: PFADD 14.1 KB; builtin, sizes=1000: PFADD 3.55 KB");
}

Results RunWithClaim() {
  Results run;
  run.label = "run";
  ScenarioText text;
  text.title = "Counters under concurrency";
  text.lesson = "The lesson.";
  text.claims = {Claim("value", "lost_updates", {{"GET+SET", "client-rmw", "", {}, ""}}, 1, 0)};
  run.scenario_info["lesson"] = text;
  run.records = {Rec("client-rmw", "redis", {}, {{"lost_updates", 12}}, 100)};
  run.records[0].throughput_ops_s = 1000;
  return run;
}

TEST(ClaimsTest, EvaluateClaimsNamesTheLessonAndTheMarkdownTableShowsTheOutcome) {
  std::vector<ClaimEvaluation> all = EvaluateClaims(RunWithClaim());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].lesson, "Counters under concurrency");
  std::string table = ClaimsMarkdownTable(all);
  EXPECT_NE(table.find("| Counters under concurrency | The article says so. | redis: GET+SET 12 | "
                       "✅ confirmed |"),
            std::string::npos)
      << table;
  EXPECT_EQ(ClaimsMarkdownTable({}), "");
}

// The reports open with the claims table: before the first lesson's section.
TEST(ClaimsTest, ReportsOpenWithTheClaimsTable) {
  std::vector<Results> runs = {RunWithClaim()};
  std::string md = WriteMarkdownReport(runs, "").markdown;
  size_t claims = md.find("## The article's claims, measured");
  size_t lesson = md.find("## Counters under concurrency");
  ASSERT_NE(claims, std::string::npos) << md;
  ASSERT_NE(lesson, std::string::npos);
  EXPECT_LT(claims, lesson);
  EXPECT_NE(md.find("✅ confirmed"), std::string::npos);

  std::string html = WriteHtmlReport(runs);
  size_t hclaims = html.find("id=\"claims\"");
  size_t hlesson = html.find("<h2>Counters under concurrency</h2>");
  ASSERT_NE(hclaims, std::string::npos);
  ASSERT_NE(hlesson, std::string::npos);
  EXPECT_LT(hclaims, hlesson);
  EXPECT_LT(hclaims, html.find("class=\"cards\""));
  EXPECT_NE(html.find("<span class=\"claim confirmed\">confirmed</span>"), std::string::npos);
}

}  // namespace
}  // namespace racetrack::reports
