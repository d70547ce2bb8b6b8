// `racetrack compare`: matching, the regression rule, exit codes and bad inputs.
#include "reports/compare.h"

#include <gtest/gtest.h>

#include <sstream>

#include <CLI/CLI.hpp>

#include "reports/cli.h"
#include "tests/reports/test_util.h"

namespace racetrack::reports {
namespace {

using nlohmann::json;
using testing::CountOf;
using testing::Fixture;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// A results document with one counters record per approach, `reps` repetitions of throughput
// `tput` (with +-1% deterministic spread) and p99 `p99`.
json Doc(double tput, int reps, bool ok = true, std::vector<std::string> approaches = {"incr"},
         double p99 = 200) {
  json records = json::array();
  for (const std::string& a : approaches) {
    json rs = json::array();
    for (int i = 0; i < reps; ++i) {
      double f = 1 + 0.01 * ((i % 5) - 2) / 2.0;
      rs.push_back({{"ops", 1000}, {"duration_s", 1.0}, {"throughput_ops_s", tput * f},
                    {"p99_us", p99 * (2 - f)}});
    }
    records.push_back({{"scenario", "counters"}, {"approach", a}, {"target", "redis"},
                       {"params", {{"clients", 8}}}, {"throughput_ops_s", tput},
                       {"repetitions", rs}, {"latency_us", {{"p50", 100}, {"p99", p99}}},
                       {"correctness", {{"ok", ok}, {"lost_updates", ok ? 0 : 12}}}});
  }
  return {{"schema", "racetrack.result/1"}, {"records", records}};
}

struct CompareRun {
  int code;
  std::string out, err;
};

CompareRun Compare(const TempDir& dir, const json& base, const json& next, CompareOptions o = {}) {
  WriteFile(dir.File("base.json"), base.dump());
  WriteFile(dir.File("new.json"), next.dump());
  o.base = dir.File("base.json");
  o.next = dir.File("new.json");
  std::ostringstream out, err;
  int code = RunCompareCommand(o, out, err);
  return {code, out.str(), err.str()};
}

// Records merged from compare-run's rounds (figure kRoundsFigure on both sides) are judged paired:
// the best repetition per side and a bootstrap over rounds, and the JSON says over how many.
// Here time/op gates (no per-repetition p50): 12 rounds of 1, NEW 30% slower in every round.
TEST(CompareTest, MergedRoundsAreJudgedPaired) {
  TempDir dir;
  json base = Doc(10000, 12), next = Doc(7000, 12);
  base["records"][0]["figures"][kRoundsFigure] = 12;
  next["records"][0]["figures"][kRoundsFigure] = 12;
  CompareOptions o;
  o.json_out = dir.File("c.json");
  CompareRun r = Compare(dir, base, next, o);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("paired bootstrap"), std::string::npos) << r.out;
  const json c = json::parse(ReadFile(dir.File("c.json")));
  EXPECT_EQ(c["records"][0]["metrics"][0]["paired_rounds"], 12);
  // Different round counts: cannot pair, judged unpaired (U test).
  next["records"][0]["figures"][kRoundsFigure] = 6;
  r = Compare(dir, base, next, o);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_EQ(r.out.find("paired bootstrap"), std::string::npos) << r.out;
  EXPECT_TRUE(json::parse(ReadFile(dir.File("c.json")))["records"][0]["metrics"][0]["paired_rounds"]
                  .is_null());
}

TEST(CompareTest, IdenticalInputsPass) {
  std::ostringstream out, err;
  CompareOptions o;
  o.base = o.next = Fixture("counters.json");
  EXPECT_EQ(RunCompareCommand(o, out, err), 0) << out.str() << err.str();
  EXPECT_NE(out.str().find("0 regression(s), 0 correctness flip(s) -> exit 0"), std::string::npos);
  EXPECT_TRUE(err.str().empty());
}

TEST(CompareTest, ThirtyPercentDropWithTenRepetitionsFails) {
  TempDir dir;
  CompareRun r = Compare(dir, Doc(10000, 10), Doc(7000, 10));
  EXPECT_EQ(r.code, 1) << r.out;
  // Judged as time per op: 1/7000 vs 1/10000 s = x1.43.
  EXPECT_NE(r.out.find("+42.9%"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x1.43"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("REGRESSION"), std::string::npos);
  EXPECT_EQ(r.out.find("(weak)"), std::string::npos) << "10 repetitions make the test strong";
}

TEST(CompareTest, SmallChangeIsNotARegressionEvenIfSignificant) {
  TempDir dir;
  CompareRun r = Compare(dir, Doc(10000, 10), Doc(9500, 10));  // -5%: significant, under 10%
  EXPECT_EQ(r.code, 0) << r.out;
  CompareOptions strict;
  strict.threshold_pct = 3;
  EXPECT_EQ(Compare(dir, Doc(10000, 10), Doc(9500, 10), strict).code, 1);
}

TEST(CompareTest, FewRepetitionsUseTheThresholdAndSaySo) {
  TempDir dir;
  CompareRun r = Compare(dir, Doc(10000, 3), Doc(7000, 3));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("(weak)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("the test is weak there"), std::string::npos) << r.out;
  EXPECT_EQ(Compare(dir, Doc(10000, 1), Doc(9500, 1)).code, 0);
}

TEST(CompareTest, P99IsReportedNotGated) {
  // p99 x1.5 with time per op unchanged: shown beyond its threshold, but one metric per record
  // gates (time/op here, p50 where recorded), so the comparison passes.
  TempDir dir;
  CompareOptions o;
  o.json_out = dir.File("c.json");
  CompareRun r = Compare(dir, Doc(10000, 10, true, {"incr"}, 200),
                         Doc(10000, 10, true, {"incr"}, 300), o);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("beyond (not gated)"), std::string::npos) << r.out;
  const json m = json::parse(ReadFile(o.json_out))["records"][0]["metrics"];
  ASSERT_EQ(m.size(), 2u);
  EXPECT_TRUE(m[0]["gates"].get<bool>());   // time/op
  EXPECT_FALSE(m[1]["gates"].get<bool>());  // p99
  EXPECT_EQ(m[1]["outcome"], "not gated");
  EXPECT_FALSE(m[1]["regression"].get<bool>());
}

TEST(CompareTest, ImprovementPasses) {
  TempDir dir;
  CompareRun r = Compare(dir, Doc(10000, 10), Doc(13000, 10));
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("improved"), std::string::npos);
}

TEST(CompareTest, CorrectnessFlipFails) {
  TempDir dir;
  CompareRun r = Compare(dir, Doc(10000, 10, true), Doc(10000, 10, false));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("FAILS in new"), std::string::npos) << r.out;
  // An approach the lesson expects to go wrong may flip without failing CI.
  json next = Doc(10000, 10, false);
  next["records"][0]["correctness"]["expected_ok"] = false;
  EXPECT_EQ(Compare(dir, Doc(10000, 10, true), next).code, 0);
}

// A merged record (compare-run) whose check ran `runs` times and failed `failed` times.
json Checked(int runs, int failed) {
  json d = Doc(10000, 10, failed == 0);
  d["records"][0]["correctness"][kChecksFigure] = runs;
  d["records"][0]["correctness"][kFailedChecksFigure] = failed;
  return d;
}

TEST(CompareTest, MergedRunsFlipOnlyWhenEveryNewCheckFails) {
  TempDir dir;
  // A/A on a loaded machine: one of three runs failed on one side — no flip, either way.
  EXPECT_EQ(Compare(dir, Checked(3, 0), Checked(3, 1)).code, 0);
  EXPECT_EQ(Compare(dir, Checked(3, 1), Checked(3, 2)).code, 0);
  // A change that breaks the check breaks it in every run.
  CompareRun r = Compare(dir, Checked(3, 0), Checked(3, 3));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("passed in base (3/3 runs), FAILS in new (3/3 runs)"), std::string::npos)
      << r.out;
  EXPECT_EQ(Compare(dir, Checked(3, 1), Checked(3, 3)).code, 1);  // base passed in most
  EXPECT_EQ(Compare(dir, Checked(4, 2), Checked(4, 4)).code, 0);  // base failed half: no flip
  // The other way round is "fixed", never a failure.
  r = Compare(dir, Checked(3, 3), Checked(3, 0));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("failed in base (3/3 runs), passes in new"), std::string::npos) << r.out;
}

TEST(CompareTest, RecordsOnOneSideAreListedNotFatal) {
  TempDir dir;
  CompareRun r = Compare(dir, Doc(10000, 5, true, {"incr", "lua"}), Doc(10000, 5, true, {"incr", "multi"}));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("only in base (not compared): counters/lua/redis clients=8"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("only in new (not compared): counters/multi/redis clients=8"),
            std::string::npos);
}

TEST(CompareTest, JsonAndMarkdownOutputs) {
  TempDir dir;
  CompareOptions o;
  o.json_out = dir.File("c.json");
  o.markdown_out = dir.File("c.md");
  CompareRun r = Compare(dir, Doc(10000, 10), Doc(7000, 10), o);
  ASSERT_EQ(r.code, 1);
  json j = json::parse(ReadFile(o.json_out));
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["regressions"], 1);
  EXPECT_EQ(j["records"][0]["metrics"][0]["metric"], "time/op");
  EXPECT_EQ(j["records"][0]["metrics"][0]["unit"], "us/op");
  EXPECT_NEAR(j["records"][0]["metrics"][0]["base"].get<double>(), 100, 0.5);  // 1e6 / 10000
  EXPECT_NEAR(j["records"][0]["metrics"][0]["change"].get<double>(), 10.0 / 7 - 1, 0.01);
  EXPECT_TRUE(j["records"][0]["metrics"][0]["regression"].get<bool>());
  EXPECT_LT(j["records"][0]["metrics"][0]["p_value"].get<double>(), 0.001);
  std::string md = ReadFile(o.markdown_out);
  EXPECT_NE(md.find("❌ **1 regression(s), 0 correctness flip(s)**"), std::string::npos) << md;
  EXPECT_NE(md.find("| counters/incr/redis clients=8 | time/op |"), std::string::npos) << md;
}

TEST(CompareTest, BadInputsExitTwoWithOneLine) {
  for (const char* bad : {"bad/missing.json", "bad/not_json.json", "bad/other_schema.json",
                          "bad/newer_version.json", "bad/empty_result.json", "bad/no_schema.json"}) {
    for (bool bad_is_base : {true, false}) {
      CompareOptions o;
      o.base = bad_is_base ? Fixture(bad) : Fixture("counters.json");
      o.next = bad_is_base ? Fixture("counters.json") : Fixture(bad);
      std::ostringstream out, err;
      EXPECT_EQ(RunCompareCommand(o, out, err), 2) << bad;
      EXPECT_EQ(CountOf(err.str(), "\n"), 1u) << err.str();
      EXPECT_NE(err.str().find(bad), std::string::npos) << err.str();
      EXPECT_TRUE(out.str().empty());
    }
  }
}

// A record whose repetitions carry cpu_us_per_op (as bench/ writes it).
json CpuDoc(double cpu, double tput = 10000) {
  json d = Doc(tput, 10);
  json& reps = d["records"][0]["repetitions"];
  for (size_t i = 0; i < reps.size(); ++i) {
    reps[i]["cpu_us_per_op"] = cpu * (1 + 0.005 * ((i % 5) - 2.0));
  }
  d["records"][0]["figures"] = {{"cpu_us_per_op", cpu}};
  return d;
}

TEST(CompareTest, CpuMetricGatesOnCpuPerOperation) {
  TempDir dir;
  CompareOptions cpu;
  cpu.metric = "cpu";
  // Throughput unchanged, CPU per op +30%: only --metric cpu sees it.
  CompareRun r = Compare(dir, CpuDoc(10), CpuDoc(13), cpu);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("metric cpu"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("REGRESSION"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("time/op  "), std::string::npos) << r.out;
  EXPECT_EQ(Compare(dir, CpuDoc(10), CpuDoc(13)).code, 0);  // wall: nothing changed
  // Throughput -30% with CPU unchanged (a busy neighbour): the CPU gate stays green.
  EXPECT_EQ(Compare(dir, CpuDoc(10, 10000), CpuDoc(10, 7000), cpu).code, 0);
  // Records without the figure are n/a, never a regression.
  EXPECT_EQ(Compare(dir, Doc(10000, 10), Doc(5000, 10), cpu).code, 0);
  CompareOptions bad;
  bad.metric = "energy";
  EXPECT_EQ(Compare(dir, CpuDoc(10), CpuDoc(13), bad).code, 2);
}

TEST(CompareTest, ThroughputDropBeyondOneHundredPercentThresholdIsCaught) {
  // Base repetitions spread so widely that the noise threshold is above 100%: as a relative
  // change of throughput no drop could ever cross it; as time per op a 10x slowdown does.
  json base = Doc(10000, 9), next = Doc(2000, 9);
  const double spread[] = {0.3, 0.5, 0.6, 0.8, 1.0, 1.3, 1.8, 2.2, 2.5};
  for (int i = 0; i < 9; ++i) {
    base["records"][0]["repetitions"][i]["throughput_ops_s"] = 10000 * spread[i];
    next["records"][0]["repetitions"][i]["throughput_ops_s"] = 1000 + 10 * i;
  }
  TempDir dir;
  CompareOptions o;
  o.json_out = dir.File("c.json");
  CompareRun r = Compare(dir, base, next, o);
  EXPECT_EQ(r.code, 1) << r.out;
  const json m = json::parse(ReadFile(o.json_out))["records"][0]["metrics"][0];
  EXPECT_GT(m["threshold"].get<double>(), 1.0) << r.out;
  EXPECT_EQ(m["outcome"], "regression") << r.out;
}

TEST(CompareTest, MedianLatencyIsJudgedWhereRecordedPerRepetition) {
  // Throughput unchanged, every repetition's median latency x1.3: a p50 regression. Without
  // per-repetition p50 on both sides there is no p50 row at all.
  auto with_p50 = [](double p50) {
    json d = Doc(10000, 10);
    json& reps = d["records"][0]["repetitions"];
    for (size_t i = 0; i < reps.size(); ++i) reps[i]["p50_us"] = p50 * (1 + 0.002 * i);
    return d;
  };
  TempDir dir;
  CompareOptions o;
  o.json_out = dir.File("c.json");
  CompareRun r = Compare(dir, with_p50(100), with_p50(130), o);
  EXPECT_EQ(r.code, 1) << r.out;
  const json metrics = json::parse(ReadFile(o.json_out))["records"][0]["metrics"];
  ASSERT_EQ(metrics.size(), 3u);
  EXPECT_EQ(metrics[1]["metric"], "p50");
  EXPECT_EQ(metrics[1]["outcome"], "regression");
  EXPECT_EQ(metrics[0]["outcome"], "within noise");
  r = Compare(dir, Doc(10000, 10), with_p50(130), o);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(json::parse(ReadFile(o.json_out))["records"][0]["metrics"].size(), 2u);
}

TEST(CompareTest, SequentialRunsSayTheyCarryDrift) {
  TempDir dir;
  CompareRun r = Compare(dir, Doc(10000, 10), Doc(10000, 10));
  EXPECT_NE(r.out.find("sequential runs carry"), std::string::npos) << r.out;
  CompareOptions interleaved;
  interleaved.interleaved = true;
  interleaved.markdown_out = dir.File("c.md");
  r = Compare(dir, Doc(10000, 10), Doc(10000, 10), interleaved);
  EXPECT_EQ(r.out.find("sequential runs carry"), std::string::npos) << r.out;
  EXPECT_EQ(ReadFile(interleaved.markdown_out).find("sequential runs carry"), std::string::npos);
}

TEST(CompareTest, VerdictsSayWhyAndShowTheirThreshold) {
  TempDir dir;
  CompareOptions o;
  o.json_out = dir.File("c.json");
  CompareRun r = Compare(dir, Doc(10000, 10), Doc(7000, 10), o);
  ASSERT_EQ(r.code, 1);
  const json m = json::parse(ReadFile(o.json_out))["records"][0]["metrics"][0];
  EXPECT_DOUBLE_EQ(m["threshold"].get<double>(), 0.10);
  EXPECT_EQ(m["threshold_source"], "floor");
  EXPECT_EQ(m["outcome"], "regression");
  EXPECT_LT(m["p_adjusted"].get<double>(), 0.05);
  EXPECT_NE(m["reason"].get<std::string>().find("Holm"), std::string::npos);
  EXPECT_NE(r.out.find("x1.43 (+42.9%) above [x0.909, x1.10] = threshold 10.0% (floor)"),
            std::string::npos)
      << r.out;
}

TEST(CompareTest, AaSpreadRaisesTheRecordsThreshold) {
  TempDir dir;
  // An A/A comparison in which this record's time per op moved x1.67 (throughput -40%): a 30%
  // drop (x1.43) is within its noise.
  CompareOptions aa_run;
  aa_run.json_out = dir.File("aa.json");
  Compare(dir, Doc(10000, 10), Doc(6000, 10), aa_run);
  CompareOptions o;
  o.aa_files = {dir.File("aa.json")};
  CompareRun r = Compare(dir, Doc(10000, 10), Doc(7000, 10), o);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("(A/A spread)"), std::string::npos) << r.out;
  o.aa_files = {dir.File("missing-aa.json")};
  r = Compare(dir, Doc(10000, 10), Doc(7000, 10), o);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("missing-aa.json"), std::string::npos) << r.err;
}

TEST(CompareTest, UsageErrorsExitTwo) {
  std::ostringstream out, err;
  CompareOptions o;
  EXPECT_EQ(RunCompareCommand(o, out, err), 2);
  o.base = o.next = Fixture("counters.json");
  o.alpha = 2;
  EXPECT_EQ(RunCompareCommand(o, out, err), 2);
  o.alpha = 0.05;
  o.threshold_pct = -1;
  EXPECT_EQ(RunCompareCommand(o, out, err), 2);
  o.threshold_pct = 10;
  o.json_out = "/nonexistent-dir-for-racetrack/c.json";
  EXPECT_EQ(RunCompareCommand(o, out, err), 2);
}

}  // namespace
}  // namespace racetrack::reports

namespace racetrack::reports {
namespace {

// The wiring the `racetrack` main uses: AddReportCommands, parse, Parsed(), Run().
TEST(ReportCommandsTest, ParsesAndRunsCompare) {
  CLI::App app{"t"};
  ReportCommands rc = AddReportCommands(app);
  std::string base = testing::Fixture("counters.json");
  std::vector<const char*> argv = {"racetrack", "compare", base.c_str(), base.c_str(),
                                   "--threshold", "5", "--alpha", "0.01"};
  app.parse(static_cast<int>(argv.size()), argv.data());
  ASSERT_TRUE(rc.Parsed());
  EXPECT_TRUE(rc.compare->parsed());
  EXPECT_EQ(rc.compare_options->threshold_pct, 5);
  EXPECT_EQ(rc.compare_options->alpha, 0.01);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(rc.Run(), 0);
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("exit 0"), std::string::npos);
}

TEST(ReportCommandsTest, ReportOptionsAndBadFormatIsAParseError) {
  CLI::App app{"t"};
  ReportCommands rc = AddReportCommands(app);
  std::vector<const char*> argv = {"racetrack", "report", "a.json", "b.json", "-o", "out/",
                                   "--format", "md"};
  app.parse(static_cast<int>(argv.size()), argv.data());
  EXPECT_TRUE(rc.report->parsed());
  EXPECT_EQ(rc.report_options->inputs, (std::vector<std::string>{"a.json", "b.json"}));
  EXPECT_EQ(rc.report_options->output, "out/");
  EXPECT_EQ(rc.report_options->format, "md");

  CLI::App app2{"t"};
  { ReportCommands dropped = AddReportCommands(app2); }  // options outlive the returned handle
  std::vector<const char*> bad = {"racetrack", "report", "a.json", "--format", "pdf"};
  EXPECT_THROW(app2.parse(static_cast<int>(bad.size()), bad.data()), CLI::ParseError);
}

}  // namespace
}  // namespace racetrack::reports
