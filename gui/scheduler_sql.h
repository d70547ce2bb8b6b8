// "You are the scheduler" for the SQL counter: two sessions on a real PostgreSQL server each add
// one to a row with
//
//   BEGIN ISOLATION LEVEL <level>;  SELECT v ...;  UPDATE ... SET v = <read + 1>;  COMMIT
//
// and the student picks which session sends its next statement. At READ COMMITTED the second
// UPDATE waits for the first session's row lock, then overwrites its increment (a lost update);
// at SERIALIZABLE the same order ends with the second UPDATE failing with SQLSTATE 40001, and the
// session rolls back and retries from BEGIN.
//
// SqlSchedulerGame (no GUI) sends each statement with libpq's asynchronous calls (PQsendQuery) and
// Poll() collects replies with PQconsumeInput/PQisBusy, so a statement stuck on a row lock is a
// session in the `waiting` state while the other one stays free to move — nothing blocks. A third
// connection reads the counter after every finished statement (a plain SELECT never waits on a
// row lock under MVCC).
//
// SqlScheduler is the widget: a column per session with its next statement, its state (idle, in a
// transaction, waiting on a lock, failed with the server's error), the counter and the verdict.
// The server is the one --postgres-url names, else a throwaway cluster started when the student
// presses Connect (adapters::ThrowawayServers, stopped when the widget goes).
//
// Thread-safety: one thread (the GUI's) per object.
#pragma once

#include <QWidget>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/target.h"
#include "engine/base/status.h"
#include "gui/theme.h"

typedef struct pg_conn PGconn;

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTimer;

namespace racetrack::adapters {
class ThrowawayServers;
}

namespace racetrack::gui {

enum class SqlIsolation { kReadCommitted, kSerializable };
std::string IsolationSql(SqlIsolation level);  // "READ COMMITTED", "SERIALIZABLE"

enum class SqlOp { kBegin, kSelect, kUpdate, kCommit, kRollback };
std::string SqlOpName(SqlOp op);

struct SqlSession {
  SqlOp next = SqlOp::kBegin;
  bool busy = false;             // a statement was sent and its reply has not come
  bool lock_wait = false;        // busy, and the server says it waits on a lock
  std::string sent;              // the statement in flight (or last sent)
  std::optional<int64_t> local;  // what its SELECT read in the current attempt
  bool updated = false;          // its UPDATE succeeded in the open transaction
  bool committed = false;        // its increment is committed (the session is done)
  int failures = 0;              // statements that failed (40001 ...); each costs a retry
  std::string last_error;        // "40001 could not serialize access due to concurrent update"
};

struct SqlEvent {
  int session = 0;
  std::string statement;
  std::string outcome;  // "BEGIN", "v = 0", "UPDATE 1", "COMMIT", "ERROR 40001: ...", "waiting…"
  bool error = false;
  bool waiting = false;  // sent, and not answered at once: blocked on a lock
};

class SqlSchedulerGame {
 public:
  static constexpr int kSessions = 2;
  // Connects three sessions to `url`, (re)creates the counter row at 0. `url` is a libpq
  // connection string or URI.
  static Result<std::unique_ptr<SqlSchedulerGame>> Start(const std::string& url,
                                                         SqlIsolation level);
  ~SqlSchedulerGame();

  SqlIsolation level() const { return level_; }
  const SqlSession& session(int i) const { return sessions_[i]; }
  bool CanSend(int i) const;
  // The statement session `i` sends next, as text.
  std::string NextStatement(int i) const;
  // Sends session `i`'s next statement. It may finish at once or stay `busy` (a lock wait); call
  // Poll() to collect replies. InvalidArgument when the session is busy or done.
  Status Send(int i);
  // Reads whatever replies have arrived; returns true when anything changed. Never blocks.
  bool Poll();
  // Polls until session `i` is not busy or `timeout_ms` passes (for tests and scripted play).
  bool WaitIdle(int i, int timeout_ms);

  int64_t counter() const { return counter_; }
  int committed() const;
  int lost_updates() const { return committed() - static_cast<int>(counter_); }
  bool AllDone() const;
  const std::vector<SqlEvent>& events() const { return events_; }

 private:
  SqlSchedulerGame() = default;
  void Finish(int i);     // the in-flight statement of session i has its final result
  void CheckLockWaits();  // marks busy sessions the server reports waiting on a lock
  Status ReadCounter();

  SqlIsolation level_ = SqlIsolation::kReadCommitted;
  PGconn* conns_[kSessions] = {nullptr, nullptr};
  PGconn* observer_ = nullptr;
  SqlSession sessions_[kSessions];
  int64_t counter_ = 0;
  std::vector<SqlEvent> events_;
};

class SqlScheduler : public QWidget {
  Q_OBJECT

 public:
  SqlScheduler(const Theme& theme, adapters::TargetOptions options, QWidget* parent = nullptr);
  ~SqlScheduler() override;

  void SetTheme(const Theme& theme);
  // Connects (starting a throwaway PostgreSQL when no URL was given) and starts a game at the
  // chosen isolation level. False (with the reason shown) when PostgreSQL cannot be had.
  bool Connect();
  void SetIsolation(SqlIsolation level);
  bool SendStatement(int session);
  SqlSchedulerGame* game() const { return game_.get(); }
  QString verdict() const;
  QString sessionText(int i) const;

 public slots:
  void Reset();

 private:
  void Refresh();
  void OnPoll();

  Theme theme_;
  adapters::TargetOptions options_;
  std::unique_ptr<adapters::ThrowawayServers> servers_;
  std::string url_;
  std::unique_ptr<SqlSchedulerGame> game_;
  size_t logged_ = 0;
  QComboBox* level_box_;
  QPushButton* connect_;
  QLabel* intro_;
  QLabel* counter_;
  QLabel* verdict_;
  QLabel* labels_[SqlSchedulerGame::kSessions];
  QPushButton* buttons_[SqlSchedulerGame::kSessions];
  QListWidget* log_;
  QTimer* poll_;
};

}  // namespace racetrack::gui
