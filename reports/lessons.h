// Built-in titles and lesson texts for the scenarios in docs/DESIGN's catalogue: the fallback when
// a results file carries no "scenario_info" (the producer's text, quoted from the scenario's own
// code, always wins). Unknown ids get a neutral title and no lesson.
#pragma once

#include <string>

#include "reports/results.h"

namespace racetrack::reports {

struct LessonText {
  std::string title;   // "Counters: lost updates under concurrency"
  std::string lesson;  // a few sentences
};

// The text for `scenario`, preferring what any of `runs` embedded.
LessonText LessonFor(const std::string& scenario, const std::vector<Results>& runs);

}  // namespace racetrack::reports
