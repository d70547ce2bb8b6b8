// RaceReplay: the race replay page section — a swimlane per client with its GET and SET steps in
// the order the engine executed them (a RaceTrace recorded on `builtin`), revealed one step at a
// time, with the overwritten update highlighted when the overwriting SET lands. Play, pause, step
// forward and back; "Record again" takes a fresh trace.
//
// Thread-safety: GUI thread only.
#pragma once

#include <QRectF>
#include <QVector>
#include <QWidget>

#include "gui/race_trace.h"
#include "gui/theme.h"

class QLabel;
class QPainter;
class QPushButton;
class QTimer;

namespace racetrack::gui {

// The drawing: lanes, steps up to the cursor, the lost-update highlight.
class SwimlaneView : public QWidget {
  Q_OBJECT

 public:
  explicit SwimlaneView(QWidget* parent = nullptr);
  void SetTrace(const RaceTrace* trace) { trace_ = trace; update(); }
  void SetCursor(int shown) { shown_ = shown; update(); }  // steps [0, shown) are revealed
  void SetTheme(const Theme& theme) { theme_ = theme; update(); }
  QSize sizeHint() const override { return {900, 360}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  struct Geometry;  // where lanes and columns are, for the paint steps below
  void PaintLanes(QPainter& p, const Geometry& g) const;
  // The steps' boxes (revealed ones filled, the lost update struck out) and the counter's lane.
  void PaintSteps(QPainter& p, const Geometry& g, const QVector<QRectF>& boxes) const;
  // Arrows from each shown overwriting SET back to the update it erased.
  void PaintLostArrows(QPainter& p, const Geometry& g, const QVector<QRectF>& boxes) const;
  // The cursor and the time axis (each column's start time in microseconds).
  void PaintCursorAndAxis(QPainter& p, const Geometry& g) const;

  const RaceTrace* trace_ = nullptr;
  int shown_ = 0;
  Theme theme_;
};

class RaceReplay : public QWidget {
  Q_OBJECT

 public:
  explicit RaceReplay(const Theme& theme, QWidget* parent = nullptr);

  // Records a new trace on a fresh in-process engine. Returns false (and shows why) on failure.
  bool Record();
  void SetTrace(RaceTrace trace);
  const RaceTrace& trace() const { return trace_; }
  int cursor() const { return shown_; }
  void SetTheme(const Theme& theme);

 public slots:
  void StepForward();
  void StepBack();
  void Play();
  void Pause();
  void ShowAll();

 private:
  void Refresh();

  Theme theme_;
  RaceTrace trace_;
  int shown_ = 0;
  SwimlaneView* view_;
  QLabel* narration_;
  QLabel* summary_;
  QPushButton* play_;
  QTimer* timer_;
};

}  // namespace racetrack::gui
