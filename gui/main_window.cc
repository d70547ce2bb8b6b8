#include "gui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <algorithm>

#include "gui/chart_view.h"
#include "bench/harness.h"
#include "reports/report_model.h"
#include "scenarios/registry.h"

namespace racetrack::gui {

namespace {
QString Q(const std::string& s) { return QString::fromStdString(s); }
constexpr int kIdRole = Qt::UserRole;
}  // namespace

MainWindow::MainWindow(AppContext context, QWidget* parent)
    : QMainWindow(parent), context_(std::move(context)) {
  setWindowTitle(tr("racetrack — classroom"));
  auto* split = new QSplitter(Qt::Horizontal, this);
  list_ = new QListWidget(split);
  list_->setObjectName("lessons");
  list_->setMinimumWidth(250);
  list_->setWordWrap(true);
  content_ = new QStackedWidget(split);
  split->addWidget(list_);
  split->addWidget(content_);
  split->setStretchFactor(1, 1);
  split->setSizes({260, 1200});
  setCentralWidget(split);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  open_ = file->addAction(tr("&Open results…"), this, &MainWindow::OpenDialog);
  open_->setShortcut(QKeySequence::Open);
  file->addAction(tr("&Export chart as PNG or SVG…"), this, &MainWindow::ExportCurrentChart);
  file->addAction(tr("&Copy table"), this, [this] {
    if (page_) {
      page_->CopyTable();
      statusBar()->showMessage(tr("Table copied."), 3000);
    }
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* run = menuBar()->addMenu(tr("&Run"));
  run_ = run->addAction(tr("&Run lesson"), this, [this] { if (page_) page_->Run(); });
  run_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  stop_ = run->addAction(tr("&Stop"), this, [this] { if (page_) page_->Stop(); });
  stop_->setShortcut(QKeySequence(Qt::Key_Escape));
  stop_->setShortcutContext(Qt::ApplicationShortcut);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  presenter_ = view->addAction(tr("&Presenter mode"));
  presenter_->setCheckable(true);
  presenter_->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::Key_F11)});
  presenter_->setShortcutContext(Qt::ApplicationShortcut);
  connect(presenter_, &QAction::toggled, this, [this](bool on) { SetPresenter(on); });
  view->addSeparator();
  auto nav = [&](const QString& text, QKeySequence key, auto fn) {
    QAction* a = view->addAction(text, this, fn);
    a->setShortcut(key);
    a->setShortcutContext(Qt::ApplicationShortcut);
    return a;
  };
  // Presenter mode only: on the desktop these keys belong to the lists, tables and spin boxes.
  presenter_keys_ = {nav(tr("Next lesson"), QKeySequence(Qt::Key_PageDown), [this] { StepLesson(1); }),
                     nav(tr("Previous lesson"), QKeySequence(Qt::Key_PageUp), [this] { StepLesson(-1); }),
                     nav(tr("Next tab"), QKeySequence(Qt::Key_Right), [this] { StepTab(1); }),
                     nav(tr("Previous tab"), QKeySequence(Qt::Key_Left), [this] { StepTab(-1); }),
                     nav(tr("Next chart"), QKeySequence(Qt::Key_Down), [this] { StepChart(1); }),
                     nav(tr("Previous chart"), QKeySequence(Qt::Key_Up), [this] { StepChart(-1); })};
  for (QAction* a : presenter_keys_) a->setEnabled(false);

  FillLessonList();
  connect(list_, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
    if (item) ShowLesson(item->data(kIdRole).toString().toStdString());
  });
  if (list_->count() > 0) list_->setCurrentRow(0);
  statusBar()->showMessage(tr("Ctrl+R run · Esc stop · Ctrl+O open results · F5 presenter"));
}

void MainWindow::FillLessonList() {
  QString current = list_->currentItem() ? list_->currentItem()->data(kIdRole).toString() : QString();
  QSignalBlocker block(list_);
  list_->clear();
  std::vector<std::string> ids;
  for (const scenarios::Scenario* s : scenarios::Registry::Default().all()) {
    auto* item = new QListWidgetItem(Q(s->info().title), list_);
    item->setData(kIdRole, Q(s->info().id));
    item->setToolTip(Q(s->info().question));
    ids.push_back(s->info().id);
  }
  // Lessons present only in an opened file (another build's scenarios) still get a page.
  for (const results::Results& r : context_.opened) {
    for (const std::string& id : r.Scenarios()) {
      if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
      auto* item = new QListWidgetItem(Q(reports::LessonFor(id, context_.opened).title) + tr(" (file)"), list_);
      item->setData(kIdRole, Q(id));
      ids.push_back(id);
    }
  }
  for (int i = 0; i < list_->count(); ++i) {
    if (list_->item(i)->data(kIdRole).toString() == current) list_->setCurrentRow(i);
  }
}

bool MainWindow::ShowLesson(const std::string& id) {
  int row = -1;
  for (int i = 0; i < list_->count(); ++i) {
    if (list_->item(i)->data(kIdRole).toString().toStdString() == id) row = i;
  }
  if (row < 0) return false;
  if (page_ && page_->scenario_id() == id) return true;
  if (page_ && page_->running()) return false;
  {
    QSignalBlocker block(list_);
    list_->setCurrentRow(row);
  }
  if (page_) {
    content_->removeWidget(page_);
    delete page_;  // one page alive at a time
    page_ = nullptr;
  }
  page_ = new LessonPage(id, scenarios::Registry::Default().Find(id), &context_, content_);
  connect(page_, &LessonPage::runningChanged, this, &MainWindow::OnRunningChanged);
  content_->addWidget(page_);
  content_->setCurrentWidget(page_);
  page_->load();
  if (page_->tabs()) {
    connect(page_->tabs(), &QTabWidget::currentChanged, this, [this] {
      chart_index_ = 0;
      ShowPresenterHint();
    });
  }
  chart_index_ = 0;
  ShowPresenterHint();
  return true;
}

bool MainWindow::StepLesson(int delta) {
  if (page_ && page_->running()) return false;
  const int row = list_->currentRow() + delta;
  if (row < 0 || row >= list_->count()) return false;
  return ShowLesson(list_->item(row)->data(kIdRole).toString().toStdString());
}

bool MainWindow::StepTab(int delta) {
  if (!page_ || !page_->tabs()) return false;
  QTabWidget* tabs = page_->tabs();
  const int index = tabs->currentIndex() + delta;
  if (index < 0 || index >= tabs->count()) return false;
  tabs->setCurrentIndex(index);
  return true;
}

bool MainWindow::StepChart(int delta) {
  if (!page_ || !page_->tabs()) return false;
  QWidget* tab = page_->tabs()->currentWidget();
  std::vector<ChartView*> on_tab;
  for (ChartView* v : page_->charts()) {
    if (tab && tab->isAncestorOf(v) && !v->isHidden()) on_tab.push_back(v);
  }
  const int index = chart_index_ + delta;
  if (index < 0 || index >= static_cast<int>(on_tab.size())) return false;
  chart_index_ = index;
  // Charts in a scroll area: bring the chosen one into view (presenter mode lays them out one per
  // row at a projector-sized height, so one chart fills the view).
  for (QWidget* w = on_tab[index]->parentWidget(); w; w = w->parentWidget()) {
    if (auto* scroll = qobject_cast<QScrollArea*>(w)) {
      scroll->ensureWidgetVisible(on_tab[index], 0, 0);
      break;
    }
  }
  on_tab[index]->setFocus();
  ShowPresenterHint();
  return true;
}

void MainWindow::ShowPresenterHint() {
  if (!presenter() || !page_ || !page_->tabs()) return;
  QTabWidget* tabs = page_->tabs();
  statusBar()->showMessage(tr("Lesson %1/%2 · %3 (tab %4/%5) · PgUp/PgDn lessons · ←/→ tabs · "
                              "↑/↓ charts · Ctrl+R run · F5 exit presenter")
                               .arg(list_->currentRow() + 1)
                               .arg(list_->count())
                               .arg(tabs->tabText(tabs->currentIndex()))
                               .arg(tabs->currentIndex() + 1)
                               .arg(tabs->count()));
}

QString MainWindow::OpenResults(const QString& path, bool interactive) {
  auto file = results::ReadResults(path.toStdString());
  if (file.ok() && file->records.empty()) {
    file = results::Error(path.toStdString() + ": empty result, no records to show");
  }
  if (!file.ok()) {
    QString error = Q(file.error().message());
    if (interactive) QMessageBox::warning(this, tr("Open results"), error);
    return error;
  }
  bench::FillScenarioInfo(&*file);  // lesson text the file lacks, from the registry
  std::string first = file->Scenarios().empty() ? "" : file->Scenarios().front();
  context_.opened = {std::move(*file)};
  FillLessonList();
  if (page_ && page_->scenario_id() == first) {
    page_->ShowFileResults();
  } else {
    ShowLesson(first);
  }
  statusBar()->showMessage(tr("Opened %1").arg(QFileInfo(path).fileName()), 5000);
  return QString();
}

void MainWindow::OpenDialog() {
  if (page_ && page_->running()) return;
  QString path = QFileDialog::getOpenFileName(this, tr("Open results"), QString(),
                                              tr("racetrack results (*.json);;All files (*)"));
  if (!path.isEmpty()) OpenResults(path, true);
}

void MainWindow::ExportCurrentChart() {
  if (!page_) return;
  if (ChartView* view = page_->CurrentChart()) view->ExportWithDialog();
}

void MainWindow::OnRunningChanged(bool running) {
  list_->setEnabled(!running);
  open_->setEnabled(!running);
  statusBar()->showMessage(running ? tr("Running… Esc stops.") : tr("Ready."));
}

void MainWindow::SetPresenter(bool on, bool full_screen) {
  context_.theme = on ? Theme::Presenter() : Theme::Normal();
  if (auto* app = qobject_cast<QApplication*>(QCoreApplication::instance())) {
    ApplyTheme(*app, context_.theme);
  }
  QFont list_font = context_.theme.Font(context_.theme.base_pt + (on ? 2 : 1), on);
  list_->setFont(list_font);
  list_->setVisible(!on);
  if (presenter_->isChecked() != on) {
    QSignalBlocker block(presenter_);
    presenter_->setChecked(on);
  }
  if (page_) page_->SetTheme(context_.theme);
  for (QAction* a : presenter_keys_) a->setEnabled(on);
  if (on) {
    ShowPresenterHint();
  } else {
    statusBar()->showMessage(tr("Ready."));
  }
  if (full_screen) {
    on ? showFullScreen() : showNormal();
  }
}

}  // namespace racetrack::gui
