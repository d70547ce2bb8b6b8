// libFuzzer target: the RESP request parser (engine::RequestParser) on arbitrary bytes, the way
// the server drives it: parse commands off the front of the buffer until it needs more input or
// reports a protocol error. Checks the parser's contract: `consumed` never exceeds the input,
// a command always consumes at least one byte, and every argv view lies inside the input or the
// parser's own storage (ASan reports any view that does not).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/resp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using racetrack::engine::ParserLimits;
  using racetrack::engine::RequestParser;
  // Small limits so the size checks are reachable with small inputs.
  RequestParser parser(
      ParserLimits{.max_bulk_len = 4096, .max_multibulk_len = 1024, .max_inline_len = 1024});
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> argv;
  std::string error;
  while (!input.empty()) {
    size_t consumed = 0;
    argv.clear();
    RequestParser::Outcome outcome = parser.Parse(input, &argv, &consumed, &error);
    if (outcome != RequestParser::Outcome::kCommand) break;
    if (consumed == 0 || consumed > input.size()) abort();  // no progress or overrun
    size_t total = 0;
    for (std::string_view a : argv) {
      for (char c : a) total += static_cast<unsigned char>(c);  // touch every byte
    }
    (void)total;
    input.remove_prefix(consumed);
  }
  return 0;
}
