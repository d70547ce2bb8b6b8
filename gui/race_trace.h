// RaceTrace: a recording of a few clients doing read-modify-write increments (GET, add one, SET)
// on one counter, with a timestamp on every step — the material for the race replay, the picture
// that shows a class what a lost update is.
//
// RecordRaceTrace runs `clients` threads against a target (normally `builtin`, the in-process
// engine, through the same adapters::Client the scenarios use). All threads start together
// (a barrier); each pauses `think_us` between its GET and its SET, as a client on a network
// would wait for the reply to travel, which is what lets another client's GET slip in between.
// The trace is what really happened — nothing is scripted — so a recording may contain no lost
// update; RecordRaceTrace retries up to `attempts` times until one does.
//
// FindLostUpdates marks the story in a trace: a SET that wrote a value some other client had
// already written (both read the same old value) overwrote that client's increment.
//
// Thread-safety: RecordRaceTrace blocks the calling thread until the recording is done (a few
// milliseconds); the results are plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/target.h"
#include "engine/base/status.h"

namespace racetrack::gui {

struct RaceStep {
  enum class Kind { kGet, kSet };
  int client = 0;        // 0-based
  Kind kind = Kind::kGet;
  int64_t start_ns = 0;  // from the start of the recording
  int64_t end_ns = 0;
  int64_t value = 0;     // GET: the value read; SET: the value written
  // Filled by FindLostUpdates:
  bool lost = false;         // a SET whose increment a later SET overwrote
  bool overwriting = false;  // a SET that overwrote another client's increment
  bool stale_read = false;   // the GET that fed an overwriting SET
  int overwritten_by = -1;   // for a lost SET: index of the SET that overwrote it
};

struct RaceTrace {
  int clients = 0;
  int increments_per_client = 0;
  int64_t think_us = 0;
  std::vector<RaceStep> steps;  // ordered by start time
  int64_t final_value = 0;      // the counter at the end (GET after all clients finished)
  int lost_updates = 0;         // clients * increments - final_value
};

struct RaceOptions {
  int clients = 3;
  int increments_per_client = 3;
  int64_t think_us = 300;
  int attempts = 20;
  std::string key = "racetrack:replay:counter";
};

// Records a trace on `target`. Errors are the target's (a dead connection).
Result<RaceTrace> RecordRaceTrace(adapters::Target& target, const RaceOptions& options = {});

// Sets lost / overwriting / stale_read / overwritten_by on the steps and returns how many
// increments were lost.
int FindLostUpdates(RaceTrace* trace);

// One line for narrating step `index`: "Client 2 reads the counter: 41".
std::string NarrateStep(const RaceTrace& trace, int index);

}  // namespace racetrack::gui
