// The four libraries Redis adds to its Lua 5.1 (deps/lua/src/lua_{bit,struct,cmsgpack,cjson}.c),
// written here to behave as Redis 7.0.15's do, byte for byte where a script can see it. Each open
// function is a lua_CFunction called with the library's name; it leaves the library table in the
// globals (Lua 5.1's luaL_register convention).
//
//   bit       LuaBitOp 1.0.2: 32-bit operations on numbers (scripting_bit.cc)
//   struct    Roberto Ierusalimschy's struct: pack/unpack/size with format strings (scripting_struct.cc)
//   cmsgpack  MessagePack pack/unpack/unpack_one/unpack_limit (scripting_cmsgpack.cc)
//   cjson     Redis's fork of lua-cjson 2.1.0: encode/decode and its settings (scripting_cjson.cc)
//
// Thread-safety: as Lua's: one lua_State per thread.
#pragma once

#include <initializer_list>
#include <string>

extern "C" {
#include <lua.h>
}

namespace racetrack::engine::lua {

int OpenBit(lua_State* L);
int OpenStruct(lua_State* L);
int OpenCmsgpack(lua_State* L);
int OpenCjson(lua_State* L);

// A std::string owned by a new Lua userdata (pushed; its __gc destroys the string), for encoders
// that call back into Lua: a Lua error is a longjmp past C++ frames, which would leak a local one.
std::string* PushScratchString(lua_State* L);

// Sets string fields of the table on top of the stack, in order: a library's _NAME, _VERSION, ...
struct StringField {
  const char* name;
  const char* value;
};
inline void SetStringFields(lua_State* L, std::initializer_list<StringField> fields) {
  for (const StringField& f : fields) {
    lua_pushstring(L, f.value);
    lua_setfield(L, -2, f.name);
  }
}

}  // namespace racetrack::engine::lua
