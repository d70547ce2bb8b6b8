// SplitCommas: a comma-separated flag value ("1,8,32", three URLs) as its items, the one splitter
// the CLI, the knob parser and the lessons share. Empty items are kept ("a,,b" is three items;
// "" is one empty item), so each caller's own check names the empty one.
//
// Thread-safety: a pure function.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace racetrack {

inline std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace racetrack
