// The `locks` lesson: W workers issue invoice numbers under a lock — none, SET NX PX, the same
// with a paused holder, Redlock on three servers, fencing tokens, and PostgreSQL's locks and
// sequence. Which ways hand out the same number twice? See locks.cc for the approaches and the
// lesson text.
//
// The analysis of the recorded critical sections is exposed for tests (hand-built interval sets).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

std::unique_ptr<Scenario> MakeLocksScenario();

namespace locks {

// One critical section that wrote to the resource: who, which number it issued, when it held
// the lock (start = lock acquired, end = its write acknowledged; microseconds on one clock), and
// where its write landed in the resource's own order (1 = first write).
struct Section {
  int worker = 0;
  int64_t number = 0;
  int64_t start_us = 0;
  int64_t end_us = 0;
  int64_t write_order = 0;
};

struct Analysis {
  int64_t issued = 0;      // sections
  int64_t duplicates = 0;  // issued numbers that had already been issued (a number issued 3
                           // times counts 2)
  int64_t gaps = 0;        // numbers in [1, max issued] that were never issued
  int64_t overlaps = 0;    // sections that began before an earlier-written section had ended
  std::vector<bool> overlapping;  // per input section, in input order: the late writers
  // Sections whose write landed on a state they had not read: in the resource's order of
  // writes, the number written is not the previous write's number + 1 (another holder wrote
  // between this one's read and its write). No clock is involved, so a holder that merely
  // waited long for its write's reply is not counted.
  int64_t interleaved = 0;
  std::vector<bool> interleaving;  // per input section, in input order
};

// Duplicates, gaps and overlaps of `sections` (any order). The overlap test is against the
// resource's order of writes: a section overlaps when it started before some section written
// earlier than it had finished — a correct lock makes each holder start after the previous
// write landed. The interleaving test needs only the resource's order (see Analysis).
Analysis Analyze(const std::vector<Section>& sections);

// Whether acquisition number `acquisition` (1-based, counted across workers) is one the paused
// holder stalls on: every `every`-th; never when every == 0. Deterministic, so a test can rely
// on the pauses.
bool PausesOn(uint64_t acquisition, int64_t every);

}  // namespace locks
}  // namespace racetrack::scenarios
