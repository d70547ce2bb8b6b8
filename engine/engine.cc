#include "engine/engine.h"

#include <algorithm>

#include "engine/errors.h"
#include "engine/util.h"

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
  return "ERR unknown command '" + name + "', with args beginning with: " + args;
}

bool IsTransactionControl(const CommandSpec& spec) {
  return spec.name == "exec" || spec.name == "discard" || spec.name == "multi" ||
         spec.name == "watch" || spec.name == "quit" || spec.name == "reset";
}

}  // namespace

Engine::Engine(EngineConfig config, const Clock* clock) : config_(std::move(config)), clock_(clock) {
  RT_CHECK(config_.databases > 0);
  for (int i = 0; i < config_.databases; ++i) {
    auto db = std::make_unique<Db>(i, clock_);
    db->set_expire_listener([this, i](std::string_view key) {
      ++stats_.expired_keys;
      SignalModifiedKey(i, key);
    });
    dbs_.push_back(std::move(db));
  }
  RegisterAllFamilies(commands_);
  stats_.start_time_us = clock_->NowUs();
}

Engine::~Engine() = default;

void Engine::AddClient(ClientState* client) {
  client->id = next_client_id_++;
  client->created_ms = clock_->NowMs();
  client->last_interaction_ms = client->created_ms;
  client->authenticated = config_.requirepass.empty();
  clients_[client->id] = client;
  ++stats_.total_connections_received;
}

void Engine::RemoveClient(ClientState* client) {
  UnwatchAll(*this, *client);
  clients_.erase(client->id);
}

uint64_t Engine::dirty() const {
  uint64_t total = 0;
  for (const auto& db : dbs_) total += db->dirty();
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
  if (argv.empty()) return;
  ReplyBuilder& reply = client.reply;
  client.last_interaction_ms = clock_->NowMs();

  const CommandSpec* spec = commands_.Find(argv[0]);
  if (spec == nullptr) {
    reply.Error(UnknownCommandError(argv));
    if (client.in_multi) client.multi_error = true;
    return;
  }
  if (!spec->subcommands.empty() && argv.size() >= 2) {
    auto it = spec->subcommands.find(ToLower(argv[1]));
    if (it == spec->subcommands.end()) {
      std::string parent = spec->name;
      std::transform(parent.begin(), parent.end(), parent.begin(), ::toupper);
      reply.Error("ERR unknown subcommand '" + std::string(argv[1].substr(0, 128)) + "'. Try " +
                  parent + " HELP.");
      if (client.in_multi) client.multi_error = true;
      return;
    }
    spec = it->second.get();
  }
  if ((spec->arity > 0 && static_cast<int>(argv.size()) != spec->arity) ||
      static_cast<int>(argv.size()) < -spec->arity) {
    reply.Error("ERR wrong number of arguments for '" + spec->name + "' command");
    ++stats_.commands[spec->name].rejected_calls;
    if (client.in_multi) client.multi_error = true;
    return;
  }
  if (!client.authenticated && !(spec->flags & kCmdNoAuth)) {
    reply.Error(errors::kNoAuth);
    ++stats_.commands[spec->name].rejected_calls;
    if (client.in_multi) client.multi_error = true;
    return;
  }
  if (client.subscription_count() > 0 && !(spec->flags & kCmdPubSub) && spec->name != "ping" &&
      spec->name != "quit" && spec->name != "reset") {
    reply.Error("ERR Can't execute '" + spec->name +
                "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                "this context");
    ++stats_.commands[spec->name].rejected_calls;
    return;
  }
  if (client.in_multi && (spec->flags & kCmdNoMulti)) {
    reply.Error("ERR Command not allowed inside a transaction");
    ++stats_.commands[spec->name].rejected_calls;
    client.multi_error = true;
    return;
  }
  if (client.in_multi && !IsTransactionControl(*spec)) {
    std::vector<std::string> queued(argv.begin(), argv.end());
    client.multi_queue.push_back(std::move(queued));
    reply.Status("QUEUED");
    return;
  }
  Call(client, *spec, argv);
}

void Engine::ExecuteQueued(ClientState& client, const std::vector<std::string>& argv) {
  std::vector<std::string_view> views(argv.begin(), argv.end());
  const CommandSpec* spec = commands_.Find(views[0]);
  RT_CHECK(spec != nullptr);  // it was looked up when queued
  if (!spec->subcommands.empty() && views.size() >= 2) {
    auto it = spec->subcommands.find(ToLower(views[1]));
    RT_CHECK(it != spec->subcommands.end());
    spec = it->second.get();
  }
  Call(client, *spec, Args(views));
}

void Engine::Call(ClientState& client, const CommandSpec& spec, Args argv) {
  Db& db = *dbs_[static_cast<size_t>(client.db)];
  uint64_t dirty_before = db.dirty();
  size_t reply_start = client.reply.size();
  CommandContext ctx{*this, client, db, client.reply, spec, argv, clock_->NowMs()};

  int64_t start = MonotonicUs();
  spec.handler(ctx);
  int64_t elapsed = MonotonicUs() - start;

  CommandStats& cs = stats_.commands[spec.name];
  ++cs.calls;
  cs.usec += static_cast<uint64_t>(elapsed);
  if (client.reply.size() > reply_start && client.reply.buffer()[reply_start] == '-') {
    ++cs.failed_calls;
  }
  ++stats_.total_commands_processed;
  client.last_command = spec.name;

  if ((spec.flags & kCmdWrite) && db.dirty() != dirty_before) {
    for (int pos : spec.KeyPositions(argv.size())) {
      SignalModifiedKey(db.index(), argv[static_cast<size_t>(pos)]);
    }
    if (on_propagate) on_propagate(db.index(), argv);
  }
}

void Engine::Cron() {
  // Redis's active expiry budget: 25% of one cron tick (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC).
  int64_t budget_us = 1'000'000 / std::max(1, config_.hz) / 4;
  int64_t per_db = std::max<int64_t>(budget_us / static_cast<int64_t>(dbs_.size()), 100);
  for (auto& db : dbs_) {
    if (db->volatile_size() > 0) db->ActiveExpireCycle(per_db);
  }
}

void Engine::SignalModifiedKey(int db, std::string_view key) {
  if (watched_keys_.empty()) return;
  auto it = watched_keys_.find(std::make_pair(db, std::string(key)));
  if (it == watched_keys_.end()) return;
  for (ClientState* c : it->second) c->watch_dirty = true;
}

void WatchKey(Engine& engine, ClientState& client, int db, std::string_view key) {
  for (const auto& [d, k] : client.watched) {
    if (d == db && k == key) return;
  }
  client.watched.emplace_back(db, std::string(key));
  engine.watched_keys_[std::make_pair(db, std::string(key))].push_back(&client);
}

void UnwatchAll(Engine& engine, ClientState& client) {
  for (const auto& wk : client.watched) {
    auto it = engine.watched_keys_.find(wk);
    if (it == engine.watched_keys_.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &client), v.end());
    if (v.empty()) engine.watched_keys_.erase(it);
  }
  client.watched.clear();
  client.watch_dirty = false;
}

}  // namespace racetrack::engine
