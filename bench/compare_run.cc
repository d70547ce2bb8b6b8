// Why separate processes and not one harness with two engines: the point is to compare two
// BUILDS — their harness, adapters and racetrack-server all may differ — so each side must run its
// own binary. Alternating one-repetition runs is the smallest change that gets the interleaving
// without teaching either build's harness anything new (a BASE from before this file existed can
// take part: it only needs `run --repetitions 1 --json` and `servers up|down`).

#include "bench/compare_run.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "adapters/server_process.h"
#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "adapters/url.h"
#include "bench/cli.h"
#include "bench/harness.h"
#include "bench/signals.h"
#include "bench/suite.h"
#include "reports/cli.h"
#include "reports/compare.h"
#include "scenarios/registry.h"

namespace racetrack::bench {

namespace {

namespace fs = std::filesystem;
using adapters::TargetKind;
using results::Record;
using results::Results;

constexpr char kPrefix[] = "racetrack compare-run: ";

void Error(const std::string& msg) { std::fprintf(stderr, "%s%s\n", kPrefix, msg.c_str()); }

double MedianOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Runs `argv` with `extra_env` added, stdout and stderr appended to `log`, through the project's
// one process spawner (adapters/server_process.h: own process group, PDEATHSIG, signal mask
// cleared); returns the exit code (128 + signal when killed, -1 when it could not start). The
// child is in its own process group, so a Ctrl-C on the terminal reaches only compare-run: when
// `stop` is set meanwhile, the child gets SIGINT too (its own handler ends the run).
int Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
          const std::string& log, const StopFlag* stop = nullptr) {
  adapters::ProcessOptions po;
  po.program = argv.front();
  po.args.assign(argv.begin() + 1, argv.end());
  po.env = extra_env;
  po.log_path = log;
  po.stop_signal = SIGINT;
  auto child = adapters::ServerProcess::Start(po);
  if (!child.ok()) return -1;
  adapters::ServerProcess& p = **child;
  bool signalled = false;
  while (p.Running()) {
    if (stop != nullptr && stop->stopped() && !signalled) {
      p.Signal(SIGINT);
      signalled = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const int status = p.exit_status();
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The last non-empty line of a log, for one-line error messages.
std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

struct Side {
  std::string name;  // "base" / "new"
  std::string bin;
  std::string state_file;  // its own racetrack-server (builtin-tcp)
  std::string log;
  bool server_up = false;
  std::vector<Results> docs;
  int failed_runs = 0;
};

// Stops each side's racetrack-server on every way out.
class SideServers {
 public:
  explicit SideServers(std::vector<Side>* sides) : sides_(sides) {}
  ~SideServers() {
    for (Side& s : *sides_) {
      if (!s.server_up) continue;
      Spawn({s.bin, "servers", "down"}, {"RACETRACK_STATE_FILE=" + s.state_file}, s.log);
    }
  }

 private:
  std::vector<Side>* sides_;
};

// Adds round `r`'s correctness checks (one, or the counts of an already merged record) to the
// counts of merged record `m` (reports/compare.h kChecksFigure, kFailedChecksFigure).
void CountChecks(const Record& r, Record* m, bool first) {
  if (!r.correctness.checked) return;
  const std::string runs_key = reports::kChecksFigure, failed_key = reports::kFailedChecksFigure;
  const auto& f = r.correctness.figures;
  const double runs = f.count(runs_key) ? f.at(runs_key) : 1;
  const double failed = f.count(failed_key) ? f.at(failed_key) : (r.correctness.ok ? 0 : 1);
  auto& into = m->correctness.figures;
  into[runs_key] = (first ? 0 : into[runs_key]) + runs;
  into[failed_key] = (first ? 0 : into[failed_key]) + failed;
}

}  // namespace

std::vector<InterleaveStep> InterleaveSchedule(size_t selections, int rounds, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<InterleaveStep> out;
  for (size_t s = 0; s < selections; ++s) {
    for (int r = 0; r < rounds; ++r) {
      const bool new_first = (rng() & 1) != 0;
      out.push_back({s, r, new_first});
      out.push_back({s, r, !new_first});
    }
  }
  return out;
}

Results MergeRounds(const std::vector<Results>& rounds) {
  Results out;
  if (rounds.empty()) return out;
  out = rounds.front();
  out.records.clear();
  out.skipped.clear();
  out.targets.clear();
  std::map<std::string, size_t> index;
  std::vector<results::Histogram> merged;  // per out.records entry: every round's histogram
  std::vector<int> runs;                   // per out.records entry: the rounds it came from
  std::set<std::string> skips, targets;
  for (const Results& doc : rounds) {
    for (const auto& [id, text] : doc.scenario_info) out.scenario_info.emplace(id, text);
    for (const auto& [id, figs] : doc.scenario_figures) out.scenario_figures.emplace(id, figs);
    for (const auto& [t, v] : doc.environment.servers) out.environment.servers.emplace(t, v);
    for (const results::TargetStatus& t : doc.targets) {
      if (targets.insert(t.name).second) out.targets.push_back(t);
    }
    for (const results::Skip& s : doc.skipped) {
      if (skips.insert(s.scenario + "/" + s.approach + "/" + s.target + ": " + s.reason).second) {
        out.skipped.push_back(s);
      }
    }
    for (const std::string& sc : doc.parameters.scenarios) {
      auto& list = out.parameters.scenarios;
      if (std::find(list.begin(), list.end(), sc) == list.end()) list.push_back(sc);
    }
    for (const Record& r : doc.records) {
      results::Histogram h;
      h.FromSparse(r.histogram);
      const std::string key = r.Key();
      auto it = index.find(key);
      if (it == index.end()) {
        index[key] = out.records.size();
        out.records.push_back(r);
        merged.push_back(h);
        runs.push_back(1);
        CountChecks(r, &out.records.back(), /*first=*/true);
        continue;
      }
      Record& m = out.records[it->second];
      merged[it->second].Merge(h);
      ++runs[it->second];
      CountChecks(r, &m, /*first=*/false);
      m.repetitions.insert(m.repetitions.end(), r.repetitions.begin(), r.repetitions.end());
      if (r.errors) m.errors = m.errors.value_or(0) + *r.errors;
      if (r.correctness.checked) {
        const bool was_ok = !m.correctness.checked || m.correctness.ok;
        if (!r.correctness.ok && was_ok) m.correctness.note = r.correctness.note;
        m.correctness.ok = was_ok && r.correctness.ok;
        m.correctness.checked = true;
      }
      if (m.error.empty()) m.error = r.error;
    }
  }
  for (size_t i = 0; i < out.records.size(); ++i) {
    Record& r = out.records[i];
    results::Summarize(&r, merged[i]);
    const std::vector<double> cpu = r.CpuSamples();
    if (!cpu.empty()) r.figures["cpu_us_per_op"] = MedianOf(cpu);
    r.figures[reports::kRoundsFigure] = runs[i];
  }
  int most = 0;
  for (const Record& r : out.records) most = std::max(most, static_cast<int>(r.repetitions.size()));
  out.parameters.repetitions = most;
  return out;
}

namespace {

// One harness run's worth of the schedule: a lesson on one target (some approaches or all).
struct Selection {
  std::string scenario;
  TargetKind target;
  std::vector<std::string> approaches;  // empty = all
};

// Parses argv into *o. nullopt to go on, else the exit code (help printed, or a usage error).
std::optional<int> ParseArgs(int argc, char** argv, CompareRunOptions* o) {
  CLI::App app{
      "racetrack compare-run: run two builds' harnesses alternately, one repetition at a time "
      "(ABAB.., order random per scenario/target and round), on the same Redis and PostgreSQL, "
      "each with its own racetrack-server; write OUT/base.json, OUT/new.json and the "
      "comparison. Exit 0 no significant regression, 1 regression or correctness flip, 2 usage "
      "or a side could not run.",
      "racetrack compare-run"};
  app.add_option("--base", o->base_bin, "racetrack executable of the baseline build")->required();
  app.add_option("--new", o->new_bin, "racetrack executable of the build under test")->required();
  app.add_option("scenario", o->scenarios, "Scenario ids (see `racetrack list`)");
  app.add_option("--suite", o->suite,
                 "ci: the CI gate's few selections, 16 rounds of 3 repetitions by default "
                 "(about 5 minutes); full: every scenario on every target")
      ->check(CLI::IsMember(SuiteNames()));
  app.add_option("--target,-t", o->targets,
                 "Target (repeatable): builtin, builtin-tcp, redis, postgres. Default: all that "
                 "can be had (with --suite: the suite's)");
  auto* rounds = app.add_option(
      "--repetitions,-r", o->repetitions,
      "Rounds (default 9; with --suite, the suite's): each side runs every selection this many "
      "times, alternating with the other. The gate pairs round r of both sides, so this is the "
      "number of pairs its test sees: at least 8 for the test to decide");
  rounds->check(CLI::Range(1, 1000));
  auto* per_round = app.add_option(
      "--per-round", o->per_round,
      "Timed repetitions per harness run (default 1; with --suite, the suite's): the gate judges "
      "each round by its best repetition, so K >= 2 makes a round's figure robust to a slow "
      "repetition; K > 1 also shares a lesson's set-up among K of them");
  per_round->check(CLI::Range(1, 100));
  app.add_option("--extra-rounds", o->extra_rounds,
                 "More rounds for the selections the first look leaves undecided (a gating "
                 "change beyond the threshold floor that the noise did not let count); default: "
                 "as many as the rounds, 0 = none")
      ->check(CLI::Range(-1, 1000));
  app.add_option("--seed", o->seed, "Seed of the random A/B order (default 1)");
  app.add_flag("--merge-only", o->merge_only,
               "Run nothing: merge the round files an interrupted compare-run with the same "
               "selection left in OUT/rounds and compare them (selections it did not reach are "
               "missing from both sides)");
  app.add_option("--leave-out", o->leave_out,
                 "SCENARIO/TARGET not to run, e.g. persistence/postgres (repeatable)");
  app.add_option("--run-arg", o->run_args,
                 "Passed to every `racetrack run` of both sides, e.g. --run-arg=--sizes=1000 "
                 "(repeatable)");
  app.add_option("--redis-url", o->redis_url, "Both sides use this Redis (default: one throwaway)");
  app.add_option("--postgres-url", o->postgres_url,
                 "Both sides use this PostgreSQL (default: one throwaway cluster)");
  app.add_option("--out,-o", o->out_dir,
                 "Directory for base.json, new.json, comparison.json/.md and logs (default "
                 "./compare-run)");
  app.add_option("--threshold", o->threshold_pct, "Smallest percent change that counts (10)");
  app.add_option("--alpha", o->alpha, "Family-wise significance level, Holm-corrected (0.05)");
  app.add_option("--metric", o->metric,
                 "wall (time per op = 1/throughput, p50, p99; default) or cpu (CPU per op)")
      ->check(CLI::IsMember({"wall", "cpu"}));
  app.add_option("--aa", o->aa_files,
                 "Comparison JSON of an A/A run: its per-record spread raises the thresholds");
  app.add_option("--markdown", o->markdown_out,
                 "Also write the comparison as Markdown here (default OUT/comparison.md)");
  app.add_flag("--quiet,-q", o->quiet, "No progress lines");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    Error(e.what());
    return kExitUsage;
  }
  if (o->scenarios.empty() && o->suite.empty()) {
    Error("name at least one scenario or --suite ci (see `racetrack list`)");
    return kExitUsage;
  }
  if (!o->suite.empty()) {
    auto defaults = SuiteForCompare(o->suite);
    if (!defaults.ok()) {
      Error(defaults.status().message());
      return kExitUsage;
    }
    if (rounds->count() == 0) o->repetitions = defaults->rounds;
    if (per_round->count() == 0) o->per_round = defaults->per_round;
    if (o->scenarios.empty() && o->targets.empty()) o->suite_selections = defaults->selections;
  }
  if (o->extra_rounds < 0) o->extra_rounds = o->repetitions;
  for (std::string* bin : {&o->base_bin, &o->new_bin}) {
    std::error_code ec;
    const fs::path p = fs::absolute(*bin, ec);
    if (ec || access(p.c_str(), X_OK) != 0 || fs::is_directory(p, ec)) {
      Error("not an executable: " + *bin);
      return kExitUsage;
    }
    *bin = p.string();
  }
  return std::nullopt;
}

// The targets asked for (or all), as kinds; a one-line error for an unknown name.
Result<std::vector<TargetKind>> TargetKinds(const CompareRunOptions& o) {
  std::vector<std::string> names = o.targets;
  for (const SuiteSelection& sel : o.suite_selections) names.push_back(sel.target);
  std::vector<TargetKind> kinds;
  for (const std::string& t : names) {
    auto k = adapters::ParseTargetName(t);
    if (!k.ok()) return k.status();
    if (std::find(kinds.begin(), kinds.end(), *k) == kinds.end()) kinds.push_back(*k);
  }
  if (kinds.empty()) kinds = adapters::AllTargetKinds();
  return kinds;
}

// Starts what the targets need — the shared Redis/PostgreSQL once (their URLs appended to
// *common_args), each side's own racetrack-server for builtin-tcp — and returns the usable
// kinds. A target that cannot be had is skipped with a message, or a usage error (exit code in
// *exit_code) when the user named it.
std::vector<TargetKind> StartTargets(const CompareRunOptions& o,
                                     const std::vector<TargetKind>& kinds,
                                     adapters::ThrowawayServers* shared, std::vector<Side>* sides,
                                     std::vector<std::string>* common_args, int* exit_code) {
  std::vector<TargetKind> usable;
  for (TargetKind kind : kinds) {
    if (o.merge_only) {  // nothing runs: the selections as the interrupted run made them
      usable.push_back(kind);
      continue;
    }
    const std::string name(adapters::TargetName(kind));
    std::string why;
    if (kind == TargetKind::kRedis || kind == TargetKind::kPostgres) {
      std::string url = kind == TargetKind::kRedis ? o.redis_url : o.postgres_url;
      if (url.empty()) {
        auto u = shared->Url(kind);
        if (u.ok()) url = *u;
        else why = u.status().message();
      }
      if (!url.empty()) {
        common_args->push_back(kind == TargetKind::kRedis ? "--redis-url" : "--postgres-url");
        common_args->push_back(url);
      }
    } else if (kind == TargetKind::kBuiltinTcp) {
      for (Side& s : *sides) {
        std::remove(s.state_file.c_str());
        const int rc = Spawn({s.bin, "servers", "up", "builtin-tcp"},
                             {"RACETRACK_STATE_FILE=" + s.state_file}, s.log);
        if (rc != 0) {
          why = s.name + " build's racetrack-server did not start: " + LastLine(s.log);
          break;
        }
        s.server_up = true;
      }
    }
    if (!why.empty()) {
      if (!o.targets.empty()) {
        Error("target " + name + " unavailable: " + why);
        *exit_code = kExitUsage;
        return {};
      }
      if (!o.quiet) Error("target " + name + " skipped: " + why);
      continue;
    }
    usable.push_back(kind);
  }
  return usable;
}

// The schedule's units: the suite's selections on usable targets, else every scenario named on
// every usable target; --leave-out removed.
std::vector<Selection> Selections(const CompareRunOptions& o, const std::vector<TargetKind>& usable) {
  auto left_out = [&](const std::string& scenario, TargetKind k) {
    const std::string id = scenario + "/" + std::string(adapters::TargetName(k));
    return std::find(o.leave_out.begin(), o.leave_out.end(), id) != o.leave_out.end();
  };
  auto is_usable = [&](TargetKind k) {
    return std::find(usable.begin(), usable.end(), k) != usable.end();
  };
  std::vector<Selection> out;
  for (const SuiteSelection& sel : o.suite_selections) {
    auto k = adapters::ParseTargetName(sel.target);
    if (k.ok() && is_usable(*k) && !left_out(sel.scenario, *k)) {
      out.push_back({sel.scenario, *k, sel.approaches});
    }
  }
  if (!o.suite_selections.empty()) return out;
  for (const std::string& sc : o.scenarios) {
    for (TargetKind k : usable) {
      if (!left_out(sc, k)) out.push_back({sc, k, {}});
    }
  }
  return out;
}

// Runs (or, with --merge-only, reads) every step of the schedule, each side's documents into
// its Side; the failures as one line each. Stops early when `stop` is set.
std::vector<std::string> RunSchedule(const CompareRunOptions& o, const std::string& out,
                                     const std::vector<Selection>& selections,
                                     const std::vector<InterleaveStep>& steps,
                                     const std::vector<std::string>& common_args,
                                     const StopFlag& stop, std::vector<Side>* sides) {
  int rounds = 0;
  for (const InterleaveStep& st : steps) rounds = std::max(rounds, st.round + 1);
  std::map<std::pair<size_t, int>, bool> dead;  // (selection, side): usage error, skip the rest
  std::vector<std::string> failures;
  const bool tty = isatty(STDERR_FILENO) != 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (stop.stopped()) break;
    const InterleaveStep& st = steps[i];
    const Selection& sel = selections[st.selection];
    Side& side = (*sides)[st.is_new ? 1 : 0];
    if (dead[{st.selection, st.is_new}]) continue;
    const std::string target(adapters::TargetName(sel.target));
    if (!o.quiet) {
      std::fprintf(stderr, "%s[%zu/%zu] %s on %s, round %d/%d: %s%s", tty ? "\r\033[K" : "", i + 1,
                   steps.size(), sel.scenario.c_str(), target.c_str(), st.round + 1,
                   rounds, side.name.c_str(), tty ? "" : "\n");
      std::fflush(stderr);
    }
    const std::string json = out + "/rounds/" + side.name + "-" + std::to_string(st.selection) +
                             "-" + std::to_string(st.round) + ".json";
    if (o.merge_only) {
      if (!fs::exists(json)) continue;
      auto doc = results::ReadResults(json);
      if (doc.ok()) side.docs.push_back(std::move(doc.value()));
      continue;
    }
    std::remove(json.c_str());
    std::vector<std::string> args = {side.bin, "run", sel.scenario, "-t", target,
                                     "--repetitions", std::to_string(o.per_round),
                                     "--quiet", "--json", json};
    if (!o.suite.empty()) args.insert(args.begin() + 3, {"--suite", o.suite});
    for (const std::string& a : sel.approaches) args.insert(args.end(), {"--approach", a});
    args.insert(args.end(), common_args.begin(), common_args.end());
    args.insert(args.end(), o.run_args.begin(), o.run_args.end());
    const int rc = Spawn(args, {"RACETRACK_STATE_FILE=" + side.state_file}, side.log, &stop);
    if (stop.stopped()) break;
    if (rc != kExitOk && rc != kExitCorrectness) {
      ++side.failed_runs;
      const std::string what = side.name + " " + sel.scenario + " on " + target + " round " +
                               std::to_string(st.round + 1) + " exited " + std::to_string(rc) +
                               ": " + LastLine(side.log);
      failures.push_back(what);
      if (tty && !o.quiet) std::fputs("\r\033[K", stderr);
      Error(what);
      if (rc == kExitUsage || rc < 0) dead[{st.selection, st.is_new}] = true;
    }
    auto doc = results::ReadResults(json);
    if (doc.ok()) {
      side.docs.push_back(std::move(doc.value()));
    } else if (rc == kExitOk || rc == kExitCorrectness) {
      ++side.failed_runs;
      failures.push_back(side.name + ": " + doc.error().message());
      Error(doc.error().message());
    }
  }
  if (tty && !o.quiet) std::fputs("\r\033[K", stderr);
  return failures;
}

// The second stage's schedule (compare_run.h, --extra-rounds): rounds R..R+E-1 of the
// selections whose records a judgement of the first R rounds left undecided (every selection
// with --merge-only, whose files decide), interleaved as the first stage, with its own order.
std::vector<InterleaveStep> ExtraSteps(const CompareRunOptions& o,
                                       const std::vector<Selection>& selections,
                                       const std::vector<Side>& sides, std::string* why) {
  if (o.extra_rounds <= 0) return {};
  std::vector<size_t> chosen;
  if (o.merge_only) {
    for (size_t i = 0; i < selections.size(); ++i) chosen.push_back(i);
  } else {
    reports::CompareSettings cs;
    cs.threshold_pct = o.threshold_pct;
    cs.alpha = o.alpha;
    cs.metric = o.metric;
    cs.interleaved = true;
    for (const std::string& f : o.aa_files) {
      if (!reports::ReadAaSpread(f, &cs.aa_spread).ok()) return {};  // reported by the compare
    }
    const Results base = MergeRounds(sides[0].docs), next = MergeRounds(sides[1].docs);
    const reports::Comparison c = reports::CompareResults(base, next, cs);
    std::set<size_t> undecided;
    for (const reports::RecordComparison& rc : c.matched) {
      for (const reports::MetricChange& m : rc.metrics) {
        if (!m.more_rounds) continue;
        for (size_t i = 0; i < selections.size(); ++i) {
          if (selections[i].scenario == rc.base->scenario &&
              adapters::TargetName(selections[i].target) == rc.base->target &&
              undecided.insert(i).second) {
            *why += (why->empty() ? "" : "; ") + rc.base->Key() + " " + m.metric;
          }
        }
      }
    }
    chosen.assign(undecided.begin(), undecided.end());
  }
  std::vector<InterleaveStep> steps =
      InterleaveSchedule(chosen.size(), o.extra_rounds, o.seed ^ 0x5eed2ULL);
  for (InterleaveStep& st : steps) {
    st.selection = chosen[st.selection];
    st.round += o.repetitions;
  }
  return steps;
}

// Merges each side's rounds into OUT/base.json and OUT/new.json and compares them; the exit
// code (2 when a harness run failed and nothing regressed: the comparison is incomplete).
int WriteAndCompare(const CompareRunOptions& o, const std::string& out, int argc, char** argv,
                    const std::vector<std::string>& failures, std::vector<Side>* sides) {
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "racetrack ") + std::string(argv[i]);
  for (Side& s : *sides) {
    Results merged = MergeRounds(s.docs);
    merged.created = results::UtcNowIso8601();
    merged.parameters.command_line = adapters::Redact(command_line) + "  [" + s.name + ": " +
                                     s.bin + "]";
    auto w = results::WriteResults(merged, out + "/" + s.name + ".json");
    if (!w.ok()) {
      Error(w.error().message());
      return kExitUsage;
    }
  }
  reports::CompareOptions co;
  co.base = out + "/base.json";
  co.next = out + "/new.json";
  co.threshold_pct = o.threshold_pct;
  co.alpha = o.alpha;
  co.metric = o.metric;
  co.aa_files = o.aa_files;
  co.interleaved = true;
  co.json_out = out + "/comparison.json";
  co.markdown_out = o.markdown_out.empty() ? out + "/comparison.md" : o.markdown_out;
  const int code = reports::RunCompareCommand(co, std::cout, std::cerr);
  std::printf("wrote %s/base.json, %s/new.json, %s, %s\n", o.out_dir.c_str(), o.out_dir.c_str(),
              co.json_out.c_str(), co.markdown_out.c_str());
  if (code == 0 && !failures.empty()) {
    Error(std::to_string(failures.size()) + " harness run(s) failed (see " + o.out_dir +
          "/base.log, new.log): the comparison is incomplete -> exit 2");
    return kExitUsage;
  }
  return code;
}

}  // namespace

int CompareRunMain(int argc, char** argv) {
  CompareRunOptions o;
  if (auto code = ParseArgs(argc, argv, &o)) return *code;
  const scenarios::Registry& registry = scenarios::Registry::Default();
  if (o.scenarios.empty() && o.suite_selections.empty()) {
    for (const auto* sc : registry.all()) o.scenarios.push_back(sc->info().id);
  }
  auto kinds = TargetKinds(o);
  if (!kinds.ok()) {
    Error(kinds.status().message());
    return kExitUsage;
  }
  std::error_code ec;
  fs::create_directories(fs::path(o.out_dir) / "rounds", ec);
  if (ec) {
    Error("cannot create " + o.out_dir + ": " + ec.message());
    return kExitUsage;
  }
  const std::string out = fs::absolute(o.out_dir).string();

  StopFlag stop;
  adapters::ThrowawayServers shared_servers(
      ".", std::getenv("RACETRACK_STATE_FILE") != nullptr
               ? std::getenv("RACETRACK_STATE_FILE")
               : adapters::ThrowawayServers::DefaultStateFile());
  SignalWatcher watcher([&stop] { stop.Stop(); }, [&shared_servers] { shared_servers.StopAll(); });

  std::vector<Side> sides = {{"base", o.base_bin, out + "/base-servers.json", out + "/base.log"},
                             {"new", o.new_bin, out + "/new-servers.json", out + "/new.log"}};
  if (!o.merge_only) {
    for (Side& s : sides) std::ofstream(s.log, std::ios::trunc);
  }
  SideServers side_servers(&sides);

  std::vector<std::string> common_args;
  int exit_code = kExitOk;
  const std::vector<TargetKind> usable =
      StartTargets(o, *kinds, &shared_servers, &sides, &common_args, &exit_code);
  if (exit_code != kExitOk) return exit_code;
  const std::vector<Selection> selections = Selections(o, usable);
  const std::vector<InterleaveStep> steps =
      InterleaveSchedule(selections.size(), o.repetitions, o.seed);
  if (!o.quiet) {
    std::fprintf(stderr,
                 "%s%zu scenario/target selections x %d rounds x 2 builds = %zu harness runs "
                 "of %d repetition(s); A/B order random per selection and round (seed %llu)\n",
                 kPrefix, selections.size(), o.repetitions, steps.size(), o.per_round,
                 static_cast<unsigned long long>(o.seed));
  }
  std::vector<std::string> failures =
      RunSchedule(o, out, selections, steps, common_args, stop, &sides);
  if (!stop.stopped()) {
    std::string why;
    const std::vector<InterleaveStep> extra = ExtraSteps(o, selections, sides, &why);
    if (!extra.empty() && !o.merge_only) {
      std::fprintf(stderr, "%sundecided after %d rounds (%s): %d more rounds of %zu selection(s)\n",
                   kPrefix, o.repetitions, why.c_str(), o.extra_rounds,
                   extra.size() / 2 / static_cast<size_t>(o.extra_rounds));
    }
    const std::vector<std::string> more =
        RunSchedule(o, out, selections, extra, common_args, stop, &sides);
    failures.insert(failures.end(), more.begin(), more.end());
  }
  if (stop.stopped()) {
    Error("interrupted; nothing compared");
    return 130;
  }
  return WriteAndCompare(o, out, argc, argv, failures, &sides);
}

}  // namespace racetrack::bench
