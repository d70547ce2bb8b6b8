// The builtin target: the engine in-process, no network.
//
// One Engine per Target. The engine is single-threaded like Redis, so every call takes the
// target's mutex for the whole command (or the whole pipeline / MULTI...EXEC batch) — exactly the
// serialization a single-threaded server imposes, which is what keeps INCR atomic and lets a
// client-side GET-then-SET interleave with other clients, as it would over the network.
//
// Replies come back as RESP bytes in the ClientState's buffer and are parsed with ParseReply, so
// this adapter returns exactly what builtin-tcp would.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/client.h"
#include "adapters/target.h"
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
    engine_->AddClient(&state_);
  }
  ~BuiltinClient() override {
    std::lock_guard lock(*mu_);
    engine_->RemoveClient(&state_);
  }

  std::string_view target_name() const override { return "builtin"; }
  uint32_t capabilities() const override { return caps_; }

  Result<Reply> Command(const Argv& argv) override {
    std::string bytes;
    {
      std::lock_guard lock(*mu_);
      ExecuteLocked(argv);
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
      for (const Argv& argv : commands) ExecuteLocked(argv);
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

 private:
  void ExecuteLocked(const Argv& argv) {
    views_.assign(argv.begin(), argv.end());
    engine_->Execute(state_, engine::Args(views_.data(), views_.size()));
  }

  engine::Engine* engine_;
  std::mutex* mu_;
  uint32_t caps_;
  engine::ClientState state_;
  std::vector<std::string_view> views_;
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
    caps_ |= kCapPipeline;
  }

  TargetKind kind() const override { return TargetKind::kBuiltin; }
  uint32_t capabilities() const override { return caps_; }
  std::string endpoint() const override { return "in-process"; }
  std::string server_version() const override { return "racetrack (in-process)"; }
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
