// Client: the one interface scenarios use to talk to a target, whatever the technology behind it.
//
// Scenarios speak a small vocabulary and never RESP or SQL wire formats directly:
//  - Redis-like targets (builtin, builtin-tcp, redis): Get/Set/Del/Incr/HIncrBy/Eval, a generic
//    Command for everything else, Pipeline (send a batch, then read every reply: one round trip),
//    and the optimistic transaction Watch + Exec (MULTI ... EXEC).
//  - SQL targets (postgres): Query runs a typed SqlStatement as a prepared, parameterized statement
//    (values travel as parameters, never inside the SQL text), Begin/Commit/Rollback, and
//    QueryBatch (libpq pipeline mode: one round trip for the batch).
// A target declares what it can do with capability bits; an approach declares what it needs; the
// harness runs an approach only where every bit is present (and says why it skipped otherwise).
// Calling an operation the target lacks returns Status::InvalidArgument naming the target.
//
// Errors: a reply that is a server error (WRONGTYPE, a failed SQL statement) is a Status with the
// server's text and code kInvalidArgument / kWrongType; a dead connection, timeout or refused
// connection is kUnavailable or kIoError, after which the client is broken (every later call fails
// fast with the same message — a run whose server dies ends with that error, it does not hang).
//
// Thread-safety: a Client is one connection, used by one thread at a time. Open one per client
// thread with Target::Connect().
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace racetrack::adapters {

// What a target can do. Bits, so an approach can require several.
enum Capability : uint32_t {
  kCapStrings = 1u << 0,     // GET / SET / DEL
  kCapIncr = 1u << 1,        // INCR / INCRBY
  kCapHashes = 1u << 2,      // HINCRBY / HGET / HSET
  kCapWatchMulti = 1u << 3,  // WATCH / MULTI / EXEC
  kCapScripting = 1u << 4,   // EVAL (Lua)
  kCapPipeline = 1u << 5,    // Pipeline() of commands in one round trip
  kCapSql = 1u << 6,         // Query / Begin / Commit / Rollback
  kCapSqlPipeline = 1u << 7, // QueryBatch() in one round trip (libpq pipeline mode)
  kCapSortedSets = 1u << 8,  // ZADD / ZREVRANGE / ZRANK ...
  kCapHyperLogLog = 1u << 9, // PFADD / PFCOUNT / PFMERGE
  kCapBitmaps = 1u << 10,    // SETBIT / BITCOUNT
  kCapPubSub = 1u << 11,     // Subscribe() + Receive() over SUBSCRIBE; PUBLISH
  kCapStreams = 1u << 12,    // XADD / XREADGROUP / XACK / XAUTOCLAIM
  kCapLists = 1u << 13,      // LPUSH / BRPOP / LMOVE (blocking list commands)
  kCapSqlListen = 1u << 14,  // Subscribe() + Receive() over LISTEN; pg_notify
  // The target is a server process racetrack can start itself on its own data directory, kill
  // with SIGKILL and restart (builtin-tcp, redis, postgres; not the in-process engine).
  kCapOwnProcess = 1u << 15,
  // Work done in the client alone, with no server (sessions' `jwt`: verify a signed token
  // locally). Only the `client` target has it, and an approach that needs it runs nowhere else;
  // approaches that do not need it never run on `client` (MissingCapabilityReason).
  kCapClientSide = 1u << 16,
};

// Human names of the bits set in `caps`, e.g. "INCR, EVAL" (used in skip reasons).
std::string CapabilityNames(uint32_t caps);

// A RESP reply, as a value. Also what Pipeline/Exec return for each queued command.
struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;  // bulk/status/error text
  std::vector<Reply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // Short text for messages and tests: 42, "abc", OK, (error) ERR ..., (nil), [a, b].
  std::string ToString() const;
};

// Parses one RESP2 reply from the front of `in`. Returns the bytes consumed, 0 when `in` ends inside
// the reply; a malformed reply is Status::Corruption.
Result<size_t> ParseReply(std::string_view in, Reply* out);

using Argv = std::vector<std::string>;

// A message pushed by the server: a Pub/Sub "message" or a PostgreSQL NOTIFY.
struct PushMessage {
  std::string channel;
  std::string payload;
};

// A SQL statement with $1..$n placeholders. `name` identifies it per connection: the adapter
// prepares it once on first use and reuses it. An empty name runs it unprepared (still with
// parameters, through the extended protocol) — for DDL and one-offs.
struct SqlStatement {
  std::string name;
  std::string sql;
};

struct SqlRows {
  std::vector<std::vector<std::optional<std::string>>> rows;  // text format; nullopt = NULL
  int64_t affected = 0;                                        // rows changed (UPDATE/INSERT/...)
  // The first column of the first row, if any and not NULL.
  std::optional<std::string> Scalar() const;
};

struct SqlCall {
  const SqlStatement* statement;
  std::vector<std::string> params;
};

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

class Client {
 public:
  virtual ~Client() = default;

  // The target's name ("builtin", "redis", ...) and capability bits (see Capability).
  virtual std::string_view target_name() const = 0;
  virtual uint32_t capabilities() const = 0;

  // ---- Redis-like vocabulary. One round trip each. ----
  // GET: the value, or nullopt when the key does not exist.
  virtual Result<std::optional<std::string>> Get(std::string_view key);
  virtual Status Set(std::string_view key, std::string_view value);
  // DEL: number of keys removed.
  virtual Result<int64_t> Del(std::string_view key);
  // INCRBY (INCR when by == 1): the new value.
  virtual Result<int64_t> Incr(std::string_view key, int64_t by = 1);
  // HINCRBY: the new value.
  virtual Result<int64_t> HIncrBy(std::string_view key, std::string_view field, int64_t by = 1);
  // EVAL script with keys and args: the script's reply (an error reply is returned as a Status).
  virtual Result<Reply> Eval(std::string_view script, std::span<const std::string> keys,
                             std::span<const std::string> args);
  // Any command; an error reply is returned as a Reply of type kError, not as a Status (the
  // Status is for transport failures and for targets without RESP).
  virtual Result<Reply> Command(const Argv& argv) = 0;
  // Sends every command, then reads every reply: one round trip. Error replies are kError Replies.
  virtual Result<std::vector<Reply>> Pipeline(std::span<const Argv> commands) = 0;

  // ---- Messages pushed by the server (kCapPubSub, kCapSqlListen). ----
  // SUBSCRIBE channel (Redis-likes) / LISTEN channel (PostgreSQL), waiting for the confirmation.
  // A subscribed RESP connection accepts nothing but Receive() afterwards.
  virtual Status Subscribe(std::string_view channel);
  // The next pushed message, waiting at most timeout_s; nullopt when none came in time. A
  // connection the server closed (an output-buffer limit, a kill) is kUnavailable.
  virtual Result<std::optional<PushMessage>> Receive(double timeout_s);

  // Cuts the connection without a goodbye (no QUIT, no Terminate message), as a crashed client
  // process would: the server sees the socket close. The client is broken afterwards (every call
  // fails with kUnavailable). Idempotent.
  virtual void Abort();

  // ---- Optimistic transactions (kCapWatchMulti). ----
  // WATCH keys: a later Exec fails if any of them changed in between.
  virtual Status Watch(std::span<const std::string> keys);
  virtual Status Unwatch();
  // MULTI, the commands, EXEC in one round trip. nullopt when EXEC was aborted because a watched
  // key changed (the caller retries); otherwise each command's reply.
  virtual Result<std::optional<std::vector<Reply>>> Exec(std::span<const Argv> commands);

  // ---- SQL vocabulary (kCapSql). ----
  virtual Result<SqlRows> Query(const SqlStatement& statement,
                                std::span<const std::string> params);
  // Runs the calls in one round trip (pipeline mode) inside an implicit transaction per call.
  virtual Result<std::vector<SqlRows>> QueryBatch(std::span<const SqlCall> calls);
  virtual Status Begin(Isolation isolation = Isolation::kReadCommitted);
  virtual Status Commit();
  virtual Status Rollback();
  // True when the last failed SQL call was a serialization failure or deadlock (SQLSTATE 40001 /
  // 40P01): the transaction should be rolled back and retried.
  virtual bool LastErrorWasConflict() const { return false; }

 protected:
  Status NotSupported(std::string_view what) const;
};

}  // namespace racetrack::adapters
