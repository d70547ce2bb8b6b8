#include "engine/notify.h"

#include "engine/engine.h"
#include "engine/pubsub.h"

namespace racetrack::engine {
namespace {

struct ClassChar {
  char c;
  int flag;
};
// Redis's order for printing; parsing accepts any order.
constexpr ClassChar kClasses[] = {
    {'g', kNotifyGeneric}, {'$', kNotifyString}, {'l', kNotifyList},    {'s', kNotifySet},
    {'h', kNotifyHash},    {'z', kNotifyZset},   {'x', kNotifyExpired}, {'e', kNotifyEvicted},
    {'t', kNotifyStream},  {'d', kNotifyModule}, {'n', kNotifyNew},
};

}  // namespace

int ParseNotifyFlags(std::string_view classes) {
  int flags = 0;
  for (char c : classes) {
    switch (c) {
      case 'A': flags |= kNotifyAll; continue;
      case 'K': flags |= kNotifyKeyspace; continue;
      case 'E': flags |= kNotifyKeyevent; continue;
      case 'm': flags |= kNotifyKeyMiss; continue;
      default: break;
    }
    int found = 0;
    for (const ClassChar& k : kClasses) {
      if (k.c == c) found = k.flag;
    }
    if (found == 0) return -1;
    flags |= found;
  }
  return flags;
}

std::string FormatNotifyFlags(int flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
  } else {
    for (const ClassChar& k : kClasses) {
      if (flags & k.flag) out += k.c;
    }
  }
  if (flags & kNotifyKeyspace) out += 'K';
  if (flags & kNotifyKeyevent) out += 'E';
  if (flags & kNotifyKeyMiss) out += 'm';
  return out;
}

void NotifyKeyspaceEvent(Engine& engine, int type, std::string_view event, std::string_view key,
                         int db) {
  const int flags = engine.config().notify_keyspace_events;
  if ((flags & type) == 0) return;
  const std::string dbid = std::to_string(db);
  if (flags & kNotifyKeyspace) {
    std::string channel = "__keyspace@" + dbid + "__:";
    channel += key;
    engine.pubsub().Publish(channel, event);
  }
  if (flags & kNotifyKeyevent) {
    std::string channel = "__keyevent@" + dbid + "__:";
    channel += event;
    engine.pubsub().Publish(channel, key);
  }
}

}  // namespace racetrack::engine
