#include "reports/results.h"

#include <gtest/gtest.h>

#include "tests/reports/test_util.h"

namespace racetrack::reports {
namespace {

using testing::Fixture;
using testing::TempDir;
using testing::WriteFile;

TEST(ResultsTest, ReadsCountersFixture) {
  Result<Results> r = ReadResultsFile(Fixture("counters.json"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->label, "counters");
  EXPECT_EQ(r->schema, "racetrack.result/1");
  ASSERT_EQ(r->records.size(), 12u);
  ASSERT_EQ(r->targets.size(), 4u);
  EXPECT_FALSE(r->targets[3].available);
  EXPECT_EQ(r->targets[3].name, "postgres");
  EXPECT_NE(r->targets[3].reason.find("initdb"), std::string::npos);
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_EQ(r->scenario_info.at("counters").title, "Counters under concurrency");
  EXPECT_EQ(r->scenario_info.at("counters").approach_titles.at("atomic-incr"), "INCR");

  const Record& rmw = r->records[0];
  EXPECT_EQ(rmw.approach, "client-rmw");
  EXPECT_EQ(rmw.correct, false);
  EXPECT_EQ(rmw.expected_correct, false);
  EXPECT_FALSE(rmw.UnexpectedFailure());
  EXPECT_GT(*rmw.Figure("lost_updates"), 0);
  EXPECT_EQ(rmw.params["clients"], 8);
  EXPECT_EQ(rmw.ParamsLabel(), "clients=8");
  EXPECT_EQ(rmw.repetitions.size(), 3u);
  EXPECT_EQ(rmw.ThroughputSamples().size(), 3u);
  EXPECT_EQ(rmw.P99Samples().size(), 3u);
  EXPECT_DOUBLE_EQ(rmw.histogram.unit_us, 0.001);  // bench/ writes nanosecond counts
  EXPECT_FALSE(rmw.histogram.empty());
  EXPECT_EQ(rmw.timeseries.figures.at("lost_updates").size(), 5u);
  EXPECT_EQ(r->Scenarios(), std::vector<std::string>{"counters"});
}

TEST(ResultsTest, MissingOptionalFieldsAreEmptyNotErrors) {
  Result<Results> r = ParseResults(
      R"({"schema": "racetrack.result/1",
          "records": [{"scenario": "x", "approach": "a", "target": "t", "ops": null,
                       "latency_us": {"p50": "fast"}, "histogram": {"counts": "bad"},
                       "timeseries": 3, "correctness": []}]})",
      "min.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Record& rec = r->records[0];
  EXPECT_FALSE(rec.ops);
  EXPECT_FALSE(rec.throughput_ops_s);
  EXPECT_FALSE(rec.latency_us.p50);
  EXPECT_TRUE(rec.histogram.empty());
  EXPECT_TRUE(rec.timeseries.empty());
  EXPECT_FALSE(rec.correct);
  EXPECT_TRUE(rec.ThroughputSamples().empty());
  EXPECT_EQ(rec.ParamsLabel(), "");
}

// Each bad input: an error whose message is one line and says what is wrong.
struct BadInput {
  const char* file;
  const char* says;
};

void PrintTo(const BadInput& b, std::ostream* os) { *os << b.file; }  // stable test names

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, OneClearLine) {
  std::string path = Fixture(std::string("bad/") + GetParam().file);
  Result<Results> r = ReadResultsFile(path);
  ASSERT_FALSE(r.ok());
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find(GetParam().says), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_EQ(msg.rfind(path, 0), 0u) << "starts with the file name: " << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Files, BadInputTest,
    ::testing::Values(BadInput{"missing.json", "cannot read"},
                      BadInput{"not_json.json", "not JSON"},
                      BadInput{"other_schema.json", "is not a racetrack result"},
                      BadInput{"no_schema.json", "without a \"schema\""},
                      BadInput{"newer_version.json", "newer racetrack"},
                      BadInput{"empty_result.json", "empty result"}),
    [](const ::testing::TestParamInfo<BadInput>& info) {
      std::string name = info.param.file;
      return name.substr(0, name.find('.'));
    });

TEST(ResultsTest, EmptyFileAndDirectory) {
  TempDir dir;
  WriteFile(dir.File("empty.json"), "");
  Result<Results> r = ReadResultsFile(dir.File("empty.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("empty file"), std::string::npos);
  r = ReadResultsFile(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("directory"), std::string::npos);
}

TEST(ResultsTest, RecordWithoutIdentityIsRejected) {
  Result<Results> r = ParseResults(
      R"({"schema": "racetrack.result/1", "records": [{"scenario": "x", "target": "t"}]})", "f");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "f: record 0 has no \"approach\"");
}

TEST(ResultsTest, SeveralFilesGetUniqueLabels) {
  auto runs = ReadResultsFiles({Fixture("counters.json"), Fixture("counters.json")});
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)[0].label, "counters");
  EXPECT_EQ((*runs)[1].label, "counters (2)");
}

TEST(ResultsTest, ExpectedCorrectFromScenarioInfo) {
  Result<Results> r = ParseResults(
      R"({"schema": "racetrack.result/1",
          "scenario_info": {"s": {"approaches": [{"id": "bad", "expected_correct": false}]}},
          "records": [{"scenario": "s", "approach": "bad", "target": "t",
                       "correctness": {"ok": false}},
                      {"scenario": "s", "approach": "good", "target": "t",
                       "correctness": {"ok": false}}]})",
      "f");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->records[0].UnexpectedFailure());
  EXPECT_TRUE(r->records[1].UnexpectedFailure());
}

}  // namespace
}  // namespace racetrack::reports
