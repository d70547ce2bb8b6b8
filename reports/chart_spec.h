// ChartSpec: what a chart shows, as plain data - no drawing. lesson_charts.h builds these from
// results; svg_chart.h renders them to SVG for reports, and the Qt GUI can map the same spec onto
// Qt Charts (QLineSeries/QScatterSeries/QBarSeries, QLogValueAxis), so one place decides how a
// lesson's chart looks.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace racetrack::reports {

enum class Scale { kLinear, kLog };

struct AxisSpec {
  std::string title;  // "latency", "operations completed"
  std::string unit;   // "µs", "ops/s"; shown as "title (unit)"
  Scale scale = Scale::kLinear;
  std::optional<double> min, max;  // fixed range; otherwise from the data
  bool percent = false;            // values in [0,1] shown as 0%..100%
};

enum class SeriesStyle {
  kLine,     // straight segments with point markers
  kScatter,  // markers only
  kStep,     // step function (CDF): horizontal then vertical
  kDashed,   // a model / reference line without markers
};

struct Point {
  double x = 0, y = 0;
};

struct XYSeries {
  std::string name;
  SeriesStyle style = SeriesStyle::kLine;
  std::vector<Point> points;
  int color = -1;  // palette index; -1 = by position
  // Line pattern for kLine series: 0 solid, 1 dashed, 2 dotted, 3 dash-dot (wraps). Charts with
  // approach x target series colour the approach and give each target its own pattern, so both
  // read without relying on colour alone.
  int dash = 0;
};

// Grouped bars: categories along x, one bar per series in each group.
struct BarSeries {
  std::string name;
  std::vector<std::optional<double>> values;  // one per category; nullopt = no bar
  std::vector<bool> flagged;  // per category: a failed check (series colour, hatched, red outline)
  int color = -1;
};

struct LimitLine {
  double y = 0;
  std::string label;  // "limit 100 / 1 s"
};

struct Region {  // a highlighted x range, e.g. the fixed window's boundary burst
  double x0 = 0, x1 = 0;
  std::string label;
};

enum class ChartKind { kXY, kBars };

struct ChartSpec {
  std::string id;        // stable: "latency_cdf", "throughput", "lost_updates", "cost_vs_n", ...
  std::string title;
  std::string subtitle;  // one sentence: what to look for
  ChartKind kind = ChartKind::kXY;
  AxisSpec x, y;
  std::vector<XYSeries> series;       // kXY
  std::vector<std::string> categories;  // kBars
  std::vector<BarSeries> bars;          // kBars
  std::vector<LimitLine> limits;
  std::vector<Region> regions;
  std::string note;  // shown under the chart (e.g. fitted exponents)
  bool primary = false;  // the chart that makes the lesson's point: shown first and large
  // Bars: colour each category (approach) by its position instead of each series, so a
  // one-series chart matches the approach colours of the other charts; no series legend.
  bool color_by_category = false;
};

}  // namespace racetrack::reports
