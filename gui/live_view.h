// LiveView: the Live tab of a lesson page. It draws no chart of its own: it keeps the run's records
// - finished ones from the harness's on_record, and one partial record per approach x target grown
// from the interval samples (bench::IntervalSample: only its timeseries is filled) - and renders
// reports::LiveLessonCharts of them (the same ChartSpec builders as the reports) through
// BuildChart. So the live charts are the lesson's chart definitions, re-rendered as data arrives:
// the live figure per target (small multiples), then the lesson's primary charts, which gain a
// point as each record finishes (leaderboard's cost vs N, pipeline's time vs batch, ratelimit's
// rolling window).
//
// Samples and records are queued and the charts rebuilt by a 10 Hz timer, so a burst of samples
// costs one rebuild.
//
// Thread-safety: GUI thread only.
#pragma once

#include <QString>
#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "gui/theme.h"
#include "reports/chart_spec.h"
#include "results/results.h"

class QGridLayout;
class QLabel;
class QTimer;

namespace racetrack::gui {

class ChartView;

class LiveView : public QWidget {
  Q_OBJECT

 public:
  // `live_figures`: the scenario's ScenarioInfo::live_figures (reports::LiveFigure picks one).
  LiveView(std::string scenario, std::vector<std::string> live_figures, const Theme& theme,
           QWidget* parent = nullptr);

  void Clear();
  void AddSample(const bench::IntervalSample& sample);
  // A finished record: replaces the partial one of its approach x target.
  void AddRecord(const results::Record& record);
  // Shows finished runs as they are (an opened results file: its time series replays whole).
  void ShowRuns(const std::vector<results::Results>& runs);
  // Rebuilds the charts from what is queued now (the timer does this on its own).
  void Flush();
  void SetTheme(const Theme& theme);

  // The views, in display order, for export and screenshots.
  std::vector<ChartView*> views() const;
  // The specs shown now (the same objects the report would render to SVG).
  const std::vector<reports::ChartSpec>& specs() const { return specs_; }
  // Points on the live figure charts (ids "live_*"), over all their series.
  int FigurePointCount() const;
  // The largest value on the live figure charts (as plotted: a share for counters).
  double FigureMax() const;

 private:
  void Render();

  std::string scenario_;
  std::vector<std::string> live_figures_;
  Theme theme_;
  std::vector<results::Results> runs_;  // one run (this run) or the opened files
  // Partial records by "approach\ttarget", index into runs_.front().records.
  std::map<std::string, size_t> partial_;
  bool dirty_ = false;
  std::vector<reports::ChartSpec> specs_;
  std::map<std::string, ChartView*> views_by_id_;
  std::vector<ChartView*> order_;
  std::vector<QLabel*> captions_;
  QGridLayout* grid_;
  QLabel* empty_;
  QTimer* timer_;
};

}  // namespace racetrack::gui
