// The harness calls its callbacks on the worker thread; each is forwarded with
// QMetaObject::invokeMethod(this, ..., Qt::QueuedConnection), which copies the value into the
// GUI thread's event queue. If the controller is destroyed first, Qt drops the queued calls.

#include "gui/run_controller.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QThread>

#include "adapters/throwaway.h"
#include "scenarios/registry.h"

namespace racetrack::gui {

namespace {

QString Q(const std::string& s) { return QString::fromStdString(s); }

// "redis stopped answering" reads better to a class than a socket error alone.
QString PlainError(const results::Record& r) {
  return QString("The %1 target stopped answering while running \"%2\": %3. The run was stopped.")
      .arg(Q(r.target), Q(r.approach), Q(r.error));
}

}  // namespace

RunController::RunController(QObject* parent) : QObject(parent) {}

RunController::~RunController() {
  stop_.Stop();
  if (thread_.joinable()) thread_.join();
}

QString RunController::Start(RunRequest request) {
  if (running_) return tr("A run is already going: stop it first.");
  if (scenarios::Registry::Default().Find(request.scenario) == nullptr) {
    return tr("Unknown lesson '%1'.").arg(Q(request.scenario));
  }
  if (request.targets.empty()) return tr("Pick at least one target.");
  if (Status s = bench::ValidateOptions(request.options); !s.ok()) return Q(s.message());
  if (request.target_options.bin_dir.empty()) {
    request.target_options.bin_dir = QCoreApplication::applicationDirPath().toStdString();
  }
  if (thread_.joinable()) thread_.join();  // the previous run's thread has finished its work
  stop_.Reset();
  running_ = true;
  thread_ = std::thread([this, request = std::move(request)]() mutable { Work(std::move(request)); });
  return QString();
}

void RunController::Stop() { stop_.Stop(); }

bool RunController::WaitFinished(int timeout_ms) {
  QDeadlineTimer deadline(timeout_ms);
  while (running_ && !deadline.hasExpired()) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(5);
  }
  return !running_;
}

void RunController::Work(RunRequest request) {
  const scenarios::Scenario& scenario = *scenarios::Registry::Default().Find(request.scenario);
  auto post = [this](auto fn) { QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection); };

  results::Results doc;
  doc.created = results::UtcNowIso8601();
  doc.racetrack_version = "0.1.0";
  doc.parameters.command_line = "racetrack-gui";
  doc.parameters.scenarios = {request.scenario};
  doc.parameters.clients = request.options.clients;
  doc.parameters.duration_s = request.options.duration_s;
  doc.parameters.ops = request.options.ops;
  doc.parameters.warmup_s = request.options.warmup_s;
  doc.parameters.repetitions = request.options.repetitions;
  doc.parameters.seed = request.options.seed;
  doc.parameters.interval_ms = request.options.interval_ms;
  doc.parameters.extra = request.options.extra;
  doc.scenario_info[scenario.info().id] = bench::TextOf(scenario.info());

  // The servers live exactly as long as this run, as with `racetrack run` without --reuse.
  adapters::ThrowawayServers servers(request.target_options.bin_dir, "");
  std::vector<std::unique_ptr<adapters::Target>> owned;
  bench::Plan plan;
  plan.scenarios = {&scenario};
  plan.approach_filter = request.approaches;
  for (adapters::TargetKind kind : request.targets) {
    if (stop_.stopped()) break;
    results::TargetStatus status;
    status.name = std::string(adapters::TargetName(kind));
    auto target = adapters::OpenTarget(kind, request.target_options, &servers);
    if (target.ok()) {
      status.available = true;
      status.endpoint = (*target)->endpoint();
      doc.environment.servers[status.name] = (*target)->server_version();
      plan.targets.push_back(target->get());
      owned.push_back(std::move(*target));
    } else {
      status.reason = target.status().message();
    }
    doc.targets.push_back(status);
    doc.parameters.targets.push_back(status.name);
    post([this, status] { emit targetStatus(status); });
  }

  QString error;
  if (plan.targets.empty() && !stop_.stopped()) {
    error = tr("None of the chosen targets could be started, so nothing ran.");
  } else if (!stop_.stopped()) {
    bench::Callbacks callbacks;
    callbacks.on_progress = [&](const bench::Progress& p) { post([this, p] { emit progress(p); }); };
    callbacks.on_sample = [&](const bench::IntervalSample& s) { post([this, s] { emit sample(s); }); };
    callbacks.on_skip = [&](const results::Skip& s) { post([this, s] { emit skipped(s); }); };
    callbacks.on_record = [&](const results::Record& r) {
      if (!r.error.empty() && error.isEmpty()) {
        error = PlainError(r);
        stop_.Stop();
      }
      post([this, r] { emit record(r); });
    };
    // A lesson whose target fronts another (cache: PostgreSQL behind the cache tier) gets it as
    // its backing store, as `racetrack run` does.
    bench::RunOptions options = request.options;
    options.servers = &servers;  // redlock's three lock servers
    if (const auto backing = scenario.info().backing) {
      for (const auto& t : owned) {
        if (t->kind() == *backing) options.backing = t.get();
      }
      if (options.backing == nullptr) {
        auto t = adapters::OpenTarget(*backing, request.target_options, &servers);
        if (t.ok()) {
          options.backing = t->get();
          owned.push_back(std::move(*t));
        } else {
          options.backing_unavailable = t.status().message();
        }
      }
    }
    bench::Harness harness(options, callbacks, &stop_);
    harness.Run(plan, &doc);
  }
  const bool stopped = stop_.stopped() && error.isEmpty();
  owned.clear();
  servers.StopAll();
  post([this, doc = std::move(doc), stopped, error]() {
    running_ = false;
    emit finished(doc, stopped, error);
  });
}

}  // namespace racetrack::gui
