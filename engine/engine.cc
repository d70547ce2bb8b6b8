#include "engine/engine.h"

#include <algorithm>

#include "engine/acl.h"
#include "engine/blocking.h"
#include "engine/diagnostics.h"
#include "engine/ds/alloc.h"
#include "engine/ds/util.h"
#include "engine/errors.h"
#include "engine/evict.h"
#include "engine/function.h"
#include "engine/notify.h"
#include "engine/persistence.h"
#include "engine/pubsub.h"
#include "engine/replication.h"
#include "engine/scripting.h"

namespace racetrack::engine {
namespace {

// Redis's "unknown command" text quotes the first arguments, up to ~128 bytes of them.
std::string UnknownCommandError(Args argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    args += "'";
    args.append(argv[i].substr(0, room));
    args += "' ";
  }
  std::string name(argv[0].substr(0, 128));
  return errors::UnknownCommand(name, args);
}

// RESP2 subscribed context: only these, as Redis 7.0 (PUBLISH and PUBSUB are refused too).
// (Un)subscribing commands: their confirmations are push data, sent even under CLIENT REPLY OFF.
bool IsSubscriptionCommand(std::string_view name) {
  return name == "subscribe" || name == "unsubscribe" || name == "psubscribe" ||
         name == "punsubscribe" || name == "ssubscribe" || name == "sunsubscribe";
}

bool AllowedWhileSubscribed(std::string_view name) {
  return IsSubscriptionCommand(name) || name == "ping" || name == "quit" || name == "reset";
}

// Redis's rejectCommand for EXEC: a rejected EXEC (arity, NOAUTH, OOM) ends the transaction and
// says why in an EXECABORT, without the reason's "ERR " prefix.
bool RejectedExec(Engine& engine, ClientState& client, const CommandSpec& spec,
                  std::string_view error) {
  if (spec.name != "exec") return false;
  if (error.starts_with("ERR ")) error.remove_prefix(4);
  client.reply.Error(errors::ExecAbortBecause(error));
  client.in_multi = false;
  client.multi_error = false;
  client.multi_queue.clear();
  UnwatchAll(engine, client);
  return true;
}

// Finds argv's command, or its subcommand for a container (CLIENT, CONFIG, ...). On failure returns
// nullptr with Redis's error text in *error.
const CommandSpec* FindSpec(const CommandTable& commands, Args argv, std::string* error) {
  const CommandSpec* spec = commands.Find(argv[0]);
  if (spec == nullptr) {
    *error = UnknownCommandError(argv);
    return nullptr;
  }
  if (spec->subcommands.empty() || argv.size() < 2) return spec;
  auto it = spec->subcommands.find(ToLower(argv[1]));
  if (it == spec->subcommands.end()) {
    std::string parent = spec->name;
    std::transform(parent.begin(), parent.end(), parent.begin(), ::toupper);
    *error = errors::UnknownSubcommand(argv[1].substr(0, 128), parent);
    return nullptr;
  }
  return it->second.get();
}

// Redis's getCommandFlags: a script command's flags follow its declared flags (scripting.h's
// ScriptCommandFlags); for EXEC, `any` also holds the flags any queued command has and `lacking`
// those some queued command lacks (Redis's mstate.cmd_flags / cmd_inv_flags).
struct EffectiveFlags {
  uint32_t any = 0;
  uint32_t lacking = 0;
};

EffectiveFlags FlagsOf(Engine& engine, const ClientState& client, const CommandSpec& spec,
                       Args argv) {
  uint32_t own = ScriptCommandFlags(engine, spec, argv);
  EffectiveFlags out{own, ~own};
  if (spec.name != "exec" || !client.in_multi) return out;
  for (const auto& queued : client.multi_queue) {
    std::vector<std::string_view> views(queued.begin(), queued.end());
    std::string ignored;
    const CommandSpec* q = FindSpec(engine.commands(), Args(views), &ignored);
    if (q == nullptr) continue;
    uint32_t f = ScriptCommandFlags(engine, *q, Args(views));
    out.any |= f;
    out.lacking |= ~f;
  }
  return out;
}

bool ArityMatches(const CommandSpec& spec, size_t argc) {
  int n = static_cast<int>(argc);
  return spec.arity > 0 ? n == spec.arity : n >= -spec.arity;
}

// Redis's NOPERM texts: processCommand's (top level and queuing), EXEC's when the rules changed
// after queuing, and a script's (scriptVerifyACL + getAclErrorMessage).
std::string AclDeniedError(AclResult r, const CommandSpec& spec, AclContext where) {
  if (where == AclContext::kMulti) return errors::AclDeniedInExec(r == AclResult::kDeniedCmd,
                                                                  r == AclResult::kDeniedKey);
  if (where == AclContext::kLua) return errors::AclDeniedInScript(r == AclResult::kDeniedCmd,
                                                                  r == AclResult::kDeniedKey);
  if (r == AclResult::kDeniedCmd) return errors::AclDeniedCommand(spec.name);
  if (r == AclResult::kDeniedKey) return std::string(errors::kAclDeniedKey);
  return std::string(errors::kAclDeniedChannel);
}

bool IsTransactionControl(const CommandSpec& spec) {
  return spec.name == "exec" || spec.name == "discard" || spec.name == "multi" ||
         spec.name == "watch" || spec.name == "quit" || spec.name == "reset";
}

}  // namespace

Engine::Engine(EngineConfig config, const Clock* clock) : config_(std::move(config)), clock_(clock) {
  RT_CHECK(config_.databases > 0);
  Limits() = config_.encoding;  // the compact-encoding thresholds the data structures read
  for (int i = 0; i < config_.databases; ++i) {
    dbs_.push_back(std::make_unique<Db>(i, clock_));
    dbs_.back()->set_unsettled_list(&unsettled_dbs_);
    InstallExpireListener(i);
  }
  RegisterAllFamilies(commands_);
  stats_.start_time_us = clock_->NowUs();
  pubsub_ = std::make_unique<PubSub>();
  blocking_ = std::make_unique<Blocking>(this);
  persistence_ = std::make_unique<Persistence>(this);
  acl_ = std::make_unique<Acl>(commands_, &config_);
  diagnostics_ = std::make_unique<Diagnostics>();
  std::string replid;
  for (int i = 0; i < 40; ++i) replid += "0123456789abcdef"[rng_() % 16];
  replication_ = std::make_unique<Replication>(std::move(replid));
  acl_->SetRequirePass(config_.requirepass);
}

Engine::~Engine() = default;

void Engine::AddClient(ClientState* client) {
  client->id = next_client_id_++;
  client->created_ms = clock_->NowMs();
  client->last_interaction_ms = client->created_ms;
  client->user = acl_->default_user();
  client->authenticated = !acl_->AuthRequired();
  clients_[client->id] = client;
  ++stats_.total_connections_received;
}

void Engine::RemoveClient(ClientState* client) {
  UnwatchAll(*this, *client);
  pubsub_->RemoveClient(client);
  blocking_->RemoveClient(*client);
  diagnostics_->RemoveClient(client);
  replication_->Detach(client);
  clients_.erase(client->id);
}

uint64_t Engine::dirty() const {
  uint64_t total = 0;
  for (const auto& db : dbs_) total += db->dirty();
  return total;
}

uint64_t Engine::UsedMemory() {
  uint64_t total = 0;
  for (const auto& db : dbs_) total += AllocSize(sizeof(Db)) + db->MemoryBytes();
  return total;
}

std::string Engine::Run(ClientState& client, std::initializer_list<std::string_view> argv) {
  std::vector<std::string_view> args(argv);
  Execute(client, Args(args));
  std::string out = std::move(client.reply.buffer());
  client.reply.Clear();
  return out;
}

void Engine::Execute(ClientState& client, Args argv) {
  using Mode = ClientState::ReplyMode;
  if (client.reply_mode == Mode::kOn) {
    ExecuteCommand(client, argv);
    if (client.reply_mode == Mode::kSkipNext) client.reply_mode = Mode::kSkip;  // CLIENT REPLY SKIP
    return;
  }
  // CLIENT REPLY OFF|SKIP: the command runs, its reply is dropped — except what Redis sends as
  // push data even then (the confirmations of SUBSCRIBE & co; messages from other clients are
  // appended outside this call).
  const bool skip = client.reply_mode == Mode::kSkip;
  const size_t before = client.reply.size();
  ExecuteCommand(client, argv);
  const bool pushes = !argv.empty() && IsSubscriptionCommand(ToLower(argv[0]));
  if ((skip || client.reply_mode == Mode::kOff) && !pushes) client.reply.buffer().resize(before);
  if (client.reply_mode == Mode::kSkip) {
    client.reply_mode = Mode::kOn;
  } else if (client.reply_mode == Mode::kSkipNext) {
    client.reply_mode = Mode::kSkip;
  }
}

void Engine::ExecuteCommand(ClientState& client, Args argv) {
  if (argv.empty()) return;
  ReplyBuilder& reply = client.reply;
  // The command's one reading of the wall clock: its idle time, CLIENT PAUSE's deadline and the
  // handler's `now` (Redis likewise caches the time once per command).
  const int64_t now_ms = clock_->NowMs();
  client.last_interaction_ms = now_ms;
  if (client.is_blocked()) {
    // The network server stops reading a blocked client's input; an embedder that does not (the
    // in-process adapter) gets this error rather than a second wait (Blocking::Block's invariant).
    reply.Error(errors::kClientBlocked);
    return;
  }

  std::string error;
  const CommandSpec* spec = FindSpec(commands_, argv, &error);
  if (spec == nullptr) {
    reply.Error(error);
    if (client.in_multi) client.multi_error = true;
    return;
  }
  if (!ArityMatches(*spec, argv.size())) {
    std::string err = errors::WrongArity(spec->name);
    if (!RejectedExec(*this, client, *spec, err)) reply.Error(err);
    ++command_stats(*spec).rejected_calls;
    if (client.in_multi) client.multi_error = true;
    return;
  }
  if (!client.authenticated && !(spec->flags & kCmdNoAuth) && acl_->AuthRequired()) {
    if (!RejectedExec(*this, client, *spec, errors::kNoAuth)) reply.Error(errors::kNoAuth);
    ++command_stats(*spec).rejected_calls;
    if (client.in_multi) client.multi_error = true;
    return;
  }
  if (client.subscription_count() > 0 && !client.reply.resp3() &&
      !AllowedWhileSubscribed(spec->name)) {
    reply.Error(errors::NotAllowedWhileSubscribed(spec->name));
    ++command_stats(*spec).rejected_calls;
    return;
  }
  if (running_script_ != nullptr && running_script_->timed_out && &client != running_script_->caller &&
      !(spec->flags & kCmdAllowBusy)) {
    // A script runs past busy-reply-threshold (scripting.h): only allow-busy commands get through.
    std::string_view err = running_script_->eval ? errors::kBusyScript : errors::kBusyFunction;
    if (!RejectedExec(*this, client, *spec, err)) reply.Error(err);
    ++command_stats(*spec).rejected_calls;
    if (client.in_multi) client.multi_error = true;
    return;
  }
  if (client.in_multi && (spec->flags & kCmdNoMulti)) {
    reply.Error(errors::kNotAllowedInMulti);
    ++command_stats(*spec).rejected_calls;
    client.multi_error = true;
    return;
  }
  if (!CheckAcl(client, *spec, argv, client.in_multi ? AclContext::kMulti : AclContext::kTopLevel,
                /*queuing=*/true)) {
    return;
  }
  // Looking into scripts and EXEC's queue only when a check below needs the flags.
  const bool state_checks =
      config_.maxmemory > 0 || config_.min_replicas_to_write > 0 || replication_->has_master();
  const EffectiveFlags flags = state_checks ? FlagsOf(*this, client, *spec, argv)
                                            : EffectiveFlags{spec->flags, ~spec->flags};
  const bool is_write = (flags.any & kCmdWrite) != 0;
  auto reject = [&](std::string_view err) {  // processCommand's rejectCommand
    if (!RejectedExec(*this, client, *spec, err)) reply.Error(err);
    ++command_stats(*spec).rejected_calls;
    if (client.in_multi) client.multi_error = true;
  };
  if (config_.maxmemory > 0 && !client.is_script) {
    // As Redis's processCommand: evict before every command; refuse a command that may grow memory
    // when nothing more can be evicted.
    bool fits = PerformEvictions(*this);
    pre_command_oom_ = !fits;
    // Inside MULTI everything but EXEC, DISCARD, QUIT and RESET is refused (queuing takes memory);
    // EXEC when its queue holds a deny-oom command.
    bool deny = (flags.any & kCmdDenyOom) ||
                (client.in_multi && spec->name != "exec" && spec->name != "discard" &&
                 spec->name != "quit" && spec->name != "reset");
    if (!fits && deny) {
      reject(errors::kOom);
      return;
    }
  }
  if (config_.min_replicas_to_write > 0 && config_.min_replicas_max_lag > 0 && !client.is_script &&
      !replication_->has_master() && is_write &&
      replication_->GoodReplicas(now_ms, config_.min_replicas_max_lag) <
          static_cast<size_t>(config_.min_replicas_to_write)) {
    reject(errors::kNoReplicas);
    return;
  }
  if (replication_->has_master() && config_.replica_read_only && !client.is_script && is_write) {
    reject(errors::kReadOnlyReplica);
    return;
  }
  // The link to the master is never up here (replication.h): a replica is always stale.
  if (replication_->has_master() && !config_.replica_serve_stale_data && !client.is_script &&
      (flags.lacking & kCmdStale)) {
    reject(errors::kMasterDown);
    return;
  }
  if (client_pause_.Holds(commands_, client, *spec, now_ms)) {
    client.postponed = true;  // as Redis's BLOCKED_POSTPONE: the owner re-sends it later
    return;
  }
  if (client.in_multi && !IsTransactionControl(*spec)) {
    std::vector<std::string> queued(argv.begin(), argv.end());
    client.multi_queue.push_back(std::move(queued));
    reply.Status("QUEUED");
    return;
  }
  ClientState* outer_client = current_client_;
  const CommandSpec* outer_spec = current_spec_;
  current_client_ = &client;
  current_spec_ = spec;
  Call(client, *spec, argv, now_ms);
  current_client_ = outer_client;
  current_spec_ = outer_spec;
  // Clients blocked on keys this command wrote are served now, as Redis's
  // handleClientsBlockedOnKeys after each command.
  blocking_->ServeReady();
}

bool Engine::CheckAcl(ClientState& client, const CommandSpec& spec, Args argv, AclContext where,
                      bool queuing) {
  const AclUser* user = client.user;
  ClientState* reporter = &client;  // whose name and info the ACL log records
  if (where == AclContext::kLua) {
    reporter = current_client_;
    user = reporter == nullptr ? nullptr : reporter->user;
  }
  int errpos = 0;
  AclResult r = acl_->Check(user, spec, argv, &errpos);
  if (r == AclResult::kOk) return true;
  std::string object =
      r == AclResult::kDeniedCmd ? spec.name : std::string(argv[static_cast<size_t>(errpos)]);
  acl_->AddLog(r, where, std::move(object), user->name, clock_->NowMs(),
               ClientInfoLine(*reporter, spec.name, clock_->NowMs()));
  std::string err = AclDeniedError(r, spec, queuing ? AclContext::kTopLevel : where);
  if (queuing) {
    if (!RejectedExec(*this, client, spec, err)) client.reply.Error(err);
    ++command_stats(spec).rejected_calls;
    if (client.in_multi) client.multi_error = true;
  } else {
    client.reply.Error(err);
  }
  return false;
}

void Engine::ExecuteQueued(ClientState& client, const std::vector<std::string>& argv) {
  // Every caller checked argv once already (MULTI when queuing, redis.call, the blocking command
  // itself), except the append-only log, which is input from disk. Checked again all the same: a
  // command missing from the table is an error reply to the one caller, never a dead server.
  if (argv.empty()) {
    client.reply.Error(errors::kEmptyCommand);
    return;
  }
  std::vector<std::string_view> views(argv.begin(), argv.end());
  std::string error;
  const CommandSpec* spec = FindSpec(commands_, Args(views), &error);
  if (spec != nullptr && !ArityMatches(*spec, views.size())) {
    error = errors::WrongArity(spec->name);
    spec = nullptr;
  }
  if (spec == nullptr) {
    client.reply.Error(error);
    return;
  }
  // ACL again where Redis checks it: each command of EXEC (the rules may have changed since it was
  // queued) and each redis.call of a script (as the user who called the script) — both run from
  // the top-level command's handler (call depth 1). The engine's own re-runs (blocked clients, the
  // pop inside BLPOP, the append-only log) are not checked.
  if (call_depth_ == 1 && client.is_script) {
    if (!CheckAcl(client, *spec, Args(views), AclContext::kLua, false)) return;
  } else if (call_depth_ == 1 && current_client_ == &client && current_spec_ != nullptr &&
             current_spec_->name == "exec") {
    if (!CheckAcl(client, *spec, Args(views), AclContext::kMulti, false)) return;
  }
  Call(client, *spec, Args(views), clock_->NowMs());
}

void Engine::Call(ClientState& client, const CommandSpec& spec, Args argv, int64_t now_ms) {
  Db& db = *dbs_[static_cast<size_t>(client.db)];
  uint64_t dirty_before = db.dirty();
  size_t reply_start = client.reply.size();
  CommandContext ctx{*this, client, db, client.reply, spec, argv, now_ms};

  // Access metadata for eviction, and under an LFU policy for OBJECT FREQ even without maxmemory
  // (Redis keeps the LFU counter whenever the policy is LFU).
  if (config_.maxmemory > 0 || IsLfuPolicy(config_.maxmemory_policy)) TouchKeys(*this, db, spec, argv);
  if (diagnostics_->has_monitors()) diagnostics_->BeforeCall(client, spec, argv);
  int64_t start = MonotonicUs();
  ++call_depth_;
  spec.handler(ctx);
  --call_depth_;
  int64_t elapsed = MonotonicUs() - start;
  SettleTouchedDbs();

  CommandStats& cs = command_stats(spec);
  ++cs.calls;
  cs.usec += static_cast<uint64_t>(elapsed);
  if (client.reply.size() > reply_start && client.reply.buffer()[reply_start] == '-') {
    ++cs.failed_calls;
  }
  ++stats_.total_commands_processed;
  client.last_command = &spec;
  // The engine's internal clients (append-only log replay: no user) are not diagnosed, as Redis
  // keeps loading out of the slow log.
  if (client.user != nullptr || client.is_script) {
    diagnostics_->AfterCall(*this, client, spec, argv, elapsed);
  }

  if ((spec.flags & kCmdWrite) && db.dirty() != dirty_before) {
    if (!client.no_key_signal) {
      spec.ForEachKeyPosition(argv.size(), [&](int pos) {
        SignalModifiedKey(db.index(), argv[static_cast<size_t>(pos)]);
      });
    }
    if (client.prevent_propagation) {
      // Its effects were propagated by the nested commands it ran.
    } else if (!propagate_override_.empty()) {
      std::vector<std::string_view> views(propagate_override_.begin(), propagate_override_.end());
      Propagate(db.index(), Args(views));
    } else {
      Propagate(db.index(), argv);
    }
  }
  client.prevent_propagation = false;
  client.no_key_signal = false;
  propagate_override_.clear();
  if (call_depth_ == 0) replication_->Flush();
}

void Engine::SettleTouchedDbs() {
  for (Db* d : unsettled_dbs_) d->Settle();
  unsettled_dbs_.clear();
}

void Engine::Propagate(int db, Args argv) {
  if (propagation_paused_) return;
  if (on_propagate) on_propagate(db, argv);
  replication_->Feed(db, argv);
}

void Engine::PropagateNow(int db, Args argv) {
  if (propagation_paused_) return;
  if (on_propagate) on_propagate(db, argv);
  replication_->SendNow(db, argv);
}

bool Engine::propagating() const { return on_propagate != nullptr || replication_->active(); }

ScriptEngine& Engine::scripts() {
  if (!scripts_) scripts_ = std::make_unique<ScriptEngine>(this);
  return *scripts_;
}

FunctionEngine& Engine::functions() {
  if (!functions_) functions_ = std::make_unique<FunctionEngine>(this);
  return *functions_;
}

void Engine::BeforeSleep() { persistence_->BeforeSleep(); }

void Engine::Cron() {
  // Redis's active expiry budget: 25% of one cron tick (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC).
  int64_t budget_us = 1'000'000 / std::max(1, config_.hz) / 4;
  int64_t per_db = std::max<int64_t>(budget_us / static_cast<int64_t>(dbs_.size()), 100);
  for (auto& db : dbs_) {
    if (db->volatile_size() > 0) db->ActiveExpireCycle(per_db);
    db->Rehash(1000);  // Redis's databasesCron: resize and rehash for up to 1 ms per db
  }
  blocking_->ServeReady();  // keys the active expiry deleted (XREADGROUP on an expired stream)
  blocking_->HandleTimeouts(clock_->NowMs());
  persistence_->Cron();
  replication_->Cron(clock_->NowMs(), config_.repl_ping_replica_period);
}

void Engine::SignalModifiedKey(int db, std::string_view key) {
  blocking_->SignalKey(db, key);
  if (watched_keys_.empty()) return;
  auto it = watched_keys_.find(std::make_pair(db, std::string(key)));
  if (it == watched_keys_.end()) return;
  for (ClientState* c : it->second) {
    // A key that was already expired when WATCHed and is now gone (deleted by expiry) did not
    // logically change, as in Redis 7.0's touchWatchedKey.
    bool skip = false;
    for (auto& wk : c->watched) {
      if (wk.expired_at_watch && wk.db == db && wk.key == key &&
          dbs_[static_cast<size_t>(db)]->Peek(key) == nullptr) {
        wk.expired_at_watch = false;
        skip = true;
      }
    }
    if (!skip) c->watch_dirty = true;
  }
}

void Engine::SignalFlushedDb(int db) {
  // Clients blocked on keys of a flushed db re-check them (XREADGROUP answers that its stream is
  // gone, as Redis 7.0.15's scanDatabaseForDeletedStreams).
  for (int i = 0; i < num_dbs(); ++i) {
    if (db < 0 || i == db) blocking_->SignalDb(i);
  }
  for (auto& [wk, watchers] : watched_keys_) {
    if (db >= 0 && wk.first != db) continue;
    const Db::Entry* e = dbs_[static_cast<size_t>(wk.first)]->Peek(wk.second);
    if (e == nullptr || e->ExpiredAt(clock_->NowMs())) continue;
    for (ClientState* c : watchers) c->watch_dirty = true;
  }
}

void Engine::InstallExpireListener(int index) {
  dbs_[static_cast<size_t>(index)]->set_new_key_listener([this, index](std::string_view key) {
    NotifyKeyspaceEvent(*this, kNotifyNew, "new", key, index);
  });
  dbs_[static_cast<size_t>(index)]->set_expire_listener([this, index](std::string_view key) {
    ++stats_.expired_keys;
    SignalModifiedKey(index, key);
    NotifyKeyspaceEvent(*this, kNotifyExpired, "expired", key, index);
    // Replicas delete it too, since they do not expire keys themselves (the append-only log
    // holds absolute deadlines instead).
    if (replication_->active()) {
      std::string_view del[] = {"DEL", key};
      replication_->SendNow(index, Args(del));
    }
  });
}

void Engine::TouchWatchedKeysSwapped(int emptied, int replaced_with) {
  Db& from = *dbs_[static_cast<size_t>(emptied)];
  Db& to = *dbs_[static_cast<size_t>(replaced_with)];
  int64_t now = clock_->NowMs();
  auto expired = [now](const Db::Entry* e) {
    return e != nullptr && e->ExpiredAt(now);
  };
  for (auto& [wk, watchers] : watched_keys_) {
    if (wk.first != emptied) continue;
    const Db::Entry* old_entry = from.Peek(wk.second);
    const Db::Entry* new_entry = to.Peek(wk.second);
    if (old_entry == nullptr && new_entry == nullptr) continue;
    for (ClientState* c : watchers) {
      for (auto& w : c->watched) {
        if (w.db != emptied || w.key != wk.second) continue;
        if (w.expired_at_watch) {
          if (new_entry == nullptr) {  // an expired key is now gone: no logical change
            w.expired_at_watch = false;
            continue;
          }
          if (expired(new_entry)) continue;  // expired before, expired after
        } else if (old_entry == nullptr && expired(new_entry)) {
          w.expired_at_watch = true;  // nothing replaced by an expired key: still nothing
          continue;
        }
        c->watch_dirty = true;
      }
    }
  }
}

void Engine::SwapDbs(int a, int b) {
  if (a == b) return;
  TouchWatchedKeysSwapped(a, b);
  TouchWatchedKeysSwapped(b, a);
  std::swap(dbs_[static_cast<size_t>(a)], dbs_[static_cast<size_t>(b)]);
  dbs_[static_cast<size_t>(a)]->set_index(a);
  dbs_[static_cast<size_t>(b)]->set_index(b);
  InstallExpireListener(a);
  InstallExpireListener(b);
  blocking_->SignalDb(a);
  blocking_->SignalDb(b);
}

void WatchKey(Engine& engine, ClientState& client, int db, std::string_view key) {
  for (const auto& wk : client.watched) {
    if (wk.db == db && wk.key == key) return;
  }
  const Db::Entry* e = engine.db(db).Peek(key);
  bool expired = e != nullptr && e->ExpiredAt(engine.clock().NowMs());
  client.watched.push_back({db, std::string(key), expired});
  engine.watched_keys_[std::make_pair(db, std::string(key))].push_back(&client);
}

void UnwatchAll(Engine& engine, ClientState& client) {
  for (const auto& wk : client.watched) {
    auto it = engine.watched_keys_.find(std::make_pair(wk.db, wk.key));
    if (it == engine.watched_keys_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &client), v.end());
    if (v.empty()) engine.watched_keys_.erase(it);
  }
  client.watched.clear();
  client.watch_dirty = false;
}

}  // namespace racetrack::engine
