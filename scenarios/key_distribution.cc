// Key distributions. The Zipf sampler is rejection-inversion (Hörmann & Derflinger 1996): draw x
// from the continuous density h(x) = x^-S over [0.5, N + 0.5] by inverting its integral, round to
// the nearest integer k, and accept when the draw falls under the histogram of k^-S — most draws
// are accepted at once (the constant s_ is the cheap acceptance test), so it costs a few
// exp/log per key, with no table. The helpers log1p(x)/x and expm1(x)/x keep it exact near S = 1,
// where the integral's closed form (x^(1-S) - 1)/(1-S) divides zero by zero.
#include "scenarios/key_distribution.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace racetrack::scenarios {

namespace {

constexpr double kMaxZipfS = 5;

// log1p(x) / x, continuous at 0.
double Helper1(double x) {
  if (std::fabs(x) > 1e-8) return std::log1p(x) / x;
  return 1 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

// expm1(x) / x, continuous at 0.
double Helper2(double x) {
  if (std::fabs(x) > 1e-8) return std::expm1(x) / x;
  return 1 + x * 0.5 * (1 + x * (1.0 / 3.0) * (1 + 0.25 * x));
}

// A whole-string double, or nullopt.
std::optional<double> ParseDouble(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == nullptr || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  auto v = ParseDouble(text);
  if (!v || std::floor(*v) != *v || std::fabs(*v) > 9e15) return std::nullopt;
  return static_cast<int64_t>(*v);
}

std::string Trim(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

Result<KeyDistribution> ParseKeyDistribution(std::string_view text) {
  const std::string got = " (got '" + std::string(text) + "')";
  KeyDistribution d;
  if (text == "uniform") {
    d.kind = KeyDistribution::Kind::kUniform;
    return d;
  }
  if (text == "zipf" || text.starts_with("zipf:")) {
    d.kind = KeyDistribution::Kind::kZipf;
    if (text == "zipf") return d;
    auto s = ParseDouble(text.substr(5));
    if (!s || !(*s > 0) || *s > kMaxZipfS) {
      return Status::InvalidArgument("--distribution zipf:S needs 0 < S <= 5" + got);
    }
    d.zipf_s = *s;
    return d;
  }
  if (text.starts_with("hotspot:")) {
    d.kind = KeyDistribution::Kind::kHotspot;
    const std::string_view rest = text.substr(8);
    const size_t slash = rest.find('/');
    auto f = slash == std::string_view::npos ? std::nullopt : ParseDouble(rest.substr(0, slash));
    auto p = slash == std::string_view::npos ? std::nullopt : ParseDouble(rest.substr(slash + 1));
    if (!f || !p || *f < 0 || *f > 1 || !(*p > 0) || !(*p < 1)) {
      return Status::InvalidArgument(
          "--distribution hotspot:F/P needs 0 <= F <= 1 and 0 < P < 1, e.g. hotspot:0.9/0.1" + got);
    }
    d.hot_traffic = *f;
    d.hot_keys = *p;
    return d;
  }
  return Status::InvalidArgument(
      "--distribution must be one of uniform, zipf:S (0 < S <= 5), hotspot:F/P" + got);
}

std::string KeyDistributionName(const KeyDistribution& d) {
  switch (d.kind) {
    case KeyDistribution::Kind::kUniform:
      return "uniform";
    case KeyDistribution::Kind::kZipf:
      return "zipf:" + Trim(d.zipf_s);
    case KeyDistribution::Kind::kHotspot:
      return "hotspot:" + Trim(d.hot_traffic) + "/" + Trim(d.hot_keys);
  }
  return "?";
}

Result<int64_t> ParseKeyCount(std::string_view text) {
  auto n = ParseInt(text);
  if (!n || *n < 1 || *n > kMaxKeys) {
    return Status::InvalidArgument("--keys must be an integer between 1 and " +
                                   std::to_string(kMaxKeys) + " (got '" + std::string(text) + "')");
  }
  return *n;
}

Result<ValueSize> ParseValueSize(std::string_view text) {
  const Status bad =
      Status::InvalidArgument("--value-size must be N or MIN-MAX bytes, between 1 and " +
                              std::to_string(kMaxValueSize) + " (got '" + std::string(text) + "')");
  const size_t dash = text.find('-');
  auto lo = ParseInt(dash == std::string_view::npos ? text : text.substr(0, dash));
  auto hi = dash == std::string_view::npos ? lo : ParseInt(text.substr(dash + 1));
  if (!lo || !hi || *lo < 1 || *hi > kMaxValueSize || *lo > *hi) return bad;
  return ValueSize{*lo, *hi};
}

std::string ValueSizeName(const ValueSize& v) {
  return v.min == v.max ? std::to_string(v.min)
                        : std::to_string(v.min) + "-" + std::to_string(v.max);
}

int64_t ValueSizeOf(const ValueSize& v, uint64_t seed, int64_t key) {
  if (v.max <= v.min) return v.min;
  const auto span = static_cast<uint64_t>(v.max - v.min + 1);
  return v.min + static_cast<int64_t>(
                     SplitMix64(seed * 0x100000001B3ULL + static_cast<uint64_t>(key)) % span);
}

KeySampler::KeySampler(int64_t n, const KeyDistribution& d) : n_(n), d_(d) {
  RT_CHECK(n >= 1);
  if (d.kind == KeyDistribution::Kind::kHotspot) {
    hot_n_ = std::max<int64_t>(1, std::llround(d.hot_keys * static_cast<double>(n)));
    hot_n_ = std::min(hot_n_, n);
  }
  if (d.kind == KeyDistribution::Kind::kZipf) {
    RT_CHECK(d.zipf_s > 0);
    h_integral_x1_ = HIntegral(1.5) - 1;
    h_integral_n_ = HIntegral(static_cast<double>(n) + 0.5);
    s_ = 2 - HIntegralInverse(HIntegral(2.5) - H(2));
    // H(N, S) for Probability(): summed smallest terms first for accuracy. Only tests and
    // figures use it; for very large N it is computed on demand below.
    if (n <= 10'000'000) {
      for (int64_t k = n; k >= 1; --k) normalizer_ += std::pow(static_cast<double>(k), -d.zipf_s);
    }
  }
}

double KeySampler::H(double x) const { return std::exp(-d_.zipf_s * std::log(x)); }

double KeySampler::HIntegral(double x) const {
  const double log_x = std::log(x);
  return Helper2((1 - d_.zipf_s) * log_x) * log_x;
}

double KeySampler::HIntegralInverse(double x) const {
  double t = x * (1 - d_.zipf_s);
  if (t < -1) t = -1;  // rounding at the far end of the range
  return std::exp(Helper1(t) * x);
}

int64_t KeySampler::Next(std::mt19937_64& rng) const {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  switch (d_.kind) {
    case KeyDistribution::Kind::kUniform:
      return static_cast<int64_t>(rng() % static_cast<uint64_t>(n_));
    case KeyDistribution::Kind::kHotspot: {
      const bool hot = hot_n_ == n_ || unit(rng) < d_.hot_traffic;
      if (hot) return static_cast<int64_t>(rng() % static_cast<uint64_t>(hot_n_));
      return hot_n_ + static_cast<int64_t>(rng() % static_cast<uint64_t>(n_ - hot_n_));
    }
    case KeyDistribution::Kind::kZipf:
      break;
  }
  for (;;) {
    const double u = h_integral_n_ + unit(rng) * (h_integral_x1_ - h_integral_n_);
    const double x = HIntegralInverse(u);
    auto k = static_cast<int64_t>(x + 0.5);
    if (k < 1) k = 1;
    if (k > n_) k = n_;
    const auto kd = static_cast<double>(k);
    if (kd - x <= s_ || u >= HIntegral(kd + 0.5) - H(kd)) return k - 1;
  }
}

double KeySampler::Probability(int64_t key) const {
  if (key < 0 || key >= n_) return 0;
  switch (d_.kind) {
    case KeyDistribution::Kind::kUniform:
      return 1.0 / static_cast<double>(n_);
    case KeyDistribution::Kind::kHotspot: {
      if (hot_n_ == n_) return 1.0 / static_cast<double>(n_);
      return key < hot_n_ ? d_.hot_traffic / static_cast<double>(hot_n_)
                          : (1 - d_.hot_traffic) / static_cast<double>(n_ - hot_n_);
    }
    case KeyDistribution::Kind::kZipf:
      break;
  }
  double norm = normalizer_;
  if (norm == 0) {
    for (int64_t k = n_; k >= 1; --k) norm += std::pow(static_cast<double>(k), -d_.zipf_s);
  }
  return std::pow(static_cast<double>(key + 1), -d_.zipf_s) / norm;
}

}  // namespace racetrack::scenarios
