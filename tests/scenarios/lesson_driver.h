// Test helpers for the lesson scenarios (leaderboard, pipeline, ratelimit): open each target once
// per test binary (throwaway servers on free loopback ports), and drive one approach through the
// scenario shape — Prepare, MakeWorker per client, a fixed number of Steps per worker on their own
// threads, Verify — without the harness, so a test checks behaviour, not timing.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "scenarios/knobs.h"
#include "scenarios/scenario.h"
#include "tests/test_paths.h"

namespace racetrack::scenarios::testing {

// The four targets, opened on first use and kept for the whole test binary.
class LessonTargets {
 public:
  static LessonTargets& Get() {
    static LessonTargets* const kInstance = new LessonTargets();
    return *kInstance;
  }
  // nullptr (and *why set) when the target cannot be had here.
  adapters::Target* Open(adapters::TargetKind kind, std::string* why) {
    std::lock_guard lock(mu_);
    auto it = open_.find(kind);
    if (it == open_.end()) {
      adapters::TargetOptions options;
      options.bin_dir = test_paths::BinDir();
      auto t = adapters::OpenTarget(kind, options, &servers_);
      Entry e;
      if (t.ok()) {
        e.target = std::move(*t);
      } else {
        e.why = t.status().message();
      }
      it = open_.emplace(kind, std::move(e)).first;
    }
    *why = it->second.why;
    return it->second.target.get();
  }
  // The throwaway-server manager, for approaches that start servers of their own (redlock).
  adapters::ThrowawayServers* servers() { return &servers_; }
  adapters::TargetOptions options() const {
    adapters::TargetOptions o;
    o.bin_dir = test_paths::BinDir();
    return o;
  }

 private:
  LessonTargets() : servers_(test_paths::BinDir(), "") {}
  struct Entry {
    std::unique_ptr<adapters::Target> target;
    std::string why;
  };
  std::mutex mu_;
  adapters::ThrowawayServers servers_;
  std::map<adapters::TargetKind, Entry> open_;
};

// Test-name suffix for target-parameterized suites: "builtin_tcp".
inline std::string TargetParamName(const ::testing::TestParamInfo<adapters::TargetKind>& info) {
  std::string n(adapters::TargetName(info.param));
  for (char& ch : n) ch = ch == '-' ? '_' : ch;
  return n;
}

struct Driven {
  Correctness correctness;
  std::map<std::string, double> figures;
  std::map<std::string, std::vector<double>> series;
  std::string memory_method;  // ApproachRun::MemoryMethod
  uint64_t steps = 0;
  std::string error;  // first failed Step, if any
};

// Runs `steps_per_worker` Steps on each of context.clients workers. Failures of Prepare/Connect/
// Verify come back as the Status; a failed Step ends that worker and is reported in .error.
inline Result<Driven> Drive(const Scenario& scenario, const std::string& approach_id,
                            adapters::Target& target, RunContext context,
                            uint64_t steps_per_worker) {
  const ApproachInfo* approach = scenario.info().FindApproach(approach_id);
  if (approach == nullptr) return Status::InvalidArgument("no approach " + approach_id);
  context.target = &target;
  auto admin = target.Connect();
  if (!admin.ok()) return admin.status();
  auto run = scenario.Prepare(*approach, **admin, context);
  if (!run.ok()) return run.status();
  std::vector<std::unique_ptr<adapters::Client>> clients;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < context.clients; ++i) {
    auto c = target.Connect();
    if (!c.ok()) return c.status();
    clients.push_back(std::move(*c));
    auto w = (*run)->MakeWorker(*clients.back(), i);
    if (!w.ok()) return w.status();
    workers.push_back(std::move(*w));
  }
  Driven out;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&, worker = w.get()] {
      for (uint64_t k = 0; k < steps_per_worker; ++k) {
        Status s = worker->Step();
        std::lock_guard lock(mu);
        if (!s.ok()) {
          if (out.error.empty()) out.error = s.message();
          return;
        }
        ++out.steps;
      }
    });
  }
  for (auto& t : threads) t.join();
  auto c = (*run)->Verify(**admin);
  if (!c.ok()) return c.status();
  out.correctness = *c;
  out.figures = (*run)->Figures();
  out.memory_method = (*run)->MemoryMethod();
  out.series = (*run)->Series();
  return out;
}

// Drive for a run in which no Step may fail: the first failed Step is the error.
inline Result<Driven> DriveClean(const Scenario& scenario, const std::string& approach_id,
                                 adapters::Target& target, RunContext context,
                                 uint64_t steps_per_worker) {
  auto r = Drive(scenario, approach_id, target, std::move(context), steps_per_worker);
  if (r.ok() && !r->error.empty()) return Status::Internal("a Step failed: " + r->error);
  return r;
}

// What Prepare answers for `approach_id` on the in-process target with knob values `extra`, as
// a programmatic caller (the GUI, racetrack-bench) that skipped the CLI's checks would get it:
// the error's message, or "" when it prepared.
inline std::string PrepareError(const Scenario& scenario, const std::string& approach_id,
                                std::map<std::string, double> extra) {
  std::string why;
  adapters::Target* builtin = LessonTargets::Get().Open(adapters::TargetKind::kBuiltin, &why);
  if (builtin == nullptr) return "no in-process target: " + why;
  auto admin = builtin->Connect();
  if (!admin.ok()) return "connect: " + admin.status().message();
  const ApproachInfo* approach = scenario.info().FindApproach(approach_id);
  if (approach == nullptr) return "no approach " + approach_id;
  RunContext ctx;
  ctx.extra = std::move(extra);
  auto r = scenario.Prepare(*approach, **admin, ctx);
  return r.ok() ? "" : r.status().message();
}

// What ParseKnobValues answers when `text` is typed for `scenario`'s knob `knob`, as the CLI
// would: the error's one line, or "(accepted)"; "(no knob ...)" when the lesson has none.
inline std::string KnobError(const Scenario& scenario, std::string_view knob,
                             std::string_view text) {
  const KnobInfo* k = FindKnob(scenario.info(), knob);
  if (k == nullptr) return "(no knob " + std::string(knob) + ")";
  auto v = ParseKnobValues(*k, text);
  return v.ok() ? "(accepted)" : v.status().message();
}

// The values `text` gives `scenario`'s knob `knob`, parsed as the CLI would; fails the test and
// returns none when the lesson has no such knob or refuses the text.
inline std::vector<double> AcceptedKnobValues(const Scenario& scenario, std::string_view knob,
                                              std::string_view text) {
  const KnobInfo* k = FindKnob(scenario.info(), knob);
  if (k == nullptr) {
    ADD_FAILURE() << "no knob " << knob;
    return {};
  }
  auto v = ParseKnobValues(*k, text);
  if (!v.ok()) {
    ADD_FAILURE() << "--" << knob << " " << text << ": " << v.status().message();
    return {};
  }
  return *v;
}

inline const std::vector<adapters::TargetKind>& AllKinds() {
  static const std::vector<adapters::TargetKind> kKinds = {
      adapters::TargetKind::kBuiltin, adapters::TargetKind::kBuiltinTcp,
      adapters::TargetKind::kRedis, adapters::TargetKind::kPostgres};
  return kKinds;
}

// The targets that speak Redis's commands: the in-process engine, racetrack-server and Redis.
inline const std::vector<adapters::TargetKind>& RedisLikeKinds() {
  static const std::vector<adapters::TargetKind> kKinds = {adapters::TargetKind::kBuiltin,
                                                           adapters::TargetKind::kBuiltinTcp,
                                                           adapters::TargetKind::kRedis};
  return kKinds;
}

// Approaches of `scenario` that can run on `target`, the others with why not.
inline std::vector<const ApproachInfo*> RunnableApproaches(const Scenario& scenario,
                                                           const adapters::Target& target,
                                                           std::vector<std::string>* skipped) {
  std::vector<const ApproachInfo*> out;
  for (const ApproachInfo& a : scenario.info().approaches) {
    const std::string why = MissingCapabilityReason(a, target.capabilities());
    if (why.empty()) {
      out.push_back(&a);
    } else if (skipped != nullptr) {
      skipped->push_back(a.id + ": " + why);
    }
  }
  return out;
}

// What a test on one target works with: the target and the approaches of the scenario that can run
// there (the others are listed in `skipped` and printed). `skip` is non-empty when the test cannot
// run there: `target` is null when the target cannot be had, `approaches` empty when none can run.
struct LessonOnTarget {
  adapters::Target* target = nullptr;
  std::vector<const ApproachInfo*> approaches;
  std::vector<std::string> skipped;
  std::string skip;
};
inline LessonOnTarget OpenLesson(const Scenario& scenario, adapters::TargetKind kind) {
  LessonOnTarget out;
  std::string why;
  out.target = LessonTargets::Get().Open(kind, &why);
  if (out.target == nullptr) {
    out.skip = "target unavailable: " + why;
    return out;
  }
  out.approaches = RunnableApproaches(scenario, *out.target, &out.skipped);
  for (const auto& s : out.skipped) std::cout << "[ skipped  ] " << s << "\n";
  if (out.approaches.empty()) {
    out.skip =
        "no approach of " + scenario.info().id + " can run on " + std::string(out.target->name());
  }
  return out;
}

// A lesson's test on each target (TEST_P over AllKinds()): SetUp makes the scenario with `Make`,
// opens the target and lists the approaches that can run there, and skips with the reason when
// the test cannot run: no target, or no approach unless `kAllowNoApproach` (a test that checks the
// skipped list itself).
template <std::unique_ptr<Scenario> (*Make)(), bool kAllowNoApproach = false>
class LessonOnTargetTest : public ::testing::TestWithParam<adapters::TargetKind> {
 protected:
  void SetUp() override {
    scenario_ = Make();
    on_ = OpenLesson(*scenario_, GetParam());
    if (on_.target == nullptr || (!kAllowNoApproach && on_.approaches.empty())) {
      GTEST_SKIP() << on_.skip;
    }
    target_ = on_.target;
  }

  std::unique_ptr<Scenario> scenario_;
  LessonOnTarget on_;
  adapters::Target* target_ = nullptr;
  const std::vector<const ApproachInfo*>& approaches_ = on_.approaches;
};

}  // namespace racetrack::scenarios::testing
