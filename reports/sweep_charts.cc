// Sweep charts. Series are keyed by everything that identifies a record except the swept
// param, so `--durability off,strict --clients 1,8,32` gives one line per approach x target x
// mode; points are sorted by the swept value, and x is logarithmic because sweeps double.
#include "reports/sweep_charts.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "reports/report_model.h"
#include "results/format.h"
#include "results/sweep.h"

namespace racetrack::reports {

namespace {

struct Line {
  std::string name;
  int color = -1;
  std::vector<std::pair<double, const Record*>> points;
};

// Records of `scenario` grouped into lines along `axis`; empty when fewer than two values of
// the axis occur.
std::vector<Line> LinesAlong(const std::string& scenario, const std::vector<Results>& runs,
                             const std::string& axis) {
  std::set<double> values;
  std::set<const Results*> files;
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.scenario != scenario || !r.Param(axis)) continue;
      values.insert(*r.Param(axis));
      files.insert(&run);
    }
  }
  if (values.size() < 2) return {};
  std::vector<Line> lines;
  std::map<std::string, size_t> index;
  std::vector<std::string> approaches;
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.scenario != scenario || !r.Param(axis)) continue;
      std::string rest;
      for (const auto& [k, v] : r.params) {
        if (k == axis || k == "clients" || k == "rate") continue;
        Record one;
        one.params[k] = v;
        rest += " " + one.ParamsLabel();
      }
      std::string name = r.approach + " on " + r.target + rest;
      if (files.size() > 1) name += " · " + run.label;
      auto [it, fresh] = index.emplace(name, lines.size());
      if (fresh) {
        auto a = std::find(approaches.begin(), approaches.end(), r.approach);
        if (a == approaches.end()) a = approaches.insert(approaches.end(), r.approach);
        lines.push_back({name, static_cast<int>(a - approaches.begin()), {}});
      }
      lines[it->second].points.emplace_back(*r.Param(axis), &r);
    }
  }
  for (Line& l : lines) std::sort(l.points.begin(), l.points.end());
  return lines;
}

template <typename F>
ChartSpec XYOf(const std::vector<Line>& lines, F value) {
  ChartSpec c;
  c.kind = ChartKind::kXY;
  for (const Line& l : lines) {
    XYSeries s{l.name, SeriesStyle::kLine, {}, l.color};
    for (const auto& [x, r] : l.points) {
      if (std::optional<double> y = value(*r)) s.points.push_back({x, *y});
    }
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  return c;
}

std::vector<ChartSpec> ClientsCharts(const std::string& scenario,
                                     const std::vector<Results>& runs) {
  std::vector<ChartSpec> out;
  const std::vector<Line> lines = LinesAlong(scenario, runs, "clients");
  if (lines.empty()) return out;
  ChartSpec tp = XYOf(lines, [](const Record& r) { return r.throughput_ops_s; });
  tp.id = "sweep_clients_throughput";
  tp.title = "Throughput vs clients";
  tp.subtitle = "Each point is one record (--clients sweep): does adding clients still add work done?";
  tp.x = {"clients", "", Scale::kLog, std::nullopt, std::nullopt, false};
  tp.y = {"throughput", "ops/s", Scale::kLinear, 0.0, std::nullopt, false};
  if (!tp.series.empty()) out.push_back(std::move(tp));
  ChartSpec retries = XYOf(lines, [](const Record& r) { return r.Figure("retries"); });
  retries.id = "sweep_clients_retries";
  retries.title = "Retries vs clients";
  retries.subtitle = "Optimistic approaches (WATCH, SERIALIZABLE) pay in retries as clients grow";
  retries.x = tp.x;
  retries.y = {"retries", "", Scale::kLinear, 0.0, std::nullopt, false};
  if (!retries.series.empty()) out.push_back(std::move(retries));
  return out;
}

std::optional<ChartSpec> RateChart(const std::string& scenario, const std::vector<Results>& runs) {
  const std::vector<Line> lines = LinesAlong(scenario, runs, "rate");
  if (lines.empty()) return std::nullopt;
  std::optional<results::Slo> slo;
  for (const Results& run : runs) {
    if (run.parameters.slo.empty()) continue;
    auto parsed = results::ParseSlo(run.parameters.slo);
    if (parsed.ok()) slo = *parsed;
    break;
  }
  const results::Slo shown = slo.value_or(results::Slo{"p99", 0, ""});
  ChartSpec c = XYOf(lines, [&](const Record& r) { return results::SloLatencyUs(r, shown); });
  if (c.series.empty()) return std::nullopt;
  c.id = "sweep_rate_latency";
  c.title = shown.percentile + " latency vs offered rate";
  c.subtitle = "Open loop (--rate sweep): latency counts from each operation's scheduled start, "
               "so a saturated target shows as a climb";
  c.x = {"offered rate", "ops/s", Scale::kLog, std::nullopt, std::nullopt, false};
  c.y = {shown.percentile + " latency", "µs", Scale::kLog, std::nullopt, std::nullopt, false};
  if (slo) {
    c.limits.push_back({slo->bound_us, "objective " + slo->text});
    c.note = KneeText(scenario, runs);
  }
  return c;
}

}  // namespace

std::vector<ChartSpec> SweepCharts(const std::string& scenario, const std::vector<Results>& runs) {
  std::vector<ChartSpec> out = ClientsCharts(scenario, runs);
  if (auto rate = RateChart(scenario, runs)) out.push_back(std::move(*rate));
  return out;
}

}  // namespace racetrack::reports
