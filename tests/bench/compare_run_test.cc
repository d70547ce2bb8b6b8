// `racetrack compare-run`: the interleaving schedule and the merge of one-repetition rounds
// (pure functions), and the command end to end on the in-process target — an A/A run writes
// both sides' files with every round merged, and the calibration hook's known slowdown of one
// record on the NEW side is caught as a regression with exit 1.
#include "bench/compare_run.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/compare.h"
#include "tests/bench/shell.h"
#include "tests/test_paths.h"

namespace racetrack::bench {
namespace {

namespace fs = std::filesystem;

TEST(InterleaveScheduleTest, EveryRoundRunsBothSidesOnceInARandomOrder) {
  const auto steps = InterleaveSchedule(3, 9, 7);
  ASSERT_EQ(steps.size(), 3u * 9 * 2);
  std::set<std::tuple<size_t, int, bool>> seen;
  int new_first = 0;
  for (size_t i = 0; i < steps.size(); i += 2) {
    // The two sides of one round are adjacent: drift between them is seconds, not minutes.
    EXPECT_EQ(steps[i].selection, steps[i + 1].selection);
    EXPECT_EQ(steps[i].round, steps[i + 1].round);
    EXPECT_NE(steps[i].is_new, steps[i + 1].is_new);
    new_first += steps[i].is_new;
  }
  for (const auto& s : steps) seen.insert({s.selection, s.round, s.is_new});
  EXPECT_EQ(seen.size(), steps.size());
  EXPECT_GT(new_first, 0);   // both orders occur (27 coin flips)
  EXPECT_LT(new_first, 27);
  // Deterministic for a seed, different for another.
  const auto again = InterleaveSchedule(3, 9, 7);
  const auto other = InterleaveSchedule(3, 9, 8);
  bool same = true, differs = false;
  for (size_t i = 0; i < steps.size(); ++i) {
    same = same && steps[i].is_new == again[i].is_new;
    differs = differs || steps[i].is_new != other[i].is_new;
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);
}

using results::Record;
using results::Results;

Results Round(double tput, double cpu, bool ok, int64_t latency_ns) {
  Results d;
  d.parameters.scenarios = {"counters"};
  d.parameters.repetitions = 1;
  d.targets.push_back({"builtin", true, "", "in-process"});
  Record r;
  r.scenario = "counters";
  r.approach = "incr";
  r.target = "builtin";
  r.params["clients"] = 8;
  r.errors = 1;
  r.repetitions.push_back({1000, 1000 / tput, tput, 10, cpu});
  results::Histogram h;
  h.Record(latency_ns);
  r.correctness.checked = true;
  r.correctness.ok = ok;
  if (!ok) r.correctness.note = "lost updates";
  r.figures["cpu_us_per_op"] = cpu;
  results::Summarize(&r, h);
  d.records.push_back(r);
  return d;
}

TEST(MergeRoundsTest, RepetitionsOfEveryRoundPerRecord) {
  std::vector<Results> rounds = {Round(100, 3, true, 1000), Round(300, 1, true, 2000),
                                 Round(200, 2, false, 3000)};
  Record other;
  other.scenario = "counters";
  other.approach = "lua";
  other.target = "builtin";
  other.repetitions.push_back({10, 1, 10, 5, std::nullopt});
  rounds[1].records.push_back(other);
  const Results m = MergeRounds(rounds);
  ASSERT_EQ(m.records.size(), 2u);
  const Record& r = m.records[0];
  ASSERT_EQ(r.repetitions.size(), 3u);
  EXPECT_DOUBLE_EQ(*r.repetitions[1].throughput_ops_s, 300);  // round order kept
  EXPECT_DOUBLE_EQ(*r.throughput_ops_s, 200);                 // median recomputed
  EXPECT_DOUBLE_EQ(r.figures.at("cpu_us_per_op"), 2);         // median of the rounds
  EXPECT_EQ(r.histogram.total(), 3u);                         // histograms merged
  EXPECT_TRUE(r.correctness.checked);
  EXPECT_FALSE(r.correctness.ok);  // one failed round fails the record
  EXPECT_EQ(r.correctness.note, "lost updates");
  // ... and the record says how many of its checks failed, for compare's flip rule.
  EXPECT_DOUBLE_EQ(r.correctness.figures.at(reports::kChecksFigure), 3);
  EXPECT_DOUBLE_EQ(r.correctness.figures.at(reports::kFailedChecksFigure), 1);
  EXPECT_EQ(m.records[1].correctness.figures.count(reports::kChecksFigure), 0u);  // unchecked
  // Merging merged documents adds their counts.
  const Results twice = MergeRounds({m, m});
  EXPECT_DOUBLE_EQ(twice.records[0].correctness.figures.at(reports::kChecksFigure), 6);
  EXPECT_DOUBLE_EQ(twice.records[0].correctness.figures.at(reports::kFailedChecksFigure), 2);
  EXPECT_DOUBLE_EQ(*r.ops, 3000);
  EXPECT_DOUBLE_EQ(*r.errors, 3);  // summed over the rounds
  EXPECT_EQ(m.records[1].repetitions.size(), 1u);  // seen in one round only
  // The rounds each record came from, for compare's pairing of round r of both sides.
  EXPECT_DOUBLE_EQ(r.figures.at(reports::kRoundsFigure), 3);
  EXPECT_DOUBLE_EQ(m.records[1].figures.at(reports::kRoundsFigure), 1);
  EXPECT_EQ(m.parameters.repetitions, 3);
  EXPECT_EQ(m.targets.size(), 1u);
  EXPECT_TRUE(MergeRounds({}).records.empty());
}

// ---- end to end ----------------------------------------------------------------------------

using testing::Outcome;
Outcome Sh(const std::string& cmd) { return testing::Shell(cmd); }

class CompareRunCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("racetrack-compare-run-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Bin() const { return test_paths::BinDir() + "/racetrack"; }
  // A short, in-process-only compare-run; `extra` goes after the fixed flags. No second stage
  // (--extra-rounds 0): whether an A/A record is undecided depends on the machine's noise.
  Outcome Run(const std::string& base, const std::string& next, const std::string& extra) {
    return Sh(Bin() + " compare-run --base " + base + " --new " + next +
              " counters -t builtin -r 5 --extra-rounds 0 -q --run-arg=--approach=incr "
              "--run-arg=--duration=0.05 "
              "--run-arg=--warmup=0.02 --run-arg=--clients=2 --out " + (dir_ / "out").string() +
              " " + extra);
  }
  // The only record of each side's merged results (out/base.json, then out/new.json); fails the
  // test for a side that does not hold exactly one, and leaves that side out.
  std::vector<nlohmann::json> OnlyRecords() const {
    std::vector<nlohmann::json> out;
    for (const char* side : {"base.json", "new.json"}) {
      std::ifstream in(dir_ / "out" / side);
      const auto j = nlohmann::json::parse(in);
      EXPECT_EQ(j["records"].size(), 1u) << side;
      if (j["records"].size() == 1) out.push_back(j["records"][0]);
    }
    return out;
  }
  fs::path dir_;
};

TEST_F(CompareRunCliTest, BadInputsExitTwoWithOneLine) {
  Outcome o = Sh(Bin() + " compare-run --new " + Bin() + " counters");
  EXPECT_EQ(o.code, 2) << o.output;
  EXPECT_NE(o.output.find("--base"), std::string::npos) << o.output;
  o = Sh(Bin() + " compare-run --base /nonexistent/racetrack --new " + Bin() + " counters");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.output.find("not an executable: /nonexistent/racetrack"), std::string::npos)
      << o.output;
  o = Sh(Bin() + " compare-run --base " + Bin() + " --new " + Bin());
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.output.find("--suite ci"), std::string::npos) << o.output;
  o = Sh(Bin() + " compare-run --base " + Bin() + " --new " + Bin() + " counters -t nope");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.output.find("builtin-tcp"), std::string::npos) << o.output;
  o = Sh(Bin() + " compare-run --base " + Bin() + " --new " + Bin() + " counters --per-round 0");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.output.find("--per-round"), std::string::npos) << o.output;
  EXPECT_EQ(Sh(Bin() + " compare-run --help").code, 0);
}

TEST_F(CompareRunCliTest, PerRoundRepetitionsMultiplyTheSamples) {
  // 2 rounds x 3 repetitions per harness run: 6 repetitions per side, each with its median
  // latency (p50_us) for the p50 verdict.
  Outcome o = Sh(Bin() + " compare-run --base " + Bin() + " --new " + Bin() +
                 " counters -t builtin -r 2 --per-round 3 --extra-rounds 0 -q "
                 "--run-arg=--approach=incr "
                 "--run-arg=--duration=0.05 --run-arg=--warmup=0.02 --run-arg=--clients=2 --out " +
                 (dir_ / "out").string());
  ASSERT_TRUE(o.code == 0 || o.code == 1) << o.output;
  for (const nlohmann::json& r : OnlyRecords()) {
    ASSERT_EQ(r["repetitions"].size(), 6u);
    EXPECT_GT(r["repetitions"][5]["p50_us"].get<double>(), 0);
  }
}

// The second stage's rounds (--extra-rounds) are files R.. of the same selection and are merged
// after the first R, on both sides. Deterministic here through --merge-only: the two rounds of a
// first run, copied as rounds 2 and 3, are read as its second stage.
TEST_F(CompareRunCliTest, ExtraRoundsAreMergedAfterTheFirstRounds) {
  const std::string out = (dir_ / "out").string();
  const std::string common = Bin() + " compare-run --base " + Bin() + " --new " + Bin() +
                             " counters -t builtin -r 2 -q --run-arg=--approach=incr "
                             "--run-arg=--duration=0.05 --run-arg=--warmup=0.02 --out " + out;
  Outcome o = Sh(common + " --extra-rounds 0");
  ASSERT_TRUE(o.code == 0 || o.code == 1) << o.output;
  for (const char* side : {"base", "new"}) {
    for (int r : {0, 1}) {
      const fs::path from = dir_ / "out" / "rounds" /
                            (std::string(side) + "-0-" + std::to_string(r) + ".json");
      fs::copy_file(from, dir_ / "out" / "rounds" /
                              (std::string(side) + "-0-" + std::to_string(r + 2) + ".json"));
    }
  }
  o = Sh(common + " --extra-rounds 2 --merge-only");
  ASSERT_TRUE(o.code == 0 || o.code == 1) << o.output;
  for (const nlohmann::json& r : OnlyRecords()) {
    EXPECT_EQ(r["repetitions"].size(), 4u);
    EXPECT_DOUBLE_EQ(r["figures"][reports::kRoundsFigure].get<double>(), 4);
  }
  EXPECT_EQ(Sh(common + " --extra-rounds -2").code, 2);
}

TEST_F(CompareRunCliTest, SameBuildWritesBothSidesWithEveryRound) {
  Outcome o = Run(Bin(), Bin(), "");
  // The verdict of an A/A run is the calibration script's business (it depends on the machine's
  // noise); here: the run completed and compared, and both files hold all 5 rounds.
  ASSERT_TRUE(o.code == 0 || o.code == 1) << o.output;
  EXPECT_NE(o.output.find("racetrack compare:"), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("sequential runs carry"), std::string::npos) << o.output;
  for (const char* side : {"base.json", "new.json"}) {
    std::ifstream in(dir_ / "out" / side);
    const auto j = nlohmann::json::parse(in);
    ASSERT_EQ(j["records"].size(), 1u) << side;
    EXPECT_EQ(j["records"][0]["repetitions"].size(), 5u) << side;
    EXPECT_EQ(j["records"][0]["approach"], "incr");
    EXPECT_GT(j["records"][0]["figures"]["cpu_us_per_op"].get<double>(), 0) << side;
  }
  std::ifstream c(dir_ / "out" / "comparison.json");
  const auto cj = nlohmann::json::parse(c);
  EXPECT_TRUE(cj["interleaved"].get<bool>());
  EXPECT_TRUE(fs::exists(dir_ / "out" / "comparison.md"));
}

TEST_F(CompareRunCliTest, InjectedSlowdownOnNewSideIsARegression) {
  // The calibration hook makes every incr on builtin take 5x as long on the NEW side only: far
  // beyond any noise threshold, so the verdict cannot depend on how busy the machine is.
  const fs::path wrapper = dir_ / "slow-racetrack";
  {
    std::ofstream w(wrapper);
    w << "#!/bin/sh\nRACETRACK_CALIBRATION_SLOWDOWN=counters/incr/builtin:4 exec " << Bin()
      << " \"$@\"\n";
  }
  fs::permissions(wrapper, fs::perms::owner_all);
  Outcome o = Run(Bin(), wrapper.string(), "");
  EXPECT_EQ(o.code, 1) << o.output;
  EXPECT_NE(o.output.find("REGRESSION"), std::string::npos) << o.output;
  std::ifstream in(dir_ / "out" / "new.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_DOUBLE_EQ(j["records"][0]["figures"]["calibration_slowdown"].get<double>(), 4);
  // The spin is fixed from the warm-up's median latency (harness.h), recorded beside F.
  EXPECT_GT(j["records"][0]["figures"]["calibration_spin_us"].get<double>(), 0);
}

TEST_F(CompareRunCliTest, WithoutWarmUpTheHooksSpinComesFromTheFirstOperations) {
  // --warmup 0 (as when a loaded machine's warm-up completes no operation): D is taken from the
  // first timed operations instead, and recorded.
  const fs::path json = dir_ / "nowarm.json";
  Outcome o = Sh("RACETRACK_CALIBRATION_SLOWDOWN=counters/incr/builtin:0.25 " + Bin() +
                 " run counters -t builtin --approach=incr --warmup=0 --duration=0.05 "
                 "--clients=1 -r 1 --quiet --json " + json.string());
  ASSERT_TRUE(o.code == 0 || o.code == 1) << o.output;
  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in);
  ASSERT_TRUE(j["records"][0]["figures"].contains("calibration_spin_us")) << j.dump();
  EXPECT_GT(j["records"][0]["figures"]["calibration_spin_us"].get<double>(), 0);
}

}  // namespace
}  // namespace racetrack::bench
