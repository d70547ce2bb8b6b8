// Redis Cluster's key -> slot function and where the keys of a command are.
//
// A cluster splits the key space into 16384 hash slots; each master serves some of them. A key's
// slot is CRC16(key) mod 16384, where CRC16 is the XMODEM variant (polynomial 0x1021, initial
// value 0, no reflection) — Redis's cluster specification, "Keys distribution model". A key
// holding a hash tag, a non-empty part between the first '{' and the first '}' after it, hashes
// only that part: "{user:7}:cart" and "{user:7}:seen" share a slot, so one MULTI, WATCH or
// Lua script may touch both. "{}x" has an empty tag and hashes whole.
//
// Which arguments of a command are keys comes from the server's own COMMAND table (first key,
// last key, step), plus the commands whose keys move with a count argument (EVAL's numkeys,
// ZUNIONSTORE's numkeys, XREAD's STREAMS ...), parsed here. KeyIndexes answers nullopt for a
// command it cannot place (a movable-keys command not parsed here): the caller asks the server
// (COMMAND GETKEYS).
//
// Thread-safety: the functions are pure; a CommandKeyTable is read-only after Load and may be
// shared between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/client.h"
#include "engine/base/status.h"

namespace racetrack::adapters {

inline constexpr int kClusterSlots = 16384;

// CRC16/XMODEM of `data` (the checksum Redis Cluster hashes keys with). Crc16("123456789") is
// 0x31C3, the check value of the spec.
uint16_t Crc16(std::string_view data);

// The part of `key` that is hashed: the hash tag when there is a non-empty one, else the key.
std::string_view HashTagOf(std::string_view key);

// The key's slot, 0..16383.
int KeySlot(std::string_view key);

// Where a command's keys are, for every command the server knows. Names are lower-case.
class CommandKeyTable {
 public:
  // Fills the table from a COMMAND reply (each entry: name, arity, flags, first, last, step...).
  // A reply of another shape is Status::Corruption.
  Status Load(const Reply& command_reply);
  // Built-in fallback for the commands racetrack's lessons send, for servers whose COMMAND
  // reply is not available (tests, and a table the server refused).
  static CommandKeyTable Defaults();

  // The argv indexes holding keys; an empty vector for a keyless command (PING, INFO, CONFIG);
  // nullopt when the command's keys cannot be found without asking the server.
  std::optional<std::vector<size_t>> KeyIndexes(const Argv& argv) const;
  // Whether the command may change data (the server's "write" flag; scripts and unknown
  // commands count as writes): a write whose connection broke before the reply may or may not
  // have run, so it is not resent.
  bool MayWrite(const Argv& argv) const;

 private:
  struct Spec {
    int first = 0, last = 0, step = 0;
    bool movable = false;
    bool write = false;
  };
  const Spec* Find(const Argv& argv) const;
  std::map<std::string, Spec> specs_;
};

}  // namespace racetrack::adapters
