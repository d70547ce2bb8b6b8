// The writer and Summarize: what the harness stores, and that the reader gives it back unchanged.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "results/results.h"

namespace racetrack::results {
namespace {

Results Sample() {
  Results d;
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
                                 {{"incr", "INCR", "atomic", true, "never loses one", ""}},
                                 {},
                                 "increments"};
  d.scenario_figures["counters"] = {{"growth", 0.5}};
  Record r;
  r.scenario = "counters";
  r.approach = "incr";
  r.target = "builtin";
  r.params = {{"clients", 8}};
  Histogram h;
  for (int64_t v : {1000, 2000, 3000, 500000}) h.Record(v);
  r.repetitions = {{100, 1.0, 100.0, 3.0}, {300, 1.0, 300.0, 4.0}, {200, 1.0, 200.0, 5.0}};
  r.repetitions[1].cpu_us_per_op = 2.5;  // round-trips when present, omitted when not
  r.repetitions[2].p50_us = 1.5;          // likewise
  r.series["admitted"] = {1, 2, 3};
  r.timeseries.t_s = {0.1, 0.2};
  r.timeseries.ops = {10, 12};
  r.timeseries.p99_us = {3.0, 4.0};
  r.timeseries.figures["lost_updates"] = {0, 2};
  r.correctness.checked = true;
  r.correctness.ok = false;
  r.correctness.expected_ok = false;
  r.correctness.figures = {{"expected", 600}, {"observed", 598}, {"lost_updates", 2}};
  r.correctness.note = "2 lost";
  r.error = "redis 127.0.0.1:1: server closed the connection";
  r.unit = "increments";
  r.memory_method = "used_memory delta after the run, at rest, over 1 key";
  Summarize(&r, h);
  AssessTiming(&r);  // CV 41% over 3 repetitions
  d.records.push_back(r);
  // Read back through named json values (a temporary's items() once dangled here).
  d.scenario_figures["counters"] = {{"growth_exponent", 1.0}};
  return d;
}

TEST(WriterTest, SummarizeTakesMedianAndSpread) {
  const Record r = Sample().records[0];
  EXPECT_EQ(r.ops, 600);
  EXPECT_EQ(r.throughput_ops_s, 200.0);
  EXPECT_EQ(r.throughput_stats.min, 100.0);
  EXPECT_EQ(r.throughput_stats.max, 300.0);
  EXPECT_NEAR(*r.throughput_stats.cv, 0.408, 0.001);
  EXPECT_NEAR(*r.latency_us.p50, 2.0, 0.01);
  EXPECT_EQ(r.latency_us.max, 500.0);
  EXPECT_EQ(r.histogram.total(), 4u);
}

TEST(WriterTest, AssessTimingFlagsNoiseAndKeepsTheScenariosDoubt) {
  Record r = Sample().records[0];
  EXPECT_FALSE(r.timing_trusted);
  EXPECT_NE(r.timing_note.find("41%"), std::string::npos) << r.timing_note;
  EXPECT_NE(r.timing_note.find("10% noise limit"), std::string::npos) << r.timing_note;
  // A doubt the scenario stated first (pipeline's RTT) stays; assessing twice adds nothing.
  Record p;
  p.ops = 1;
  p.unit = "jobs";
  p.timing_trusted = false;
  p.timing_note = "effective RTT 1.4 ms is outside the tolerance of the asked 1 ms";
  AssessTiming(&p);
  AssessTiming(&p);
  EXPECT_EQ(p.timing_note,
            "effective RTT 1.4 ms is outside the tolerance of the asked 1 ms; only 1 timed job: "
            "one sample decides the figure");
  Record fine;
  fine.ops = 1000;
  fine.throughput_ops_s = 1234.6;
  fine.unit = "decisions";
  AssessTiming(&fine);
  EXPECT_TRUE(fine.timing_trusted);
  EXPECT_EQ(ThroughputWithUnit(fine), "1,235 decisions/s");
}

TEST(WriterTest, JsonHasTheSchemaFields) {
  const auto j = nlohmann::json::parse(ToJsonText(Sample()));
  EXPECT_EQ(j["schema"], "racetrack.result/2");
  for (const char* key : {"created", "racetrack_version", "environment", "parameters", "targets",
                          "records", "skipped", "scenario_info", "scenario_figures"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_TRUE(j["parameters"]["rate"].is_null());
  EXPECT_EQ(j["parameters"]["ops"], 1000);
  const auto& rec = j["records"][0];
  for (const char* key : {"scenario", "approach", "target", "params", "ops", "errors",
                          "duration_s", "throughput_ops_s", "repetitions", "throughput_stats",
                          "latency_us", "histogram", "timeseries", "correctness", "figures",
                          "series", "error", "unit", "verdict", "timing_trusted",
                          "timing_note", "memory_method"}) {
    EXPECT_TRUE(rec.contains(key)) << key;
  }
  for (const char* key : {"p50", "p90", "p99", "p999", "max", "mean"}) {
    EXPECT_TRUE(rec["latency_us"].contains(key)) << key;
  }
  EXPECT_TRUE(rec["ops"].is_number_unsigned()) << "counts are integers";
  EXPECT_EQ(rec["histogram"]["sub_bucket_bits"], kSubBucketBits);
  EXPECT_EQ(rec["histogram"]["lowest_us"], 0.001);
  EXPECT_EQ(rec["correctness"]["lost_updates"], 2.0);
  EXPECT_EQ(rec["correctness"]["ok"], false);
  EXPECT_EQ(rec["correctness"]["expected_ok"], false);
  EXPECT_EQ(rec["correctness"]["note"], "2 lost");
  EXPECT_EQ(rec["verdict"], "wrong-expected");
  EXPECT_EQ(rec["unit"], "increments");
  EXPECT_EQ(rec["timing_trusted"], false);
  EXPECT_EQ(rec["throughput_stats"]["cv_above_limit"], true);
  EXPECT_EQ(j["scenario_info"]["counters"]["unit"], "increments");
  EXPECT_EQ(j["scenario_info"]["counters"]["approaches"][0]["contract"], "never loses one");
  EXPECT_FALSE(j["targets"][1]["available"]);
  EXPECT_EQ(j["targets"][1]["reason"], "initdb not found");
}

TEST(WriterTest, RoundTripThroughAFileIsExact) {
  const Results d = Sample();
  const std::string path =
      (std::filesystem::temp_directory_path() / "racetrack-results-writer-test.json").string();
  ASSERT_TRUE(WriteResults(d, path).ok());
  auto back = ReadResults(path);
  std::remove(path.c_str());
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->label, "racetrack-results-writer-test");
  EXPECT_EQ(ToJsonText(*back), ToJsonText(d));
  EXPECT_EQ(back->records[0].correctness.note, "2 lost");
  EXPECT_EQ(back->records[0].series.at("admitted").size(), 3u);
  EXPECT_EQ(back->records[0].histogram.counts, d.records[0].histogram.counts);
}

// Claims are an optional field of scenario_info (any schema version): written when present,
// read back unchanged, absent from files that have none.
TEST(WriterTest, ClaimsRoundTripAndStayOptional) {
  Results d = Sample();
  EXPECT_EQ(ToJsonText(d).find("\"claims\""), std::string::npos);
  ClaimText claim;
  claim.id = "counters.ceremony";
  claim.article = "PostgreSQL's ceremony vs INCR";
  claim.kind = "ratio";
  claim.figure = "p50_us";
  claim.subjects = {{"SQL", "sql-update-increment", "postgres", {{"clients", 8}}, ""},
                    {"INCR", "incr", "", {}, "read_p50_us"}};
  claim.confirm_at = 10;
  claim.contradict_at = 2;
  claim.at_largest = "sizes";
  claim.rule = "≥ 10× confirmed";
  d.scenario_info["counters"].claims = {claim};
  auto back = ParseResults(ToJsonText(d), "mem");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(ToJsonText(*back), ToJsonText(d));
  const ClaimText& c = back->scenario_info.at("counters").claims.at(0);
  EXPECT_EQ(c.kind, "ratio");
  EXPECT_EQ(c.subjects.at(0).params.at("clients"), 8);
  EXPECT_EQ(c.subjects.at(1).figure, "read_p50_us");
  EXPECT_EQ(c.at_largest, "sizes");

  nlohmann::json bad = nlohmann::json::parse(ToJsonText(d));
  bad["scenario_info"]["counters"]["claims"][0]["kind"] = "vibes";
  auto rejected = ParseResults(bad.dump(), "run.json");
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().message(),
            "run.json: scenario_info.counters.claims[0].kind: expected \"value\", \"ratio\" or "
            "\"chain\", got \"vibes\"");
}

TEST(WriterTest, ShardRoundTripsAndStaysOptional) {
  Results d = Sample();
  EXPECT_EQ(ToJsonText(d).find("\"shard\""), std::string::npos);  // not a shard: no field
  d.parameters.shard_index = 2;
  d.parameters.shard_count = 3;
  d.parameters.start_at = 1764660000.5;
  auto back = ParseResults(ToJsonText(d), "part-2.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->parameters.shard_index, 2);
  EXPECT_EQ(back->parameters.shard_count, 3);
  EXPECT_EQ(back->parameters.start_at, 1764660000.5);
  EXPECT_EQ(ToJsonText(*back), ToJsonText(d));
}

TEST(WriterTest, OptionalRepetitionFiguresAreWrittenOnlyWhereKnownAndReadBack) {
  // cpu_us_per_op (repetition 1) and p50_us (repetition 2): omitted, not null, where unknown.
  const Results d = Sample();
  const auto j = nlohmann::json::parse(ToJsonText(d));
  const auto& reps = j["records"][0]["repetitions"];
  EXPECT_FALSE(reps[0].contains("cpu_us_per_op"));
  EXPECT_FALSE(reps[0].contains("p50_us"));
  EXPECT_EQ(reps[1]["cpu_us_per_op"], 2.5);
  EXPECT_EQ(reps[2]["p50_us"], 1.5);
  auto back = ParseResults(ToJsonText(d), "reps.json");
  ASSERT_TRUE(back.ok()) << back.error().message();
  const Record& r = back->records[0];
  EXPECT_FALSE(r.repetitions[0].cpu_us_per_op);
  EXPECT_FALSE(r.repetitions[0].p50_us);
  EXPECT_EQ(r.repetitions[1].cpu_us_per_op, 2.5);
  EXPECT_EQ(r.repetitions[2].p50_us, 1.5);
  EXPECT_EQ(r.CpuSamples(), std::vector<double>{2.5});
  EXPECT_EQ(r.P50Samples(), std::vector<double>{1.5});
}

TEST(WriterTest, UnwritablePathIsOneLineNamingIt) {
  auto w = WriteResults(Sample(), "/nonexistent/dir/out.json");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message().find("/nonexistent/dir/out.json"), std::string::npos);
  EXPECT_EQ(w.error().message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace racetrack::results
