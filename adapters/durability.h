// Durability: how much a server syncs before it acknowledges a write, set alike on every target
// racetrack owns and read back from every target, owned or not (`racetrack run --durability`).
//
//   mode      PostgreSQL                                 Redis-likes (redis, builtin-tcp, builtin)
//   off       fsync=off, synchronous_commit=off,         appendonly no, save "" (nothing on disk)
//             full_page_writes=off
//   relaxed   fsync=on, synchronous_commit=off,          appendonly yes, appendfsync everysec
//             full_page_writes=on                        (at most ~1 s of acknowledged writes lost)
//   strict    fsync=on, synchronous_commit=on,           appendonly yes, appendfsync always
//             full_page_writes=on                        (no reply before its write is fsynced)
//
// "Owned" = a throwaway server racetrack started, or the in-process engine: ApplyDurability
// changes it live (PostgreSQL: ALTER SYSTEM + pg_reload_conf(), every one of the three settings
// is reloadable; Redis-likes: CONFIG SET, which opens or closes the append-only log at once). A
// server given by URL is never changed: its settings are only read back and recorded.
//
// Thread-safety: free functions; the Target's Connect() is thread-safe, nothing else is shared.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/target.h"
#include "engine/base/status.h"

namespace racetrack::adapters {

enum class Durability { kOff = 0, kRelaxed = 1, kStrict = 2 };

std::string_view DurabilityName(Durability mode);  // "off", "relaxed", "strict"
// One mode; InvalidArgument "--durability: 'x' is not a mode (valid: off, relaxed, strict)".
Result<Durability> ParseDurability(std::string_view text);
// A comma list ("off,strict"): at least one mode, no repeats, in the order given.
Result<std::vector<Durability>> ParseDurabilityList(std::string_view text);

// A server's effective durability settings, read back from it: PostgreSQL's SHOW fsync,
// synchronous_commit, full_page_writes; a Redis-like's CONFIG GET appendonly, appendfsync, save.
// The in-process and client targets answer like a Redis-like / with nothing.
using DurabilitySettings = std::map<std::string, std::string>;
Result<DurabilitySettings> ReadDurability(Target& target);

// The settings `mode` means on `kind` (the table above), as ReadDurability would report them;
// "save" is left out (a Redis-like's snapshot rules are not part of the mode).
DurabilitySettings ExpectedDurability(TargetKind kind, Durability mode);

// Sets `mode` on a target racetrack owns and waits until a fresh connection reads it back
// (PostgreSQL applies a reload asynchronously). `scratch_dir` is where the in-process engine
// keeps its append-only log (a temp directory the caller made and removes); unused elsewhere.
// Unavailable when the server refuses or does not take the setting within a few seconds.
Status ApplyDurability(Target& target, Durability mode, const std::string& scratch_dir);

}  // namespace racetrack::adapters
