// Scenario knobs (KnobInfo in scenario.h): parsing and validating what the user typed, and
// expanding knob values into parameter points. Used by the CLI (one flag per knob), the GUI and
// the scenarios' ParameterPoints().
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "scenarios/scenario.h"

namespace racetrack::scenarios {

// Parses "1,10,100" (or one value; or a choice name such as "boundary") for `knob`. Errors are one
// line naming the flag and the valid range: "--rtt-ms must be between 0 and 1000 (got '-1')",
// "--pattern must be one of boundary, steady, bursty, many-keys (got 'x')",
// "--batch takes one value" for a knob that does not sweep. With `lesson`, the flag is named
// with its lesson: "--sizes for leaderboard must be ...".
Result<std::vector<double>> ParseKnobValues(const KnobInfo& knob, std::string_view text,
                                            std::string_view lesson = "");

// Knob values per scenario id: each lesson's own parse of what the user typed.
using ScenarioKnobValues = std::map<std::string, KnobValues>;

// Parses the knob flags the user gave (`text`: knob name -> text as typed; empty text = not
// given) once for every scenario in `selected` that declares the knob, each with its own
// KnobInfo: two lessons with a knob of the same name keep their own ranges and choices, and an
// error names the lesson whose range the value broke ("--sizes for leaderboard must be an
// integer between 10 and 10000000 (got '0')"). A knob that no selected scenario declares is an
// error naming the scenarios in `all` that do.
Result<ScenarioKnobValues> ParseScenarioKnobs(const std::vector<const Scenario*>& selected,
                                              const std::vector<const Scenario*>& all,
                                              const std::map<std::string, std::string>& text);

// The knob's values: the user's when given (user[knob.name]), else its defaults.
std::vector<double> KnobValuesOrDefault(const KnobInfo& knob, const KnobValues& user);

// The knob named `name` in `info`, or nullptr.
const KnobInfo* FindKnob(const ScenarioInfo& info, std::string_view name);

// Every combination of the given knobs' values (first knob varies slowest), as parameter points.
std::vector<std::map<std::string, double>> CartesianPoints(
    const std::vector<std::pair<std::string, std::vector<double>>>& axes);

// The value one run uses for `info`'s knob `name`: `extra`'s (RunContext::extra), else the knob's
// first default; 0 when `info` declares no such knob or it has no default. Unchecked (the CLI
// checks typed values; RunKnobValues checks them all).
double RunKnobValue(const ScenarioInfo& info, const std::map<std::string, double>& extra,
                    std::string_view name);

// Every knob of `info` for one run: `extra`'s value, else the knob's first default, each checked
// as ParseKnobValues checks typed text (a run from the GUI or racetrack-bench never went through
// the CLI). Errors are ParseKnobValues's one-liners.
Result<std::map<std::string, double>> RunKnobValues(const ScenarioInfo& info,
                                                     const std::map<std::string, double>& extra);
// One parameter point per combination of every knob `info` declares (the user's values, else
// the defaults): the usual Scenario::ParameterPoints of a lesson whose knobs all apply everywhere.
std::vector<std::map<std::string, double>> AllKnobPoints(const ScenarioInfo& info,
                                                         const KnobValues& knobs);

// A choice knob's value as its name ("boundary"); "" when out of range.
std::string ChoiceName(const KnobInfo& knob, double value);

}  // namespace racetrack::scenarios
