// Golden tests of the report writers on the fixture results, and `racetrack report` end to end.
// Regenerate the goldens after an intended change with RACETRACK_UPDATE_GOLDENS=1 and review the
// diff.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bench/harness.h"
#include "reports/cli.h"
#include "reports/lesson_charts.h"
#include "reports/model.h"
#include "reports/report_model.h"
#include "reports/writers.h"
#include "tests/reports/test_util.h"

namespace racetrack::reports {
namespace {

using testing::CountOf;
using testing::Fixture;
using testing::ReadFile;
using testing::TempDir;
using testing::TestDir;
using testing::WriteFile;

const std::vector<std::string> kFixtures = {"counters.json", "leaderboard.json", "pipeline.json",
                                            "ratelimit.json"};

// The fixtures, with paths made machine-independent for the goldens.
std::vector<Results> LoadAll() {
  std::vector<std::string> paths;
  for (const std::string& f : kFixtures) paths.push_back(Fixture(f));
  auto runs = results::ReadResultsFiles(paths);
  EXPECT_TRUE(runs.ok()) << runs.error().message();
  for (Results& r : *runs) {
    r.path = "fixtures/" + r.label + ".json";
    bench::FillScenarioInfo(&r);  // as `racetrack report` does: lesson text from the registry
  }
  return std::move(*runs);
}

void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = TestDir() + "/golden/" + name;
  if (std::getenv("RACETRACK_UPDATE_GOLDENS") != nullptr) {
    WriteFile(path, actual);
    GTEST_SKIP() << "updated " << path;
  }
  EXPECT_EQ(ReadFile(path), actual) << "golden " << path
                                    << " differs (RACETRACK_UPDATE_GOLDENS=1 rewrites it)";
}

TEST(WritersTest, MarkdownGolden) { ExpectGolden("all.md", WriteMarkdownReport(LoadAll(), "").markdown); }

TEST(WritersTest, CsvGolden) { ExpectGolden("all.csv", WriteCsvReport(LoadAll())); }

TEST(WritersTest, CsvHasHeaderAndOneRowPerRecord) {
  std::vector<Results> runs = LoadAll();
  std::string csv = WriteCsvReport(runs);
  size_t records = 0;
  for (const Results& r : runs) records += r.records.size();
  EXPECT_EQ(CountOf(csv, "\n"), records + 1);
  EXPECT_EQ(csv.rfind("run,scenario,approach,target,params,", 0), 0u);
  EXPECT_NE(csv.find("correctness.lost_updates"), std::string::npos);
  EXPECT_NE(csv.find("param.rtt_ms"), std::string::npos);
  EXPECT_NE(csv.find("figure.model_s"), std::string::npos);
}

TEST(WritersTest, GabVariants) {
  std::vector<Results> runs = LoadAll();
  auto bigger = nlohmann::json::parse(WriteGabReport(runs, GabVariant::kBiggerIsBetter));
  auto smaller = nlohmann::json::parse(WriteGabReport(runs, GabVariant::kSmallerIsBetter));
  ASSERT_TRUE(bigger.is_array());
  ASSERT_FALSE(bigger.empty());
  for (const auto& e : bigger) {
    EXPECT_TRUE(e["name"].is_string());
    EXPECT_EQ(e["unit"], "ops/s");
    EXPECT_TRUE(e["value"].is_number());
  }
  EXPECT_EQ(bigger[0]["name"], "counters/client-rmw/builtin/clients=8 throughput");
  EXPECT_EQ(bigger[0]["extra"], "3 repetitions; CV 1.8%; verdict wrong-expected");
  bool lost = false, p99 = false;
  for (const auto& e : smaller) {
    lost = lost || e["unit"] == "updates";
    p99 = p99 || (e["unit"] == "us" && e["name"].get<std::string>().ends_with(" p99"));
  }
  EXPECT_TRUE(lost);
  EXPECT_TRUE(p99);
  ExpectGolden("counters-gab-smaller.json",
               WriteGabReport({runs[0]}, GabVariant::kSmallerIsBetter));
}

TEST(WritersTest, HtmlHasTablesAndOneSvgPerExpectedChart) {
  std::vector<Results> runs = LoadAll();
  std::string html = WriteHtmlReport(runs);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // One per scenario, and one claims table per run (+ the environment table).
  EXPECT_EQ(CountOf(html, "<table>"), 8u);
  EXPECT_EQ(CountOf(html, "id=\"claims"), 4u);
  EXPECT_EQ(CountOf(html, "<table class=\"env\">"), 1u);
  const std::vector<std::string> expected = {
      // counters: in-process vs network throughput differ > 4x, so one bar chart per target
      "counters-lost_updates", "counters-throughput_builtin", "counters-latency_cdf_builtin",
      "counters-throughput_builtin-tcp", "counters-latency_cdf_builtin-tcp",
      "counters-throughput_redis", "counters-latency_cdf_redis",
      "leaderboard-cost_vs_n", "leaderboard-throughput", "leaderboard-latency_cdf_postgres",
      "leaderboard-latency_cdf_redis",
      "pipeline-time_vs_batch",
      "ratelimit-ratelimit_timeline_redis", "ratelimit-throughput", "ratelimit-latency_cdf_redis"};
  for (const std::string& id : expected) {
    EXPECT_EQ(CountOf(html, " id=\"chart-" + id + "\">"), 1u) << id;
  }
  EXPECT_EQ(CountOf(html, "<svg "), expected.size());
  EXPECT_EQ(CountOf(html, "<figure "), expected.size());
  // Verdicts, lessons, environment and warnings.
  EXPECT_NE(html.find("❌ WRONG (unexpected)"), std::string::npos);  // sliding-counter's limit
  EXPECT_NE(html.find("✗ wrong, as expected"), std::string::npos);
  // watch-multi on builtin-tcp varies by 14% across repetitions: its timing is not trusted, so
  // it is ☑ with the reason, never a plain ✅.
  EXPECT_NE(html.find("☑ correct"), std::string::npos);
  EXPECT_NE(html.find("timing not trusted: throughput varies by 14% (CV)"), std::string::npos);
  EXPECT_NE(html.find("Target postgres was skipped [counters]: initdb not found"), std::string::npos);
  EXPECT_NE(html.find("noisy"), std::string::npos);
  EXPECT_NE(html.find("Counters under concurrency"), std::string::npos);     // from the JSON
  EXPECT_NE(html.find("Leaderboards: ORDER BY ... LIMIT vs a sorted set"), std::string::npos);  // built in
  EXPECT_NE(html.find("slope 0.9"), std::string::npos);  // the scan's fitted growth
  EXPECT_NE(html.find("x the limit"), std::string::npos);  // the boundary burst
  EXPECT_NE(html.find("racetrack run counters --json counters.json"), std::string::npos);
  // Self-contained: nothing fetched from elsewhere.
  for (const char* banned : {"<script", "<link", "src=\"http", "@import", "url(http", "@font-face"}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
  }
}

// A version-2 run: every table names its unit, untrusted timings carry ⚠ and never a plain ✅,
// and the limiters' contracts stand beside their verdicts.
TEST(WritersTest, Version2RunShowsUnitsUntrustedTimingAndContracts) {
  auto run = results::ReadResults(TestDir() + "/../results/fixtures/v2_run.json");
  ASSERT_TRUE(run.ok()) << run.error().message();
  const std::vector<Results> runs = {*run};
  const std::string md = WriteMarkdownReport(runs, "").markdown;
  for (const char* unit : {"throughput (increments/s)", "throughput (decisions/s)",
                           "throughput (jobs/s)"}) {
    EXPECT_NE(md.find(unit), std::string::npos) << unit;
  }
  EXPECT_EQ(md.find("ops/s"), std::string::npos);
  EXPECT_NE(md.find("timing not trusted: only 1 timed job"), std::string::npos);
  const auto tables = BuildTables(runs);  // kept: a range-for over a temporary's member dangles
  for (const TableRow& row : tables[2].rows) {  // pipeline
    if (!row.timing_trusted && row.verdict == Verdict::kCorrect) {
      EXPECT_EQ(row.VerdictCell(), "☑ correct");
    }
  }
  const std::string html = WriteHtmlReport(runs);
  EXPECT_NE(html.find("contract: never more than capacity + rate x t"), std::string::npos);
  EXPECT_NE(html.find("throughput (decisions/s)"), std::string::npos);
  const std::string csv = WriteCsvReport(runs);
  EXPECT_NE(csv.find(",unit,verdict,timing_trusted,timing_note,"), std::string::npos);
  EXPECT_NE(csv.find("decisions,correct,true"), std::string::npos);
}

TEST(WritersTest, SideBySideRuns) {
  auto runs = results::ReadResultsFiles({Fixture("counters.json"), Fixture("counters.json")});
  ASSERT_TRUE(runs.ok());
  std::string md = WriteMarkdownReport(*runs, "").markdown;
  EXPECT_NE(md.find("| run | approach | target |"), std::string::npos);
  EXPECT_NE(md.find("| counters (2) | client-rmw | builtin |"), std::string::npos);
  EXPECT_NE(md.find("| | counters | counters (2) |"), std::string::npos);  // environment columns
  std::string html = WriteHtmlReport(*runs);
  EXPECT_NE(html.find("client-rmw · counters (2)"), std::string::npos);  // chart series per run
}

TEST(WritersTest, MinimalRecordsRenderEverywhere) {
  auto r = results::ParseResults(
      R"({"schema": "racetrack.result/1",
          "records": [{"scenario": "leaderboard", "approach": "a", "target": "t"},
                      {"scenario": "pipeline", "approach": "a", "target": "t", "params": {"batch": 2}},
                      {"scenario": "ratelimit", "approach": "a", "target": "t",
                       "timeseries": {"t_s": [0.1], "figures": {"admitted": [5]}}},
                      {"scenario": "mystery", "approach": "a", "target": "t",
                       "throughput_ops_s": 5, "correctness": {"ok": false}}]})",
      "min.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  std::vector<Results> runs = {*r};
  std::string html = WriteHtmlReport(runs);
  EXPECT_NE(html.find("Scenario mystery"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_FALSE(WriteMarkdownReport(runs, "c-").markdown.empty());
  EXPECT_FALSE(WriteCsvReport(runs).empty());
  EXPECT_FALSE(WriteGabReport(runs, GabVariant::kSmallerIsBetter).empty());
}

// ---- racetrack report, end to end -------------------------------------------------------------

int Report(ReportOptions o, std::string* out = nullptr, std::string* err = nullptr) {
  std::ostringstream o_out, o_err;
  int code = RunReportCommand(o, o_out, o_err);
  if (out) *out = o_out.str();
  if (err) *err = o_err.str();
  return code;
}

TEST(ReportCommandTest, HtmlToFileAndMarkdownWithChartsToDirectory) {
  TempDir dir;
  ReportOptions o;
  o.inputs = {Fixture("counters.json"), Fixture("ratelimit.json")};
  o.output = dir.File("r.html");
  ASSERT_EQ(Report(o), 0);
  EXPECT_NE(ReadFile(dir.File("r.html")).find("<svg "), std::string::npos);

  o.format = "md";
  o.output = dir.File("md") + "/";
  ASSERT_EQ(Report(o), 0);
  std::string md = ReadFile(dir.File("md/report.md"));
  EXPECT_NE(md.find("](report-counters-lost_updates.svg)"), std::string::npos);
  EXPECT_EQ(ReadFile(dir.File("md/report-counters-lost_updates.svg")).rfind("<svg", 0), 0u);
  EXPECT_TRUE(std::filesystem::exists(dir.File("md/report-ratelimit-ratelimit_timeline_redis.svg")));

  o.format = "gab";
  o.output = dir.File("md");
  ASSERT_EQ(Report(o), 0);
  EXPECT_TRUE(nlohmann::json::parse(ReadFile(dir.File("md/benchmark-bigger.json"))).is_array());
  EXPECT_TRUE(nlohmann::json::parse(ReadFile(dir.File("md/benchmark-smaller.json"))).is_array());
}

TEST(ReportCommandTest, CsvToStdout) {
  ReportOptions o;
  o.inputs = {Fixture("pipeline.json")};
  o.format = "csv";
  std::string out;
  ASSERT_EQ(Report(o, &out), 0);
  EXPECT_EQ(CountOf(out, "\n"), 13u);
}

TEST(ReportCommandTest, BadInputNeverReplacesAGoodReport) {
  TempDir dir;
  ReportOptions o;
  o.inputs = {Fixture("counters.json")};
  o.output = dir.File("report.html");
  ASSERT_EQ(Report(o), 0);
  const std::string good = ReadFile(o.output);
  for (const char* bad : {"bad/missing.json", "bad/not_json.json", "bad/other_schema.json",
                          "bad/newer_version.json", "bad/empty_result.json"}) {
    o.inputs = {Fixture("counters.json"), Fixture(bad)};
    std::string err;
    EXPECT_EQ(Report(o, nullptr, &err), 2) << bad;
    EXPECT_EQ(CountOf(err, "\n"), 1u) << err;
    EXPECT_EQ(err.rfind("racetrack report: ", 0), 0u) << err;
    EXPECT_EQ(ReadFile(o.output), good) << bad;
  }
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) entries += !e.is_directory();
  EXPECT_EQ(entries, 1u) << "no temporary files left behind";
}

TEST(ReportCommandTest, UsageErrors) {
  std::string err;
  ReportOptions o;
  EXPECT_EQ(Report(o, nullptr, &err), 2);
  EXPECT_NE(err.find("no results file"), std::string::npos);
  o.inputs = {Fixture("counters.json")};
  o.format = "pdf";
  EXPECT_EQ(Report(o, nullptr, &err), 2);
  EXPECT_NE(err.find("unknown format"), std::string::npos);
  o.format = "html";
  o.output = "/nonexistent-dir-for-racetrack/r.html";
  EXPECT_EQ(Report(o, nullptr, &err), 2);
  EXPECT_NE(err.find("does not exist"), std::string::npos);
  EXPECT_EQ(CountOf(err, "\n"), 1u);
}

}  // namespace
}  // namespace racetrack::reports
