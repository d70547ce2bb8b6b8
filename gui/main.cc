// racetrack-gui: the classroom app. Flags are parsed here only; everything else is in the library.
//
//   racetrack-gui [--results FILE] [--scenario ID] [--presenter]
//                 [--redis-url URL] [--postgres-url URL]
//   racetrack-gui --screenshot DIR [--scenario ID] [--results FILE] [--presenter]
//                 [--live SECONDS] [--sql] [--postgres-url URL]

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <cstdio>

#include "gui/main_window.h"
#include "gui/screenshot.h"
#include "gui/theme.h"

int main(int argc, char** argv) {
  // Screenshot mode and --help need no display: pick the offscreen platform before QApplication
  // exists (without one, Qt aborts before the parser could print the help).
  for (int i = 1; i < argc; ++i) {
    const QByteArray arg(argv[i]);
    const bool headless = arg == "--screenshot" || arg == "--help" || arg == "-h" || arg == "-?";
    if (headless && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
      qputenv("QT_QPA_PLATFORM", "offscreen");
    }
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("racetrack-gui");
  QCommandLineParser parser;
  parser.setApplicationDescription("racetrack's classroom app: run a lesson, watch the race.");
  parser.addHelpOption();
  QCommandLineOption screenshot("screenshot", "Render the pages to PNG files in DIR and exit.", "DIR");
  QCommandLineOption scenario("scenario", "Open this lesson (or, with --screenshot, only this one).", "ID");
  QCommandLineOption results("results", "Open this results JSON file.", "FILE");
  QCommandLineOption presenter("presenter", "Presenter mode: large type, thick lines, full screen.");
  QCommandLineOption redis_url("redis-url", "Use this Redis instead of a throwaway one.", "URL");
  QCommandLineOption postgres_url("postgres-url", "Use this PostgreSQL instead of a throwaway one.", "URL");
  QCommandLineOption live("live", "With --screenshot: run each lesson on builtin for SECONDS per "
                          "approach and grab its Live tab.", "SECONDS");
  QCommandLineOption sql("sql", "With --screenshot: also the SQL scheduler's pictures (starts a "
                         "throwaway PostgreSQL unless --postgres-url is given).");
  parser.addOptions({screenshot, scenario, results, presenter, redis_url, postgres_url, live, sql});
  parser.process(app);

  racetrack::gui::AppContext context;
  context.theme = racetrack::gui::Theme::Normal();
  context.target_options.bin_dir = QCoreApplication::applicationDirPath().toStdString();
  context.target_options.redis_url = parser.value(redis_url).toStdString();
  context.target_options.postgres_url = parser.value(postgres_url).toStdString();
  racetrack::gui::ApplyTheme(app, context.theme);
  racetrack::gui::MainWindow window(context);

  if (parser.isSet(screenshot)) {
    racetrack::gui::ScreenshotOptions options;
    options.dir = parser.value(screenshot);
    options.scenario = parser.value(scenario).toStdString();
    options.results = parser.value(results);
    options.presenter = parser.isSet(presenter);
    options.sql = parser.isSet(sql);
    if (parser.isSet(live)) {
      bool ok = false;
      options.live_seconds = parser.value(live).toDouble(&ok);
      if (!ok || options.live_seconds <= 0 || options.live_seconds > 60) {
        std::fprintf(stderr, "racetrack-gui: --live wants seconds in (0, 60], got '%s'\n",
                     qPrintable(parser.value(live)));
        return 2;
      }
    }
    QString error;
    QStringList notes;
    QStringList files = racetrack::gui::TakeScreenshots(window, options, &error, &notes);
    for (const QString& f : files) std::printf("%s\n", qPrintable(f));
    for (const QString& n : notes) std::fprintf(stderr, "racetrack-gui: %s\n", qPrintable(n));
    if (!error.isEmpty()) {
      std::fprintf(stderr, "racetrack-gui: %s\n", qPrintable(error));
      return 1;
    }
    return 0;
  }

  window.resize(1500, 950);
  if (parser.isSet(results)) window.OpenResults(parser.value(results), true);
  if (parser.isSet(scenario) && !window.ShowLesson(parser.value(scenario).toStdString())) {
    std::fprintf(stderr, "racetrack-gui: no lesson '%s'\n", qPrintable(parser.value(scenario)));
    return 2;
  }
  if (parser.isSet(presenter)) {
    window.SetPresenter(true);
  } else {
    window.show();
  }
  return app.exec();
}
