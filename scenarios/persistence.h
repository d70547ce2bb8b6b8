// The `persistence` lesson: K clients write acknowledged increments while the server is killed
// with SIGKILL and restarted on its data; how many acknowledged writes does each persistence mode
// lose, and what does its safety cost? See persistence.cc.
//
// The loss accounting is public so tests can check it by hand.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

std::unique_ptr<Scenario> MakePersistenceScenario();

// One client's counter around one kill. The client INCRs its own counter; each acknowledged reply
// is the counter's value as of that write, so the state the server recovers is "as of write
// `recovered`":
//   start      the value the epoch began from (what the previous restart recovered; 0 at first)
//   acked      the last acknowledged reply before the kill (== start when none)
//   recovered  the value read back after the restart
// Acknowledged writes lost = acked - recovered when positive (a write applied but never
// acknowledged — killed before its reply — makes recovered = acked + 1: not a loss).
struct CounterEpoch {
  int64_t start = 0;
  int64_t acked = 0;
  int64_t recovered = 0;
};
struct KillTally {
  int64_t acked_writes = 0;  // acknowledged in this epoch, over all clients
  int64_t lost = 0;          // acknowledged writes not in the recovered state
};
KillTally TallyKill(const std::vector<CounterEpoch>& clients);

}  // namespace racetrack::scenarios
