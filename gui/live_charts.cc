// The figure chart plots cumulative figures against the time since the start of each approach's
// timed phase, so approaches run one after another still share one x axis and can be compared
// at the same moment of their runs (the harness runs them in sequence, not side by side).

#include "gui/live_charts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QGridLayout>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QTimer>
#include <QVBarModelMapper>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "gui/records_model.h"

namespace racetrack::gui {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

QChart* NewChart(const QString& title) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->legend()->setAlignment(Qt::AlignBottom);
  return chart;
}

}  // namespace

LiveCharts::LiveCharts(const QString& figure, const QString& figure_title,
                       std::vector<std::string> approaches, RecordsModel* model,
                       const Theme& theme, QWidget* parent)
    : QWidget(parent), figure_(figure), model_(model), theme_(theme),
      approaches_(std::move(approaches)) {
  // The figure chart.
  QChart* fc = NewChart(figure_title);
  figure_x_ = new QValueAxis;
  figure_x_->setTitleText(tr("time since the approach started (s)"));
  figure_x_->setRange(0, 1);
  figure_x_->setLabelFormat("%.1f");
  figure_y_ = new QValueAxis;
  figure_y_->setTitleText(figure_.isEmpty() ? tr("operations per second")
                                            : QString(figure_).replace('_', ' '));
  figure_y_->setRange(0, figure_.endsWith("_ratio") ? 1 : 10);
  figure_y_->setLabelFormat("%g");
  fc->addAxis(figure_x_, Qt::AlignBottom);
  fc->addAxis(figure_y_, Qt::AlignLeft);
  figure_view_ = new ChartView(fc, this);
  figure_view_->SetSpecId(figure_.isEmpty() ? "live_throughput" : "live_" + figure_);

  // The tail chart.
  QChart* tc = NewChart(tr("p99 latency per 100 ms interval"));
  tail_x_ = new QValueAxis;
  tail_x_->setTitleText(tr("time since the approach started (s)"));
  tail_x_->setRange(0, 1);
  tail_x_->setLabelFormat("%.1f");
  tail_y_ = new QLogValueAxis;
  tail_y_->setBase(10);
  tail_y_->setLabelFormat("%g");
  tail_y_->setTitleText(tr("p99 (µs)"));
  tail_y_->setRange(1, 1000);
  tail_y_->setMinorTickCount(-1);
  tc->addAxis(tail_x_, Qt::AlignBottom);
  tc->addAxis(tail_y_, Qt::AlignLeft);
  tail_view_ = new ChartView(tc, this);
  tail_view_->SetSpecId("live_p99");

  // The bars, from the model.
  const bool counts = figure_ == "lost_updates";
  QChart* bc = NewChart(counts ? tr("Expected vs observed count") : tr("Throughput so far"));
  bars_ = new QBarSeries;
  bc->addSeries(bars_);
  bars_x_ = new QBarCategoryAxis;
  bars_y_ = new QValueAxis;
  bars_y_->setRange(0, 10);
  bars_y_->setLabelFormat("%g");
  bars_y_->setTitleText(counts ? tr("increments") : tr("operations per second"));
  bc->addAxis(bars_x_, Qt::AlignBottom);
  bc->addAxis(bars_y_, Qt::AlignLeft);
  bars_->attachAxis(bars_x_);
  bars_->attachAxis(bars_y_);
  mapper_ = new QVBarModelMapper(this);
  mapper_->setFirstBarSetColumn(counts ? RecordsModel::kExpected : RecordsModel::kThroughput);
  mapper_->setLastBarSetColumn(counts ? RecordsModel::kObserved : RecordsModel::kThroughput);
  mapper_->setFirstRow(0);
  mapper_->setSeries(bars_);
  mapper_->setModel(model_);
  bars_view_ = new ChartView(bc, this);
  bars_view_->SetSpecId(counts ? "live_expected_vs_observed" : "live_throughput_bars");
  connect(model_, &QAbstractItemModel::rowsInserted, this, &LiveCharts::UpdateBarCategories);
  connect(model_, &QAbstractItemModel::modelReset, this, &LiveCharts::UpdateBarCategories);
  connect(model_, &QAbstractItemModel::dataChanged, this, &LiveCharts::UpdateBarCategories);

  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->addWidget(figure_view_, 0, 0);
  grid->addWidget(bars_view_, 0, 1);
  grid->addWidget(tail_view_, 1, 0, 1, 2);
  grid->setRowStretch(0, 3);
  grid->setRowStretch(1, 2);

  timer_ = new QTimer(this);
  timer_->setInterval(100);
  connect(timer_, &QTimer::timeout, this, &LiveCharts::Flush);
  timer_->start();
  SetTheme(theme);
}

void LiveCharts::SetTheme(const Theme& theme) {
  theme_ = theme;
  for (ChartView* v : views()) StyleChart(v->chart(), theme_);
  tail_view_->setMinimumHeight(theme_.presenter ? 330 : 200);
  for (QBarSet* set : bars_->barSets()) {
    set->setColor(set->label() == tr("observed") ? Theme::SeriesColor(0) : QColor(0x99, 0x99, 0x99));
  }
}

void LiveCharts::Clear() {
  pending_.clear();
  for (auto* m : {&figure_series_, &tail_series_}) {
    for (auto& [key, s] : *m) {
      s->chart()->removeSeries(s);
      delete s;
    }
    m->clear();
  }
  targets_.clear();
  figure_max_ = 0;
  t_max_ = 1;
  tail_min_ = 1e9;
  tail_max_ = 0;
  figure_x_->setRange(0, 1);
  figure_y_->setRange(0, figure_.endsWith("_ratio") ? 1 : 10);
  tail_x_->setRange(0, 1);
  tail_y_->setRange(1, 1000);
}

void LiveCharts::AddSample(const bench::IntervalSample& sample) {
  if (sample.repetition < 0) return;  // warm-up is not part of the picture
  pending_.push_back(sample);
}

QLineSeries* LiveCharts::SeriesFor(QChart* chart, QValueAxis* x, QAbstractAxis* y,
                                   std::map<std::string, QLineSeries*>& by_key,
                                   const bench::IntervalSample& sample) {
  const std::string key = sample.approach + " · " + sample.target;
  auto it = by_key.find(key);
  if (it != by_key.end()) return it->second;
  auto a = std::find(approaches_.begin(), approaches_.end(), sample.approach);
  if (a == approaches_.end()) a = approaches_.insert(approaches_.end(), sample.approach);
  auto t = std::find(targets_.begin(), targets_.end(), sample.target);
  if (t == targets_.end()) t = targets_.insert(targets_.end(), sample.target);
  auto* series = new QLineSeries;
  series->setName(Q(key));
  QPen pen(Theme::SeriesColor(static_cast<int>(a - approaches_.begin())));
  pen.setWidthF(theme_.line_width);
  static constexpr Qt::PenStyle kStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine,
                                             Qt::DashDotLine};
  pen.setStyle(kStyles[(t - targets_.begin()) % 4]);
  series->setPen(pen);
  chart->addSeries(series);
  series->attachAxis(x);
  series->attachAxis(y);
  by_key[key] = series;
  StyleChart(chart, theme_);
  return series;
}

void LiveCharts::Flush() {
  if (pending_.empty()) return;
  for (const bench::IntervalSample& s : pending_) {
    double value = s.throughput_ops_s;
    if (!figure_.isEmpty()) {
      auto f = s.figures.find(figure_.toStdString());
      if (f == s.figures.end()) continue;
      value = f->second;
    }
    SeriesFor(figure_view_->chart(), figure_x_, figure_y_, figure_series_, s)->append(s.t_s, value);
    figure_max_ = std::max(figure_max_, value);
    t_max_ = std::max(t_max_, s.t_s);
    if (s.p99_us > 0) {
      SeriesFor(tail_view_->chart(), tail_x_, tail_y_, tail_series_, s)->append(s.t_s, s.p99_us);
      tail_min_ = std::min(tail_min_, s.p99_us);
      tail_max_ = std::max(tail_max_, s.p99_us);
    }
  }
  pending_.clear();
  figure_x_->setRange(0, std::ceil(t_max_ * 2) / 2);
  figure_x_->applyNiceNumbers();
  // A ratio (the cache lesson's hit_ratio) lives in [0, 1]; counts get at least 0..10.
  const bool ratio = figure_.endsWith("_ratio");
  figure_y_->setRange(0, ratio ? 1.0 : std::max(10.0, figure_max_ * 1.1));
  if (!ratio) figure_y_->applyNiceNumbers();
  tail_x_->setRange(0, std::ceil(t_max_ * 2) / 2);
  tail_x_->applyNiceNumbers();
  if (tail_max_ > 0) {
    tail_y_->setRange(std::pow(10, std::floor(std::log10(tail_min_))),
                      std::pow(10, std::ceil(std::log10(tail_max_ * 1.01))));
  }
}

int LiveCharts::FigurePointCount() const {
  int n = 0;
  for (const auto& [key, s] : figure_series_) n += s->count();
  return n;
}

void LiveCharts::UpdateBarCategories() {
  QStringList labels = model_->RowLabels();
  if (bars_x_->categories() != labels) {
    bars_x_->clear();
    bars_x_->append(labels);
  }
  double hi = 0;
  for (QBarSet* set : bars_->barSets()) {
    for (int i = 0; i < set->count(); ++i) hi = std::max(hi, set->at(i));
  }
  bars_y_->setRange(0, std::max(10.0, hi * 1.1));
  bars_y_->applyNiceNumbers();
  for (QBarSet* set : bars_->barSets()) {
    const bool observed = set->label() == tr("observed");
    set->setColor(observed ? Theme::SeriesColor(0) : QColor(0x99, 0x99, 0x99));
    set->setBorderColor(Qt::transparent);
    set->setSelectedColor(theme_.fail);
    // An observed count short of the expected one is drawn red: that gap is the lost updates.
    const auto& rows = model_->rows();
    for (int i = 0; i < set->count() && i < static_cast<int>(rows.size()); ++i) {
      bool short_of = observed && rows[i].lost && *rows[i].lost > 0;
      if (short_of != set->isBarSelected(i)) set->setBarSelected(i, short_of);
    }
  }
}

}  // namespace racetrack::gui
