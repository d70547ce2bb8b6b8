// Short on purpose: the scenario's own code is the real home of its lesson; these sentences only
// keep a report readable when the results file predates "scenario_info".

#include "reports/lessons.h"

#include <array>
#include <string_view>

namespace racetrack::reports {

namespace {

struct BuiltinLesson {
  std::string_view id, title, lesson;
};

constexpr std::array kBuiltin = {
    BuiltinLesson{"counters", "Counters: lost updates under concurrency",
                  "Several clients increment the same counter. Reading the value, adding one and "
                  "writing it back (in the client or in SQL) loses updates whenever two clients "
                  "interleave; INCR, a Lua script, WATCH/MULTI, UPDATE v = v + 1 and SELECT ... FOR "
                  "UPDATE never do. The table shows what each safe way costs; a fast approach that "
                  "loses updates is wrong, not fast."},
    BuiltinLesson{"leaderboard", "Leaderboard: cost of a top-k query as the table grows",
                  "The top 10 players from an unindexed SQL table needs a scan and a sort of all N "
                  "rows, so its cost grows linearly with N; a btree index or a sorted set "
                  "(ZREVRANGE) walks only k entries and grows with log N. On log-log axes the slope "
                  "is the growth exponent: about 1 for the scan, near 0 for the index."},
    BuiltinLesson{"pipeline", "Pipelining: round trips dominate",
                  "Sending N commands one at a time costs about N round trips; a pipeline of P "
                  "commands costs about N/P. The dashed lines are that model (N x RTT / P); the "
                  "points are measured. The further the injected RTT grows, the more batching "
                  "wins, until the server's own work per command becomes the floor."},
    BuiltinLesson{"ratelimit", "Rate limiting: the fixed window's boundary burst",
                  "A fixed window (INCR + EXPIRE) resets its counter at each window boundary, so a "
                  "client can spend its whole limit at the end of one window and again at the start "
                  "of the next: up to twice the limit in any rolling window. A sliding log keeps every "
                  "rolling window at or under the limit exactly, at the cost of memory per request; "
                  "a sliding-window counter approximates it in constant memory and can overshoot "
                  "a little; token buckets and GCRA bound bursts by their burst size."},
    BuiltinLesson{"cache", "Caching: database, cache-aside, native structure",
                  "The same read served by a database query, by cache-aside with a TTL in front of "
                  "it, and by a native structure. Hit ratio and staleness matter as much as speed."},
    BuiltinLesson{"uniques", "Counting uniques: exact vs HyperLogLog",
                  "An exact set or COUNT(DISTINCT) is exact and grows with the cardinality; "
                  "HyperLogLog answers within about 0.81% in 12 KB whatever the cardinality."},
    BuiltinLesson{"sessions", "Sessions: TTL session vs JWT",
                  "A server-side session disappears the moment it is deleted; a self-contained "
                  "token stays valid until it expires, whatever happened at logout."},
    BuiltinLesson{"locks", "Distributed locks and fencing tokens",
                  "Without a lock, work is duplicated; SET NX PX prevents most of it, but a holder "
                  "paused past its lease overlaps the next one unless writes carry a fencing token."},
    BuiltinLesson{"messaging", "Messaging: Pub/Sub vs Streams",
                  "Pub/Sub delivers only to connected subscribers: a consumer that dies loses its "
                  "messages. Streams with consumer groups keep them pending until acknowledged."},
    BuiltinLesson{"persistence", "Persistence: what a kill -9 loses",
                  "No persistence loses everything; snapshots lose what came after the last one; an "
                  "append-only log with fsync every second loses at most about a second; fsync "
                  "always loses nothing acknowledged, and pays for it in throughput."},
};

}  // namespace

LessonText LessonFor(const std::string& scenario, const std::vector<Results>& runs) {
  LessonText text;
  for (const BuiltinLesson& b : kBuiltin) {
    if (b.id == scenario) text = {std::string(b.title), std::string(b.lesson)};
  }
  for (const Results& run : runs) {
    auto it = run.scenario_info.find(scenario);
    if (it == run.scenario_info.end()) continue;
    const ScenarioInfo& info = it->second;
    if (!info.title.empty()) text.title = info.title;
    if (!info.lesson.empty()) {
      text.lesson = info.question.empty() ? info.lesson : info.question + " " + info.lesson;
    }
    break;
  }
  if (text.title.empty()) text.title = "Scenario " + scenario;
  return text;
}

}  // namespace racetrack::reports
