// Order of work in both commands: validate options, read every input, render every output in
// memory, and only then touch the file system. A bad input therefore changes nothing, and the
// atomic writes make sure an interrupted run cannot leave half a report behind.

#include "reports/cli.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <utility>

#include <CLI/CLI.hpp>

#include "reports/atomic_file.h"
#include "reports/compare.h"
#include "reports/figures.h"
#include "results/results.h"
#include "reports/writers.h"

namespace racetrack::reports {

namespace {

namespace fs = std::filesystem;

constexpr int kUsage = 2;

bool IsDirectoryTarget(const std::string& output) {
  std::error_code ec;
  return output.back() == '/' || fs::is_directory(output, ec);
}

// Checks that the directory `path` would be written into exists; one-line error otherwise.
Status CheckParent(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    return Status::InvalidArgument(path + ": cannot write: directory " + parent.string() +
                                   " does not exist");
  }
  return Status::Ok();
}

// Reads the inputs for a report or comparison: every file must parse and hold at least one record;
// the lesson text a file lacks comes from `lesson_text` (the CLI's scenario registry).
results::Expected<std::vector<Results>> ReadRuns(const std::vector<std::string>& paths,
                                                 const LessonTextSource& lesson_text) {
  auto runs = results::ReadResultsFiles(paths);
  if (!runs.ok()) return runs.error();
  for (Results& run : *runs) {
    if (run.records.empty()) {
      size_t skipped = std::count_if(run.targets.begin(), run.targets.end(),
                                     [](const results::TargetStatus& t) { return !t.available; });
      std::string why = skipped > 0 ? " (" + std::to_string(skipped) + " target(s) skipped)" : "";
      return results::Error(run.path + ": empty result, no records to report" + why);
    }
    if (lesson_text) lesson_text(&run);
  }
  return runs;
}

}  // namespace

int RunReportCommand(const ReportOptions& options, std::ostream& out, std::ostream& err) {
  const char* kPrefix = "racetrack report: ";
  std::string format = options.format == "markdown" ? "md" : options.format;
  if (format != "html" && format != "md" && format != "csv" && format != "gab") {
    err << kPrefix << "unknown format \"" << options.format << "\" (use html, md, csv or gab)\n";
    return kUsage;
  }
  if (options.gab_variant != "bigger" && options.gab_variant != "smaller") {
    err << kPrefix << "unknown --gab-variant \"" << options.gab_variant
        << "\" (use bigger or smaller)\n";
    return kUsage;
  }
  if (options.inputs.empty()) {
    err << kPrefix << "no results file given (usage: racetrack report RESULT.json... [-o PATH])\n";
    return kUsage;
  }
  auto runs = ReadRuns(options.inputs, options.lesson_text);
  if (!runs.ok()) {
    err << kPrefix << runs.error().message() << "\n";
    return kUsage;
  }

  // Render everything first: (path, content) pairs, or one text for stdout.
  std::vector<std::pair<std::string, std::string>> files;
  const bool to_dir = !options.output.empty() && IsDirectoryTarget(options.output);
  const fs::path dir = to_dir ? fs::path(options.output) : fs::path();
  const GabVariant variant = options.gab_variant == "smaller" ? GabVariant::kSmallerIsBetter
                                                              : GabVariant::kBiggerIsBetter;
  std::string single;  // the content for stdout or a single file
  if (format == "html") {
    single = WriteHtmlReport(*runs);
    if (to_dir) files.emplace_back((dir / "report.html").string(), single);
  } else if (format == "md") {
    MarkdownReport md = WriteMarkdownReport(*runs, to_dir ? "report-" : "");
    single = md.markdown;
    if (to_dir) {
      for (auto& [name, svg] : md.charts) files.emplace_back((dir / name).string(), std::move(svg));
      files.emplace_back((dir / "report.md").string(), single);  // last: refers to the charts
    }
  } else if (format == "csv") {
    single = WriteCsvReport(*runs);
    if (to_dir) files.emplace_back((dir / "report.csv").string(), single);
  } else {
    single = WriteGabReport(*runs, variant);
    if (to_dir) {
      files.emplace_back((dir / "benchmark-bigger.json").string(),
                         WriteGabReport(*runs, GabVariant::kBiggerIsBetter));
      files.emplace_back((dir / "benchmark-smaller.json").string(),
                         WriteGabReport(*runs, GabVariant::kSmallerIsBetter));
    }
  }
  if (options.output.empty()) {
    out << single;
    return out ? 0 : kUsage;
  }
  if (!to_dir) files.emplace_back(options.output, std::move(single));

  if (to_dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      err << kPrefix << options.output << ": cannot create directory: " << ec.message() << "\n";
      return kUsage;
    }
  }
  for (const auto& [path, content] : files) {
    if (Status s = CheckParent(path); !s.ok()) {
      err << kPrefix << s.message() << "\n";
      return kUsage;
    }
  }
  for (const auto& [path, content] : files) {
    if (Status s = WriteFileAtomically(path, content); !s.ok()) {
      err << kPrefix << s.message() << "\n";
      return kUsage;
    }
  }
  out << "wrote " << files.back().first << "\n";
  return 0;
}

int RunCompareCommand(const CompareOptions& options, std::ostream& out, std::ostream& err) {
  const char* kPrefix = "racetrack compare: ";
  if (options.base.empty() || options.next.empty()) {
    err << kPrefix << "need two results files (usage: racetrack compare BASE.json NEW.json)\n";
    return kUsage;
  }
  if (!(options.threshold_pct >= 0)) {
    err << kPrefix << "--threshold must be a percentage >= 0\n";
    return kUsage;
  }
  if (!(options.alpha > 0 && options.alpha < 1)) {
    err << kPrefix << "--alpha must be between 0 and 1 (e.g. 0.05)\n";
    return kUsage;
  }
  if (options.metric != "wall" && options.metric != "cpu") {
    err << kPrefix << "--metric must be wall or cpu\n";
    return kUsage;
  }
  auto base = ReadRuns({options.base}, {});
  if (!base.ok()) {
    err << kPrefix << base.error().message() << "\n";
    return kUsage;
  }
  auto next = ReadRuns({options.next}, {});
  if (!next.ok()) {
    err << kPrefix << next.error().message() << "\n";
    return kUsage;
  }
  CompareSettings settings;
  settings.threshold_pct = options.threshold_pct;
  settings.alpha = options.alpha;
  settings.metric = options.metric;
  settings.interleaved = options.interleaved;
  for (const std::string& aa : options.aa_files) {
    Status s = ReadAaSpread(aa, &settings.aa_spread);
    if (!s.ok()) {
      err << kPrefix << s.message() << "\n";
      return kUsage;
    }
  }
  Comparison c = CompareResults(base->front(), next->front(), settings);
  std::vector<std::pair<std::string, std::string>> files;
  if (!options.json_out.empty()) files.emplace_back(options.json_out, ComparisonJson(c).dump(2) + "\n");
  if (!options.markdown_out.empty()) files.emplace_back(options.markdown_out, ComparisonMarkdown(c));
  for (const auto& [path, content] : files) {
    Status s = CheckParent(path);
    if (s.ok()) s = WriteFileAtomically(path, content);
    if (!s.ok()) {
      err << kPrefix << s.message() << "\n";
      return kUsage;
    }
  }
  out << ComparisonText(c);
  return c.ExitCode();
}

int RunFiguresCommand(const FiguresOptions& options, std::ostream& out, std::ostream& err) {
  const char* kPrefix = "racetrack figures: ";
  if (!options.import_from.empty() || !options.import_to.empty()) {
    if (options.import_from.empty() || options.import_to.empty()) {
      err << kPrefix << "--import needs --as (racetrack figures --import RUN.json --as "
          << "docs/results/NAME.json)\n";
      return kUsage;
    }
    auto runs = ReadRuns({options.import_from}, options.lesson_text);
    if (!runs.ok()) {
      err << kPrefix << runs.error().message() << "\n";
      return kUsage;
    }
    if (Status s = CheckParent(options.import_to); !s.ok()) {
      err << kPrefix << s.message() << "\n";
      return kUsage;
    }
    auto written = results::WriteResults(SlimForFigures(runs->front()), options.import_to);
    if (!written.ok()) {
      err << kPrefix << written.error().message() << "\n";
      return kUsage;
    }
    out << "wrote " << options.import_to << " (" << runs->front().records.size()
        << " records)\n";
    return 0;
  }
  std::error_code ec;
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(options.results_dir, ec)) {
    if (entry.path().extension() == ".json") paths.push_back(entry.path().string());
  }
  if (ec) {
    err << kPrefix << options.results_dir << ": " << ec.message() << "\n";
    return kUsage;
  }
  if (paths.empty()) {
    err << kPrefix << options.results_dir << ": no results files (*.json)\n";
    return kUsage;
  }
  std::sort(paths.begin(), paths.end());
  auto runs = ReadRuns(paths, options.lesson_text);
  if (!runs.ok()) {
    err << kPrefix << runs.error().message() << "\n";
    return kUsage;
  }
  std::ifstream in(options.readme, std::ios::binary);
  if (!in) {
    err << kPrefix << options.readme << ": cannot read\n";
    return kUsage;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto rendered = RenderFigures(text.str(), *runs);
  if (!rendered.ok()) {
    err << kPrefix << options.readme << ": " << rendered.error().message() << "\n";
    return kUsage;
  }
  if (rendered->names.empty()) {
    err << kPrefix << options.readme << ": no <!-- figures:NAME begin --> sections\n";
    return kUsage;
  }
  if (options.check) {
    if (rendered->text != text.str()) {
      std::string section = FirstDifferingSection(text.str(), rendered->text);
      err << kPrefix << options.readme << ": section '" << (section.empty() ? "?" : section)
          << "' differs from what " << options.results_dir
          << " gives (run scripts/figures to regenerate it)\n";
      return 1;
    }
    out << options.readme << ": " << rendered->names.size() << " figure sections match "
        << options.results_dir << "\n";
    return 0;
  }
  if (rendered->text == text.str()) {
    out << options.readme << ": " << rendered->names.size() << " figure sections already up to date\n";
    return 0;
  }
  if (Status s = WriteFileAtomically(options.readme, rendered->text); !s.ok()) {
    err << kPrefix << s.message() << "\n";
    return kUsage;
  }
  out << "rewrote " << rendered->names.size() << " figure sections of " << options.readme << "\n";
  return 0;
}

ReportCommands AddReportCommands(CLI::App& app, LessonTextSource lesson_text) {
  ReportCommands rc;
  rc.report_options = std::make_shared<ReportOptions>();
  ReportOptions& ro = *rc.report_options;
  ro.lesson_text = lesson_text;
  rc.report = app.add_subcommand(
      "report", "Render results JSON as an HTML report, Markdown, CSV or benchmark-action JSON");
  rc.report->add_option("results", ro.inputs, "results JSON files (several: side by side)")
      ->required();
  rc.report->add_option("-o,--output", ro.output,
                        "output file, or a directory (gets report.<ext> and, for md, chart SVGs); "
                        "default stdout");
  rc.report->add_option("-f,--format", ro.format, "html (default), md, csv or gab")
      ->check(CLI::IsMember({"html", "md", "markdown", "csv", "gab"}));
  rc.report->add_option("--gab-variant", ro.gab_variant,
                        "for gab to a file or stdout: bigger (throughput, default) or smaller "
                        "(latency, lost updates)")
      ->check(CLI::IsMember({"bigger", "smaller"}));

  rc.compare_options = std::make_shared<CompareOptions>();
  CompareOptions& co = *rc.compare_options;
  rc.compare = app.add_subcommand(
      "compare",
      "Compare two results files; exit 1 on a significant regression. Sequential runs carry "
      "drift: for a CI gate prefer `compare-run`, which interleaves both builds");
  rc.compare->add_option("base", co.base, "baseline results JSON")->required();
  rc.compare->add_option("new", co.next, "new results JSON")->required();
  rc.compare->add_option("--threshold", co.threshold_pct,
                         "smallest percent change that can count as a regression (default 10); "
                         "a record's own noise (2 x IQR/median of its base repetitions) or its "
                         "A/A spread raise it per record");
  rc.compare->add_option("--alpha", co.alpha,
                         "family-wise significance level of the Mann-Whitney U test, Holm-"
                         "corrected across all records compared (default 0.05)");
  rc.compare->add_option("--metric", co.metric,
                         "wall: time per op (1/throughput), p50 and p99 latency (default); "
                         "cpu: server CPU time per operation, where the run recorded it "
                         "(steadier on a busy machine). Each is judged as a cost: NEW/BASE "
                         "above 1 + threshold is a regression")
      ->check(CLI::IsMember({"wall", "cpu"}));
  rc.compare->add_option("--aa", co.aa_files,
                         "comparison JSON (--json) of an A/A run of the same suite: each "
                         "record's spread there raises its threshold (repeatable)");
  rc.compare->add_option("--json", co.json_out, "also write the comparison as JSON");
  rc.compare->add_option("--markdown", co.markdown_out,
                         "also write the comparison as Markdown (for a CI job summary)");
  rc.figures_options = std::make_shared<FiguresOptions>();
  FiguresOptions& fo = *rc.figures_options;
  fo.lesson_text = std::move(lesson_text);
  rc.figures = app.add_subcommand(
      "figures",
      "Rewrite the README's measured tables (<!-- figures:NAME begin/end --> sections) from the "
      "committed results files; --check only compares (exit 1 when they differ)");
  rc.figures->add_option("--readme", fo.readme, "Markdown file to rewrite (default README.md)");
  rc.figures->add_option("--results", fo.results_dir,
                         "directory of results files, every *.json read (default docs/results)");
  rc.figures->add_flag("--check", fo.check,
                       "change nothing; exit 1 naming the first section that differs");
  rc.figures->add_option("--import", fo.import_from,
                         "instead: copy this results file (without histograms and time series, "
                         "with the registry's claims) to --as");
  rc.figures->add_option("--as", fo.import_to, "where --import writes (docs/results/NAME.json)");
  // The options above bind references into these structs: the apps keep them alive.
  rc.report->callback([keep = rc.report_options] {});
  rc.compare->callback([keep = rc.compare_options] {});
  rc.figures->callback([keep = rc.figures_options] {});
  return rc;
}

bool ReportCommands::Parsed() const {
  return (report != nullptr && report->parsed()) || (compare != nullptr && compare->parsed()) ||
         (figures != nullptr && figures->parsed());
}

int ReportCommands::Run() const {
  if (report != nullptr && report->parsed()) {
    return RunReportCommand(*report_options, std::cout, std::cerr);
  }
  if (compare != nullptr && compare->parsed()) {
    return RunCompareCommand(*compare_options, std::cout, std::cerr);
  }
  if (figures != nullptr && figures->parsed()) {
    return RunFiguresCommand(*figures_options, std::cout, std::cerr);
  }
  std::cerr << "racetrack: neither report, compare nor figures was given\n";
  return kUsage;
}

}  // namespace racetrack::reports
