// libFuzzer target: the append-only-log loader (engine::LoadAof) and its checker (CheckAof) on
// arbitrary bytes written to a temp file. A corrupt log must give an error Status (or a
// truncation of a partial last command), never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/aof.h"
#include "engine/base/clock.h"
#include "engine/engine.h"

namespace {

// One file per fuzzing process, rewritten for each input.
const std::string& TempPath() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/racetrack-aof-fuzz-" +
           std::to_string(getpid()) + ".aof";
  }();
  return path;
}

void Write(const uint8_t* data, size_t size) {
  FILE* f = std::fopen(TempPath().c_str(), "wb");
  if (f == nullptr) abort();
  if (size && std::fwrite(data, 1, size, f) != size) abort();
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace racetrack::engine;
  if (size > 65536) return 0;
  Write(data, size);
  (void)CheckAof(TempPath());
  Write(data, size);
  ManualClock clock;
  EngineConfig config;
  config.proto_max_bulk_len = 1 << 20;
  Engine engine(config, &clock);
  bool truncated = false;
  uint64_t commands = 0;
  (void)LoadAof(engine, TempPath(), &truncated, &commands);
  unlink(TempPath().c_str());
  return 0;
}
