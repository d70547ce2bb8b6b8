// Stale-read analysis. Writes are grouped per key and sorted by version, so the newer writes of a
// read are a suffix; the reads handed in are usually only the suspect ones (see cache.cc), so a
// linear walk over that suffix is cheap.
#include "scenarios/cache_staleness.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace racetrack::scenarios {

StalenessReport AnalyzeStaleness(const std::vector<CacheWriteEvent>& writes,
                                 const std::vector<CacheFillEvent>& fills,
                                 const std::vector<CacheReadEvent>& reads) {
  std::unordered_map<int64_t, std::vector<const CacheWriteEvent*>> by_key;
  for (const CacheWriteEvent& w : writes) by_key[w.key].push_back(&w);
  for (auto& [key, list] : by_key) {
    std::sort(list.begin(), list.end(), [](const CacheWriteEvent* a, const CacheWriteEvent* b) {
      return a->version < b->version;
    });
  }
  std::unordered_map<uint64_t, const CacheFillEvent*> fill_of;
  for (const CacheFillEvent& f : fills) fill_of[f.fill_id] = &f;

  StalenessReport out;
  for (const CacheReadEvent& r : reads) {
    ++out.reads_checked;
    auto it = by_key.find(r.key);
    if (it == by_key.end()) continue;
    const auto& list = it->second;
    auto first_newer =
        std::upper_bound(list.begin(), list.end(), r.version,
                         [](int64_t v, const CacheWriteEvent* w) { return v < w->version; });
    int64_t earliest = -1;
    bool explained = true, needed_fill = false;
    const CacheWriteEvent* culprit = nullptr;
    const CacheFillEvent* fill = nullptr;
    if (r.fill_id != 0) {
      auto f = fill_of.find(r.fill_id);
      if (f != fill_of.end()) fill = f->second;
    }
    for (auto w = first_newer; w != list.end(); ++w) {
      const CacheWriteEvent& e = **w;
      if (e.commit_ack_ns >= r.start_ns) continue;  // committed after the read began
      if (earliest < 0 || e.commit_ack_ns < earliest) earliest = e.commit_ack_ns;
      const bool window = e.inval_ack_ns >= 0 && r.start_ns < e.inval_ack_ns;
      const bool race = fill != nullptr && e.inval_start_ns >= 0 &&
                        fill->db_start_ns < e.commit_ack_ns && fill->set_end_ns > e.inval_start_ns;
      if (!window && race) needed_fill = true;
      if (!window && !race && explained) {
        explained = false;
        culprit = &e;
      }
    }
    if (earliest < 0) continue;  // not stale
    ++out.stale_reads;
    const double ms = static_cast<double>(r.start_ns - earliest) / 1e6;
    out.max_staleness_ms = std::max(out.max_staleness_ms, ms);
    if (explained) {
      ++(needed_fill ? out.fill_races : out.invalidation_window);
      continue;
    }
    ++out.unexplained;
    out.max_unexplained_staleness_ms = std::max(out.max_unexplained_staleness_ms, ms);
    if (out.first_unexplained.empty()) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "key %lld: read version %lld %.2f ms after version %lld was committed%s",
                    static_cast<long long>(r.key), static_cast<long long>(r.version), ms,
                    static_cast<long long>(culprit->version),
                    culprit->inval_ack_ns < 0 ? " (never invalidated)" : " and invalidated");
      out.first_unexplained = buf;
    }
  }
  return out;
}

}  // namespace racetrack::scenarios
