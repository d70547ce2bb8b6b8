#include "engine/client_pause.h"

#include <algorithm>
#include <string_view>

#include "engine/ds/util.h"

namespace racetrack::engine {
namespace {

// Redis 7.0's may_replicate commands: they do not write keys but are replicated (a script's
// writes, PFCOUNT's cache update, a published message).
bool MayReplicate(const CommandSpec& spec) {
  static constexpr std::string_view kNames[] = {"eval",    "evalsha", "fcall",
                                                "pfcount", "publish", "spublish"};
  return (spec.flags & kCmdWrite) ||
         std::find(std::begin(kNames), std::end(kNames), spec.name) != std::end(kNames);
}

// The spec a queued command line runs (it was looked up when queued, so it exists).
const CommandSpec* QueuedSpec(const CommandTable& table, const std::vector<std::string>& argv) {
  const CommandSpec* spec = table.Find(argv[0]);
  if (spec == nullptr || spec->subcommands.empty() || argv.size() < 2) return spec;
  auto it = spec->subcommands.find(ToLower(argv[1]));
  return it == spec->subcommands.end() ? spec : it->second.get();
}

}  // namespace

void ClientPause::Pause(int64_t now_ms, int64_t end_ms, Mode mode) {
  if (ModeAt(now_ms) == Mode::kOff) {
    mode_ = mode;
    end_ms_ = end_ms;
    return;
  }
  mode_ = std::max(mode_, mode);
  end_ms_ = std::max(end_ms_, end_ms);
}

ClientPause::Mode ClientPause::ModeAt(int64_t now_ms) const {
  return end_ms_ < now_ms ? Mode::kOff : mode_;
}

bool ClientPause::Holds(const CommandTable& table, const ClientState& c, const CommandSpec& spec,
                        int64_t now_ms) const {
  Mode mode = ModeAt(now_ms);
  if (mode == Mode::kOff || !c.pausable) return false;
  if (mode == Mode::kAll || MayReplicate(spec)) return true;
  if (spec.name != "exec") return false;
  return std::any_of(c.multi_queue.begin(), c.multi_queue.end(), [&](const auto& argv) {
    const CommandSpec* queued = QueuedSpec(table, argv);
    return queued != nullptr && MayReplicate(*queued);
  });
}

}  // namespace racetrack::engine
