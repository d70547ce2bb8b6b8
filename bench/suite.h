// Suites: fixed, documented sets of runs, chosen with `racetrack run --suite NAME` and
// `racetrack compare-run --suite NAME`. Fixed so two runs of a suite are comparable (`racetrack
// compare` gates CI on them); what the user typed still wins over the suite's choice.
//
// "ci" is the CI gate's suite, sized so one interleaved A/A compare-run takes about 5 minutes on
// a loaded 2-core box: a handful of selections (scenario x approaches x target) that cover the
// in-process engine, racetrack-server over TCP, Redis and PostgreSQL, at small sizes, with
// 0.1 s repetitions; compare-run's defaults for it are many short rounds (the gate pairs rounds:
// reports/gate.h) of a few repetitions each. "full" is every lesson on every target (about 210
// records; one interleaved round of it took about 5 minutes per side here, so a gated run of it
// takes an hour or more). The definitions live in suite.cc, next to nothing else.
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

// One harness run's worth of a suite: a lesson on one target, all its approaches or some.
struct SuiteSelection {
  std::string scenario;
  std::string target;                   // a target name (adapters::TargetName)
  std::vector<std::string> approaches;  // empty = every approach the target can run
};

// What compare-run takes from a suite when the user did not say.
struct SuiteCompareDefaults {
  std::vector<SuiteSelection> selections;  // empty = every scenario on every usable target
  int rounds = 9;
  int per_round = 1;
};

// The suites' names, for --suite's check.
std::vector<std::string> SuiteNames();
// One paragraph for `racetrack run --help`.
std::string SuiteHelp();

// compare-run's selections and round counts for suite `name`; InvalidArgument for an unknown
// suite.
Result<SuiteCompareDefaults> SuiteForCompare(std::string_view name);

// Applies suite `name` to `command`: the scenarios (the suite's lessons, when none were named),
// the harness settings whose flags are not in `given` ("repetitions", "duration", "warmup"), and
// each selected lesson's knob values — unless `user_knobs` (knob name -> text as typed) has that
// knob. Suite knob values are parsed with each lesson's own KnobInfo into
// command->options.scenario_knobs, so a suite cannot set a value its lesson rejects: the error
// names the lesson. InvalidArgument for an unknown suite.
Status ApplySuite(std::string_view name, const std::set<std::string>& given,
                  const std::map<std::string, std::string>& user_knobs,
                  const scenarios::Registry& registry, RunCommand* command);

}  // namespace racetrack::bench
