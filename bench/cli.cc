#include "bench/cli.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "adapters/cluster.h"
#include "adapters/url.h"
#include "bench/merge.h"
#include "engine/base/split.h"
#include "results/format.h"
#include "scenarios/registry.h"

namespace racetrack::bench {

namespace {

using adapters::TargetKind;

void Error(const std::string& msg) { std::fprintf(stderr, "racetrack: %s\n", msg.c_str()); }

std::string Pad(std::string s, size_t width) {
  // Width in display columns; count UTF-8 continuation bytes out.
  size_t cols = 0;
  for (unsigned char c : s) cols += (c & 0xC0) != 0x80;
  if (cols < width) s.append(width - cols, ' ');
  return s;
}

// One line on stderr, redrawn in place.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  void Show(const Progress& p) {
    if (!enabled_) return;
    const double frac = p.total_s > 0   ? std::min(1.0, p.elapsed_s / p.total_s)
                        : p.total_ops > 0 ? std::min(1.0, double(p.ops) / double(p.total_ops))
                                          : 0;
    const int width = 20;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    char line[256];
    std::snprintf(line, sizeof line, "\r\033[K[%d/%d] %s/%s/%s rep %d/%d [%s] %.1f/%.1f s",
                  p.combination, p.combinations, p.scenario.c_str(), p.approach.c_str(),
                  p.target.c_str(), p.repetition + 1, p.repetitions, bar.c_str(), p.elapsed_s,
                  p.total_s);
    std::fputs(line, stderr);
    std::fflush(stderr);
    shown_ = true;
  }
  void Clear() {
    if (!shown_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
};

std::string CorrectnessCell(const Record& r) {
  const auto& f = r.correctness.figures;
  std::string cell;
  auto lost = f.find("lost_updates");
  if (r.correctness.ok) {
    cell = "correct";
  } else if (lost != f.end() && lost->second > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "LOST %.0f of %.0f", lost->second,
                  f.count("expected") != 0 ? f.at("expected") : 0.0);
    cell = buf;
  } else if (f.count("duplicates") != 0 && f.at("duplicates") > 0) {
    char buf[64];  // locks
    std::snprintf(buf, sizeof buf, "DUPLICATES %.0f of %.0f", f.at("duplicates"),
                  f.count("issued") != 0 ? f.at("issued") : 0.0);
    cell = buf;
  } else {
    cell = r.ExpectedCorrect() ? "WRONG" : "wrong";
  }
  // locks' refused stale writes; sessions' requests accepted after the logout.
  for (const auto& [key, label] : {std::pair<const char*, const char*>{"stale_rejected", "stale refused"},
                                   {"accepted_after_revocation", "accepted after logout"},
                                   {"users_evicted", "users logged out by eviction"},
                                   {"logins_refused", "logins refused"},
                                   {"servers_killed", "lock server killed"}}) {
    auto it = f.find(key);
    if (it == f.end() || it->second <= 0) continue;
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.0f %s", it->second, label);
    cell += buf;
  }
  auto retries = f.find("retries");
  if (retries != f.end() && retries->second > 0) {
    char buf[48];
    std::snprintf(buf, sizeof buf, ", %.0f retries", retries->second);
    cell += buf;
  }
  if (!r.ExpectedCorrect()) cell += r.correctness.ok ? " (unsafe: no race hit)" : " (expected)";
  if (!r.error.empty()) cell += " [ended early]";
  // The mark tells the four verdicts apart, and a correct record whose timing is not trusted
  // never gets the plain ✅.
  return std::string(results::VerdictMark(r.verdict(), r.timing_trusted)) + " " + cell;
}

// A parameter's value for people: a knob with named choices (ratelimit's pattern) is recorded as
// its index, so it is shown by name; numbers as the shortest %g.
std::string FormatParam(const std::string& scenario, const std::string& key, double value) {
  auto sc = scenarios::Registry::Default().Get(scenario);
  if (sc.ok()) {
    for (const auto& knob : (*sc)->info().knobs) {
      if (knob.name != key || knob.choices.empty()) continue;
      if (value >= 0 && static_cast<size_t>(value) < knob.choices.size()) {
        return knob.choices[static_cast<size_t>(value)];
      }
    }
  }
  char num[32];
  std::snprintf(num, sizeof num, "%g", value);
  return num;
}

// Whether records of `scenario` differ in param `name` (a sweep axis: then it is shown).
bool ParamVaries(const Results& doc, const std::string& scenario, const std::string& name) {
  std::optional<double> first;
  for (const Record& r : doc.records) {
    if (r.scenario != scenario) continue;
    const std::optional<double> v = r.Param(name);
    if (!first) first = v.value_or(-1);
    if (v.value_or(-1) != *first) return true;
  }
  return false;
}

}  // namespace

namespace {

// A redis-cluster record's commands per node and the redirects it followed:
// "  per-node ops 0/31.9k/0  MOVED=12"; "" for other targets.
std::string ClusterCell(const Record& r) {
  std::string nodes;
  for (const auto& [name, v] : r.figures) {
    if (name.rfind("cluster_ops:", 0) != 0) continue;
    nodes += (nodes.empty() ? "" : "/") + results::FormatHuman(v);
  }
  if (nodes.empty()) return "";
  std::string out = "  per-node ops " + nodes;
  for (const char* kind : {"moved", "ask", "tryagain", "clusterdown", "connection_lost"}) {
    auto it = r.figures.find(std::string("cluster_") + kind);
    if (it == r.figures.end() || it->second == 0) continue;
    std::string upper = kind;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += "  " + upper + "=" + results::FormatHuman(it->second);
  }
  return out;
}

}  // namespace

std::string FormatRunTable(const Results& doc) {
  std::string out;
  auto print = [&out](const char* format, auto... args) {
    char line[1024];
    std::snprintf(line, sizeof line, format, args...);
    out += line;
  };
  // The op unit each scenario's records share, for the header; "" when they differ (leaderboard's
  // queries and updates), and then every throughput cell names its own.
  std::map<std::string, std::string> units;
  for (const Record& r : doc.records) {
    auto [it, fresh] = units.emplace(r.scenario, r.Unit());
    if (!fresh && it->second != r.Unit()) it->second.clear();
  }
  // "redis-cluster" is longer than the other targets' names: widen the column only then.
  int target_width = 13;
  for (const Record& r : doc.records) {
    target_width = std::max(target_width, static_cast<int>(r.target.size()) + 2);
  }
  std::string last_scenario;
  // A long unit ("critical sections/s", "p50/critical section") widens its scenario's columns.
  size_t rate_width = 16, latency_width = 14;
  for (const Record& r : doc.records) {
    const std::string& unit = units[r.scenario];
    if (r.scenario != last_scenario) {
      last_scenario = r.scenario;
      auto info = doc.scenario_info.find(r.scenario);
      print("\n%s — %s\n", r.scenario.c_str(),
                  info == doc.scenario_info.end() ? "" : info->second.title.c_str());
      const std::string per = unit.empty() ? "" : "/" + r.UnitSingular();
      const std::string rate_head = unit.empty() ? "throughput" : unit + "/s";
      rate_width = std::max<size_t>(16, rate_head.size() + 1);
      latency_width = std::max<size_t>(14, per.size() + 3 + 1);  // "p50" + per, a space
      print("%s%s%s%s%s%s\n", Pad("approach", 28).c_str(), Pad("target", target_width).c_str(),
                  Pad(rate_head, rate_width).c_str(), Pad("p50" + per, latency_width).c_str(),
                  Pad("p99" + per, latency_width).c_str(), "verdict");
    }
    // The parameter point (Scenario::ParameterPoints: sizes, rtt-ms, batch, ...), if any.
    std::string point;
    for (const auto& [k, v] : r.params) {
      if ((k == "clients" || k == "rate") && !ParamVaries(doc, r.scenario, k)) continue;
      point += "  " + k + "=" +
               (k == "durability" ? results::DurabilityParamName(v) : FormatParam(r.scenario, k, v));
    }
    // The lesson's own headline figures (ScenarioInfo::table_figures).
    auto sc = scenarios::Registry::Default().Get(r.scenario);
    if (sc.ok()) {
      for (const std::string& name : (*sc)->info().table_figures) {
        const double* v = nullptr;
        if (auto it = r.correctness.figures.find(name); it != r.correctness.figures.end()) {
          v = &it->second;
        } else if (auto jt = r.figures.find(name); jt != r.figures.end()) {
          v = &jt->second;
        }
        if (v == nullptr) continue;
        char num[32];
        std::snprintf(num, sizeof num, "%.3g", *v);
        point += "  " + name + "=" + num;
      }
    }
    point += ClusterCell(r);
    std::string rate = results::FormatRate(r.throughput_ops_s.value_or(0));
    if (unit.empty()) rate += " " + r.Unit() + "/s";
    if (!r.timing_trusted) rate += " " + std::string(results::kUntrustedMark);
    print("%s%s%s%s%s%s%s\n", Pad(r.approach, 28).c_str(), Pad(r.target, target_width).c_str(),
                Pad(rate, rate_width).c_str(),
                Pad(results::FormatMicros(r.latency_us.p50.value_or(0)), latency_width).c_str(),
                Pad(results::FormatMicros(r.latency_us.p99.value_or(0)), latency_width).c_str(),
                CorrectnessCell(r).c_str(),
                point.c_str());
    if (!r.timing_trusted) {
      print("    %s timing not trusted: %s\n", std::string(results::kUntrustedMark).c_str(),
                  r.timing_note.c_str());
    }
  }
  if (doc.records.empty()) print("%s", "no records\n");
  return out;
}

namespace {

void PrintTable(const Results& doc) { std::fputs(FormatRunTable(doc).c_str(), stdout); }

std::string RedactedCommandLine(const std::string& line) {
  // Every whitespace-separated word that looks like a URL is redacted.
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    const size_t end = std::min(line.find(' ', i), line.size());
    out += adapters::Redact(line.substr(i, end - i));
    if (end < line.size()) out += ' ';
    i = end + 1;
  }
  return out;
}

// A --flag's comma list: `parse` turns one item into a value or nullopt, `wanted` says what an
// item must be; each value may appear once.
template <typename T, typename Parse>
Result<std::vector<T>> ParseFlagList(const std::string& flag, const std::string& text,
                                     const std::string& wanted, Parse parse) {
  std::vector<T> out;
  for (const std::string& item : SplitCommas(text)) {
    const std::optional<T> v = parse(item);
    if (!v) return Status::InvalidArgument(flag + ": '" + item + "' is not " + wanted);
    if (std::find(out.begin(), out.end(), *v) != out.end()) {
      return Status::InvalidArgument(flag + ": " + item + " is given twice");
    }
    out.push_back(*v);
  }
  return out;
}

}  // namespace

Result<std::vector<int>> ParseClientsList(const std::string& text) {
  return ParseFlagList<int>(
      "--clients", text, "a whole number from 1 to 1024 (a list: 1,8,32)",
      [](const std::string& item) -> std::optional<int> {
        const bool digits = !item.empty() && item.size() <= 4 &&
                            item.find_first_not_of("0123456789") == std::string::npos;
        const int n = digits ? std::atoi(item.c_str()) : 0;
        if (n < 1 || n > 1024) return std::nullopt;
        return n;
      });
}

Result<std::vector<double>> ParseRateList(const std::string& text) {
  return ParseFlagList<double>(
      "--rate", text, "a positive rate in ops/s (a list: 1000,5000)",
      [](const std::string& item) -> std::optional<double> {
        const bool number = !item.empty() && item.size() <= 12 &&
                            item.find_first_not_of("0123456789.") == std::string::npos &&
                            std::count(item.begin(), item.end(), '.') <= 1 && item != ".";
        const double r = number ? std::strtod(item.c_str(), nullptr) : 0;
        if (!(r > 0)) return std::nullopt;
        return r;
      });
}

Status ValidateRedlockUrls(const std::string& text) {
  const std::vector<std::string> urls = SplitCommas(text);
  if (urls.size() != 3) {
    return Status::InvalidArgument("--redlock-urls takes three URLs, comma-separated (got " +
                                   std::to_string(urls.size()) + ")");
  }
  for (const std::string& u : urls) {
    auto parsed = adapters::ParseUrl(u);
    if (!parsed.ok()) return Status::InvalidArgument("--redlock-urls: " + parsed.status().message());
    if (parsed->scheme != "redis") {
      return Status::InvalidArgument("--redlock-urls: '" + adapters::Redact(u) +
                                     "' is not a redis:// URL");
    }
  }
  return Status::Ok();
}

namespace {

// Whether any approach of the planned scenarios runs only in the client (the `client` target).
bool NeedsClientTarget(const Plan& plan) {
  for (const auto* s : plan.scenarios) {
    for (const auto& a : s->info().approaches) {
      const bool wanted = plan.approach_filter.empty() ||
                          std::find(plan.approach_filter.begin(), plan.approach_filter.end(),
                                    a.id) != plan.approach_filter.end();
      if (wanted && (a.needs & adapters::kCapClientSide) != 0) return true;
    }
  }
  return false;
}

// The scenarios named on the command line and the approach filter, checked against them.
Status ResolvePlan(const RunCommand& cmd, Plan* plan) {
  const scenarios::Registry& registry = scenarios::Registry::Default();
  for (const std::string& id : cmd.scenarios) {
    auto s = registry.Get(id);
    if (!s.ok()) return s.status();
    plan->scenarios.push_back(*s);
  }
  for (const std::string& a : cmd.approaches) {
    bool known = false;
    std::string valid;
    for (const auto* s : plan->scenarios) {
      for (const auto& ap : s->info().approaches) {
        known = known || ap.id == a;
        valid += (valid.empty() ? "" : ", ") + ap.id;
      }
    }
    if (!known) return Status::InvalidArgument("unknown approach '" + a + "' (valid: " + valid + ")");
  }
  plan->approach_filter = cmd.approaches;
  return Status::Ok();
}

// The targets named with --target (deduplicated), or every target when none was.
Result<std::vector<TargetKind>> ResolveTargetKinds(const RunCommand& cmd) {
  std::vector<TargetKind> kinds;
  for (const std::string& t : cmd.targets) {
    auto k = adapters::ParseTargetName(t);
    if (!k.ok()) return k.status();
    if (std::find(kinds.begin(), kinds.end(), *k) == kinds.end()) kinds.push_back(*k);
  }
  if (kinds.empty()) kinds = adapters::AllTargetKinds();
  return kinds;
}

// Fail before measuring, not after: the results file must be writable.
Status ProbeWritable(const std::string& path) {
  if (path.empty()) return Status::Ok();
  FILE* probe = std::fopen((path + ".tmp").c_str(), "w");
  if (probe == nullptr) return Status::InvalidArgument("cannot write " + path);
  std::fclose(probe);
  std::remove((path + ".tmp").c_str());
  return Status::Ok();
}

// A results document with the run's parameters filled in, records to come.
Results NewDocument(const RunCommand& cmd, const CliContext& ctx) {
  Results doc;
  doc.created = results::UtcNowIso8601();
  doc.racetrack_version = RACETRACK_VERSION;
  doc.environment = CollectEnvironment();
  results::Parameters& p = doc.parameters;
  p.command_line = RedactedCommandLine(ctx.command_line);
  p.scenarios = cmd.scenarios;
  p.clients = cmd.options.clients;
  p.duration_s = cmd.options.duration_s;
  p.ops = cmd.options.ops;
  if (cmd.options.rate > 0) p.rate = cmd.options.rate;
  p.warmup_s = cmd.options.warmup_s;
  p.repetitions = cmd.options.repetitions;
  p.seed = cmd.options.seed;
  p.interval_ms = cmd.options.interval_ms;
  p.extra = cmd.options.extra;
  if (cmd.slo) p.slo = cmd.slo->text;
  for (adapters::Durability m : cmd.durability) {
    doc.environment.durability += (doc.environment.durability.empty() ? "" : ",") +
                                  std::string(adapters::DurabilityName(m));
  }
  const scenarios::KeyWorkload& workload = cmd.options.workload;
  p.keys = workload.keys;
  if (workload.distribution) p.distribution = scenarios::KeyDistributionName(*workload.distribution);
  if (workload.value_size) p.value_size = scenarios::ValueSizeName(*workload.value_size);
  return doc;
}

// Opens each target (starting throwaway servers as needed) and records which could be had.
// Returns whether a target the user named explicitly was unavailable.
bool OpenTargets(const std::vector<TargetKind>& kinds, bool explicit_targets,
                 const RunCommand& cmd, const CliContext& ctx, Results* doc,
                 std::vector<std::unique_ptr<adapters::Target>>* targets) {
  adapters::TargetOptions topts;
  topts.redis_url = cmd.redis_url;
  topts.postgres_url = cmd.postgres_url;
  topts.redis_cluster_url = cmd.redis_cluster_url;
  topts.bin_dir = ctx.bin_dir;
  bool requested_unavailable = false;
  for (TargetKind kind : kinds) {
    if (ctx.stop != nullptr && ctx.stop->stopped()) break;
    doc->parameters.targets.emplace_back(adapters::TargetName(kind));
    auto t = adapters::OpenTarget(kind, topts, ctx.servers);
    TargetStatus st;
    st.name = std::string(adapters::TargetName(kind));
    if (t.ok()) {
      st.available = true;
      st.endpoint = (*t)->endpoint();
      doc->environment.servers[st.name] = (*t)->server_version();
      targets->push_back(std::move(t).value());
    } else {
      st.reason = t.status().message();
      if (!cmd.quiet) Error("target " + st.name + " skipped: " + st.reason);
      requested_unavailable = requested_unavailable || explicit_targets;
    }
    doc->targets.push_back(st);
  }
  return requested_unavailable;
}

// A lesson whose target fronts another (the cache tier in front of PostgreSQL) gets that one as
// its backing store: the same target when it is also being run, else opened for it alone.
RunOptions WithBackingStores(const RunCommand& cmd, const CliContext& ctx, const Plan& plan,
                             Results* doc,
                             std::vector<std::unique_ptr<adapters::Target>>* targets) {
  RunOptions options = cmd.options;
  adapters::TargetOptions topts;
  topts.redis_url = cmd.redis_url;
  topts.postgres_url = cmd.postgres_url;
  topts.redis_cluster_url = cmd.redis_cluster_url;
  topts.bin_dir = ctx.bin_dir;
  for (const auto* s : plan.scenarios) {
    const auto backing = s->info().backing;
    if (!backing || options.backing != nullptr || !options.backing_unavailable.empty()) continue;
    for (auto& t : *targets) {
      if (t->kind() == *backing) options.backing = t.get();
    }
    if (options.backing == nullptr && !(ctx.stop != nullptr && ctx.stop->stopped())) {
      auto t = adapters::OpenTarget(*backing, topts, ctx.servers);
      if (t.ok()) {
        options.backing = t->get();
        doc->environment.servers[std::string(adapters::TargetName(*backing))] =
            (*t)->server_version();
        targets->push_back(std::move(t).value());
      } else {
        options.backing_unavailable = t.status().message();
      }
    }
  }
  return options;
}

// Runs the plan, with a progress line when someone watches and it lasts long enough to be
// worth drawing.
void RunWithProgress(const RunCommand& cmd, const RunOptions& options, const CliContext& ctx,
                     const Plan& plan, Results* doc) {
  double combos = 0;
  for (const auto* s : plan.scenarios) {
    combos += static_cast<double>(s->info().approaches.size() * plan.targets.size());
  }
  combos *= static_cast<double>(std::max<size_t>(1, options.clients_sweep.size()) *
                                std::max<size_t>(1, options.rate_sweep.size()));
  const double per = cmd.options.warmup_s + cmd.options.repetitions * cmd.options.duration_s;
  const bool show = !cmd.quiet && isatty(STDERR_FILENO) && (cmd.options.ops || combos * per > 2);
  ProgressLine progress(show);
  Callbacks callbacks;
  callbacks.on_progress = [&](const Progress& pr) { progress.Show(pr); };
  callbacks.on_record = [&](const Record&) { progress.Clear(); };
  Harness harness(options, callbacks, ctx.stop);
  harness.Run(plan, doc);
  progress.Clear();
}

// A temp directory for the in-process engine's append-only log, removed on the way out.
class ScratchDir {
 public:
  ScratchDir() = default;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  // Made on first use; "" when it cannot be.
  const std::string& Get() {
    if (path_.empty()) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "racetrack-aof-XXXXXX").string();
      if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
    }
    return path_;
  }

 private:
  std::string path_;
};

// Whether racetrack owns the target's server (it may change its settings): the in-process
// engine, and throwaway servers; a server given by URL is the user's.
bool OwnsServer(const adapters::Target& t, const RunCommand& cmd) {
  switch (t.kind()) {
    case TargetKind::kRedis:
      return cmd.redis_url.empty();
    case TargetKind::kPostgres:
      return cmd.postgres_url.empty();
    case TargetKind::kRedisCluster:
      return cmd.redis_cluster_url.empty();
    default:
      return true;
  }
}

// Sets `mode` on every owned server and records every server's settings as read back. A server
// given by URL is left as it is, with one line saying so (once per run).
Status ConfigureDurability(const RunCommand& cmd, adapters::Durability mode,
                           const std::vector<std::unique_ptr<adapters::Target>>& targets,
                           ScratchDir* scratch, Results* doc) {
  const bool several = cmd.durability.size() > 1;
  for (const auto& t : targets) {
    if (t->kind() == TargetKind::kClient) continue;
    const std::string name(t->name());
    const bool owned = OwnsServer(*t, cmd);
    if (owned) {
      const std::string dir = t->kind() == TargetKind::kBuiltin && mode != adapters::Durability::kOff
                                  ? scratch->Get()
                                  : "";
      Status s = adapters::ApplyDurability(*t, mode, dir);
      if (!s.ok()) return s;
    }
    auto settings = adapters::ReadDurability(*t);
    if (!settings.ok()) {
      return Status::Unavailable(name + ": cannot read its durability settings: " +
                                 settings.status().message());
    }
    const std::string key = several ? name + "@" + std::string(adapters::DurabilityName(mode)) : name;
    doc->environment.server_settings[key] = *settings;
    if (!owned && !cmd.quiet && mode == cmd.durability.front()) {
      std::string shown;
      for (const auto& [k, v] : *settings) shown += (shown.empty() ? "" : ", ") + k + "=" + v;
      Error(name + " is given by URL: its durability is left as the server has it (" + shown + ")");
    }
  }
  return Status::Ok();
}

// The knee of each approach x target of a --rate sweep (results/sweep.h), one line each.
void PrintKnees(const Results& doc, const results::Slo& slo) {
  const auto knees = results::FindKnees(doc.records, slo);
  if (knees.empty()) return;
  std::printf("\nknee: the highest offered rate with %s <= %s and at least %.0f%% of it achieved\n",
              slo.percentile.c_str(), results::FormatMicros(slo.bound_us).c_str(),
              results::kKneeMinAchieved * 100);
  for (const results::Knee& k : knees) {
    std::string rates;
    for (size_t i = 0; i < k.records.size(); ++i) {
      const Record& r = *k.records[i];
      const auto lat = results::SloLatencyUs(r, slo);
      char cell[96];
      std::snprintf(cell, sizeof cell, "%s%s:%s@%s", rates.empty() ? "" : "  ",
                    results::FormatRate(k.rates[i]).c_str(),
                    lat ? results::FormatMicros(*lat).c_str() : "-",
                    results::FormatRate(r.throughput_ops_s.value_or(0)).c_str());
      rates += cell;
      if (results::MeetsSlo(r, slo)) rates += "✓";
    }
    const std::string knee =
        k.rate ? results::FormatRate(*k.rate) + " ops/s" : std::string("none met it");
    std::printf("  %s%s%s%s   (%s)\n", Pad(k.scenario + "/" + k.approach, 30).c_str(),
                Pad(k.target, 13).c_str(), Pad(knee, 16).c_str(),
                k.other_params.empty() ? "" : ("[" + k.other_params + "]  ").c_str(),
                rates.c_str());
  }
  std::printf("  (per rate: offered:%s@achieved ops/s, ✓ = meets the objective)\n",
              slo.percentile.c_str());
}

// Skips that are not just "this approach is for the other technology".
void PrintSkips(const Results& doc) {
  for (const Skip& s : doc.skipped) {
    if (s.reason.find("lacks SQL") != std::string::npos) continue;
    if (s.target == "postgres" && s.reason.find("lacks") != std::string::npos) continue;
    // The serverless `client` target and the client-side approaches only meet each other.
    if (s.target == "client" || s.reason.find("client-side only") != std::string::npos) continue;
    std::printf("skipped %s/%s on %s: %s\n", s.scenario.c_str(), s.approach.c_str(),
                s.target.c_str(), s.reason.c_str());
  }
}

// The exit code of a finished run (see cli.h); reports records that ended early.
int RunExitCode(const Results& doc, const CliContext& ctx, bool requested_unavailable) {
  int code = kExitOk;
  bool server_failed = false;
  for (const Record& r : doc.records) {
    if (r.UnexpectedFailure()) code = kExitCorrectness;
    if (!r.error.empty()) {
      server_failed = true;
      Error(r.scenario + "/" + r.approach + "/" + r.target + " ended early: " + r.error);
    }
  }
  if (ctx.stop != nullptr && ctx.stop->stopped()) return 130;
  if (code == kExitOk && (requested_unavailable || server_failed)) code = kExitUnavailable;
  return code;
}

}  // namespace

Result<std::pair<std::string, double>> ParseFault(const std::string& text) {
  const size_t at = text.find('@');
  const std::string kind = text.substr(0, at);
  if (kind != "kill-master" && kind != "failover") {
    return Status::InvalidArgument("--fault '" + text +
                                   "': expected kill-master@SECONDS or failover@SECONDS (e.g. "
                                   "kill-master@3s)");
  }
  std::string when = at == std::string::npos ? "" : text.substr(at + 1);
  if (!when.empty() && when.back() == 's') when.pop_back();
  char* end = nullptr;
  const double seconds = when.empty() ? -1 : std::strtod(when.c_str(), &end);
  if (when.empty() || end == nullptr || *end != '\0' || !(seconds >= 0) || seconds > 3600) {
    return Status::InvalidArgument("--fault '" + text +
                                   "': the time must be seconds between 0 and 3600 (e.g. @3s)");
  }
  return std::make_pair(kind, seconds);
}

namespace {

// --shard / --start-at: one lesson x approach x target, a lesson that can run sharded, a target
// shared by every shard and outliving them; this shard's share of the clients and ops.
Status ApplyShard(const RunCommand& cmd, const CliContext& ctx, const Plan& plan,
                  const std::vector<TargetKind>& kinds, RunOptions* options) {
  if (cmd.shard.empty() != cmd.start_at.empty()) {
    return Status::InvalidArgument("--shard and --start-at go together (every shard is given "
                                   "the same start time)");
  }
  if (cmd.shard.empty()) return Status::Ok();
  auto shard = ParseShard(cmd.shard);
  if (!shard.ok()) return shard.status();
  auto start = ParseStartAt(cmd.start_at);
  if (!start.ok()) return start.status();
  if (plan.scenarios.size() != 1 || cmd.approaches.size() != 1 || kinds.size() != 1) {
    return Status::InvalidArgument("--shard runs one lesson, one approach (-a) and one target "
                                   "(-t) per part");
  }
  if (!plan.scenarios.front()->Shardable()) {
    return Status::InvalidArgument("lesson '" + plan.scenarios.front()->info().id +
                                   "' cannot be run sharded yet (counters can)");
  }
  const TargetKind kind = kinds.front();
  if (kind != TargetKind::kRedis && kind != TargetKind::kRedisCluster &&
      kind != TargetKind::kBuiltinTcp) {
    return Status::InvalidArgument("--shard needs a server every shard reaches: redis, "
                                   "redis-cluster or builtin-tcp");
  }
  const bool url = (kind == TargetKind::kRedis && !cmd.redis_url.empty()) ||
                   (kind == TargetKind::kRedisCluster && !cmd.redis_cluster_url.empty());
  bool kept = false;
  if (!url && ctx.servers != nullptr) {
    for (const auto& s : ctx.servers->List()) {
      kept = kept || (s.alive && s.record.target == adapters::TargetName(kind));
    }
  }
  if (!url && !kept) {
    return Status::InvalidArgument("--shard needs a target that outlives the shards: give its "
                                   "URL, or start it with `racetrack servers up " +
                                   std::string(adapters::TargetName(kind)) + "`");
  }
  const auto [index, count] = *shard;
  if (options->clients < count) {
    return Status::InvalidArgument("--shard " + cmd.shard + ": --clients " +
                                   std::to_string(options->clients) +
                                   " cannot be split over " + std::to_string(count) + " shards");
  }
  if (!options->clients_sweep.empty() || !options->rate_sweep.empty() || options->rate > 0) {
    return Status::InvalidArgument("--shard runs a closed loop at one --clients value");
  }
  options->clients = static_cast<int>(ShareOf(static_cast<uint64_t>(options->clients), index, count));
  options->clients_given = true;
  if (options->ops) options->ops = ShareOf(*options->ops, index, count);
  options->shard_index = index;
  options->shard_count = count;
  options->start_at = *start;
  return Status::Ok();
}

// --fault as a FaultPlan: the busiest master (the one under load) is the victim.
Result<FaultPlan> MakeFaultPlan(const RunCommand& cmd, const CliContext& ctx) {
  auto parsed = ParseFault(cmd.fault);
  if (!parsed.ok()) return parsed.status();
  if (cmd.targets != std::vector<std::string>{"redis-cluster"}) {
    return Status::InvalidArgument("--fault needs -t redis-cluster (and no other target)");
  }
  const auto [kind, at_s] = *parsed;
  const bool owned = cmd.redis_cluster_url.empty();
  if (kind == "kill-master" && !owned) {
    return Status::InvalidArgument("--fault kill-master needs a throwaway cluster (racetrack "
                                   "kills only processes it started); use failover@TIME with "
                                   "--redis-cluster-url");
  }
  adapters::ThrowawayServers* servers = ctx.servers;
  FaultPlan plan;
  plan.spec = cmd.fault;
  plan.at_s = at_s;
  plan.inject = [kind = kind, servers](adapters::Target& t) -> Result<std::string> {
    auto* cluster = dynamic_cast<adapters::ClusterTarget*>(&t);
    if (cluster == nullptr) return Status::InvalidArgument("not a redis-cluster target");
    std::string victim = cluster->BusiestMaster();
    if (victim.empty()) return Status::Unavailable("no master has answered yet");
    cluster->MarkFault(victim);
    if (kind == "kill-master") {
      if (servers == nullptr) return Status::InvalidArgument("no throwaway servers");
      Status s = servers->KillClusterNode(victim);
      if (!s.ok()) return s;
      return "master " + victim + " (the busiest) killed with SIGKILL";
    }
    Status s = cluster->Failover(victim);
    if (!s.ok()) return s;
    return "CLUSTER FAILOVER of master " + victim + " (the busiest) to its replica";
  };
  return plan;
}

}  // namespace

int RunMain(const RunCommand& cmd, const CliContext& ctx) {
  Plan plan;
  Status s = ResolvePlan(cmd, &plan);
  auto kinds = s.ok() ? ResolveTargetKinds(cmd) : Result<std::vector<TargetKind>>(s);
  if (kinds.ok() && cmd.targets.empty() && NeedsClientTarget(plan)) {
    // The serverless target joins only when an approach of the plan runs there (sessions' jwt).
    kinds->push_back(TargetKind::kClient);
  }
  if (kinds.ok()) s = ValidateOptions(cmd.options);
  // Rules across one lesson's knobs (messaging: the kill must fall inside the producer's run).
  for (const auto* sc : plan.scenarios) {
    if (kinds.ok() && s.ok()) s = sc->ValidateKnobs(cmd.options.KnobsFor(sc->info().id));
  }
  if (kinds.ok() && s.ok()) s = ProbeWritable(cmd.json_path);
  if (kinds.ok() && s.ok() && ctx.servers != nullptr) {
    s = ctx.servers->SetClusterShape(cmd.cluster_masters, cmd.cluster_replicas);
  }
  RunOptions shard_options = cmd.options;
  if (kinds.ok() && s.ok()) s = ApplyShard(cmd, ctx, plan, *kinds, &shard_options);
  std::optional<FaultPlan> fault;
  if (kinds.ok() && s.ok() && !cmd.fault.empty()) {
    auto plan = MakeFaultPlan(cmd, ctx);
    if (plan.ok()) fault = std::move(plan).value();
    s = plan.status();
  }
  if (!kinds.ok() || !s.ok()) {
    Error(kinds.ok() ? s.message() : kinds.status().message());
    return kExitUsage;
  }

  Results doc = NewDocument(cmd, ctx);
  ScratchDir scratch;  // outlives the targets (declared first): the builtin's log lives there
  std::vector<std::unique_ptr<adapters::Target>> targets;
  const bool requested_unavailable =
      OpenTargets(*kinds, !cmd.targets.empty(), cmd, ctx, &doc, &targets);
  for (auto& t : targets) plan.targets.push_back(t.get());
  RunOptions options = WithBackingStores(cmd, ctx, plan, &doc, &targets);
  options.fault = fault;
  if (!cmd.shard.empty()) {
    options.shard_index = shard_options.shard_index;
    options.shard_count = shard_options.shard_count;
    options.start_at = shard_options.start_at;
    options.clients = shard_options.clients;
    options.clients_given = true;
    options.ops = shard_options.ops;
    doc.parameters.shard_index = options.shard_index;
    doc.parameters.shard_count = options.shard_count;
    doc.parameters.start_at = options.start_at;
    doc.parameters.clients = options.clients;
    if (options.ops) doc.parameters.ops = *options.ops;
  }
  bool durability_failed = false;
  for (adapters::Durability mode : cmd.durability) {
    if (ctx.stop != nullptr && ctx.stop->stopped()) break;
    Status configured = ConfigureDurability(cmd, mode, targets, &scratch, &doc);
    if (!configured.ok()) {
      Error("durability " + std::string(adapters::DurabilityName(mode)) + ": " +
            configured.message());
      durability_failed = true;
      break;
    }
    RunOptions mode_options = options;
    if (cmd.durability.size() > 1) mode_options.record_params["durability"] = static_cast<int>(mode);
    if (!cmd.quiet && cmd.durability.size() > 1) {
      std::fprintf(stderr, "racetrack: durability %s\n",
                   std::string(adapters::DurabilityName(mode)).c_str());
    }
    RunWithProgress(cmd, mode_options, ctx, plan, &doc);
  }

  if (!cmd.quiet) {
    std::printf("durability: %s\n", doc.environment.durability.c_str());
    PrintTable(doc);
    if (cmd.slo) PrintKnees(doc, *cmd.slo);
  }
  int code = RunExitCode(doc, ctx, requested_unavailable);
  if (durability_failed && code == kExitOk) code = kExitUnavailable;
  if (!cmd.quiet) PrintSkips(doc);
  if (!cmd.json_path.empty()) {
    auto w = results::WriteResults(doc, cmd.json_path);
    if (!w.ok()) {
      Error(w.error().message());
      return kExitUsage;
    }
    if (!cmd.quiet) std::printf("wrote %s\n", cmd.json_path.c_str());
  }
  return code;
}

const std::vector<std::string>& RunFlagNames() {
  static const std::vector<std::string> kNames = {
      "help",     "h",        "suite",       "target",       "t",    "approach", "a",
      "clients",  "c",        "duration",    "d",            "ops",  "rate",     "warmup",
      "repetitions", "r",     "seed",        "interval",     "param", "redis-url",
      "postgres-url", "redis-cluster-url", "cluster-masters", "cluster-replicas", "fault", "shard", "start-at", "json", "quiet",       "q",     "keys", "distribution",
      "value-size", "redlock-urls", "durability", "slo"};
  return kNames;
}

Status CheckKnobNames(const scenarios::Registry& registry) {
  const std::vector<std::string>& reserved = RunFlagNames();
  for (const scenarios::Scenario* sc : registry.all()) {
    const scenarios::ScenarioInfo& info = sc->info();
    for (size_t i = 0; i < info.knobs.size(); ++i) {
      const std::string& name = info.knobs[i].name;
      if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) {
        return Status::InvalidArgument("lesson '" + info.id + "' declares knob --" + name +
                                       ", which is a racetrack run flag");
      }
      for (size_t j = 0; j < i; ++j) {
        if (info.knobs[j].name == name) {
          return Status::InvalidArgument("lesson '" + info.id + "' declares knob --" + name +
                                         " twice");
        }
      }
    }
  }
  return Status::Ok();
}

int ListMain(bool verbose, const adapters::TargetOptions& options, const CliContext& ctx) {
  const scenarios::Registry& registry = scenarios::Registry::Default();
  auto builtin = adapters::MakeBuiltinTarget();
  const uint32_t builtin_caps = builtin->capabilities();
  std::printf("Scenarios:\n");
  for (const scenarios::Scenario* s : registry.all()) {
    const auto& info = s->info();
    std::printf("  %s — %s\n", info.id.c_str(), info.title.c_str());
    if (verbose) {
      std::printf("    %s\n    One operation: one of the %s.\n", info.question.c_str(),
                  info.unit.c_str());
    }
    for (const auto& a : info.approaches) {
      std::string note = a.expected_correct ? "" : "  [unsafe: the lesson]";
      std::printf("    %s%s%s\n", Pad(a.id, 24).c_str(), a.title.c_str(), note.c_str());
      if (verbose) {
        std::printf("      %s; needs %s", a.summary.c_str(),
                    adapters::CapabilityNames(a.needs).c_str());
        const std::string why = scenarios::MissingCapabilityReason(a, builtin_caps);
        if (!why.empty() && (a.needs & adapters::kCapSql) == 0) {
          std::printf(" (not on builtin yet: engine %s)", why.c_str());
        }
        std::printf("\n");
        if (!a.contract.empty()) std::printf("      contract: %s\n", a.contract.c_str());
        if (!a.unit.empty()) std::printf("      one operation: one of the %s\n", a.unit.c_str());
      }
    }
    if (verbose) {
      std::printf("\n    Expected: %s\n\n", info.expected.c_str());
      // The lesson, indented.
      std::string lesson = info.lesson;
      size_t pos = 0;
      while (pos <= lesson.size()) {
        const size_t end = std::min(lesson.find('\n', pos), lesson.size());
        std::printf("    %s\n", lesson.substr(pos, end - pos).c_str());
        pos = end + 1;
      }
      std::printf("\n");
    }
  }
  std::printf("Targets:\n");
  for (TargetKind kind : adapters::KnownTargetKinds()) {
    std::string why;
    std::string how;
    const std::string url = kind == TargetKind::kRedis          ? options.redis_url
                            : kind == TargetKind::kPostgres     ? options.postgres_url
                            : kind == TargetKind::kRedisCluster ? options.redis_cluster_url
                                                                : "";
    if (kind == TargetKind::kBuiltin) {
      how = "in-process";
    } else if (kind == TargetKind::kClient) {
      std::string users;
      for (const scenarios::Scenario* s : registry.all()) {
        for (const auto& a : s->info().approaches) {
          if ((a.needs & adapters::kCapClientSide) == 0) continue;
          users += (users.empty() ? "" : ", ") + s->info().id + "/" + a.id;
        }
      }
      if (users.empty()) continue;
      how = "no server: client-side work only (" + users + ")";
    } else if (!url.empty()) {
      auto t = adapters::OpenTarget(kind, options, nullptr);
      if (t.ok()) {
        how = (*t)->endpoint() + " (" + (*t)->server_version() + ")";
      } else {
        why = t.status().message();
      }
    } else {
      why = ctx.servers != nullptr ? ctx.servers->CannotStart(kind) : "no URL given";
      how = "throwaway server, started on demand";
    }
    if (why.empty()) {
      std::printf("  %s%s\n", Pad(std::string(adapters::TargetName(kind)), 13).c_str(),
                  ("available: " + how).c_str());
    } else {
      std::printf("  %s%s\n", Pad(std::string(adapters::TargetName(kind)), 13).c_str(),
                  ("unavailable: " + why).c_str());
    }
  }
  return kExitOk;
}

int ServersMain(const std::string& action, const std::vector<std::string>& names,
                const CliContext& ctx, int cluster_masters, int cluster_replicas) {
  if (ctx.servers == nullptr) return kExitUsage;
  if (Status shape = ctx.servers->SetClusterShape(cluster_masters, cluster_replicas); !shape.ok()) {
    Error(shape.message());
    return kExitUsage;
  }
  std::vector<TargetKind> kinds;
  for (const std::string& n : names) {
    auto k = adapters::ParseTargetName(n);
    if (!k.ok()) {
      Error(k.status().message());
      return kExitUsage;
    }
    kinds.push_back(*k);
  }
  if (kinds.empty()) {
    kinds = {TargetKind::kBuiltinTcp, TargetKind::kRedis, TargetKind::kPostgres};
  }
  if (action == "up") {
    auto records = ctx.servers->Up(kinds);
    if (!records.ok()) {
      Error(records.status().message());
      return kExitUnavailable;
    }
    for (const auto& r : *records) {
      std::printf("%s%s (pid %d)\n", Pad(r.target, 13).c_str(), adapters::Redact(r.url).c_str(),
                  r.pid);
    }
    return kExitOk;
  }
  if (action == "status") {
    const auto list = ctx.servers->List();
    if (list.empty()) std::printf("no servers recorded (start them with `racetrack servers up`)\n");
    for (const auto& s : list) {
      std::printf("%s%s (pid %d) %s\n", Pad(s.record.target, 13).c_str(),
                  adapters::Redact(s.record.url).c_str(), s.record.pid,
                  s.alive ? "running" : "NOT RUNNING");
    }
    return kExitOk;
  }
  if (action == "down") {
    Status s = ctx.servers->Down();
    if (!s.ok()) {
      Error(s.message());
      return kExitUnavailable;
    }
    std::printf("stopped\n");
    return kExitOk;
  }
  Error("unknown servers action '" + action + "' (valid: up, status, down)");
  return kExitUsage;
}

}  // namespace racetrack::bench
