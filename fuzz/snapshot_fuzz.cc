// libFuzzer target: the snapshot loader (engine::LoadSnapshotBytes) on arbitrary bytes, into a
// fresh engine. A corrupt file must give an error Status, never a crash, a hang or a leak.
// When a load succeeds, the loaded dataset is encoded again (EncodeSnapshot), so the encoder
// runs over whatever the loader let in.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/clock.h"
#include "engine/engine.h"
#include "engine/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace racetrack::engine;
  ManualClock clock;
  Engine engine(EngineConfig{}, &clock);
  uint64_t keys = 0;
  size_t consumed = 0;
  racetrack::Status s =
      LoadSnapshotBytes(engine, std::string_view(reinterpret_cast<const char*>(data), size), "fuzz",
                        &keys, &consumed);
  if (s.ok()) {
    if (consumed > size) __builtin_trap();
    (void)EncodeSnapshot(engine);
  }
  return 0;
}
