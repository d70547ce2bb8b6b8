// Snapshot: the whole dataset in one file, racetrack's own format (not Redis's RDB).
//
// File layout (all integers are LEB128 varints unless noted):
//
//   "RTSNAP"            6-byte magic
//   version             varint, currently 1
//   record*             one of:
//     0xFC code         a function library (FUNCTION LOAD's code, shebang included); these come
//                       first, before any key
//     0xFE db           the following keys belong to database `db`
//     0xFD ms           fixed 8-byte little-endian Unix-ms deadline of the next key (its TTL)
//     type key payload  a key; type: 0 string, 1 list, 2 set, 3 zset, 4 hash, 5 stream
//                         string: value
//                         list:   n, n elements (head to tail)
//                         set:    n, n members
//                         zset:   n, n (member, score as text "%.17g" / "inf" / "-inf") pairs
//                         hash:   n, n (field, value) pairs
//                         stream: a length-prefixed StreamObject::Serialize blob
//     0xFF              end of data
//   crc32               fixed 4-byte little-endian CRC-32 of every byte before it
//
// Every string is a varint length followed by its bytes. Loading verifies the checksum before
// changing anything, so a damaged file is refused whole with a Corruption status naming the file
// and the offset of the first bad byte, and the keyspace stays empty.
//
// Writing goes to "temp-<pid>.rts" in the same directory, then fsync, then rename() over the real
// name: a crash (or kill -9) at any moment leaves either the old file or the new one, never a torn
// one.
//
// Collections are read and rebuilt through the command table (LRANGE/RPUSH, SMEMBERS/SADD,
// ZRANGE WITHSCORES/ZADD, HGETALL/HSET), so the format does not depend on how each type is encoded
// in memory and survives a change of representation.
//
// Thread-safety: none; runs on the engine's thread (or in a forked child).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/status.h"

namespace racetrack::engine {

class Engine;

inline constexpr std::string_view kSnapshotMagic = "RTSNAP";
inline constexpr uint64_t kSnapshotVersion = 1;

// The whole file's bytes for the engine's current dataset (expired keys left out).
std::string EncodeSnapshot(Engine& engine);
// Encodes and writes path atomically (temp file, fsync, rename).
Status WriteSnapshotFile(Engine& engine, const std::string& path);
// Writes bytes to path atomically.
Status WriteFileAtomically(const std::string& path, std::string_view bytes);

// Loads a snapshot at the start of `bytes` into an empty engine. *consumed is the length of the
// snapshot part (an append-only log may continue after it). name is used in error messages.
Status LoadSnapshotBytes(Engine& engine, std::string_view bytes, const std::string& name,
                         uint64_t* keys, size_t* consumed);
// Loads path; kNotFound if the file does not exist.
Status LoadSnapshotFile(Engine& engine, const std::string& path, uint64_t* keys);

// DUMP's payload for one key: its record in this format (type, key, payload) followed, as Redis
// frames a DUMP, by the 2-byte little-endian format version and the CRC-64 (little-endian) of
// everything before it. Only racetrack's RESTORE reads it (it is not Redis's RDB encoding).
// "" when the key does not exist. REQUIRES: db is a valid index.
std::string DumpKey(Engine& engine, int db, std::string_view key);
// RESTORE's checks and load: an InvalidArgument status holding Redis's error text ("ERR DUMP
// payload version or checksum are wrong", "ERR Bad data format") leaves the keyspace unchanged.
// With `apply`, `key` (which must not exist) then holds the value, without a TTL; without, the
// payload is only checked.
Status RestoreKey(Engine& engine, int db, std::string_view key, std::string_view payload,
                  bool apply);

// Reads a whole file; kNotFound if missing.
Status ReadWholeFile(const std::string& path, std::string* out);

}  // namespace racetrack::engine
