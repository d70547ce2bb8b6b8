// cjson: JSON for Lua as Redis 7.0 ships it (its fork of lua-cjson 2.1.0, deps/lua/src/lua_cjson.c).
//
//   cjson.encode(v) / cjson.decode(s), cjson.null, cjson.new() (an instance with its own settings)
//   and the settings, each returning the current value(s) and changing them when given arguments:
//   encode_sparse_array([convert[, ratio[, safe]]])  default false, 2, 10
//   encode_max_depth([n]) / decode_max_depth([n])   default 1000
//   encode_number_precision([1..14])                  default 14
//   encode_keep_buffer([bool])                        default true (no visible effect here)
//   encode_invalid_numbers([bool|"null"])             default false
//   decode_invalid_numbers([bool])                    default true (hex, inf, nan accepted)
// Settings live in the instance (a closure upvalue), so they persist from one script to the next,
// as in Redis, until SCRIPT FLUSH.
//
// What users see and this keeps: numbers as "%.14g" (2^53 encodes as 9.007199254741e+15), '/'
// escaped as "\/", control characters and DEL as \u00XX; a table whose keys are all integers >= 1
// is an array (holes become null) unless it is "excessively sparse" (max > 2 * count and max > 10:
// an error by default), an empty table is {}; object keys may be strings or numbers; decoding
// gives cjson.null (a NULL light userdata) for null and stops at the first NUL byte, and its errors
// are "Expected <what> but found <token> at character <n>".
#include <cmath>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <strings.h>

#include "engine/scripting_libs.h"

extern "C" {
#include <lauxlib.h>
}

namespace racetrack::engine::lua {

std::string* PushScratchString(lua_State* L) {
  void* mem = lua_newuserdata(L, sizeof(std::string));
  auto* s = new (mem) std::string();
  if (luaL_newmetatable(L, "racetrack.scratch")) {
    lua_pushcfunction(L, [](lua_State* L) -> int {
      static_cast<std::string*>(lua_touserdata(L, 1))->~basic_string();
      return 0;
    });
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return s;
}

namespace {

struct Config {
  int sparse_convert = 0;
  int sparse_ratio = 2;
  int sparse_safe = 10;
  int encode_max_depth = 1000;
  int decode_max_depth = 1000;
  int encode_invalid_numbers = 0;  // 0 off, 1 on, 2 "null"
  int decode_invalid_numbers = 1;
  int encode_keep_buffer = 1;
  int precision = 14;
};

Config* GetConfig(lua_State* L) {
  auto* cfg = static_cast<Config*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (cfg == nullptr) luaL_error(L, "BUG: Unable to fetch CJSON configuration");
  return cfg;
}

Config* ArgInit(lua_State* L, int args) {
  luaL_argcheck(L, lua_gettop(L) <= args, args + 1, "found too many arguments");
  while (lua_gettop(L) < args) lua_pushnil(L);
  return GetConfig(L);
}

int IntegerOption(lua_State* L, int idx, int* setting, int min, int max) {
  if (!lua_isnil(L, idx)) {
    auto value = static_cast<int>(luaL_checkinteger(L, idx));
    char msg[64];
    std::snprintf(msg, sizeof(msg), "expected integer between %d and %d", min, max);
    luaL_argcheck(L, min <= value && value <= max, 1, msg);
    *setting = value;
  }
  lua_pushinteger(L, *setting);
  return 1;
}

int EnumOption(lua_State* L, int idx, int* setting, const char* const* options, int bool_true) {
  static const char* const kBool[] = {"off", "on", nullptr};
  if (options == nullptr) {
    options = kBool;
    bool_true = 1;
  }
  if (!lua_isnil(L, idx)) {
    if (bool_true && lua_isboolean(L, idx)) {
      *setting = lua_toboolean(L, idx) * bool_true;
    } else {
      *setting = luaL_checkoption(L, idx, nullptr, options);
    }
  }
  if (bool_true && (*setting == 0 || *setting == bool_true)) {
    lua_pushboolean(L, *setting);
  } else {
    lua_pushstring(L, options[*setting]);
  }
  return 1;
}

int CfgSparse(lua_State* L) {
  Config* cfg = ArgInit(L, 3);
  EnumOption(L, 1, &cfg->sparse_convert, nullptr, 1);
  IntegerOption(L, 2, &cfg->sparse_ratio, 0, INT_MAX);
  IntegerOption(L, 3, &cfg->sparse_safe, 0, INT_MAX);
  return 3;
}
int CfgEncodeDepth(lua_State* L) {
  return IntegerOption(L, 1, &ArgInit(L, 1)->encode_max_depth, 1, INT_MAX);
}
int CfgDecodeDepth(lua_State* L) {
  return IntegerOption(L, 1, &ArgInit(L, 1)->decode_max_depth, 1, INT_MAX);
}
int CfgPrecision(lua_State* L) { return IntegerOption(L, 1, &ArgInit(L, 1)->precision, 1, 14); }
int CfgKeepBuffer(lua_State* L) {
  return EnumOption(L, 1, &ArgInit(L, 1)->encode_keep_buffer, nullptr, 1);
}
int CfgEncodeInvalid(lua_State* L) {
  static const char* const kOptions[] = {"off", "on", "null", nullptr};
  return EnumOption(L, 1, &ArgInit(L, 1)->encode_invalid_numbers, kOptions, 1);
}
int CfgDecodeInvalid(lua_State* L) {
  return EnumOption(L, 1, &ArgInit(L, 1)->decode_invalid_numbers, nullptr, 1);
}

// ------------------------------------------------------------------------------------------------
// Encoding
// ------------------------------------------------------------------------------------------------

[[noreturn]] void EncodeError(lua_State* L, int idx, const char* reason) {
  luaL_error(L, "Cannot serialise %s: %s", lua_typename(L, lua_type(L, idx)), reason);
  std::abort();  // luaL_error does not return
}

void AppendString(lua_State* L, std::string* out, int idx) {
  size_t len;
  const char* s = lua_tolstring(L, idx, &len);
  out->push_back('"');
  for (size_t i = 0; i < len; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '/': out->append("\\/"); break;
      case '\b': out->append("\\b"); break;
      case '\t': out->append("\\t"); break;
      case '\n': out->append("\\n"); break;
      case '\f': out->append("\\f"); break;
      case '\r': out->append("\\r"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendNumber(lua_State* L, const Config& cfg, std::string* out, int idx) {
  double num = lua_tonumber(L, idx);
  if (cfg.encode_invalid_numbers == 0) {
    if (std::isinf(num) || std::isnan(num)) EncodeError(L, idx, "must not be NaN or Inf");
  } else if (cfg.encode_invalid_numbers == 1) {
    if (std::isnan(num)) {
      out->append("nan");
      return;
    }
  } else if (std::isinf(num) || std::isnan(num)) {
    out->append("null");
    return;
  }
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%.*g", cfg.precision, num);
  out->append(buf, static_cast<size_t>(n));
}

// -1: an object; else the array's length (max integer key).
int ArrayLength(lua_State* L, const Config& cfg) {
  int max = 0;
  int items = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    double k;
    if (lua_type(L, -2) == LUA_TNUMBER && (k = lua_tonumber(L, -2)) != 0) {
      if (std::floor(k) == k && k >= 1) {
        if (k > max) max = static_cast<int>(k);
        ++items;
        lua_pop(L, 1);
        continue;
      }
    }
    lua_pop(L, 2);
    return -1;
  }
  if (cfg.sparse_ratio > 0 && max > items * cfg.sparse_ratio && max > cfg.sparse_safe) {
    if (!cfg.sparse_convert) EncodeError(L, -1, "excessively sparse array");
    return -1;
  }
  return max;
}

void AppendData(lua_State* L, const Config& cfg, int depth, std::string* out);

void AppendTable(lua_State* L, const Config& cfg, int depth, std::string* out) {
  ++depth;
  if (depth > cfg.encode_max_depth || !lua_checkstack(L, 3)) {
    luaL_error(L, "Cannot serialise, excessive nesting (%d)", depth);
  }
  int len = ArrayLength(L, cfg);
  if (len > 0) {
    out->push_back('[');
    for (int i = 1; i <= len; ++i) {
      if (i > 1) out->push_back(',');
      lua_rawgeti(L, -1, i);
      AppendData(L, cfg, depth, out);
      lua_pop(L, 1);
    }
    out->push_back(']');
    return;
  }
  out->push_back('{');
  bool comma = false;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (comma) out->push_back(',');
    comma = true;
    int kt = lua_type(L, -2);
    if (kt == LUA_TNUMBER) {
      out->push_back('"');
      AppendNumber(L, cfg, out, -2);
      out->append("\":");
    } else if (kt == LUA_TSTRING) {
      AppendString(L, out, -2);
      out->push_back(':');
    } else {
      EncodeError(L, -2, "table key must be a number or string");
    }
    AppendData(L, cfg, depth, out);
    lua_pop(L, 1);
  }
  out->push_back('}');
}

void AppendData(lua_State* L, const Config& cfg, int depth, std::string* out) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING:
      AppendString(L, out, -1);
      return;
    case LUA_TNUMBER:
      AppendNumber(L, cfg, out, -1);
      return;
    case LUA_TBOOLEAN:
      out->append(lua_toboolean(L, -1) ? "true" : "false");
      return;
    case LUA_TTABLE:
      AppendTable(L, cfg, depth, out);
      return;
    case LUA_TNIL:
      out->append("null");
      return;
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, -1) == nullptr) {
        out->append("null");
        return;
      }
      [[fallthrough]];
    default:
      EncodeError(L, -1, "type not supported");
  }
}

int Encode(lua_State* L) {
  Config* cfg = GetConfig(L);
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  std::string* out = PushScratchString(L);
  lua_pushvalue(L, 1);
  AppendData(L, *cfg, 0, out);
  lua_pushlstring(L, out->data(), out->size());
  return 1;
}

// ------------------------------------------------------------------------------------------------
// Decoding
// ------------------------------------------------------------------------------------------------

enum Token {
  kObjBegin, kObjEnd, kArrBegin, kArrEnd, kString, kNumber, kBoolean, kNull, kColon, kComma,
  kEnd, kWhitespace, kError, kUnknown,
};
const char* const kTokenNames[] = {"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END",
                                   "T_STRING",    "T_NUMBER",  "T_BOOLEAN",   "T_NULL",
                                   "T_COLON",     "T_COMMA",   "T_END",       "T_WHITESPACE",
                                   "T_ERROR",     "T_UNKNOWN"};

Token CharToken(unsigned char c) {
  switch (c) {
    case '{': return kObjBegin;
    case '}': return kObjEnd;
    case '[': return kArrBegin;
    case ']': return kArrEnd;
    case ',': return kComma;
    case ':': return kColon;
    case '\0': return kEnd;
    case ' ': case '\t': case '\n': case '\r': return kWhitespace;
    case 'f': case 'i': case 'I': case 'n': case 'N': case 't': case '"': case '+': case '-':
      return kUnknown;
    default:
      return (c >= '0' && c <= '9') ? kUnknown : kError;
  }
}

char EscapeChar(unsigned char c) {
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 't': return '\t';
    case 'n': return '\n';
    case 'f': return '\f';
    case 'r': return '\r';
    case 'u': return 'u';
    default: return 0;
  }
}

// The parse state lives in a userdata-owned string (tmp) plus plain pointers, so a Lua error
// leaves nothing to destroy.
struct Parser {
  const char* data;
  const char* ptr;
  std::string* tmp;
  const Config* cfg;
  int depth;
};

struct Tok {
  Token type;
  size_t index;
  const char* error;
  double number;
  int boolean;
};

int HexDigit(char c) {
  if ('0' <= c && c <= '9') return c - '0';
  c = static_cast<char>(c | 0x20);
  if ('a' <= c && c <= 'f') return 10 + c - 'a';
  return -1;
}

int DecodeHex4(const char* p) {
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    int d = HexDigit(p[i]);
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

bool AppendUnicodeEscape(Parser* p) {
  int escape_len = 6;
  int cp = DecodeHex4(p->ptr + 2);
  if (cp < 0) return false;
  if ((cp & 0xF800) == 0xD800) {
    if (cp & 0x400) return false;
    if (p->ptr[escape_len] != '\\' || p->ptr[escape_len + 1] != 'u') return false;
    int low = DecodeHex4(p->ptr + 2 + escape_len);
    if (low < 0 || (low & 0xFC00) != 0xDC00) return false;
    cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
    escape_len = 12;
  }
  std::string& t = *p->tmp;
  if (cp <= 0x7F) {
    t.push_back(static_cast<char>(cp));
  } else if (cp <= 0x7FF) {
    t.push_back(static_cast<char>((cp >> 6) | 0xC0));
    t.push_back(static_cast<char>((cp & 0x3F) | 0x80));
  } else if (cp <= 0xFFFF) {
    t.push_back(static_cast<char>((cp >> 12) | 0xE0));
    t.push_back(static_cast<char>(((cp >> 6) & 0x3F) | 0x80));
    t.push_back(static_cast<char>((cp & 0x3F) | 0x80));
  } else {
    t.push_back(static_cast<char>((cp >> 18) | 0xF0));
    t.push_back(static_cast<char>(((cp >> 12) & 0x3F) | 0x80));
    t.push_back(static_cast<char>(((cp >> 6) & 0x3F) | 0x80));
    t.push_back(static_cast<char>((cp & 0x3F) | 0x80));
  }
  p->ptr += escape_len;
  return true;
}

void SetTokenError(Tok* tok, Parser* p, const char* what) {
  tok->type = kError;
  tok->index = static_cast<size_t>(p->ptr - p->data);
  tok->error = what;
}

void NextString(Parser* p, Tok* tok) {
  ++p->ptr;
  p->tmp->clear();
  char ch;
  while ((ch = *p->ptr) != '"') {
    if (!ch) {
      SetTokenError(tok, p, "unexpected end of string");
      return;
    }
    if (ch == '\\') {
      ch = EscapeChar(static_cast<unsigned char>(p->ptr[1]));
      if (ch == 'u') {
        if (AppendUnicodeEscape(p)) continue;
        SetTokenError(tok, p, "invalid unicode escape code");
        return;
      }
      if (!ch) {
        SetTokenError(tok, p, "invalid escape code");
        return;
      }
      ++p->ptr;
    }
    p->tmp->push_back(ch);
    ++p->ptr;
  }
  ++p->ptr;
  tok->type = kString;
}

bool IsInvalidNumber(const char* p) {
  if (*p == '+') return true;
  if (*p == '-') ++p;
  if (*p == '0') {
    int c2 = p[1];
    return (c2 | 0x20) == 'x' || ('0' <= c2 && c2 <= '9');
  }
  if (*p <= '9') return false;
  return strncasecmp(p, "inf", 3) == 0 || strncasecmp(p, "nan", 3) == 0;
}

void NextNumber(Parser* p, Tok* tok) {
  char* end;
  tok->type = kNumber;
  tok->number = std::strtod(p->ptr, &end);
  if (end == p->ptr) {
    SetTokenError(tok, p, "invalid number");
  } else {
    p->ptr = end;
  }
}

void NextToken(Parser* p, Tok* tok) {
  int ch;
  while (true) {
    ch = static_cast<unsigned char>(*p->ptr);
    tok->type = CharToken(static_cast<unsigned char>(ch));
    if (tok->type != kWhitespace) break;
    ++p->ptr;
  }
  tok->index = static_cast<size_t>(p->ptr - p->data);
  if (tok->type == kError) {
    SetTokenError(tok, p, "invalid token");
    return;
  }
  if (tok->type == kEnd) return;
  if (tok->type != kUnknown) {
    ++p->ptr;
    return;
  }
  if (ch == '"') {
    NextString(p, tok);
  } else if (ch == '-' || ('0' <= ch && ch <= '9')) {
    if (!p->cfg->decode_invalid_numbers && IsInvalidNumber(p->ptr)) {
      SetTokenError(tok, p, "invalid number");
    } else {
      NextNumber(p, tok);
    }
  } else if (std::strncmp(p->ptr, "true", 4) == 0) {
    tok->type = kBoolean;
    tok->boolean = 1;
    p->ptr += 4;
  } else if (std::strncmp(p->ptr, "false", 5) == 0) {
    tok->type = kBoolean;
    tok->boolean = 0;
    p->ptr += 5;
  } else if (std::strncmp(p->ptr, "null", 4) == 0) {
    tok->type = kNull;
    p->ptr += 4;
  } else if (p->cfg->decode_invalid_numbers && IsInvalidNumber(p->ptr)) {
    NextNumber(p, tok);
  } else {
    SetTokenError(tok, p, "invalid token");
  }
}

[[noreturn]] void ParseError(lua_State* L, const char* expected, const Tok& tok) {
  const char* found = tok.type == kError ? tok.error : kTokenNames[tok.type];
  luaL_error(L, "Expected %s but found %s at character %d", expected, found,
             static_cast<int>(tok.index + 1));
  std::abort();
}

void Descend(lua_State* L, Parser* p, int slots) {
  ++p->depth;
  if (p->depth <= p->cfg->decode_max_depth && lua_checkstack(L, slots)) return;
  luaL_error(L, "Found too many nested data structures (%d) at character %d", p->depth,
             static_cast<int>(p->ptr - p->data));
}

void ProcessValue(lua_State* L, Parser* p, Tok* tok);

// An object's or array's elements after its opening token, into a new table: none, or elements
// separated by commas up to the `end` token. element(&tok, i) parses the i-th (from 1) starting at
// its first token and adds it to the table; `expected` names what may follow an element.
template <typename ParseElement>
void ParseElements(lua_State* L, Parser* p, int slots, Token end, const char* expected,
                   ParseElement element) {
  Descend(L, p, slots);
  lua_newtable(L);
  Tok tok;
  NextToken(p, &tok);
  if (tok.type != end) {
    for (int i = 1;; ++i) {
      element(&tok, i);
      NextToken(p, &tok);
      if (tok.type == end) break;
      if (tok.type != kComma) ParseError(L, expected, tok);
      NextToken(p, &tok);
    }
  }
  --p->depth;
}

void ParseObject(lua_State* L, Parser* p) {
  ParseElements(L, p, 3, kObjEnd, "comma or object end", [&](Tok* tok, int) {
    if (tok->type != kString) ParseError(L, "object key string", *tok);
    lua_pushlstring(L, p->tmp->data(), p->tmp->size());
    NextToken(p, tok);
    if (tok->type != kColon) ParseError(L, "colon", *tok);
    NextToken(p, tok);
    ProcessValue(L, p, tok);
    lua_rawset(L, -3);
  });
}

void ParseArray(lua_State* L, Parser* p) {
  ParseElements(L, p, 2, kArrEnd, "comma or array end", [&](Tok* tok, int i) {
    ProcessValue(L, p, tok);
    lua_rawseti(L, -2, i);
  });
}

void ProcessValue(lua_State* L, Parser* p, Tok* tok) {
  switch (tok->type) {
    case kString:
      lua_pushlstring(L, p->tmp->data(), p->tmp->size());
      return;
    case kNumber:
      lua_pushnumber(L, tok->number);
      return;
    case kBoolean:
      lua_pushboolean(L, tok->boolean);
      return;
    case kObjBegin:
      ParseObject(L, p);
      return;
    case kArrBegin:
      ParseArray(L, p);
      return;
    case kNull:
      lua_pushlightuserdata(L, nullptr);
      return;
    default:
      ParseError(L, "value", *tok);
  }
}

int Decode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
  Parser p{};
  p.cfg = GetConfig(L);
  size_t len;
  p.data = luaL_checklstring(L, 1, &len);
  p.ptr = p.data;
  if (len >= 2 && (!p.data[0] || !p.data[1])) {
    luaL_error(L, "JSON parser does not support UTF-16 or UTF-32");
  }
  p.tmp = PushScratchString(L);
  Tok tok;
  NextToken(&p, &tok);
  ProcessValue(L, &p, &tok);
  NextToken(&p, &tok);
  if (tok.type != kEnd) ParseError(L, "the end", tok);
  return 1;
}

int New(lua_State* L);

void PushModule(lua_State* L) {
  static const luaL_Reg kFuncs[] = {
      {"encode", Encode},
      {"decode", Decode},
      {"encode_sparse_array", CfgSparse},
      {"encode_max_depth", CfgEncodeDepth},
      {"decode_max_depth", CfgDecodeDepth},
      {"encode_number_precision", CfgPrecision},
      {"encode_keep_buffer", CfgKeepBuffer},
      {"encode_invalid_numbers", CfgEncodeInvalid},
      {"decode_invalid_numbers", CfgDecodeInvalid},
      {"new", New},
      {nullptr, nullptr},
  };
  lua_newtable(L);
  // The settings: a full userdata (collected with the module), upvalue of every function.
  new (lua_newuserdata(L, sizeof(Config))) Config();
  for (const luaL_Reg* r = kFuncs; r->name != nullptr; ++r) {
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, r->func, 1);
    lua_setfield(L, -3, r->name);
  }
  lua_pop(L, 1);
  lua_pushlightuserdata(L, nullptr);
  lua_setfield(L, -2, "null");
  SetStringFields(L, {{"_NAME", "cjson"}, {"_VERSION", "2.1.0"}});
}

int New(lua_State* L) {
  PushModule(L);
  return 1;
}

}  // namespace

int OpenCjson(lua_State* L) {
  PushModule(L);
  lua_pushvalue(L, -1);
  lua_setglobal(L, "cjson");
  return 1;
}

}  // namespace racetrack::engine::lua
