// README figures from committed results files: `racetrack figures` (scripts/figures) rewrites
// each marked section of a Markdown file with tables rendered from results files, and --check
// fails when a section no longer matches, so no measured figure in the README is typed by hand.
//
// A section is delimited by two HTML comments, each on its own line:
//
//   <!-- figures:NAME [key=value ...] begin -->
//   ... generated, replaced on every run ...
//   <!-- figures:NAME end -->
//
// NAME is "claims" (the article's claims table over every file, reports/claims.h) or a lesson id
// (a table of that lesson's records: one row per approach and varying parameter point, one
// column per target). Options of a lesson section:
//   cells=throughput,p50_us,lost_updates   what each cell shows (default throughput,p50_us):
//                                          "throughput", "p50_us", "p99_us" or a figure name
//   where=rtt-ms:5,batch:1000              only records at these parameter values
//   file=demo.json                         which results file (default: the first, by name,
//                                          that holds the lesson)
// Every section opens with where its figures come from: the file, the date, the machine, the
// durability mode when the file records one, and the command that produced it.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reports/model.h"

namespace racetrack::reports {

struct FiguresResult {
  std::string text;              // the whole file with every section rendered
  std::vector<std::string> names;  // the sections, in file order
};

// Renders every marked section of `markdown` from `runs` (each Results' path names it in the
// source line; pass them in a stable order). Errors (one line): an unknown section name or
// option, a begin without its end, a section no file can fill.
results::Expected<FiguresResult> RenderFigures(std::string_view markdown,
                                               const std::vector<Results>& runs);

// The first section whose content differs between `before` and `after` (both rendered or
// written by RenderFigures' rules), or "" when none does.
std::string FirstDifferingSection(std::string_view before, std::string_view after);

// A results file cut to what README tables and claims read: histograms, time series, scenario
// series and per-repetition values are dropped, everything else kept (still a valid results file).
Results SlimForFigures(Results run);

}  // namespace racetrack::reports
