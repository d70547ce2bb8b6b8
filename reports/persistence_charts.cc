// Charts of the `persistence` lesson (scenarios/persistence.cc): acknowledged writes lost per
// mode, acknowledged vs recovered, and what each mode's safety costs in throughput.
#include <algorithm>

#include "reports/lesson_charts.h"

namespace racetrack::reports {

std::vector<ChartSpec> PersistenceCharts(const std::string& scenario,
                                         const std::vector<Results>& runs) {
  std::vector<ChartSpec> charts;
  charts.push_back(FigureBars(
      scenario, runs, "lost_writes",
      {.id = "persistence_lost",
       .title = "Acknowledged writes lost over all kills",
       .lead = "The server was killed with SIGKILL and restarted on its data; a write the client "
               "saw acknowledged but the restarted server did not have was lost.",
       .y_title = "lost",
       .y_unit = "writes",
       .primary = true}));

  // Acknowledged vs recovered: one chart per target, two bars per mode.
  std::vector<std::string> targets;
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.scenario == scenario &&
          std::find(targets.begin(), targets.end(), r.target) == targets.end()) {
        targets.push_back(r.target);
      }
    }
  }
  for (const std::string& target : targets) {
    ChartSpec c;
    c.kind = ChartKind::kBars;
    c.id = "persistence_recovered_" + target;
    c.title = "Acknowledged vs recovered writes on " + target;
    c.subtitle = "Summed over the kills: what clients were told was written, and what the "
                 "restarted server had.";
    c.x = {"mode", "", Scale::kLinear, std::nullopt, std::nullopt, false};
    c.y = {"writes", "writes", Scale::kLinear, 0.0, std::nullopt, false};
    BarSeries acked{"acknowledged", {}, {}, 0}, recovered{"recovered", {}, {}, 1};
    for (const Results& run : runs) {
      for (const Record& r : run.records) {
        if (r.scenario != scenario || r.target != target) continue;
        auto a = r.Figure("acked_writes");
        auto l = r.Figure("lost_writes");
        if (!a || !l) continue;
        c.categories.push_back(r.approach + (runs.size() > 1 ? " · " + run.label : ""));
        acked.values.push_back(*a);
        acked.flagged.push_back(false);
        recovered.values.push_back(*a - *l);
        recovered.flagged.push_back(r.Correct() == false);
      }
    }
    c.bars = {acked, recovered};
    charts.push_back(std::move(c));
  }

  charts.push_back(FigureBars(
      scenario, runs, "throughput_writes_s",
      {.id = "persistence_throughput",
       .title = "Throughput while the server was up",
       .lead = "Acknowledged writes per second of uptime: the cost of each mode's safety.",
       .y_title = "throughput",
       .y_unit = "writes/s"}));
  return charts;
}

}  // namespace racetrack::reports
