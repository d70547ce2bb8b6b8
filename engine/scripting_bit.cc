// bit: LuaBitOp's API as Redis ships it (lua_bit.c, version 1.0.2). Every operation works on 32
// bits: an argument is reduced modulo 2^32 the way LuaBitOp does it (add 2^52 + 2^51 and keep the
// low word of the double, which rounds to nearest and wraps negative numbers), and every result is
// returned as a signed 32-bit number, so bit.tobit(0xffffffff) == -1 as in Redis.
#include <cstdint>
#include <cstring>

#include "engine/scripting_libs.h"

extern "C" {
#include <lauxlib.h>
}

namespace racetrack::engine::lua {
namespace {

uint32_t Arg(lua_State* L, int idx) {
  double n = lua_tonumber(L, idx) + 6755399441055744.0;  // 2^52 + 2^51
  uint64_t bits;
  std::memcpy(&bits, &n, sizeof(bits));
  auto b = static_cast<uint32_t>(bits);
  if (b == 0 && !lua_isnumber(L, idx)) luaL_typerror(L, idx, "number");
  return b;
}

int Ret(lua_State* L, uint32_t b) {
  lua_pushnumber(L, static_cast<lua_Number>(static_cast<int32_t>(b)));
  return 1;
}

int ToBit(lua_State* L) { return Ret(L, Arg(L, 1)); }
int BNot(lua_State* L) { return Ret(L, ~Arg(L, 1)); }

template <typename Op>
int Fold(lua_State* L, Op op) {
  uint32_t b = Arg(L, 1);
  for (int i = lua_gettop(L); i > 1; --i) b = op(b, Arg(L, i));
  return Ret(L, b);
}
int BAnd(lua_State* L) { return Fold(L, [](uint32_t a, uint32_t b) { return a & b; }); }
int BOr(lua_State* L) { return Fold(L, [](uint32_t a, uint32_t b) { return a | b; }); }
int BXor(lua_State* L) { return Fold(L, [](uint32_t a, uint32_t b) { return a ^ b; }); }

template <typename Op>
int Shift(lua_State* L, Op op) {
  uint32_t b = Arg(L, 1);
  uint32_t n = Arg(L, 2) & 31;
  return Ret(L, op(b, n));
}
int LShift(lua_State* L) { return Shift(L, [](uint32_t b, uint32_t n) { return b << n; }); }
int RShift(lua_State* L) { return Shift(L, [](uint32_t b, uint32_t n) { return b >> n; }); }
int ARShift(lua_State* L) {
  return Shift(L, [](uint32_t b, uint32_t n) {
    return static_cast<uint32_t>(static_cast<int32_t>(b) >> n);
  });
}
// n == 0 shifts by 32 in the other half, which C leaves undefined: written out.
int Rol(lua_State* L) {
  return Shift(L, [](uint32_t b, uint32_t n) { return n == 0 ? b : (b << n) | (b >> (32 - n)); });
}
int Ror(lua_State* L) {
  return Shift(L, [](uint32_t b, uint32_t n) { return n == 0 ? b : (b >> n) | (b << (32 - n)); });
}

int BSwap(lua_State* L) {
  uint32_t b = Arg(L, 1);
  b = (b >> 24) | ((b >> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24);
  return Ret(L, b);
}

// tohex(x [, n]): n hex digits (default 8, at most 8); a negative n asks for upper case.
int ToHex(lua_State* L) {
  uint32_t b = Arg(L, 1);
  int32_t n = lua_isnone(L, 2) ? 8 : static_cast<int32_t>(Arg(L, 2));
  const char* digits = "0123456789abcdef";
  if (n < 0) {
    n = -n;
    digits = "0123456789ABCDEF";
  }
  if (n > 8) n = 8;
  char buf[8];
  for (int i = n; --i >= 0;) {
    buf[i] = digits[b & 15];
    b >>= 4;
  }
  lua_pushlstring(L, buf, static_cast<size_t>(n));
  return 1;
}

const luaL_Reg kFuncs[] = {
    {"tobit", ToBit},   {"bnot", BNot},     {"band", BAnd},       {"bor", BOr},
    {"bxor", BXor},     {"lshift", LShift}, {"rshift", RShift},   {"arshift", ARShift},
    {"rol", Rol},       {"ror", Ror},       {"bswap", BSwap},     {"tohex", ToHex},
    {nullptr, nullptr},
};

}  // namespace

int OpenBit(lua_State* L) {
  luaL_register(L, "bit", kFuncs);
  return 1;
}

}  // namespace racetrack::engine::lua
