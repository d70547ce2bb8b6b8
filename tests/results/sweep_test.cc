// The --slo parser, the knee rule on synthetic records (no timing involved), and the optional
// durability / objective fields surviving a write and a read.
#include <gtest/gtest.h>

#include "results/results.h"
#include "results/sweep.h"

namespace racetrack::results {
namespace {

TEST(SloTest, ParsesPercentileAndBound) {
  auto s = ParseSlo("p99:1ms");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->percentile, "p99");
  EXPECT_DOUBLE_EQ(s->bound_us, 1000);
  EXPECT_DOUBLE_EQ(ParseSlo("p50:250us")->bound_us, 250);
  EXPECT_DOUBLE_EQ(ParseSlo("p999:0.5s")->bound_us, 500000);
  EXPECT_EQ(ParseSlo("p90:2.5ms")->percentile, "p90");
}

TEST(SloTest, BadObjectivesAreOneLineErrorsNamingTheSyntax) {
  for (const char* bad : {"", "p99", "p99:", "p98:1ms", "P99:1ms", "p99:1", "p99:ms", "p99:0ms",
                          "p99:-1ms", "p99:1e3us", "p99:1.2.3ms", "p99:1ms;ls", "p99:infms",
                          "p99:1 ms", "p99:1ns"}) {
    auto s = ParseSlo(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.error().message().find("--slo"), std::string::npos) << bad;
    EXPECT_NE(s.error().message().find("p99:1ms"), std::string::npos) << bad;
    EXPECT_EQ(s.error().message().find('\n'), std::string::npos) << bad;
  }
}

Record At(const std::string& approach, double rate, double achieved, double p99_us,
          const std::string& error = "") {
  Record r;
  r.scenario = "counters";
  r.approach = approach;
  r.target = "redis";
  r.params = {{"clients", 8}, {"rate", rate}};
  r.ops = achieved * 2;
  r.throughput_ops_s = achieved;
  r.latency_us.p99 = p99_us;
  r.latency_us.p50 = p99_us / 4;
  r.error = error;
  return r;
}

TEST(KneeTest, HighestRateMeetingTheObjectiveWithTheRateAchieved) {
  const Slo slo = *ParseSlo("p99:1ms");
  std::vector<Record> records = {
      // incr: meets at 1k and 5k; at 20k p99 is over the bound.
      At("incr", 20000, 19900, 4000), At("incr", 1000, 1000, 80), At("incr", 5000, 4990, 300),
      // watch: latency fine at 20k, but only 15k of it achieved (< 95%): not sustained.
      At("watch", 1000, 999, 90), At("watch", 5000, 4800, 600), At("watch", 20000, 15000, 700),
      // lua: nothing meets it.
      At("lua", 1000, 1000, 2000), At("lua", 5000, 5000, 3000),
      // sql: the highest rate ended on an error: it does not count.
      At("sql", 1000, 1000, 100), At("sql", 5000, 5000, 100, "connection reset")};
  const auto knees = FindKnees(records, slo);
  ASSERT_EQ(knees.size(), 4u);
  EXPECT_EQ(knees[0].approach, "incr");
  EXPECT_EQ(knees[0].rate, 5000);
  EXPECT_EQ(knees[0].rates, (std::vector<double>{1000, 5000, 20000}));
  EXPECT_EQ(knees[0].other_params, "clients=8");
  EXPECT_EQ(knees[1].approach, "watch");
  EXPECT_EQ(knees[1].rate, 5000);  // 4800 of 5000 = 96%: sustained
  EXPECT_EQ(knees[2].approach, "lua");
  EXPECT_FALSE(knees[2].rate.has_value());
  EXPECT_EQ(knees[3].rate, 1000);
  // Records without a rate (closed loop) are no part of any knee.
  Record closed = At("incr", 1000, 1000, 10);
  closed.params.erase("rate");
  EXPECT_TRUE(FindKnees({closed}, slo).empty());
}

TEST(KneeTest, GroupsSplitByTheOtherParams) {
  const Slo slo = *ParseSlo("p50:1ms");
  Record a = At("incr", 1000, 1000, 400);  // p50 100 us
  Record b = At("incr", 1000, 1000, 40000);  // p50 10 ms
  b.params["durability"] = 2;
  const auto knees = FindKnees({a, b}, slo);
  ASSERT_EQ(knees.size(), 2u);
  EXPECT_EQ(knees[0].rate, 1000);
  EXPECT_EQ(knees[1].other_params, "clients=8 durability=strict");
  EXPECT_FALSE(knees[1].rate.has_value());
}

TEST(SweepFieldsTest, DurabilitySettingsAndObjectiveRoundTrip) {
  Results d;
  d.environment.durability = "off,strict";
  d.environment.server_settings["postgres@strict"] = {
      {"fsync", "on"}, {"synchronous_commit", "on"}, {"full_page_writes", "on"}};
  d.environment.server_settings["redis@off"] = {{"appendonly", "no"}, {"save", ""}};
  d.parameters.slo = "p99:1ms";
  Record r = At("incr", 1000, 1000, 50);
  r.params["durability"] = 2;
  d.records.push_back(r);
  EXPECT_EQ(r.ParamsLabel(), "clients=8 durability=strict rate=1000");
  // Through the writer's text and the reader (the file round trip is writer_test's).
  auto back = ParseResults(ToJsonText(d), "sweep-fields");
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->environment.durability, "off,strict");
  EXPECT_EQ(back->environment.server_settings, d.environment.server_settings);
  EXPECT_EQ(back->parameters.slo, "p99:1ms");
  ASSERT_EQ(back->records.size(), 1u);
  EXPECT_EQ(back->records[0].params.at("durability"), 2);
  // Files without the optional fields read as before.
  auto old = ParseResults(R"({"schema": "racetrack.result/1", "environment": {"host": "h"}})", "x");
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_TRUE(old->environment.durability.empty());
  EXPECT_TRUE(old->environment.server_settings.empty());
}

}  // namespace
}  // namespace racetrack::results
