// Helpers shared by command handlers: argument parsing with Redis's error replies.
#pragma once

#include <string_view>

#include "engine/command.h"
#include "engine/db.h"
#include "engine/engine.h"
#include "engine/errors.h"
#include "engine/resp.h"
#include "engine/util.h"

namespace racetrack::engine {

// Parses argv[i] as an integer; on failure replies "value is not an integer" and returns false.
inline bool ArgInt64(CommandContext& ctx, size_t i, int64_t* out) {
  if (ParseInt64(ctx.argv[i], out)) return true;
  ctx.reply.Error(errors::kNotInteger);
  return false;
}

inline bool ArgDouble(CommandContext& ctx, size_t i, double* out) {
  if (ParseDouble(ctx.argv[i], out)) return true;
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

inline bool ArgIs(std::string_view arg, std::string_view word) { return EqualsIgnoreCase(arg, word); }

}  // namespace racetrack::engine
