// "You are the scheduler": the counters lesson's tab where the student, not the operating system,
// decides which client runs its next command.
//
//   SchedulerPanel  Redis commands against the real in-process engine (SchedulerGame): a column
//                   per client with its local value and a button for its next command (GET, SET,
//                   WATCH, MULTI, EXEC, INCR as the approach dictates; keys 1-3 press them), the
//                   counter, the verdict, a log of every command and reply, and the challenges.
//                   When a play ends, the shortest winning interleaving (FindShortestInterleaving)
//                   is shown and can be replayed on a fresh engine, step by step.
//   SqlScheduler    (gui/scheduler_sql.h) the same for two PostgreSQL sessions.
//   SchedulerTab    both, as the two pages of one tab.
//
// Thread-safety: GUI thread only.
#pragma once

#include <QWidget>
#include <initializer_list>
#include <memory>
#include <vector>

#include "adapters/target.h"
#include "gui/scheduler_model.h"
#include "gui/theme.h"

class QComboBox;
class QHBoxLayout;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTimer;
class QVBoxLayout;

namespace racetrack::gui {

class SqlScheduler;

// The pieces both panels are built of, top to bottom in `layout`: a row of the panel's own
// controls with "Start over" at its right end, the task line, the counter beside the clients, the
// verdict line, then the log. Each is created as a child of `panel`, in the order it appears.
//
// The top row: `controls`, a stretch, then a "Start over" button named `reset_name` (returned).
QPushButton* AddControlRow(QWidget* panel, QVBoxLayout* layout,
                           std::initializer_list<QWidget*> controls, const char* reset_name);
// A word-wrapped text line added to `layout`, named `name` when it is not null.
QLabel* AddTextLine(QWidget* panel, QVBoxLayout* layout, const char* name = nullptr);
// The counter, boxed and centred, first in the clients' `row`.
QLabel* AddCounter(QWidget* panel, QHBoxLayout* row);

class SchedulerPanel : public QWidget {
  Q_OBJECT

 public:
  explicit SchedulerPanel(const Theme& theme, QWidget* parent = nullptr);
  ~SchedulerPanel() override;

  void SetTheme(const Theme& theme);
  // Picks entry `index` of the mode box: 0-2 free play (client-rmw, watch, incr), 3.. the
  // challenges in Challenges() order. Starts a fresh game.
  void SelectMode(int index);
  int ModeCount() const;
  // Runs `client`'s next command (as its button does). False when it cannot (finished, error).
  bool StepClient(int client);
  // Starts the shown shortest interleaving on a fresh game; Replay steps it `steps` at a time
  // (all when steps < 0) without waiting for the timer.
  void PlayShortest(int steps = -1);

  const SchedulerGame* game() const { return game_.get(); }
  QString verdict() const;
  QString shortest() const;
  const SchedChallenge* challenge() const;

 public slots:
  void Reset();

 private:
  void BuildClientColumns();
  void Refresh();
  void ShowOutcome();

  Theme theme_;
  std::unique_ptr<SchedulerGame> game_;
  SchedSetup setup_;
  int mode_ = 0;
  std::vector<int> pending_;  // steps of an interleaving being played back
  QComboBox* mode_box_;
  QSpinBox* clients_;
  QSpinBox* increments_;
  QLabel* task_;
  QLabel* counter_;
  QLabel* verdict_;
  QLabel* outcome_;
  QWidget* columns_;
  std::vector<QLabel*> client_labels_;
  std::vector<QPushButton*> step_buttons_;
  QListWidget* log_;
  QPushButton* play_shortest_;
  QTimer* timer_;
  std::vector<int> shortest_;
};

class SchedulerTab : public QWidget {
  Q_OBJECT

 public:
  SchedulerTab(const Theme& theme, adapters::TargetOptions target_options,
               QWidget* parent = nullptr);
  void SetTheme(const Theme& theme);
  SchedulerPanel* redis() const { return redis_; }
  SqlScheduler* sql() const { return sql_; }
  QTabWidget* pages() const { return pages_; }

 private:
  QTabWidget* pages_;
  SchedulerPanel* redis_;
  SqlScheduler* sql_;
};

}  // namespace racetrack::gui
