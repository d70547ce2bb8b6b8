// Each claim quotes the article briefly (or says it in our words where it is long), names the
// records and the figure that measure it, and fixes the thresholds before any run: a claim is
// decided by the rule written here, never by a reading of the figures after the fact. Where the
// article gives a number ("~50 ms → ~5 ms → ~0.5 ms", "5 s → 50 ms", "12 KB, 0.8%") the threshold
// sits well inside it (an order of magnitude where it says two), because the article's numbers
// are round and its machines are not ours; where it makes a yes/no statement ("never miscounts")
// the rule is zero against one.

#include "scenarios/claims.h"

#include <utility>

namespace racetrack::scenarios {

namespace {

ClaimSubject Subject(std::string label, std::string approach, std::string target = "",
                     std::map<std::string, double> params = {}, std::string figure = "") {
  return ClaimSubject{std::move(label), std::move(approach), std::move(target), std::move(params),
                      std::move(figure)};
}

// "Zero is right": confirmed when the figure is 0 on every record, contradicted from 1.
ClaimInfo NoneClaim(std::string id, std::string article, std::string figure,
                    std::vector<ClaimSubject> subjects) {
  ClaimInfo c{std::move(id), std::move(article), "value", figure, std::move(subjects), 0, 1, "",
              "confirmed when " + figure + " is 0 on every record, contradicted when any has ≥ 1"};
  return c;
}

// "It happens": confirmed when the figure is at least 1 on every record, contradicted at 0.
ClaimInfo SomeClaim(std::string id, std::string article, std::string figure,
                    std::vector<ClaimSubject> subjects) {
  ClaimInfo c{std::move(id), std::move(article), "value", figure, std::move(subjects), 1, 0, "",
              "confirmed when " + figure + " is ≥ 1 on every record, contradicted when it is 0"};
  return c;
}

// "An order of magnitude": the first subject's figure over the second's (`ratio`, in words),
// confirmed at 10× or more, contradicted at 2× or less. `at_largest`: ClaimInfo::at_largest.
ClaimInfo TenfoldClaim(std::string id, std::string article, std::string figure,
                       std::vector<ClaimSubject> subjects, std::string at_largest,
                       const std::string& ratio) {
  ClaimInfo c{std::move(id), std::move(article), "ratio", std::move(figure), std::move(subjects),
              10, 2, std::move(at_largest),
              ratio + ": confirmed when ≥ 10×, contradicted when ≤ 2×"};
  return c;
}

std::vector<ClaimInfo> Counters() {
  ClaimInfo ceremony = TenfoldClaim(
      "counters.ceremony",
      "PostgreSQL must lock the row, read, write, unlock and write the WAL to add one; Redis's INCR "
      "takes microseconds.",
      "p50_us",
      {Subject("UPDATE … + 1", "sql-update-increment", "postgres"), Subject("INCR", "incr")}, "",
      "p50 of the SQL increment / p50 of INCR");
  return {
      SomeClaim("counters.rmw-loses",
                "Read-modify-write (GET, +1 in the app, SET) loses updates when two clients "
                "interleave.",
                "lost_updates", {Subject("GET+SET", "client-rmw")}),
      NoneClaim("counters.incr-atomic", "INCR / HINCRBY: one line, atomic, never miscounts.",
                "lost_updates", {Subject("INCR", "incr"), Subject("HINCRBY", "hincrby")}),
      ceremony,
  };
}

std::vector<ClaimInfo> Leaderboard() {
  return {TenfoldClaim("leaderboard.sql-cries",
                       "SQL's ORDER BY score DESC LIMIT 10 over many rows makes the database cry; "
                       "a sorted set fetches the top 10 in O(log n).",
                       "p50_us",
                       {Subject("ORDER BY without index", "sql-noindex", "postgres"),
                        Subject("ZRANGE … REV", "zset")},
                       "sizes",
                       "p50 of the SQL top 10 (no index) / p50 of the sorted set's, at the "
                       "largest N run")};
}

std::vector<ClaimInfo> Pipeline() {
  return {TenfoldClaim("pipeline.one-send",
                       "Bundle 1,000 commands into one send: from 5 seconds to 50 ms.", "job_s",
                       {Subject("one by one", "one-by-one", "", {{"rtt-ms", 5}}),
                        Subject("pipelined", "pipeline", "", {{"rtt-ms", 5}, {"batch", 1000}})},
                       "",
                       "time of 1,000 commands one by one / pipelined in one batch, at 5 ms "
                       "injected RTT"),
          {"pipeline.rtt-bound",
           "A command takes microseconds on the server; sent one by one, the network round trip "
           "is all the time there is.",
           "value",
           "measured_over_model",
           {Subject("one by one", "one-by-one", "", {{"rtt-ms", 5}})},
           1.5,
           3,
           "",
           "measured time / (commands × RTT) one by one at 5 ms RTT: confirmed when ≤ 1.5, "
           "contradicted when ≥ 3"}};
}

std::vector<ClaimInfo> Ratelimit() {
  return {{"ratelimit.fixed-window-flood",
           "Fixed time slicing (reset the counter every window) has the flood-at-the-boundary "
           "loophole.",
           "value",
           "max_in_window_ratio",
           {Subject("fixed window", "fixed-window"), Subject("fixed window (SQL)", "fixed-window-sql")},
           1.5,
           1.0,
           "",
           "most admitted in any rolling window / the limit: confirmed when ≥ 1.5, contradicted "
           "when ≤ 1.0"},
          {"ratelimit.sliding-holds",
           "A sliding window (a sorted set of timestamps) has no such loophole.",
           "value",
           "max_in_window_ratio",
           {Subject("sliding log", "sliding-log"), Subject("sliding log (SQL)", "sliding-log-sql")},
           1.0,
           1.5,
           "",
           "most admitted in any rolling window / the limit: confirmed when ≤ 1.0, contradicted "
           "when ≥ 1.5"}};
}

std::vector<ClaimInfo> Cache() {
  return {{"cache.three-tiers",
           "PostgreSQL query ~50 ms → Redis cache ~5 ms → native Redis operation ~0.5 ms: two "
           "orders of magnitude.",
           "chain",
           "hit_p50_us",
           {Subject("PostgreSQL", "db-only", "postgres", {}, "read_p50_us"),
            Subject("cache", "cache-aside"), Subject("native", "native")},
           30,
           3,
           "",
           "median PostgreSQL read / median native hit, per target and query: confirmed when "
           "≥ 30× (the article says 100×), contradicted when ≤ 3×"}};
}

std::vector<ClaimInfo> Uniques() {
  return {{"uniques.hll-12kb",
           "HyperLogLog counts hundreds of millions of unique visitors in 12 KB.",
           "value",
           "memory_bytes",
           {Subject("PFADD", "hll")},
           16384,
           65536,
           "sizes",
           "memory of the HLL key at the largest N run: confirmed when ≤ 16 KB (12 KB of "
           "registers plus the key), contradicted when ≥ 64 KB"},
          {"uniques.hll-error",
           "… with a 0.8% error rate.",
           "value",
           "abs_rel_error",
           {Subject("PFCOUNT", "hll")},
           0.0244,
           0.05,
           "sizes",
           "|estimate − truth| / truth at the largest N run: confirmed when ≤ 2.44% (3σ of "
           "0.81%), contradicted when ≥ 5%"}};
}

std::vector<ClaimInfo> Locks() {
  return {NoneClaim("locks.setnx-one-at-a-time",
                    "A lock taken with Redis's atomic SET NX lets only one process at a time "
                    "generate an invoice number.",
                    "duplicates", {Subject("SET NX PX", "set-nx-px")}),
          NoneClaim("locks.redlock",
                    "Redlock was made for exactly this: only one at a time, even when a holder "
                    "stalls.",
                    "duplicates", {Subject("Redlock", "redlock")})};
}

std::vector<ClaimInfo> Sessions() {
  return {SomeClaim("sessions.jwt-irrevocable",
                    "Once a JWT is issued you cannot take it back before it expires.",
                    "accepted_after_revocation", {Subject("JWT", "jwt")}),
          NoneClaim("sessions.undo-button",
                    "Redis sessions are the undo button: deleting the session logs out at once.",
                    "accepted_after_revocation", {Subject("session + TTL", "session-ttl")})};
}

std::vector<ClaimInfo> Messaging() {
  return {SomeClaim("messaging.pubsub-vanishes",
                    "Pub/Sub is fire-and-forget: if nobody is listening, the message vanishes.",
                    "lost", {Subject("PUBLISH", "pubsub")}),
          NoneClaim("messaging.streams-guarantee",
                    "Streams with consumer groups guarantee every message gets processed.",
                    "lost", {Subject("XREADGROUP + XACK", "streams-group")})};
}

std::vector<ClaimInfo> Persistence() {
  return {SomeClaim("persistence.rdb-loses",
                    "RDB snapshots are fast but may lose the writes since the last snapshot.",
                    "lost_writes", {Subject("snapshot every 1 s", "snapshot-1s")}),
          NoneClaim("persistence.aof-safer",
                    "AOF records every write operation: safer data.",
                    "lost_writes",
                    {Subject("appendfsync always", "aof-always"),
                     Subject("appendfsync everysec", "aof-everysec")})};
}

}  // namespace

std::vector<ClaimInfo> ArticleClaims(std::string_view scenario_id) {
  if (scenario_id == "counters") return Counters();
  if (scenario_id == "leaderboard") return Leaderboard();
  if (scenario_id == "pipeline") return Pipeline();
  if (scenario_id == "ratelimit") return Ratelimit();
  if (scenario_id == "cache") return Cache();
  if (scenario_id == "uniques") return Uniques();
  if (scenario_id == "locks") return Locks();
  if (scenario_id == "sessions") return Sessions();
  if (scenario_id == "messaging") return Messaging();
  if (scenario_id == "persistence") return Persistence();
  return {};
}

}  // namespace racetrack::scenarios
