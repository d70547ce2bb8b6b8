// Charts of the `locks` and `sessions` lessons (see lesson_charts.h for the rest), as ChartSpecs:
//
//   locks      a swimlane of lock holders over time per paused approach (set-nx-px-paused,
//              redlock, fencing): one lane per worker, a raised step while it held the lock,
//              overlapping critical sections in red, refused (stale-token) writes marked, the
//              holder's pauses shaded with the worker named; the paused SET NX PX one is primary
//   sessions   accepted requests of the users who log out, per 50 ms, one series per approach,
//              with the instant the logout was acknowledged marked
//
// Built from records[].series (written by the scenarios' ApproachRun::Series). Missing data
// never fails: a chart without points is not produced.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "reports/chart_spec.h"
#include "reports/model.h"

namespace racetrack::reports {

std::vector<ChartSpec> LocksCharts(const std::vector<Results>& runs);
std::vector<ChartSpec> SessionsCharts(const std::vector<Results>& runs);

}  // namespace racetrack::reports
