// Theme: how the app looks in its two modes. Normal is a desktop window; presenter is for a
// projector at the back of a classroom: large type, thick lines, pure black on white, full screen.
// Everything that draws (pages, charts, the race replay) takes its sizes and colours from here, so
// switching mode is re-applying one Theme.
//
// Thread-safety: plain values; GUI thread only for the functions that touch widgets.
#pragma once

#include <QColor>
#include <QFont>

class QApplication;
class QChart;

namespace racetrack::gui {

struct Theme {
  bool presenter = false;
  int base_pt = 10;         // body text
  int title_pt = 14;        // chart titles, page question
  int axis_pt = 9;          // tick labels
  qreal line_width = 2.0;   // series pens
  qreal marker_size = 7.0;
  QColor text = QColor(0x20, 0x20, 0x20);
  QColor background = Qt::white;
  QColor grid = QColor(0xdd, 0xdd, 0xdd);
  QColor fail = QColor(0xc6, 0x28, 0x28);  // wrong answers, lost updates, dead targets

  static Theme Normal();
  static Theme Presenter();

  QFont Font(int pt, bool bold = false) const;
  // Series colour i, the same palette (Okabe-Ito) the SVG reports use.
  static QColor SeriesColor(int index);
};

// Applies the theme's palette and base font to the whole application.
void ApplyTheme(QApplication& app, const Theme& theme);

// Fonts, pens and colours of an already-built chart: titles, axes, legend and every series.
void StyleChart(QChart* chart, const Theme& theme);

}  // namespace racetrack::gui
