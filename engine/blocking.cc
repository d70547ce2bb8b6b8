// Blocking commands re-run their own handler when a key they wait on is written, instead of each
// command type registering a custom "serve" callback: the handler already knows how to serve and how
// to reply, so re-running it keeps one code path for the immediate and the delayed case (Redis 7.2
// moved to the same design, "reprocess command").
#include "engine/blocking.h"

#include <algorithm>

#include "engine/engine.h"
#include "engine/ds/util.h"
#include "engine/errors.h"

namespace racetrack::engine {

struct Blocking::Waiter {
  int db = 0;
  std::vector<std::string> keys;
  int64_t deadline_ms = 0;
  std::vector<std::string> argv;
  std::string timeout_reply;
};

namespace {

// The type a blocking command waits for: BZPOPMIN/BZMPOP & co a sorted set, XREAD(GROUP) a
// stream, the others (BLPOP, BLMOVE, ...) a list.
ObjType AwaitedType(std::string_view command) {
  if (command.size() > 1 && (command[1] == 'z' || command[1] == 'Z')) return ObjType::kZSet;
  if (command.starts_with("x") || command.starts_with("X")) return ObjType::kStream;
  return ObjType::kList;
}

}  // namespace

Blocking::Waiter* Blocking::StateOf(ClientState& c) const {
  return static_cast<Waiter*>(c.blocked.get());
}

void Blocking::Block(ClientState& c, int db, const std::vector<std::string>& keys,
                     int64_t deadline_ms, std::vector<std::string> argv,
                     std::string timeout_reply) {
  if (&c == reprocessing_ && c.is_blocked()) {
    reblocked_ = true;  // still nothing to serve: keep the original place and deadline
    return;
  }
  RT_CHECK(!c.is_blocked());
  auto w = std::make_shared<Waiter>();
  w->db = db;
  w->deadline_ms = deadline_ms;
  w->argv = std::move(argv);
  w->timeout_reply = std::move(timeout_reply);
  for (const auto& k : keys) {
    if (std::find(w->keys.begin(), w->keys.end(), k) != w->keys.end()) continue;
    w->keys.push_back(k);
    waiting_[std::make_pair(db, k)].push_back(&c);
  }
  if (deadline_ms > 0) deadlines_.emplace(deadline_ms, c.id);
  c.blocked = std::move(w);
  ++blocked_count_;
}

void Blocking::SignalKey(int db, std::string_view key) {
  if (waiting_.empty()) return;
  auto it = waiting_.find(std::make_pair(db, std::string(key)));
  if (it == waiting_.end()) return;
  for (const auto& r : ready_) {
    if (r.first == db && r.second == key) return;
  }
  ready_.emplace_back(db, std::string(key));
}

void Blocking::SignalDb(int db) {
  for (const auto& [wk, waiters] : waiting_) {
    if (wk.first == db) SignalKey(db, wk.second);
  }
}

void Blocking::Detach(ClientState& c) {
  Waiter* w = StateOf(c);
  if (w == nullptr) return;
  for (const auto& k : w->keys) {
    auto it = waiting_.find(std::make_pair(w->db, k));
    if (it == waiting_.end()) continue;
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), &c), q.end());
    if (q.empty()) waiting_.erase(it);
  }
  if (w->deadline_ms > 0) deadlines_.erase(std::make_pair(w->deadline_ms, c.id));
  c.blocked.reset();
  --blocked_count_;
}

void Blocking::ServeReady() {
  if (serving_ || ready_.empty()) return;
  serving_ = true;
  // Serving one key may make another ready (BLMOVE pushes to its destination): loop until quiet.
  while (!ready_.empty()) {
    std::vector<std::pair<int, std::string>> batch;
    batch.swap(ready_);
    for (const auto& key : batch) {
      auto it = waiting_.find(key);
      if (it == waiting_.end()) continue;
      // Snapshot the queue: serving changes it. Each client is re-run once per signal.
      std::vector<ClientState*> queue(it->second.begin(), it->second.end());
      for (ClientState* c : queue) {
        Waiter* w = StateOf(*c);
        if (w == nullptr) continue;  // served through another key already
        const Db::Entry* e = engine_->db(key.first).Peek(key.second);
        // XREADGROUP waits on a stream and its group, not merely a key: Redis 7.0.15 ends the wait
        // with an error once the stream is deleted, flushed, swapped away or overwritten.
        if (EqualsIgnoreCase(w->argv[0], "xreadgroup") &&
            (e == nullptr || e->value.type() != ObjType::kStream)) {
          Finish(*c, errors::kStreamKeyGone, true);
          continue;
        }
        // Redis 7.0 serves a ready key only when it holds the awaited type (LPUSH + DEL + SET in
        // one EXEC leaves a string): the client keeps waiting rather than getting WRONGTYPE.
        if (e != nullptr && e->value.type() != AwaitedType(w->argv[0])) continue;
        std::vector<std::string> argv = w->argv;
        int saved_db = c->db;
        c->db = w->db;
        reprocessing_ = c;
        reblocked_ = false;
        engine_->ExecuteQueued(*c, argv);
        reprocessing_ = nullptr;
        c->db = saved_db;
        if (!reblocked_) {
          Detach(*c);
          if (c->wake) c->wake();
        }
      }
    }
  }
  serving_ = false;
}

void Blocking::HandleTimeouts(int64_t now_ms) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now_ms) {
    uint64_t id = deadlines_.begin()->second;
    auto cit = engine_->clients().find(id);
    if (cit == engine_->clients().end()) {
      deadlines_.erase(deadlines_.begin());
      continue;
    }
    Unblock(*cit->second, false);
  }
}

bool Blocking::Unblock(ClientState& c, bool error) {
  Waiter* w = StateOf(c);
  if (w == nullptr) return false;
  if (error) {
    Finish(c, errors::kUnblocked, true);
  } else {
    std::string reply = w->timeout_reply;
    Finish(c, reply, false);
  }
  return true;
}

void Blocking::Finish(ClientState& c, std::string_view reply, bool is_error) {
  Detach(c);
  if (is_error) {
    c.reply.Error(reply);
  } else {
    c.reply.Raw(reply);
  }
  if (c.wake) c.wake();
}

int64_t Blocking::NextDeadlineMs() const {
  return deadlines_.empty() ? -1 : deadlines_.begin()->first;
}

void Blocking::RemoveClient(ClientState& c) {
  if (c.is_blocked()) Detach(c);
}

}  // namespace racetrack::engine
