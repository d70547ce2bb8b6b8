// The article's claims, lesson by lesson: each sentence of "Redis is more than a cache" that a
// lesson's records can decide, with the figure that measures it and the rule (ClaimInfo). All ten
// lessons' claims live in claims.cc, side by side, so the article can be read against them in one
// place; each scenario puts ArticleClaims(its id) into its ScenarioInfo.
//
// Thread-safety: pure function returning values.
#pragma once

#include <string_view>
#include <vector>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

// The claims of lesson `scenario_id` (empty for an unknown id).
std::vector<ClaimInfo> ArticleClaims(std::string_view scenario_id);

}  // namespace racetrack::scenarios
