// racetrack: the command line. Flags are parsed here and nowhere else; the work is in cli.cc.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "adapters/throwaway.h"
#include "bench/cli.h"
#include "bench/compare_run.h"
#include "bench/harness.h"
#include "bench/merge.h"
#include "bench/signals.h"
#include "bench/suite.h"
#include "reports/cli.h"
#include "scenarios/knobs.h"
#include "scenarios/registry.h"

namespace {

namespace rb = racetrack::bench;

constexpr char kExitCodes[] =
    "Exit codes: 0 ok; 1 a correctness check failed where it was expected to pass; 2 usage "
    "error; 3 a requested target was unavailable or a server failed during the run; 130 "
    "interrupted.";

std::string OptionList(const CLI::App* app) {
  std::string out;
  for (const CLI::Option* o : app->get_options()) {
    const std::string name = o->get_name(false, true);
    if (name.empty() || name[0] != '-') continue;
    out += (out.empty() ? "" : ", ") + o->get_name(false, false);
  }
  return out;
}

// `racetrack run`'s flags, bound to where they land.
struct RunFlags {
  rb::RunCommand command;
  // --clients, --rate and --durability take one value or a comma list (a sweep axis); --slo
  // goes with a --rate sweep. As typed; parsed in FinishRunCommand.
  std::string clients_text, rate_text, durability_text, slo_text;
  uint64_t ops = 0;
  std::string suite;
  // Scenario knobs (--sizes, --rtt-ms, ...) as typed; parsed per lesson after CLI11 is done.
  std::map<std::string, std::string> knob_text;
  // --param NAME VALUE pairs: another spelling of --NAME VALUE, folded into knob_text.
  std::vector<std::pair<std::string, std::string>> param_pairs;
  // The key workload (--keys, --distribution, --value-size), as typed.
  std::string keys_text, distribution_text, value_size_text;
  // --redlock-urls as typed (the locks lesson's redlock servers); checked after parsing.
  std::string redlock_urls;
};

CLI::App* AddListCommand(CLI::App& app, bool* verbose, racetrack::adapters::TargetOptions* opts) {
  CLI::App* list = app.add_subcommand("list", "Scenarios, approaches, and which targets can run");
  list->add_flag("--verbose,-v", *verbose, "Questions, expected outcomes and lesson texts");
  list->add_option("--redis-url", opts->redis_url, "Check this Redis instead of a throwaway one");
  list->add_option("--postgres-url", opts->postgres_url, "Check this PostgreSQL");
  list->add_option("--redis-cluster-url", opts->redis_cluster_url, "Check this Redis Cluster");
  return list;
}

// The harness's own flags. Their names are rb::RunFlagNames(), checked here so the list (which
// knob names must avoid) cannot drift from what is registered.
void AddHarnessFlags(CLI::App* run, RunFlags* f) {
  rb::RunCommand& c = f->command;
  run->add_option("scenario", c.scenarios, "Scenario ids (see `racetrack list`)");
  run->add_option("--suite", f->suite, rb::SuiteHelp())->check(CLI::IsMember(rb::SuiteNames()));
  run->add_option("--target,-t", c.targets,
                  "Target (repeatable): builtin, builtin-tcp, redis, postgres, redis-cluster. "
                  "Default: all that can be had but redis-cluster (named only)");
  run->add_option("--approach,-a", c.approaches, "Only these approaches (repeatable)");
  run->add_option("--clients,-c", f->clients_text,
                  "Client threads (default 8, or the lesson's own); a comma list such as "
                  "1,2,4,8,16,32 is a sweep: one record per value, throughput and retries charted "
                  "against clients");
  run->add_option("--duration,-d", c.options.duration_s, "Seconds per repetition (default 2)");
  run->add_option("--ops", f->ops, "Operations per repetition instead of a duration");
  run->add_option("--rate", f->rate_text,
                  "Open loop: total ops/s, latency from the scheduled start; a comma list such as "
                  "1000,5000,20000 is a sweep (one record per rate)");
  run->add_option("--slo", f->slo_text,
                  "With a --rate sweep: latency objective PERCENTILE:BOUND, e.g. p99:1ms "
                  "(p50|p90|p99|p999; us|ms|s). Reports the knee per approach x target: the "
                  "highest rate meeting it with >= 95% of the rate achieved");
  run->add_option("--durability", f->durability_text,
                  "off | relaxed | strict (default off), or a comma list such as off,strict run "
                  "one after the other. off: nothing synced (PostgreSQL fsync/synchronous_commit/"
                  "full_page_writes off; Redis-likes no append-only log); relaxed: PostgreSQL "
                  "fsync on, synchronous_commit off; Redis-likes appendfsync everysec; strict: "
                  "synchronous_commit on; appendfsync always. Set on the servers racetrack "
                  "starts (and the in-process engine); a server given by URL is only read back");
  run->add_option("--warmup", c.options.warmup_s, "Warm-up seconds, not timed (0.2)");
  run->add_option("--repetitions,-r", c.options.repetitions, "Repetitions (default 1)");
  run->add_option("--seed", c.options.seed, "Random seed, recorded (default 42)");
  run->add_option("--interval", c.options.interval_ms, "Time-series interval, ms (100)");
  run->add_option("--param", f->param_pairs,
                  "Scenario knob NAME VALUE (repeatable): the same as --NAME VALUE");
  run->add_option("--redis-url", c.redis_url,
                  "redis://[user:password@]host:port[/db]; default: a throwaway redis-server");
  run->add_option("--postgres-url", c.postgres_url,
                  "postgresql://user:password@host:port/db; default: a throwaway cluster");
  run->add_option("--redis-cluster-url", c.redis_cluster_url,
                  "redis://[user:password@]host:port of any node of a Redis Cluster (the rest are "
                  "discovered); default: a throwaway cluster (-t redis-cluster)");
  run->add_option("--cluster-masters", c.cluster_masters,
                  "Masters of a throwaway redis-cluster (default 3, at least 3)");
  run->add_option("--cluster-replicas", c.cluster_replicas,
                  "Replicas per master of a throwaway redis-cluster: 0 (default), 1 or 2");
  run->add_option("--fault", c.fault,
                  "redis-cluster only: kill-master@SECONDS (SIGKILL the busiest master of a "
                  "throwaway cluster; with --cluster-replicas 1 its replica takes over) or "
                  "failover@SECONDS (CLUSTER FAILOVER on its replica), that far into the first "
                  "repetition. Records errors by kind, fault_recovery_s and lost writes");
  run->add_option("--shard", c.shard,
                  "I/N: run shard I of N of one lesson x approach x target: its share of "
                  "--clients and --ops, starting at --start-at; combine with `racetrack merge`");
  run->add_option("--start-at", c.start_at,
                  "With --shard: when every shard starts (Unix seconds or 2026-12-02T09:00:00Z)");
  run->add_option("--redlock-urls", f->redlock_urls,
                  "[locks] redlock's three lock servers: URL,URL,URL (redis://host:port); "
                  "default: throwaway servers of the target's kind");
  run->add_option("--json", c.json_path, "Write results (racetrack.result/2, docs/results-schema.md) to FILE");
  run->add_flag("--quiet,-q", c.quiet, "No table, no progress");
  // The key workload, for every lesson that reads keys (scenarios/key_distribution.h).
  run->add_option("--keys", f->keys_text,
                  "Key-space size for lessons that read keys (default: the lesson's own)");
  run->add_option("--distribution", f->distribution_text,
                  "Which keys are read: uniform | zipf:S (0 < S <= 5; zipf = zipf:0.99) | "
                  "hotspot:F/P (F of the traffic on P of the keys). Default: the lesson's own");
  run->add_option("--value-size", f->value_size_text,
                  "Value bytes: N or MIN-MAX, 1..1048576 (default: the lesson's own)");
  const std::vector<std::string>& reserved = rb::RunFlagNames();
  for (const CLI::Option* o : run->get_options()) {
    std::vector<std::string> names = o->get_lnames();
    for (const std::string& sname : o->get_snames()) names.push_back(sname);
    for (const std::string& n : names) {
      if (std::find(reserved.begin(), reserved.end(), n) == reserved.end()) {
        std::fprintf(stderr, "racetrack: bug: run flag --%s is missing from RunFlagNames()\n",
                     n.c_str());
        std::abort();
      }
    }
  }
}

// One flag per knob name. Lessons may share a name: the flag is registered once, its help names
// every lesson, and each selected lesson parses the value with its own range (knobs.h).
void AddKnobFlags(CLI::App* run, RunFlags* f) {
  std::map<std::string, std::string> help;
  for (const auto* sc : racetrack::scenarios::Registry::Default().all()) {
    for (const auto& k : sc->info().knobs) {
      std::string& h = help[k.name];
      h += (h.empty() ? "" : "; ") + ("[" + sc->info().id + "] " + k.help);
    }
  }
  for (const auto& [name, text] : help) run->add_option("--" + name, f->knob_text[name], text);
}

CLI::App* AddRunCommand(CLI::App& app, RunFlags* f) {
  CLI::App* run = app.add_subcommand(
      "run", "Run scenarios on targets and print a table\n" + std::string(kExitCodes));
  AddHarnessFlags(run, f);
  AddKnobFlags(run, f);
  return run;
}

struct ServersFlags {
  std::string action;
  std::vector<std::string> targets;
  int cluster_masters = 3;
  int cluster_replicas = 0;
};

CLI::App* AddMergeCommand(CLI::App& app, rb::MergeCommand* m) {
  CLI::App* merge = app.add_subcommand(
      "merge", "Combine the parts of a sharded run (--shard I/N) into one results file: "
               "operations summed, histograms merged exactly");
  merge->add_option("parts", m->parts, "The part files (racetrack.result/2 with a shard field)")
      ->required();
  merge->add_option("-o,--output", m->out, "The merged results file")->required();
  merge->add_flag("--verify", m->verify,
                  "Check correctness once, on the end state read from the target the shards ran "
                  "against (give its URL or keep it with `racetrack servers up`)");
  merge->add_option("--redis-url", m->redis_url, "With --verify: the redis target's URL");
  merge->add_option("--redis-cluster-url", m->redis_cluster_url,
                    "With --verify: any node of the redis-cluster target");
  return merge;
}

CLI::App* AddServersCommand(CLI::App& app, ServersFlags* f) {
  std::string* action = &f->action;
  std::vector<std::string>* targets = &f->targets;
  CLI::App* servers = app.add_subcommand(
      "servers", "Keep throwaway servers running across runs: up | status | down");
  servers->add_option("action", *action, "up, status or down")
      ->required()
      ->check(CLI::IsMember({"up", "status", "down"}));
  servers->add_option("targets", *targets,
                       "builtin-tcp, redis, postgres, redis-cluster (default: the first three)");
  servers->add_option("--cluster-masters", f->cluster_masters,
                      "Masters of a redis-cluster (default 3, at least 3)");
  servers->add_option("--cluster-replicas", f->cluster_replicas,
                      "Replicas per master of a redis-cluster: 0 (default), 1 or 2");
  return servers;
}

// One line on stderr for a CLI11 parse error, naming the subcommand and the valid flags.
int ReportParseError(const CLI::App& app, const std::vector<CLI::App*>& subs,
                     const CLI::ParseError& e) {
  const CLI::App* where = &app;
  for (CLI::App* sub : subs) {
    if (sub->parsed()) where = sub;
  }
  std::string msg = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    msg += " (valid: " + OptionList(where) + ")";
  } else if (where == &app && dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    msg = "a subcommand is required (valid: list, run, servers, merge, report, compare, figures)";
  }
  std::fprintf(stderr, "racetrack%s: %s\n", where == &app ? "" : (" " + where->get_name()).c_str(),
               msg.c_str());
  return rb::kExitUsage;
}

// The key workload flags, each checked against its range (one-line errors).
racetrack::Status ParseWorkload(const RunFlags& f, racetrack::scenarios::KeyWorkload* w) {
  namespace rs = racetrack::scenarios;
  if (!f.keys_text.empty()) {
    auto k = rs::ParseKeyCount(f.keys_text);
    if (!k.ok()) return k.status();
    w->keys = *k;
  }
  if (!f.distribution_text.empty()) {
    auto d = rs::ParseKeyDistribution(f.distribution_text);
    if (!d.ok()) return d.status();
    w->distribution = *d;
  }
  if (!f.value_size_text.empty()) {
    auto v = rs::ParseValueSize(f.value_size_text);
    if (!v.ok()) return v.status();
    w->value_size = *v;
  }
  return racetrack::Status::Ok();
}

racetrack::Status FinishAxes(RunFlags* f);

// After parsing `racetrack run`: the suite, the knobs (each selected lesson checks its own), the
// harness options the flags imply. Non-OK = a usage error, already worded for the user.
racetrack::Status FinishRunCommand(const CLI::App* run, RunFlags* f) {
  rb::RunCommand& c = f->command;
  if (c.scenarios.empty() && f->suite.empty()) {
    return racetrack::Status::InvalidArgument(
        "name at least one scenario or --suite ci (see `racetrack list`)");
  }
  for (const auto& [name, value] : f->param_pairs) {
    auto knob = f->knob_text.find(name);  // every lesson knob has an entry (AddKnobFlags)
    if (knob == f->knob_text.end()) {
      return racetrack::Status::InvalidArgument("--param " + name +
                                                ": no lesson has that knob (see racetrack run --help)");
    }
    if (!knob->second.empty()) {
      return racetrack::Status::InvalidArgument("--param " + name + ": the knob is already given");
    }
    knob->second = value;
  }
  const auto& registry = racetrack::scenarios::Registry::Default();
  if (!f->suite.empty()) {
    std::set<std::string> given;
    for (const char* flag : {"repetitions", "duration", "warmup"}) {
      if (run->count(std::string("--") + flag) > 0) given.insert(flag);
    }
    racetrack::Status s = rb::ApplySuite(f->suite, given, f->knob_text, registry, &c);
    if (!s.ok()) return s;
  }
  std::vector<const racetrack::scenarios::Scenario*> selected;
  for (const std::string& id : c.scenarios) {
    auto sc = registry.Get(id);
    if (!sc.ok()) return sc.status();
    selected.push_back(*sc);
  }
  auto knobs = racetrack::scenarios::ParseScenarioKnobs(selected, registry.all(), f->knob_text);
  if (!knobs.ok()) return knobs.status();
  for (auto& [id, values] : *knobs) {
    for (auto& [name, v] : values) c.options.scenario_knobs[id][name] = std::move(v);
  }
  if (f->ops > 0) c.options.ops = f->ops;
  c.options.duration_given = c.options.duration_given || run->count("--duration") > 0;
  c.options.clients_given = run->count("--clients") > 0;
  return FinishAxes(f);
}

// --clients, --rate, --slo, --durability: one value or a sweep list each (one-line errors).
racetrack::Status FinishAxes(RunFlags* f) {
  rb::RunCommand& c = f->command;
  if (!f->clients_text.empty()) {
    auto clients = rb::ParseClientsList(f->clients_text);
    if (!clients.ok()) return clients.status();
    c.options.clients = clients->front();
    if (clients->size() > 1) c.options.clients_sweep = *clients;
  }
  if (!f->rate_text.empty()) {
    auto rates = rb::ParseRateList(f->rate_text);
    if (!rates.ok()) return rates.status();
    c.options.rate = rates->front();
    if (rates->size() > 1) c.options.rate_sweep = *rates;
  }
  if (!f->slo_text.empty()) {
    auto slo = racetrack::results::ParseSlo(f->slo_text);
    if (!slo.ok()) return racetrack::Status::InvalidArgument(slo.error().message());
    if (f->rate_text.empty()) {
      return racetrack::Status::InvalidArgument(
          "--slo needs --rate (an open loop, e.g. --rate 1000,5000,20000 --slo p99:1ms)");
    }
    c.slo = *slo;
  }
  if (!f->durability_text.empty()) {
    auto modes = racetrack::adapters::ParseDurabilityList(f->durability_text);
    if (!modes.ok()) return modes.status();
    c.durability = *modes;
  }
  if (!f->redlock_urls.empty()) {
    racetrack::Status valid = rb::ValidateRedlockUrls(f->redlock_urls);
    if (!valid.ok()) return valid;
    c.options.text["redlock-urls"] = f->redlock_urls;
  }
  return ParseWorkload(*f, &c.options.workload);
}

std::string StateFile() {
  const char* env = std::getenv("RACETRACK_STATE_FILE");
  return env != nullptr ? env : racetrack::adapters::ThrowawayServers::DefaultStateFile();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "compare-run") {
    return racetrack::bench::CompareRunMain(argc - 1, argv + 1);
  }
  CLI::App app{"racetrack: measure and teach Redis-style data structures vs PostgreSQL.\n" +
               std::string(kExitCodes)};
  app.set_version_flag("--version", std::string("racetrack ") + RACETRACK_VERSION);
  app.require_subcommand(1);
  {
    racetrack::Status names = rb::CheckKnobNames(racetrack::scenarios::Registry::Default());
    if (!names.ok()) {
      std::fprintf(stderr, "racetrack: bug: %s\n", names.message().c_str());
      return 70;
    }
  }

  bool verbose = false;
  racetrack::adapters::TargetOptions list_opts;
  CLI::App* list = AddListCommand(app, &verbose, &list_opts);
  RunFlags run_flags;
  CLI::App* run = AddRunCommand(app, &run_flags);
  ServersFlags servers_flags;
  CLI::App* servers = AddServersCommand(app, &servers_flags);
  rb::MergeCommand merge_command;
  CLI::App* merge = AddMergeCommand(app, &merge_command);
  // `report`, `compare` and `figures` (reports/): results JSON in, reports, regression verdicts
  // and the README's measured tables out.
  auto reports = racetrack::reports::AddReportCommands(app, racetrack::bench::FillScenarioInfo);
  app.add_subcommand("compare-run", rb::kCompareRunSummary);  // dispatched above, listed in --help

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help or --version: printed, exit 0
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return ReportParseError(
        app, {list, run, servers, merge, reports.report, reports.compare, reports.figures}, e);
  }
  if (reports.Parsed()) return reports.Run();
  if (run->parsed()) {
    racetrack::Status s = FinishRunCommand(run, &run_flags);
    if (!s.ok()) {
      std::fprintf(stderr, "racetrack run: %s\n", s.message().c_str());
      return rb::kExitUsage;
    }
  }

  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  racetrack::adapters::ThrowawayServers throwaway(racetrack::adapters::ExecutableDir(),
                                                  StateFile());
  rb::StopFlag stop;
  rb::CliContext ctx{racetrack::adapters::ExecutableDir(), command_line, &stop, &throwaway};
  run_flags.command.options.servers = &throwaway;  // redlock's extra lock servers

  if (merge->parsed()) return rb::MergeMain(merge_command, ctx);
  if (servers->parsed()) {
    return rb::ServersMain(servers_flags.action, servers_flags.targets, ctx,
                           servers_flags.cluster_masters, servers_flags.cluster_replicas);
  }
  // Ctrl-C: stop the run, then the throwaway servers stop on the way out.
  rb::SignalWatcher watcher([&stop] { stop.Stop(); }, [&throwaway] { throwaway.StopAll(); });
  if (list->parsed()) {
    list_opts.bin_dir = ctx.bin_dir;
    return rb::ListMain(verbose, list_opts, ctx);
  }
  return rb::RunMain(run_flags.command, ctx);
}
