// Layout choice: the question is the largest text on the page, because in a classroom it is what
// the room should read first; the controls sit in a narrow scrollable column so the charts keep
// most of the screen, in presenter mode too.

#include "gui/lesson_page.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>

#include "bench/harness.h"
#include "gui/availability.h"
#include "gui/chart_view.h"
#include "gui/live_view.h"
#include "gui/claims_page.h"
#include "gui/race_replay.h"
#include "gui/records_model.h"
#include "gui/run_controller.h"
#include "gui/scheduler.h"
#include "reports/lesson_charts.h"
#include "reports/report_model.h"

namespace racetrack::gui {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

// How the run in progress is labelled in charts (a file is labelled by its name).
constexpr char kThisRun[] = "this run";

// "1, 10, 100" -> values, checked against the knob's range.
Result<std::vector<double>> ParseKnob(const scenarios::KnobInfo& knob, const QString& text) {
  std::vector<double> values;
  for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
    bool ok = false;
    double v = part.trimmed().toDouble(&ok);
    if (!ok || v < knob.min || v > knob.max || (knob.integer && v != static_cast<int64_t>(v))) {
      return Status::InvalidArgument(
          knob.name + " must be " + (knob.integer ? "whole numbers" : "numbers") + " between " +
          QString::number(knob.min).toStdString() + " and " + QString::number(knob.max).toStdString() +
          " (got '" + part.trimmed().toStdString() + "')");
    }
    values.push_back(v);
    if (!knob.sweep) break;
  }
  if (values.empty()) return Status::InvalidArgument(knob.name + " needs a value");
  return values;
}

}  // namespace

LessonPage::LessonPage(std::string scenario_id, const scenarios::Scenario* scenario,
                       AppContext* context, QWidget* parent)
    : Page(parent), scenario_id_(std::move(scenario_id)), scenario_(scenario), context_(context) {
  setObjectName("lesson_" + Q(scenario_id_));
}

LessonPage::~LessonPage() = default;  // the controller (a child) stops and joins its run

bool LessonPage::running() const { return controller_ && controller_->running(); }

bool LessonPage::doLoad() {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(10, 8, 10, 8);
  BuildHeader(outer);
  model_ = new RecordsModel(this);
  BuildTabs();
  BuildSplit(outer);
  if (scenario_) ConnectController();
  SetTheme(context_->theme);
  ShowFileResults();
  return true;
}

void LessonPage::BuildHeader(QVBoxLayout* outer) {
  std::string title, question, expected;
  if (scenario_) {
    title = scenario_->info().title;
    question = scenario_->info().question;
    expected = scenario_->info().expected;
  } else {
    title = reports::LessonFor(scenario_id_, context_->opened).title;
    question = tr("This lesson is not in this build of racetrack: showing the file's results only.")
                   .toStdString();
  }
  title_ = new QLabel(Q(title), this);
  question_ = new QLabel(Q(question), this);
  question_->setWordWrap(true);
  explanation_ = new QLabel(Q(expected), this);
  explanation_->setWordWrap(true);
  banner_ = new QLabel(this);
  banner_->setObjectName("banner");
  banner_->setWordWrap(true);
  banner_->hide();
  outer->addWidget(title_);
  outer->addWidget(question_);
  outer->addWidget(explanation_);
  outer->addWidget(banner_);
}

void LessonPage::BuildTabs() {
  const Theme& theme = context_->theme;
  std::vector<std::string> live_figures;
  if (scenario_) live_figures = scenario_->info().live_figures;
  live_ = new LiveView(scenario_id_, live_figures, theme, this);

  tabs_ = new QTabWidget(this);
  tabs_->addTab(live_, tr("Live"));
  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  results_box_ = new QWidget;
  results_grid_ = new QGridLayout(results_box_);
  auto* empty = new QLabel(tr("Run the lesson (Ctrl+R) or open a results file (Ctrl+O): the "
                              "lesson's charts appear here."), results_box_);
  empty->setObjectName("results_empty");
  empty->setAlignment(Qt::AlignCenter);
  results_grid_->addWidget(empty, 0, 0);
  scroll->setWidget(results_box_);
  tabs_->addTab(scroll, tr("Charts"));
  if (scenario_id_ == "counters") {
    replay_ = new RaceReplay(theme, this);
    replay_->Record();
    tabs_->addTab(replay_, tr("Race replay"));
    tabs_->addTab(new SchedulerTab(theme, context_->target_options, this), tr("You are the scheduler"));
  }
  auto* table_tab = new QWidget(this);
  auto* table_layout = new QVBoxLayout(table_tab);
  table_ = new QTableView(table_tab);
  table_->setModel(model_);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  table_layout->addWidget(table_, 1);
  auto* copy = new QPushButton(tr("Copy table"), table_tab);
  connect(copy, &QPushButton::clicked, this, [this] { CopyTable(); });
  table_layout->addWidget(copy, 0, Qt::AlignRight);
  tabs_->addTab(table_tab, tr("Table"));
  tabs_->addTab(BuildAbout(), tr("About"));
  claims_ = new ClaimsPage(scenario_id_, this);
  tabs_->addTab(claims_, tr("Claims"));
  // Before any record: the lesson's claims, each "not measured" yet.
  results::Results none;
  if (scenario_) none.scenario_info[scenario_id_] = bench::TextOf(scenario_->info());
  claims_->Show({none});
}

void LessonPage::BuildSplit(QVBoxLayout* outer) {
  auto* split = new QSplitter(Qt::Horizontal, this);
  if (scenario_) {
    auto* controls_scroll = new QScrollArea(split);
    controls_scroll->setWidgetResizable(true);
    controls_scroll->setWidget(BuildControls());
    controls_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    controls_scroll->setMinimumWidth(context_->theme.presenter ? 420 : 300);
    split->addWidget(controls_scroll);
    controls_ = controls_scroll;
  }
  split->addWidget(tabs_);
  split->setStretchFactor(split->count() - 1, 1);
  outer->addWidget(split, 1);
}

void LessonPage::ConnectController() {
  controller_ = new RunController(this);
  connect(controller_, &RunController::sample, this, [this](const bench::IntervalSample& s) {
    live_->AddSample(s);
    model_->UpdateLive(s.approach, s.target, s.figures, s.throughput_ops_s);
  });
  connect(controller_, &RunController::progress, this, [this](const bench::Progress& p) {
    QString phase = p.repetition < 0 ? tr("warming up") : tr("measuring");
    status_->setText(tr("%1 on %2 (%3 of %4): %5")
                         .arg(Q(p.approach), Q(p.target))
                         .arg(p.combination)
                         .arg(p.combinations)
                         .arg(phase));
    double done = p.total_s > 0 ? p.elapsed_s / p.total_s
                                : (p.total_ops > 0 ? double(p.ops) / p.total_ops : 0);
    double overall = p.combinations > 0 ? (p.combination - 1 + std::clamp(done, 0.0, 1.0)) /
                                              p.combinations
                                        : 0;
    progress_->setValue(static_cast<int>(overall * 1000));
  });
  connect(controller_, &RunController::targetStatus, this, [this](const results::TargetStatus& t) {
    if (t.available) return;
    auto kind = adapters::ParseTargetName(t.name);
    if (kind.ok() && target_boxes_.count(*kind)) {
      target_boxes_[*kind]->setToolTip(Q(t.reason));
    }
    skipped_.push_back(tr("%1 could not be started: %2").arg(Q(t.name), Q(t.reason)));
    ShowSkips();
  });
  connect(controller_, &RunController::skipped, this, [this](const results::Skip& s) {
    skipped_.push_back(tr("%1 on %2: %3").arg(Q(s.approach), Q(s.target), Q(s.reason)));
    ShowSkips();
  });
  // The run's records are the results model the charts read: no conversion, no JSON.
  connect(controller_, &RunController::record, this, [this](const results::Record& r) {
    model_->SetRecord(r);
    live_->AddRecord(r);
    run_doc_.records.push_back(r);
    run_doc_.label = kThisRun;
    RebuildResultCharts({run_doc_});
  });
  connect(controller_, &RunController::finished, this,
          [this](const results::Results& doc, bool stopped, const QString& error) {
            live_->Flush();
            run_doc_ = doc;
            run_doc_.label = kThisRun;
            SetRunning(false);
            if (!error.isEmpty()) {
              ShowBanner(error, true);
              status_->setText(tr("Stopped: a target failed."));
            } else if (stopped) {
              status_->setText(tr("Stopped."));
            } else {
              status_->setText(tr("Finished: %1 record(s).").arg(doc.records.size()));
              progress_->setValue(1000);
            }
            if (!doc.records.empty()) RebuildResultCharts({run_doc_});
            if (restart_pending_) {  // the RTT slider moved during the run
              restart_pending_ = false;
              Run();
            }
          });
}

QWidget* LessonPage::BuildControls() {
  auto* box = new QWidget;
  auto* v = new QVBoxLayout(box);
  AddRunControls(box, v);
  v->addWidget(BuildTargetChoice(box));
  v->addWidget(BuildWorkload(box));
  v->addWidget(BuildApproachChoice(box));
  skips_ = new QLabel(box);
  skips_->setWordWrap(true);
  skips_->setStyleSheet("color: #777;");
  v->addWidget(skips_);
  v->addStretch(1);
  return box;
}

void LessonPage::AddRunControls(QWidget* box, QVBoxLayout* v) {
  auto* buttons = new QHBoxLayout;
  run_button_ = new QPushButton(tr("▶ Run"), box);
  run_button_->setObjectName("run");
  run_button_->setToolTip(tr("Run the lesson (Ctrl+R)"));
  stop_button_ = new QPushButton(tr("■ Stop"), box);
  stop_button_->setObjectName("stop");
  stop_button_->setToolTip(tr("Stop the run (Esc)"));
  stop_button_->setEnabled(false);
  connect(run_button_, &QPushButton::clicked, this, &LessonPage::Run);
  connect(stop_button_, &QPushButton::clicked, this, &LessonPage::Stop);
  buttons->addWidget(run_button_);
  buttons->addWidget(stop_button_);
  v->addLayout(buttons);
  progress_ = new QProgressBar(box);
  progress_->setRange(0, 1000);
  progress_->setTextVisible(false);
  progress_->setMaximumHeight(12);
  v->addWidget(progress_);
  status_ = new QLabel(tr("Ready."), box);
  status_->setObjectName("status");
  status_->setWordWrap(true);
  v->addWidget(status_);
}

QWidget* LessonPage::BuildTargetChoice(QWidget* box) {
  const scenarios::ScenarioInfo& info = scenario_->info();
  auto* targets = new QGroupBox(tr("Targets"), box);
  auto* tv = new QVBoxLayout(targets);
  const std::string bin_dir = context_->target_options.bin_dir;
  const bool client_side = std::any_of(info.approaches.begin(), info.approaches.end(), [](const auto& a) {
    return (a.needs & adapters::kCapClientSide) != 0;
  });
  for (adapters::TargetKind kind : adapters::KnownTargetKinds()) {
    // The serverless target only on lessons with an approach that runs there (sessions' jwt).
    if (kind == adapters::TargetKind::kClient && !client_side) continue;
    adapters::TargetAvailability a = ProbeTarget(kind, bin_dir, context_->target_options);
    auto* check = new QCheckBox(Q(std::string(adapters::TargetName(kind))), targets);
    // Every target that can be had: a class should see Redis and PostgreSQL without knowing
    // to tick them. Not a cluster: several servers and seconds to form, ticked when wanted.
    check->setChecked(a.available && kind != adapters::TargetKind::kRedisCluster);
    check->setEnabled(a.available);
    tv->addWidget(check);
    if (!a.available) {
      auto* why = new QLabel(Q(a.reason), targets);
      why->setWordWrap(true);
      why->setStyleSheet("color: #777; margin-left: 22px;");
      tv->addWidget(why);
      check->setToolTip(Q(a.reason));
    }
    target_boxes_[kind] = check;
  }
  return targets;
}

QWidget* LessonPage::BuildWorkload(QWidget* box) {
  const scenarios::ScenarioInfo& info = scenario_->info();
  auto* params = new QGroupBox(tr("Workload"), box);
  auto* form = new QFormLayout(params);
  clients_ = new QSpinBox(params);
  clients_->setRange(1, 256);
  clients_->setValue(info.default_clients > 0 ? info.default_clients : 8);
  form->addRow(tr("clients"), clients_);
  duration_ = new QDoubleSpinBox(params);
  duration_->setRange(0.2, 120);
  duration_->setSingleStep(0.5);
  duration_->setDecimals(1);
  duration_->setSuffix(" s");
  duration_->setValue(info.default_duration_s > 0 ? info.default_duration_s : 3.0);
  form->addRow(tr("duration"), duration_);
  for (const scenarios::KnobInfo& knob : info.knobs) {
    QWidget* w;
    if (!knob.choices.empty()) {
      auto* combo = new QComboBox(params);
      for (const std::string& c : knob.choices) combo->addItem(Q(c));
      if (!knob.defaults.empty()) combo->setCurrentIndex(static_cast<int>(knob.defaults.front()));
      w = combo;
    } else {
      QStringList defaults;
      for (double d : knob.defaults) defaults << QString::number(d);
      auto* edit = new QLineEdit(defaults.join(", "), params);
      edit->setPlaceholderText(knob.sweep ? tr("values, comma separated") : tr("a value"));
      w = edit;
    }
    w->setToolTip(Q(knob.help));
    w->setObjectName(Q("knob_" + knob.name));  // tests and screenshots set knobs by name
    form->addRow(Q(knob.name), w);
    knob_widgets_[knob.name] = w;
    if (knob.name == "rtt-ms") form->addRow(QString(), BuildRttSlider(static_cast<QLineEdit*>(w)));
  }
  return params;
}

QWidget* LessonPage::BuildApproachChoice(QWidget* box) {
  const scenarios::ScenarioInfo& info = scenario_->info();
  auto* approaches = new QGroupBox(tr("Approaches"), box);
  auto* av = new QVBoxLayout(approaches);
  for (const scenarios::ApproachInfo& a : info.approaches) {
    QString text = Q(a.title);
    if (!a.expected_correct) text += tr("  ⚠ unsafe");
    auto* check = new QCheckBox(text, approaches);
    check->setChecked(true);
    check->setToolTip(Q(a.id + ": " + a.summary));
    av->addWidget(check);
    approach_boxes_[a.id] = check;
  }
  return approaches;
}

QWidget* LessonPage::BuildRttSlider(QLineEdit* edit) {
  // Pipeline: drag the round-trip time and the run starts again at 0 ms and the new RTT, so the
  // class sees the time-vs-batch lines move apart as the network gets slower.
  auto* box = new QWidget;
  auto* h = new QHBoxLayout(box);
  h->setContentsMargins(0, 0, 0, 0);
  auto* slider = new QSlider(Qt::Horizontal, box);
  slider->setObjectName("rtt_slider");
  slider->setRange(0, 20);
  slider->setValue(1);
  slider->setToolTip(tr("Injected round-trip time (ms): releasing the slider restarts the run"));
  auto* label = new QLabel(tr("RTT 1 ms"), box);
  h->addWidget(slider, 1);
  h->addWidget(label);
  connect(slider, &QSlider::valueChanged, label,
          [label](int v) { label->setText(tr("RTT %1 ms").arg(v)); });
  auto apply = [this, slider, edit] {
    const int v = slider->value();
    edit->setText(v == 0 ? QStringLiteral("0") : QStringLiteral("0, %1").arg(v));
    if (running()) {
      restart_pending_ = true;
      Stop();
    } else {
      Run();
    }
  };
  connect(slider, &QSlider::sliderReleased, this, apply);
  // Keyboard and wheel changes (no press/release) restart too.
  connect(slider, &QSlider::actionTriggered, this, [slider, apply](int) {
    if (!slider->isSliderDown()) QTimer::singleShot(0, slider, apply);
  });
  return box;
}

QWidget* LessonPage::BuildAbout() {
  auto* text = new QTextBrowser(this);
  QString html;
  if (scenario_) {
    const scenarios::ScenarioInfo& info = scenario_->info();
    html += "<h2>" + Q(info.title).toHtmlEscaped() + "</h2>";
    html += "<p><b>" + Q(info.question).toHtmlEscaped() + "</b></p>";
    for (const QString& para : Q(info.lesson).split("\n\n", Qt::SkipEmptyParts)) {
      html += "<p>" + para.toHtmlEscaped() + "</p>";
    }
    html += "<h3>" + tr("Approaches") + "</h3><ul>";
    for (const auto& a : info.approaches) {
      html += "<li><b>" + Q(a.title).toHtmlEscaped() + "</b> <code>" + Q(a.id) + "</code>: " +
              Q(a.summary).toHtmlEscaped() +
              (a.expected_correct ? QString() : tr(" <i>(loses correctness on purpose)</i>")) +
              "</li>";
    }
    html += "</ul><h3>" + tr("What to expect") + "</h3><p>" + Q(info.expected).toHtmlEscaped() + "</p>";
  } else {
    reports::LessonText t = reports::LessonFor(scenario_id_, context_->opened);  // the file's text
    html = "<h2>" + Q(t.title).toHtmlEscaped() + "</h2><p>" + Q(t.lesson).toHtmlEscaped() + "</p>";
  }
  text->setHtml(html);
  return text;
}

void LessonPage::SetTheme(const Theme& theme) {
  // Presenter mode gives the charts the whole screen; Ctrl+R / Esc run and stop, F11 brings the
  // controls back.
  if (controls_) controls_->setVisible(!theme.presenter);
  title_->setFont(theme.Font(theme.title_pt + 2, true));
  question_->setFont(theme.Font(theme.title_pt, true));
  explanation_->setFont(theme.Font(theme.base_pt));
  live_->SetTheme(theme);
  if (replay_) replay_->SetTheme(theme);
  if (auto* scheduler = findChild<SchedulerTab*>()) scheduler->SetTheme(theme);
  if (!shown_.empty()) RebuildResultCharts(shown_);  // sizes and columns depend on the mode
  banner_->setFont(theme.Font(theme.base_pt + 1, true));
}

void LessonPage::ShowSkips() {
  // One line, whatever the count: the list (one reason per combination) is in the tooltip.
  skips_->setText(skipped_.isEmpty() ? QString()
                                     : tr("%n combination(s) skipped (hover for why).", "",
                                          static_cast<int>(skipped_.size())));
  skips_->setToolTip(skipped_.join("\n"));
}

void LessonPage::ShowBanner(const QString& text, bool error) {
  banner_->setText(text);
  banner_->setStyleSheet(error ? "background: #fde0e0; color: #a00000; padding: 8px; border: 2px solid #c62828;"
                               : "background: #e6f0fa; color: #003060; padding: 8px;");
  banner_->setVisible(!text.isEmpty());
}

QString LessonPage::banner() const { return banner_->isHidden() ? QString() : banner_->text(); }
QString LessonPage::status() const { return status_ ? status_->text() : QString(); }

void LessonPage::SetRunning(bool running) {
  run_button_->setEnabled(!running);
  stop_button_->setEnabled(running);
  emit runningChanged(running);
}

void LessonPage::Run() {
  if (!scenario_ || !controller_) return;
  if (controller_->running()) return;
  RunRequest request;
  request.scenario = scenario_id_;
  for (const auto& [kind, box] : target_boxes_) {
    if (box->isChecked() && box->isEnabled()) request.targets.push_back(kind);
  }
  std::vector<std::string> all_ids;
  for (const auto& [id, box] : approach_boxes_) {
    if (box->isChecked()) request.approaches.push_back(id);
  }
  if (request.approaches.empty()) {
    ShowBanner(tr("Pick at least one approach."), true);
    return;
  }
  if (request.approaches.size() == approach_boxes_.size()) request.approaches.clear();
  request.options.clients = clients_->value();
  request.options.duration_s = duration_->value();
  // The spin boxes start at the lesson's defaults, so what they show is what runs.
  request.options.clients_given = true;
  request.options.duration_given = true;
  request.options.warmup_s = std::min(0.2, duration_->value() / 10);
  request.target_options = context_->target_options;
  for (const scenarios::KnobInfo& knob : scenario_->info().knobs) {
    QWidget* w = knob_widgets_[knob.name];
    if (auto* combo = qobject_cast<QComboBox*>(w)) {
      request.options.knobs[knob.name] = {static_cast<double>(combo->currentIndex())};
      continue;
    }
    auto values = ParseKnob(knob, static_cast<QLineEdit*>(w)->text());
    if (!values.ok()) {
      ShowBanner(Q(values.status().message()), true);
      return;
    }
    // A comma list is a sweep: the scenario expands it into parameter points, one record each.
    request.options.knobs[knob.name] = *values;
  }
  QString error = controller_->Start(request);
  if (!error.isEmpty()) {
    ShowBanner(error, true);
    return;
  }
  ShowBanner(QString(), false);
  skipped_.clear();
  ShowSkips();
  model_->Clear();
  live_->Clear();
  run_doc_ = {};
  // The lesson text (with its claims) beside the records, so the claims slide decides live.
  if (scenario_) run_doc_.scenario_info[scenario_id_] = bench::TextOf(scenario_->info());
  progress_->setValue(0);
  status_->setText(tr("Starting…"));
  tabs_->setCurrentWidget(live_);
  SetRunning(true);
}

void LessonPage::Stop() {
  if (!running()) return;
  status_->setText(tr("Stopping…"));
  controller_->Stop();
}

void LessonPage::ShowFileResults() {
  std::vector<results::Results> runs;
  for (const results::Results& r : context_->opened) {
    for (const results::Record& rec : r.records) {
      if (rec.scenario == scenario_id_) {
        runs.push_back(r);
        break;
      }
    }
  }
  if (runs.empty()) return;
  model_->Clear();
  for (const results::Results& run : runs) {
    for (const results::Record& rec : run.records) {
      if (rec.scenario == scenario_id_) model_->SetRecord(rec);
    }
  }
  live_->ShowRuns(runs);  // the file's time series, whole
  RebuildResultCharts(runs);
  QStringList labels;
  for (const auto& r : runs) labels << Q(r.label);
  ShowBanner(tr("Showing results from %1.").arg(labels.join(", ")), false);
}

void LessonPage::RebuildResultCharts(const std::vector<results::Results>& runs) {
  shown_ = runs;
  claims_->Show(runs);
  while (QLayoutItem* item = results_grid_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  result_views_.clear();
  const Theme& theme = context_->theme;
  std::vector<reports::ChartSpec> specs = reports::LessonCharts(scenario_id_, runs);
  const int columns = theme.presenter ? 1 : 2;
  int i = 0;
  for (const reports::ChartSpec& spec : specs) {
    auto* panel = new QWidget(results_box_);
    auto* pv = new QVBoxLayout(panel);
    pv->setContentsMargins(0, 0, 0, 0);
    auto* view = new ChartView(BuildChart(spec, theme), panel);
    view->SetSpecId(Q(spec.id));
    view->setMinimumHeight(theme.presenter ? 560 : 380);
    pv->addWidget(view);
    QString caption = Q(spec.subtitle);
    if (!spec.note.empty()) caption += "\n" + Q(spec.note);
    auto* label = new QLabel(caption, panel);
    label->setWordWrap(true);
    label->setFont(theme.Font(theme.axis_pt));
    pv->addWidget(label);
    results_grid_->addWidget(panel, i / columns, i % columns);
    result_views_.push_back(view);
    ++i;
  }
}

std::vector<ChartView*> LessonPage::charts() const {
  std::vector<ChartView*> out = live_->views();
  out.insert(out.end(), result_views_.begin(), result_views_.end());
  return out;
}

ChartView* LessonPage::CurrentChart() const {
  QWidget* current = tabs_->currentWidget();
  for (ChartView* v : charts()) {
    if (current && current->isAncestorOf(v)) return v;
  }
  return charts().empty() ? nullptr : charts().front();
}

QString LessonPage::CopyTable() const {
  QString tsv = model_->ToTsv();
  QGuiApplication::clipboard()->setText(tsv);
  return tsv;
}

void LessonPage::SetClients(int clients) { if (clients_) clients_->setValue(clients); }
void LessonPage::SetDuration(double seconds) { if (duration_) duration_->setValue(seconds); }

void LessonPage::SetTargets(const std::vector<adapters::TargetKind>& kinds) {
  for (auto& [kind, box] : target_boxes_) {
    box->setChecked(std::find(kinds.begin(), kinds.end(), kind) != kinds.end());
  }
}

void LessonPage::SetApproaches(const std::vector<std::string>& ids) {
  for (auto& [id, box] : approach_boxes_) {
    box->setChecked(std::find(ids.begin(), ids.end(), id) != ids.end());
  }
}

}  // namespace racetrack::gui
