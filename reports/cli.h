// The `racetrack report` and `racetrack compare` subcommands, as functions the CLI main (bench/)
// wires with two lines:
//
//   auto reports = racetrack::reports::AddReportCommands(app);   // before app.parse()
//   if (reports.Parsed()) return reports.Run();                  // after it
//
// No CLI11 callbacks are used, so the main's own handling of parse errors (exit 2) stays as it is.
// Exit codes: report 0 written, 2 usage / unreadable input / cannot write; compare 0 no
// significant regression, 1 regression or correctness flip, 2 usage or unreadable input. Every
// error is one line on `err`. Nothing is written unless every input was read and every output
// rendered; each file is written atomically (never a partial report over a good one).
//
// Thread-safety: the functions touch only the files named in the options.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "reports/model.h"

namespace CLI {
class App;
}  // namespace CLI

namespace racetrack::reports {

// Fills the lesson text (scenario_info) a results file lacks. reports/ lists no scenarios itself:
// the racetrack CLI passes the scenario registry's text (bench::FillScenarioInfo).
using LessonTextSource = std::function<void(results::Results*)>;

struct ReportOptions {
  std::vector<std::string> inputs;  // results JSON files, shown side by side
  // "" = stdout. An existing directory, or a path ending in '/', gets report.<ext> (and for md
  // the chart SVGs, for gab both variants); anything else is the output file.
  std::string output;
  std::string format = "html";  // html | md | csv | gab
  std::string gab_variant = "bigger";  // bigger | smaller, for gab to one file or stdout
  LessonTextSource lesson_text;        // may be empty: then only the files' own text is shown
};

struct CompareOptions {
  std::string base, next;
  double threshold_pct = 10;
  double alpha = 0.05;
  std::string json_out;      // "" = none
  std::string markdown_out;  // "" = none
  std::string metric = "wall";  // wall (throughput + p99) | cpu (cpu_us_per_op)
  std::vector<std::string> aa_files;  // comparison JSONs of A/A runs: their spread raises thresholds
  bool interleaved = false;  // set by compare-run: the sides ran alternately (no drift note)
};

// `racetrack figures`: rewrites the marked sections of a Markdown file (reports/figures.h) from
// every *.json in a results directory, or with --check only compares (exit 1 naming the first
// section that differs). --import IN --as OUT instead copies a results file into the directory,
// cut to what the sections read (SlimForFigures) and with the registry's lesson text and claims.
struct FiguresOptions {
  std::string readme = "README.md";
  std::string results_dir = "docs/results";
  bool check = false;
  std::string import_from, import_to;
  LessonTextSource lesson_text;
};

int RunReportCommand(const ReportOptions& options, std::ostream& out, std::ostream& err);
int RunCompareCommand(const CompareOptions& options, std::ostream& out, std::ostream& err);
// Exit codes: 0 written / matches, 1 --check found a difference, 2 usage or unreadable input.
int RunFiguresCommand(const FiguresOptions& options, std::ostream& out, std::ostream& err);

// The two subcommands added to an app, and the options they parse into.
struct ReportCommands {
  CLI::App* report = nullptr;
  CLI::App* compare = nullptr;
  CLI::App* figures = nullptr;
  std::shared_ptr<ReportOptions> report_options;
  std::shared_ptr<CompareOptions> compare_options;
  std::shared_ptr<FiguresOptions> figures_options;

  bool Parsed() const;  // after app.parse(): was report, compare or figures given?
  int Run() const;      // runs the parsed one on std::cout / std::cerr; its exit code
};

// Adds "report", "compare" and "figures" (with their flags and help) to `app`. The subcommands share
// ownership of the option structs, so the result may go out of scope before parsing.
[[nodiscard]] ReportCommands AddReportCommands(CLI::App& app, LessonTextSource lesson_text = {});

}  // namespace racetrack::reports
