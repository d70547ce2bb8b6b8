// Helpers shared by command handlers: argument parsing with Redis's error replies, typed lookups
// that keep the keyspace hit/miss statistics, and the small reply shapes several families share.
//
// Convention: a helper that can fail writes the error reply itself and returns false, so a handler
// reads `if (!ArgInt64(ctx, 2, &n)) return;`.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/command.h"
#include "engine/db.h"
#include "engine/ds/util.h"
#include "engine/engine.h"
#include "engine/errors.h"
#include "engine/notify.h"
#include "engine/resp.h"

namespace racetrack::engine {

// The Redis version the engine answers as (HELLO, INFO's redis_version): clients and tools check it
// to decide which commands they may use, so it names the Redis whose behaviour we reproduce.
inline constexpr std::string_view kRedisCompatVersion = "7.0.15";

// Publishes a keyspace event about key in the command's db (notify.h): the one line a handler
// has where Redis calls notifyKeyspaceEvent.
inline void Notify(CommandContext& ctx, int type, std::string_view event, std::string_view key) {
  NotifyKeyspaceEvent(ctx.engine, type, event, key, ctx.db.index());
}

// Deletes key as a command does (DEL, a collection left empty, a *STORE of nothing): true if it
// existed, and then the keyspace event "del" is sent.
inline bool DeleteKey(CommandContext& ctx, std::string_view key) {
  if (!ctx.db.Erase(key)) return false;
  Notify(ctx, kNotifyGeneric, "del", key);
  return true;
}

// Parses argv[i] as an integer; on failure replies "value is not an integer" and returns false.
inline bool ArgInt64(CommandContext& ctx, size_t i, int64_t* out) {
  if (ParseInt64(ctx.argv[i], out)) return true;
  ctx.reply.Error(errors::kNotInteger);
  return false;
}

// As Redis's getRangeLongFromObjectOrReply with no custom message: an integer in [min, max], else
// "value is out of range, value must between MIN and MAX".
inline bool ArgInt64InRange(CommandContext& ctx, size_t i, int64_t min, int64_t max, int64_t* out) {
  if (!ArgInt64(ctx, i, out)) return false;
  if (*out >= min && *out <= max) return true;
  ctx.reply.Error(errors::IntegerOutOfRange(min, max));
  return false;
}

inline bool ArgDouble(CommandContext& ctx, size_t i, double* out) {
  if (ParseDouble(ctx.argv[i], out)) return true;
  ctx.reply.Error(errors::kNotFloat);
  return false;
}

inline bool ArgLongDouble(CommandContext& ctx, size_t i, long double* out) {
  if (ParseLongDouble(ctx.argv[i], out)) return true;
  ctx.reply.Error(errors::kNotFloat);
  return false;
}

// Looks up key expecting type t. Returns false (after replying WRONGTYPE) on a type mismatch;
// otherwise *out is the value or nullptr when the key is missing.
inline bool LookupTyped(CommandContext& ctx, std::string_view key, ObjType t, Value** out) {
  Result<Value*> r = ctx.db.FindTyped(key, t);
  if (!r.ok()) {
    ctx.reply.Error(errors::kWrongType);
    return false;
  }
  *out = *r;
  return true;
}

// LookupTyped for read commands: also counts a keyspace hit or miss (INFO stats), as Redis's
// lookupKeyRead does. A wrong-type key counts as a hit, as in Redis.
inline bool LookupReadTyped(CommandContext& ctx, std::string_view key, ObjType t, Value** out) {
  Value* v = ctx.db.Find(key);
  if (v == nullptr) {
    ++ctx.engine.stats().keyspace_misses;
    *out = nullptr;
    return true;
  }
  ++ctx.engine.stats().keyspace_hits;
  if (v->type() != t) {
    ctx.reply.Error(errors::kWrongType);
    return false;
  }
  *out = v;
  return true;
}

// The sums of INCRBY/HINCRBY and INCRBYFLOAT/HINCRBYFLOAT: false after replying Redis's error
// ("increment or decrement would overflow", "increment would produce NaN or Infinity").
inline bool AddOrReply(CommandContext& ctx, int64_t old, int64_t incr, int64_t* sum) {
  if ((incr < 0 && old < 0 && incr < INT64_MIN - old) ||
      (incr > 0 && old > 0 && incr > INT64_MAX - old)) {
    ctx.reply.Error(errors::kOverflow);
    return false;
  }
  *sum = old + incr;
  return true;
}
inline bool AddOrReply(CommandContext& ctx, long double old, long double incr, long double* sum) {
  *sum = old + incr;
  if (!std::isnan(*sum) && !std::isinf(*sum)) return true;
  ctx.reply.Error(errors::kIncrNanOrInf);
  return false;
}

// EVAL and FCALL's "numkeys key [key ...] arg [arg ...]" from argv[3] on, once numkeys is
// parsed: more keys than arguments, then a negative count, are refused as Redis checks them.
inline bool SplitNumKeys(CommandContext& ctx, int64_t numkeys, Args* keys, Args* args) {
  if (numkeys > static_cast<int64_t>(ctx.argv.size()) - 3) {
    ctx.reply.Error(errors::kNumKeysOverArgs);
    return false;
  }
  if (numkeys < 0) {
    ctx.reply.Error(errors::kNumKeysNegative);
    return false;
  }
  *keys = ctx.argv.subspan(3, static_cast<size_t>(numkeys));
  *args = ctx.argv.subspan(3 + static_cast<size_t>(numkeys));
  return true;
}

// The rank range of LRANGE, LTRIM, ZRANGE and ZREMRANGEBYRANK over len elements, as Redis: a
// negative index counts from the end, start is clamped to 0 and stop to the last element. Returns
// false when the range is empty; else *start and *stop are positions in [0, len).
inline bool ClampRankRange(int64_t len, int64_t* start, int64_t* stop) {
  if (*start < 0) *start += len;
  if (*stop < 0) *stop += len;
  if (*start < 0) *start = 0;
  if (*start > *stop || *start >= len) return false;
  if (*stop >= len) *stop = len - 1;
  return true;
}

inline bool ArgIs(std::string_view arg, std::string_view word) { return EqualsIgnoreCase(arg, word); }

// "ERR wrong number of arguments for 'cmd' command", for commands whose arity rule is richer than
// the table's (MSET's pairs, HSET's field/value pairs). Uses the full name ("config|set").
inline void ReplyArityError(CommandContext& ctx) {
  ctx.reply.Error(errors::WrongArity(ctx.spec.name));
}

// "ERR invalid expire time in 'cmd' command".
inline void ReplyInvalidExpire(CommandContext& ctx) {
  ctx.reply.Error(errors::InvalidExpireTime(ctx.spec.name));
}

// The reply of HELP subcommands: "CMD <subcommand> [<arg> ...]. Subcommands are:" and the lines.
inline void ReplyHelp(CommandContext& ctx, std::string_view upper_name,
                      std::initializer_list<std::string_view> lines) {
  ctx.reply.Array(lines.size() + 3);
  ctx.reply.Status(std::string(upper_name) + " <subcommand> [<arg> [value] [opt] ...]. " +
                   "Subcommands are:");
  for (std::string_view l : lines) ctx.reply.Status(l);
  ctx.reply.Status("HELP");
  ctx.reply.Status("    Prints this help.");
}

// The error a container command (CONFIG, CLIENT, ...) gives for an unknown subcommand or a bad
// argument count when called with no subcommand handler matching.
inline void ReplyUnknownSubcommand(CommandContext& ctx, std::string_view upper_name) {
  ctx.reply.Error(errors::UnknownSubcommand(ctx.argv[1].substr(0, 128), upper_name));
}

// Redis's SCAN cursor, parsed as its strtoul call does: an optional sign then decimal digits (a
// leading '-' wraps modulo 2^64, as strtoul does; the empty string is 0); no leading space, no
// trailing garbage, no overflow — else "invalid cursor".
inline bool ArgCursor(CommandContext& ctx, size_t i, uint64_t* out) {
  std::string_view s = ctx.argv[i];
  bool ok = true, negative = false;
  size_t p = 0;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) negative = s[p++] == '-';
  uint64_t v = 0;
  if (p == s.size() && p > 0) ok = false;  // a bare sign: strtoul parses nothing, eptr != end
  for (; ok && p < s.size(); ++p) {
    char c = s[p];
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) {
      ok = false;
      break;
    }
    v = v * 10 + d;
  }
  if (!ok) {
    ctx.reply.Error(errors::kInvalidCursor);
    return false;
  }
  *out = negative ? 0 - v : v;
  return true;
}

// COUNT and MATCH of HSCAN/SSCAN/ZSCAN, read from argv[first] on. On bad input replies Redis's
// error (syntax error, not an integer) and returns false.
struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;  // false for no MATCH or MATCH *

  bool Matches(std::string_view s) const { return !use_pattern || GlobMatch(pattern, s); }
};
inline bool ParseScanOptions(CommandContext& ctx, size_t first, ScanOptions* out) {
  for (size_t i = first; i < ctx.argv.size(); i += 2) {
    bool has_value = i + 1 < ctx.argv.size();
    if (ArgIs(ctx.argv[i], "count") && has_value) {
      if (!ArgInt64(ctx, i + 1, &out->count)) return false;
      if (out->count < 1) {
        ctx.reply.Error(errors::kSyntax);
        return false;
      }
    } else if (ArgIs(ctx.argv[i], "match") && has_value) {
      out->pattern = ctx.argv[i + 1];
      out->use_pattern = out->pattern != "*";
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// HRANDFIELD and ZRANDMEMBER's "count [WITH<word>]" from argv[2], checked in Redis's order: the
// count, the syntax, then, with the word, a count within +-INT64_MAX / 2 (the reply holds
// 2 x |count| items: a larger count would try to answer ~9e18 elements and take the server's
// memory with it). *with tells whether the word was given.
inline bool ParseRandomCount(CommandContext& ctx, std::string_view with_word, int64_t* count,
                             bool* with) {
  if (!ArgInt64InRange(ctx, 2, -INT64_MAX, INT64_MAX, count)) return false;
  if (ctx.argv.size() > 4 || (ctx.argv.size() == 4 && !ArgIs(ctx.argv[3], with_word))) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  *with = ctx.argv.size() == 4;
  if (*with && (*count < -INT64_MAX / 2 || *count > INT64_MAX / 2)) {
    ctx.reply.Error(errors::kValueOutOfRange);
    return false;
  }
  return true;
}

// SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a negative count answer |count| random picks with
// repetitions, whatever the key holds: the reply's size is the client's to choose. Redis 7.0.15
// builds it until its output-buffer limit closes the client — with the normal class's default of
// 0 (no limit) a count like -3.7e17 takes the server's memory. Here the reply is refused up front
// when even its smallest form (every item an empty bulk string, 6 bytes) would exceed the normal
// class's hard limit, or 1 GiB when that is 0 (~179 million single picks); smaller counts answer
// as Redis does.
inline bool RepeatedPicksFit(CommandContext& ctx, uint64_t picks, uint64_t items_per_pick) {
  constexpr uint64_t kMinItemBytes = 6;  // "$0\r\n\r\n"
  constexpr uint64_t kDefaultLimit = uint64_t{1} << 30;
  const int64_t hard = ctx.engine.config().normal_output_hard_limit;
  const uint64_t limit = hard > 0 ? static_cast<uint64_t>(hard) : kDefaultLimit;
  if (picks <= limit / (kMinItemBytes * items_per_pick)) return true;
  ctx.reply.Error(errors::ReplyTooLarge(picks, limit));
  return false;
}

// The distinct elements SRANDMEMBER and ZRANDMEMBER return for 0 < count < size, chosen as Redis
// chooses them: a few of many (count * 3 <= size) are drawn at random until `count` distinct ones
// were seen (in draw order); more are a shuffled copy of all, cut to size. draw() returns a random
// element, key(element) what tells two apart, for_each(f) calls f on every element.
template <typename T, typename Draw, typename Key, typename ForEach>
std::vector<T> PickDistinct(size_t count, size_t size, std::mt19937_64& rng, Draw draw, Key key,
                            ForEach for_each) {
  std::vector<T> picked;
  picked.reserve(count);
  if (count * 3 <= size) {
    std::unordered_set<decltype(key(std::declval<const T&>()))> seen;
    while (picked.size() < count) {
      T e = draw();
      if (seen.insert(key(e)).second) picked.push_back(std::move(e));
    }
    return picked;
  }
  for_each([&picked](T e) { picked.push_back(std::move(e)); });
  std::shuffle(picked.begin(), picked.end(), rng);
  picked.resize(count);
  return picked;
}

// LMPOP and BLMPOP's "numkeys key [key ...] LEFT|RIGHT [COUNT count]", read from argv[first] on.
// Checked in Redis 7.0's order (numkeys, the side, then COUNT), before any key is looked up, so
// BLMPOP can check its timeout after these and still answer exactly as Redis. On bad input replies
// Redis's error and returns false.
struct ListMPopArgs {
  Args keys;
  bool left = true;
  int64_t count = 1;
};
// The same shape with other side words: ZMPOP and BZMPOP's MIN|MAX (`left` is true for the first
// word).
inline bool ParseMPopArgs(CommandContext& ctx, size_t first, std::string_view first_word,
                          std::string_view second_word, ListMPopArgs* out) {
  // Redis's getRangeLongFromObjectOrReply with a message: the same text for "not a number".
  int64_t numkeys;
  if (!ParseInt64(ctx.argv[first], &numkeys) || numkeys < 1) {
    ctx.reply.Error(errors::kNumKeysNotPositive);
    return false;
  }
  size_t remaining = ctx.argv.size() - first - 1;
  if (static_cast<uint64_t>(numkeys) >= remaining) {  // no room left for LEFT|RIGHT
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  size_t where = first + 1 + static_cast<size_t>(numkeys);
  out->keys = ctx.argv.subspan(first + 1, static_cast<size_t>(numkeys));
  if (ArgIs(ctx.argv[where], first_word)) {
    out->left = true;
  } else if (ArgIs(ctx.argv[where], second_word)) {
    out->left = false;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  bool count_seen = false;
  for (size_t i = where + 1; i < ctx.argv.size(); ++i) {
    if (!count_seen && ArgIs(ctx.argv[i], "count") && i + 1 < ctx.argv.size()) {
      count_seen = true;
      ++i;
      if (!ParseInt64(ctx.argv[i], &out->count) || out->count < 1) {
        ctx.reply.Error(errors::kCountNotPositive);
        return false;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

inline bool ParseListMPop(CommandContext& ctx, size_t first, ListMPopArgs* out) {
  return ParseMPopArgs(ctx, first, "left", "right", out);
}

// The end of every command that stores a computed value at a key whose position depends on the
// options (SORT ... STORE, Z*STORE, GEOSEARCHSTORE, GEORADIUS ... STORE): `value` replaces the key
// (dropping its TTL), or a null `value` deletes it; `changes` is how many changes Redis counts
// for the store (one per stored element for SORT and GEO). The key is signalled (WATCH, blocked
// clients) here, since the command table's key positions cannot name it. A store sends the
// keyspace event `event` of class `notify_type` ("sortstore", "zunionstore", ...), a deletion "del".
inline void StoreOrDelete(CommandContext& ctx, std::string_view key, std::optional<Value> value,
                          int notify_type, std::string_view event, uint64_t changes = 1) {
  bool changed = true;
  if (value.has_value()) {
    ctx.db.Set(key, std::move(*value));
    if (changes > 1) ctx.db.AddDirty(changes - 1);  // Set counted one
    Notify(ctx, notify_type, event, key);
  } else {
    changed = DeleteKey(ctx, key);
  }
  if (changed) ctx.engine.SignalModifiedKey(ctx.db.index(), key);
}
inline void StoreOrDelete(CommandContext& ctx, std::string_view key, std::unique_ptr<Object> value,
                          int notify_type, std::string_view event, uint64_t changes = 1) {
  StoreOrDelete(ctx, key, value ? std::optional<Value>(Value(std::move(value))) : std::nullopt,
                notify_type, event, changes);
}

// The first element of a SCAN-like reply: [next cursor, ...]; the caller adds the elements' array.
inline void ReplyScanCursor(CommandContext& ctx, uint64_t next) {
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(next));
}

// The start HSCAN, SSCAN and ZSCAN share, in Redis's order: the cursor, the key of type t, then
// COUNT and MATCH (a missing key answers the empty scan before the options are read). Returns the
// value to scan, or nullptr once a reply (an error or the empty scan) is written.
inline Value* StartKeyScan(CommandContext& ctx, ObjType t, uint64_t* cursor,
                           ScanOptions* options) {
  if (!ArgCursor(ctx, 2, cursor)) return nullptr;
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], t, &v)) return nullptr;
  if (v == nullptr) {
    ReplyScanCursor(ctx, 0);
    ctx.reply.EmptyArray();
    return nullptr;
  }
  if (!ParseScanOptions(ctx, 3, options)) return nullptr;
  return v;
}

}  // namespace racetrack::engine
