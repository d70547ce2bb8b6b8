// List commands: pushes and pops at both ends, positional reads and edits, LPOS, LMOVE, LMPOP.
//
// Each handler follows Redis 7.0's order of checks, because that order is visible to clients:
// arguments that need no key (counts, indexes, BEFORE/AFTER) are validated first, then the key is
// looked up (WRONGTYPE), then the operation runs. A list never exists empty: the command that
// removes the last element deletes the key.
//
// Blocked clients (BLPOP & co, blocking.h) are woken without any code here: every write that
// changes the keyspace goes through Engine::SignalModifiedKey, which tells the blocking machinery
// that the key may now be ready.
#include <algorithm>
#include <memory>

#include "engine/arg_util.h"
#include "engine/ds/list.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {


List* AsList(Value* v) { return v == nullptr ? nullptr : v->As<List>(); }

// Creates an empty list at key (the caller fills it before returning).
List* CreateList(CommandContext& ctx, std::string_view key) {
  Value& v = ctx.db.Add(key, Value(std::unique_ptr<Object>(std::make_unique<List>())));
  return v.As<List>();
}

// Deletes key if its list became empty.
void DeleteIfEmpty(CommandContext& ctx, std::string_view key, List* list) {
  if (list->empty()) DeleteKey(ctx, key);
}

// Converts a Redis index (negative counts from the end) to a position; false if out of range.
bool ResolveIndex(int64_t index, size_t len, size_t* out) {
  int64_t n = static_cast<int64_t>(len);
  if (index < 0) index += n;
  if (index < 0 || index >= n) return false;
  *out = static_cast<size_t>(index);
  return true;
}

void PushGeneric(CommandContext& ctx, bool front, bool only_if_exists) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kList, &v)) return;
  List* list = AsList(v);
  if (list == nullptr) {
    if (only_if_exists) {
      ctx.reply.Integer(0);
      return;
    }
    list = CreateList(ctx, ctx.argv[1]);
  }
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (front) {
      list->PushFront(ctx.argv[i]);
    } else {
      list->PushBack(ctx.argv[i]);
    }
  }
  ctx.db.AddDirty(ctx.argv.size() - 2);
  Notify(ctx, kNotifyList, front ? "lpush" : "rpush", ctx.argv[1]);
  ctx.reply.Integer(static_cast<int64_t>(list->size()));
}

void CmdLPush(CommandContext& ctx) { PushGeneric(ctx, true, false); }
void CmdRPush(CommandContext& ctx) { PushGeneric(ctx, false, false); }
void CmdLPushX(CommandContext& ctx) { PushGeneric(ctx, true, true); }
void CmdRPushX(CommandContext& ctx) { PushGeneric(ctx, false, true); }

void PopGeneric(CommandContext& ctx, bool front) {
  if (ctx.argv.size() > 3) {
    ReplyArityError(ctx);
    return;
  }
  bool with_count = ctx.argv.size() == 3;
  int64_t count = 1;
  if (with_count && !ArgNonNegativeCount(ctx, 2, &count)) return;
  Value* v =
      LookupOrReply(ctx, ctx.argv[1], ObjType::kList, with_count ? ReplyNullArray : ReplyNil);
  if (v == nullptr) return;
  List* list = AsList(v);
  if (!with_count) {
    std::string item = front ? list->PopFront() : list->PopBack();
    ctx.reply.Bulk(item);
  } else {
    size_t n = std::min(static_cast<size_t>(count), list->size());
    ctx.reply.Array(n);
    for (size_t i = 0; i < n; ++i) ctx.reply.Bulk(front ? list->PopFront() : list->PopBack());
    if (n == 0) return;  // LPOP k 0: nothing changed
  }
  ctx.db.AddDirty();
  Notify(ctx, kNotifyList, front ? "lpop" : "rpop", ctx.argv[1]);
  DeleteIfEmpty(ctx, ctx.argv[1], list);
}

void CmdLPop(CommandContext& ctx) { PopGeneric(ctx, true); }
void CmdRPop(CommandContext& ctx) { PopGeneric(ctx, false); }

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: up to count elements from the first of
// the keys that holds a list, as [key, [elements]]; a null array when none does. A key of another
// type stops the search with WRONGTYPE, even after missing keys, as in Redis.
void CmdLMPop(CommandContext& ctx) {
  ListMPopArgs args;
  if (!ParseListMPop(ctx, 1, &args)) return;
  for (std::string_view key : args.keys) {
    Value* v;
    if (!LookupTyped(ctx, key, ObjType::kList, &v)) return;
    List* list = AsList(v);
    if (list == nullptr) continue;
    size_t n = std::min(static_cast<size_t>(args.count), list->size());
    ctx.reply.Array(2);
    ctx.reply.Bulk(key);
    ctx.reply.Array(n);
    for (size_t i = 0; i < n; ++i) ctx.reply.Bulk(args.left ? list->PopFront() : list->PopBack());
    ctx.db.AddDirty();
    // The key's position depends on numkeys, which the command table cannot express: signal it
    // here (WATCH), and log the pop as the LPOP/RPOP with a count it amounts to, as Redis does.
    ctx.engine.SignalModifiedKey(ctx.db.index(), key);
    ctx.engine.ReplacePropagation({args.left ? "lpop" : "rpop", std::string(key), FormatInt(
                                                                     static_cast<int64_t>(n))});
    Notify(ctx, kNotifyList, args.left ? "lpop" : "rpop", key);
    DeleteIfEmpty(ctx, key, list);
    return;
  }
  ctx.reply.NullArray();
}

void CmdLLen(CommandContext& ctx) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kList, &v)) return;
  ctx.reply.Integer(v == nullptr ? 0 : static_cast<int64_t>(AsList(v)->size()));
}

void CmdLRange(CommandContext& ctx) {
  int64_t start, stop;
  if (!ArgInt64(ctx, 2, &start) || !ArgInt64(ctx, 3, &stop)) return;
  Value* v = LookupReadOrReply(ctx, ctx.argv[1], ObjType::kList, ReplyEmptyArray);
  if (v == nullptr) return;
  const List* list = AsList(v);
  int64_t len = static_cast<int64_t>(list->size());
  if (!ClampRankRange(len, &start, &stop)) {
    ctx.reply.EmptyArray();
    return;
  }
  ctx.reply.Array(static_cast<size_t>(stop - start + 1));
  auto it = list->IteratorAt(static_cast<size_t>(start));
  for (int64_t i = start; i <= stop; ++i, ++it) ctx.reply.Bulk(it.view());
}

void CmdLIndex(CommandContext& ctx) {
  Value* v = LookupReadOrReply(ctx, ctx.argv[1], ObjType::kList, ReplyNil);
  if (v == nullptr) return;
  int64_t index;
  if (!ArgInt64(ctx, 2, &index)) return;
  size_t pos;
  const List* list = AsList(v);
  if (!ResolveIndex(index, list->size(), &pos)) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(list->At(pos));
}

void CmdLSet(CommandContext& ctx) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kList, &v)) return;
  if (v == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  int64_t index;
  if (!ArgInt64(ctx, 2, &index)) return;
  size_t pos;
  List* list = AsList(v);
  if (!ResolveIndex(index, list->size(), &pos)) {
    ctx.reply.Error(errors::kIndexOutOfRange);
    return;
  }
  list->Set(pos, ctx.argv[3]);
  ctx.db.AddDirty();
  Notify(ctx, kNotifyList, "lset", ctx.argv[1]);
  ctx.reply.Ok();
}

void CmdLInsert(CommandContext& ctx) {
  bool after;
  if (ArgIs(ctx.argv[2], "after")) {
    after = true;
  } else if (ArgIs(ctx.argv[2], "before")) {
    after = false;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  Value* v = LookupOrReply(ctx, ctx.argv[1], ObjType::kList, ReplyZero);
  if (v == nullptr) return;
  List* list = AsList(v);
  size_t i = 0;
  for (auto it = list->begin(); it != list->end(); ++it, ++i) {
    if (it.view() == ctx.argv[3]) {
      list->Insert(after ? i + 1 : i, ctx.argv[4]);
      ctx.db.AddDirty();
      Notify(ctx, kNotifyList, "linsert", ctx.argv[1]);
      ctx.reply.Integer(static_cast<int64_t>(list->size()));
      return;
    }
  }
  ctx.reply.Integer(-1);
}

void CmdLRem(CommandContext& ctx) {
  int64_t count;
  if (!ArgInt64(ctx, 2, &count)) return;
  Value* v = LookupOrReply(ctx, ctx.argv[1], ObjType::kList, ReplyZero);
  if (v == nullptr) return;
  List* list = AsList(v);
  size_t removed = list->Remove(ctx.argv[3], count);
  if (removed > 0) {
    ctx.db.AddDirty(removed);
    Notify(ctx, kNotifyList, "lrem", ctx.argv[1]);
    DeleteIfEmpty(ctx, ctx.argv[1], list);
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void CmdLTrim(CommandContext& ctx) {
  int64_t start, stop;
  if (!ArgInt64(ctx, 2, &start) || !ArgInt64(ctx, 3, &stop)) return;
  Value* v = LookupOrReply(ctx, ctx.argv[1], ObjType::kList, ReplyOk);
  if (v == nullptr) return;
  List* list = AsList(v);
  int64_t len = static_cast<int64_t>(list->size());
  if (!ClampRankRange(len, &start, &stop)) {
    Notify(ctx, kNotifyList, "ltrim", ctx.argv[1]);
    DeleteKey(ctx, ctx.argv[1]);  // all goes
    ctx.reply.Ok();
    return;
  }
  if (start > 0 || stop < len - 1) {
    list->Trim(static_cast<size_t>(start), static_cast<size_t>(stop));
    ctx.db.AddDirty();
  }
  Notify(ctx, kNotifyList, "ltrim", ctx.argv[1]);
  ctx.reply.Ok();
}

void CmdLPos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;  // count -1: not given
  // Every option takes one value, so the loop steps over name and value together.
  for (size_t j = 3; j < ctx.argv.size(); j += 2) {
    bool has_value = j + 1 < ctx.argv.size();
    if (ArgIs(ctx.argv[j], "rank") && has_value) {
      if (!ArgInt64(ctx, j + 1, &rank)) return;
      if (rank == 0) {
        ctx.reply.Error(errors::kLposRankZero);
        return;
      }
    } else if (ArgIs(ctx.argv[j], "count") && has_value) {
      // Redis's getPositiveLongFromObjectOrReply with a message: not a number gets it too.
      if (!ParseInt64(ctx.argv[j + 1], &count) || count < 0) {
        ctx.reply.Error(errors::kCountNegative);
        return;
      }
    } else if (ArgIs(ctx.argv[j], "maxlen") && has_value) {
      if (!ParseInt64(ctx.argv[j + 1], &maxlen) || maxlen < 0) {
        ctx.reply.Error(errors::kMaxlenNegative);
        return;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  bool with_count = count >= 0;
  Value* v =
      LookupReadOrReply(ctx, ctx.argv[1], ObjType::kList, with_count ? ReplyEmptyArray : ReplyNil);
  if (v == nullptr) return;
  const List* list = AsList(v);
  size_t len = list->size();
  bool from_tail = rank < 0;
  // -LLONG_MIN does not fit; any rank that large simply never matches.
  uint64_t skip = from_tail ? static_cast<uint64_t>(-(rank + 1)) : static_cast<uint64_t>(rank - 1);
  size_t limit = maxlen == 0 ? len : std::min(len, static_cast<size_t>(maxlen));
  uint64_t wanted = with_count ? (count == 0 ? UINT64_MAX : static_cast<uint64_t>(count)) : 1;
  size_t token = ctx.reply.BeginArray();
  uint64_t found = 0;
  auto it = from_tail ? list->IteratorAt(len - 1) : list->begin();
  for (size_t k = 0; k < limit && found < wanted; ++k, from_tail ? --it : ++it) {
    size_t i = from_tail ? len - 1 - k : k;
    if (it.view() != ctx.argv[2]) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    ++found;
    if (!with_count) {
      ctx.reply.Integer(static_cast<int64_t>(i));
      return;  // no array header was written
    }
    ctx.reply.Integer(static_cast<int64_t>(i));
  }
  if (with_count) {
    ctx.reply.EndArray(token, found);
  } else {
    ctx.reply.Null();
  }
}

bool ParseWhere(std::string_view arg, bool* left) {
  if (ArgIs(arg, "left")) {
    *left = true;
  } else if (ArgIs(arg, "right")) {
    *left = false;
  } else {
    return false;
  }
  return true;
}

void MoveGeneric(CommandContext& ctx, bool from_left, bool to_left) {
  std::string_view src_key = ctx.argv[1], dst_key = ctx.argv[2];
  Value* src_v = LookupOrReply(ctx, src_key, ObjType::kList, ReplyNil);
  if (src_v == nullptr) return;
  Value* dst_v;
  if (!LookupTyped(ctx, dst_key, ObjType::kList, &dst_v)) return;
  List* src = AsList(src_v);
  std::string item = from_left ? src->PopFront() : src->PopBack();
  List* dst = AsList(dst_v);
  if (dst == nullptr) dst = CreateList(ctx, dst_key);  // node-based dict: src stays valid
  if (to_left) {
    dst->PushFront(item);
  } else {
    dst->PushBack(item);
  }
  ctx.db.AddDirty();
  Notify(ctx, kNotifyList, to_left ? "lpush" : "rpush", dst_key);
  Notify(ctx, kNotifyList, from_left ? "lpop" : "rpop", src_key);
  DeleteIfEmpty(ctx, src_key, src);
  ctx.reply.Bulk(item);
}

void CmdLMove(CommandContext& ctx) {
  bool from_left, to_left;
  if (!ParseWhere(ctx.argv[3], &from_left) || !ParseWhere(ctx.argv[4], &to_left)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  MoveGeneric(ctx, from_left, to_left);
}

void CmdRPopLPush(CommandContext& ctx) { MoveGeneric(ctx, false, true); }

}  // namespace

void RegisterListFamily(CommandTable& table) {
  CommandRegistrar reg(table, "list");
  reg.Add("lpush", -3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdLPush);
  reg.Add("rpush", -3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdRPush);
  reg.Add("lpushx", -3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdLPushX);
  reg.Add("rpushx", -3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdRPushX);
  reg.Add("lpop", -2, kCmdWrite | kCmdFast, {1, 1, 1}, CmdLPop);
  reg.Add("rpop", -2, kCmdWrite | kCmdFast, {1, 1, 1}, CmdRPop);
  reg.Add("lmpop", -4, kCmdWrite | kCmdMovableKeys, {}, CmdLMPop);
  reg.Add("llen", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdLLen);
  reg.Add("lrange", 4, kCmdReadOnly, {1, 1, 1}, CmdLRange);
  reg.Add("lindex", 3, kCmdReadOnly, {1, 1, 1}, CmdLIndex);
  reg.Add("lset", 4, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdLSet);
  reg.Add("linsert", 5, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdLInsert);
  reg.Add("lrem", 4, kCmdWrite, {1, 1, 1}, CmdLRem);
  reg.Add("ltrim", 4, kCmdWrite, {1, 1, 1}, CmdLTrim);
  reg.Add("lpos", -3, kCmdReadOnly, {1, 1, 1}, CmdLPos);
  reg.Add("lmove", 5, kCmdWrite | kCmdDenyOom, {1, 2, 1}, CmdLMove);
  reg.Add("rpoplpush", 3, kCmdWrite | kCmdDenyOom, {1, 2, 1}, CmdRPopLPush);
}

}  // namespace racetrack::engine
