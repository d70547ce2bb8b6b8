// Why both a threshold and a test: on small, noisy machines a 3% change is often significant and
// still meaningless, and a 25% change from three repetitions may be luck. Requiring both (when the
// test has the power to say anything) keeps CI quiet on noise and loud on real slowdowns; below
// compare.py's 9 repetitions the U test cannot reach small p-values reliably, so the threshold
// decides alone and the output says so.

#include "reports/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "reports/format.h"
#include "reports/gate.h"
#include "reports/stats.h"

namespace racetrack::reports {

namespace {

using nlohmann::json;

// One metric of one matched record, before the gate has judged it.
struct PendingMetric {
  MetricChange change;
  GateInput input;
};

// One metric of one record: its per-repetition samples and, for a record merged from rounds
// (kRoundsFigure: K = repetitions / rounds consecutive repetitions per round), the round each
// sample came from (gate.h GateInput::base_round_of).
struct Samples {
  std::vector<double> values;
  std::vector<int> round_of;  // parallel to values; empty when rounds == 0
  int rounds = 0;             // 0: not merged from rounds (or not evenly): unpaired
};

// A repetition that completed no operation (a loaded machine can starve a 0.1 s window) measured
// nothing, so it gives no sample of any metric: its p99 of 0 is not a latency. Its round keeps
// its other repetitions.
bool Measured(const Repetition& rep) { return !rep.ops || *rep.ops > 0; }

// `get`'s value of each measured repetition, with its round.
template <typename Get>
Samples SamplesOf(const Record& r, Get get) {
  Samples s;
  const size_t n = r.repetitions.size();
  const std::optional<double> runs = r.Figure(std::string(kRoundsFigure));
  size_t per_round = 0;
  if (runs && *runs >= 1 && *runs == std::floor(*runs) && n > 0 &&
      n % static_cast<size_t>(*runs) == 0) {
    s.rounds = static_cast<int>(*runs);
    per_round = n / static_cast<size_t>(*runs);
  }
  for (size_t i = 0; i < n; ++i) {
    const Repetition& rep = r.repetitions[i];
    if (!Measured(rep)) continue;
    const std::optional<double> v = get(rep);
    if (!v) continue;
    s.values.push_back(*v);
    if (per_round > 0) s.round_of.push_back(static_cast<int>(i / per_round));
  }
  return s;
}

PendingMetric Metric(std::string metric, std::string unit, std::optional<double> base_value,
                     std::optional<double> next_value, Samples base, Samples next) {
  PendingMetric p;
  p.change.metric = std::move(metric);
  p.change.unit = std::move(unit);
  p.change.base_n = base.values.size();
  p.change.next_n = next.values.size();
  p.input.base = std::move(base.values);
  p.input.next = std::move(next.values);
  p.input.base_round_of = std::move(base.round_of);
  p.input.next_round_of = std::move(next.round_of);
  p.input.base_rounds = base.rounds;
  p.input.next_rounds = next.rounds;
  p.input.base_value = base_value;
  p.input.next_value = next_value;
  return p;
}

// Throughput (units/s) -> microseconds per unit: the cost the gate judges. A repetition with no
// throughput (0 operations) has no time per op and is left out.
constexpr double kMicrosPerSecond = 1e6;
std::optional<double> TimePerOp(const std::optional<double>& throughput) {
  if (!throughput || !(*throughput > 0)) return std::nullopt;
  return kMicrosPerSecond / *throughput;
}
// Time per op of each measured repetition (Record::ThroughputSamples' rule: the recorded
// throughput, else ops / duration); a record without any gives its one throughput, unpaired.
Samples TimePerOpSamples(const Record& r) {
  Samples s = SamplesOf(r, [](const Repetition& rep) -> std::optional<double> {
    if (rep.throughput_ops_s) return TimePerOp(rep.throughput_ops_s);
    if (rep.ops && rep.duration_s && *rep.duration_s > 0) {
      return TimePerOp(*rep.ops / *rep.duration_s);
    }
    return std::nullopt;
  });
  if (s.values.empty() && r.throughput_ops_s) {
    s = Samples();
    if (auto t = TimePerOp(r.throughput_ops_s)) s.values.push_back(*t);
  }
  return s;
}
Samples P50Samples(const Record& r) {
  return SamplesOf(r, [](const Repetition& rep) { return rep.p50_us; });
}
Samples P99Samples(const Record& r) {
  return SamplesOf(r, [](const Repetition& rep) { return rep.p99_us; });
}
Samples CpuSamples(const Record& r) {
  return SamplesOf(r, [](const Repetition& rep) { return rep.cpu_us_per_op; });
}

// A merged record's checks (compare-run: one per harness run), else its one verdict.
CheckCounts Checks(const Record& r) {
  CheckCounts c;
  if (!r.correctness.checked) return c;
  const std::optional<double> runs = r.Figure(std::string(kChecksFigure));
  const std::optional<double> failed = r.Figure(std::string(kFailedChecksFigure));
  if (runs && failed && *runs >= 1 && *failed >= 0 && *failed <= *runs) {
    c.runs = static_cast<int>(*runs);
    c.failed = static_cast<int>(*failed);
  } else {
    c.runs = 1;
    c.failed = r.correctness.ok ? 0 : 1;
  }
  return c;
}

// passed -> fails: every check of `to` failed, and `from` passed in most of its checks.
bool IsFlip(const CheckCounts& from, const CheckCounts& to) {
  return from.runs > 0 && to.runs > 0 && to.failed == to.runs && 2 * from.failed < from.runs;
}

void Apply(const GateVerdict& v, MetricChange* m) {
  m->base = v.base;
  m->next = v.next;
  m->change = v.change;
  m->p_value = v.p_value;
  m->p_adjusted = v.p_adjusted;
  m->weak = v.weak;
  m->paired = v.paired;
  m->rounds = v.rounds;
  m->threshold = v.threshold;
  m->threshold_source = v.threshold_source;
  m->outcome = OutcomeName(v.outcome);
  m->reason = v.reason;
  m->regression = v.regression();
  m->improvement = v.improvement();
}

constexpr char kCostNote[] =
    "Every metric is a cost (time/op = 1 / throughput, p50, p99, CPU per op): a regression is NEW/BASE "
    "above 1 + t, an improvement below 1 / (1 + t). One metric per record gates (p50, else "
    "time/op; or CPU per op); the others are reported, marked not gated. Records merged from "
    "interleaved rounds (compare-run) are judged paired: each side's best repetition, its noise "
    "and p-value from a bootstrap over the paired rounds.";

constexpr char kDriftNote[] =
    "sequential runs carry the machine's drift between them (on a shared box often more than the "
    "threshold); for a CI gate use `racetrack compare-run`, which interleaves the two builds";

std::string Name(const Record& r) {
  std::string name = r.scenario + "/" + r.approach + "/" + r.target;
  std::string params = r.ParamsLabel();
  return params.empty() ? name : name + " " + params;
}

// Every metric is a time in microseconds (per op, or a latency).
std::string Value(const std::optional<double>& v) { return v ? FormatMicros(*v) : "–"; }

// "time/op" names the lesson's unit when it has one: "time/increment".
std::string MetricName(const MetricChange& m) {
  if (m.metric != "time/op" || m.per.empty() || m.per == "ops") return m.metric;
  std::string unit = m.per;
  if (unit.size() > 3 && unit.ends_with("ies")) {
    unit.replace(unit.size() - 3, 3, "y");  // queries -> query
  } else if (unit.size() > 1 && unit.ends_with("s")) {
    unit.pop_back();
  }
  return "time/" + unit;
}

std::string PValue(const MetricChange& m) {
  if (!m.p_value) return "–";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4f%s", *m.p_value, m.weak && m.gates ? " (weak)" : "");
  return buf;
}

std::string MetricVerdict(const MetricChange& m) {
  if (m.regression) return "REGRESSION";
  if (m.improvement) return "improved";
  if (!m.change) return "n/a";
  if (!m.gates) return m.outcome == "not gated" ? "beyond (not gated)" : "ok (not gated)";
  return m.outcome == "not significant" ? "ok (not significant)" : "ok";
}

// "passed in base, FAILS in new" with the run counts when a side merged several runs.
std::string FlipText(const RecordComparison& rc, bool markdown) {
  auto runs = [](const CheckCounts& c, bool failed) {
    if (c.runs <= 1) return std::string();
    return " (" + std::to_string(failed ? c.failed : c.runs - c.failed) + "/" +
           std::to_string(c.runs) + " runs)";
  };
  if (rc.correctness_flip) {
    return "passed in base" + runs(rc.base_checks, false) + ", " +
           (markdown ? "fails" : "FAILS") + " in new" + runs(rc.next_checks, true);
  }
  return "failed in base" + runs(rc.base_checks, true) + ", passes in new" +
         runs(rc.next_checks, false);
}

std::string Threshold(const MetricChange& m) {
  if (!m.change) return "–";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%", m.threshold * 100);
  return buf;
}

std::string AdjustedP(const MetricChange& m) {
  if (!m.gates) return "–";  // reported only: not in the Holm family
  if (!m.p_adjusted) return m.p_value ? "weak" : "–";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4f", *m.p_adjusted);
  return buf;
}

// When a test is weak: unpaired, fewer than kUTestOptimalRepetitions per side; paired, fewer
// than GateSettings::min_test_rounds rounds.
std::string WeakWhy() {
  return "unpaired: fewer than " + std::to_string(kUTestOptimalRepetitions) +
         " repetitions on a side; paired: fewer than " +
         std::to_string(GateSettings{}.min_test_rounds) + " rounds";
}

std::string Pad(const std::string& s, size_t width, bool right = false) {
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  if (chars >= width) return s;
  std::string pad(width - chars, ' ');
  return right ? pad + s : s + pad;
}

}  // namespace

std::string AaKey(const std::string& record_key, const std::string& metric) {
  return record_key + "|" + metric;
}

Status ReadAaSpread(const std::string& path, std::map<std::string, double>* spread) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + ": cannot read the A/A comparison");
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("records") || !j["records"].is_array()) {
    return Status::Corruption(path + ": not a comparison JSON (`racetrack compare --json`)");
  }
  for (const json& r : j["records"]) {
    if (!r.is_object() || !r.contains("metrics") || !r["metrics"].is_array()) continue;
    // The record's identity as Record::Key() spells it, so the spread meets the record it was
    // measured on whatever the JSON's number formatting.
    Record id;
    id.scenario = r.value("scenario", "");
    id.approach = r.value("approach", "");
    id.target = r.value("target", "");
    const json params = r.value("params", json::object());  // named: items() of a temporary dangles
    for (const auto& [name, value] : params.items()) {
      if (value.is_number()) id.params[name] = value.get<double>();
    }
    const std::string key = id.Key();
    for (const json& m : r["metrics"]) {
      if (!m.is_object() || !m.contains("change") || !m["change"].is_number()) continue;
      std::string metric = m.value("metric", "");
      double change = m["change"].get<double>();
      if (metric == "throughput") {  // a comparison written before costs were judged
        if (!(change > -1)) continue;
        metric = "time/op";
        change = 1 / (1 + change) - 1;
      }
      double& v = (*spread)[AaKey(key, metric)];
      v = std::max(v, SymmetricChange(change));
    }
  }
  return Status::Ok();
}

bool RecordComparison::Regressed() const {
  return correctness_flip ||
         std::any_of(metrics.begin(), metrics.end(), [](const MetricChange& m) { return m.regression; });
}

Comparison CompareResults(const Results& base, const Results& next, const CompareSettings& s) {
  Comparison c;
  c.base_path = base.path;
  c.next_path = next.path;
  c.settings = s;
  std::map<std::string, std::vector<const Record*>> next_by_key;
  for (const Record& r : next.records) next_by_key[r.Key()].push_back(&r);
  std::map<std::string, size_t> used;
  std::vector<PendingMetric> pending;
  std::vector<size_t> metric_owner;  // metrics per matched record, in order
  for (const Record& b : base.records) {
    std::string key = b.Key();
    auto it = next_by_key.find(key);
    size_t& k = used[key];
    if (it == next_by_key.end() || k >= it->second.size()) {
      c.only_base.push_back(&b);
      continue;
    }
    const Record& n = *it->second[k++];
    RecordComparison rc;
    rc.base = &b;
    rc.next = &n;
    std::vector<PendingMetric> metrics;
    if (s.metric == "cpu") {
      metrics.push_back(Metric("cpu", "us/op", b.Figure("cpu_us_per_op"),
                               n.Figure("cpu_us_per_op"), CpuSamples(b), CpuSamples(n)));
    } else {
      metrics.push_back(Metric("time/op", "us/op", TimePerOp(b.throughput_ops_s),
                               TimePerOp(n.throughput_ops_s), TimePerOpSamples(b),
                               TimePerOpSamples(n)));
      metrics.back().change.per = n.Unit();
      // p50 only where both runs recorded it per repetition (results from before p50_us was
      // written would otherwise be judged on one median each, a new source of weak verdicts).
      // Where it is, p50 gates and time/op is reported.
      if (!b.P50Samples().empty() && !n.P50Samples().empty()) {
        metrics.back().input.gates = false;
        metrics.push_back(Metric("p50", "us", b.latency_us.p50, n.latency_us.p50,
                                 P50Samples(b), P50Samples(n)));
      }
      metrics.push_back(Metric("p99", "us", b.latency_us.p99, n.latency_us.p99,
                               P99Samples(b), P99Samples(n)));
      metrics.back().input.gates = false;
    }
    for (PendingMetric& m : metrics) {
      m.change.gates = m.input.gates;
      auto aa = s.aa_spread.find(AaKey(key, m.change.metric));
      if (aa != s.aa_spread.end()) m.input.aa_spread = aa->second;
      pending.push_back(std::move(m));
    }
    rc.base_checks = Checks(b);
    rc.next_checks = Checks(n);
    rc.correctness_flip = n.ExpectedCorrect() && IsFlip(rc.base_checks, rc.next_checks);
    rc.correctness_fixed = IsFlip(rc.next_checks, rc.base_checks);
    c.flips += rc.correctness_flip;
    c.matched.push_back(std::move(rc));
    metric_owner.push_back(metrics.size());
  }
  // One gate decision over every metric of every matched record: one Holm family.
  std::vector<GateInput> inputs;
  for (const PendingMetric& p : pending) inputs.push_back(p.input);
  GateSettings gs;
  gs.floor = s.threshold_pct / 100;
  gs.alpha = s.alpha;
  gs.min_test_repetitions = kUTestOptimalRepetitions;
  const std::vector<GateVerdict> verdicts = JudgeAll(inputs, gs);
  size_t next_metric = 0;
  for (size_t i = 0; i < c.matched.size(); ++i) {
    RecordComparison& rc = c.matched[i];
    for (size_t k = 0; k < metric_owner[i]; ++k, ++next_metric) {
      MetricChange m = std::move(pending[next_metric].change);
      Apply(verdicts[next_metric], &m);
      m.more_rounds = m.gates && MoreRoundsCouldDecide(verdicts[next_metric], gs);
      c.regressions += m.regression;
      rc.metrics.push_back(std::move(m));
    }
    c.weak += std::any_of(rc.metrics.begin(), rc.metrics.end(),
                          [](const MetricChange& m) { return m.change && m.weak; });
  }
  for (const Record& n : next.records) {
    size_t& k = used[n.Key()];
    auto it = next_by_key.find(n.Key());
    // Records of `next` beyond those matched for this key are new.
    size_t index = std::find(it->second.begin(), it->second.end(), &n) - it->second.begin();
    if (index >= k) c.only_next.push_back(&n);
  }
  return c;
}

std::string ComparisonText(const Comparison& c) {
  std::ostringstream o;
  o << "racetrack compare: " << c.base_path << " -> " << c.next_path << " (metric "
    << c.settings.metric << ", threshold max(" << FormatNumber(c.settings.threshold_pct)
    << "%, 2 x IQR/median of each side" << (c.settings.aa_spread.empty() ? "" : ", A/A spread")
    << "), alpha " << FormatNumber(c.settings.alpha) << " Holm-corrected)\n"
    << kCostNote << "\n";
  if (!c.settings.interleaved) o << "note: " << kDriftNote << ".\n";
  o << "\n";
  size_t name_w = 6;
  for (const RecordComparison& rc : c.matched) name_w = std::max(name_w, Name(*rc.base).size());
  name_w = std::min<size_t>(name_w, 60);
  o << Pad("record", name_w) << "  " << Pad("metric", 16) << Pad("base", 12, true)
    << Pad("new", 12, true) << Pad("change", 9, true) << Pad("limit", 8, true) << "  "
    << Pad("p-value", 15) << Pad("p-adj", 8) << Pad("verdict", 22) << "why\n";
  for (const RecordComparison& rc : c.matched) {
    bool first = true;
    for (const MetricChange& m : rc.metrics) {
      o << Pad(first ? Name(*rc.base) : "", name_w) << "  " << Pad(MetricName(m), 16)
        << Pad(Value(m.base), 12, true) << Pad(Value(m.next), 12, true)
        << Pad(m.change ? FormatPercent(*m.change) : "–", 9, true)
        << Pad(Threshold(m), 8, true) << "  " << Pad(PValue(m), 15) << Pad(AdjustedP(m), 8)
        << Pad(MetricVerdict(m), 22) << m.reason << "\n";
      first = false;
    }
    if (rc.correctness_flip) {
      o << Pad("", name_w) << "  correctness: " << FlipText(rc, false) << " -> REGRESSION\n";
    } else if (rc.correctness_fixed) {
      o << Pad("", name_w) << "  correctness: " << FlipText(rc, false) << "\n";
    }
  }
  for (const Record* r : c.only_base) o << "\nonly in base (not compared): " << Name(*r);
  for (const Record* r : c.only_next) o << "\nonly in new (not compared): " << Name(*r);
  if (!c.only_base.empty() || !c.only_next.empty()) o << "\n";
  if (c.weak > 0) {
    o << "\nnote: " << c.weak << " record(s) have too few samples for the test (" << WeakWhy()
      << "): the test is weak there, so the threshold alone decides.\n";
  }
  o << "\nresult: " << c.regressions << " regression(s), " << c.flips
    << " correctness flip(s) -> exit " << c.ExitCode() << "\n";
  return o.str();
}

std::string ComparisonMarkdown(const Comparison& c) {
  std::ostringstream o;
  o << "## racetrack compare\n\n`" << MarkdownEscape(c.base_path) << "` → `"
    << MarkdownEscape(c.next_path) << "` · metric " << c.settings.metric << " · threshold max("
    << FormatNumber(c.settings.threshold_pct) << "%, 2 × IQR/median of each side"
    << (c.settings.aa_spread.empty() ? "" : ", A/A spread") << ") · alpha "
    << FormatNumber(c.settings.alpha) << " (Holm)\n\n" << kCostNote << "\n\n";
  if (!c.settings.interleaved) o << "> Note: " << kDriftNote << ".\n\n";
  o << (c.Failed() ? "❌ **" + std::to_string(c.regressions) + " regression(s), " +
                         std::to_string(c.flips) + " correctness flip(s)**\n\n"
                   : std::string("✅ no significant regression\n\n"));
  o << "| record | metric | base | new | change | threshold | p-value | Holm p | verdict | why |\n"
       "|---|---|--:|--:|--:|--:|--:|--:|---|---|\n";
  for (const RecordComparison& rc : c.matched) {
    for (const MetricChange& m : rc.metrics) {
      std::string verdict = MetricVerdict(m);
      if (m.regression) verdict = "❌ " + verdict;
      o << "| " << MarkdownEscape(Name(*rc.base)) << " | " << MetricName(m) << " | " << Value(m.base)
        << " | " << Value(m.next) << " | " << (m.change ? FormatPercent(*m.change) : "–")
        << " | " << Threshold(m) << " | " << PValue(m) << " | " << AdjustedP(m) << " | "
        << verdict << " | " << MarkdownEscape(m.reason) << " |\n";
    }
    if (rc.correctness_flip) {
      o << "| " << MarkdownEscape(Name(*rc.base))
        << " | correctness | ok | FAILED | | | | | ❌ REGRESSION | " << FlipText(rc, true)
        << " |\n";
    }
  }
  if (!c.only_base.empty() || !c.only_next.empty()) o << "\n";
  for (const Record* r : c.only_base) o << "- only in base: `" << MarkdownEscape(Name(*r)) << "`\n";
  for (const Record* r : c.only_next) o << "- only in new: `" << MarkdownEscape(Name(*r)) << "`\n";
  if (c.weak > 0) {
    o << "\n> " << c.weak << " record(s) have too few samples for the test (" << WeakWhy()
      << "): the threshold alone decides.\n";
  }
  return o.str();
}

namespace {

// Integral parameters stay integers ("N": 1000), as the results file and readers expect.
json ParamsJson(const std::map<std::string, double>& params) {
  json j = json::object();
  for (const auto& [k, v] : params) {
    if (v == std::floor(v) && std::fabs(v) < 9e15) {
      j[k] = static_cast<int64_t>(v);
    } else {
      j[k] = v;
    }
  }
  return j;
}

}  // namespace

json ComparisonJson(const Comparison& c) {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json records = json::array();
  for (const RecordComparison& rc : c.matched) {
    json metrics = json::array();
    for (const MetricChange& m : rc.metrics) {
      metrics.push_back({{"metric", m.metric}, {"unit", m.unit}, {"per", m.per},
                         {"higher_is_better", false}, {"base", opt(m.base)},
                         {"new", opt(m.next)}, {"change", opt(m.change)},
                         {"p_value", opt(m.p_value)}, {"p_adjusted", opt(m.p_adjusted)},
                         {"threshold", m.threshold}, {"threshold_source", m.threshold_source},
                         {"outcome", m.outcome}, {"reason", m.reason},
                         {"base_repetitions", m.base_n},
                         {"new_repetitions", m.next_n}, {"weak_test", m.weak},
                         {"paired_rounds", m.paired ? json(m.rounds) : json(nullptr)},
                         {"regression", m.regression}, {"improvement", m.improvement},
                         {"gates", m.gates}});
    }
    auto ok = [](const Record& r) {
      return r.correctness.checked ? json(r.correctness.ok) : json(nullptr);
    };
    records.push_back({{"scenario", rc.base->scenario}, {"approach", rc.base->approach},
                       {"target", rc.base->target}, {"params", ParamsJson(rc.base->params)},
                       {"metrics", metrics},
                       {"correctness", {{"base_ok", ok(*rc.base)}, {"new_ok", ok(*rc.next)},
                                        {"base_verdict", results::VerdictId(rc.base->verdict())},
                                        {"new_verdict", results::VerdictId(rc.next->verdict())},
                                        {"base_checks", rc.base_checks.runs},
                                        {"base_failed_checks", rc.base_checks.failed},
                                        {"new_checks", rc.next_checks.runs},
                                        {"new_failed_checks", rc.next_checks.failed},
                                        {"flip", rc.correctness_flip}}},
                       {"regression", rc.Regressed()}});
  }
  auto names = [](const std::vector<const Record*>& rs) {
    json out = json::array();
    for (const Record* r : rs) {
      out.push_back({{"scenario", r->scenario}, {"approach", r->approach}, {"target", r->target},
                     {"params", ParamsJson(r->params)}});
    }
    return out;
  };
  return {{"base", c.base_path},
          {"new", c.next_path},
          {"threshold_pct", c.settings.threshold_pct},
          {"alpha", c.settings.alpha},
          {"metric", c.settings.metric},
          {"interleaved", c.settings.interleaved},
          {"exit_code", c.ExitCode()},
          {"regressions", c.regressions},
          {"correctness_flips", c.flips},
          {"records", records},
          {"only_in_base", names(c.only_base)},
          {"only_in_new", names(c.only_next)}};
}

}  // namespace racetrack::reports
