// Charts of the cache and uniques lessons. Choices:
// - The three-tier chart uses each tier's own latency figure, not the record's overall latency:
//   db-only's read p50, cache-aside's and native's hit p50, in-process's hit p50 — the overall
//   latency mixes hits, misses and writes, the tiers are what the article compares.
// - Where several cache targets ran, the tier chart takes one network tier in this order: redis,
//   builtin-tcp, builtin (real Redis is what the article measures) and says which.
// - Uniques' error chart shows HyperLogLog approaches only (exact ones are 0 by construction and
//   would hide the band); the band is +-sigma and +-3 sigma of m = 16384 registers.
#include "reports/cache_charts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "reports/lesson_charts.h"

namespace racetrack::reports {

namespace {

constexpr double kSigma = 1.04 / 128.0;  // 1.04 / sqrt(16384)

// The query kind of a cache record ("point", "aggregate"); the knob is stored as its index.
std::string QueryOf(const Record& r) {
  auto q = r.params.find("query");
  return q != r.params.end() && q->second == 1 ? "aggregate" : "point";
}

std::string Ms(double us) {
  char buf[32];
  if (us >= 10'000) {
    std::snprintf(buf, sizeof buf, "%.0f ms", us / 1000);
  } else if (us >= 1000) {
    std::snprintf(buf, sizeof buf, "%.1f ms", us / 1000);
  } else if (us >= 100) {
    std::snprintf(buf, sizeof buf, "%.2f ms", us / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f µs", us);
  }
  return buf;
}

bool HasPoints(const ChartSpec& c) {
  for (const auto& b : c.bars) {
    for (const auto& v : b.values) {
      if (v) return true;
    }
  }
  for (const auto& s : c.series) {
    if (!s.points.empty()) return true;
  }
  return false;
}

// Bars: one category per approach (in order of appearance), one series per target.
ChartSpec ApproachBars(const std::vector<RunRecord>& items, const std::string& figure) {
  ChartSpec c;
  c.kind = ChartKind::kBars;
  std::vector<std::string> targets;
  for (const RunRecord& it : items) {
    if (std::find(c.categories.begin(), c.categories.end(), it.rec->approach) ==
        c.categories.end()) {
      c.categories.push_back(it.rec->approach);
    }
    if (std::find(targets.begin(), targets.end(), it.rec->target) == targets.end()) {
      targets.push_back(it.rec->target);
    }
  }
  const bool several = SeveralRuns(items);
  for (size_t t = 0; t < targets.size(); ++t) {
    std::map<std::string, BarSeries> by_run;
    for (const RunRecord& it : items) {
      if (it.rec->target != targets[t]) continue;
      BarSeries& s = by_run[it.run->label];
      if (s.values.empty()) {
        s.name = targets[t] + RunSuffix(it, several);
        s.values.assign(c.categories.size(), std::nullopt);
        s.flagged.assign(c.categories.size(), false);
        s.color = static_cast<int>(t);
      }
      const size_t k = static_cast<size_t>(
          std::find(c.categories.begin(), c.categories.end(), it.rec->approach) -
          c.categories.begin());
      s.values[k] = it.rec->Figure(figure);
      s.flagged[k] = it.rec->UnexpectedFailure();
    }
    for (auto& [label, s] : by_run) c.bars.push_back(std::move(s));
  }
  return c;
}

// The records of query kind `prefer` when there are any, else of the other kind; *query says
// which. Point lookups make the hit ratio and stale reads visible within a second (thousands of
// reads); the aggregate makes the stampede visible (each miss costs tens of ms).
std::vector<RunRecord> HeadlineQuery(const std::vector<RunRecord>& items, const std::string& prefer,
                                     std::string* query) {
  *query = prefer == "point" ? "aggregate" : "point";
  for (const RunRecord& it : items) {
    if (QueryOf(*it.rec) == prefer) *query = prefer;
  }
  std::vector<RunRecord> out;
  for (const RunRecord& it : items) {
    if (QueryOf(*it.rec) == *query) out.push_back(it);
  }
  return out;
}

ChartSpec TierChart(const std::vector<RunRecord>& items) {
  ChartSpec c;
  c.id = "three_tiers";
  c.primary = true;
  c.kind = ChartKind::kBars;
  c.title = "Three tiers: measured vs the article";
  c.categories = {"PostgreSQL query", "cache hit (network)", "native structure",
                  "in-process LRU hit"};
  c.y = {"median read latency", "µs", Scale::kLog, std::nullopt, std::nullopt, false};
  c.x = {"tier", "", Scale::kLinear, std::nullopt, std::nullopt, false};
  // The network tier shown: redis, else builtin-tcp, else builtin.
  std::string tier_target;
  for (const char* t : {"redis", "builtin-tcp", "builtin"}) {
    for (const RunRecord& it : items) {
      if (tier_target.empty() && it.rec->target == t && it.rec->approach == "cache-aside") {
        tier_target = t;
      }
    }
  }
  BarSeries article;
  article.name = "article (50 ms / 5 ms / 0.5 ms)";
  article.values = {50'000.0, 5'000.0, 500.0, std::nullopt};
  article.flagged.assign(4, false);
  article.color = 0;
  c.bars.push_back(article);
  std::string note;
  int color = 1;
  for (const std::string query : {"point", "aggregate"}) {
    BarSeries s;
    s.name = "measured · " + query;
    s.values.assign(4, std::nullopt);
    s.flagged.assign(4, false);
    s.color = color++;
    for (const RunRecord& it : items) {
      const Record& r = *it.rec;
      if (QueryOf(r) != query) continue;
      if (r.approach == "db-only") {
        s.values[0] = r.Figure("read_p50_us");
      } else if (r.approach == "cache-aside" && r.target == tier_target) {
        s.values[1] = r.Figure("hit_p50_us");
      } else if (r.approach == "native" && r.target == tier_target) {
        s.values[2] = r.Figure("hit_p50_us");
      } else if (r.approach == "in-process") {
        s.values[3] = r.Figure("hit_p50_us");
      }
    }
    if (std::none_of(s.values.begin(), s.values.end(), [](auto v) { return v.has_value(); })) {
      continue;
    }
    std::string row;
    for (size_t i = 0; i < 4; ++i) {
      if (!s.values[i]) continue;
      row += (row.empty() ? "" : ", ") + c.categories[i] + " " + Ms(*s.values[i]);
    }
    note += (note.empty() ? "" : " ") + std::string("Measured p50, ") + query + ": " + row + ".";
    c.bars.push_back(std::move(s));
  }
  c.subtitle = "Median read latency per tier (log scale). Cache and native tiers on " +
               (tier_target.empty() ? std::string("-") : tier_target) +
               ", PostgreSQL behind them. The article's 50 ms is an expensive query; an indexed "
               "point lookup is far cheaper on this machine.";
  c.note = note + " Article: PostgreSQL ~50 ms -> cache ~5 ms -> native ~0.5 ms.";
  return c;
}

ChartSpec HitRatioChart(const std::vector<RunRecord>& all) {
  std::string query;
  std::vector<RunRecord> items = HeadlineQuery(all, "point", &query);
  ChartSpec c;
  c.id = "hit_ratio";
  c.title = "Hit ratio from a cold start (" + query + ")";
  c.subtitle =
      "Share of reads served by the cache in each interval; zipf keys make it climb "
      "within the first intervals.";
  c.x = {"time", "s", Scale::kLinear, 0.0, std::nullopt, false};
  c.y = {"hit ratio", "%", Scale::kLinear, 0.0, 1.0, true};
  std::string target;
  for (const char* t : {"redis", "builtin-tcp", "builtin"}) {
    for (const RunRecord& it : items) {
      if (target.empty() && it.rec->target == t) target = t;
    }
  }
  std::vector<std::string> approaches;
  const bool several = SeveralRuns(items);
  for (const RunRecord& it : items) {
    if (it.rec->approach == "db-only") continue;
    if (it.rec->target != target && it.rec->approach != "in-process") continue;
    auto f = it.rec->timeseries.figures.find("hit_ratio");
    if (f == it.rec->timeseries.figures.end()) continue;
    if (std::find(approaches.begin(), approaches.end(), it.rec->approach) == approaches.end()) {
      approaches.push_back(it.rec->approach);
    }
    XYSeries s;
    s.name = it.rec->approach + " · " + it.rec->target + RunSuffix(it, several);
    s.color = static_cast<int>(approaches.size());
    const auto& t = it.rec->timeseries.t_s;
    for (size_t i = 0; i < t.size() && i < f->second.size(); ++i) {
      s.points.push_back({t[i], f->second[i]});
    }
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  return c;
}

}  // namespace

std::vector<ChartSpec> CacheCharts(const std::vector<Results>& runs) {
  std::vector<RunRecord> items = RecordsOf("cache", runs);
  std::vector<ChartSpec> charts;
  auto add = [&](ChartSpec c) {
    if (HasPoints(c)) charts.push_back(std::move(c));
  };
  add(TierChart(items));
  add(HitRatioChart(items));
  // One bar chart per figure, approaches x targets, at the query kind that shows the effect.
  auto bars = [&](const std::string& prefer, const std::string& figure, const std::string& title,
                  const std::string& subtitle, AxisSpec y) {
    std::string query;
    ChartSpec c = ApproachBars(HeadlineQuery(items, prefer, &query), figure);
    c.id = figure;
    c.title = title + " (" + query + ")";
    c.subtitle = subtitle;
    c.y = std::move(y);
    add(std::move(c));
  };
  bars("point", "stale_reads", "Stale reads",
       "Reads that returned an older version than one committed before the read began. Hatched "
       "red: outside the approach's documented race windows.",
       {"stale reads", "reads", Scale::kLinear, 0.0, std::nullopt, false});
  bars("aggregate", "db_queries_per_hot_expiry", "Database queries per miss of the hottest key",
       "When the hottest key expires or is invalidated, how many clients query the database for "
       "it: 1 is no stampede.",
       {"queries per episode", "", Scale::kLinear, 0.0, std::nullopt, false});
  bars("point", "db_queries_per_s", "Database load",
       "Queries per second that reached PostgreSQL: what the cache takes off it.",
       {"database queries", "queries/s", Scale::kLinear, 0.0, std::nullopt, false});
  return charts;
}

std::vector<ChartSpec> UniquesCharts(const std::vector<Results>& runs) {
  std::vector<RunRecord> items = RecordsOf("uniques", runs);
  const bool several = SeveralRuns(items);
  std::vector<ChartSpec> charts;
  std::vector<std::string> approaches;
  for (const RunRecord& it : items) {
    if (std::find(approaches.begin(), approaches.end(), it.rec->approach) == approaches.end()) {
      approaches.push_back(it.rec->approach);
    }
  }
  auto color_of = [&](const std::string& a) {
    return static_cast<int>(std::find(approaches.begin(), approaches.end(), a) -
                            approaches.begin());
  };
  // One series per approach x target (x run), y = `figure` against the cardinality.
  auto by_size = [&](const std::string& figure, bool hll_only) {
    std::map<std::string, XYSeries> series;
    std::vector<std::string> order;
    for (const RunRecord& it : items) {
      const Record& r = *it.rec;
      const bool hll = r.approach.find("hll") != std::string::npos;
      if (hll_only && !hll) continue;
      auto size = r.params.find("sizes");
      auto y = r.Figure(figure);
      if (size == r.params.end() || !y) continue;
      const std::optional<double> n = size->second;
      const std::string key = r.approach + " · " + r.target + RunSuffix(it, several);
      if (!series.count(key)) order.push_back(key);
      XYSeries& s = series[key];
      s.name = key;
      s.color = color_of(r.approach);
      s.points.push_back({*n, *y});
    }
    std::vector<XYSeries> out;
    for (const auto& key : order) {
      XYSeries s = series[key];
      std::sort(s.points.begin(), s.points.end(), [](Point a, Point b) { return a.x < b.x; });
      out.push_back(std::move(s));
    }
    return out;
  };

  auto add = [&](ChartSpec c) {
    if (HasPoints(c)) charts.push_back(std::move(c));
  };
  // `figure` against the cardinality, log x.
  auto vs_size = [&](const std::string& id, const std::string& title, const std::string& subtitle,
                     AxisSpec y, const std::string& figure, bool hll_only) {
    ChartSpec c;
    c.id = id;
    c.title = title;
    c.subtitle = subtitle;
    c.x = {"distinct visitors", "", Scale::kLog, std::nullopt, std::nullopt, false};
    c.y = std::move(y);
    c.series = by_size(figure, hll_only);
    return c;
  };

  ChartSpec err = vs_size("hll_error", "HyperLogLog error vs cardinality",
                          "Relative error of the estimate against the exact count. Lines: +-1 "
                          "sigma (0.81%) and +-3 sigma (2.44%, the pass bound) for 16384 "
                          "registers.",
                          {"relative error", "%", Scale::kLinear, -0.03, 0.03, true}, "rel_error",
                          true);
  err.primary = true;
  err.limits = {{kSigma, "+1 sigma"},
                {-kSigma, "-1 sigma"},
                {3 * kSigma, "+3 sigma"},
                {-3 * kSigma, "-3 sigma"}};
  add(std::move(err));

  ChartSpec mem = vs_size("memory_vs_cardinality", "Memory vs cardinality",
                          "Bytes held by the structure (MEMORY USAGE; pg_total_relation_size for "
                          "the visits table, the sketch for sql-hll), log-log: the set and the "
                          "table grow linearly, a HyperLogLog stops at 12 KB.",
                          {"memory", "bytes", Scale::kLog, std::nullopt, std::nullopt, false},
                          "memory_bytes", false);
  mem.limits = {{12 * 1024, "12 KB"}};
  add(std::move(mem));

  add(vs_size("count_latency", "Count latency vs cardinality",
              "Median time of one count (SCARD, PFCOUNT, BITCOUNT, COUNT(DISTINCT), "
              "hll_cardinality), log-log.",
              {"count latency (p50)", "µs", Scale::kLog, std::nullopt, std::nullopt, false},
              "count_p50_us", false));
  add(vs_size("ingest_rate", "Ingest rate vs cardinality",
              "Visits added per second, in pipelined batches.",
              {"ingest", "visits/s", Scale::kLog, std::nullopt, std::nullopt, false},
              "ingest_visits_per_s", false));
  return charts;
}

}  // namespace racetrack::reports
