// racetrack-differential: the differential fuzzer's long run (bench/differential-fuzz calls it).
// Starts a throwaway redis-server and racetrack-server, runs each seed's stream, and prints the
// identical share per seed, the differences grouped by command and reply, and the first
// differing commands as redis-cli lines. Exit status 0 when it ran (whatever the share), 2 on a
// usage error, 1 when the servers could not be started or stopped answering.
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/conformance/differential.h"
#include "tests/conformance/dual_servers.h"
#include "tests/conformance/raw_resp.h"

namespace {

constexpr char kUsage[] =
    "usage: racetrack-differential [--seeds 1,2,3] [--commands N] [--show N]\n"
    "  Sends N random commands per seed (default 100000) to a throwaway redis-server and to\n"
    "  racetrack-server and compares the replies; prints the identical share per seed and the\n"
    "  differences grouped by command. --show: how many differing commands to print (default "
    "20).\n";

bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
  *out = std::strtoull(s.c_str(), nullptr, 10);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace racetrack::conformance;
  std::vector<uint64_t> seeds = {1, 2, 3};
  uint64_t commands = 100000, show = 20;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "racetrack-differential: " << a << " needs a value\n" << kUsage;
      return 2;
    }
    std::string v = argv[++i];
    bool ok = true;
    if (a == "--seeds") {
      seeds.clear();
      std::stringstream ss(v);
      for (std::string part; std::getline(ss, part, ',');) {
        uint64_t s = 0;
        ok = ok && ParseU64(part, &s);
        seeds.push_back(s);
      }
      ok = ok && !seeds.empty();
    } else if (a == "--commands") {
      ok = ParseU64(v, &commands) && commands > 0;
    } else if (a == "--show") {
      ok = ParseU64(v, &show);
    } else {
      std::cerr << "racetrack-differential: unknown flag " << a << "\n" << kUsage;
      return 2;
    }
    if (!ok) {
      std::cerr << "racetrack-differential: bad value for " << a << ": " << v << "\n";
      return 2;
    }
  }
  DualServers& servers = DualServers::Get();
  if (!servers.skip.empty() || !servers.error.empty()) {
    std::cerr << "racetrack-differential: " << servers.skip << servers.error << "\n";
    return 1;
  }
  uint64_t total = 0, identical = 0;
  std::map<std::string, uint64_t> groups;
  std::vector<Difference> shown;
  std::cout << std::fixed << std::setprecision(3);
  for (uint64_t seed : seeds) {
    DifferentialReport r = RunDifferential({.seed = seed,
                                            .commands = commands,
                                            .redis_port = servers.redis_port,
                                            .ours_port = servers.ours_port,
                                            .keep_differences = show,
                                            .progress = true});
    if (!r.error.empty()) {
      std::cerr << "racetrack-differential: seed " << seed << ": " << r.error << "\n";
      return 1;
    }
    std::cout << "seed " << seed << ": " << r.identical << "/" << r.commands << " identical ("
              << 100.0 * static_cast<double>(r.identical) / static_cast<double>(r.commands)
              << "%)\n";
    total += r.commands;
    identical += r.identical;
    for (const auto& [k, n] : r.groups) groups[k] += n;
    for (const Difference& d : r.differences) {
      if (shown.size() < show) shown.push_back(d);
    }
  }
  std::cout << "all seeds: " << identical << "/" << total << " identical ("
            << 100.0 * static_cast<double>(identical) / static_cast<double>(total) << "%)\n";
  if (!groups.empty()) {
    std::cout << "\ndifferences by command and reply (count):\n";
    for (const auto& [k, n] : groups) std::cout << std::setw(7) << n << "  " << k << "\n";
    std::cout << "\nfirst differing commands:\n";
    for (const Difference& d : shown) {
      std::cout << "seed " << d.seed << " #" << d.index << ": " << CommandLine(d.argv)
                << "\n  redis:     " << Escape(d.redis) << "\n  racetrack: " << Escape(d.ours)
                << "\n";
    }
  }
  return 0;
}
