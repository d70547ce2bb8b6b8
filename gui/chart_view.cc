// Why build Qt charts from ChartSpec instead of drawing the GUI's own: the reports and the app then
// cannot disagree about what a lesson's chart is (which series, which axis is logarithmic, where
// the limit line sits). The GUI only adds interaction (export, live updates) on top.

#include "gui/chart_view.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QScatterSeries>
#include <QSvgGenerator>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

namespace racetrack::gui {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

QAbstractAxis* MakeAxis(const reports::AxisSpec& spec, double lo, double hi, bool percent_data) {
  QAbstractAxis* axis;
  if (spec.scale == reports::Scale::kLog) {
    auto* log = new QLogValueAxis;
    log->setBase(10);
    log->setLabelFormat("%g");
    log->setMinorTickCount(-1);
    double min = spec.min && *spec.min > 0 ? *spec.min : lo;
    double max = spec.max ? *spec.max : hi;
    if (min > 0 && max > min) {
      // Whole decades at the ends, so the ticks land on 1, 10, 100 ...
      log->setRange(std::pow(10, std::floor(std::log10(min))), std::pow(10, std::ceil(std::log10(max))));
    }
    axis = log;
  } else {
    auto* lin = new QValueAxis;
    double scale = percent_data ? 100 : 1;
    double min = spec.min ? *spec.min * scale : lo;
    double max = spec.max ? *spec.max * scale : hi;
    if (max > min) lin->setRange(min, max);
    if (percent_data) {
      lin->setLabelFormat("%.0f%%");
    } else {
      lin->applyNiceNumbers();
      lin->setLabelFormat("%g");
    }
    axis = lin;
  }
  axis->setTitleText(AxisTitle(spec));
  axis->setTruncateLabels(false);
  return axis;
}

struct Extent {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void Add(double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool valid() const { return lo <= hi; }
};

QChart* BuildXY(const reports::ChartSpec& spec, const Theme& theme, QChart* chart) {
  const bool xlog = spec.x.scale == reports::Scale::kLog;
  const bool ylog = spec.y.scale == reports::Scale::kLog;
  const double yscale = spec.y.percent ? 100 : 1;
  Extent ex, ey;
  std::vector<QXYSeries*> data;
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const reports::XYSeries& s = spec.series[i];
    QXYSeries* series;
    if (s.style == reports::SeriesStyle::kScatter) {
      series = new QScatterSeries;
    } else {
      series = new QLineSeries;
    }
    series->setName(Q(s.name));
    QColor color = Theme::SeriesColor(s.color >= 0 ? s.color : static_cast<int>(i));
    QPen pen(color);
    pen.setWidthF(theme.line_width);
    static constexpr Qt::PenStyle kDash[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine,
                                             Qt::DashDotLine};
    pen.setStyle(s.style == reports::SeriesStyle::kDashed ? Qt::DashLine : kDash[((s.dash % 4) + 4) % 4]);
    series->setPen(pen);
    series->setColor(color);
    if (s.style == reports::SeriesStyle::kLine) series->setPointsVisible(true);
    double prev_y = 0;
    bool first = true;
    for (const reports::Point& p : s.points) {
      double x = p.x, y = p.y * yscale;
      if ((xlog && x <= 0) || (ylog && y <= 0)) continue;
      if (s.style == reports::SeriesStyle::kStep && !first) series->append(x, prev_y);
      series->append(x, y);
      ex.Add(x);
      ey.Add(y);
      prev_y = y;
      first = false;
    }
    data.push_back(series);
  }
  for (const reports::LimitLine& l : spec.limits) ey.Add(l.y * yscale);
  if (!ex.valid()) ex = {1, 10};
  if (!ey.valid()) ey = {1, 10};
  if (ey.hi <= ey.lo) ey.hi = ey.lo + 1;
  QAbstractAxis* x = MakeAxis(spec.x, ex.lo, ex.hi, false);
  QAbstractAxis* y = MakeAxis(spec.y, ylog ? ey.lo : std::min(0.0, ey.lo), ey.hi * (ylog ? 1 : 1.05),
                              spec.y.percent);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  auto attach = [&](QAbstractSeries* s) {
    chart->addSeries(s);
    s->attachAxis(x);
    s->attachAxis(y);
  };
  // Regions first so they sit behind the data.
  const double band_lo = ylog ? ey.lo : std::min(0.0, ey.lo);
  for (const reports::Region& r : spec.regions) {
    auto* upper = new QLineSeries;
    auto* lower = new QLineSeries;
    upper->append(r.x0, ey.hi * 1.05);
    upper->append(r.x1, ey.hi * 1.05);
    lower->append(r.x0, band_lo);
    lower->append(r.x1, band_lo);
    auto* area = new QAreaSeries(upper, lower);
    area->setName(Q(r.label));
    QColor fill = theme.fail;
    fill.setAlpha(45);
    area->setBrush(fill);
    area->setPen(Qt::NoPen);
    attach(area);
  }
  for (QXYSeries* s : data) attach(s);
  for (const reports::LimitLine& l : spec.limits) {
    auto* line = new QLineSeries;
    line->setName(Q(l.label));
    QPen pen(theme.fail);
    pen.setStyle(Qt::DashLine);
    pen.setWidthF(theme.line_width);
    line->setPen(pen);
    line->append(ex.lo, l.y * yscale);
    line->append(ex.hi, l.y * yscale);
    attach(line);
  }
  return chart;
}

QChart* BuildBars(const reports::ChartSpec& spec, QChart* chart) {
  auto* series = new QBarSeries;
  double hi = 0;
  // A log y (the cache lesson's tiers, 0.5 µs .. 50 ms): bars start at the axis minimum, and a
  // missing value is drawn as no bar by sitting on it.
  const bool ylog = spec.y.scale == reports::Scale::kLog;
  double lo = 0;
  for (const reports::BarSeries& b : spec.bars) {
    for (const auto& v : b.values) {
      if (v && *v > 0 && (lo == 0 || *v < lo)) lo = *v;
    }
  }
  const double floor = lo > 0 ? std::pow(10.0, std::floor(std::log10(lo))) : 1;
  for (size_t i = 0; i < spec.bars.size(); ++i) {
    const reports::BarSeries& b = spec.bars[i];
    auto* set = new QBarSet(Q(b.name));
    const QColor color = Theme::SeriesColor(b.color >= 0 ? b.color : static_cast<int>(i));
    set->setColor(color);
    set->setBorderColor(Qt::transparent);
    // A failed bar keeps its series' hue (its target stays readable), darkened; the SVG report
    // hatches it instead (a QBarSet has one brush for all its bars).
    set->setSelectedColor(color.darker(180));
    for (size_t k = 0; k < b.values.size(); ++k) {
      double v = b.values[k].value_or(0) * (spec.y.percent ? 100 : 1);
      if (ylog && v < floor) v = floor;
      set->append(v);
      hi = std::max(hi, v);
      if (k < b.flagged.size() && b.flagged[k]) set->selectBar(static_cast<int>(k));
    }
    series->append(set);
  }
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis;
  size_t longest = 0, total = 0;
  for (const std::string& c : spec.categories) {
    x->append(Q(c));
    longest = std::max(longest, c.size());
    total += c.size();
  }
  // Qt elides a category label wider than its slot ("client-r..."): tilt them, uncut.
  if (total > 36 || longest > 12) x->setLabelsAngle(-35);
  x->setTruncateLabels(false);
  x->setTitleText(AxisTitle(spec.x));
  QAbstractAxis* y;
  if (ylog) {
    auto* log = new QLogValueAxis;
    log->setBase(10);
    log->setRange(floor, std::pow(10.0, std::ceil(std::log10(std::max(hi, floor * 10)))));
    log->setLabelFormat("%g");
    y = log;
  } else {
    auto* linear = new QValueAxis;
    linear->setRange(spec.y.min.value_or(0), spec.y.max.value_or(hi > 0 ? hi * 1.1 : 1));
    linear->applyNiceNumbers();
    linear->setLabelFormat(spec.y.percent ? "%.0f%%" : "%g");
    y = linear;
  }
  y->setTitleText(AxisTitle(spec.y));
  y->setTruncateLabels(false);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  return chart;
}

}  // namespace

QString AxisTitle(const reports::AxisSpec& axis) {
  QString t = Q(axis.title);
  if (!axis.unit.empty() && axis.unit != "%") t += " (" + Q(axis.unit) + ")";
  return t;
}

QChart* BuildChart(const reports::ChartSpec& spec, const Theme& theme) {
  auto* chart = new QChart;
  // Qt elides a title wider than the chart: a long one is broken into two lines instead.
  QString title = Q(spec.title).toHtmlEscaped();
  if (title.size() > 44) {
    int cut = static_cast<int>(title.size() / 2);
    int space = static_cast<int>(title.lastIndexOf(' ', cut));
    if (space < 10) space = static_cast<int>(title.indexOf(' ', cut));
    if (space > 0) title = title.left(space) + "<br>" + title.mid(space + 1);
  }
  chart->setTitle(title);
  chart->legend()->setAlignment(Qt::AlignBottom);
  if (spec.kind == reports::ChartKind::kBars) {
    BuildBars(spec, chart);
  } else {
    BuildXY(spec, theme, chart);
  }
  // Regions (added first) are explained by the caption and labelled on the SVG; in Qt's legend
  // their long labels would squeeze (and elide) the data series' names.
  if (spec.kind == reports::ChartKind::kXY) {
    const QList<QAbstractSeries*> all = chart->series();
    for (qsizetype i = 0; i < all.size() && i < static_cast<qsizetype>(spec.regions.size()); ++i) {
      for (QLegendMarker* m : chart->legend()->markers(all[i])) m->setVisible(false);
    }
  }
  StyleChart(chart, theme);
  // Qt elides legend labels that do not fit one row below the plot ("client-..."): when the
  // entries would not fit about 420 px, stack them on the right, where each gets its own line.
  int n = 0, chars = 0;
  auto count = [&](const std::string& name) {
    ++n;
    chars += static_cast<int>(Q(name).size());
  };
  for (const auto& s : spec.series) count(s.name);
  for (const auto& b : spec.bars) count(b.name);
  for (const auto& l : spec.limits) count(l.label);
  if (chars * theme.axis_pt * 7 / 9 + n * 30 > 420 || (theme.presenter && n > 3)) {
    chart->legend()->setAlignment(Qt::AlignRight);
  }
  return chart;
}

ChartView::ChartView(QChart* chart, QWidget* parent) : QChartView(chart, parent) {
  setRenderHint(QPainter::Antialiasing);
  setMinimumSize(320, 240);
}

QString ChartView::Export(const QString& path, QSize size) {
  if (!size.isValid()) size = this->size();
  if (size.width() < 50 || size.height() < 50) size = QSize(1200, 700);
  const QRect target(QPoint(0, 0), size);
  // Render the scene at the export size, not the on-screen one, so exports are never tiny.
  QSize old = this->size();
  resize(size);
  QString error;
  if (path.endsWith(".svg", Qt::CaseInsensitive)) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(target);
    svg.setTitle(chart()->title());
    QPainter painter;
    if (!painter.begin(&svg)) {
      error = path + ": cannot write the SVG file";
    } else {
      render(&painter, target, QRect(), Qt::IgnoreAspectRatio);
      painter.end();
    }
  } else {
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    render(&painter, target, QRect(), Qt::IgnoreAspectRatio);
    painter.end();
    if (!image.save(path, "PNG")) error = path + ": cannot write the PNG file";
  }
  resize(old);
  if (error.isEmpty() && QFileInfo(path).size() == 0) error = path + ": nothing was written";
  return error;
}

void ChartView::ExportWithDialog() {
  QString name = (spec_id_.isEmpty() ? QStringLiteral("chart") : spec_id_) + ".png";
  QString path = QFileDialog::getSaveFileName(this, tr("Save chart"), name,
                                              tr("PNG image (*.png);;SVG drawing (*.svg)"));
  if (path.isEmpty()) return;
  QString error = Export(path, QSize(1600, 900));
  if (!error.isEmpty()) QMessageBox::warning(this, tr("Save chart"), error);
}

void ChartView::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  menu.addAction(tr("Save chart as PNG or SVG..."), this, &ChartView::ExportWithDialog);
  menu.addAction(tr("Copy chart image"), this, [this] {
    QGuiApplication::clipboard()->setPixmap(grab());
  });
  menu.exec(event->globalPos());
}

}  // namespace racetrack::gui
