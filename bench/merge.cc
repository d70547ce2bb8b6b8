// Sharded runs and their merge (merge.h). Reasons behind the choices:
//  - Records are matched on scenario/approach/target and their params without "clients": each
//    part ran its own share of the clients, the merged record has their sum.
//  - Figures are summed when they count things (cluster_* counts, retries) and kept when every
//    part agrees; any other figure that differs between parts (a per-part rate, a preparation
//    time) is dropped rather than averaged, and the note says which.
//  - --verify never starts a server: a throwaway one would be empty, and "0 of N increments
//    found" would be a wrong answer reported as a measurement.
#include "bench/merge.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "adapters/target.h"
#include "adapters/throwaway.h"
#include "results/format.h"
#include "results/histogram.h"
#include "scenarios/registry.h"

namespace racetrack::bench {

using results::Record;
using results::Results;

Result<std::pair<int, int>> ParseShard(const std::string& text) {
  int i = 0, n = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d/%d%c", &i, &n, &tail) != 2 || n < 1 || n > 1024 || i < 1 ||
      i > n) {
    return Status::InvalidArgument("--shard '" + text +
                                   "': expected I/N with 1 <= I <= N <= 1024 (e.g. 2/4)");
  }
  return std::make_pair(i, n);
}

Result<double> ParseStartAt(const std::string& text) {
  char* end = nullptr;
  const double unix_s = std::strtod(text.c_str(), &end);
  if (!text.empty() && end != nullptr && *end == '\0' && unix_s > 0) return unix_s;
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest != nullptr && (std::string(rest) == "Z" || std::string(rest) == "+00:00")) {
    return static_cast<double>(timegm(&tm));
  }
  return Status::InvalidArgument("--start-at '" + text +
                                 "': expected Unix seconds or UTC ISO 8601 "
                                 "(2026-12-02T09:00:00Z)");
}

uint64_t ShareOf(uint64_t total, int index, int count) {
  const auto n = static_cast<uint64_t>(count);
  return total / n + (static_cast<uint64_t>(index) <= total % n ? 1 : 0);
}

namespace {

// A record's identity across parts: its key without the clients param.
std::string PartKey(const Record& r) {
  Record copy;
  copy.scenario = r.scenario;
  copy.approach = r.approach;
  copy.target = r.target;
  copy.params = r.params;
  copy.params.erase("clients");
  return copy.Key();
}

bool Additive(const std::string& figure) {
  return figure.rfind("cluster_", 0) == 0 || figure == "retries" || figure == "expected";
}

// Adds `part` into `merged` (a copy of the first part, clients and counts zeroed by the caller).
void AddFigures(const std::map<std::string, double>& part, std::map<std::string, double>* merged,
                std::set<std::string>* dropped) {
  for (const auto& [name, v] : part) {
    auto it = merged->find(name);
    if (Additive(name)) {
      (*merged)[name] += v;
    } else if (it != merged->end() && it->second != v) {
      dropped->insert(name);
    }
  }
}

// The checks that the parts belong to one run; the first problem as one line.
Status CheckParts(const std::vector<Results>& parts) {
  if (parts.empty()) return Status::InvalidArgument("no parts to merge");
  const results::Parameters& first = parts.front().parameters;
  const std::string& first_path = parts.front().path;
  std::map<int, std::string> seen;
  for (const Results& p : parts) {
    const results::Parameters& q = p.parameters;
    const std::string name = p.path.empty() ? p.label : p.path;
    if (q.shard_count == 0) {
      return Status::InvalidArgument(name + " is not a shard part (run it with --shard I/N)");
    }
    if (q.shard_count != first.shard_count || q.start_at != first.start_at) {
      return Status::InvalidArgument(name + " is shard " + std::to_string(q.shard_index) + "/" +
                                     std::to_string(q.shard_count) +
                                     " of another run than " + first_path +
                                     " (shard count or --start-at differ)");
    }
    auto [it, fresh] = seen.emplace(q.shard_index, name);
    if (!fresh) {
      return Status::InvalidArgument("shard " + std::to_string(q.shard_index) + "/" +
                                     std::to_string(q.shard_count) + " given twice: " +
                                     it->second + " and " + name);
    }
    if (q.scenarios != first.scenarios || q.seed != first.seed ||
        q.duration_s != first.duration_s || q.repetitions != first.repetitions ||
        q.warmup_s != first.warmup_s || q.extra != first.extra) {
      return Status::InvalidArgument(name + " ran other parameters than " + first_path +
                                     " (scenario, seed, duration, repetitions or knobs differ)");
    }
    if (q.ops.has_value() != first.ops.has_value()) {
      return Status::InvalidArgument(name + " and " + first_path +
                                     " disagree on running by --ops or by duration");
    }
  }
  for (int i = 1; i <= first.shard_count; ++i) {
    if (seen.count(i) == 0) {
      return Status::InvalidArgument("shard " + std::to_string(i) + "/" +
                                     std::to_string(first.shard_count) + " is missing");
    }
  }
  std::set<std::string> keys;
  for (const Record& r : parts.front().records) keys.insert(PartKey(r));
  for (const Results& p : parts) {
    std::set<std::string> mine;
    for (const Record& r : p.records) mine.insert(PartKey(r));
    if (mine != keys) {
      return Status::InvalidArgument((p.path.empty() ? p.label : p.path) +
                                     " has other records than " + first_path +
                                     " (lesson, approach, target or parameter point differ)");
    }
  }
  return Status::Ok();
}

Record MergeRecords(const std::vector<const Record*>& parts) {
  Record out = *parts.front();
  out.params["clients"] = 0;
  out.ops = 0;
  out.errors = 0;
  out.duration_s = 0;
  out.figures.clear();
  out.timeseries = {};
  out.timeseries.interval_ms = parts.front()->timeseries.interval_ms;
  out.correctness = {};
  out.correctness.expected_ok = parts.front()->correctness.expected_ok;
  out.error.clear();
  out.repetitions.assign(parts.front()->repetitions.size(), {});
  results::Histogram merged;
  std::set<std::string> dropped;
  for (const Record* p : parts) {
    out.params["clients"] += p->params.count("clients") ? p->params.at("clients") : 0;
    *out.ops += p->ops.value_or(0);
    *out.errors += p->errors.value_or(0);
    *out.duration_s = std::max(*out.duration_s, p->duration_s.value_or(0));
    results::Histogram h;
    h.FromSparse(p->histogram);
    merged.Merge(h);
    if (p == parts.front()) {
      out.figures = p->figures;
      for (auto& [name, v] : out.figures) {
        if (Additive(name)) v = 0;
      }
    }
    AddFigures(p->figures, &out.figures, &dropped);
    for (size_t i = 0; i < out.repetitions.size() && i < p->repetitions.size(); ++i) {
      results::Repetition& r = out.repetitions[i];
      r.ops = r.ops.value_or(0) + p->repetitions[i].ops.value_or(0);
      r.duration_s = std::max(r.duration_s.value_or(0), p->repetitions[i].duration_s.value_or(0));
      r.p99_us = std::max(r.p99_us.value_or(0), p->repetitions[i].p99_us.value_or(0));
    }
    const results::Timeseries& ts = p->timeseries;
    for (size_t i = 0; i < ts.t_s.size(); ++i) {
      if (out.timeseries.t_s.size() <= i) {
        out.timeseries.t_s.push_back(ts.t_s[i]);
        out.timeseries.ops.push_back(0);
        out.timeseries.p99_us.push_back(0);
      }
      if (i < ts.ops.size()) out.timeseries.ops[i] += ts.ops[i];
      if (i < ts.p99_us.size()) {
        out.timeseries.p99_us[i] = std::max(out.timeseries.p99_us[i], ts.p99_us[i]);
      }
    }
    for (const auto& [name, v] : p->correctness.figures) {
      if (Additive(name)) out.correctness.figures[name] += v;
    }
    if (!p->error.empty() && out.error.empty()) out.error = p->error;
  }
  for (const std::string& d : dropped) out.figures.erase(d);
  for (results::Repetition& r : out.repetitions) {
    if (r.duration_s.value_or(0) > 0) r.throughput_ops_s = r.ops.value_or(0) / *r.duration_s;
    r.cpu_us_per_op.reset();
  }
  out.throughput_ops_s.reset();
  results::Summarize(&out, merged);
  out.correctness.note = "merged from " + std::to_string(parts.size()) +
                         " shards; not checked: run `racetrack merge --verify` to read the end "
                         "state from the target.";
  if (!dropped.empty()) {
    std::string names;
    for (const std::string& d : dropped) names += (names.empty() ? "" : ", ") + d;
    out.timing_note += std::string(out.timing_note.empty() ? "" : "; ") +
                       "figures that differ between shards are not merged: " + names;
  }
  out.timing_trusted = true;
  results::AssessTiming(&out);
  return out;
}

}  // namespace

Result<Results> MergeShards(const std::vector<Results>& parts_in) {
  Status ok = CheckParts(parts_in);
  if (!ok.ok()) return ok;
  std::vector<const Results*> parts;
  for (const Results& p : parts_in) parts.push_back(&p);
  std::sort(parts.begin(), parts.end(), [](const Results* a, const Results* b) {
    return a->parameters.shard_index < b->parameters.shard_index;
  });
  Results out = *parts.front();
  out.path.clear();
  out.records.clear();
  out.parameters.shard_index = 0;  // a whole run now
  out.parameters.clients = 0;
  uint64_t ops = 0;
  for (const Results* p : parts) {
    out.parameters.clients += p->parameters.clients;
    ops += p->parameters.ops.value_or(0);
  }
  if (out.parameters.ops) out.parameters.ops = ops;
  out.parameters.command_line = "racetrack merge (" + std::to_string(parts.size()) + " shards)";
  for (const Record& r : parts.front()->records) {
    const std::string key = PartKey(r);
    std::vector<const Record*> same;
    for (const Results* p : parts) {
      for (const Record& q : p->records) {
        if (PartKey(q) == key) {
          same.push_back(&q);
          break;
        }
      }
    }
    out.records.push_back(MergeRecords(same));
  }
  return out;
}

namespace {

// The target the shards ran against: a URL, or a server kept up with `servers up`.
Result<std::unique_ptr<adapters::Target>> ShardTarget(const std::string& name,
                                                      const MergeCommand& cmd,
                                                      const CliContext& ctx) {
  auto kind = adapters::ParseTargetName(name);
  if (!kind.ok()) return kind.status();
  adapters::TargetOptions topts;
  topts.redis_url = cmd.redis_url;
  topts.redis_cluster_url = cmd.redis_cluster_url;
  topts.bin_dir = ctx.bin_dir;
  const bool given = (*kind == adapters::TargetKind::kRedis && !cmd.redis_url.empty()) ||
                     (*kind == adapters::TargetKind::kRedisCluster &&
                      !cmd.redis_cluster_url.empty());
  if (!given) {
    bool kept = false;
    if (ctx.servers != nullptr) {
      for (const auto& s : ctx.servers->List()) kept = kept || (s.alive && s.record.target == name);
    }
    if (!kept) {
      return Status::Unavailable("--verify needs the " + name +
                                 " the shards ran against: give its URL (--redis-url, "
                                 "--redis-cluster-url) or keep it with `racetrack servers up`");
    }
  }
  return adapters::OpenTarget(*kind, topts, ctx.servers);
}

Status VerifyMerged(const std::vector<Results>& parts, const MergeCommand& cmd,
                    const CliContext& ctx, Results* merged) {
  const auto& registry = scenarios::Registry::Default();
  for (Record& r : merged->records) {
    auto sc = registry.Get(r.scenario);
    if (!sc.ok()) return sc.status();
    const scenarios::ApproachInfo* approach = (*sc)->info().FindApproach(r.approach);
    if (approach == nullptr) return Status::InvalidArgument("unknown approach " + r.approach);
    auto target = ShardTarget(r.target, cmd, ctx);
    if (!target.ok()) return target.status();
    auto admin = (*target)->Connect();
    if (!admin.ok()) return admin.status();
    std::vector<scenarios::Correctness> pieces;
    for (const Results& p : parts) {
      for (const Record& q : p.records) {
        if (PartKey(q) != PartKey(r)) continue;
        scenarios::Correctness c;
        c.ok = q.correctness.ok;
        c.figures = q.correctness.figures;
        pieces.push_back(std::move(c));
      }
    }
    scenarios::RunContext context;
    context.clients = static_cast<int>(r.params.count("clients") ? r.params.at("clients") : 1);
    context.extra = r.params;
    context.target = target->get();
    auto verdict = (*sc)->VerifyShards(*approach, **admin, context, pieces);
    if (!verdict.ok()) return verdict.status();
    r.correctness.checked = true;
    r.correctness.ok = verdict->ok;
    r.correctness.figures = verdict->figures;
    r.correctness.note = verdict->note + " (merged from " + std::to_string(parts.size()) +
                         " shards; the end state read once, after all had finished)";
  }
  return Status::Ok();
}

}  // namespace

int MergeMain(const MergeCommand& cmd, const CliContext& ctx) {
  auto fail = [](const std::string& msg, int code) {
    std::fprintf(stderr, "racetrack merge: %s\n", msg.c_str());
    return code;
  };
  if (cmd.parts.empty()) return fail("name the part files (racetrack merge part-*.json -o out.json)", kExitUsage);
  if (cmd.out.empty()) return fail("-o FILE is required", kExitUsage);
  std::vector<Results> parts;
  for (const std::string& path : cmd.parts) {
    auto r = results::ReadResults(path);
    if (!r.ok()) return fail(r.error().message(), kExitUsage);
    r->path = path;
    parts.push_back(std::move(r).value());
  }
  auto merged = MergeShards(parts);
  if (!merged.ok()) return fail(merged.status().message(), kExitUsage);
  if (cmd.verify) {
    Status v = VerifyMerged(parts, cmd, ctx, &*merged);
    if (!v.ok()) return fail(v.message(), kExitUnavailable);
  }
  auto w = results::WriteResults(*merged, cmd.out);
  if (!w.ok()) return fail(w.error().message(), kExitUsage);
  int code = kExitOk;
  for (const Record& r : merged->records) {
    std::printf("%s/%s/%s: %s ops from %zu shards, p50 %s, p99 %s%s%s\n", r.scenario.c_str(),
                r.approach.c_str(), r.target.c_str(), results::FormatHuman(r.ops).c_str(),
                parts.size(), results::FormatMicros(r.latency_us.p50.value_or(0)).c_str(),
                results::FormatMicros(r.latency_us.p99.value_or(0)).c_str(),
                r.correctness.checked ? " — " : "", r.correctness.checked ? r.correctness.note.c_str() : "");
    if (r.UnexpectedFailure()) code = kExitCorrectness;
  }
  std::printf("wrote %s\n", cmd.out.c_str());
  return code;
}

}  // namespace racetrack::bench
