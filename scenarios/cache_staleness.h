// Stale-read detection for the cache lesson, as a pure function over logged events so a test can
// feed it a hand-built interleaving.
//
// Definitions (times are one steady clock, in ns):
//   A write w of key k produced version w.version (versions of a key increase with commit order).
//   w.commit_ack_ns is when the database acknowledged the commit to the writer — the commit
//   happened before it. w.inval_start_ns / w.inval_ack_ns bracket the cache invalidation that
//   followed (DEL, an LRU erase, an in-place update); both are -1 when the approach does none
//   (cache-aside-ttl-only).
//
//   A read r of key k began at r.start_ns and returned version r.version. r is STALE when some
//   write w of k with w.version > r.version has w.commit_ack_ns < r.start_ns: a newer value had
//   been committed before the read began. Its staleness is r.start_ns minus the earliest such
//   commit_ack_ns: how long the newer value had been committed when the read began.
//
//   A stale read is EXPLAINED (inside the race windows cache-aside documents) when every such
//   newer write w satisfies one of:
//     (a) invalidation window: r.start_ns < w.inval_ack_ns — the read began before the write's
//         invalidation returned (between commit and DEL a cache can only serve the old value);
//     (b) fill race: the value came from a fill f (r.fill_id) that read the database before the
//         write committed (f.db_start_ns < w.commit_ack_ns) and stored it after the invalidation
//         began (f.set_end_ns > w.inval_start_ns) — the classic cache-aside race: a reader loads
//         the old row, the writer commits and deletes, the reader then stores the old row, which
//         lives until its TTL or the next write.
//   Everything else is UNEXPLAINED: a value the approach's own rules cannot account for (for
//   cache-aside-ttl-only, which never invalidates, every stale read).
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace racetrack::scenarios {

struct CacheWriteEvent {
  int64_t key = 0;
  int64_t version = 0;
  int64_t commit_ack_ns = 0;
  int64_t inval_start_ns = -1;  // -1: no invalidation
  int64_t inval_ack_ns = -1;
};

struct CacheFillEvent {
  uint64_t fill_id = 0;  // never 0
  int64_t db_start_ns = 0;
  int64_t set_end_ns = 0;
};

struct CacheReadEvent {
  int64_t key = 0;
  int64_t version = 0;
  int64_t start_ns = 0;
  uint64_t fill_id = 0;  // the fill that stored the value read; 0 = read from the database
};

struct StalenessReport {
  uint64_t reads_checked = 0;
  uint64_t stale_reads = 0;
  double max_staleness_ms = 0;
  uint64_t invalidation_window = 0;  // explained by (a) only
  uint64_t fill_races = 0;           // explained, needing (b) for at least one write
  uint64_t unexplained = 0;
  double max_unexplained_staleness_ms = 0;
  std::string first_unexplained;  // one line, for the record's note
};

StalenessReport AnalyzeStaleness(const std::vector<CacheWriteEvent>& writes,
                                 const std::vector<CacheFillEvent>& fills,
                                 const std::vector<CacheReadEvent>& reads);

}  // namespace racetrack::scenarios
