// The registry: the one list of scenarios. The CLI, the benchmark binary, reports and the GUI all
// read it; nothing else lists scenarios. Adding a lesson = one line in registry.cc.
//
// Thread-safety: the registry is built on first use and immutable afterwards; Scenario objects in
// it are stateless (per-run state lives in ApproachRun), so they may be used from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/status.h"
#include "scenarios/scenario.h"

namespace racetrack::scenarios {

class Registry {
 public:
  // The process-wide registry of built-in scenarios, in catalogue order.
  static const Registry& Default();

  const std::vector<const Scenario*>& all() const { return list_; }
  // nullptr when unknown.
  const Scenario* Find(std::string_view id) const;
  // InvalidArgument "unknown scenario 'x' (valid: counters, ...)" when unknown.
  Result<const Scenario*> Get(std::string_view id) const;
  // "counters, leaderboard, ..." for errors and help.
  std::string IdList() const;

  // For tests and embedders: a registry of one's own. Does not take ownership.
  explicit Registry(std::vector<const Scenario*> list) : list_(std::move(list)) {}

 private:
  std::vector<const Scenario*> list_;
};

}  // namespace racetrack::scenarios
