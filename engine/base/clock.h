// Clock: the engine's only source of time, injected so TTLs, windows and stream IDs can be tested
// deterministically.
//
// SystemClock reads CLOCK_REALTIME (Unix time, as Redis's EXPIREAT and TIME use) for wall time and
// CLOCK_MONOTONIC for durations. ManualClock only moves when told to.
//
// Thread-safety: SystemClock is safe from any thread. ManualClock's reads and writes are atomic.
#pragma once

#include <atomic>
#include <cstdint>

namespace racetrack::engine {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in microseconds.
  virtual int64_t NowUs() const = 0;
  // Unix time in milliseconds (the unit of key expiry).
  int64_t NowMs() const { return NowUs() / 1000; }
};

class SystemClock final : public Clock {
 public:
  int64_t NowUs() const override;
  // A process-wide instance, for callers that do not inject one.
  static SystemClock* Default();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_us_(start_ms * 1000) {}
  int64_t NowUs() const override { return now_us_.load(std::memory_order_relaxed); }
  void SetMs(int64_t ms) { now_us_.store(ms * 1000, std::memory_order_relaxed); }
  void AdvanceMs(int64_t ms) { now_us_.fetch_add(ms * 1000, std::memory_order_relaxed); }
  void AdvanceUs(int64_t us) { now_us_.fetch_add(us, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_us_;
};

// Monotonic microseconds, for measuring durations (never for expiry).
int64_t MonotonicUs();
// Monotonic nanoseconds: std::chrono::steady_clock's count since its epoch, so a value converts
// back to a steady_clock::time_point (sleep_until). For timing benchmarks and scenarios.
int64_t MonotonicNs();

}  // namespace racetrack::engine
