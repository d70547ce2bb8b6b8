// Hash commands: HSET & co over engine/ds/hash.h.
//
// A hash key exists only while it has fields: HDEL of the last field deletes the key, as in
// Redis. Write handlers change the Hash in place, so they call ctx.db.AddDirty() themselves.
#include <algorithm>
#include <climits>
#include <cmath>
#include <vector>

#include "engine/arg_util.h"
#include "engine/ds/hash.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

Hash* AsHash(Value* v) { return v == nullptr ? nullptr : v->As<Hash>(); }

// Redis's hashTypeLookupWriteOrCreate: the hash at key, created empty if missing; nullptr after
// replying WRONGTYPE. A created hash left empty by a failing command is never observable because
// every caller that creates also adds a field.
Hash* LookupWriteOrCreate(CommandContext& ctx, std::string_view key) {
  Value* v;
  if (!LookupTyped(ctx, key, ObjType::kHash, &v)) return nullptr;
  if (v == nullptr) v = &ctx.db.Add(key, Value(Hash()));
  return v->As<Hash>();
}

// For read commands: false after WRONGTYPE; *out is nullptr when the key is missing.
bool LookupRead(CommandContext& ctx, std::string_view key, Hash** out) {
  Value* v;
  if (!LookupReadTyped(ctx, key, ObjType::kHash, &v)) return false;
  *out = AsHash(v);
  return true;
}

void CmdHSet(CommandContext& ctx) {  // HSET and HMSET
  if (ctx.argv.size() % 2 == 1) {
    ReplyArityError(ctx);
    return;
  }
  Hash* h = LookupWriteOrCreate(ctx, ctx.argv[1]);
  if (h == nullptr) return;
  int64_t created = 0;
  for (size_t i = 2; i < ctx.argv.size(); i += 2) created += h->Set(ctx.argv[i], ctx.argv[i + 1]);
  ctx.db.AddDirty();
  Notify(ctx, kNotifyHash, "hset", ctx.argv[1]);
  if (ctx.spec.name == "hmset") {
    ctx.reply.Ok();
  } else {
    ctx.reply.Integer(created);
  }
}

void CmdHSetNx(CommandContext& ctx) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kHash, &v)) return;
  if (v != nullptr && AsHash(v)->Get(ctx.argv[2]) != nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  Hash* h = LookupWriteOrCreate(ctx, ctx.argv[1]);
  h->Set(ctx.argv[2], ctx.argv[3]);
  ctx.db.AddDirty();
  Notify(ctx, kNotifyHash, "hset", ctx.argv[1]);
  ctx.reply.Integer(1);
}

void CmdHGet(CommandContext& ctx) {
  Hash* h;
  if (!LookupRead(ctx, ctx.argv[1], &h)) return;
  const std::string* val = h == nullptr ? nullptr : h->Get(ctx.argv[2]);
  if (val == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(*val);
  }
}

void CmdHMGet(CommandContext& ctx) {
  Hash* h;
  if (!LookupRead(ctx, ctx.argv[1], &h)) return;
  ctx.reply.Array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    const std::string* val = h == nullptr ? nullptr : h->Get(ctx.argv[i]);
    if (val == nullptr) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(*val);
    }
  }
}

// HGETALL, HKEYS, HVALS: which halves of each pair to send.
void ReplyAll(CommandContext& ctx, bool fields, bool values) {
  Hash* h;
  if (!LookupRead(ctx, ctx.argv[1], &h)) return;
  const bool map = fields && values;  // HGETALL: a map in RESP3
  if (h == nullptr) {
    map ? ctx.reply.Map(0) : ctx.reply.EmptyArray();
    return;
  }
  map ? ctx.reply.Map(h->size()) : ctx.reply.Array(h->size());
  h->ForEach([&](const std::string& f, const std::string& v) {
    if (fields) ctx.reply.Bulk(f);
    if (values) ctx.reply.Bulk(v);
  });
}

void CmdHGetAll(CommandContext& ctx) { ReplyAll(ctx, true, true); }
void CmdHKeys(CommandContext& ctx) { ReplyAll(ctx, true, false); }
void CmdHVals(CommandContext& ctx) { ReplyAll(ctx, false, true); }

void CmdHDel(CommandContext& ctx) {
  Value* v = LookupOrReply(ctx, ctx.argv[1], ObjType::kHash, ReplyZero);
  if (v == nullptr) return;
  Hash* h = AsHash(v);
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    if (h->Erase(ctx.argv[i])) ++deleted;
    if (h->empty()) break;
  }
  if (deleted > 0) Notify(ctx, kNotifyHash, "hdel", ctx.argv[1]);
  if (h->empty()) {
    DeleteKey(ctx, ctx.argv[1]);
  } else if (deleted > 0) {
    ctx.db.AddDirty();
  }
  ctx.reply.Integer(deleted);
}

void CmdHLen(CommandContext& ctx) {
  Hash* h;
  if (!LookupRead(ctx, ctx.argv[1], &h)) return;
  ctx.reply.Integer(h == nullptr ? 0 : static_cast<int64_t>(h->size()));
}

void CmdHExists(CommandContext& ctx) {
  Hash* h;
  if (!LookupRead(ctx, ctx.argv[1], &h)) return;
  ctx.reply.Integer(h != nullptr && h->Get(ctx.argv[2]) != nullptr ? 1 : 0);
}

void CmdHStrLen(CommandContext& ctx) {
  Hash* h;
  if (!LookupRead(ctx, ctx.argv[1], &h)) return;
  const std::string* val = h == nullptr ? nullptr : h->Get(ctx.argv[2]);
  ctx.reply.Integer(val == nullptr ? 0 : static_cast<int64_t>(val->size()));
}

void CmdHIncrBy(CommandContext& ctx) {
  int64_t incr;
  if (!ArgInt64(ctx, 3, &incr)) return;
  Hash* h = LookupWriteOrCreate(ctx, ctx.argv[1]);
  if (h == nullptr) return;
  int64_t old = 0;
  const std::string* cur = h->Get(ctx.argv[2]);
  if (cur != nullptr && !ParseInt64(*cur, &old)) {
    ctx.reply.Error(errors::kHashNotInteger);
    return;
  }
  int64_t sum;
  if (!AddOrReply(ctx, old, incr, &sum)) return;
  h->Set(ctx.argv[2], FormatInt(sum));
  ctx.db.AddDirty();
  Notify(ctx, kNotifyHash, "hincrby", ctx.argv[1]);
  ctx.reply.Integer(sum);
}

void CmdHIncrByFloat(CommandContext& ctx) {
  long double incr;
  if (!ArgLongDouble(ctx, 3, &incr)) return;
  if (std::isnan(incr) || std::isinf(incr)) {
    ctx.reply.Error(errors::kValueNanOrInf);
    return;
  }
  Hash* h = LookupWriteOrCreate(ctx, ctx.argv[1]);
  if (h == nullptr) return;
  long double value = 0;
  const std::string* cur = h->Get(ctx.argv[2]);
  if (cur != nullptr && !ParseLongDouble(*cur, &value)) {
    ctx.reply.Error(errors::kHashNotFloat);
    return;
  }
  if (!AddOrReply(ctx, value, incr, &value)) return;
  std::string text = FormatLongDouble(value);
  h->Set(ctx.argv[2], text);
  ctx.db.AddDirty();
  Notify(ctx, kNotifyHash, "hincrbyfloat", ctx.argv[1]);
  ctx.reply.Bulk(text);
}

void CmdHScan(CommandContext& ctx) {
  uint64_t cursor;
  ScanOptions options;
  Value* v = StartKeyScan(ctx, ObjType::kHash, &cursor, &options);
  if (v == nullptr) return;
  // Copies: a small (listpack) hash hands out decoded strings valid only during the callback.
  std::vector<std::pair<std::string, std::string>> found;
  uint64_t next = AsHash(v)->Scan(cursor, static_cast<size_t>(options.count),
                                  [&](const std::string& f, const std::string& val) {
                                    if (options.Matches(f)) found.emplace_back(f, val);
                                  });
  ReplyScanCursor(ctx, next);
  ctx.reply.Array(found.size() * 2);
  for (const auto& [f, v] : found) {
    ctx.reply.Bulk(f);
    ctx.reply.Bulk(v);
  }
}

// HRANDFIELD key [count [WITHVALUES]] (Redis's hrandfieldWithCountCommand).
void CmdHRandField(CommandContext& ctx) {
  if (ctx.argv.size() == 2) {
    Hash* h;
    if (!LookupRead(ctx, ctx.argv[1], &h)) return;
    if (h == nullptr) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(*h->Random(ctx.engine.rng()).first);
    }
    return;
  }
  int64_t count;
  bool withvalues;
  if (!ParseRandomCount(ctx, "withvalues", &count, &withvalues)) return;
  Hash* h;
  if (!LookupRead(ctx, ctx.argv[1], &h)) return;
  if (h == nullptr || count == 0) {
    ctx.reply.EmptyArray();
    return;
  }
  auto emit = [&](const std::string& f, const std::string& v) {
    ctx.reply.Pair(withvalues);
    ctx.reply.Bulk(f);
    if (withvalues) ctx.reply.Bulk(v);
  };
  if (count < 0) {  // with repetitions: exactly -count picks
    uint64_t n = static_cast<uint64_t>(-count);
    if (!RepeatedPicksFit(ctx, n, withvalues ? 2 : 1)) return;
    ctx.reply.PairArray(n, withvalues);
    for (uint64_t i = 0; i < n; ++i) {
      auto [f, v] = h->Random(ctx.engine.rng());
      emit(*f, *v);
    }
    return;
  }
  if (static_cast<uint64_t>(count) >= h->size()) {  // the whole hash, in its own order
    ctx.reply.PairArray(h->size(), withvalues);
    h->ForEach(emit);
    return;
  }
  // Distinct fields: a partial Fisher-Yates shuffle of all entries.
  // Copies: a small (listpack) hash hands out decoded strings valid only during the callback.
  std::vector<std::pair<std::string, std::string>> all;
  all.reserve(h->size());
  h->ForEach([&](const std::string& f, const std::string& v) { all.emplace_back(f, v); });
  size_t n = static_cast<size_t>(count);
  for (size_t i = 0; i < n; ++i) {
    size_t j = i + ctx.engine.rng()() % (all.size() - i);
    std::swap(all[i], all[j]);
  }
  ctx.reply.PairArray(n, withvalues);
  for (size_t i = 0; i < n; ++i) emit(all[i].first, all[i].second);
}

}  // namespace

void RegisterHashFamily(CommandTable& table) {
  CommandRegistrar reg(table, "hash");
  reg.Add("hset", -4, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdHSet);
  reg.Add("hmset", -4, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdHSet);
  reg.Add("hsetnx", 4, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdHSetNx);
  reg.Add("hget", 3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdHGet);
  reg.Add("hmget", -3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdHMGet);
  reg.Add("hgetall", 2, kCmdReadOnly, {1, 1, 1}, CmdHGetAll);
  reg.Add("hkeys", 2, kCmdReadOnly, {1, 1, 1}, CmdHKeys);
  reg.Add("hvals", 2, kCmdReadOnly, {1, 1, 1}, CmdHVals);
  reg.Add("hdel", -3, kCmdWrite | kCmdFast, {1, 1, 1}, CmdHDel);
  reg.Add("hlen", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdHLen);
  reg.Add("hexists", 3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdHExists);
  reg.Add("hstrlen", 3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdHStrLen);
  reg.Add("hincrby", 4, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdHIncrBy);
  reg.Add("hincrbyfloat", 4, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdHIncrByFloat);
  reg.Add("hscan", -3, kCmdReadOnly, {1, 1, 1}, CmdHScan);
  reg.Add("hrandfield", -2, kCmdReadOnly, {1, 1, 1}, CmdHRandField);
}

}  // namespace racetrack::engine
