// ChartView: a QChartView that can export itself (PNG or SVG) and re-style itself when the theme
// changes; and BuildChart, which maps a reports::ChartSpec (the data-only chart description shared
// with the SVG reports, reports/chart_spec.h) onto Qt Charts, so the GUI and the reports draw the
// same lesson charts from one definition.
//
// Mapping: kLine -> QLineSeries with point markers, kScatter -> QScatterSeries, kStep -> a
// QLineSeries through the step's corners, kDashed -> a dashed QLineSeries, XYSeries::dash -> the
// pen's style; bars -> QBarSeries with flagged (failed-check) bars selected and drawn in a dark
// shade of their series colour; limit lines -> dashed
// horizontal series; regions -> translucent QAreaSeries. Log scales -> QLogValueAxis (points <= 0
// are dropped, as the SVG writer does).
//
// Thread-safety: GUI thread only.
#pragma once

#include <QChartView>
#include <QString>

#include "gui/theme.h"
#include "reports/chart_spec.h"

namespace racetrack::gui {

class ChartView : public QChartView {
  Q_OBJECT

 public:
  explicit ChartView(QChart* chart, QWidget* parent = nullptr);

  // Writes the chart to `path`: .svg through QSvgGenerator, anything else as PNG. Returns an
  // empty string on success, else a one-line reason naming the path.
  QString Export(const QString& path, QSize size = QSize());
  // Asks for a file name (suggesting `spec_id`.png) and exports; errors go to a message box.
  void ExportWithDialog();
  // A stable name for exported files ("lost_updates"); from the spec id.
  void SetSpecId(const QString& id) { spec_id_ = id; }
  const QString& spec_id() const { return spec_id_; }

 protected:
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  QString spec_id_;
};

// A chart for `spec`, styled with `theme`. The caller owns it (usually by giving it to a view).
QChart* BuildChart(const reports::ChartSpec& spec, const Theme& theme);

// "Latency (µs)" from an axis spec.
QString AxisTitle(const reports::AxisSpec& axis);

}  // namespace racetrack::gui
