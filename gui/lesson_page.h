// LessonPage: one lesson from the scenario registry — its question and explanation, the
// approaches, the run controls (targets with their availability, clients, duration, the
// scenario's own knobs as it declares them in ScenarioInfo::knobs), and the charts:
//
//   Live         LiveView: the lesson's live ChartSpecs (reports/lesson_charts.h), rebuilt from
//                the running harness's samples and records (or an opened results file)
//   Charts       the lesson's charts from reports/lesson_charts.h (the same ChartSpecs as the
//                HTML report), rebuilt after every finished record or from an opened file
//   Race replay  counters only: RaceReplay of a recorded trace on builtin
//   Table        RecordsModel in a table, with Copy
//   About        the lesson text and what each approach does
//   Claims       the closing slide: the article's claims against the finished records (ClaimsPage)
//
// A page owns the RunController of its run; the main window keeps the page alive while it runs.
//
// Thread-safety: GUI thread only.
#pragma once

#include <QPointer>
#include <QString>
#include <QStringList>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/target.h"
#include "gui/page.h"
#include "gui/theme.h"
#include "results/results.h"
#include "scenarios/scenario.h"

class QCheckBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTableView;
class QVBoxLayout;
class QWidget;

namespace racetrack::gui {

class ChartView;
class LiveView;
class ClaimsPage;
class RaceReplay;
class RecordsModel;
class RunController;

// What the main window shares with its pages.
struct AppContext {
  Theme theme;
  // Results files opened with File > Open, their missing lesson text filled from the registry.
  std::vector<results::Results> opened;
  adapters::TargetOptions target_options;  // URLs given on the command line; bin_dir
};

class LessonPage : public Page {
  Q_OBJECT

 public:
  // `scenario` may be null for a lesson that is only in an opened file (not in this build): the
  // page then shows the file's charts and no run controls.
  LessonPage(std::string scenario_id, const scenarios::Scenario* scenario, AppContext* context,
             QWidget* parent = nullptr);
  ~LessonPage() override;

  const std::string& scenario_id() const { return scenario_id_; }
  bool running() const;

  // Shows what the opened files hold for this lesson (charts, table, live replay of their time
  // series). No-op when they hold nothing for it.
  void ShowFileResults();
  void SetTheme(const Theme& theme);

  // Every chart on the page, Live first; the first chart of the current tab.
  std::vector<ChartView*> charts() const;
  ChartView* CurrentChart() const;
  // Puts the table on the clipboard (tab-separated) and returns it.
  QString CopyTable() const;

  // For tests and screenshots.
  QTabWidget* tabs() const { return tabs_; }
  RecordsModel* model() const { return model_; }
  LiveView* live() const { return live_; }
  RaceReplay* replay() const { return replay_; }
  ClaimsPage* claims() const { return claims_; }
  RunController* controller() const { return controller_; }
  QString banner() const;
  QString status() const;
  void SetClients(int clients);
  void SetDuration(double seconds);
  void SetTargets(const std::vector<adapters::TargetKind>& kinds);
  void SetApproaches(const std::vector<std::string>& ids);

 public slots:
  // Starts a run with the controls' values; a problem is shown in the banner, never a dialog.
  void Run();
  void Stop();

 signals:
  void runningChanged(bool running);

 protected:
  bool doLoad() override;

 private:
  // doLoad's steps: the title/question/banner, the tabs (live, charts, replay, table, about), the
  // controls beside the tabs, and the run controller's signals.
  void BuildHeader(QVBoxLayout* outer);
  void BuildTabs();
  void BuildSplit(QVBoxLayout* outer);
  void ConnectController();
  QWidget* BuildControls();
  // BuildControls' parts: Run/Stop, progress and status; the target, workload and approach boxes.
  void AddRunControls(QWidget* box, QVBoxLayout* v);
  QWidget* BuildTargetChoice(QWidget* box);
  QWidget* BuildWorkload(QWidget* box);
  QWidget* BuildApproachChoice(QWidget* box);
  QWidget* BuildAbout();
  // The pipeline lesson's RTT slider beside its rtt-ms knob `edit`; moving it restarts the run.
  QWidget* BuildRttSlider(QLineEdit* edit);
  void ShowBanner(const QString& text, bool error);
  void ShowSkips();
  void RebuildResultCharts(const std::vector<results::Results>& runs);
  void SetRunning(bool running);

  std::string scenario_id_;
  const scenarios::Scenario* scenario_;
  AppContext* context_;
  RunController* controller_ = nullptr;
  RecordsModel* model_ = nullptr;
  LiveView* live_ = nullptr;
  RaceReplay* replay_ = nullptr;
  ClaimsPage* claims_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QWidget* results_box_ = nullptr;
  QGridLayout* results_grid_ = nullptr;
  std::vector<ChartView*> result_views_;
  QTableView* table_ = nullptr;
  QWidget* controls_ = nullptr;  // hidden in presenter mode: the keyboard runs the lesson
  QLabel* title_ = nullptr;
  QLabel* question_ = nullptr;
  QLabel* explanation_ = nullptr;
  QLabel* banner_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* skips_ = nullptr;
  bool restart_pending_ = false;  // Run() again when the stopped run has finished
  QStringList skipped_;  // "approach on target: reason", this run
  QProgressBar* progress_ = nullptr;
  QPushButton* run_button_ = nullptr;
  QPushButton* stop_button_ = nullptr;
  QSpinBox* clients_ = nullptr;
  QDoubleSpinBox* duration_ = nullptr;
  std::map<adapters::TargetKind, QCheckBox*> target_boxes_;
  std::map<std::string, QCheckBox*> approach_boxes_;
  std::map<std::string, QWidget*> knob_widgets_;  // knob name -> QComboBox or QLineEdit
  results::Results run_doc_;  // the run in progress / last run
  std::vector<results::Results> shown_;  // what the Charts tab shows
};

}  // namespace racetrack::gui
