// Option words and key lookups that many command families read the same way: a word chosen from a
// small table (BITOP's AND/OR/XOR/NOT, ZADD's NX/XX/CH/...), a flag word, and the typed key lookup
// whose missing key ends the command with a fixed reply (0, nil, an empty array...).
//
// Included by the families that use it only; family_util.h, which every engine file includes, keeps
// the helpers every family needs.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>

#include "engine/errors.h"
#include "engine/family_util.h"

namespace racetrack::engine {

// If `arg` is one of `words` (any case), sets *out to that word's value and returns true; otherwise
// returns false and replies nothing (the caller decides what an unknown word means).
//
//   if (!ArgWord(ctx.argv[1], {{"and", BitOp::kAnd}, {"or", BitOp::kOr}}, &op)) { ...syntax... }
template <typename T>
bool ArgWord(std::string_view arg, std::initializer_list<std::pair<std::string_view, T>> words,
             T* out) {
  for (const auto& [word, value] : words) {
    if (ArgIs(arg, word)) {
      *out = value;
      return true;
    }
  }
  return false;
}

// If `arg` is the name of one of `flags` (any case), sets that flag and returns true; otherwise
// returns false. A flag word given twice is no error, as in Redis.
//
//   if (ArgFlag(a, {{"nx", &nx}, {"xx", &xx}, {"ch", &ch}})) continue;
inline bool ArgFlag(std::string_view arg,
                    std::initializer_list<std::pair<std::string_view, bool*>> flags) {
  for (const auto& [word, flag] : flags) {
    if (ArgIs(arg, word)) {
      *flag = true;
      return true;
    }
  }
  return false;
}

// What a command replies when its key does not exist (LookupOrReply's if_missing).
using MissingReply = void (*)(ReplyBuilder&);
inline void ReplyZero(ReplyBuilder& r) { r.Integer(0); }
inline void ReplyNil(ReplyBuilder& r) { r.Null(); }
inline void ReplyNullArray(ReplyBuilder& r) { r.NullArray(); }
inline void ReplyEmptyArray(ReplyBuilder& r) { r.EmptyArray(); }
inline void ReplyOk(ReplyBuilder& r) { r.Ok(); }

// LookupTyped or LookupReadTyped.
using TypedLookup = bool (*)(CommandContext&, std::string_view, ObjType, Value**);

// The key `key` of type t, for a command that ends when it is missing: nullptr once the command
// has replied — WRONGTYPE, or `if_missing` for a missing key. Looked up with `lookup`'s rules
// (LookupTyped: a write command's lookup).
//
//   Value* v = LookupOrReply(ctx, ctx.argv[1], ObjType::kList, ReplyZero);
//   if (v == nullptr) return;
inline Value* LookupOrReply(CommandContext& ctx, std::string_view key, ObjType t,
                            MissingReply if_missing, TypedLookup lookup = LookupTyped) {
  Value* v;
  if (!lookup(ctx, key, t, &v)) return nullptr;
  if (v == nullptr) if_missing(ctx.reply);
  return v;
}

// LookupOrReply for read commands: LookupReadTyped's rules (counts a keyspace hit or miss).
inline Value* LookupReadOrReply(CommandContext& ctx, std::string_view key, ObjType t,
                                MissingReply if_missing) {
  return LookupOrReply(ctx, key, t, if_missing, LookupReadTyped);
}

// An integer argument whose negative values count as 0, as Redis reads XRANGE's, XREAD's and
// XPENDING's COUNT, XPENDING's IDLE, LCS's MINMATCHLEN and ACL LOG's count: false after replying
// when it is no integer.
inline bool ArgInt64AtLeastZero(CommandContext& ctx, size_t i, int64_t* out) {
  if (!ArgInt64(ctx, i, out)) return false;
  if (*out < 0) *out = 0;
  return true;
}

// Redis's getPositiveLongFromObjectOrReply, as LPOP, RPOP, SPOP, ZPOPMIN and ZPOPMAX read their
// count: a non-negative integer, or false after its one error for both "not a number" and
// "negative".
inline bool ArgNonNegativeCount(CommandContext& ctx, size_t i, int64_t* out) {
  if (ParseInt64(ctx.argv[i], out) && *out >= 0) return true;
  ctx.reply.Error(errors::kMustBePositive);
  return false;
}

// A timeout argument, in whatever unit the command takes (CLIENT PAUSE, WAIT, XREAD BLOCK): false
// after replying Redis's error when it is not an integer or is negative.
inline bool ArgTimeout(CommandContext& ctx, std::string_view arg, int64_t* out) {
  if (!ParseInt64(arg, out)) {
    ctx.reply.Error(errors::kTimeoutNotInteger);
    return false;
  }
  if (*out < 0) {
    ctx.reply.Error(errors::kTimeoutNegative);
    return false;
  }
  return true;
}

// now_ms + timeout_ms, the deadline of a blocking command or a pause; nullopt when the sum would
// pass INT64_MAX. Redis adds them in a signed 64-bit `tval += mstime()` that wraps there, so its
// deadline then lies in the past: its blocking commands (BLPOP, XREAD BLOCK, WAIT) wait with no
// deadline and CLIENT PAUSE pauses nothing. Callers do the same, without the overflow.
inline std::optional<int64_t> DeadlineAfter(int64_t now_ms, int64_t timeout_ms) {
  if (timeout_ms > INT64_MAX - now_ms) return std::nullopt;
  return now_ms + timeout_ms;
}

}  // namespace racetrack::engine
