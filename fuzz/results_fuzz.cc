// libFuzzer target: the results JSON reader (results::ParseResults) on arbitrary text. A bad
// file must give an Error naming the problem, never a crash; when it parses, writing it back
// (ToJsonText) and parsing that again must succeed too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "results/results.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace racetrack::results;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseResults(text, "fuzz.json");
  if (parsed.ok()) {
    std::string again = ToJsonText(*parsed);
    if (!ParseResults(again, "fuzz-again.json").ok()) __builtin_trap();
  }
  return 0;
}
