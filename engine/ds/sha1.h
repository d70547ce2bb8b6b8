// SHA-1 (FIPS 180-4), for the script cache: EVAL names a script by the SHA-1 of its body, EVALSHA
// and SCRIPT EXISTS look it up by that name, and Lua's redis.sha1hex exposes it. SHA-1 is no
// longer collision-resistant against an attacker, but Redis uses it as a cache key, and so do we,
// because clients compute the same digest themselves before calling EVALSHA.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace racetrack::engine {

std::array<uint8_t, 20> Sha1(std::string_view data);
// The digest as 40 lower-case hex digits (what EVALSHA and SCRIPT LOAD use).
std::string Sha1Hex(std::string_view data);

}  // namespace racetrack::engine
