// Geohash: a point on Earth as one 52-bit integer, the score a GEO member has in its sorted set.
//
// Longitude and latitude are each cut into 2^26 equal steps over the range Redis uses (longitude
// -180..180, latitude -85.05112878..85.05112878, the Web Mercator limits: no point at the poles),
// and the two 26-bit step numbers are interleaved bit by bit, latitude in the even bits and
// longitude in the odd ones:
//
//     bit  51 50 49 48 ...  1  0
//          lo la lo la ... lo la      (lo = a longitude bit, la = a latitude bit, most significant first)
//
// Interleaving makes the integer a Z-order curve: points close on Earth mostly share a long prefix,
// so "every point in this cell" is one range of scores [cell << (52 - 2*step), (cell+1) << ...),
// and a radius search reads the cell holding the centre and its eight neighbours (SearchArea),
// then filters by exact distance. Decoding gives the centre of the 26-step cell, which is why a
// position read back differs from the one stored by up to half a cell, well under a meter (Redis's
// rounding, reproduced).
//
// Everything here follows Redis 7.0's geohash.c and geohash_helper.c operation for operation
// (their floating-point steps included), because GEOPOS, GEODIST and the search results are
// compared with Redis's byte for byte. Distances are haversine on a sphere of radius 6372797.560856
// m (Redis's constant).
//
// Complexity: all O(1). Thread-safety: pure functions.
#pragma once

#include <cstdint>

namespace racetrack::engine::geo {

inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr int kStepMax = 26;  // 26 * 2 = 52 bits

struct Range {
  double min = 0, max = 0;
};

// A cell: `step` bits of each coordinate, interleaved. {0, 0} is "no cell".
struct HashBits {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool zero() const { return bits == 0 && step == 0; }
};

struct Area {
  HashBits hash;
  Range longitude, latitude;
};

// Encodes (lon, lat) to `step` bits per coordinate within the given ranges. False when outside.
bool Encode(const Range& lon_range, const Range& lat_range, double lon, double lat, int step,
            HashBits* out);
// The 52-bit score of (lon, lat) in Redis's ranges. False when outside them.
bool EncodeScore(double lon, double lat, uint64_t* score);
// A cell's extent. False for the zero cell.
bool Decode(const Range& lon_range, const Range& lat_range, HashBits hash, Area* out);
// The centre of the 26-step cell a score names, clamped to the valid ranges (GEOPOS).
bool DecodeScore(double score, double* lon, double* lat);
// The 11-character standard geohash (base32, latitude -90..90) of a score, as GEOHASH prints it.
bool StandardGeohash(double score, char out[11]);

// Great-circle distance in meters (haversine), as Redis's geohashGetDistance.
double Distance(double lon1, double lat1, double lon2, double lat2);

// The search shape of GEOSEARCH / GEORADIUS: a circle (radius) or an axis-aligned box (width x
// height), in `unit`s of `conversion` meters each, centred on (lon, lat).
struct Shape {
  bool box = false;
  double lon = 0, lat = 0;
  double conversion = 1;
  double radius = 0;
  double width = 0, height = 0;
  double bounds[4] = {0, 0, 0, 0};  // min lon, min lat, max lon, max lat (SearchArea fills it)
};

// The centre cell and its eight neighbours (zero where they cannot hold a match), in the order
// Redis searches them: centre, N, S, E, W, NE, NW, SE, SW.
struct SearchCells {
  HashBits cells[9];
};
SearchCells SearchArea(Shape* shape);

// The score range [min, max) holding every point of a cell.
void ScoreRangeOf(HashBits cell, uint64_t* min, uint64_t* max);

// Whether a point decoded from `score` lies in the shape; its position and distance from the
// centre (meters) are returned either way when decodable.
bool WithinShape(const Shape& shape, double score, double* lon, double* lat, double* distance);

}  // namespace racetrack::engine::geo
