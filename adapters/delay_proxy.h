// DelayProxy: a TCP proxy on loopback that adds a round-trip time to every connection through it.
//
// It listens on 127.0.0.1:<free port>, and for each accepted connection dials the upstream
// (host:port) and forwards bytes both ways, holding every chunk it reads for half the RTT before
// writing it on (client->server and server->client alike). A request/response exchange therefore
// costs RTT + the base loopback time; a pipelined batch of any size costs one RTT (plus transfer),
// exactly as on a real network link with that latency. It knows nothing of the protocol, so RESP
// and PostgreSQL go through it alike, and it needs no root, no tc/netem, no kernel module.
//
// One thread runs all connections of one proxy (ppoll with nanosecond timeouts and a 1 µs timer
// slack, so the added delay is accurate to a few tens of microseconds on an idle machine).
//
// MakeDelayedTarget() wraps a network target: it starts a proxy in front of the target's server
// and returns a Target whose connections go through it (the proxy lives as long as that Target).
//
// Thread-safety: port()/rtt_ms() from any thread; the destructor stops the thread and closes every
// connection (in-flight bytes are dropped).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "adapters/target.h"
#include "engine/base/status.h"

namespace racetrack::adapters {

class DelayProxy {
 public:
  // Valid RTTs: 0 (a plain forwarder, for measuring the proxy's own cost) to kMaxRttMs.
  static constexpr double kMaxRttMs = 10'000;

  // Starts listening and the forwarding thread. Fails (one line) on a bad rtt or socket errors;
  // the upstream is dialled per accepted connection (a refused upstream closes that connection).
  static Result<std::unique_ptr<DelayProxy>> Start(std::string upstream_host, int upstream_port,
                                                   double rtt_ms);
  ~DelayProxy();
  DelayProxy(const DelayProxy&) = delete;
  DelayProxy& operator=(const DelayProxy&) = delete;

  int port() const { return port_; }
  double rtt_ms() const { return rtt_ms_; }
  // Connections accepted so far.
  uint64_t connections() const { return connections_.load(std::memory_order_relaxed); }

 private:
  struct Loop;
  DelayProxy(int listen_fd, int port, std::string host, int upstream_port, double rtt_ms);
  void Run();

  int listen_fd_;
  int wake_fd_;  // eventfd: tells the thread to stop
  int port_;
  std::string upstream_host_;
  int upstream_port_;
  double rtt_ms_;
  std::atomic<uint64_t> connections_{0};
  std::thread thread_;
};

// A Target that reaches `base`'s server through a DelayProxy adding `rtt_ms`. The base must be a
// network target (non-empty dial_url()); the in-process builtin gives InvalidArgument ("builtin
// is in-process: there is no network to delay; use builtin-tcp").
Result<std::unique_ptr<Target>> MakeDelayedTarget(const Target& base, double rtt_ms,
                                                  const TargetOptions& options);

// Median round trip, in milliseconds, of `n` tiny request/reply exchanges on `client`: PING on
// RESP targets, "SELECT 1" on SQL targets. What a scenario calls "the effective RTT".
Result<double> MeasureClientRttMs(Client& client, int n = 21);

// The rule the pipeline lesson reports: the measured RTT through the proxy is acceptable when it is
// within 10% of the asked value plus the base (direct, un-proxied) round trip.
bool RttWithinTolerance(double asked_ms, double measured_ms, double base_ms);

}  // namespace racetrack::adapters
