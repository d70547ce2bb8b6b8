// Stream commands: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD XGROUP XREADGROUP XACK XPENDING
// XCLAIM XAUTOCLAIM XSETID XINFO. Replies and error texts follow Redis 7.0's t_stream.c.
//
// Propagation to the append-only log: XADD with an auto ID propagates the ID it generated, and any
// trimming as an exact MINID, so replay rebuilds the same stream. XREADGROUP/XCLAIM/XAUTOCLAIM
// propagate themselves (Redis propagates XCLAIMs with explicit times instead; a replayed group
// therefore has delivery times of the replay, not of the original deliveries — documented gap).
#include <algorithm>
#include <concepts>
#include <limits>

#include "engine/arg_util.h"
#include "engine/blocking.h"
#include "engine/ds/stream.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {


StreamObject* AsStream(Value* v) { return v ? v->As<StreamObject>() : nullptr; }

// For the commands Redis 7.0 runs without signalModifiedKey (consumer-group bookkeeping, XSETID):
// a WATCH on the key survives them, as in Redis.
void KeepWatchers(CommandContext& ctx) { ctx.client.no_key_signal = true; }

// "<ms>-<seq>", "<ms>" (seq = missing_seq), or with allow_special "-" / "+".
bool ParseIdOrReply(CommandContext& ctx, std::string_view s, uint64_t missing_seq, StreamID* out,
                    bool allow_special = false) {
  if (allow_special && s == "-") {
    *out = StreamID{};
    return true;
  }
  if (allow_special && s == "+") {
    *out = StreamID::Max();
    return true;
  }
  if (ParseStreamID(s, missing_seq, out)) return true;
  ctx.reply.Error(errors::kInvalidStreamId);
  return false;
}

// The IDs from argv[first] on (XDEL, XACK); on a bad one replies "Invalid stream ID".
bool ParseIdsOrReply(CommandContext& ctx, size_t first, std::vector<StreamID>* ids) {
  for (size_t i = first; i < ctx.argv.size(); ++i) {
    StreamID id;
    if (!ParseIdOrReply(ctx, ctx.argv[i], 0, &id)) return false;
    ids->push_back(id);
  }
  return true;
}

void ReplyEntry(ReplyBuilder& r, StreamID id, const std::vector<std::string>& fields) {
  r.Array(2);
  r.Bulk(id.ToString());
  r.Array(fields.size());
  for (const auto& f : fields) r.Bulk(f);
}

// Appends [id, fields] for entries in [start, end] (forward or reverse), up to count (0 = all).
size_t ReplyRange(ReplyBuilder& r, const StreamObject& s, StreamID start, StreamID end,
                  size_t count, bool rev) {
  size_t token = r.BeginArray();
  size_t n = 0;
  if (start <= end) {
    if (!rev) {
      for (auto it = s.entries().lower_bound(start); it != s.entries().end() && it->first <= end;
           ++it) {
        if (count && n == count) break;
        ReplyEntry(r, it->first, it->second.fields);
        ++n;
      }
    } else {
      auto it = s.entries().upper_bound(end);
      while (it != s.entries().begin()) {
        --it;
        if (it->first < start) break;
        if (count && n == count) break;
        ReplyEntry(r, it->first, it->second.fields);
        ++n;
      }
    }
  }
  r.EndArray(token, n);
  return n;
}

// ---- trimming arguments, shared by XADD and XTRIM -------------------------------------------

struct TrimArgs {
  enum { kNone, kMaxLen, kMinId } strategy = kNone;
  bool approx = false;
  uint64_t maxlen = 0;
  StreamID minid;
  int64_t limit = -1;  // -1: not given
};

// Parses one trim option at argv[*i] if present. Returns false after replying an error; sets
// *matched when argv[*i] was a trim option.
bool ParseTrimOption(CommandContext& ctx, size_t* i, TrimArgs* t, bool* matched) {
  Args a = ctx.argv;
  *matched = false;
  size_t left = a.size() - *i - 1;
  if ((ArgIs(a[*i], "maxlen") || ArgIs(a[*i], "minid")) && left >= 1) {
    bool maxlen = ArgIs(a[*i], "maxlen");
    if (t->strategy != TrimArgs::kNone) {
      ctx.reply.Error(errors::kMaxlenAndMinid);
      return false;
    }
    size_t v = *i + 1;
    if ((a[v] == "~" || a[v] == "=") && left >= 2) {
      t->approx = a[v] == "~";
      ++v;
    }
    if (maxlen) {
      int64_t n;
      if (!ArgInt64(ctx, v, &n)) return false;
      if (n < 0) {
        ctx.reply.Error(errors::kMaxlenArgNegative);
        return false;
      }
      t->strategy = TrimArgs::kMaxLen;
      t->maxlen = static_cast<uint64_t>(n);
    } else {
      if (!ParseIdOrReply(ctx, a[v], 0, &t->minid)) return false;
      t->strategy = TrimArgs::kMinId;
    }
    *i = v;
    *matched = true;
    return true;
  }
  if (ArgIs(a[*i], "limit") && left >= 1) {
    int64_t n;
    if (!ArgInt64InRange(ctx, *i + 1, 0, 1000000 * 100LL, &n)) {
      return false;
    }
    t->limit = n;
    ++*i;
    *matched = true;
  }
  return true;
}

bool CheckTrimArgs(CommandContext& ctx, TrimArgs* t) {
  if (t->limit >= 0 && !t->approx) {
    ctx.reply.Error(errors::kTrimLimitNeedsApprox);
    return false;
  }
  if (t->approx && t->limit < 0) {  // at most 100 nodes' worth, capped both ways as Redis does
    t->limit = std::clamp<int64_t>(100 * Limits().stream_node_max_entries, 1, 1000000);
    if (Limits().stream_node_max_entries <= 0) t->limit = 10000;
  }
  if (!t->approx) t->limit = 0;
  return true;
}

int64_t ApplyTrim(StreamObject* s, const TrimArgs& t) {
  if (t.strategy == TrimArgs::kMaxLen) return s->TrimMaxLen(t.maxlen, t.approx, t.limit);
  if (t.strategy == TrimArgs::kMinId) return s->TrimMinId(t.minid, t.approx, t.limit);
  return 0;
}

// ---- XADD / XLEN / XRANGE / XDEL / XTRIM ----------------------------------------------------

void CmdXAdd(CommandContext& ctx) {
  Args a = ctx.argv;
  TrimArgs trim;
  bool nomkstream = false;
  bool auto_seq = false, auto_all = false;
  StreamID id;
  size_t i = 2;
  for (; i < a.size(); ++i) {
    bool matched;
    if (!ParseTrimOption(ctx, &i, &trim, &matched)) return;
    if (matched) continue;
    if (ArgIs(a[i], "nomkstream")) {
      nomkstream = true;
      continue;
    }
    if (a[i] == "*") {
      auto_all = true;
    } else if (a[i].ends_with("-*") && a[i].size() > 2) {
      if (!ParseStreamID(a[i].substr(0, a[i].size() - 2), 0, &id)) {
        ctx.reply.Error(errors::kInvalidStreamId);
        return;
      }
      auto_seq = true;
    } else if (!ParseIdOrReply(ctx, a[i], 0, &id)) {
      return;
    }
    break;
  }
  size_t field_pos = i + 1;
  if (i >= a.size() || a.size() - field_pos < 2 || (a.size() - field_pos) % 2 == 1) {
    ReplyArityError(ctx);
    return;
  }
  if (!CheckTrimArgs(ctx, &trim)) return;
  if (!auto_all && !auto_seq && id.IsZero()) {
    ctx.reply.Error(errors::kXaddIdZero);
    return;
  }
  Value* v;
  if (!LookupTyped(ctx, a[1], ObjType::kStream, &v)) return;
  if (v == nullptr && nomkstream) {
    ctx.reply.Null();
    return;
  }
  StreamObject probe;
  const StreamObject* s0 = v ? AsStream(v) : &probe;
  StreamID last = s0->last_id;
  if (last == StreamID::Max()) {
    ctx.reply.Error(errors::kStreamExhausted);
    return;
  }
  if (auto_all) {
    // Strictly increasing even if the clock went back: never below last_id's ms.
    uint64_t now = static_cast<uint64_t>(std::max<int64_t>(0, ctx.now_ms));
    if (now > last.ms) {
      id = {now, 0};
    } else {
      last.Incr(&id);
    }
  } else if (auto_seq) {
    if (id.ms == last.ms) {
      if (last.seq == UINT64_MAX) {
        ctx.reply.Error(errors::kXaddIdTooSmall);
        return;
      }
      id.seq = last.seq + 1;
    } else if (id.ms < last.ms) {
      ctx.reply.Error(errors::kXaddIdTooSmall);
      return;
    } else {
      id.seq = 0;
    }
  } else if (id <= last) {
    ctx.reply.Error(errors::kXaddIdTooSmall);
    return;
  }
  if (v == nullptr) v = &ctx.db.Add(a[1], Value(std::make_unique<StreamObject>()));
  StreamObject* s = AsStream(v);
  s->Append(id, std::vector<std::string>(a.begin() + static_cast<ptrdiff_t>(field_pos), a.end()));
  Notify(ctx, kNotifyStream, "xadd", a[1]);
  int64_t trimmed = ApplyTrim(s, trim);
  if (trimmed > 0) Notify(ctx, kNotifyStream, "xtrim", a[1]);
  ctx.db.AddDirty();
  ctx.reply.Bulk(id.ToString());

  std::vector<std::string> prop = {"XADD", std::string(a[1])};
  if (trimmed > 0) {
    StreamID first = s->length() ? s->FirstId() : StreamID{};
    if (s->length() == 0) s->last_id.Incr(&first);
    prop.insert(prop.end(), {"MINID", "=", first.ToString()});
  }
  prop.push_back(id.ToString());
  prop.insert(prop.end(), a.begin() + static_cast<ptrdiff_t>(field_pos), a.end());
  ctx.engine.ReplacePropagation(std::move(prop));
}

void CmdXLen(CommandContext& ctx) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kStream, &v)) return;
  ctx.reply.Integer(v ? static_cast<int64_t>(AsStream(v)->length()) : 0);
}

// XRANGE/XREVRANGE interval ends: "-", "+", IDs, "(" exclusive IDs.
bool ParseIntervalId(CommandContext& ctx, std::string_view s, bool is_start, StreamID* out) {
  bool exclusive = !s.empty() && s[0] == '(';
  if (exclusive) s.remove_prefix(1);
  if (exclusive && (s == "-" || s == "+")) {
    ctx.reply.Error(errors::InvalidIntervalId(is_start));
    return false;
  }
  if (!ParseIdOrReply(ctx, s, is_start ? 0 : UINT64_MAX, out, !exclusive)) return false;
  if (exclusive) {
    bool ok = is_start ? out->Incr(out) : out->Decr(out);
    if (!ok) {
      ctx.reply.Error(errors::InvalidIntervalId(is_start));
      return false;
    }
  }
  return true;
}

void RangeGeneric(CommandContext& ctx, bool rev) {
  Args a = ctx.argv;
  StreamID start, end;
  if (!ParseIntervalId(ctx, rev ? a[3] : a[2], true, &start)) return;
  if (!ParseIntervalId(ctx, rev ? a[2] : a[3], false, &end)) return;
  int64_t count = -1;
  for (size_t i = 4; i < a.size(); ++i) {
    if (ArgIs(a[i], "count") && i + 1 < a.size()) {
      if (!ArgInt64AtLeastZero(ctx, i + 1, &count)) return;
      ++i;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  Value* v;
  if (!LookupReadTyped(ctx, a[1], ObjType::kStream, &v)) return;
  if (v == nullptr) {  // before COUNT 0: Redis answers a missing key first
    ctx.reply.EmptyArray();
    return;
  }
  if (count == 0) {  // Redis 7.0 answers COUNT 0 with a null array
    ctx.reply.NullArray();
    return;
  }
  ReplyRange(ctx.reply, *AsStream(v), start, end, count < 0 ? 0 : static_cast<size_t>(count), rev);
}

void CmdXRange(CommandContext& ctx) { RangeGeneric(ctx, false); }
void CmdXRevRange(CommandContext& ctx) { RangeGeneric(ctx, true); }

// As Redis: the key (missing → 0, wrong type → WRONGTYPE) before the IDs are parsed.
void CmdXDel(CommandContext& ctx) {
  Value* v = LookupOrReply(ctx, ctx.argv[1], ObjType::kStream, ReplyZero);
  if (v == nullptr) return;
  std::vector<StreamID> ids;
  if (!ParseIdsOrReply(ctx, 2, &ids)) return;
  int64_t deleted = 0;
  for (StreamID id : ids) deleted += AsStream(v)->Delete(id) ? 1 : 0;
  if (deleted) ctx.db.AddDirty(static_cast<uint64_t>(deleted));
  if (deleted) Notify(ctx, kNotifyStream, "xdel", ctx.argv[1]);
  ctx.reply.Integer(deleted);
}

void CmdXTrim(CommandContext& ctx) {
  TrimArgs trim;
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    bool matched;
    if (!ParseTrimOption(ctx, &i, &trim, &matched)) return;
    if (!matched) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (trim.strategy == TrimArgs::kNone) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (!CheckTrimArgs(ctx, &trim)) return;
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kStream, &v)) return;
  int64_t n = v ? ApplyTrim(AsStream(v), trim) : 0;
  if (n) {
    ctx.db.AddDirty(static_cast<uint64_t>(n));
    Notify(ctx, kNotifyStream, "xtrim", ctx.argv[1]);
    StreamObject* s = AsStream(v);
    StreamID first = s->length() ? s->FirstId() : StreamID{};
    if (s->length() == 0) s->last_id.Incr(&first);
    ctx.engine.ReplacePropagation({"XTRIM", std::string(ctx.argv[1]), "MINID", "=", first.ToString()});
  }
  ctx.reply.Integer(n);
}

// XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]: sets the stream's counters, as Redis 7.0
// (options parsed before the key is looked up; a missing key is "no such key").
void CmdXSetId(CommandContext& ctx) {
  KeepWatchers(ctx);
  Args a = ctx.argv;
  StreamID id, max_deleted;
  int64_t entries_added = -1;
  if (!ParseIdOrReply(ctx, a[2], 0, &id)) return;
  for (size_t i = 3; i < a.size(); i += 2) {
    bool more = i + 1 < a.size();
    if (ArgIs(a[i], "entriesadded") && more) {
      if (!ArgInt64(ctx, i + 1, &entries_added)) return;
      if (entries_added < 0) {
        ctx.reply.Error(errors::kEntriesAddedNegative);
        return;
      }
    } else if (ArgIs(a[i], "maxdeletedid") && more) {
      if (!ParseIdOrReply(ctx, a[i + 1], 0, &max_deleted)) return;
      if (id < max_deleted) {
        ctx.reply.Error(errors::kXsetidBelowMaxDeleted);
        return;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  Value* v;
  if (!LookupTyped(ctx, a[1], ObjType::kStream, &v)) return;
  if (v == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return;
  }
  StreamObject* s = AsStream(v);
  if (s->length() > 0) {
    // IDs must stay increasing: never below the last entry still in the stream.
    if (id < s->entries().rbegin()->first) {
      ctx.reply.Error(errors::kXsetidBelowTop);
      return;
    }
    if (entries_added != -1 && s->length() > static_cast<uint64_t>(entries_added)) {
      ctx.reply.Error(errors::kXsetidEntriesAddedBelowLength);
      return;
    }
  }
  s->last_id = id;
  if (entries_added != -1) s->entries_added = static_cast<uint64_t>(entries_added);
  if (!max_deleted.IsZero()) s->max_deleted_id = max_deleted;
  ctx.db.AddDirty();
  Notify(ctx, kNotifyStream, "xsetid", ctx.argv[1]);
  ctx.reply.Ok();
}

// ---- consumer groups ------------------------------------------------------------------------

// The consumer `name` of group g in the stream at key, created (with its keyspace event) if new.
StreamConsumer& GetConsumer(CommandContext& ctx, std::string_view key, StreamGroup& g,
                            std::string_view name, bool* created) {
  auto it = g.consumers.find(name);
  if (it == g.consumers.end()) {
    it = g.consumers.emplace(std::string(name), StreamConsumer{}).first;
    it->second.seen_time_ms = ctx.now_ms;
    if (created) *created = true;
    Notify(ctx, kNotifyStream, "xgroup-createconsumer", key);
  }
  return it->second;
}

bool ParseEntriesRead(CommandContext& ctx, size_t i, int64_t* out) {
  if (!ArgInt64(ctx, i, out)) return false;
  if (*out < 0 && *out != -1) {
    ctx.reply.Error(errors::kEntriesReadInvalid);
    return false;
  }
  return true;
}

void CmdXGroupCreate(CommandContext& ctx) {
  Args a = ctx.argv;
  bool mkstream = false;
  int64_t entries_read = -1;
  for (size_t i = 5; i < a.size(); ++i) {
    if (ArgIs(a[i], "mkstream")) {
      mkstream = true;
    } else if (ArgIs(a[i], "entriesread") && i + 1 < a.size()) {
      if (!ParseEntriesRead(ctx, ++i, &entries_read)) return;
    } else {
      ctx.reply.Error(errors::SubcommandSyntax(a[1], "XGROUP"));
      return;
    }
  }
  Value* v;
  if (!LookupTyped(ctx, a[2], ObjType::kStream, &v)) return;
  if (v == nullptr && !mkstream) {  // as Redis: the missing key before the ID
    ctx.reply.Error(errors::kXgroupNoKey);
    return;
  }
  StreamID id;
  if (a[4] == "$") {
    id = v ? AsStream(v)->last_id : StreamID{};
  } else if (!ParseIdOrReply(ctx, a[4], 0, &id)) {
    return;
  }
  if (v == nullptr) v = &ctx.db.Add(a[2], Value(std::make_unique<StreamObject>()));
  StreamObject* s = AsStream(v);
  if (s->groups.count(a[3])) {
    ctx.reply.Error(errors::kBusyGroup);
    return;
  }
  StreamGroup g;
  g.last_id = id;
  g.entries_read = entries_read;
  s->groups.emplace(std::string(a[3]), std::move(g));
  ctx.db.AddDirty();
  Notify(ctx, kNotifyStream, "xgroup-create", a[2]);
  ctx.reply.Ok();
}

// The stream and group for XGROUP subcommands other than CREATE; replies the error when missing.
// These subcommands run without signalModifiedKey in Redis 7.0 (KeepWatchers).
bool XGroupLookup(CommandContext& ctx, StreamObject** s, StreamGroup** g) {
  KeepWatchers(ctx);
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[2], ObjType::kStream, &v)) return false;
  if (v == nullptr) {
    ctx.reply.Error(errors::kXgroupNoKey);
    return false;
  }
  *s = AsStream(v);
  auto it = (*s)->groups.find(ctx.argv[3]);
  if (it == (*s)->groups.end()) {
    if (g == nullptr) return true;
    ctx.reply.Error(errors::NoSuchGroup(ctx.argv[3], ctx.argv[2]));
    return false;
  }
  if (g) *g = &it->second;
  return true;
}

void CmdXGroupSetId(CommandContext& ctx) {
  Args a = ctx.argv;
  int64_t entries_read = -1;
  for (size_t i = 5; i < a.size(); ++i) {
    if (ArgIs(a[i], "entriesread") && i + 1 < a.size()) {
      if (!ParseEntriesRead(ctx, ++i, &entries_read)) return;
    } else {
      ctx.reply.Error(errors::SubcommandSyntax(a[1], "XGROUP"));
      return;
    }
  }
  StreamObject* s;
  StreamGroup* g;
  if (!XGroupLookup(ctx, &s, &g)) return;
  // Redis parses SETID's ID non-strictly ("-" is 0-0, "+" the maximum ID); CREATE's strictly.
  StreamID id;
  if (a[4] == "$") {
    id = s->last_id;
  } else if (!ParseIdOrReply(ctx, a[4], 0, &id, /*allow_special=*/true)) {
    return;
  }
  g->last_id = id;
  g->entries_read = entries_read;
  ctx.db.AddDirty();
  Notify(ctx, kNotifyStream, "xgroup-setid", ctx.argv[2]);
  ctx.reply.Ok();
}

void CmdXGroupDestroy(CommandContext& ctx) {
  StreamObject* s;
  if (!XGroupLookup(ctx, &s, nullptr)) return;
  bool erased = s->groups.erase(std::string(ctx.argv[3])) > 0;
  if (erased) {
    ctx.db.AddDirty();
    Notify(ctx, kNotifyStream, "xgroup-destroy", ctx.argv[2]);
    // Not a modification for WATCH, but XREADGROUP clients blocked on the group get -NOGROUP.
    ctx.engine.blocking().SignalKey(ctx.db.index(), ctx.argv[2]);
  }
  ctx.reply.Integer(erased ? 1 : 0);
}

void CmdXGroupCreateConsumer(CommandContext& ctx) {
  StreamObject* s;
  StreamGroup* g;
  if (!XGroupLookup(ctx, &s, &g)) return;
  bool created = false;
  GetConsumer(ctx, ctx.argv[2], *g, ctx.argv[4], &created);
  if (created) ctx.db.AddDirty();
  ctx.reply.Integer(created ? 1 : 0);
}

void CmdXGroupDelConsumer(CommandContext& ctx) {
  StreamObject* s;
  StreamGroup* g;
  if (!XGroupLookup(ctx, &s, &g)) return;
  auto it = g->consumers.find(ctx.argv[4]);
  if (it == g->consumers.end()) {
    ctx.reply.Integer(0);
    return;
  }
  int64_t pending = static_cast<int64_t>(it->second.pel.size());
  for (StreamID id : it->second.pel) g->pel.erase(id);
  g->consumers.erase(it);
  ctx.db.AddDirty();
  Notify(ctx, kNotifyStream, "xgroup-delconsumer", ctx.argv[2]);
  ctx.reply.Integer(pending);
}

void CmdXGroupHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "XGROUP",
            {"CREATE <key> <groupname> <id|$> [option]",
             "    Create a new consumer group. Options are:",
             "    * MKSTREAM",
             "      Create the empty stream if it does not exist.",
             "    * ENTRIESREAD entries_read",
             "      Set the group's entries_read counter (internal use).",
             "CREATECONSUMER <key> <groupname> <consumer>",
             "    Create a new consumer in the specified group.",
             "DELCONSUMER <key> <groupname> <consumer>",
             "    Remove the specified consumer.",
             "DESTROY <key> <groupname>",
             "    Remove the specified group.",
             "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
             "    Set the current group ID and entries_read counter."});
}

// ---- XREAD / XREADGROUP -----------------------------------------------------------------------

void CmdXRead(CommandContext& ctx) {
  Args a = ctx.argv;
  bool group_mode = ArgIs(a[0], "xreadgroup");
  int64_t count = 0, timeout = -1;
  bool noack = false;
  std::string_view group_name, consumer_name;
  size_t streams_pos = 0;
  for (size_t i = 1; i < a.size(); ++i) {
    size_t left = a.size() - i - 1;
    if (ArgIs(a[i], "block") && left >= 1) {
      if (ctx.client.is_script) {  // Redis's special case for Lua, before the timeout is parsed
        ctx.reply.Error(errors::BlockFromScript(a[0]));
        return;
      }
      if (!ArgTimeout(ctx, a[i + 1], &timeout)) return;
      ++i;
    } else if (ArgIs(a[i], "count") && left >= 1) {
      if (!ArgInt64AtLeastZero(ctx, i + 1, &count)) return;
      ++i;
    } else if (ArgIs(a[i], "streams") && left >= 1) {
      streams_pos = i + 1;
      break;
    } else if (ArgIs(a[i], "group") && left >= 2 && group_mode) {
      group_name = a[i + 1];
      consumer_name = a[i + 2];
      i += 2;
    } else if (ArgIs(a[i], "noack") && group_mode) {
      noack = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (streams_pos == 0) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  size_t nstreams = a.size() - streams_pos;
  if (nstreams % 2 != 0) {
    ctx.reply.Error(errors::kUnbalancedStreams);
    return;
  }
  nstreams /= 2;
  if (group_mode && group_name.empty()) {
    ctx.reply.Error(errors::kXreadgroupNoGroup);
    return;
  }
  std::vector<StreamID> ids(nstreams);
  std::vector<bool> is_new(nstreams, false);
  std::vector<StreamObject*> streams(nstreams, nullptr);
  std::vector<StreamGroup*> groups(nstreams, nullptr);
  std::vector<std::string> resolved(a.begin(), a.end());  // what a blocked client re-runs
  for (size_t k = 0; k < nstreams; ++k) {
    std::string_view key = a[streams_pos + k];
    std::string_view ids_arg = a[streams_pos + nstreams + k];
    Value* v;
    if (!LookupReadTyped(ctx, key, ObjType::kStream, &v)) return;
    streams[k] = AsStream(v);
    if (group_mode) {
      StreamGroup* g = nullptr;
      if (v) {
        auto it = streams[k]->groups.find(group_name);
        if (it != streams[k]->groups.end()) g = &it->second;
      }
      if (g == nullptr) {
        // Re-run for a client blocked here (blocking.h): its stream or group went away meanwhile.
        if (ctx.client.is_blocked()) {
          ctx.reply.Error(v ? errors::kBlockedGroupGone : errors::kStreamKeyGone);
        } else {
          ctx.reply.Error(errors::XreadgroupNoKeyOrGroup(key, group_name));
        }
        return;
      }
      groups[k] = g;
      if (ids_arg == ">") {
        is_new[k] = true;
        continue;
      }
    } else if (ids_arg == "$") {
      ids[k] = v ? streams[k]->last_id : StreamID{};
      resolved[streams_pos + nstreams + k] = ids[k].ToString();
      continue;
    } else if (ids_arg == ">") {
      ctx.reply.Error(errors::kXreadGreaterThanId);
      return;
    }
    if (ids_arg == "$") {
      ctx.reply.Error(errors::kXreadgroupDollarId);
      return;
    }
    if (!ParseIdOrReply(ctx, ids_arg, 0, &ids[k])) return;
  }

  size_t limit = static_cast<size_t>(count);
  size_t token = ctx.reply.BeginArray();
  size_t served = 0;
  bool wrote = false;
  for (size_t k = 0; k < nstreams; ++k) {
    StreamObject* s = streams[k];
    std::string_view key = a[streams_pos + k];
    if (!group_mode) {
      if (s == nullptr || s->last_id <= ids[k] || s->length() == 0) continue;
      StreamID start;
      if (!ids[k].Incr(&start)) continue;
      auto it = s->entries().lower_bound(start);
      if (it == s->entries().end()) continue;
      ctx.reply.Array(2);
      ctx.reply.Bulk(key);
      ReplyRange(ctx.reply, *s, start, StreamID::Max(), limit, false);
      ++served;
      continue;
    }
    StreamGroup* g = groups[k];
    bool created = false;
    StreamConsumer& consumer = GetConsumer(ctx, key, *g, consumer_name, &created);
    consumer.seen_time_ms = ctx.now_ms;
    if (created) wrote = true;
    if (is_new[k]) {
      StreamID start;
      if (!g->last_id.Incr(&start)) continue;
      auto it = s->entries().lower_bound(start);
      if (it == s->entries().end()) continue;
      ctx.reply.Array(2);
      ctx.reply.Bulk(key);
      size_t t2 = ctx.reply.BeginArray();
      size_t n = 0;
      for (; it != s->entries().end() && (limit == 0 || n < limit); ++it) {
        StreamID id = it->first;
        if (g->entries_read != -1 && !s->HasTombstonesFrom(id)) {
          ++g->entries_read;
        } else if (s->entries_added) {
          g->entries_read = s->EstimateDistance(id);
        }
        g->last_id = id;
        if (!noack) {
          auto [pit, inserted] = g->pel.try_emplace(id);
          if (!inserted) {  // re-delivered after SETID: the entry changes owner
            auto old = g->consumers.find(pit->second.consumer);
            if (old != g->consumers.end()) old->second.pel.erase(id);
          }
          pit->second = StreamNack{std::string(consumer_name), ctx.now_ms, 1};
          consumer.pel.insert(id);
        }
        ReplyEntry(ctx.reply, id, it->second.fields);
        ++n;
      }
      ctx.reply.EndArray(t2, n);
      wrote = true;
      ++served;
    } else {
      // History: this consumer's pending entries after the given ID.
      ctx.reply.Array(2);
      ctx.reply.Bulk(key);
      size_t t2 = ctx.reply.BeginArray();
      size_t n = 0;
      StreamID start;
      bool ok = ids[k].Incr(&start);
      for (auto pit = consumer.pel.lower_bound(start);
           ok && pit != consumer.pel.end() && (limit == 0 || n < limit); ++pit) {
        auto e = s->entries().find(*pit);
        if (e == s->entries().end()) {
          ctx.reply.Array(2);
          ctx.reply.Bulk(pit->ToString());
          ctx.reply.Null();
        } else {
          StreamNack& nack = g->pel[*pit];
          nack.delivery_time_ms = ctx.now_ms;
          ++nack.delivery_count;
          wrote = true;
          ReplyEntry(ctx.reply, e->first, e->second.fields);
        }
        ++n;
      }
      ctx.reply.EndArray(t2, n);
      ++served;
    }
  }
  if (wrote) ctx.db.AddDirty();
  if (served > 0) {
    ctx.reply.EndArray(token, served);
    return;
  }
  // Nothing to serve: the reservation is rewritten as a null array, or the client blocks.
  ctx.reply.buffer().resize(token);
  bool may_block = timeout >= 0 && !ctx.client.deny_blocking && !ctx.client.is_script &&
                   !ctx.engine.in_nested_call();
  if (!may_block) {
    ctx.reply.NullArray();
    return;
  }
  std::vector<std::string> keys;
  for (size_t k = 0; k < nstreams; ++k) keys.emplace_back(a[streams_pos + k]);
  int64_t deadline = timeout == 0 ? 0 : DeadlineAfter(ctx.now_ms, timeout).value_or(0);
  ctx.engine.blocking().Block(ctx.client, ctx.client.db, keys, deadline, std::move(resolved), "*-1\r\n");
}

// ---- XACK / XPENDING / XCLAIM / XAUTOCLAIM ----------------------------------------------------

// Looks up stream + group for commands whose error is "NOGROUP No such key ... or consumer group".
bool LookupGroup(CommandContext& ctx, StreamObject** s, StreamGroup** g, bool* missing) {
  Value* v;
  *missing = false;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kStream, &v)) return false;
  if (v) {
    *s = AsStream(v);
    auto it = (*s)->groups.find(ctx.argv[2]);
    if (it != (*s)->groups.end()) {
      *g = &it->second;
      return true;
    }
  }
  *missing = true;
  return true;
}

// LookupGroup for the commands that answer a missing key or group with NOGROUP.
bool LookupGroupOrReply(CommandContext& ctx, StreamObject** s, StreamGroup** g) {
  bool missing;
  if (!LookupGroup(ctx, s, g, &missing)) return false;
  if (!missing) return true;
  ctx.reply.Error(errors::NoSuchKeyOrGroup(ctx.argv[1], ctx.argv[2]));
  return false;
}

// Forgets a pending entry (XACK, or a claim of an entry since deleted): false if it was not pending.
bool DropNack(StreamGroup* g, StreamID id) {
  auto it = g->pel.find(id);
  if (it == g->pel.end()) return false;
  auto c = g->consumers.find(it->second.consumer);
  if (c != g->consumers.end()) c->second.pel.erase(id);
  g->pel.erase(it);
  return true;
}

// As Redis: the key and group (either missing → 0) before the IDs are parsed.
void CmdXAck(CommandContext& ctx) {
  KeepWatchers(ctx);
  StreamObject* s;
  StreamGroup* g;
  bool missing;
  if (!LookupGroup(ctx, &s, &g, &missing)) return;
  if (missing) {
    ctx.reply.Integer(0);
    return;
  }
  std::vector<StreamID> ids;
  if (!ParseIdsOrReply(ctx, 3, &ids)) return;
  int64_t acked = 0;
  for (StreamID id : ids) acked += DropNack(g, id) ? 1 : 0;
  if (acked) ctx.db.AddDirty();
  ctx.reply.Integer(acked);
}

void CmdXPending(CommandContext& ctx) {
  Args a = ctx.argv;
  bool summary = a.size() == 3;
  int64_t min_idle = 0, count = 0;
  StreamID start, end;
  std::string_view consumer_name;
  if (!summary) {
    size_t i = 3;
    if (a.size() < 6) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    if (ArgIs(a[3], "idle")) {
      if (a.size() < 8) {
        ctx.reply.Error(errors::kSyntax);
        return;
      }
      if (!ArgInt64AtLeastZero(ctx, 4, &min_idle)) return;
      i = 5;
    }
    if (a.size() > i + 4) {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    if (!ParseIntervalId(ctx, a[i], true, &start)) return;
    if (!ParseIntervalId(ctx, a[i + 1], false, &end)) return;
    if (!ArgInt64AtLeastZero(ctx, i + 2, &count)) return;
    if (a.size() == i + 4) consumer_name = a[i + 3];
  }
  StreamObject* s;
  StreamGroup* g;
  if (!LookupGroupOrReply(ctx, &s, &g)) return;
  if (summary) {
    ctx.reply.Array(4);
    if (g->pel.empty()) {
      ctx.reply.Integer(0);
      ctx.reply.Null();
      ctx.reply.Null();
      ctx.reply.NullArray();
      return;
    }
    ctx.reply.Integer(static_cast<int64_t>(g->pel.size()));
    ctx.reply.Bulk(g->pel.begin()->first.ToString());
    ctx.reply.Bulk(g->pel.rbegin()->first.ToString());
    size_t token = ctx.reply.BeginArray();
    size_t n = 0;
    for (const auto& [name, c] : g->consumers) {
      if (c.pel.empty()) continue;
      ctx.reply.Array(2);
      ctx.reply.Bulk(name);
      ctx.reply.Bulk(std::to_string(c.pel.size()));
      ++n;
    }
    ctx.reply.EndArray(token, n);
    return;
  }
  size_t token = ctx.reply.BeginArray();
  size_t n = 0;
  auto emit = [&](StreamID id, const StreamNack& nack) {
    int64_t idle = std::max<int64_t>(0, ctx.now_ms - nack.delivery_time_ms);
    if (idle < min_idle) return;
    ctx.reply.Array(4);
    ctx.reply.Bulk(id.ToString());
    ctx.reply.Bulk(nack.consumer);
    ctx.reply.Integer(idle);
    ctx.reply.Integer(static_cast<int64_t>(nack.delivery_count));
    ++n;
  };
  if (start <= end && count > 0) {
    if (!consumer_name.empty()) {
      auto c = g->consumers.find(consumer_name);
      if (c != g->consumers.end()) {
        for (auto it = c->second.pel.lower_bound(start);
             it != c->second.pel.end() && *it <= end && n < static_cast<size_t>(count); ++it) {
          emit(*it, g->pel[*it]);
        }
      }
    } else {
      for (auto it = g->pel.lower_bound(start);
           it != g->pel.end() && it->first <= end && n < static_cast<size_t>(count); ++it) {
        emit(it->first, it->second);
      }
    }
  }
  ctx.reply.EndArray(token, n);
}

// Moves a pending entry to consumer (creating the NACK under FORCE).
void Claim(StreamGroup* g, StreamID id, std::string_view consumer_name, StreamConsumer& consumer) {
  StreamNack& nack = g->pel[id];
  if (!nack.consumer.empty() && nack.consumer != consumer_name) {
    auto old = g->consumers.find(nack.consumer);
    if (old != g->consumers.end()) old->second.pel.erase(id);
  }
  nack.consumer = std::string(consumer_name);
  consumer.pel.insert(id);
}

// XCLAIM and XAUTOCLAIM's min-idle-time (argv[4]): an integer, a negative one read as 0.
bool ParseMinIdle(CommandContext& ctx, std::string_view error, int64_t* min_idle) {
  if (!ParseInt64(ctx.argv[4], min_idle)) {
    ctx.reply.Error(error);
    return false;
  }
  if (*min_idle < 0) *min_idle = 0;
  return true;
}

// A claimed entry in XCLAIM/XAUTOCLAIM's reply: its ID alone under JUSTID, else [id, fields].
void ReplyClaimed(ReplyBuilder& r, StreamID id, const std::vector<std::string>& fields,
                  bool justid) {
  if (justid) {
    r.Bulk(id.ToString());
  } else {
    ReplyEntry(r, id, fields);
  }
}

void CmdXClaim(CommandContext& ctx) {
  KeepWatchers(ctx);
  Args a = ctx.argv;
  int64_t min_idle;
  if (!ParseMinIdle(ctx, errors::kXclaimMinIdle, &min_idle)) return;
  std::vector<StreamID> ids;
  size_t j = 5;
  for (; j < a.size(); ++j) {
    StreamID id;
    if (!ParseStreamID(a[j], 0, &id)) break;
    ids.push_back(id);
  }
  int64_t deliverytime = -1, retrycount = -1;
  bool force = false, justid = false;
  for (; j < a.size(); ++j) {
    size_t left = a.size() - j - 1;
    if (ArgIs(a[j], "force")) {
      force = true;
    } else if (ArgIs(a[j], "justid")) {
      justid = true;
    } else if (ArgIs(a[j], "idle") && left) {
      int64_t v;
      if (!ArgInt64(ctx, ++j, &v)) return;
      deliverytime = ctx.now_ms - v;
    } else if (ArgIs(a[j], "time") && left) {
      int64_t v;
      if (!ArgInt64(ctx, ++j, &v)) return;
      deliverytime = v;
    } else if (ArgIs(a[j], "retrycount") && left) {
      if (!ArgInt64(ctx, ++j, &retrycount)) return;
    } else if (ArgIs(a[j], "lastid") && left) {
      StreamID ignored;
      if (!ParseIdOrReply(ctx, a[++j], 0, &ignored)) return;
    } else {
      ctx.reply.Error(errors::UnknownXclaimOption(a[j]));
      return;
    }
  }
  if (deliverytime != -1) {
    if (deliverytime < 0 || deliverytime > ctx.now_ms) deliverytime = ctx.now_ms;
  } else {
    deliverytime = ctx.now_ms;
  }
  StreamObject* s;
  StreamGroup* g;
  if (!LookupGroupOrReply(ctx, &s, &g)) return;
  size_t token = ctx.reply.BeginArray();
  size_t n = 0;
  StreamConsumer* consumer = nullptr;
  bool changed = false;
  for (StreamID id : ids) {
    auto e = s->entries().find(id);
    auto pit = g->pel.find(id);
    if (pit == g->pel.end()) {
      if (!force || e == s->entries().end()) continue;
    } else if (e == s->entries().end()) {
      DropNack(g, id);  // the entry was deleted: nothing to claim, forget it
      changed = true;
      continue;
    } else if (min_idle > 0 && ctx.now_ms - pit->second.delivery_time_ms < min_idle) {
      continue;
    }
    if (consumer == nullptr) consumer = &GetConsumer(ctx, a[1], *g, a[3], nullptr);
    bool fresh = pit == g->pel.end();
    Claim(g, id, a[3], *consumer);
    StreamNack& nack = g->pel[id];
    if (fresh) nack.delivery_count = 0;
    nack.delivery_time_ms = deliverytime;
    if (retrycount >= 0) {
      nack.delivery_count = static_cast<uint64_t>(retrycount);
    } else if (!justid) {
      ++nack.delivery_count;
    }
    consumer->seen_time_ms = ctx.now_ms;
    changed = true;
    ReplyClaimed(ctx.reply, id, e->second.fields, justid);
    ++n;
  }
  ctx.reply.EndArray(token, n);
  if (changed) ctx.db.AddDirty();
}

void CmdXAutoClaim(CommandContext& ctx) {
  KeepWatchers(ctx);
  Args a = ctx.argv;
  int64_t min_idle;
  if (!ParseMinIdle(ctx, errors::kXautoclaimMinIdle, &min_idle)) return;
  StreamID start;
  if (!ParseIntervalId(ctx, a[5], true, &start)) return;
  int64_t count = 100;
  bool justid = false;
  for (size_t j = 6; j < a.size(); ++j) {
    if (ArgIs(a[j], "count") && j + 1 < a.size()) {
      if (!ArgInt64(ctx, ++j, &count)) return;
      if (count < 1 || count > std::numeric_limits<int64_t>::max() / 10) {
        ctx.reply.Error(errors::kXautoclaimCount);
        return;
      }
    } else if (ArgIs(a[j], "justid")) {
      justid = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  StreamObject* s;
  StreamGroup* g;
  if (!LookupGroupOrReply(ctx, &s, &g)) return;
  int64_t attempts = count * 10;
  std::string entries;  // claimed entries' replies, framed after the cursor is known
  ReplyBuilder body;
  size_t claimed = 0;
  std::vector<StreamID> deleted;
  StreamConsumer* consumer = nullptr;
  auto it = g->pel.lower_bound(start);
  while (attempts-- > 0 && count > 0 && it != g->pel.end()) {
    StreamID id = it->first;
    auto e = s->entries().find(id);
    if (e == s->entries().end()) {
      deleted.push_back(id);
      ++it;
      DropNack(g, id);
      --count;  // Redis 7.0.15: COUNT limits the reply, deleted IDs included
      continue;
    }
    if (min_idle > 0 && ctx.now_ms - it->second.delivery_time_ms < min_idle) {
      ++it;
      continue;
    }
    if (consumer == nullptr) consumer = &GetConsumer(ctx, a[1], *g, a[3], nullptr);
    Claim(g, id, a[3], *consumer);
    it->second.delivery_time_ms = ctx.now_ms;
    if (!justid) ++it->second.delivery_count;
    consumer->seen_time_ms = ctx.now_ms;
    ReplyClaimed(body, id, e->second.fields, justid);
    ++claimed;
    --count;
    ++it;
  }
  StreamID next = it == g->pel.end() ? StreamID{} : it->first;
  ctx.reply.Array(3);
  ctx.reply.Bulk(next.ToString());
  ctx.reply.Array(claimed);
  ctx.reply.Raw(body.buffer());
  ctx.reply.Array(deleted.size());
  for (StreamID id : deleted) ctx.reply.Bulk(id.ToString());
  if (claimed || !deleted.empty()) ctx.db.AddDirty();
}

// ---- XINFO ------------------------------------------------------------------------------------

bool XInfoStream(CommandContext& ctx, std::string_view key, StreamObject** s) {
  Value* v;
  if (!LookupTyped(ctx, key, ObjType::kStream, &v)) return false;
  if (v == nullptr) {
    ctx.reply.Error(errors::kNoSuchKey);
    return false;
  }
  *s = AsStream(v);
  return true;
}

// One field of an XINFO reply, a list of name-value pairs: the field's name, then its value.
void Field(ReplyBuilder& r, std::string_view name, std::string_view value) {
  r.Bulk(name);
  r.Bulk(value);
}
template <std::integral T>
void Field(ReplyBuilder& r, std::string_view name, T value) {
  r.Bulk(name);
  r.Integer(static_cast<int64_t>(value));
}

void ReplyLag(ReplyBuilder& r, const StreamObject& s, const StreamGroup& g) {
  if (s.entries_added == 0) {
    r.Integer(0);
  } else if (g.entries_read != -1 && !s.HasTombstonesFrom(g.last_id)) {
    r.Integer(static_cast<int64_t>(s.entries_added) - g.entries_read);
  } else {
    int64_t read = s.EstimateDistance(g.last_id);
    if (read != -1) {
      r.Integer(static_cast<int64_t>(s.entries_added) - read);
    } else {
      r.Null();
    }
  }
}

// A group's "last-delivered-id", "entries-read" (nil when not known) and "lag" fields, as XINFO
// GROUPS and XINFO STREAM FULL both reply them.
void ReplyGroupPosition(ReplyBuilder& r, const StreamObject& s, const StreamGroup& g) {
  Field(r, "last-delivered-id", g.last_id.ToString());
  r.Bulk("entries-read");
  if (g.entries_read != -1) {
    r.Integer(g.entries_read);
  } else {
    r.Null();
  }
  r.Bulk("lag");
  ReplyLag(r, s, g);
}

// A group's or a consumer's "pel-count" and "pending" fields in XINFO STREAM FULL: the PEL's size,
// then its first `count` entries (0: all), each replied by reply_entry.
template <typename Pel, typename ReplyEntry>
void ReplyPel(ReplyBuilder& r, const Pel& pel, size_t count, ReplyEntry reply_entry) {
  Field(r, "pel-count", pel.size());
  r.Bulk("pending");
  size_t shown = count ? std::min(count, pel.size()) : pel.size();
  r.Array(shown);
  auto it = pel.begin();
  for (size_t k = 0; k < shown; ++k, ++it) reply_entry(*it);
}

// XINFO STREAM key FULL [COUNT n]'s groups: each with its PEL and consumers, every PEL listing at
// most count entries (0: all).
void ReplyGroupsFull(ReplyBuilder& r, const StreamObject& s, size_t count) {
  r.Array(s.groups.size());
  for (const auto& [name, g] : s.groups) {
    r.Array(14);
    Field(r, "name", name);
    ReplyGroupPosition(r, s, g);
    ReplyPel(r, g.pel, count, [&r](const auto& entry) {
      const auto& [id, nack] = entry;
      r.Array(4);
      r.Bulk(id.ToString());
      r.Bulk(nack.consumer);
      r.Integer(nack.delivery_time_ms);
      r.Integer(static_cast<int64_t>(nack.delivery_count));
    });
    r.Bulk("consumers");
    r.Array(g.consumers.size());
    for (const auto& [cname, c] : g.consumers) {
      r.Array(8);
      Field(r, "name", cname);
      Field(r, "seen-time", c.seen_time_ms);
      ReplyPel(r, c.pel, count, [&r, &group_pel = g.pel](StreamID id) {
        const StreamNack& nack = group_pel.at(id);  // invariant 3: the group's PEL holds it
        r.Array(3);
        r.Bulk(id.ToString());
        r.Integer(nack.delivery_time_ms);
        r.Integer(static_cast<int64_t>(nack.delivery_count));
      });
    }
  }
}

// XINFO STREAM key [FULL [COUNT n]]: the key is looked up before the options are read, as Redis.
void CmdXInfoStream(CommandContext& ctx) {
  StreamObject* s;
  if (!XInfoStream(ctx, ctx.argv[2], &s)) return;
  Args opts = ctx.argv.subspan(3);
  bool full = !opts.empty();
  int64_t count = 10;  // Redis's default, so FULL cannot stall the server on a huge stream
  if (full) {
    if ((opts.size() != 1 && opts.size() != 3) || !ArgIs(opts[0], "full") ||
        (opts.size() == 3 && !ArgIs(opts[1], "count"))) {
      ctx.reply.Error(errors::SubcommandSyntax(ctx.argv[1], "XINFO"));
      return;
    }
    if (opts.size() == 3 && !ArgInt64(ctx, 5, &count)) return;
    if (count < 0) count = 10;
  }
  ReplyBuilder& r = ctx.reply;
  r.Array(full ? 18 : 20);
  Field(r, "length", s->length());
  Field(r, "radix-tree-keys", s->node_count());
  Field(r, "radix-tree-nodes", s->node_count() + 1);
  Field(r, "last-generated-id", s->last_id.ToString());
  Field(r, "max-deleted-entry-id", s->max_deleted_id.ToString());
  Field(r, "entries-added", s->entries_added);
  Field(r, "recorded-first-entry-id", s->FirstId().ToString());
  if (full) {
    r.Bulk("entries");
    ReplyRange(r, *s, StreamID{}, StreamID::Max(), static_cast<size_t>(count), false);
    r.Bulk("groups");
    ReplyGroupsFull(r, *s, static_cast<size_t>(count));
    return;
  }
  Field(r, "groups", s->groups.size());
  r.Bulk("first-entry");
  if (s->length()) {
    ReplyEntry(r, s->entries().begin()->first, s->entries().begin()->second.fields);
  } else {
    r.Null();
  }
  r.Bulk("last-entry");
  if (s->length()) {
    ReplyEntry(r, s->entries().rbegin()->first, s->entries().rbegin()->second.fields);
  } else {
    r.Null();
  }
}

void CmdXInfoGroups(CommandContext& ctx) {
  StreamObject* s;
  if (!XInfoStream(ctx, ctx.argv[2], &s)) return;
  ReplyBuilder& r = ctx.reply;
  r.Array(s->groups.size());
  for (const auto& [name, g] : s->groups) {
    r.Array(12);
    Field(r, "name", name);
    Field(r, "consumers", g.consumers.size());
    Field(r, "pending", g.pel.size());
    ReplyGroupPosition(r, *s, g);
  }
}

void CmdXInfoConsumers(CommandContext& ctx) {
  StreamObject* s;
  if (!XInfoStream(ctx, ctx.argv[2], &s)) return;
  auto it = s->groups.find(ctx.argv[3]);
  if (it == s->groups.end()) {
    ctx.reply.Error(errors::NoSuchGroup(ctx.argv[3], ctx.argv[2]));
    return;
  }
  ReplyBuilder& r = ctx.reply;
  r.Array(it->second.consumers.size());
  for (const auto& [name, c] : it->second.consumers) {
    r.Array(6);
    Field(r, "name", name);
    Field(r, "pending", c.pel.size());
    Field(r, "idle", std::max<int64_t>(0, ctx.now_ms - c.seen_time_ms));
  }
}

void CmdXInfoHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "XINFO",
            {"CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.",
             "GROUPS <key>", "    Show the stream consumer groups.",
             "STREAM <key> [FULL [COUNT <count>]", "    Show information about the stream."});
}

void CmdContainer(CommandContext& ctx) {
  // Reached only when called with no subcommand (arity -2 stops that) — kept for safety.
  ReplyArityError(ctx);
}

}  // namespace

void RegisterStreamFamily(CommandTable& table) {
  CommandRegistrar reg(table, "stream");
  reg.Add("xadd", -5, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdXAdd);
  reg.Add("xlen", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdXLen);
  reg.Add("xrange", -4, kCmdReadOnly, {1, 1, 1}, CmdXRange);
  reg.Add("xrevrange", -4, kCmdReadOnly, {1, 1, 1}, CmdXRevRange);
  reg.Add("xdel", -3, kCmdWrite | kCmdFast, {1, 1, 1}, CmdXDel);
  reg.Add("xtrim", -4, kCmdWrite, {1, 1, 1}, CmdXTrim);
  reg.Add("xread", -4, kCmdReadOnly | kCmdBlocking | kCmdMovableKeys, {}, CmdXRead);
  reg.Add("xreadgroup", -7, kCmdWrite | kCmdBlocking | kCmdMovableKeys, {}, CmdXRead);
  reg.Add("xack", -4, kCmdWrite | kCmdFast, {1, 1, 1}, CmdXAck);
  reg.Add("xpending", -3, kCmdReadOnly, {1, 1, 1}, CmdXPending);
  reg.Add("xclaim", -6, kCmdWrite | kCmdFast, {1, 1, 1}, CmdXClaim);
  reg.Add("xautoclaim", -6, kCmdWrite | kCmdFast, {1, 1, 1}, CmdXAutoClaim);
  reg.Add("xsetid", -3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdXSetId);
  reg.Add("xgroup", -2, 0, {}, CmdContainer);
  reg.Add("xinfo", -2, 0, {}, CmdContainer);
  reg.Sub("xgroup", "create", -5, kCmdWrite | kCmdDenyOom, {2, 2, 1}, CmdXGroupCreate);
  reg.Sub("xgroup", "setid", -5, kCmdWrite, {2, 2, 1}, CmdXGroupSetId);
  reg.Sub("xgroup", "destroy", 4, kCmdWrite, {2, 2, 1}, CmdXGroupDestroy);
  reg.Sub("xgroup", "createconsumer", 5, kCmdWrite | kCmdDenyOom, {2, 2, 1},
          CmdXGroupCreateConsumer);
  reg.Sub("xgroup", "delconsumer", 5, kCmdWrite, {2, 2, 1}, CmdXGroupDelConsumer);
  reg.Sub("xgroup", "help", 2, kCmdLoading | kCmdStale, {}, CmdXGroupHelp);
  reg.Sub("xinfo", "stream", -3, kCmdReadOnly, {2, 2, 1}, CmdXInfoStream);
  reg.Sub("xinfo", "groups", 3, kCmdReadOnly, {2, 2, 1}, CmdXInfoGroups);
  reg.Sub("xinfo", "consumers", 4, kCmdReadOnly, {2, 2, 1}, CmdXInfoConsumers);
  reg.Sub("xinfo", "help", 2, kCmdLoading | kCmdStale, {}, CmdXInfoHelp);
}

}  // namespace racetrack::engine
