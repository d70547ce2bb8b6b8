// The differential fuzzer's short run (issue 18): fixed seeds, a few thousand random commands
// each, sent to a throwaway real redis-server and to racetrack-server; every reply must match
// (multiset or type-only where differential.h says so). The long run (≥ 100,000 commands per
// seed) is bench/differential-fuzz. A failure prints each differing command as a redis-cli line,
// ready to paste into a conformance script as a regression.
#include <gtest/gtest.h>

#include "tests/conformance/differential.h"
#include "tests/conformance/dual_servers.h"
#include "tests/conformance/raw_resp.h"

namespace racetrack::conformance {
namespace {

// The generator is deterministic: one seed, one stream.
TEST(CommandGeneratorTest, SameSeedSameStream) {
  CommandGenerator a(42), b(42), c(43);
  bool any_different = false;
  for (int i = 0; i < 500; ++i) {
    GeneratedCommand x = a.Next(), y = b.Next(), z = c.Next();
    ASSERT_EQ(x.argv, y.argv);
    any_different |= x.argv != z.argv;
  }
  EXPECT_TRUE(any_different);
}

TEST(CommandGeneratorTest, CommandLineQuotesWhatNeedsIt) {
  EXPECT_EQ(CommandLine({"set", "k", "", "a b", std::string("\x00\"", 2)}),
            "set k \"\" \"a b\" \"\\x00\\\"\"");
}

class DifferentialFuzzTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(DifferentialFuzzTest, RepliesMatchRedis) {
  DualServers& servers = DualServers::Get();
  if (!servers.skip.empty()) GTEST_SKIP() << servers.skip;
  ASSERT_TRUE(servers.error.empty()) << servers.error;
  DifferentialReport r = RunDifferential({.seed = GetParam(),
                                          .commands = 2500,
                                          .redis_port = servers.redis_port,
                                          .ours_port = servers.ours_port});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.commands, 2500u);
  for (const Difference& d : r.differences) {
    ADD_FAILURE() << "seed " << d.seed << " #" << d.index << ": " << CommandLine(d.argv)
                  << "\n  redis:     " << Escape(d.redis) << "\n  racetrack: " << Escape(d.ours);
  }
  EXPECT_EQ(r.identical, r.commands);
  RecordProperty("commands", static_cast<int>(r.commands));
  RecordProperty("identical", static_cast<int>(r.identical));
}

INSTANTIATE_TEST_SUITE_P(Seeds, DifferentialFuzzTest, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace racetrack::conformance
