// "You are the scheduler", the part without a GUI: a few clients each add one to a counter a few
// times, one command at a time, and the student — not the operating system — picks which client
// takes its next step. Three ways to increment, each a fixed little program per client:
//
//   client-rmw  GET, SET read+1                          (read-modify-write on the client)
//   watch       WATCH, GET, MULTI, SET read+1, EXEC      (optimistic: EXEC aborts, nil, when
//                                                         another client wrote the key since
//                                                         WATCH; the client then starts over)
//   incr        INCR                                     (the server does the read and the write)
//
// SchedulerModel is the state machine: what each client runs next, and what a reply does to the
// state (the value a GET read, an aborted EXEC sending the client back to WATCH, ...). It also
// predicts the reply a Redis-like server gives, which is what the search runs on.
//
// SchedulerGame drives the model against the real built-in engine (adapters::MakeBuiltinTarget(),
// one connection per client, plus an observer that reads the counter after every step): the
// state moves on the engine's replies, never on the prediction, and the game reports when the two
// disagree (which would be an engine bug; a test plays random interleavings to check they never
// do).
//
// FindShortestInterleaving searches every interleaving (breadth first over states, so the first
// one found is a shortest) for a challenge's goal — the counter ending at some value, or an EXEC
// aborting — and also collects every final counter value reachable, so "impossible" is a
// statement about the whole state space, not a guess.
//
// Thread-safety: plain values; one thread at a time per object. The game's commands run on the
// calling thread (the engine answers in microseconds).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/client.h"
#include "adapters/target.h"
#include "engine/base/status.h"

namespace racetrack::gui {

enum class SchedApproach { kClientRmw, kWatch, kIncr };
enum class SchedOp { kGet, kSet, kWatch, kMulti, kExec, kIncr };

// "client-rmw", "watch", "incr" (the counters lesson's approach ids); "GET", "SET", ...
std::string ApproachName(SchedApproach approach);
std::string OpName(SchedOp op);
// The approach's program, one increment's worth.
const std::vector<SchedOp>& Program(SchedApproach approach);

struct SchedSetup {
  SchedApproach approach = SchedApproach::kClientRmw;
  int clients = 3;     // 1..kMaxClients (3 keeps the search's state space small)
  int increments = 3;  // per client, 1..kMaxIncrements
  static constexpr int kMaxClients = 3;
  static constexpr int kMaxIncrements = 3;
};

struct SchedClient {
  int done = 0;       // increments this client has completed (its SET/EXEC/INCR took effect)
  int pc = 0;         // index into Program(approach) of the next command
  int64_t local = 0;  // the value its GET read (meaningful when has_local)
  bool has_local = false;
  bool dirty = false;  // watch: another client wrote the key since this client's WATCH
  int aborts = 0;      // watch: EXECs that came back nil
};

struct SchedState {
  int64_t counter = 0;  // the key's value as the model has it
  std::vector<SchedClient> clients;
};

// One step as it happened, for the log and the narration.
struct SchedStep {
  int client = 0;
  SchedOp op = SchedOp::kGet;
  std::string command;        // "SET counter 4"
  std::string reply;          // "OK", "QUEUED", "(nil)", "4"
  bool aborted = false;       // an EXEC that returned nil
  bool wrote = false;         // the counter changed (SET outside MULTI, EXEC, INCR)
  bool lost_update = false;   // a write that erased increments another client had made
  int64_t erased = 0;         // increments the write erased (counter before + 1 - value written)
  int64_t counter_after = 0;  // the model's counter after the step
};

class SchedulerModel {
 public:
  explicit SchedulerModel(SchedSetup setup);

  const SchedSetup& setup() const { return setup_; }
  const SchedState& state() const { return state_; }
  // Completed increments, all clients together (what the counter would be if nothing were lost).
  int64_t Completed() const;
  int64_t LostUpdates() const { return Completed() - state_.counter; }
  int Aborts() const;

  bool Finished(int client) const;
  bool AllFinished() const;
  // The command `client` runs next (undefined when Finished(client)).
  SchedOp NextOp(int client) const;
  adapters::Argv NextCommand(int client) const;
  // What a Redis-like server replies to NextCommand(client) in the current state.
  adapters::Reply Predict(int client) const;
  // Moves `client` on by the reply it got. An error reply or an unexpected shape is an
  // InvalidArgument naming it; the state is then unchanged.
  Result<SchedStep> Apply(int client, const adapters::Reply& reply);

  // The state packed into one integer (for the search's visited set).
  uint64_t Key() const;

  static constexpr const char* kKey = "racetrack:scheduler:counter";

 private:
  SchedSetup setup_;
  SchedState state_;
};

enum class SchedGoal { kCounterEndsAt, kExecAborts };

struct SchedSearchResult {
  bool found = false;
  std::vector<int> interleaving;      // client indices, one per step (a shortest one)
  std::vector<std::string> commands;  // the same steps as "1: GET", for showing
  int64_t states = 0;                 // distinct states explored
  std::set<int64_t> final_values;     // every value the counter can end at
};

// Breadth-first over all interleavings of `setup` from the start. `target` is the end value for
// kCounterEndsAt (all clients finished); unused for kExecAborts (any EXEC returning nil).
SchedSearchResult FindShortestInterleaving(const SchedSetup& setup, SchedGoal goal,
                                           int64_t target = 0);

// A challenge: the setup, what winning means, and the text the student sees.
struct SchedChallenge {
  std::string title;
  std::string task;
  SchedSetup setup;
  SchedGoal goal = SchedGoal::kCounterEndsAt;
  int64_t target = 0;
};
const std::vector<SchedChallenge>& Challenges();
// Whether the finished (or, for kExecAborts, any) play of `model` meets the challenge.
bool ChallengeWon(const SchedChallenge& challenge, const SchedulerModel& model);

class SchedulerGame {
 public:
  // Opens a fresh in-process engine and one connection per client; sets the counter to 0.
  static Result<std::unique_ptr<SchedulerGame>> Start(SchedSetup setup);

  const SchedulerModel& model() const { return model_; }
  const std::vector<SchedStep>& history() const { return history_; }
  // The counter as the engine has it, read after the last step.
  int64_t engine_counter() const { return engine_counter_; }
  // Non-empty when the engine's reply differed from the model's prediction (should never be).
  const std::string& disagreement() const { return disagreement_; }

  // Runs `client`'s next command on the engine. FailedPrecondition when that client has finished.
  Result<SchedStep> Step(int client);

 private:
  explicit SchedulerGame(SchedSetup setup) : model_(setup) {}
  Result<int64_t> ReadCounter();

  SchedulerModel model_;
  std::unique_ptr<adapters::Target> target_;
  std::vector<std::unique_ptr<adapters::Client>> clients_;
  std::unique_ptr<adapters::Client> observer_;
  std::vector<SchedStep> history_;
  int64_t engine_counter_ = 0;
  std::string disagreement_;
};

}  // namespace racetrack::gui
