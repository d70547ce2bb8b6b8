// The reader keeps JSON at arm's length: a producer may be older, newer (in a compatible way) or
// partial, so every optional field is read through NumberAt/StringAt and absent values stay absent.
// Only the identity of the document and of each record is checked strictly, because a report that
// silently shows the wrong thing is worse than an error.

#include "reports/results.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "reports/format.h"

namespace racetrack::reports {

using nlohmann::json;

namespace {

std::string StringAt(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

const json& ObjectAt(const json& j, const char* key) {
  static const json* const kEmpty = new json(json::object());
  if (!j.is_object()) return *kEmpty;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return *kEmpty;
  return *it;
}

std::vector<double> NumberArrayAt(const json& j, const char* key) {
  std::vector<double> out;
  if (!j.is_object()) return out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it) out.push_back(v.is_number() ? v.get<double>() : 0.0);
  return out;
}

LatencySummary ReadLatency(const json& j) {
  LatencySummary l;
  l.p50 = NumberAt(j, "p50");
  l.p90 = NumberAt(j, "p90");
  l.p99 = NumberAt(j, "p99");
  l.p999 = NumberAt(j, "p999");
  l.max = NumberAt(j, "max");
  l.mean = NumberAt(j, "mean");
  return l;
}

StoredHistogram ReadHistogram(const json& j) {
  StoredHistogram h;
  h.sub_bucket_bits = static_cast<int>(NumberAt(j, "sub_bucket_bits").value_or(0));
  // HdrHistogram counts integer multiples of a unit with a lowest discernible value L. bench/
  // writes nanosecond integers as "lowest_us": 0.001 (unit 1 ns, L = 1); the schema's example
  // writes microsecond integers as "lowest_us": 1 (unit 1 us, L = 1).
  const double lowest_us = NumberAt(j, "lowest_us").value_or(1);
  if (lowest_us > 0 && lowest_us < 1) {
    h.unit_us = lowest_us;
    h.lowest = 1;
  } else {
    h.unit_us = 1;
    h.lowest = lowest_us > 0 ? lowest_us : 1;
  }
  auto it = j.find("counts");
  if (h.sub_bucket_bits <= 0 || h.sub_bucket_bits > 20 || it == j.end() || !it->is_array()) {
    return h;
  }
  for (const json& pair : *it) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number()) {
      continue;
    }
    int64_t index = pair[0].get<int64_t>();
    int64_t count = pair[1].get<int64_t>();
    if (index >= 0 && count > 0) h.counts.emplace_back(index, count);
  }
  return h;
}

Timeseries ReadTimeseries(const json& j) {
  Timeseries t;
  t.interval_ms = NumberAt(j, "interval_ms").value_or(0);
  t.t_s = NumberArrayAt(j, "t_s");
  t.ops = NumberArrayAt(j, "ops");
  t.p99_us = NumberArrayAt(j, "p99_us");
  for (const auto& [name, values] : ObjectAt(j, "figures").items()) {
    if (values.is_array()) t.figures[name] = NumberArrayAt(ObjectAt(j, "figures"), name.c_str());
  }
  return t;
}

Result<Record> ReadRecord(const json& j, size_t index, const std::string& origin) {
  std::string where = origin + ": record " + std::to_string(index);
  if (!j.is_object()) return Status::Corruption(where + " is not an object");
  Record r;
  r.scenario = StringAt(j, "scenario");
  r.approach = StringAt(j, "approach");
  r.target = StringAt(j, "target");
  for (const auto& [field, value] :
       {std::pair{"scenario", &r.scenario}, {"approach", &r.approach}, {"target", &r.target}}) {
    if (value->empty()) return Status::Corruption(where + " has no \"" + field + "\"");
  }
  r.params = ObjectAt(j, "params");
  r.ops = NumberAt(j, "ops");
  r.errors = NumberAt(j, "errors");
  r.duration_s = NumberAt(j, "duration_s");
  r.throughput_ops_s = NumberAt(j, "throughput_ops_s");
  if (auto it = j.find("repetitions"); it != j.end() && it->is_array()) {
    for (const json& rep : *it) {
      if (!rep.is_object()) continue;
      Repetition x;
      x.ops = NumberAt(rep, "ops");
      x.duration_s = NumberAt(rep, "duration_s");
      x.throughput_ops_s = NumberAt(rep, "throughput_ops_s");
      x.p99_us = NumberAt(rep, "p99_us");
      if (!x.p99_us) x.p99_us = NumberAt(ObjectAt(rep, "latency_us"), "p99");
      r.repetitions.push_back(x);
    }
  }
  const json& stats = ObjectAt(j, "throughput_stats");
  r.throughput_stats = {NumberAt(stats, "median"), NumberAt(stats, "min"), NumberAt(stats, "max"),
                        NumberAt(stats, "cv")};
  r.latency_us = ReadLatency(ObjectAt(j, "latency_us"));
  r.histogram = ReadHistogram(ObjectAt(j, "histogram"));
  r.timeseries = ReadTimeseries(ObjectAt(j, "timeseries"));
  r.correctness = ObjectAt(j, "correctness");
  if (auto it = r.correctness.find("ok"); it != r.correctness.end() && it->is_boolean()) {
    r.correct = it->get<bool>();
  }
  if (auto it = r.correctness.find("expected_ok"); it != r.correctness.end() && it->is_boolean()) {
    r.expected_correct = it->get<bool>();
  }
  r.error = StringAt(j, "error");
  r.figures = ObjectAt(j, "figures");
  r.series = ObjectAt(j, "series");
  if (auto it = j.find("expected_correct"); it != j.end() && it->is_boolean()) {
    r.expected_correct = it->get<bool>();
  }
  return r;
}

// "racetrack.result/12" -> 12; nullopt when the prefix or the number is wrong.
std::optional<int> SchemaVersion(const std::string& schema) {
  if (schema.rfind(kSchemaPrefix, 0) != 0) return std::nullopt;
  std::string digits = schema.substr(kSchemaPrefix.size());
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoi(digits);
}

}  // namespace

std::optional<double> NumberAt(const json& j, const char* key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string ScalarText(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number()) return FormatNumber(j.get<double>());
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_null()) return "null";
  return j.dump();
}

std::string Record::Key() const {
  return scenario + "/" + approach + "/" + target + "/" + params.dump();
}

std::string Record::ParamsLabel() const {
  std::string out;
  for (const auto& [name, value] : params.items()) {  // nlohmann's object keeps keys sorted
    if (!out.empty()) out += ' ';
    out += name + "=" + ScalarText(value);
  }
  return out;
}

std::optional<double> Record::Figure(const std::string& name) const {
  if (auto v = NumberAt(correctness, name.c_str())) return v;
  return NumberAt(figures, name.c_str());
}

std::vector<double> Record::ThroughputSamples() const {
  std::vector<double> out;
  for (const Repetition& rep : repetitions) {
    if (rep.throughput_ops_s) {
      out.push_back(*rep.throughput_ops_s);
    } else if (rep.ops && rep.duration_s && *rep.duration_s > 0) {
      out.push_back(*rep.ops / *rep.duration_s);
    }
  }
  if (out.empty() && throughput_ops_s) out.push_back(*throughput_ops_s);
  return out;
}

std::vector<double> Record::P99Samples() const {
  std::vector<double> out;
  for (const Repetition& rep : repetitions) {
    if (rep.p99_us) out.push_back(*rep.p99_us);
  }
  return out;
}

std::vector<std::string> Results::Scenarios() const {
  std::vector<std::string> out;
  for (const Record& r : records) {
    if (std::find(out.begin(), out.end(), r.scenario) == out.end()) out.push_back(r.scenario);
  }
  return out;
}

Result<Results> ParseResults(std::string_view text, const std::string& origin) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    return Status::Corruption(origin + (blank ? ": empty file, not a racetrack result"
                                              : ": not JSON, so not a racetrack result"));
  }
  if (!doc.is_object()) return Status::Corruption(origin + ": JSON but not a racetrack result");
  Results res;
  res.path = origin;
  auto schema_it = doc.find("schema");
  if (schema_it == doc.end() || !schema_it->is_string()) {
    return Status::InvalidArgument(origin + ": JSON without a \"schema\" field, not a racetrack " +
                                   "result (expected \"racetrack.result/1\")");
  }
  res.schema = schema_it->get<std::string>();
  std::optional<int> version = SchemaVersion(res.schema);
  if (!version) {
    return Status::InvalidArgument(origin + ": schema \"" + res.schema +
                                   "\" is not a racetrack result (expected \"racetrack.result/1\")");
  }
  if (*version > kSchemaVersion) {
    return Status::InvalidArgument(origin + ": written by a newer racetrack (schema " + res.schema +
                                   "); this build reads racetrack.result/" +
                                   std::to_string(kSchemaVersion) + " - upgrade racetrack");
  }
  if (*version < 1) {
    return Status::InvalidArgument(origin + ": unknown schema version \"" + res.schema + "\"");
  }
  res.created = StringAt(doc, "created");
  res.racetrack_version = StringAt(doc, "racetrack_version");
  res.environment = ObjectAt(doc, "environment");
  res.parameters = ObjectAt(doc, "parameters");
  if (auto it = doc.find("skipped"); it != doc.end() && it->is_array()) {
    for (const json& k : *it) {
      SkippedRun skip{StringAt(k, "scenario"), StringAt(k, "approach"), StringAt(k, "target"),
                      StringAt(k, "reason")};
      if (!skip.scenario.empty() || !skip.target.empty()) res.skipped.push_back(std::move(skip));
    }
  }
  if (auto it = doc.find("targets"); it != doc.end() && it->is_array()) {
    for (const json& t : *it) {
      if (!t.is_object()) continue;
      TargetInfo info;
      info.name = StringAt(t, "name");
      if (auto a = t.find("available"); a != t.end() && a->is_boolean()) info.available = *a;
      info.reason = StringAt(t, "reason");
      if (!info.name.empty()) res.targets.push_back(std::move(info));
    }
  }
  for (const auto& [id, info] : ObjectAt(doc, "scenario_info").items()) {
    ScenarioInfo& si = res.scenario_info[id];
    si.title = StringAt(info, "title");
    si.question = StringAt(info, "question");
    si.expected = StringAt(info, "expected");
    si.lesson = StringAt(info, "lesson");
    auto approaches = info.is_object() ? info.find("approaches") : info.end();
    if (info.is_object() && approaches != info.end() && approaches->is_array()) {
      for (const json& a : *approaches) {
        std::string aid = StringAt(a, "id");
        if (aid.empty()) continue;
        if (auto t = StringAt(a, "title"); !t.empty()) si.approach_titles[aid] = t;
        if (auto e = a.find("expected_correct"); e != a.end() && e->is_boolean()) {
          si.expected_correct[aid] = e->get<bool>();
        }
      }
    }
  }
  auto records_it = doc.find("records");
  if (records_it != doc.end() && records_it->is_array()) {
    size_t index = 0;
    for (const json& j : *records_it) {
      Result<Record> r = ReadRecord(j, index++, origin);
      if (!r.ok()) return r.status();
      res.records.push_back(std::move(r).value());
    }
  }
  for (Record& r : res.records) {
    if (r.expected_correct) continue;
    auto si = res.scenario_info.find(r.scenario);
    if (si == res.scenario_info.end()) continue;
    auto e = si->second.expected_correct.find(r.approach);
    if (e != si->second.expected_correct.end()) r.expected_correct = e->second;
  }
  if (res.records.empty()) {
    size_t skipped = std::count_if(res.targets.begin(), res.targets.end(),
                                   [](const TargetInfo& t) { return !t.available; });
    std::string why = skipped > 0 ? " (" + std::to_string(skipped) + " target(s) skipped)" : "";
    return Status::InvalidArgument(origin + ": empty result, no records to report" + why);
  }
  return res;
}

Result<Results> ReadResultsFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(path + ": is a directory, expected a results JSON file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError(path + ": read failed: " + std::strerror(errno));
  Result<Results> res = ParseResults(buffer.str(), path);
  if (res.ok()) res->label = std::filesystem::path(path).stem().string();
  return res;
}

Result<std::vector<Results>> ReadResultsFiles(const std::vector<std::string>& paths) {
  std::vector<Results> out;
  std::set<std::string> labels;
  for (const std::string& path : paths) {
    Result<Results> res = ReadResultsFile(path);
    if (!res.ok()) return res.status();
    std::string label = res->label;
    for (int n = 2; labels.count(label) > 0; ++n) label = res->label + " (" + std::to_string(n) + ")";
    labels.insert(label);
    res->label = label;
    out.push_back(std::move(res).value());
  }
  return out;
}

}  // namespace racetrack::reports
