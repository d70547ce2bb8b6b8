// String commands: GET, SET and its options, counters (INCR & co), ranges.
//
// A string value is a byte string up to proto-max-bulk-len; integers are stored as their decimal
// text and parsed on each INCR (Redis stores small ones as shared integer objects — an
// optimisation of memory, not of behaviour).
//
// The order of checks in each handler follows Redis 7.0's t_string.c, because it decides which
// error a client sees when several things are wrong (e.g. SET's options are parsed before the key
// is looked up; INCRBY parses its increment before the type check).
#include <climits>
#include <cmath>
#include <cstring>

#include "engine/arg_util.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

// ---------------------------------------------------------------------------------------------
// SET / GETEX option parsing (Redis's parseExtendedStringArgumentsOrReply)
// ---------------------------------------------------------------------------------------------

enum SetFlags : uint32_t {
  kSetNx = 1 << 0,
  kSetXx = 1 << 1,
  kSetGet = 1 << 2,
  kSetKeepTtl = 1 << 3,
  kSetPersist = 1 << 4,  // GETEX only
  kSetEx = 1 << 5,
  kSetPx = 1 << 6,
  kSetExAt = 1 << 7,
  kSetPxAt = 1 << 8,
};
constexpr uint32_t kAnyExpire = kSetEx | kSetPx | kSetExAt | kSetPxAt;

struct SetOptions {
  uint32_t flags = 0;
  std::string_view expire;  // the EX/PX/EXAT/PXAT argument, empty if none
};

// Parses argv[first..]. for_set: SET's options; otherwise GETEX's. Replies "syntax error" on a
// bad or conflicting option, as Redis does (an option that conflicts is simply not recognised).
bool ParseSetOptions(CommandContext& ctx, size_t first, bool for_set, SetOptions* o) {
  for (size_t j = first; j < ctx.argv.size(); ++j) {
    std::string_view opt = ctx.argv[j];
    bool has_next = j + 1 < ctx.argv.size();
    uint32_t f = o->flags;
    if (for_set && ArgIs(opt, "nx") && !(f & kSetXx)) {
      o->flags |= kSetNx;
    } else if (for_set && ArgIs(opt, "xx") && !(f & kSetNx)) {
      o->flags |= kSetXx;
    } else if (for_set && ArgIs(opt, "get")) {
      o->flags |= kSetGet;
    } else if (for_set && ArgIs(opt, "keepttl") && !(f & (kAnyExpire | kSetPersist))) {
      o->flags |= kSetKeepTtl;
    } else if (!for_set && ArgIs(opt, "persist") && !(f & (kAnyExpire | kSetKeepTtl))) {
      o->flags |= kSetPersist;
    } else if (has_next && !(f & (kAnyExpire | kSetKeepTtl | kSetPersist)) &&
               (ArgIs(opt, "ex") || ArgIs(opt, "px") || ArgIs(opt, "exat") ||
                ArgIs(opt, "pxat"))) {
      o->flags |= ArgIs(opt, "ex")     ? kSetEx
                  : ArgIs(opt, "px")   ? kSetPx
                  : ArgIs(opt, "exat") ? kSetExAt
                                       : kSetPxAt;
      o->expire = ctx.argv[++j];
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Turns an EX/PX/EXAT/PXAT argument into an absolute Unix-ms deadline (getExpireMillisecondsOrReply):
// it must be a positive integer and must not overflow once converted and made absolute.
bool ExpireDeadline(CommandContext& ctx, std::string_view arg, uint32_t flags, int64_t* when) {
  int64_t v;
  if (!ParseInt64(arg, &v)) {
    ctx.reply.Error(errors::kNotInteger);
    return false;
  }
  bool seconds = flags & (kSetEx | kSetExAt);
  if (v <= 0 || (seconds && v > INT64_MAX / 1000)) {
    ReplyInvalidExpire(ctx);
    return false;
  }
  if (seconds) v *= 1000;
  if (flags & (kSetEx | kSetPx)) {
    if (v > INT64_MAX - ctx.now_ms) {
      ReplyInvalidExpire(ctx);
      return false;
    }
    v += ctx.now_ms;
  }
  *when = v;
  return true;
}

// Replies with the string at key (null if missing). Returns false after WRONGTYPE.
bool ReplyGet(CommandContext& ctx, std::string_view key) {
  Value* v;
  if (!LookupReadTyped(ctx, key, ObjType::kString, &v)) return false;
  if (v == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(v->str());
  }
  return true;
}

// Redis's checkStringLength: the size a write would produce must fit proto-max-bulk-len.
bool CheckStringLength(CommandContext& ctx, uint64_t size, uint64_t append) {
  uint64_t total = size + append;
  if (total < size || total > static_cast<uint64_t>(ctx.engine.config().proto_max_bulk_len)) {
    ctx.reply.Error(errors::kStringTooLong);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

void CmdGet(CommandContext& ctx) { ReplyGet(ctx, ctx.argv[1]); }

// The shared body of SET, SETNX, SETEX and PSETEX (Redis's setGenericCommand). ok_reply and
// abort_reply are what SETNX answers instead of +OK / null.
void SetGeneric(CommandContext& ctx, const SetOptions& o, std::string_view key,
                std::string_view value, bool setnx_replies) {
  int64_t when = -1;
  if (!o.expire.empty() || (o.flags & kAnyExpire)) {
    if (!ExpireDeadline(ctx, o.expire, o.flags, &when)) return;
  }
  if ((o.flags & kSetGet) && !ReplyGet(ctx, key)) return;
  bool found = ctx.db.Find(key) != nullptr;
  if (((o.flags & kSetNx) && found) || ((o.flags & kSetXx) && !found)) {
    if (!(o.flags & kSetGet)) {
      if (setnx_replies) {
        ctx.reply.Integer(0);
      } else {
        ctx.reply.Null();
      }
    }
    return;
  }
  ctx.db.Set(key, Value(value), (o.flags & kSetKeepTtl) != 0);
  Notify(ctx, kNotifyString, "set", key);
  if (when >= 0) {
    ctx.db.SetExpire(key, when);
    Notify(ctx, kNotifyGeneric, "expire", key);
    // Propagated as SET key value PXAT <absolute ms>, as Redis rewrites every expiring SET.
    ctx.engine.ReplacePropagation(
        {"SET", std::string(key), std::string(value), "PXAT", FormatInt(when)});
  } else if (o.flags & kSetGet) {  // and without its GET argument
    std::vector<std::string> argv(ctx.argv.begin(), ctx.argv.begin() + 3);
    for (size_t i = 3; i < ctx.argv.size(); ++i) {
      if (!ArgIs(ctx.argv[i], "get")) argv.emplace_back(ctx.argv[i]);
    }
    ctx.engine.ReplacePropagation(std::move(argv));
  }
  if (!(o.flags & kSetGet)) {
    if (setnx_replies) {
      ctx.reply.Integer(1);
    } else {
      ctx.reply.Ok();
    }
  }
}

void CmdSet(CommandContext& ctx) {
  SetOptions o;
  if (!ParseSetOptions(ctx, 3, /*for_set=*/true, &o)) return;
  SetGeneric(ctx, o, ctx.argv[1], ctx.argv[2], false);
}

void CmdSetNx(CommandContext& ctx) {
  SetOptions o{.flags = kSetNx};
  SetGeneric(ctx, o, ctx.argv[1], ctx.argv[2], true);
}

void CmdSetEx(CommandContext& ctx) {  // SETEX and PSETEX: key, time, value
  SetOptions o{.flags = ctx.spec.name == "setex" ? kSetEx : kSetPx, .expire = ctx.argv[2]};
  SetGeneric(ctx, o, ctx.argv[1], ctx.argv[3], false);
}

void CmdGetSet(CommandContext& ctx) {
  if (!ReplyGet(ctx, ctx.argv[1])) return;
  ctx.db.Set(ctx.argv[1], Value(ctx.argv[2]));
  Notify(ctx, kNotifyString, "set", ctx.argv[1]);
}

void CmdGetDel(CommandContext& ctx) {
  if (!ReplyGet(ctx, ctx.argv[1])) return;
  if (DeleteKey(ctx, ctx.argv[1])) ctx.engine.ReplacePropagation({"DEL", std::string(ctx.argv[1])});
}

void CmdGetEx(CommandContext& ctx) {
  SetOptions o;
  if (!ParseSetOptions(ctx, 2, /*for_set=*/false, &o)) return;
  Value* v = LookupReadOrReply(ctx, ctx.argv[1], ObjType::kString, ReplyNil);
  if (v == nullptr) return;
  int64_t when = -1;
  if ((o.flags & kAnyExpire) && !ExpireDeadline(ctx, o.expire, o.flags, &when)) return;
  ctx.reply.Bulk(v->str());
  // Propagated as what it did (Redis's GETEX rewrites): DEL, PEXPIREAT or PERSIST.
  const std::string key(ctx.argv[1]);
  if (when >= 0 && when <= ctx.now_ms) {
    ctx.db.Erase(key);  // a past EXAT/PXAT deletes the key (a deletion, not an expiry)
    ctx.engine.ReplacePropagation({"DEL", key});
    Notify(ctx, kNotifyGeneric, "del", key);
  } else if (when >= 0) {
    ctx.db.SetExpire(key, when);
    ctx.engine.ReplacePropagation({"PEXPIREAT", key, FormatInt(when)});
    Notify(ctx, kNotifyGeneric, "expire", key);
  } else if ((o.flags & kSetPersist) && ctx.db.Persist(key)) {
    ctx.engine.ReplacePropagation({"PERSIST", key});
    Notify(ctx, kNotifyGeneric, "persist", key);
  }
}

void CmdMGet(CommandContext& ctx) {
  ctx.reply.Array(ctx.argv.size() - 1);
  for (size_t i = 1; i < ctx.argv.size(); ++i) {
    Value* v = ctx.db.Find(ctx.argv[i]);
    if (v == nullptr) ++ctx.engine.stats().keyspace_misses;
    else ++ctx.engine.stats().keyspace_hits;
    if (v == nullptr || !v->is_string()) {
      ctx.reply.Null();  // MGET never fails on a wrong type: it answers null for that key
    } else {
      ctx.reply.Bulk(v->str());
    }
  }
}

void CmdMSet(CommandContext& ctx) {  // MSET and MSETNX
  if (ctx.argv.size() % 2 == 0) {
    ReplyArityError(ctx);
    return;
  }
  bool nx = ctx.spec.name == "msetnx";
  if (nx) {
    for (size_t i = 1; i < ctx.argv.size(); i += 2) {
      if (ctx.db.Find(ctx.argv[i]) != nullptr) {
        ctx.reply.Integer(0);
        return;
      }
    }
  }
  for (size_t i = 1; i < ctx.argv.size(); i += 2) {
    ctx.db.Set(ctx.argv[i], Value(ctx.argv[i + 1]));
    Notify(ctx, kNotifyString, "set", ctx.argv[i]);
  }
  if (nx) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Ok();
  }
}

void CmdAppend(CommandContext& ctx) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
  std::string_view add = ctx.argv[2];
  if (v == nullptr) {
    Value& nv = ctx.db.Add(ctx.argv[1], Value(add));
    Notify(ctx, kNotifyString, "append", ctx.argv[1]);
    ctx.reply.Integer(static_cast<int64_t>(nv.str().size()));
    return;
  }
  if (!CheckStringLength(ctx, v->str().size(), add.size())) return;
  v->mutable_str().append(add);  // now "raw", as Redis unshares it
  ctx.db.AddDirty();
  Notify(ctx, kNotifyString, "append", ctx.argv[1]);
  ctx.reply.Integer(static_cast<int64_t>(v->str().size()));
}

void CmdStrLen(CommandContext& ctx) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
  ctx.reply.Integer(v == nullptr ? 0 : static_cast<int64_t>(v->str().size()));
}

void CmdGetRange(CommandContext& ctx) {
  int64_t start, end;
  if (!ArgInt64(ctx, 2, &start) || !ArgInt64(ctx, 3, &end)) return;
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
  if (v == nullptr) {
    ctx.reply.Bulk("");
    return;
  }
  std::string_view s = v->str();
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.Bulk("");
    return;
  }
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    ctx.reply.Bulk("");
    return;
  }
  ctx.reply.Bulk(s.substr(static_cast<size_t>(start),
                                            static_cast<size_t>(end - start + 1)));
}

void CmdSetRange(CommandContext& ctx) {
  int64_t offset;
  if (!ArgInt64(ctx, 2, &offset)) return;
  if (offset < 0) {
    ctx.reply.Error(errors::kOffsetOutOfRange);
    return;
  }
  std::string_view patch = ctx.argv[3];
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
  if (v == nullptr) {
    if (patch.empty()) {  // setting nothing on a missing key creates nothing
      ctx.reply.Integer(0);
      return;
    }
    if (!CheckStringLength(ctx, static_cast<uint64_t>(offset), patch.size())) return;
    v = &ctx.db.Add(ctx.argv[1], Value());
  } else {
    if (patch.empty()) {
      ctx.reply.Integer(static_cast<int64_t>(v->str().size()));
      return;
    }
    if (!CheckStringLength(ctx, static_cast<uint64_t>(offset), patch.size())) return;
    ctx.db.AddDirty();
  }
  std::string& s = v->mutable_str();  // "raw", as Redis
  size_t need = static_cast<size_t>(offset) + patch.size();
  if (s.size() < need) s.resize(need, '\0');
  std::memcpy(s.data() + offset, patch.data(), patch.size());
  Notify(ctx, kNotifyString, "setrange", ctx.argv[1]);
  ctx.reply.Integer(static_cast<int64_t>(s.size()));
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence by
// the textbook O(N*M) table (Redis's lcsCommand), walked back from the end to emit the string or
// the matched ranges, last range first, as Redis does. The table is refused when it would exceed
// proto-max-bulk-len bytes, so one command cannot take unbounded memory.
void CmdLcs(CommandContext& ctx) {
  Value* va = ctx.db.Find(ctx.argv[1]);
  Value* vb = ctx.db.Find(ctx.argv[2]);
  ++(va ? ctx.engine.stats().keyspace_hits : ctx.engine.stats().keyspace_misses);
  ++(vb ? ctx.engine.stats().keyspace_hits : ctx.engine.stats().keyspace_misses);
  if ((va && !va->is_string()) || (vb && !vb->is_string())) {
    ctx.reply.Error(errors::kLcsNotStrings);
    return;
  }
  // Views into the values: nothing below writes to the keyspace.
  std::string_view a = va ? std::string_view(va->str()) : std::string_view();
  std::string_view b = vb ? std::string_view(vb->str()) : std::string_view();
  bool get_len = false, get_idx = false, with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < ctx.argv.size(); ++j) {
    std::string_view opt = ctx.argv[j];
    bool more = j + 1 < ctx.argv.size();
    if (ArgFlag(opt, {{"idx", &get_idx}, {"len", &get_len}, {"withmatchlen", &with_match_len}})) {
      continue;
    }
    if (ArgIs(opt, "minmatchlen") && more) {
      if (!ArgInt64AtLeastZero(ctx, j + 1, &min_match_len)) return;
      ++j;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (get_len && get_idx) {
    ctx.reply.Error(errors::kLcsLenAndIdx);
    return;
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    ctx.reply.Error(errors::kLcsStringTooLong);
    return;
  }
  const uint64_t alen = a.size(), blen = b.size();
  uint64_t cells = (alen + 1) * (blen + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(ctx.engine.config().proto_max_bulk_len)) {
    ctx.reply.Error(errors::kLcsTransientMemory);
    return;
  }
  std::vector<uint32_t> table(cells, 0);
  auto at = [&](uint64_t i, uint64_t j) -> uint32_t& { return table[j + i * (blen + 1)]; };
  for (uint64_t i = 1; i <= alen; ++i) {
    for (uint64_t j = 1; j <= blen; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  uint32_t total = at(alen, blen);
  if (get_len) {
    ctx.reply.Integer(total);
    return;
  }
  std::string result(total, '\0');
  size_t token = 0;
  int64_t ranges = 0;
  if (get_idx) {
    ctx.reply.Array(4);
    ctx.reply.Bulk("matches");
    token = ctx.reply.BeginArray();
  }
  // A range [a_start, a_end] in a matching [b_start, b_end], grown backwards; a_start == alen
  // means "no range open".
  uint64_t a_start = alen, a_end = 0, b_start = 0, b_end = 0;
  uint64_t i = alen, j = blen, idx = total;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[--idx] = a[i - 1];
      if (a_start == alen) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {
        --a_start;
        --b_start;
      } else {
        emit = true;
      }
      if (a_start == 0 || b_start == 0) emit = true;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) --i;
      else --j;
      if (a_start != alen) emit = true;
    }
    if (emit) {
      uint64_t match_len = a_end - a_start + 1;
      if (get_idx && (min_match_len == 0 || match_len >= static_cast<uint64_t>(min_match_len))) {
        ctx.reply.Array(with_match_len ? 3 : 2);
        ctx.reply.Array(2);
        ctx.reply.Integer(static_cast<int64_t>(a_start));
        ctx.reply.Integer(static_cast<int64_t>(a_end));
        ctx.reply.Array(2);
        ctx.reply.Integer(static_cast<int64_t>(b_start));
        ctx.reply.Integer(static_cast<int64_t>(b_end));
        if (with_match_len) ctx.reply.Integer(static_cast<int64_t>(match_len));
        ++ranges;
      }
      a_start = alen;
    }
  }
  if (get_idx) {
    ctx.reply.EndArray(token, static_cast<size_t>(ranges));
    ctx.reply.Bulk("len");
    ctx.reply.Integer(total);
  } else {
    ctx.reply.Bulk(result);
  }
}

// The new value of INCR*/DECR* at argv[1]: added when v (its old value) is null, else replaced in
// place, so the TTL and the access clock stay, as in Redis.
void StoreCounter(CommandContext& ctx, Value* v, Value result) {
  if (v == nullptr) {
    ctx.db.Add(ctx.argv[1], std::move(result));
    return;
  }
  uint32_t clock = v->access_clock;
  *v = std::move(result);
  v->access_clock = clock;
  ctx.db.AddDirty();
}

// INCR, DECR, INCRBY, DECRBY after their increment is known (Redis's incrDecrCommand).
void IncrBy(CommandContext& ctx, int64_t incr) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
  int64_t old = 0;
  if (v != nullptr && !ParseInt64(v->str(), &old)) {
    ctx.reply.Error(errors::kNotInteger);
    return;
  }
  int64_t result;
  if (!AddOrReply(ctx, old, incr, &result)) return;
  StoreCounter(ctx, v, Value::FromInt(result));
  Notify(ctx, kNotifyString, "incrby", ctx.argv[1]);
  ctx.reply.Integer(result);
}

void CmdIncr(CommandContext& ctx) { IncrBy(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrBy(ctx, -1); }

void CmdIncrBy(CommandContext& ctx) {
  int64_t incr;
  if (!ArgInt64(ctx, 2, &incr)) return;
  IncrBy(ctx, incr);
}

void CmdDecrBy(CommandContext& ctx) {
  int64_t decr;
  if (!ArgInt64(ctx, 2, &decr)) return;
  if (decr == INT64_MIN) {  // -decr would overflow
    ctx.reply.Error(errors::kDecrOverflow);
    return;
  }
  IncrBy(ctx, -decr);
}

void CmdIncrByFloat(CommandContext& ctx) {
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
  long double value = 0, incr;
  if ((v != nullptr && !ParseLongDouble(v->str(), &value)) || !ParseLongDouble(ctx.argv[2], &incr)) {
    ctx.reply.Error(errors::kNotFloat);
    return;
  }
  if (!AddOrReply(ctx, value, incr, &value)) return;
  std::string text = FormatLongDouble(value);
  StoreCounter(ctx, v, Value::Embstr(text));  // never "int" (Redis does not re-encode it)
  Notify(ctx, kNotifyString, "incrbyfloat", ctx.argv[1]);
  // Propagated as the value it produced, as Redis (a float sum may differ on a replica).
  if (ctx.engine.propagating()) {
    ctx.engine.ReplacePropagation({"SET", std::string(ctx.argv[1]), text, "KEEPTTL"});
  }
  ctx.reply.Bulk(text);
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

}  // namespace

void RegisterStringFamily(CommandTable& table) {
  CommandRegistrar reg(table, "string");
  reg.Add("get", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdGet);
  reg.Add("set", -3, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdSet);
  reg.Add("setnx", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdSetNx);
  reg.Add("setex", 4, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdSetEx);
  reg.Add("psetex", 4, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdSetEx);
  reg.Add("getset", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdGetSet);
  reg.Add("getdel", 2, kCmdWrite | kCmdFast, {1, 1, 1}, CmdGetDel);
  reg.Add("getex", -2, kCmdWrite | kCmdFast, {1, 1, 1}, CmdGetEx);
  reg.Add("mget", -2, kCmdReadOnly | kCmdFast, {1, -1, 1}, CmdMGet);
  reg.Add("mset", -3, kCmdWrite | kCmdDenyOom, {1, -1, 2}, CmdMSet);
  reg.Add("msetnx", -3, kCmdWrite | kCmdDenyOom, {1, -1, 2}, CmdMSet);
  reg.Add("append", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdAppend);
  reg.Add("strlen", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdStrLen);
  reg.Add("getrange", 4, kCmdReadOnly, {1, 1, 1}, CmdGetRange);
  reg.Add("setrange", 4, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdSetRange);
  reg.Add("incr", 2, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdIncr);
  reg.Add("incrby", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdIncrBy);
  reg.Add("incrbyfloat", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdIncrByFloat);
  reg.Add("decr", 2, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdDecr);
  reg.Add("decrby", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdDecrBy);
  reg.Add("substr", 4, kCmdReadOnly, {1, 1, 1}, CmdGetRange);
  reg.Add("lcs", -3, kCmdReadOnly, {1, 2, 1}, CmdLcs);
}

}  // namespace racetrack::engine
