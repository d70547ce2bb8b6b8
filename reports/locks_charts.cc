// The swimlane is drawn with step series because a ChartSpec has lines, not rectangles: a lane
// at height w rises to w + kPulse while worker w holds the lock and falls back when it lets go.
// Every lane is grey and the overlapping sections are redrawn on top in red, so the eye goes to
// the red. Each lane starts at the chart's left edge (the step renderer draws its first segment
// up from the x axis, which then coincides with the y axis).
#include "reports/locks_charts.h"

#include <algorithm>
#include <map>

#include "reports/format.h"

namespace racetrack::reports {

namespace {

constexpr double kPulse = 0.6;
constexpr int kGrey = 7;  // palette indices (svg_chart.cc)
constexpr int kRed = 5;
constexpr size_t kMaxRegions = 8;

std::vector<double> SeriesOf(const Record& r, const char* name) {
  auto it = r.series.find(name);
  return it == r.series.end() ? std::vector<double>{} : it->second;
}

// The first record of `approach` (any target, first run first).
const Record* FirstRecord(const std::vector<Results>& runs, const std::string& scenario,
                          const std::string& approach) {
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.scenario == scenario && r.approach == approach && !r.series.empty()) return &r;
    }
  }
  return nullptr;
}

ChartSpec Swimlane(const Record& r) {
  ChartSpec c;
  c.id = "locks_swimlane_" + r.approach;
  c.primary = r.approach == "set-nx-px-paused";
  const auto worker = SeriesOf(r, "worker"), start = SeriesOf(r, "start_s"),
             end = SeriesOf(r, "end_s"), overlap = SeriesOf(r, "overlap"),
             refused = SeriesOf(r, "refused"), pause_start = SeriesOf(r, "pause_start_s"),
             pause_end = SeriesOf(r, "pause_end_s");
  const size_t n = std::min({worker.size(), start.size(), end.size(), overlap.size(),
                             refused.size(), pause_start.size(), pause_end.size()});
  if (n == 0) return c;
  const double x0 = *std::min_element(start.begin(), start.begin() + static_cast<long>(n));
  const double x1 = *std::max_element(end.begin(), end.begin() + static_cast<long>(n));
  const int lanes = static_cast<int>(*std::max_element(worker.begin(), worker.begin() +
                                                                           static_cast<long>(n))) + 1;
  c.title = "Lock holders over time: " + r.approach + " on " + r.target;
  c.subtitle = "One lane per worker, raised while it held the lock (acquired .. write "
               "acknowledged). Red: critical sections that overlapped another holder's. Shaded: "
               "a holder's pause.";
  c.x = {"time", "s", Scale::kLinear, x0, x1, false};
  c.y = {"worker", "", Scale::kLinear, -0.5, lanes - 0.5 + kPulse, false};
  std::map<int, XYSeries> lane, red;
  XYSeries marks;
  marks.name = "write refused (stale token)";
  marks.style = SeriesStyle::kScatter;
  marks.color = kRed;
  int overlapping = 0, refused_count = 0;
  for (size_t i = 0; i < n; ++i) {
    const int w = static_cast<int>(worker[i]);
    XYSeries& s = lane[w];
    if (s.points.empty()) {
      s.name = "worker " + std::to_string(w);
      s.style = SeriesStyle::kStep;
      s.color = kGrey;
      s.points.push_back({x0, static_cast<double>(w)});
    }
    s.points.push_back({start[i], w + kPulse});
    s.points.push_back({end[i], static_cast<double>(w)});
    if (overlap[i] > 0) {
      ++overlapping;
      XYSeries& o = red[w];
      if (o.points.empty()) {
        o.name = "overlap, worker " + std::to_string(w);
        o.style = SeriesStyle::kStep;
        o.color = kRed;
      }
      // A red pulse alone: from the lane up, along the top, back down.
      o.points.push_back({start[i], static_cast<double>(w)});
      o.points.push_back({start[i], w + kPulse});
      o.points.push_back({end[i], static_cast<double>(w)});
    }
    if (refused[i] > 0) {
      ++refused_count;
      marks.points.push_back({end[i], w + kPulse});
    }
    if (pause_start[i] >= 0 && c.regions.size() < kMaxRegions) {
      c.regions.push_back({pause_start[i], pause_end[i],
                           "worker " + std::to_string(w) + " paused " +
                               FormatNumber((pause_end[i] - pause_start[i]) * 1000) + " ms"});
    }
  }
  for (auto& [w, s] : lane) c.series.push_back(std::move(s));
  for (auto& [w, s] : red) {
    // The renderer draws a step's first segment up from the x axis: start the red lane at its
    // own baseline at the left edge, where that segment hides in the y axis.
    s.points.insert(s.points.begin(), {x0, static_cast<double>(w)});
    c.series.push_back(std::move(s));
  }
  if (!marks.points.empty()) c.series.push_back(std::move(marks));
  c.note = std::to_string(n) + " critical sections shown, " + std::to_string(overlapping) +
           " of them overlapping" +
           (refused_count > 0 ? ", " + std::to_string(refused_count) + " writes refused" : "") +
           ".";
  return c;
}

}  // namespace

std::vector<ChartSpec> LocksCharts(const std::vector<Results>& runs) {
  std::vector<ChartSpec> out;
  for (const char* approach : {"set-nx-px-paused", "redlock", "fencing"}) {
    if (const Record* r = FirstRecord(runs, "locks", approach)) {
      ChartSpec c = Swimlane(*r);
      if (!c.series.empty()) out.push_back(std::move(c));
    }
  }
  return out;
}

std::vector<ChartSpec> SessionsCharts(const std::vector<Results>& runs) {
  ChartSpec c;
  c.id = "sessions_revoked_timeline";
  c.primary = true;
  c.title = "Accepted requests of users who logged out";
  c.subtitle = "Per 50 ms, one series per approach (its first target). After the marked instant "
               "every accepted request is one the logout should have stopped.";
  c.x = {"time", "s", Scale::kLinear, 0.0, std::nullopt, false};
  c.y = {"accepted requests", "per 50 ms", Scale::kLinear, 0.0, std::nullopt, false};
  std::vector<std::string> approaches;
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.scenario != "sessions" || r.series.empty()) continue;
      if (std::find(approaches.begin(), approaches.end(), r.approach) != approaches.end()) continue;
      approaches.push_back(r.approach);
      const auto t = SeriesOf(r, "t_s"), n = SeriesOf(r, "revoked_users_accepted"),
                 revoke = SeriesOf(r, "revoke_at_s");
      XYSeries s;
      s.name = r.approach + " (" + r.target + ")";
      s.style = SeriesStyle::kLine;
      s.color = static_cast<int>(approaches.size()) - 1;
      for (size_t i = 0; i < std::min(t.size(), n.size()); ++i) s.points.push_back({t[i], n[i]});
      if (c.regions.empty() && !revoke.empty() && revoke[0] >= 0) {
        c.regions.push_back({revoke[0], revoke[0] + 0.01, "logout acknowledged"});
      }
      if (!s.points.empty()) c.series.push_back(std::move(s));
    }
  }
  if (c.series.empty()) return {};
  return {c};
}

}  // namespace racetrack::reports
