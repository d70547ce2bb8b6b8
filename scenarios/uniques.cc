// Lesson `uniques`: why it is measured this way.
//
// - The ingest is the timed loop (one Step = one batch of visits) because that is where the
//   approaches differ most in cost, and because it lets the live chart show memory as the
//   structure fills: a set grows with every new visitor, a HyperLogLog stops at 12 KB.
// - The batch size grows with N (N/50, between 100 and 10,000 visits) so every size takes about
//   50-150 round trips: small sizes are not one round trip, large ones not 100,000.
// - Repeats are a third of the visits, spread through the stream: an approach that counted
//   visits instead of visitors would be off by 50%, which the check catches.
// - Counting is timed in Verify, outside the harness's loop, because a count needs the whole
//   ingest first; it is repeated up to kCountRepeats times within kCountBudgetS and the median
//   reported (figures.count_p50_us).
// - sql-hll configures the sketch as hll_empty(14, 5): 2^14 registers like Redis, so the two
//   HyperLogLogs have the same error bound; 5-bit registers (10 KB) rather than Redis's 6 bits
//   because postgresql-hll 2.17 returns NaN from hll_cardinality above ~10^5 distinct values
//   with regwidth 6 (measured here), and 5 bits already count far beyond 10^9.
#include "scenarios/uniques.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "scenarios/claims.h"
#include "scenarios/key_distribution.h"
#include "scenarios/knobs.h"
#include "scenarios/memory_per_key.h"

namespace racetrack::scenarios {

namespace {

constexpr int64_t kRegisters = 16384;  // Redis's HLL_REGISTERS, and sql-hll's log2m = 14
constexpr int64_t kMembersPerCommand = 1000;
constexpr int kCountRepeats = 15;
constexpr double kCountBudgetS = 0.5;
constexpr int64_t kMinSize = 100;
constexpr int64_t kMaxSize = 10'000'000;

constexpr char kSetKey[] = "rt:uniques:set";
constexpr char kHllKey[] = "rt:uniques:hll";
constexpr char kBitmapKey[] = "rt:uniques:bitmap";
constexpr char kWeekKey[] = "rt:uniques:week";

std::string DayKey(int d) { return "rt:uniques:day:" + std::to_string(d); }

using engine::MonotonicNs;

enum class Kind { kSet, kHll, kHllMerge, kBitmap, kSqlCountDistinct, kSqlHll };

bool IsSql(Kind k) { return k == Kind::kSqlCountDistinct || k == Kind::kSqlHll; }
bool IsHll(Kind k) { return k == Kind::kHll || k == Kind::kHllMerge || k == Kind::kSqlHll; }

const LessonApproach<Kind> kApproaches[] = {
    {Kind::kSet,
     {"set", "Set SADD / SCARD", "every visitor id in a set: exact, memory grows with N",
      kCapStrings | kCapPipeline, true}},
    {Kind::kHll,
     {"hll", "HyperLogLog PFADD / PFCOUNT",
      "a 16384-register HyperLogLog: at most 12 KB, about 0.81% standard error",
      kCapHyperLogLog | kCapPipeline, true}},
    {Kind::kHllMerge,
     {"hll-merge", "7 daily HLLs, weekly PFCOUNT",
      "one HyperLogLog per day, the week's uniques as the multi-key PFCOUNT of the 7 (checked "
      "against PFMERGE): unions are free, a set would need SUNION",
      kCapHyperLogLog | kCapPipeline, true}},
    {Kind::kBitmap,
     {"bitmap", "Bitmap SETBIT / BITCOUNT",
      "one bit per possible integer id: exact, memory = id range / 8 whatever N is",
      kCapBitmaps | kCapPipeline, true}},
    {Kind::kSqlCountDistinct,
     {"sql-count-distinct", "SQL COUNT(DISTINCT)",
      "a visits table (one row per visit), SELECT count(DISTINCT visitor): exact, scans every "
      "visit",
      kCapSql, true}},
    {Kind::kSqlHll,
     {"sql-hll", "SQL hll extension",
      "PostgreSQL's hll extension (hll_add_agg / hll_cardinality) with Redis's 2^14 registers "
      "(of 5 bits: 10 KB): HyperLogLog is not a Redis-only idea",
      kCapSql, true}},
};

Kind KindOf(std::string_view id) { return KindOfApproach(id, kApproaches); }

const SqlStatement kInsertVisits{"uq_insert",
                                 "INSERT INTO uq_visits (visitor) SELECT unnest($1::bigint[])"};
const SqlStatement kAddToHll{
    "uq_hll_add",
    "UPDATE uq_hll SET h = hll_union(h, (SELECT hll_add_agg(hll_hash_bigint(v), 14, 5) FROM "
    "unnest($1::bigint[]) v)) WHERE id = 1"};
const SqlStatement kCountDistinct{"uq_count", "SELECT count(DISTINCT visitor) FROM uq_visits"};
const SqlStatement kHllCount{"uq_hll_count", "SELECT hll_cardinality(h) FROM uq_hll WHERE id = 1"};

Status Exec(Client& c, const std::string& sql) {
  auto r = c.Query(SqlStatement{"", sql}, {});
  return r.ok() ? Status::Ok() : r.status();
}

Status CheckReplies(const Result<std::vector<Reply>>& replies) {
  if (!replies.ok()) return replies.status();
  for (const Reply& r : *replies) {
    if (r.is_error()) return Status::InvalidArgument(r.str);
  }
  return Status::Ok();
}

Result<int64_t> IntegerReply(const Result<Reply>& r) {
  if (!r.ok()) return r.status();
  if (r->is_error()) return Status::InvalidArgument(r->str);
  if (r->type != Reply::Type::kInteger)
    return Status::Internal("expected an integer, got " + r->ToString());
  return r->integer;
}

Result<int64_t> ScalarInt(const Result<adapters::SqlRows>& rows) {
  if (!rows.ok()) return rows.status();
  auto v = rows->Scalar();
  if (!v) return Status::Internal("the query returned no value");
  const double d = std::strtod(v->c_str(), nullptr);
  if (!std::isfinite(d) || std::fabs(d) > 9e18) {
    return Status::Internal("the count is not a number: " + *v);
  }
  return std::llround(d);
}

std::string Array(const std::vector<int64_t>& ids) {
  std::string s = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i != 0) s += ',';
    s += std::to_string(ids[i]);
  }
  return s + "}";
}

}  // namespace

UniquesStream::UniquesStream(uint64_t seed, int64_t n)
    : seed_(seed), n_(n), visits_(3 * ((n + 1) / 2)), range_(4 * n) {
  // An affine map i -> (mult * i + offset) mod 4N is a permutation when gcd(mult, 4N) = 1.
  mult_ = static_cast<int64_t>(SplitMix64(seed) % static_cast<uint64_t>(range_)) | 1;
  while (std::gcd(mult_, range_) != 1) mult_ += 2;
  offset_ = static_cast<int64_t>(SplitMix64(seed + 1) % static_cast<uint64_t>(range_));
}

int64_t UniquesStream::IdOf(int64_t i) const {
  const __int128 v = static_cast<__int128>(mult_) * i + offset_;
  return static_cast<int64_t>(v % range_);
}

int64_t UniquesStream::Visit(int64_t j) const {
  // Groups of three visits: two new visitors, then a repeat of one seen so far.
  const int64_t g = j / 3, r = j % 3;
  if (r < 2 && 2 * g + r < n_) return IdOf(2 * g + r);
  const int64_t seen = std::min(n_, 2 * g + r);
  return IdOf(static_cast<int64_t>(SplitMix64(seed_ ^ (static_cast<uint64_t>(j) << 1)) %
                                   static_cast<uint64_t>(seen)));
}

int UniquesStream::Day(int64_t j) const {
  return static_cast<int>(SplitMix64(seed_ * 7 + static_cast<uint64_t>(j) + 3) % 7);
}

double HllSigma(int64_t registers) { return 1.04 / std::sqrt(static_cast<double>(registers)); }

namespace {

class UniquesRun;

class UniquesWorker final : public Worker {
 public:
  UniquesWorker(UniquesRun* run, Client* c) : run_(run), c_(c) {}
  Status Step() override;

 private:
  UniquesRun* run_;
  Client* c_;
};

class UniquesRun final : public ApproachRun {
 public:
  UniquesRun(Kind kind, uint64_t seed, int64_t n)
      : kind_(kind), stream_(seed, n), batch_(std::clamp<int64_t>(n / 50, 100, 10'000)) {
    batches_ = (stream_.visits() + batch_ - 1) / batch_;
  }

  Result<std::unique_ptr<Worker>> MakeWorker(Client& client, int) override {
    return std::unique_ptr<Worker>(new UniquesWorker(this, &client));
  }

  std::optional<uint64_t> PreferredOps() const override { return static_cast<uint64_t>(batches_); }

  // Adds batch `b` (its visits) through `c`.
  Status AddBatch(Client& c, int64_t b) {
    const int64_t begin = b * batch_;
    const int64_t end = std::min(stream_.visits(), begin + batch_);
    if (IsSql(kind_)) {
      std::vector<int64_t> ids;
      ids.reserve(static_cast<size_t>(end - begin));
      for (int64_t j = begin; j < end; ++j) ids.push_back(stream_.Visit(j));
      const std::string params[] = {Array(ids)};
      auto r = c.Query(kind_ == Kind::kSqlHll ? kAddToHll : kInsertVisits, params);
      if (!r.ok()) return r.status();
      if (kind_ == Kind::kSqlHll && r->affected != 1) {
        return Status::Internal("the hll row is missing");
      }
      return Status::Ok();
    }
    std::vector<Argv> cmds;
    if (kind_ == Kind::kBitmap) {
      for (int64_t j = begin; j < end; ++j) {
        cmds.push_back({"SETBIT", kBitmapKey, std::to_string(stream_.Visit(j)), "1"});
      }
      return CheckReplies(c.Pipeline(cmds));
    }
    // SADD / PFADD with up to kMembersPerCommand members each; per day for the weekly merge.
    std::map<std::string, Argv> open;
    auto flush = [&](const std::string& key) {
      Argv& a = open[key];
      if (a.size() > 2) cmds.push_back(std::move(a));
      a.clear();
    };
    for (int64_t j = begin; j < end; ++j) {
      const std::string key = kind_ == Kind::kSet   ? kSetKey
                              : kind_ == Kind::kHll ? kHllKey
                                                    : DayKey(stream_.Day(j));
      Argv& a = open[key];
      if (a.empty()) a = {kind_ == Kind::kSet ? "SADD" : "PFADD", key};
      a.push_back(std::to_string(stream_.Visit(j)));
      if (static_cast<int64_t>(a.size()) - 2 >= kMembersPerCommand) flush(key);
    }
    for (auto& [key, a] : open) {
      if (a.size() > 2) cmds.push_back(std::move(a));
    }
    return CheckReplies(c.Pipeline(cmds));
  }

  Status Step(Client& c) {
    const int64_t claimed = next_batch_.fetch_add(1);
    // After one full pass (a --duration longer than the ingest), repeat batches: repeats must
    // leave the count unchanged.
    const int64_t b = claimed % batches_;
    const int64_t t0 = MonotonicNs();
    int64_t expected = 0;
    first_start_ns_.compare_exchange_strong(expected, t0);
    Status s = AddBatch(c, b);
    if (!s.ok()) {
      std::lock_guard lock(mu_);
      failed_.push_back(b);
      return s;
    }
    if (claimed < batches_) {
      const int64_t t1 = MonotonicNs();
      int64_t last = last_end_ns_.load();
      while (t1 > last && !last_end_ns_.compare_exchange_weak(last, t1)) {
      }
      timed_visits_.fetch_add(std::min(stream_.visits(), (b + 1) * batch_) - b * batch_);
    }
    return Status::Ok();
  }

  Result<std::map<std::string, double>> Sample(Client& observer) override {
    std::map<std::string, double> out;
    const int64_t done = std::min(next_batch_.load(), batches_);
    out["visits_added"] = static_cast<double>(std::min(stream_.visits(), done * batch_));
    auto mem = Memory(observer, /*exact=*/false);
    if (mem.ok()) out["memory_bytes"] = static_cast<double>(*mem);
    return out;
  }

  // The Redis-like keys that make up the counter (hll-merge: one sketch per day).
  std::vector<std::string> StructureKeys() const {
    std::vector<std::string> keys;
    if (kind_ == Kind::kHllMerge) {
      for (int d = 0; d < 7; ++d) keys.push_back(DayKey(d));
    } else {
      keys.push_back(kind_ == Kind::kSet ? kSetKey : kind_ == Kind::kHll ? kHllKey : kBitmapKey);
    }
    return keys;
  }

  // The structure's memory in bytes. exact: MEMORY USAGE ... SAMPLES 0 (reads every member of a
  // big set; only in Verify, never while the ingest is being timed).
  Result<int64_t> Memory(Client& c, bool exact) const {
    if (IsSql(kind_)) {
      // The sketch itself for sql-hll (its table also holds the dead row versions the updates
      // leave: relation_bytes); the whole visits table, indexes and TOAST for COUNT(DISTINCT).
      if (kind_ == Kind::kSqlHll) {
        return ScalarInt(c.Query(SqlStatement{"", "SELECT pg_column_size(h) FROM uq_hll"}, {}));
      }
      return ScalarInt(c.Query(SqlStatement{"", "SELECT pg_total_relation_size('uq_visits')"}, {}));
    }
    const std::vector<std::string> keys = StructureKeys();
    std::vector<Argv> cmds;
    for (const auto& k : keys) {
      if (exact) {
        cmds.push_back({"MEMORY", "USAGE", k, "SAMPLES", "0"});
      } else {
        cmds.push_back({"MEMORY", "USAGE", k});
      }
    }
    auto r = c.Pipeline(cmds);
    if (!r.ok()) return r.status();
    int64_t total = 0;
    for (const Reply& rep : *r) {
      if (rep.is_error()) return Status::InvalidArgument(rep.str);
      if (rep.type == Reply::Type::kInteger) total += rep.integer;
    }
    return total;
  }

  Result<int64_t> Count(Client& c) const {
    switch (kind_) {
      case Kind::kSet:
        return IntegerReply(c.Command({"SCARD", kSetKey}));
      case Kind::kHll:
        return IntegerReply(c.Command({"PFCOUNT", kHllKey}));
      case Kind::kHllMerge: {
        Argv a = {"PFCOUNT"};
        for (int d = 0; d < 7; ++d) a.push_back(DayKey(d));
        return IntegerReply(c.Command(a));
      }
      case Kind::kBitmap:
        return IntegerReply(c.Command({"BITCOUNT", kBitmapKey}));
      case Kind::kSqlCountDistinct:
        return ScalarInt(c.Query(kCountDistinct, {}));
      case Kind::kSqlHll:
        return ScalarInt(c.Query(kHllCount, {}));
    }
    return Status::Internal("unknown approach");
  }

  Result<Correctness> Verify(Client& admin) override {
    Status finished = FinishIngest(admin);
    if (!finished.ok()) return finished;
    Result<int64_t> observed = TimedCount(admin);
    if (!observed.ok()) return observed.status();
    Result<Correctness> c = Judge(admin, *observed);
    if (!c.ok()) return c.status();
    MeasureMemoryAndIngest(admin, &*c);
    figures_["n"] = static_cast<double>(stream_.distinct());
    figures_["batch"] = static_cast<double>(batch_);
    figures_["rel_error"] = c->figures["rel_error"];
    Cleanup(admin);
    return c;
  }

  std::map<std::string, double> Figures() const override { return figures_; }
  std::string MemoryMethod() const override { return memory_method_; }

  // Frees the memory the structure holds (a 10^7 set is ~0.5 GB on a server).
  void Cleanup(Client& c) const {
    if (IsSql(kind_)) {
      (void)Exec(c, kind_ == Kind::kSqlHll ? "DROP TABLE uq_hll" : "DROP TABLE uq_visits");
      return;
    }
    std::vector<Argv> del = {{"DEL", kSetKey, kHllKey, kBitmapKey, kWeekKey}};
    for (int d = 0; d < 7; ++d) del[0].push_back(DayKey(d));
    (void)c.Pipeline(del);
  }

  const UniquesStream& stream() const { return stream_; }

 private:
  // Verify's steps. Finishes the first pass if a --duration cut it short, and redoes failed
  // batches (adds are idempotent), untimed: the count must be of the whole stream.
  Status FinishIngest(Client& admin) {
    std::vector<int64_t> redo;
    {
      std::lock_guard lock(mu_);
      redo = failed_;
    }
    for (int64_t b = std::min(next_batch_.load(), batches_); b < batches_; ++b) redo.push_back(b);
    for (int64_t b : redo) {
      Status s = AddBatch(admin, b);
      if (!s.ok()) return s;
    }
    if (!redo.empty()) figures_["batches_added_in_verify"] = static_cast<double>(redo.size());
    return Status::Ok();
  }

  // The count: the median of a few timed counts (figures_' count_p50_us); the count itself.
  Result<int64_t> TimedCount(Client& admin) {
    std::vector<double> us;
    int64_t observed = -1;
    const int64_t budget_end = MonotonicNs() + static_cast<int64_t>(kCountBudgetS * 1e9);
    while (us.size() < static_cast<size_t>(kCountRepeats) &&
           (us.size() < 3 || MonotonicNs() < budget_end)) {
      const int64_t t0 = MonotonicNs();
      auto count = Count(admin);
      if (!count.ok()) return count.status();
      us.push_back(static_cast<double>(MonotonicNs() - t0) / 1e3);
      if (observed >= 0 && *count != observed && !IsHll(kind_)) {
        return Status::Internal("two counts of the same data differ");
      }
      observed = *count;
    }
    std::sort(us.begin(), us.end());
    figures_["count_p50_us"] = us[us.size() / 2];
    figures_["counts_timed"] = static_cast<double>(us.size());
    return observed;
  }

  // The verdict: exact approaches must count exactly; HyperLogLogs must stay within 3 sigma
  // (and hll-merge's PFMERGE must agree with its multi-key PFCOUNT).
  Result<Correctness> Judge(Client& admin, int64_t observed) {
    const auto n = static_cast<double>(stream_.distinct());
    Correctness c;
    c.figures["expected"] = n;
    c.figures["observed"] = static_cast<double>(observed);
    const double rel = (static_cast<double>(observed) - n) / n;
    c.figures["rel_error"] = rel;
    c.figures["abs_rel_error"] = std::fabs(rel);
    c.figures["visits"] = static_cast<double>(stream_.visits());
    char buf[200];
    if (IsHll(kind_)) {
      const double sigma = HllSigma(kRegisters);
      c.figures["sigma"] = sigma;
      c.figures["bound"] = 3 * sigma;
      c.ok = std::fabs(rel) <= 3 * sigma;
      std::snprintf(buf, sizeof buf,
                    "Estimate %lld of %lld distinct: error %+.3f%%, %s the 3-sigma bound +-%.2f%% "
                    "(sigma = 1.04/sqrt(%lld)).",
                    static_cast<long long>(observed), static_cast<long long>(n), 100 * rel,
                    c.ok ? "within" : "OUTSIDE", 300 * sigma, static_cast<long long>(kRegisters));
      c.note = buf;
      if (kind_ == Kind::kHllMerge) {
        // The weekly union two ways: multi-key PFCOUNT (above) and PFMERGE into one key.
        Argv merge = {"PFMERGE", kWeekKey};
        for (int d = 0; d < 7; ++d) merge.push_back(DayKey(d));
        auto m = admin.Command(merge);
        if (!m.ok()) return m.status();
        auto week = IntegerReply(admin.Command({"PFCOUNT", kWeekKey}));
        if (!week.ok()) return week.status();
        c.figures["pfmerge_count"] = static_cast<double>(*week);
        if (*week != observed) {
          c.ok = false;
          c.note += " PFMERGE gave " + std::to_string(*week) + ", multi-key PFCOUNT " +
                    std::to_string(observed) + ": they must agree.";
        }
      }
    } else {
      c.ok = observed == stream_.distinct();
      std::snprintf(buf, sizeof buf, "%s: counted %lld, %lld distinct visitors in %lld visits.",
                    c.ok ? "Exact" : "WRONG", static_cast<long long>(observed),
                    static_cast<long long>(n), static_cast<long long>(stream_.visits()));
      c.note = buf;
    }
    return c;
  }

  // The structure's memory, memory per key, and the ingest rate; what failed goes into the note.
  void MeasureMemoryAndIngest(Client& admin, Correctness* c) {
    const auto n = static_cast<double>(stream_.distinct());
    auto mem = Memory(admin, /*exact=*/true);
    if (mem.ok()) {
      figures_["memory_bytes"] = static_cast<double>(*mem);
      figures_["bytes_per_visitor"] = static_cast<double>(*mem) / n;
    } else {
      c->note += " (memory not measured: " + mem.status().message() + ")";
    }
    // The counter is this lesson's one "key": measured the way every lesson measures memory per
    // key (scenarios/memory_per_key.h), with PostgreSQL's split into row data and page overhead.
    auto per_key = IsSql(kind_) ? SqlMemoryPerKey(admin, kind_ == Kind::kSqlHll ? "uq_hll" : "uq_visits", 1)
                                : RespMemoryPerKey(admin, StructureKeys(), 1);
    if (per_key.ok()) {
      AddMemoryFigures(*per_key, &figures_);
      memory_method_ = per_key->method;
    }
    if (kind_ == Kind::kSqlHll) {
      auto rel_size =
          ScalarInt(admin.Query(SqlStatement{"", "SELECT pg_total_relation_size('uq_hll')"}, {}));
      if (rel_size.ok()) figures_["relation_bytes"] = static_cast<double>(*rel_size);
      c->note +=
          " memory_bytes is the sketch (pg_column_size); relation_bytes also counts the "
          "dead row versions the updates left.";
    }
    const int64_t t0 = first_start_ns_.load(), t1 = last_end_ns_.load();
    if (t0 > 0 && t1 > t0) {
      figures_["ingest_s"] = static_cast<double>(t1 - t0) / 1e9;
      figures_["ingest_visits_per_s"] =
          static_cast<double>(timed_visits_.load()) / (static_cast<double>(t1 - t0) / 1e9);
    }
  }

  Kind kind_;
  UniquesStream stream_;
  int64_t batch_;
  int64_t batches_ = 0;
  std::atomic<int64_t> next_batch_{0};
  std::atomic<int64_t> first_start_ns_{0}, last_end_ns_{0}, timed_visits_{0};
  std::mutex mu_;
  std::vector<int64_t> failed_;
  std::map<std::string, double> figures_;
  std::string memory_method_;  // set by Verify
};

Status UniquesWorker::Step() { return run_->Step(*c_); }

ScenarioInfo BuildInfo() {
  ScenarioInfo info = LessonInfo(
      "uniques", "Counting unique visitors: set vs HyperLogLog vs SQL", "batches",
      "What do an exact set, a HyperLogLog, a bitmap and SQL COUNT(DISTINCT) cost in memory, "
      "ingest and count time as the number of distinct visitors grows, and how wrong is the "
      "HyperLogLog?");
  info.approaches = ApproachInfos(kApproaches);
  info.expected =
      "The set and COUNT(DISTINCT) are exact and grow linearly: tens of bytes per visitor in "
      "the set, more in the table (a row per visit plus its header). The HyperLogLog stays at "
      "12 KB from a few thousand visitors on (smaller ones use the sparse encoding) and its "
      "error stays within about 0.81% (one sigma) — the seed article's \"0.8% error in 12 KB\" "
      "holds. The bitmap is exact and fast but its size is set by the id range, not by N. "
      "COUNT(DISTINCT) gets slower with N (it sorts or hashes every visit); PFCOUNT and SCARD "
      "do not.";
  info.lesson =
      "What happens: counting distinct visitors exactly means remembering every visitor. A set "
      "does, so its memory grows with N; so does a visits table, which also has to be scanned "
      "to count. A HyperLogLog remembers only, per register, the longest run of leading zeros "
      "among the hashes it saw: 16384 registers of 6 bits, 12 KB, whatever N is.\n\n"
      "Why: the chance of a hash starting with k zeros is 2^-k, so the longest run estimates "
      "log2 of the number of distinct hashes; averaging 16384 registers (a harmonic mean) brings "
      "the standard error to 1.04/sqrt(16384) = 0.81%. Repeats never change a register, so "
      "duplicates cost nothing. Two HyperLogLogs merge by taking each register's maximum, so "
      "daily sketches give the week's uniques without keeping any visitor.\n\n"
      "The fix: when 1% error is fine (dashboards, analytics), use a HyperLogLog — in Redis "
      "(PFADD) or in PostgreSQL (the hll extension; it is not a Redis-only idea). When it must "
      "be exact and ids are small dense integers, a bitmap is exact and compact; otherwise a "
      "set, and plan for its memory.\n\n"
      "How this is measured: a stream of about 1.5 N visits with exactly N distinct visitors "
      "(generated from the seed) is added in pipelined batches — the timed part, so the table's "
      "latency is per batch; then the count is timed and compared with N. HyperLogLogs pass "
      "within 3 sigma (2.44%); the error is recorded either way. The article's \"hundreds of "
      "millions of uniques\" is not run here (10^7 on request with --sizes): the error bound "
      "does not depend on N.";
  info.live_figures = {"memory_bytes", "visits_added"};
  info.table_figures = {"rel_error", "memory_bytes", "ingest_visits_per_s", "count_p50_us"};
  info.default_clients = 1;
  info.knobs = {Knob("sizes", "numbers of distinct visitors, one record per size (100 .. 10000000)",
                     kMinSize, kMaxSize, {1000, 10000, 100000, 1000000}, kKnobSweeps)};
  return info;
}

class UniquesScenario final : public Lesson {
 public:
  UniquesScenario() : Lesson(BuildInfo()) {}

  Result<std::unique_ptr<ApproachRun>> Prepare(const ApproachInfo& approach, Client& admin,
                                               const RunContext& context) const override {
    const double size = RunKnobValue(info_, context.extra, "sizes");
    if (!(size >= kMinSize && size <= kMaxSize) || std::floor(size) != size) {
      return Status::InvalidArgument("--sizes must be an integer between 100 and 10000000 (got " +
                                     std::to_string(static_cast<long long>(size)) + ")");
    }
    const Kind kind = KindOf(approach.id);
    auto run = std::make_unique<UniquesRun>(kind, context.seed, static_cast<int64_t>(size));
    // Start empty.
    run->Cleanup(admin);
    if (kind == Kind::kSqlCountDistinct) {
      Status s = Exec(admin, "CREATE TABLE uq_visits (visitor bigint NOT NULL)");
      if (!s.ok()) return s;
    } else if (kind == Kind::kSqlHll) {
      auto have = admin.Query(
          SqlStatement{"", "SELECT count(*) FROM pg_extension WHERE extname = 'hll'"}, {});
      if (!have.ok()) return have.status();
      if (have->Scalar().value_or("0") == "0") {
        Status s = Exec(admin, "CREATE EXTENSION hll");
        if (!s.ok()) {
          return Status::Unavailable(
              "postgres has no hll extension (Debian package postgresql-15-hll): " + s.message());
        }
      }
      Status s = Exec(admin, "CREATE TABLE uq_hll (id int PRIMARY KEY, h hll NOT NULL)");
      if (!s.ok()) return s;
      if (!(s = Exec(admin, "INSERT INTO uq_hll VALUES (1, hll_empty(14, 5))")).ok()) return s;
    }
    return PreparedRun(std::move(run), Status::Ok());
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeUniquesScenario() { return std::make_unique<UniquesScenario>(); }

}  // namespace racetrack::scenarios
