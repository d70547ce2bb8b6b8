// Lesson `pipeline`: one round trip per command vs pipelines of P vs MULTI/EXEC batches (and, on
// PostgreSQL, one statement per round trip vs libpq pipeline mode vs one multi-row statement),
// against an injected network round-trip time — measured, next to the model
// N x RTT (sequential) and ceil(N/P) x RTT (batched).
//
// One operation (what the harness times) is one job of N commands (--commands, default 1,000):
// INCR of one key on Redis-likes, INSERT of one row on PostgreSQL. Non-zero RTT comes from
// adapters/delay_proxy.h: the workers' connections go through a DelayProxy in front of the
// target's server, so the run pays real round trips; the in-process builtin has no network and
// runs at RTT 0 only. The effective RTT through the proxy is measured (median of PINGs /
// SELECT 1) and checked against the asked value: within 10% plus the base loopback RTT, else the
// record's note says so (figure rtt_within_tolerance = 0).
//
// Knobs: --rtt-ms (sweep, default 0,1,5; 0..1000), --batch (sweep, default 1,10,100,1000;
// 1..100000; the batched approaches only), --commands (N, default 1000).
//
// Correctness: every command acknowledged (each reply checked), and the final state equals the
// number acknowledged (the counter's value / the table's row count).
#pragma once

#include <cstdint>
#include <memory>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

std::unique_ptr<Scenario> MakePipelineScenario();

// Round trips one job of `n` commands takes with batches of `batch` (batch 0 = one by one).
int64_t PipelineRoundTrips(int64_t n, int64_t batch);

}  // namespace racetrack::scenarios
