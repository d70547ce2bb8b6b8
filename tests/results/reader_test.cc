// The one reader: a saved version-1 file, the schema doc's example, and every way a file can be
// wrong, each a one-line error naming the file and the field.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "results/results.h"
#include "tests/test_paths.h"

namespace racetrack::results {
namespace {

std::string Source(const std::string& rel) { return test_paths::SourceDir() + "/" + rel; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The histogram's precision at `us`: one bucket width (at most 1/1024 of the value; 1 ns below
// 2048 ns, where every nanosecond has its own bucket).
double Precision(double us) { return std::max(0.001, us / 1024.0); }

// Percentiles recomputed from a stored histogram equal the stored summary, to its precision.
void ExpectPercentilesMatchHistogram(const Record& r) {
  SCOPED_TRACE(r.Key());
  ASSERT_FALSE(r.histogram.empty());
  Histogram h;
  ASSERT_TRUE(h.FromSparse(r.histogram));
  const std::pair<double, std::optional<double>> stored[] = {
      {0.50, r.latency_us.p50}, {0.90, r.latency_us.p90}, {0.99, r.latency_us.p99},
      {0.999, r.latency_us.p999}, {1.0, r.latency_us.max}};
  for (const auto& [q, value] : stored) {
    ASSERT_TRUE(value) << "q=" << q;
    EXPECT_NEAR(h.PercentileUs(q), *value, Precision(*value)) << "q=" << q;
  }
  ASSERT_TRUE(r.latency_us.mean);
  EXPECT_NEAR(h.MeanUs(), *r.latency_us.mean, Precision(*r.latency_us.max));
}

// A saved results file (under tests/results/fixtures), read by the reader and as plain JSON.
struct Saved {
  Results run;
  nlohmann::json raw;
};

// Fails (fatally) unless the reader accepts `fixture` as schema `version` with every record the
// file holds.
void ReadSaved(const std::string& fixture, int version, Saved* out) {
  const std::string path = Source("tests/results/fixtures/" + fixture);
  auto run = ReadResults(path);
  ASSERT_TRUE(run.ok()) << run.error().message();
  EXPECT_EQ(run->schema_version, version);
  out->raw = nlohmann::json::parse(Slurp(path));
  ASSERT_EQ(run->records.size(), out->raw["records"].size());
  out->run = std::move(*run);
}

// What every saved record shows: the verdict its correctness flags derive, and percentiles that
// match its histogram.
void ExpectVerdictAndPercentilesAsSaved(const Record& r, const nlohmann::json& j) {
  EXPECT_EQ(r.verdict(), DeriveVerdict(true, j["correctness"]["ok"].get<bool>(),
                                       j["correctness"]["expected_ok"].get<bool>()));
  ExpectPercentilesMatchHistogram(r);
}

// Written again by this build, `run` reads back to the same model (the current schema, the same
// text) with the same verdicts.
void ExpectReadsBackTheSame(const Results& run) {
  auto again = ParseResults(ToJsonText(run), "again");
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->schema_version, kSchemaVersion);
  EXPECT_EQ(ToJsonText(*again), ToJsonText(run));
  ASSERT_EQ(again->records.size(), run.records.size());
  for (size_t i = 0; i < run.records.size(); ++i) {
    EXPECT_EQ(again->records[i].verdict(), run.records[i].verdict()) << run.records[i].Key();
  }
}

// A file the harness wrote before the results library existed (main 9958ae7, bucket midpoints):
// it loads with the same verdicts and numbers, and its percentiles match its histograms.
TEST(ReaderTest, SavedVersion1FileLoadsWithTheSameVerdictsAndPercentiles) {
  Saved saved;
  ASSERT_NO_FATAL_FAILURE(ReadSaved("v1_run.json", 1, &saved));
  const Results& run = saved.run;
  const nlohmann::json& raw = saved.raw;
  EXPECT_EQ(run.Scenarios(), (std::vector<std::string>{"counters", "ratelimit", "leaderboard"}));
  int expected_failures = 0;
  for (size_t i = 0; i < run.records.size(); ++i) {
    const Record& r = run.records[i];
    const nlohmann::json& j = raw["records"][i];
    SCOPED_TRACE(r.Key());
    EXPECT_EQ(r.scenario, j["scenario"]);
    EXPECT_EQ(r.approach, j["approach"]);
    EXPECT_EQ(r.Correct(), j["correctness"]["ok"].get<bool>());
    EXPECT_EQ(r.ExpectedCorrect(), j["correctness"]["expected_ok"].get<bool>());
    ExpectVerdictAndPercentilesAsSaved(r, j);
    EXPECT_EQ(r.Unit(), "ops") << "version 1 had no unit";
    EXPECT_TRUE(r.timing_trusted) << r.timing_note;  // CV 0, thousands of ops
    EXPECT_FALSE(r.UnexpectedFailure()) << "the run had no unexpected failure";
    expected_failures += r.Correct() == false;
    EXPECT_EQ(r.ops, j["ops"].get<double>());
    EXPECT_EQ(r.throughput_ops_s, j["throughput_ops_s"].get<double>());
    EXPECT_EQ(r.repetitions.size(), j["repetitions"].size());
    EXPECT_EQ(r.timeseries.t_s.size(), j["timeseries"]["t_s"].size());
    for (const auto& [name, value] : j["correctness"].items()) {
      if (value.is_number()) {
        EXPECT_EQ(r.Figure(name), value.get<double>()) << name;
      }
    }
  }
  EXPECT_GT(expected_failures, 0) << "the fixture shows approaches going wrong on purpose";
  EXPECT_EQ(run.scenario_figures.at("leaderboard").size(), 3u);
  EXPECT_EQ(run.scenario_info.at("counters").title, raw["scenario_info"]["counters"]["title"]);
  EXPECT_FALSE(run.records[5].series.empty()) << "ratelimit's virtual-time series";
  // Written again by this build (as version 2), the file reads back to the same model, with the
  // same verdicts.
  ExpectReadsBackTheSame(run);
}

// The verdict table: checked x ok x expected_ok -> one of five values, and each checked value's
// JSON name reads back to it.
TEST(VerdictTest, DerivationTable) {
  struct Row {
    bool checked, ok, expected_ok;
    Verdict verdict;
    const char* id;
  };
  const Row table[] = {
      {true, true, true, Verdict::kCorrect, "correct"},
      {true, false, false, Verdict::kWrongExpected, "wrong-expected"},
      {true, false, true, Verdict::kWrongUnexpected, "wrong-unexpected"},
      {true, true, false, Verdict::kCorrectUnexpected, "correct-unexpected"},
      {false, false, true, Verdict::kUnchecked, ""},
      {false, true, false, Verdict::kUnchecked, ""},
  };
  for (const Row& row : table) {
    SCOPED_TRACE(row.id);
    EXPECT_EQ(DeriveVerdict(row.checked, row.ok, row.expected_ok), row.verdict);
    EXPECT_EQ(VerdictId(row.verdict), row.id);
    if (row.verdict != Verdict::kUnchecked) {
      EXPECT_EQ(VerdictFromId(row.id), row.verdict);
    }
  }
  EXPECT_FALSE(VerdictFromId(""));
  EXPECT_FALSE(VerdictFromId("ok"));
  // Four distinct marks, and a correct record with untrusted timing never shows the plain ✅.
  std::set<std::string_view> marks;
  for (const Row& row : table) marks.insert(VerdictMark(row.verdict));
  EXPECT_EQ(marks.size(), 5u);
  EXPECT_EQ(VerdictMark(Verdict::kCorrect, true), "✅");
  EXPECT_NE(VerdictMark(Verdict::kCorrect, false), "✅");
  EXPECT_EQ(VerdictMark(Verdict::kWrongExpected, false), VerdictMark(Verdict::kWrongExpected));
}

// A saved version-2 file (a real `racetrack run`; see fixtures/README.md): verdicts, units and
// timing flags as written, and the verdict agrees with correctness.ok/expected_ok on every record.
TEST(ReaderTest, SavedVersion2FileLoads) {
  Saved saved;
  ASSERT_NO_FATAL_FAILURE(ReadSaved("v2_run.json", 2, &saved));
  const Results& run = saved.run;
  const nlohmann::json& raw = saved.raw;
  std::set<Verdict> seen;
  int untrusted = 0;
  for (size_t i = 0; i < run.records.size(); ++i) {
    const Record& r = run.records[i];
    const nlohmann::json& j = raw["records"][i];
    SCOPED_TRACE(r.Key());
    ASSERT_TRUE(j.contains("verdict"));
    EXPECT_EQ(VerdictId(r.verdict()), j["verdict"].get<std::string>());
    ExpectVerdictAndPercentilesAsSaved(r, j);
    EXPECT_EQ(r.Unit(), j["unit"].get<std::string>());
    EXPECT_NE(r.Unit(), "ops") << "every lesson names its unit";
    EXPECT_EQ(r.timing_trusted, j["timing_trusted"].get<bool>());
    EXPECT_EQ(r.timing_trusted, r.timing_note.empty()) << "an untrusted timing says why";
    untrusted += !r.timing_trusted;
    seen.insert(r.verdict());
  }
  EXPECT_TRUE(seen.count(Verdict::kCorrect));
  EXPECT_TRUE(seen.count(Verdict::kWrongExpected));
  EXPECT_GT(untrusted, 0) << "the fixture holds a record whose timing is not trusted";
  // The approaches state their contracts.
  const ScenarioText& rl = run.scenario_info.at("ratelimit");
  ASSERT_NE(rl.Approach("token-bucket"), nullptr);
  EXPECT_FALSE(rl.Approach("token-bucket")->contract.empty());
  EXPECT_EQ(rl.unit, "decisions");
  ExpectReadsBackTheSame(run);
}

// Version 1 gets no timing flag from the file: the record's own CV and op count decide it.
TEST(ReaderTest, Version1TimingIsJudgedFromCvAndOps) {
  auto r = ParseResults(
      R"({"schema": "racetrack.result/1", "records": [
          {"scenario": "s", "approach": "noisy", "target": "t", "ops": 9000,
           "repetitions": [{"ops": 3000}, {"ops": 3000}, {"ops": 3000}],
           "throughput_stats": {"cv": 0.25}},
          {"scenario": "s", "approach": "one", "target": "t", "ops": 1},
          {"scenario": "s", "approach": "fine", "target": "t", "ops": 9000,
           "throughput_stats": {"cv": 0.02}}]})",
      "f");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->records[0].timing_trusted);
  EXPECT_NE(r->records[0].timing_note.find("25%"), std::string::npos) << r->records[0].timing_note;
  EXPECT_TRUE(r->records[0].throughput_stats.HighCv());
  EXPECT_FALSE(r->records[1].timing_trusted);
  EXPECT_NE(r->records[1].timing_note.find("only 1 timed op"), std::string::npos)
      << r->records[1].timing_note;
  EXPECT_TRUE(r->records[2].timing_trusted) << r->records[2].timing_note;
}

// Version 2: the verdict alone sets ok and expected_ok; the file's timing flag is kept as written.
TEST(ReaderTest, Version2VerdictAloneDecidesOkAndExpected) {
  auto r = ParseResults(
      R"({"schema": "racetrack.result/2", "records": [
          {"scenario": "s", "approach": "a", "target": "t", "verdict": "correct-unexpected",
           "unit": "decisions", "timing_trusted": false, "timing_note": "RTT 2.1 ms, asked 1 ms",
           "memory_method": "used_memory delta"}]})",
      "f");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Record& rec = r->records[0];
  EXPECT_EQ(rec.verdict(), Verdict::kCorrectUnexpected);
  EXPECT_EQ(rec.Correct(), true);
  EXPECT_FALSE(rec.ExpectedCorrect());
  EXPECT_EQ(rec.Unit(), "decisions");
  EXPECT_EQ(rec.UnitSingular(), "decision");
  EXPECT_EQ(ThroughputWithUnit(rec), "–");
  EXPECT_FALSE(rec.timing_trusted);
  EXPECT_EQ(rec.timing_note, "RTT 2.1 ms, asked 1 ms");
  EXPECT_EQ(rec.memory_method, "used_memory delta");
}

// Strips // comments outside strings (the doc's example is JSON with comments).
std::string StripComments(const std::string& text) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
      out += '\n';
    } else {
      in_string = c == '"';
      out += c;
    }
  }
  return out;
}

TEST(ReaderTest, SchemaDocExampleIsReadByTheReader) {
  const std::string doc = Slurp(Source("docs/results-schema.md"));
  const size_t start = doc.find("```jsonc\n");
  ASSERT_NE(start, std::string::npos);
  const size_t body = start + 9;
  const size_t end = doc.find("```", body);
  ASSERT_NE(end, std::string::npos);
  auto run = ParseResults(StripComments(doc.substr(body, end - body)), "docs/results-schema.md");
  ASSERT_TRUE(run.ok()) << run.error().message();
  ASSERT_EQ(run->records.size(), 1u);
  const Record& r = run->records[0];
  EXPECT_EQ(r.Key(), "counters/incr/redis/{clients=8}");
  EXPECT_EQ(r.Correct(), true);
  EXPECT_EQ(r.verdict(), Verdict::kCorrect);
  EXPECT_EQ(r.Unit(), "increments");
  EXPECT_TRUE(r.timing_trusted);
  EXPECT_FALSE(run->scenario_info.at("counters").approaches[0].contract.empty());
  EXPECT_EQ(r.histogram.total(), 100u);
  ExpectPercentilesMatchHistogram(r);  // the example's units agree: ns counts, us summary
  EXPECT_EQ(run->skipped.size(), 1u);
  EXPECT_FALSE(run->targets[1].available);
  EXPECT_EQ(run->scenario_info.at("counters").approaches.size(), 1u);
  EXPECT_FALSE(run->parameters.ops);
  EXPECT_EQ(run->scenario_figures.size(), 1u);
}

// Each bad input: one line, starting with the file name, saying what is wrong.
struct BadInput {
  const char* text;
  const char* says;
};

void PrintTo(const BadInput& b, std::ostream* os) { *os << b.says; }

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, OneClearLineNamingTheFileAndField) {
  auto r = ParseResults(GetParam().text, "f.json");
  ASSERT_FALSE(r.ok());
  const std::string& msg = r.error().message();
  EXPECT_NE(msg.find(GetParam().says), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_EQ(msg.rfind("f.json: ", 0), 0u) << msg;
}

#define RECORD(fields) \
  R"({"schema": "racetrack.result/1", "records": [{"scenario": "s", "approach": "a", )" \
  R"("target": "t", )" fields "}]}"

#define RECORD2(fields) \
  R"({"schema": "racetrack.result/2", "records": [{"scenario": "s", "approach": "a", )" \
  R"("target": "t", )" fields "}]}"

INSTANTIATE_TEST_SUITE_P(
    Texts, BadInputTest,
    ::testing::Values(
        BadInput{"", "empty file"}, BadInput{"{oops", "not JSON"},
        BadInput{"[1]", "JSON but not a racetrack result"},
        BadInput{R"({"records": []})", "without a \"schema\""},
        BadInput{R"({"schema": "acme/3"})", "is not a racetrack result"},
        BadInput{R"({"schema": "racetrack.result/0"})", "is not a racetrack result"},
        BadInput{R"({"schema": "racetrack.result/3"})", "written by a newer racetrack"},
        BadInput{R"({"schema": "racetrack.result/1", "records": [{"scenario": "x"}]})",
                 "records[0]: has no \"approach\""},
        BadInput{R"({"schema": "racetrack.result/1", "records": {}})",
                 "records: expected a list, got an object"},
        BadInput{RECORD(R"("latency_us": {"p50": "fast"})"),
                 "records[0].latency_us.p50: expected a number, got a string"},
        BadInput{RECORD(R"("ops": -3)"), "records[0].ops: expected a non-negative integer"},
        // A whole number too big for its field is refused, not converted (libFuzzer finding:
        // converting 1e+49 to an int is undefined behaviour).
        BadInput{R"({"schema": "racetrack.result/1", "parameters": {"clients": 1e49}})",
                 "parameters.clients: expected an integer of at most 2147483647, got"},
        BadInput{R"({"schema": "racetrack.result/1", "parameters": {"seed": 18446744073709551616}})",
                 "parameters.seed: expected an integer of at most 18446744073709551615"},
        BadInput{RECORD(R"("repetitions": [{"cpu_us_per_op": "slow"}])"),
                 "records[0].repetitions[0].cpu_us_per_op: expected a number"},
        BadInput{RECORD(R"("repetitions": [{"p50_us": true}])"),
                 "records[0].repetitions[0].p50_us: expected a number"},
        BadInput{RECORD(R"("params": {"N": "big"})"), "records[0].params.N: expected a number"},
        BadInput{RECORD(R"("correctness": {"ok": 1})"),
                 "records[0].correctness.ok: expected true or false, got a number"},
        BadInput{RECORD(R"("correctness": {"lost": "x"})"),
                 "records[0].correctness.lost: expected a number"},
        BadInput{RECORD(R"("timeseries": {"t_s": [0.1, "x"]})"),
                 "records[0].timeseries.t_s[1]: expected a number"},
        BadInput{RECORD(R"("histogram": {"sub_bucket_bits": 11, "lowest_us": 1, "counts": []})"),
                 "records[0].histogram.lowest_us: this build reads nanosecond counts"},
        BadInput{RECORD(R"("histogram": {"sub_bucket_bits": 7})"),
                 "records[0].histogram.sub_bucket_bits: this build reads 11"},
        BadInput{RECORD(R"("histogram": {"counts": [[1, -2]]})"),
                 "records[0].histogram.counts[0]: expected an [index, count] pair"},
        BadInput{RECORD(R"("histogram": {"counts": [[99999999, 1]]})"),
                 "records[0].histogram.counts[0]: index 99999999 is beyond"},
        BadInput{R"({"schema": "racetrack.result/1", "environment": {"cores": "two"}})",
                 "environment.cores: expected a number, got a string"},
        BadInput{R"({"schema": "racetrack.result/1", "targets": [{"available": true}]})",
                 "targets[0]: has no \"name\""},
        BadInput{RECORD2(R"("verdict": "fine")"),
                 "records[0].verdict: \"fine\" is not one of correct, wrong-expected"},
        BadInput{RECORD2(R"("verdict": "correct", "correctness": {"ok": false})"),
                 "records[0].verdict: \"correct\" disagrees with correctness.ok/expected_ok"},
        BadInput{RECORD2(R"("verdict": "wrong-expected", "correctness": {"expected_ok": true})"),
                 "records[0].verdict: \"wrong-expected\" disagrees"},
        BadInput{RECORD2(R"("timing_trusted": "no")"),
                 "records[0].timing_trusted: expected true or false, got a string"},
        BadInput{RECORD2(R"("unit": 3)"), "records[0].unit: expected a string, got a number"}));

TEST(ReaderTest, AbsentAndNullOptionalFieldsAreEmpty) {
  auto r = ParseResults(RECORD(R"("ops": null, "latency_us": {"p50": null}, "histogram": null)"),
                        "min.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Record& rec = r->records[0];
  EXPECT_FALSE(rec.ops);
  EXPECT_FALSE(rec.throughput_ops_s);
  EXPECT_FALSE(rec.latency_us.p50);
  EXPECT_TRUE(rec.histogram.empty());
  EXPECT_TRUE(rec.timeseries.empty());
  EXPECT_FALSE(rec.Correct());
  EXPECT_TRUE(rec.ExpectedCorrect());
  EXPECT_TRUE(rec.ThroughputSamples().empty());
  EXPECT_EQ(rec.ParamsLabel(), "");
}

TEST(ReaderTest, FilesDirectoriesAndLabels) {
  auto missing = ReadResults("/nonexistent/racetrack.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message().rfind("/nonexistent/racetrack.json: cannot read", 0), 0u);
  auto dir = ReadResults(Source("tests/results"));
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message().find("is a directory"), std::string::npos);
  const std::string fixture = Source("tests/results/fixtures/v1_run.json");
  auto runs = ReadResultsFiles({fixture, fixture});
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ((*runs)[0].label, "v1_run");
  EXPECT_EQ((*runs)[1].label, "v1_run (2)");
}

TEST(ReaderTest, ExpectedCorrectFromScenarioInfo) {
  auto r = ParseResults(
      R"({"schema": "racetrack.result/1",
          "scenario_info": {"s": {"approaches": [{"id": "bad", "expected_correct": false}]}},
          "records": [{"scenario": "s", "approach": "bad", "target": "t",
                       "correctness": {"ok": false}},
                      {"scenario": "s", "approach": "good", "target": "t",
                       "correctness": {"ok": false}}]})",
      "f");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->records[0].UnexpectedFailure());
  EXPECT_TRUE(r->records[1].UnexpectedFailure());
}

}  // namespace
}  // namespace racetrack::results
