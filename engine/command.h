// The command table: one entry per command — name, arity, flags, key positions, complexity, a
// one-line summary and the handler. It is the single source of truth: dispatch, arity errors,
// COMMAND COUNT/INFO/DOCS, the conformance arity tests and the GUI's command reference all read it.
//
// Command families (string_family.cc, hash_family.cc, ...) register their commands through a
// CommandRegistrar, one line apiece: an Add (or Sub) call with every field in the same order; the
// flags are the kCmd* names below or'ed in place, so a flag set reads the same in every family. A
// command's complexity, summary and since come from Redis 7.0.15's docs (command_docs_data.cc,
// generated), so no family repeats them; only a command Redis 7.0.15 does not document brings its
// own. RegisterAllFamilies (families.cc) calls every family.
//
// A handler parses its arguments, calls plain keyspace operations and writes one reply. It runs
// with the engine's lock held (if any) and must not block.
//
// Thread-safety: the table is built once at Engine construction and read-only afterwards.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace racetrack::engine {

class Engine;
class Db;
class ReplyBuilder;
struct ClientState;
struct CommandSpec;

using Args = std::span<const std::string_view>;

// What a handler sees. argv[0] is the command name as the client sent it.
struct CommandContext {
  Engine& engine;
  ClientState& client;
  Db& db;
  ReplyBuilder& reply;
  const CommandSpec& spec;
  Args argv;
  int64_t now_ms;
};

using CommandHandler = void (*)(CommandContext& ctx);

// Flags, named after Redis 7's command flags (COMMAND INFO prints Redis's names). These are the only
// names for them: families or them in place rather than defining local shorthands.
//
// COMMAND INFO lists every flag Redis 7.0 sets on a command (the command-table test compares them
// with a real redis-server). Some only describe the command to clients here: skip_monitor,
// skip_slowlog (no MONITOR or SLOWLOG yet), no_mandatory_keys, no_async_loading (no replication).
// kCmdAllowBusy (Redis's `allow_busy`) is enforced: it lets a command through while a script runs
// past busy-reply-threshold; every other command gets BUSY then (scripting.h).
enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,        // may modify the keyspace
  kCmdReadOnly = 1 << 1,     // reads data only
  kCmdDenyOom = 1 << 2,      // may grow memory: refused when over maxmemory with noeviction
  kCmdAdmin = 1 << 3,        // administrative
  kCmdPubSub = 1 << 4,       // Pub/Sub related
  kCmdNoScript = 1 << 5,     // not allowed from Lua
  kCmdBlocking = 1 << 6,     // may block the client
  kCmdLoading = 1 << 7,      // allowed while loading
  kCmdStale = 1 << 8,
  kCmdFast = 1 << 9,         // O(1) or O(log N)
  kCmdNoAuth = 1 << 10,      // allowed before AUTH
  kCmdNoMulti = 1 << 11,     // not queued inside MULTI (MULTI, EXEC, DISCARD, WATCH, ...)
  kCmdMovableKeys = 1 << 12, // key positions depend on arguments (EVAL numkeys, ...)
  kCmdSkipMonitor = 1 << 13,     // not shown to MONITOR (EVAL: the script's commands are)
  kCmdSkipSlowlog = 1 << 14,     // not logged in SLOWLOG (EXEC: its commands are)
  kCmdNoMandatoryKeys = 1 << 15, // may take zero keys although its key spec names some
  kCmdNoAsyncLoading = 1 << 16,  // refused while a replica loads its data asynchronously
  kCmdAllowBusy = 1 << 17,       // runs while a script is busy (the others get BUSY)
};

// Flag sets many registrations share, named for what the commands are (the bits are Redis's, as
// its per-command JSON lists them):
// A server administration command (ACL SETUSER, CLIENT KILL, CONFIG SET, LATENCY RESET, MONITOR):
// admin, never from a script, served while loading and on a stale replica.
inline constexpr uint32_t kCmdServerAdmin = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
// A command that runs a script (EVAL, EVALSHA, FCALL and their _RO forms): never from a script,
// served on a stale replica, its keys named by numkeys (movable, possibly none), and not shown to
// MONITOR itself (the script's commands are).
inline constexpr uint32_t kCmdRunsScript =
    kCmdNoScript | kCmdStale | kCmdMovableKeys | kCmdNoMandatoryKeys | kCmdSkipMonitor;

// Which arguments are keys, Redis's legacy triple: argv[first], argv[first + step], ... up to
// argv[last] (negative counts from the end: -1 is the last argument). {} means no keys.
struct KeySpec {
  int first = 0;
  int last = 0;
  int step = 0;
};

struct CommandSpec {
  std::string name;  // lower case; a subcommand's is "parent|sub"
  int arity = 0;     // Redis convention: N = exactly N args (incl. name), -N = at least N
  uint32_t flags = 0;
  int first_key = 0;  // 0 = no keys
  int last_key = 0;   // negative counts from the end (-1 = last argument)
  int key_step = 0;
  std::string group;       // "string", "hash", "generic", "connection", "server", ...
  // As Redis 7.0.15's docs word them (CommandRegistrar fills them in), or the command's own
  // DocStrings if Redis 7.0.15 does not document it.
  std::string complexity;  // "O(1)", "O(N) where N is ..."; Redis leaves a few empty (SYNC, ...)
  std::string summary;     // one line
  std::string since;       // Redis version that introduced it
  CommandHandler handler = nullptr;
  // Set by CommandTable at registration (command_meta.h): Redis's ACL categories for this command,
  // and its dense index, 0 .. CommandTable::acl_id_count() - 1, unique across commands and
  // subcommands. ACL command bitmaps and the per-command statistics (INFO commandstats, LATENCY
  // HISTOGRAM) are indexed by it, so dispatch finds a command's counters without a name lookup.
  uint32_t acl_categories = 0;
  int acl_id = -1;

  std::map<std::string, std::unique_ptr<CommandSpec>> subcommands;  // by lower-case sub name

  // Key argument indices for argv under the legacy (first, last, step) rule.
  std::vector<int> KeyPositions(size_t argc) const;
  // f(index) for each of KeyPositions(argc), without building the vector (every write command
  // walks them: Engine::Call).
  template <typename F>
  void ForEachKeyPosition(size_t argc, F&& f) const {
    if (first_key <= 0 || key_step <= 0) return;
    const int n = static_cast<int>(argc);
    const int last = last_key < 0 ? n + last_key : last_key;
    for (int i = first_key; i <= last && i < n; i += key_step) f(i);
  }
  // Redis's flag names for COMMAND INFO ("write", "readonly", "fast", ...).
  std::vector<std::string_view> FlagNames() const;
};

// Families do not call Register/RegisterSub directly; they go through CommandRegistrar.
class CommandTable {
 public:
  // REQUIRES: no command of that name yet.
  CommandSpec& Register(CommandSpec spec);
  // Registers `sub` (its name without the "parent|" prefix) under an existing container command.
  CommandSpec& RegisterSub(std::string_view parent, CommandSpec sub);

  // Case-insensitive lookup of a top-level command; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  const std::unordered_map<std::string, std::unique_ptr<CommandSpec>>& all() const {
    return commands_;
  }
  size_t size() const { return commands_.size(); }
  // Number of acl_ids handed out (commands plus subcommands).
  int acl_id_count() const { return static_cast<int>(by_id_.size()); }
  // The command or subcommand whose acl_id is id. REQUIRES: 0 <= id < acl_id_count().
  const CommandSpec& ById(int id) const { return *by_id_[static_cast<size_t>(id)]; }
  // The acl_ids for which keep(spec) holds, ordered by full name ("config|get" after "config"):
  // the order INFO and LATENCY HISTOGRAM list per-command statistics in.
  template <typename F>
  std::vector<int> IdsByName(F&& keep) const {
    std::vector<int> ids;
    for (const CommandSpec* spec : by_id_) {
      if (keep(*spec)) ids.push_back(spec->acl_id);
    }
    std::sort(ids.begin(), ids.end(), [this](int a, int b) { return ById(a).name < ById(b).name; });
    return ids;
  }

 private:
  std::unordered_map<std::string, std::unique_ptr<CommandSpec>> commands_;
  std::vector<const CommandSpec*> by_id_;  // index: acl_id; the specs are owned above
};

// What COMMAND DOCS says of a command Redis 7.0.15 does not document (the engine's own, or one from
// a newer Redis), worded as Redis's docs would.
struct DocStrings {
  std::string_view complexity;  // "O(1)", "O(N) where N is ..."
  std::string_view summary;     // one line
  std::string_view since;       // the Redis version that introduced it
};

// The one way a family registers its commands, one line apiece:
//
//   CommandRegistrar reg(table, "hash");
//   reg.Add("hget", 3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdHGet);
//
// Fields, always in this order: name (lower case), arity (Redis convention), flags, keys, the
// handler (nullptr for a container whose subcommands are registered with Sub). The complexity,
// summary and since are Redis 7.0.15's for that command (FindCommandDoc). A command Redis 7.0.15
// does not document passes its own DocStrings before the handler:
//
//   reg.Add("thing", -2, kCmdWrite, {1, -1, 1}, {"O(N)", "Does a thing.", "7.2.0"}, CmdThing);
//
// Every command thus has its docs from exactly one place; server_family_test checks that each has
// a summary.
class CommandRegistrar {
 public:
  // Commands registered through this registrar belong to `group` (COMMAND DOCS's group).
  CommandRegistrar(CommandTable& table, std::string_view group) : table_(table), group_(group) {}

  // REQUIRES: no command of that name yet.
  CommandSpec& Add(std::string_view name, int arity, uint32_t flags, KeySpec keys,
                   CommandHandler handler);
  // REQUIRES: Redis 7.0.15 does not document `name` (its words would be a second copy).
  CommandSpec& Add(std::string_view name, int arity, uint32_t flags, KeySpec keys,
                   const DocStrings& docs, CommandHandler handler);
  // A subcommand ("config|get" is Sub("config", "get", ...)). REQUIRES: `parent` already added.
  CommandSpec& Sub(std::string_view parent, std::string_view name, int arity, uint32_t flags,
                   KeySpec keys, CommandHandler handler);
  // REQUIRES: Redis 7.0.15 does not document "parent|name".
  CommandSpec& Sub(std::string_view parent, std::string_view name, int arity, uint32_t flags,
                   KeySpec keys, const DocStrings& docs, CommandHandler handler);

 private:
  CommandSpec Spec(std::string_view name, int arity, uint32_t flags, KeySpec keys,
                   const DocStrings& docs, CommandHandler handler) const;

  CommandTable& table_;
  std::string group_;
};

// Every command family registers itself here (families.cc).
void RegisterAllFamilies(CommandTable& table);

}  // namespace racetrack::engine
