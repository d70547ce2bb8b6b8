// MainWindow: the lessons on the left (the scenario registry's list, plus any lesson found only in
// an opened results file), the current LessonPage on the right — one page alive at a time — and
// the menus: File (Open results, Export chart, Copy table, Quit), Run (Run Ctrl+R, Stop Esc),
// View (Presenter F5 or F11).
//
// Presenter mode (every page): large type, the lesson list and run controls hidden, and the
// keyboard drives the class — PgDn / PgUp the next / previous lesson, Right / Left the next /
// previous tab, Down / Up the next / previous chart on the tab (scrolled so one chart fills the
// view), Ctrl+R run, Esc stop, F5 back to the desktop layout. These keys are taken only in
// presenter mode; on the desktop they belong to the lists, tables and spin boxes.
//
// While a lesson runs, the lesson list is locked (switching would delete the running page) and
// File > Open is disabled, so no modal dialog can cover a running chart.
//
// Thread-safety: GUI thread only.
#pragma once

#include <QMainWindow>
#include <QString>
#include <memory>
#include <string>

#include "gui/lesson_page.h"

class QAction;
class QListWidget;
class QStackedWidget;

namespace racetrack::gui {

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(AppContext context, QWidget* parent = nullptr);

  // Shows the lesson `id`; false when there is no such lesson.
  bool ShowLesson(const std::string& id);
  // Reads a results file and shows its first lesson. Returns "" or the problem; with
  // `interactive` the problem is also shown in a message box.
  QString OpenResults(const QString& path, bool interactive);
  void SetPresenter(bool on, bool full_screen = true);
  bool presenter() const { return context_.theme.presenter; }
  // Presenter navigation (also bound to keys): lessons by `delta` rows, tabs by `delta`, charts
  // on the current tab by `delta`. False when there is nowhere to go (or a run locks the lesson).
  bool StepLesson(int delta);
  bool StepTab(int delta);
  bool StepChart(int delta);
  int current_chart() const { return chart_index_; }

  LessonPage* page() const { return page_; }
  QListWidget* lessons() const { return list_; }
  const AppContext& context() const { return context_; }

 private slots:
  void OpenDialog();
  void ExportCurrentChart();

 private:
  void FillLessonList();
  void OnRunningChanged(bool running);
  void ShowPresenterHint();

  AppContext context_;
  QListWidget* list_;
  QStackedWidget* content_;
  LessonPage* page_ = nullptr;
  QAction* open_ = nullptr;
  QAction* presenter_ = nullptr;
  QAction* run_ = nullptr;
  QAction* stop_ = nullptr;
  std::vector<QAction*> presenter_keys_;  // enabled only in presenter mode
  int chart_index_ = 0;                   // StepChart's position on the current tab
};

}  // namespace racetrack::gui
