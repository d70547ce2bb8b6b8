// What the server remembers about its own commands for SLOWLOG, LATENCY and MONITOR.
//
// Engine::Call hands every executed command to AfterCall(): past slowlog-log-slower-than
// microseconds it goes into the slow log (newest first, at most slowlog-max-len entries, arguments
// trimmed as Redis trims them); past latency-monitor-threshold milliseconds it becomes a sample of
// the "command" or "fast-command" event (one sample per second, the worst one, 160 kept); and when a
// client is in MONITOR mode, a line in Redis's format goes to each monitor.
//
// Not here (known gaps, README): LATENCY DOCTOR / GRAPH / HISTOGRAM, and latency events other than
// the two command ones (fork, aof-fsync, expire-cycle, ...).
//
// Thread-safety: none; the engine's thread only.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
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

class Diagnostics {
 public:
  // Called before each executed command: EVAL and FCALL show in MONITOR before their calls.
  void BeforeCall(const ClientState& client, const CommandSpec& spec, Args argv);
  // Called after each executed command (not the rejected ones), with its wall time.
  void AfterCall(Engine& engine, const ClientState& client, const CommandSpec& spec, Args argv,
                 int64_t duration_us);

  std::deque<SlowlogEntry>& slowlog() { return slowlog_; }
  std::map<std::string, LatencySeries>& latency() { return latency_; }

  void AddMonitor(ClientState* c);
  void RemoveClient(ClientState* c);
  bool has_monitors() const { return !monitors_.empty(); }

 private:
  void FeedMonitors(const ClientState& client, const CommandSpec& spec, Args argv);

  std::deque<SlowlogEntry> slowlog_;
  int64_t next_slowlog_id_ = 0;
  std::map<std::string, LatencySeries> latency_;
  std::vector<ClientState*> monitors_;
};

}  // namespace racetrack::engine
