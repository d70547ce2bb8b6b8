// Small string utilities with Redis's exact parsing rules, shared by every command family.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace racetrack::engine {

// Parses a signed 64-bit integer exactly as Redis's string2ll: optional '-', digits, no '+', no
// leading zeros, no spaces, no overflow. "-0" is rejected.
bool ParseInt64(std::string_view s, int64_t* out);

// Parses a double as Redis's string2d / getDoubleFromObject: strtod over the whole string, no
// leading/trailing space, NaN rejected; "inf", "+inf", "-inf" accepted.
bool ParseDouble(std::string_view s, double* out);

// Same for long double (INCRBYFLOAT, HINCRBYFLOAT).
bool ParseLongDouble(std::string_view s, long double* out);

// Formats a long double as Redis's ld2string in "human" mode: %.17Lf, trailing zeros and a
// trailing '.' removed; used by INCRBYFLOAT so "10.5" stays "10.5".
std::string FormatLongDouble(long double v);

std::string FormatInt(int64_t v);

// Glob-style matching as Redis's stringmatchlen: * ? [abc] [^a-z] and \ escapes.
bool GlobMatch(std::string_view pattern, std::string_view s, bool nocase = false);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

}  // namespace racetrack::engine
