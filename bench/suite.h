// Suites: fixed, documented sets of runs, chosen with `racetrack run --suite NAME`. Fixed so two
// runs of a suite are comparable (`racetrack compare` gates CI on them); what the user typed
// still wins over the suite's choice.
//
// Today one suite, "ci": every lesson in the registry, 15 repetitions of 0.1 s after a 0.05 s
// warm-up (15 against 15 leave compare's U test room for Holm over the suite's ~210 records:
// complete separation gives p ~ 1e-8, 9 against 9 only 4e-5), and small knob values per lesson (leaderboard
// sizes 1000,10000; pipeline rtt-ms 0,1, batch 1,100, commands 200; ratelimit pattern boundary).
// A few minutes in all. The definition lives in suite.cc, next to nothing else.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench/cli.h"
#include "engine/base/status.h"
#include "scenarios/registry.h"

namespace racetrack::bench {

// The suites' names, for --suite's check.
std::vector<std::string> SuiteNames();
// One paragraph for `racetrack run --help`.
std::string SuiteHelp();

// Applies suite `name` to `command`: the scenarios (every registered one, when none were named),
// the harness settings whose flags are not in `given` ("repetitions", "duration", "warmup"), and
// each selected lesson's knob values — unless `user_knobs` (knob name -> text as typed) has that
// knob. Suite knob values are parsed with each lesson's own KnobInfo into
// command->options.scenario_knobs, so a suite cannot set a value its lesson rejects: the error
// names the lesson. InvalidArgument for an unknown suite.
Status ApplySuite(std::string_view name, const std::set<std::string>& given,
                  const std::map<std::string, std::string>& user_knobs,
                  const scenarios::Registry& registry, RunCommand* command);

}  // namespace racetrack::bench
