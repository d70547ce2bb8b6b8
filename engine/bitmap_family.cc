// Bitmap commands on string values: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
//
// A bitmap is an ordinary string read as bits, bit 0 being the most significant bit of the first
// byte (Redis's convention, so the strings are interchangeable with Redis's). Writes grow the
// string with zero bytes up to the highest bit they touch, never beyond proto-max-bulk-len (512 MB
// by default): an offset at or past it is refused with Redis's "bit offset is not an integer or out
// of range", so one SETBIT cannot ask for more memory than one string may hold.
//
// Ranges (BITCOUNT, BITPOS) are byte indexes by default or bit indexes with BIT (Redis 7.0); both
// are turned into one inclusive range of bit positions [first, last] after Redis's clamping, and
// counted or searched there, which is what Redis's edge-byte masks compute.
//
// The order of checks is Redis 7.0's bitops.c (clients see which error wins): BITCOUNT looks the
// key up before parsing its range, BITPOS parses the bit first, BITFIELD parses every operation
// before touching the key.
//
// Complexity: SETBIT/GETBIT O(1); BITCOUNT/BITPOS O(N) in the range; BITOP O(N) in the longest
// input; BITFIELD O(1) per operation.
#include <bit>
#include <cstring>
#include <string>
#include <vector>

#include "engine/arg_util.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

// Redis's getBitOffsetFromArgument: a non-negative integer whose byte fits proto-max-bulk-len;
// with `bits` > 0 (BITFIELD) "#N" means N * bits.
bool ParseBitOffset(CommandContext& ctx, std::string_view arg, int bits, uint64_t* out) {
  bool use_hash = bits > 0 && !arg.empty() && arg[0] == '#';
  int64_t offset;
  if (!ParseInt64(use_hash ? arg.substr(1) : arg, &offset)) {
    ctx.reply.Error(errors::kBitOffsetInvalid);
    return false;
  }
  // Wrapping multiplication, as the C code's overflow does in practice: a negative result is
  // refused below.
  if (use_hash) offset = static_cast<int64_t>(static_cast<uint64_t>(offset) * static_cast<uint64_t>(bits));
  if (offset < 0 || (offset >> 3) >= ctx.engine.config().proto_max_bulk_len) {
    ctx.reply.Error(errors::kBitOffsetInvalid);
    return false;
  }
  *out = static_cast<uint64_t>(offset);
  return true;
}

bool GetBit(std::string_view s, uint64_t bit) {
  uint64_t byte = bit >> 3;
  if (byte >= s.size()) return false;
  return (static_cast<uint8_t>(s[byte]) >> (7 - (bit & 7))) & 1;
}

// The string at key for a write reaching bit `max_bit`, created or zero-padded as needed (Redis's
// lookupStringForBitCommand). nullptr after a WRONGTYPE reply. *grew: created or lengthened.
std::string* StringForBitWrite(CommandContext& ctx, uint64_t max_bit, bool* grew) {
  size_t need = static_cast<size_t>(max_bit >> 3) + 1;
  Value* v;
  if (!LookupTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return nullptr;
  *grew = false;
  if (v == nullptr) {
    // A new bitmap is a raw string in Redis (OBJECT ENCODING "raw"), whatever its length.
    v = &ctx.db.Add(ctx.argv[1], Value::Raw(std::string(need, '\0')));
    *grew = true;
  } else if (v->str().size() < need) {
    v->mutable_str().resize(need, '\0');
    *grew = true;
  }
  return &v->mutable_str();
}

// BITCOUNT / BITPOS's [start end [BIT|BYTE]] after parsing, clamped as Redis does, as an inclusive
// range of bit positions. Returns false when the range is empty.
bool ClampRange(int64_t len_bytes, int64_t start, int64_t end, bool is_bit, uint64_t* first_bit,
                uint64_t* last_bit) {
  int64_t total = is_bit ? len_bytes * 8 : len_bytes;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return false;
  *first_bit = is_bit ? static_cast<uint64_t>(start) : static_cast<uint64_t>(start) * 8;
  *last_bit = is_bit ? static_cast<uint64_t>(end) : static_cast<uint64_t>(end) * 8 + 7;
  return true;
}

// Set bits in [first, last] (inclusive bit positions inside s).
int64_t PopCount(std::string_view s, uint64_t first, uint64_t last) {
  int64_t count = 0;
  while (first <= last && (first & 7) != 0) count += GetBit(s, first++);
  while (first + 63 <= last) {
    uint64_t word;
    std::memcpy(&word, s.data() + (first >> 3), 8);
    count += std::popcount(word);
    first += 64;
  }
  while (first + 7 <= last) {
    count += std::popcount(static_cast<uint8_t>(s[first >> 3]));
    first += 8;
  }
  while (first <= last) count += GetBit(s, first++);
  return count;
}

// First bit equal to `bit` in [first, last], or -1.
int64_t FindBit(std::string_view s, uint64_t first, uint64_t last, bool bit) {
  const uint8_t skip = bit ? 0x00 : 0xff;
  while (first <= last) {
    if ((first & 7) == 0 && first + 7 <= last && static_cast<uint8_t>(s[first >> 3]) == skip) {
      first += 8;
      continue;
    }
    if (GetBit(s, first) == bit) return static_cast<int64_t>(first);
    ++first;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// SETBIT GETBIT BITCOUNT BITPOS
// ---------------------------------------------------------------------------------------------

void CmdSetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.argv[2], 0, &offset)) return;
  int64_t on;
  if (!ParseInt64(ctx.argv[3], &on) || (on & ~1) != 0) {
    ctx.reply.Error(errors::kBitValueInvalid);
    return;
  }
  uint64_t dirty_before = ctx.db.dirty();
  bool grew;
  std::string* s = StringForBitWrite(ctx, offset, &grew);
  if (s == nullptr) return;
  uint8_t& byte = reinterpret_cast<uint8_t&>((*s)[offset >> 3]);
  int shift = 7 - static_cast<int>(offset & 7);
  bool old = (byte >> shift) & 1;
  // Only a real change counts (Redis: a SETBIT that sets a bit to its value is not propagated
  // and does not touch WATCHers).
  if (grew || old != (on == 1)) {
    byte = static_cast<uint8_t>((byte & ~(1u << shift)) | (static_cast<unsigned>(on) << shift));
    if (ctx.db.dirty() == dirty_before) ctx.db.AddDirty();
    Notify(ctx, kNotifyString, "setbit", ctx.argv[1]);
  }
  ctx.reply.Integer(old ? 1 : 0);
}

void CmdGetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.argv[2], 0, &offset)) return;
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
  ctx.reply.Integer(v != nullptr && GetBit(v->str(), offset) ? 1 : 0);
}

// "BIT" / "BYTE" (any case); else a syntax error reply.
bool ParseBitOrByte(CommandContext& ctx, std::string_view arg, bool* is_bit) {
  if (ArgIs(arg, "bit")) {
    *is_bit = true;
  } else if (ArgIs(arg, "byte")) {
    *is_bit = false;
  } else {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  return true;
}

// BITCOUNT key [start end [BIT|BYTE]]
void CmdBitCount(CommandContext& ctx) {
  Value* v = LookupReadOrReply(ctx, ctx.argv[1], ObjType::kString, ReplyZero);
  if (v == nullptr) return;
  std::string_view s = v->str();
  int64_t len = static_cast<int64_t>(s.size());
  int64_t start = 0, end = len - 1;
  bool is_bit = false;
  size_t argc = ctx.argv.size();
  if (argc == 4 || argc == 5) {
    if (!ArgInt64(ctx, 2, &start) || !ArgInt64(ctx, 3, &end)) return;
    if (start < 0 && end < 0 && start > end) {
      ctx.reply.Integer(0);
      return;
    }
    if (argc == 5 && !ParseBitOrByte(ctx, ctx.argv[4], &is_bit)) return;
  } else if (argc != 2) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  uint64_t first, last;
  ctx.reply.Integer(ClampRange(len, start, end, is_bit, &first, &last) ? PopCount(s, first, last)
                                                                       : 0);
}

// BITPOS key bit [start [end [BIT|BYTE]]]
void CmdBitPos(CommandContext& ctx) {
  int64_t bit;
  if (!ArgInt64(ctx, 2, &bit)) return;
  if (bit != 0 && bit != 1) {
    ctx.reply.Error(errors::kBitArgNotBit);
    return;
  }
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
  if (v == nullptr) {  // an infinite run of zeros
    ctx.reply.Integer(bit ? -1 : 0);
    return;
  }
  std::string_view s = v->str();
  int64_t len = static_cast<int64_t>(s.size());
  int64_t start = 0, end = len - 1;
  bool is_bit = false, end_given = false;
  size_t argc = ctx.argv.size();
  if (argc >= 4 && argc <= 6) {
    if (!ArgInt64(ctx, 3, &start)) return;
    if (argc == 6 && !ParseBitOrByte(ctx, ctx.argv[5], &is_bit)) return;
    if (argc >= 5) {
      if (!ArgInt64(ctx, 4, &end)) return;
      end_given = true;
    } else {
      end = len - 1;
    }
  } else if (argc != 3) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  uint64_t first, last;
  if (!ClampRange(len, start, end, is_bit, &first, &last)) {
    ctx.reply.Integer(-1);
    return;
  }
  int64_t pos = FindBit(s, first, last, bit == 1);
  // Looking for a 0 with no explicit end: the string counts as padded with zeros on the right, so
  // the answer is the first bit after it (Redis's rule); with an end given, there is none.
  if (pos < 0 && bit == 0 && !end_given) pos = static_cast<int64_t>(last) + 1;
  ctx.reply.Integer(pos);
}

// ---------------------------------------------------------------------------------------------
// BITOP
// ---------------------------------------------------------------------------------------------

enum class BitOp { kAnd, kOr, kXor, kNot };

// BITOP AND|OR|XOR|NOT destkey key [key ...]: the result is as long as the longest input, shorter
// inputs padded with zeros; an empty result deletes destkey. Replies the result's length.
void CmdBitOp(CommandContext& ctx) {
  std::string_view name = ctx.argv[1];
  BitOp op;
  if (!ArgWord(
          name,
          {{"and", BitOp::kAnd}, {"or", BitOp::kOr}, {"xor", BitOp::kXor}, {"not", BitOp::kNot}},
          &op)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  if (op == BitOp::kNot && ctx.argv.size() != 4) {
    ctx.reply.Error(errors::kBitopNotSingleKey);
    return;
  }
  std::vector<std::string_view> src;
  size_t max_len = 0;
  for (size_t i = 3; i < ctx.argv.size(); ++i) {
    Value* v;
    if (!LookupReadTyped(ctx, ctx.argv[i], ObjType::kString, &v)) return;
    src.push_back(v == nullptr ? std::string_view() : std::string_view(v->str()));
    max_len = std::max(max_len, src.back().size());
  }
  std::string_view dst = ctx.argv[2];
  if (max_len == 0) {
    DeleteKey(ctx, dst);
    ctx.reply.Integer(0);
    return;
  }
  std::string out(max_len, '\0');
  for (size_t j = 0; j < max_len; ++j) {
    auto byte = [&](size_t i) -> uint8_t {
      return j < src[i].size() ? static_cast<uint8_t>(src[i][j]) : 0;
    };
    uint8_t acc = byte(0);
    if (op == BitOp::kNot) acc = static_cast<uint8_t>(~acc);
    for (size_t i = 1; i < src.size(); ++i) {
      if (op == BitOp::kAnd) acc &= byte(i);
      else if (op == BitOp::kOr) acc |= byte(i);
      else acc ^= byte(i);
    }
    out[j] = static_cast<char>(acc);
  }
  ctx.db.Set(dst, Value(std::move(out)));
  Notify(ctx, kNotifyString, "set", dst);
  ctx.reply.Integer(static_cast<int64_t>(max_len));
}

// ---------------------------------------------------------------------------------------------
// BITFIELD / BITFIELD_RO
// ---------------------------------------------------------------------------------------------

enum class Overflow { kWrap, kSat, kFail };
enum class FieldOp { kGet, kSet, kIncrBy };

struct FieldCommand {
  FieldOp op;
  Overflow overflow;
  bool is_signed;
  int bits;
  uint64_t offset;
  int64_t value;  // SET's value or INCRBY's increment
};

// "i1".."i64" or "u1".."u63" (u64 cannot be replied as a RESP integer).
bool ParseFieldType(CommandContext& ctx, std::string_view arg, bool* is_signed, int* bits) {
  int64_t n;
  if (arg.empty() || (arg[0] != 'i' && arg[0] != 'u') || !ParseInt64(arg.substr(1), &n) || n < 1 ||
      n > (arg[0] == 'i' ? 64 : 63)) {
    ctx.reply.Error(errors::kBitfieldBadType);
    return false;
  }
  *is_signed = arg[0] == 'i';
  *bits = static_cast<int>(n);
  return true;
}

uint64_t GetField(std::string_view s, uint64_t offset, int bits) {
  uint64_t v = 0;
  for (int j = 0; j < bits; ++j) v = (v << 1) | (GetBit(s, offset + j) ? 1 : 0);
  return v;
}

int64_t GetSignedField(std::string_view s, uint64_t offset, int bits) {
  uint64_t u = GetField(s, offset, bits);
  if (bits < 64 && (u & (uint64_t{1} << (bits - 1)))) u |= ~uint64_t{0} << bits;  // sign-extend
  return static_cast<int64_t>(u);
}

// REQUIRES: s covers offset + bits - 1.
void SetField(std::string* s, uint64_t offset, int bits, uint64_t value) {
  for (int j = 0; j < bits; ++j) {
    uint64_t pos = offset + j;
    auto& byte = reinterpret_cast<uint8_t&>((*s)[pos >> 3]);
    int shift = 7 - static_cast<int>(pos & 7);
    bool bit = (value >> (bits - 1 - j)) & 1;
    byte = static_cast<uint8_t>((byte & ~(1u << shift)) | (static_cast<unsigned>(bit) << shift));
  }
}

// Redis's checkUnsignedBitfieldOverflow: 1 above, -1 below, 0 fits; *limit is the wrapped or
// saturated value.
int UnsignedOverflow(uint64_t value, int64_t incr, int bits, Overflow ow, uint64_t* limit) {
  uint64_t max = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  int64_t maxincr = static_cast<int64_t>(max - value);
  int64_t minincr = static_cast<int64_t>(0 - value);
  auto wrap = [&] {
    uint64_t mask = ~uint64_t{0} << bits;
    *limit = (value + static_cast<uint64_t>(incr)) & ~mask;
  };
  if (value > max || (incr > 0 && incr > maxincr)) {
    if (ow == Overflow::kWrap) wrap();
    else if (ow == Overflow::kSat) *limit = max;
    return 1;
  }
  if (incr < 0 && incr < minincr) {
    if (ow == Overflow::kWrap) wrap();
    else if (ow == Overflow::kSat) *limit = 0;
    return -1;
  }
  return 0;
}

// Redis's checkSignedBitfieldOverflow.
int SignedOverflow(int64_t value, int64_t incr, int bits, Overflow ow, int64_t* limit) {
  int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  int64_t min = -max - 1;
  int64_t maxincr = static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  int64_t minincr = static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  auto wrap = [&] {
    uint64_t c = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    if (bits < 64) {
      uint64_t mask = ~uint64_t{0} << bits;
      c = (c & (uint64_t{1} << (bits - 1))) ? (c | mask) : (c & ~mask);
    }
    *limit = static_cast<int64_t>(c);
  };
  if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
    if (ow == Overflow::kWrap) wrap();
    else if (ow == Overflow::kSat) *limit = max;
    return 1;
  }
  if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr)) {
    if (ow == Overflow::kWrap) wrap();
    else if (ow == Overflow::kSat) *limit = min;
    return -1;
  }
  return 0;
}

void BitfieldGeneric(CommandContext& ctx, bool read_only_command) {
  std::vector<FieldCommand> ops;
  Overflow overflow = Overflow::kWrap;
  bool read_only = true;
  uint64_t highest_write = 0;
  const size_t argc = ctx.argv.size();
  for (size_t j = 2; j < argc; ++j) {
    size_t remaining = argc - j - 1;
    std::string_view sub = ctx.argv[j];
    FieldCommand fc{};
    if (ArgIs(sub, "get") && remaining >= 2) {
      fc.op = FieldOp::kGet;
    } else if (ArgIs(sub, "set") && remaining >= 3) {
      fc.op = FieldOp::kSet;
    } else if (ArgIs(sub, "incrby") && remaining >= 3) {
      fc.op = FieldOp::kIncrBy;
    } else if (ArgIs(sub, "overflow") && remaining >= 1) {
      std::string_view type = ctx.argv[++j];
      if (!ArgWord(type,
                   {{"wrap", Overflow::kWrap}, {"sat", Overflow::kSat}, {"fail", Overflow::kFail}},
                   &overflow)) {
        ctx.reply.Error(errors::kBitfieldBadOverflow);
        return;
      }
      continue;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
    if (!ParseFieldType(ctx, ctx.argv[j + 1], &fc.is_signed, &fc.bits)) return;
    if (!ParseBitOffset(ctx, ctx.argv[j + 2], fc.bits, &fc.offset)) return;
    if (fc.op != FieldOp::kGet) {
      read_only = false;
      highest_write = std::max(highest_write, fc.offset + static_cast<uint64_t>(fc.bits) - 1);
      if (!ArgInt64(ctx, j + 3, &fc.value)) return;
    }
    fc.overflow = overflow;
    ops.push_back(fc);
    j += fc.op == FieldOp::kGet ? 2 : 3;
  }

  std::string* target = nullptr;
  std::string_view readable;
  bool grew = false;
  uint64_t dirty_before = ctx.db.dirty();
  if (read_only) {
    Value* v;
    if (!LookupReadTyped(ctx, ctx.argv[1], ObjType::kString, &v)) return;
    if (v != nullptr) readable = v->str();
  } else {
    if (read_only_command) {
      ctx.reply.Error(errors::kBitfieldRoGetOnly);
      return;
    }
    target = StringForBitWrite(ctx, highest_write, &grew);
    if (target == nullptr) return;
  }

  uint64_t changes = 0;
  ctx.reply.Array(ops.size());
  for (const FieldCommand& fc : ops) {
    std::string_view s = target != nullptr ? std::string_view(*target) : readable;
    if (fc.op == FieldOp::kGet) {
      if (fc.is_signed) {
        ctx.reply.Integer(GetSignedField(s, fc.offset, fc.bits));
      } else {
        ctx.reply.Integer(static_cast<int64_t>(GetField(s, fc.offset, fc.bits)));
      }
      continue;
    }
    int over;
    uint64_t old_bits, new_bits;
    int64_t reply;
    if (fc.is_signed) {
      int64_t old = GetSignedField(s, fc.offset, fc.bits), wrapped = 0, nv;
      if (fc.op == FieldOp::kIncrBy) {
        over = SignedOverflow(old, fc.value, fc.bits, fc.overflow, &wrapped);
        nv = over ? wrapped
                  : static_cast<int64_t>(static_cast<uint64_t>(old) + static_cast<uint64_t>(fc.value));
        reply = nv;
      } else {
        over = SignedOverflow(fc.value, 0, fc.bits, fc.overflow, &wrapped);
        nv = over ? wrapped : fc.value;
        reply = old;
      }
      old_bits = static_cast<uint64_t>(old);
      new_bits = static_cast<uint64_t>(nv);
    } else {
      uint64_t old = GetField(s, fc.offset, fc.bits), wrapped = 0, nv;
      if (fc.op == FieldOp::kIncrBy) {
        over = UnsignedOverflow(old, fc.value, fc.bits, fc.overflow, &wrapped);
        nv = over ? wrapped : old + static_cast<uint64_t>(fc.value);
        reply = static_cast<int64_t>(nv);
      } else {
        over = UnsignedOverflow(static_cast<uint64_t>(fc.value), 0, fc.bits, fc.overflow, &wrapped);
        nv = over ? wrapped : static_cast<uint64_t>(fc.value);
        reply = static_cast<int64_t>(old);
      }
      old_bits = old;
      new_bits = nv;
    }
    if (over != 0 && fc.overflow == Overflow::kFail) {
      ctx.reply.Null();
      continue;
    }
    ctx.reply.Integer(reply);
    SetField(target, fc.offset, fc.bits, new_bits);
    if (grew || old_bits != new_bits) ++changes;
  }
  // Redis counts one change per effective write; a created or padded string is a change too (it
  // must reach the append-only log even when every write failed its OVERFLOW FAIL check).
  if (grew && changes == 0) changes = 1;
  uint64_t counted = ctx.db.dirty() - dirty_before;  // Db::Add counts a creation itself
  if (changes > counted) ctx.db.AddDirty(changes - counted);
  if (changes > 0) Notify(ctx, kNotifyString, "setbit", ctx.argv[1]);
}

void CmdBitfield(CommandContext& ctx) { BitfieldGeneric(ctx, false); }
void CmdBitfieldRo(CommandContext& ctx) { BitfieldGeneric(ctx, true); }

}  // namespace

void RegisterBitmapFamily(CommandTable& table) {
  CommandRegistrar reg(table, "bitmap");
  reg.Add("setbit", 4, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdSetBit);
  reg.Add("getbit", 3, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdGetBit);
  reg.Add("bitcount", -2, kCmdReadOnly, {1, 1, 1}, CmdBitCount);
  reg.Add("bitpos", -3, kCmdReadOnly, {1, 1, 1}, CmdBitPos);
  reg.Add("bitop", -4, kCmdWrite | kCmdDenyOom, {2, -1, 1}, CmdBitOp);
  reg.Add("bitfield", -2, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdBitfield);
  reg.Add("bitfield_ro", -2, kCmdReadOnly | kCmdFast, {1, 1, 1}, CmdBitfieldRo);
}

}  // namespace racetrack::engine
