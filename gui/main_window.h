// MainWindow: the lessons on the left (the scenario registry's list, plus any lesson found only in
// an opened results file), the current LessonPage on the right — one page alive at a time — and
// the menus: File (Open results, Export chart, Copy table, Quit), Run (Run Ctrl+R, Stop Esc),
// View (Presenter F11).
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

  LessonPage* page() const { return page_; }
  QListWidget* lessons() const { return list_; }
  const AppContext& context() const { return context_; }

 private slots:
  void OpenDialog();
  void ExportCurrentChart();

 private:
  void FillLessonList();
  void OnRunningChanged(bool running);

  AppContext context_;
  QListWidget* list_;
  QStackedWidget* content_;
  LessonPage* page_ = nullptr;
  QAction* open_ = nullptr;
  QAction* presenter_ = nullptr;
  QAction* run_ = nullptr;
  QAction* stop_ = nullptr;
};

}  // namespace racetrack::gui
