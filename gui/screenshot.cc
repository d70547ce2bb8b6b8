// Pages are grabbed with QWidget::grab(), which renders through the widget tree rather than
// reading the screen, so it works on the offscreen platform and gives the same pixels as a real
// display. The window is resized to a projector-like 1920x1080 in presenter mode.

#include "gui/screenshot.h"

#include <QApplication>
#include <QDir>
#include <QListWidget>
#include <QPixmap>
#include <QTabWidget>

#include "gui/main_window.h"
#include "gui/race_replay.h"

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

}  // namespace

QStringList TakeScreenshots(MainWindow& window, const ScreenshotOptions& options, QString* error) {
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
    LessonPage* page = window.page();
    QTabWidget* tabs = page->tabs();
    for (int t = 0; t < tabs->count(); ++t) {
      tabs->setCurrentIndex(t);
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
      Settle();
      QString path = QDir(options.dir).filePath(QString::fromStdString(id) + "-" +
                                                Slug(tabs->tabText(t)) + suffix + ".png");
      if (!window.grab().save(path, "PNG")) {
        *error = path + ": cannot write the PNG file";
        return written;
      }
      written << path;
    }
    tabs->setCurrentIndex(0);
  }
  return written;
}

}  // namespace racetrack::gui
