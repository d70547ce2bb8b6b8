// `racetrack figures`: sections are rewritten from results files and nothing else is touched;
// --check passes on the committed README and docs/results and fails on a tampered copy.
#include "reports/figures.h"

#include <gtest/gtest.h>

#include <sstream>

#include "bench/harness.h"
#include "reports/cli.h"
#include "tests/reports/test_util.h"

namespace racetrack::reports {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::string Root() { return testing::TestDir() + "/../.."; }

Results SampleRun() {
  Results run;
  run.path = "docs/results/demo.json";
  run.created = "2026-12-02T04:44:00Z";
  run.environment.host = "vm";
  run.environment.cores = 2;
  run.parameters.command_line = "/x/bin/racetrack run counters --json /tmp/out.json";
  for (const char* target : {"builtin", "redis"}) {
    Record r;
    r.scenario = "counters";
    r.approach = "incr";
    r.target = target;
    r.throughput_ops_s = 50000;
    r.latency_us.p50 = 100;
    r.correctness.checked = true;
    r.correctness.ok = true;
    r.correctness.figures["lost_updates"] = 0;
    run.records.push_back(r);
  }
  return run;
}

TEST(FiguresTest, RewritesOnlyTheMarkedSectionsAndKeepsTheMarkers) {
  const std::string readme =
      "# Title\n\nprose stays\n\n<!-- figures:counters cells=throughput,lost_updates begin -->\n"
      "| typed | by hand |\n<!-- figures:counters end -->\n\nmore prose\n";
  auto out = RenderFigures(readme, {SampleRun()});
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(out->names, std::vector<std::string>{"counters"});
  EXPECT_EQ(out->text.find("typed"), std::string::npos);
  EXPECT_NE(out->text.find("# Title\n\nprose stays\n\n<!-- figures:counters cells=throughput,"
                           "lost_updates begin -->\n_Measured 2026-12-02 on host vm (2 cores)"),
            std::string::npos)
      << out->text;
  EXPECT_NE(out->text.find("`racetrack run counters` → `demo.json`"), std::string::npos);
  EXPECT_NE(out->text.find("| approach | builtin | redis |\n|---|---|---|\n| `incr` | 50,000/s, "
                           "lost updates 0 | 50,000/s, lost updates 0 |\n"),
            std::string::npos)
      << out->text;
  EXPECT_NE(out->text.find("<!-- figures:counters end -->\n\nmore prose\n"), std::string::npos);
  // Rendering its own output again changes nothing, and the checker agrees.
  auto again = RenderFigures(out->text, {SampleRun()});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->text, out->text);
  EXPECT_EQ(FirstDifferingSection(readme, out->text), "counters");
  EXPECT_EQ(FirstDifferingSection(out->text, again->text), "");
}

TEST(FiguresTest, BadSectionsAreOneLineErrors) {
  auto unknown = RenderFigures("<!-- figures:nosuch begin -->\n<!-- figures:nosuch end -->\n", {SampleRun()});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(), "line 1: section 'nosuch': no results file holds records of it");
  auto open = RenderFigures("<!-- figures:counters begin -->\nold\n", {SampleRun()});
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.error().message(), "section 'counters' has no end marker");
  auto option = RenderFigures("<!-- figures:counters colour=red begin -->\n<!-- figures:counters end -->\n",
                              {SampleRun()});
  ASSERT_FALSE(option.ok());
  EXPECT_EQ(option.error().message(),
            "line 1: section 'counters': unknown option 'colour' (valid: cells, where, file)");
}

int Check(const std::string& readme, std::string* err_text) {
  FiguresOptions options;
  options.readme = readme;
  options.results_dir = Root() + "/docs/results";
  options.check = true;
  options.lesson_text = bench::FillScenarioInfo;
  std::ostringstream out, err;
  int code = RunFiguresCommand(options, out, err);
  *err_text = err.str();
  return code;
}

// The committed README's tables are what `scripts/figures` makes of the committed results files.
TEST(FiguresTest, CheckPassesOnTheCommittedReadmeAndFailsOnATamperedCopy) {
  std::string err;
  EXPECT_EQ(Check(Root() + "/README.md", &err), 0) << err;

  TempDir dir;
  std::string readme = ReadFile(Root() + "/README.md");
  const std::string begin = "<!-- figures:counters";
  size_t at = readme.find(begin);
  ASSERT_NE(at, std::string::npos) << "the README has no counters figures section";
  const std::string incr = "| `incr`";  // "| `incr` |", or "| `incr` durability=off |"
  size_t row = readme.find(incr, at);
  ASSERT_NE(row, std::string::npos);
  row = readme.find("| ", row + incr.size());
  ASSERT_NE(row, std::string::npos);
  readme.insert(row + 2, "9");  // one digit typed by hand into a measured cell
  WriteFile(dir.File("README.md"), readme);
  EXPECT_EQ(Check(dir.File("README.md"), &err), 1);
  EXPECT_NE(err.find("section 'counters' differs"), std::string::npos) << err;
  EXPECT_EQ(ReadFile(dir.File("README.md")), readme);  // --check changes nothing
}

}  // namespace
}  // namespace racetrack::reports
