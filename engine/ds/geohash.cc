#include "engine/ds/geohash.h"

#include <cmath>

namespace racetrack::engine::geo {
namespace {

constexpr double kDegToRad = M_PI / 180.0;  // Redis's D_R
constexpr double kEarthRadius = 6372797.560856;
constexpr double kMercatorMax = 20037726.37;

double DegRad(double a) { return a * kDegToRad; }
double RadDeg(double a) { return a / kDegToRad; }

// Spreads the 32 bits of x and y into the even (x) and odd (y) bits of one word.
uint64_t Interleave(uint32_t xlo, uint32_t ylo) {
  static constexpr uint64_t B[] = {0x5555555555555555ULL, 0x3333333333333333ULL,
                                   0x0F0F0F0F0F0F0F0FULL, 0x00FF00FF00FF00FFULL,
                                   0x0000FFFF0000FFFFULL};
  static constexpr unsigned S[] = {1, 2, 4, 8, 16};
  uint64_t x = xlo, y = ylo;
  for (int i = 4; i >= 0; --i) {
    x = (x | (x << S[i])) & B[i];
    y = (y | (y << S[i])) & B[i];
  }
  return x | (y << 1);
}

// The inverse: even bits to the low word, odd bits to the high word.
uint64_t Deinterleave(uint64_t v) {
  static constexpr uint64_t B[] = {0x5555555555555555ULL, 0x3333333333333333ULL,
                                   0x0F0F0F0F0F0F0F0FULL, 0x00FF00FF00FF00FFULL,
                                   0x0000FFFF0000FFFFULL, 0x00000000FFFFFFFFULL};
  static constexpr unsigned S[] = {0, 1, 2, 4, 8, 16};
  uint64_t x = v, y = v >> 1;
  for (int i = 0; i < 6; ++i) {
    x = (x | (x >> S[i])) & B[i];
    y = (y | (y >> S[i])) & B[i];
  }
  return x | (y << 32);
}

Range LonRange() { return {kLonMin, kLonMax}; }
Range LatRange() { return {kLatMin, kLatMax}; }

// One cell east/west (x: the longitude bits, odd) or north/south (the latitude bits, even):
// add or subtract one in those bits alone, carrying across the other coordinate's bits.
void Move(HashBits* h, int d, bool x_axis) {
  if (d == 0) return;
  const uint64_t mine = x_axis ? 0xaaaaaaaaaaaaaaaaULL : 0x5555555555555555ULL;
  const uint64_t other = ~mine;
  uint64_t v = h->bits & mine;
  uint64_t keep = h->bits & other;
  uint64_t zz = other >> (64 - h->step * 2);
  if (d > 0) {
    v = v + (zz + 1);
  } else {
    v = v | zz;
    v = v - (zz + 1);
  }
  v &= (mine >> (64 - h->step * 2));
  h->bits = v | keep;
}

HashBits Moved(HashBits h, int dx, int dy) {
  Move(&h, dx, true);
  Move(&h, dy, false);
  return h;
}

// Redis's geohashEstimateStepsByRadius: the coarsest cell size that still covers the radius.
int EstimateSteps(double range_meters, double lat) {
  if (range_meters == 0) return 26;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;  // make sure the range is included in most of the base cases
  if (lat > 66 || lat < -66) {  // cells are narrower towards the poles
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

void BoundingBox(Shape* s) {
  double height = s->conversion * (s->box ? s->height / 2 : s->radius);
  double width = s->conversion * (s->box ? s->width / 2 : s->radius);
  const double lat_delta = RadDeg(height / kEarthRadius);
  const double long_delta_top = RadDeg(width / kEarthRadius / std::cos(DegRad(s->lat + lat_delta)));
  const double long_delta_bottom =
      RadDeg(width / kEarthRadius / std::cos(DegRad(s->lat - lat_delta)));
  // The box is widest on the side nearer the equator.
  bool southern = s->lat < 0;
  s->bounds[0] = southern ? s->lon - long_delta_bottom : s->lon - long_delta_top;
  s->bounds[2] = southern ? s->lon + long_delta_bottom : s->lon + long_delta_top;
  s->bounds[1] = s->lat - lat_delta;
  s->bounds[3] = s->lat + lat_delta;
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadius * std::fabs(DegRad(lat2) - DegRad(lat1));
}

}  // namespace

bool Encode(const Range& lon_range, const Range& lat_range, double lon, double lat, int step,
            HashBits* out) {
  if (step > 32 || step == 0 || (lat_range.max == 0 && lat_range.min == 0) ||
      (lon_range.max == 0 && lon_range.min == 0)) {
    return false;
  }
  if (lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin) return false;
  out->bits = 0;
  out->step = static_cast<uint8_t>(step);
  if (lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max) {
    return false;
  }
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(1ULL << step);
  lon_offset *= static_cast<double>(1ULL << step);
  out->bits = Interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(lon_offset));
  return true;
}

bool EncodeScore(double lon, double lat, uint64_t* score) {
  HashBits h;
  if (!Encode(LonRange(), LatRange(), lon, lat, kStepMax, &h)) return false;
  *score = h.bits << (52 - h.step * 2);
  return true;
}

bool Decode(const Range& lon_range, const Range& lat_range, HashBits hash, Area* out) {
  if (hash.zero() || (lat_range.max == 0 && lat_range.min == 0) ||
      (lon_range.max == 0 && lon_range.min == 0)) {
    return false;
  }
  out->hash = hash;
  uint64_t sep = Deinterleave(hash.bits);  // [LAT][LON]
  double lat_scale = lat_range.max - lat_range.min;
  double lon_scale = lon_range.max - lon_range.min;
  uint32_t ilato = static_cast<uint32_t>(sep);
  uint32_t ilono = static_cast<uint32_t>(sep >> 32);
  double cells = static_cast<double>(1ULL << hash.step);
  out->latitude.min = lat_range.min + (ilato * 1.0 / cells) * lat_scale;
  out->latitude.max = lat_range.min + ((ilato + 1) * 1.0 / cells) * lat_scale;
  out->longitude.min = lon_range.min + (ilono * 1.0 / cells) * lon_scale;
  out->longitude.max = lon_range.min + ((ilono + 1) * 1.0 / cells) * lon_scale;
  return true;
}

bool DecodeScore(double score, double* lon, double* lat) {
  HashBits h{static_cast<uint64_t>(score), kStepMax};
  Area a;
  if (!Decode(LonRange(), LatRange(), h, &a)) return false;
  *lon = (a.longitude.min + a.longitude.max) / 2;
  if (*lon > kLonMax) *lon = kLonMax;
  if (*lon < kLonMin) *lon = kLonMin;
  *lat = (a.latitude.min + a.latitude.max) / 2;
  if (*lat > kLatMax) *lat = kLatMax;
  if (*lat < kLatMin) *lat = kLatMin;
  return true;
}

bool StandardGeohash(double score, char out[11]) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lon, lat;
  if (!DecodeScore(score, &lon, &lat)) return false;
  // Redis stores latitudes in -85..85; the standard geohash uses -90..90: re-encode.
  HashBits h;
  Encode({-180, 180}, {-90, 90}, lon, lat, 26, &h);
  for (int i = 0; i < 11; ++i) {
    // 52 bits make 10 full characters; the 11th is 0, as Redis prints it.
    int idx = i == 10 ? 0 : static_cast<int>((h.bits >> (52 - ((i + 1) * 5))) & 0x1f);
    out[i] = kAlphabet[idx];
  }
  return true;
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  double lon1r = DegRad(lon1), lon2r = DegRad(lon2);
  double v = std::sin((lon2r - lon1r) / 2);
  if (v == 0.0) return LatDistance(lat1, lat2);  // same meridian: no trigonometry needed
  double lat1r = DegRad(lat1), lat2r = DegRad(lat2);
  double u = std::sin((lat2r - lat1r) / 2);
  double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadius * std::asin(std::sqrt(a));
}

SearchCells SearchArea(Shape* shape) {
  BoundingBox(shape);
  double min_lon = shape->bounds[0], min_lat = shape->bounds[1];
  double max_lon = shape->bounds[2], max_lat = shape->bounds[3];
  double radius_meters =
      shape->box ? std::sqrt((shape->width / 2) * (shape->width / 2) +
                             (shape->height / 2) * (shape->height / 2))
                 : shape->radius;
  radius_meters *= shape->conversion;
  int steps = EstimateSteps(radius_meters, shape->lat);
  HashBits hash;
  Area area;
  Encode(LonRange(), LatRange(), shape->lon, shape->lat, steps, &hash);
  Decode(LonRange(), LatRange(), hash, &area);
  // One step coarser when the neighbours do not reach the bounding box's edges.
  Area north, south, east, west;
  Decode(LonRange(), LatRange(), Moved(hash, 0, 1), &north);
  Decode(LonRange(), LatRange(), Moved(hash, 0, -1), &south);
  Decode(LonRange(), LatRange(), Moved(hash, 1, 0), &east);
  Decode(LonRange(), LatRange(), Moved(hash, -1, 0), &west);
  bool decrease = north.latitude.max < max_lat || south.latitude.min > min_lat ||
                  east.longitude.max < max_lon || west.longitude.min > min_lon;
  if (steps > 1 && decrease) {
    steps--;
    Encode(LonRange(), LatRange(), shape->lon, shape->lat, steps, &hash);
    Decode(LonRange(), LatRange(), hash, &area);
  }
  SearchCells out;
  HashBits& n = out.cells[1];
  HashBits& s = out.cells[2];
  HashBits& e = out.cells[3];
  HashBits& w = out.cells[4];
  HashBits& ne = out.cells[5];
  HashBits& nw = out.cells[6];
  HashBits& se = out.cells[7];
  HashBits& sw = out.cells[8];
  out.cells[0] = hash;
  n = Moved(hash, 0, 1);
  s = Moved(hash, 0, -1);
  e = Moved(hash, 1, 0);
  w = Moved(hash, -1, 0);
  ne = Moved(hash, 1, 1);
  nw = Moved(hash, -1, 1);
  se = Moved(hash, 1, -1);
  sw = Moved(hash, -1, -1);
  // Drop the neighbours on a side the bounding box does not reach.
  if (steps >= 2) {
    if (area.latitude.min < min_lat) s = sw = se = HashBits{};
    if (area.latitude.max > max_lat) n = ne = nw = HashBits{};
    if (area.longitude.min < min_lon) w = sw = nw = HashBits{};
    if (area.longitude.max > max_lon) e = se = ne = HashBits{};
  }
  return out;
}

void ScoreRangeOf(HashBits cell, uint64_t* min, uint64_t* max) {
  *min = cell.bits << (52 - cell.step * 2);
  *max = (cell.bits + 1) << (52 - cell.step * 2);
}

bool WithinShape(const Shape& shape, double score, double* lon, double* lat, double* distance) {
  if (!DecodeScore(score, lon, lat)) return false;
  if (!shape.box) {
    *distance = Distance(shape.lon, shape.lat, *lon, *lat);
    return *distance <= shape.radius * shape.conversion;
  }
  double width_m = shape.width * shape.conversion, height_m = shape.height * shape.conversion;
  if (LatDistance(*lat, shape.lat) > height_m / 2) return false;
  if (Distance(*lon, *lat, shape.lon, *lat) > width_m / 2) return false;
  *distance = Distance(shape.lon, shape.lat, *lon, *lat);
  return true;
}

}  // namespace racetrack::engine::geo
