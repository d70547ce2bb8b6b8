// The results model as reports/ names it: every type is the results library's (results/results.h,
// results/histogram.h); these declarations only spare reports' code the namespace.
#pragma once

#include "results/format.h"
#include "results/histogram.h"
#include "results/results.h"

namespace racetrack::reports {

using results::ApproachText;
using results::HistogramCdf;
using results::LatencySummary;
using results::PercentileCdf;
using results::Record;
using results::Repetition;
using results::Results;
using results::ScenarioText;
using results::Skip;
using results::SparseHistogram;
using results::TargetStatus;
using results::Timeseries;

}  // namespace racetrack::reports
