// FunctionEngine: Redis 7.0 functions — libraries of Lua functions loaded with FUNCTION LOAD and
// called with FCALL / FCALL_RO, kept with the dataset (snapshot, append-only log) rather than in a
// per-connection script cache.
//
// A library is Lua source that starts with "#!lua name=<lib>". FUNCTION LOAD runs its top-level
// code once, in its own interpreter (not EVAL's), where the only global is `redis` with
// register_function, log and the version fields (Redis's LIBRARY_API): reading anything else raises
// "Script attempted to access nonexistent global variable". register_function(name, callback) or
// register_function{function_name=, callback=, flags={...}, description=} records a function;
// flags are no-writes, allow-oom, allow-stale, no-cluster, allow-cross-slot-keys. The top-level code
// has 500 ms ("FUNCTION LOAD timeout"). A load that fails, registers nothing or collides with
// another library's function changes nothing.
//
// FCALL name numkeys keys... args... calls the function with (KEYS, ARGV) as arguments, under the
// same sandbox, conversions and busy/kill rules as EVAL (scripting.h); a function without
// no-writes cannot be called by FCALL_RO ("Can not execute a script with write flag using *_ro
// command."), and one with no-writes cannot write. FUNCTION KILL stops a function that has not
// written yet.
//
// FUNCTION DUMP's payload is Redis's: per library the RDB opcode 245 (FUNCTION2) and the code as an
// RDB string, then the RDB version (10) and a CRC-64 (Jones), so real Redis restores our dumps and
// we restore Redis's (whose strings are LZF-compressed when longer than 20 bytes: we decompress;
// we write them uncompressed, so our DUMP bytes differ from Redis's — a known gap).
//
// Libraries are kept sorted by name (FUNCTION LIST's order; Redis's is its hash table's order).
//
// Thread-safety: none; owned by one Engine, used on its thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/client.h"
#include "engine/command.h"

struct lua_State;

namespace racetrack::engine {

class Engine;
namespace lua {
class Vm;
}

class FunctionEngine {
 public:
  explicit FunctionEngine(Engine* engine);
  ~FunctionEngine();
  FunctionEngine(const FunctionEngine&) = delete;
  FunctionEngine& operator=(const FunctionEngine&) = delete;

  // FUNCTION LOAD [REPLACE] code: the library's name, or the error text ("ERR ...").
  Result<std::string> Load(std::string_view code, bool replace);
  // FUNCTION DELETE: false if there is no such library.
  bool Delete(std::string_view library);
  // FUNCTION FLUSH.
  void Flush();
  // FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] (pattern empty: all).
  void List(ReplyBuilder& reply, const std::string* pattern, bool with_code) const;
  // FUNCTION STATS (running_script + engines).
  void Stats(ReplyBuilder& reply) const;
  // FUNCTION DUMP's payload.
  std::string Dump() const;
  // FUNCTION RESTORE payload policy ("APPEND", "REPLACE", "FLUSH" — already validated). Returns the
  // error text or "".
  std::string Restore(std::string_view payload, std::string_view policy);
  // FCALL / FCALL_RO. argv is the whole command (FUNCTION STATS shows it).
  void Call(ClientState& caller, Args argv, std::string_view name, Args keys, Args args,
            bool read_only, ReplyBuilder& reply);

  bool Has(std::string_view function) const { return functions_.find(function) != functions_.end(); }
  // A function's flags (lua::kScriptNoWrites, ...); false when there is no such function.
  bool FlagsOf(std::string_view function, uint32_t* flags) const;
  size_t library_count() const { return libraries_.size(); }
  size_t function_count() const { return functions_.size(); }
  // Every library's code, in name order (snapshot, append-only log rewrite).
  std::vector<std::string> LibraryCodes() const;

 private:
  struct Function {
    std::string name;
    std::string description;
    bool has_description = false;
    uint32_t flags = 0;
    int ref = 0;  // the callback, in the Lua registry
  };
  struct Library {
    std::string name;
    std::string code;
    std::map<std::string, Function> functions;
  };
  using Libraries = std::map<std::string, std::unique_ptr<Library>, std::less<>>;

  // Compiles and runs one library's code, producing the library (not linked). "" or error text.
  // Without `replace`, a library of that name already linked is an error (checked before compiling,
  // as Redis does).
  std::string Create(std::string_view code, bool replace, std::unique_ptr<Library>* out);
  void Free(Library* lib);
  void Link(std::unique_ptr<Library> lib);
  std::unique_ptr<Library> Unlink(std::string_view name);

  friend int RegisterFunctionCallback(lua_State* L);

  Engine* engine_;
  std::unique_ptr<lua::Vm> vm_;
  Libraries libraries_;
  // Function names are case-insensitive across libraries (FCALL TEST runs `test`), as Redis's
  // functionDictType; a library's own table and library names are case-sensitive.
  struct CaseLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
  };
  std::map<std::string, Function*, CaseLess> functions_;  // every library's, by name
};

// Redis's CRC-64 (Jones polynomial, reflected, as crc64.c): DUMP payload checksums.
uint64_t Crc64(uint64_t crc, std::string_view data);

}  // namespace racetrack::engine
