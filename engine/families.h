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

}  // namespace racetrack::engine
