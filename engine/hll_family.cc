// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE (the structure itself is in hyperloglog.h).
//
// An HLL is a plain string value, so these handlers look keys up as strings and then check the
// "HYLL" header; TYPE says "string", GET returns the bytes, and SET of such bytes is a valid HLL.
// The order of checks and the cache handling follow Redis 7.0's hyperloglog.c so replies, bytes and
// WATCH effects match: a PFCOUNT that refreshes a stale cached cardinality rewrites the string and
// therefore counts as a modification of the key (it touches WATCHers and the dirty counter).
#include <cstring>

#include "engine/ds/hyperloglog.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

size_t SparseMax(const CommandContext& ctx) {
  int64_t v = ctx.engine.config().hll_sparse_max_bytes;
  return v > 0 ? static_cast<size_t>(v) : 0;
}

// Looks up an existing HLL for reading. False after replying an error; *out is nullptr when the
// key does not exist.
bool LookupHll(CommandContext& ctx, std::string_view key, Value** out) {
  if (!LookupReadTyped(ctx, key, ObjType::kString, out)) return false;
  if (*out != nullptr && !hll::LooksValid((*out)->str())) {
    ctx.reply.Error(errors::kNotHll);
    return false;
  }
  return true;
}

// PFADD key [element ...]: 1 if the estimate may have changed (a register grew or the key was
// created), else 0.
void CmdPfAdd(CommandContext& ctx) {
  std::string_view key = ctx.argv[1];
  Value* v;
  if (!LookupTyped(ctx, key, ObjType::kString, &v)) return;
  int64_t updated = 0;
  if (v == nullptr) {
    v = &ctx.db.Add(key, Value::Raw(hll::NewSparse()));  // counts one change
    ++updated;
  } else if (!hll::LooksValid(v->str())) {
    ctx.reply.Error(errors::kNotHll);
    return;
  }
  bool created = updated > 0;
  for (size_t j = 2; j < ctx.argv.size(); ++j) {
    switch (hll::Add(&v->mutable_str(), ctx.argv[j], SparseMax(ctx))) {
      case hll::Update::kChanged:
        ++updated;
        break;
      case hll::Update::kUnchanged:
        break;
      case hll::Update::kCorrupt:
        ctx.reply.Error(errors::kInvalidHll);
        return;
    }
  }
  if (updated > 0) {
    hll::InvalidateCache(&v->mutable_str());
    ctx.db.AddDirty(static_cast<uint64_t>(updated - (created ? 1 : 0)));
    Notify(ctx, kNotifyString, "pfadd", ctx.argv[1]);
  }
  ctx.reply.Integer(updated > 0 ? 1 : 0);
}

// PFCOUNT key [key ...]: the estimate for one key (cached in the value), or for the union of
// several (computed on the side, nothing is modified).
void CmdPfCount(CommandContext& ctx) {
  if (ctx.argv.size() > 2) {
    uint8_t max[hll::kRegisters];
    std::memset(max, 0, sizeof(max));
    for (size_t j = 1; j < ctx.argv.size(); ++j) {
      Value* v;
      if (!LookupHll(ctx, ctx.argv[j], &v)) return;
      if (v == nullptr) continue;  // a missing key is an empty HLL
      if (!hll::MergeInto(v->str(), max)) {
        ctx.reply.Error(errors::kInvalidHll);
        return;
      }
    }
    ctx.reply.Integer(static_cast<int64_t>(hll::CountRaw(max)));
    return;
  }

  std::string_view key = ctx.argv[1];
  Value* v;
  if (!LookupHll(ctx, key, &v)) return;
  if (v == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  uint64_t card;
  if (!hll::CachedCount(v->str(), &card)) {
    if (!hll::Count(v->str(), &card)) {
      ctx.reply.Error(errors::kInvalidHll);
      return;
    }
    hll::StoreCachedCount(&v->mutable_str(), card);
    // The string changed (its cache), so WATCHers see a modification, as in Redis.
    ctx.db.AddDirty();
    ctx.engine.SignalModifiedKey(ctx.db.index(), key);
  }
  ctx.reply.Integer(static_cast<int64_t>(card));
}

// PFMERGE destkey [sourcekey ...]: destkey becomes the union (register-wise maximum) of itself and
// the sources. The destination goes dense at once if any input is dense, as Redis 7.0 does.
void CmdPfMerge(CommandContext& ctx) {
  uint8_t max[hll::kRegisters];
  std::memset(max, 0, sizeof(max));
  bool use_dense = false;
  for (size_t j = 1; j < ctx.argv.size(); ++j) {  // the destination takes part (j = 1)
    Value* v;
    if (!LookupHll(ctx, ctx.argv[j], &v)) return;
    if (v == nullptr) continue;
    if (hll::EncodingOf(v->str()) == hll::Encoding::kDense) use_dense = true;
    if (!hll::MergeInto(v->str(), max)) {
      ctx.reply.Error(errors::kInvalidHll);
      return;
    }
  }

  std::string_view key = ctx.argv[1];
  Value* dest = ctx.db.Find(key);
  if (dest == nullptr) dest = &ctx.db.Add(key, Value::Raw(hll::NewSparse()));
  std::string& s = dest->mutable_str();
  if (use_dense && !hll::ToDense(&s)) {
    ctx.reply.Error(errors::kInvalidHll);
    return;
  }
  for (uint32_t i = 0; i < hll::kRegisters; ++i) {
    if (max[i] == 0) continue;
    // A corrupt destination was rejected above, so the result can be ignored here (as Redis).
    (void)hll::SetRegister(&s, i, max[i], SparseMax(ctx));
  }
  hll::InvalidateCache(&s);
  ctx.db.AddDirty();
  Notify(ctx, kNotifyString, "pfadd", key);
  ctx.reply.Ok();
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: internals, for tests. GETREG and TODENSE convert a
// sparse HLL to dense, which is a modification of the key.
void CmdPfDebug(CommandContext& ctx) {
  std::string_view sub = ctx.argv[1];
  std::string_view key = ctx.argv[2];
  Value* v;
  if (!LookupTyped(ctx, key, ObjType::kString, &v)) return;
  if (v == nullptr) {
    ctx.reply.Error(errors::kPfdebugNoKey);
    return;
  }
  if (!hll::LooksValid(v->str())) {
    ctx.reply.Error(errors::kNotHll);
    return;
  }
  std::string& s = v->mutable_str();
  bool sparse = hll::EncodingOf(s) == hll::Encoding::kSparse;
  auto to_dense = [&]() {
    if (!hll::ToDense(&s)) {
      ctx.reply.Error(errors::kInvalidHll);
      return false;
    }
    ctx.db.AddDirty();
    return true;
  };
  if (ArgIs(sub, "getreg")) {
    if (sparse && !to_dense()) return;
    uint8_t regs[hll::kRegisters];
    std::memset(regs, 0, sizeof(regs));
    (void)hll::MergeInto(s, regs);
    ctx.reply.Array(hll::kRegisters);
    for (uint8_t r : regs) ctx.reply.Integer(r);
  } else if (ArgIs(sub, "decode")) {
    if (!sparse) {
      ctx.reply.Error(errors::kHllNotSparse);
      return;
    }
    ctx.reply.Bulk(hll::DecodeSparse(s));
  } else if (ArgIs(sub, "encoding")) {
    ctx.reply.Status(sparse ? "sparse" : "dense");
  } else if (ArgIs(sub, "todense")) {
    if (sparse && !to_dense()) return;
    ctx.reply.Integer(sparse ? 1 : 0);
  } else {
    ctx.reply.Error(errors::UnknownPfdebugSubcommand(sub));
  }
}

// PFSELFTEST: Redis checks its register macros and estimator here; the same checks live in
// tests/engine/hyperloglog_test.cc, so the command only confirms it exists.
void CmdPfSelfTest(CommandContext& ctx) { ctx.reply.Ok(); }

}  // namespace

void RegisterHllFamily(CommandTable& table) {
  CommandRegistrar reg(table, "hyperloglog");
  reg.Add("pfadd", -2, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1}, CmdPfAdd);
  reg.Add("pfcount", -2, kCmdReadOnly, {1, -1, 1}, CmdPfCount);
  reg.Add("pfmerge", -2, kCmdWrite | kCmdDenyOom, {1, -1, 1}, CmdPfMerge);
  reg.Add("pfdebug", 3, kCmdWrite | kCmdDenyOom | kCmdAdmin, {2, 2, 1}, CmdPfDebug);
  reg.Add("pfselftest", 1, kCmdAdmin, {}, CmdPfSelfTest);
}

}  // namespace racetrack::engine
