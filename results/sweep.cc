// The knee of a --rate sweep (sweep.h states the rule).
#include "results/sweep.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace racetrack::results {

namespace {

constexpr char kSloSyntax[] = "expected PERCENTILE:BOUND, e.g. p99:1ms (percentile p50, p90, "
                              "p99 or p999; bound a positive number with unit us, ms or s)";

Error SloError(std::string_view text, const std::string& why) {
  return Error("--slo '" + std::string(text) + "': " + why + "; " + kSloSyntax);
}

}  // namespace

Expected<Slo> ParseSlo(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return SloError(text, "no ':'");
  const std::string pct(text.substr(0, colon));
  if (pct != "p50" && pct != "p90" && pct != "p99" && pct != "p999") {
    return SloError(text, "unknown percentile '" + pct + "'");
  }
  std::string bound(text.substr(colon + 1));
  double scale = 0;
  std::string number;
  for (const auto& [unit, us] : {std::pair<const char*, double>{"us", 1.0}, {"ms", 1e3}, {"s", 1e6}}) {
    const std::string u = unit;
    if (bound.size() > u.size() && bound.compare(bound.size() - u.size(), u.size(), u) == 0) {
      number = bound.substr(0, bound.size() - u.size());
      scale = us;
      break;
    }
  }
  if (scale == 0) return SloError(text, "the bound needs a unit (us, ms or s)");
  // Digits and at most one dot only: no signs, exponents, hex or "inf" from strtod.
  if (number.empty() || number.find_first_not_of("0123456789.") != std::string::npos ||
      std::count(number.begin(), number.end(), '.') > 1 || number == ".") {
    return SloError(text, "'" + number + "' is not a number");
  }
  const double value = std::strtod(number.c_str(), nullptr);
  if (!(value > 0) || !std::isfinite(value)) return SloError(text, "the bound must be above 0");
  return Slo{pct, value * scale, std::string(text)};
}

std::optional<double> SloLatencyUs(const Record& r, const Slo& slo) {
  if (slo.percentile == "p50") return r.latency_us.p50;
  if (slo.percentile == "p90") return r.latency_us.p90;
  if (slo.percentile == "p99") return r.latency_us.p99;
  if (slo.percentile == "p999") return r.latency_us.p999;
  return std::nullopt;
}

bool MeetsSlo(const Record& r, const Slo& slo) {
  const std::optional<double> rate = r.Param("rate");
  const std::optional<double> latency = SloLatencyUs(r, slo);
  const double achieved = r.throughput_ops_s.value_or(0);
  if (!rate || *rate <= 0 || !latency || !r.error.empty() || r.ops.value_or(0) <= 0) return false;
  return *latency <= slo.bound_us && achieved >= kKneeMinAchieved * *rate;
}

std::vector<Knee> FindKnees(const std::vector<Record>& records, const Slo& slo) {
  std::vector<Knee> knees;
  std::map<std::string, size_t> index;  // group key -> knees[i]
  for (const Record& r : records) {
    if (!r.Param("rate")) continue;
    std::string others;
    for (const auto& [k, v] : r.params) {
      if (k == "rate") continue;
      Record one;
      one.params[k] = v;
      others += (others.empty() ? "" : " ") + one.ParamsLabel();
    }
    const std::string key = r.scenario + "/" + r.approach + "/" + r.target + "/" + others;
    auto [it, fresh] = index.emplace(key, knees.size());
    if (fresh) knees.push_back({r.scenario, r.approach, r.target, others, std::nullopt, {}, {}});
    Knee& k = knees[it->second];
    k.records.push_back(&r);
  }
  for (Knee& k : knees) {
    std::sort(k.records.begin(), k.records.end(), [](const Record* a, const Record* b) {
      return *a->Param("rate") < *b->Param("rate");
    });
    for (const Record* r : k.records) {
      k.rates.push_back(*r->Param("rate"));
      if (MeetsSlo(*r, slo)) k.rate = *r->Param("rate");
    }
  }
  return knees;
}

}  // namespace racetrack::results
