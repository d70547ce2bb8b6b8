// libFuzzer target: command execution from random argv on an in-process engine. The input is
// read as lines; each line is split like redis-cli (SplitArgs; a line with unbalanced quotes is
// skipped: the resp_parser target covers quoting) and executed by one client. The engine runs on a
// manual clock that advances 1 ms per command, so expiry paths run too.
//
// One engine serves every input (building one per input cost most of the time: the command table
// and Lua state): each input starts with FLUSHALL on a new client, so no key, selection,
// subscription or transaction survives into the next input and a reproducer replays alone.
//
// Left out, because they leave the process or the machine rather than the engine: SHUTDOWN,
// DEBUG, SAVE, BGSAVE, BGREWRITEAOF, CONFIG SET (dir, appendonly, ... write files), and Lua
// (EVAL*, SCRIPT, FUNCTION: a script loop would only stop on the wall clock's lua-time-limit).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/clock.h"
#include "engine/client.h"
#include "engine/ds/util.h"
#include "engine/engine.h"
#include "engine/resp.h"

namespace {

bool LeftOut(std::string_view name) {
  using racetrack::engine::EqualsIgnoreCase;
  for (std::string_view n :
       {"shutdown", "debug", "save", "bgsave", "bgrewriteaof", "config", "eval", "evalsha",
        "eval_ro", "evalsha_ro", "script", "function", "fcall", "fcall_ro", "monitor", "sync",
        "psync", "replicaof", "slaveof"}) {
    if (EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace racetrack::engine;
  if (size > 16384) return 0;  // long inputs only slow the search down
  static ManualClock clock;
  static Engine& engine = *[] {
    EngineConfig config;
    config.proto_max_bulk_len = 1 << 20;  // SETRANGE/APPEND past 1 MB are errors, not 512 MB
    return new Engine(config, &clock);
  }();
  ClientState client;
  engine.AddClient(&client);
  {
    std::string_view flush[] = {"flushall"};
    engine.Execute(client, Args(flush));
    client.reply.Clear();
  }
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words;
  while (!input.empty()) {
    size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    words.clear();
    if (!SplitArgs(line, &words) || words.empty() || LeftOut(words[0])) continue;
    std::vector<std::string_view> views(words.begin(), words.end());
    engine.Execute(client, Args(views));
    client.reply.Clear();
    clock.AdvanceMs(1);
    engine.Cron();
  }
  engine.RemoveClient(&client);
  return 0;
}
