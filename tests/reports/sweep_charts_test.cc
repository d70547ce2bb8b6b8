// Sweep charts and the report's durability and knee lines, from synthetic records: every point
// a chart draws is its record's own figure.
#include <gtest/gtest.h>

#include "reports/lesson_charts.h"
#include "reports/report_model.h"
#include "reports/sweep_charts.h"

namespace racetrack::reports {
namespace {

Record Counter(const std::string& approach, double clients, double tp, std::optional<double> retries) {
  Record r;
  r.scenario = "counters";
  r.approach = approach;
  r.target = "postgres";
  r.params = {{"clients", clients}, {"durability", 2}};
  r.throughput_ops_s = tp;
  if (retries) r.correctness.figures["retries"] = *retries;
  return r;
}

const ChartSpec* Find(const std::vector<ChartSpec>& charts, const std::string& id) {
  for (const ChartSpec& c : charts) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

TEST(SweepChartsTest, ThroughputAndRetriesAgainstClientsAreTheRecordsFigures) {
  Results run;
  run.label = "a";
  run.environment.durability = "strict";
  run.records = {Counter("sql-serializable", 8, 900, 120), Counter("sql-serializable", 1, 400, 0),
                 Counter("sql-serializable", 32, 700, 4000), Counter("sql-update-increment", 1, 500, {}),
                 Counter("sql-update-increment", 8, 1500, {}),
                 Counter("sql-update-increment", 32, 1600, {})};
  const auto charts = SweepCharts("counters", {run});
  const ChartSpec* tp = Find(charts, "sweep_clients_throughput");
  ASSERT_NE(tp, nullptr);
  ASSERT_EQ(tp->series.size(), 2u);
  EXPECT_EQ(tp->series[0].name, "sql-serializable on postgres durability=strict");
  ASSERT_EQ(tp->series[0].points.size(), 3u);
  EXPECT_EQ(tp->series[0].points[0].x, 1);  // sorted by clients
  EXPECT_EQ(tp->series[0].points[0].y, 400);
  EXPECT_EQ(tp->series[0].points[2].x, 32);
  EXPECT_EQ(tp->series[0].points[2].y, 700);
  const ChartSpec* retries = Find(charts, "sweep_clients_retries");
  ASSERT_NE(retries, nullptr);
  ASSERT_EQ(retries->series.size(), 1u);  // only the approach that has retries
  EXPECT_EQ(retries->series[0].points[1].y, 120);
  EXPECT_EQ(retries->series[0].points[2].y, 4000);
  // The lesson's charts include them; no sweep, no sweep chart.
  EXPECT_NE(Find(LessonCharts("counters", {run}), "sweep_clients_retries"), nullptr);
  run.records.resize(1);
  EXPECT_TRUE(SweepCharts("counters", {run}).empty());
}

TEST(SweepChartsTest, RateSweepChartsTheObjectiveAndStatesTheKnee) {
  Results run;
  run.label = "a";
  run.parameters.slo = "p99:1ms";
  for (auto [rate, achieved, p99] : {std::tuple{1000.0, 1000.0, 200.0}, {5000.0, 4990.0, 700.0},
                                     {20000.0, 12000.0, 90000.0}}) {
    Record r;
    r.scenario = "counters";
    r.approach = "incr";
    r.target = "redis";
    r.params = {{"clients", 8}, {"rate", rate}};
    r.ops = achieved;
    r.throughput_ops_s = achieved;
    r.latency_us.p99 = p99;
    run.records.push_back(r);
  }
  const auto charts = SweepCharts("counters", {run});
  const ChartSpec* c = Find(charts, "sweep_rate_latency");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->series.size(), 1u);
  ASSERT_EQ(c->series[0].points.size(), 3u);
  EXPECT_EQ(c->series[0].points[2].y, 90000);
  ASSERT_EQ(c->limits.size(), 1u);
  EXPECT_EQ(c->limits[0].y, 1000);
  EXPECT_NE(c->note.find("incr on redis (clients=8) 5000 ops/s"), std::string::npos) << c->note;
  EXPECT_EQ(KneeText("counters", {run}), c->note);
}

TEST(SweepChartsTest, DurabilityTextNamesTheModeOrSaysItWasNotRecorded) {
  Results a, b;
  a.label = "a";
  b.label = "b";
  EXPECT_EQ(DurabilityText({a}), "not recorded");
  a.environment.durability = "off,strict";
  EXPECT_EQ(DurabilityText({a}), "off, strict");
  b.environment.durability = "strict";
  EXPECT_EQ(DurabilityText({a, b}), "off, strict (a) · strict (b)");
}

}  // namespace
}  // namespace racetrack::reports
