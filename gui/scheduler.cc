// Every button press is one real command on the engine, run on the GUI thread: the in-process
// engine answers in microseconds, so there is nothing to wait for. The search for the shortest
// winning interleaving runs once a play ends (a fraction of a second for the largest setup).

#include "gui/scheduler.h"

#include <QComboBox>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "gui/scheduler_sql.h"

namespace racetrack::gui {

namespace {
QString Q(const std::string& s) { return QString::fromStdString(s); }
constexpr int kFreeModes = 3;  // free play with each approach, then the challenges
const SchedApproach kFree[kFreeModes] = {SchedApproach::kClientRmw, SchedApproach::kWatch,
                                         SchedApproach::kIncr};
}  // namespace

QPushButton* AddControlRow(QWidget* panel, QVBoxLayout* layout,
                           std::initializer_list<QWidget*> controls, const char* reset_name) {
  auto* row = new QHBoxLayout;
  auto* reset = new QPushButton(QObject::tr("Start over"), panel);
  reset->setObjectName(reset_name);
  for (QWidget* control : controls) row->addWidget(control);
  row->addStretch(1);
  row->addWidget(reset);
  layout->addLayout(row);
  return reset;
}

QLabel* AddTextLine(QWidget* panel, QVBoxLayout* layout, const char* name) {
  auto* line = new QLabel(panel);
  if (name) line->setObjectName(name);
  line->setWordWrap(true);
  layout->addWidget(line);
  return line;
}

QLabel* AddCounter(QWidget* panel, QHBoxLayout* row) {
  auto* counter = new QLabel(panel);
  counter->setAlignment(Qt::AlignCenter);
  counter->setMinimumWidth(180);
  counter->setFrameShape(QFrame::Box);
  row->addWidget(counter);
  return counter;
}

SchedulerPanel::SchedulerPanel(const Theme& theme, QWidget* parent)
    : QWidget(parent), theme_(theme) {
  auto* layout = new QVBoxLayout(this);
  mode_box_ = new QComboBox(this);
  mode_box_->setObjectName("sched_mode");
  for (SchedApproach a : kFree) mode_box_->addItem(tr("Free play: %1").arg(Q(ApproachName(a))));
  for (const SchedChallenge& c : Challenges())
    mode_box_->addItem(tr("Challenge: %1").arg(Q(c.title)));
  clients_ = new QSpinBox(this);
  clients_->setRange(1, SchedSetup::kMaxClients);
  clients_->setValue(3);
  clients_->setPrefix(tr("clients "));
  increments_ = new QSpinBox(this);
  increments_->setRange(1, SchedSetup::kMaxIncrements);
  increments_->setValue(3);
  increments_->setPrefix(tr("increments each "));
  QPushButton* reset =
      AddControlRow(this, layout, {mode_box_, clients_, increments_}, "sched_reset");

  task_ = AddTextLine(this, layout);
  auto* middle = new QHBoxLayout;
  counter_ = AddCounter(this, middle);
  counter_->setObjectName("sched_counter");
  columns_ = new QWidget(this);
  new QHBoxLayout(columns_);
  middle->addWidget(columns_, 1);
  layout->addLayout(middle);
  verdict_ = AddTextLine(this, layout, "sched_verdict");
  log_ = new QListWidget(this);
  log_->setObjectName("sched_log");
  layout->addWidget(log_, 1);
  auto* bottom = new QHBoxLayout;
  outcome_ = new QLabel(this);
  outcome_->setObjectName("sched_outcome");
  outcome_->setWordWrap(true);
  outcome_->setTextFormat(Qt::RichText);
  play_shortest_ = new QPushButton(tr("Play the shortest winning interleaving"), this);
  play_shortest_->setObjectName("sched_play_shortest");
  play_shortest_->hide();
  bottom->addWidget(outcome_, 1);
  bottom->addWidget(play_shortest_);
  layout->addLayout(bottom);

  timer_ = new QTimer(this);
  timer_->setInterval(450);
  connect(timer_, &QTimer::timeout, this, [this] {
    if (pending_.empty()) {
      timer_->stop();
      return;
    }
    int client = pending_.front();
    pending_.erase(pending_.begin());
    StepClient(client);
  });
  connect(mode_box_, &QComboBox::currentIndexChanged, this, [this](int i) { SelectMode(i); });
  connect(clients_, &QSpinBox::valueChanged, this, [this] {
    if (mode_ < kFreeModes) Reset();
  });
  connect(increments_, &QSpinBox::valueChanged, this, [this] {
    if (mode_ < kFreeModes) Reset();
  });
  connect(reset, &QPushButton::clicked, this, &SchedulerPanel::Reset);
  connect(play_shortest_, &QPushButton::clicked, this, [this] {
    PlayShortest(0);
    timer_->start();
  });
  for (int i = 0; i < SchedSetup::kMaxClients; ++i) {
    auto* key = new QShortcut(QKeySequence(Qt::Key_1 + i), this);
    key->setContext(Qt::WindowShortcut);  // active while the panel is visible
    connect(key, &QShortcut::activated, this, [this, i] { StepClient(i); });
  }
  SetTheme(theme);
  SelectMode(0);
}

SchedulerPanel::~SchedulerPanel() = default;

int SchedulerPanel::ModeCount() const { return mode_box_->count(); }

const SchedChallenge* SchedulerPanel::challenge() const {
  return mode_ >= kFreeModes ? &Challenges()[mode_ - kFreeModes] : nullptr;
}

void SchedulerPanel::SetTheme(const Theme& theme) {
  theme_ = theme;
  task_->setFont(theme.Font(theme.base_pt + 2, true));
  counter_->setFont(theme.Font(theme.title_pt + 10, true));
  verdict_->setFont(theme.Font(theme.base_pt + 1));
  outcome_->setFont(theme.Font(theme.base_pt));
  log_->setFont(QFont("monospace", theme.base_pt));
  for (QLabel* l : client_labels_) l->setFont(theme.Font(theme.base_pt + 1));
  for (QPushButton* b : step_buttons_) b->setFont(theme.Font(theme.base_pt + 3, true));
  Refresh();
}

void SchedulerPanel::SelectMode(int index) {
  if (index < 0 || index >= mode_box_->count()) return;
  mode_ = index;
  if (mode_box_->currentIndex() != index) {
    QSignalBlocker block(mode_box_);
    mode_box_->setCurrentIndex(index);
  }
  const bool free = mode_ < kFreeModes;
  clients_->setEnabled(free);
  increments_->setEnabled(free);
  if (const SchedChallenge* c = challenge()) {
    QSignalBlocker b1(clients_), b2(increments_);
    clients_->setValue(c->setup.clients);
    increments_->setValue(c->setup.increments);
  }
  Reset();
}

void SchedulerPanel::Reset() {
  timer_->stop();
  pending_.clear();
  if (const SchedChallenge* c = challenge()) {
    setup_ = c->setup;
  } else {
    setup_ = {kFree[mode_], clients_->value(), increments_->value()};
  }
  auto game = SchedulerGame::Start(setup_);
  log_->clear();
  shortest_.clear();
  play_shortest_->hide();
  outcome_->clear();
  if (!game.ok()) {
    game_.reset();
    verdict_->setText(tr("Could not start the engine: %1").arg(Q(game.status().message())));
  } else {
    game_ = std::move(*game);
  }
  QString program;
  for (SchedOp op : Program(setup_.approach)) {
    if (!program.isEmpty()) program += " → ";
    program += Q(OpName(op));
  }
  const QString how =
      tr("Each client adds one to the counter with %1 (%2)%3. You are the scheduler: "
         "press a client's button (or its number key) to run its next command on "
         "the real built-in engine.")
          .arg(Q(ApproachName(setup_.approach)), program,
               setup_.approach == SchedApproach::kWatch
                   ? tr("; an EXEC that returns (nil) starts the client over")
                   : QString());
  task_->setText(challenge() ? Q(challenge()->task) + "\n" + how : how);
  BuildClientColumns();
  Refresh();
}

void SchedulerPanel::BuildClientColumns() {
  QLayout* row = columns_->layout();
  while (QLayoutItem* item = row->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  client_labels_.clear();
  step_buttons_.clear();
  for (int i = 0; i < setup_.clients; ++i) {
    auto* box = new QFrame(columns_);
    box->setFrameShape(QFrame::StyledPanel);
    auto* v = new QVBoxLayout(box);
    auto* label = new QLabel(box);
    label->setObjectName(QString("sched_client_%1").arg(i));
    label->setTextFormat(Qt::RichText);
    label->setFont(theme_.Font(theme_.base_pt + 1));
    auto* button = new QPushButton(box);
    button->setObjectName(QString("sched_step_%1").arg(i));
    button->setFont(theme_.Font(theme_.base_pt + 3, true));
    button->setMinimumHeight(QFontMetrics(button->font()).height() * 2);
    connect(button, &QPushButton::clicked, this, [this, i] { StepClient(i); });
    v->addWidget(label);
    v->addWidget(button);
    row->addWidget(box);
    client_labels_.push_back(label);
    step_buttons_.push_back(button);
  }
}

bool SchedulerPanel::StepClient(int client) {
  if (!game_ || client < 0 || client >= setup_.clients || game_->model().Finished(client)) {
    return false;
  }
  auto step = game_->Step(client);
  if (!step.ok()) {
    verdict_->setText(tr("Error: %1").arg(Q(step.status().message())));
    return false;
  }
  QString line = QString("%1  client %2  %3  →  %4")
                     .arg(game_->history().size(), 3)
                     .arg(client + 1)
                     .arg(Q(step->command), -18)
                     .arg(Q(step->reply));
  if (step->lost_update)
    line += tr("   ✗ erased %n increment(s) other clients had made", "", int(step->erased));
  if (step->aborted) line += tr("   ✗ aborted: the key changed since WATCH — start over");
  auto* item = new QListWidgetItem(line, log_);
  if (step->lost_update || step->aborted) item->setForeground(theme_.fail);
  log_->scrollToBottom();
  Refresh();
  // An abort challenge is decided by its first (nil); the others when every client is done.
  const SchedChallenge* c = challenge();
  const bool decided =
      c && c->goal == SchedGoal::kExecAborts && step->aborted && game_->model().Aborts() == 1;
  if (game_->model().AllFinished() || decided) ShowOutcome();
  return true;
}

void SchedulerPanel::Refresh() {
  if (!game_) {
    for (QPushButton* b : step_buttons_) b->setEnabled(false);
    return;
  }
  const SchedulerModel& m = game_->model();
  counter_->setText(tr("counter\n%1").arg(game_->engine_counter()));
  for (int i = 0; i < setup_.clients && i < static_cast<int>(client_labels_.size()); ++i) {
    const SchedClient& c = m.state().clients[i];
    QString text = tr("<b>Client %1</b><br>local value: %2<br>increments done: %3 of %4")
                       .arg(i + 1)
                       .arg(c.has_local ? QString::number(c.local) : QString("—"))
                       .arg(c.done)
                       .arg(setup_.increments);
    if (setup_.approach == SchedApproach::kWatch) {
      if (c.pc > 0) {
        text += c.dirty ? tr("<br><font color='%1'>watching: key changed, EXEC will fail</font>")
                              .arg(theme_.fail.name())
                        : tr("<br>watching: key unchanged");
      }
      if (c.aborts > 0) text += tr("<br>aborted EXECs: %1").arg(c.aborts);
    }
    client_labels_[i]->setText(text);
    QPushButton* b = step_buttons_[i];
    if (m.Finished(i)) {
      b->setText(tr("done"));
      b->setEnabled(false);
    } else {
      auto argv = m.NextCommand(i);
      QString cmd = Q(OpName(m.NextOp(i)));
      if (m.NextOp(i) == SchedOp::kSet) cmd += " " + Q(argv.back());
      b->setText(QString("%1  ▶ %2").arg(i + 1).arg(cmd));
      b->setEnabled(pending_.empty());
    }
  }
  const int64_t expected = static_cast<int64_t>(setup_.clients) * setup_.increments;
  QString v = tr("Increments completed: %1 of %2 · counter: %3 · lost updates: %4")
                  .arg(m.Completed())
                  .arg(expected)
                  .arg(game_->engine_counter())
                  .arg(m.LostUpdates());
  if (setup_.approach == SchedApproach::kWatch) v += tr(" · aborted EXECs: %1").arg(m.Aborts());
  if (m.LostUpdates() > 0) {
    v = QString("<font color='%1'><b>%2</b></font>").arg(theme_.fail.name(), v);
  }
  if (!game_->disagreement().empty()) {
    v += tr("<br><font color='%1'>Engine and model disagree: %2</font>")
             .arg(theme_.fail.name(), Q(game_->disagreement()).toHtmlEscaped());
  }
  verdict_->setText(v);
}

void SchedulerPanel::ShowOutcome() {
  const SchedChallenge* c = challenge();
  const SchedulerModel& m = game_->model();
  QString head;
  SchedSearchResult search;
  if (c) {
    const bool won = ChallengeWon(*c, m);
    head = won ? tr("<b>Challenge met.</b> ") : tr("<b>Not this time.</b> ");
    search = FindShortestInterleaving(c->setup, c->goal, c->target);
  } else {
    head = tr("<b>All clients finished</b>: the counter ended at %1 of %2. ")
               .arg(game_->engine_counter())
               .arg(m.Completed());
    // In free play, the goal shown is the worst case: the lowest end value any order reaches.
    search = FindShortestInterleaving(setup_, SchedGoal::kCounterEndsAt, 0);
    int64_t lowest = search.final_values.empty() ? 0 : *search.final_values.begin();
    search = FindShortestInterleaving(setup_, SchedGoal::kCounterEndsAt, lowest);
    head += tr("The lowest any order can reach is %1. ").arg(lowest);
  }
  QStringList ends;
  for (int64_t v : search.final_values) ends << QString::number(v);
  const QString reach = tr("Searched all %1 states: the counter can end at {%2}.")
                            .arg(search.states)
                            .arg(ends.join(", "));
  if (search.found) {
    shortest_ = search.interleaving;
    QStringList steps;
    for (const std::string& s : search.commands) steps << Q(s);
    outcome_->setText(head + tr("Shortest winning interleaving (%1 steps): %2. %3")
                                 .arg(search.interleaving.size())
                                 .arg(steps.join(" · "), reach));
    play_shortest_->show();
  } else {
    outcome_->setText(head + tr("No interleaving can win. %1").arg(reach));
  }
}

void SchedulerPanel::PlayShortest(int steps) {
  std::vector<int> plan = shortest_;
  Reset();
  shortest_ = plan;
  pending_ = plan;
  Refresh();
  for (int n = 0; !pending_.empty() && (steps < 0 || n < steps); ++n) {
    int client = pending_.front();
    pending_.erase(pending_.begin());
    StepClient(client);
  }
}

QString SchedulerPanel::verdict() const { return verdict_->text(); }
QString SchedulerPanel::shortest() const { return outcome_->text(); }

SchedulerTab::SchedulerTab(const Theme& theme, adapters::TargetOptions target_options,
                           QWidget* parent)
    : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  pages_ = new QTabWidget(this);
  pages_->setObjectName("scheduler_pages");
  redis_ = new SchedulerPanel(theme, pages_);
  sql_ = new SqlScheduler(theme, std::move(target_options), pages_);
  pages_->addTab(redis_, tr("Redis commands (builtin)"));
  pages_->addTab(sql_, tr("SQL (PostgreSQL)"));
  layout->addWidget(pages_);
}

void SchedulerTab::SetTheme(const Theme& theme) {
  redis_->SetTheme(theme);
  sql_->SetTheme(theme);
}

}  // namespace racetrack::gui
