// Keyspace notifications (Redis's notify.c): when a command changes a key, the engine may publish
// what happened on two Pub/Sub channels, so a client can SUBSCRIBE to changes instead of polling:
//
//   __keyspace@<db>__:<key>    message: the event name ("set", "lpush", "expired", ...)
//   __keyevent@<db>__:<event>  message: the key name
//
// `notify-keyspace-events` (CONFIG SET, redis.conf) chooses which classes of events are sent and on
// which of the two channels: K keyspace, E keyevent, and the classes g generic (DEL, EXPIRE,
// RENAME, ...), $ string, l list, s set, h hash, z sorted set, t stream, x expired, e evicted,
// n new key, m key miss, d module (accepted; there are no modules), A = g$lshzxetd. It is empty by
// default: nothing is published. Messages go out at once, as any PUBLISH (pubsub.h): fire and
// forget, also from inside MULTI/EXEC and scripts.
//
// Where events come from, as in Redis 7.0.15: each family calls NotifyKeyspaceEvent at the place
// Redis's t_*.c calls notifyKeyspaceEvent (one line each, with Redis's event name); the engine
// itself sends "new" when a key is created (Db's new-key listener, as Redis's dbAdd), "expired"
// when expiry deletes a key (lazily or actively) and evict.cc sends "evicted". Not sent:
// "keymiss" (class m is accepted and shown, but no lookup reports misses yet) and module events.
//
// Thread-safety: none; runs on the engine's thread.
#pragma once

#include <string>
#include <string_view>

namespace racetrack::engine {

class Engine;

// The classes, with Redis's bit values (server.h NOTIFY_*).
enum NotifyClass : int {
  kNotifyKeyspace = 1 << 0,  // K
  kNotifyKeyevent = 1 << 1,  // E
  kNotifyGeneric = 1 << 2,   // g
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t
  kNotifyKeyMiss = 1 << 11,  // m (not part of A, as in Redis)
  kNotifyModule = 1 << 13,   // d
  kNotifyNew = 1 << 14,      // n (not part of A, as in Redis)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// Parses a notify-keyspace-events value ("KEA", "Kl$"): the OR of the classes, or -1 if a
// character is not a class (Redis's keyspaceEventsStringToFlags).
int ParseNotifyFlags(std::string_view classes);
// The value as CONFIG GET shows it (Redis's keyspaceEventsFlagsToString): "A" when every class of
// kNotifyAll is on — then n is not shown either, as Redis 7.0.15 omits it — otherwise the classes
// in the order g$lshzxetdn; then K, E, m.
std::string FormatNotifyFlags(int flags);

// Publishes `event` about `key` of database `db` if the configured flags select its class `type`
// (one of the classes above). Cheap when notifications are off: one test of an integer.
void NotifyKeyspaceEvent(Engine& engine, int type, std::string_view event, std::string_view key,
                         int db);

}  // namespace racetrack::engine
