// SignalWatcher: turns Ctrl-C / SIGTERM into an orderly stop, without a global.
//
// Construct it in main() before any other thread starts: it blocks SIGINT, SIGTERM and SIGHUP in
// the calling thread (so every thread started later inherits the mask) and waits for them on its
// own thread with sigwait. The first signal calls `on_stop` (the harness's StopFlag: the run ends
// within about a second, destructors stop the throwaway servers). A second signal, or the run not
// ending within `grace_s`, calls `on_force` (stop the servers now) and exits with 130.
//
// Thread-safety: the callbacks run on the watcher thread.
#pragma once

#include <functional>
#include <thread>

namespace racetrack::bench {

class SignalWatcher {
 public:
  SignalWatcher(std::function<void()> on_stop, std::function<void()> on_force,
                double grace_s = 10.0);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  void Loop();
  std::function<void()> on_stop_;
  std::function<void()> on_force_;
  double grace_s_;
  std::thread thread_;
};

}  // namespace racetrack::bench
