// The suite definitions. Knob values are text, as a user would type them, and go through the
// same per-lesson parse as the command line.
//
// Why "ci" is small: the gate judges paired rounds (reports/gate.h), and its power grows with
// the number of rounds, not with the number of records — each extra record only raises Holm's
// bar for the others. One round costs a harness process per selection and side (process start,
// target probe, data set-up), which dominates the 0.1 s timed repetitions; so a few cheap
// selections x many rounds fits a CI budget where the whole registry x a few rounds did not
// (measured: README, gate-calibration).
#include "bench/suite.h"

#include <algorithm>

#include "scenarios/knobs.h"

namespace racetrack::bench {
namespace {

struct Suite {
  std::string_view name;
  std::string_view help;
  int repetitions;
  double duration_s;
  double warmup_s;
  // lesson id -> knob name -> value text. Lessons not listed run with their own defaults.
  std::map<std::string, std::map<std::string, std::string>> knobs;
  SuiteCompareDefaults compare;
};

// Knob values small enough for 0.1 s repetitions (shared by both suites).
std::map<std::string, std::map<std::string, std::string>> SmallKnobs() {
  return {{"leaderboard", {{"sizes", "1000,10000"}}},
          {"pipeline", {{"rtt-ms", "0,1"}, {"batch", "1,100"}, {"commands", "200"}}},
          {"ratelimit", {{"pattern", "boundary"}}},
          // Short repetitions: the holder's pauses (every 10th acquisition) must fall inside them.
          {"locks", {{"pause-every", "10"}}},
          {"sessions", {{"users", "1000"}, {"revoke-at-ms", "50"}}},
          {"uniques", {{"sizes", "1000,10000"}}},
          // The timeline lessons at classroom size (their defaults take seconds per record).
          {"messaging", {{"messages", "1500"}, {"kill-at-ms", "100"}, {"restart-at-ms", "200"}}},
          {"persistence", {{"kills", "2"}, {"uptime-ms", "250"}}}};
}

const std::vector<Suite>& Suites() {
  static const std::vector<Suite> kSuites = {
      {"ci",
       "ci: the CI gate's suite, a few cheap selections on all four targets (counters incr, "
       "leaderboard zset, pipeline, a SQL counter), small sizes, 3 repetitions of 0.1 s per "
       "harness run; compare-run's default for it is 16 interleaved rounds, about 5 minutes",
       3,
       0.1,
       0.05,
       {{"leaderboard", {{"sizes", "1000,10000"}}},
        {"pipeline", {{"rtt-ms", "0"}, {"batch", "1,100"}, {"commands", "200"}}}},
       {{{"counters", "builtin", {"incr"}},
         {"counters", "builtin-tcp", {"incr"}},
         {"counters", "redis", {"incr"}},
         {"counters", "postgres", {"sql-update-increment"}},
         {"leaderboard", "builtin", {"zset"}},
         {"leaderboard", "redis", {"zset"}},
         {"pipeline", "redis", {"pipeline"}}},
        16,
        3}},
      {"full",
       "full: every scenario on every target, small sizes, 15 repetitions of 0.1 s (about 210 "
       "records: an interleaved compare-run of it takes an hour or more on a 2-core box)",
       15,
       0.1,
       0.05,
       SmallKnobs(),
       {{}, 3, 5}},
  };
  return kSuites;
}

const Suite* Find(std::string_view name) {
  for (const Suite& s : Suites()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Status Unknown(std::string_view name) {
  return Status::InvalidArgument("unknown suite '" + std::string(name) + "'");
}

}  // namespace

std::vector<std::string> SuiteNames() {
  std::vector<std::string> out;
  for (const Suite& s : Suites()) out.emplace_back(s.name);
  return out;
}

std::string SuiteHelp() {
  std::string out = "A fixed, documented suite instead of scenario ids.";
  for (const Suite& s : Suites()) out += " " + std::string(s.help) + ".";
  return out;
}

Result<SuiteCompareDefaults> SuiteForCompare(std::string_view name) {
  const Suite* suite = Find(name);
  if (suite == nullptr) return Unknown(name);
  return suite->compare;
}

Status ApplySuite(std::string_view name, const std::set<std::string>& given,
                  const std::map<std::string, std::string>& user_knobs,
                  const scenarios::Registry& registry, RunCommand* command) {
  const Suite* suite = Find(name);
  if (suite == nullptr) return Unknown(name);
  if (command->scenarios.empty()) {
    if (suite->compare.selections.empty()) {
      for (const scenarios::Scenario* sc : registry.all())
        command->scenarios.push_back(sc->info().id);
    }
    for (const SuiteSelection& sel : suite->compare.selections) {
      auto& list = command->scenarios;
      if (std::find(list.begin(), list.end(), sel.scenario) == list.end())
        list.push_back(sel.scenario);
    }
  }
  RunOptions& o = command->options;
  if (given.count("repetitions") == 0) o.repetitions = suite->repetitions;
  if (given.count("duration") == 0) o.duration_s = suite->duration_s;
  if (given.count("warmup") == 0) o.warmup_s = suite->warmup_s;
  o.duration_given = true;  // the suite's duration, not each lesson's own default
  for (const auto& [id, knobs] : suite->knobs) {
    const scenarios::Scenario* sc = registry.Find(id);
    if (sc == nullptr)
      return Status::InvalidArgument("suite " + std::string(suite->name) + " names no lesson " +
                                     id);
    bool selected = false;
    for (const std::string& s : command->scenarios) selected = selected || s == id;
    if (!selected) continue;
    for (const auto& [knob_name, text] : knobs) {
      auto typed = user_knobs.find(knob_name);
      if (typed != user_knobs.end() && !typed->second.empty()) continue;  // the user's wins
      const scenarios::KnobInfo* knob = scenarios::FindKnob(sc->info(), knob_name);
      if (knob == nullptr) {
        return Status::InvalidArgument("suite " + std::string(suite->name) + ": " + id +
                                       " has no knob --" + knob_name);
      }
      auto values = scenarios::ParseKnobValues(*knob, text, id);
      if (!values.ok()) return values.status();
      o.scenario_knobs[id][knob_name] = *values;
    }
  }
  return Status::Ok();
}

}  // namespace racetrack::bench
