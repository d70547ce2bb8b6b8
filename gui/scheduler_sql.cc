// The sessions use the plain simple-query protocol (PQsendQuery with literal text) rather than
// the adapter's prepared statements: what the student sees in the log is exactly what was sent.
//
// "Waiting" is observed, not guessed: a statement unanswered after kSettleMs is looked up in
// pg_stat_activity (by the session's backend pid) and shown as waiting only when the server says
// it waits on a lock (wait_event_type = 'Lock'); until then it is merely "running", which a slow
// machine can make last a while. It stays `busy` until Poll() sees its reply.

#include "gui/scheduler_sql.h"

#include <libpq-fe.h>
#include <poll.h>

#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QShortcut>
#include <QTimer>
#include <QVBoxLayout>
#include <chrono>

#include "adapters/throwaway.h"
#include "engine/base/enum_names.h"
#include "gui/scheduler.h"

namespace racetrack::gui {

namespace {

constexpr int kSettleMs = 60;
constexpr const char* kTable = "rt_counter";  // short: the log shows every statement

QString Q(const std::string& s) { return QString::fromStdString(s); }

constexpr EnumName<SqlIsolation> kIsolationNames[] = {
    {SqlIsolation::kReadCommitted, "READ COMMITTED"},
    {SqlIsolation::kSerializable, "SERIALIZABLE"},
};
static_assert(NamesEveryValue(kIsolationNames, SqlIsolation::kSerializable));

constexpr EnumName<SqlOp> kOpNames[] = {
    {SqlOp::kBegin, "BEGIN"},   {SqlOp::kSelect, "SELECT"},     {SqlOp::kUpdate, "UPDATE"},
    {SqlOp::kCommit, "COMMIT"}, {SqlOp::kRollback, "ROLLBACK"},
};
static_assert(NamesEveryValue(kOpNames, SqlOp::kRollback));

std::string OneLine(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// Runs `sql` to completion on a connection with no statement in flight.
Status Exec(PGconn* conn, const std::string& sql) {
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  std::string error = OneLine(PQresultErrorMessage(r));
  PQclear(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return Status::Unavailable(sql + ": " + error);
  return Status::Ok();
}

Result<PGconn*> Open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (conn == nullptr) return Status::Unavailable("postgres: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = "postgres: " + OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable(error);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return conn;
}

}  // namespace

std::string IsolationSql(SqlIsolation level) {
  return std::string(NameOf(kIsolationNames, level, "READ COMMITTED"));
}

std::string SqlOpName(SqlOp op) { return std::string(NameOf(kOpNames, op, "?")); }

Result<std::unique_ptr<SqlSchedulerGame>> SqlSchedulerGame::Start(const std::string& url,
                                                                  SqlIsolation level) {
  std::unique_ptr<SqlSchedulerGame> game(new SqlSchedulerGame());
  game->level_ = level;
  auto observer = Open(url);
  if (!observer.ok()) return observer.status();
  game->observer_ = *observer;
  Status st = Exec(game->observer_, std::string("CREATE TABLE IF NOT EXISTS ") + kTable +
                                        " (id int PRIMARY KEY, v bigint NOT NULL)");
  if (st.ok()) {
    st = Exec(game->observer_, std::string("INSERT INTO ") + kTable +
                                   " VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET v = 0");
  }
  if (!st.ok()) return st;
  for (PGconn*& conn : game->conns_) {
    auto c = Open(url);
    if (!c.ok()) return c.status();
    conn = *c;
  }
  st = game->ReadCounter();
  if (!st.ok()) return st;
  return game;
}

SqlSchedulerGame::~SqlSchedulerGame() {
  for (PGconn* c : conns_) {
    if (c) PQfinish(c);  // an open transaction is rolled back by the server
  }
  if (observer_) PQfinish(observer_);
}

bool SqlSchedulerGame::CanSend(int i) const {
  return i >= 0 && i < kSessions && !sessions_[i].busy && !sessions_[i].committed;
}

std::string SqlSchedulerGame::NextStatement(int i) const {
  const SqlSession& s = sessions_[i];
  switch (s.next) {
    case SqlOp::kBegin:
      return "BEGIN ISOLATION LEVEL " + IsolationSql(level_);
    case SqlOp::kSelect:
      return std::string("SELECT v FROM ") + kTable + " WHERE id = 1";
    case SqlOp::kUpdate:
      return std::string("UPDATE ") + kTable +
             " SET v = " + std::to_string(s.local.value_or(0) + 1) + " WHERE id = 1";
    case SqlOp::kCommit:
    case SqlOp::kRollback:
      return SqlOpName(s.next);  // the whole statement
  }
  return "";
}

Status SqlSchedulerGame::Send(int i) {
  if (!CanSend(i)) {
    return Status::InvalidArgument("session " + std::to_string(i + 1) +
                                   (sessions_[i].committed ? " is done" : " is still waiting"));
  }
  SqlSession& s = sessions_[i];
  s.sent = NextStatement(i);
  if (PQsendQuery(conns_[i], s.sent.c_str()) == 0) {
    return Status::Unavailable("postgres: " + OneLine(PQerrorMessage(conns_[i])));
  }
  s.busy = true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSettleMs);
  while (s.busy) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    pollfd fd{PQsocket(conns_[i]), POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(left));
    Poll();
  }
  CheckLockWaits();
  return Status::Ok();
}

void SqlSchedulerGame::CheckLockWaits() {
  for (int i = 0; i < kSessions; ++i) {
    SqlSession& s = sessions_[i];
    if (!s.busy || s.lock_wait) continue;
    const std::string sql = "SELECT wait_event_type FROM pg_stat_activity WHERE pid = " +
                            std::to_string(PQbackendPID(conns_[i]));
    PGresult* r = PQexec(observer_, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) &&
        std::string(PQgetvalue(r, 0, 0)) == "Lock") {
      s.lock_wait = true;
      events_.push_back({i, s.sent, "waiting… (row locked by the other session)", false, true});
    }
    PQclear(r);
  }
}

bool SqlSchedulerGame::Poll() {
  bool changed = false;
  for (int i = 0; i < kSessions; ++i) {
    if (!sessions_[i].busy) continue;
    if (PQconsumeInput(conns_[i]) == 0) {
      sessions_[i].busy = false;
      sessions_[i].last_error = "connection lost: " + OneLine(PQerrorMessage(conns_[i]));
      events_.push_back({i, sessions_[i].sent, sessions_[i].last_error, true, false});
      changed = true;
      continue;
    }
    if (PQisBusy(conns_[i])) continue;
    Finish(i);
    changed = true;
  }
  for (const SqlSession& s : sessions_) {
    if (s.busy && !s.lock_wait) {
      CheckLockWaits();
      return true;  // may have changed
    }
  }
  return changed;
}

bool SqlSchedulerGame::WaitIdle(int i, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (sessions_[i].busy && std::chrono::steady_clock::now() < deadline) {
    pollfd fd{PQsocket(conns_[i]), POLLIN, 0};
    ::poll(&fd, 1, 20);
    Poll();
  }
  return !sessions_[i].busy;
}

void SqlSchedulerGame::Finish(int i) {
  SqlSession& s = sessions_[i];
  s.busy = false;
  s.lock_wait = false;
  std::string error, sqlstate, status, value;
  bool have_value = false;
  while (PGresult* r = PQgetResult(conns_[i])) {
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_FATAL_ERROR) {
      const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      sqlstate = code ? code : "";
      const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      error = primary ? primary : OneLine(PQresultErrorMessage(r));
    } else {
      status = PQcmdStatus(r);
      if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
        value = PQgetvalue(r, 0, 0);
        have_value = true;
      }
    }
    PQclear(r);
  }
  SqlEvent event{i, s.sent, status, false, false};
  const SqlOp op = s.next;
  if (!error.empty()) {
    ++s.failures;
    s.last_error = sqlstate + " " + error;
    event.outcome = "ERROR " + sqlstate + ": " + error;
    event.error = true;
    s.next = SqlOp::kRollback;  // the transaction is aborted; ROLLBACK, then retry
    s.local.reset();
    s.updated = false;
  } else {
    switch (op) {
      case SqlOp::kBegin:
        s.next = SqlOp::kSelect;
        break;
      case SqlOp::kSelect:
        if (have_value) s.local = std::stoll(value);
        event.outcome = "v = " + (have_value ? value : std::string("NULL"));
        s.next = SqlOp::kUpdate;
        break;
      case SqlOp::kUpdate:
        s.updated = true;
        s.next = SqlOp::kCommit;
        break;
      case SqlOp::kCommit:
        if (status == "COMMIT") {
          s.committed = true;
        } else {  // COMMIT of a failed transaction answers ROLLBACK
          ++s.failures;
          event.error = true;
          event.outcome = status + " (the transaction had failed)";
          s.next = SqlOp::kBegin;
        }
        s.local.reset();
        s.updated = false;
        break;
      case SqlOp::kRollback:
        s.next = SqlOp::kBegin;
        s.local.reset();
        s.updated = false;
        break;
    }
  }
  events_.push_back(event);
  Status st = ReadCounter();
  if (!st.ok()) events_.push_back({i, "SELECT v (observer)", st.message(), true, false});
}

Status SqlSchedulerGame::ReadCounter() {
  PGresult* r =
      PQexec(observer_, (std::string("SELECT v FROM ") + kTable + " WHERE id = 1").c_str());
  Status st = Status::Ok();
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    st = Status::Unavailable("reading the counter: " + OneLine(PQresultErrorMessage(r)));
  } else {
    counter_ = std::stoll(PQgetvalue(r, 0, 0));
  }
  PQclear(r);
  return st;
}

int SqlSchedulerGame::committed() const {
  int n = 0;
  for (const SqlSession& s : sessions_) n += s.committed ? 1 : 0;
  return n;
}

bool SqlSchedulerGame::AllDone() const {
  for (const SqlSession& s : sessions_) {
    if (!s.committed) return false;
  }
  return true;
}

// --- the widget ---

SqlScheduler::SqlScheduler(const Theme& theme, adapters::TargetOptions options, QWidget* parent)
    : QWidget(parent), theme_(theme), options_(std::move(options)) {
  auto* layout = new QVBoxLayout(this);
  level_box_ = new QComboBox(this);
  level_box_->setObjectName("sql_level");
  for (SqlIsolation level : {SqlIsolation::kReadCommitted, SqlIsolation::kSerializable}) {
    level_box_->addItem(Q(IsolationSql(level)));
  }
  connect_ = new QPushButton(tr("Connect to PostgreSQL"), this);
  connect_->setObjectName("sql_connect");
  QPushButton* reset = AddControlRow(this, layout, {level_box_, connect_}, "sql_reset");
  intro_ = AddTextLine(this, layout);
  auto* middle = new QHBoxLayout;
  counter_ = AddCounter(this, middle);
  for (int i = 0; i < SqlSchedulerGame::kSessions; ++i) {
    auto* box = new QFrame(this);
    box->setFrameShape(QFrame::StyledPanel);
    auto* v = new QVBoxLayout(box);
    labels_[i] = new QLabel(box);
    labels_[i]->setObjectName(QString("sql_session_%1").arg(i));
    labels_[i]->setTextFormat(Qt::RichText);
    labels_[i]->setWordWrap(true);
    buttons_[i] = new QPushButton(box);
    buttons_[i]->setObjectName(QString("sql_send_%1").arg(i));
    connect(buttons_[i], &QPushButton::clicked, this, [this, i] { SendStatement(i); });
    auto* key = new QShortcut(QKeySequence(Qt::Key_1 + i), this);
    key->setContext(Qt::WindowShortcut);  // active while this panel is visible
    connect(key, &QShortcut::activated, this, [this, i] { SendStatement(i); });
    v->addWidget(labels_[i], 1);
    v->addWidget(buttons_[i]);
    middle->addWidget(box, 1);
  }
  layout->addLayout(middle);
  verdict_ = AddTextLine(this, layout, "sql_verdict");
  log_ = new QListWidget(this);
  log_->setObjectName("sql_log");
  log_->setWordWrap(true);
  layout->addWidget(log_, 1);
  poll_ = new QTimer(this);
  poll_->setInterval(30);
  connect(poll_, &QTimer::timeout, this, &SqlScheduler::OnPoll);
  connect(connect_, &QPushButton::clicked, this, [this] { Connect(); });
  connect(reset, &QPushButton::clicked, this, &SqlScheduler::Reset);
  connect(level_box_, &QComboBox::currentIndexChanged, this, [this] {
    if (!url_.empty()) Reset();
  });
  SetTheme(theme);
}

SqlScheduler::~SqlScheduler() {
  game_.reset();  // close the sessions before the server stops
  servers_.reset();
}

void SqlScheduler::SetTheme(const Theme& theme) {
  theme_ = theme;
  intro_->setFont(theme.Font(theme.base_pt + 1));
  counter_->setFont(theme.Font(theme.title_pt + 10, true));
  verdict_->setFont(theme.Font(theme.base_pt + 1));
  log_->setFont(QFont("monospace", theme.base_pt));
  for (int i = 0; i < SqlSchedulerGame::kSessions; ++i) {
    labels_[i]->setFont(theme.Font(theme.base_pt + 1));
    buttons_[i]->setFont(theme.Font(theme.base_pt + 2, true));
  }
  Refresh();
}

void SqlScheduler::SetIsolation(SqlIsolation level) {
  level_box_->setCurrentIndex(level == SqlIsolation::kSerializable ? 1 : 0);
  Reset();
}

bool SqlScheduler::Connect() {
  if (url_.empty()) {
    if (!options_.postgres_url.empty()) {
      url_ = options_.postgres_url;
    } else {
      servers_ = std::make_unique<adapters::ThrowawayServers>(options_.bin_dir, "");
      const std::string why = servers_->CannotStart(adapters::TargetKind::kPostgres);
      if (!why.empty()) {
        verdict_->setText(tr("PostgreSQL is not available here: %1").arg(Q(why)));
        return false;
      }
      verdict_->setText(tr("Starting a throwaway PostgreSQL…"));
      verdict_->repaint();
      auto url = servers_->Url(adapters::TargetKind::kPostgres);
      if (!url.ok()) {
        verdict_->setText(tr("Could not start PostgreSQL: %1").arg(Q(url.status().message())));
        return false;
      }
      url_ = *url;
    }
  }
  Reset();
  return game_ != nullptr;
}

void SqlScheduler::Reset() {
  poll_->stop();
  log_->clear();
  logged_ = 0;
  game_.reset();
  if (url_.empty()) {
    Refresh();
    return;
  }
  const SqlIsolation level =
      level_box_->currentIndex() == 1 ? SqlIsolation::kSerializable : SqlIsolation::kReadCommitted;
  auto game = SqlSchedulerGame::Start(url_, level);
  if (!game.ok()) {
    verdict_->setText(tr("Could not start the sessions: %1").arg(Q(game.status().message())));
  } else {
    game_ = std::move(*game);
  }
  Refresh();
}

bool SqlScheduler::SendStatement(int session) {
  if (!game_ || !game_->CanSend(session)) return false;
  Status st = game_->Send(session);
  if (!st.ok()) {
    verdict_->setText(Q(st.message()));
    return false;
  }
  Refresh();
  return true;
}

void SqlScheduler::OnPoll() {
  if (!game_) return;
  game_->Poll();
  Refresh();  // also when someone else (WaitIdle) collected the reply; stops the timer when idle
}

void SqlScheduler::Refresh() {
  connect_->setVisible(url_.empty());
  if (!game_) {
    intro_->setText(
        tr("Two sessions each add one to a row: BEGIN, SELECT v, UPDATE SET v = read "
           "+ 1, COMMIT. You pick which session sends its next statement, against a "
           "real PostgreSQL server. Press Connect (a throwaway server is started when "
           "no --postgres-url was given)."));
    counter_->setText(tr("counter\n—"));
    for (int i = 0; i < SqlSchedulerGame::kSessions; ++i) {
      labels_[i]->setText(tr("<b>Session %1</b><br>not connected").arg(i + 1));
      buttons_[i]->setText(tr("send"));
      buttons_[i]->setEnabled(false);
    }
    return;
  }
  const bool serializable = game_->level() == SqlIsolation::kSerializable;
  intro_->setText(
      serializable
          ? tr("SERIALIZABLE: try the order that lost an update at READ COMMITTED. PostgreSQL "
               "refuses to commit a result no serial order could give: the second UPDATE fails "
               "with 40001 and that session rolls back and retries.")
          : tr("READ COMMITTED: make an update get lost. Hint: both sessions SELECT before "
               "either UPDATEs; the second UPDATE waits for the first session's row lock."));
  counter_->setText(tr("counter\n%1").arg(game_->counter()));
  bool any_busy = false;
  for (int i = 0; i < SqlSchedulerGame::kSessions; ++i) {
    const SqlSession& s = game_->session(i);
    any_busy = any_busy || s.busy;
    QString state;
    if (s.committed) {
      state = tr("committed its increment");
    } else if (s.busy && s.lock_wait) {
      state = tr("<font color='%1'><b>waiting</b> on a row lock:</font><br><tt>%2</tt>")
                  .arg(theme_.fail.name(), Q(s.sent).toHtmlEscaped());
    } else if (s.busy) {
      state = tr("running: <tt>%1</tt>").arg(Q(s.sent).toHtmlEscaped());
    } else if (s.next == SqlOp::kRollback) {
      state = tr("<font color='%1'>failed: %2</font>")
                  .arg(theme_.fail.name(), Q(s.last_error).toHtmlEscaped());
    } else if (s.next == SqlOp::kBegin) {
      state = tr("no transaction open");
    } else {
      state = tr("in a transaction");
    }
    labels_[i]->setText(
        tr("<b>Session %1</b><br>read: %2<br>%3%4")
            .arg(i + 1)
            .arg(s.local ? QString::number(*s.local) : QString("—"))
            .arg(state)
            .arg(s.failures ? tr("<br>failed statements: %1").arg(s.failures) : QString()));
    buttons_[i]->setText(s.committed ? tr("done")
                         : s.busy    ? (s.lock_wait ? tr("waiting…") : tr("running…"))
                                     : QString("%1 ▶ %2").arg(i + 1).arg(Q(SqlOpName(s.next))));
    buttons_[i]->setToolTip(Q(game_->NextStatement(i)));
    buttons_[i]->setEnabled(game_->CanSend(i));
  }
  const auto& events = game_->events();
  for (; logged_ < events.size(); ++logged_) {
    const SqlEvent& e = events[logged_];
    auto* item = new QListWidgetItem(
        QString("session %1  %2  →  %3").arg(e.session + 1).arg(Q(e.statement), Q(e.outcome)),
        log_);
    if (e.error || e.waiting) item->setForeground(theme_.fail);
  }
  log_->scrollToBottom();
  QString v = tr("Committed increments: %1 of 2 · counter: %2 · lost updates: %3")
                  .arg(game_->committed())
                  .arg(game_->counter())
                  .arg(game_->lost_updates());
  if (game_->lost_updates() > 0)
    v = QString("<font color='%1'><b>%2</b></font>").arg(theme_.fail.name(), v);
  verdict_->setText(v);
  if (any_busy) {
    poll_->start();
  } else {
    poll_->stop();
  }
}

QString SqlScheduler::verdict() const { return verdict_->text(); }
QString SqlScheduler::sessionText(int i) const { return labels_[i]->text(); }

}  // namespace racetrack::gui
