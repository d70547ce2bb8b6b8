// Charts of the harness's sweep axes, for every lesson (LessonCharts adds them first):
//
//   --clients 1,8,32   throughput vs clients and, where records carry a "retries" figure
//                      (counters' WATCH and SERIALIZABLE), retries vs clients; one series per
//                      approach x target (x other params that vary, x run)
//   --rate A,B,C       the objective's latency percentile (p99 without --slo) vs offered rate,
//                      the objective as a line and the knee of each series in the note
//                      (results/sweep.h states the knee rule)
//
// A chart is made only when the scenario's records really vary along that axis.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "reports/chart_spec.h"
#include "reports/model.h"

namespace racetrack::reports {

std::vector<ChartSpec> SweepCharts(const std::string& scenario, const std::vector<Results>& runs);

}  // namespace racetrack::reports
