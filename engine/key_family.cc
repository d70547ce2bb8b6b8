// Generic key commands: existence, deletion, expiry, renaming, iteration (KEYS, SCAN), TYPE,
// OBJECT ENCODING/FREQ/IDLETIME, MOVE, COPY, WAIT, and the whole-keyspace commands DBSIZE, FLUSHDB,
// FLUSHALL, SWAPDB. (SORT lives in sort.cc.)
//
// Expiry deadlines are absolute Unix milliseconds (Db::Entry::expire_ms). Every command that takes
// a relative time turns it into a deadline with overflow checks, because Redis answers "invalid
// expire time" rather than silently wrapping.
#include <climits>
#include <string>
#include <vector>

#include "engine/arg_util.h"
#include "engine/blocking.h"
#include "engine/evict.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

void CmdDel(CommandContext& ctx) {  // DEL and UNLINK (no lazy freeing here: values are small)
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argv.size(); ++i) n += DeleteKey(ctx, ctx.argv[i]) ? 1 : 0;
  ctx.reply.Integer(n);
}

void CmdExists(CommandContext& ctx) {  // EXISTS and TOUCH: a key named twice counts twice
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argv.size(); ++i) n += ctx.db.Find(ctx.argv[i]) != nullptr ? 1 : 0;
  ctx.reply.Integer(n);
}

// ---------------------------------------------------------------------------------------------
// Expiry
// ---------------------------------------------------------------------------------------------

enum ExpireFlag : uint32_t { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (Redis's expireGenericCommand).
void CmdExpire(CommandContext& ctx) {
  const std::string& name = ctx.spec.name;
  bool seconds = name == "expire" || name == "expireat";
  int64_t basetime = (name == "expire" || name == "pexpire") ? ctx.now_ms : 0;

  uint32_t flags = 0;
  for (size_t j = 3; j < ctx.argv.size(); ++j) {
    std::string_view opt = ctx.argv[j];
    if (ArgIs(opt, "nx")) flags |= kNx;
    else if (ArgIs(opt, "xx")) flags |= kXx;
    else if (ArgIs(opt, "gt")) flags |= kGt;
    else if (ArgIs(opt, "lt")) flags |= kLt;
    else {
      ctx.reply.Error(errors::UnsupportedOption(opt));
      return;
    }
  }
  if ((flags & kNx) && (flags & (kXx | kGt | kLt))) {
    ctx.reply.Error(errors::kExpireNxWithOthers);
    return;
  }
  if ((flags & kGt) && (flags & kLt)) {
    ctx.reply.Error(errors::kGtAndLt);
    return;
  }

  int64_t when;
  if (!ArgInt64(ctx, 2, &when)) return;
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) {
      ReplyInvalidExpire(ctx);
      return;
    }
    when *= 1000;
  }
  if (when > INT64_MAX - basetime) {
    ReplyInvalidExpire(ctx);
    return;
  }
  when += basetime;

  std::string_view key = ctx.argv[1];
  if (ctx.db.Find(key) == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  int64_t current = ctx.db.GetExpire(key);
  // -1 (no TTL) counts as an infinite TTL: GT never beats it, LT always does.
  if (((flags & kNx) && current != -1) || ((flags & kXx) && current == -1) ||
      ((flags & kGt) && (current == -1 || when <= current)) ||
      ((flags & kLt) && current != -1 && when >= current)) {
    ctx.reply.Integer(0);
    return;
  }
  // Propagated as DEL or with the absolute deadline (PEXPIREAT), as Redis rewrites EXPIRE & co.
  if (when <= ctx.now_ms) {
    ctx.db.Erase(key);  // a deadline already past deletes the key now
    ctx.engine.ReplacePropagation({"DEL", std::string(key)});
    Notify(ctx, kNotifyGeneric, "del", key);
  } else {
    ctx.db.SetExpire(key, when);
    ctx.engine.ReplacePropagation({"PEXPIREAT", std::string(key), FormatInt(when)});
    Notify(ctx, kNotifyGeneric, "expire", key);
  }
  ctx.reply.Integer(1);
}

// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 missing key, -1 no TTL; seconds are rounded.
void CmdTtl(CommandContext& ctx) {
  const std::string& name = ctx.spec.name;
  bool ms = name == "pttl" || name == "pexpiretime";
  bool absolute = name == "expiretime" || name == "pexpiretime";
  std::string_view key = ctx.argv[1];
  if (ctx.db.Find(key) == nullptr) {
    ctx.reply.Integer(-2);
    return;
  }
  int64_t expire = ctx.db.GetExpire(key);
  if (expire == -1) {
    ctx.reply.Integer(-1);
    return;
  }
  int64_t ttl = absolute ? expire : expire - ctx.now_ms;
  if (ttl < 0) ttl = 0;
  ctx.reply.Integer(ms ? ttl : (ttl + 500) / 1000);
}

void CmdPersist(CommandContext& ctx) {
  std::string_view key = ctx.argv[1];
  bool persisted = ctx.db.Find(key) != nullptr && ctx.db.Persist(key);
  if (persisted) Notify(ctx, kNotifyGeneric, "persist", key);
  ctx.reply.Integer(persisted ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Type, rename, iteration
// ---------------------------------------------------------------------------------------------

void CmdType(CommandContext& ctx) {
  Value* v = ctx.db.Find(ctx.argv[1]);
  ctx.reply.Status(v == nullptr ? "none" : TypeName(v->type()));
}

void CmdRename(CommandContext& ctx) {  // RENAME and RENAMENX
  bool nx = ctx.spec.name == "renamenx";
  std::string_view src = ctx.argv[1], dst = ctx.argv[2];
  Value* v = ctx.db.Find(src);
  if (v == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  if (src == dst) {
    if (nx) ctx.reply.Integer(0);
    else ctx.reply.Ok();
    return;
  }
  if (nx && ctx.db.Find(dst) != nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  int64_t expire = ctx.db.GetExpire(src);
  Value moved = std::move(*v);
  ctx.db.Erase(src);
  ctx.db.Set(dst, std::move(moved));  // drops dst's own TTL, if any
  if (expire >= 0) ctx.db.SetExpire(dst, expire);
  Notify(ctx, kNotifyGeneric, "rename_from", src);
  Notify(ctx, kNotifyGeneric, "rename_to", dst);
  if (nx) ctx.reply.Integer(1);
  else ctx.reply.Ok();
}

// Redis's getIntFromObjectOrReply: an integer that fits an int, else `error`.
bool ArgInt(CommandContext& ctx, size_t i, std::string_view error, int* out) {
  int64_t n;
  if (!ParseInt64(ctx.argv[i], &n) || n < INT32_MIN || n > INT32_MAX) {
    ctx.reply.Error(error);
    return false;
  }
  *out = static_cast<int>(n);
  return true;
}

bool ValidDb(CommandContext& ctx, int index) {
  if (index >= 0 && index < ctx.engine.num_dbs()) return true;
  ctx.reply.Error(errors::kDbIndexOutOfRange);
  return false;
}

// A db number argument as Redis's getIntFromObjectOrReply + selectDb: an int, then in range.
bool ArgDbIndex(CommandContext& ctx, size_t i, int* out) {
  return ArgInt(ctx, i, errors::kNotInteger, out) && ValidDb(ctx, *out);
}

// MOVE key db: the value and its TTL go to another db, unless the key already exists there.
void CmdMove(CommandContext& ctx) {
  int dst_index;
  if (!ArgDbIndex(ctx, 2, &dst_index)) return;
  if (dst_index == ctx.db.index()) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  std::string_view key = ctx.argv[1];
  Value* v = ctx.db.Find(key);
  if (v == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  Db& dst = ctx.engine.db(dst_index);
  if (dst.Find(key) != nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  int64_t expire = ctx.db.GetExpire(key);
  dst.Add(key, std::move(*v));
  if (expire >= 0) dst.SetExpire(key, expire);
  ctx.db.Erase(key);  // counts the change that propagates MOVE (the client's db)
  ctx.engine.SignalModifiedKey(dst_index, key);
  Notify(ctx, kNotifyGeneric, "move_from", key);
  NotifyKeyspaceEvent(ctx.engine, kNotifyGeneric, "move_to", key, dst_index);
  ctx.reply.Integer(1);
}

// COPY source destination [DB db] [REPLACE]: a deep copy (Value::Clone) with the source's TTL.
void CmdCopy(CommandContext& ctx) {
  int dst_index = ctx.db.index();
  bool replace = false;
  for (size_t j = 3; j < ctx.argv.size(); ++j) {
    if (ArgIs(ctx.argv[j], "replace")) {
      replace = true;
    } else if (ArgIs(ctx.argv[j], "db") && j + 1 < ctx.argv.size()) {
      if (!ArgDbIndex(ctx, j + 1, &dst_index)) return;
      ++j;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  std::string_view src_key = ctx.argv[1], dst_key = ctx.argv[2];
  if (dst_index == ctx.db.index() && src_key == dst_key) {
    ctx.reply.Error(errors::kSameObject);
    return;
  }
  Value* v = ctx.db.Find(src_key);
  ++(v ? ctx.engine.stats().keyspace_hits : ctx.engine.stats().keyspace_misses);
  if (v == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  Db& dst = ctx.engine.db(dst_index);
  if (dst.Find(dst_key) != nullptr && !replace) {
    ctx.reply.Integer(0);
    return;
  }
  // Copy before touching the destination: deleting it may resize the table `v` lives in.
  Value copy = v->Clone();
  int64_t expire = ctx.db.GetExpire(src_key);
  dst.Erase(dst_key);
  dst.Add(dst_key, std::move(copy));
  if (expire >= 0) dst.SetExpire(dst_key, expire);
  if (&dst != &ctx.db) {
    ctx.db.AddDirty();  // the command propagates from the client's db
    ctx.engine.SignalModifiedKey(dst_index, dst_key);
  }
  NotifyKeyspaceEvent(ctx.engine, kNotifyGeneric, "copy_to", dst_key, dst_index);
  ctx.reply.Integer(1);
}

// SWAPDB index1 index2 (Engine::SwapDbs does the work).
void CmdSwapDb(CommandContext& ctx) {
  int a, b;
  // Both numbers are parsed before either is range-checked, as Redis does.
  if (!ArgInt(ctx, 1, errors::kInvalidFirstDbIndex, &a) ||
      !ArgInt(ctx, 2, errors::kInvalidSecondDbIndex, &b) || !ValidDb(ctx, a) || !ValidDb(ctx, b)) {
    return;
  }
  Db& mine = ctx.db;  // the Db object this command runs on; it may change number below
  ctx.engine.SwapDbs(a, b);
  mine.AddDirty();
  ctx.reply.Ok();
}

// WAIT numreplicas timeout: this engine has no replicas, so the count of acknowledging replicas is
// always 0. Asked for more than 0, the client waits out its timeout (forever for 0) as Redis does
// with no replica connected; inside MULTI or a script it answers at once.
void CmdWait(CommandContext& ctx) {
  int64_t numreplicas, timeout;
  if (!ArgInt64(ctx, 1, &numreplicas)) return;
  if (!ArgTimeout(ctx, ctx.argv[2], &timeout)) return;
  if (numreplicas <= 0 || ctx.client.in_multi || ctx.engine.in_nested_call() ||
      ctx.client.is_script || ctx.client.deny_blocking) {
    ctx.reply.Integer(0);
    return;
  }
  int64_t deadline = timeout > 0 ? DeadlineAfter(ctx.now_ms, timeout).value_or(0) : 0;
  ctx.engine.blocking().Block(ctx.client, ctx.db.index(), {}, deadline,
                              std::vector<std::string>(ctx.argv.begin(), ctx.argv.end()), ":0\r\n");
}

void CmdKeys(CommandContext& ctx) {
  std::string_view pattern = ctx.argv[1];
  bool all = pattern == "*";
  size_t token = ctx.reply.BeginArray();
  size_t n = 0;
  ctx.db.ForEach([&](std::string_view key, const Db::Entry& entry) {
    if (entry.ExpiredAt(ctx.now_ms)) return;
    if (!all && !GlobMatch(pattern, key)) return;
    ctx.reply.Bulk(key);
    ++n;
  });
  ctx.reply.EndArray(token, n);
}

void CmdScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ArgCursor(ctx, 1, &cursor)) return;
  int64_t count = 10;
  std::string_view pattern, type;
  bool use_pattern = false, use_type = false;
  for (size_t i = 2; i < ctx.argv.size(); i += 2) {
    bool has_value = i + 1 < ctx.argv.size();
    if (ArgIs(ctx.argv[i], "count") && has_value) {
      if (!ArgInt64(ctx, i + 1, &count)) return;
      if (count < 1) {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
    } else if (ArgIs(ctx.argv[i], "match") && has_value) {
      pattern = ctx.argv[i + 1];
      use_pattern = pattern != "*";
    } else if (ArgIs(ctx.argv[i], "type") && has_value) {
      type = ctx.argv[i + 1];
      use_type = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  // As Redis: collect about `count` keys from the next buckets, then filter them.
  std::vector<std::string> keys;
  uint64_t next = ctx.db.Scan(cursor, static_cast<size_t>(count),
                              [&](std::string_view key, const Db::Entry& entry) {
                                if (use_pattern && !GlobMatch(pattern, key)) return;
                                if (use_type && !EqualsIgnoreCase(type, TypeName(entry.value.type())))
                                  return;
                                keys.emplace_back(key);
                              });
  ctx.reply.Array(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.Array(keys.size());
  for (const std::string& k : keys) ctx.reply.Bulk(k);
}

void CmdRandomKey(CommandContext& ctx) {
  std::string key;
  if (ctx.db.RandomKey(&key)) {
    ctx.reply.Bulk(key);
  } else {
    ctx.reply.Null();
  }
}

void CmdObjectContainer(CommandContext& ctx) { ReplyUnknownSubcommand(ctx, "OBJECT"); }

// OBJECT <subcommand> key: the key's value, or nullptr after replying nil for a missing key (any
// type is fine, and the lookup does not count as a keyspace hit or miss).
Value* ObjectKey(CommandContext& ctx) {
  Value* v = ctx.db.Find(ctx.argv[2]);
  if (v == nullptr) ctx.reply.Null();
  return v;
}

void CmdObjectEncoding(CommandContext& ctx) {
  Value* v = ObjectKey(ctx);
  if (v == nullptr) return;
  ctx.reply.Bulk(v->Encoding());
}

// OBJECT FREQ (lfu) / IDLETIME (!lfu) read the access metadata (Value::access_clock) without
// touching it. It is kept by evict.cc's TouchKeys: the LFU counter under an LFU policy, the LRU
// clock while maxmemory is set (see the README's known gaps). So FREQ answers only under an LFU
// policy, IDLETIME only under any other.
void ReplyAccessClock(CommandContext& ctx, bool lfu) {
  Value* v = ObjectKey(ctx);
  if (v == nullptr) return;
  if (IsLfuPolicy(ctx.engine.config().maxmemory_policy) != lfu) {
    ctx.reply.Error(lfu ? errors::kObjectFreqNotLfu : errors::kObjectIdleTimeLfu);
    return;
  }
  ctx.reply.Integer(lfu ? LfuFrequency(v->access_clock, ctx.now_ms)
                        : LruIdleSeconds(v->access_clock, ctx.now_ms));
}

void CmdObjectFreq(CommandContext& ctx) { ReplyAccessClock(ctx, true); }
void CmdObjectIdleTime(CommandContext& ctx) { ReplyAccessClock(ctx, false); }

// OBJECT REFCOUNT: values are never shared here, so 1 — except where Redis shares one object for
// the small integers 0..9999 (OBJ_SHARED_INTEGERS) and answers INT_MAX: a string holding such a
// number in canonical form, unless maxmemory is set with an LRU/LFU policy (which disables the
// sharing). Redis shares only values that went through its integer encoding (SET, INCR, ...);
// one built by APPEND or SETRANGE is not, a difference this rule does not follow.
void CmdObjectRefCount(CommandContext& ctx) {
  Value* v = ObjectKey(ctx);
  if (v == nullptr) return;
  const EngineConfig& cfg = ctx.engine.config();
  bool sharing = cfg.maxmemory == 0 || !(cfg.maxmemory_policy.ends_with("-lru") ||
                                         cfg.maxmemory_policy.ends_with("-lfu"));
  int64_t n;
  bool shared = sharing && v->is_string() && ParseInt64(v->str(), &n) && n >= 0 && n < 10000 &&
                FormatInt(n) == v->str();
  ctx.reply.Integer(shared ? INT32_MAX : 1);
}

void CmdObjectHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "OBJECT",
            {"ENCODING <key>",
             "    Return the kind of internal representation used in order to store the value",
             "    associated with a <key>.",
             "FREQ <key>",
             "    Return the access frequency index of the <key>. The returned integer is",
             "    proportional to the logarithm of the recent access frequency of the key.",
             "IDLETIME <key>",
             "    Return the idle time of the <key>, that is the approximated number of",
             "    seconds elapsed since the last access to the key.",
             "REFCOUNT <key>",
             "    Return the number of references of the value associated with the specified",
             "    <key>."});
}

// ---------------------------------------------------------------------------------------------
// Whole keyspace
// ---------------------------------------------------------------------------------------------

void CmdDbSize(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.db.size())); }

// FLUSHDB and FLUSHALL [ASYNC|SYNC]. Both flush synchronously: freeing is fast at our sizes.
void CmdFlush(CommandContext& ctx) {
  if (ctx.argv.size() > 2 ||
      (ctx.argv.size() == 2 && !ArgIs(ctx.argv[1], "sync") && !ArgIs(ctx.argv[1], "async"))) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  bool all = ctx.spec.name == "flushall";
  ctx.engine.SignalFlushedDb(all ? -1 : ctx.db.index());
  if (all) {
    for (int i = 0; i < ctx.engine.num_dbs(); ++i) ctx.engine.db(i).Clear();
  } else {
    ctx.db.Clear();
  }
  ctx.db.AddDirty();  // always propagated, even when nothing was there (as Redis forces it)
  ctx.reply.Ok();
}

}  // namespace

void RegisterKeyFamily(CommandTable& table) {
  CommandRegistrar reg(table, "generic");
  // DBSIZE, FLUSHDB, FLUSHALL act on the keyspace but Redis files them under "server".
  CommandRegistrar reg_server(table, "server");
  reg.Add("del", -2, kCmdWrite, {1, -1, 1}, CmdDel);
  reg.Add("unlink", -2, kCmdWrite | kCmdFast, {1, -1, 1}, CmdDel);
  reg.Add("exists", -2, kCmdReadOnly | kCmdFast, {1, -1, 1}, CmdExists);
  reg.Add("touch", -2, kCmdReadOnly | kCmdFast, {1, -1, 1}, CmdExists);
  reg.Add("expire", -3, kCmdWrite | kCmdFast, {1, 1, 1}, CmdExpire);
  reg.Add("pexpire", -3, kCmdWrite | kCmdFast, {1, 1, 1}, CmdExpire);
  reg.Add("expireat", -3, kCmdWrite | kCmdFast, {1, 1, 1}, CmdExpire);
  reg.Add("pexpireat", -3, kCmdWrite | kCmdFast, {1, 1, 1}, CmdExpire);
  reg.Add("ttl", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdTtl);
  reg.Add("pttl", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdTtl);
  reg.Add("expiretime", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdTtl);
  reg.Add("pexpiretime", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdTtl);
  reg.Add("persist", 2, kCmdWrite | kCmdFast, {1, 1, 1}, CmdPersist);
  reg.Add("type", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdType);
  reg.Add("rename", 3, kCmdWrite, {1, 2, 1}, CmdRename);
  reg.Add("renamenx", 3, kCmdWrite | kCmdFast, {1, 2, 1}, CmdRename);
  reg.Add("keys", 2, kCmdReadOnly, {}, CmdKeys);
  reg.Add("scan", -2, kCmdReadOnly, {}, CmdScan);
  reg.Add("randomkey", 1, kCmdReadOnly, {}, CmdRandomKey);
  reg.Add("object", -2, 0, {}, CmdObjectContainer);
  reg.Sub("object", "encoding", 3, kCmdReadOnly, {2, 2, 1}, CmdObjectEncoding);
  reg.Sub("object", "freq", 3, kCmdReadOnly, {2, 2, 1}, CmdObjectFreq);
  reg.Sub("object", "idletime", 3, kCmdReadOnly, {2, 2, 1}, CmdObjectIdleTime);
  reg.Sub("object", "refcount", 3, kCmdReadOnly, {2, 2, 1}, CmdObjectRefCount);
  reg.Sub("object", "help", 2, kCmdLoading | kCmdStale, {}, CmdObjectHelp);
  reg.Add("move", 3, kCmdWrite | kCmdFast, {1, 1, 1}, CmdMove);
  reg.Add("copy", -3, kCmdWrite | kCmdDenyOom, {1, 2, 1}, CmdCopy);
  // WAIT is "generic" in Redis's docs, but its ACL categories are @slow @connection, which the
  // connection group gives it here (COMMAND INFO derives categories from the group).
  CommandRegistrar reg_connection(table, "connection");
  reg_connection.Add("wait", 3, kCmdNoScript, {}, CmdWait);
  reg_server.Add("swapdb", 3, kCmdWrite | kCmdFast, {}, CmdSwapDb);
  reg_server.Add("dbsize", 1, kCmdReadOnly | kCmdFast, {}, CmdDbSize);
  reg_server.Add("flushdb", -1, kCmdWrite, {}, CmdFlush);
  reg_server.Add("flushall", -1, kCmdWrite, {}, CmdFlush);
}

}  // namespace racetrack::engine
