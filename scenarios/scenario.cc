#include "scenarios/scenario.h"

#include "scenarios/claims.h"
#include "scenarios/knobs.h"

namespace racetrack::scenarios {

const ApproachInfo* ScenarioInfo::FindApproach(std::string_view approach_id) const {
  for (const ApproachInfo& a : approaches) {
    if (a.id == approach_id) return &a;
  }
  return nullptr;
}

Result<std::map<std::string, double>> ApproachRun::Sample(adapters::Client&) {
  return std::map<std::string, double>{};
}

ScenarioInfo LessonInfo(std::string id, std::string title, std::string unit, std::string question) {
  ScenarioInfo info;
  info.claims = ArticleClaims(id);
  info.id = std::move(id);
  info.title = std::move(title);
  info.unit = std::move(unit);
  info.question = std::move(question);
  return info;
}

KnobInfo Knob(std::string name, std::string help, double min, double max,
              std::vector<double> defaults, uint32_t flags) {
  KnobInfo k;
  k.name = std::move(name);
  k.help = std::move(help);
  k.min = min;
  k.max = max;
  k.integer = (flags & kKnobReal) == 0;
  k.defaults = std::move(defaults);
  k.sweep = (flags & kKnobSweeps) != 0;
  return k;
}

KnobInfo ChoiceKnob(std::string name, std::string help, std::vector<std::string> choices,
                    std::vector<double> defaults, uint32_t flags) {
  const double last = choices.empty() ? 0 : static_cast<double>(choices.size() - 1);
  KnobInfo k = Knob(std::move(name), std::move(help), 0, last, std::move(defaults), flags);
  k.choices = std::move(choices);
  return k;
}

std::string MissingCapabilityReason(const ApproachInfo& approach, uint32_t caps) {
  // The `client` target has no server: only client-side approaches run there, and only there.
  const bool client_only = (approach.needs & adapters::kCapClientSide) != 0;
  if (!client_only && (caps & adapters::kCapClientSide) != 0) return "needs a server";
  const uint32_t missing = approach.needs & ~caps;
  if (missing == 0) return "";
  return "needs " + adapters::CapabilityNames(missing);
}

std::vector<std::map<std::string, double>> Lesson::ParameterPoints(const ApproachInfo&,
                                                                  adapters::TargetKind,
                                                                  const KnobValues& knobs) const {
  return AllKnobPoints(info_, knobs);
}

}  // namespace racetrack::scenarios
