#include "bench/signals.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace racetrack::bench {

namespace {
// SIGUSR2 is how the destructor wakes the watcher to end it.
sigset_t WatchedSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR2);
  return set;
}
}  // namespace

SignalWatcher::SignalWatcher(std::function<void()> on_stop, std::function<void()> on_force,
                             double grace_s)
    : on_stop_(std::move(on_stop)), on_force_(std::move(on_force)), grace_s_(grace_s) {
  sigset_t set = WatchedSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this] { Loop(); });
}

SignalWatcher::~SignalWatcher() {
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
}

void SignalWatcher::Loop() {
  const sigset_t set = WatchedSet();
  bool stopping = false;
  for (;;) {
    int sig = 0;
    if (!stopping) {
      if (sigwait(&set, &sig) != 0) continue;
    } else {
      timespec timeout{static_cast<time_t>(grace_s_), 0};
      siginfo_t info;
      sig = sigtimedwait(&set, &info, &timeout);
      if (sig < 0) {  // the run did not end within the grace period
        std::fprintf(stderr, "racetrack: still running after %.0f s; stopping servers\n", grace_s_);
        if (on_force_) on_force_();
        _exit(130);
      }
    }
    if (sig == SIGUSR2) return;
    if (!stopping) {
      stopping = true;
      std::fprintf(stderr, "\nracetrack: stopping (Ctrl-C again to stop at once)\n");
      if (on_stop_) on_stop_();
    } else {
      if (on_force_) on_force_();
      _exit(130);
    }
  }
}

}  // namespace racetrack::bench
