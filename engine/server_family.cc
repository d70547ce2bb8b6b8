#include "engine/family_util.h"

namespace racetrack::engine {

void RegisterServerFamily(CommandTable& /*table*/) {}

}  // namespace racetrack::engine
