// Presenter sizes were chosen by looking at 1920x1080 screenshots scaled to a third: tick labels
// must still be legible, and a 2 px line disappears on a projector, so lines are 5 px.

#include "gui/theme.h"

#include <QAbstractAxis>
#include <QAbstractBarSeries>
#include <QApplication>
#include <QBarSet>
#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QPalette>
#include <QScatterSeries>
#include <QStyle>
#include <QXYSeries>

#include "reports/svg_chart.h"

namespace racetrack::gui {

Theme Theme::Normal() { return Theme(); }

Theme Theme::Presenter() {
  Theme t;
  t.presenter = true;
  t.base_pt = 18;
  t.title_pt = 24;
  t.axis_pt = 16;
  t.line_width = 5.0;
  t.marker_size = 12.0;
  t.text = Qt::black;
  t.grid = QColor(0xb0, 0xb0, 0xb0);
  t.fail = QColor(0xd0, 0x00, 0x00);
  return t;
}

QFont Theme::Font(int pt, bool bold) const {
  QFont f(QStringLiteral("DejaVu Sans"));
  f.setPointSize(pt);
  f.setBold(bold);
  return f;
}

QColor Theme::SeriesColor(int index) { return QColor(reports::PaletteColor(index)); }

void ApplyTheme(QApplication& app, const Theme& theme) {
  QPalette p = app.style() ? app.style()->standardPalette() : QPalette();
  p.setColor(QPalette::Window, theme.presenter ? Qt::white : QColor(0xf4, 0xf4, 0xf4));
  p.setColor(QPalette::WindowText, theme.text);
  p.setColor(QPalette::Base, Qt::white);
  p.setColor(QPalette::Text, theme.text);
  p.setColor(QPalette::ButtonText, theme.text);
  p.setColor(QPalette::Highlight, QColor(0x00, 0x5a, 0x9c));
  p.setColor(QPalette::HighlightedText, Qt::white);
  app.setPalette(p);
  app.setFont(theme.Font(theme.base_pt));
}

void StyleChart(QChart* chart, const Theme& theme) {
  chart->setTitleFont(theme.Font(theme.title_pt, true));
  chart->setTitleBrush(theme.text);
  chart->setBackgroundBrush(theme.background);
  chart->legend()->setFont(theme.Font(theme.axis_pt));
  chart->legend()->setLabelColor(theme.text);
  // Big type does not fit many legend entries in one row: stack them on the right instead
  // (BuildChart also does when the names are long).
  const int n = static_cast<int>(chart->series().count());
  if ((theme.presenter && n > 3) || n > 6) chart->legend()->setAlignment(Qt::AlignRight);
  chart->setMargins(theme.presenter ? QMargins(8, 8, 8, 8) : QMargins(4, 4, 4, 4));
  for (QAbstractAxis* axis : chart->axes()) {
    axis->setLabelsFont(theme.Font(theme.axis_pt));
    axis->setLabelsColor(theme.text);
    axis->setTitleFont(theme.Font(theme.axis_pt, true));
    axis->setTitleBrush(theme.text);
    axis->setGridLineColor(theme.grid);
    QPen line = axis->linePen();
    line.setColor(theme.text);
    line.setWidthF(theme.presenter ? 2 : 1);
    axis->setLinePen(line);
  }
  for (QAbstractSeries* s : chart->series()) {
    if (auto* scatter = qobject_cast<QScatterSeries*>(s)) {
      scatter->setMarkerSize(theme.marker_size);
    } else if (auto* xy = qobject_cast<QXYSeries*>(s)) {
      QPen pen = xy->pen();
      // Reference lines (limits, models) stay thinner than data so the data reads first.
      pen.setWidthF(pen.style() == Qt::SolidLine ? theme.line_width : theme.line_width * 0.6);
      xy->setPen(pen);
      xy->setMarkerSize(theme.marker_size);
    }
  }
}

}  // namespace racetrack::gui
