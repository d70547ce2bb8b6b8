// The suite definitions. Knob values are text, as a user would type them, and go through the
// same per-lesson parse as the command line.
#include "bench/suite.h"

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
};

const std::vector<Suite>& Suites() {
  static const std::vector<Suite> kSuites = {
      {"ci",
       "ci: every scenario, small sizes, 15 repetitions of 0.1 s (15 against 15 leave "
       "`racetrack compare`'s test room for a correction over the whole suite), a few minutes",
       15,
       0.1,
       0.05,
       {{"leaderboard", {{"sizes", "1000,10000"}}},
        {"pipeline", {{"rtt-ms", "0,1"}, {"batch", "1,100"}, {"commands", "200"}}},
        {"ratelimit", {{"pattern", "boundary"}}},
        // Short repetitions: the holder's pauses (every 10th acquisition) must fall inside them.
        {"locks", {{"pause-every", "10"}}},
        {"sessions", {{"users", "1000"}, {"revoke-at-ms", "50"}}},
        {"uniques", {{"sizes", "1000,10000"}}},
        // The timeline lessons at classroom size (their defaults take seconds per record).
        {"messaging", {{"messages", "1500"}, {"kill-at-ms", "100"}, {"restart-at-ms", "200"}}},
        {"persistence", {{"kills", "2"}, {"uptime-ms", "250"}}}}},
  };
  return kSuites;
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

Status ApplySuite(std::string_view name, const std::set<std::string>& given,
                  const std::map<std::string, std::string>& user_knobs,
                  const scenarios::Registry& registry, RunCommand* command) {
  const Suite* suite = nullptr;
  for (const Suite& s : Suites()) {
    if (s.name == name) suite = &s;
  }
  if (suite == nullptr) return Status::InvalidArgument("unknown suite '" + std::string(name) + "'");
  if (command->scenarios.empty()) {
    for (const scenarios::Scenario* sc : registry.all())
      command->scenarios.push_back(sc->info().id);
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
