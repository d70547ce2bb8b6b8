// HyperLogLog: the hash, the two encodings, and Ertl's estimator. See hyperloglog.h for the lesson.
//
// Every byte-level rule here (when to split an opcode, when to merge neighbours, when to switch to
// dense) follows Redis 7.0, because the issue requires GET of a key to return the same bytes as
// Redis for the same PFADDs — a different but equally valid run-length encoding would not do.
#include "engine/ds/hyperloglog.h"

#include <cmath>
#include <cstring>

namespace racetrack::engine::hll {
namespace {

// ---------------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------------

constexpr size_t kEncodingOffset = 4;
constexpr size_t kCardOffset = 8;
constexpr uint8_t kStaleBit = 0x80;  // in the cardinality's most significant byte

uint8_t* Bytes(std::string* s) { return reinterpret_cast<uint8_t*>(s->data()); }
const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// ---------------------------------------------------------------------------------------------
// Dense registers: 6 bits each, register i starting at bit 6*i of the register area.
// ---------------------------------------------------------------------------------------------

// A register whose first bit is at position 0..2 of its byte fits in that byte; otherwise it
// spills into the next one, which then always exists (the last register, 16383, starts at bit 2).
inline uint8_t DenseGet(const uint8_t* regs, size_t i) {
  size_t byte = i * kBits / 8;
  unsigned fb = (i * kBits) & 7;
  unsigned v = regs[byte] >> fb;
  if (fb > 8 - kBits) v |= static_cast<unsigned>(regs[byte + 1]) << (8 - fb);
  return static_cast<uint8_t>(v & 63);
}

inline void DenseSet(uint8_t* regs, size_t i, uint8_t val) {
  size_t byte = i * kBits / 8;
  unsigned fb = (i * kBits) & 7;
  regs[byte] = static_cast<uint8_t>((regs[byte] & ~(63u << fb)) | (unsigned{val} << fb));
  if (fb > 8 - kBits) {
    unsigned rest = 8 - fb;  // bits of the register held by the first byte
    regs[byte + 1] =
        static_cast<uint8_t>((regs[byte + 1] & ~(63u >> rest)) | (unsigned{val} >> rest));
  }
}

// Raises a dense register; true if it changed.
inline bool DenseRaise(uint8_t* regs, size_t i, uint8_t count) {
  if (count <= DenseGet(regs, i)) return false;
  DenseSet(regs, i, count);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Sparse opcodes
// ---------------------------------------------------------------------------------------------

constexpr int kValMaxValue = 32;
constexpr int kValMaxLen = 4;
constexpr int kZeroMaxLen = 64;
constexpr int kXZeroMaxLen = 16384;

inline bool IsZero(const uint8_t* p) { return (*p & 0xc0) == 0; }
inline bool IsXZero(const uint8_t* p) { return (*p & 0xc0) == 0x40; }
inline bool IsVal(const uint8_t* p) { return (*p & 0x80) != 0; }
inline int ZeroLen(const uint8_t* p) { return (*p & 0x3f) + 1; }
inline int XZeroLen(const uint8_t* p) { return (((*p & 0x3f) << 8) | p[1]) + 1; }
inline int ValValue(const uint8_t* p) { return ((*p >> 2) & 0x1f) + 1; }
inline int ValLen(const uint8_t* p) { return (*p & 0x3) + 1; }
inline uint8_t MakeVal(int value, int len) {
  return static_cast<uint8_t>(0x80 | ((value - 1) << 2) | (len - 1));
}
// Writes a ZERO or XZERO run of `len` registers; returns the bytes written.
inline int PutZeros(uint8_t* p, int len) {
  if (len <= kZeroMaxLen) {
    p[0] = static_cast<uint8_t>(len - 1);
    return 1;
  }
  p[0] = static_cast<uint8_t>(0x40 | ((len - 1) >> 8));
  p[1] = static_cast<uint8_t>((len - 1) & 0xff);
  return 2;
}

// Calls fn(first_register, run_length, value) for each opcode; false if the runs do not cover
// exactly kRegisters registers (corrupt).
template <typename Fn>
bool ForEachRun(std::string_view hll, Fn fn) {
  const uint8_t* p = Bytes(hll) + kHeaderSize;
  const uint8_t* end = Bytes(hll) + hll.size();
  size_t idx = 0;
  while (p < end) {
    if (IsZero(p)) {
      idx += ZeroLen(p);
      ++p;
    } else if (IsXZero(p)) {
      if (p + 1 >= end) return false;
      idx += XZeroLen(p);
      p += 2;
    } else {
      int len = ValLen(p);
      if (idx + len > kRegisters) return false;
      fn(idx, len, ValValue(p));
      idx += len;
      ++p;
    }
  }
  return idx == kRegisters;
}

// The sparse update, as Redis's hllSparseSet. Returns kChanged/kUnchanged, or kCorrupt; sets
// *promote when the caller must convert to dense and apply the update there.
Update SparseSet(std::string* hll, uint32_t index, uint8_t count, size_t sparse_max_bytes,
                 bool* promote) {
  *promote = false;
  if (count > kValMaxValue) {
    *promote = true;
    return Update::kChanged;
  }

  // Step 1: find the opcode covering `index`, remembering the one before it.
  uint8_t* base = Bytes(hll);
  uint8_t* start = base + kHeaderSize;
  uint8_t* end = base + hll->size();
  uint8_t* p = start;
  uint8_t* prev = nullptr;
  long first = 0;
  long span = 0;
  while (p < end) {
    long oplen = 1;
    if (IsZero(p)) {
      span = ZeroLen(p);
    } else if (IsVal(p)) {
      span = ValLen(p);
    } else {
      if (p + 1 >= end) return Update::kCorrupt;
      span = XZeroLen(p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span == 0 || p >= end) return Update::kCorrupt;

  bool is_zero = IsZero(p), is_xzero = IsXZero(p), is_val = IsVal(p);
  long runlen = is_zero ? ZeroLen(p) : is_xzero ? XZeroLen(p) : ValLen(p);
  size_t p_off = static_cast<size_t>(p - base);
  size_t prev_off = prev ? static_cast<size_t>(prev - base) : kHeaderSize;

  // Step 2: the cheap cases that rewrite one byte in place.
  bool rewritten = false;
  if (is_val) {
    if (ValValue(p) >= count) return Update::kUnchanged;  // nothing to raise
    if (runlen == 1) {
      *p = MakeVal(count, 1);
      rewritten = true;
    }
  }
  if (!rewritten && is_zero && runlen == 1) {
    *p = MakeVal(count, 1);
    rewritten = true;
  }

  if (!rewritten) {
    // Step 3: split the run into [before][our register][after] — at most XZERO-VAL-XZERO, 5 bytes.
    uint8_t seq[5];
    int n = 0;
    long last = first + span - 1;
    if (is_zero || is_xzero) {
      if (index != first) n += PutZeros(seq + n, static_cast<int>(index - first));
      seq[n++] = MakeVal(count, 1);
      if (index != last) n += PutZeros(seq + n, static_cast<int>(last - index));
    } else {
      int cur = ValValue(p);
      if (index != first) seq[n++] = MakeVal(cur, static_cast<int>(index - first));
      seq[n++] = MakeVal(count, 1);
      if (index != last) seq[n++] = MakeVal(cur, static_cast<int>(last - index));
    }
    int oldlen = is_xzero ? 2 : 1;
    int delta = n - oldlen;
    if (delta > 0 && hll->size() + static_cast<size_t>(delta) > sparse_max_bytes) {
      *promote = true;
      return Update::kChanged;
    }
    hll->replace(p_off, static_cast<size_t>(oldlen), reinterpret_cast<const char*>(seq),
                 static_cast<size_t>(n));
  }

  // Step 4: merge adjacent VAL opcodes of equal value (up to 4 registers), scanning at most five
  // opcodes from the one before the change, exactly as Redis does.
  size_t q = prev_off;
  for (int scan = 5; q < hll->size() && scan > 0; --scan) {
    const uint8_t* b = Bytes(hll);
    if (IsXZero(b + q)) {
      q += 2;
      continue;
    }
    if (IsZero(b + q)) {
      ++q;
      continue;
    }
    if (q + 1 < hll->size() && IsVal(b + q + 1)) {
      int v1 = ValValue(b + q), v2 = ValValue(b + q + 1);
      int len = ValLen(b + q) + ValLen(b + q + 1);
      if (v1 == v2 && len <= kValMaxLen) {
        (*hll)[q + 1] = static_cast<char>(MakeVal(v1, len));
        hll->erase(q, 1);
        continue;  // try to merge the result with its right neighbour too
      }
    }
    ++q;
  }
  return Update::kChanged;
}

// ---------------------------------------------------------------------------------------------
// Estimator (Ertl 2017)
// ---------------------------------------------------------------------------------------------

// sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1)
double Sigma(double x) {
  if (x == 1.0) return INFINITY;
  double y = 1.0, z = x, prev;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (prev != z);
  return z;
}

// tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3
double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0, z = 1 - x, prev;
  do {
    x = std::sqrt(x);
    prev = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (prev != z);
  return z / 3;
}

// hist has 64 entries: hist[k] = number of registers holding k.
uint64_t Estimate(const int* hist) {
  constexpr double m = kRegisters;
  constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)
  double z = m * Tau((m - hist[kQ + 1]) / m);
  for (int k = kQ; k >= 1; --k) {
    z += hist[k];
    z *= 0.5;
  }
  z += m * Sigma(hist[0] / m);
  return static_cast<uint64_t>(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

uint64_t MurmurHash64A(std::string_view data, uint64_t seed) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  const uint8_t* p = Bytes(data);
  size_t len = data.size();
  uint64_t h = seed ^ (len * m);
  size_t blocks = len / 8;
  for (size_t i = 0; i < blocks; ++i, p += 8) {
    uint64_t k = 0;
    for (int b = 7; b >= 0; --b) k = (k << 8) | p[b];  // little-endian on every machine
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  size_t tail = len & 7;
  if (tail != 0) {
    for (size_t b = tail; b-- > 0;) h ^= static_cast<uint64_t>(p[b]) << (8 * b);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

void PatternOf(std::string_view element, uint32_t* index, uint8_t* count) {
  uint64_t hash = MurmurHash64A(element, kHashSeed);
  *index = static_cast<uint32_t>(hash & (kRegisters - 1));
  hash >>= kP;
  hash |= uint64_t{1} << kQ;  // guarantees termination: count <= kQ + 1
  uint8_t c = 1;
  while ((hash & 1) == 0) {
    ++c;
    hash >>= 1;
  }
  *count = c;
}

bool LooksValid(std::string_view s) {
  if (s.size() < kHeaderSize) return false;
  if (s.substr(0, 4) != "HYLL") return false;
  uint8_t enc = Bytes(s)[kEncodingOffset];
  if (enc > static_cast<uint8_t>(Encoding::kSparse)) return false;
  if (enc == static_cast<uint8_t>(Encoding::kDense) && s.size() != kDenseSize) return false;
  return true;
}

Encoding EncodingOf(std::string_view s) { return static_cast<Encoding>(Bytes(s)[kEncodingOffset]); }

std::string NewSparse() {
  std::string s(kHeaderSize, '\0');
  std::memcpy(s.data(), "HYLL", 4);
  s[kEncodingOffset] = static_cast<char>(Encoding::kSparse);
  uint8_t run[2];
  for (size_t left = kRegisters; left > 0;) {
    int n = static_cast<int>(left < kXZeroMaxLen ? left : kXZeroMaxLen);
    PutZeros(run, n);  // always an XZERO here (n > 64)
    s.append(reinterpret_cast<const char*>(run), 2);
    left -= static_cast<size_t>(n);
  }
  return s;
}

bool ToDense(std::string* hll) {
  if (EncodingOf(*hll) == Encoding::kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), hll->data(), kHeaderSize);  // magic, reserved bytes, cached count
  dense[kEncodingOffset] = static_cast<char>(Encoding::kDense);
  uint8_t* regs = Bytes(&dense) + kHeaderSize;
  bool ok = ForEachRun(*hll, [regs](size_t first, int len, int value) {
    for (int i = 0; i < len; ++i) DenseSet(regs, first + static_cast<size_t>(i), static_cast<uint8_t>(value));
  });
  if (!ok) return false;
  *hll = std::move(dense);
  return true;
}

Update SetRegister(std::string* hll, uint32_t index, uint8_t count, size_t sparse_max_bytes) {
  if (EncodingOf(*hll) == Encoding::kDense) {
    return DenseRaise(Bytes(hll) + kHeaderSize, index, count) ? Update::kChanged
                                                               : Update::kUnchanged;
  }
  bool promote = false;
  Update u = SparseSet(hll, index, count, sparse_max_bytes, &promote);
  if (!promote) return u;
  // The register needs a value or a length the sparse form cannot hold: go dense, then set it
  // there (it necessarily changes, since the sparse update would have).
  if (!ToDense(hll)) return Update::kCorrupt;
  DenseRaise(Bytes(hll) + kHeaderSize, index, count);
  return Update::kChanged;
}

Update Add(std::string* hll, std::string_view element, size_t sparse_max_bytes) {
  uint32_t index;
  uint8_t count;
  PatternOf(element, &index, &count);
  return SetRegister(hll, index, count, sparse_max_bytes);
}

bool CachedCount(std::string_view hll, uint64_t* card) {
  const uint8_t* c = Bytes(hll) + kCardOffset;
  if (c[7] & kStaleBit) return false;
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | c[i];
  *card = v;
  return true;
}

void StoreCachedCount(std::string* hll, uint64_t card) {
  uint8_t* c = Bytes(hll) + kCardOffset;
  for (int i = 0; i < 8; ++i) c[i] = static_cast<uint8_t>(card >> (8 * i));
}

void InvalidateCache(std::string* hll) { Bytes(hll)[kCardOffset + 7] |= kStaleBit; }

bool Count(std::string_view hll, uint64_t* card) {
  int hist[64] = {0};
  if (EncodingOf(hll) == Encoding::kDense) {
    const uint8_t* regs = Bytes(hll) + kHeaderSize;
    for (size_t i = 0; i < kRegisters; ++i) ++hist[DenseGet(regs, i)];
  } else {
    // Zero runs are counted by difference: whatever the VAL runs do not cover is zero.
    int nonzero = 0;
    bool ok = ForEachRun(hll, [&](size_t, int len, int value) {
      hist[value] += len;
      nonzero += len;
    });
    if (!ok) return false;
    hist[0] = static_cast<int>(kRegisters) - nonzero;
  }
  *card = Estimate(hist);
  return true;
}

bool MergeInto(std::string_view hll, uint8_t* max) {
  if (EncodingOf(hll) == Encoding::kDense) {
    const uint8_t* regs = Bytes(hll) + kHeaderSize;
    for (size_t i = 0; i < kRegisters; ++i) {
      uint8_t v = DenseGet(regs, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  return ForEachRun(hll, [max](size_t first, int len, int value) {
    for (size_t i = first; i < first + static_cast<size_t>(len); ++i) {
      if (value > max[i]) max[i] = static_cast<uint8_t>(value);
    }
  });
}

std::string DecodeSparse(std::string_view hll) {
  std::string out;
  const uint8_t* p = Bytes(hll) + kHeaderSize;
  const uint8_t* end = Bytes(hll) + hll.size();
  while (p < end) {
    if (IsZero(p)) {
      out += "z:" + std::to_string(ZeroLen(p)) + " ";
      ++p;
    } else if (IsXZero(p)) {
      if (p + 1 >= end) break;
      out += "Z:" + std::to_string(XZeroLen(p)) + " ";
      p += 2;
    } else {
      out += "v:" + std::to_string(ValValue(p)) + "," + std::to_string(ValLen(p)) + " ";
      ++p;
    }
  }
  if (!out.empty()) out.pop_back();
  return out;
}

uint64_t CountRaw(const uint8_t* registers) {
  int hist[64] = {0};
  for (size_t i = 0; i < kRegisters; ++i) ++hist[registers[i] & 63];
  return Estimate(hist);
}

}  // namespace racetrack::engine::hll
