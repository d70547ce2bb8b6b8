#include "bench/results.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <sstream>

namespace racetrack::bench {

using nlohmann::json;

namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

json MapToJson(const std::map<std::string, double>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

std::map<std::string, double> MapFromJson(const json& j) {
  std::map<std::string, double> out;
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) {
    if (v.is_number()) out[k] = v.get<double>();
  }
  return out;
}

template <typename T>
T Value(const json& j, const char* key, T fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

}  // namespace

void Summarize(Record* r) {
  std::vector<double> tps;
  r->ops = 0;
  r->duration_s = 0;
  for (const auto& rep : r->repetitions) {
    tps.push_back(rep.throughput_ops_s);
    r->ops += rep.ops;
    r->duration_s += rep.duration_s;
  }
  r->tp_median = Median(tps);
  r->throughput_ops_s = r->tp_median;
  if (!tps.empty()) {
    r->tp_min = *std::min_element(tps.begin(), tps.end());
    r->tp_max = *std::max_element(tps.begin(), tps.end());
    double mean = 0;
    for (double t : tps) mean += t;
    mean /= static_cast<double>(tps.size());
    double var = 0;
    for (double t : tps) var += (t - mean) * (t - mean);
    var /= static_cast<double>(tps.size());
    r->tp_cv = mean > 0 ? std::sqrt(var) / mean : 0;
  }
  const Histogram& h = r->histogram;
  r->latency = {h.PercentileUs(0.50), h.PercentileUs(0.90), h.PercentileUs(0.99),
                h.PercentileUs(0.999), h.MaxUs(), h.MeanUs()};
}

json ToJson(const Record& r) {
  json j;
  j["scenario"] = r.scenario;
  j["approach"] = r.approach;
  j["target"] = r.target;
  j["params"] = MapToJson(r.params);
  j["ops"] = r.ops;
  j["errors"] = r.errors;
  j["duration_s"] = r.duration_s;
  j["throughput_ops_s"] = r.throughput_ops_s;
  json reps = json::array();
  for (const auto& rep : r.repetitions) {
    reps.push_back({{"ops", rep.ops},
                    {"duration_s", rep.duration_s},
                    {"throughput_ops_s", rep.throughput_ops_s},
                    {"p99_us", rep.p99_us}});
  }
  j["repetitions"] = reps;
  j["throughput_stats"] = {
      {"median", r.tp_median}, {"min", r.tp_min}, {"max", r.tp_max}, {"cv", r.tp_cv}};
  j["latency_us"] = {{"p50", r.latency.p50}, {"p90", r.latency.p90}, {"p99", r.latency.p99},
                     {"p999", r.latency.p999}, {"max", r.latency.max}, {"mean", r.latency.mean}};
  json counts = json::array();
  for (const auto& [i, c] : r.histogram.Sparse()) counts.push_back(json::array({i, c}));
  j["histogram"] = {{"sub_bucket_bits", kSubBucketBits},
                    {"lowest_us", static_cast<double>(kLowestNs) / 1000.0},
                    {"highest_us", static_cast<double>(kHighestNs) / 1000.0},
                    {"counts", counts}};
  json figs = json::object();
  for (const auto& [name, values] : r.timeseries.figures) figs[name] = values;
  j["timeseries"] = {{"interval_ms", r.timeseries.interval_ms},
                     {"t_s", r.timeseries.t_s},
                     {"ops", r.timeseries.ops},
                     {"p99_us", r.timeseries.p99_us},
                     {"figures", figs}};
  json c = MapToJson(r.correctness.figures);
  c["ok"] = r.correctness.ok;
  c["expected_ok"] = r.correctness.expected_ok;
  c["note"] = r.correctness.note;
  j["correctness"] = c;
  j["figures"] = MapToJson(r.figures);
  if (!r.series.empty()) j["series"] = r.series;
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

json ToJson(const ResultDocument& d) {
  json j;
  j["schema"] = kResultSchema;
  j["created"] = d.created;
  j["racetrack_version"] = d.racetrack_version;
  const Environment& e = d.environment;
  json servers = json::object();
  for (const auto& [k, v] : e.servers) servers[k] = v;
  j["environment"] = {{"host", e.host},
                      {"cores", e.cores},
                      {"memory_bytes", e.memory_bytes},
                      {"kernel", e.kernel},
                      {"compiler", e.compiler},
                      {"git_revision", e.git_revision},
                      {"loopback_rtt_us", e.loopback_rtt_us},
                      {"servers", servers}};
  const Parameters& p = d.parameters;
  j["parameters"] = {{"command_line", p.command_line},
                     {"scenarios", p.scenarios},
                     {"targets", p.targets},
                     {"clients", p.clients},
                     {"duration_s", p.duration_s},
                     {"ops", p.ops ? json(*p.ops) : json(nullptr)},
                     {"rate", p.rate ? json(*p.rate) : json(nullptr)},
                     {"warmup_s", p.warmup_s},
                     {"repetitions", p.repetitions},
                     {"seed", p.seed},
                     {"interval_ms", p.interval_ms},
                     {"extra", MapToJson(p.extra)}};
  json workload = json::object();
  if (p.keys) workload["keys"] = *p.keys;
  if (!p.distribution.empty()) workload["distribution"] = p.distribution;
  if (!p.value_size.empty()) workload["value_size"] = p.value_size;
  if (!workload.empty()) j["parameters"]["workload"] = workload;
  json targets = json::array();
  for (const auto& t : d.targets) {
    json tj = {{"name", t.name}, {"available", t.available}};
    if (!t.available) tj["reason"] = t.reason;
    if (!t.endpoint.empty()) tj["endpoint"] = t.endpoint;
    targets.push_back(tj);
  }
  j["targets"] = targets;
  json skipped = json::array();
  for (const auto& s : d.skipped) {
    skipped.push_back({{"scenario", s.scenario},
                       {"approach", s.approach},
                       {"target", s.target},
                       {"reason", s.reason}});
  }
  j["skipped"] = skipped;
  json info = json::object();
  for (const auto& [id, t] : d.scenario_info) {
    json approaches = json::array();
    for (const auto& a : t.approaches) {
      approaches.push_back({{"id", a.id},
                            {"title", a.title},
                            {"summary", a.summary},
                            {"expected_correct", a.expected_correct}});
    }
    info[id] = {{"title", t.title},
                {"question", t.question},
                {"expected", t.expected},
                {"lesson", t.lesson},
                {"approaches", approaches}};
  }
  j["scenario_info"] = info;
  json records = json::array();
  for (const auto& r : d.records) records.push_back(ToJson(r));
  j["records"] = records;
  if (!d.scenario_figures.empty()) {
    json sf = json::object();
    for (const auto& [id, f] : d.scenario_figures) sf[id] = MapToJson(f);
    j["scenario_figures"] = sf;
  }
  return j;
}

Result<Record> RecordFromJson(const json& j) {
  if (!j.is_object()) return Status::Corruption("a record is not a JSON object");
  Record r;
  r.scenario = Value<std::string>(j, "scenario", "");
  r.approach = Value<std::string>(j, "approach", "");
  r.target = Value<std::string>(j, "target", "");
  if (r.scenario.empty() || r.approach.empty() || r.target.empty()) {
    return Status::Corruption("a record lacks scenario, approach or target");
  }
  r.params = MapFromJson(Value<json>(j, "params", json::object()));
  r.ops = Value<uint64_t>(j, "ops", 0);
  r.errors = Value<uint64_t>(j, "errors", 0);
  r.duration_s = Value<double>(j, "duration_s", 0);
  r.throughput_ops_s = Value<double>(j, "throughput_ops_s", 0);
  for (const auto& rep : Value<json>(j, "repetitions", json::array())) {
    r.repetitions.push_back({Value<uint64_t>(rep, "ops", 0), Value<double>(rep, "duration_s", 0),
                             Value<double>(rep, "throughput_ops_s", 0),
                             Value<double>(rep, "p99_us", 0)});
  }
  const json ts = Value<json>(j, "throughput_stats", json::object());
  r.tp_median = Value<double>(ts, "median", r.throughput_ops_s);
  r.tp_min = Value<double>(ts, "min", 0);
  r.tp_max = Value<double>(ts, "max", 0);
  r.tp_cv = Value<double>(ts, "cv", 0);
  const json lat = Value<json>(j, "latency_us", json::object());
  r.latency = {Value<double>(lat, "p50", 0), Value<double>(lat, "p90", 0),
               Value<double>(lat, "p99", 0), Value<double>(lat, "p999", 0),
               Value<double>(lat, "max", 0), Value<double>(lat, "mean", 0)};
  const json hist = Value<json>(j, "histogram", json::object());
  if (Value<int>(hist, "sub_bucket_bits", kSubBucketBits) != kSubBucketBits ||
      std::abs(Value<double>(hist, "lowest_us", 0.001) - 0.001) > 1e-12) {
    return Status::Corruption("a record's histogram has a layout this build does not read");
  }
  std::vector<std::pair<size_t, uint64_t>> sparse;
  for (const auto& pair : Value<json>(hist, "counts", json::array())) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_unsigned() ||
        !pair[1].is_number_unsigned()) {
      return Status::Corruption("a histogram count is not an [index, count] pair");
    }
    sparse.emplace_back(pair[0].get<size_t>(), pair[1].get<uint64_t>());
  }
  if (!r.histogram.FromSparse(sparse)) {
    return Status::Corruption("a histogram index is out of range");
  }
  const json series = Value<json>(j, "timeseries", json::object());
  r.timeseries.interval_ms = Value<int>(series, "interval_ms", 100);
  r.timeseries.t_s = Value<std::vector<double>>(series, "t_s", {});
  r.timeseries.ops = Value<std::vector<uint64_t>>(series, "ops", {});
  r.timeseries.p99_us = Value<std::vector<double>>(series, "p99_us", {});
  const json series_figures = Value<json>(series, "figures", json::object());
  for (const auto& [name, values] : series_figures.items()) {
    r.timeseries.figures[name] = Value<std::vector<double>>(json{{"v", values}}, "v", {});
  }
  const json c = Value<json>(j, "correctness", json::object());
  r.correctness.ok = Value<bool>(c, "ok", false);
  r.correctness.expected_ok = Value<bool>(c, "expected_ok", true);
  r.correctness.note = Value<std::string>(c, "note", "");
  r.correctness.figures = MapFromJson(c);
  r.figures = MapFromJson(Value<json>(j, "figures", json::object()));
  for (const auto& [name, values] : Value<json>(j, "series", json::object()).items()) {
    r.series[name] = Value<std::vector<double>>(json{{"v", values}}, "v", {});
  }
  r.error = Value<std::string>(j, "error", "");
  return r;
}

Result<ResultDocument> FromJson(const json& j) {
  if (!j.is_object()) return Status::Corruption("not a racetrack result: not a JSON object");
  const std::string schema = Value<std::string>(j, "schema", "");
  if (schema != kResultSchema) {
    return Status::Corruption("not a " + std::string(kResultSchema) + " document (schema '" +
                              schema + "')");
  }
  ResultDocument d;
  d.created = Value<std::string>(j, "created", "");
  d.racetrack_version = Value<std::string>(j, "racetrack_version", "");
  const json e = Value<json>(j, "environment", json::object());
  d.environment.host = Value<std::string>(e, "host", "");
  d.environment.cores = Value<int>(e, "cores", 0);
  d.environment.memory_bytes = Value<uint64_t>(e, "memory_bytes", 0);
  d.environment.kernel = Value<std::string>(e, "kernel", "");
  d.environment.compiler = Value<std::string>(e, "compiler", "");
  d.environment.git_revision = Value<std::string>(e, "git_revision", "");
  d.environment.loopback_rtt_us = Value<double>(e, "loopback_rtt_us", 0);
  d.environment.servers =
      Value<std::map<std::string, std::string>>(e, "servers", {});
  const json p = Value<json>(j, "parameters", json::object());
  d.parameters.command_line = Value<std::string>(p, "command_line", "");
  d.parameters.scenarios = Value<std::vector<std::string>>(p, "scenarios", {});
  d.parameters.targets = Value<std::vector<std::string>>(p, "targets", {});
  d.parameters.clients = Value<int>(p, "clients", 0);
  d.parameters.duration_s = Value<double>(p, "duration_s", 0);
  if (p.contains("ops") && p["ops"].is_number()) d.parameters.ops = p["ops"].get<uint64_t>();
  if (p.contains("rate") && p["rate"].is_number()) d.parameters.rate = p["rate"].get<double>();
  d.parameters.warmup_s = Value<double>(p, "warmup_s", 0);
  d.parameters.repetitions = Value<int>(p, "repetitions", 1);
  d.parameters.seed = Value<uint64_t>(p, "seed", 0);
  d.parameters.interval_ms = Value<int>(p, "interval_ms", 100);
  d.parameters.extra = MapFromJson(Value<json>(p, "extra", json::object()));
  const json workload = Value<json>(p, "workload", json::object());
  if (workload.contains("keys") && workload["keys"].is_number_integer()) {
    d.parameters.keys = workload["keys"].get<int64_t>();
  }
  d.parameters.distribution = Value<std::string>(workload, "distribution", "");
  d.parameters.value_size = Value<std::string>(workload, "value_size", "");
  for (const auto& t : Value<json>(j, "targets", json::array())) {
    d.targets.push_back({Value<std::string>(t, "name", ""), Value<bool>(t, "available", false),
                         Value<std::string>(t, "reason", ""),
                         Value<std::string>(t, "endpoint", "")});
  }
  for (const auto& s : Value<json>(j, "skipped", json::array())) {
    d.skipped.push_back({Value<std::string>(s, "scenario", ""),
                         Value<std::string>(s, "approach", ""),
                         Value<std::string>(s, "target", ""),
                         Value<std::string>(s, "reason", "")});
  }
  const json info = Value<json>(j, "scenario_info", json::object());
  for (const auto& [id, t] : info.items()) {
    ScenarioText text{Value<std::string>(t, "title", ""), Value<std::string>(t, "question", ""),
                      Value<std::string>(t, "expected", ""),
                      Value<std::string>(t, "lesson", ""), {}};
    for (const auto& a : Value<json>(t, "approaches", json::array())) {
      text.approaches.push_back({Value<std::string>(a, "id", ""),
                                 Value<std::string>(a, "title", ""),
                                 Value<std::string>(a, "summary", ""),
                                 Value<bool>(a, "expected_correct", true)});
    }
    d.scenario_info[id] = std::move(text);
  }
  const json records = Value<json>(j, "records", json::array());
  for (size_t i = 0; i < records.size(); ++i) {
    auto r = RecordFromJson(records[i]);
    if (!r.ok()) {
      return Status::Corruption("record " + std::to_string(i) + ": " + r.status().message());
    }
    d.records.push_back(std::move(r).value());
  }
  for (const auto& [id, f] : Value<json>(j, "scenario_figures", json::object()).items()) {
    d.scenario_figures[id] = MapFromJson(f);
  }
  return d;
}

Status WriteResults(const ResultDocument& doc, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::IoError("cannot write " + path + ": cannot open for writing");
    out << ToJson(doc).dump(2) << "\n";
    out.flush();
    if (!out) return Status::IoError("cannot write " + path + ": write failed (disk full?)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::IoError("cannot write " + path + ": rename failed");
  }
  return Status::Ok();
}

Result<ResultDocument> ReadResults(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + ": cannot open");
  std::stringstream buf;
  buf << in.rdbuf();
  json j = json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(path + ": not valid JSON");
  auto doc = FromJson(j);
  if (!doc.ok()) return Status::Corruption(path + ": " + doc.status().message());
  return doc;
}

std::string UtcNowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace racetrack::bench
