#include "reports/report_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "reports/format.h"
#include "reports/stats.h"
#include "results/sweep.h"

namespace racetrack::reports {

namespace {

std::string Latency(const std::optional<double>& v) { return FormatHuman(v); }

// "lost updates 3,412 · expected 16,000": correctness figures first, then other figures.
std::string FiguresText(const Record& r) {
  std::string out;
  auto add = [&](const std::string& name, double value) {
    if (!out.empty()) out += " · ";
    out += Humanize(name) + " " + FormatHuman(value);
  };
  for (const auto& [name, value] : r.correctness.figures) add(name, value);
  for (const auto& [name, value] : r.figures) {
    if (r.correctness.figures.count(name) == 0) add(name, value);
  }
  return out;
}

std::optional<double> Cv(const Record& r) {
  if (r.throughput_stats.cv) return r.throughput_stats.cv;
  return CoefficientOfVariation(r.ThroughputSamples());
}

std::string Gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
  return buf;
}

}  // namespace

LessonText LessonFor(const std::string& scenario, const std::vector<Results>& runs) {
  LessonText text;
  for (const Results& run : runs) {
    auto it = run.scenario_info.find(scenario);
    if (it == run.scenario_info.end()) continue;
    const ScenarioText& info = it->second;
    text.title = info.title;
    text.lesson = info.question.empty() ? info.lesson
                  : info.lesson.empty() ? info.question
                                        : info.question + " " + info.lesson;
    break;
  }
  if (text.title.empty()) text.title = "Scenario " + scenario;
  return text;
}

std::string VerdictText(Verdict v) { return std::string(results::VerdictLabel(v)); }

std::string TableRow::VerdictCell() const {
  if (verdict == Verdict::kUnchecked) return "–";
  return std::string(results::VerdictMark(verdict, timing_trusted)) + " " + VerdictText(verdict);
}

std::string ScenarioTable::ThroughputHeader() const {
  return unit.empty() ? "throughput" : "throughput (" + unit + "/s)";
}

std::string RecordName(const Record& r, const Results* run, bool with_run) {
  std::string name = r.scenario + " / " + r.approach + " on " + r.target;
  std::string params = r.ParamsLabel();
  if (!params.empty()) name += " (" + params + ")";
  if (with_run && run != nullptr) name += " [" + run->label + "]";
  return name;
}

std::vector<ScenarioTable> BuildTables(const std::vector<Results>& runs) {
  std::vector<std::string> scenarios;
  for (const Results& run : runs) {
    for (const std::string& s : run.Scenarios()) {
      if (std::find(scenarios.begin(), scenarios.end(), s) == scenarios.end()) scenarios.push_back(s);
    }
  }
  std::vector<ScenarioTable> tables;
  for (const std::string& scenario : scenarios) {
    ScenarioTable t;
    t.scenario = scenario;
    t.lesson = LessonFor(scenario, runs);
    // Group keys in order of first appearance; rows of different runs for one key stay adjacent.
    std::vector<std::string> keys;
    std::map<std::string, std::vector<TableRow>> by_key;
    std::set<std::string> runs_with, params_seen, units;
    for (const Results& run : runs) {
      for (const Record& r : run.records) {
        if (r.scenario != scenario) continue;
        runs_with.insert(run.label);
        params_seen.insert(r.ParamsLabel());
        std::string key = r.Key();
        if (!by_key.count(key)) keys.push_back(key);
        TableRow row;
        row.run = &run;
        row.record = &r;
        row.throughput = FormatHuman(r.throughput_ops_s);
        row.p50 = Latency(r.latency_us.p50);
        row.p99 = Latency(r.latency_us.p99);
        row.p999 = Latency(r.latency_us.p999);
        row.verdict = r.verdict();
        row.figures = FiguresText(r);
        row.note = r.correctness.note;
        if (auto si = run.scenario_info.find(r.scenario); si != run.scenario_info.end()) {
          if (const ApproachText* a = si->second.Approach(r.approach)) row.contract = a->contract;
        }
        auto cv = Cv(r);
        row.high_cv = cv && *cv > kHighCv;
        row.timing_trusted = r.timing_trusted;
        row.timing_note = r.timing_note;
        units.insert(r.Unit());
        by_key[key].push_back(std::move(row));
      }
    }
    for (const std::string& key : keys) {
      for (TableRow& row : by_key[key]) t.rows.push_back(std::move(row));
    }
    t.show_run = runs_with.size() > 1;
    t.show_params = params_seen.size() > 1;
    if (units.size() == 1) {
      t.unit = *units.begin();
    } else {
      for (TableRow& row : t.rows) {
        if (row.record->throughput_ops_s) row.throughput += " " + row.record->Unit() + "/s";
      }
    }
    tables.push_back(std::move(t));
  }
  return tables;
}

std::vector<Warning> BuildWarnings(const std::vector<Results>& runs) {
  std::vector<Warning> out;
  auto suffix = [&](const Results& run) {
    return runs.size() > 1 ? " [" + run.label + "]" : std::string();
  };
  // A record names its run only when the same record appears in several runs.
  std::map<std::string, int> runs_per_key;
  for (const Results& run : runs) {
    for (const Record& r : run.records) ++runs_per_key[r.Key()];
  }
  auto name = [&](const Record& r, const Results& run) {
    return RecordName(r, &run, runs_per_key[r.Key()] > 1);
  };
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.UnexpectedFailure()) {
        std::string figures = FiguresText(r);
        out.push_back({Warning::Kind::kFailedCheck,
                       name(r, run) + ": WRONG, unexpectedly (correctness check failed)" +
                           (figures.empty() ? "" : " (" + figures + ")") + "."});
      }
    }
  }
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (!r.error.empty()) {
        out.push_back({Warning::Kind::kErrors,
                       name(r, run) + ": the run ended early: " + r.error});
      }
      if (r.errors && *r.errors > 0) {
        out.push_back({Warning::Kind::kErrors, name(r, run) + ": " +
                                                   FormatHuman(*r.errors) + " operations failed."});
      }
    }
  }
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (!r.timing_trusted) {
        out.push_back({Warning::Kind::kHighCv,
                       name(r, run) + ": timing not trusted: " +
                           (r.timing_note.empty() ? "no reason given" : r.timing_note) +
                           "; do not read small differences into it."});
        continue;
      }
      auto cv = Cv(r);  // files whose reader left the flag alone
      if (cv && *cv > kHighCv) {
        char pct[32];
        std::snprintf(pct, sizeof(pct), "%.0f%%", *cv * 100);
        size_t reps = r.repetitions.size();
        out.push_back({Warning::Kind::kHighCv,
                       name(r, run) + ": throughput varies by " + pct +
                           " (coefficient of variation) across " + std::to_string(reps) +
                           " repetitions; do not trust small differences."});
      }
    }
  }
  for (const Results& run : runs) {
    for (const TargetStatus& t : run.targets) {
      if (t.available) continue;
      out.push_back({Warning::Kind::kSkippedTarget,
                     "Target " + t.name + " was skipped" + suffix(run) + ": " +
                         (t.reason.empty() ? "no reason given" : t.reason) + "."});
    }
  }
  for (const Results& run : runs) {
    for (const Skip& k : run.skipped) {
      std::string what = k.scenario.empty() ? "" : k.scenario;
      if (!k.approach.empty()) what += (what.empty() ? "" : " / ") + k.approach;
      if (!k.target.empty()) what += (what.empty() ? "" : " on ") + k.target;
      out.push_back({Warning::Kind::kSkippedTarget,
                     "Skipped " + what + suffix(run) + ": " +
                         (k.reason.empty() ? "no reason given" : k.reason) + "."});
    }
  }
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      if (r.verdict() == Verdict::kWrongExpected) {
        std::string figures = FiguresText(r);
        out.push_back({Warning::Kind::kExpectedWrong,
                       name(r, run) + ": wrong, as the lesson expects" +
                           (figures.empty() ? "" : " (" + figures + ")") + "."});
      } else if (r.verdict() == Verdict::kCorrectUnexpected) {
        out.push_back({Warning::Kind::kExpectedWrong,
                       name(r, run) + ": correct, though the lesson expects it wrong (the race "
                                      "did not happen in this run)."});
      }
    }
  }
  return out;
}

namespace {

// A record's median repetition duration, rounded to 2 significant digits (the configured
// duration plus the last operation's tail; own-timeline lessons end when their run does).
std::optional<double> MedianRepetitionSeconds(const Record& r) {
  std::vector<double> d;
  for (const auto& rep : r.repetitions) {
    if (rep.duration_s) d.push_back(*rep.duration_s);
  }
  if (d.empty()) return std::nullopt;
  std::sort(d.begin(), d.end());
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", d[d.size() / 2]);
  return std::strtod(buf, nullptr);
}

// `value` of every record per lesson: "8" when one value overall, else
// "counters 8 · leaderboard 1, 4" (with `median`, each lesson's median value only);
// `fallback` when no record has it.
template <typename F>
std::string PerLesson(const Results& run, F value, const std::string& fallback,
                      bool median = false) {
  std::vector<std::pair<std::string, std::vector<double>>> lessons;
  for (const Record& r : run.records) {
    const std::optional<double> v = value(r);
    if (!v) continue;
    auto it = std::find_if(lessons.begin(), lessons.end(),
                           [&](const auto& l) { return l.first == r.scenario; });
    if (it == lessons.end()) it = lessons.insert(lessons.end(), {r.scenario, {}});
    it->second.push_back(*v);
  }
  if (lessons.empty()) return fallback;
  std::vector<std::pair<std::string, std::set<double>>> shown;
  std::set<double> all;
  for (auto& [lesson, values] : lessons) {
    std::sort(values.begin(), values.end());
    std::set<double> mine = median ? std::set<double>{values[values.size() / 2]}
                                   : std::set<double>(values.begin(), values.end());
    all.insert(mine.begin(), mine.end());
    shown.emplace_back(lesson, std::move(mine));
  }
  auto join = [](const std::set<double>& values) {
    std::string out;
    for (double v : values) out += (out.empty() ? "" : ", ") + FormatNumber(v);
    return out;
  };
  if (all.size() == 1) return join(all);
  std::string out;
  for (const auto& [lesson, values] : shown) {
    out += (out.empty() ? "" : " · ") + lesson + " " + join(values);
  }
  return out;
}

}  // namespace

std::string KneeText(const std::string& scenario, const std::vector<Results>& runs) {
  std::string out;
  for (const Results& run : runs) {
    if (run.parameters.slo.empty()) continue;
    auto slo = results::ParseSlo(run.parameters.slo);
    if (!slo.ok()) continue;
    std::vector<Record> mine;
    for (const Record& r : run.records) {
      if (r.scenario == scenario) mine.push_back(r);
    }
    std::string knees;
    for (const results::Knee& k : results::FindKnees(mine, *slo)) {
      knees += (knees.empty() ? "" : "; ") + k.approach + " on " + k.target +
               (k.other_params.empty() ? "" : " (" + k.other_params + ")") + " " +
               (k.rate ? results::FormatRate(*k.rate) + " ops/s" : std::string("none met it"));
    }
    if (knees.empty()) continue;
    out += (out.empty() ? "" : " ") + std::string("Knee") +
           (runs.size() > 1 ? " (" + run.label + ")" : "") + ", the highest offered rate with " +
           slo->percentile + " ≤ " + FormatMicros(slo->bound_us) + " and ≥ " +
           FormatNumber(results::kKneeMinAchieved * 100) + "% of it achieved: " + knees + ".";
  }
  return out;
}

std::string DurabilityText(const std::vector<Results>& runs) {
  std::vector<std::string> modes;
  for (const Results& run : runs) {
    modes.push_back(run.environment.durability.empty() ? "not recorded"
                                                       : run.environment.durability);
  }
  if (modes.empty()) return "not recorded";
  const bool same = std::all_of(modes.begin(), modes.end(),
                                [&](const std::string& m) { return m == modes.front(); });
  auto spaced = [](std::string m) {
    for (size_t i = m.find(','); i != std::string::npos; i = m.find(',', i + 2)) m.insert(i + 1, " ");
    return m;
  };
  if (same) return spaced(modes.front());
  std::string out;
  for (size_t i = 0; i < runs.size(); ++i) {
    out += (i ? " · " : "") + spaced(modes[i]) + " (" + runs[i].label + ")";
  }
  return out;
}

std::vector<EnvRow> BuildEnvironment(const std::vector<Results>& runs) {
  std::vector<EnvRow> rows;
  auto add = [&](const std::string& label, auto get) {
    EnvRow row{label, {}};
    bool any = false;
    for (const Results& run : runs) {
      std::string v = get(run);
      any = any || !v.empty();
      row.values.push_back(v);
    }
    if (any) rows.push_back(std::move(row));
  };
  // Environment and parameter values as text; "" (row left out) where a run does not know it.
  auto env_string = [](std::string results::Environment::*field) {
    return [field](const Results& run) { return run.environment.*field; };
  };
  auto count = [](auto value) { return value > 0 ? FormatNumber(static_cast<double>(value)) : ""; };
  add("file", [](const Results& run) { return run.path; });
  add("created", [](const Results& run) { return run.created; });
  add("racetrack", [](const Results& run) { return run.racetrack_version; });
  add("host", env_string(&results::Environment::host));
  add("cores", [&](const Results& run) { return count(run.environment.cores); });
  add("memory", [](const Results& run) {
    const uint64_t bytes = run.environment.memory_bytes;
    return bytes > 0 ? Gib(static_cast<double>(bytes)) : std::string();
  });
  add("kernel", env_string(&results::Environment::kernel));
  add("compiler", env_string(&results::Environment::compiler));
  add("git revision", env_string(&results::Environment::git_revision));
  add("loopback RTT", [](const Results& run) {
    const double rtt = run.environment.loopback_rtt_us;
    return rtt > 0 ? FormatMicros(rtt) : std::string();
  });
  std::vector<std::string> servers;
  for (const Results& run : runs) {
    for (const auto& [name, v] : run.environment.servers) {
      if (std::find(servers.begin(), servers.end(), name) == servers.end()) servers.push_back(name);
    }
  }
  for (const std::string& name : servers) {
    add(name + " version", [&name](const Results& run) {
      auto it = run.environment.servers.find(name);
      return it == run.environment.servers.end() ? std::string() : it->second;
    });
  }
  add("durability", [](const Results& run) {
    return run.environment.durability.empty() ? std::string("not recorded")
                                              : run.environment.durability;
  });
  std::vector<std::string> settings;  // "postgres", "redis@strict", ...
  for (const Results& run : runs) {
    for (const auto& [name, v] : run.environment.server_settings) {
      if (std::find(settings.begin(), settings.end(), name) == settings.end()) {
        settings.push_back(name);
      }
    }
  }
  for (const std::string& name : settings) {
    add(name + " durability (read back)", [&name](const Results& run) {
      auto it = run.environment.server_settings.find(name);
      std::string out;
      if (it == run.environment.server_settings.end()) return out;
      for (const auto& [k, v] : it->second) {
        out += (out.empty() ? "" : ", ") + k + "=" + (v.empty() ? "\"\"" : v);
      }
      return out;
    });
  }
  const auto& p = &Results::parameters;
  // Each lesson's own clients and duration, from its records (lessons have their own defaults):
  // one value when all agree, else "lesson: values" per lesson.
  add("clients", [&](const Results& run) {
    return PerLesson(run, [](const Record& r) -> std::optional<double> { return r.Param("clients"); },
                     count((run.*p).clients));
  });
  add("duration per repetition (s, measured median)", [&](const Results& run) {
    return PerLesson(run, MedianRepetitionSeconds, FormatNumber((run.*p).duration_s),
                     /*median=*/true);
  });
  add("warm-up (s)", [&](const Results& run) { return FormatNumber((run.*p).warmup_s); });
  add("repetitions", [&](const Results& run) { return count((run.*p).repetitions); });
  add("rate (ops/s)", [&](const Results& run) {
    return (run.*p).rate ? FormatNumber(*(run.*p).rate) : std::string();
  });
  add("seed", [&](const Results& run) { return FormatNumber(static_cast<double>((run.*p).seed)); });
  add("command line", [&](const Results& run) { return (run.*p).command_line; });
  return rows;
}

}  // namespace racetrack::reports
