// The builtin target: the engine in-process, no network.
//
// One Engine per Target. The engine is single-threaded like Redis, so every call takes the
// target's mutex for the whole command (or the whole pipeline / MULTI...EXEC batch) — exactly the
// serialization a single-threaded server imposes, which is what keeps INCR atomic and lets a
// client-side GET-then-SET interleave with other clients, as it would over the network.
//
// Replies come back as RESP bytes in the ClientState's buffer and are parsed with ParseReply, so
// this adapter returns exactly what builtin-tcp would.
//
// Blocking commands (BRPOP, XREADGROUP BLOCK) and Pub/Sub need a reply that another caller's
// command produces: the engine appends it to this client's buffer and calls its `wake`, which
// signals this client's condition variable. A blocked caller waits on it with the target's mutex
// released, and, having no event loop to do it, runs the engine's timeout check itself every few
// milliseconds so BRPOP's timeout still ends the wait.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/client.h"
#include "adapters/target.h"
#include "engine/blocking.h"
#include "engine/client.h"
#include "engine/engine.h"

namespace racetrack::adapters {

namespace {

class BuiltinTarget;

class BuiltinClient final : public Client {
 public:
  BuiltinClient(engine::Engine* engine, std::mutex* mu, uint32_t caps)
      : engine_(engine), mu_(mu), caps_(caps) {
    std::lock_guard lock(*mu_);
    state_.wake = [this] { cv_.notify_all(); };  // called with *mu_ held
    engine_->AddClient(&state_);
  }
  ~BuiltinClient() override { Abort(); }

  void Abort() override {
    std::lock_guard lock(*mu_);
    if (aborted_) return;
    aborted_ = true;
    engine_->RemoveClient(&state_);
  }

  std::string_view target_name() const override { return "builtin"; }
  uint32_t capabilities() const override { return caps_; }

  Result<Reply> Command(const Argv& argv) override {
    std::string bytes;
    {
      std::unique_lock lock(*mu_);
      if (aborted_) return Gone();
      ExecuteLocked(argv);
      // A blocking command that found nothing: wait for another client's write to serve it, or
      // for its own deadline.
      while (state_.is_blocked()) {
        cv_.wait_for(lock, std::chrono::milliseconds(5));
        engine_->blocking().HandleTimeouts(engine_->clock().NowMs());
      }
      engine_->BeforeSleep();  // the append-only log, when on: written before the reply leaves
      bytes.swap(state_.reply.buffer());
    }
    Reply reply;
    auto used = ParseReply(bytes, &reply);
    if (!used.ok()) return used.status();
    if (*used == 0) return Status::Internal("builtin engine wrote an incomplete reply");
    return reply;
  }

  Result<std::vector<Reply>> Pipeline(std::span<const Argv> commands) override {
    std::string bytes;
    {
      // One lock for the batch: a pipeline's commands arrive in one read on a real server and
      // are executed back to back.
      std::lock_guard lock(*mu_);
      if (aborted_) return Gone();
      for (const Argv& argv : commands) ExecuteLocked(argv);
      engine_->BeforeSleep();
      bytes.swap(state_.reply.buffer());
    }
    std::vector<Reply> replies(commands.size());
    std::string_view rest = bytes;
    for (auto& reply : replies) {
      auto used = ParseReply(rest, &reply);
      if (!used.ok()) return used.status();
      if (*used == 0) return Status::Internal("builtin engine wrote an incomplete reply");
      rest.remove_prefix(*used);
    }
    return replies;
  }

  Status Subscribe(std::string_view channel) override {
    auto r = Command({"SUBSCRIBE", std::string(channel)});
    if (!r.ok()) return r.status();
    if (r->is_error()) return Status::InvalidArgument(r->str);
    return Status::Ok();
  }

  Result<std::optional<PushMessage>> Receive(double timeout_s) override {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::microseconds(static_cast<int64_t>(timeout_s * 1e6));
    std::unique_lock lock(*mu_);
    for (;;) {
      if (aborted_) return Gone();
      // Pushes accumulate in the engine's buffer; parse the first complete one.
      pushed_ += state_.reply.buffer();
      state_.reply.buffer().clear();
      Reply reply;
      auto used = ParseReply(pushed_, &reply);
      if (!used.ok()) return used.status();
      if (*used > 0) {
        pushed_.erase(0, *used);
        if (reply.type == Reply::Type::kArray && reply.elements.size() == 3 &&
            reply.elements[0].str == "message") {
          return std::optional<PushMessage>(
              PushMessage{std::move(reply.elements[1].str), std::move(reply.elements[2].str)});
        }
        continue;  // a (un)subscribe confirmation or a pattern message: not ours
      }
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
          state_.reply.buffer().empty()) {
        return std::optional<PushMessage>();
      }
    }
  }

 private:
  static Status Gone() {
    return Status::Unavailable("builtin: connection closed (aborted by the client)");
  }

  void ExecuteLocked(const Argv& argv) {
    views_.assign(argv.begin(), argv.end());
    engine_->Execute(state_, engine::Args(views_.data(), views_.size()));
  }

  engine::Engine* engine_;
  std::mutex* mu_;
  uint32_t caps_;
  engine::ClientState state_;
  std::vector<std::string_view> views_;
  std::condition_variable cv_;  // waited on with *mu_; notified by the engine's wake
  std::string pushed_;          // Pub/Sub bytes received but not yet returned by Receive
  bool aborted_ = false;        // guarded by *mu_
};

class BuiltinTarget final : public Target {
 public:
  BuiltinTarget() {
    const engine::CommandTable& table = engine_.commands();
    auto has = [&](const char* name) { return table.Find(name) != nullptr; };
    if (has("get") && has("set") && has("del")) caps_ |= kCapStrings;
    if (has("incr") && has("incrby")) caps_ |= kCapIncr;
    if (has("hincrby")) caps_ |= kCapHashes;
    if (has("watch") && has("multi") && has("exec")) caps_ |= kCapWatchMulti;
    if (has("eval")) caps_ |= kCapScripting;
    if (has("zadd") && has("zrevrange")) caps_ |= kCapSortedSets;
    if (has("pfadd") && has("pfcount") && has("pfmerge")) caps_ |= kCapHyperLogLog;
    if (has("setbit") && has("bitcount")) caps_ |= kCapBitmaps;
    if (has("subscribe") && has("publish")) caps_ |= kCapPubSub;
    if (has("xadd") && has("xreadgroup") && has("xautoclaim")) caps_ |= kCapStreams;
    if (has("lpush") && has("brpop") && has("lmove")) caps_ |= kCapLists;
    caps_ |= kCapPipeline;
  }

  TargetKind kind() const override { return TargetKind::kBuiltin; }
  uint32_t capabilities() const override { return caps_; }
  std::string endpoint() const override { return "in-process"; }
  std::string server_version() const override { return "racetrack " RACETRACK_VERSION " (in-process)"; }
  Result<std::unique_ptr<Client>> Connect() override {
    return std::unique_ptr<Client>(std::make_unique<BuiltinClient>(&engine_, &mu_, caps_));
  }

 private:
  engine::Engine engine_;
  std::mutex mu_;
  uint32_t caps_ = 0;
};

}  // namespace

std::unique_ptr<Target> MakeBuiltinTarget() { return std::make_unique<BuiltinTarget>(); }

}  // namespace racetrack::adapters
