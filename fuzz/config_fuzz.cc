// libFuzzer target: the config-file parser (engine::LoadConfigFile) on arbitrary bytes written
// to a temp file, into a default EngineConfig. A bad line must give an error naming the file and
// line, never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace racetrack::engine;
  if (size > 16384) return 0;
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/racetrack-config-fuzz-" +
           std::to_string(getpid()) + ".conf";
  }();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) abort();
  if (size && std::fwrite(data, 1, size, f) != size) abort();
  std::fclose(f);
  EngineConfig config;
  racetrack::Status s = LoadConfigFile(path, &config);
  if (!s.ok() && s.message().empty()) __builtin_trap();  // an error always says what is wrong
  unlink(path.c_str());
  return 0;
}
