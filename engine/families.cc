#include "engine/command.h"
#include "engine/families.h"

namespace racetrack::engine {

void RegisterAllFamilies(CommandTable& table) {
  RegisterStringFamily(table);
  RegisterKeyFamily(table);
  RegisterHashFamily(table);
  RegisterConnectionFamily(table);
  RegisterServerFamily(table);
  RegisterAclFamily(table);
  RegisterDiagnosticsFamily(table);
  RegisterPubSubFamily(table);
  RegisterStreamFamily(table);
  RegisterBlockingFamily(table);
  RegisterPersistenceFamily(table);
  RegisterListFamily(table);
  RegisterSetFamily(table);
  RegisterZSetFamily(table);
  RegisterHllFamily(table);
  RegisterTransactionFamily(table);
  RegisterScriptingFamily(table);
  RegisterBitmapFamily(table);
  RegisterSortFamily(table);
  RegisterGeoFamily(table);
  RegisterFunctionFamily(table);
  RegisterReplicationFamily(table);
}

}  // namespace racetrack::engine
