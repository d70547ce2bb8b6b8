// The report writers, one per format, one .cc file each (as Google Benchmark has one reporter per
// format). Each turns already-validated results into text; none touches the file system (cli.cc
// writes files, atomically). Several runs passed together are shown side by side.
//
//   html_writer.cc      one self-contained page: lessons, tables, inline SVG charts, environment,
//                       warnings. No scripts, no external fonts or stylesheets.
//   markdown_writer.cc  the same tables for a CI job summary or README; charts as separate SVG
//                       files when asked for.
//   csv_writer.cc       one row per record, flat columns, header first.
//   gab_writer.cc       github-action-benchmark's custom JSON (see GabVariant).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "reports/model.h"

namespace racetrack::reports {

std::string WriteHtmlReport(const std::vector<Results>& runs);

struct MarkdownReport {
  std::string markdown;
  // (file name, SVG) pairs referenced from the markdown; empty unless charts were requested.
  std::vector<std::pair<std::string, std::string>> charts;
};
// chart_prefix: when non-empty, charts are produced as "<prefix><scenario>-<chart>.svg" and
// referenced as images; when empty the Markdown has tables only.
MarkdownReport WriteMarkdownReport(const std::vector<Results>& runs, const std::string& chart_prefix);

std::string WriteCsvReport(const std::vector<Results>& runs);

// github-action-benchmark applies one "tool" to a whole file, so racetrack writes two variants:
//   kBiggerIsBetter  ("customBiggerIsBetter"):  throughput, unit "ops/s"
//   kSmallerIsBetter ("customSmallerIsBetter"): p50 / p99 / p99.9 latency, unit "us", and
//                    lost updates (unit "updates") where a scenario counts them
// Each entry: {"name": "<scenario>/<approach>/<target>[/<params>] <metric>", "unit", "value",
// "extra": "repetitions, CV, correctness verdict"}.
enum class GabVariant { kBiggerIsBetter, kSmallerIsBetter };
std::string WriteGabReport(const std::vector<Results>& runs, GabVariant variant);

}  // namespace racetrack::reports
