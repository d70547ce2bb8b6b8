#include "scenarios/registry.h"

#include "scenarios/cache.h"
#include "scenarios/counters.h"
#include "scenarios/leaderboard.h"
#include "scenarios/locks.h"
#include "scenarios/messaging.h"
#include "scenarios/persistence.h"
#include "scenarios/pipeline.h"
#include "scenarios/ratelimit.h"
#include "scenarios/uniques.h"
#include "scenarios/sessions.h"

namespace racetrack::scenarios {

const Registry& Registry::Default() {
  // The catalogue, in order. One line per lesson. Built once, immutable afterwards.
  static const std::vector<std::unique_ptr<Scenario>>* const kOwned = [] {
    auto* owned = new std::vector<std::unique_ptr<Scenario>>();
    owned->push_back(MakeCountersScenario());
    owned->push_back(MakeLeaderboardScenario());
    owned->push_back(MakePipelineScenario());
    owned->push_back(MakeRatelimitScenario());
    owned->push_back(MakeCacheScenario());
    owned->push_back(MakeUniquesScenario());
    owned->push_back(MakeLocksScenario());
    owned->push_back(MakeSessionsScenario());
    owned->push_back(MakeMessagingScenario());
    owned->push_back(MakePersistenceScenario());
    return owned;
  }();
  static const Registry* const kRegistry = [] {
    std::vector<const Scenario*> list;
    for (const auto& s : *kOwned) list.push_back(s.get());
    return new Registry(std::move(list));
  }();
  return *kRegistry;
}

const Scenario* Registry::Find(std::string_view id) const {
  for (const Scenario* s : list_) {
    if (s->info().id == id) return s;
  }
  return nullptr;
}

Result<const Scenario*> Registry::Get(std::string_view id) const {
  const Scenario* s = Find(id);
  if (s == nullptr) {
    return Status::InvalidArgument("unknown scenario '" + std::string(id) + "' (valid: " +
                                   IdList() + ")");
  }
  return s;
}

std::string Registry::IdList() const {
  std::string out;
  for (const Scenario* s : list_) {
    if (!out.empty()) out += ", ";
    out += s->info().id;
  }
  return out;
}

}  // namespace racetrack::scenarios
