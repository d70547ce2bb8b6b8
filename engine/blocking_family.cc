// Blocking commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, and BZMPOP BZPOPMIN BZPOPMAX for
// sorted sets.
//
// Each is its non-blocking twin (LPOP, LMOVE, LMPOP, ... from list_family.cc) run as a nested call
// when there is something to pop, or a Blocking::Block when there is not (blocking.h). The nested
// call propagates itself to the append-only log (Redis propagates BLPOP as LPOP too), so the
// blocking command sets prevent_propagation. Inside MULTI or Lua they never block: they answer the
// timeout reply at once, as Redis does.
#include <cmath>
#include <optional>

#include "engine/arg_util.h"
#include "engine/blocking.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

constexpr std::string_view kNullArray = "*-1\r\n";
constexpr std::string_view kNullBulk = "$-1\r\n";

// Redis's getTimeoutFromObjectOrReply(UNIT_SECONDS): a decimal number of seconds, rounded up to
// whole milliseconds as `(long long) ceill(secs * 1000)`. *deadline_ms = 0 means forever.
bool ParseTimeout(CommandContext& ctx, std::string_view arg, int64_t* deadline_ms) {
  long double secs;
  if (!ParseLongDouble(arg, &secs) || std::isnan(secs)) {
    ctx.reply.Error(errors::kTimeoutNotFloat);
    return false;
  }
  const long double ms = std::ceil(secs * 1000.0L);
  // A tiny negative number rounds up to 0: no timeout, as in Redis. A product outside long long's
  // range (inf among them) comes out of Redis's cast as LLONG_MIN on x86, so Redis calls it
  // negative; here it is answered so without the out-of-range conversion.
  if (ms < 0 || ms >= 0x1p63L) {
    ctx.reply.Error(errors::kTimeoutNegative);
    return false;
  }
  const std::optional<int64_t> deadline = DeadlineAfter(ctx.now_ms, static_cast<int64_t>(ms));
  *deadline_ms = ms > 0 && deadline ? *deadline : 0;
  return true;
}

bool MayBlock(CommandContext& ctx) {
  return !ctx.client.deny_blocking && !ctx.client.is_script && !ctx.engine.in_nested_call();
}

// Runs argv as a nested command and returns its reply bytes (removed from the client's buffer).
std::string Nested(CommandContext& ctx, std::vector<std::string> argv) {
  size_t before = ctx.reply.size();
  ctx.engine.ExecuteQueued(ctx.client, argv);
  std::string out = ctx.reply.buffer().substr(before);
  ctx.reply.buffer().resize(before);
  return out;
}

void BlockOrTimeout(CommandContext& ctx, std::vector<std::string> keys, int64_t deadline,
                    std::string_view timeout_reply) {
  if (!MayBlock(ctx)) {
    ctx.reply.Raw(timeout_reply);
    return;
  }
  ctx.engine.blocking().Block(ctx.client, ctx.client.db, keys, deadline,
                              std::vector<std::string>(ctx.argv.begin(), ctx.argv.end()),
                              std::string(timeout_reply));
}

// BLPOP/BRPOP and BZPOPMIN/BZPOPMAX key [key ...] timeout: `pop` (LPOP, ZPOPMIN, ...) of the
// first key of type t that exists, answered with the key in front of what the pop answered
// ([key, element] or [key, member, score]). The timeout is checked before the keys, as in Redis.
void PopFirstOrBlock(CommandContext& ctx, ObjType t, const char* pop) {
  int64_t deadline;
  if (!ParseTimeout(ctx, ctx.argv.back(), &deadline)) return;
  std::vector<std::string> keys;
  for (size_t i = 1; i + 1 < ctx.argv.size(); ++i) {
    std::string_view key = ctx.argv[i];
    Value* v;
    if (!LookupTyped(ctx, key, t, &v)) return;
    if (v == nullptr) {
      keys.emplace_back(key);
      continue;
    }
    std::string inner = Nested(ctx, {pop, std::string(key)});
    ctx.client.prevent_propagation = true;
    constexpr std::string_view kPair = "*2\r\n";  // ZPOPMIN's [member, score]
    if (inner.starts_with(kPair)) {
      ctx.reply.Array(3);
      ctx.reply.Bulk(key);
      ctx.reply.Raw(std::string_view(inner).substr(kPair.size()));
    } else {
      if (inner.starts_with("$") && !ReplyBuilder::IsNull(inner)) {  // LPOP's element
        ctx.reply.Array(2);
        ctx.reply.Bulk(key);
      }
      ctx.reply.Raw(inner);
    }
    return;
  }
  BlockOrTimeout(ctx, std::move(keys), deadline, kNullArray);
}

void CmdBLPop(CommandContext& ctx) { PopFirstOrBlock(ctx, ObjType::kList, "lpop"); }
void CmdBRPop(CommandContext& ctx) { PopFirstOrBlock(ctx, ObjType::kList, "rpop"); }

void MoveGeneric(CommandContext& ctx, std::vector<std::string> inner_argv, std::string_view timeout_arg) {
  int64_t deadline;
  if (!ParseTimeout(ctx, timeout_arg, &deadline)) return;
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kList, &v)) return;
  if (v == nullptr) {
    // Redis: a null bulk when the client may not block (MULTI, scripts), but a null array when
    // a blocked BLMOVE/BRPOPLPUSH times out (replyToBlockedClientTimedOut).
    if (!MayBlock(ctx)) {
      ctx.reply.Raw(kNullBulk);
      return;
    }
    BlockOrTimeout(ctx, {std::string(ctx.argv[1])}, deadline, kNullArray);
    return;
  }
  std::string inner = Nested(ctx, std::move(inner_argv));
  ctx.client.prevent_propagation = true;
  ctx.reply.Raw(inner);
}

void CmdBLMove(CommandContext& ctx) {
  for (size_t i : {3, 4}) {
    if (!ArgIs(ctx.argv[i], "left") && !ArgIs(ctx.argv[i], "right")) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  MoveGeneric(ctx, {"lmove", std::string(ctx.argv[1]), std::string(ctx.argv[2]),
                    std::string(ctx.argv[3]), std::string(ctx.argv[4])},
              ctx.argv[5]);
}

void CmdBRPopLPush(CommandContext& ctx) {
  MoveGeneric(ctx, {"rpoplpush", std::string(ctx.argv[1]), std::string(ctx.argv[2])}, ctx.argv[3]);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]. Redis checks numkeys, the side
// and COUNT before the timeout, so a request wrong in both places gets the same error here.
void CmdBLMPop(CommandContext& ctx) {
  ListMPopArgs args;
  if (!ParseListMPop(ctx, 2, &args)) return;
  int64_t deadline;
  if (!ParseTimeout(ctx, ctx.argv[1], &deadline)) return;
  std::vector<std::string> inner = {"lmpop"};
  for (size_t i = 2; i < ctx.argv.size(); ++i) inner.emplace_back(ctx.argv[i]);
  std::string out = Nested(ctx, std::move(inner));
  if (!ReplyBuilder::IsNull(out)) {  // popped, or WRONGTYPE from the first key that is not a list
    ctx.client.prevent_propagation = true;
    ctx.reply.Raw(out);
    return;
  }
  BlockOrTimeout(ctx, std::vector<std::string>(args.keys.begin(), args.keys.end()), deadline,
                 kNullArray);
}

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: ZMPOP (zset_family.cc) that waits,
// checked in the same order as BLMPOP.
void CmdBZMPop(CommandContext& ctx) {
  ListMPopArgs args;
  if (!ParseMPopArgs(ctx, 2, "min", "max", &args)) return;
  int64_t deadline;
  if (!ParseTimeout(ctx, ctx.argv[1], &deadline)) return;
  std::vector<std::string> inner = {"zmpop"};
  for (size_t i = 2; i < ctx.argv.size(); ++i) inner.emplace_back(ctx.argv[i]);
  std::string out = Nested(ctx, std::move(inner));
  if (!ReplyBuilder::IsNull(out)) {  // popped, or WRONGTYPE from the first key that is not a sorted set
    ctx.client.prevent_propagation = true;
    ctx.reply.Raw(out);
    return;
  }
  BlockOrTimeout(ctx, std::vector<std::string>(args.keys.begin(), args.keys.end()), deadline,
                 kNullArray);
}

void CmdBZPopMin(CommandContext& ctx) { PopFirstOrBlock(ctx, ObjType::kZSet, "zpopmin"); }
void CmdBZPopMax(CommandContext& ctx) { PopFirstOrBlock(ctx, ObjType::kZSet, "zpopmax"); }

}  // namespace

void RegisterBlockingFamily(CommandTable& table) {
  CommandRegistrar reg(table, "list");
  reg.Add("blpop", -3, kCmdWrite | kCmdNoScript | kCmdBlocking, {1, -2, 1}, CmdBLPop);
  reg.Add("brpop", -3, kCmdWrite | kCmdNoScript | kCmdBlocking, {1, -2, 1}, CmdBRPop);
  reg.Add("blmove", 6, kCmdWrite | kCmdNoScript | kCmdBlocking | kCmdDenyOom, {1, 2, 1}, CmdBLMove);
  reg.Add("brpoplpush", 4, kCmdWrite | kCmdNoScript | kCmdBlocking | kCmdDenyOom, {1, 2, 1},
          CmdBRPopLPush);
  reg.Add("blmpop", -5, kCmdWrite | kCmdBlocking | kCmdMovableKeys, {}, CmdBLMPop);
  CommandRegistrar zreg(table, "sorted_set");
  zreg.Add("bzmpop", -5, kCmdWrite | kCmdBlocking | kCmdMovableKeys, {}, CmdBZMPop);
  zreg.Add("bzpopmin", -3, kCmdWrite | kCmdNoScript | kCmdFast | kCmdBlocking, {1, -2, 1},
           CmdBZPopMin);
  zreg.Add("bzpopmax", -3, kCmdWrite | kCmdNoScript | kCmdFast | kCmdBlocking, {1, -2, 1},
           CmdBZPopMax);
}

}  // namespace racetrack::engine
