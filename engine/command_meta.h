// What Redis 7.0 knows about each command beyond the engine's own table: its ACL categories and its
// key specs (which arguments are keys, and how each key is used). ACL permission checks, COMMAND
// INFO's categories and COMMAND GETKEYS / GETKEYSANDFLAGS read these, so a user allowed `%R~cache:*`
// may read but not write the same keys on both servers.
//
// The table (command_meta_data.cc) is generated from Redis 7.0.15's src/commands.c by
// scripts/gen-command-meta; a command the table lacks gets the categories its flags imply and its
// legacy (first, last, step) key positions.
//
// Thread-safety: the table is built on first use (a function-local static) and read-only after.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/command.h"

namespace racetrack::engine {

// Redis's ACL categories (ACL_CATEGORY_*), in its order: COMMAND INFO, ACL CAT and ACL's rule
// descriptions list them in this order.
enum AclCategory : uint32_t {
  kAclKeyspace = 1u << 0,
  kAclRead = 1u << 1,
  kAclWrite = 1u << 2,
  kAclSet = 1u << 3,
  kAclSortedset = 1u << 4,
  kAclList = 1u << 5,
  kAclHash = 1u << 6,
  kAclString = 1u << 7,
  kAclBitmap = 1u << 8,
  kAclHyperloglog = 1u << 9,
  kAclGeo = 1u << 10,
  kAclStream = 1u << 11,
  kAclPubsub = 1u << 12,
  kAclAdmin = 1u << 13,
  kAclFast = 1u << 14,
  kAclSlow = 1u << 15,
  kAclBlocking = 1u << 16,
  kAclDangerous = 1u << 17,
  kAclConnection = 1u << 18,
  kAclTransaction = 1u << 19,
  kAclScripting = 1u << 20,
};

struct AclCategoryName {
  std::string_view name;  // without the '@'
  uint32_t bit;
};
// All 21 categories in Redis's order.
std::span<const AclCategoryName> AclCategoryNames();
// Case-insensitive; 0 if unknown.
uint32_t AclCategoryByName(std::string_view name);

// Redis's key-spec flags (CMD_KEY_*).
enum KeySpecFlag : uint32_t {
  kKeyRo = 1u << 0,
  kKeyRw = 1u << 1,
  kKeyOw = 1u << 2,
  kKeyRm = 1u << 3,
  kKeyAccess = 1u << 4,
  kKeyUpdate = 1u << 5,
  kKeyInsert = 1u << 6,
  kKeyDelete = 1u << 7,
  kKeyNotKey = 1u << 8,
  kKeyIncomplete = 1u << 9,
  kKeyVariableFlags = 1u << 10,
};
// Redis's names for the flags set in `flags`, in its order ("RW", "access", "update", ...), as
// COMMAND GETKEYSANDFLAGS prints them.
std::vector<std::string_view> KeyFlagNames(uint32_t flags);

// Where a key spec's keys begin: at a fixed index, or after a keyword searched from `startfrom`
// (negative: from the end, backwards).
struct KeyBegin {
  enum Type { kIndex, kKeyword, kUnknown } type = kUnknown;
  int index = 0;
  std::string_view keyword;
  int startfrom = 0;
  static constexpr KeyBegin Index(int i) { return {kIndex, i, {}, 0}; }
  static constexpr KeyBegin Keyword(std::string_view kw, int from) { return {kKeyword, 0, kw, from}; }
  static constexpr KeyBegin Unknown() { return {}; }
};

// How many keys follow: a range (lastkey relative to the first key, negative from the end; step;
// limit divides what is left), or a count argument (keynum index, first key, step).
struct KeyFind {
  enum Type { kRange, kKeynum, kUnknown } type = kUnknown;
  int a = 0, b = 0, c = 0;
  static constexpr KeyFind Range(int lastkey, int step, int limit) {
    return {kRange, lastkey, step, limit};
  }
  static constexpr KeyFind Keynum(int keynumidx, int firstkey, int step) {
    return {kKeynum, keynumidx, firstkey, step};
  }
  static constexpr KeyFind Unknown() { return {}; }
};

struct RedisKeySpec {
  uint32_t flags = 0;
  KeyBegin begin;
  KeyFind find;
  std::string_view notes;  // Redis's explanation of an unusual spec; usually empty
};

struct CommandMeta {
  std::string_view name;  // full name: "get", "config|set"
  uint32_t categories = 0;  // the explicit ones; the flags add the rest (CommandAclCategories)
  bool no_mandatory_keys = false;
  std::vector<RedisKeySpec> key_specs;
  std::vector<std::string_view> tips;  // COMMAND INFO's tips ("nondeterministic_output", ...)
};

// COMMAND DOCS's facts about a command, as Redis 7.0.15's commands.c holds them (generated into
// command_docs_data.cc by `scripts/gen-command-meta --docs`).
struct DocArg {
  enum Flag : uint32_t { kOptional = 1, kMultiple = 2, kMultipleToken = 4 };
  std::string_view name;
  std::string_view type;  // "string", "key", "oneof", ... (Redis's ARG_TYPE_STR)
  int key_spec_index = -1;
  std::string_view token, summary, since;
  uint32_t flags = 0;
  std::string_view deprecated_since;
  std::span<const DocArg> subargs;  // for "oneof" and "block"
};
struct DocHistory {
  std::string_view version, change;
};
struct CommandDoc {
  enum Flag : uint32_t { kDeprecated = 1, kSyscmd = 2 };
  std::string_view name;  // full name
  std::string_view summary, complexity, since;
  uint32_t doc_flags = 0;
  std::string_view replaced_by, deprecated_since, group;
  std::span<const DocHistory> history;
  std::span<const DocArg> args;
};
std::span<const CommandDoc> RedisCommandDocs();
// nullptr if Redis 7.0.15 has no such command.
const CommandDoc* FindCommandDoc(std::string_view full_name);

// A command by Redis's full name, "get" or "config|get" (case-insensitive; Redis's
// lookupCommandBySds: one level of subcommands, strict); nullptr if unknown.
const CommandSpec* LookupCommandByFullName(const CommandTable& table, std::string_view full);

// The command argv names, resolved to the subcommand for a container (Redis's lookupCommand:
// "config get x" → config|get); nullptr if unknown. No arity check.
const CommandSpec* LookupCommand(const CommandTable& table, Args argv);

// The generated table (command_meta_data.cc).
const std::vector<CommandMeta>& RedisCommandMetas();
// nullptr if Redis 7.0.15 has no such command.
const CommandMeta* FindCommandMeta(std::string_view full_name);

// The command's full category set, as Redis's setImplicitACLCategories completes the explicit one:
// write → @write, readonly → @read (not for scripting), admin → @admin @dangerous, pubsub →
// @pubsub, fast → @fast, blocking → @blocking, and not @fast → @slow.
uint32_t CommandAclCategories(const CommandSpec& spec);

struct KeyRef {
  int pos;         // index in argv
  uint32_t flags;  // KeySpecFlag
};
// Whether the command has key arguments at all (Redis's doesCommandHaveKeys).
bool CommandHasKeys(const CommandSpec& spec);
// The keys argv names, with how each is used, as Redis's getKeysFromCommandWithSpecs. Returns
// false when the arguments do not resolve (a keynum that is not a number, a range past the end).
bool CommandKeys(const CommandSpec& spec, Args argv, std::vector<KeyRef>* out);

// Channel arguments (PUBLISH, [P|S]SUBSCRIBE, [P|S]UNSUBSCRIBE), as Redis's
// commands_with_channels: the first position, how many (-1: all remaining), and whether it is a
// publish, a subscribe, or an unsubscribe and whether the arguments are patterns.
enum ChannelFlag : uint32_t {
  kChannelPattern = 1u << 0,
  kChannelPublish = 1u << 1,
  kChannelSubscribe = 1u << 2,
  kChannelUnsubscribe = 1u << 3,
};
// Positions of channel arguments with their ChannelFlag; empty for commands without channels.
std::vector<KeyRef> CommandChannels(const CommandSpec& spec, Args argv);

}  // namespace racetrack::engine
