// Every lesson chart checked against its record (issue 20): each lesson's charts are built from a
// fixture results file written by a real `racetrack run` (fixtures/lessons/<lesson>.json, see
// fixtures/lessons/README.md), rendered to SVG, and what each chart states - bar values, points,
// limit lines, series names, "N x the limit" annotations, fitted slopes - is compared with the
// figures of the record it came from.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <regex>
#include <set>
#include <string_view>

#include "reports/lesson_charts.h"
#include "reports/stats.h"
#include "reports/svg_chart.h"
#include "results/results.h"
#include "tests/reports/test_util.h"

namespace racetrack::reports {
namespace {

const std::vector<std::string> kLessons = {"counters", "leaderboard", "pipeline", "ratelimit",
                                           "cache",    "uniques",     "locks",    "sessions",
                                           "messaging", "persistence"};

Results Load(const std::string& lesson) {
  auto r = results::ReadResults(testing::Fixture("lessons/" + lesson + ".json"));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : Results{};
}

bool Near(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); }

// Every number a record carries: what a chart may state about it.
std::vector<double> NumbersOf(const Record& r) {
  std::vector<double> v;
  auto add = [&](const std::optional<double>& x) {
    if (x) v.push_back(*x);
  };
  add(r.ops), add(r.errors), add(r.duration_s), add(r.throughput_ops_s);
  const LatencySummary& l = r.latency_us;
  add(l.p50), add(l.p90), add(l.p99), add(l.p999), add(l.max), add(l.mean);
  for (const auto& [k, x] : r.params) v.push_back(x);
  for (const auto& [k, x] : r.correctness.figures) v.push_back(x);
  // counters' lost updates as a share of the increments attempted
  if (auto lost = r.Figure("lost_updates"), expected = r.Figure("expected"); lost && expected) {
    v.push_back(*lost / *expected);
  }
  for (const auto& [k, x] : r.figures) v.push_back(x);
  for (const auto& [k, xs] : r.series) v.insert(v.end(), xs.begin(), xs.end());
  const Timeseries& ts = r.timeseries;
  v.insert(v.end(), ts.t_s.begin(), ts.t_s.end());
  v.insert(v.end(), ts.p99_us.begin(), ts.p99_us.end());
  for (double ops : ts.ops) v.push_back(ops * 1000 / ts.interval_ms);
  for (const auto& [k, xs] : ts.figures) v.insert(v.end(), xs.begin(), xs.end());
  return v;
}

bool Has(const std::vector<double>& numbers, double x) {
  return std::any_of(numbers.begin(), numbers.end(), [&](double n) { return Near(n, x); });
}

// The records a bar stands for: approach = its category, target = its series name (" · run"
// aside). Empty when the chart's categories are not approaches.
std::vector<const Record*> BarRecords(const Results& run, const std::string& category,
                                      const std::string& series) {
  std::vector<const Record*> out;
  for (const Record& r : run.records) {
    if (r.approach == category && (series == r.target || series.rfind(r.target + " ·", 0) == 0)) {
      out.push_back(&r);
    }
  }
  return out;
}

std::vector<double> AllNumbers(const Results& run) {
  std::vector<double> v;
  for (const Record& r : run.records) {
    auto n = NumbersOf(r);
    v.insert(v.end(), n.begin(), n.end());
  }
  return v;
}

// Bars and points: each value is one of its record's own figures.
void CheckValues(const ChartSpec& c, const Results& run) {
  const std::vector<double> all = AllNumbers(run);
  for (const BarSeries& b : c.bars) {
    for (size_t k = 0; k < b.values.size() && k < c.categories.size(); ++k) {
      if (!b.values[k]) continue;
      if (b.name.rfind("article (", 0) == 0) {
        // The article's claims beside the measurements (cache): the series name states them,
        // "article (50 ms / 5 ms / 0.5 ms)"; the bar must be one of them, in µs.
        bool stated = false;
        std::regex ms("([0-9.]+) ms");
        for (std::sregex_iterator m(b.name.begin(), b.name.end(), ms), end; m != end; ++m) {
          stated = stated || Near(std::stod((*m)[1]) * 1000, *b.values[k]);
        }
        EXPECT_TRUE(stated) << c.id << ": " << b.name << " = " << *b.values[k];
        continue;
      }
      std::vector<const Record*> recs = BarRecords(run, c.categories[k], b.name);
      bool found = false;
      for (const Record* r : recs) found = found || Has(NumbersOf(*r), *b.values[k]);
      if (recs.empty()) found = Has(all, *b.values[k]);
      EXPECT_TRUE(found) << c.id << ": bar " << c.categories[k] << " · " << b.name << " = "
                         << *b.values[k] << " is none of its record's figures";
    }
  }
  for (const XYSeries& s : c.series) {
    // CDF steps are the histogram's buckets; the swimlanes' heights are lane numbers (their
    // times are checked).
    const bool lanes = c.id.rfind("locks_swimlane_", 0) == 0;
    for (const Point& p : s.points) {
      EXPECT_TRUE(Has(all, p.x) || s.style == SeriesStyle::kStep)
          << c.id << ": " << s.name << " x=" << p.x << " is no record's figure";
      if (s.style == SeriesStyle::kStep || lanes) continue;
      EXPECT_TRUE(Has(all, p.y)) << c.id << ": " << s.name << " (" << p.x << ", " << p.y
                                 << ") is no record's figure";
    }
  }
  for (const LimitLine& l : c.limits) {
    // A band (uniques' ±HLL standard error) is a record's figure and its negative. The one
    // constant of a structure (a dense HyperLogLog is 12 KB, whatever it counts) is named.
    const bool constant = c.id == "memory_vs_cardinality" && l.y == 12288;
    EXPECT_TRUE(Has(all, l.y) || Has(all, -l.y) || constant)
        << c.id << ": limit line " << l.y << " (" << l.label << ") is no record's figure";
  }
}

// The chart's SVG states its title, every series name and every annotation.
void CheckSvg(const ChartSpec& c) {
  const std::string svg = RenderSvg(c);
  auto esc = [](std::string s) {
    std::string o;
    for (char ch : s) {
      if (ch == '&') o += "&amp;";
      else if (ch == '<') o += "&lt;";
      else if (ch == '>') o += "&gt;";
      else if (ch == '"') o += "&quot;";
      else o += ch;
    }
    return o;
  };
  EXPECT_NE(svg.find(esc(c.title)), std::string::npos) << c.id;
  for (const XYSeries& s : c.series) {
    EXPECT_NE(svg.find(esc(s.name)), std::string::npos) << c.id << ": legend lacks " << s.name;
  }
  for (const Region& r : c.regions) {
    EXPECT_NE(svg.find(esc(r.label)), std::string::npos) << c.id << ": lacks " << r.label;
  }
}

std::vector<ChartSpec> ChartsOf(const std::string& lesson, const Results& run) {
  std::vector<ChartSpec> charts = LessonCharts(lesson, {run});
  EXPECT_FALSE(charts.empty()) << lesson << ": no chart from its fixture";
  return charts;
}

class EveryLessonChart : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryLessonChart, StatesItsRecordsFigures) {
  const std::string lesson = GetParam();
  Results run = Load(lesson);
  ASSERT_FALSE(run.records.empty());
  for (const ChartSpec& c : ChartsOf(lesson, run)) {
    SCOPED_TRACE(lesson + " / " + c.id);
    CheckValues(c, run);
    CheckSvg(c);
  }
}

INSTANTIATE_TEST_SUITE_P(Lessons, EveryLessonChart, ::testing::ValuesIn(kLessons));

std::vector<ChartSpec> WithIdPrefix(std::vector<ChartSpec> charts, std::string_view prefix) {
  std::erase_if(charts, [&](const ChartSpec& c) { return !c.id.starts_with(prefix); });
  return charts;
}

// One claim of some of a lesson's charts checked against the lesson's fixture record: a test
// counts what it compared in `checked_`, and one that compared nothing fails.
class ChartCheck : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_GT(checked_, 0); }

  // The charts of `lesson` whose id starts with `prefix`, built from its fixture (kept in run_).
  std::vector<ChartSpec> Charts(const std::string& lesson, std::string_view prefix) {
    run_ = Load(lesson);
    return WithIdPrefix(ChartsOf(lesson, run_), prefix);
  }

  Results run_;
  int checked_ = 0;
};

TEST_F(ChartCheck, CountersLostUpdatesAreTheRecordsShareOfIncrements) {
  for (const ChartSpec& c : Charts("counters", "lost_updates")) {
    for (const BarSeries& b : c.bars) {
      for (size_t k = 0; k < b.values.size(); ++k) {
        auto recs = BarRecords(run_, c.categories[k], b.name);
        ASSERT_EQ(recs.size(), 1u);
        ASSERT_TRUE(c.y.percent);
        EXPECT_DOUBLE_EQ(*b.values[k], *recs[0]->Figure("lost_updates") / *recs[0]->Figure("expected"));
        EXPECT_EQ(b.flagged[k], recs[0]->Correct() == false);
        ++checked_;
      }
    }
  }
}

TEST_F(ChartCheck, LeaderboardSlopeInTheLegendIsTheFitOfItsPoints) {
  for (const ChartSpec& c : Charts("leaderboard", "cost_vs_n")) {
    for (const XYSeries& s : c.series) {
      std::vector<double> xs, ys;
      for (const Point& p : s.points) {
        // The point is the p50 of the record of that approach x target at that size.
        const std::string approach = s.name.substr(0, s.name.find(" · "));
        bool found = false;
        for (const Record& r : run_.records) {
          found = found || (r.approach == approach && s.name.find(" · " + r.target) != std::string::npos &&
                            r.Param("sizes").value_or(r.Param("N").value_or(-1)) == p.x &&
                            r.latency_us.p50 && Near(*r.latency_us.p50, p.y));
        }
        EXPECT_TRUE(found) << s.name << " (" << p.x << ", " << p.y << ")";
        xs.push_back(p.x);
        ys.push_back(p.y);
      }
      auto fit = FitPowerLaw(xs, ys);
      ASSERT_TRUE(fit.has_value()) << s.name;
      char slope[32];
      std::snprintf(slope, sizeof(slope), "(slope %.2f)", fit->exponent);
      EXPECT_NE(s.name.find(slope), std::string::npos) << s.name << " vs " << slope;
      ++checked_;
    }
  }
}

TEST_F(ChartCheck, PipelineSeriesAreOneRttEachAndNamedByIt) {
  for (const ChartSpec& c : Charts("pipeline", "time_vs_batch")) {
    const std::string target = c.id.size() > 14 ? c.id.substr(14) : "";
    std::map<int, double> rtt_of_color;  // colour = RTT: two RTTs never share one
    for (const XYSeries& s : c.series) {
      std::smatch m;
      ASSERT_TRUE(std::regex_search(s.name, m, std::regex("^RTT ([0-9.]+) ms"))) << s.name;
      const double rtt = std::stod(m[1]);
      auto [at, fresh] = rtt_of_color.emplace(s.color, rtt);
      EXPECT_EQ(at->second, rtt) << s.name << " shares its colour with another RTT";
      // Every point is a record at this RTT: no line joins two RTTs.
      for (const Point& p : s.points) {
        bool found = false;
        for (const Record& r : run_.records) {
          if (r.Param("rtt-ms") != rtt || r.Param("batch").value_or(1) != p.x) continue;
          if (!target.empty() && r.target != target) continue;
          const char* figure = s.style == SeriesStyle::kDashed ? "model_s" : "job_s";
          found = found || (r.Figure(figure) && Near(*r.Figure(figure), p.y));
        }
        EXPECT_TRUE(found) << s.name << " (" << p.x << ", " << p.y << ")";
        ++checked_;
      }
    }
  }
}

TEST_F(ChartCheck, RateLimitChartAgreesWithTheRecordsMaxInAnyWindow) {
  for (const ChartSpec& c : Charts("ratelimit", "ratelimit_timeline_")) {
    ++checked_;
    const std::string target = c.id.substr(std::string("ratelimit_timeline_").size());
    ASSERT_EQ(c.limits.size(), 1u);
    for (const XYSeries& s : c.series) {
      const Record* rec = nullptr;
      for (const Record& r : run_.records) {
        if (r.approach == s.name && r.target == target) rec = &r;
      }
      ASSERT_NE(rec, nullptr) << s.name;
      EXPECT_EQ(c.limits[0].y, rec->Figure("limit"));
      // The points are the record's virtual-time series, value for value.
      const auto& t = rec->series.at("t_s");
      const auto& rolling = rec->series.at("rolling_admitted");
      ASSERT_EQ(s.points.size(), std::min(t.size(), rolling.size())) << s.name;
      double peak = 0;
      for (size_t i = 0; i < s.points.size(); ++i) {
        EXPECT_EQ(s.points[i].x, t[i]);
        EXPECT_EQ(s.points[i].y, rolling[i]);
        peak = std::max(peak, rolling[i]);
      }
      // One client key's peak never exceeds the record's max over all keys.
      const double limit = *rec->Figure("limit"), max = *rec->Figure("max_in_window");
      EXPECT_LE(peak, max) << s.name;
      // The note states the record's own figure and ratio.
      char stated[96];
      std::snprintf(stated, sizeof(stated), "%s %s (%.1fx the limit)", s.name.c_str(),
                    results::FormatNumber(max).c_str(), max / limit);
      EXPECT_NE(c.note.find(stated), std::string::npos) << c.note << " lacks " << stated;
      // Every "N = Kx the limit" region of this series: K is N / limit and N is on the series.
      for (const Region& r : c.regions) {
        if (r.label.rfind(s.name + ":", 0) != 0) continue;
        std::smatch m;
        ASSERT_TRUE(std::regex_search(r.label, m, std::regex(": ([0-9,.]+) = ([0-9.]+)x the limit")))
            << r.label;
        std::string n = m[1];
        std::erase(n, ',');
        EXPECT_LE(std::stod(n), peak);
        EXPECT_GT(std::stod(n), limit);
        EXPECT_NEAR(std::stod(m[2]), std::stod(n) / limit, 0.051) << r.label;
      }
    }
  }
}

// The live figure chart (the GUI's Live tab) from the same records: counters' lost updates as a
// share of the increments attempted so far, point for point.
TEST_F(ChartCheck, LiveLostUpdatesShareIsTheTimeSeriesRatio) {
  run_ = Load("counters");
  std::vector<ChartSpec> live = LiveLessonCharts("counters", {run_}, {"lost_updates", "expected"});
  for (const ChartSpec& c : WithIdPrefix(std::move(live), "live_lost_updates_")) {
    EXPECT_TRUE(c.y.percent);
    const std::string target = c.id.substr(std::string("live_lost_updates_").size());
    for (const XYSeries& s : c.series) {
      for (const Record& r : run_.records) {
        if (r.approach != s.name || r.target != target) continue;
        const auto& lost = r.timeseries.figures.at("lost_updates");
        const auto& expected = r.timeseries.figures.at("expected");
        size_t k = 0;
        for (size_t i = 0; i < r.timeseries.t_s.size(); ++i) {
          if (expected[i] <= 0) continue;
          ASSERT_LT(k, s.points.size());
          EXPECT_EQ(s.points[k].x, r.timeseries.t_s[i]);
          EXPECT_DOUBLE_EQ(s.points[k].y, lost[i] / expected[i]);
          ++k;
          ++checked_;
        }
        EXPECT_EQ(k, s.points.size());
      }
    }
  }
}

}  // namespace
}  // namespace racetrack::reports
