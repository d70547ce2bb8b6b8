#include "engine/family_util.h"

namespace racetrack::engine {

void RegisterHashFamily(CommandTable& /*table*/) {}

}  // namespace racetrack::engine
