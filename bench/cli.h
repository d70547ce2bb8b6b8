// The `racetrack` CLI's subcommands as functions of already-parsed configuration (main() parses
// flags with CLI11 and calls these; cli_main.cc stays thin).
//
// Exit codes (documented in `racetrack --help`):
//   0  everything requested ran, every check that should pass passed
//   1  a correctness check failed where it was expected to pass (the unsafe approaches of a
//      lesson are expected to fail theirs and do not count)
//   2  usage: unknown scenario/target/approach/flag, bad value
//   3  a target named with --target could not be had, or a server failed during the run
//
// Thread-safety: call from main's thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/durability.h"
#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "bench/harness.h"
#include "results/sweep.h"
#include "scenarios/registry.h"

namespace racetrack::bench {

enum ExitCode : int { kExitOk = 0, kExitCorrectness = 1, kExitUsage = 2, kExitUnavailable = 3 };

struct CliContext {
  std::string bin_dir;        // where racetrack (and racetrack-server) live
  std::string command_line;   // as typed (redacted before it is stored)
  StopFlag* stop = nullptr;
  adapters::ThrowawayServers* servers = nullptr;
};

struct RunCommand {
  std::vector<std::string> scenarios;   // at least one
  std::vector<std::string> targets;     // empty = every target that can be had
  std::vector<std::string> approaches;  // empty = all
  RunOptions options;
  std::string redis_url;
  std::string postgres_url;
  // redis-cluster: any node of a running cluster, else a throwaway one of this shape.
  std::string redis_cluster_url;
  int cluster_masters = 3;
  int cluster_replicas = 0;
  // --fault KIND@TIME (kill-master@3s, failover@3s): on redis-cluster only.
  std::string fault;
  // --shard I/N --start-at T (bench/merge.h): empty = not sharded.
  std::string shard, start_at;
  std::string json_path;                // empty = no JSON
  bool quiet = false;
  // --durability: one mode, or several run one after the other on the same servers (each
  // record then has a "durability" param). Owned servers are set to each mode; servers given by
  // URL are only read back (adapters/durability.h).
  std::vector<adapters::Durability> durability = {adapters::Durability::kOff};
  // --slo with a --rate sweep: the knee per approach x target is printed and recorded.
  std::optional<results::Slo> slo;
};

int RunMain(const RunCommand& command, const CliContext& context);

// Sweep lists as typed: "--clients 1,8,32" (whole numbers 1..1024), "--rate 1000,5000"
// (positive ops/s). One value or several, comma-separated, no repeats; else a one-line
// InvalidArgument naming the flag and the bad element.
Result<std::vector<int>> ParseClientsList(const std::string& text);
Result<std::vector<double>> ParseRateList(const std::string& text);
// The table `racetrack run` prints after a run: per scenario, each record's throughput in the
// lesson's unit ("decisions/s" in the header, or in each cell when a lesson's approaches differ),
// p50/p99 per operation, and the verdict with its mark (results::VerdictMark: never a plain ✅ on
// an untrusted timing, whose throughput gets ⚠ and a line saying why).
std::string FormatRunTable(const Results& doc);

// The names of `racetrack run`'s own flags, long and short, without dashes ("rate", "clients",
// "c", "json", ...). cli_main.cc registers exactly these (it checks at start), and a scenario
// knob, which becomes a flag of the same command, may not take one of them.
const std::vector<std::string>& RunFlagNames();

// --fault's text: "kill-master@3s" / "failover@2.5s" (seconds, the "s" optional) -> the kind and
// the time; InvalidArgument naming the valid kinds otherwise.
Result<std::pair<std::string, double>> ParseFault(const std::string& text);

// The rules for knob names over a registry: no knob takes a run flag's name, and no lesson
// declares two knobs of one name. InvalidArgument naming the lesson and the knob:
// "lesson 'x' declares knob --rate, which is a racetrack run flag". A test runs this over the
// built-in registry, so a lesson that breaks the rule fails ctest.
Status CheckKnobNames(const scenarios::Registry& registry);
// --redlock-urls: exactly three redis:// URLs, comma-separated; else a one-line InvalidArgument
// ("--redlock-urls: bad URL 'x' ..."). URLs in the message are redacted.
Status ValidateRedlockUrls(const std::string& text);
int ListMain(bool verbose, const adapters::TargetOptions& options, const CliContext& context);
// action: up | status | down.
// A throwaway redis-cluster is started with `cluster_masters` masters and `cluster_replicas`
// replicas each.
int ServersMain(const std::string& action, const std::vector<std::string>& targets,
                const CliContext& context, int cluster_masters = 3, int cluster_replicas = 0);

}  // namespace racetrack::bench
