// Generic key commands: existence, deletion, expiry, renaming, iteration (KEYS, SCAN), TYPE,
// OBJECT ENCODING, and the whole-keyspace commands DBSIZE, FLUSHDB, FLUSHALL.
//
// Expiry deadlines are absolute Unix milliseconds (Db::Entry::expire_ms). Every command that takes
// a relative time turns it into a deadline with overflow checks, because Redis answers "invalid
// expire time" rather than silently wrapping.
#include <climits>
#include <string>
#include <vector>

#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

void CmdDel(CommandContext& ctx) {  // DEL and UNLINK (no lazy freeing here: values are small)
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argv.size(); ++i) n += ctx.db.Erase(ctx.argv[i]) ? 1 : 0;
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
  if (when <= ctx.now_ms) {
    ctx.db.Erase(key);  // a deadline already past deletes the key now
  } else {
    ctx.db.SetExpire(key, when);
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
  ctx.reply.Integer(ctx.db.Find(key) != nullptr && ctx.db.Persist(key) ? 1 : 0);
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
  if (nx) ctx.reply.Integer(1);
  else ctx.reply.Ok();
}

void CmdKeys(CommandContext& ctx) {
  std::string_view pattern = ctx.argv[1];
  bool all = pattern == "*";
  size_t token = ctx.reply.BeginArray();
  size_t n = 0;
  ctx.db.ForEach([&](std::string_view key, const Db::Entry& entry) {
    if (entry.expire_ms >= 0 && entry.expire_ms <= ctx.now_ms) return;
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

void CmdObjectEncoding(CommandContext& ctx) {
  Value* v = ctx.db.Find(ctx.argv[2]);
  if (v == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(v->Encoding());
  }
}

void CmdObjectHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "OBJECT",
            {"ENCODING <key>",
             "    Return the kind of internal representation used in order to store the value",
             "    associated with a <key>."});
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

  const char* kExpireSummary[] = {
      "Sets the expiration time of a key in seconds.",
      "Sets the expiration time of a key in milliseconds.",
      "Sets the expiration time of a key to a Unix timestamp.",
      "Sets the expiration time of a key to a Unix milliseconds timestamp.",
  };
  reg.Add(
      "del", -2, kCmdWrite, {1, -1, 1},
      "O(N) where N is the number of keys that will be removed. When a key to remove holds a "
      "value other than a string, the individual complexity for this key is O(M) where M is the "
      "number of elements in the list, set, sorted set or hash. Removing a single key that holds "
      "a string value is O(1).",
      "Deletes one or more keys.", "1.0.0", CmdDel);
  reg.Add("unlink", -2, kCmdWrite | kCmdFast, {1, -1, 1},
          "O(1) for each key removed regardless of its size. Then the command does O(N) work in a "
          "different thread in order to reclaim memory, where N is the number of allocations the "
          "deleted objects where composed of.",
          "Asynchronously deletes one or more keys.", "4.0.0", CmdDel);
  reg.Add("exists", -2, kCmdReadOnly | kCmdFast, {1, -1, 1},
          "O(N) where N is the number of keys to check.",
          "Determines whether one or more keys exist.", "1.0.0", CmdExists);
  reg.Add("touch", -2, kCmdReadOnly | kCmdFast, {1, -1, 1},
          "O(N) where N is the number of keys that will be touched.",
          "Returns the number of existing keys out of those specified after updating the time they "
          "were last accessed.",
          "3.2.1", CmdExists);
  reg.Add("expire", -3, kCmdWrite | kCmdFast, {1, 1, 1}, "O(1)", kExpireSummary[0], "1.0.0",
          CmdExpire);
  reg.Add("pexpire", -3, kCmdWrite | kCmdFast, {1, 1, 1}, "O(1)", kExpireSummary[1], "2.6.0",
          CmdExpire);
  reg.Add("expireat", -3, kCmdWrite | kCmdFast, {1, 1, 1}, "O(1)", kExpireSummary[2], "1.2.0",
          CmdExpire);
  reg.Add("pexpireat", -3, kCmdWrite | kCmdFast, {1, 1, 1}, "O(1)", kExpireSummary[3], "2.6.0",
          CmdExpire);
  reg.Add("ttl", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "O(1)",
          "Returns the expiration time in seconds of a key.", "1.0.0", CmdTtl);
  reg.Add("pttl", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "O(1)",
          "Returns the expiration time in milliseconds of a key.", "2.6.0", CmdTtl);
  reg.Add("expiretime", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "O(1)",
          "Returns the expiration time of a key as a Unix timestamp.", "7.0.0", CmdTtl);
  reg.Add("pexpiretime", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "O(1)",
          "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0",
          CmdTtl);
  reg.Add("persist", 2, kCmdWrite | kCmdFast, {1, 1, 1}, "O(1)",
          "Removes the expiration time of a key.", "2.2.0", CmdPersist);
  reg.Add("type", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "O(1)",
          "Determines the type of value stored at a key.", "1.0.0", CmdType);
  reg.Add("rename", 3, kCmdWrite, {1, 2, 1}, "O(1)",
          "Renames a key and overwrites the destination.", "1.0.0", CmdRename);
  reg.Add("renamenx", 3, kCmdWrite | kCmdFast, {1, 2, 1}, "O(1)",
          "Renames a key only when the target key name doesn't exist.", "1.0.0", CmdRename);
  reg.Add("keys", 2, kCmdReadOnly, {},
          "O(N) with N being the number of keys in the database, under the assumption that the key "
          "names in the database and the given pattern have limited length.",
          "Returns all key names that match a pattern.", "1.0.0", CmdKeys);
  reg.Add("scan", -2, kCmdReadOnly, {},
          "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
          "the cursor to return back to 0. N is the number of elements inside the collection.",
          "Iterates over the key names in the database.", "2.8.0", CmdScan);
  reg.Add("randomkey", 1, kCmdReadOnly, {}, "O(1)", "Returns a random key name from the database.",
          "1.0.0", CmdRandomKey);
  reg.Add("object", -2, 0, {}, "Depends on subcommand.",
          "A container for object introspection commands.", "2.2.3", CmdObjectContainer);
  reg.Sub("object", "encoding", 3, kCmdReadOnly, {2, 2, 1}, "O(1)",
          "Returns the internal encoding of a Redis object.", "2.2.3", CmdObjectEncoding);
  reg.Sub("object", "help", 2, kCmdLoading | kCmdStale, {}, "O(1)",
          "Returns helpful text about the different subcommands.", "6.2.0", CmdObjectHelp);
  reg_server.Add("dbsize", 1, kCmdReadOnly | kCmdFast, {}, "O(1)",
                 "Returns the number of keys in the database.", "1.0.0", CmdDbSize);
  reg_server.Add("flushdb", -1, kCmdWrite, {},
                 "O(N) where N is the number of keys in the selected database",
                 "Remove all keys from the current database.", "1.0.0", CmdFlush);
  reg_server.Add("flushall", -1, kCmdWrite, {},
                 "O(N) where N is the total number of keys in all databases",
                 "Removes all keys from all databases.", "1.0.0", CmdFlush);
}

}  // namespace racetrack::engine
