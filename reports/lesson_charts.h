// Which charts make each lesson's point, built from results as ChartSpecs (pure data, see
// chart_spec.h). The HTML and Markdown reports render them with svg_chart.h; the Qt GUI renders
// the same specs with Qt Charts (gui/chart_view.h), finished and live. To change how a lesson is
// charted, change it here (or in the lesson's reports/<lesson>_charts.cc) only.
//
//   every scenario   latency distribution per approach (step CDF, log x), one chart per target;
//                    throughput bars (approach x target; failed checks hatched red), one chart
//                    per target when targets' speeds differ by more than 4x
//   counters         + lost updates (bars)
//   leaderboard      cost vs N on log-log axes, one series per approach x target, with the
//                    fitted growth exponent (slope) in the legend; CDF and bars at the largest N
//   pipeline         time per job (figures.job_s) vs batch size, one series per RTT x approach
//                    (named "RTT 5 ms", never joined across RTTs) plus the model N*RTT/P
//                    (figures.model_s) dashed; replaces the CDF and bars
//   ratelimit        one chart per target: one client key's admitted requests in the rolling
//                    window on the virtual clock (records[].series rolling_admitted), the limit
//                    as a line, the stretch above it (the boundary burst) highlighted with its
//                    peak as "N x the limit"; the note states the record's max_in_window
//   cache, uniques   their own charts first (reports/cache_charts.h); uniques replaces the CDF
//                    and bars (its timed loop is ingest batches, not the lesson's question)
//   locks, sessions  + swimlanes of lock holders / the revoked users' accepted requests
//                    (locks_charts.h)
//   messaging        lost and duplicated messages (bars); the dead consumer's lag vs the others'
//                    over time, kill to restart shaded (messaging_charts.cc)
//   persistence      acknowledged writes lost (bars); acknowledged vs recovered per mode;
//                    throughput per mode (persistence_charts.cc)
//
// Several runs (files) are shown side by side: each series/bar name gets " · <run label>".
// Missing data never fails: a chart without any plottable point is simply not produced.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "reports/chart_spec.h"
#include "reports/model.h"

namespace racetrack::reports {

// Charts for one scenario across all runs, in display order.
std::vector<ChartSpec> LessonCharts(const std::string& scenario, const std::vector<Results>& runs);

// Building blocks, exposed for tests and for the GUI's live views.
ChartSpec LatencyCdfChart(const std::string& scenario, const std::string& target,
                          const std::vector<Results>& runs);
// target "" = all targets as bar series; else one target's bars.
ChartSpec ThroughputChart(const std::string& scenario, const std::vector<Results>& runs,
                          const std::string& target);

// One number per record (a correctness figure or a figure, by name) as bars: approaches along x,
// one series per target (x run); failed checks flagged. At the headline parameter point.
ChartSpec FigureBars(const std::string& scenario, const std::vector<Results>& runs,
                     const std::string& figure);
// What a lesson says over one figure's bars: the chart's id and title, the subtitle's opening
// sentence (the headline point, "At N=1000.", follows it) and the y axis, linear from 0.
struct FigureBarsText {
  std::string id;
  std::string title;
  std::string lead;
  std::string y_title;
  std::string y_unit;
  bool primary = false;
};
// FigureBars under the lesson's own words.
ChartSpec FigureBars(const std::string& scenario, const std::vector<Results>& runs,
                     const std::string& figure, const FigureBarsText& text);

// A record with the run (file) it came from.
struct RunRecord {
  const Results* run;
  const Record* rec;
};
// The scenario's records across `runs`, in file order.
std::vector<RunRecord> RecordsOf(const std::string& scenario, const std::vector<Results>& runs);
// True when `items` come from more than one run: series and bar names then carry the run.
bool SeveralRuns(const std::vector<RunRecord>& items);
// " · <run label>" when `several_runs`, else "".
std::string RunSuffix(const RunRecord& it, bool several_runs);

// Lesson-specific charts, each lesson's in its own reports/<lesson>_charts.cc.
std::vector<ChartSpec> MessagingCharts(const std::string& scenario,
                                       const std::vector<Results>& runs);
std::vector<ChartSpec> PersistenceCharts(const std::string& scenario,
                                         const std::vector<Results>& runs);

// Live charts: what moves while a lesson runs, for the GUI's Live tab. `runs` may hold partial
// records (the GUI grows one per approach x target from the harness's interval samples: only
// their timeseries is filled) beside finished ones. Returns
//   - one LiveFigureChart per target (small multiples), then
//   - the lesson's primary charts (LessonCharts' `primary`) from the finished records only,
//     so leaderboard's cost vs N gains a point and a fitted slope as each size completes.
// `live_figures` is the scenario's ScenarioInfo::live_figures; LiveFigure picks the one charted.
std::vector<ChartSpec> LiveLessonCharts(const std::string& scenario,
                                        const std::vector<Results>& runs,
                                        const std::vector<std::string>& live_figures);
std::string LiveFigure(const std::vector<std::string>& live_figures);
// `figure` over time since each approach started, one series per approach, on one target.
// lost_updates is shown as a share of figures "expected" (increments attempted so far); "" =
// throughput per interval (from timeseries.ops).
ChartSpec LiveFigureChart(const std::string& scenario, const std::string& target,
                          const std::vector<Results>& runs, const std::string& figure);

}  // namespace racetrack::reports
