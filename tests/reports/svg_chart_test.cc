#include "reports/svg_chart.h"

#include <gtest/gtest.h>

#include "tests/reports/test_util.h"

namespace racetrack::reports {
namespace {

using testing::CountOf;

ChartSpec Bars() {
  ChartSpec c;
  c.id = "throughput";
  c.title = "Throughput <all>";
  c.kind = ChartKind::kBars;
  c.y = {"throughput", "ops/s", Scale::kLinear, 0.0, std::nullopt, false};
  c.categories = {"client-rmw", "atomic-incr"};
  c.bars.push_back({"redis", {40000.0, 80000.0}, {true, false}, -1});
  c.bars.push_back({"postgres", {std::nullopt, 9000.0}, {false, false}, -1});
  return c;
}

TEST(SvgChartTest, BarsWithFlaggedBarAndLegend) {
  std::string svg = RenderSvg(Bars());
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("Throughput &lt;all&gt;"), std::string::npos);  // escaped title
  EXPECT_EQ(CountOf(svg, "<title>client-rmw · redis"), 1u);
  EXPECT_EQ(CountOf(svg, "(failed check)"), 1u);          // the flagged bar says so
  EXPECT_EQ(CountOf(svg, "fill=\"url(#c-hatch)\""), 2u);  // the bar and its legend swatch
  EXPECT_NE(svg.find(">failed correctness check<"), std::string::npos);
  EXPECT_NE(svg.find(">throughput (ops/s)<"), std::string::npos);  // axis title with unit
  EXPECT_EQ(CountOf(svg, "<title>"), 1u + 3u);  // chart + 3 bars (one value is missing)
}

TEST(SvgChartTest, LogAxesStepsLimitsAndRegions) {
  ChartSpec c;
  c.title = "cdf";
  c.x = {"latency", "µs", Scale::kLog, std::nullopt, std::nullopt, false};
  c.y = {"operations", "%", Scale::kLinear, 0.0, 1.0, true};
  c.series.push_back({"incr", SeriesStyle::kStep, {{12, 0.5}, {130, 0.99}, {9000, 1}}, -1});
  c.series.push_back({"model", SeriesStyle::kDashed, {{10, 0.2}, {10000, 0.9}}, -1});
  c.limits.push_back({0.95, "limit 95%"});
  c.regions.push_back({100, 1000, "burst"});
  const SvgOptions opt{.id_prefix = "x7"};
  std::string svg = RenderSvg(c, opt);
  for (const char* tick : {">10<", ">100<", ">1k<", ">10k<", ">0%<", ">50%<", ">100%<"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  EXPECT_NE(svg.find("clip-path=\"url(#x7-clip)\""), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray=\"6 4\""), std::string::npos);  // the model line
  EXPECT_NE(svg.find(">limit 95%<"), std::string::npos);
  EXPECT_NE(svg.find(">burst<"), std::string::npos);
  EXPECT_NE(svg.find("V"), std::string::npos);  // step path
  EXPECT_EQ(svg, RenderSvg(c, opt));             // deterministic
}

TEST(SvgChartTest, EmptyAndDegenerateDataDoNotCrash) {
  ChartSpec c;
  c.title = "nothing";
  EXPECT_NE(RenderSvg(c).find("</svg>"), std::string::npos);
  c.x.scale = Scale::kLog;
  c.y.scale = Scale::kLog;
  c.series.push_back({"one", SeriesStyle::kLine, {{5, 5}, {0, -1}}, -1});
  EXPECT_NE(RenderSvg(c).find("</svg>"), std::string::npos);
  ChartSpec b = Bars();
  b.bars.clear();
  EXPECT_NE(RenderSvg(b).find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace racetrack::reports
