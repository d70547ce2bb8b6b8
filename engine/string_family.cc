// String commands: GET, SET and its options, counters (INCR & co), ranges.
//
// A string value is a byte string up to proto-max-bulk-len; integers are stored as their decimal
// text and parsed on each INCR (Redis stores small ones as shared integer objects — an
// optimisation of memory, not of behaviour).
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

void CmdGet(CommandContext& ctx) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
  if (v == nullptr) {
    ++ctx.engine.stats().keyspace_misses;
    ctx.reply.Null();
    return;
  }
  ++ctx.engine.stats().keyspace_hits;
  ctx.reply.Bulk(v->str());
}

void CmdSet(CommandContext& ctx) {
  // TODO(issue 2 helper): NX XX EX PX EXAT PXAT KEEPTTL GET.
  ctx.db.Set(ctx.argv[1], Value(std::string(ctx.argv[2])));
  ctx.reply.Ok();
}

}  // namespace

void RegisterStringFamily(CommandTable& table) {
  table.Register({.name = "get", .arity = 2, .flags = kCmdReadOnly | kCmdFast, .first_key = 1,
                  .last_key = 1, .key_step = 1, .group = "string", .complexity = "O(1)",
                  .summary = "Returns the string value of a key.", .since = "1.0.0",
                  .handler = CmdGet});
  table.Register({.name = "set", .arity = -3, .flags = kCmdWrite | kCmdDenyOom, .first_key = 1,
                  .last_key = 1, .key_step = 1, .group = "string", .complexity = "O(1)",
                  .summary = "Sets the string value of a key, ignoring its type. The key is "
                             "created if it doesn't exist.",
                  .since = "1.0.0", .handler = CmdSet});
}

}  // namespace racetrack::engine
