// The environment block of the results: what a reader needs to judge whether two runs compare.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "bench/harness.h"

#ifndef RACETRACK_GIT_REVISION
#define RACETRACK_GIT_REVISION "unknown"
#endif

namespace racetrack::bench {

namespace {

void NoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

double MeasureLoopbackRttUs(int n) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener, 1) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(listener);
    return 0;
  }
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  if (client < 0 || connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (client >= 0) close(client);
    close(listener);
    return 0;
  }
  const int server = accept(listener, nullptr, nullptr);
  close(listener);
  if (server < 0) {
    close(client);
    return 0;
  }
  NoDelay(client);
  NoDelay(server);
  std::thread echo([server, n] {
    char b;
    for (int i = 0; i < n; ++i) {
      if (read(server, &b, 1) != 1 || write(server, &b, 1) != 1) break;
    }
  });
  std::vector<double> rtts;
  char b = 'x';
  for (int i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    if (write(client, &b, 1) != 1 || read(client, &b, 1) != 1) break;
    rtts.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                       .count());
  }
  close(client);
  echo.join();
  close(server);
  if (rtts.empty()) return 0;
  std::nth_element(rtts.begin(), rtts.begin() + static_cast<long>(rtts.size() / 2), rtts.end());
  return rtts[rtts.size() / 2];
}

Environment CollectEnvironment() {
  Environment e;
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) == 0) e.host = host;
  e.cores = static_cast<int>(std::thread::hardware_concurrency());
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page_size > 0) {
    e.memory_bytes = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
  }
  utsname u{};
  if (uname(&u) == 0) {
    e.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  }
#if defined(__clang__)
  e.compiler = std::string("clang++ ") + __clang_version__;
#elif defined(__GNUC__)
  e.compiler = std::string("g++ ") + __VERSION__;
#endif
  e.git_revision = RACETRACK_GIT_REVISION;
  e.loopback_rtt_us = MeasureLoopbackRttUs();
  return e;
}

}  // namespace racetrack::bench
