// Columns are execution order, not proportional time: the interesting steps are microseconds
// apart and the pauses between them hundreds, so a true-scale axis would crush the race into a
// few pixels. Each column is labelled with its real timestamp, so the axis is still time.

#include "gui/race_replay.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

#include "adapters/target.h"

namespace racetrack::gui {

namespace {
QString Q(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

SwimlaneView::SwimlaneView(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(260);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

struct SwimlaneView::Geometry {
  int n = 0;      // columns: one per step
  int lanes = 0;  // the counter's own lane on top, then one per client
  int left = 0, right = 16, top = 10, bottom = 0;
  int text_h = 0;  // the bold base font's line height
  double col_w = 0, lane_h = 0;
  double col_x(int i) const { return left + col_w * i; }
  // The counter's lane only holds a number: half the height of a client's lane.
  double lane_y(int lane) const { return lane == 0 ? top : top + lane_h * (lane - 0.5); }
  double lane_height(int lane) const { return lane == 0 ? lane_h / 2 : lane_h; }
};

void SwimlaneView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), theme_.background);
  if (!trace_ || trace_->steps.empty()) {
    p.setPen(theme_.text);
    p.setFont(theme_.Font(theme_.base_pt));
    p.drawText(rect(), Qt::AlignCenter, tr("No recording yet: press \"Record again\"."));
    return;
  }
  const QFontMetrics fm(theme_.Font(theme_.base_pt, true));
  Geometry g;
  g.n = static_cast<int>(trace_->steps.size());
  g.lanes = trace_->clients + 1;
  g.left = fm.horizontalAdvance("Client 8") + 30;
  g.text_h = fm.height();
  g.bottom = g.text_h * 2 + 20;
  g.col_w = double(width() - g.left - g.right) / g.n;
  g.lane_h = double(height() - g.top - g.bottom) / (g.lanes - 0.5);

  PaintLanes(p, g);
  const double pad = std::max(2.0, g.col_w * 0.04);
  QVector<QRectF> boxes(g.n);
  for (int i = 0; i < g.n; ++i) {
    const RaceStep& s = trace_->steps[i];
    boxes[i] = QRectF(g.col_x(i) + pad, g.lane_y(s.client + 1) + g.lane_h * 0.15,
                      g.col_w - 2 * pad, g.lane_h * 0.7);
  }
  PaintSteps(p, g, boxes);
  PaintLostArrows(p, g, boxes);
  PaintCursorAndAxis(p, g);
}

void SwimlaneView::PaintLanes(QPainter& p, const Geometry& g) const {
  p.setFont(theme_.Font(theme_.base_pt, true));
  for (int lane = 0; lane < g.lanes; ++lane) {
    QRectF band(0, g.lane_y(lane), width(), g.lane_height(lane));
    p.fillRect(band, lane % 2 ? QColor(0xf6, 0xf6, 0xf6) : theme_.background);
    p.setPen(theme_.text);
    QString label = lane == 0 ? tr("counter") : tr("Client %1").arg(lane);
    p.drawText(QRectF(8, band.top(), g.left - 12, band.height()), Qt::AlignVCenter | Qt::AlignLeft,
               label);
  }
}

void SwimlaneView::PaintSteps(QPainter& p, const Geometry& g, const QVector<QRectF>& boxes) const {
  const QFont box_font =
      theme_.Font(std::max(7, std::min(theme_.base_pt, int(g.col_w / 5))), true);
  for (int i = 0; i < g.n; ++i) {
    const RaceStep& s = trace_->steps[i];
    const QRectF& box = boxes[i];
    const bool revealed = i < shown_;
    if (!revealed) {
      p.setPen(QPen(theme_.grid, 1, Qt::DotLine));
      p.setBrush(Qt::NoBrush);
      p.drawRoundedRect(box, 6, 6);
      continue;
    }
    const bool is_set = s.kind == RaceStep::Kind::kSet;
    // The lost SET turns red only once the SET that erases it has been shown.
    const bool show_lost = s.lost && s.overwritten_by >= 0 && s.overwritten_by < shown_;
    QColor fill = is_set ? QColor(0xd8, 0xee, 0xd8) : QColor(0xd6, 0xe6, 0xf5);
    QPen pen(theme_.text, theme_.presenter ? 2.5 : 1.2);
    if (show_lost) {
      fill = QColor(0xff, 0xd6, 0xd6);
      pen = QPen(theme_.fail, theme_.presenter ? 5 : 3);
    } else if (s.overwriting && revealed) {
      pen = QPen(theme_.fail, theme_.presenter ? 5 : 3);
    } else if (s.stale_read) {
      pen = QPen(QColor(0xe6, 0x9f, 0x00), theme_.presenter ? 4 : 2.5);
    }
    if (i == shown_ - 1) fill = fill.darker(112);
    p.setPen(pen);
    p.setBrush(fill);
    p.drawRoundedRect(box, 6, 6);
    p.setPen(theme_.text);
    p.setFont(box_font);
    QString text = (is_set ? "SET\n" : "GET\n") + QString::number(s.value);
    p.drawText(box, Qt::AlignCenter, text);
    if (show_lost) {  // strike it out
      p.setPen(QPen(theme_.fail, theme_.presenter ? 4 : 2));
      p.drawLine(box.bottomLeft() + QPointF(4, -4), box.topRight() + QPointF(-4, 4));
    }
    if (is_set) {
      QRectF cell(g.col_x(i), g.lane_y(0), g.col_w, g.lane_height(0));
      p.setPen(show_lost || s.overwriting ? theme_.fail : theme_.text);
      p.setFont(box_font);
      p.drawText(cell, Qt::AlignCenter, "= " + QString::number(s.value));
    }
  }
}

void SwimlaneView::PaintLostArrows(QPainter& p, const Geometry& g,
                                   const QVector<QRectF>& boxes) const {
  for (int i = 0; i < std::min(g.n, shown_); ++i) {
    const RaceStep& s = trace_->steps[i];
    if (!s.lost || s.overwritten_by < 0 || s.overwritten_by >= shown_) continue;
    QPointF a = boxes[s.overwritten_by].center(), b = boxes[i].center();
    QPainterPath path(a);
    path.cubicTo(QPointF(a.x(), (a.y() + b.y()) / 2 - g.lane_h * 0.3),
                 QPointF(b.x(), (a.y() + b.y()) / 2 - g.lane_h * 0.3), b);
    p.setPen(QPen(theme_.fail, theme_.presenter ? 4 : 2, Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
  }
}

void SwimlaneView::PaintCursorAndAxis(QPainter& p, const Geometry& g) const {
  if (shown_ > 0 && shown_ <= g.n) {
    double x = g.col_x(shown_ - 1) + g.col_w / 2;
    p.setPen(QPen(QColor(0x00, 0x5a, 0x9c, 120), theme_.presenter ? 4 : 2));
    p.drawLine(QPointF(x, g.top), QPointF(x, height() - g.bottom + 4));
  }
  p.setPen(theme_.text);
  const QFont tick_font = theme_.Font(std::max(7, std::min(theme_.axis_pt, int(g.col_w / 4.5))));
  p.setFont(tick_font);
  const double axis_y = height() - g.bottom + 6;
  p.drawLine(QPointF(g.left, axis_y), QPointF(width() - g.right, axis_y));
  const int every =
      std::max(1, int(QFontMetrics(tick_font).horizontalAdvance("8888.8") / g.col_w) + 1);
  for (int i = 0; i < g.n; i += every) {
    QRectF cell(g.col_x(i), axis_y + 2, g.col_w * every, g.text_h);
    p.drawText(cell, Qt::AlignLeft | Qt::AlignTop,
               QString::number(trace_->steps[i].start_ns / 1000.0, 'f', 1));
  }
  p.setFont(theme_.Font(theme_.axis_pt));
  p.drawText(QRectF(g.left, axis_y + g.text_h, width() - g.left - g.right, g.text_h + 4),
             Qt::AlignRight | Qt::AlignTop, tr("time: when each step started (µs) →"));
}

RaceReplay::RaceReplay(const Theme& theme, QWidget* parent) : QWidget(parent), theme_(theme) {
  auto* layout = new QVBoxLayout(this);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  layout->addWidget(summary_);
  view_ = new SwimlaneView(this);
  view_->SetTrace(&trace_);
  layout->addWidget(view_, 1);
  narration_ = new QLabel(this);
  narration_->setWordWrap(true);
  narration_->setMinimumHeight(QFontMetrics(theme.Font(theme.base_pt)).height() * 2 + 8);
  layout->addWidget(narration_);
  auto* controls = new QHBoxLayout;
  auto* back = new QPushButton(tr("◀ Step back"), this);
  play_ = new QPushButton(tr("▶ Play"), this);
  auto* forward = new QPushButton(tr("Step forward ▶"), this);
  auto* all = new QPushButton(tr("Show all"), this);
  auto* again = new QPushButton(tr("Record again"), this);
  back->setObjectName("replay_back");
  play_->setObjectName("replay_play");
  forward->setObjectName("replay_forward");
  again->setObjectName("replay_record");
  for (QPushButton* b : {back, play_, forward, all}) controls->addWidget(b);
  controls->addStretch(1);
  controls->addWidget(again);
  layout->addLayout(controls);
  timer_ = new QTimer(this);
  timer_->setInterval(900);
  connect(timer_, &QTimer::timeout, this, [this] {
    if (shown_ >= static_cast<int>(trace_.steps.size())) {
      Pause();
    } else {
      StepForward();
    }
  });
  connect(back, &QPushButton::clicked, this, &RaceReplay::StepBack);
  connect(forward, &QPushButton::clicked, this, &RaceReplay::StepForward);
  connect(all, &QPushButton::clicked, this, &RaceReplay::ShowAll);
  connect(play_, &QPushButton::clicked, this, [this] { timer_->isActive() ? Pause() : Play(); });
  connect(again, &QPushButton::clicked, this, [this] { Record(); });
  SetTheme(theme);
}

void RaceReplay::SetTheme(const Theme& theme) {
  theme_ = theme;
  view_->SetTheme(theme);
  summary_->setFont(theme.Font(theme.base_pt));
  narration_->setFont(theme.Font(theme.base_pt + 2, true));
}

bool RaceReplay::Record() {
  Pause();
  std::unique_ptr<adapters::Target> target = adapters::MakeBuiltinTarget();
  auto trace = RecordRaceTrace(*target);
  if (!trace.ok()) {
    summary_->setText(tr("Could not record a trace: %1").arg(Q(trace.status().message())));
    return false;
  }
  SetTrace(std::move(*trace));
  return true;
}

void RaceReplay::SetTrace(RaceTrace trace) {
  trace_ = std::move(trace);
  shown_ = 0;
  const int expected = trace_.clients * trace_.increments_per_client;
  summary_->setText(
      tr("%1 clients each add one to a counter %2 times on builtin, with GET then SET and a "
         "%3 µs pause in between (as if the reply crossed a network). Expected %4; the counter "
         "ended at <b>%5</b>: <b><font color='%7'>%6 lost update(s)</font></b>.")
          .arg(trace_.clients)
          .arg(trace_.increments_per_client)
          .arg(trace_.think_us)
          .arg(expected)
          .arg(trace_.final_value)
          .arg(trace_.lost_updates)
          .arg(theme_.fail.name()));
  Refresh();
}

void RaceReplay::Refresh() {
  view_->SetCursor(shown_);
  if (shown_ == 0) {
    narration_->setText(tr("Press Play or Step forward. Every client reads the counter, adds "
                           "one, and writes it back."));
  } else {
    const RaceStep& s = trace_.steps[shown_ - 1];
    QString line = Q(NarrateStep(trace_, shown_ - 1));
    if (s.overwriting) line = QString("<font color='%1'>%2</font>").arg(theme_.fail.name(), line.toHtmlEscaped());
    narration_->setText(QString("%1/%2 &nbsp; %3").arg(shown_).arg(trace_.steps.size()).arg(line));
  }
}

void RaceReplay::StepForward() {
  if (shown_ < static_cast<int>(trace_.steps.size())) ++shown_;
  Refresh();
}

void RaceReplay::StepBack() {
  if (shown_ > 0) --shown_;
  Refresh();
}

void RaceReplay::Play() {
  if (shown_ >= static_cast<int>(trace_.steps.size())) shown_ = 0;
  timer_->start();
  play_->setText(tr("⏸ Pause"));
}

void RaceReplay::Pause() {
  timer_->stop();
  play_->setText(tr("▶ Play"));
}

void RaceReplay::ShowAll() {
  Pause();
  shown_ = static_cast<int>(trace_.steps.size());
  Refresh();
}

}  // namespace racetrack::gui
