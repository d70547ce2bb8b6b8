// Screenshot mode (`racetrack-gui --screenshot DIR`): renders lesson pages to PNG files without a
// display (QT_QPA_PLATFORM=offscreen) — for the tests and the README's pictures
// (scripts/screenshots). One file per lesson and tab: DIR/<lesson>-<tab>.png, e.g.
// counters-live.png, counters-race-replay.png.
//
// With `live_seconds` > 0 each lesson first really runs on `builtin` for that long per approach
// (`builtin-tcp` when none of it runs in-process; its other controls at their defaults) and only
// its Live tab is grabbed, once the run ends, so every lesson's live chart is shown with the points
// the run fed it.
//
// The counters lesson's "You are the scheduler" tab is grabbed in its states worth showing, each
// played on the real engine / server: counters-scheduler-builtin.png (the "end at 3" challenge
// played in its shortest winning order, with the outcome), counters-scheduler-watch.png (the WATCH
// abort challenge), and, with `sql` and when PostgreSQL can be had (--postgres-url, else a
// throwaway cluster), counters-scheduler-sql-read-committed.png
// (session 2's UPDATE waiting on the row lock) and counters-scheduler-sql-serializable.png (the
// same order ending in 40001). When PostgreSQL cannot be had the SQL pictures are left out and
// `notes` says why.
//
// Thread-safety: GUI thread only.
#pragma once

#include <QString>
#include <QStringList>
#include <string>

namespace racetrack::gui {

class MainWindow;

struct ScreenshotOptions {
  QString dir;
  std::string scenario;  // empty = every lesson
  QString results;       // a results file to show; empty = none
  bool presenter = false;
  double live_seconds = 0;  // > 0: run each lesson on builtin this long, grab its Live tab
  bool sql = false;         // also the SQL scheduler's pictures (needs PostgreSQL)
};

// Renders the pages; returns the files written, or sets *error (one line) and returns what was
// written before the problem.
// `notes` (may be null) collects one line per picture left out and why.
QStringList TakeScreenshots(MainWindow& window, const ScreenshotOptions& options, QString* error,
                            QStringList* notes = nullptr);

}  // namespace racetrack::gui
