// One registration function per command family; RegisterAllFamilies (families.cc) calls them all.
// A new family adds its line here and in families.cc.
#pragma once

namespace racetrack::engine {

class CommandTable;

void RegisterStringFamily(CommandTable& table);      // string_family.cc
void RegisterKeyFamily(CommandTable& table);         // key_family.cc
void RegisterHashFamily(CommandTable& table);        // hash_family.cc
void RegisterConnectionFamily(CommandTable& table);  // connection_family.cc
void RegisterServerFamily(CommandTable& table);      // server_family.cc
void RegisterAclFamily(CommandTable& table);         // acl_family.cc
// diagnostics_family.cc; after Server (adds COMMAND GETKEYS and GETKEYSANDFLAGS).
void RegisterDiagnosticsFamily(CommandTable& table);
void RegisterPubSubFamily(CommandTable& table);      // pubsub_family.cc
void RegisterStreamFamily(CommandTable& table);      // stream_family.cc
void RegisterBlockingFamily(CommandTable& table);    // blocking_family.cc
void RegisterPersistenceFamily(CommandTable& table); // persistence_family.cc
void RegisterListFamily(CommandTable& table);        // list_family.cc
void RegisterSetFamily(CommandTable& table);         // set_family.cc
void RegisterZSetFamily(CommandTable& table);        // zset_family.cc
void RegisterHllFamily(CommandTable& table);         // hll_family.cc
void RegisterTransactionFamily(CommandTable& table); // transaction_family.cc
void RegisterScriptingFamily(CommandTable& table);   // scripting_family.cc
void RegisterBitmapFamily(CommandTable& table);      // bitmap_family.cc
void RegisterSortFamily(CommandTable& table);        // sort.cc
void RegisterGeoFamily(CommandTable& table);         // geo_family.cc
void RegisterFunctionFamily(CommandTable& table);    // function_family.cc
void RegisterReplicationFamily(CommandTable& table); // replication_family.cc

}  // namespace racetrack::engine
