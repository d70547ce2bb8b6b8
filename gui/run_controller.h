// RunController: runs one lesson off the GUI thread through the same harness as the CLI
// (bench::Harness, with throwaway servers started by adapters::ThrowawayServers exactly as
// `racetrack run` starts them) and hands everything the harness reports back to the GUI thread
// as queued signals: target status, progress, interval samples, records, skips, and the finished
// document.
//
// Stop() sets the harness's stop flag; the harness ends the phase within about one interval, the
// worker thread then stops the servers it started and exits. A record that ends with an error (a
// target died mid-run) stops the whole run: the remaining combinations would only fail the same
// way, and the page says what happened.
//
// Thread-safety: every method is for the GUI thread. Signals are emitted on the GUI thread. The
// destructor stops a running run and joins its thread (bounded by the adapters' timeouts).
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/target.h"
#include "bench/harness.h"
#include "results/results.h"

namespace racetrack::gui {

struct RunRequest {
  std::string scenario;                      // registry id
  std::vector<adapters::TargetKind> targets;
  std::vector<std::string> approaches;       // empty = all
  bench::RunOptions options;
  adapters::TargetOptions target_options;    // URLs; bin_dir defaults to the app's directory
};

class RunController : public QObject {
  Q_OBJECT

 public:
  explicit RunController(QObject* parent = nullptr);
  ~RunController() override;

  // Starts a run. Returns an empty string, or why it cannot start (already running, unknown
  // scenario, bad options) — a one-line message for the page.
  QString Start(RunRequest request);
  void Stop();
  bool running() const { return running_; }
  // Blocks (processing events) until the run has finished or `timeout_ms` passed; for tests.
  bool WaitFinished(int timeout_ms);

 signals:
  void targetStatus(results::TargetStatus status);
  void progress(bench::Progress progress);
  void sample(bench::IntervalSample sample);
  void record(results::Record record);
  void skipped(results::Skip skip);
  // The run ended: normally, stopped, or on an error (non-empty `error`, in plain words).
  void finished(results::Results doc, bool stopped, QString error);

 private:
  void Work(RunRequest request);

  bench::StopFlag stop_;
  std::thread thread_;
  bool running_ = false;
};

}  // namespace racetrack::gui

Q_DECLARE_METATYPE(racetrack::results::TargetStatus)
Q_DECLARE_METATYPE(racetrack::bench::Progress)
Q_DECLARE_METATYPE(racetrack::bench::IntervalSample)
Q_DECLARE_METATYPE(racetrack::results::Record)
Q_DECLARE_METATYPE(racetrack::results::Skip)
Q_DECLARE_METATYPE(racetrack::results::Results)
