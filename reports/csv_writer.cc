// CSV for spreadsheets and pandas: every record is one row and every column is a scalar. Parameters,
// correctness figures and other figures vary by scenario, so their columns are the union over all
// records ("param.N", "correctness.lost_updates", "figure.model_s"), sorted, empty where a record
// has none. Numbers are written in machine form (no thousands separators).

#include <set>
#include <sstream>

#include "reports/format.h"
#include "reports/writers.h"

namespace racetrack::reports {

namespace {


std::string Opt(const std::optional<double>& v) { return v ? FormatNumber(*v) : ""; }

std::string Cell(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? "" : FormatNumber(it->second);
}

}  // namespace

std::string WriteCsvReport(const std::vector<Results>& runs) {
  std::set<std::string> params, correctness, figures;
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      for (const auto& [k, v] : r.params) params.insert(k);
      for (const auto& [k, v] : r.correctness.figures) correctness.insert(k);
      if (!r.correctness.note.empty()) correctness.insert("note");
      for (const auto& [k, v] : r.figures) figures.insert(k);
    }
  }
  std::ostringstream out;
  const char* fixed[] = {"run", "scenario", "approach", "target", "params", "ops", "errors",
                         "duration_s", "throughput_ops_s", "throughput_min", "throughput_max",
                         "throughput_cv", "repetitions", "p50_us", "p90_us", "p99_us", "p999_us",
                         "max_us", "mean_us", "correct", "expected_correct", "unit", "verdict",
                         "timing_trusted", "timing_note", "throughput_cv_above_limit",
                         "memory_method"};
  bool first = true;
  auto sep = [&]() -> std::ostringstream& {
    if (!first) out << ',';
    first = false;
    return out;
  };
  for (const char* name : fixed) sep() << name;
  for (const std::string& k : params) sep() << CsvField("param." + k);
  for (const std::string& k : correctness) sep() << CsvField("correctness." + k);
  for (const std::string& k : figures) sep() << CsvField("figure." + k);
  out << '\n';
  for (const Results& run : runs) {
    for (const Record& r : run.records) {
      first = true;
      const LatencySummary& l = r.latency_us;
      const std::string cells[] = {
          run.label, r.scenario, r.approach, r.target, r.ParamsLabel(), Opt(r.ops), Opt(r.errors),
          Opt(r.duration_s), Opt(r.throughput_ops_s), Opt(r.throughput_stats.min),
          Opt(r.throughput_stats.max), Opt(r.throughput_stats.cv),
          r.repetitions.empty() ? "" : std::to_string(r.repetitions.size()), Opt(l.p50),
          Opt(l.p90), Opt(l.p99), Opt(l.p999), Opt(l.max), Opt(l.mean),
          r.correctness.checked ? (r.correctness.ok ? "true" : "false") : "",
          r.correctness.expected_ok ? "true" : "false", r.Unit(),
          std::string(results::VerdictId(r.verdict())), r.timing_trusted ? "true" : "false",
          r.timing_note, r.throughput_stats.HighCv() ? "true" : "false", r.memory_method};
      for (const std::string& c : cells) sep() << CsvField(c);
      for (const std::string& k : params) sep() << CsvField(Cell(r.params, k));
      for (const std::string& k : correctness) {
        sep() << CsvField(k == "note" ? r.correctness.note : Cell(r.correctness.figures, k));
      }
      for (const std::string& k : figures) sep() << CsvField(Cell(r.figures, k));
      out << '\n';
    }
  }
  return out.str();
}

}  // namespace racetrack::reports
