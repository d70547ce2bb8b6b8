// cmsgpack: MessagePack for Lua as Redis ships it (lua_cmsgpack.c, "lua-cmsgpack 0.4.0").
//
//   cmsgpack.pack(v1, v2, ...)              -> one string: the values' encodings back to back
//   cmsgpack.unpack(s)                      -> every value in s
//   cmsgpack.unpack_one(s [, offset])       -> next offset (-1 at the end), the value
//   cmsgpack.unpack_limit(s, n [, offset])  -> next offset, up to n values
//
// Encoding rules users can see (kept as Redis's): a number equal to an int64 is packed as the
// smallest int format, any other as float 32 when that is exact, else float 64; strings use
// fixstr/str8/str16/str32 (never bin); a table whose keys are exactly 1..n is an array, any other
// a map (in lua_next order); tables nested 16 deep and every other type (functions, nil) pack as
// nil. On 64-bit Lua 5.1, uint 64 values above 2^63 - 1 decode as negative numbers, as in Redis.
#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "engine/scripting_libs.h"

extern "C" {
#include <lauxlib.h>
}

namespace racetrack::engine::lua {
namespace {

constexpr int kMaxNesting = 16;

// A MessagePack item's head: the type byte, then `v` big-endian in `bytes` bytes (a length, a
// count, an integer or a float's bits).
void PutTyped(std::string* out, uint8_t type, uint64_t v, int bytes) {
  out->push_back(static_cast<char>(type));
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void EncodeBytes(std::string* out, const char* s, size_t len) {
  if (len < 32) {
    out->push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    PutTyped(out, 0xd9, len, 1);
  } else if (len <= 0xffff) {
    PutTyped(out, 0xda, len, 2);
  } else {
    PutTyped(out, 0xdb, len, 4);
  }
  out->append(s, len);
}

void EncodeDouble(std::string* out, double d) {
  auto f = static_cast<float>(d);
  if (d == static_cast<double>(f)) {
    PutTyped(out, 0xca, std::bit_cast<uint32_t>(f), 4);
  } else {
    PutTyped(out, 0xcb, std::bit_cast<uint64_t>(d), 8);
  }
}

void EncodeInt(std::string* out, int64_t n) {
  auto u = static_cast<uint64_t>(n);
  if (n >= 0) {
    if (n <= 127) {
      out->push_back(static_cast<char>(n));
    } else if (n <= 0xff) {
      PutTyped(out, 0xcc, u, 1);
    } else if (n <= 0xffff) {
      PutTyped(out, 0xcd, u, 2);
    } else if (n <= 0xffffffffLL) {
      PutTyped(out, 0xce, u, 4);
    } else {
      PutTyped(out, 0xcf, u, 8);
    }
  } else if (n >= -32) {
    out->push_back(static_cast<char>(static_cast<signed char>(n)));
  } else if (n >= -128) {
    PutTyped(out, 0xd0, u, 1);
  } else if (n >= -32768) {
    PutTyped(out, 0xd1, u, 2);
  } else if (n >= -2147483648LL) {
    PutTyped(out, 0xd2, u, 4);
  } else {
    PutTyped(out, 0xd3, u, 8);
  }
}

void EncodeHeader(std::string* out, uint64_t n, uint8_t fix, uint8_t b16, uint8_t b32) {
  if (n <= 15) {
    out->push_back(static_cast<char>(fix | n));
  } else if (n <= 65535) {
    PutTyped(out, b16, n, 2);
  } else {
    PutTyped(out, b32, n, 4);
  }
}

// An int64-valued double (not ±inf): what (int64_t)n == n tests on x86-64.
bool IsInt64(double n) {
  if (std::isinf(n) || std::isnan(n)) return false;
  if (n >= 9223372036854775808.0 || n < -9223372036854775808.0) return false;
  return static_cast<double>(static_cast<int64_t>(n)) == n;
}

// Keys exactly 1..n (numbers that are ints, > 0, as many as the largest).
bool IsArray(lua_State* L) {
  int top = lua_gettop(L);
  int64_t count = 0;
  double max = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER) {
      lua_settop(L, top);
      return false;
    }
    double n = lua_tonumber(L, -1);
    if (n <= 0 || n > INT_MAX || static_cast<double>(static_cast<int>(n)) != n) {
      lua_settop(L, top);
      return false;
    }
    if (n > max) max = n;
    ++count;
  }
  lua_settop(L, top);
  return max == static_cast<double>(count);
}

// Encodes and pops the value on top of the stack.
void Encode(lua_State* L, std::string* out, int level) {
  int t = lua_type(L, -1);
  if (t == LUA_TTABLE && level == kMaxNesting) t = LUA_TNIL;
  switch (t) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      EncodeBytes(out, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      out->push_back(static_cast<char>(lua_toboolean(L, -1) ? 0xc3 : 0xc2));
      break;
    case LUA_TNUMBER: {
      double n = lua_tonumber(L, -1);
      if (IsInt64(n)) {
        EncodeInt(out, static_cast<int64_t>(lua_tointeger(L, -1)));
      } else {
        EncodeDouble(out, n);
      }
      break;
    }
    case LUA_TTABLE:
      luaL_checkstack(L, 3, "in function mp_encode_lua_table");
      if (IsArray(L)) {
        size_t len = lua_objlen(L, -1);
        EncodeHeader(out, len, 0x90, 0xdc, 0xdd);
        for (size_t j = 1; j <= len; ++j) {
          lua_pushnumber(L, static_cast<lua_Number>(j));
          lua_gettable(L, -2);
          Encode(L, out, level + 1);
        }
      } else {
        uint64_t len = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          ++len;
        }
        EncodeHeader(out, len, 0x80, 0xde, 0xdf);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          Encode(L, out, level + 1);  // key
          Encode(L, out, level + 1);  // value
        }
      }
      break;
    default:
      out->push_back(static_cast<char>(0xc0));
  }
  lua_pop(L, 1);
}

int Pack(lua_State* L) {
  int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(L, nargs)) {
    return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  }
  // A table's __index may raise while it is encoded: the buffer lives in a userdata.
  std::string* out = PushScratchString(L);
  for (int i = 1; i <= nargs; ++i) {
    lua_pushvalue(L, i);
    Encode(L, out, 0);
  }
  lua_pushlstring(L, out->data(), out->size());
  return 1;
}

// ------------------------------------------------------------------------------------------------
// Decoding
// ------------------------------------------------------------------------------------------------

enum class CurError { kNone, kEof, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  CurError err = CurError::kNone;
  bool Need(size_t n) {
    if (left < n) {
      err = CurError::kEof;
      return false;
    }
    return true;
  }
  void Consume(size_t n) {
    p += n;
    left -= n;
  }
  uint64_t Big(size_t at, int bytes) const {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[at + static_cast<size_t>(i)];
    return v;
  }
};

void Decode(lua_State* L, Cursor* c);

void DecodeArray(lua_State* L, Cursor* c, size_t len) {
  lua_newtable(L);
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  int index = 1;
  while (len--) {
    lua_pushnumber(L, index++);
    Decode(L, c);
    if (c->err != CurError::kNone) return;
    lua_settable(L, -3);
  }
}

void DecodeMap(lua_State* L, Cursor* c, size_t len) {
  lua_newtable(L);
  while (len--) {
    Decode(L, c);
    if (c->err != CurError::kNone) return;
    Decode(L, c);
    if (c->err != CurError::kNone) return;
    lua_settable(L, -3);
  }
}

void PushString(lua_State* L, Cursor* c, size_t header, size_t len) {
  if (!c->Need(header + len)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p + header), len);
  c->Consume(header + len);
}

// uint / int 8, 16, 32, 64: the big-endian value of `bytes` bytes after the type byte, as unsigned
// or two's complement. A uint 64 above 2^63 - 1 wraps negative, as in Redis (64-bit Lua 5.1).
void PushInteger(lua_State* L, Cursor* c, int bytes, bool is_signed) {
  const size_t size = 1 + static_cast<size_t>(bytes);
  if (!c->Need(size)) return;
  uint64_t v = c->Big(1, bytes);
  int unused = 64 - 8 * bytes;
  auto n = is_signed ? static_cast<int64_t>(v << unused) >> unused : static_cast<int64_t>(v);
  lua_pushinteger(L, static_cast<lua_Integer>(n));
  c->Consume(size);
}

// float 32 / float 64: the IEEE 754 bits after the type byte.
template <typename Float>
void PushFloat(lua_State* L, Cursor* c) {
  using Bits = std::conditional_t<sizeof(Float) == 4, uint32_t, uint64_t>;
  if (!c->Need(1 + sizeof(Float))) return;
  lua_pushnumber(L, std::bit_cast<Float>(static_cast<Bits>(c->Big(1, sizeof(Float)))));
  c->Consume(1 + sizeof(Float));
}

void Decode(lua_State* L, Cursor* c) {
  if (!c->Need(1)) return;
  luaL_checkstack(L, 1,
                  "too many return values at once; use unpack_one or unpack_limit instead.");
  unsigned char b = c->p[0];
  if (b >= 0xcc && b <= 0xd3) {  // uint 8, 16, 32, 64 (0xcc..0xcf), int 8, 16, 32, 64 (0xd0..0xd3)
    PushInteger(L, c, 1 << ((b - 0xcc) & 3), /*is_signed=*/b >= 0xd0);
    return;
  }
  switch (b) {
    case 0xc0:
      lua_pushnil(L);
      c->Consume(1);
      return;
    case 0xc3:
      lua_pushboolean(L, 1);
      c->Consume(1);
      return;
    case 0xc2:
      lua_pushboolean(L, 0);
      c->Consume(1);
      return;
    case 0xca:
      PushFloat<float>(L, c);
      return;
    case 0xcb:
      PushFloat<double>(L, c);
      return;
    case 0xd9:  // str 8, 16, 32: the length's bytes, then the bytes
    case 0xda:
    case 0xdb: {
      const int bytes = 1 << (b - 0xd9);
      const size_t header = 1 + static_cast<size_t>(bytes);
      if (!c->Need(header)) return;
      PushString(L, c, header, c->Big(1, bytes));
      return;
    }
    case 0xdc:  // array 16, array 32, map 16, map 32: the count's bytes, then the elements
    case 0xdd:
    case 0xde:
    case 0xdf: {
      const int bytes = (b & 1) ? 4 : 2;
      const size_t header = 1 + static_cast<size_t>(bytes);
      if (!c->Need(header)) return;
      size_t len = c->Big(1, bytes);
      c->Consume(header);
      if (b <= 0xdd) {
        DecodeArray(L, c, len);
      } else {
        DecodeMap(L, c, len);
      }
      return;
    }
    default:
      if ((b & 0x80) == 0) {
        lua_pushinteger(L, b);
        c->Consume(1);
      } else if ((b & 0xe0) == 0xe0) {
        lua_pushinteger(L, static_cast<signed char>(b));
        c->Consume(1);
      } else if ((b & 0xe0) == 0xa0) {
        PushString(L, c, 1, b & 0x1f);
      } else if ((b & 0xf0) == 0x90) {
        c->Consume(1);
        DecodeArray(L, c, b & 0xf);
      } else if ((b & 0xf0) == 0x80) {
        c->Consume(1);
        DecodeMap(L, c, b & 0xf);
      } else {
        c->err = CurError::kBadFormat;
      }
  }
}

int UnpackFull(lua_State* L, lua_Integer limit, lua_Integer offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    // Redis prints the input length where it says "limit": kept.
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", static_cast<int>(offset),
                      static_cast<int>(len));
  }
  if (all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset)};
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) {
    Decode(L, &c);
    if (c.err == CurError::kEof) return luaL_error(L, "Missing bytes in input.");
    if (c.err == CurError::kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (!all) {
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
    lua_insert(L, 2);
    ++count;
  }
  return count;
}

int Unpack(lua_State* L) { return UnpackFull(L, 0, 0); }

int UnpackOne(lua_State* L) {
  lua_Integer offset = luaL_optinteger(L, 2, 0);
  lua_pop(L, lua_gettop(L) - 1);
  return UnpackFull(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  lua_Integer limit = luaL_checkinteger(L, 2);
  lua_Integer offset = luaL_optinteger(L, 3, 0);
  lua_pop(L, lua_gettop(L) - 1);
  return UnpackFull(L, limit, offset);
}

const luaL_Reg kFuncs[] = {
    {"pack", Pack},
    {"unpack", Unpack},
    {"unpack_one", UnpackOne},
    {"unpack_limit", UnpackLimit},
    {nullptr, nullptr},
};

}  // namespace

// As Redis's luaopen_cmsgpack: a plain table (not in package.loaded), then the global.
int OpenCmsgpack(lua_State* L) {
  lua_newtable(L);
  luaL_register(L, nullptr, kFuncs);
  SetStringFields(L, {{"_NAME", "cmsgpack"},
                      {"_VERSION", "lua-cmsgpack 0.4.0"},
                      {"_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"},
                      {"_DESCRIPTION", "MessagePack C implementation for Lua"}});
  lua_pushvalue(L, -1);
  lua_setglobal(L, "cmsgpack");
  return 1;
}

}  // namespace racetrack::engine::lua
