// Key workloads: the Zipf sampler's empirical frequencies of the top ranks match k^-S / H(N,S)
// (exactness, not just "skewed"), hotspot and uniform shares, and the one-line errors of
// --distribution, --keys and --value-size.
#include "scenarios/key_distribution.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace racetrack::scenarios {
namespace {

// Empirical frequency of each key over `draws` samples.
std::vector<double> Frequencies(const KeySampler& sampler, int draws, uint64_t seed) {
  std::vector<double> count(static_cast<size_t>(sampler.size()), 0);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < draws; ++i) {
    const int64_t k = sampler.Next(rng);
    EXPECT_GE(k, 0);
    EXPECT_LT(k, sampler.size());
    count[static_cast<size_t>(k)] += 1;
  }
  for (double& c : count) c /= draws;
  return count;
}

class ZipfTest : public ::testing::TestWithParam<double> {};

TEST_P(ZipfTest, TopRanksMatchTheFormula) {
  const double s = GetParam();
  const int64_t n = 1000;
  KeyDistribution d;
  d.kind = KeyDistribution::Kind::kZipf;
  d.zipf_s = s;
  KeySampler sampler(n, d);
  double h = 0;
  for (int64_t k = 1; k <= n; ++k) h += std::pow(static_cast<double>(k), -s);
  const int draws = 1'000'000;
  auto freq = Frequencies(sampler, draws, 7);
  for (int64_t rank = 1; rank <= 10; ++rank) {
    const double p = std::pow(static_cast<double>(rank), -s) / h;
    EXPECT_NEAR(sampler.Probability(rank - 1), p, 1e-12);
    // Binomial standard deviation of the empirical share; 5 sigma keeps the test from flaking.
    const double sd = std::sqrt(p * (1 - p) / draws);
    EXPECT_NEAR(freq[static_cast<size_t>(rank - 1)], p, 5 * sd) << "rank " << rank << " S=" << s;
  }
  // And the tail as a whole: ranks 101..1000 together.
  double tail = 0, tail_p = 0;
  for (int64_t k = 100; k < n; ++k) {
    tail += freq[static_cast<size_t>(k)];
    tail_p += sampler.Probability(k);
  }
  EXPECT_NEAR(tail, tail_p, 5 * std::sqrt(tail_p * (1 - tail_p) / draws));
}

INSTANTIATE_TEST_SUITE_P(Exponents, ZipfTest, ::testing::Values(0.5, 0.99, 1.0, 1.5, 3.0));

TEST(KeySamplerTest, ZipfOnOneKeyAndOnAHugeKeySpace) {
  KeyDistribution d;
  KeySampler one(1, d);
  std::mt19937_64 rng(1);
  EXPECT_EQ(one.Next(rng), 0);
  KeySampler huge(100'000'000, d);  // no table: constant memory
  for (int i = 0; i < 1000; ++i) {
    const int64_t k = huge.Next(rng);
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 100'000'000);
  }
}

TEST(KeySamplerTest, HotspotSendsItsShareToTheHotKeys) {
  auto d = ParseKeyDistribution("hotspot:0.9/0.1");
  ASSERT_TRUE(d.ok()) << d.status().message();
  KeySampler sampler(1000, *d);
  auto freq = Frequencies(sampler, 200'000, 3);
  double hot = 0;
  for (int k = 0; k < 100; ++k) hot += freq[static_cast<size_t>(k)];
  EXPECT_NEAR(hot, 0.9, 0.01);
  EXPECT_NEAR(sampler.Probability(0), 0.9 / 100, 1e-12);
  EXPECT_NEAR(sampler.Probability(500), 0.1 / 900, 1e-12);
}

TEST(KeySamplerTest, UniformIsFlat) {
  auto d = ParseKeyDistribution("uniform");
  ASSERT_TRUE(d.ok());
  KeySampler sampler(10, *d);
  auto freq = Frequencies(sampler, 100'000, 5);
  for (double f : freq) EXPECT_NEAR(f, 0.1, 0.01);
}

TEST(KeyDistributionParseTest, NamesRoundTrip) {
  for (const char* text : {"uniform", "zipf:0.99", "zipf:1.2", "hotspot:0.9/0.1"}) {
    auto d = ParseKeyDistribution(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(KeyDistributionName(*d), text);
  }
  auto plain = ParseKeyDistribution("zipf");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->zipf_s, 0.99);
}

TEST(KeyDistributionParseTest, BadInputIsOneLineNamingTheRange) {
  auto neg = ParseKeyDistribution("zipf:-1");
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.status().message(), "--distribution zipf:S needs 0 < S <= 5 (got 'zipf:-1')");
  for (const char* bad : {"zipf:0", "zipf:abc", "zipf:6", "hotspot:0.9", "hotspot:2/0.1",
                          "hotspot:0.5/1", "pareto", ""}) {
    auto r = ParseKeyDistribution(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
    EXPECT_NE(r.status().message().find("--distribution"), std::string::npos);
  }
}

TEST(KeyWorkloadParseTest, KeysAndValueSizes) {
  EXPECT_EQ(*ParseKeyCount("10000"), 10000);
  auto zero = ParseKeyCount("0");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().message(), "--keys must be an integer between 1 and 100000000 (got '0')");
  EXPECT_FALSE(ParseKeyCount("1.5").ok());
  auto fixed = ParseValueSize("100");
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->min, 100);
  EXPECT_EQ(fixed->max, 100);
  auto range = ParseValueSize("10-1000");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(ValueSizeName(*range), "10-1000");
  for (int64_t k = 0; k < 1000; ++k) {
    const int64_t v = ValueSizeOf(*range, 42, k);
    ASSERT_GE(v, 10);
    ASSERT_LE(v, 1000);
    ASSERT_EQ(v, ValueSizeOf(*range, 42, k));  // fixed per key
  }
  for (const char* bad : {"0", "1000-10", "2000000", "a-b", "-5"}) {
    auto r = ParseValueSize(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("between 1 and 1048576"), std::string::npos);
  }
}

}  // namespace
}  // namespace racetrack::scenarios
