// The command table: one entry per command — name, arity, flags, key positions, complexity, a
// one-line summary and the handler. It is the single source of truth: dispatch, arity errors,
// COMMAND COUNT/INFO/DOCS, the conformance arity tests and the GUI's command reference all read it.
//
// Command families (string_family.cc, hash_family.cc, ...) register their commands with one
// Register call apiece; RegisterAllFamilies (families.cc) calls every family.
//
// A handler parses its arguments, calls plain keyspace operations and writes one reply. It runs
// with the engine's lock held (if any) and must not block.
//
// Thread-safety: the table is built once at Engine construction and read-only afterwards.
#pragma once

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

// Flags, named after Redis 7's command flags.
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
  kCmdAllowBusy = 1 << 13,   // allowed while a script is running past its time limit
};

struct CommandSpec {
  std::string name;  // lower case; a subcommand's is "parent|sub"
  int arity = 0;     // Redis convention: N = exactly N args (incl. name), -N = at least N
  uint32_t flags = 0;
  int first_key = 0;  // 0 = no keys
  int last_key = 0;   // negative counts from the end (-1 = last argument)
  int key_step = 0;
  std::string group;       // "string", "hash", "generic", "connection", "server", ...
  std::string complexity;  // "O(1)", "O(N) where N is ..."
  std::string summary;     // one line, as Redis's docs
  std::string since;       // Redis version that introduced it
  CommandHandler handler = nullptr;

  std::map<std::string, std::unique_ptr<CommandSpec>> subcommands;  // by lower-case sub name

  // Key argument indices for argv under the legacy (first, last, step) rule.
  std::vector<int> KeyPositions(size_t argc) const;
  // Redis's flag names for COMMAND INFO ("write", "readonly", "fast", ...).
  std::vector<std::string_view> FlagNames() const;
};

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

 private:
  std::unordered_map<std::string, std::unique_ptr<CommandSpec>> commands_;
};

// Every command family registers itself here (families.cc).
void RegisterAllFamilies(CommandTable& table);

}  // namespace racetrack::engine
