// Pages are grabbed with QWidget::grab(), which renders through the widget tree rather than
// reading the screen, so it works on the offscreen platform and gives the same pixels as a real
// display. The window is resized to a projector-like 1920x1080 in presenter mode.

#include "gui/screenshot.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QListWidget>
#include <QPixmap>
#include <QTabWidget>
#include <QThread>

#include "gui/main_window.h"
#include "gui/race_replay.h"
#include "gui/records_model.h"
#include "gui/scheduler.h"
#include "gui/scheduler_sql.h"

namespace racetrack::gui {

namespace {

QString Slug(QString text) {
  text = text.toLower();
  QString out;
  for (QChar c : text) out += c.isLetterOrNumber() ? c : QChar('-');
  while (out.contains("--")) out.replace("--", "-");
  return out;
}

void Settle() {
  for (int i = 0; i < 5; ++i) QApplication::processEvents();
}

bool Save(MainWindow& window, const QString& path, QStringList* written, QString* error) {
  Settle();
  if (!window.grab().save(path, "PNG")) {
    *error = path + ": cannot write the PNG file";
    return false;
  }
  *written << path;
  return true;
}

// Runs the page's lesson for `seconds` per approach and waits for the run to end: on builtin, or,
// when nothing of the lesson runs in-process (persistence kills its server), on builtin-tcp.
void RunLive(LessonPage* page, double seconds) {
  for (adapters::TargetKind kind :
       {adapters::TargetKind::kBuiltin, adapters::TargetKind::kBuiltinTcp}) {
    page->SetTargets({kind});
    page->SetDuration(seconds);
    page->Run();
    QElapsedTimer clock;
    clock.start();
    while (page->running() && clock.elapsed() < 180'000) {
      QApplication::processEvents();
      QThread::msleep(20);
    }
    if (page->running()) page->Stop();
    Settle();
    if (page->model()->rowCount() > 0) break;
  }
}

// The scheduler tab's pictures (see the header). `base` is DIR/counters.
bool ShootScheduler(MainWindow& window, SchedulerTab* tab, const QString& base,
                    const QString& suffix, bool with_sql, QStringList* written, QString* error,
                    QStringList* notes) {
  SchedulerPanel* panel = tab->redis();
  tab->pages()->setCurrentWidget(panel);
  auto play = [&](int mode) {
    panel->SelectMode(mode);
    const SchedChallenge* c = panel->challenge();
    for (int client : FindShortestInterleaving(c->setup, c->goal, c->target).interleaving) {
      panel->StepClient(client);
    }
  };
  play(3);  // "make the counter end at 3"
  if (!Save(window, base + "-scheduler-builtin" + suffix + ".png", written, error)) return false;
  play(5);  // "make WATCH abort"
  if (!Save(window, base + "-scheduler-watch" + suffix + ".png", written, error)) return false;
  panel->SelectMode(0);
  if (!with_sql) return true;

  SqlScheduler* sql = tab->sql();
  tab->pages()->setCurrentWidget(sql);
  if (!sql->Connect()) {
    if (notes) *notes << "SQL scheduler pictures left out: " + sql->verdict();
    tab->pages()->setCurrentWidget(panel);
    return true;
  }
  // BEGIN, BEGIN, SELECT, SELECT, UPDATE, then session 2's UPDATE, which waits on the row lock.
  auto send = [&](int session) {
    sql->SendStatement(session);
    sql->game()->WaitIdle(session, 10000);
  };
  auto show = [] {
    for (int i = 0; i < 4; ++i) {
      QThread::msleep(40);  // the widget's poll timer shows the latest state
      QApplication::processEvents();
    }
  };
  for (SqlIsolation level : {SqlIsolation::kReadCommitted, SqlIsolation::kSerializable}) {
    sql->SetIsolation(level);
    for (int s : {0, 1, 0, 1, 0}) send(s);
    sql->SendStatement(1);
    QElapsedTimer clock;
    clock.start();
    while (!sql->game()->session(1).lock_wait && clock.elapsed() < 10'000) show();
    QString name = "-scheduler-sql-read-committed";
    if (level == SqlIsolation::kSerializable) {
      send(0);  // COMMIT: session 2's UPDATE fails with 40001
      sql->game()->WaitIdle(1, 10000);
      name = "-scheduler-sql-serializable";
    }
    show();
    if (!Save(window, base + name + suffix + ".png", written, error)) return false;
  }
  sql->SetIsolation(SqlIsolation::kReadCommitted);
  tab->pages()->setCurrentWidget(panel);
  return true;
}

}  // namespace

QStringList TakeScreenshots(MainWindow& window, const ScreenshotOptions& options, QString* error,
                            QStringList* notes) {
  QStringList written;
  if (!QDir().mkpath(options.dir)) {
    *error = options.dir + ": cannot create the directory";
    return written;
  }
  window.SetPresenter(options.presenter, /*full_screen=*/false);
  window.resize(options.presenter ? QSize(1920, 1080) : QSize(1600, 1000));
  window.show();
  if (!options.results.isEmpty()) {
    QString problem = window.OpenResults(options.results, false);
    if (!problem.isEmpty()) {
      *error = problem;
      return written;
    }
  }
  std::vector<std::string> ids;
  if (!options.scenario.empty()) {
    ids.push_back(options.scenario);
  } else {
    for (int i = 0; i < window.lessons()->count(); ++i) {
      ids.push_back(window.lessons()->item(i)->data(Qt::UserRole).toString().toStdString());
    }
  }
  const QString suffix = options.presenter ? "-presenter" : "";
  for (const std::string& id : ids) {
    if (!window.ShowLesson(id)) {
      *error = QString("no lesson '%1' (see the list in the app)").arg(QString::fromStdString(id));
      return written;
    }
    Settle();  // a new page's widgets are shown by a queued call
    LessonPage* page = window.page();
    QTabWidget* tabs = page->tabs();
    const QString base = QDir(options.dir).filePath(QString::fromStdString(id));
    if (options.live_seconds > 0 && page->controller()) {
      tabs->setCurrentIndex(0);
      RunLive(page, options.live_seconds);
      if (!Save(window, base + "-live" + suffix + ".png", &written, error)) return written;
    }
    for (int t = 0; t < tabs->count(); ++t) {
      tabs->setCurrentIndex(t);
      if (auto* scheduler = qobject_cast<SchedulerTab*>(tabs->currentWidget())) {
        if (!ShootScheduler(window, scheduler, base, suffix, options.sql, &written, error, notes))
          return written;
        continue;
      }
      if (options.live_seconds > 0) continue;  // live mode: the Live tab and the scheduler only
      if (page->replay() && tabs->currentWidget() == page->replay()) {
        // Stop on the step where the overwrite shows, else show everything.
        RaceReplay* replay = page->replay();
        const auto& steps = replay->trace().steps;
        int stop = static_cast<int>(steps.size());
        for (int i = 0; i < static_cast<int>(steps.size()); ++i) {
          if (steps[i].overwriting) {
            stop = i + 1;
            break;
          }
        }
        while (replay->cursor() < stop) replay->StepForward();
      }
      if (!Save(window, base + "-" + Slug(tabs->tabText(t)) + suffix + ".png", &written, error)) {
        return written;
      }
    }
    tabs->setCurrentIndex(0);
  }
  return written;
}

}  // namespace racetrack::gui
