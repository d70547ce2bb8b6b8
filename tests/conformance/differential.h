// Differential fuzzing against a real Redis: a seeded generator of random command streams and a
// runner that sends each command to a real redis-server and to racetrack-server and compares the
// two replies byte for byte.
//
// The generator works over a small key space (six keys, so a list command often meets a hash)
// with hostile values: integers at and past the 64-bit limits, inf/nan and malformed floats,
// empty and long strings, negative and huge counts, dropped and extra arguments, and the
// blocking forms with short timeouts. It only emits commands racetrack-server implements, and
// leaves out what cannot be compared deterministically (see kLeftOut in differential.cc and
// the README's known gaps). The same seed always yields the same stream.
//
// Replies whose order depends on hash-table layout (SMEMBERS, HGETALL, KEYS, ...) are compared
// as multisets; replies that depend on the clock at millisecond precision (PTTL, EXPIRETIME, ...)
// by RESP type only. After a difference both connections are reopened and both keyspaces
// flushed, so one divergence is counted once rather than poisoning the rest of the stream.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace racetrack::conformance {

enum class CompareMode {
  kExact,      // identical bytes
  kUnordered,  // array elements as a multiset at every nesting level
  kTypeOnly,   // same RESP type byte (clock-dependent values)
};

struct GeneratedCommand {
  std::vector<std::string> argv;
  CompareMode mode = CompareMode::kExact;
};

// A deterministic stream of commands for one seed.
class CommandGenerator {
 public:
  explicit CommandGenerator(uint64_t seed);
  GeneratedCommand Next();

 private:
  std::string Arg(char kind);
  size_t Below(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  const std::string& Pick(const std::vector<std::string>& v) { return v[Below(v.size())]; }

  std::mt19937_64 rng_;
  bool in_multi_ = false;
  bool multi_unordered_ = false;  // the open MULTI queued an order-free command
};

// One difference: the command and both replies (raw RESP bytes).
struct Difference {
  uint64_t seed = 0;
  uint64_t index = 0;  // position of the command in the seed's stream
  std::vector<std::string> argv;
  std::string redis, ours;
};

struct DifferentialReport {
  uint64_t commands = 0, identical = 0;
  std::vector<Difference> differences;  // at most `keep_differences` of them, in order
  // Differences grouped by "COMMAND: first bytes of each reply", with counts.
  std::map<std::string, uint64_t> groups;
  std::string error;  // set when a server could not be reached at all
};

struct DifferentialOptions {
  uint64_t seed = 1;
  uint64_t commands = 2000;
  int redis_port = 0, ours_port = 0;
  size_t keep_differences = 50;
  bool progress = false;  // a line on stderr every 10,000 commands
};

// Runs one seed's stream against both servers (FLUSHALL first) and reports.
DifferentialReport RunDifferential(const DifferentialOptions& options);

// Renders argv as one redis-cli line (quoted and escaped where needed), for reports and for
// pasting a finding into a conformance script.
std::string CommandLine(const std::vector<std::string>& argv);

}  // namespace racetrack::conformance
