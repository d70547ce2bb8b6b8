// Sorted-set commands: ZADD and its flags, score and rank reads, the ZRANGE family (by rank, score
// or member, either direction, LIMIT, WITHSCORES), removals by member and by range, ZPOP*,
// ZRANDMEMBER, ZSCAN, ZRANGESTORE, ZMPOP, and the set algebra ZUNION/ZINTER/ZDIFF (+STORE) and
// ZINTERCARD. (BZMPOP is in blocking_family.cc.)
//
// The order of checks follows Redis 7.0's t_zset.c, because clients see it: options, then the
// range or the scores, then the key's type. Range syntax: scores are strtod numbers ("inf",
// "-inf", "+inf" included, NaN refused) with an optional "(" for an exclusive end; members are
// "[m" (inclusive), "(m" (exclusive), "-" and "+".
//
// Replies use RESP2 shapes: WITHSCORES is a flat array member, score, member, score...; scores are
// bulk strings formatted with %.17g ("inf"/"-inf"), as Redis 7.0 sends them.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/arg_util.h"
#include "engine/ds/set.h"
#include "engine/ds/zset.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

using Iter = ZSet::Iter;

ZSet* AsZSet(Value* v) { return v == nullptr ? nullptr : v->As<ZSet>(); }

// A score: a bulk string in RESP2, a double in RESP3 (Redis's addReplyDouble).
void ReplyScore(ReplyBuilder& reply, double d) { reply.Double(d); }
// ZSCORE and ZMSCORE's answer for one member: its score, or null when it (or the key) is missing.
void ReplyScoreOrNull(ReplyBuilder& reply, std::optional<double> score) {
  if (score) {
    ReplyScore(reply, *score);
  } else {
    reply.Null();
  }
}

// One end of a score range, as Redis's zslParseRange: strtod over the rest of the argument.
bool ParseScoreBound(std::string_view arg, double* value, bool* exclusive) {
  *exclusive = !arg.empty() && arg[0] == '(';
  if (*exclusive) arg.remove_prefix(1);
  char buf[128];
  std::string heap;
  const char* s;
  if (arg.size() < sizeof(buf)) {
    std::char_traits<char>::copy(buf, arg.data(), arg.size());
    buf[arg.size()] = '\0';
    s = buf;
  } else {
    heap.assign(arg);
    s = heap.c_str();
  }
  char* end;
  *value = std::strtod(s, &end);
  return *end == '\0' && !std::isnan(*value);
}

// The score range with its min at argv[min_i] and max at argv[max_i]; on bad input replies
// "min or max is not a float" and returns false.
bool ArgScoreRange(CommandContext& ctx, size_t min_i, size_t max_i, ScoreRange* r) {
  if (ParseScoreBound(ctx.argv[min_i], &r->min, &r->min_exclusive) &&
      ParseScoreBound(ctx.argv[max_i], &r->max, &r->max_exclusive)) {
    return true;
  }
  ctx.reply.Error(errors::kMinMaxNotFloat);
  return false;
}

bool ParseLexBound(std::string_view arg, LexBound* b) {
  if (arg.empty()) return false;
  switch (arg[0]) {
    case '+':
      if (arg.size() != 1) return false;
      b->kind = LexBound::Kind::kPlusInf;
      return true;
    case '-':
      if (arg.size() != 1) return false;
      b->kind = LexBound::Kind::kMinusInf;
      return true;
    case '(':
    case '[':
      b->kind = LexBound::Kind::kValue;
      b->exclusive = arg[0] == '(';
      b->value.assign(arg.substr(1));
      return true;
    default:
      return false;
  }
}

// As ArgScoreRange for a lexicographic range: "min or max not valid string range item".
bool ArgLexRange(CommandContext& ctx, size_t min_i, size_t max_i, LexRange* r) {
  if (ParseLexBound(ctx.argv[min_i], &r->min) && ParseLexBound(ctx.argv[max_i], &r->max)) {
    return true;
  }
  ctx.reply.Error(errors::kMinMaxNotLex);
  return false;
}

// ---- ZADD / ZINCRBY ----

void ZAddGeneric(CommandContext& ctx, bool zincrby) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = zincrby;
  size_t idx = 2;
  if (!zincrby) {
    for (; idx < ctx.argv.size(); ++idx) {
      std::string_view a = ctx.argv[idx];
      if (!ArgFlag(
              a,
              {{"nx", &nx}, {"xx", &xx}, {"ch", &ch}, {"incr", &incr}, {"gt", &gt}, {"lt", &lt}})) {
        break;
      }
    }
  }
  size_t elements = ctx.argv.size() - idx;
  if (elements % 2 != 0 || elements == 0) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  elements /= 2;
  if (nx && xx) {
    ctx.reply.Error(errors::kNotBothNxXx);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply.Error(errors::kZaddGtLtNx);
    return;
  }
  if (incr && elements > 1) {
    ctx.reply.Error(errors::kZaddIncrPair);
    return;
  }
  // Every score must parse before anything changes.
  for (size_t j = 0; j < elements; ++j) {
    double d;
    if (!ArgDouble(ctx, idx + 2 * j, &d)) return;
  }
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kZSet, &v)) return;
  ZSet* zs = AsZSet(v);
  if (zs == nullptr) {
    if (xx) {
      if (incr) {
        ctx.reply.Null();
      } else {
        ctx.reply.Integer(0);
      }
      return;
    }
    // Redis 7.0 starts every new sorted set as a listpack; Insert converts when it outgrows it.
    zs = ctx.db.Add(ctx.argv[1], Value(ZSet())).As<ZSet>();
  }
  const int flags = (nx ? ZSet::kAddNx : 0) | (xx ? ZSet::kAddXx : 0) | (gt ? ZSet::kAddGt : 0) |
                    (lt ? ZSet::kAddLt : 0) | (incr ? ZSet::kAddIncr : 0);
  int64_t added = 0, updated = 0, processed = 0;
  double result = 0;
  for (size_t j = 0; j < elements; ++j) {
    double score;
    ParseDouble(ctx.argv[idx + 2 * j], &score);
    switch (zs->Add(ctx.argv[idx + 2 * j + 1], score, flags, &result)) {
      case ZSet::AddResult::kNaN:
        ctx.reply.Error(errors::kNaNScore);
        return;
      case ZSet::AddResult::kNop:
        continue;
      case ZSet::AddResult::kAdded:
        ++added;
        break;
      case ZSet::AddResult::kUpdated:
        ++updated;
        break;
      case ZSet::AddResult::kUnchanged:
        break;
    }
    ++processed;
  }
  if (added + updated > 0) ctx.db.AddDirty(static_cast<uint64_t>(added + updated));
  if (added + updated > 0) Notify(ctx, kNotifyZset, incr ? "zincr" : "zadd", ctx.argv[1]);
  if (zs->size() == 0) ctx.db.Erase(ctx.argv[1]);  // cannot happen today; keeps invariant 2
  if (incr) {
    if (processed > 0) {
      ReplyScore(ctx.reply, result);
    } else {
      ctx.reply.Null();
    }
  } else {
    ctx.reply.Integer(ch ? added + updated : added);
  }
}

void CmdZAdd(CommandContext& ctx) { ZAddGeneric(ctx, false); }
void CmdZIncrBy(CommandContext& ctx) { ZAddGeneric(ctx, true); }

// ---- reads ----

void CmdZScore(CommandContext& ctx) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kZSet, &v)) return;
  ReplyScoreOrNull(ctx.reply, v == nullptr ? std::nullopt : AsZSet(v)->Score(ctx.argv[2]));
}

void CmdZMScore(CommandContext& ctx) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kZSet, &v)) return;
  const ZSet* zs = AsZSet(v);
  ctx.reply.Array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    ReplyScoreOrNull(ctx.reply, zs == nullptr ? std::nullopt : zs->Score(ctx.argv[i]));
  }
}

void CmdZCard(CommandContext& ctx) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kZSet, &v)) return;
  ctx.reply.Integer(v == nullptr ? 0 : static_cast<int64_t>(AsZSet(v)->size()));
}

void CmdZCount(CommandContext& ctx) {
  ScoreRange r;
  if (!ArgScoreRange(ctx, 2, 3, &r)) return;
  Value* v = LookupReadOrReply(ctx, ctx.argv[1], ObjType::kZSet, ReplyZero);
  if (v != nullptr) ctx.reply.Integer(static_cast<int64_t>(AsZSet(v)->CountInRange(r)));
}

void CmdZLexCount(CommandContext& ctx) {
  LexRange r;
  if (!ArgLexRange(ctx, 2, 3, &r)) return;
  Value* v = LookupReadOrReply(ctx, ctx.argv[1], ObjType::kZSet, ReplyZero);
  if (v != nullptr) ctx.reply.Integer(static_cast<int64_t>(AsZSet(v)->CountInLexRange(r)));
}

// ZRANK / ZREVRANK key member [WITHSCORE] (WITHSCORE as Redis 7.2; 7.0 has arity 3).
void RankGeneric(CommandContext& ctx, bool reverse) {
  if (ctx.argv.size() > 4) {
    ReplyArityError(ctx);
    return;
  }
  bool with_score = false;
  if (ctx.argv.size() == 4 && !ArgFlag(ctx.argv[3], {{"withscore", &with_score}})) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kZSet, &v)) return;
  double score = 0;
  int64_t rank = v == nullptr ? -1 : AsZSet(v)->Rank(ctx.argv[2], reverse, &score);
  if (rank < 0) {
    if (with_score) {
      ctx.reply.NullArray();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  if (with_score) ctx.reply.Array(2);
  ctx.reply.Integer(rank);
  if (with_score) ReplyScore(ctx.reply, score);
}

void CmdZRank(CommandContext& ctx) { RankGeneric(ctx, false); }
void CmdZRevRank(CommandContext& ctx) { RankGeneric(ctx, true); }

// Stores `result` at dst (an empty or null result deletes dst) and replies its size, as Redis's
// *STORE commands do.
void StoreResult(CommandContext& ctx, std::string_view dst, ZSet result, std::string_view event) {
  size_t size = result.size();
  StoreOrDelete(ctx, dst, size == 0 ? std::nullopt : std::optional<Value>(Value(std::move(result))),
                kNotifyZset, event);
  ctx.reply.Integer(static_cast<int64_t>(size));
}

// ---- the ZRANGE family ----

enum class RangeType { kAuto, kRank, kScore, kLex };
// ZREMRANGEBY*'s keyspace events, by RangeType.
constexpr std::string_view kRemRangeEvents[] = {"", "zremrangebyrank", "zremrangebyscore",
                                                "zremrangebylex"};
enum class Direction { kAuto, kForward, kReverse };

void EmitElement(ReplyBuilder& reply, const Iter& it, bool with_scores) {
  reply.Bulk(it.member());
  if (with_scores) ReplyScore(reply, it.score());
}

// One item of a PairArray (resp.h): [member, score] nested in RESP3, flat in RESP2.
void EmitPair(ReplyBuilder& reply, const Iter& it, bool with_scores) {
  reply.Pair(with_scores);
  EmitElement(reply, it, with_scores);
}

// A range in reply order: `count` elements from `first`, stepping backwards when `reverse`.
// ZRANGE replies it, ZRANGESTORE stores it.
struct RangeWalk {
  Iter first;
  size_t count = 0;
  bool reverse = false;

  template <typename F>
  void ForEach(F&& f) const {
    Iter it = first;
    for (size_t i = 0; i < count; ++i) {
      f(static_cast<const Iter&>(it));
      if (reverse) {
        it.Prev();
      } else {
        it.Next();
      }
    }
  }
};

RangeWalk RangeByRank(const ZSet& zs, int64_t start, int64_t end, bool reverse) {
  RangeWalk w;
  w.reverse = reverse;
  int64_t len = static_cast<int64_t>(zs.size());
  if (!ClampRankRange(len, &start, &end)) return w;
  w.count = static_cast<size_t>(end - start + 1);
  w.first = zs.AtRank(static_cast<uint64_t>(reverse ? len - 1 - start : start));
  return w;
}

// From `it` in the direction, skips `offset` elements, then counts up to `limit` (< 0: all) while
// in_range(element) holds.
template <typename InRange>
RangeWalk WalkInRange(Iter it, bool reverse, int64_t offset, int64_t limit, InRange in_range) {
  RangeWalk w;
  w.reverse = reverse;
  if (offset < 0) return w;  // Redis skips everything for a negative offset
  auto step = [reverse](Iter& x) {
    if (reverse) {
      x.Prev();
    } else {
      x.Next();
    }
  };
  for (; it.valid() && offset > 0; --offset) step(it);
  w.first = it;
  while (it.valid() && limit != 0 && in_range(it)) {
    ++w.count;
    if (limit > 0) --limit;
    step(it);
  }
  return w;
}

// ZRANGE and its older forms; with `store`, ZRANGESTORE dst src ... (argv shifted by one, no
// WITHSCORES), which stores the range as a sorted set and replies its size.
void RangeGeneric(CommandContext& ctx, RangeType type, Direction dir, bool store = false) {
  const size_t key_idx = store ? 2 : 1;
  size_t min_idx = key_idx + 1, max_idx = key_idx + 2;
  bool with_scores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = key_idx + 3; j < ctx.argv.size(); ++j) {
    size_t left = ctx.argv.size() - j - 1;
    std::string_view a = ctx.argv[j];
    if (!store && ArgIs(a, "withscores")) {
      with_scores = true;
    } else if (ArgIs(a, "limit") && left >= 2) {
      if (!ArgInt64(ctx, j + 1, &offset) || !ArgInt64(ctx, j + 2, &limit)) return;
      j += 2;
    } else if (dir == Direction::kAuto && ArgIs(a, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && ArgIs(a, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && ArgIs(a, "byscore")) {
      type = RangeType::kScore;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  if (limit != -1 && type == RangeType::kRank) {  // "LIMIT 0 -1" is no limit, as in Redis
    ctx.reply.Error(errors::kZrangeLimitNeedsScoreOrLex);
    return;
  }
  if (with_scores && type == RangeType::kLex) {
    ctx.reply.Error(errors::kZrangeWithscoresByLex);
    return;
  }
  bool reverse = dir == Direction::kReverse;
  if (reverse && type != RangeType::kRank) std::swap(min_idx, max_idx);

  int64_t start = 0, end = 0;
  ScoreRange sr;
  LexRange lr;
  switch (type) {
    case RangeType::kRank:
      if (!ArgInt64(ctx, min_idx, &start) || !ArgInt64(ctx, max_idx, &end)) return;
      break;
    case RangeType::kScore:
      if (!ArgScoreRange(ctx, min_idx, max_idx, &sr)) return;
      break;
    case RangeType::kLex:
      if (!ArgLexRange(ctx, min_idx, max_idx, &lr)) return;
      break;
    case RangeType::kAuto:
      break;
  }
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[key_idx], ObjType::kZSet, &v)) return;
  RangeWalk walk;
  if (v != nullptr) {
    const ZSet& zs = *AsZSet(v);
    switch (type) {
      case RangeType::kRank:
        walk = RangeByRank(zs, start, end, reverse);
        break;
      case RangeType::kScore:
        if (reverse) {
          walk = WalkInRange(zs.LastInRange(sr), true, offset, limit, [&sr](const Iter& it) {
            return SkipList::ValueGteMin(it.score(), sr);
          });
        } else {
          walk = WalkInRange(zs.FirstInRange(sr), false, offset, limit, [&sr](const Iter& it) {
            return SkipList::ValueLteMax(it.score(), sr);
          });
        }
        break;
      case RangeType::kLex:
        if (reverse) {
          walk = WalkInRange(zs.LastInLexRange(lr), true, offset, limit, [&lr](const Iter& it) {
            return SkipList::LexGteMin(it.member(), lr.min);
          });
        } else {
          walk = WalkInRange(zs.FirstInLexRange(lr), false, offset, limit, [&lr](const Iter& it) {
            return SkipList::LexLteMax(it.member(), lr.max);
          });
        }
        break;
      case RangeType::kAuto:
        break;
    }
  }
  if (!store) {
    ctx.reply.PairArray(walk.count, with_scores);
    walk.ForEach([&](const Iter& it) { EmitPair(ctx.reply, it, with_scores); });
    return;
  }
  ZSet result;  // listpack until it outgrows it, as Redis's zsetAdd
  walk.ForEach([&](const Iter& it) { result.Insert(it.member(), it.score()); });
  StoreResult(ctx, ctx.argv[1], std::move(result), "zrangestore");
}

void CmdZRange(CommandContext& ctx) { RangeGeneric(ctx, RangeType::kAuto, Direction::kAuto); }
void CmdZRevRange(CommandContext& ctx) { RangeGeneric(ctx, RangeType::kRank, Direction::kReverse); }
void CmdZRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kScore, Direction::kForward);
}
void CmdZRevRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kScore, Direction::kReverse);
}
void CmdZRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kLex, Direction::kForward);
}
void CmdZRevRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kLex, Direction::kReverse);
}
void CmdZRangeStore(CommandContext& ctx) {
  RangeGeneric(ctx, RangeType::kAuto, Direction::kAuto, true);
}

// ---- removals ----

void CmdZRem(CommandContext& ctx) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kZSet, &v)) return;
  ZSet* zs = AsZSet(v);
  int64_t removed = 0;
  if (zs != nullptr) {
    for (size_t i = 2; i < ctx.argv.size() && zs->size() > 0; ++i)
      removed += zs->Remove(ctx.argv[i]);
    if (removed > 0) {
      ctx.db.AddDirty(static_cast<uint64_t>(removed));
      Notify(ctx, kNotifyZset, "zrem", ctx.argv[1]);
      if (zs->size() == 0) DeleteKey(ctx, ctx.argv[1]);
    }
  }
  ctx.reply.Integer(removed);
}

void RemRangeGeneric(CommandContext& ctx, RangeType type) {
  int64_t start = 0, end = 0;
  ScoreRange sr;
  LexRange lr;
  if (type == RangeType::kRank) {
    if (!ArgInt64(ctx, 2, &start) || !ArgInt64(ctx, 3, &end)) return;
  } else if (type == RangeType::kScore) {
    if (!ArgScoreRange(ctx, 2, 3, &sr)) return;
  } else if (!ArgLexRange(ctx, 2, 3, &lr)) {
    return;
  }
  Value* v = LookupOrReply(ctx, ctx.argv[1], ObjType::kZSet, ReplyZero);
  if (v == nullptr) return;
  ZSet* zs = AsZSet(v);
  size_t removed = 0;
  if (type == RangeType::kRank) {
    int64_t len = static_cast<int64_t>(zs->size());
    if (!ClampRankRange(len, &start, &end)) {
      ctx.reply.Integer(0);
      return;
    }
    removed = zs->RemoveRangeByRank(static_cast<uint64_t>(start), static_cast<uint64_t>(end));
  } else if (type == RangeType::kScore) {
    removed = zs->RemoveRangeByScore(sr);
  } else {
    removed = zs->RemoveRangeByLex(lr);
  }
  if (removed > 0) {
    ctx.db.AddDirty(removed);
    Notify(ctx, kNotifyZset, kRemRangeEvents[static_cast<int>(type)], ctx.argv[1]);
    if (zs->size() == 0) DeleteKey(ctx, ctx.argv[1]);
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

void CmdZRemRangeByRank(CommandContext& ctx) { RemRangeGeneric(ctx, RangeType::kRank); }
void CmdZRemRangeByScore(CommandContext& ctx) { RemRangeGeneric(ctx, RangeType::kScore); }
void CmdZRemRangeByLex(CommandContext& ctx) { RemRangeGeneric(ctx, RangeType::kLex); }

// Replies the lowest (or, max, the highest) element with its score and removes it.
// REQUIRES: zs not empty.
void PopOne(ReplyBuilder& reply, ZSet* zs, bool max) {
  EmitElement(reply, max ? zs->Last() : zs->First(), true);
  uint64_t rank = max ? zs->size() - 1 : 0;
  zs->RemoveRangeByRank(rank, rank);
}

void PopGeneric(CommandContext& ctx, bool max) {
  if (ctx.argv.size() > 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  int64_t count = 1;
  if (ctx.argv.size() == 3 && !ArgNonNegativeCount(ctx, 2, &count)) return;
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kZSet, &v)) return;
  if (v == nullptr || count == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  ZSet* zs = AsZSet(v);
  size_t n = std::min(static_cast<size_t>(count), zs->size());
  // With a count, RESP3 nests the pairs; a plain pop is flat in both protocols.
  const bool nested = ctx.argv.size() == 3 && ctx.reply.resp3();
  nested ? ctx.reply.PairArray(n, true) : ctx.reply.Array(n * 2);
  for (size_t i = 0; i < n; ++i) {
    if (nested) ctx.reply.Pair(true);
    PopOne(ctx.reply, zs, max);
  }
  ctx.db.AddDirty(n);
  if (n > 0) Notify(ctx, kNotifyZset, max ? "zpopmax" : "zpopmin", ctx.argv[1]);
  if (zs->size() == 0) DeleteKey(ctx, ctx.argv[1]);
}

void CmdZPopMin(CommandContext& ctx) { PopGeneric(ctx, false); }
void CmdZPopMax(CommandContext& ctx) { PopGeneric(ctx, true); }

void CmdZRandMember(CommandContext& ctx) {
  if (ctx.argv.size() == 2) {
    Value* v = LookupReadOrReply(ctx, ctx.argv[1], ObjType::kZSet, ReplyNil);
    if (v == nullptr) return;
    ctx.reply.Bulk(AsZSet(v)->Random(ctx.engine.rng()).member());
    return;
  }
  int64_t count;
  bool with_scores;
  if (!ParseRandomCount(ctx, "withscores", &count, &with_scores)) return;
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kZSet, &v)) return;
  if (v == nullptr || count == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  const ZSet* zs = AsZSet(v);
  auto& rng = ctx.engine.rng();
  if (count < 0) {  // repetitions allowed
    uint64_t n = static_cast<uint64_t>(-count);
    if (!RepeatedPicksFit(ctx, n, with_scores ? 2 : 1)) return;
    ctx.reply.PairArray(n, with_scores);
    for (uint64_t i = 0; i < n; ++i) EmitPair(ctx.reply, zs->Random(rng), with_scores);
    return;
  }
  if (static_cast<uint64_t>(count) >= zs->size()) {  // the whole set, highest first (as Redis)
    ctx.reply.PairArray(zs->size(), with_scores);
    for (Iter it = zs->Last(); it.valid(); it.Prev()) EmitPair(ctx.reply, it, with_scores);
    return;
  }
  std::vector<Iter> picked = PickDistinct<Iter>(
      static_cast<size_t>(count), zs->size(), rng, [&] { return zs->Random(rng); },
      [](const Iter& it) { return it.id(); },
      [zs](auto add) {
        for (Iter it = zs->First(); it.valid(); it.Next()) add(it);
      });
  ctx.reply.PairArray(picked.size(), with_scores);
  for (const Iter& it : picked) EmitPair(ctx.reply, it, with_scores);
}

void CmdZScan(CommandContext& ctx) {
  uint64_t cursor;
  ScanOptions options;
  Value* v = StartKeyScan(ctx, ObjType::kZSet, &cursor, &options);
  if (v == nullptr) return;
  const ZSet* zs = AsZSet(v);
  std::vector<Iter> found;
  size_t seen = 0;
  size_t max_buckets = static_cast<size_t>(options.count) * 10;
  // A listpack is returned whole, in order, by its first step (as Redis); the cursor it was
  // given does not matter.
  uint64_t next = zs->encoding() == ZSet::Enc::kListpack ? 0 : cursor;
  do {
    next = zs->Scan(next, [&](const Iter& it) {
      if (options.Matches(it.member())) found.push_back(it);
      ++seen;
    });
  } while (next != 0 && max_buckets-- > 0 && seen < static_cast<size_t>(options.count));
  ReplyScanCursor(ctx, next);
  ctx.reply.Array(found.size() * 2);  // scores as bulk strings in both protocols, as Redis
  for (const Iter& it : found) {
    ctx.reply.Bulk(it.member());
    ctx.reply.Bulk(FormatDouble(it.score()));
  }
}

// ---- ZUNION / ZINTER / ZDIFF (and *STORE), ZINTERCARD ----

enum class Aggregate { kSum, kMin, kMax };

// A source of (member, score) pairs: a sorted set, or a plain set whose members score 1.
struct Source {
  const ZSet* zset = nullptr;
  const Set* set = nullptr;
  double weight = 1.0;
  size_t size() const { return zset ? zset->size() : set ? set->size() : 0; }
  bool Lookup(std::string_view m, double* score) const {
    if (zset) {
      std::optional<double> s = zset->Score(m);
      if (!s) return false;
      *score = *s;
      return true;
    }
    if (set && set->Contains(m)) {
      *score = 1.0;
      return true;
    }
    return false;
  }
  template <typename F>
  void ForEach(F&& f) const {
    if (zset) {
      zset->ForEach(f);
    } else if (set) {
      set->ForEach([&f](std::string_view m) { f(m, 1.0); });
    }
  }
};

void AggregateInto(double* target, double value, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target += value;
      if (std::isnan(*target)) *target = 0.0;  // inf + -inf
      break;
    case Aggregate::kMin:
      *target = std::min(*target, value);
      break;
    case Aggregate::kMax:
      *target = std::max(*target, value);
      break;
  }
}

double Weighted(double score, double weight) {
  double v = score * weight;
  return std::isnan(v) ? 0.0 : v;  // inf * 0
}

enum class SetOp { kUnion, kInter, kDiff };
// Z*STORE's keyspace events, by SetOp.
constexpr std::string_view kStoreEvents[] = {"zunionstore", "zinterstore", "zdiffstore"};

// Redis's zunionInterDiffGenericCommand: ZUNION/ZINTER/ZDIFF (reply the members), their *STORE
// forms (dst != nullptr: store and reply the size) and ZINTERCARD (cardinality_only). numkeys is
// argv[numkeys_idx]; the keys follow; then WEIGHTS / AGGREGATE (not for ZDIFF or ZINTERCARD),
// WITHSCORES (reply forms only), LIMIT (ZINTERCARD only). Keys are type-checked before the options
// are parsed, as in Redis.
void SetAlgebra(CommandContext& ctx, const std::string_view* dst, size_t numkeys_idx, SetOp op,
                bool cardinality_only = false) {
  int64_t numkeys;
  if (!ArgInt64(ctx, numkeys_idx, &numkeys)) return;
  if (numkeys < 1) {
    ctx.reply.Error(errors::NeedsInputKey(ctx.spec.name));
    return;
  }
  if (numkeys > static_cast<int64_t>(ctx.argv.size() - numkeys_idx - 1)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  size_t n = static_cast<size_t>(numkeys);
  std::vector<Source> src(n);
  for (size_t i = 0; i < n; ++i) {
    Value* v = ctx.db.Find(ctx.argv[numkeys_idx + 1 + i]);
    if (v == nullptr) continue;
    if (v->type() == ObjType::kZSet) {
      src[i].zset = v->As<ZSet>();
    } else if (v->type() == ObjType::kSet) {
      src[i].set = v->As<Set>();
    } else {
      ctx.reply.Error(errors::kWrongType);
      return;
    }
  }
  Aggregate agg = Aggregate::kSum;
  bool with_scores = false;
  int64_t limit = 0;  // ZINTERCARD: stop counting there (0: no limit)
  const bool weighted = op != SetOp::kDiff && !cardinality_only;
  size_t j = numkeys_idx + 1 + n;
  while (j < ctx.argv.size()) {
    size_t remaining = ctx.argv.size() - j;
    if (weighted && remaining >= n + 1 && ArgIs(ctx.argv[j], "weights")) {
      ++j;
      for (size_t i = 0; i < n; ++i, ++j) {
        if (!ParseDouble(ctx.argv[j], &src[i].weight)) {
          ctx.reply.Error(errors::kWeightNotFloat);
          return;
        }
      }
    } else if (weighted && remaining >= 2 && ArgIs(ctx.argv[j], "aggregate")) {
      if (!ArgWord(ctx.argv[j + 1],
                   {{"sum", Aggregate::kSum}, {"min", Aggregate::kMin}, {"max", Aggregate::kMax}},
                   &agg)) {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
      j += 2;
    } else if (dst == nullptr && !cardinality_only && ArgIs(ctx.argv[j], "withscores")) {
      with_scores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && ArgIs(ctx.argv[j], "limit")) {
      if (!ParseInt64(ctx.argv[j + 1], &limit) || limit < 0) {
        ctx.reply.Error(errors::kLimitNegative);
        return;
      }
      j += 2;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (op != SetOp::kDiff) {
    // Smallest first, as Redis: fewer lookups for an intersection, and the same order of
    // floating-point additions.
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }
  ZSet result = ZSet::NewSkiplist();  // converted to a listpack at the end if small (STORE)
  size_t max_len = 0;
  int64_t cardinality = 0;
  if (op == SetOp::kUnion) {
    std::unordered_map<std::string, double> acc;
    for (const Source& s : src) {
      s.ForEach([&](std::string_view m, double score) {
        double w = Weighted(score, s.weight);
        auto [it, inserted] = acc.try_emplace(std::string(m), w);
        if (!inserted) AggregateInto(&it->second, w, agg);
      });
    }
    for (const auto& [m, score] : acc) {
      result.Insert(m, score);
      max_len = std::max(max_len, m.size());
    }
  } else if (op == SetOp::kInter) {
    if (src[0].size() > 0) {
      bool done = false;
      src[0].ForEach([&](std::string_view m, double score) {
        if (done) return;
        double total = Weighted(score, src[0].weight);
        for (size_t i = 1; i < n; ++i) {
          double other;
          if (!src[i].Lookup(m, &other)) return;
          AggregateInto(&total, Weighted(other, src[i].weight), agg);
        }
        if (cardinality_only) {
          ++cardinality;
          done = limit > 0 && cardinality >= limit;
          return;
        }
        result.Insert(m, total);
        max_len = std::max(max_len, m.size());
      });
    }
  } else {
    // The first set's members found in none of the others, with their own (unweighted) scores.
    src[0].ForEach([&](std::string_view m, double score) {
      double ignored;
      for (size_t i = 1; i < n; ++i) {
        if (src[i].Lookup(m, &ignored)) return;
      }
      result.Insert(m, score);
      max_len = std::max(max_len, m.size());
    });
  }
  if (cardinality_only) {
    ctx.reply.Integer(cardinality);
    return;
  }
  if (dst != nullptr) {
    if (result.size() > 0) result.ConvertToListpackIfNeeded(max_len);
    StoreResult(ctx, *dst, std::move(result), kStoreEvents[static_cast<int>(op)]);
    return;
  }
  ctx.reply.PairArray(result.size(), with_scores);
  for (Iter it = result.First(); it.valid(); it.Next()) EmitPair(ctx.reply, it, with_scores);
}

void CmdZUnionStore(CommandContext& ctx) { SetAlgebra(ctx, &ctx.argv[1], 2, SetOp::kUnion); }
void CmdZInterStore(CommandContext& ctx) { SetAlgebra(ctx, &ctx.argv[1], 2, SetOp::kInter); }
void CmdZDiffStore(CommandContext& ctx) { SetAlgebra(ctx, &ctx.argv[1], 2, SetOp::kDiff); }
void CmdZUnion(CommandContext& ctx) { SetAlgebra(ctx, nullptr, 1, SetOp::kUnion); }
void CmdZInter(CommandContext& ctx) { SetAlgebra(ctx, nullptr, 1, SetOp::kInter); }
void CmdZDiff(CommandContext& ctx) { SetAlgebra(ctx, nullptr, 1, SetOp::kDiff); }
void CmdZInterCard(CommandContext& ctx) { SetAlgebra(ctx, nullptr, 1, SetOp::kInter, true); }

// ---- ZMPOP ----

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: up to count members (lowest or highest
// scores) from the first key holding a sorted set, as [key, [[member, score], ...]]; a null array
// when none does. Logged as the ZPOPMIN/ZPOPMAX it amounts to, as Redis does.
void CmdZMPop(CommandContext& ctx) {
  ListMPopArgs args;
  if (!ParseMPopArgs(ctx, 1, "min", "max", &args)) return;
  bool min = args.left;
  for (std::string_view key : args.keys) {
    Value* v;
    if (!LookupTyped(ctx, key, ObjType::kZSet, &v)) return;
    if (v == nullptr) continue;
    ZSet* zs = AsZSet(v);
    size_t n = std::min(static_cast<size_t>(args.count), zs->size());
    ctx.reply.Array(2);
    ctx.reply.Bulk(key);
    ctx.reply.Array(n);
    for (size_t i = 0; i < n; ++i) {
      ctx.reply.Array(2);
      PopOne(ctx.reply, zs, !min);
    }
    ctx.db.AddDirty(n);
    ctx.engine.SignalModifiedKey(ctx.db.index(), key);
    ctx.engine.ReplacePropagation(
        {min ? "zpopmin" : "zpopmax", std::string(key), FormatInt(static_cast<int64_t>(n))});
    if (n > 0) Notify(ctx, kNotifyZset, min ? "zpopmin" : "zpopmax", key);
    if (zs->size() == 0) DeleteKey(ctx, key);
    return;
  }
  ctx.reply.NullArray();
}

}  // namespace

void RegisterZSetFamily(CommandTable& table) {
  CommandRegistrar reg(table, "sorted_set");
  reg.Add("zadd", -4, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdZAdd);
  reg.Add("zincrby", 4, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdZIncrBy);
  reg.Add("zscore", 3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdZScore);
  reg.Add("zmscore", -3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdZMScore);
  reg.Add("zcard", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdZCard);
  reg.Add("zcount", 4, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdZCount);
  reg.Add("zlexcount", 4, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdZLexCount);
  reg.Add("zrank", -3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdZRank);
  reg.Add("zrevrank", -3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdZRevRank);
  reg.Add("zrange", -4, kCmdReadOnly, {1, 1, 1}, CmdZRange);
  reg.Add("zrevrange", -4, kCmdReadOnly, {1, 1, 1}, CmdZRevRange);
  reg.Add("zrangebyscore", -4, kCmdReadOnly, {1, 1, 1}, CmdZRangeByScore);
  reg.Add("zrevrangebyscore", -4, kCmdReadOnly, {1, 1, 1}, CmdZRevRangeByScore);
  reg.Add("zrangebylex", -4, kCmdReadOnly, {1, 1, 1}, CmdZRangeByLex);
  reg.Add("zrevrangebylex", -4, kCmdReadOnly, {1, 1, 1}, CmdZRevRangeByLex);
  reg.Add("zrem", -3, kCmdWrite | kCmdFast, {1, 1, 1}, CmdZRem);
  reg.Add("zremrangebyrank", 4, kCmdWrite, {1, 1, 1}, CmdZRemRangeByRank);
  reg.Add("zremrangebyscore", 4, kCmdWrite, {1, 1, 1}, CmdZRemRangeByScore);
  reg.Add("zremrangebylex", 4, kCmdWrite, {1, 1, 1}, CmdZRemRangeByLex);
  reg.Add("zpopmin", -2, kCmdWrite | kCmdFast, {1, 1, 1}, CmdZPopMin);
  reg.Add("zpopmax", -2, kCmdWrite | kCmdFast, {1, 1, 1}, CmdZPopMax);
  reg.Add("zrandmember", -2, kCmdReadOnly, {1, 1, 1}, CmdZRandMember);
  reg.Add("zscan", -3, kCmdReadOnly, {1, 1, 1}, CmdZScan);
  reg.Add("zunionstore", -4, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, {1, 1, 1}, CmdZUnionStore);
  reg.Add("zinterstore", -4, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, {1, 1, 1}, CmdZInterStore);
  reg.Add("zdiffstore", -4, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, {1, 1, 1}, CmdZDiffStore);
  reg.Add("zunion", -3, kCmdReadOnly | kCmdMovableKeys, {}, CmdZUnion);
  reg.Add("zinter", -3, kCmdReadOnly | kCmdMovableKeys, {}, CmdZInter);
  reg.Add("zdiff", -3, kCmdReadOnly | kCmdMovableKeys, {}, CmdZDiff);
  reg.Add("zintercard", -3, kCmdReadOnly | kCmdMovableKeys, {}, CmdZInterCard);
  reg.Add("zrangestore", -5, kCmdWrite | kCmdDenyOom, {1, 2, 1}, CmdZRangeStore);
  reg.Add("zmpop", -4, kCmdWrite | kCmdMovableKeys, {}, CmdZMPop);
}

}  // namespace racetrack::engine
