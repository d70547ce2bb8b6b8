// Key workloads: which keys the clients touch and how big their values are — the harness-wide
// knobs `--keys N`, `--distribution uniform | zipf:S | hotspot:F/P` and
// `--value-size N | MIN-MAX`, for every lesson that reads keys (cache today).
//
// Real traffic is skewed: a few products, users or pages get most reads. The distributions:
//   uniform        every key equally likely
//   zipf:S         key of rank k (1-based) with probability k^-S / H(N,S), H(N,S) = sum_j j^-S;
//                  S = 0.99 is the usual "web" skew (YCSB's default). Key id = rank - 1, so key 0
//                  is the hottest.
//   hotspot:F/P    a fraction F of the traffic goes to the first fraction P of the keys (uniform
//                  inside each part): hotspot:0.9/0.1 = 90% of reads on 10% of the keys.
//
// Zipf sampling is exact (every draw has the probability above) and O(1) per draw without tables:
// rejection-inversion (W. Hörmann, G. Derflinger, "Rejection-inversion to generate variates from
// monotone discrete distributions", ACM TOMACS 1996). A precomputed CDF would need 8 bytes per key.
//
// Parsing errors are one line naming the flag and the valid range:
//   "--distribution zipf:S needs 0 < S <= 5 (got 'zipf:-1')".
//
// Thread-safety: the parsed values and KeySampler are immutable; Next() takes the caller's RNG.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "engine/base/status.h"

namespace racetrack::scenarios {

struct KeyDistribution {
  enum class Kind { kUniform, kZipf, kHotspot };
  Kind kind = Kind::kZipf;
  double zipf_s = 0.99;      // kZipf: the exponent S
  double hot_traffic = 0.9;  // kHotspot: F, the fraction of draws on the hot keys
  double hot_keys = 0.1;     // kHotspot: P, the fraction of keys that are hot
};

// "uniform", "zipf" (S = 0.99), "zipf:1.2", "hotspot:0.9/0.1".
Result<KeyDistribution> ParseKeyDistribution(std::string_view text);
// The canonical text form ("zipf:0.99"), as recorded in results.
std::string KeyDistributionName(const KeyDistribution& d);

inline constexpr int64_t kMaxKeys = 100'000'000;
// "--keys must be an integer between 1 and 100000000 (got '0')".
Result<int64_t> ParseKeyCount(std::string_view text);

struct ValueSize {
  int64_t min = 100;
  int64_t max = 100;
};
inline constexpr int64_t kMaxValueSize = 1 << 20;  // 1 MiB
// "100" or "10-1000" (bytes, 1 .. 1 MiB, MIN <= MAX).
Result<ValueSize> ParseValueSize(std::string_view text);
std::string ValueSizeName(const ValueSize& v);  // "100" or "10-1000"
// The size of key `key`'s value: fixed per (seed, key), uniform in [min, max].
int64_t ValueSizeOf(const ValueSize& v, uint64_t seed, int64_t key);

// SplitMix64 (Steele, Lea, Flood 2014): a fixed, well-mixed 64-bit hash of x, for values that
// must be the same for every run with the same seed (value sizes, visitor ids).
uint64_t SplitMix64(uint64_t x);

// The harness-wide knobs as the user gave them; unset = the lesson's own default.
struct KeyWorkload {
  std::optional<int64_t> keys;
  std::optional<KeyDistribution> distribution;
  std::optional<ValueSize> value_size;
};

// Draws key ids in [0, n) from a distribution.
class KeySampler {
 public:
  // REQUIRES: n >= 1 and a distribution that ParseKeyDistribution accepts.
  KeySampler(int64_t n, const KeyDistribution& d);
  int64_t Next(std::mt19937_64& rng) const;
  // The exact probability of key id `key` (for tests and for the expected hit ratio).
  double Probability(int64_t key) const;
  int64_t size() const { return n_; }

 private:
  double HIntegral(double x) const;
  double H(double x) const;
  double HIntegralInverse(double x) const;

  int64_t n_;
  KeyDistribution d_;
  int64_t hot_n_ = 0;         // hotspot: number of hot keys
  double h_integral_x1_ = 0;  // zipf: rejection-inversion constants
  double h_integral_n_ = 0;
  double s_ = 0;
  double normalizer_ = 0;  // zipf: H(N, S), for Probability()
};

}  // namespace racetrack::scenarios
