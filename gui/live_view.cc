// Why rebuild whole QCharts instead of appending points to series: the chart a lesson shows live
// is then exactly the ChartSpec the report renders (same series, same axes, same limit lines and
// highlighted bursts), with no second GUI-only definition to drift. A rebuild of a few hundred
// points at 10 Hz is cheap next to the run itself.

#include "gui/live_view.h"

#include <QChart>
#include <QGridLayout>
#include <QLabel>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "gui/chart_view.h"
#include "reports/lesson_charts.h"

namespace racetrack::gui {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

bool IsFigureChart(const reports::ChartSpec& spec) { return spec.id.rfind("live_", 0) == 0; }

}  // namespace

LiveView::LiveView(std::string scenario, std::vector<std::string> live_figures,
                   const Theme& theme, QWidget* parent)
    : QWidget(parent), scenario_(std::move(scenario)), live_figures_(std::move(live_figures)),
      theme_(theme) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  empty_ = new QLabel(tr("Run the lesson (Ctrl+R): its charts move here as the run goes."), this);
  empty_->setAlignment(Qt::AlignCenter);
  outer->addWidget(empty_);
  grid_ = new QGridLayout;
  grid_->setContentsMargins(0, 0, 0, 0);
  outer->addLayout(grid_, 1);
  timer_ = new QTimer(this);
  timer_->setInterval(100);
  connect(timer_, &QTimer::timeout, this, &LiveView::Flush);
  timer_->start();
  Clear();
}

void LiveView::Clear() {
  runs_.assign(1, results::Results{});
  runs_.front().label = "this run";
  partial_.clear();
  dirty_ = true;
  Flush();
}

void LiveView::AddSample(const bench::IntervalSample& sample) {
  if (sample.repetition < 0) return;  // warm-up is not part of the picture
  if (runs_.size() != 1) Clear();     // a run replaces what a file showed
  std::vector<results::Record>& records = runs_.front().records;
  const std::string key = sample.approach + "\t" + sample.target;
  auto it = partial_.find(key);
  // A new repetition or parameter point restarts the clock: it gets a fresh partial record.
  if (it != partial_.end() && !records[it->second].timeseries.t_s.empty() &&
      sample.t_s < records[it->second].timeseries.t_s.back()) {
    records[it->second].timeseries = {};
  }
  if (it == partial_.end()) {
    results::Record r;
    r.scenario = sample.scenario;
    r.approach = sample.approach;
    r.target = sample.target;
    records.push_back(std::move(r));
    it = partial_.emplace(key, records.size() - 1).first;
  }
  results::Timeseries& ts = records[it->second].timeseries;
  if (sample.throughput_ops_s > 0 && sample.ops > 0) {
    ts.interval_ms = static_cast<double>(sample.ops) * 1000 / sample.throughput_ops_s;
  }
  ts.t_s.push_back(sample.t_s);
  ts.ops.push_back(static_cast<double>(sample.ops));
  ts.p99_us.push_back(sample.p99_us);
  for (const auto& [name, value] : sample.figures) ts.figures[name].push_back(value);
  dirty_ = true;
}

void LiveView::AddRecord(const results::Record& record) {
  if (runs_.size() != 1) Clear();
  std::vector<results::Record>& records = runs_.front().records;
  auto it = partial_.find(record.approach + "\t" + record.target);
  if (it != partial_.end()) {
    // The finished record takes the partial's place (same position: the approach keeps its
    // series order), and keeps the median repetition's time series.
    const size_t at = it->second;
    records[at] = record;
    partial_.erase(it);
  } else {
    records.push_back(record);
  }
  dirty_ = true;
  Flush();  // records are few: each one moves the lesson's charts at once
}

void LiveView::ShowRuns(const std::vector<results::Results>& runs) {
  runs_ = runs;
  partial_.clear();
  dirty_ = true;
  Flush();
}

void LiveView::Flush() {
  if (!dirty_) return;
  dirty_ = false;
  specs_ = reports::LiveLessonCharts(scenario_, runs_, live_figures_);
  Render();
}

void LiveView::Render() {
  // Views are kept by spec id, so a chart keeps its place while it is rebuilt.
  std::map<std::string, ChartView*> keep;
  order_.clear();
  for (QLabel* c : captions_) c->deleteLater();
  captions_.clear();
  while (QLayoutItem* item = grid_->takeAt(0)) delete item;
  for (const reports::ChartSpec& spec : specs_) {
    ChartView* view;
    auto it = views_by_id_.find(spec.id);
    if (it != views_by_id_.end()) {
      view = it->second;
      views_by_id_.erase(it);
      QChart* old = view->chart();
      view->setChart(BuildChart(spec, theme_));
      delete old;
    } else {
      view = new ChartView(BuildChart(spec, theme_), this);
      view->SetSpecId(Q(spec.id));
    }
    view->setMinimumHeight(theme_.presenter ? 420 : 260);
    keep[spec.id] = view;
    order_.push_back(view);
  }
  for (auto& [id, view] : views_by_id_) view->deleteLater();  // charts no longer produced
  views_by_id_ = std::move(keep);

  // The live figure charts (one per target) share the first row(s); the lesson's charts follow.
  const int columns = theme_.presenter ? 1 : 2;
  int row = 0, col = 0;
  auto place = [&](size_t i) {
    const reports::ChartSpec& spec = specs_[i];
    auto* caption = new QLabel(Q(spec.subtitle + (spec.note.empty() ? "" : "\n" + spec.note)), this);
    caption->setWordWrap(true);
    caption->setFont(theme_.Font(theme_.axis_pt));
    captions_.push_back(caption);
    grid_->addWidget(order_[i], row * 2, col);
    grid_->addWidget(caption, row * 2 + 1, col);
    if (++col == columns) {
      col = 0;
      ++row;
    }
  };
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (IsFigureChart(specs_[i])) place(i);
  }
  if (col != 0) {
    col = 0;
    ++row;
  }
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (!IsFigureChart(specs_[i])) place(i);
  }
  empty_->setVisible(specs_.empty());
}

void LiveView::SetTheme(const Theme& theme) {
  theme_ = theme;
  dirty_ = true;
  Flush();
}

std::vector<ChartView*> LiveView::views() const { return order_; }

int LiveView::FigurePointCount() const {
  int n = 0;
  for (const reports::ChartSpec& spec : specs_) {
    if (!IsFigureChart(spec)) continue;
    for (const reports::XYSeries& s : spec.series) n += static_cast<int>(s.points.size());
  }
  return n;
}

double LiveView::FigureMax() const {
  double hi = 0;
  for (const reports::ChartSpec& spec : specs_) {
    if (!IsFigureChart(spec)) continue;
    for (const reports::XYSeries& s : spec.series) {
      for (const reports::Point& p : s.points) hi = std::max(hi, p.y);
    }
  }
  return hi;
}

}  // namespace racetrack::gui
