// The `counters` lesson: N clients increment one hot counter. Which ways lose updates, and what
// does each safe way cost? See counters.cc for the approaches and the lesson text.
#pragma once

#include <memory>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

std::unique_ptr<Scenario> MakeCountersScenario();

}  // namespace racetrack::scenarios
