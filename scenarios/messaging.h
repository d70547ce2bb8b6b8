// The `messaging` lesson: a producer sends numbered messages to C consumers; one consumer dies
// mid-run and a replacement takes its place. Which ways lose messages, which deliver some twice?
// See messaging.cc for the approaches, the timeline and the lesson text.
//
// The delivery accounting is public so tests can check it on hand-built delivery logs.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

std::unique_ptr<Scenario> MakeMessagingScenario();

// What happened to the messages of one run.
//   delivered    messages processed at least once by their owner (consumer n mod C, or the
//                replacement that took its place)
//   lost         messages never processed by their owner
//   duplicated   messages processed more than once (at-least-once delivery shows up here)
//   redeliveries processings beyond the first, over all messages
struct DeliveryTally {
  uint64_t messages = 0;
  uint64_t delivered = 0;
  uint64_t lost = 0;
  uint64_t duplicated = 0;
  uint64_t redeliveries = 0;
};

// `processed[n]` = how many times message n was processed by its owner (receipts by other
// consumers — Pub/Sub and NOTIFY deliver every message to everyone — are not counted there).
DeliveryTally TallyDeliveries(const std::vector<uint32_t>& processed);

// The message format on the wire: "<n>:<scheduled send time, ns>:" padded with 'x' to
// payload_bytes (at least the header). Parse returns false for anything else.
std::string EncodeMessage(uint64_t n, int64_t sent_ns, int payload_bytes);
bool DecodeMessage(std::string_view payload, uint64_t* n, int64_t* sent_ns);

}  // namespace racetrack::scenarios
