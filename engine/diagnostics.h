// What the server remembers about its own commands for SLOWLOG, LATENCY and MONITOR.
//
// Engine::Call hands every executed command to AfterCall(): past slowlog-log-slower-than
// microseconds it goes into the slow log (newest first, at most slowlog-max-len entries, arguments
// trimmed as Redis trims them); past latency-monitor-threshold milliseconds it becomes a sample of
// the "command" or "fast-command" event (one sample per second, the worst one, 160 kept); and when a
// client is in MONITOR mode, a line in Redis's format goes to each monitor.
//
// With latency-tracking on (the default), every executed command also lands in its own
// LatencyHistogram (LATENCY HISTOGRAM, INFO latencystats); CONFIG RESETSTAT clears them.
//
// Not here (known gaps, README): latency events other than the two command ones (fork, aof-fsync,
// expire-cycle, ...), so LATENCY DOCTOR's advice and LATENCY GRAPH cover those two only.
//
// Thread-safety: none; the engine's thread only.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/command.h"

namespace racetrack::engine {

struct SlowlogEntry {
  int64_t id = 0;
  int64_t time_s = 0;       // unix seconds when it ran
  int64_t duration_us = 0;
  std::vector<std::string> argv;  // at most 32, each at most 128 bytes (+ "... (N more ...)")
  std::string peer;         // ip:port
  std::string name;         // client name
};

struct LatencySample {
  int64_t time_s = 0;
  int64_t latency_ms = 0;
};

struct LatencySeries {
  static constexpr size_t kLen = 160;  // Redis's LATENCY_TS_LEN
  std::array<LatencySample, kLen> samples{};
  size_t idx = 0;
  int64_t max = 0;
};

// One command's latencies as Redis 7.0 keeps them: an HdrHistogram from 1 ns to 1 s with two
// significant digits (Redis's deps/hdr_histogram, LATENCY_HISTOGRAM_PRECISION), fed with each
// call's microseconds × 1000. The counts are kept sparsely (index → count) with hdr's own index
// arithmetic, so the buckets LATENCY HISTOGRAM reports and the percentiles INFO latencystats
// prints are the values redis-server computes from the same durations.
//
// Layout (hdr with sub_bucket_count 256, unit 1 ns): values below 256 have one index each; above,
// bucket b >= 1 holds [128·2^b, 256·2^b) in 128 sub-buckets of 2^b ns. A value's "equivalent
// range" is its sub-bucket; reports use its highest value.
class LatencyHistogram {
 public:
  static constexpr int64_t kMinNs = 1;              // LATENCY_HISTOGRAM_MIN_VALUE
  static constexpr int64_t kMaxNs = 1'000'000'000;  // LATENCY_HISTOGRAM_MAX_VALUE

  // Records one call of `duration_us` (clamped into [kMinNs, kMaxNs] once in nanoseconds).
  void Record(int64_t duration_us);
  uint64_t calls() const { return total_; }

  // LATENCY HISTOGRAM's "histogram_usec": Redis's log-2 walk from 1024 ns — for each step k, the
  // highest value equivalent to 1024·2^k ns (in µs, truncated) and the number of calls up to it,
  // listed only where that number grows.
  std::vector<std::pair<int64_t, uint64_t>> CumulativeUs() const;
  // hdr_value_at_percentile in nanoseconds (0 when empty).
  int64_t ValueAtPercentile(double percentile) const;

 private:
  std::map<int32_t, uint64_t> counts_;  // hdr counts index → calls
  uint64_t total_ = 0;
};

// A percentile as Redis prints it in INFO latencystats and CONFIG GET ("%f" without trailing
// zeros: "50", "99.9").
std::string FormatPercentile(double p);

class Diagnostics {
 public:
  // Called before each executed command: EVAL and FCALL show in MONITOR before their calls.
  void BeforeCall(const ClientState& client, const CommandSpec& spec, Args argv);
  // Called after each executed command (not the rejected ones), with its wall time.
  void AfterCall(Engine& engine, const ClientState& client, const CommandSpec& spec, Args argv,
                 int64_t duration_us);

  std::deque<SlowlogEntry>& slowlog() { return slowlog_; }
  std::map<std::string, LatencySeries>& latency() { return latency_; }
  // The latency histogram of one command or subcommand, nullptr when it has not been called since
  // the last reset.
  const LatencyHistogram* histogram(const CommandSpec& spec) const {
    const size_t id = static_cast<size_t>(spec.acl_id);
    return id < histograms_.size() && histograms_[id].calls() > 0 ? &histograms_[id] : nullptr;
  }
  void ResetHistograms() { histograms_.clear(); }

  void AddMonitor(ClientState* c);
  void RemoveClient(ClientState* c);
  bool has_monitors() const { return !monitors_.empty(); }

 private:
  void FeedMonitors(const ClientState& client, const CommandSpec& spec, Args argv);

  std::deque<SlowlogEntry> slowlog_;
  int64_t next_slowlog_id_ = 0;
  std::map<std::string, LatencySeries> latency_;
  // By CommandSpec::acl_id (an index, not a name lookup: every call records), sized on first use.
  std::vector<LatencyHistogram> histograms_;
  std::vector<ClientState*> monitors_;
};

}  // namespace racetrack::engine
