// Why a join and not "the first matching record": lessons sweep parameters (pipeline's RTT and
// batch, cache's query, leaderboard's N), and a ratio is only meaningful between records measured
// at the same point. Parameters a subject pins are exempt (pipeline's batch exists on one side
// only), every other shared parameter must be equal.

#include "reports/claims.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "reports/format.h"

namespace racetrack::reports {

namespace {

using results::ClaimSubject;

// A per-second figure: "throughput", "throughput_writes_s", "db_queries_per_s" (a "_s" name that
// is not a rate is a time).
bool IsRate(std::string_view figure) {
  return figure == "throughput" || figure.starts_with("throughput_") || figure.ends_with("_per_s");
}

// A figure's name may end in a statistic after its unit ("recover_s_mean": seconds, averaged);
// splits it into "recover_s" and "_mean" so the unit is found either way.
std::pair<std::string_view, std::string_view> SplitStatistic(std::string_view figure) {
  for (std::string_view stat : {"_mean", "_median", "_min", "_max"}) {
    if (figure.size() > stat.size() && figure.ends_with(stat)) {
      return {figure.substr(0, figure.size() - stat.size()), stat};
    }
  }
  return {figure, {}};
}

const std::string& SubjectFigure(const ClaimText& claim, const ClaimSubject& s) {
  return s.figure.empty() ? claim.figure : s.figure;
}

// Step 1 of the header: the records a subject selects.
std::vector<const Record*> Select(const ClaimText& claim, const ClaimSubject& s,
                                  const std::string& scenario,
                                  const std::vector<Record>& records) {
  std::vector<const Record*> out;
  for (const Record& r : records) {
    if (r.scenario != scenario || r.approach != s.approach) continue;
    if (!s.target.empty() && r.target != s.target) continue;
    if (!r.error.empty() || !RecordFigure(r, SubjectFigure(claim, s))) continue;
    bool match = true;
    for (const auto& [k, v] : s.params) match = match && r.Param(k) == v;
    if (match) out.push_back(&r);
  }
  if (claim.at_largest.empty()) return out;
  std::map<std::string, double> largest;  // per target
  for (const Record* r : out) {
    if (auto v = r->Param(claim.at_largest)) {
      auto [it, fresh] = largest.emplace(r->target, *v);
      if (!fresh) it->second = std::max(it->second, *v);
    }
  }
  std::vector<const Record*> kept;
  for (const Record* r : out) {
    auto it = largest.find(r->target);
    if (it == largest.end() || r->Param(claim.at_largest) == it->second) kept.push_back(r);
  }
  return kept;
}

bool Pinned(const ClaimText& claim, const std::string& param) {
  for (const ClaimSubject& s : claim.subjects) {
    if (s.params.count(param) > 0) return true;
  }
  return param == claim.at_largest;
}

// Step 2: may `r` join the records already chosen?
bool Compatible(const ClaimText& claim, const std::vector<const Record*>& chosen,
                const Record& r) {
  const bool free_target = claim.subjects[chosen.size()].target.empty();
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (free_target && claim.subjects[i].target.empty() && chosen[i]->target != r.target) {
      return false;
    }
    for (const auto& [k, v] : r.params) {
      if (Pinned(claim, k)) continue;
      auto other = chosen[i]->Param(k);
      if (other && *other != v) return false;
    }
  }
  return true;
}

void Join(const ClaimText& claim, const std::vector<std::vector<const Record*>>& candidates,
          std::vector<const Record*>& chosen, std::vector<std::vector<const Record*>>* out) {
  if (chosen.size() == candidates.size()) {
    out->push_back(chosen);
    return;
  }
  for (const Record* r : candidates[chosen.size()]) {
    if (!Compatible(claim, chosen, *r)) continue;
    chosen.push_back(r);
    Join(claim, candidates, chosen, out);
    chosen.pop_back();
  }
}

ClaimOutcome Judge(const ClaimText& claim, double v) {
  const bool higher_confirms = claim.confirm_at >= claim.contradict_at;
  if (higher_confirms ? v >= claim.confirm_at : v <= claim.confirm_at) {
    return ClaimOutcome::kConfirmed;
  }
  if (higher_confirms ? v <= claim.contradict_at : v >= claim.contradict_at) {
    return ClaimOutcome::kContradicted;
  }
  return ClaimOutcome::kDepends;
}

std::string Ratio(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f×" : v >= 10 ? "%.1f×" : "%.2f×", v);
  return buf;
}

// Where a point was measured: the targets of its records, then the unpinned parameters that
// differ between points (added by Label once all points are known).
std::string Targets(const std::vector<const Record*>& records) {
  std::vector<std::string> targets;
  for (const Record* r : records) {
    if (std::find(targets.begin(), targets.end(), r->target) == targets.end()) {
      targets.push_back(r->target);
    }
  }
  std::string out;
  for (const std::string& t : targets) out += (out.empty() ? "" : "/") + t;
  return out;
}

}  // namespace

std::optional<double> RecordFigure(const Record& r, std::string_view figure) {
  if (figure == "throughput") return r.throughput_ops_s;
  if (figure == "p50_us") return r.latency_us.p50;
  if (figure == "p99_us") return r.latency_us.p99;
  return r.Figure(std::string(figure));
}

std::string_view ClaimOutcomeName(ClaimOutcome outcome) {
  switch (outcome) {
    case ClaimOutcome::kConfirmed: return "confirmed";
    case ClaimOutcome::kContradicted: return "contradicted";
    case ClaimOutcome::kDepends: return "depends";
    case ClaimOutcome::kNotMeasured: return "not measured";
  }
  return "not measured";
}

std::string FormatClaimFigure(std::string_view figure, double value) {
  const std::string_view base = SplitStatistic(figure).first;
  auto ends = [&](std::string_view suffix) {
    return base.size() >= suffix.size() &&
           base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  char buf[48];
  if (IsRate(base)) return FormatHuman(value) + "/s";
  if (ends("_us")) return FormatMicros(value);
  if (ends("_s")) return FormatMicros(value * 1e6);
  if (figure.find("bytes") != std::string_view::npos) {
    if (value >= 1024 * 1024) {
      std::snprintf(buf, sizeof buf, "%.3g MB", value / (1024 * 1024));
    } else if (value >= 1024) {
      std::snprintf(buf, sizeof buf, "%.3g KB", value / 1024);
    } else {
      std::snprintf(buf, sizeof buf, "%.0f B", value);
    }
    return buf;
  }
  if (figure.find("rel_error") != std::string_view::npos) {
    std::snprintf(buf, sizeof buf, "%.2f%%", value * 100);
    return buf;
  }
  if (ends("ratio") || ends("over_model")) return Ratio(value);
  return FormatHuman(value);
}

std::string ClaimFigureLabel(std::string_view figure) {
  // FormatClaimFigure prints times and rates with their own unit ("520 ms", "78,400/s"), so the
  // name drops its unit ("recover_s_mean" -> "recover mean").
  const auto [base, stat] = SplitStatistic(figure);
  for (std::string_view unit : {"_per_s", "_us", "_s"}) {
    if (base.size() > unit.size() && base.ends_with(unit)) {
      return Humanize(std::string(base.substr(0, base.size() - unit.size())) + std::string(stat));
    }
  }
  return Humanize(figure);
}

ClaimEvaluation EvaluateClaim(const ClaimText& claim, const std::string& scenario,
                              const std::vector<Record>& records) {
  ClaimEvaluation ev;
  ev.scenario = scenario;
  ev.claim = claim;
  // Each point's records, in subject order (a value claim: one record, subject `subject_of`).
  std::vector<std::vector<const Record*>> combos;
  std::vector<size_t> subject_of;
  if (claim.kind == "value") {
    for (size_t i = 0; i < claim.subjects.size(); ++i) {
      for (const Record* r : Select(claim, claim.subjects[i], scenario, records)) {
        combos.push_back({r});
        subject_of.push_back(i);
      }
    }
  } else if (claim.subjects.size() >= 2) {
    std::vector<std::vector<const Record*>> candidates;
    for (const ClaimSubject& s : claim.subjects) {
      candidates.push_back(Select(claim, s, scenario, records));
    }
    std::vector<const Record*> chosen;
    Join(claim, candidates, chosen, &combos);
    subject_of.assign(combos.size(), 0);
  }
  // Unpinned parameters whose values differ between points name the point beside its target.
  std::map<std::string, std::set<double>> seen;
  for (const auto& combo : combos) {
    for (const Record* r : combo) {
      for (const auto& [k, v] : r->params) {
        if (!Pinned(claim, k) || k == claim.at_largest) seen[k].insert(v);
      }
    }
  }
  for (size_t p = 0; p < combos.size(); ++p) {
    const auto& combo = combos[p];
    ClaimPoint point;
    point.where = Targets(combo);
    for (const auto& [k, values] : seen) {
      if (values.size() < 2 && k != claim.at_largest) continue;
      for (const Record* r : combo) {
        if (auto v = r->Param(k)) {
          point.where += ", " + k + "=" +
                         (k == "durability" ? results::DurabilityParamName(*v) : FormatNumber(*v));
          break;
        }
      }
    }
    std::vector<double> values;
    for (size_t i = 0; i < combo.size(); ++i) {
      const ClaimSubject& s = claim.subjects[claim.kind == "value" ? subject_of[p] : i];
      values.push_back(*RecordFigure(*combo[i], SubjectFigure(claim, s)));
      if (!point.text.empty()) point.text += claim.kind == "chain" ? " → " : " / ";
      point.text += s.label + " " + FormatClaimFigure(SubjectFigure(claim, s), values.back());
    }
    if (claim.kind == "value") {
      point.decisive = values[0];
    } else {
      if (values.back() <= 0) continue;  // no ratio to a zero
      point.decisive = values.front() / values.back();
      point.text += (claim.kind == "chain" ? " (" : " = ") + Ratio(point.decisive) +
                    (claim.kind == "chain" ? ")" : "");
    }
    point.outcome = Judge(claim, point.decisive);
    ev.points.push_back(std::move(point));
  }
  if (ev.points.empty()) {
    ev.outcome = ClaimOutcome::kNotMeasured;
    ev.measured = "no record of this run measures it";
    return ev;
  }
  ev.outcome = ev.points.front().outcome;
  for (const ClaimPoint& p : ev.points) {
    if (p.outcome != ev.outcome) ev.outcome = ClaimOutcome::kDepends;
    if (!ev.measured.empty()) ev.measured += "; ";
    ev.measured += p.where + ": " + p.text;
  }
  return ev;
}

std::string ClaimOutcomeMark(ClaimOutcome outcome) {
  switch (outcome) {
    case ClaimOutcome::kConfirmed: return "✅ confirmed";
    case ClaimOutcome::kContradicted: return "⊘ contradicted";  // not ❌: that mark is a wrong-unexpected verdict
    case ClaimOutcome::kDepends: return "⚖️ depends";
    case ClaimOutcome::kNotMeasured: return "– not measured";
  }
  return "–";
}

std::string ClaimsMarkdownTable(const std::vector<ClaimEvaluation>& claims) {
  if (claims.empty()) return "";
  std::string out =
      "| lesson | the article says | measured here | outcome | decided by |\n"
      "|---|---|---|---|---|\n";
  for (const ClaimEvaluation& c : claims) {
    out += "| " + MarkdownEscape(c.lesson.empty() ? c.scenario : c.lesson) + " | " +
           MarkdownEscape(c.claim.article) + " | " + MarkdownEscape(c.measured) + " | " +
           ClaimOutcomeMark(c.outcome) + " | " + MarkdownEscape(c.claim.rule) + " |\n";
  }
  return out;
}

std::vector<ClaimEvaluation> EvaluateClaims(const Results& run) {
  std::vector<ClaimEvaluation> out;
  for (const std::string& id : run.Scenarios()) {
    auto info = run.scenario_info.find(id);
    if (info == run.scenario_info.end()) continue;
    for (const ClaimText& claim : info->second.claims) {
      out.push_back(EvaluateClaim(claim, id, run.records));
      out.back().lesson = info->second.title;
    }
  }
  return out;
}

}  // namespace racetrack::reports
