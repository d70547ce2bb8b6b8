// Choices that shape every chart here:
// - One chart compares approaches (the lesson's question); targets get separate charts or bar
//   series, because mixing 7 approaches x 4 targets in one plot is unreadable.
// - When a scenario sweeps a parameter (leaderboard N), the per-approach charts use one "headline"
//   parameter point - the one with the most records, ties to the largest - and say which.
// - Colours follow the approach's position in the scenario so an approach keeps its colour from
//   chart to chart.

#include "reports/lesson_charts.h"

#include <algorithm>
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

struct Item {
  const Results* run;
  const Record* rec;
};

std::vector<Item> ItemsFor(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<Item> items;
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.scenario == scenario) items.push_back({&run, &r});
    }
  }
  return items;
}

template <typename F>
std::vector<std::string> Distinct(const std::vector<Item>& items, F key) {
  std::vector<std::string> out;
  for (const Item& it : items) {
    std::string k = key(it);
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  }
  return out;
}

int IndexOf(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<int>(std::find(v.begin(), v.end(), s) - v.begin());
}

// Series names carry the run only when the scenario's records come from several runs.
bool SeveralRuns(const std::vector<Item>& items) {
  return std::any_of(items.begin(), items.end(),
                     [&](const Item& it) { return it.run != items.front().run; });
}

std::string RunSuffix(const Item& it, bool several_runs) {
  return several_runs ? " · " + it.run->label : "";
}

// The parameter point the per-approach charts use; "" label when there is only one point.
struct Headline {
  Params params;
  std::string label;  // " at N=100000"
};

Headline ChooseHeadline(const std::vector<Item>& items) {
  // Parameter points compare key by key, then numerically (std::map's operator<).
  std::map<Params, int> groups;
  for (const Item& it : items) ++groups[it.rec->params];
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

std::vector<Item> AtParams(const std::vector<Item>& items, const Params& params) {
  std::vector<Item> out;
  for (const Item& it : items) {
    if (it.rec->params == params) out.push_back(it);
  }
  return out;
}

std::optional<double> ParamNumber(const Record& r, const std::string& name) {
  return r.Param(name);
}

// The first of `preferred` that some record has as a number, else the first numeric parameter
// that takes more than one value, else "".
std::string SweepParam(const std::vector<Item>& items, const std::vector<std::string>& preferred) {
  for (const std::string& name : preferred) {
    for (const Item& it : items) {
      if (ParamNumber(*it.rec, name)) return name;
    }
  }
  std::map<std::string, std::set<double>> values;
  for (const Item& it : items) {
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
ChartSpec BarsByApproach(const std::vector<Item>& items,
                         const std::function<std::optional<double>(const Record&)>& value) {
  ChartSpec c;
  c.kind = ChartKind::kBars;
  c.categories = Distinct(items, [](const Item& it) { return it.rec->approach; });
  std::vector<std::string> targets = Distinct(items, [](const Item& it) { return it.rec->target; });
  std::vector<std::string> runs_seen = Distinct(items, [](const Item& it) { return it.run->label; });
  for (const std::string& run_label : runs_seen) {
    for (const std::string& target : targets) {
      BarSeries s;
      s.name = target + (runs_seen.size() > 1 ? " · " + run_label : "");
      s.values.assign(c.categories.size(), std::nullopt);
      s.flagged.assign(c.categories.size(), false);
      s.color = IndexOf(targets, target) + static_cast<int>(targets.size()) *
                                               IndexOf(runs_seen, run_label);
      bool any = false;
      for (const Item& it : items) {
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
  std::vector<Item> items = ItemsFor(scenario, runs);
  Headline h = ChooseHeadline(items);
  items = AtParams(items, h.params);
  ChartSpec c = BarsByApproach(items, [](const Record& r) { return r.Figure("lost_updates"); });
  c.id = "lost_updates";
  c.primary = true;
  c.title = "Lost updates" + h.label;
  c.subtitle = "Increments acknowledged to a client but missing from the final value. Correct is 0.";
  c.y = {"lost updates", "updates", Scale::kLinear, 0.0, std::nullopt, false};
  c.x = {"approach", "", Scale::kLinear, std::nullopt, std::nullopt, false};
  bool any_positive = false;
  for (const BarSeries& b : c.bars) {
    for (const auto& v : b.values) any_positive = any_positive || (v && *v > 0);
  }
  if (!any_positive) c.bars.clear();  // nothing to show: every approach kept every update
  return c;
}

ChartSpec CostVsNChart(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<Item> items = ItemsFor(scenario, runs);
  const bool several = SeveralRuns(items);
  ChartSpec c;
  c.id = "cost_vs_n";
  c.primary = true;
  std::string param = SweepParam(items, {"N", "n", "size", "rows"});
  if (param.empty()) return c;
  c.title = "Cost of one query vs " + param;
  c.subtitle = "Median latency per query on log-log axes: the slope is how cost grows with " +
               param + " (1 = linear, 0 = flat).";
  c.x = {param, "rows", Scale::kLog, std::nullopt, std::nullopt, false};
  c.y = {"median latency (p50)", "µs", Scale::kLog, std::nullopt, std::nullopt, false};
  std::vector<std::string> approaches =
      Distinct(items, [](const Item& it) { return it.rec->approach; });
  auto series_key = [&](const Item& it) {
    return it.rec->approach + " · " + it.rec->target + RunSuffix(it, several);
  };
  std::string note;
  for (const std::string& key : Distinct(items, series_key)) {
    XYSeries s;
    s.style = SeriesStyle::kLine;
    std::vector<double> xs, ys;
    for (const Item& it : items) {
      if (series_key(it) != key) continue;
      auto x = ParamNumber(*it.rec, param);
      auto y = it.rec->latency_us.p50 ? it.rec->latency_us.p50 : it.rec->latency_us.mean;
      if (!x || !y || *x <= 0 || *y <= 0) continue;
      s.points.push_back({*x, *y});
      if (s.color < 0) s.color = IndexOf(approaches, it.rec->approach);
    }
    std::sort(s.points.begin(), s.points.end(), [](Point a, Point b) { return a.x < b.x; });
    for (Point p : s.points) {
      xs.push_back(p.x);
      ys.push_back(p.y);
    }
    s.name = key;
    if (auto fit = FitPowerLaw(xs, ys)) {
      s.name += " (slope " + Fixed(fit->exponent, "%.2f") + ")";
      note += (note.empty() ? "Fitted growth: " : "; ") + key + " ~ " + param + "^" +
              Fixed(fit->exponent, "%.2f");
    }
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  c.note = note.empty() ? "" : note + ".";
  return c;
}

ChartSpec PipelineChart(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<Item> items = ItemsFor(scenario, runs);
  const bool several = SeveralRuns(items);
  ChartSpec c;
  c.id = "time_vs_batch";
  c.primary = true;
  std::string batch = SweepParam(items, {"batch", "pipeline", "P"});
  if (batch.empty()) return c;
  const std::string rtt = "rtt_ms";
  c.title = "Time vs batch size, per round-trip time";
  c.subtitle = "Points: measured time for the workload. Dashed: the model N x RTT / batch.";
  c.x = {"batch size", "commands per round trip", Scale::kLog, std::nullopt, std::nullopt, false};
  c.y = {"time for the workload", "s", Scale::kLog, std::nullopt, std::nullopt, false};
  auto rtt_label = [&](const Record& r) {
    auto v = ParamNumber(r, rtt);
    return v ? "RTT " + FormatNumber(*v) + " ms" : std::string("RTT ?");
  };
  std::vector<Item> sorted = items;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Item& a, const Item& b) {
    return ParamNumber(*a.rec, rtt).value_or(-1) < ParamNumber(*b.rec, rtt).value_or(-1);
  });
  std::vector<std::string> rtts = Distinct(sorted, [&](const Item& it) { return rtt_label(*it.rec); });
  // Name parts that do not vary are left out ("RTT 1 ms" rather than "RTT 1 ms · pipeline · x").
  const bool approaches = Distinct(items, [](const Item& it) { return it.rec->approach; }).size() > 1;
  const bool targets = Distinct(items, [](const Item& it) { return it.rec->target; }).size() > 1;
  auto series_key = [&](const Item& it) {
    return rtt_label(*it.rec) + (approaches ? " · " + it.rec->approach : "") +
           (targets ? " · " + it.rec->target : "") + RunSuffix(it, several);
  };
  std::map<std::string, XYSeries> models;  // one model line per RTT
  for (const std::string& key : Distinct(sorted, series_key)) {
    XYSeries s;
    s.name = key;
    for (const Item& it : sorted) {
      if (series_key(it) != key) continue;
      auto x = ParamNumber(*it.rec, batch);
      auto y = it.rec->Figure("time_s") ? it.rec->Figure("time_s") : it.rec->duration_s;
      int color = IndexOf(rtts, rtt_label(*it.rec));
      if (s.color < 0) s.color = color;
      if (x && y && *x > 0 && *y > 0) s.points.push_back({*x, *y});
      auto model = it.rec->Figure("model_s");
      XYSeries& m = models[rtt_label(*it.rec)];
      m.name = rtt_label(*it.rec) + " model";
      m.style = SeriesStyle::kDashed;
      m.color = color;
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

ChartSpec RateLimitChart(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<Item> items = ItemsFor(scenario, runs);
  const bool several = SeveralRuns(items);
  Headline h = ChooseHeadline(items);
  items = AtParams(items, h.params);
  ChartSpec c;
  c.id = "ratelimit_timeline";
  c.primary = true;
  std::vector<std::string> targets = Distinct(items, [](const Item& it) { return it.rec->target; });
  if (targets.empty()) return c;
  const std::string target = targets.front();
  std::vector<std::string> approaches =
      Distinct(items, [](const Item& it) { return it.rec->approach; });
  std::optional<double> limit, window_s;
  double interval_ms = 0;
  for (const Item& it : items) {
    if (it.rec->target != target) continue;
    if (!limit) limit = it.rec->Figure("limit");
    if (!window_s) window_s = it.rec->Figure("window_s");
    if (!window_s) {
      if (auto ms = it.rec->Figure("window_ms")) window_s = *ms / 1000;
    }
    if (interval_ms <= 0) interval_ms = it.rec->timeseries.interval_ms;
  }
  bool rolling = window_s && *window_s > 0 && interval_ms > 0;
  size_t k = rolling ? std::max<size_t>(1, std::lround(*window_s * 1000 / interval_ms)) : 1;
  std::string window_text = rolling ? FormatNumber(*window_s) + " s" : "";
  c.title = rolling ? "Admitted requests in the trailing " + window_text + " window"
                    : "Admitted requests per interval";
  c.subtitle = "On " + target + h.label + ". Above the red line a client got more than its limit" +
               (rolling ? " within " + window_text + "." : ".");
  c.x = {"time", "s", Scale::kLinear, 0.0, std::nullopt, false};
  c.y = {rolling ? "admitted in window" : "admitted per interval", "requests", Scale::kLinear, 0.0,
         std::nullopt, false};
  if (limit) {
    c.limits.push_back({*limit, "limit " + FormatNumber(*limit) +
                                    (rolling ? " per " + window_text : "")});
  }
  for (const Item& it : items) {
    if (it.rec->target != target) continue;
    std::vector<double> per = AdmittedPerInterval(*it.rec);
    const std::vector<double>& t = it.rec->timeseries.t_s;
    XYSeries s;
    s.name = it.rec->approach + RunSuffix(it, several);
    s.color = IndexOf(approaches, it.rec->approach);
    s.style = SeriesStyle::kLine;
    double sum = 0;
    std::optional<double> burst_start;
    double burst_peak = 0;
    const double step_s = interval_ms > 0 ? interval_ms / 1000 : 0;
    for (size_t i = 0; i < per.size() && i < t.size(); ++i) {
      sum += per[i];
      if (i >= k) sum -= per[i - k];
      s.points.push_back({t[i], sum});
      bool over = limit && sum > *limit * (1 + 1e-9);
      if (over && !burst_start) burst_start = t[i] - step_s;
      if (over) burst_peak = std::max(burst_peak, sum);
      bool ends = burst_start && (!over || i + 1 == per.size() || i + 1 == t.size());
      if (ends && c.regions.size() < 6) {
        double end = over ? t[i] : t[i] - step_s;
        c.regions.push_back({*burst_start, end,
                             it.rec->approach + ": " + Fixed(burst_peak / *limit, "%.1f") +
                                 "x the limit"});
        burst_start.reset();
        burst_peak = 0;
      }
    }
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  c.note = c.regions.empty() ? "" : "Shaded: where an approach admitted more than the limit.";
  return c;
}

}  // namespace

ChartSpec FigureBars(const std::string& scenario, const std::vector<Results>& runs,
                     const std::string& figure) {
  std::vector<Item> items = ItemsFor(scenario, runs);
  Headline h = ChooseHeadline(items);
  ChartSpec c = BarsByApproach(AtParams(items, h.params),
                               [&](const Record& r) { return r.Figure(figure); });
  c.id = figure;
  c.subtitle = h.label.empty() ? "" : "At" + h.label.substr(3) + ".";
  c.x = {"approach", "", Scale::kLinear, std::nullopt, std::nullopt, false};
  return c;
}

std::vector<double> AdmittedPerInterval(const Record& r) {
  const Timeseries& ts = r.timeseries;
  auto it = ts.figures.find("admitted");
  if (it == ts.figures.end()) return ts.ops;
  const std::vector<double>& v = it->second;
  bool cumulative = std::is_sorted(v.begin(), v.end());
  if (!cumulative) return v;
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = i == 0 ? v[0] : v[i] - v[i - 1];
  return out;
}

ChartSpec LatencyCdfChart(const std::string& scenario, const std::string& target,
                          const std::vector<Results>& runs) {
  std::vector<Item> all = ItemsFor(scenario, runs);
  const bool several = SeveralRuns(all);
  std::vector<std::string> approaches =
      Distinct(all, [](const Item& it) { return it.rec->approach; });
  Headline h = ChooseHeadline(all);
  ChartSpec c;
  c.id = "latency_cdf_" + target;
  c.title = "Latency distribution on " + target + h.label;
  c.subtitle = "Share of operations completed within a given time. Further left is faster; the "
               "top of each curve is the tail.";
  c.x = {"latency", "µs", Scale::kLog, std::nullopt, std::nullopt, false};
  c.y = {"operations completed", "%", Scale::kLinear, 0.0, 1.0, true};
  for (const Item& it : AtParams(all, h.params)) {
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
  std::vector<Item> items = ItemsFor(scenario, runs);
  Headline h = ChooseHeadline(items);
  items = AtParams(items, h.params);
  if (!target.empty()) {
    std::erase_if(items, [&](const Item& it) { return it.rec->target != target; });
  }
  ChartSpec c = BarsByApproach(items, [](const Record& r) { return r.throughput_ops_s; });
  c.id = target.empty() ? "throughput" : "throughput_" + target;
  c.color_by_category = c.bars.size() == 1;
  c.title = "Throughput" + (target.empty() ? "" : " on " + target) + h.label;
  c.subtitle = "Operations per second, median of repetitions (higher is better). Hatched red: "
               "the correctness check failed, so the speed does not count.";
  c.x = {"approach", "", Scale::kLinear, std::nullopt, std::nullopt, false};
  c.y = {"throughput", "ops/s", Scale::kLinear, 0.0, std::nullopt, false};
  return c;
}

bool ThroughputNeedsSplit(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<Item> items = ItemsFor(scenario, runs);
  items = AtParams(items, ChooseHeadline(items).params);
  std::map<std::string, double> best;
  for (const Item& it : items) {
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
  std::vector<Item> items = ItemsFor(scenario, runs);
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
    add(PipelineChart(scenario, runs));  // throughput at one (rtt, batch) point would mislead
    return charts;
  }
  if (scenario == "leaderboard") add(CostVsNChart(scenario, runs));
  if (scenario == "ratelimit") add(RateLimitChart(scenario, runs));
  if (scenario == "messaging") for (ChartSpec& c : MessagingCharts(scenario, runs)) add(c);
  if (scenario == "persistence") for (ChartSpec& c : PersistenceCharts(scenario, runs)) add(c);
  if (scenario == "cache") for (ChartSpec& c : CacheCharts(runs)) add(std::move(c));
  // uniques (above) skips the throughput bars: batches/s would mislead as throughput.
  if (scenario == "locks") for (auto& c : LocksCharts(runs)) add(std::move(c));
  if (scenario == "sessions") for (auto& c : SessionsCharts(runs)) add(std::move(c));
  add(LostUpdatesChart(scenario, runs));
  const bool split = ThroughputNeedsSplit(scenario, runs);
  if (!split) add(ThroughputChart(scenario, runs, ""));
  for (const std::string& target : Distinct(items, [](const Item& it) { return it.rec->target; })) {
    if (split) add(ThroughputChart(scenario, runs, target));
    add(LatencyCdfChart(scenario, target, runs));
  }
  return charts;
}

}  // namespace racetrack::reports
