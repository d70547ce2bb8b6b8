#include "bench/results.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace racetrack::bench {
namespace {

ResultDocument Sample() {
  ResultDocument d;
  d.created = "2026-11-27T12:00:00Z";
  d.racetrack_version = "0.1.0";
  d.environment.host = "box";
  d.environment.cores = 2;
  d.environment.loopback_rtt_us = 24.5;
  d.environment.servers = {{"redis", "7.0.15"}};
  d.parameters.command_line = "racetrack run counters";
  d.parameters.scenarios = {"counters"};
  d.parameters.targets = {"builtin", "redis"};
  d.parameters.ops = 1000;
  d.parameters.extra = {{"rtt_ms", 1.0}};
  d.targets = {{"builtin", true, "", "in-process"}, {"postgres", false, "initdb not found", ""}};
  d.skipped = {{"counters", "lua-script", "postgres", "postgres lacks EVAL"}};
  d.scenario_info["counters"] = {"Counters", "Which lose?", "RMW loses", "lesson text",
                                 {{"incr", "INCR", "atomic", true}}};
  Record r;
  r.scenario = "counters";
  r.approach = "incr";
  r.target = "builtin";
  r.params = {{"clients", 8}};
  for (int64_t v : {1000, 2000, 3000, 500000}) r.histogram.Record(v);
  r.repetitions = {{100, 1.0, 100.0, 3.0}, {300, 1.0, 300.0, 4.0}, {200, 1.0, 200.0, 5.0}};
  r.repetitions[1].cpu_us_per_op = 2.5;  // round-trips when present, omitted when not
  r.series["admitted"] = {1, 2, 3};
  r.timeseries.t_s = {0.1, 0.2};
  r.timeseries.ops = {10, 12};
  r.timeseries.p99_us = {3.0, 4.0};
  r.timeseries.figures["lost_updates"] = {0, 2};
  r.correctness.ok = false;
  r.correctness.expected_ok = false;
  r.correctness.figures = {{"expected", 600}, {"observed", 598}, {"lost_updates", 2}};
  r.correctness.note = "2 lost";
  r.error = "redis 127.0.0.1:1: server closed the connection";
  Summarize(&r);
  d.records.push_back(r);
  // Read back through named json values (a temporary's items() once dangled here).
  d.scenario_figures["counters"] = {{"growth_exponent", 1.0}};
  return d;
}

TEST(ResultsTest, SummarizeTakesMedianAndSpread) {
  const Record r = Sample().records[0];
  EXPECT_EQ(r.ops, 600u);
  EXPECT_DOUBLE_EQ(r.throughput_ops_s, 200.0);
  EXPECT_DOUBLE_EQ(r.tp_min, 100.0);
  EXPECT_DOUBLE_EQ(r.tp_max, 300.0);
  EXPECT_NEAR(r.tp_cv, 0.408, 0.001);
  EXPECT_NEAR(r.latency.p50, 2.0, 0.01);
  EXPECT_DOUBLE_EQ(r.latency.max, 500.0);
}

TEST(ResultsTest, JsonHasTheSchemaFields) {
  const auto j = ToJson(Sample());
  EXPECT_EQ(j["schema"], "racetrack.result/1");
  for (const char* key : {"created", "racetrack_version", "environment", "parameters", "targets",
                          "records", "skipped", "scenario_info"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_TRUE(j["parameters"]["rate"].is_null());
  EXPECT_EQ(j["parameters"]["ops"], 1000);
  const auto& rec = j["records"][0];
  for (const char* key : {"scenario", "approach", "target", "params", "ops", "errors",
                          "duration_s", "throughput_ops_s", "repetitions", "throughput_stats",
                          "latency_us", "histogram", "timeseries", "correctness", "figures"}) {
    EXPECT_TRUE(rec.contains(key)) << key;
  }
  for (const char* key : {"p50", "p90", "p99", "p999", "max", "mean"}) {
    EXPECT_TRUE(rec["latency_us"].contains(key)) << key;
  }
  EXPECT_EQ(rec["histogram"]["sub_bucket_bits"], kSubBucketBits);
  EXPECT_EQ(rec["correctness"]["lost_updates"], 2.0);
  EXPECT_EQ(rec["correctness"]["ok"], false);
  EXPECT_EQ(rec["correctness"]["expected_ok"], false);
  EXPECT_FALSE(j["targets"][1]["available"]);
  EXPECT_EQ(j["targets"][1]["reason"], "initdb not found");
}

TEST(ResultsTest, RoundTripThroughAFile) {
  const ResultDocument d = Sample();
  const std::string path =
      (std::filesystem::temp_directory_path() / "racetrack-results-test.json").string();
  ASSERT_TRUE(WriteResults(d, path).ok());
  auto back = ReadResults(path);
  std::remove(path.c_str());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(ToJson(*back), ToJson(d));
}

TEST(ResultsTest, ReaderRejectsWhatIsNotAResult) {
  EXPECT_FALSE(FromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(FromJson({{"schema", "racetrack.result/2"}}).ok());
  auto j = ToJson(Sample());
  j["records"][0].erase("target");
  EXPECT_FALSE(FromJson(j).ok());
  auto missing = ReadResults("/nonexistent/racetrack.json");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/racetrack.json"), std::string::npos);
}

TEST(ResultsTest, ReaderIsLenientAboutOptionalFields) {
  nlohmann::json j = {{"schema", "racetrack.result/1"},
                      {"records", {{{"scenario", "s"}, {"approach", "a"}, {"target", "t"}}}}};
  auto d = FromJson(j);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->records.size(), 1u);
  EXPECT_EQ(d->records[0].histogram.count(), 0u);
}

}  // namespace
}  // namespace racetrack::bench
