// The trace is recorded rather than drawn from a script because the point of the lesson is that
// this happens on its own. Timestamps are taken just before and after each call; the builtin
// target serializes calls with a mutex (like a single-threaded server), so the order of the
// recorded steps is the order the engine executed them, up to the width of the call itself.

#include "gui/race_trace.h"

#include <algorithm>
#include <barrier>
#include <chrono>
#include <mutex>
#include <thread>

namespace racetrack::gui {

namespace {

using Clock = std::chrono::steady_clock;

// Busy-waits: sleeping would hand the core away for far longer than the 0.3 ms asked for on a
// loaded two-core machine, and the point is a short, client-side pause.
void Pause(int64_t us) {
  auto until = Clock::now() + std::chrono::microseconds(us);
  while (Clock::now() < until) std::this_thread::yield();
}

Result<RaceTrace> RecordOnce(adapters::Target& target, const RaceOptions& options) {
  RaceTrace trace;
  trace.clients = options.clients;
  trace.increments_per_client = options.increments_per_client;
  trace.think_us = options.think_us;

  std::vector<std::unique_ptr<adapters::Client>> clients;
  for (int i = 0; i < options.clients + 1; ++i) {
    auto c = target.Connect();
    if (!c.ok()) return c.status();
    clients.push_back(std::move(*c));
  }
  adapters::Client& admin = *clients.back();
  if (Status s = admin.Set(options.key, "0"); !s.ok()) return s;

  std::mutex mu;
  std::vector<RaceStep> steps;
  Status failure;
  std::barrier start(options.clients + 1);
  const Clock::time_point t0 = Clock::now() + std::chrono::milliseconds(2);
  auto ns = [&](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - t0).count();
  };
  std::vector<std::thread> threads;
  for (int c = 0; c < options.clients; ++c) {
    threads.emplace_back([&, c] {
      adapters::Client& client = *clients[c];
      std::vector<RaceStep> mine;
      Status error;
      start.arrive_and_wait();
      while (Clock::now() < t0) {
      }
      for (int k = 0; k < options.increments_per_client && error.ok(); ++k) {
        RaceStep get{c, RaceStep::Kind::kGet};
        auto begin = Clock::now();
        auto value = client.Get(options.key);
        get.start_ns = ns(begin);
        get.end_ns = ns(Clock::now());
        if (!value.ok()) {
          error = value.status();
          break;
        }
        get.value = value->has_value() ? std::stoll(**value) : 0;
        mine.push_back(get);
        Pause(options.think_us);
        RaceStep set{c, RaceStep::Kind::kSet};
        set.value = get.value + 1;
        begin = Clock::now();
        Status s = client.Set(options.key, std::to_string(set.value));
        set.start_ns = ns(begin);
        set.end_ns = ns(Clock::now());
        if (!s.ok()) {
          error = s;
          break;
        }
        mine.push_back(set);
        Pause(options.think_us / 3);
      }
      std::lock_guard lock(mu);
      steps.insert(steps.end(), mine.begin(), mine.end());
      if (!error.ok() && failure.ok()) failure = error;
    });
  }
  start.arrive_and_wait();
  for (std::thread& t : threads) t.join();
  if (!failure.ok()) return failure;

  auto final_value = admin.Get(options.key);
  if (!final_value.ok()) return final_value.status();
  trace.final_value = final_value->has_value() ? std::stoll(**final_value) : 0;
  (void)admin.Del(options.key);
  std::sort(steps.begin(), steps.end(), [](const RaceStep& a, const RaceStep& b) {
    return a.start_ns < b.start_ns;
  });
  trace.steps = std::move(steps);
  FindLostUpdates(&trace);
  return trace;
}

}  // namespace

int FindLostUpdates(RaceTrace* trace) {
  std::vector<RaceStep>& steps = trace->steps;
  for (RaceStep& s : steps) {
    s.lost = s.overwriting = s.stale_read = false;
    s.overwritten_by = -1;
  }
  // When did the engine execute a step? Somewhere inside [start, end]; the middle is the best
  // guess, and with the think time far longer than a call the guess is never close to ambiguous.
  auto at = [&](int i) { return (steps[i].start_ns + steps[i].end_ns) / 2; };
  const int n = static_cast<int>(steps.size());
  int lost = 0;
  for (int s = 0; s < n; ++s) {
    if (steps[s].kind != RaceStep::Kind::kSet) continue;
    int g = s - 1;  // the same client's GET that fed this SET
    while (g >= 0 && !(steps[g].client == steps[s].client && steps[g].kind == RaceStep::Kind::kGet)) --g;
    if (g < 0) continue;
    // Another client's SET that landed after our GET and before our SET: our SET erases it.
    for (int o = 0; o < n; ++o) {
      if (o == s || steps[o].kind != RaceStep::Kind::kSet || steps[o].client == steps[s].client) continue;
      if (at(o) > at(g) && at(o) < at(s) && !steps[o].lost) {
        steps[o].lost = true;
        steps[o].overwritten_by = s;
        steps[s].overwriting = true;
        steps[g].stale_read = true;
        ++lost;
      }
    }
  }
  trace->lost_updates = trace->clients * trace->increments_per_client -
                        static_cast<int>(trace->final_value);
  return lost;
}

std::string NarrateStep(const RaceTrace& trace, int index) {
  if (index < 0 || index >= static_cast<int>(trace.steps.size())) return "";
  const RaceStep& s = trace.steps[index];
  std::string who = "Client " + std::to_string(s.client + 1);
  if (s.kind == RaceStep::Kind::kGet) {
    std::string line = who + " reads the counter: GET -> " + std::to_string(s.value);
    if (s.stale_read) line += "  -- stale: another client's SET will land before this one writes";
    return line;
  }
  std::string line = who + " writes its result: SET " + std::to_string(s.value);
  if (s.lost) line += "  -- soon to be overwritten";
  if (s.overwriting) {
    line += "  -- this overwrites another client's SET: its increment is lost";
  }
  return line;
}

Result<RaceTrace> RecordRaceTrace(adapters::Target& target, const RaceOptions& options) {
  if (options.clients < 2 || options.clients > 8 || options.increments_per_client < 1) {
    return Status::InvalidArgument("race replay needs 2..8 clients and at least one increment");
  }
  Result<RaceTrace> best = Status::Internal("no recording");
  for (int attempt = 0; attempt < std::max(1, options.attempts); ++attempt) {
    auto trace = RecordOnce(target, options);
    if (!trace.ok()) return trace.status();
    bool has_lost = trace->lost_updates > 0;
    best = std::move(trace);
    if (has_lost) break;
  }
  return best;
}

}  // namespace racetrack::gui
