#include "engine/family_util.h"

namespace racetrack::engine {

void RegisterKeyFamily(CommandTable& /*table*/) {}

}  // namespace racetrack::engine
