// Choices that shape every chart here:
// - One chart compares approaches (the lesson's question); targets get separate charts or bar
//   series, because mixing 7 approaches x 4 targets in one plot is unreadable.
// - When a scenario sweeps a parameter (leaderboard N), the per-approach charts use one "headline"
//   parameter point - the one with the most records, ties to the largest - and say which.
// - Colours follow the approach's position in the scenario so an approach keeps its colour from
//   chart to chart.

#include "reports/lesson_charts.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "reports/cache_charts.h"
#include "reports/format.h"
#include "reports/model.h"
#include "reports/locks_charts.h"
#include "reports/stats.h"
#include "reports/sweep_charts.h"

namespace racetrack::reports {

namespace {

using Params = std::map<std::string, double>;

// When the fastest targets differ by more than this factor (in-process vs network), one bar chart
// would flatten the slower targets' bars: throughput gets one chart per target instead.
constexpr double kSplitRatio = 4;

template <typename F>
std::vector<std::string> Distinct(const std::vector<RunRecord>& items, F key) {
  std::vector<std::string> out;
  for (const RunRecord& it : items) {
    std::string k = key(it);
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  }
  return out;
}

int IndexOf(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<int>(std::find(v.begin(), v.end(), s) - v.begin());
}

// The parameter point the per-approach charts use; "" label when there is only one point.
struct Headline {
  Params params;
  std::string label;  // " at N=100000"
};

Headline ChooseHeadline(const std::vector<RunRecord>& items) {
  // Parameter points compare key by key, then numerically (std::map's operator<).
  std::map<Params, int> groups;
  for (const RunRecord& it : items) ++groups[it.rec->params];
  Headline h;
  int best = -1;
  for (const auto& [params, count] : groups) {
    if (count > best || (count == best && h.params < params)) {
      best = count;
      h.params = params;
    }
  }
  if (groups.size() > 1 && !h.params.empty()) {
    std::string label;
    for (const auto& [name, value] : h.params) {
      label += (label.empty() ? "" : " ") + name + "=" + FormatNumber(value);
    }
    h.label = " at " + label;
  }
  return h;
}

std::vector<RunRecord> AtParams(const std::vector<RunRecord>& items, const Params& params) {
  std::vector<RunRecord> out;
  for (const RunRecord& it : items) {
    if (it.rec->params == params) out.push_back(it);
  }
  return out;
}

std::optional<double> ParamNumber(const Record& r, const std::string& name) {
  return r.Param(name);
}

// The first of `preferred` that some record has as a number, else the first numeric parameter
// that takes more than one value, else "".
std::string SweepParam(const std::vector<RunRecord>& items,
                       const std::vector<std::string>& preferred) {
  for (const std::string& name : preferred) {
    for (const RunRecord& it : items) {
      if (ParamNumber(*it.rec, name)) return name;
    }
  }
  std::map<std::string, std::set<double>> values;
  for (const RunRecord& it : items) {
    for (const auto& [name, v] : it.rec->params) values[name].insert(v);
  }
  for (const auto& [name, set] : values) {
    if (set.size() > 1) return name;
  }
  return "";
}

bool HasPoints(const ChartSpec& c) {
  if (c.kind == ChartKind::kBars) {
    for (const BarSeries& b : c.bars) {
      for (const auto& v : b.values) {
        if (v) return true;
      }
    }
    return false;
  }
  for (const XYSeries& s : c.series) {
    if (!s.points.empty()) return true;
  }
  return false;
}

std::string Fixed(double v, const char* fmt) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

// Bars: categories = approaches, one series per target (x run).
ChartSpec BarsByApproach(const std::vector<RunRecord>& items,
                         const std::function<std::optional<double>(const Record&)>& value) {
  ChartSpec c;
  c.kind = ChartKind::kBars;
  c.categories = Distinct(items, [](const RunRecord& it) { return it.rec->approach; });
  std::vector<std::string> targets =
      Distinct(items, [](const RunRecord& it) { return it.rec->target; });
  std::vector<std::string> runs_seen =
      Distinct(items, [](const RunRecord& it) { return it.run->label; });
  for (const std::string& run_label : runs_seen) {
    for (const std::string& target : targets) {
      BarSeries s;
      s.name = target + (runs_seen.size() > 1 ? " · " + run_label : "");
      s.values.assign(c.categories.size(), std::nullopt);
      s.flagged.assign(c.categories.size(), false);
      s.color = IndexOf(targets, target) + static_cast<int>(targets.size()) *
                                               IndexOf(runs_seen, run_label);
      bool any = false;
      for (const RunRecord& it : items) {
        if (it.rec->target != target || it.run->label != run_label) continue;
        int k = IndexOf(c.categories, it.rec->approach);
        s.values[k] = value(*it.rec);
        s.flagged[k] = it.rec->Correct() == false;
        any = any || s.values[k].has_value();
      }
      if (any) c.bars.push_back(std::move(s));
    }
  }
  return c;
}

ChartSpec LostUpdatesChart(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  Headline h = ChooseHeadline(items);
  items = AtParams(items, h.params);
  // As a share of the increments attempted (correctness "expected"), so Redis's and PostgreSQL's
  // 80% stand as tall as the in-process engine's; raw counts when a record lacks "expected".
  const bool share = std::all_of(items.begin(), items.end(), [](const RunRecord& it) {
    return !it.rec->Figure("lost_updates") || it.rec->Figure("expected").value_or(0) > 0;
  });
  ChartSpec c = BarsByApproach(items, [&](const Record& r) -> std::optional<double> {
    auto lost = r.Figure("lost_updates");
    if (!lost || !share) return lost;
    return *lost / *r.Figure("expected");
  });
  c.id = "lost_updates";
  c.primary = true;
  c.title = "Lost updates" + h.label + (share ? ", share of increments" : "");
  c.subtitle = share ? "Increments acknowledged to a client but missing from the final value, "
                       "over the increments attempted. Correct is 0%."
                     : "Increments acknowledged to a client but missing from the final value. "
                       "Correct is 0.";
  c.y = {"lost updates", share ? "%" : "updates", Scale::kLinear, 0.0, std::nullopt, share};
  c.x = {"approach", "", Scale::kLinear, std::nullopt, std::nullopt, false};
  bool any_positive = false;
  for (const BarSeries& b : c.bars) {
    for (const auto& v : b.values) any_positive = any_positive || (v && *v > 0);
  }
  if (!any_positive) c.bars.clear();  // nothing to show: every approach kept every update
  return c;
}

ChartSpec CostVsNChart(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  const bool several = SeveralRuns(items);
  ChartSpec c;
  c.id = "cost_vs_n";
  c.primary = true;
  std::string param = SweepParam(items, {"sizes", "N", "n", "size", "rows"});
  if (param.empty()) return c;
  const std::string shown = param == "sizes" ? "N" : param;  // the knob is --sizes
  c.title = "Cost of one query vs " + shown;
  c.subtitle = "Median latency per query on log-log axes: the slope is how cost grows with " +
               shown + " (1 = linear, 0 = flat).";
  c.x = {shown, "rows", Scale::kLog, std::nullopt, std::nullopt, false};
  c.y = {"median latency (p50)", "µs", Scale::kLog, std::nullopt, std::nullopt, false};
  std::vector<std::string> approaches =
      Distinct(items, [](const RunRecord& it) { return it.rec->approach; });
  std::vector<std::string> targets =
      Distinct(items, [](const RunRecord& it) { return it.rec->target; });
  auto series_key = [&](const RunRecord& it) {
    return it.rec->approach + " · " + it.rec->target + RunSuffix(it, several);
  };
  std::string note;
  for (const std::string& key : Distinct(items, series_key)) {
    XYSeries s;
    s.style = SeriesStyle::kLine;
    std::vector<double> xs, ys;
    for (const RunRecord& it : items) {
      if (series_key(it) != key) continue;
      auto x = ParamNumber(*it.rec, param);
      auto y = it.rec->latency_us.p50 ? it.rec->latency_us.p50 : it.rec->latency_us.mean;
      if (!x || !y || *x <= 0 || *y <= 0) continue;
      s.points.push_back({*x, *y});
      if (s.color < 0) {
        s.color = IndexOf(approaches, it.rec->approach);
        s.dash = IndexOf(targets, it.rec->target);
      }
    }
    std::sort(s.points.begin(), s.points.end(), [](Point a, Point b) { return a.x < b.x; });
    for (Point p : s.points) {
      xs.push_back(p.x);
      ys.push_back(p.y);
    }
    s.name = key;
    if (auto fit = FitPowerLaw(xs, ys)) {
      s.name += " (slope " + Fixed(fit->exponent, "%.2f") + ")";
      note += (note.empty() ? "Fitted growth: " : "; ") + key + " ~ " + shown + "^" +
              Fixed(fit->exponent, "%.2f");
    }
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  c.note = note.empty() ? "" : note + ".";
  return c;
}

// The injected RTT of a pipeline record: its parameter ("rtt-ms", the knob) or, for records that
// carry it only as a figure, figures.rtt_ms.
std::optional<double> PipelineRtt(const Record& r) {
  for (const char* name : {"rtt-ms", "rtt_ms"}) {
    if (auto v = r.Param(name)) return v;
  }
  return r.Figure("rtt_ms");
}

// One chart per target (small multiples): colour = the RTT, line pattern = the approach.
ChartSpec PipelineChart(const std::string& scenario, const std::vector<Results>& runs,
                        const std::string& target) {
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  const bool several = SeveralRuns(items);
  const bool many_targets =
      Distinct(items, [](const RunRecord& it) { return it.rec->target; }).size() > 1;
  std::vector<std::string> approach_ids =
      Distinct(items, [](const RunRecord& it) { return it.rec->approach; });
  std::erase_if(items, [&](const RunRecord& it) { return it.rec->target != target; });
  ChartSpec c;
  c.id = many_targets ? "time_vs_batch_" + target : "time_vs_batch";
  c.primary = true;
  // The unbatched approaches have no batch parameter: they send one command per round trip.
  auto batch_of = [](const Record& r) -> std::optional<double> {
    for (const char* name : {"batch", "pipeline", "P"}) {
      if (auto v = r.Param(name)) return v;
    }
    return 1.0;
  };
  c.title = "Time per job vs batch size on " + target;
  c.subtitle = "Points: measured time for one job of N commands. Dashed: the model N x RTT / batch "
               "(round trips only).";
  c.x = {"batch size", "commands", Scale::kLog, std::nullopt, std::nullopt, false};
  c.y = {"time per job", "s", Scale::kLog, std::nullopt, std::nullopt, false};
  auto rtt_label = [&](const Record& r) {
    auto v = PipelineRtt(r);
    return v ? "RTT " + FormatNumber(*v) + " ms" : std::string("RTT not recorded");
  };
  std::vector<RunRecord> sorted = items;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const RunRecord& a, const RunRecord& b) {
    return PipelineRtt(*a.rec).value_or(-1) < PipelineRtt(*b.rec).value_or(-1);
  });
  std::vector<std::string> rtts =
      Distinct(sorted, [&](const RunRecord& it) { return rtt_label(*it.rec); });
  // Name parts that do not vary are left out ("RTT 1 ms" rather than "RTT 1 ms · pipeline · x").
  const bool approaches =
      Distinct(items, [](const RunRecord& it) { return it.rec->approach; }).size() > 1;
  // Every series is one RTT (never a line across RTTs) and one approach.
  auto series_key = [&](const RunRecord& it) {
    return rtt_label(*it.rec) + (approaches ? " · " + it.rec->approach : "") +
           RunSuffix(it, several);
  };
  std::vector<std::string> keys = Distinct(sorted, series_key);
  std::map<std::string, XYSeries> models;  // one model line per RTT, in the RTT's colour
  for (const std::string& key : keys) {
    XYSeries s;
    s.name = key;
    for (const RunRecord& it : sorted) {
      if (series_key(it) != key) continue;
      auto x = batch_of(*it.rec);
      auto y = it.rec->Figure("job_s");
      s.color = IndexOf(rtts, rtt_label(*it.rec));
      s.dash = IndexOf(approach_ids, it.rec->approach);
      if (x && y && *x > 0 && *y > 0) s.points.push_back({*x, *y});
      auto model = it.rec->Figure("model_s");
      XYSeries& m = models[rtt_label(*it.rec)];
      if (m.name.empty()) {
        m.name = rtt_label(*it.rec) + " model";
        m.style = SeriesStyle::kDashed;
        m.color = s.color;
      }
      if (x && model && *x > 0 && *model > 0 &&
          std::none_of(m.points.begin(), m.points.end(), [&](Point p) { return p.x == *x; })) {
        m.points.push_back({*x, *model});
      }
    }
    std::sort(s.points.begin(), s.points.end(), [](Point a, Point b) { return a.x < b.x; });
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  for (const std::string& r : rtts) {
    XYSeries& m = models[r];
    std::sort(m.points.begin(), m.points.end(), [](Point a, Point b) { return a.x < b.x; });
    if (m.points.size() >= 2) c.series.push_back(std::move(m));
  }
  return c;
}

// One client's admitted requests in the rolling window, on the scenario's virtual clock, from the
// record's own series (records[].series: t_s, rolling_admitted, limit - key 0's decisions, the
// same decisions the record's max-in-any-window figure is computed from, over all keys).
// Wall-clock time series are not used: the lesson compresses virtual time ~1,000x and sums all
// keys, so they would compare a total against a per-key limit.
ChartSpec RateLimitChart(const std::string& scenario, const std::vector<Results>& runs,
                         const std::string& target) {
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  const bool several = SeveralRuns(items);
  Headline h = ChooseHeadline(items);
  items = AtParams(items, h.params);
  std::vector<std::string> approaches =
      Distinct(items, [](const RunRecord& it) { return it.rec->approach; });
  ChartSpec c;
  c.id = "ratelimit_timeline_" + target;
  c.primary = true;
  std::optional<double> limit, window_ms;
  for (const RunRecord& it : items) {
    if (it.rec->target != target) continue;
    if (!limit) limit = it.rec->Figure("limit");
    if (!window_ms) window_ms = it.rec->Figure("window_ms");
    if (!window_ms) {
      if (auto w = it.rec->Figure("window_s")) window_ms = *w * 1000;
    }
  }
  const std::string window_text =
      window_ms ? FormatNumber(*window_ms / 1000) + " s" : std::string("window");
  c.title = "One client, admitted per rolling " + window_text + " on " + target;
  c.subtitle = "On " + target + h.label + ", one client key, virtual time. Above the red line "
               "that client got more than its limit within " + window_text + ".";
  c.x = {"virtual time", "s", Scale::kLinear, 0.0, std::nullopt, false};
  c.y = {"admitted in window", "requests", Scale::kLinear, 0.0, std::nullopt, false};
  if (limit) c.limits.push_back({*limit, "limit " + FormatNumber(*limit) + " per " + window_text});
  std::string note;
  for (const RunRecord& it : items) {
    if (it.rec->target != target) continue;
    auto t = it.rec->series.find("t_s");
    auto rolling = it.rec->series.find("rolling_admitted");
    if (t == it.rec->series.end() || rolling == it.rec->series.end()) continue;
    XYSeries s;
    s.name = it.rec->approach + RunSuffix(it, several);
    s.color = IndexOf(approaches, it.rec->approach);
    s.style = SeriesStyle::kLine;
    std::optional<double> burst_start;
    double burst_peak = 0, prev_t = 0;
    const size_t n = std::min(t->second.size(), rolling->second.size());
    for (size_t i = 0; i < n; ++i) {
      const double x = t->second[i], y = rolling->second[i];
      s.points.push_back({x, y});
      const bool over = limit && y > *limit * (1 + 1e-9);
      if (over && !burst_start) burst_start = prev_t;
      if (over) burst_peak = std::max(burst_peak, y);
      const bool ends = burst_start && (!over || i + 1 == n);
      if (ends && c.regions.size() < 12) {
        // Only an approach's first burst is labelled: the boundary pattern repeats the same
        // burst at every window edge, and repeated labels would cover the data.
        const bool first = std::none_of(c.regions.begin(), c.regions.end(), [&](const Region& r) {
          return r.label.rfind(it.rec->approach + ":", 0) == 0;
        });
        c.regions.push_back({*burst_start, over ? x : prev_t,
                             first ? it.rec->approach + ": " + FormatNumber(burst_peak) + " = " +
                                         Fixed(burst_peak / *limit, "%.1f") + "x the limit"
                                   : ""});
      }
      if (ends) {
        burst_start.reset();
        burst_peak = 0;
      }
      prev_t = x;
    }
    if (auto max = it.rec->Figure("max_in_window"); max && limit) {
      note += (note.empty() ? "Most admitted in any rolling window, over all client keys: "
                            : "; ") +
              it.rec->approach + " " + FormatNumber(*max) + " (" +
              Fixed(*max / *limit, "%.1f") + "x the limit)";
    }
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  if (!c.regions.empty()) note = "Shaded: where the client got more than the limit. " + note;
  c.note = note.empty() ? "" : note + ".";
  return c;
}

}  // namespace

std::vector<RunRecord> RecordsOf(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<RunRecord> items;
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.scenario == scenario) items.push_back({&run, &r});
    }
  }
  return items;
}

bool SeveralRuns(const std::vector<RunRecord>& items) {
  return std::any_of(items.begin(), items.end(),
                     [&](const RunRecord& it) { return it.run != items.front().run; });
}

std::string RunSuffix(const RunRecord& it, bool several_runs) {
  return several_runs ? " · " + it.run->label : "";
}

ChartSpec FigureBars(const std::string& scenario, const std::vector<Results>& runs,
                     const std::string& figure) {
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  Headline h = ChooseHeadline(items);
  ChartSpec c = BarsByApproach(AtParams(items, h.params),
                               [&](const Record& r) { return r.Figure(figure); });
  c.id = figure;
  c.subtitle = h.label.empty() ? "" : "At" + h.label.substr(3) + ".";
  c.x = {"approach", "", Scale::kLinear, std::nullopt, std::nullopt, false};
  return c;
}

ChartSpec FigureBars(const std::string& scenario, const std::vector<Results>& runs,
                     const std::string& figure, const FigureBarsText& text) {
  ChartSpec c = FigureBars(scenario, runs, figure);
  c.id = text.id;
  c.primary = text.primary;
  c.title = text.title;
  c.subtitle = text.lead + " " + c.subtitle;
  c.y = {text.y_title, text.y_unit, Scale::kLinear, 0.0, std::nullopt, false};
  return c;
}

ChartSpec LatencyCdfChart(const std::string& scenario, const std::string& target,
                          const std::vector<Results>& runs) {
  std::vector<RunRecord> all = RecordsOf(scenario, runs);
  const bool several = SeveralRuns(all);
  std::vector<std::string> approaches =
      Distinct(all, [](const RunRecord& it) { return it.rec->approach; });
  Headline h = ChooseHeadline(all);
  ChartSpec c;
  c.id = "latency_cdf_" + target;
  c.title = "Latency distribution on " + target + h.label;
  c.subtitle = "Share of operations completed within a given time. Further left is faster; the "
               "top of each curve is the tail.";
  c.x = {"latency", "µs", Scale::kLog, std::nullopt, std::nullopt, false};
  c.y = {"operations completed", "%", Scale::kLinear, 0.0, 1.0, true};
  for (const RunRecord& it : AtParams(all, h.params)) {
    if (it.rec->target != target) continue;
    XYSeries s;
    s.name = it.rec->approach + RunSuffix(it, several) + (it.rec->Correct() == false ? " (wrong)" : "");
    s.style = SeriesStyle::kStep;
    s.color = IndexOf(approaches, it.rec->approach);
    auto cdf = HistogramCdf(it.rec->histogram);
    if (cdf.empty()) {
      cdf = PercentileCdf(it.rec->latency_us);
      if (!cdf.empty()) {
        c.note = "Some records carry no histogram: their curves are drawn through p50, p90, p99, "
                 "p99.9 and max only.";
      }
    }
    for (const auto& [x, y] : cdf) s.points.push_back({x, y});
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  return c;
}

ChartSpec ThroughputChart(const std::string& scenario, const std::vector<Results>& runs,
                          const std::string& target) {
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  Headline h = ChooseHeadline(items);
  items = AtParams(items, h.params);
  if (!target.empty()) {
    std::erase_if(items, [&](const RunRecord& it) { return it.rec->target != target; });
  }
  ChartSpec c = BarsByApproach(items, [](const Record& r) { return r.throughput_ops_s; });
  c.id = target.empty() ? "throughput" : "throughput_" + target;
  c.color_by_category = c.bars.size() == 1;
  c.title = "Throughput" + (target.empty() ? "" : " on " + target) + h.label;
  c.subtitle = "Operations per second, median of repetitions (higher is better). Hatched, outlined red: "
               "the correctness check failed, so the speed does not count.";
  c.x = {"approach", "", Scale::kLinear, std::nullopt, std::nullopt, false};
  c.y = {"throughput", "ops/s", Scale::kLinear, 0.0, std::nullopt, false};
  return c;
}

bool ThroughputNeedsSplit(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  items = AtParams(items, ChooseHeadline(items).params);
  std::map<std::string, double> best;
  for (const RunRecord& it : items) {
    if (it.rec->throughput_ops_s) {
      best[it.rec->target] = std::max(best[it.rec->target], *it.rec->throughput_ops_s);
    }
  }
  double lo = 0, hi = 0;
  for (const auto& [target, v] : best) {
    lo = lo == 0 ? v : std::min(lo, v);
    hi = std::max(hi, v);
  }
  return best.size() > 1 && lo > 0 && hi / lo > kSplitRatio;
}

std::vector<ChartSpec> LessonCharts(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<ChartSpec> charts;
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  auto add = [&](ChartSpec c) {
    if (HasPoints(c)) charts.push_back(std::move(c));
  };
  // --clients / --rate sweeps, in every lesson: they answer the question the user swept for.
  for (ChartSpec& c : SweepCharts(scenario, runs)) add(std::move(c));
  if (scenario == "uniques") {
    for (ChartSpec& c : UniquesCharts(runs)) charts.push_back(std::move(c));
    return charts;
  }
  if (scenario == "pipeline") {
    // Throughput at one (rtt, batch) point would mislead: time vs batch replaces it.
    for (const std::string& t :
         Distinct(items, [](const RunRecord& it) { return it.rec->target; })) {
      add(PipelineChart(scenario, runs, t));
    }
    return charts;
  }
  if (scenario == "leaderboard") add(CostVsNChart(scenario, runs));
  if (scenario == "ratelimit") {
    for (const std::string& t :
         Distinct(items, [](const RunRecord& it) { return it.rec->target; })) {
      add(RateLimitChart(scenario, runs, t));
    }
  }
  if (scenario == "messaging") for (ChartSpec& c : MessagingCharts(scenario, runs)) add(c);
  if (scenario == "persistence") for (ChartSpec& c : PersistenceCharts(scenario, runs)) add(c);
  if (scenario == "cache") for (ChartSpec& c : CacheCharts(runs)) add(std::move(c));
  // uniques (above) skips the throughput bars: batches/s would mislead as throughput.
  if (scenario == "locks") for (auto& c : LocksCharts(runs)) add(std::move(c));
  if (scenario == "sessions") for (auto& c : SessionsCharts(runs)) add(std::move(c));
  add(LostUpdatesChart(scenario, runs));
  const bool split = ThroughputNeedsSplit(scenario, runs);
  if (!split) add(ThroughputChart(scenario, runs, ""));
  for (const std::string& target :
       Distinct(items, [](const RunRecord& it) { return it.rec->target; })) {
    if (split) add(ThroughputChart(scenario, runs, target));
    add(LatencyCdfChart(scenario, target, runs));
  }
  return charts;
}

std::string LiveFigure(const std::vector<std::string>& live_figures) {
  // The figure that makes the lesson's point while it runs; counters' is its lost updates.
  for (const char* preferred : {"lost_updates", "duplicates", "accepted_after_revocation",
                                "lag_victim", "lost", "hit_ratio", "memory_bytes"}) {
    if (std::find(live_figures.begin(), live_figures.end(), preferred) != live_figures.end()) {
      return preferred;
    }
  }
  return live_figures.empty() ? "" : live_figures.front();
}

namespace {

// Whether a record is finished (the harness's on_record) rather than the partial one the GUI
// grows from interval samples: a finished record has its operations counted or a verdict.
bool Finished(const Record& r) { return r.ops || r.throughput_ops_s || r.correctness.checked; }

std::string Title(std::string figure) {
  std::replace(figure.begin(), figure.end(), '_', ' ');
  if (!figure.empty()) figure[0] = static_cast<char>(std::toupper(figure[0]));
  return figure;
}

}  // namespace

ChartSpec LiveFigureChart(const std::string& scenario, const std::string& target,
                          const std::vector<Results>& runs, const std::string& figure) {
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  const bool several = SeveralRuns(items);
  std::vector<std::string> approaches =
      Distinct(items, [](const RunRecord& it) { return it.rec->approach; });
  // Counters: a share of the increments attempted so far, so a slow target's 80% is as tall as
  // the in-process engine's (whose raw count is 1,000x larger).
  // (Records that predate the live "expected" figure are charted as counts.)
  const bool share =
      figure == "lost_updates" && std::all_of(items.begin(), items.end(), [&](const RunRecord& it) {
        const auto& f = it.rec->timeseries.figures;
        return it.rec->target != target || !f.count(figure) || f.count("expected");
      });
  const bool ratio = figure.size() > 6 && figure.substr(figure.size() - 6) == "_ratio";
  ChartSpec c;
  c.id = "live_" + (figure.empty() ? std::string("throughput") : figure) + "_" + target;
  c.primary = true;
  c.x = {"time since the approach started", "s", Scale::kLinear, 0.0, std::nullopt, false};
  if (figure.empty()) {
    c.title = "Throughput per interval on " + target;
    c.subtitle = "Operations completed per second, interval by interval.";
    c.y = {"throughput", "ops/s", Scale::kLinear, 0.0, std::nullopt, false};
  } else if (share) {
    c.title = "Lost updates on " + target + " (% of increments)";
    c.subtitle = "Increments acknowledged but missing from the counter, over those attempted so "
                 "far. Correct is 0%.";
    c.y = {"lost updates", "%", Scale::kLinear, 0.0, std::nullopt, true};
  } else if (figure == "lost_updates") {
    c.title = "Lost updates so far on " + target;
    c.subtitle = "Increments acknowledged but missing from the counter. Correct is 0.";
    c.y = {"lost updates", "updates", Scale::kLinear, 0.0, std::nullopt, false};
  } else {
    c.title = Title(figure) + " so far on " + target;
    c.subtitle = "The lesson's live figure, sampled every interval.";
    c.y = {Title(figure), "", Scale::kLinear, 0.0, ratio ? std::optional<double>(1.0) : std::nullopt,
           ratio};
  }
  for (const RunRecord& it : items) {
    if (it.rec->target != target) continue;
    const Timeseries& ts = it.rec->timeseries;
    XYSeries s;
    s.name = it.rec->approach + RunSuffix(it, several);
    s.color = IndexOf(approaches, it.rec->approach);
    const std::vector<double>* values = nullptr;
    const std::vector<double>* attempts = nullptr;
    if (!figure.empty()) {
      auto f = ts.figures.find(figure);
      if (f == ts.figures.end()) continue;
      values = &f->second;
      if (share) {
        auto e = ts.figures.find("expected");
        if (e == ts.figures.end()) continue;
        attempts = &e->second;
      }
    }
    for (size_t i = 0; i < ts.t_s.size(); ++i) {
      double y;
      if (values == nullptr) {
        if (i >= ts.ops.size() || ts.interval_ms <= 0) break;
        y = ts.ops[i] * 1000 / ts.interval_ms;
      } else {
        if (i >= values->size()) break;
        y = (*values)[i];
        if (attempts) {
          if (i >= attempts->size() || (*attempts)[i] <= 0) continue;
          y /= (*attempts)[i];
        }
      }
      s.points.push_back({ts.t_s[i], y});
    }
    if (s.points.empty()) continue;
    // A sweep runs an approach once per parameter point: the latest run is the one moving.
    auto same = std::find_if(c.series.begin(), c.series.end(),
                             [&](const XYSeries& o) { return o.name == s.name; });
    if (same != c.series.end()) {
      *same = std::move(s);
    } else {
      c.series.push_back(std::move(s));
    }
  }
  return c;
}

std::vector<ChartSpec> LiveLessonCharts(const std::string& scenario,
                                        const std::vector<Results>& runs,
                                        const std::vector<std::string>& live_figures) {
  std::vector<ChartSpec> charts;
  const std::string figure = LiveFigure(live_figures);
  std::vector<RunRecord> items = RecordsOf(scenario, runs);
  // One small chart per target: 4 targets x 7 approaches on one axis is unreadable, and one
  // target's scale would flatten the others.
  for (const std::string& target :
       Distinct(items, [](const RunRecord& it) { return it.rec->target; })) {
    ChartSpec c = LiveFigureChart(scenario, target, runs, figure);
    if (HasPoints(c)) charts.push_back(std::move(c));
  }
  // Then the lesson's own primary charts from the records finished so far: they move as each
  // record completes (leaderboard's cost vs N and its fitted slopes, pipeline's time vs batch,
  // ratelimit's rolling window).
  std::vector<Results> finished = runs;
  for (Results& run : finished) std::erase_if(run.records, [](const Record& r) { return !Finished(r); });
  for (ChartSpec& c : LessonCharts(scenario, finished)) {
    if (c.primary) charts.push_back(std::move(c));
  }
  return charts;
}

}  // namespace racetrack::reports
