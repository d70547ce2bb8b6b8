// LiveCharts: the charts that move while a run is going, fed by the harness's per-interval samples
// (bench::IntervalSample, one per approach x target every 100 ms):
//
//   figure chart   the lesson's live figure per approach x target over time — for counters the
//                  lost updates so far, climbing for the unsafe approaches and flat at 0 for the
//                  safe ones; for a lesson without live figures, throughput per interval
//   tail chart     p99 latency per interval (log axis), per approach x target
//   count bars     expected vs observed count per approach (from RecordsModel, through a
//                  QVBarModelMapper: the table and this chart share one model)
//
// Samples are queued by AddSample and appended to the series by a 10 Hz timer, chartsgallery's
// "timer appending points", so a burst of samples costs one repaint.
//
// Thread-safety: GUI thread only.
#pragma once

#include <QString>
#include <QWidget>
#include <map>
#include <string>
#include <vector>

#include "bench/harness.h"
#include "gui/chart_view.h"
#include "gui/theme.h"

class QAbstractAxis;
class QBarSeries;
class QBarCategoryAxis;
class QLineSeries;
class QLogValueAxis;
class QTimer;
class QValueAxis;
class QVBarModelMapper;

namespace racetrack::gui {

class RecordsModel;

class LiveCharts : public QWidget {
  Q_OBJECT

 public:
  // figure: the live figure to plot ("lost_updates"); empty = throughput per interval.
  // approaches: the scenario's approach ids, in order (an approach keeps its colour, as in the
  // reports).
  LiveCharts(const QString& figure, const QString& figure_title,
             std::vector<std::string> approaches, RecordsModel* model, const Theme& theme,
             QWidget* parent = nullptr);

  void Clear();
  void AddSample(const bench::IntervalSample& sample);
  // Appends what is queued now (the timer does this on its own).
  void Flush();
  void SetTheme(const Theme& theme);

  // The views, in display order, for export and screenshots.
  std::vector<ChartView*> views() const { return {figure_view_, bars_view_, tail_view_}; }
  // Points appended so far across the figure chart's series.
  int FigurePointCount() const;
  // The largest value plotted on the figure chart so far (lost updates so far, for counters).
  double FigureMax() const { return figure_max_; }

 private:
  QLineSeries* SeriesFor(QChart* chart, QValueAxis* x, QAbstractAxis* y,
                         std::map<std::string, QLineSeries*>& by_key,
                         const bench::IntervalSample& sample);
  void UpdateBarCategories();

  QString figure_;
  RecordsModel* model_;
  Theme theme_;
  ChartView* figure_view_;
  ChartView* tail_view_;
  ChartView* bars_view_;
  QValueAxis* figure_x_;
  QValueAxis* figure_y_;
  QValueAxis* tail_x_;
  QLogValueAxis* tail_y_;
  QBarSeries* bars_;
  QBarCategoryAxis* bars_x_;
  QValueAxis* bars_y_;
  QVBarModelMapper* mapper_;
  std::map<std::string, QLineSeries*> figure_series_, tail_series_;
  std::vector<std::string> approaches_;
  std::vector<std::string> targets_;  // in order of appearance: target k gets pen style k
  std::vector<bench::IntervalSample> pending_;
  QTimer* timer_;
  double figure_max_ = 0, t_max_ = 1, tail_min_ = 1e9, tail_max_ = 0;
};

}  // namespace racetrack::gui
