// racetrack: the command line. Flags are parsed here and nowhere else; the work is in cli.cc.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "adapters/throwaway.h"
#include "bench/cli.h"
#include "bench/signals.h"
#include "reports/cli.h"
#include "scenarios/knobs.h"
#include "scenarios/registry.h"

namespace {

constexpr char kExitCodes[] =
    "Exit codes: 0 ok; 1 a correctness check failed where it was expected to pass; 2 usage "
    "error; 3 a requested target was unavailable or a server failed during the run; 130 "
    "interrupted.";

std::string BinDir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = '\0';
  return std::filesystem::path(buf).parent_path().string();
}

std::string OptionList(const CLI::App* app) {
  std::string out;
  for (const CLI::Option* o : app->get_options()) {
    const std::string name = o->get_name(false, true);
    if (name.empty() || name[0] != '-') continue;
    out += (out.empty() ? "" : ", ") + o->get_name(false, false);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using racetrack::bench::kExitUsage;
  namespace rb = racetrack::bench;

  CLI::App app{"racetrack: measure and teach Redis-style data structures vs PostgreSQL.\n" +
               std::string(kExitCodes)};
  app.set_version_flag("--version", std::string("racetrack ") + RACETRACK_VERSION);
  app.require_subcommand(1);

  bool verbose = false;
  std::string list_redis_url, list_postgres_url;
  CLI::App* list = app.add_subcommand("list", "Scenarios, approaches, and which targets can run");
  list->add_flag("--verbose,-v", verbose, "Questions, expected outcomes and lesson texts");
  list->add_option("--redis-url", list_redis_url, "Check this Redis instead of a throwaway one");
  list->add_option("--postgres-url", list_postgres_url, "Check this PostgreSQL");

  rb::RunCommand run_cmd;
  double rate = 0;
  uint64_t ops = 0;
  CLI::App* run = app.add_subcommand("run", "Run scenarios on targets and print a table\n" +
                                                std::string(kExitCodes));
  std::string suite;
  run->add_option("scenario", run_cmd.scenarios, "Scenario ids (see `racetrack list`)");
  run->add_option("--suite", suite,
                  "A fixed, documented suite instead of scenario ids. ci: every scenario, small "
                  "sizes, 9 repetitions of 0.2 s (enough for `racetrack compare`'s test), "
                  "a few minutes")
      ->check(CLI::IsMember({"ci"}));
  run->add_option("--target,-t", run_cmd.targets,
                  "Target (repeatable): builtin, builtin-tcp, redis, postgres. Default: all "
                  "that can be had");
  run->add_option("--approach,-a", run_cmd.approaches, "Only these approaches (repeatable)");
  run->add_option("--clients,-c", run_cmd.options.clients, "Client threads (default 8)");
  run->add_option("--duration,-d", run_cmd.options.duration_s,
                  "Seconds per repetition (default 2)");
  run->add_option("--ops", ops, "Operations per repetition instead of a duration");
  run->add_option("--rate", rate, "Open loop: total ops/s, latency from the scheduled start");
  run->add_option("--warmup", run_cmd.options.warmup_s, "Warm-up seconds, not timed (0.2)");
  run->add_option("--repetitions,-r", run_cmd.options.repetitions, "Repetitions (default 1)");
  run->add_option("--seed", run_cmd.options.seed, "Random seed, recorded (default 42)");
  run->add_option("--interval", run_cmd.options.interval_ms, "Time-series interval, ms (100)");
  run->add_option("--param", run_cmd.options.extra, "Scenario knob NAME VALUE (repeatable)")
      ->expected(0, CLI::detail::expected_max_vector_size);
  run->add_option("--redis-url", run_cmd.redis_url,
                  "redis://[user:password@]host:port[/db]; default: a throwaway redis-server");
  run->add_option("--postgres-url", run_cmd.postgres_url,
                  "postgresql://user:password@host:port/db; default: a throwaway cluster");
  std::string redlock_urls;
  run->add_option("--redlock-urls", redlock_urls,
                  "[locks] redlock's three lock servers: URL,URL,URL (redis://host:port); "
                  "default: throwaway servers of the target's kind");
  run->add_option("--json", run_cmd.json_path, "Write results (racetrack.result/1) to FILE");
  run->add_flag("--quiet,-q", run_cmd.quiet, "No table, no progress");
  // Scenario knobs (--sizes, --rtt-ms, --batch, --pattern, ...), declared by the scenarios
  // (scenarios::KnobInfo) and validated by scenarios::ParseKnobValues after parsing.
  std::map<std::string, std::string> knob_text;
  std::vector<const racetrack::scenarios::KnobInfo*> knob_infos;
  for (const auto* sc : racetrack::scenarios::Registry::Default().all()) {
    for (const auto& k : sc->info().knobs) {
      if (knob_text.count(k.name) != 0) continue;
      knob_infos.push_back(&k);
      run->add_option("--" + k.name, knob_text[k.name], "[" + sc->info().id + "] " + k.help);
    }
  }

  std::string action;
  std::vector<std::string> server_targets;
  CLI::App* servers = app.add_subcommand(
      "servers", "Keep throwaway servers running across runs: up | status | down");
  servers->add_option("action", action, "up, status or down")
      ->required()
      ->check(CLI::IsMember({"up", "status", "down"}));
  servers->add_option("targets", server_targets,
                      "builtin-tcp, redis, postgres (default: all three)");

  // `report` and `compare` (reports/): results JSON in, reports and regression verdicts out.
  auto reports = racetrack::reports::AddReportCommands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const CLI::App* where = &app;
    for (CLI::App* sub : {list, run, servers, reports.report, reports.compare}) {
      if (sub->parsed()) where = sub;
    }
    std::string msg = e.what();
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      msg += " (valid: " + OptionList(where) + ")";
    } else if (where == &app && dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
      msg = "a subcommand is required (valid: list, run, servers, report, compare)";
    }
    std::fprintf(stderr, "racetrack%s: %s\n",
                 where == &app ? "" : (" " + where->get_name()).c_str(), msg.c_str());
    return kExitUsage;
  }
  if (reports.Parsed()) return reports.Run();
  if (run->parsed()) {
    if (run_cmd.scenarios.empty() && suite.empty()) {
      std::fprintf(stderr, "racetrack run: name at least one scenario or --suite ci (see "
                           "`racetrack list`)\n");
      return kExitUsage;
    }
    if (suite == "ci") {
      // The CI suite: fixed, so two runs of it are comparable; flags the user gave still win.
      if (run_cmd.scenarios.empty()) {
        for (const auto* sc : racetrack::scenarios::Registry::Default().all()) {
          run_cmd.scenarios.push_back(sc->info().id);
        }
      }
      if (run->count("--repetitions") == 0) run_cmd.options.repetitions = 9;
      if (run->count("--duration") == 0) run_cmd.options.duration_s = 0.2;
      if (run->count("--warmup") == 0) run_cmd.options.warmup_s = 0.05;
      const std::map<std::string, std::string> kCiKnobs = {
          {"sizes", "1000,10000"}, {"rtt-ms", "0,1"}, {"batch", "1,100"},
          {"commands", "200"},     {"pattern", "boundary"}};
      for (const auto& [name, value] : kCiKnobs) {
        if (knob_text.count(name) != 0 && knob_text[name].empty()) knob_text[name] = value;
      }
    }
  }
  if (ops > 0) run_cmd.options.ops = ops;
  run_cmd.options.duration_given = run->count("--duration") > 0 || suite == "ci";
  run_cmd.options.clients_given = run->count("--clients") > 0;
  for (const auto* k : knob_infos) {
    const std::string& text = knob_text[k->name];
    if (text.empty()) continue;
    auto values = racetrack::scenarios::ParseKnobValues(*k, text);
    if (!values.ok()) {
      std::fprintf(stderr, "racetrack run: %s\n", values.status().message().c_str());
      return kExitUsage;
    }
    run_cmd.options.knobs[k->name] = *values;
  }
  run_cmd.options.rate = rate;
  if (!redlock_urls.empty()) {
    racetrack::Status valid = rb::ValidateRedlockUrls(redlock_urls);
    if (!valid.ok()) {
      std::fprintf(stderr, "racetrack run: %s\n", valid.message().c_str());
      return kExitUsage;
    }
    run_cmd.options.text["redlock-urls"] = redlock_urls;
  }

  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);

  racetrack::adapters::ThrowawayServers throwaway(
      BinDir(), std::getenv("RACETRACK_STATE_FILE") != nullptr
                    ? std::getenv("RACETRACK_STATE_FILE")
                    : racetrack::adapters::ThrowawayServers::DefaultStateFile());
  rb::StopFlag stop;
  rb::CliContext ctx{BinDir(), command_line, &stop, &throwaway};
  run_cmd.options.servers = &throwaway;  // redlock's extra lock servers

  if (servers->parsed()) return rb::ServersMain(action, server_targets, ctx);
  // Ctrl-C: stop the run, then the throwaway servers stop on the way out.
  rb::SignalWatcher watcher([&stop] { stop.Stop(); }, [&throwaway] { throwaway.StopAll(); });
  if (list->parsed()) {
    racetrack::adapters::TargetOptions opts;
    opts.redis_url = list_redis_url;
    opts.postgres_url = list_postgres_url;
    opts.bin_dir = ctx.bin_dir;
    return rb::ListMain(verbose, opts, ctx);
  }
  return rb::RunMain(run_cmd, ctx);
}
