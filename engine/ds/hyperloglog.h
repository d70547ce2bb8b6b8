// HyperLogLog: counting distinct elements in 12 KB, whatever their number, to within ~0.81%.
//
// Why. "How many different visitors today?" answered exactly needs a set holding every visitor:
// memory grows with the answer. A HyperLogLog keeps only m = 16,384 small counters ("registers")
// and answers with a standard error of 1.04/sqrt(m) = 0.81%, for any cardinality up to ~10^18.
// The engine needs it for PFADD/PFCOUNT/PFMERGE and the `uniques` scenario compares it against an
// exact set and SQL COUNT(DISTINCT).
//
// The algorithm (Flajolet, Fusy, Gandouet, Meunier, "HyperLogLog: the analysis of a near-optimal
// cardinality estimation algorithm", 2007; 64-bit hash as in Heule, Nunkesser, Hall, "HyperLogLog
// in Practice", 2013). Hash each element to 64 bits (MurmurHash64A, seed 0xadc83b19, as Redis).
// The low P = 14 bits pick a register; in the remaining Q = 50 bits, the position of the first 1
// bit counting from the least significant ("000..1" has length 4) is the element's pattern length.
// A register keeps the largest pattern length seen. Seeing a run of k zeros takes ~2^k distinct
// tries, so the registers together remember how many distinct elements went by; duplicates hash the
// same and change nothing, which is why the structure counts *distinct* elements.
//
// The estimator is Otmar Ertl's ("New cardinality estimation algorithms for HyperLogLog sketches",
// arXiv:1702.01284, used by Redis since 5.0): from the histogram C[k] of register values it
// computes  E = alpha_inf * m^2 / (m*sigma(C[0]/m) + sum_k C[k]*2^-k + m*tau(1 - C[Q+1]/m)*2^-Q),
// alpha_inf = 1/(2 ln 2). sigma and tau fix the original estimator's biases at small and huge
// cardinalities without the empirical correction tables of HLL++. PFCOUNT here equals Redis 7's
// answer exactly because hash, register update, histogram and the floating-point steps are the same.
//
// The value is an ordinary string, byte-compatible with Redis (GET returns it; SET of such bytes is
// a valid HLL; the bytes travel through snapshots unchanged):
//
//   +------+---+-----+-----------------+------------------------------------+
//   | HYLL | E | 0 0 0 | cardinality (8) | registers ...                      |
//   +------+---+-----+-----------------+------------------------------------+
//     4 B   1 B  3 B      8 B little-endian
//
// E is the encoding: 0 = dense, 1 = sparse. The cached cardinality is what the last PFCOUNT
// computed; its most significant bit set means "stale, recompute" (every change sets it).
//
// Dense encoding: 16,384 registers of 6 bits packed from the least significant bit of each byte
// upwards, register i at bit 6*i — exactly 12,288 bytes, 12,304 with the header:
//
//   byte 0    byte 1    byte 2
//   11000000  22221111  33333322   (digits: which register owns the bit; MSB on the left)
//
// Sparse encoding: for small cardinalities most registers are 0, so the registers are run-length
// encoded with three opcodes:
//   ZERO  00xxxxxx           1..64 registers set to 0 (xxxxxx + 1)
//   XZERO 01xxxxxx yyyyyyyy  1..16384 registers set to 0 (14-bit x:y + 1)
//   VAL   1vvvvvxx           1..4 registers (xx + 1) set to value 1..32 (vvvvv + 1)
// An empty HLL is "XZERO:16384" — 18 bytes. A register value above 32, or a sparse string that
// would grow past hll-sparse-max-bytes (3000, header included), converts the HLL to dense for good.
// Updates follow Redis's exact opcode-splitting and merging rules, so the bytes match Redis's.
//
// Complexity: Add O(1) dense, O(sparse bytes) sparse (bounded by 3000); Count O(m) = 16,384 steps
// (skipped when the cache is valid); Merge O(m). Bytes: 12,304 dense; 18..3000 sparse.
//
// Invariants:
//  1. A valid HLL string starts with "HYLL", its encoding byte is 0 or 1, and a dense one is exactly
//     kDenseSize bytes. (A sparse one may still be corrupt inside; operations then report kCorrupt.)
//  2. A sparse HLL's opcodes cover exactly kRegisters registers.
//  3. Register values never decrease; an HLL never converts from dense back to sparse.
//
// Thread-safety: plain functions over caller-owned strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace racetrack::engine::hll {

inline constexpr int kP = 14;                       // register index bits
inline constexpr int kQ = 64 - kP;                  // bits left for the pattern length
inline constexpr size_t kRegisters = size_t{1} << kP;  // 16,384
inline constexpr int kBits = 6;                     // bits per dense register
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * kBits + 7) / 8;  // 12,304
inline constexpr size_t kDefaultSparseMaxBytes = 3000;  // hll-sparse-max-bytes
inline constexpr uint64_t kHashSeed = 0xadc83b19ULL;

enum class Encoding : uint8_t { kDense = 0, kSparse = 1 };

// What an update did.
enum class Update { kUnchanged, kChanged, kCorrupt };

// Austin Appleby's MurmurHash2, 64-bit variant "64A", reading 8-byte blocks little-endian (as
// Redis, so results are the same on every machine).
uint64_t MurmurHash64A(std::string_view data, uint64_t seed);

// The register an element maps to and its pattern length (1..kQ+1).
void PatternOf(std::string_view element, uint32_t* index, uint8_t* count);

// Invariant 1 (Redis's isHLLObjectOrReply): false means "not a valid HyperLogLog string value".
bool LooksValid(std::string_view s);
Encoding EncodingOf(std::string_view s);  // REQUIRES: LooksValid(s)

// A new, empty HLL in the sparse encoding (what PFADD creates).
std::string NewSparse();

// Adds an element. REQUIRES: LooksValid(*hll). kChanged when a register grew (the cache is then
// marked stale by the caller via InvalidateCache). May convert sparse to dense.
Update Add(std::string* hll, std::string_view element, size_t sparse_max_bytes);

// Raises register `index` to `count` if it is lower (PFMERGE's write step). Same contract as Add.
Update SetRegister(std::string* hll, uint32_t index, uint8_t count, size_t sparse_max_bytes);

// Converts a sparse HLL to dense in place (no-op when dense). False if the sparse data is corrupt
// (the string is then unchanged).
bool ToDense(std::string* hll);

// The cached cardinality: true and *card when the cache is valid.
bool CachedCount(std::string_view hll, uint64_t* card);
void StoreCachedCount(std::string* hll, uint64_t card);
void InvalidateCache(std::string* hll);

// Estimates the cardinality from the registers (ignores the cache). False if corrupt.
bool Count(std::string_view hll, uint64_t* card);

// max[i] = MAX(max[i], register i) over this HLL; max has kRegisters entries. False if corrupt.
bool MergeInto(std::string_view hll, uint8_t* max);

// The estimate for registers held one per byte (PFCOUNT of several keys).
uint64_t CountRaw(const uint8_t* registers);

// The sparse opcodes as text, for PFDEBUG DECODE: "Z:8436 v:1,1 z:3 ..." (XZERO, VAL value,len,
// ZERO). REQUIRES: a sparse HLL.
std::string DecodeSparse(std::string_view hll);

}  // namespace racetrack::engine::hll
