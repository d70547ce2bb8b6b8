// Why both a threshold and a test: on small, noisy machines a 3% change is often significant and
// still meaningless, and a 25% change from three repetitions may be luck. Requiring both (when the
// test has the power to say anything) keeps CI quiet on noise and loud on real slowdowns; below
// compare.py's 9 repetitions the U test cannot reach small p-values reliably, so the threshold
// decides alone and the output says so.

#include "reports/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "reports/format.h"
#include "reports/stats.h"

namespace racetrack::reports {

namespace {

using nlohmann::json;

MetricChange CompareMetric(std::string metric, std::string unit, bool higher_is_better,
                           std::optional<double> base_value, std::optional<double> next_value,
                           const std::vector<double>& base_samples,
                           const std::vector<double>& next_samples, const CompareSettings& s) {
  MetricChange m;
  m.metric = std::move(metric);
  m.unit = std::move(unit);
  m.higher_is_better = higher_is_better;
  m.base = base_value;
  m.next = next_value;
  if (!m.base && !base_samples.empty()) m.base = Median(base_samples);
  if (!m.next && !next_samples.empty()) m.next = Median(next_samples);
  m.base_n = base_samples.size();
  m.next_n = next_samples.size();
  if (!m.base || !m.next || *m.base == 0) return m;
  m.change = (*m.next - *m.base) / *m.base;
  if (m.base_n >= kUTestMinRepetitions && m.next_n >= kUTestMinRepetitions) {
    if (auto u = MannWhitneyU(base_samples, next_samples)) m.p_value = u->p_value;
  }
  m.weak = !m.p_value || std::min(m.base_n, m.next_n) < static_cast<size_t>(kUTestOptimalRepetitions);
  const double worse = higher_is_better ? -*m.change : *m.change;  // > 0: got worse
  const double threshold = s.threshold_pct / 100;
  const bool significant = m.weak || *m.p_value < s.alpha;
  m.regression = worse > threshold && significant;
  m.improvement = -worse > threshold && significant;
  return m;
}

std::string Name(const Record& r) {
  std::string name = r.scenario + "/" + r.approach + "/" + r.target;
  std::string params = r.ParamsLabel();
  return params.empty() ? name : name + " " + params;
}

std::string Value(const MetricChange& m, const std::optional<double>& v) {
  if (!v) return "–";
  if (m.unit == "us") return FormatMicros(*v);
  // Throughput in the record's own unit, without "/s" to keep the column narrow: "61,728 jobs".
  const std::string per = m.unit.ends_with("/s") ? m.unit.substr(0, m.unit.size() - 2) : m.unit;
  return FormatHuman(*v) + (per.empty() || per == "ops" ? "" : " " + per);
}

std::string PValue(const MetricChange& m) {
  if (!m.p_value) return "–";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4f%s", *m.p_value, m.weak ? " (weak)" : "");
  return buf;
}

std::string MetricVerdict(const MetricChange& m) {
  if (m.regression) return "REGRESSION";
  if (m.improvement) return "improved";
  if (!m.change) return "n/a";
  return "ok";
}

std::string Pad(const std::string& s, size_t width, bool right = false) {
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  if (chars >= width) return s;
  std::string pad(width - chars, ' ');
  return right ? pad + s : s + pad;
}

}  // namespace

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
    rc.metrics.push_back(CompareMetric("throughput", n.Unit() + "/s", true, b.throughput_ops_s,
                                       n.throughput_ops_s, b.ThroughputSamples(),
                                       n.ThroughputSamples(), s));
    rc.metrics.push_back(CompareMetric("p99", "us", false, b.latency_us.p99, n.latency_us.p99,
                                       b.P99Samples(), n.P99Samples(), s));
    rc.correctness_flip = b.Correct() == true && n.Correct() == false && n.ExpectedCorrect();
    rc.correctness_fixed = b.Correct() == false && n.Correct() == true;
    for (const MetricChange& m : rc.metrics) c.regressions += m.regression;
    c.flips += rc.correctness_flip;
    c.weak += std::any_of(rc.metrics.begin(), rc.metrics.end(),
                          [](const MetricChange& m) { return m.change && m.weak; });
    c.matched.push_back(std::move(rc));
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
  o << "racetrack compare: " << c.base_path << " -> " << c.next_path << " (threshold "
    << FormatNumber(c.settings.threshold_pct) << "%, alpha " << FormatNumber(c.settings.alpha)
    << ")\n\n";
  size_t name_w = 6;
  for (const RecordComparison& rc : c.matched) name_w = std::max(name_w, Name(*rc.base).size());
  name_w = std::min<size_t>(name_w, 60);
  o << Pad("record", name_w) << "  " << Pad("metric", 10) << Pad("base", 12, true)
    << Pad("new", 12, true) << Pad("change", 9, true) << "  " << Pad("p-value", 15) << "verdict\n";
  for (const RecordComparison& rc : c.matched) {
    bool first = true;
    for (const MetricChange& m : rc.metrics) {
      o << Pad(first ? Name(*rc.base) : "", name_w) << "  " << Pad(m.metric, 10)
        << Pad(Value(m, m.base), 12, true) << Pad(Value(m, m.next), 12, true)
        << Pad(m.change ? FormatPercent(*m.change) : "–", 9, true) << "  " << Pad(PValue(m), 15)
        << MetricVerdict(m) << "\n";
      first = false;
    }
    if (rc.correctness_flip) {
      o << Pad("", name_w) << "  correctness: passed in base, FAILS in new -> REGRESSION\n";
    } else if (rc.correctness_fixed) {
      o << Pad("", name_w) << "  correctness: failed in base, passes in new\n";
    }
  }
  for (const Record* r : c.only_base) o << "\nonly in base (not compared): " << Name(*r);
  for (const Record* r : c.only_next) o << "\nonly in new (not compared): " << Name(*r);
  if (!c.only_base.empty() || !c.only_next.empty()) o << "\n";
  if (c.weak > 0) {
    o << "\nnote: " << c.weak << " record(s) have fewer than " << kUTestOptimalRepetitions
      << " repetitions on a side: the U test is weak there, so the " << FormatNumber(c.settings.threshold_pct)
      << "% threshold alone decides.\n";
  }
  o << "\nresult: " << c.regressions << " regression(s), " << c.flips
    << " correctness flip(s) -> exit " << c.ExitCode() << "\n";
  return o.str();
}

std::string ComparisonMarkdown(const Comparison& c) {
  std::ostringstream o;
  o << "## racetrack compare\n\n`" << MarkdownEscape(c.base_path) << "` → `"
    << MarkdownEscape(c.next_path) << "` · threshold " << FormatNumber(c.settings.threshold_pct)
    << "% · alpha " << FormatNumber(c.settings.alpha) << "\n\n";
  o << (c.Failed() ? "❌ **" + std::to_string(c.regressions) + " regression(s), " +
                         std::to_string(c.flips) + " correctness flip(s)**\n\n"
                   : std::string("✅ no significant regression\n\n"));
  o << "| record | metric | base | new | change | p-value | verdict |\n"
       "|---|---|--:|--:|--:|--:|---|\n";
  for (const RecordComparison& rc : c.matched) {
    for (const MetricChange& m : rc.metrics) {
      std::string verdict = MetricVerdict(m);
      if (m.regression) verdict = "❌ " + verdict;
      o << "| " << MarkdownEscape(Name(*rc.base)) << " | " << m.metric << " | " << Value(m, m.base)
        << " | " << Value(m, m.next) << " | " << (m.change ? FormatPercent(*m.change) : "–")
        << " | " << PValue(m) << " | " << verdict << " |\n";
    }
    if (rc.correctness_flip) {
      o << "| " << MarkdownEscape(Name(*rc.base))
        << " | correctness | ok | FAILED | | | ❌ REGRESSION |\n";
    }
  }
  if (!c.only_base.empty() || !c.only_next.empty()) o << "\n";
  for (const Record* r : c.only_base) o << "- only in base: `" << MarkdownEscape(Name(*r)) << "`\n";
  for (const Record* r : c.only_next) o << "- only in new: `" << MarkdownEscape(Name(*r)) << "`\n";
  if (c.weak > 0) {
    o << "\n> " << c.weak << " record(s) have fewer than " << kUTestOptimalRepetitions
      << " repetitions: the U test is weak, the threshold alone decides.\n";
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
      metrics.push_back({{"metric", m.metric}, {"unit", m.unit},
                         {"higher_is_better", m.higher_is_better}, {"base", opt(m.base)},
                         {"new", opt(m.next)}, {"change", opt(m.change)},
                         {"p_value", opt(m.p_value)}, {"base_repetitions", m.base_n},
                         {"new_repetitions", m.next_n}, {"weak_test", m.weak},
                         {"regression", m.regression}, {"improvement", m.improvement}});
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
          {"exit_code", c.ExitCode()},
          {"regressions", c.regressions},
          {"correctness_flips", c.flips},
          {"records", records},
          {"only_in_base", names(c.only_base)},
          {"only_in_new", names(c.only_next)}};
}

}  // namespace racetrack::reports
