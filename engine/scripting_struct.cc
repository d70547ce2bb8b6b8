// struct: binary packing as Redis ships it (lua_struct.c, Roberto Ierusalimschy's library, 0.2).
//
//   struct.pack(fmt, v1, v2, ...)  -> string
//   struct.unpack(fmt, s [, pos])  -> v1, v2, ..., next position
//   struct.size(fmt)               -> bytes a fixed-size format takes
//
// Format: '>' big endian, '<' little endian, '![n]' max alignment n (default: the widest of
// int/double/pointer), 'b/B' signed/unsigned char, 'h/H' short, 'l/L' long, 'T' size_t, 'i[n]'/
// 'I[n]' int of n bytes (default 4, at most 32), 'f' float, 'd' double, 's' zero-terminated
// string, 'cn' n chars ('c0' on pack: the whole string; on unpack: the length is the previous
// number), 'x' one zero byte of padding, ' ' ignored. The default is native (little) endian and no
// alignment. Error texts and the quirks users can see (e.g. "string too short" names the argument
// after the string) follow Redis's.
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstring>

#include "engine/scripting_libs.h"

extern "C" {
#include <lauxlib.h>
}

namespace racetrack::engine::lua {
namespace {

constexpr int kMaxIntSize = 32;
constexpr int kMaxAlign = 8;  // max(sizeof(int), alignof(double / pointer)) on x86-64
enum Endian { kBig = 0, kLittle = 1 };

struct Header {
  int endian = kLittle;
  int align = 1;
};

int GetNum(lua_State* L, const char** fmt, int def) {
  if (!std::isdigit(static_cast<unsigned char>(**fmt))) return def;
  int a = 0;
  do {
    int d = **fmt - '0';
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - d) luaL_error(L, "integral size overflow");
    a = a * 10 + d;
    ++*fmt;
  } while (std::isdigit(static_cast<unsigned char>(**fmt)));
  return a;
}

size_t OptSize(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
      return 1;
    case 'H':
    case 'h':
      return sizeof(short);
    case 'L':
    case 'l':
      return sizeof(long);
    case 'T':
      return sizeof(size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'x':
      return 1;
    case 'c':
      return static_cast<size_t>(GetNum(L, fmt, 1));
    case 'i':
    case 'I': {
      int sz = GetNum(L, fmt, sizeof(int));
      if (sz > kMaxIntSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", sz, kMaxIntSize);
      }
      return static_cast<size_t>(sz);
    }
    default:
      return 0;
  }
}

// Padding bytes before an element of `size` at offset `len`.
size_t ToAlign(size_t len, const Header& h, int opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > static_cast<size_t>(h.align)) size = static_cast<size_t>(h.align);
  return (size - (len & (size - 1))) & (size - 1);
}

void ControlOption(lua_State* L, int opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h->endian = kBig;
      return;
    case '<':
      h->endian = kLittle;
      return;
    case '!': {
      int a = GetNum(L, fmt, kMaxAlign);
      if (a == 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
      h->align = a;
      return;
    }
    default: {
      const char* msg = lua_pushfstring(L, "invalid format option '%c'", opt);
      luaL_argerror(L, 1, msg);
    }
  }
}

void PutInteger(lua_State* L, luaL_Buffer* b, int arg, int endian, size_t size) {
  lua_Number n = luaL_checknumber(L, arg);
  uint64_t value = n < 0 ? static_cast<uint64_t>(static_cast<int64_t>(n)) : static_cast<uint64_t>(n);
  char buf[kMaxIntSize];
  for (size_t i = 0; i < size; ++i) {
    size_t at = endian == kLittle ? i : size - 1 - i;
    buf[at] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  luaL_addlstring(b, buf, size);
}

// The host is little endian: big-endian floats are byte-reversed.
void FixBytes(char* p, size_t size, int endian) {
  if (endian == kLittle) return;
  for (size_t i = 0, j = size - 1; i < j; ++i, --j) std::swap(p[i], p[j]);
}

// A float or double in the format's byte order: appended to b, or read from p.
template <typename T>
void PutFloat(luaL_Buffer* b, T value, int endian) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  FixBytes(raw, sizeof(T), endian);
  luaL_addlstring(b, raw, sizeof(T));
}
template <typename T>
T GetFloat(const char* p, int endian) {
  char raw[sizeof(T)];
  std::memcpy(raw, p, sizeof(T));
  FixBytes(raw, sizeof(T), endian);
  T value;
  std::memcpy(&value, raw, sizeof(T));
  return value;
}

int Pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  size_t total = 0;
  lua_pushnil(L);  // separates the arguments from the buffer's stack use
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (*fmt != '\0') {
    int opt = *fmt++;
    size_t size = OptSize(L, static_cast<char>(opt), &fmt);
    size_t pad = ToAlign(total, h, opt, size);
    total += pad;
    while (pad-- > 0) luaL_addchar(&b, '\0');
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        PutInteger(L, &b, arg++, h.endian, size);
        break;
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f':
        PutFloat(&b, static_cast<float>(luaL_checknumber(L, arg++)), h.endian);
        break;
      case 'd':
        PutFloat(&b, static_cast<double>(luaL_checknumber(L, arg++)), h.endian);
        break;
      case 'c':
      case 's': {
        size_t l;
        const char* s = luaL_checklstring(L, arg++, &l);
        if (size == 0) size = l;
        luaL_argcheck(L, l >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          ++size;
        }
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

lua_Number GetInteger(const char* p, int endian, bool is_signed, size_t size) {
  uint64_t l = 0;
  for (size_t i = 0; i < size; ++i) {
    size_t at = endian == kBig ? i : size - 1 - i;
    l = (l << 8) | static_cast<unsigned char>(p[at]);
  }
  if (!is_signed) return static_cast<lua_Number>(l);
  if (size * 8 - 1 < 64) {
    uint64_t mask = ~uint64_t{0} << (size * 8 - 1);
    if (l & mask) l |= mask;  // sign extension
  }
  return static_cast<lua_Number>(static_cast<int64_t>(l));
}

int Unpack(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  size_t ld;
  const char* data = luaL_checklstring(L, 2, &ld);
  auto pos = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  int n = 0;
  while (*fmt) {
    int opt = *fmt++;
    size_t size = OptSize(L, static_cast<char>(opt), &fmt);
    pos += ToAlign(pos, h, opt, size);
    luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        lua_pushnumber(L, GetInteger(data + pos, h.endian, std::islower(opt) != 0, size));
        ++n;
        break;
      case 'x':
        break;
      case 'f':
        lua_pushnumber(L, GetFloat<float>(data + pos, h.endian));
        ++n;
        break;
      case 'd':
        lua_pushnumber(L, GetFloat<double>(data + pos, h.endian));
        ++n;
        break;
      case 'c':
        if (size == 0) {
          if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          size = static_cast<size_t>(lua_tonumber(L, -1));
          lua_pop(L, 1);
          --n;
          luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        ++n;
        break;
      case 's': {
        const void* e = std::memchr(data + pos, '\0', ld - pos);
        if (e == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(static_cast<const char*>(e) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        ++n;
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return n + 1;
}

int Size(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  size_t pos = 0;
  while (*fmt) {
    int opt = *fmt++;
    size_t size = OptSize(L, static_cast<char>(opt), &fmt);
    pos += ToAlign(pos, h, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    if (!std::isalnum(opt)) ControlOption(L, opt, &fmt, &h);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

const luaL_Reg kFuncs[] = {{"pack", Pack}, {"unpack", Unpack}, {"size", Size}, {nullptr, nullptr}};

}  // namespace

int OpenStruct(lua_State* L) {
  luaL_register(L, "struct", kFuncs);
  return 1;
}

}  // namespace racetrack::engine::lua
