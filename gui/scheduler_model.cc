// The model keeps only what decides the future (counter, each client's position, the value it
// read, whether its WATCH has been broken), so the search's visited set stays small: 3 clients x 3
// increments with WATCH is a few hundred thousand states, explored in well under a second.
//
// WATCH semantics follow Redis: any write to the key by another client after WATCH (a plain SET,
// another client's EXEC, INCR) makes the next EXEC return nil; EXEC, committed or not, unwatches.
// The game checks every reply against this, so a difference between the model and the engine shows.

#include "gui/scheduler_model.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <unordered_map>

#include "engine/base/enum_names.h"

namespace racetrack::gui {

// "client-rmw", "watch", "incr" are the counters lesson's approach ids.
constexpr EnumName<SchedApproach> kApproachNames[] = {
    {SchedApproach::kClientRmw, "client-rmw"},
    {SchedApproach::kWatch, "watch"},
    {SchedApproach::kIncr, "incr"},
};
static_assert(NamesEveryValue(kApproachNames, SchedApproach::kIncr));

constexpr EnumName<SchedOp> kOpNames[] = {
    {SchedOp::kGet, "GET"},     {SchedOp::kSet, "SET"},   {SchedOp::kWatch, "WATCH"},
    {SchedOp::kMulti, "MULTI"}, {SchedOp::kExec, "EXEC"}, {SchedOp::kIncr, "INCR"},
};
static_assert(NamesEveryValue(kOpNames, SchedOp::kIncr));

std::string ApproachName(SchedApproach approach) {
  return std::string(NameOf(kApproachNames, approach, "?"));
}

std::string OpName(SchedOp op) { return std::string(NameOf(kOpNames, op, "?")); }

const std::vector<SchedOp>& Program(SchedApproach approach) {
  static const std::vector<SchedOp> rmw = {SchedOp::kGet, SchedOp::kSet};
  static const std::vector<SchedOp> watch = {SchedOp::kWatch, SchedOp::kGet, SchedOp::kMulti,
                                             SchedOp::kSet, SchedOp::kExec};
  static const std::vector<SchedOp> incr = {SchedOp::kIncr};
  switch (approach) {
    case SchedApproach::kClientRmw:
      return rmw;
    case SchedApproach::kWatch:
      return watch;
    case SchedApproach::kIncr:
      return incr;
  }
  return rmw;
}

SchedulerModel::SchedulerModel(SchedSetup setup) : setup_(setup) {
  setup_.clients = std::clamp(setup_.clients, 1, SchedSetup::kMaxClients);
  setup_.increments = std::clamp(setup_.increments, 1, SchedSetup::kMaxIncrements);
  state_.clients.resize(setup_.clients);
}

int64_t SchedulerModel::Completed() const {
  int64_t n = 0;
  for (const SchedClient& c : state_.clients) n += c.done;
  return n;
}

int SchedulerModel::Aborts() const {
  int n = 0;
  for (const SchedClient& c : state_.clients) n += c.aborts;
  return n;
}

bool SchedulerModel::Finished(int client) const {
  return state_.clients[client].done >= setup_.increments;
}

bool SchedulerModel::AllFinished() const {
  for (int i = 0; i < setup_.clients; ++i) {
    if (!Finished(i)) return false;
  }
  return true;
}

SchedOp SchedulerModel::NextOp(int client) const {
  return Program(setup_.approach)[state_.clients[client].pc];
}

adapters::Argv SchedulerModel::NextCommand(int client) const {
  const SchedClient& c = state_.clients[client];
  switch (NextOp(client)) {
    case SchedOp::kGet:
      return {"GET", kKey};
    case SchedOp::kSet:
      return {"SET", kKey, std::to_string(c.local + 1)};
    case SchedOp::kWatch:
      return {"WATCH", kKey};
    case SchedOp::kMulti:
      return {"MULTI"};
    case SchedOp::kExec:
      return {"EXEC"};
    case SchedOp::kIncr:
      return {"INCR", kKey};
  }
  return {};
}

adapters::Reply SchedulerModel::Predict(int client) const {
  using Type = adapters::Reply::Type;
  const SchedClient& c = state_.clients[client];
  adapters::Reply r;
  switch (NextOp(client)) {
    case SchedOp::kGet:
      r.type = Type::kString;
      r.str = std::to_string(state_.counter);
      break;
    case SchedOp::kSet:
      r.type = Type::kStatus;
      r.str = setup_.approach == SchedApproach::kWatch ? "QUEUED" : "OK";
      break;
    case SchedOp::kWatch:
    case SchedOp::kMulti:
      r.type = Type::kStatus;
      r.str = "OK";
      break;
    case SchedOp::kExec:
      if (c.dirty) {
        r.type = Type::kNil;
      } else {
        r.type = Type::kArray;
        adapters::Reply ok;
        ok.type = Type::kStatus;
        ok.str = "OK";
        r.elements.push_back(ok);
      }
      break;
    case SchedOp::kIncr:
      r.type = Type::kInteger;
      r.integer = state_.counter + 1;
      break;
  }
  return r;
}

namespace {

std::string Join(const adapters::Argv& argv) {
  std::string s;
  for (const std::string& a : argv) {
    if (!s.empty()) s += ' ';
    s += a == SchedulerModel::kKey ? "counter" : a;
  }
  return s;
}

bool ParseInt(const std::string& s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<SchedStep> SchedulerModel::Apply(int client, const adapters::Reply& reply) {
  using Type = adapters::Reply::Type;
  if (client < 0 || client >= setup_.clients || Finished(client)) {
    return Status::InvalidArgument("client " + std::to_string(client + 1) + " has no next step");
  }
  SchedStep step;
  step.client = client;
  step.op = NextOp(client);
  step.command = Join(NextCommand(client));
  step.reply = reply.ToString();
  if (reply.is_error()) {
    return Status::InvalidArgument(step.command + " failed: " + reply.str);
  }
  auto unexpected = [&] {
    return Status::InvalidArgument(step.command + ": unexpected reply " + step.reply);
  };
  SchedClient& c = state_.clients[client];
  // A write by `client` breaks every other client's WATCH.
  auto wrote = [&](int64_t value) {
    step.wrote = true;
    step.lost_update = value <= state_.counter;  // someone else's increment is overwritten
    step.erased = step.lost_update ? state_.counter + 1 - value : 0;
    state_.counter = value;
    if (setup_.approach == SchedApproach::kWatch) {
      for (int i = 0; i < setup_.clients; ++i) {
        if (i != client && state_.clients[i].pc > 0) state_.clients[i].dirty = true;
      }
    }
  };
  auto increment_done = [&] {
    ++c.done;
    c.pc = 0;
    c.has_local = false;
    c.local = 0;
    c.dirty = false;
  };
  switch (step.op) {
    case SchedOp::kGet: {
      int64_t v = 0;
      if (reply.is_nil()) {
        v = 0;  // a missing key counts as zero, as INCR treats it
      } else if (reply.type != Type::kString || !ParseInt(reply.str, &v)) {
        return unexpected();
      }
      c.local = v;
      c.has_local = true;
      ++c.pc;
      break;
    }
    case SchedOp::kSet:
      if (reply.type != Type::kStatus) return unexpected();
      if (setup_.approach == SchedApproach::kWatch) {
        if (reply.str != "QUEUED") return unexpected();
        ++c.pc;
      } else {
        if (reply.str != "OK") return unexpected();
        wrote(c.local + 1);
        increment_done();
      }
      break;
    case SchedOp::kWatch:
    case SchedOp::kMulti:
      if (reply.type != Type::kStatus || reply.str != "OK") return unexpected();
      if (step.op == SchedOp::kWatch) c.dirty = false;
      ++c.pc;
      break;
    case SchedOp::kExec:
      if (reply.is_nil()) {
        step.aborted = true;
        ++c.aborts;
        c.pc = 0;  // start over from WATCH
        c.has_local = false;
        c.local = 0;
        c.dirty = false;
      } else if (reply.type == Type::kArray && reply.elements.size() == 1) {
        wrote(c.local + 1);
        increment_done();
      } else {
        return unexpected();
      }
      break;
    case SchedOp::kIncr:
      if (reply.type != Type::kInteger) return unexpected();
      wrote(reply.integer);
      increment_done();
      break;
  }
  step.counter_after = state_.counter;
  return step;
}

uint64_t SchedulerModel::Key() const {
  uint64_t key = static_cast<uint64_t>(state_.counter);  // < 16
  for (const SchedClient& c : state_.clients) {
    key = (key << 2) | static_cast<uint64_t>(c.done);
    key = (key << 3) | static_cast<uint64_t>(c.pc);
    key = (key << 4) | static_cast<uint64_t>(c.local);
    key = (key << 1) | (c.has_local ? 1 : 0);
    key = (key << 1) | (c.dirty ? 1 : 0);
  }
  return key;
}

SchedSearchResult FindShortestInterleaving(const SchedSetup& setup, SchedGoal goal,
                                           int64_t target) {
  SchedSearchResult result;
  SchedulerModel start(setup);
  std::unordered_map<uint64_t, std::pair<uint64_t, int>> seen;  // key -> (parent key, client)
  seen.reserve(1 << 16);
  seen.emplace(start.Key(), std::make_pair(start.Key(), -1));
  std::deque<SchedulerModel> queue = {start};
  auto path_to = [&](uint64_t key, int last_client) {
    std::vector<int> path = {last_client};
    for (;;) {
      auto [parent, client] = seen.at(key);
      if (client < 0) break;
      path.push_back(client);
      key = parent;
    }
    std::reverse(path.begin(), path.end());
    return path;
  };
  bool have_path = false;
  while (!queue.empty()) {
    SchedulerModel model = std::move(queue.front());
    queue.pop_front();
    const uint64_t key = model.Key();
    if (model.AllFinished()) {
      result.final_values.insert(model.state().counter);
      if (!have_path && goal == SchedGoal::kCounterEndsAt && model.state().counter == target) {
        auto [parent, client] = seen.at(key);
        result.interleaving = path_to(parent, client);
        have_path = true;
      }
      continue;
    }
    for (int i = 0; i < model.setup().clients; ++i) {
      if (model.Finished(i)) continue;
      SchedulerModel next = model;
      auto step = next.Apply(i, model.Predict(i));
      if (!step.ok()) continue;  // cannot happen: the prediction is well formed
      if (!have_path && goal == SchedGoal::kExecAborts && step->aborted) {
        result.interleaving = path_to(key, i);
        have_path = true;
      }
      if (seen.emplace(next.Key(), std::make_pair(key, i)).second) queue.push_back(std::move(next));
    }
  }
  result.states = static_cast<int64_t>(seen.size());
  result.found = have_path;
  // Replay the path to label its steps.
  SchedulerModel replay(setup);
  for (int client : result.interleaving) {
    result.commands.push_back(std::to_string(client + 1) + ": " + OpName(replay.NextOp(client)));
    (void)replay.Apply(client, replay.Predict(client));
  }
  return result;
}

const std::vector<SchedChallenge>& Challenges() {
  static const std::vector<SchedChallenge> challenges = {
      {"Lose six updates",
       "3 clients, 3 increments each, GET then SET: make the counter end at 3.",
       {SchedApproach::kClientRmw, 3, 3},
       SchedGoal::kCounterEndsAt,
       3},
      {"Now try with WATCH",
       "The same 9 increments with WATCH / MULTI / EXEC: make the counter end at 3.",
       {SchedApproach::kWatch, 3, 3},
       SchedGoal::kCounterEndsAt,
       3},
      {"Make WATCH abort",
       "2 clients, 1 increment each, with WATCH: make an EXEC come back (nil).",
       {SchedApproach::kWatch, 2, 1},
       SchedGoal::kExecAborts,
       0},
      {"Now with INCR",
       "3 clients, 3 increments each with INCR: make the counter end at 3.",
       {SchedApproach::kIncr, 3, 3},
       SchedGoal::kCounterEndsAt,
       3},
  };
  return challenges;
}

bool ChallengeWon(const SchedChallenge& challenge, const SchedulerModel& model) {
  if (challenge.goal == SchedGoal::kExecAborts) return model.Aborts() > 0;
  return model.AllFinished() && model.state().counter == challenge.target;
}

Result<std::unique_ptr<SchedulerGame>> SchedulerGame::Start(SchedSetup setup) {
  std::unique_ptr<SchedulerGame> game(new SchedulerGame(setup));
  game->target_ = adapters::MakeBuiltinTarget();
  for (int i = 0; i < game->model_.setup().clients; ++i) {
    auto client = game->target_->Connect();
    if (!client.ok()) return client.status();
    game->clients_.push_back(std::move(*client));
  }
  auto observer = game->target_->Connect();
  if (!observer.ok()) return observer.status();
  game->observer_ = std::move(*observer);
  auto set = game->observer_->Command({"SET", SchedulerModel::kKey, "0"});
  if (!set.ok()) return set.status();
  auto counter = game->ReadCounter();
  if (!counter.ok()) return counter.status();
  return game;
}

Result<int64_t> SchedulerGame::ReadCounter() {
  auto reply = observer_->Command({"GET", SchedulerModel::kKey});
  if (!reply.ok()) return reply.status();
  int64_t v = 0;
  if (!reply->is_nil() && !ParseInt(reply->str, &v)) {
    return Status::Internal("GET counter: unexpected reply " + reply->ToString());
  }
  engine_counter_ = v;
  return v;
}

Result<SchedStep> SchedulerGame::Step(int client) {
  if (client < 0 || client >= model_.setup().clients) {
    return Status::InvalidArgument("no client " + std::to_string(client + 1));
  }
  if (model_.Finished(client)) {
    return Status::InvalidArgument("client " + std::to_string(client + 1) + " has finished");
  }
  const adapters::Reply predicted = model_.Predict(client);
  auto reply = clients_[client]->Command(model_.NextCommand(client));
  if (!reply.ok()) return reply.status();
  auto step = model_.Apply(client, *reply);
  if (!step.ok()) return step.status();
  if (reply->ToString() != predicted.ToString() && disagreement_.empty()) {
    disagreement_ = step->command + ": the engine replied " + reply->ToString() +
                    ", the model expected " + predicted.ToString();
  }
  auto counter = ReadCounter();
  if (!counter.ok()) return counter.status();
  if (*counter != model_.state().counter && disagreement_.empty()) {
    disagreement_ = "after " + step->command + " the engine's counter is " +
                    std::to_string(*counter) + ", the model's " +
                    std::to_string(model_.state().counter);
  }
  history_.push_back(*step);
  return step;
}

}  // namespace racetrack::gui
