// racetrack-gui under the offscreen platform: pages open, a short builtin run of counters moves
// the charts and loses updates for the unsafe approach, Stop ends a run, results files fill the
// charts (and a malformed one is named), charts export, the race replay finds a lost update, a
// target that dies mid-run is reported in plain words, and --screenshot writes PNGs.

#include <QApplication>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QXYSeries>
#include <QCheckBox>
#include <QDir>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QSlider>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <unistd.h>

#include "adapters/server_process.h"
#include "gui/chart_view.h"
#include "gui/claims_page.h"
#include "gui/live_view.h"
#include "gui/main_window.h"
#include "gui/race_replay.h"
#include "gui/records_model.h"
#include "gui/run_controller.h"
#include "gui/screenshot.h"
#include "reports/lesson_charts.h"
#include "reports/svg_chart.h"
#include "results/results.h"
#include "scenarios/registry.h"
#include "tests/test_paths.h"

using namespace racetrack;
using namespace racetrack::gui;

namespace {

const QString kFixture = QString::fromStdString(test_paths::SourceDir() +
                                                "/tests/gui/fixtures/counters_builtin.json");

AppContext Context() {
  AppContext c;
  c.target_options.bin_dir = test_paths::BinDir();
  return c;
}

const RecordsModel::Row* FindRow(RecordsModel* model, const std::string& approach) {
  for (const auto& r : model->rows()) {
    if (r.approach == approach) return &r;
  }
  return nullptr;
}

// Shows `lesson` and starts `approaches` with `clients` clients for `duration_s` per repetition
// on `target`; the page, or null when the lesson could not be shown.
LessonPage* StartRun(MainWindow* w, const std::string& lesson,
                     const std::vector<adapters::TargetKind>& targets,
                     const std::vector<std::string>& approaches, int clients, double duration_s) {
  if (!w->ShowLesson(lesson)) return nullptr;
  LessonPage* page = w->page();
  page->SetTargets(targets);
  page->SetApproaches(approaches);
  page->SetClients(clients);
  page->SetDuration(duration_s);
  page->Run();
  return page;
}

// Runs `approaches` of `lesson` for 1 s on `targets` and checks the live chart got points and the
// lesson charts were built from the records.
void RunLive(MainWindow* w, const std::string& lesson,
             const std::vector<adapters::TargetKind>& targets,
             const std::vector<std::string>& approaches, int clients) {
  LessonPage* page = StartRun(w, lesson, targets, approaches, clients, 1.0);
  QVERIFY(page != nullptr);
  QVERIFY2(page->running(), qPrintable(page->banner()));
  QVERIFY(page->controller()->WaitFinished(60000));
  QVERIFY2(page->banner().isEmpty(), qPrintable(page->banner()));
  QVERIFY(page->live()->FigurePointCount() > 0);
  QVERIFY(page->charts().size() > page->live()->views().size());
}

// Points over every series of every chart the Live tab shows, as rendered by Qt Charts.
int QtPoints(LiveView* live) {
  int n = 0;
  for (ChartView* v : live->views()) {
    for (QAbstractSeries* s : v->chart()->series()) {
      if (auto* xy = qobject_cast<QXYSeries*>(s)) n += static_cast<int>(xy->count());
      if (auto* bars = qobject_cast<QBarSeries*>(s)) {
        for (QBarSet* set : bars->barSets()) n += static_cast<int>(set->count());
      }
    }
  }
  return n;
}

}  // namespace

class GuiTest : public QObject {
  Q_OBJECT

 private slots:
  void everyLessonPageOpens() {
    MainWindow w(Context());
    const auto& all = scenarios::Registry::Default().all();
    QVERIFY(!all.empty());
    QCOMPARE(w.lessons()->count(), static_cast<int>(all.size()));
    for (const scenarios::Scenario* s : all) {
      QVERIFY(w.ShowLesson(s->info().id));
      QVERIFY(w.page() != nullptr);
      QVERIFY(w.page()->loaded());
      QCOMPARE(w.page()->scenario_id(), s->info().id);
      QVERIFY(w.page()->error().isEmpty());
      QVERIFY(w.page()->tabs()->count() >= 4);
      // The closing slide: the lesson's claims, none measured yet.
      QCOMPARE(w.page()->tabs()->widget(w.page()->tabs()->count() - 1),
               static_cast<QWidget*>(w.page()->claims()));
      QTableWidget* claims = w.page()->claims()->table();
      QCOMPARE(claims->rowCount(), static_cast<int>(s->info().claims.size()));
      for (int row = 0; row < claims->rowCount(); ++row) {
        QCOMPARE(claims->item(row, 2)->text(), QString("not measured"));
      }
    }
    QVERIFY(!w.ShowLesson("no-such-lesson"));
  }

  void counterRunLosesUpdatesLive() {
    MainWindow w(Context());
    LessonPage* page =
        StartRun(&w, "counters", {adapters::TargetKind::kBuiltin}, {"client-rmw", "incr"}, 4, 1.0);
    QVERIFY(page != nullptr);
    QVERIFY2(page->running(), qPrintable(page->banner()));
    QVERIFY(page->controller()->WaitFinished(60000));
    QVERIFY2(page->banner().isEmpty(), qPrintable(page->banner()));
    QVERIFY(page->live()->FigurePointCount() > 0);
    const RecordsModel::Row* rmw = FindRow(page->model(), "client-rmw");
    const RecordsModel::Row* incr = FindRow(page->model(), "incr");
    QVERIFY(rmw && incr);
    QVERIFY(rmw->lost.has_value());
    // The claims slide decides from the finished records: GET+SET lost updates, INCR none; the
    // PostgreSQL comparison was not run.
    QTableWidget* claims = page->claims()->table();
    QStringList outcomes;
    for (int row = 0; row < claims->rowCount(); ++row) outcomes << claims->item(row, 2)->text();
    QCOMPARE(outcomes, QStringList({"confirmed", "confirmed", "not measured"}));
    QVERIFY(claims->item(0, 1)->text().startsWith("builtin: GET+SET "));
    QVERIFY2(*rmw->lost > 0, "the unsafe approach should lose updates with 4 clients");
    QCOMPARE(incr->lost.value_or(-1), 0.0);
    QCOMPARE(incr->ok.value_or(false), true);
    QVERIFY(page->live()->FigureMax() > 0);
    // The lesson charts (shared ChartSpecs) were built from the run.
    QVERIFY(page->charts().size() > page->live()->views().size());
    QVERIFY(page->CopyTable().contains("client-rmw"));
  }

  // locks and sessions: a short live run on builtin moves their live figures and builds their
  // lesson charts (the swimlane; the revoked users' timeline). Sessions' jwt runs on the
  // serverless `client` target, which only that page offers.
  void locksAndSessionsRunLive() {
    MainWindow w(Context());
    RunLive(&w, "locks", {adapters::TargetKind::kBuiltin}, {"set-nx-px-paused"}, 4);
    if (QTest::currentTestFailed()) return;
    QVERIFY2(w.page()->live()->FigureMax() > 0, "the paused holder should issue duplicates live");

    QVERIFY(w.ShowLesson("sessions"));
    QStringList boxes;
    for (auto* b : w.page()->findChildren<QCheckBox*>()) boxes << b->text();
    QVERIFY2(boxes.contains("client"), qPrintable(boxes.join(",")));
    RunLive(&w, "sessions", {adapters::TargetKind::kBuiltin, adapters::TargetKind::kClient},
            {"jwt", "session-ttl"}, 2);
    if (QTest::currentTestFailed()) return;
    QVERIFY2(w.page()->live()->FigureMax() > 0, "jwt keeps accepting revoked users live");
    QVERIFY(FindRow(w.page()->model(), "jwt") != nullptr);
  }

  // The messaging lesson's run owns its timeline (producer, consumers, a kill): its live chart
  // (the dead consumer's backlog) must still receive points, and Pub/Sub must lose messages.
  void messagingRunDrawsItsLiveChart() {
    MainWindow w(Context());
    QVERIFY(w.ShowLesson("messaging"));
    LessonPage* page = w.page();
    page->SetTargets({adapters::TargetKind::kBuiltin});
    page->SetApproaches({"pubsub", "streams-group"});
    const std::map<QString, QString> knobs = {
        {"knob_messages", "1500"}, {"knob_send-rate", "3000"}, {"knob_kill-at-ms", "150"},
        {"knob_restart-at-ms", "300"}};
    for (const auto& [name, value] : knobs) {
      auto* edit = page->findChild<QLineEdit*>(name);
      QVERIFY2(edit != nullptr, qPrintable(name));
      edit->setText(value);
    }
    page->Run();
    QVERIFY2(page->running(), qPrintable(page->banner()));
    QVERIFY(page->controller()->WaitFinished(60000));
    QVERIFY2(page->banner().isEmpty(), qPrintable(page->banner()));
    QVERIFY(page->live()->FigurePointCount() > 0);
    QVERIFY(page->live()->FigureMax() > 0);
    const RecordsModel::Row* pubsub = FindRow(page->model(), "pubsub");
    const RecordsModel::Row* streams = FindRow(page->model(), "streams-group");
    QVERIFY(pubsub && streams);
    QVERIFY(pubsub->lost.has_value());
    QVERIFY2(*pubsub->lost > 0, "Pub/Sub loses what is sent while its consumer is dead");
    QCOMPARE(streams->lost.value_or(-1), 0.0);
    QVERIFY(page->charts().size() > page->live()->views().size());
  }

  // Every lesson's Live tab is its ChartSpecs re-rendered as the run goes: a short run on
  // builtin (persistence: builtin-tcp, the in-process engine cannot be killed) must put points on
  // its Qt charts while it is still running, not only at the end.
  void everyLessonChartMovesLive() {
    const std::map<std::string, std::map<QString, QString>> knobs = {
        {"leaderboard", {{"knob_sizes", "1000, 5000"}}},
        {"pipeline", {{"knob_rtt-ms", "0, 2"}, {"knob_batch", "1, 10"}, {"knob_commands", "100"}}},
        {"uniques", {{"knob_sizes", "50000, 200000"}}},
        {"messaging", {{"knob_messages", "1500"}, {"knob_send-rate", "3000"},
                       {"knob_kill-at-ms", "150"}, {"knob_restart-at-ms", "300"}}},
        {"persistence", {{"knob_kills", "1"}}},
    };
    MainWindow w(Context());
    for (const scenarios::Scenario* s : scenarios::Registry::Default().all()) {
      const std::string id = s->info().id;
      QVERIFY(w.ShowLesson(id));
      LessonPage* page = w.page();
      // The in-process engine can neither be killed (persistence) nor sit behind the delay proxy
      // (pipeline's RTT): those two run on builtin-tcp.
      const bool tcp = id == "persistence" || id == "pipeline";
      page->SetTargets({tcp ? adapters::TargetKind::kBuiltinTcp : adapters::TargetKind::kBuiltin});
      if (auto k = knobs.find(id); k != knobs.end()) {
        for (const auto& [name, value] : k->second) {
          auto* edit = page->findChild<QLineEdit*>(name);
          QVERIFY2(edit != nullptr, qPrintable(QString::fromStdString(id) + " " + name));
          edit->setText(value);
        }
      }
      page->SetDuration(0.4);
      page->Run();
      QVERIFY2(page->running(), qPrintable(QString::fromStdString(id) + ": " + page->banner()));
      int during = 0;
      QDeadlineTimer deadline(120000);
      while (page->running() && !deadline.hasExpired()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (page->running()) during = std::max(during, QtPoints(page->live()));
        QThread::msleep(5);
      }
      QVERIFY2(!page->running(), id.c_str());
      QVERIFY2(page->banner().isEmpty(), qPrintable(QString::fromStdString(id) + ": " + page->banner()));
      QVERIFY2(during > 0, (id + ": the live chart got no point while running").c_str());
      page->live()->Flush();
      QVERIFY2(!page->live()->specs().empty(), id.c_str());
      QCOMPARE(page->live()->views().size(), page->live()->specs().size());
    }
  }

  // Pipeline's RTT slider restarts the run at the new round-trip time.
  void pipelineRttSliderRestartsTheRun() {
    MainWindow w(Context());
    QVERIFY(w.ShowLesson("pipeline"));
    LessonPage* page = w.page();
    page->SetTargets({adapters::TargetKind::kBuiltinTcp});
    page->findChild<QLineEdit*>("knob_batch")->setText("1, 10");
    page->findChild<QLineEdit*>("knob_commands")->setText("100");
    auto* slider = page->findChild<QSlider*>("rtt_slider");
    QVERIFY(slider != nullptr);
    page->Run();
    QVERIFY(page->running());
    slider->setValue(3);
    QMetaObject::invokeMethod(slider, "sliderReleased");
    QCOMPARE(page->findChild<QLineEdit*>("knob_rtt-ms")->text(), QString("0, 3"));
    // The first run stops, the second starts by itself and finishes with RTT 3 ms records.
    QDeadlineTimer deadline(120000);
    bool saw3 = false;
    while (!deadline.hasExpired() && !saw3) {
      QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
      for (const auto& spec : page->live()->specs()) {
        for (const auto& s : spec.series) saw3 = saw3 || s.name.rfind("RTT 3 ms", 0) == 0;
      }
      QThread::msleep(5);
    }
    QVERIFY2(saw3, "no RTT 3 ms series after the slider moved");
    page->Stop();
    QVERIFY(page->controller()->WaitFinished(60000));
  }

  // The two renderers of one definition: each lesson's charts, built from its fixture results
  // file, have the same series in Qt Charts as in the SVG the report writes.
  void svgAndQtDrawTheSameSeries() {
    int charts = 0;
    for (const char* lesson : {"counters", "leaderboard", "pipeline", "ratelimit", "cache",
                               "uniques", "locks", "sessions", "messaging", "persistence"}) {
      auto run = results::ReadResults(test_paths::SourceDir() +
                                      "/tests/reports/fixtures/lessons/" + lesson + ".json");
      QVERIFY2(run.ok(), lesson);
      for (const reports::ChartSpec& spec : reports::LessonCharts(lesson, {*run})) {
        const std::string svg = reports::RenderSvg(spec);
        std::unique_ptr<QChart> chart(BuildChart(spec, Theme::Normal()));
        QStringList qt_names;
        std::vector<int> qt_counts;
        for (QAbstractSeries* s : chart->series()) {
          if (auto* bars = qobject_cast<QBarSeries*>(s)) {
            for (QBarSet* set : bars->barSets()) {
              qt_names << set->label();
              qt_counts.push_back(static_cast<int>(set->count()));
            }
          } else if (auto* xy = qobject_cast<QXYSeries*>(s)) {
            qt_names << xy->name();
            qt_counts.push_back(static_cast<int>(xy->count()));
          } else {
            qt_names << s->name();  // a region
            qt_counts.push_back(-1);
          }
        }
        // Qt adds regions first (behind the data) and limit lines last; the data in between.
        const int first = static_cast<int>(spec.regions.size());
        const size_t n = spec.kind == reports::ChartKind::kBars ? spec.bars.size() : spec.series.size();
        QCOMPARE(static_cast<size_t>(qt_names.size()), n + spec.regions.size() + spec.limits.size());
        for (size_t i = 0; i < n; ++i) {
          const std::string name =
              spec.kind == reports::ChartKind::kBars ? spec.bars[i].name : spec.series[i].name;
          QCOMPARE(qt_names[first + static_cast<int>(i)].toStdString(), name);
          QVERIFY2(svg.find(name.substr(0, name.find('&'))) != std::string::npos, name.c_str());
          if (spec.kind == reports::ChartKind::kBars) {
            QCOMPARE(qt_counts[first + i], static_cast<int>(spec.bars[i].values.size()));
          } else if (spec.series[i].style != reports::SeriesStyle::kStep &&
                     spec.x.scale == reports::Scale::kLinear && spec.y.scale == reports::Scale::kLinear) {
            QCOMPARE(qt_counts[first + i], static_cast<int>(spec.series[i].points.size()));
          }
        }
        for (size_t i = 0; i < spec.limits.size(); ++i) {
          QCOMPARE(qt_names[first + static_cast<int>(n + i)].toStdString(), spec.limits[i].label);
          QVERIFY(svg.find(spec.limits[i].label) != std::string::npos);
        }
        ++charts;
      }
    }
    QVERIFY(charts >= 10);
  }

  void stopEndsARun() {
    MainWindow w(Context());
    LessonPage* page =
        StartRun(&w, "counters", {adapters::TargetKind::kBuiltin}, {"client-rmw"}, 2, 60);
    QVERIFY(page != nullptr);
    QVERIFY(page->running());
    QVERIFY(!w.lessons()->isEnabled());  // no switching away from a running page
    QTest::qWait(700);
    page->Stop();
    QVERIFY(page->controller()->WaitFinished(15000));
    QVERIFY(!page->running());
    QCOMPARE(page->status(), QString("Stopped."));
    QVERIFY(w.lessons()->isEnabled());
  }

  void openingAResultsFileFillsTheCharts() {
    MainWindow w(Context());
    QCOMPARE(w.OpenResults(kFixture, false), QString());
    LessonPage* page = w.page();
    QCOMPARE(page->scenario_id(), std::string("counters"));
    QCOMPARE(page->model()->rowCount(), 2);
    QVERIFY(page->live()->FigurePointCount() >= 20);
    QCOMPARE(page->live()->FigureMax(), 370.0);
    QVERIFY(page->charts().size() > page->live()->views().size());
    QVERIFY(page->banner().contains("counters_builtin"));
  }

  void malformedResultsFileNamesTheProblem() {
    QTemporaryDir dir;
    const QString bad = dir.filePath("broken.json");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"schema\": \"racetrack.result/1\", \"records\": [");
    f.close();
    MainWindow w(Context());
    QString error = w.OpenResults(bad, false);
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.contains("broken.json"), qPrintable(error));
    QVERIFY(w.page() != nullptr);  // the window is still usable
  }

  void chartsExportAsPngAndSvg() {
    QTemporaryDir dir;
    MainWindow w(Context());
    QCOMPARE(w.OpenResults(kFixture, false), QString());
    for (ChartView* view : w.page()->charts()) {
      for (const char* ext : {".png", ".svg"}) {
        QString path = dir.filePath(view->spec_id() + ext);
        QCOMPARE(view->Export(path, QSize(800, 500)), QString());
        QVERIFY(QFileInfo(path).size() > 0);
      }
    }
    QImage png(dir.filePath(w.page()->charts().front()->spec_id() + ".png"));
    QCOMPARE(png.size(), QSize(800, 500));
  }

  void raceReplayShowsALostUpdate() {
    RaceReplay replay(Theme::Normal());
    QVERIFY(replay.Record());
    const RaceTrace& trace = replay.trace();
    QCOMPARE(trace.clients, 3);
    QCOMPARE(static_cast<int>(trace.steps.size()), 3 * 3 * 2);
    QVERIFY2(trace.lost_updates > 0, "20 recordings without a lost update");
    int overwriting = 0, lost = 0;
    for (const RaceStep& s : trace.steps) {
      overwriting += s.overwriting;
      lost += s.lost;
    }
    QVERIFY(overwriting > 0 && lost > 0);
    replay.StepForward();
    replay.StepForward();
    QCOMPARE(replay.cursor(), 2);
    replay.StepBack();
    QCOMPARE(replay.cursor(), 1);
    replay.ShowAll();
    QCOMPARE(replay.cursor(), static_cast<int>(trace.steps.size()));
  }

  void aTargetThatDiesStopsTheRunInPlainWords() {
    if (adapters::FindProgram("redis-server").empty()) QSKIP("redis-server is not installed");
    Result<int> port = adapters::FindFreePort();
    QVERIFY(port.ok());
    QTemporaryDir dir;
    auto server = adapters::ServerProcess::Start(
        {.program = "redis-server",
         .args = {"--port", std::to_string(*port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no"},
         .working_dir = dir.path().toStdString()});
    QVERIFY2(server.ok(), server.status().message().c_str());
    Status up = (*server)->WaitForPort(*port, std::chrono::seconds(5));
    QVERIFY2(up.ok(), up.message().c_str());
    AppContext c = Context();
    c.target_options.redis_url = "redis://127.0.0.1:" + std::to_string(*port);
    c.target_options.command_timeout_s = 3;
    MainWindow w(c);
    LessonPage* page =
        StartRun(&w, "counters", {adapters::TargetKind::kRedis}, {"incr", "client-rmw"}, 2, 30);
    QVERIFY(page != nullptr);
    QVERIFY(page->running());
    QTest::qWait(1200);
    (*server)->Kill();
    QVERIFY(page->controller()->WaitFinished(30000));
    QVERIFY2(page->banner().contains("stopped answering"),
             qPrintable(page->banner() + " | " + page->status() + " | " + page->CopyTable()));
  }

  // The cache lesson's live chart is the hit ratio: it must climb from a cold cache. PostgreSQL
  // (the backing store) is started by the run itself, as `racetrack run` does.
  void cacheRunClimbsHitRatioLive() {
    MainWindow w(Context());
    LessonPage* page =
        StartRun(&w, "cache", {adapters::TargetKind::kBuiltin}, {"cache-aside"}, 4, 1.0);
    QVERIFY(page != nullptr);
    QVERIFY2(page->running(), qPrintable(page->banner()));
    QVERIFY(page->controller()->WaitFinished(120000));
    const RecordsModel::Row* row = FindRow(page->model(), "cache-aside");
    if (row == nullptr) QSKIP(qPrintable("no PostgreSQL to back the cache here: " + page->status()));
    QVERIFY2(page->banner().isEmpty(), qPrintable(page->banner()));
    QVERIFY(page->live()->FigurePointCount() > 1);
    QVERIFY2(page->live()->FigureMax() > 0.5, "zipf keys: the hit ratio climbs past 50%");
    QCOMPARE(row->ok.value_or(false), true);
    QVERIFY(page->charts().size() > page->live()->views().size());
  }

  // The uniques lesson's live chart is the structure's memory while visits are added.
  void uniquesRunShowsMemoryLive() {
    MainWindow w(Context());
    QVERIFY(w.ShowLesson("uniques"));
    LessonPage* page = w.page();
    const scenarios::KnobInfo& sizes = scenarios::Registry::Default().Find("uniques")->info().knobs[0];
    bool set = false;
    for (QLineEdit* edit : page->findChildren<QLineEdit*>()) {
      if (edit->toolTip() == QString::fromStdString(sizes.help)) {
        edit->setText("200000");
        set = true;
      }
    }
    QVERIFY(set);
    page->SetTargets({adapters::TargetKind::kBuiltin});
    page->SetApproaches({"set", "hll"});
    page->Run();
    QVERIFY2(page->running(), qPrintable(page->banner()));
    QVERIFY(page->controller()->WaitFinished(120000));
    QVERIFY2(page->banner().isEmpty(), qPrintable(page->banner()));
    QVERIFY(page->live()->FigurePointCount() > 0);
    QVERIFY(page->live()->FigureMax() > 12 * 1024);  // the set's memory, well past the HLL's
    const RecordsModel::Row* hll = FindRow(page->model(), "hll");
    QVERIFY(hll != nullptr);
    QCOMPARE(hll->ok.value_or(false), true);
    QVERIFY(page->charts().size() > page->live()->views().size());
  }

  void screenshotCommandWritesPngs() {
    QTemporaryDir dir;
    QProcess gui;
    gui.setProcessEnvironment([] {
      auto env = QProcessEnvironment::systemEnvironment();
      env.insert("QT_QPA_PLATFORM", "offscreen");
      return env;
    }());
    gui.start(QString::fromStdString(test_paths::BinDir() + "/racetrack-gui"),
              {"--screenshot", dir.path(), "--scenario", "counters", "--results", kFixture});
    QVERIFY(gui.waitForFinished(60000));
    QCOMPARE(gui.exitCode(), 0);
    QStringList files = QDir(dir.path()).entryList({"*.png"}, QDir::Files);
    QVERIFY2(files.contains("counters-live.png"), qPrintable(files.join(",")));
    QVERIFY(files.contains("counters-race-replay.png"));
    for (const QString& f : files) {
      QImage image(dir.filePath(f));
      QVERIFY2(!image.isNull() && image.width() > 100, qPrintable(f));
    }
    // A bad lesson id is an error, not an empty directory.
    QProcess bad;
    bad.setProcessEnvironment(gui.processEnvironment());
    bad.start(QString::fromStdString(test_paths::BinDir() + "/racetrack-gui"),
              {"--screenshot", dir.path(), "--scenario", "nope"});
    QVERIFY(bad.waitForFinished(30000));
    QVERIFY(bad.exitCode() != 0);
  }
};

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  GuiTest test;
  return QTest::qExec(&test, argc, argv);
}

#include "gui_test.moc"
