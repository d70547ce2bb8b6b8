// GEO commands: points stored in a sorted set whose scores are 52-bit geohashes (ds/geohash.h).
// GEOADD (a ZADD of encoded scores), GEOPOS, GEODIST, GEOHASH, and the searches GEOSEARCH,
// GEOSEARCHSTORE and the older GEORADIUS, GEORADIUSBYMEMBER and their _RO forms.
//
// A search reads the sorted-set score ranges of the nine geohash cells around the centre
// (geo::SearchArea), keeps the points inside the exact circle or box, then sorts by distance when
// asked (ASC/DESC, or implicitly ASC with COUNT and no ANY). Without ordering the results come in
// cell order then score order, as Redis returns them. Parsing, error texts and their order follow
// Redis 7.0's geo.c (georadiusGeneric).
//
// Complexity: O(N + log M) for N points in the nine cells of an M-point set.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/arg_util.h"
#include "engine/ds/geohash.h"
#include "engine/ds/zset.h"
#include "engine/family_util.h"

namespace racetrack::engine {
namespace {

// Redis's extractLongLatOrReply: two doubles, then the range check.
bool ArgLonLat(CommandContext& ctx, size_t i, double* lon, double* lat) {
  if (!ArgDouble(ctx, i, lon) || !ArgDouble(ctx, i + 1, lat)) return false;
  if (*lon < geo::kLonMin || *lon > geo::kLonMax || *lat < geo::kLatMin || *lat > geo::kLatMax) {
    ctx.reply.Error(errors::InvalidLonLatPair(*lon, *lat));
    return false;
  }
  return true;
}

// Meters per unit: false after replying the error when `u` is no unit.
bool ArgUnit(CommandContext& ctx, std::string_view u, double* meters) {
  if (ArgWord(u, {{"m", 1.0}, {"km", 1000.0}, {"ft", 0.3048}, {"mi", 1609.34}}, meters)) {
    return true;
  }
  ctx.reply.Error(errors::kGeoBadUnit);
  return false;
}

// A distance with 4 decimals, as Redis's addReplyDoubleDistance (fixedpoint_d2string).
void ReplyDistance(ReplyBuilder& reply, double d) {
  long long v = std::llrint(d * 10000.0);
  unsigned long long abs = v < 0 ? 0ULL - static_cast<unsigned long long>(v)
                                 : static_cast<unsigned long long>(v);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%s%llu.%04llu", v < 0 ? "-" : "", abs / 10000,
                        abs % 10000);
  reply.Bulk(std::string_view(buf, static_cast<size_t>(n)));
}

void ReplyCoord(ReplyBuilder& reply, double lon, double lat) {
  reply.Array(2);
  reply.Bulk(FormatLongDouble(lon));
  reply.Bulk(FormatLongDouble(lat));
}

// The sorted set at argv[i] for reading; false after a WRONGTYPE reply.
bool LookupGeo(CommandContext& ctx, size_t i, const ZSet** out) {
  Value* v;
  if (!LookupReadTyped(ctx, ctx.argv[i], ObjType::kZSet, &v)) return false;
  *out = v == nullptr ? nullptr : v->As<ZSet>();
  return true;
}

// GEOADD key [NX|XX] [CH] lon lat member [...]: validated here, executed as the ZADD it amounts
// to (and logged as that ZADD), as Redis does.
void CmdGeoAdd(CommandContext& ctx) {
  size_t first = 2;
  bool nx = false, xx = false;
  while (first < ctx.argv.size()) {
    std::string_view opt = ctx.argv[first];
    if (ArgIs(opt, "nx")) nx = true;
    else if (ArgIs(opt, "xx")) xx = true;
    else if (!ArgIs(opt, "ch")) break;
    ++first;
  }
  if ((ctx.argv.size() - first) % 3 != 0 || (nx && xx)) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  std::vector<std::string> zadd = {"zadd"};
  for (size_t i = 1; i < first; ++i) zadd.emplace_back(ctx.argv[i]);
  for (size_t i = first; i < ctx.argv.size(); i += 3) {
    double lon, lat;
    if (!ArgLonLat(ctx, i, &lon, &lat)) return;
    uint64_t score;
    geo::EncodeScore(lon, lat, &score);
    zadd.push_back(std::to_string(score));
    zadd.emplace_back(ctx.argv[i + 2]);
  }
  ctx.engine.ExecuteQueued(ctx.client, zadd);
  ctx.client.prevent_propagation = true;  // the nested ZADD logged itself
}

// GEOPOS / GEOHASH key member [member ...]: one reply per member, reply_one(score) with its score
// (nullopt for a missing member or key).
template <typename ReplyOne>
void ReplyPerMember(CommandContext& ctx, ReplyOne reply_one) {
  const ZSet* zs;
  if (!LookupGeo(ctx, 1, &zs)) return;
  ctx.reply.Array(ctx.argv.size() - 2);
  for (size_t i = 2; i < ctx.argv.size(); ++i) {
    reply_one(zs ? zs->Score(ctx.argv[i]) : std::nullopt);
  }
}

void CmdGeoPos(CommandContext& ctx) {
  ReplyPerMember(ctx, [&ctx](std::optional<double> score) {
    double lon, lat;
    if (!score || !geo::DecodeScore(*score, &lon, &lat)) {
      ctx.reply.NullArray();
    } else {
      ReplyCoord(ctx.reply, lon, lat);
    }
  });
}

void CmdGeoHash(CommandContext& ctx) {
  ReplyPerMember(ctx, [&ctx](std::optional<double> score) {
    char buf[11];
    if (!score || !geo::StandardGeohash(*score, buf)) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(std::string_view(buf, 11));
    }
  });
}

// GEODIST key member1 member2 [M|KM|FT|MI]
void CmdGeoDist(CommandContext& ctx) {
  double to_meters = 1;
  if (ctx.argv.size() == 5) {
    if (!ArgUnit(ctx, ctx.argv[4], &to_meters)) return;
  } else if (ctx.argv.size() > 5) {
    ctx.reply.Error(errors::kSyntax);
    return;
  }
  const ZSet* zs;
  if (!LookupGeo(ctx, 1, &zs)) return;
  std::optional<double> s1 = zs ? zs->Score(ctx.argv[2]) : std::nullopt;
  std::optional<double> s2 = zs ? zs->Score(ctx.argv[3]) : std::nullopt;
  double lon1, lat1, lon2, lat2;
  if (!s1 || !s2 || !geo::DecodeScore(*s1, &lon1, &lat1) || !geo::DecodeScore(*s2, &lon2, &lat2)) {
    ctx.reply.Null();
    return;
  }
  ReplyDistance(ctx.reply, geo::Distance(lon1, lat1, lon2, lat2) / to_meters);
}

// ---------------------------------------------------------------------------------------------
// Searches
// ---------------------------------------------------------------------------------------------

enum SearchFlag : uint32_t {
  kByCoords = 1,        // GEORADIUS: lon lat radius unit
  kByMember = 2,        // GEORADIUSBYMEMBER: member radius unit
  kNoStore = 4,         // the _RO forms: no STORE / STOREDIST
  kGeoSearch = 8,       // GEOSEARCH syntax (FROM... BY...)
  kGeoSearchStore = 16  // GEOSEARCHSTORE: destination first, STOREDIST without a key
};

struct Point {
  std::string member;
  double score, lon, lat, dist;
};

// Redis's extractDistanceOrReply: "<radius> <unit>".
bool ArgRadius(CommandContext& ctx, size_t i, geo::Shape* shape) {
  double r;
  if (!ParseDouble(ctx.argv[i], &r)) {
    ctx.reply.Error(errors::kGeoRadiusNotNumber);
    return false;
  }
  if (r < 0) {
    ctx.reply.Error(errors::kGeoRadiusNegative);
    return false;
  }
  if (!ArgUnit(ctx, ctx.argv[i + 1], &shape->conversion)) return false;
  shape->box = false;
  shape->radius = r;
  return true;
}

// Redis's extractBoxOrReply: "<width> <height> <unit>".
bool ArgBox(CommandContext& ctx, size_t i, geo::Shape* shape) {
  double w, h;
  if (!ParseDouble(ctx.argv[i], &w)) {
    ctx.reply.Error(errors::kGeoWidthNotNumber);
    return false;
  }
  if (!ParseDouble(ctx.argv[i + 1], &h)) {
    ctx.reply.Error(errors::kGeoHeightNotNumber);
    return false;
  }
  if (h < 0 || w < 0) {
    ctx.reply.Error(errors::kGeoBoxNegative);
    return false;
  }
  if (!ArgUnit(ctx, ctx.argv[i + 2], &shape->conversion)) return false;
  shape->box = true;
  shape->width = w;
  shape->height = h;
  return true;
}

// A member's position; false when it is not in the set.
bool MemberPosition(const ZSet* zs, std::string_view member, geo::Shape* shape) {
  std::optional<double> score = zs->Score(member);
  return score && geo::DecodeScore(*score, &shape->lon, &shape->lat);
}

// The points of zs inside the shape, in cell order then score order; stops at `limit` (> 0).
std::vector<Point> PointsInShape(const ZSet& zs, geo::Shape* shape, size_t limit) {
  geo::SearchCells cells = geo::SearchArea(shape);
  std::vector<Point> out;
  int last = 0;
  for (int i = 0; i < 9; ++i) {
    const geo::HashBits& cell = cells.cells[i];
    if (cell.zero()) continue;
    // Huge radii make neighbours coincide: skip a cell equal to the last one searched.
    if (last != 0 && cell.bits == cells.cells[last].bits && cell.step == cells.cells[last].step) {
      continue;
    }
    if (!out.empty() && limit > 0 && out.size() >= limit) break;
    uint64_t min, max;
    geo::ScoreRangeOf(cell, &min, &max);
    ScoreRange range;
    range.min = static_cast<double>(min);
    range.max = static_cast<double>(max);
    range.min_exclusive = false;
    range.max_exclusive = true;
    for (ZSet::Iter it = zs.FirstInRange(range);
         it.valid() && SkipList::ValueLteMax(it.score(), range); it.Next()) {
      double score = it.score(), lon, lat, dist;
      if (geo::WithinShape(*shape, score, &lon, &lat, &dist)) {
        out.push_back({std::string(it.member()), score, lon, lat, dist});
      }
      if (!out.empty() && limit > 0 && out.size() >= limit) break;
    }
    last = i;
  }
  return out;
}

void SearchGeneric(CommandContext& ctx, size_t src_idx, uint32_t flags) {
  std::string_view store_key;
  bool have_store = false, store_dist = false;
  const ZSet* zs;
  if (!LookupGeo(ctx, src_idx, &zs)) return;

  size_t base = 0;
  geo::Shape shape;
  if (flags & kByCoords) {
    base = 6;
    if (!ArgLonLat(ctx, 2, &shape.lon, &shape.lat)) return;
    if (!ArgRadius(ctx, 4, &shape)) return;
  } else if (flags & kByMember) {
    base = 5;
    if (zs != nullptr) {  // a missing key still parses its options (for the reply's shape)
      if (!MemberPosition(zs, ctx.argv[2], &shape)) {
        ctx.reply.Error(errors::kGeoNoMember);
        return;
      }
      if (!ArgRadius(ctx, 3, &shape)) return;
    }
  } else {
    base = 2;
    if (flags & kGeoSearchStore) {
      base = 3;
      store_key = ctx.argv[1];
      have_store = true;
    }
  }

  bool with_dist = false, with_hash = false, with_coord = false;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  int sort = 0;  // 0 none, 1 ASC, 2 DESC
  bool any = false;
  int64_t count = 0;
  const size_t argc = ctx.argv.size();
  for (size_t i = base; i < argc; ++i) {
    std::string_view a = ctx.argv[i];
    size_t left = argc - i - 1;
    if (ArgFlag(a, {{"withdist", &with_dist},
                    {"withhash", &with_hash},
                    {"withcoord", &with_coord},
                    {"any", &any}}) ||
        ArgWord(a, {{"asc", 1}, {"desc", 2}}, &sort)) {
      continue;
    }
    if (ArgIs(a, "count") && left >= 1) {
      if (!ArgInt64(ctx, i + 1, &count)) return;
      if (count <= 0) {
        ctx.reply.Error(errors::kGeoCountNotPositive);
        return;
      }
      ++i;
    } else if ((ArgIs(a, "store") || ArgIs(a, "storedist")) && left >= 1 && !(flags & kNoStore) &&
               !(flags & kGeoSearch)) {
      store_key = ctx.argv[i + 1];
      have_store = true;
      store_dist = ArgIs(a, "storedist");
      ++i;
    } else if (ArgIs(a, "storedist") && (flags & kGeoSearch) && (flags & kGeoSearchStore)) {
      store_dist = true;
    } else if (ArgIs(a, "frommember") && left >= 1 && (flags & kGeoSearch) && !from_lonlat) {
      if (zs != nullptr && !MemberPosition(zs, ctx.argv[i + 1], &shape)) {
        ctx.reply.Error(errors::kGeoNoMember);
        return;
      }
      from_member = true;
      ++i;
    } else if (ArgIs(a, "fromlonlat") && left >= 2 && (flags & kGeoSearch) && !from_member) {
      if (!ArgLonLat(ctx, i + 1, &shape.lon, &shape.lat)) return;
      from_lonlat = true;
      i += 2;
    } else if (ArgIs(a, "byradius") && left >= 2 && (flags & kGeoSearch) && !by_box) {
      if (!ArgRadius(ctx, i + 1, &shape)) return;
      by_radius = true;
      i += 2;
    } else if (ArgIs(a, "bybox") && left >= 3 && (flags & kGeoSearch) && !by_radius) {
      if (!ArgBox(ctx, i + 1, &shape)) return;
      by_box = true;
      i += 3;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return;
    }
  }
  if (have_store && (with_dist || with_hash || with_coord)) {
    ctx.reply.Error(errors::GeoStoreWithOptions((flags & kGeoSearchStore) != 0));
    return;
  }
  if ((flags & kGeoSearch) && !(from_member || from_lonlat)) {
    ctx.reply.Error(errors::GeoNeedsFrom(ctx.argv[0]));
    return;
  }
  if ((flags & kGeoSearch) && !(by_radius || by_box)) {
    ctx.reply.Error(errors::GeoNeedsBy(ctx.argv[0]));
    return;
  }
  if (any && count == 0) {
    ctx.reply.Error(errors::kGeoAnyNeedsCount);
    return;
  }
  if (zs == nullptr) {
    if (have_store) {
      StoreOrDelete(ctx, store_key, std::nullopt, kNotifyZset, "");
      ctx.reply.Integer(0);
    } else {
      ctx.reply.EmptyArray();
    }
    return;
  }
  // COUNT without an order means "the closest N": sort ascending (not with ANY).
  if (count != 0 && sort == 0 && !any) sort = 1;

  std::vector<Point> points = PointsInShape(*zs, &shape, any ? static_cast<size_t>(count) : 0);
  if (points.empty() && !have_store) {
    ctx.reply.EmptyArray();
    return;
  }
  size_t returned = count == 0 || points.size() < static_cast<size_t>(count)
                        ? points.size()
                        : static_cast<size_t>(count);
  if (sort != 0) {
    auto by_dist = [sort](const Point& a, const Point& b) {
      return sort == 1 ? a.dist < b.dist : a.dist > b.dist;
    };
    if (returned == points.size()) {
      std::stable_sort(points.begin(), points.end(), by_dist);
    } else {
      std::partial_sort(points.begin(), points.begin() + static_cast<ptrdiff_t>(returned),
                        points.end(), by_dist);
    }
  }
  if (!have_store) {
    size_t options = (with_dist ? 1 : 0) + (with_coord ? 1 : 0) + (with_hash ? 1 : 0);
    ctx.reply.Array(returned);
    for (size_t i = 0; i < returned; ++i) {
      const Point& p = points[i];
      if (options > 0) ctx.reply.Array(options + 1);
      ctx.reply.Bulk(p.member);
      if (with_dist) ReplyDistance(ctx.reply, p.dist / shape.conversion);
      if (with_hash) ctx.reply.Integer(static_cast<int64_t>(p.score));
      if (with_coord) ReplyCoord(ctx.reply, p.lon, p.lat);
    }
    return;
  }
  std::optional<Value> result;
  if (returned > 0) {
    ZSet zs = ZSet::NewSkiplist();  // converted to a listpack at the end if small, as Redis
    size_t max_len = 0;
    for (size_t i = 0; i < returned; ++i) {
      const Point& p = points[i];
      zs.Insert(p.member, store_dist ? p.dist / shape.conversion : p.score);
      max_len = std::max(max_len, p.member.size());
    }
    zs.ConvertToListpackIfNeeded(max_len);
    result.emplace(std::move(zs));
  }
  StoreOrDelete(ctx, store_key, std::move(result), kNotifyZset,
                (flags & kGeoSearch) ? "geosearchstore" : "georadiusstore", returned);
  ctx.reply.Integer(static_cast<int64_t>(returned));
}

void CmdGeoRadius(CommandContext& ctx) { SearchGeneric(ctx, 1, kByCoords); }
void CmdGeoRadiusRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kByCoords | kNoStore); }
void CmdGeoRadiusByMember(CommandContext& ctx) { SearchGeneric(ctx, 1, kByMember); }
void CmdGeoRadiusByMemberRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kByMember | kNoStore); }
void CmdGeoSearch(CommandContext& ctx) { SearchGeneric(ctx, 1, kGeoSearch); }
void CmdGeoSearchStore(CommandContext& ctx) {
  SearchGeneric(ctx, 2, kGeoSearch | kGeoSearchStore);
}

}  // namespace

void RegisterGeoFamily(CommandTable& table) {
  CommandRegistrar reg(table, "geo");
  reg.Add("geoadd", -5, kCmdWrite | kCmdDenyOom, {1, 1, 1}, CmdGeoAdd);
  reg.Add("geodist", -4, kCmdReadOnly, {1, 1, 1}, CmdGeoDist);
  reg.Add("geohash", -2, kCmdReadOnly, {1, 1, 1}, CmdGeoHash);
  reg.Add("geopos", -2, kCmdReadOnly, {1, 1, 1}, CmdGeoPos);
  reg.Add("geosearch", -7, kCmdReadOnly, {1, 1, 1}, CmdGeoSearch);
  reg.Add("geosearchstore", -8, kCmdWrite | kCmdDenyOom, {1, 2, 1}, CmdGeoSearchStore);
  reg.Add("georadius", -6, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, {1, 1, 1}, CmdGeoRadius);
  reg.Add("georadius_ro", -6, kCmdReadOnly, {1, 1, 1}, CmdGeoRadiusRo);
  reg.Add("georadiusbymember", -5, kCmdWrite | kCmdDenyOom | kCmdMovableKeys, {1, 1, 1},
          CmdGeoRadiusByMember);
  reg.Add("georadiusbymember_ro", -5, kCmdReadOnly, {1, 1, 1}, CmdGeoRadiusByMemberRo);
}

}  // namespace racetrack::engine
