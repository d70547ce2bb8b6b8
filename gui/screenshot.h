// Screenshot mode (`racetrack-gui --screenshot DIR`): renders lesson pages to PNG files without a
// display (QT_QPA_PLATFORM=offscreen) — for the tests and the README's pictures
// (scripts/screenshots). One file per lesson and tab: DIR/<lesson>-<tab>.png, e.g.
// counters-live.png, counters-race-replay.png.
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
};

// Renders the pages; returns the files written, or sets *error (one line) and returns what was
// written before the problem.
QStringList TakeScreenshots(MainWindow& window, const ScreenshotOptions& options, QString* error);

}  // namespace racetrack::gui
