// The measurement loop. Why it looks the way it does:
//  - Client threads live for the whole Session and park between phases, so thread creation and
//    connection setup never land inside a timed phase.
//  - Every phase starts at one instant a few ms in the future that all threads sleep until (a
//    start barrier): the clients then hit the target together, so a race that needs two clients
//    in the same window shows up from the first operation.
//  - Each thread records into its own LiveHistogram (no shared cache line on the hot path); the
//    calling thread snapshots them once per interval for the time series.
//  - Open loop measures from the scheduled start; a client that falls behind sends immediately
//    and the lateness is counted as latency (coordinated omission stays visible).
#include "bench/harness.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <thread>
#include <limits>
#include <mutex>

#include "adapters/cluster.h"
#include "engine/base/clock.h"
#include "results/format.h"

namespace racetrack::bench {

namespace {

using engine::MonotonicNs;

void SleepUntilNs(int64_t t) {
  std::this_thread::sleep_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(t)));
}

// Open loop: how long before a scheduled start a client stops sleeping and yields instead.
constexpr int64_t kSpinNs = 100'000;
// The calibration hook's D without a warm-up median: the median of this many first operations.
constexpr size_t kCalibrationSample = 65;

bool IsFatal(const Status& s) {
  return s.code() == Status::Code::kUnavailable || s.code() == Status::Code::kIoError;
}

// The calibration hook (harness.h): F when RACETRACK_CALIBRATION_SLOWDOWN names this
// "scenario/approach/target", else 0. A malformed value is ignored with a one-line warning.
double CalibrationSlowdown(const std::string& combination) {
  const char* env = std::getenv("RACETRACK_CALIBRATION_SLOWDOWN");
  if (env == nullptr || *env == '\0') return 0;
  const std::string value = env;
  const size_t colon = value.rfind(':');
  char* end = nullptr;
  const double f = colon == std::string::npos ? 0 : std::strtod(value.c_str() + colon + 1, &end);
  if (colon == std::string::npos || end == nullptr || *end != '\0' || !(f > 0 && f <= 10)) {
    std::fprintf(stderr, "racetrack: ignoring RACETRACK_CALIBRATION_SLOWDOWN=%s (want "
                 "scenario/approach/target:F with 0 < F <= 10)\n", env);
    return 0;
  }
  return value.substr(0, colon) == combination ? f : 0;
}

struct alignas(64) ClientCounters {
  std::atomic<uint64_t> ops{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<int64_t> finished_ns{0};
};

// The sweep axes' points: clients outer, rate inner; one empty point when there is no sweep.
std::vector<std::map<std::string, double>> SweepPoints(const RunOptions& o) {
  std::vector<std::map<std::string, double>> out = {{}};
  auto cross = [&out](const char* name, const auto& values) {
    if (values.empty()) return;
    std::vector<std::map<std::string, double>> next;
    for (const auto& p : out) {
      for (const auto v : values) {
        next.push_back(p);
        next.back()[name] = static_cast<double>(v);
      }
    }
    out = std::move(next);
  };
  cross("clients", o.clients_sweep);
  cross("rate", o.rate_sweep);
  return out;
}

}  // namespace

scenarios::KnobValues RunOptions::KnobsFor(const std::string& id) const {
  scenarios::KnobValues out = knobs;
  auto own = scenario_knobs.find(id);
  if (own != scenario_knobs.end()) {
    for (const auto& [name, values] : own->second) out[name] = values;
  }
  return out;
}

Status ValidateOptions(const RunOptions& o) {
  if (o.clients < 1 || o.clients > 1024) {
    return Status::InvalidArgument("--clients must be between 1 and 1024");
  }
  if (!o.ops && !(o.duration_s > 0 && o.duration_s <= 24 * 3600)) {
    return Status::InvalidArgument("--duration must be > 0 and at most 86400 seconds");
  }
  if (o.ops && *o.ops == 0) return Status::InvalidArgument("--ops must be at least 1");
  if (o.rate < 0) return Status::InvalidArgument("--rate must be positive (ops/s)");
  for (int c : o.clients_sweep) {
    if (c < 1 || c > 1024) return Status::InvalidArgument("--clients must be between 1 and 1024");
  }
  for (double r : o.rate_sweep) {
    if (!(r > 0)) return Status::InvalidArgument("--rate must be positive (ops/s)");
  }
  if (o.warmup_s < 0 || o.warmup_s > 3600) {
    return Status::InvalidArgument("--warmup must be between 0 and 3600 seconds");
  }
  if (o.repetitions < 1 || o.repetitions > 1000) {
    return Status::InvalidArgument("--repetitions must be between 1 and 1000");
  }
  if (o.interval_ms < 10 || o.interval_ms > 60000) {
    return Status::InvalidArgument("--interval must be between 10 and 60000 ms");
  }
  return Status::Ok();
}

OpenLoopSchedule MakeOpenLoopSchedule(double rate, int clients, int client) {
  RT_CHECK(rate > 0 && clients >= 1 && client >= 0 && client < clients);
  // The clients together form one stream with a gap of 1/rate; client i takes every clients-th
  // slot starting at slot i.
  const double gap_ns = 1e9 / rate;
  return {static_cast<int64_t>(gap_ns * client), static_cast<int64_t>(gap_ns * clients)};
}

// ---------------------------------------------------------------------------------------------
// Session

struct Session::Shared {
  int clients = 0;
  std::vector<std::unique_ptr<adapters::Client>> conns;
  std::unique_ptr<adapters::Client> admin;
  std::unique_ptr<adapters::Client> observer;
  std::unique_ptr<scenarios::ApproachRun> run;
  std::vector<std::unique_ptr<scenarios::Worker>> workers;
  std::vector<std::unique_ptr<LiveHistogram>> hists;
  std::unique_ptr<ClientCounters[]> counters;

  std::mutex mu;
  std::condition_variable cv;  // guards generation/quit/ready/done
  uint64_t generation = 0;
  bool quit = false;
  int ready = 0;
  int done = 0;
  PhaseSpec spec;
  std::atomic<int64_t> start_ns{0};
  std::atomic<bool> phase_stop{false};
  std::string error;  // first fatal error of the phase (under mu)
  double calibration_slowdown = 0;  // RACETRACK_CALIBRATION_SLOWDOWN for this combination
  std::atomic<int64_t> calibration_spin_ns{0};  // its fixed D; 0 = F x the operation's time
};

Session::Session(const scenarios::Scenario& scenario, const scenarios::ApproachInfo& approach,
                 adapters::Target& target, const RunOptions& options, StopFlag* stop)
    : scenario_(scenario), approach_(approach), target_(target), options_(options), stop_(stop),
      shared_(std::make_unique<Shared>()) {}

Session::~Session() {
  {
    std::lock_guard lock(shared_->mu);
    shared_->quit = true;
  }
  shared_->cv.notify_all();
  for (auto& t : threads_) t.join();
  // Workers before their connections.
  shared_->workers.clear();
  shared_->run.reset();
}

Result<std::unique_ptr<Session>> Session::Open(const scenarios::Scenario& scenario,
                                               const scenarios::ApproachInfo& approach,
                                               adapters::Target& target,
                                               const RunOptions& options, StopFlag* stop) {
  Status valid = ValidateOptions(options);
  if (!valid.ok()) return valid;
  const std::string missing = scenarios::MissingCapabilityReason(approach, target.capabilities());
  if (!missing.empty()) {
    return Status::InvalidArgument(std::string(target.name()) + " cannot run " + approach.id +
                                   ": " + missing);
  }
  std::unique_ptr<Session> s(new Session(scenario, approach, target, options, stop));
  Shared& sh = *s->shared_;
  sh.clients = options.clients;
  auto admin = target.Connect();
  if (!admin.ok()) return admin.status();
  sh.admin = std::move(admin).value();
  auto observer = target.Connect();
  if (!observer.ok()) return observer.status();
  sh.observer = std::move(observer).value();
  for (int i = 0; i < options.clients; ++i) {
    auto c = target.Connect();
    if (!c.ok()) return c.status();
    sh.conns.push_back(std::move(c).value());
  }
  scenarios::RunContext ctx{options.clients, options.seed, options.extra};
  ctx.target = &target;  // scenarios that open connections of their own (pipeline's proxy)
  ctx.workload = options.workload;
  ctx.backing = options.backing;
  ctx.backing_unavailable = options.backing_unavailable;
  ctx.servers = options.servers;
  ctx.text = options.text;
  ctx.shard_index = options.shard_index;
  auto run = scenario.Prepare(approach, *sh.admin, ctx);
  if (!run.ok()) {
    return Status(run.status().code() == Status::Code::kUnavailable
                      ? run.status()
                      : Status::Internal("preparing " + scenario.info().id + "/" + approach.id +
                                         " failed: " + run.status().message()));
  }
  sh.run = std::move(run).value();
  sh.calibration_slowdown = CalibrationSlowdown(scenario.info().id + "/" + approach.id + "/" +
                                                std::string(target.name()));
  sh.counters.reset(new ClientCounters[static_cast<size_t>(options.clients)]);
  for (int i = 0; i < options.clients; ++i) {
    auto w = sh.run->MakeWorker(*sh.conns[static_cast<size_t>(i)], i);
    if (!w.ok()) return w.status();
    sh.workers.push_back(std::move(w).value());
    sh.hists.push_back(std::make_unique<LiveHistogram>());
  }
  for (int i = 0; i < options.clients; ++i) {
    s->threads_.emplace_back([session = s.get(), i] { session->ClientLoop(i); });
  }
  return s;
}

void Session::ClientLoop(int index) {
  // The default 50 us timer slack would delay every open-loop wake-up; ask for precise timers.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  uint64_t seen = 0;
  std::vector<int64_t> unslowed;  // calibration hook without a warm-up median: first latencies
  PhaseSpec spec;
  int64_t start = 0;
  while (WaitForPhase(&seen, &spec, &start)) {
    RunClientPhase(index, spec, start, &unslowed);
    {
      std::lock_guard lock(shared_->mu);
      ++shared_->done;
    }
    shared_->cv.notify_all();
  }
}

bool Session::WaitForPhase(uint64_t* seen, PhaseSpec* spec, int64_t* start) {
  Shared& sh = *shared_;
  {
    std::unique_lock lock(sh.mu);
    sh.cv.wait(lock, [&] { return sh.quit || sh.generation != *seen; });
    if (sh.quit) return false;
    *seen = sh.generation;
    *spec = sh.spec;
    ++sh.ready;
  }
  sh.cv.notify_all();
  // Start barrier: every client sleeps until the same instant.
  while ((*start = sh.start_ns.load(std::memory_order_acquire)) == 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  SleepUntilNs(*start);
  return true;
}

bool Session::SleepUntilSlot(int64_t t0) {
  const std::atomic<bool>& stop = shared_->phase_stop;
  // Sleep in short slices so Stop() is honoured even at very low rates; wake a little early and
  // yield the rest, so the harness's own wake-up delay (tens of us) is not charged to the target
  // as latency.
  int64_t now = MonotonicNs();
  while (now < t0 && !stop.load(std::memory_order_relaxed)) {
    if (t0 - now > kSpinNs) SleepUntilNs(std::min(t0 - kSpinNs, now + 50'000'000));
    else std::this_thread::yield();
    now = MonotonicNs();
  }
  return !stop.load(std::memory_order_relaxed);
}

int64_t Session::CalibrationHook(int64_t t0, int64_t t1, std::vector<int64_t>* unslowed) {
  Shared& sh = *shared_;
  const int64_t d = sh.calibration_spin_ns.load(std::memory_order_relaxed);
  if (d > 0) {
    // Busy-wait D (on the vDSO clock: no system call per check).
    const int64_t until = t1 + d;
    while ((t1 = MonotonicNs()) < until) {
    }
  } else if (unslowed->size() < kCalibrationSample) {
    // No warm-up median: this client's first operations, unslowed, give D; the first client to
    // have enough sets it.
    unslowed->push_back(t1 - t0);
    if (unslowed->size() == kCalibrationSample) {
      auto mid = unslowed->begin() + kCalibrationSample / 2;
      std::nth_element(unslowed->begin(), mid, unslowed->end());
      int64_t unset = 0;
      sh.calibration_spin_ns.compare_exchange_strong(
          unset, std::max<int64_t>(1, static_cast<int64_t>(sh.calibration_slowdown *
                                                           static_cast<double>(*mid))));
    }
  }
  return t1;
}

void Session::RunClientPhase(int index, const PhaseSpec& spec, int64_t start,
                             std::vector<int64_t>* unslowed) {
  Shared& sh = *shared_;
  const auto i = static_cast<size_t>(index);
  scenarios::Worker& worker = *sh.workers[i];
  LiveHistogram& hist = *sh.hists[i];
  ClientCounters& counters = sh.counters[i];
  const bool by_ops = spec.ops > 0 && !spec.own_timeline;
  const int64_t end = by_ops || spec.own_timeline
                          ? std::numeric_limits<int64_t>::max()
                          : start + static_cast<int64_t>(spec.duration_s * 1e9);
  uint64_t quota = std::numeric_limits<uint64_t>::max();
  if (by_ops) {
    const auto n = static_cast<uint64_t>(sh.clients);
    quota = spec.ops / n + (i < spec.ops % n ? 1 : 0);
  }
  const bool open = spec.rate > 0;
  OpenLoopSchedule schedule;
  if (open) schedule = MakeOpenLoopSchedule(spec.rate, sh.clients, index);

  uint64_t ops = 0;
  uint64_t errors = 0;
  for (uint64_t k = 0; k < quota; ++k) {
    if (sh.phase_stop.load(std::memory_order_relaxed)) break;
    const int64_t t0 = open ? start + schedule.At(k) : MonotonicNs();
    if (t0 >= end) break;
    if (open && !SleepUntilSlot(t0)) break;
    Status s = worker.Step();
    int64_t t1 = MonotonicNs();
    if (scenarios::IsFinished(s)) break;
    if (sh.calibration_slowdown > 0 && spec.repetition >= 0) {  // calibration hook, harness.h
      t1 = CalibrationHook(t0, t1, unslowed);
    }
    if (s.ok()) {
      hist.Record(worker.LastLatencyNs().value_or(t1 - t0));
      counters.ops.store(++ops, std::memory_order_relaxed);
      continue;
    }
    counters.errors.store(++errors, std::memory_order_relaxed);
    if (IsFatal(s)) {
      {
        std::lock_guard lock(sh.mu);
        if (sh.error.empty()) sh.error = s.message();
      }
      sh.phase_stop.store(true, std::memory_order_relaxed);
      break;
    }
  }
  counters.finished_ns.store(MonotonicNs(), std::memory_order_relaxed);
}

int64_t Session::BeginPhase(const PhaseSpec& spec) {
  Shared& sh = *shared_;
  for (int i = 0; i < sh.clients; ++i) {
    sh.hists[static_cast<size_t>(i)]->Reset();
    sh.counters[i].ops.store(0);
    sh.counters[i].errors.store(0);
    sh.counters[i].finished_ns.store(0);
  }
  {
    std::lock_guard lock(sh.mu);
    sh.spec = spec;
    sh.ready = 0;
    sh.done = 0;
    sh.error.clear();
    sh.start_ns.store(0);
    sh.phase_stop.store(stop_ != nullptr && stop_->stopped());
    ++sh.generation;
  }
  sh.cv.notify_all();
  {
    std::unique_lock lock(sh.mu);
    sh.cv.wait(lock, [&] { return sh.ready == sh.clients; });
  }
  const int64_t start = MonotonicNs() + 2'000'000;
  sh.run->PhaseStarting(spec.repetition, start / 1000);
  sh.start_ns.store(start, std::memory_order_release);
  return start;
}

void Session::EndPhase(PhaseResult* result) {
  Shared& sh = *shared_;
  for (int i = 0; i < sh.clients; ++i) {
    result->ops += sh.counters[i].ops.load();
    result->errors += sh.counters[i].errors.load();
  }
  for (const auto& h : sh.hists) h->AddTo(&result->histogram);
  {
    std::lock_guard lock(sh.mu);
    result->error = sh.error;
  }
  result->stopped = stop_ != nullptr && stop_->stopped();
}

PhaseResult Session::RunPhase(const PhaseSpec& spec, const Callbacks* callbacks,
                              const Progress* progress_template) {
  Shared& sh = *shared_;
  PhaseResult result;
  const int64_t start = BeginPhase(spec);
  const int64_t interval_ns = static_cast<int64_t>(spec.interval_ms) * 1'000'000;
  int64_t next = start + interval_ns;
  Histogram previous;
  Histogram snapshot;
  uint64_t previous_ops = 0;
  std::map<std::string, double> last_figures;
  const bool by_ops = spec.ops > 0 && !spec.own_timeline;

  auto take_sample = [&](int64_t at) {
    snapshot.Clear();
    for (const auto& h : sh.hists) h->AddTo(&snapshot);
    Histogram interval = snapshot;
    interval.Subtract(previous);
    previous = snapshot;
    uint64_t ops = 0;
    for (int i = 0; i < sh.clients; ++i) ops += sh.counters[i].ops.load(std::memory_order_relaxed);
    const uint64_t in_interval = ops - std::min(ops, previous_ops);
    previous_ops = ops;
    auto figures = sh.run->Sample(*sh.observer);
    if (figures.ok()) last_figures = *figures;
    const double t_s = static_cast<double>(at - start) / 1e9;
    const double width_s =
        std::max(1e-9, t_s - (result.timeseries.t_s.empty() ? 0 : result.timeseries.t_s.back()));
    result.timeseries.t_s.push_back(t_s);
    result.timeseries.ops.push_back(static_cast<double>(in_interval));
    result.timeseries.p99_us.push_back(interval.PercentileUs(0.99));
    for (const auto& [name, value] : last_figures) {
      auto& series = result.timeseries.figures[name];
      series.resize(result.timeseries.t_s.size() - 1, 0.0);
      series.push_back(value);
    }
    if (callbacks != nullptr && progress_template != nullptr) {
      if (callbacks->on_sample) {
        IntervalSample sample;
        sample.scenario = progress_template->scenario;
        sample.approach = progress_template->approach;
        sample.target = progress_template->target;
        sample.repetition = spec.repetition;
        sample.t_s = t_s;
        sample.ops = in_interval;
        sample.throughput_ops_s = static_cast<double>(in_interval) / width_s;
        sample.p99_us = result.timeseries.p99_us.back();
        sample.figures = last_figures;
        callbacks->on_sample(sample);
      }
      if (callbacks->on_progress) {
        Progress p = *progress_template;
        p.repetition = spec.repetition;
        p.elapsed_s = t_s;
        p.total_s = by_ops || spec.own_timeline ? 0 : spec.duration_s;
        p.ops = ops;
        p.total_ops = spec.own_timeline ? 0 : spec.ops;
        callbacks->on_progress(p);
      }
    }
  };

  for (;;) {
    {
      std::unique_lock lock(sh.mu);
      const int64_t soon = MonotonicNs() + 50'000'000;  // Stop() is checked at least this often
      const int64_t wake = spec.sample ? std::min(next, soon) : soon;
      sh.cv.wait_until(lock,
                       std::chrono::steady_clock::time_point(std::chrono::nanoseconds(wake)),
                       [&] { return sh.done == sh.clients; });
      if (sh.done == sh.clients) break;
    }
    if (stop_ != nullptr && stop_->stopped()) sh.phase_stop.store(true);
    const int64_t now = MonotonicNs();
    if (spec.sample && now >= next) {
      take_sample(next);
      next += interval_ns;
      if (next <= now) next = now + interval_ns;  // fell behind: do not burst samples
    }
  }

  int64_t finished = start;
  for (int i = 0; i < sh.clients; ++i) {
    finished = std::max(finished, sh.counters[i].finished_ns.load());
  }
  if (spec.sample && finished > (result.timeseries.t_s.empty()
                                     ? start
                                     : start + static_cast<int64_t>(
                                                   result.timeseries.t_s.back() * 1e9) + 1'000'000)) {
    take_sample(finished);  // the last, partial interval
  }
  result.duration_s = static_cast<double>(finished - start) / 1e9;
  EndPhase(&result);
  return result;
}

double Session::calibration_slowdown() const { return shared_->calibration_slowdown; }

void Session::SetCalibrationSpinNs(int64_t ns) { shared_->calibration_spin_ns.store(ns); }

int64_t Session::calibration_spin_ns() const { return shared_->calibration_spin_ns.load(); }

std::optional<double> Session::CpuSeconds() {
  switch (target_.kind()) {
    case adapters::TargetKind::kBuiltin: {
      struct rusage ru;
      if (getrusage(RUSAGE_SELF, &ru) != 0) return std::nullopt;
      return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
             static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    }
    case adapters::TargetKind::kBuiltinTcp:
    case adapters::TargetKind::kRedis: {
      auto reply = shared_->admin->Command({"INFO", "cpu"});
      if (!reply.ok() || reply->type != adapters::Reply::Type::kString) return std::nullopt;
      double total = 0;
      int found = 0;
      for (const char* field : {"used_cpu_sys:", "used_cpu_user:"}) {
        const size_t at = reply->str.find(field);
        if (at == std::string::npos) continue;
        total += std::strtod(reply->str.c_str() + at + std::strlen(field), nullptr);
        ++found;
      }
      return found == 2 ? std::optional<double>(total) : std::nullopt;
    }
    case adapters::TargetKind::kPostgres:  // a backend process per connection: not summed yet
    case adapters::TargetKind::kClient:    // no server to ask
    case adapters::TargetKind::kRedisCluster:  // one server per node: not summed yet
      break;
  }
  return std::nullopt;
}

Result<scenarios::Correctness> Session::Verify() { return shared_->run->Verify(*shared_->admin); }

std::map<std::string, double> Session::Figures() const { return shared_->run->Figures(); }

std::string Session::MemoryMethod() const { return shared_->run->MemoryMethod(); }

std::map<std::string, std::vector<double>> Session::Series() const {
  return shared_->run->Series();
}

std::optional<uint64_t> Session::PreferredOps() const { return shared_->run->PreferredOps(); }

bool Session::ColdStart() const { return shared_->run->ColdStart(); }
bool Session::OwnsTimeline() const { return shared_->run->OwnsTimeline(); }

// ---------------------------------------------------------------------------------------------
// Harness

ScenarioText TextOf(const scenarios::ScenarioInfo& info) {
  ScenarioText text{info.title, info.question, info.expected, info.lesson, {}, {}, info.unit};
  for (const auto& a : info.approaches) {
    text.approaches.push_back({a.id, a.title, a.summary, a.expected_correct, a.contract, a.unit});
  }
  for (const auto& c : info.claims) {
    results::ClaimText claim{c.id,         c.article,       c.kind,       c.figure, {},
                             c.confirm_at, c.contradict_at, c.at_largest, c.rule};
    for (const auto& s : c.subjects) {
      claim.subjects.push_back({s.label, s.approach, s.target, s.params, s.figure});
    }
    text.claims.push_back(std::move(claim));
  }
  return text;
}

void FillScenarioInfo(Results* run) {
  for (const std::string& id : run->Scenarios()) {
    const auto* scenario = scenarios::Registry::Default().Find(id);
    if (scenario == nullptr) continue;
    auto it = run->scenario_info.find(id);
    if (it == run->scenario_info.end()) {
      run->scenario_info[id] = TextOf(scenario->info());
    } else if (it->second.claims.empty()) {
      // A file written before claims were recorded: the claims are rules over records, so this
      // build's rules decide the old records too.
      it->second.claims = TextOf(scenario->info()).claims;
    }
  }
}

Harness::Harness(RunOptions options, Callbacks callbacks, StopFlag* stop)
    : options_(std::move(options)), callbacks_(std::move(callbacks)), stop_(stop) {}

namespace {

// Runs a FaultPlan's injection `at_s` after construction (the phase starts right after), on a
// thread of its own, unless Finish() comes first (a repetition shorter than at_s: then the
// record says the fault never happened).
class FaultTimer {
 public:
  FaultTimer(const FaultPlan* plan, adapters::Target& target) : plan_(plan) {
    if (plan_ == nullptr) return;
    thread_ = std::thread([this, &target] {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, std::chrono::duration<double>(plan_->at_s), [this] { return done_; })) {
        return;
      }
      lock.unlock();
      auto what = plan_->inject(target);
      lock.lock();
      injected_ = true;
      description_ = what.ok() ? *what : "fault " + plan_->spec + " failed: " + what.status().message();
    });
  }
  ~FaultTimer() { Stop(); }

  // Waits for the injection (if under way); returns the sentence for the record's note.
  std::string Finish() {
    if (plan_ == nullptr) return "";
    Stop();
    if (!injected_) return "Fault " + plan_->spec + " was not injected: the repetition ended first.";
    return "Fault: " + description_ + ".";
  }
  bool injected() const { return injected_; }

 private:
  void Stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  const FaultPlan* plan_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool injected_ = false;
  std::string description_;
};

// Shard 1 marks the target prepared; the others wait for the mark; all then sleep until
// start_at. The mark is a key on the target (Redis-likes), named by the lesson, approach and
// start time, so reruns and other lessons do not see it.
Status ShardRendezvous(const RunOptions& options, const std::string& what,
                       adapters::Target& target, StopFlag* stop) {
  auto conn = target.Connect();
  if (!conn.ok()) return conn.status();
  char at[32];
  std::snprintf(at, sizeof at, "%.3f", options.start_at);
  const std::string mark = "racetrack:shard-ready:" + what + ":" + at;
  if (options.shard_index == 1) {
    auto r = (*conn)->Command({"SET", mark, "1", "EX", "86400"});
    if (!r.ok()) return r.status();
    if (r->is_error()) return Status::Unavailable("cannot set the shard ready mark: " + r->str);
  } else {
    const auto deadline = std::chrono::system_clock::now() + std::chrono::minutes(10);
    for (;;) {
      auto v = (*conn)->Command({"GET", mark});
      if (!v.ok()) return v.status();
      if (v->type == adapters::Reply::Type::kString) break;
      if (std::chrono::system_clock::now() > deadline || (stop != nullptr && stop->stopped())) {
        return Status::Unavailable("shard 1 did not mark the target prepared within 10 minutes");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  const auto start = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::duration<double>(options.start_at)));
  while (std::chrono::system_clock::now() < start && !(stop != nullptr && stop->stopped())) {
    std::this_thread::sleep_for(std::min<std::chrono::system_clock::duration>(
        start - std::chrono::system_clock::now(), std::chrono::milliseconds(100)));
  }
  return Status::Ok();
}

// The fault's figures and the sentence saying what it did and what it cost.
void AddFaultOutcome(const FaultPlan& plan, const std::string& sentence, adapters::Target& target,
                     Record* record) {
  record->figures["fault_at_s"] = plan.at_s;
  std::string text = sentence;
  if (auto* cluster = dynamic_cast<adapters::ClusterTarget*>(&target)) {
    if (auto recovery = cluster->RecoverySeconds()) {
      record->figures["fault_recovery_s"] = *recovery;
      char buf[96];
      std::snprintf(buf, sizeof buf, " Writes to the victim's slots succeeded again after %.2f s.",
                    *recovery);
      text += buf;
    } else if (sentence.rfind("Fault:", 0) == 0) {
      text += " Writes to the victim's slots had not succeeded again by the end of the run.";
    }
    std::string kinds;
    for (const char* kind : {"connection_lost", "clusterdown", "unreachable", "tryagain"}) {
      auto it = record->figures.find(std::string("cluster_") + kind);
      if (it == record->figures.end() || it->second == 0) continue;
      kinds += (kinds.empty() ? "" : ", ") + std::string(kind) + " " + results::FormatHuman(it->second);
    }
    if (record->errors.value_or(0) > 0 || !kinds.empty()) {
      text += " Errors: " + results::FormatHuman(record->errors.value_or(0)) +
              (kinds.empty() ? "" : " (cluster events: " + kinds + ")") + ".";
    }
  }
  record->correctness.note += (record->correctness.note.empty() ? "" : " ") + text;
}

// The options of one parameter point (Scenario::ParameterPoints): a "clients" or "rate" entry
// overrides the options' own, every other entry is a knob; the lesson's default clients when the
// user gave none.
RunOptions PointOptions(RunOptions options, const scenarios::ScenarioInfo& info,
                        const std::map<std::string, double>& point) {
  for (const auto& [k, v] : point) {
    if (k == "clients") {
      options.clients = static_cast<int>(v);
      options.clients_given = true;
    } else if (k == "rate") {
      options.rate = v;
    } else {
      options.extra[k] = v;
    }
  }
  if (!options.clients_given && info.default_clients > 0) options.clients = info.default_clients;
  return options;
}

// A record's identity, unit and parameters, before anything ran.
Record NewRecord(const Progress& tmpl, const scenarios::ScenarioInfo& info,
                 const scenarios::ApproachInfo& approach, const RunOptions& options) {
  Record record;
  record.scenario = tmpl.scenario;
  record.approach = tmpl.approach;
  record.target = tmpl.target;
  record.unit = approach.unit.empty() ? info.unit : approach.unit;
  record.params["clients"] = options.clients;
  if (options.rate > 0) record.params["rate"] = options.rate;
  for (const auto& [k, v] : options.extra) record.params[k] = v;
  for (const auto& [k, v] : options.record_params) record.params[k] = v;
  record.timeseries.interval_ms = options.interval_ms;
  return record;
}

// The time series of the median repetition (by throughput).
void KeepMedianSeries(std::vector<Timeseries> series, int interval_ms, Record* record) {
  if (series.empty()) return;
  std::vector<size_t> order(series.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return record->repetitions[a].throughput_ops_s < record->repetitions[b].throughput_ops_s;
  });
  record->timeseries = std::move(series[order[order.size() / 2]]);
  record->timeseries.interval_ms = interval_ms;
}

// Verify's answer as the record's correctness; a shard's part leaves the verdict to `racetrack
// merge --verify` over every part.
void ApplyVerdict(const Result<scenarios::Correctness>& verdict,
                  const scenarios::ApproachInfo& approach, const RunOptions& options,
                  Record* record) {
  record->correctness.expected_ok = approach.expected_correct;
  record->correctness.checked = true;
  if (verdict.ok()) {
    record->correctness.ok = verdict->ok;
    record->correctness.figures = verdict->figures;
    record->correctness.note = verdict->note;
    if (!verdict->timing_doubt.empty()) {
      record->timing_trusted = false;
      record->timing_note = verdict->timing_doubt;
    }
  } else {
    record->correctness.ok = false;
    record->correctness.note = "could not verify: " + verdict.status().message();
  }
  if (options.shard_count > 0) {  // the other shards' work is in the end state too
    record->correctness.checked = false;
    record->correctness.note = "shard " + std::to_string(options.shard_index) + "/" +
                               std::to_string(options.shard_count) +
                               ": the verdict comes from `racetrack merge --verify` over every "
                               "part (this part's figures count its own work).";
  }
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

// What the timed repetitions leave beside the record's repetitions.
struct Harness::TimedRuns {
  std::vector<Timeseries> series;
  Histogram merged;  // all repetitions'; stored sparse by Summarize
  std::vector<double> cpu_samples;  // server CPU µs per operation, one per repetition
  std::string fault_sentence;
};

void Harness::WarmUp(Session& s, const RunOptions& options, const Progress& tmpl, Record* record) {
  PhaseSpec warm;
  warm.duration_s = options_.warmup_s;
  warm.rate = options.rate;
  warm.interval_ms = options_.interval_ms;
  warm.repetition = -1;
  warm.sample = false;
  PhaseResult w = s.RunPhase(warm, &callbacks_, &tmpl);
  if (!w.error.empty()) record->error = w.error;
  if (s.calibration_slowdown() > 0 && w.ops > 0) {  // calibration hook: a fixed D
    s.SetCalibrationSpinNs(
        static_cast<int64_t>(s.calibration_slowdown() * w.histogram.PercentileUs(0.5) * 1000));
  }
}

Harness::TimedRuns Harness::RunRepetitions(Session& s, const RunOptions& options,
                                           const Progress& tmpl, std::optional<uint64_t> ops,
                                           Record* record) {
  const scenarios::ScenarioInfo& info = s.scenario().info();
  TimedRuns out;
  for (int rep = 0; rep < options_.repetitions && record->error.empty(); ++rep) {
    if (stop_ && stop_->stopped()) break;
    PhaseSpec spec;
    spec.duration_s = !options_.duration_given && info.default_duration_s > 0
                          ? info.default_duration_s
                          : options_.duration_s;
    spec.ops = options_.ops.value_or(ops.value_or(0));
    spec.rate = options.rate;
    spec.interval_ms = options_.interval_ms;
    spec.repetition = rep;
    spec.own_timeline = s.OwnsTimeline();
    const std::optional<double> cpu_before = s.CpuSeconds();
    FaultTimer fault(rep == 0 && options_.fault ? &*options_.fault : nullptr, s.target());
    PhaseResult r = s.RunPhase(spec, &callbacks_, &tmpl);
    if (rep == 0 && options_.fault) out.fault_sentence = fault.Finish();
    const std::optional<double> cpu_after = s.CpuSeconds();
    const double tp = r.duration_s > 0 ? static_cast<double>(r.ops) / r.duration_s : 0;
    std::optional<double> cpu_per_op;
    if (cpu_before && cpu_after && r.ops > 0) {
      cpu_per_op = (*cpu_after - *cpu_before) * 1e6 / static_cast<double>(r.ops);
      out.cpu_samples.push_back(*cpu_per_op);
    }
    record->repetitions.push_back(
        {static_cast<double>(r.ops), r.duration_s, tp, r.histogram.PercentileUs(0.99), cpu_per_op,
         r.ops > 0 ? std::optional(r.histogram.PercentileUs(0.5)) : std::nullopt});
    out.merged.Merge(r.histogram);
    record->errors = record->errors.value_or(0) + static_cast<double>(r.errors);
    out.series.push_back(std::move(r.timeseries));
    if (!r.error.empty()) record->error = r.error;
  }
  return out;
}

Result<Record> Harness::RunOne(const scenarios::Scenario& scenario,
                               const scenarios::ApproachInfo& approach, adapters::Target& target,
                               int combination, int combinations,
                               const std::map<std::string, double>& point) {
  const RunOptions options = PointOptions(options_, scenario.info(), point);
  auto session = Session::Open(scenario, approach, target, options, stop_);
  if (!session.ok()) return session.status();
  Session& s = **session;
  if (options_.shard_count > 0) {
    Status met = ShardRendezvous(options_, scenario.info().id + "/" + approach.id, target, stop_);
    if (!met.ok()) return met;
  }

  Progress tmpl;
  tmpl.scenario = scenario.info().id;
  tmpl.approach = approach.id;
  tmpl.target = std::string(target.name());
  tmpl.repetitions = options_.repetitions;
  tmpl.combination = combination;
  tmpl.combinations = combinations;
  Record record = NewRecord(tmpl, scenario.info(), approach, options);

  // A run that knows its natural size (pipeline: whole jobs) gets it when the user gave no --ops,
  // and warms its connections itself.
  const std::optional<uint64_t> preferred_ops = options_.ops ? std::nullopt : s.PreferredOps();
  // A run with its own timeline (messaging, persistence) ends its phases itself; a warm-up phase
  // would be one more whole run of it.
  if (options_.warmup_s > 0 && !preferred_ops && !s.ColdStart() && !s.OwnsTimeline() &&
      !(stop_ && stop_->stopped())) {
    WarmUp(s, options, tmpl, &record);
  }
  // The target's own counts (redis-cluster: redirects, retries, commands per node) over the
  // timed phases only.
  const std::map<std::string, double> counters_before = target.Counters();
  TimedRuns timed = RunRepetitions(s, options, tmpl, preferred_ops, &record);
  const std::map<std::string, double> counters_after = target.Counters();
  results::Summarize(&record, timed.merged);
  KeepMedianSeries(std::move(timed.series), options_.interval_ms, &record);
  ApplyVerdict(s.Verify(), approach, options_, &record);

  record.figures = s.Figures();
  for (const auto& [name, after] : counters_after) {
    auto before = counters_before.find(name);
    record.figures[name] = after - (before == counters_before.end() ? 0 : before->second);
  }
  if (!timed.cpu_samples.empty()) record.figures["cpu_us_per_op"] = Median(timed.cpu_samples);
  if (s.calibration_slowdown() > 0) {
    record.figures["calibration_slowdown"] = s.calibration_slowdown();
    if (s.calibration_spin_ns() > 0) {
      record.figures["calibration_spin_us"] = static_cast<double>(s.calibration_spin_ns()) / 1000;
    }
  }
  if (options_.fault) AddFaultOutcome(*options_.fault, timed.fault_sentence, target, &record);
  record.memory_method = s.MemoryMethod();
  record.series = s.Series();
  results::AssessTiming(&record);  // after the scenario's own doubt, which comes first
  if (callbacks_.on_record) callbacks_.on_record(record);
  return record;
}

void Harness::Run(const Plan& plan, Results* doc) {
  struct Combo {
    const scenarios::Scenario* scenario;
    const scenarios::ApproachInfo* approach;
    adapters::Target* target;
    std::map<std::string, double> point;
  };
  std::vector<Combo> combos;
  auto wanted = [&](const std::string& id) {
    return plan.approach_filter.empty() ||
           std::find(plan.approach_filter.begin(), plan.approach_filter.end(), id) !=
               plan.approach_filter.end();
  };
  for (const scenarios::Scenario* sc : plan.scenarios) {
    const scenarios::ScenarioInfo& info = sc->info();
    doc->scenario_info[info.id] = TextOf(info);
    for (const auto& a : info.approaches) {
      if (!wanted(a.id)) continue;
      for (adapters::Target* t : plan.targets) {
        const std::string why = scenarios::MissingCapabilityReason(a, t->capabilities());
        if (!why.empty()) {
          Skip skip{info.id, a.id, std::string(t->name()), std::string(t->name()) + " " + why};
          // "needs X" reads better as "lacks X" when it is the target's fault.
          skip.reason = std::string(t->name()) + " lacks " + why.substr(6);
          doc->skipped.push_back(skip);
          if (callbacks_.on_skip) callbacks_.on_skip(skip);
          continue;
        }
        for (auto& point : sc->ParameterPoints(a, t->kind(), options_.KnobsFor(info.id))) {
          for (const auto& axes : SweepPoints(options_)) {
            auto crossed = point;
            for (const auto& [k, v] : axes) crossed[k] = v;
            combos.push_back({sc, &a, t, std::move(crossed)});
          }
        }
      }
    }
  }
  int index = 0;
  for (const Combo& c : combos) {
    ++index;
    if (stop_ && stop_->stopped()) break;
    auto record = RunOne(*c.scenario, *c.approach, *c.target, index,
                         static_cast<int>(combos.size()), c.point);
    if (!record.ok()) {
      Skip skip{c.scenario->info().id, c.approach->id, std::string(c.target->name()),
                record.status().message()};
      doc->skipped.push_back(skip);
      if (callbacks_.on_skip) callbacks_.on_skip(skip);
      continue;
    }
    doc->records.push_back(std::move(record).value());
  }
  // Scenario-level figures over each scenario's records (leaderboard's growth fit).
  for (const scenarios::Scenario* sc : plan.scenarios) {
    std::vector<scenarios::PointResult> points;
    for (const Record& r : doc->records) {
      if (r.scenario != sc->info().id) continue;
      points.push_back({r.approach, r.target, r.params, r.latency_us.p50.value_or(0),
                        r.latency_us.mean.value_or(0), r.throughput_ops_s.value_or(0),
                        r.correctness.ok, r.figures});
    }
    auto figures = sc->Summarize(points);
    if (!figures.empty()) doc->scenario_figures[sc->info().id] = std::move(figures);
  }
}

}  // namespace racetrack::bench
