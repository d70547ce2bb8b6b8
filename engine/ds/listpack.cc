#include "engine/ds/listpack.h"

#include <charconv>
#include <cstring>

#include "engine/ds/encoding.h"
#include "engine/ds/util.h"

namespace racetrack::engine {
namespace {

constexpr size_t kHeader = 6;      // total bytes u32 + count u16
constexpr uint8_t kEnd = 0xFF;
constexpr uint32_t kUnknownCount = 65535;

// First-byte encodings (see the header's table).
constexpr uint8_t k7BitUint = 0x00, k7BitUintMask = 0x80;
constexpr uint8_t k6BitStr = 0x80, k6BitStrMask = 0xC0;
constexpr uint8_t k13BitInt = 0xC0, k13BitIntMask = 0xE0;
constexpr uint8_t k12BitStr = 0xE0, k12BitStrMask = 0xF0;
constexpr uint8_t k32BitStr = 0xF0, k16BitInt = 0xF1, k24BitInt = 0xF2, k32BitInt = 0xF3,
                  k64BitInt = 0xF4;

uint32_t Load32(const uint8_t* p) { return static_cast<uint32_t>(LoadLE(p, 4)); }
void Store32(uint8_t* p, uint32_t v) { StoreLE(p, 4, v); }
uint32_t TotalBytes(const uint8_t* lp) { return Load32(lp); }
uint32_t HeaderCount(const uint8_t* lp) { return uint32_t{lp[4]} | uint32_t{lp[5]} << 8; }
void SetHeaderCount(uint8_t* lp, uint32_t n) {
  if (n > kUnknownCount) n = kUnknownCount;
  lp[4] = static_cast<uint8_t>(n);
  lp[5] = static_cast<uint8_t>(n >> 8);
}

// Bytes the backlen of an entry whose encoding+data is `l` bytes long takes.
size_t BacklenSize(size_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

// Writes the backlen of `l` into buf (BacklenSize(l) bytes): the leftmost byte carries the highest
// 7 bits with its high bit clear; every byte to its right has the high bit set, so a reader
// walking backwards keeps going while it sees the bit.
void WriteBacklen(uint8_t* buf, size_t l) {
  size_t n = BacklenSize(l);
  for (size_t i = 0; i < n; ++i) {
    size_t shift = 7 * (n - 1 - i);
    uint8_t b = static_cast<uint8_t>((l >> shift) & 127);
    buf[i] = i == 0 ? b : static_cast<uint8_t>(b | 128);
  }
}

// Reads the backlen whose last byte is at p: returns encoding+data length; *bl_size its size.
size_t ReadBacklen(const uint8_t* p, size_t* bl_size) {
  size_t v = 0;
  size_t shift = 0;
  size_t n = 0;
  while (true) {
    v |= static_cast<size_t>(*p & 127) << shift;
    ++n;
    if ((*p & 128) == 0) break;
    shift += 7;
    --p;
  }
  *bl_size = n;
  return v;
}

// Length of the encoding+data of the entry at p.
size_t EncodedSize(const uint8_t* p) {
  uint8_t b = p[0];
  if ((b & k7BitUintMask) == k7BitUint) return 1;
  if ((b & k6BitStrMask) == k6BitStr) return 1 + (b & 0x3F);
  if ((b & k13BitIntMask) == k13BitInt) return 2;
  if ((b & k12BitStrMask) == k12BitStr) return 2 + ((size_t{b} & 0x0F) << 8 | p[1]);
  switch (b) {
    case k16BitInt: return 3;
    case k24BitInt: return 4;
    case k32BitInt: return 5;
    case k64BitInt: return 9;
    case k32BitStr: return 5 + Load32(p + 1);
    default: return 0;  // the end byte or garbage
  }
}

// The encoding+data of s: a canonical integer as the narrowest integer form, else a string.
// Writes it into out (which must hold EncodedSizeOf(s) bytes) when out is non-null.
size_t Encode(std::string_view s, uint8_t* out) {
  int64_t v;
  if (ParseInt64(s, &v)) {
    uint64_t u = static_cast<uint64_t>(v);
    if (v >= 0 && v <= 127) {
      if (out) out[0] = static_cast<uint8_t>(v);
      return 1;
    }
    if (v >= -4096 && v <= 4095) {
      uint64_t w = v < 0 ? (uint64_t{1} << 13) + static_cast<uint64_t>(v) : u;  // 13-bit two's
      if (out) {
        out[0] = static_cast<uint8_t>((w >> 8) | k13BitInt);
        out[1] = static_cast<uint8_t>(w & 0xFF);
      }
      return 2;
    }
    size_t width;
    uint8_t tag;
    if (v >= INT16_MIN && v <= INT16_MAX) {
      width = 2, tag = k16BitInt;
    } else if (v >= -8388608 && v <= 8388607) {
      width = 3, tag = k24BitInt;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      width = 4, tag = k32BitInt;
    } else {
      width = 8, tag = k64BitInt;
    }
    if (out) {
      out[0] = tag;
      StoreLE(out + 1, width, u);
    }
    return 1 + width;
  }
  size_t len = s.size();
  size_t head;
  if (len < 64) {
    head = 1;
    if (out) out[0] = static_cast<uint8_t>(k6BitStr | len);
  } else if (len < 4096) {
    head = 2;
    if (out) {
      out[0] = static_cast<uint8_t>(k12BitStr | (len >> 8));
      out[1] = static_cast<uint8_t>(len & 0xFF);
    }
  } else {
    head = 5;
    if (out) {
      out[0] = k32BitStr;
      Store32(out + 1, static_cast<uint32_t>(len));
    }
  }
  if (out && len > 0) std::memcpy(out + head, s.data(), len);
  return head + len;
}

// Sign-extends the low `bits` bits of u.
int64_t SignExtend(uint64_t u, int bits) {
  uint64_t m = uint64_t{1} << (bits - 1);
  u &= (bits == 64) ? ~uint64_t{0} : ((uint64_t{1} << bits) - 1);
  return static_cast<int64_t>((u ^ m) - m);
}

Block NewEmpty() {
  Block block(kHeader + 1);
  uint8_t* lp = block.get();
  Store32(lp, kHeader + 1);
  SetHeaderCount(lp, 0);
  lp[kHeader] = kEnd;
  return block;
}

}  // namespace

std::string_view Listpack::Entry::View(char* buf) const {
  if (!is_int) return str;
  auto [end, ec] = std::to_chars(buf, buf + kIntBuf, ival);
  return {buf, static_cast<size_t>(end - buf)};
}

bool Listpack::Entry::Equals(std::string_view s) const {
  if (!is_int) return str == s;
  int64_t v;
  return ParseInt64(s, &v) && v == ival;
}

Listpack::Listpack() : lp_(NewEmpty()) {}

Listpack Listpack::Copy() const { return Listpack(lp_.Copy(bytes())); }

size_t Listpack::bytes() const { return TotalBytes(lp()); }

size_t Listpack::size() const {
  uint32_t n = HeaderCount(lp());
  if (n != kUnknownCount) return n;
  size_t count = 0;
  for (Pos p = First(); p != nullptr; p = Next(p)) ++count;
  return count;
}

Listpack::Pos Listpack::First() const {
  const uint8_t* p = lp() + kHeader;
  return *p == kEnd ? nullptr : p;
}

Listpack::Pos Listpack::Last() const {
  const uint8_t* end = lp() + TotalBytes(lp()) - 1;
  if (end == lp() + kHeader) return nullptr;
  size_t bl;
  size_t len = ReadBacklen(end - 1, &bl);
  return end - bl - len;
}

Listpack::Pos Listpack::Next(Pos p) const {
  size_t len = EncodedSize(p);
  const uint8_t* q = p + len + BacklenSize(len);
  return *q == kEnd ? nullptr : q;
}

Listpack::Pos Listpack::Prev(Pos p) const {
  if (p == lp() + kHeader) return nullptr;
  size_t bl;
  size_t len = ReadBacklen(p - 1, &bl);
  return p - bl - len;
}

Listpack::Pos Listpack::Seek(int64_t i) const {
  size_t n = size();
  if (i < 0) i += static_cast<int64_t>(n);
  if (i < 0 || static_cast<size_t>(i) >= n) return nullptr;
  size_t idx = static_cast<size_t>(i);
  if (idx <= n / 2) {  // walk from whichever end is nearer, as lpSeek
    Pos p = First();
    while (idx-- > 0) p = Next(p);
    return p;
  }
  Pos p = Last();
  for (size_t back = n - 1 - idx; back > 0; --back) p = Prev(p);
  return p;
}

Listpack::Entry Listpack::Get(Pos p) {
  Entry e;
  uint8_t b = p[0];
  if ((b & k7BitUintMask) == k7BitUint) {
    e.is_int = true;
    e.ival = b;
  } else if ((b & k6BitStrMask) == k6BitStr) {
    e.str = {reinterpret_cast<const char*>(p + 1), size_t{b} & 0x3F};
  } else if ((b & k13BitIntMask) == k13BitInt) {
    e.is_int = true;
    e.ival = SignExtend((uint64_t{b} & 0x1F) << 8 | p[1], 13);
  } else if ((b & k12BitStrMask) == k12BitStr) {
    e.str = {reinterpret_cast<const char*>(p + 2), (size_t{b} & 0x0F) << 8 | p[1]};
  } else if (b == k32BitStr) {
    e.str = {reinterpret_cast<const char*>(p + 5), Load32(p + 1)};
  } else {
    int width = b == k16BitInt ? 2 : b == k24BitInt ? 3 : b == k32BitInt ? 4 : 8;
    e.is_int = true;
    e.ival = SignExtend(LoadLE(p + 1, static_cast<size_t>(width)), width * 8);
  }
  return e;
}

Listpack::Pos Listpack::Find(Pos from, std::string_view s, size_t skip) const {
  // Decide once whether s is an integer, then compare entries of the matching kind only.
  int64_t v;
  bool s_is_int = ParseInt64(s, &v);
  for (Pos p = from; p != nullptr;) {
    Entry e = Get(p);
    if (e.is_int ? (s_is_int && e.ival == v) : (!s_is_int && e.str == s)) return p;
    p = Next(p);
    for (size_t i = 0; i < skip && p != nullptr; ++i) p = Next(p);
  }
  return nullptr;
}

size_t Listpack::EntrySize(std::string_view s) {
  size_t len = Encode(s, nullptr);
  return len + BacklenSize(len);
}

Listpack::Pos Listpack::Insert(Pos p, std::string_view s) {
  size_t len = Encode(s, nullptr);
  size_t entry = len + BacklenSize(len);
  size_t total = TotalBytes(lp());
  size_t off = p == nullptr ? total - 1 : static_cast<size_t>(p - lp());
  lp_.Resize(total + entry);
  std::memmove(lp() + off + entry, lp() + off, total - off);
  Encode(s, lp() + off);
  WriteBacklen(lp() + off + len, len);
  Store32(lp(), static_cast<uint32_t>(total + entry));
  uint32_t n = HeaderCount(lp());
  if (n != kUnknownCount) SetHeaderCount(lp(), n + 1);
  return lp() + off;
}

Listpack::Pos Listpack::Replace(Pos p, std::string_view s) {
  size_t off = static_cast<size_t>(p - lp());
  size_t old_len = EncodedSize(p);
  size_t old_entry = old_len + BacklenSize(old_len);
  size_t len = Encode(s, nullptr);
  size_t entry = len + BacklenSize(len);
  size_t total = TotalBytes(lp());
  size_t tail = total - off - old_entry;
  if (entry > old_entry) lp_.Resize(total - old_entry + entry);
  std::memmove(lp() + off + entry, lp() + off + old_entry, tail);
  if (entry < old_entry) lp_.Resize(total - old_entry + entry);
  Encode(s, lp() + off);
  WriteBacklen(lp() + off + len, len);
  Store32(lp(), static_cast<uint32_t>(total - old_entry + entry));
  return lp() + off;
}

Listpack::Pos Listpack::Delete(Pos p, size_t count) {
  size_t off = static_cast<size_t>(p - lp());
  size_t total = TotalBytes(lp());
  const uint8_t* q = p;
  size_t removed = 0;
  while (removed < count && *q != kEnd) {
    size_t len = EncodedSize(q);
    q += len + BacklenSize(len);
    ++removed;
  }
  size_t gone = static_cast<size_t>(q - p);
  std::memmove(lp() + off, lp() + off + gone, total - off - gone);
  lp_.Resize(total - gone);
  Store32(lp(), static_cast<uint32_t>(total - gone));
  uint32_t n = HeaderCount(lp());
  if (n != kUnknownCount) {
    SetHeaderCount(lp(), n - static_cast<uint32_t>(removed));
  } else {
    size_t real = size();  // the count may fit the header again
    if (real < kUnknownCount) SetHeaderCount(lp(), static_cast<uint32_t>(real));
  }
  return lp()[off] == kEnd ? nullptr : lp() + off;
}

bool Listpack::CheckInvariants(std::string* why) const {
  auto fail = [why](const char* m) {
    if (why) *why = m;
    return false;
  };
  size_t total = TotalBytes(lp());
  if (total < kHeader + 1) return fail("total bytes below the header size");
  if (lp()[total - 1] != kEnd) return fail("no end byte at total-1");
  if (AllocatedBytes() < total) return fail("allocation smaller than total bytes");
  const uint8_t* p = lp() + kHeader;
  size_t count = 0;
  while (p < lp() + total - 1) {
    size_t len = EncodedSize(p);
    if (len == 0) return fail("bad encoding byte");
    size_t bls = BacklenSize(len);
    if (p + len + bls > lp() + total - 1) return fail("entry runs past the end byte");
    size_t got_bl;
    if (ReadBacklen(p + len + bls - 1, &got_bl) != len || got_bl != bls)
      return fail("backlen does not match the entry length");
    p += len + bls;
    ++count;
  }
  if (p != lp() + total - 1) return fail("entries do not end at the end byte");
  uint32_t n = HeaderCount(lp());
  if (n != kUnknownCount && n != count) return fail("header count differs from the entries");
  if (n == kUnknownCount && count < kUnknownCount) return fail("unknown count below 65535");
  return true;
}

}  // namespace racetrack::engine
