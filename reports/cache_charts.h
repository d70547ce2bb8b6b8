// Charts of the `cache` and `uniques` lessons (ChartSpecs, see chart_spec.h), dispatched from
// lesson_charts.cc:
//
//   cache    the three tiers, measured next to the seed article's 50 ms / 5 ms / 0.5 ms (bars,
//            log y; the table the report and the GUI show); hit ratio from a cold start over
//            time; stale reads per approach; database queries per miss episode of the hottest
//            key (the stampede); database queries per second
//   uniques  relative error vs cardinality (log x) with the +-sigma and +-3 sigma band; memory vs
//            cardinality on log-log axes (the HyperLogLog's 12 KB plateau against the set's
//            line); count latency vs cardinality
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "reports/chart_spec.h"
#include "reports/model.h"

namespace racetrack::reports {

std::vector<ChartSpec> CacheCharts(const std::vector<Results>& runs);
std::vector<ChartSpec> UniquesCharts(const std::vector<Results>& runs);

}  // namespace racetrack::reports
