// Which charts make each lesson's point, built from results as ChartSpecs (pure data, see
// chart_spec.h). The HTML and Markdown reports render them with svg_chart.h; the Qt GUI can render
// the same specs with Qt Charts. To change how a lesson is charted, change it here only.
//
//   every scenario   latency distribution per approach (step CDF, log x), one chart per target;
//                    throughput bars (approach x target; failed checks hatched red), one chart
//                    per target when targets' speeds differ by more than 4x
//   counters         + lost updates (bars)
//   leaderboard      cost vs N on log-log axes, one series per approach x target, with the
//                    fitted growth exponent (slope) in the legend; CDF and bars at the largest N
//   pipeline         time vs batch size, one series per RTT (measured) plus the model N*RTT/P
//                    (figures.model_s) dashed; replaces the CDF and bars
//   ratelimit        admitted requests in the trailing window vs time, the limit as a line and
//                    the stretch where a series exceeds it (the boundary burst) highlighted
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

// Lesson-specific charts, each lesson's in its own reports/<lesson>_charts.cc.
std::vector<ChartSpec> MessagingCharts(const std::string& scenario,
                                       const std::vector<Results>& runs);
std::vector<ChartSpec> PersistenceCharts(const std::string& scenario,
                                         const std::vector<Results>& runs);

// Per-interval admitted counts from a rate-limit record's time series: the "admitted" figure is
// cumulative (schema rule) and is differenced; a series that ever decreases is taken as
// already per-interval. Falls back to the "ops" series.
std::vector<double> AdmittedPerInterval(const Record& r);

}  // namespace racetrack::reports
