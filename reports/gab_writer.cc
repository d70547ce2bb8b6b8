// github-action-benchmark (benchmark-action/github-action-benchmark) accepts, for tool
// "customBiggerIsBetter" / "customSmallerIsBetter", a JSON array of {name, unit, value, range?,
// extra?}. Names must be stable across runs, since the action keys its history on them: the
// record key (scenario/approach/target/params) plus the metric, never a host or date. A failed
// correctness check is still reported (its number is real) but says so in "extra", so a chart
// that suddenly improves can be traced to a wrong answer.

#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "reports/format.h"
#include "reports/writers.h"

namespace racetrack::reports {

namespace {

using nlohmann::json;

std::string BaseName(const Record& r, const Results& run, bool multi) {
  std::string name = r.scenario + "/" + r.approach + "/" + r.target;
  for (const auto& [k, v] : r.params) name += "/" + k + "=" + FormatNumber(v);
  if (multi) name += " [" + run.label + "]";
  return name;
}

std::string Extra(const Record& r) {
  std::string extra;
  if (!r.repetitions.empty()) extra += std::to_string(r.repetitions.size()) + " repetitions";
  if (r.throughput_stats.cv) {
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%sCV %.1f%%", extra.empty() ? "" : "; ",
                  *r.throughput_stats.cv * 100);
    extra += buf;
  }
  if (r.correctness.checked) {
    extra += std::string(extra.empty() ? "" : "; ") + "verdict " +
             std::string(results::VerdictId(r.verdict()));
  }
  if (!r.timing_trusted) {
    extra += std::string(extra.empty() ? "" : "; ") + "timing not trusted: " + r.timing_note;
  }
  return extra;
}

}  // namespace

std::string WriteGabReport(const std::vector<Results>& runs, GabVariant variant) {
  json out = json::array();
  // A record key present in several runs gets the run label, so names stay unique.
  std::map<std::string, int> runs_per_key;
  for (const Results& run : runs) {
    for (const Record& r : run.records) ++runs_per_key[r.Key()];
  }
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      const std::string base = BaseName(r, run, runs_per_key[r.Key()] > 1);
      const std::string extra = Extra(r);
      auto add = [&](const std::string& metric, const std::string& unit, double value) {
        json e = {{"name", base + " " + metric}, {"unit", unit}, {"value", value}};
        if (!extra.empty()) e["extra"] = extra;
        out.push_back(std::move(e));
      };
      if (variant == GabVariant::kBiggerIsBetter) {
        if (r.throughput_ops_s) add("throughput", r.Unit() + "/s", *r.throughput_ops_s);
        continue;
      }
      if (r.latency_us.p50) add("p50", "us", *r.latency_us.p50);
      if (r.latency_us.p99) add("p99", "us", *r.latency_us.p99);
      if (r.latency_us.p999) add("p99.9", "us", *r.latency_us.p999);
      if (auto it = r.correctness.figures.find("lost_updates"); it != r.correctness.figures.end()) {
        add("lost updates", "updates", it->second);
      }
    }
  }
  return out.dump(2) + "\n";
}

}  // namespace racetrack::reports
