// One writer and one strict reader for the results file. The reader walks the JSON with a Reader
// that remembers where it is ("records[3].latency_us"), so the first type error is reported with
// the file and the field; it never iterates a temporary JSON value (every reference it holds
// points into the parsed document, which outlives the walk).

#include "results/results.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <set>
#include <sstream>
#include <variant>

#include <nlohmann/json.hpp>

#include "results/format.h"

namespace racetrack::results {

using nlohmann::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Writer

// Counts are integers in the file ("ops": 123456, not 123456.0).
json Count(double v) {
  if (v >= 0 && v == std::floor(v) && v < 9.007e15) return json(static_cast<uint64_t>(v));
  return json(v);
}

json Optional(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json NumberMap(const std::map<std::string, double>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

json ClaimsToJson(const std::vector<ClaimText>& claims) {
  json out = json::array();
  for (const ClaimText& c : claims) {
    json subjects = json::array();
    for (const ClaimSubject& s : c.subjects) {
      json sj = {{"label", s.label}, {"approach", s.approach}};
      if (!s.target.empty()) sj["target"] = s.target;
      if (!s.params.empty()) sj["params"] = NumberMap(s.params);
      if (!s.figure.empty()) sj["figure"] = s.figure;
      subjects.push_back(sj);
    }
    json cj = {{"id", c.id},           {"article", c.article},
               {"kind", c.kind},       {"figure", c.figure},
               {"subjects", subjects}, {"confirm_at", c.confirm_at},
               {"contradict_at", c.contradict_at}, {"rule", c.rule}};
    if (!c.at_largest.empty()) cj["at_largest"] = c.at_largest;
    out.push_back(cj);
  }
  return out;
}

json SeriesMap(const std::map<std::string, std::vector<double>>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

json RecordToJson(const Record& r) {
  json j;
  j["scenario"] = r.scenario;
  j["approach"] = r.approach;
  j["target"] = r.target;
  j["params"] = NumberMap(r.params);
  j["unit"] = r.Unit();
  if (r.verdict() != Verdict::kUnchecked) j["verdict"] = std::string(VerdictId(r.verdict()));
  j["timing_trusted"] = r.timing_trusted;
  if (!r.timing_note.empty()) j["timing_note"] = r.timing_note;
  if (!r.memory_method.empty()) j["memory_method"] = r.memory_method;
  j["ops"] = r.ops ? Count(*r.ops) : json(nullptr);
  j["errors"] = r.errors ? Count(*r.errors) : json(nullptr);
  j["duration_s"] = Optional(r.duration_s);
  j["throughput_ops_s"] = Optional(r.throughput_ops_s);
  json reps = json::array();
  for (const Repetition& rep : r.repetitions) {
    json one = {{"ops", rep.ops ? Count(*rep.ops) : json(nullptr)},
                {"duration_s", Optional(rep.duration_s)},
                {"throughput_ops_s", Optional(rep.throughput_ops_s)},
                {"p99_us", Optional(rep.p99_us)}};
    if (rep.cpu_us_per_op) one["cpu_us_per_op"] = *rep.cpu_us_per_op;  // optional field
    if (rep.p50_us) one["p50_us"] = *rep.p50_us;                        // optional field
    reps.push_back(std::move(one));
  }
  j["repetitions"] = reps;
  const ThroughputStats& ts = r.throughput_stats;
  j["throughput_stats"] = {{"median", Optional(ts.median)}, {"min", Optional(ts.min)},
                           {"max", Optional(ts.max)}, {"cv", Optional(ts.cv)},
                           {"cv_above_limit", ts.HighCv()}};
  const LatencySummary& l = r.latency_us;
  j["latency_us"] = {{"p50", Optional(l.p50)},   {"p90", Optional(l.p90)},
                     {"p99", Optional(l.p99)},   {"p999", Optional(l.p999)},
                     {"max", Optional(l.max)},   {"mean", Optional(l.mean)}};
  json counts = json::array();
  for (const auto& [i, c] : r.histogram.counts) counts.push_back(json::array({i, c}));
  j["histogram"] = {{"sub_bucket_bits", kSubBucketBits},
                    {"lowest_us", static_cast<double>(kLowestNs) / 1000.0},
                    {"highest_us", static_cast<double>(kHighestNs) / 1000.0},
                    {"counts", counts}};
  json ts_ops = json::array();
  for (double v : r.timeseries.ops) ts_ops.push_back(Count(v));
  j["timeseries"] = {{"interval_ms", Count(r.timeseries.interval_ms)},
                     {"t_s", r.timeseries.t_s},
                     {"ops", ts_ops},
                     {"p99_us", r.timeseries.p99_us},
                     {"figures", SeriesMap(r.timeseries.figures)}};
  json c = NumberMap(r.correctness.figures);
  if (r.correctness.checked) c["ok"] = r.correctness.ok;
  c["expected_ok"] = r.correctness.expected_ok;
  if (!r.correctness.note.empty()) c["note"] = r.correctness.note;
  j["correctness"] = c;
  j["figures"] = NumberMap(r.figures);
  if (!r.series.empty()) j["series"] = SeriesMap(r.series);
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

json ToJson(const Results& d) {
  json j;
  j["schema"] = std::string(kSchemaPrefix) + std::to_string(kSchemaVersion);
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
  if (!e.durability.empty()) j["environment"]["durability"] = e.durability;
  if (!e.server_settings.empty()) j["environment"]["server_settings"] = e.server_settings;
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
                     {"extra", NumberMap(p.extra)}};
  json workload = json::object();
  if (p.keys) workload["keys"] = *p.keys;
  if (!p.distribution.empty()) workload["distribution"] = p.distribution;
  if (!p.value_size.empty()) workload["value_size"] = p.value_size;
  if (!workload.empty()) j["parameters"]["workload"] = workload;
  if (!p.slo.empty()) j["parameters"]["slo"] = p.slo;
  if (p.shard_count > 0) {
    j["parameters"]["shard"] = {
        {"index", p.shard_index}, {"count", p.shard_count}, {"start_at", p.start_at}};
  }
  json targets = json::array();
  for (const TargetStatus& t : d.targets) {
    json tj = {{"name", t.name}, {"available", t.available}};
    if (!t.available) tj["reason"] = t.reason;
    if (!t.endpoint.empty()) tj["endpoint"] = t.endpoint;
    targets.push_back(tj);
  }
  j["targets"] = targets;
  json skipped = json::array();
  for (const Skip& s : d.skipped) {
    skipped.push_back({{"scenario", s.scenario},
                       {"approach", s.approach},
                       {"target", s.target},
                       {"reason", s.reason}});
  }
  j["skipped"] = skipped;
  json info = json::object();
  for (const auto& [id, t] : d.scenario_info) {
    json approaches = json::array();
    for (const ApproachText& a : t.approaches) {
      json aj = {{"id", a.id},
                 {"title", a.title},
                 {"summary", a.summary},
                 {"expected_correct", a.expected_correct}};
      if (!a.contract.empty()) aj["contract"] = a.contract;
      if (!a.unit.empty()) aj["unit"] = a.unit;
      approaches.push_back(aj);
    }
    info[id] = {{"title", t.title},
                {"question", t.question},
                {"expected", t.expected},
                {"lesson", t.lesson},
                {"approaches", approaches}};
    if (!t.claims.empty()) info[id]["claims"] = ClaimsToJson(t.claims);
    if (!t.unit.empty()) info[id]["unit"] = t.unit;
  }
  j["scenario_info"] = info;
  json records = json::array();
  for (const Record& r : d.records) records.push_back(RecordToJson(r));
  j["records"] = records;
  if (!d.scenario_figures.empty()) {
    json sf = json::object();
    for (const auto& [id, f] : d.scenario_figures) sf[id] = NumberMap(f);
    j["scenario_figures"] = sf;
  }
  return j;
}

// ---------------------------------------------------------------------------------------------
// Reader

const char* TypeName(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "a list";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::binary: return "binary data";
    case json::value_t::discarded: return "nothing";
    default: return "a number";
  }
}

// Reads typed fields out of JSON objects, remembering the first error. Absent and null fields
// leave the output untouched (optional); a present field of the wrong type is an error.
class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  bool failed() const { return !error_.empty(); }
  Error error() const { return Error(error_); }

  void Fail(const std::string& field, const std::string& what) {
    if (error_.empty()) error_ = origin_ + ": " + field + ": " + what;
  }

  // The member `key` of `obj` if present and not null, else nullptr.
  static const json* Find(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it == obj.end() || it->is_null() ? nullptr : &*it;
  }

  const json* Object(const json& obj, const std::string& path, const char* key) {
    const json* v = Find(obj, key);
    if (v && !v->is_object()) Expect(path, key, "an object", *v);
    return v && v->is_object() ? v : nullptr;
  }
  const json* Array(const json& obj, const std::string& path, const char* key) {
    const json* v = Find(obj, key);
    if (v && !v->is_array()) Expect(path, key, "a list", *v);
    return v && v->is_array() ? v : nullptr;
  }

  void Number(const json& obj, const std::string& path, const char* key,
              std::optional<double>* out) {
    if (const json* v = Find(obj, key)) {
      if (v->is_number()) {
        *out = v->get<double>();
      } else {
        Expect(path, key, "a number", *v);
      }
    }
  }
  template <typename T>
  void Number(const json& obj, const std::string& path, const char* key, T* out) {
    std::optional<double> v;
    Number(obj, path, key, &v);
    if (!v) return;
    if constexpr (std::is_integral_v<T>) {
      // 2^digits is the first whole number T cannot hold; converting one at or above it is
      // undefined behaviour, so it is refused like a negative or fractional value.
      if (*v < 0 || *v != std::floor(*v)) {
        Fail(Join(path, key), "expected a non-negative integer, got " + FormatNumber(*v));
        return;
      }
      if (*v >= std::ldexp(1.0, std::numeric_limits<T>::digits)) {
        Fail(Join(path, key), "expected an integer of at most " +
                                  std::to_string(std::numeric_limits<T>::max()) + ", got " +
                                  FormatNumber(*v));
        return;
      }
    }
    *out = static_cast<T>(*v);
  }
  // A count (ops, errors): a non-negative whole number, kept as a double like the other figures.
  void Count(const json& obj, const std::string& path, const char* key,
             std::optional<double>* out) {
    std::optional<double> v;
    Number(obj, path, key, &v);
    if (v && (*v < 0 || *v != std::floor(*v))) {
      Fail(Join(path, key), "expected a non-negative integer, got " + FormatNumber(*v));
      return;
    }
    if (v) *out = v;
  }
  void String(const json& obj, const std::string& path, const char* key, std::string* out) {
    if (const json* v = Find(obj, key)) {
      if (v->is_string()) {
        *out = v->get<std::string>();
      } else {
        Expect(path, key, "a string", *v);
      }
    }
  }
  void Bool(const json& obj, const std::string& path, const char* key, std::optional<bool>* out) {
    if (const json* v = Find(obj, key)) {
      if (v->is_boolean()) {
        *out = v->get<bool>();
      } else {
        Expect(path, key, "true or false", *v);
      }
    }
  }
  void Bool(const json& obj, const std::string& path, const char* key, bool* out) {
    std::optional<bool> v;
    Bool(obj, path, key, &v);
    if (v) *out = *v;
  }
  // Calls fn(element, its path) for each element of the list `key`, each of which must be an
  // object; stops at the first error.
  template <typename F>
  void Objects(const json& obj, const std::string& path, const char* key, F fn) {
    const json* list = Array(obj, path, key);
    for (size_t i = 0; list != nullptr && i < list->size() && !failed(); ++i) {
      const std::string element = Join(path, key) + "[" + std::to_string(i) + "]";
      if ((*list)[i].is_object()) {
        fn((*list)[i], element);
      } else {
        Fail(element, "expected an object");
      }
    }
  }
  void Numbers(const json& obj, const std::string& path, const char* key,
               std::vector<double>* out) {
    const json* list = Array(obj, path, key);
    if (!list) return;
    out->clear();
    for (size_t i = 0; i < list->size(); ++i) {
      const json& v = (*list)[i];
      if (!v.is_number()) {
        Fail(Join(path, key) + "[" + std::to_string(i) + "]",
             std::string("expected a number, got ") + TypeName(v));
        return;
      }
      out->push_back(v.get<double>());
    }
  }
  void Strings(const json& obj, const std::string& path, const char* key,
               std::vector<std::string>* out) {
    const json* list = Array(obj, path, key);
    if (!list) return;
    for (size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i].is_string()) {
        Fail(Join(path, key) + "[" + std::to_string(i) + "]", "expected a string");
        return;
      }
      out->push_back((*list)[i].get<std::string>());
    }
  }
  // {"name": number, ...}; `skip` names members read elsewhere (correctness's ok and note).
  void NumberMap(const json& obj, const std::string& path, const char* key,
                 std::map<std::string, double>* out, std::initializer_list<const char*> skip = {}) {
    const json* m = Object(obj, path, key);
    if (!m) return;
    for (const auto& [name, v] : m->items()) {
      if (std::any_of(skip.begin(), skip.end(), [&key = name](const char* s) { return key == s; })) {
        continue;
      }
      if (!v.is_number()) {
        Expect(Join(path, key), name.c_str(), "a number", v);
        return;
      }
      (*out)[name] = v.get<double>();
    }
  }
  void SeriesMap(const json& obj, const std::string& path, const char* key,
                 std::map<std::string, std::vector<double>>* out) {
    const json* m = Object(obj, path, key);
    if (!m) return;
    for (const auto& [name, v] : m->items()) Numbers(*m, Join(path, key), name.c_str(), &(*out)[name]);
  }

  // A member of an object and where its value goes; the type of `out` decides how it is read.
  struct Field {
    const char* key;
    std::variant<std::string*, bool*, int*, uint64_t*, double*, std::optional<double>*,
                 std::optional<int64_t>*, std::optional<uint64_t>*, std::vector<std::string>*,
                 std::vector<double>*, std::map<std::string, double>*,
                 std::map<std::string, std::vector<double>>*>
        out;
  };
  // Reads `fields` of `obj` in their order (so the first error is the first bad field): strings,
  // booleans, lists and maps as String, Bool, Strings, Numbers, NumberMap and SeriesMap do;
  // numbers as Number, an optional integer only when present. Counts are read with Count.
  void Fields(const json& obj, const std::string& path, std::initializer_list<Field> fields) {
    for (const Field& f : fields) {
      std::visit([&](auto* out) { Read(obj, path, f.key, out); }, f.out);
    }
  }

  static std::string Join(const std::string& path, const char* key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  void Read(const json& obj, const std::string& path, const char* key, std::string* out) {
    String(obj, path, key, out);
  }
  void Read(const json& obj, const std::string& path, const char* key, bool* out) {
    Bool(obj, path, key, out);
  }
  void Read(const json& obj, const std::string& path, const char* key,
            std::vector<std::string>* out) {
    Strings(obj, path, key, out);
  }
  void Read(const json& obj, const std::string& path, const char* key, std::vector<double>* out) {
    Numbers(obj, path, key, out);
  }
  void Read(const json& obj, const std::string& path, const char* key,
            std::map<std::string, double>* out) {
    NumberMap(obj, path, key, out);
  }
  void Read(const json& obj, const std::string& path, const char* key,
            std::map<std::string, std::vector<double>>* out) {
    SeriesMap(obj, path, key, out);
  }
  void Read(const json& obj, const std::string& path, const char* key,
            std::optional<double>* out) {
    Number(obj, path, key, out);
  }
  template <typename T>
  void Read(const json& obj, const std::string& path, const char* key, std::optional<T>* out) {
    if (!Find(obj, key)) return;
    T v{};
    Number(obj, path, key, &v);
    *out = v;
  }
  template <typename T>
  void Read(const json& obj, const std::string& path, const char* key, T* out) {
    Number(obj, path, key, out);
  }

  void Expect(const std::string& path, const char* key, const char* want, const json& got) {
    Fail(Join(path, key), std::string("expected ") + want + ", got " + TypeName(got));
  }

  std::string origin_;
  std::string error_;
};

void ReadHistogram(Reader& rd, const json& rec, const std::string& path, SparseHistogram* out) {
  const json* h = rd.Object(rec, path, "histogram");
  if (!h) return;
  const std::string hp = path + ".histogram";
  int bits = kSubBucketBits;
  double lowest_us = static_cast<double>(kLowestNs) / 1000.0;
  rd.Number(*h, hp, "sub_bucket_bits", &bits);
  std::optional<double> lowest;
  rd.Number(*h, hp, "lowest_us", &lowest);
  if (lowest) lowest_us = *lowest;
  if (bits != kSubBucketBits) {
    rd.Fail(hp + ".sub_bucket_bits", "this build reads " + std::to_string(kSubBucketBits) +
                                         ", not " + std::to_string(bits));
    return;
  }
  if (std::abs(lowest_us - static_cast<double>(kLowestNs) / 1000.0) > 1e-12) {
    rd.Fail(hp + ".lowest_us", "this build reads nanosecond counts (0.001), not " +
                                   FormatNumber(lowest_us));
    return;
  }
  const json* counts = rd.Array(*h, hp, "counts");
  if (!counts) return;
  for (size_t i = 0; i < counts->size(); ++i) {
    const json& pair = (*counts)[i];
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_unsigned() ||
        !pair[1].is_number_unsigned()) {
      rd.Fail(hp + ".counts[" + std::to_string(i) + "]",
              "expected an [index, count] pair of non-negative integers");
      return;
    }
    const auto index = pair[0].get<size_t>();
    if (index >= HistogramSize()) {
      rd.Fail(hp + ".counts[" + std::to_string(i) + "]",
              "index " + std::to_string(index) + " is beyond the layout's " +
                  std::to_string(HistogramSize()) + " buckets");
      return;
    }
    if (pair[1].get<uint64_t>() > 0) out->counts.emplace_back(index, pair[1].get<uint64_t>());
  }
  std::sort(out->counts.begin(), out->counts.end());
}

// `expected_ok_given`: whether the record states expected_ok or a verdict (else scenario_info
// decides). `version`: the file's schema version (2 adds verdict, unit, timing_*, memory_method).
Record ReadRecord(Reader& rd, const json& j, const std::string& path, int version,
                  bool* expected_ok_given) {
  Record r;
  rd.Fields(j, path, {{"scenario", &r.scenario}, {"approach", &r.approach}, {"target", &r.target}});
  for (const auto& [field, value] :
       {std::pair{"scenario", &r.scenario}, {"approach", &r.approach}, {"target", &r.target}}) {
    if (value->empty()) rd.Fail(path, std::string("has no \"") + field + "\"");
  }
  rd.NumberMap(j, path, "params", &r.params);
  rd.Count(j, path, "ops", &r.ops);
  rd.Count(j, path, "errors", &r.errors);
  rd.Fields(j, path, {{"duration_s", &r.duration_s}, {"throughput_ops_s", &r.throughput_ops_s}});
  rd.Objects(j, path, "repetitions", [&](const json& rep, const std::string& rp) {
    Repetition x;
    rd.Count(rep, rp, "ops", &x.ops);
    rd.Fields(rep, rp, {{"duration_s", &x.duration_s}, {"throughput_ops_s", &x.throughput_ops_s},
                        {"p99_us", &x.p99_us}, {"cpu_us_per_op", &x.cpu_us_per_op},
                        {"p50_us", &x.p50_us}});
    r.repetitions.push_back(x);
  });
  if (const json* ts = rd.Object(j, path, "throughput_stats")) {
    ThroughputStats& out = r.throughput_stats;
    rd.Fields(*ts, path + ".throughput_stats",
              {{"median", &out.median}, {"min", &out.min}, {"max", &out.max}, {"cv", &out.cv}});
  }
  if (const json* l = rd.Object(j, path, "latency_us")) {
    LatencySummary& out = r.latency_us;
    rd.Fields(*l, path + ".latency_us",
              {{"p50", &out.p50}, {"p90", &out.p90}, {"p99", &out.p99}, {"p999", &out.p999},
               {"max", &out.max}, {"mean", &out.mean}});
  }
  ReadHistogram(rd, j, path, &r.histogram);
  if (const json* ts = rd.Object(j, path, "timeseries")) {
    Timeseries& out = r.timeseries;
    rd.Fields(*ts, path + ".timeseries",
              {{"interval_ms", &out.interval_ms}, {"t_s", &out.t_s}, {"ops", &out.ops},
               {"p99_us", &out.p99_us}, {"figures", &out.figures}});
  }
  if (const json* c = rd.Object(j, path, "correctness")) {
    const std::string cp = path + ".correctness";
    std::optional<bool> ok, expected_ok;
    rd.Bool(*c, cp, "ok", &ok);
    rd.Bool(*c, cp, "expected_ok", &expected_ok);
    r.correctness.checked = ok.has_value();
    r.correctness.ok = ok.value_or(false);
    r.correctness.expected_ok = expected_ok.value_or(true);
    *expected_ok_given = expected_ok.has_value();
    rd.String(*c, cp, "note", &r.correctness.note);
    rd.NumberMap(j, path, "correctness", &r.correctness.figures, {"ok", "expected_ok", "note"});
  }
  rd.Fields(j, path, {{"figures", &r.figures}, {"series", &r.series}, {"error", &r.error}});
  if (version >= 2) {
    // The verdict decides ok and expected_ok; when the file also states them they must agree.
    std::string id;
    rd.String(j, path, "verdict", &id);
    if (!id.empty()) {
      std::optional<Verdict> v = VerdictFromId(id);
      if (!v) {
        rd.Fail(path + ".verdict", "\"" + id +
                                       "\" is not one of correct, wrong-expected, "
                                       "wrong-unexpected, correct-unexpected");
      } else {
        const bool ok = *v == Verdict::kCorrect || *v == Verdict::kCorrectUnexpected;
        const bool expected_ok = *v == Verdict::kCorrect || *v == Verdict::kWrongUnexpected;
        const json* c = Reader::Find(j, "correctness");
        const json* given_ok = c && c->is_object() ? Reader::Find(*c, "ok") : nullptr;
        const json* given_expected = c && c->is_object() ? Reader::Find(*c, "expected_ok") : nullptr;
        if ((given_ok && r.correctness.ok != ok) ||
            (given_expected && r.correctness.expected_ok != expected_ok)) {
          rd.Fail(path + ".verdict", "\"" + id + "\" disagrees with correctness.ok/expected_ok");
        }
        r.correctness.checked = true;
        r.correctness.ok = ok;
        r.correctness.expected_ok = expected_ok;
        *expected_ok_given = true;
      }
    }
    rd.String(j, path, "unit", &r.unit);
    if (r.unit == "ops") r.unit.clear();  // the default, kept implicit so v1 and v2 compare equal
    rd.Fields(j, path, {{"timing_trusted", &r.timing_trusted}, {"timing_note", &r.timing_note},
                        {"memory_method", &r.memory_method}});
  }
  return r;
}

void ReadEnvironment(Reader& rd, const json& doc, Results* res) {
  const json* e = rd.Object(doc, "", "environment");
  if (!e) return;
  Environment& env = res->environment;
  rd.Fields(*e, "environment",
            {{"host", &env.host}, {"cores", &env.cores}, {"memory_bytes", &env.memory_bytes},
             {"kernel", &env.kernel}, {"compiler", &env.compiler},
             {"git_revision", &env.git_revision}, {"loopback_rtt_us", &env.loopback_rtt_us}});
  if (const json* servers = rd.Object(*e, "environment", "servers")) {
    for (const auto& [name, v] : servers->items()) {
      rd.String(*servers, "environment.servers", name.c_str(), &env.servers[name]);
    }
  }
  rd.String(*e, "environment", "durability", &env.durability);
  if (const json* all = rd.Object(*e, "environment", "server_settings")) {
    for (const auto& [server, settings] : all->items()) {
      const std::string path = "environment.server_settings";
      if (const json* one = rd.Object(*all, path, server.c_str())) {
        for (const auto& [name, v] : one->items()) {
          rd.String(*one, path + "." + server, name.c_str(), &env.server_settings[server][name]);
        }
      }
    }
  }
}

void ReadParameters(Reader& rd, const json& doc, Results* res) {
  const json* p = rd.Object(doc, "", "parameters");
  if (!p) return;
  Parameters& out = res->parameters;
  const std::string pp = "parameters";
  rd.Fields(*p, pp,
            {{"command_line", &out.command_line}, {"scenarios", &out.scenarios},
             {"targets", &out.targets}, {"clients", &out.clients},
             {"duration_s", &out.duration_s}, {"ops", &out.ops}, {"rate", &out.rate},
             {"warmup_s", &out.warmup_s}, {"repetitions", &out.repetitions},
             {"seed", &out.seed}, {"interval_ms", &out.interval_ms}, {"extra", &out.extra},
             {"slo", &out.slo}});
  if (const json* sh = rd.Object(*p, pp, "shard")) {
    rd.Fields(*sh, pp + ".shard",
              {{"index", &out.shard_index}, {"count", &out.shard_count},
               {"start_at", &out.start_at}});
  }
  if (const json* w = rd.Object(*p, pp, "workload")) {
    rd.Fields(*w, pp + ".workload",
              {{"keys", &out.keys}, {"distribution", &out.distribution},
               {"value_size", &out.value_size}});
  }
}

void ReadTargetsAndSkips(Reader& rd, const json& doc, Results* res) {
  rd.Objects(doc, "", "targets", [&](const json& t, const std::string& tp) {
    TargetStatus status;
    status.available = true;
    rd.Fields(t, tp, {{"name", &status.name}, {"available", &status.available},
                      {"reason", &status.reason}, {"endpoint", &status.endpoint}});
    if (status.name.empty()) rd.Fail(tp, "has no \"name\"");
    res->targets.push_back(std::move(status));
  });
  rd.Objects(doc, "", "skipped", [&](const json& s, const std::string& sp) {
    Skip skip;
    rd.Fields(s, sp, {{"scenario", &skip.scenario}, {"approach", &skip.approach},
                      {"target", &skip.target}, {"reason", &skip.reason}});
    res->skipped.push_back(std::move(skip));
  });
}

// scenario_info.<id>.claims: optional in every version (see ClaimText).
void ReadClaims(Reader& rd, const json& info, const std::string& path,
                std::vector<ClaimText>* claims) {
  rd.Objects(info, path, "claims", [&](const json& c, const std::string& cp) {
    ClaimText claim;
    rd.Fields(c, cp, {{"id", &claim.id}, {"article", &claim.article}, {"kind", &claim.kind},
                      {"figure", &claim.figure}, {"confirm_at", &claim.confirm_at},
                      {"contradict_at", &claim.contradict_at}, {"at_largest", &claim.at_largest},
                      {"rule", &claim.rule}});
    rd.Objects(c, cp, "subjects", [&](const json& s, const std::string& sp) {
      ClaimSubject subject;
      rd.Fields(s, sp, {{"label", &subject.label}, {"approach", &subject.approach},
                        {"target", &subject.target}, {"params", &subject.params},
                        {"figure", &subject.figure}});
      if (subject.approach.empty()) rd.Fail(sp, "has no \"approach\"");
      claim.subjects.push_back(std::move(subject));
    });
    if (claim.id.empty()) rd.Fail(cp, "has no \"id\"");
    if (claim.kind != "value" && claim.kind != "ratio" && claim.kind != "chain") {
      rd.Fail(cp + ".kind", "expected \"value\", \"ratio\" or \"chain\", got \"" + claim.kind +
                                "\"");
    }
    claims->push_back(std::move(claim));
  });
}

void ReadScenarioInfo(Reader& rd, const json& doc, Results* res) {
  const json* info = rd.Object(doc, "", "scenario_info");
  if (!info) return;
  for (const auto& [id, t] : info->items()) {
    const std::string ip = "scenario_info." + id;
    if (!t.is_object()) {
      rd.Fail(ip, "expected an object");
      return;
    }
    ScenarioText& text = res->scenario_info[id];
    rd.Fields(t, ip, {{"title", &text.title}, {"question", &text.question},
                      {"expected", &text.expected}, {"lesson", &text.lesson},
                      {"unit", &text.unit}});
    rd.Objects(t, ip, "approaches", [&](const json& a, const std::string& ap) {
      ApproachText at;
      rd.Fields(a, ap, {{"id", &at.id}, {"title", &at.title}, {"summary", &at.summary},
                        {"expected_correct", &at.expected_correct}, {"contract", &at.contract},
                        {"unit", &at.unit}});
      if (at.id.empty()) rd.Fail(ap, "has no \"id\"");
      text.approaches.push_back(std::move(at));
    });
    ReadClaims(rd, t, ip, &text.claims);
  }
}

// Every version so far: 2 is 1 plus fields (ReadRecord reads them when `version` >= 2), so one
// walk reads both; what version 1 lacks is derived after the walk.
Expected<Results> ReadDocument(const json& doc, const std::string& origin, int version) {
  Reader rd(origin);
  Results res;
  res.path = origin;
  res.schema_version = version;
  rd.String(doc, "", "created", &res.created);
  rd.String(doc, "", "racetrack_version", &res.racetrack_version);
  ReadEnvironment(rd, doc, &res);
  ReadParameters(rd, doc, &res);
  ReadTargetsAndSkips(rd, doc, &res);
  ReadScenarioInfo(rd, doc, &res);
  std::vector<bool> expected_ok_given;
  rd.Objects(doc, "", "records", [&](const json& record, const std::string& rp) {
    bool given = false;
    res.records.push_back(ReadRecord(rd, record, rp, version, &given));
    expected_ok_given.push_back(given);
  });
  if (const json* sf = rd.Object(doc, "", "scenario_figures")) {
    for (const auto& [id, figures] : sf->items()) {
      rd.NumberMap(*sf, "scenario_figures", id.c_str(), &res.scenario_figures[id]);
    }
  }
  if (rd.failed()) return rd.error();
  for (size_t i = 0; i < res.records.size(); ++i) {  // the approach list fills a missing expected_ok
    Record& r = res.records[i];
    if (expected_ok_given[i]) continue;
    auto si = res.scenario_info.find(r.scenario);
    if (si == res.scenario_info.end()) continue;
    if (const ApproachText* a = si->second.Approach(r.approach)) {
      r.correctness.expected_ok = a->expected_correct;
    }
  }
  if (version == 1) {
    // Version 1 has no timing judgement: the rules that need nothing but the record decide it.
    for (Record& r : res.records) AssessTiming(&r);
  }
  return res;
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

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Verdicts

std::string_view VerdictId(Verdict v) {
  switch (v) {
    case Verdict::kCorrect: return "correct";
    case Verdict::kWrongExpected: return "wrong-expected";
    case Verdict::kWrongUnexpected: return "wrong-unexpected";
    case Verdict::kCorrectUnexpected: return "correct-unexpected";
    case Verdict::kUnchecked: break;
  }
  return "";
}

std::optional<Verdict> VerdictFromId(std::string_view id) {
  for (Verdict v : {Verdict::kCorrect, Verdict::kWrongExpected, Verdict::kWrongUnexpected,
                    Verdict::kCorrectUnexpected}) {
    if (VerdictId(v) == id) return v;
  }
  return std::nullopt;
}

Verdict DeriveVerdict(bool checked, bool ok, bool expected_ok) {
  if (!checked) return Verdict::kUnchecked;
  if (ok) return expected_ok ? Verdict::kCorrect : Verdict::kCorrectUnexpected;
  return expected_ok ? Verdict::kWrongUnexpected : Verdict::kWrongExpected;
}

std::string_view VerdictMark(Verdict v) {
  switch (v) {
    case Verdict::kCorrect: return "✅";
    case Verdict::kWrongExpected: return "✗";
    case Verdict::kWrongUnexpected: return "❌";
    case Verdict::kCorrectUnexpected: return "❓";
    case Verdict::kUnchecked: break;
  }
  return "–";
}

std::string_view VerdictMark(Verdict v, bool timing_trusted) {
  if (v == Verdict::kCorrect && !timing_trusted) return "☑";
  return VerdictMark(v);
}

std::string_view VerdictLabel(Verdict v) {
  switch (v) {
    case Verdict::kCorrect: return "correct";
    case Verdict::kWrongExpected: return "wrong, as expected";
    case Verdict::kWrongUnexpected: return "WRONG (unexpected)";
    case Verdict::kCorrectUnexpected: return "correct, though expected wrong";
    case Verdict::kUnchecked: break;
  }
  return "not checked";
}

void AssessTiming(Record* r) {
  std::vector<std::string> doubts;
  const ThroughputStats& ts = r->throughput_stats;
  if (ts.HighCv() && r->repetitions.size() > 1) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "throughput varies by %.0f%% (CV) across %zu repetitions, above the %.0f%% noise "
                  "limit",
                  *ts.cv * 100, r->repetitions.size(), kNoiseLimitCv * 100);
    doubts.push_back(buf);
  }
  if (r->ops && *r->ops < kMinTrustedOps) {
    const bool one = *r->ops == 1;
    doubts.push_back("only " + FormatNumber(*r->ops) + " timed " +
                     (one ? r->UnitSingular() + ": one sample decides the figure"
                          : r->Unit() + ": too few samples to decide the figure"));
  }
  for (const std::string& d : doubts) {
    if (r->timing_note.find(d) != std::string::npos) continue;
    r->timing_note += (r->timing_note.empty() ? "" : "; ") + d;
    r->timing_trusted = false;
  }
}

std::string ThroughputWithUnit(const Record& r) {
  if (!r.throughput_ops_s) return "–";
  return FormatHuman(*r.throughput_ops_s) + " " + r.Unit() + "/s";
}

// ---------------------------------------------------------------------------------------------
// Record and Results helpers

std::string Record::UnitSingular() const {
  std::string u = Unit();
  if (u.size() > 1 && u.back() == 's') u.pop_back();
  return u;
}

std::string Record::Key() const {
  std::string p;
  for (const auto& [k, v] : params) p += (p.empty() ? "" : ",") + k + "=" + FormatNumber(v);
  return scenario + "/" + approach + "/" + target + "/{" + p + "}";
}

std::string DurabilityParamName(double value) {
  static const char* const kNames[] = {"off", "relaxed", "strict"};
  const int i = static_cast<int>(value);
  return i >= 0 && i < 3 && i == value ? kNames[i] : FormatNumber(value);
}

std::string Record::ParamsLabel() const {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += ' ';
    out += name + "=" + (name == "durability" ? DurabilityParamName(value) : FormatNumber(value));
  }
  return out;
}

std::optional<double> Record::Figure(const std::string& name) const {
  if (auto it = correctness.figures.find(name); it != correctness.figures.end()) return it->second;
  if (auto it = figures.find(name); it != figures.end()) return it->second;
  return std::nullopt;
}

std::optional<double> Record::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::nullopt : std::optional<double>(it->second);
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

namespace {

// One figure of each repetition that has it, in repetition order.
std::vector<double> Samples(const std::vector<Repetition>& repetitions,
                            std::optional<double> Repetition::*figure) {
  std::vector<double> out;
  for (const Repetition& rep : repetitions) {
    if (rep.*figure) out.push_back(*(rep.*figure));
  }
  return out;
}

}  // namespace

std::vector<double> Record::P99Samples() const { return Samples(repetitions, &Repetition::p99_us); }

std::vector<double> Record::P50Samples() const { return Samples(repetitions, &Repetition::p50_us); }

std::vector<double> Record::CpuSamples() const {
  return Samples(repetitions, &Repetition::cpu_us_per_op);
}

const ApproachText* ScenarioText::Approach(const std::string& id) const {
  for (const ApproachText& a : approaches) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

std::vector<std::string> Results::Scenarios() const {
  std::vector<std::string> out;
  for (const Record& r : records) {
    if (std::find(out.begin(), out.end(), r.scenario) == out.end()) out.push_back(r.scenario);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Files

std::string ToJsonText(const Results& results) { return ToJson(results).dump(2) + "\n"; }

Expected<bool> WriteResults(const Results& results, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Error("cannot write " + path + ": " + std::strerror(errno));
    out << ToJsonText(results);
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return Error("cannot write " + path + ": write failed (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Error("cannot write " + path + ": " + why);
  }
  return true;
}

Expected<Results> ParseResults(std::string_view text, const std::string& origin) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    return Error(origin + (blank ? ": empty file, not a racetrack result"
                                 : ": not JSON, so not a racetrack result"));
  }
  if (!doc.is_object()) return Error(origin + ": JSON but not a racetrack result");
  auto schema_it = doc.find("schema");
  if (schema_it == doc.end() || !schema_it->is_string()) {
    return Error(origin + ": JSON without a \"schema\" field, not a racetrack result (expected \"" +
                 std::string(kSchemaPrefix) + std::to_string(kSchemaVersion) + "\")");
  }
  const std::string schema = schema_it->get<std::string>();
  std::optional<int> version = SchemaVersion(schema);
  if (!version || *version < 1) {
    return Error(origin + ": schema \"" + schema + "\" is not a racetrack result (expected \"" +
                 std::string(kSchemaPrefix) + std::to_string(kSchemaVersion) + "\")");
  }
  if (*version > kSchemaVersion) {
    return Error(origin + ": written by a newer racetrack (schema " + schema +
                 "); this build reads up to " + std::string(kSchemaPrefix) +
                 std::to_string(kSchemaVersion) + " - upgrade racetrack");
  }
  return ReadDocument(doc, origin, *version);
}

Expected<Results> ReadResults(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error(path + ": is a directory, expected a results JSON file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(path + ": cannot read: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error(path + ": read failed: " + std::strerror(errno));
  Expected<Results> res = ParseResults(buffer.str(), path);
  if (res.ok()) res->label = std::filesystem::path(path).stem().string();
  return res;
}

Expected<std::vector<Results>> ReadResultsFiles(const std::vector<std::string>& paths) {
  std::vector<Results> out;
  std::set<std::string> labels;
  for (const std::string& path : paths) {
    Expected<Results> res = ReadResults(path);
    if (!res.ok()) return res.error();
    std::string label = res->label;
    for (int n = 2; labels.count(label) > 0; ++n) label = res->label + " (" + std::to_string(n) + ")";
    labels.insert(label);
    res->label = label;
    out.push_back(std::move(*res));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Summaries

void Summarize(Record* r, const Histogram& h) {
  std::vector<double> tps;
  double ops = 0, duration = 0;
  for (const Repetition& rep : r->repetitions) {
    tps.push_back(rep.throughput_ops_s.value_or(0));
    ops += rep.ops.value_or(0);
    duration += rep.duration_s.value_or(0);
  }
  r->ops = ops;
  r->duration_s = duration;
  if (!r->errors) r->errors = 0;
  r->throughput_ops_s = Median(tps);
  ThroughputStats& s = r->throughput_stats;
  s.median = r->throughput_ops_s;
  if (!tps.empty()) {
    s.min = *std::min_element(tps.begin(), tps.end());
    s.max = *std::max_element(tps.begin(), tps.end());
    double mean = 0;
    for (double t : tps) mean += t;
    mean /= static_cast<double>(tps.size());
    double var = 0;
    for (double t : tps) var += (t - mean) * (t - mean);
    var /= static_cast<double>(tps.size());
    s.cv = mean > 0 ? std::sqrt(var) / mean : 0;
  } else {
    s.min = s.max = s.cv = 0;
  }
  r->latency_us = {h.PercentileUs(0.50), h.PercentileUs(0.90), h.PercentileUs(0.99),
                   h.PercentileUs(0.999), h.MaxUs(), h.MeanUs()};
  r->histogram = h.Sparse();
}

std::vector<std::pair<double, double>> PercentileCdf(const LatencySummary& l) {
  std::vector<std::pair<double, double>> out;
  const std::pair<const std::optional<double>*, double> points[] = {
      {&l.p50, 0.5}, {&l.p90, 0.9}, {&l.p99, 0.99}, {&l.p999, 0.999}, {&l.max, 1.0}};
  for (const auto& [value, fraction] : points) {
    if (*value && **value > 0 && (out.empty() || **value >= out.back().first)) {
      out.emplace_back(**value, fraction);
    }
  }
  return out;
}

std::string UtcNowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace racetrack::results
