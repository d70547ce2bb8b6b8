// Lesson `cache`: the seed article's three tiers — "PostgreSQL query ~50 ms -> Redis cache ~5 ms
// -> native Redis operation ~0.5 ms" — measured, with what caching costs in correctness.
//
// The database is always PostgreSQL (the `postgres` target, passed as RunContext::backing); the
// cache tier runs on each Redis-like target (builtin, builtin-tcp, redis). A cache record's target
// is its cache tier and its figures say `backing_postgres` = 1; `db-only` is recorded once, on
// postgres; `in-process` once, on builtin (its LRU lives in the client; the target is unused).
//
// Data (loaded once per (keys, seed, value size), reused while its invariants hold):
//   cache_items(id, version, qty, aversion, n, total, payload)   one row per key ("product");
//                                     version/qty for point writes, aversion/n/total for orders
//   cache_orders(product_id, amount)                   200,000 rows, NO index on product_id
// Two reads (--query): `point` = the row by primary key (~0.1 ms: the honest case); `aggregate` =
// the product's order count and sum over cache_orders (a scan: many ms, the article's case).
// A write bumps the row's version (point: qty + 1; aggregate: one new order, n + 1, total +
// amount) in one statement and returns the new row. Every value read carries its version and is
// checked against invariants that every write keeps (qty - version, n - version, ...): a torn or
// invented value counts as a wrong answer.
//
// Approaches: db-only; cache-aside (GET, on a miss query + SET PX ttl; writes update the database
// then DEL); cache-aside-ttl-only (no DEL: expected to serve stale reads up to the TTL);
// single-flight (one client recomputes a missing or soft-expired key under a SET NX PX lock, the
// others wait for it or serve the soft-expired copy); native (a hash per product updated in place
// on every write, read with one HMGET; the aggregate is maintained at write time, never scanned);
// in-process (an LRU shared by the client threads: memoisation without a network).
//
// Workload: --keys (default 10,000), --distribution (default zipf:0.99), --value-size (point
// payload, default 100), --write-ratio (default 0.05), --ttl-ms (default 1000), --maxmemory /
// --maxmemory-policy; the cache starts cold (ApproachRun::ColdStart) so the hit ratio's time
// series climbs from zero.
//
// Correctness: stale reads are found offline by AnalyzeStaleness (cache_staleness.h). db-only
// must have none; cache-aside, single-flight, native and in-process none outside their documented
// race windows; cache-aside-ttl-only is the expected-wrong approach. No approach may return a
// wrong value.
#pragma once

#include <memory>

#include "scenarios/scenario.h"

namespace racetrack::scenarios {

std::unique_ptr<Scenario> MakeCacheScenario();

// The article's three tiers, in microseconds, for the report's comparison table.
inline constexpr double kArticleDbUs = 50'000, kArticleCacheUs = 5'000, kArticleNativeUs = 500;

}  // namespace racetrack::scenarios
