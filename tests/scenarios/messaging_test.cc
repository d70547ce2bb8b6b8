// messaging: the delivery accounting on hand-built logs, the bad-input errors, and small runs of
// every approach on every target (real throwaway servers) with a consumer killed mid-run.
#include "scenarios/messaging.h"

#include <gtest/gtest.h>

#include "adapters/target.h"
#include "bench/harness.h"
#include "scenarios/knobs.h"
#include "scenarios/registry.h"
#include "tests/scenarios/lesson_driver.h"

namespace racetrack::scenarios {
namespace {

using adapters::TargetKind;

TEST(MessagingTally, EveryMessageOnceIsNothingLostNothingDuplicated) {
  const DeliveryTally t = TallyDeliveries({1, 1, 1, 1});
  EXPECT_EQ(t.messages, 4u);
  EXPECT_EQ(t.delivered, 4u);
  EXPECT_EQ(t.lost, 0u);
  EXPECT_EQ(t.duplicated, 0u);
  EXPECT_EQ(t.redeliveries, 0u);
}

TEST(MessagingTally, NeverProcessedIsLostTwiceIsDuplicated) {
  // Message 0 never processed (the dead consumer's), 2 twice and 3 three times (redelivered).
  const DeliveryTally t = TallyDeliveries({0, 1, 2, 3, 0});
  EXPECT_EQ(t.delivered, 3u);
  EXPECT_EQ(t.lost, 2u);
  EXPECT_EQ(t.duplicated, 2u);
  EXPECT_EQ(t.redeliveries, 3u);
}

TEST(MessagingTally, EmptyLog) {
  const DeliveryTally t = TallyDeliveries({});
  EXPECT_EQ(t.messages, 0u);
  EXPECT_EQ(t.lost, 0u);
}

TEST(MessagingWire, EncodeDecodeRoundTripAndPadding) {
  const std::string s = EncodeMessage(42, 123456789, 64);
  EXPECT_EQ(s.size(), 64u);
  uint64_t n = 0;
  int64_t t = 0;
  ASSERT_TRUE(DecodeMessage(s, &n, &t));
  EXPECT_EQ(n, 42u);
  EXPECT_EQ(t, 123456789);
  EXPECT_FALSE(DecodeMessage("hello", &n, &t));
  EXPECT_FALSE(DecodeMessage("1:x:", &n, &t));
  EXPECT_FALSE(DecodeMessage(":1:", &n, &t));
}

KnobValues Knobs(std::initializer_list<std::pair<const std::string, std::vector<double>>> kv) {
  return KnobValues(kv);
}

TEST(MessagingKnobs, KillAfterTheLastSendIsAOneLineError) {
  const Scenario& m = **Registry::Default().Get("messaging");
  // 1000 messages at 1000/s: the last send is at 1000 ms.
  Status s = m.ValidateKnobs(Knobs({{"messages", {1000}}, {"send-rate", {1000}},
                                    {"kill-at-ms", {5000}}, {"restart-at-ms", {6000}}}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--kill-at-ms 5000 is after"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  s = m.ValidateKnobs(Knobs({{"kill-at-ms", {800}}, {"restart-at-ms", {700}}}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--restart-at-ms 700 must be after"), std::string::npos);
  EXPECT_TRUE(m.ValidateKnobs({}).ok());
  EXPECT_TRUE(m.ValidateKnobs(Knobs({{"kill-at-ms", {0}}})).ok()) << "0 = nobody dies";
}

TEST(MessagingKnobs, OutOfRangeValuesNameTheRange) {
  const Scenario& m = **Registry::Default().Get("messaging");
  EXPECT_EQ(testing::KnobError(m, "consumers", "0"),
            "--consumers must be an integer between 1 and 64 (got '0')");
}

TEST(MessagingKnobs, NoKnobReusesAHarnessFlag) {
  const Scenario& m = **Registry::Default().Get("messaging");
  for (const KnobInfo& k : m.info().knobs) {
    for (const char* harness : {"rate", "clients", "duration", "ops", "repetitions", "warmup",
                                "seed", "json", "target"}) {
      EXPECT_NE(k.name, harness);
    }
  }
}

class MessagingTargets
    : public testing::LessonOnTargetTest<MakeMessagingScenario, /*kAllowNoApproach=*/true> {};

// 1200 messages at 3000/s (400 ms of sending), consumer 0 dies at 120 ms and is replaced at
// 240 ms: enough in flight that every lossy approach loses and every reliable one must not.
TEST_P(MessagingTargets, ConsumerDiesReliableApproachesLoseNothingTheOthersLose) {
  bench::RunOptions run;
  run.warmup_s = 0;
  bench::Harness harness(run, {}, nullptr);
  const std::map<std::string, double> point = {
      {"messages", 1200}, {"send-rate", 3000},   {"consumers", 2},     {"kill-at-ms", 120},
      {"restart-at-ms", 240}, {"slow-consumer", 0}, {"payload-bytes", 64}};
  for (const ApproachInfo* a : approaches_) {
    auto record = harness.RunOne(*scenario_, *a, *target_, 1, 1, point);
    ASSERT_TRUE(record.ok()) << a->id << ": " << record.status().message();
    EXPECT_TRUE(record->error.empty()) << a->id << ": " << record->error;
    const auto& f = record->correctness.figures;
    EXPECT_EQ(f.at("messages"), 1200) << a->id;
    EXPECT_EQ(f.at("delivered") + f.at("lost"), 1200) << a->id;
    // Each processing was one Step: the harness counted them.
    EXPECT_EQ(record->ops, static_cast<uint64_t>(f.at("delivered") + f.at("redeliveries")))
        << a->id;
    if (a->expected_correct) {
      EXPECT_TRUE(record->correctness.ok) << a->id << ": " << record->correctness.note;
      EXPECT_EQ(f.at("lost"), 0) << a->id;
    } else {
      EXPECT_FALSE(record->correctness.ok) << a->id << ": " << record->correctness.note;
      EXPECT_GT(f.at("lost"), 0) << a->id;
    }
    EXPECT_GT(record->figures.at("e2e_p50_us"), 0) << a->id;
    EXPECT_FALSE(record->series.at("t_s").empty()) << a->id;
  }
  EXPECT_EQ(approaches_.size(), GetParam() == TargetKind::kPostgres ? 2u : 5u);
}

INSTANTIATE_TEST_SUITE_P(AllTargets, MessagingTargets, ::testing::ValuesIn(testing::AllKinds()),
                         testing::TargetParamName);

TEST(MessagingRun, NobodyDiesNothingIsLostEvenForPubSub) {
  auto target = adapters::MakeBuiltinTarget();
  const Scenario& messaging = **Registry::Default().Get("messaging");
  bench::RunOptions run;
  run.warmup_s = 0;
  bench::Harness harness(run, {}, nullptr);
  auto record = harness.RunOne(messaging, *messaging.info().FindApproach("pubsub"), *target, 1, 1,
                               {{"messages", 300}, {"send-rate", 3000}, {"kill-at-ms", 0}});
  ASSERT_TRUE(record.ok()) << record.status().message();
  EXPECT_TRUE(record->correctness.ok) << record->correctness.note;
  EXPECT_EQ(record->correctness.figures.at("lost"), 0);
  EXPECT_NE(record->correctness.note.find("no consumer died"), std::string::npos)
      << record->correctness.note;
}

}  // namespace
}  // namespace racetrack::scenarios
