// racetrack-bench: every scenario x approach x target as a Google Benchmark, named
// scenario/approach/target/clients:N (e.g. counters/incr/redis/clients:8).
//
// It shares the harness's measurement loop (Session::RunPhase) instead of timing anything itself:
// Google Benchmark's iteration count becomes the phase's operation budget, via
// KeepRunningBatch(max_iterations), so "time per iteration" is wall time per operation across
// all clients and items_per_second is the throughput. Opening connections and Prepare happen
// before the timed batch. Real time, since the work happens on the harness's client threads.
//
// Own flags (removed before Google Benchmark sees the rest; all --benchmark_* flags work):
//   --redis-url=URL  --postgres-url=URL  --clients=N[,N...] (default 8)
// A target that cannot be had, or that lacks what an approach needs, is SkipWithError'd with
// the reason.
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "bench/harness.h"
#include "bench/signals.h"
#include "scenarios/registry.h"

namespace {

namespace ra = racetrack::adapters;
namespace rb = racetrack::bench;
namespace rs = racetrack::scenarios;

// Targets opened on first use (so a filtered run starts only the servers it needs) and kept for
// the whole process.
class Targets {
 public:
  Targets(ra::TargetOptions options, ra::ThrowawayServers* servers)
      : options_(std::move(options)), servers_(servers) {}

  // The target, or why not.
  ra::Target* Get(ra::TargetKind kind, std::string* why) {
    std::lock_guard lock(mu_);
    auto it = opened_.find(kind);
    if (it == opened_.end()) {
      auto t = ra::OpenTarget(kind, options_, servers_);
      Entry e;
      if (t.ok()) {
        e.target = std::move(t).value();
      } else {
        e.reason = t.status().message();
      }
      it = opened_.emplace(kind, std::move(e)).first;
    }
    *why = it->second.reason;
    return it->second.target.get();
  }

 private:
  struct Entry {
    std::unique_ptr<ra::Target> target;
    std::string reason;
  };
  ra::TargetOptions options_;
  ra::ThrowawayServers* servers_;
  std::mutex mu_;
  std::map<ra::TargetKind, Entry> opened_;
};

void RunCombo(benchmark::State& state, Targets* targets, const rs::Scenario* scenario,
              const rs::ApproachInfo* approach, ra::TargetKind kind, int clients,
              std::map<std::string, double> point) {
  std::string why;
  ra::Target* target = targets->Get(kind, &why);
  if (target == nullptr) {
    state.SkipWithError(("target unavailable: " + why).c_str());
    return;
  }
  const std::string missing = rs::MissingCapabilityReason(*approach, target->capabilities());
  if (!missing.empty()) {
    state.SkipWithError((std::string(target->name()) + " " + missing).c_str());
    return;
  }
  rb::RunOptions options;
  options.clients = clients;
  options.extra = std::move(point);  // the scenario's parameter point (sizes, rtt-ms, batch, ...)
  auto session = rb::Session::Open(*scenario, *approach, *target, options, nullptr);
  if (!session.ok()) {
    state.SkipWithError(session.status().message().c_str());
    return;
  }
  rb::Histogram latency;
  uint64_t ops = 0;
  uint64_t errors = 0;
  std::string error;
  while (state.KeepRunningBatch(state.max_iterations)) {
    rb::PhaseSpec spec;
    spec.ops = static_cast<uint64_t>(state.max_iterations);
    spec.sample = false;
    // messaging and persistence end their phases themselves: one whole round per batch.
    spec.own_timeline = (*session)->OwnsTimeline();
    rb::PhaseResult r = (*session)->RunPhase(spec);
    latency.Merge(r.histogram);
    ops += r.ops;
    errors += r.errors;
    if (!r.error.empty()) error = r.error;
  }
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(ops));
  state.counters["p50_us"] = latency.PercentileUs(0.50);
  state.counters["p99_us"] = latency.PercentileUs(0.99);
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["clients"] = clients;
  auto verdict = (*session)->Verify();
  if (verdict.ok()) {
    for (const auto& [name, value] : verdict->figures) state.counters[name] = value;
    state.counters["correct"] = verdict->ok ? 1 : 0;
  } else {
    state.SetLabel("could not verify: " + verdict.status().message());
  }
}

}  // namespace

int main(int argc, char** argv) {
  ra::TargetOptions options;
  options.bin_dir = ra::ExecutableDir();
  std::vector<int> client_counts = {8};
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* flag) -> const char* {
      const size_t n = std::strlen(flag);
      return arg.compare(0, n, flag) == 0 ? argv[i] + n : nullptr;
    };
    if (const char* v = value("--redis-url=")) {
      options.redis_url = v;
    } else if (const char* v = value("--postgres-url=")) {
      options.postgres_url = v;
    } else if (const char* v = value("--clients=")) {
      client_counts.clear();
      for (const char* p = v; *p != '\0';) {
        char* end = nullptr;
        const long n = std::strtol(p, &end, 10);
        if (end == p || n < 1 || n > 1024) {
          std::fprintf(stderr, "racetrack-bench: --clients takes numbers 1..1024 (e.g. 1,8,50)\n");
          return 2;
        }
        client_counts.push_back(static_cast<int>(n));
        p = *end == ',' ? end + 1 : end;
      }
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;

  ra::ThrowawayServers servers(options.bin_dir, ra::ThrowawayServers::DefaultStateFile());
  rb::SignalWatcher watcher([&servers] { servers.StopAll(); _exit(130); },
                            [&servers] { servers.StopAll(); });
  Targets targets(options, &servers);

  for (const rs::Scenario* scenario : rs::Registry::Default().all()) {
    for (const rs::ApproachInfo& approach : scenario->info().approaches) {
      const bool sql = (approach.needs & ra::kCapSql) != 0;
      for (ra::TargetKind kind : ra::AllTargetKinds()) {
        // SQL approaches only where SQL is spoken and vice versa; finer capability gaps (a
        // command the engine lacks) are reported by SkipWithError at run time.
        if (sql != (kind == ra::TargetKind::kPostgres)) continue;
        for (const auto& point : scenario->ParameterPoints(approach, kind, {})) {
          // One benchmark per parameter point, named after it: .../sizes:1000/clients:1.
          std::string suffix;
          for (const auto& [k, v] : point) {
            char num[32];
            std::snprintf(num, sizeof num, "%g", v);
            suffix += "/" + k + ":" + num;
          }
          for (int clients : client_counts) {
            const std::string name = scenario->info().id + "/" + approach.id + "/" +
                                     std::string(ra::TargetName(kind)) + suffix +
                                     "/clients:" + std::to_string(clients);
            benchmark::RegisterBenchmark(name.c_str(), RunCombo, &targets, scenario, &approach,
                                         kind, clients, point)
                ->UseRealTime();
          }
        }
      }
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
