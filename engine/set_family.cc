// Set commands: membership, random members, the algebra (SINTER/SUNION/SDIFF and their STORE
// forms, SINTERCARD), SMOVE and SSCAN.
//
// Argument errors are checked before the keys are looked up, as Redis 7.0 does; the multi-key
// commands check every key's type before anything else (a missing key is an empty set). A set
// never exists empty: removing its last member deletes the key.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/arg_util.h"
#include "engine/ds/set.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

Set* AsSet(Value* v) { return v == nullptr ? nullptr : v->As<Set>(); }


void CmdSAdd(CommandContext& ctx) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kSet, &v)) return;
  Set* set = AsSet(v);
  if (set == nullptr) {
    set = ctx.db.Add(ctx.argv[1], Value(Set::ForFirstMember(ctx.argv[2]))).As<Set>();
  }
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argv.size(); ++i) added += set->Add(ctx.argv[i]);
  if (added > 0) ctx.db.AddDirty(static_cast<uint64_t>(added));
  if (added > 0) Notify(ctx, kNotifySet, "sadd", ctx.argv[1]);
  ctx.reply.Integer(added);
}

void CmdSRem(CommandContext& ctx) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kSet, &v)) return;
  Set* set = AsSet(v);
  int64_t removed = 0;
  if (set != nullptr) {
    for (size_t i = 2; i < ctx.argv.size() && !set->empty(); ++i)
      removed += set->Remove(ctx.argv[i]);
    if (removed > 0) {
      ctx.db.AddDirty(static_cast<uint64_t>(removed));
      Notify(ctx, kNotifySet, "srem", ctx.argv[1]);
      if (set->empty()) DeleteKey(ctx, ctx.argv[1]);
    }
  }
  ctx.reply.Integer(removed);
}

void CmdSIsMember(CommandContext& ctx) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kSet, &v)) return;
  ctx.reply.Integer(v != nullptr && AsSet(v)->Contains(ctx.argv[2]) ? 1 : 0);
}

void CmdSMIsMember(CommandContext& ctx) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kSet, &v)) return;
  const Set* set = AsSet(v);
  ctx.reply.Array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    ctx.reply.Integer(set != nullptr && set->Contains(ctx.argv[i]) ? 1 : 0);
  }
}

void CmdSCard(CommandContext& ctx) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kSet, &v)) return;
  ctx.reply.Integer(v == nullptr ? 0 : static_cast<int64_t>(AsSet(v)->size()));
}

void ReplyMembers(ReplyBuilder& reply, const Set& set) {
  reply.Array(set.size());
  set.ForEach([&reply](std::string_view m) { reply.Bulk(m); });
}

void CmdSMembers(CommandContext& ctx) {
  Value* v = LookupReadOrReply(ctx, ctx.argv[1], ObjType::kSet, ReplyEmptyArray);
  if (v == nullptr) return;
  ReplyMembers(ctx.reply, *AsSet(v));
}

// SPOP is random, so it reaches the append-only log as the SREM of what it popped (as Redis
// propagates it), which replays to the same state.
void PropagateAsSRem(CommandContext& ctx, const std::vector<std::string>& popped) {
  std::vector<std::string> argv;
  argv.reserve(popped.size() + 2);
  argv.emplace_back("srem");
  argv.emplace_back(ctx.argv[1]);
  argv.insert(argv.end(), popped.begin(), popped.end());
  ctx.engine.ReplacePropagation(std::move(argv));
}

void CmdSPop(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  bool with_count = ctx.argv.size() == 3;
  int64_t count = 1;
  if (with_count && !ArgNonNegativeCount(ctx, 2, &count)) return;
  Value* v =
      LookupOrReply(ctx, ctx.argv[1], ObjType::kSet, with_count ? ReplyEmptyArray : ReplyNil);
  if (v == nullptr) return;
  Set* set = AsSet(v);
  if (with_count && count == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  std::vector<std::string> popped;
  bool pop_all = static_cast<uint64_t>(count) >= set->size();
  if (pop_all) {
    popped.reserve(set->size());
    set->ForEach([&popped](std::string_view m) { popped.emplace_back(m); });
  } else {
    popped.reserve(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      popped.push_back(set->Random(ctx.engine.rng()));
      set->Remove(popped.back());
    }
  }
  if (with_count) {
    ctx.reply.Array(popped.size());
    for (const std::string& m : popped) ctx.reply.Bulk(m);
  } else {
    ctx.reply.Bulk(popped[0]);
  }
  ctx.db.AddDirty(popped.size());
  Notify(ctx, kNotifySet, "spop", ctx.argv[1]);
  if (pop_all || set->empty()) DeleteKey(ctx, ctx.argv[1]);
  if (ctx.engine.propagating()) PropagateAsSRem(ctx, popped);  // only when something reads it
}

void CmdSRandMember(CommandContext& ctx) {
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (ctx.argv.size() == 2) {
    Value* v = LookupReadOrReply(ctx, ctx.argv[1], ObjType::kSet, ReplyNil);
    if (v == nullptr) return;
    ctx.reply.Bulk(AsSet(v)->Random(ctx.engine.rng()));
    return;
  }
  int64_t count;
  if (!ArgInt64InRange(ctx, 2, -INT64_MAX, INT64_MAX, &count)) return;
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kSet, &v)) return;
  if (v == nullptr || count == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  const Set* set = AsSet(v);
  auto& rng = ctx.engine.rng();
  if (count < 0) {  // repetitions allowed
    uint64_t n = static_cast<uint64_t>(-count);
    if (!RepeatedPicksFit(ctx, n, 1)) return;
    ctx.reply.Array(n);
    for (uint64_t i = 0; i < n; ++i) ctx.reply.Bulk(set->Random(rng));
    return;
  }
  if (static_cast<uint64_t>(count) >= set->size()) {
    ReplyMembers(ctx.reply, *set);
    return;
  }
  std::vector<std::string> picked = PickDistinct<std::string>(
      static_cast<size_t>(count), set->size(), rng, [&] { return set->Random(rng); },
      [](const std::string& m) { return m; },
      [set](auto add) { set->ForEach([&add](std::string_view m) { add(std::string(m)); }); });
  ctx.reply.Array(picked.size());
  for (const std::string& m : picked) ctx.reply.Bulk(m);
}

// ---- set algebra ----

enum class SetOp { kUnion, kDiff };

// SINTER / SINTERSTORE / SINTERCARD: keys = argv[first, first + n). no dst: reply the members (an
// empty string is a valid destination key); card_only: reply the count (stopping at limit, 0 =
// none).
void InterGeneric(CommandContext& ctx, size_t first, size_t n, std::optional<std::string_view> dst,
                  bool card_only, uint64_t limit) {
  std::vector<const Set*> sets;
  sets.reserve(n);
  bool any_missing = false;
  for (size_t i = first; i < first + n; ++i) {
    Value* v;
    bool ok = !dst && !card_only ? LookupReadTyped(ctx, ctx.argv[i], ObjType::kSet, &v)
                                 : LookupTyped(ctx, ctx.argv[i], ObjType::kSet, &v);
    if (!ok) return;
    any_missing |= v == nullptr;
    sets.push_back(AsSet(v));
  }
  if (any_missing) {  // the intersection with an empty set is empty
    if (card_only) {
      ctx.reply.Integer(0);
    } else if (dst) {
      DeleteKey(ctx, *dst);
      ctx.reply.Integer(0);
    } else {
      ctx.reply.EmptyArray();
    }
    return;
  }
  std::sort(sets.begin(), sets.end(),
            [](const Set* a, const Set* b) { return a->size() < b->size(); });
  auto in_all_others = [&sets](std::string_view m) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != sets[0] && !sets[j]->Contains(m)) return false;
    }
    return true;
  };
  if (card_only) {
    uint64_t card = 0;
    sets[0]->ForEach([&](std::string_view m) {
      if ((limit == 0 || card < limit) && in_all_others(m)) ++card;
    });
    ctx.reply.Integer(static_cast<int64_t>(card));
    return;
  }
  if (!dst) {
    size_t token = ctx.reply.BeginArray();
    size_t count = 0;
    sets[0]->ForEach([&](std::string_view m) {
      if (in_all_others(m)) {
        ctx.reply.Bulk(m);
        ++count;
      }
    });
    ctx.reply.EndArray(token, count);
    return;
  }
  Set result(true);  // Redis starts the result as an intset
  sets[0]->ForEach([&](std::string_view m) {
    if (in_all_others(m)) result.Add(m);
  });
  size_t size = result.size();
  if (size > 0) {
    ctx.db.Set(*dst, Value(std::move(result)));
    Notify(ctx, kNotifySet, "sinterstore", *dst);
  } else {
    DeleteKey(ctx, *dst);
  }
  ctx.reply.Integer(static_cast<int64_t>(size));
}

void UnionDiffGeneric(CommandContext& ctx, size_t first, std::optional<std::string_view> dst,
                      SetOp op) {
  std::vector<const Set*> sets;  // nullptr for a missing key
  for (size_t i = first; i < ctx.argv.size(); ++i) {
    Value* v;
    bool ok = !dst ? LookupReadTyped(ctx, ctx.argv[i], ObjType::kSet, &v)
                   : LookupTyped(ctx, ctx.argv[i], ObjType::kSet, &v);
    if (!ok) return;
    sets.push_back(AsSet(v));
  }
  Set result(true);
  if (op == SetOp::kUnion) {
    for (const Set* s : sets) {
      if (s != nullptr) s->ForEach([&result](std::string_view m) { result.Add(m); });
    }
  } else if (sets[0] != nullptr) {
    sets[0]->ForEach([&](std::string_view m) {
      for (size_t j = 1; j < sets.size(); ++j) {
        if (sets[j] != nullptr && (sets[j] == sets[0] || sets[j]->Contains(m))) return;
      }
      result.Add(m);
    });
  }
  if (!dst) {
    ReplyMembers(ctx.reply, result);
    return;
  }
  size_t size = result.size();
  if (size > 0) {
    ctx.db.Set(*dst, Value(std::move(result)));
    Notify(ctx, kNotifySet, op == SetOp::kUnion ? "sunionstore" : "sdiffstore", *dst);
  } else {
    DeleteKey(ctx, *dst);
  }
  ctx.reply.Integer(static_cast<int64_t>(size));
}

void CmdSInter(CommandContext& ctx) {
  InterGeneric(ctx, 1, ctx.argv.size() - 1, std::nullopt, false, 0);
}
void CmdSInterStore(CommandContext& ctx) {
  InterGeneric(ctx, 2, ctx.argv.size() - 2, ctx.argv[1], false, 0);
}
void CmdSUnion(CommandContext& ctx) { UnionDiffGeneric(ctx, 1, std::nullopt, SetOp::kUnion); }
void CmdSUnionStore(CommandContext& ctx) { UnionDiffGeneric(ctx, 2, ctx.argv[1], SetOp::kUnion); }
void CmdSDiff(CommandContext& ctx) { UnionDiffGeneric(ctx, 1, std::nullopt, SetOp::kDiff); }
void CmdSDiffStore(CommandContext& ctx) { UnionDiffGeneric(ctx, 2, ctx.argv[1], SetOp::kDiff); }

void CmdSInterCard(CommandContext& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.argv[1], &numkeys) || numkeys < 1) {
    ctx.reply.Error(errors::kNumKeysNotPositive);
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.argv.size()) - 2) {
    ctx.reply.Error(errors::kNumKeysOverArgs);
    return;
  }
  int64_t limit = 0;
  for (size_t j = 2 + static_cast<size_t>(numkeys); j < ctx.argv.size(); ++j) {
    if (ArgIs(ctx.argv[j], "limit") && j + 1 < ctx.argv.size()) {
      if (!ParseInt64(ctx.argv[j + 1], &limit) || limit < 0) {
        ctx.reply.Error(errors::kLimitNegative);
        return;
      }
      ++j;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  InterGeneric(ctx, 2, static_cast<size_t>(numkeys), {}, true, static_cast<uint64_t>(limit));
}

void CmdSMove(CommandContext& ctx) {
  std::string_view src_key = ctx.argv[1], dst_key = ctx.argv[2], member = ctx.argv[3];
  Value* src_v = ctx.db.Find(src_key);
  Value* dst_v = ctx.db.Find(dst_key);
  if (src_v == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (src_v->type() != ObjType::kSet || (dst_v != nullptr && dst_v->type() != ObjType::kSet)) {
    ctx.reply.Error(errors::kWrongType);
    return;
  }
  Set* src = AsSet(src_v);
  if (src_v == dst_v) {
    ctx.reply.Integer(src->Contains(member) ? 1 : 0);
    return;
  }
  if (!src->Remove(member)) {
    ctx.reply.Integer(0);
    return;
  }
  ctx.db.AddDirty();
  Notify(ctx, kNotifySet, "srem", src_key);
  if (src->empty()) DeleteKey(ctx, src_key);
  bool added = dst_v == nullptr
                   ? ctx.db.Add(dst_key, Value(Set::ForFirstMember(member))).As<Set>()->Add(member)
                   : AsSet(dst_v)->Add(member);
  if (added) Notify(ctx, kNotifySet, "sadd", dst_key);
  // Only the keys that changed are signalled (WATCH), as Redis: dst not when it had the member.
  ctx.client.no_key_signal = true;
  ctx.engine.SignalModifiedKey(ctx.db.index(), src_key);
  if (added) ctx.engine.SignalModifiedKey(ctx.db.index(), dst_key);
  ctx.reply.Integer(1);
}

void CmdSScan(CommandContext& ctx) {
  uint64_t cursor;
  ScanOptions options;
  Value* v = StartKeyScan(ctx, ObjType::kSet, &cursor, &options);
  if (v == nullptr) return;
  std::vector<std::string> found;
  uint64_t next =
      AsSet(v)->Scan(cursor, static_cast<size_t>(options.count), [&](std::string_view m) {
        if (options.Matches(m)) found.emplace_back(m);
      });
  ReplyScanCursor(ctx, next);
  ctx.reply.Array(found.size());
  for (const std::string& m : found) ctx.reply.Bulk(m);
}

}  // namespace

void RegisterSetFamily(CommandTable& table) {
  CommandRegistrar reg(table, "set");
  reg.Add("sadd", -3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdSAdd);
  reg.Add("srem", -3, kCmdWrite | kCmdFast, {1, 1, 1}, CmdSRem);
  reg.Add("sismember", 3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdSIsMember);
  reg.Add("smismember", -3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdSMIsMember);
  reg.Add("scard", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdSCard);
  reg.Add("smembers", 2, kCmdReadOnly, {1, 1, 1}, CmdSMembers);
  reg.Add("spop", -2, kCmdWrite | kCmdFast, {1, 1, 1}, CmdSPop);
  reg.Add("srandmember", -2, kCmdReadOnly, {1, 1, 1}, CmdSRandMember);
  reg.Add("sinter", -2, kCmdReadOnly, {1, -1, 1}, CmdSInter);
  reg.Add("sinterstore", -3, kCmdWrite | kCmdDenyOom, {1, -1, 1}, CmdSInterStore);
  reg.Add("sunion", -2, kCmdReadOnly, {1, -1, 1}, CmdSUnion);
  reg.Add("sunionstore", -3, kCmdWrite | kCmdDenyOom, {1, -1, 1}, CmdSUnionStore);
  reg.Add("sdiff", -2, kCmdReadOnly, {1, -1, 1}, CmdSDiff);
  reg.Add("sdiffstore", -3, kCmdWrite | kCmdDenyOom, {1, -1, 1}, CmdSDiffStore);
  reg.Add("sintercard", -3, kCmdReadOnly | kCmdMovableKeys, {}, CmdSInterCard);
  reg.Add("smove", 4, kCmdWrite | kCmdFast, {1, 2, 1}, CmdSMove);
  reg.Add("sscan", -3, kCmdReadOnly, {1, 1, 1}, CmdSScan);
}

}  // namespace racetrack::engine
