// ParseWhole: a whole string as a number ("42", "-7", "0.5"), the one from_chars wrapper the
// adapters' reply parser and the lessons share. Nothing may follow the number: "42 " and "4x"
// fail, as does an empty string or a value out of T's range.
//
// Thread-safety: a pure function.
#pragma once

#include <charconv>
#include <string_view>
#include <system_error>

namespace racetrack {

template <typename T>
bool ParseWhole(std::string_view s, T* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace racetrack
