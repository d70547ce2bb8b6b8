// The server-config table: every setting of EngineConfig that a user can name, in one table —
// its redis.conf name and Redis aliases, its type and valid range, its default, and the function
// that parses, validates and applies a value. The three ways to set one read only this table, so
// they cannot disagree:
//
//   racetrack-server redis.conf       LoadConfigFile   -> ApplyConfigSetting
//   racetrack-server --hz 50          (server_main)    -> ApplyConfigSetting
//   CONFIG SET hz 50 / CONFIG GET hz  (server_family)  -> FindConfigOption -> set / get
//
// Error texts are Redis 7.0's for CONFIG SET ("argument couldn't be parsed into an integer",
// "argument must be between 1 and 4294967295 inclusive", "argument must be a memory value"), the
// same text on every path; only the frame differs (a file names path:line, a flag its --name,
// CONFIG SET wraps it in "ERR CONFIG SET failed (possibly related to argument 'hz') - ...").
//
// Deliberate differences from Redis 7.0.15, all stricter: a memory size that does not fit in a
// signed 64-bit integer is rejected (Redis wraps it silently: `maxmemory 17179869184gb` becomes 0),
// and so are an empty size and a bare unit ("kb"), which Redis reads as 0. `databases` stops at
// 1,000,000 (each database is allocated at start). `port`, `bind` and `appendfilename` are
// immutable at runtime (the server binds once).
//
// Thread-safety: the table is immutable after first use; applying a value mutates the
// EngineConfig given, which the caller owns.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/base/status.h"

namespace racetrack::engine {

struct ConfigOption {
  enum class Type { kInt, kMemory, kBool, kEnum, kString, kList };

  std::string_view name;                  // as redis.conf spells it: "maxmemory-policy"
  std::vector<std::string_view> aliases;  // older Redis names for the same setting
  Type type;
  int64_t min = 0;  // kInt, kMemory: inclusive range of what is accepted
  int64_t max = 0;
  std::vector<std::string_view> choices;  // kEnum: in Redis's order (its error lists them so)
  bool runtime = true;      // CONFIG SET may change it; else "can't set immutable config"
  bool multi_word = false;  // in a file or flag the value may be several words (save ...)
  std::string_view help;    // one line for `racetrack-server --help`
  // The current value as CONFIG GET shows it.
  std::function<std::string(const EngineConfig&)> get;
  // Parses and validates `value`; when `apply`, stores it. Returns "" or Redis's error text.
  // Called with apply=false first, so a bad value (or a bad pair in one CONFIG SET) changes
  // nothing.
  std::function<std::string(EngineConfig&, std::string_view value, bool apply)> set;

  // The value of a default-constructed EngineConfig, as CONFIG GET would show it.
  std::string DefaultValue() const { return get(EngineConfig{}); }
};

// Every option, in the order `racetrack-server --help` lists them.
const std::vector<ConfigOption>& ConfigOptions();

// The option called `name` or one of its aliases (case-insensitive), or nullptr.
const ConfigOption* FindConfigOption(std::string_view name);

// Parses a redis.conf memory size into bytes: "42", "100k", "512mb", "1GB" (k=1000, kb=1024,
// m=1000^2, mb=1024^2, g=1000^3, gb=1024^3, b=1; case-insensitive). False for anything else,
// including a negative number and a size that overflows int64.
bool ParseMemory(std::string_view s, int64_t* out);

// Applies one setting as a config-file line or a command-line flag gives it: `values` are the
// words after the name (several words are joined with spaces for multi-word settings such as
// `save 3600 1 300 100`). Errors are InvalidArgument: "'hz abc': argument couldn't be parsed into
// an integer"; an unknown name is "Bad directive or wrong number of arguments: 'foo'".
Status ApplyConfigSetting(EngineConfig* config, std::string_view name,
                          const std::vector<std::string>& values);

// Reads a redis.conf-style file: one setting per line, '#' comments, values in redis-cli quoting.
// Errors name the file and line ("a.conf:3: 'hz abc': argument couldn't ..."); on error the
// settings before the bad line have been applied, the rest not.
Status LoadConfigFile(const std::string& path, EngineConfig* config);

}  // namespace racetrack::engine
