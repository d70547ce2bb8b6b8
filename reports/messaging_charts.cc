// Charts of the `messaging` lesson (scenarios/messaging.cc): what was lost, what came twice, and
// how far the consumer that died fell behind while it was gone.
//
// The timeline uses the record's live time series (ScenarioInfo::live_figures sampled every
// interval): lag_victim is consumer 0's backlog (sent to it, not yet processed by it or its
// replacement) and lag_others the other consumers'. A lossy approach's victim lag never returns
// to 0: those messages are the lost ones.
#include <algorithm>

#include "results/format.h"
#include "reports/lesson_charts.h"

namespace racetrack::reports {

namespace {

std::optional<double> Param(const Record& r, const char* name) { return r.Param(name); }

std::vector<ChartSpec> LagTimelines(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<std::string> targets, approaches;
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.scenario != scenario) continue;
      if (std::find(targets.begin(), targets.end(), r.target) == targets.end()) {
        targets.push_back(r.target);
      }
      if (std::find(approaches.begin(), approaches.end(), r.approach) == approaches.end()) {
        approaches.push_back(r.approach);
      }
    }
  }
  std::vector<ChartSpec> charts;
  for (const std::string& target : targets) {
    ChartSpec c;
    c.id = "messaging_lag_" + target;
    c.title = "Backlog of the consumer that died, on " + target;
    c.subtitle =
        "Messages sent to consumer 0 and not yet processed by it or its replacement. Shaded: from "
        "the kill to the restart. A line that stays above 0 at the end is messages lost.";
    c.x = {"time", "s", Scale::kLinear, 0.0, std::nullopt, false};
    c.y = {"backlog", "messages", Scale::kLinear, 0.0, std::nullopt, false};
    for (const Results& run : runs) {
      for (const Record& r : run.records) {
        if (r.scenario != scenario || r.target != target) continue;
        auto lag = r.timeseries.figures.find("lag_victim");
        if (lag == r.timeseries.figures.end()) continue;
        XYSeries s;
        s.name = r.approach + (runs.size() > 1 ? " · " + run.label : "");
        s.color = static_cast<int>(std::find(approaches.begin(), approaches.end(), r.approach) -
                                   approaches.begin());
        for (size_t i = 0; i < lag->second.size() && i < r.timeseries.t_s.size(); ++i) {
          s.points.push_back({r.timeseries.t_s[i], lag->second[i]});
        }
        if (!s.points.empty()) c.series.push_back(std::move(s));
        auto kill = Param(r, "kill-at-ms");
        auto restart = Param(r, "restart-at-ms");
        if (c.regions.empty() && kill && restart && *kill > 0) {
          c.regions.push_back({*kill / 1000, *restart / 1000, "consumer 0 dead"});
        }
      }
    }
    charts.push_back(std::move(c));
  }
  return charts;
}

}  // namespace

std::vector<ChartSpec> MessagingCharts(const std::string& scenario,
                                       const std::vector<Results>& runs) {
  std::vector<ChartSpec> charts;
  charts.push_back(
      FigureBars(scenario, runs, "lost",
                 {.id = "messaging_lost",
                  .title = "Messages lost when a consumer dies",
                  .lead = "Never processed by their consumer or its replacement. Correct is 0.",
                  .y_title = "lost",
                  .y_unit = "messages",
                  .primary = true}));
  charts.push_back(FigureBars(scenario, runs, "duplicated",
                              {.id = "messaging_duplicated",
                               .title = "Messages processed twice",
                               .lead = "Redelivered after the crash: at-least-once delivery.",
                               .y_title = "duplicated",
                               .y_unit = "messages"}));
  for (ChartSpec& c : LagTimelines(scenario, runs)) charts.push_back(std::move(c));
  return charts;
}

}  // namespace racetrack::reports
