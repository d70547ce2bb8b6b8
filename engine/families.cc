#include "engine/command.h"
#include "engine/families.h"

namespace racetrack::engine {

void RegisterAllFamilies(CommandTable& table) {
  RegisterStringFamily(table);
  RegisterKeyFamily(table);
  RegisterHashFamily(table);
  RegisterConnectionFamily(table);
  RegisterServerFamily(table);
}

}  // namespace racetrack::engine
