#include "scenarios/scenario.h"

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
