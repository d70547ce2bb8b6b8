// "You are the scheduler": the model and its search (no GUI), the game against the real built-in
// engine, the panel driven by clicks, and the SQL sessions against a real throwaway PostgreSQL.
#include "gui/scheduler.h"

#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QtTest>
#include <random>

#include "adapters/throwaway.h"
#include "gui/lesson_page.h"
#include "gui/main_window.h"
#include "gui/scheduler_model.h"
#include "gui/scheduler_sql.h"
#include "tests/test_paths.h"

namespace racetrack::gui {

class SchedulerTest : public QObject {
  Q_OBJECT

 private:
  static void Click(QWidget* root, const QString& name) {
    auto* button = root->findChild<QPushButton*>(name);
    QVERIFY2(button != nullptr, qPrintable(name));
    QVERIFY2(button->isEnabled(), qPrintable(name + " is disabled"));
    QTest::mouseClick(button, Qt::LeftButton);
  }
  // Plays `clients` (1-based digits) on a fresh game.
  static std::unique_ptr<SchedulerGame> Play(SchedSetup setup, const std::vector<int>& order) {
    auto game = SchedulerGame::Start(setup);
    if (!game.ok()) return nullptr;
    for (int c : order) {
      if (!(*game)->Step(c).ok()) return nullptr;
    }
    return std::move(*game);
  }

 private slots:
  void ShortestInterleavingLosesSixUpdates() {
    const SchedSetup setup{SchedApproach::kClientRmw, 3, 3};
    SchedSearchResult r = FindShortestInterleaving(setup, SchedGoal::kCounterEndsAt, 3);
    QVERIFY(r.found);
    // Every client-rmw play has 2 commands per increment: 18 steps, no shorter, no longer.
    QCOMPARE(r.interleaving.size(), size_t(18));
    QCOMPARE(r.commands.size(), size_t(18));
    // The textbook bound: with GET-then-SET the counter can end anywhere from 2 to 9.
    QCOMPARE(*r.final_values.begin(), int64_t(2));
    QCOMPARE(*r.final_values.rbegin(), int64_t(9));
    QCOMPARE(r.final_values.size(), size_t(8));
    // The interleaving the search found really ends at 3 on the engine.
    auto game = Play(setup, r.interleaving);
    QVERIFY(game != nullptr);
    QVERIFY(game->model().AllFinished());
    QCOMPARE(game->engine_counter(), int64_t(3));
    QCOMPARE(game->model().LostUpdates(), int64_t(6));
    QVERIFY2(game->disagreement().empty(), game->disagreement().c_str());
    // A goal no play reaches: the search says so after exploring every state.
    SchedSearchResult none = FindShortestInterleaving(setup, SchedGoal::kCounterEndsAt, 1);
    QVERIFY(!none.found);
    QVERIFY(none.interleaving.empty());
  }

  void WatchAndIncrCannotLose() {
    for (SchedApproach a : {SchedApproach::kWatch, SchedApproach::kIncr}) {
      SchedSearchResult r = FindShortestInterleaving({a, 3, 3}, SchedGoal::kCounterEndsAt, 3);
      QVERIFY2(!r.found, ApproachName(a).c_str());
      QCOMPARE(r.final_values, (std::set<int64_t>{9}));
      QVERIFY(r.states > 1);
    }
  }

  void ShortestWatchAbort() {
    SchedSearchResult r =
        FindShortestInterleaving({SchedApproach::kWatch, 2, 1}, SchedGoal::kExecAborts);
    QVERIFY(r.found);
    // Both WATCH, one client's whole transaction (GET MULTI SET EXEC), then the other's four.
    QCOMPARE(r.interleaving.size(), size_t(10));
    auto game = Play({SchedApproach::kWatch, 2, 1}, r.interleaving);
    QVERIFY(game != nullptr);
    QVERIFY(game->history().back().aborted);
    QCOMPARE(game->model().Aborts(), 1);
    QVERIFY2(game->disagreement().empty(), game->disagreement().c_str());
  }

  // The model predicts each reply; the engine's replies must match it on any order.
  void ModelAgreesWithEngineOnRandomOrders() {
    std::mt19937 rng(21);
    for (SchedApproach a :
         {SchedApproach::kClientRmw, SchedApproach::kWatch, SchedApproach::kIncr}) {
      for (int round = 0; round < 40; ++round) {
        auto game = SchedulerGame::Start({a, 3, 3});
        QVERIFY(game.ok());
        int guard = 0;
        while (!(*game)->model().AllFinished() && ++guard < 10000) {
          int c = std::uniform_int_distribution<int>(0, 2)(rng);
          if ((*game)->model().Finished(c)) continue;
          QVERIFY((*game)->Step(c).ok());
        }
        QVERIFY((*game)->model().AllFinished());
        QVERIFY2((*game)->disagreement().empty(), (*game)->disagreement().c_str());
        QCOMPARE((*game)->engine_counter(), (*game)->model().state().counter);
        if (a != SchedApproach::kClientRmw) QCOMPARE((*game)->engine_counter(), int64_t(9));
      }
    }
  }

  void StepOnFinishedClientIsRefused() {
    auto game = SchedulerGame::Start({SchedApproach::kIncr, 1, 1});
    QVERIFY(game.ok());
    QVERIFY((*game)->Step(0).ok());
    auto again = (*game)->Step(0);
    QVERIFY(!again.ok());
    QVERIFY(!(*game)->Step(5).ok());
    QCOMPARE((*game)->engine_counter(), int64_t(1));
  }

  void ClicksReachALostUpdate() {
    SchedulerPanel panel(Theme::Normal());
    panel.SelectMode(3);  // challenge: make the counter end at 3
    QVERIFY(panel.challenge() != nullptr);
    for (const char* b : {"sched_step_0", "sched_step_1", "sched_step_0", "sched_step_1"}) {
      Click(&panel, b);
    }
    QCOMPARE(panel.game()->engine_counter(), int64_t(1));
    QCOMPARE(panel.game()->model().LostUpdates(), int64_t(1));
    QVERIFY(panel.game()->history().back().lost_update);
    QCOMPARE(panel.game()->history().back().erased, int64_t(1));
    QVERIFY2(panel.verdict().contains("lost updates: 1"), qPrintable(panel.verdict()));
  }

  void ClicksReachAWatchAbortAndTheChallengeIsMet() {
    SchedulerPanel panel(Theme::Normal());
    panel.SelectMode(5);  // challenge: make WATCH abort (2 clients, 1 increment)
    for (const char* b :
         {"sched_step_0", "sched_step_1", "sched_step_1", "sched_step_1", "sched_step_1",
          "sched_step_1", "sched_step_0", "sched_step_0", "sched_step_0", "sched_step_0"}) {
      Click(&panel, b);
    }
    QVERIFY(panel.game()->history().back().aborted);
    QCOMPARE(panel.game()->history().back().reply, std::string("(nil)"));
    auto* client = panel.findChild<QLabel*>("sched_client_0");
    QVERIFY(client->text().contains("aborted EXECs: 1"));
    // The first (nil) decides the challenge, and the shortest way to it is shown at once.
    QVERIFY2(panel.shortest().contains("Challenge met"), qPrintable(panel.shortest()));
    QVERIFY(panel.shortest().contains("10 steps"));
    // The client starts over and finishes: no update lost.
    for (int i = 0; i < 5; ++i) Click(&panel, "sched_step_0");
    QCOMPARE(panel.game()->engine_counter(), int64_t(2));
    QCOMPARE(panel.game()->model().LostUpdates(), int64_t(0));
  }

  void IncrChallengeCannotBeWonAndSaysSo() {
    SchedulerPanel panel(Theme::Normal());
    panel.SelectMode(6);  // INCR: make the counter end at 3
    std::mt19937 rng(7);
    while (!panel.game()->model().AllFinished()) panel.StepClient(rng() % 3);
    QCOMPARE(panel.game()->engine_counter(), int64_t(9));
    QCOMPARE(panel.game()->model().LostUpdates(), int64_t(0));
    QVERIFY2(panel.shortest().contains("No interleaving can win"), qPrintable(panel.shortest()));
    QVERIFY(panel.shortest().contains("{9}"));
  }

  void PlayingTheShortestInterleavingWins() {
    SchedulerPanel panel(Theme::Normal());
    panel.SelectMode(3);
    std::mt19937 rng(3);
    while (!panel.game()->model().AllFinished()) panel.StepClient(rng() % 3);
    panel.PlayShortest();
    QVERIFY(panel.game()->model().AllFinished());
    QCOMPARE(panel.game()->engine_counter(), int64_t(3));
    QVERIFY2(panel.shortest().contains("Challenge met"), qPrintable(panel.shortest()));
  }

  void CountersPageHasTheSchedulerTab() {
    AppContext context;
    MainWindow window(context);
    QVERIFY(window.ShowLesson("counters"));
    QTabWidget* tabs = window.page()->tabs();
    bool found = false;
    for (int i = 0; i < tabs->count(); ++i)
      found = found || tabs->tabText(i) == "You are the scheduler";
    QVERIFY(found);
    QVERIFY(window.page()->findChild<SchedulerTab*>() != nullptr);
  }

  void Sql() {
    adapters::ThrowawayServers servers(test_paths::BinDir(), "");
    const std::string why = servers.CannotStart(adapters::TargetKind::kPostgres);
    if (!why.empty()) QSKIP(why.c_str());
    auto url = servers.Url(adapters::TargetKind::kPostgres);
    QVERIFY2(url.ok(), url.status().message().c_str());
    adapters::TargetOptions options;
    options.postgres_url = *url;
    SqlScheduler sql(Theme::Normal(), options);
    QVERIFY(sql.Connect());

    // READ COMMITTED: both read 0, session 1 updates, session 2's UPDATE waits on the row lock,
    // session 1 commits, session 2's UPDATE goes through and writes 1 again.
    sql.SetIsolation(SqlIsolation::kReadCommitted);
    SqlSchedulerGame* game = sql.game();
    // Clicks session i's button and waits for its reply (a loaded machine may take a while).
    // The widget learns of a reply that WaitIdle collected on its next poll tick (30 ms): wait
    // for the button to come back before pressing it.
    auto enabled = [&](int i) {
      return sql.findChild<QPushButton*>(QString("sql_send_%1").arg(i))->isEnabled();
    };
    auto send = [&](int i) {
      QTRY_VERIFY_WITH_TIMEOUT(enabled(i), 10000);
      Click(&sql, QString("sql_send_%1").arg(i));
      QVERIFY(game->WaitIdle(i, 10000));
    };
    // Clicks session i's button and waits until the server reports it waiting on a lock.
    auto send_blocked = [&](int i) {
      QTRY_VERIFY_WITH_TIMEOUT(enabled(i), 10000);
      Click(&sql, QString("sql_send_%1").arg(i));
      QTRY_VERIFY_WITH_TIMEOUT(game->session(i).lock_wait, 10000);
      QVERIFY(game->session(i).busy);
    };
    for (int i : {0, 1, 0, 1, 0}) send(i);  // BEGIN BEGIN SELECT SELECT UPDATE
    send_blocked(1);                        // UPDATE: waits on session 1's row lock
    QVERIFY(sql.sessionText(1).contains("waiting"));
    QVERIFY(!sql.findChild<QPushButton*>("sql_send_1")->isEnabled());
    send(0);  // COMMIT releases the lock
    QVERIFY(game->WaitIdle(1, 10000));
    QVERIFY(game->session(1).last_error.empty());
    send(1);  // COMMIT
    QVERIFY(game->AllDone());
    QCOMPARE(game->counter(), int64_t(1));
    QCOMPARE(game->lost_updates(), 1);
    QTRY_VERIFY(sql.verdict().contains("lost updates: 1"));

    // SERIALIZABLE, the same order: the waiting UPDATE fails with 40001 when session 1 commits;
    // session 2 rolls back, retries from BEGIN, and both increments land.
    sql.SetIsolation(SqlIsolation::kSerializable);
    game = sql.game();
    QCOMPARE(game->counter(), int64_t(0));
    for (int i : {0, 1, 0, 1, 0}) send(i);
    send_blocked(1);
    send(0);
    QVERIFY(game->WaitIdle(1, 10000));
    QVERIFY2(game->session(1).last_error.rfind("40001", 0) == 0,
             game->session(1).last_error.c_str());
    QCOMPARE(game->session(1).next, SqlOp::kRollback);
    QTRY_VERIFY(sql.sessionText(1).contains("40001"));
    for (int n = 0; n < 5; ++n) send(1);  // ROLLBACK BEGIN SELECT UPDATE COMMIT
    QVERIFY(game->AllDone());
    QCOMPARE(game->counter(), int64_t(2));
    QCOMPARE(game->lost_updates(), 0);
  }
};

}  // namespace racetrack::gui

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  racetrack::gui::SchedulerTest test;
  return QTest::qExec(&test, argc, argv);
}

#include "scheduler_test.moc"
