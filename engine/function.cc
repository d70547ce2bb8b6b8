// FunctionEngine: libraries, FUNCTION LOAD's sandboxed top level, FCALL, DUMP/RESTORE payloads.
#include "engine/function.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "engine/base/clock.h"
#include "engine/ds/util.h"
#include "engine/engine.h"
#include "engine/errors.h"
#include "engine/scripting.h"
#include "engine/scripting_lua.h"

namespace racetrack::engine {
namespace {

constexpr uint8_t kRdbOpcodeFunction2 = 245;
constexpr uint16_t kRdbVersion = 10;  // Redis 7.0

// Letters, digits and '_', at least one (functionsVerifyName).
bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// What register_function fills while a library's top level runs.
struct Registration {
  const char* name = nullptr;
  size_t name_len = 0;
  const char* desc = nullptr;
  size_t desc_len = 0;
  uint32_t flags = 0;
  int ref = LUA_NOREF;
};

// Reads the flags table on top of the stack. False on an unknown flag.
bool ReadFlags(lua_State* L, uint32_t* flags) {
  for (int j = 1;; ++j) {
    lua_pushnumber(L, j);
    lua_gettable(L, -2);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      return true;
    }
    if (!lua_isstring(L, -1)) {
      lua_pop(L, 1);
      return false;
    }
    const char* s = lua_tostring(L, -1);
    uint32_t f = 0;
    for (const char* name : {"no-writes", "allow-oom", "allow-stale", "no-cluster",
                             "allow-cross-slot-keys"}) {
      if (strcasecmp(name, s) == 0) f = lua::ScriptFlagByName(name);
    }
    lua_pop(L, 1);
    if (f == 0) return false;
    *flags |= f;
  }
}

// register_function{...}: returns an error text (static) or nullptr.
const char* ReadNamedArgs(lua_State* L, Registration* r) {
  if (!lua_istable(L, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua "
           "table (representing named arguments).";
  }
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    if (!lua_isstring(L, -2)) return "named argument key given to redis.register_function is not a string";
    const char* key = lua_tostring(L, -2);
    if (strcasecmp(key, "function_name") == 0) {
      if (!lua_isstring(L, -1)) {
        return "function_name argument given to redis.register_function must be a string";
      }
      r->name = lua_tolstring(L, -1, &r->name_len);
    } else if (strcasecmp(key, "description") == 0) {
      if (!lua_isstring(L, -1)) {
        return "description argument given to redis.register_function must be a string";
      }
      r->desc = lua_tolstring(L, -1, &r->desc_len);
    } else if (strcasecmp(key, "callback") == 0) {
      if (!lua_isfunction(L, -1)) {
        return "callback argument given to redis.register_function must be a function";
      }
      if (r->ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, r->ref);
      r->ref = luaL_ref(L, LUA_REGISTRYINDEX);
      continue;  // luaL_ref popped the value
    } else if (strcasecmp(key, "flags") == 0) {
      if (!lua_istable(L, -1)) {
        return "flags argument to redis.register_function must be a table representing function "
               "flags";
      }
      if (!ReadFlags(L, &r->flags)) return "unknown flag given";
    } else {
      return "unknown argument given to redis.register_function";
    }
    lua_pop(L, 1);
  }
  if (r->name == nullptr) return "redis.register_function must get a function name argument";
  if (r->ref == LUA_NOREF) return "redis.register_function must get a callback argument";
  return nullptr;
}

const char* ReadArgs(lua_State* L, Registration* r) {
  int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) return "wrong number of arguments to redis.register_function";
  if (argc == 1) return ReadNamedArgs(L, r);
  if (!lua_isstring(L, 1)) return "first argument to redis.register_function must be a string";
  if (!lua_isfunction(L, 2)) return "second argument to redis.register_function must be a function";
  r->name = lua_tolstring(L, 1, &r->name_len);
  r->ref = luaL_ref(L, LUA_REGISTRYINDEX);  // pops the callback
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// RDB strings (FUNCTION DUMP / RESTORE)
// ---------------------------------------------------------------------------------------------

void PutRdbLen(std::string* out, uint64_t len) {
  if (len < (1 << 6)) {
    out->push_back(static_cast<char>(len));
  } else if (len < (1 << 14)) {
    out->push_back(static_cast<char>(0x40 | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out->push_back(static_cast<char>(0x80));
    for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  } else {
    out->push_back(static_cast<char>(0x81));
    for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  }
}

// Reads an RDB length; *encoded says the value is a special encoding (then the result is its type).
bool GetRdbLen(std::string_view in, size_t* pos, uint64_t* len, bool* encoded) {
  *encoded = false;
  if (*pos >= in.size()) return false;
  auto b = static_cast<uint8_t>(in[(*pos)++]);
  switch (b >> 6) {
    case 0:
      *len = b & 0x3f;
      return true;
    case 1:
      if (*pos >= in.size()) return false;
      *len = (static_cast<uint64_t>(b & 0x3f) << 8) | static_cast<uint8_t>(in[(*pos)++]);
      return true;
    case 3:
      *encoded = true;
      *len = b & 0x3f;
      return true;
    default: {
      int bytes = b == 0x80 ? 4 : b == 0x81 ? 8 : 0;
      if (bytes == 0 || *pos + static_cast<size_t>(bytes) > in.size()) return false;
      uint64_t v = 0;
      for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[(*pos)++]);
      *len = v;
      return true;
    }
  }
}

// LZF (liblzf's format, as Redis's lzf_d.c). False on a malformed stream.
bool LzfDecompress(std::string_view in, size_t out_len, std::string* out) {
  out->clear();
  out->reserve(out_len);
  size_t i = 0;
  while (i < in.size()) {
    unsigned ctrl = static_cast<uint8_t>(in[i++]);
    if (ctrl < (1 << 5)) {
      size_t n = ctrl + 1;
      if (i + n > in.size() || out->size() + n > out_len) return false;
      out->append(in.substr(i, n));
      i += n;
    } else {
      size_t len = ctrl >> 5;
      size_t back = (ctrl & 0x1f) << 8;
      if (len == 7) {
        if (i >= in.size()) return false;
        len += static_cast<uint8_t>(in[i++]);
      }
      if (i >= in.size()) return false;
      back += static_cast<uint8_t>(in[i++]) + 1;
      len += 2;
      if (back > out->size() || out->size() + len > out_len) return false;
      size_t from = out->size() - back;
      for (size_t k = 0; k < len; ++k) out->push_back((*out)[from + k]);
    }
  }
  return out->size() == out_len;
}

bool GetRdbString(std::string_view in, size_t* pos, std::string* out) {
  uint64_t len;
  bool encoded;
  if (!GetRdbLen(in, pos, &len, &encoded)) return false;
  if (!encoded) {
    if (*pos + len > in.size()) return false;
    out->assign(in.substr(*pos, len));
    *pos += len;
    return true;
  }
  if (len <= 2) {  // 8/16/32-bit integers, little endian
    size_t bytes = size_t{1} << len;
    if (*pos + bytes > in.size()) return false;
    uint32_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(in[*pos + i])) << (8 * i);
    *pos += bytes;
    int64_t s = bytes == 1 ? static_cast<int8_t>(v) : bytes == 2 ? static_cast<int16_t>(v) : static_cast<int32_t>(v);
    *out = std::to_string(s);
    return true;
  }
  if (len != 3) return false;
  uint64_t clen, ulen;
  bool e1, e2;
  if (!GetRdbLen(in, pos, &clen, &e1) || !GetRdbLen(in, pos, &ulen, &e2) || e1 || e2) return false;
  if (*pos + clen > in.size()) return false;
  bool ok = LzfDecompress(in.substr(*pos, clen), ulen, out);
  *pos += clen;
  return ok;
}

}  // namespace

bool FunctionEngine::FlagsOf(std::string_view function, uint32_t* flags) const {
  auto it = functions_.find(function);
  if (it == functions_.end()) return false;
  *flags = it->second->flags;
  return true;
}

uint64_t Crc64(uint64_t crc, std::string_view data) {
  // Reflected Jones polynomial, bit by bit: payloads are small.
  constexpr uint64_t kPoly = 0x95ac9329ac4bc9b5ULL;
  for (char ch : data) {
    crc ^= static_cast<uint8_t>(ch);
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ kPoly : crc >> 1;
  }
  return crc;
}

int RegisterFunctionCallback(lua_State* L) {
  lua::Interp* in = lua::GetInterp(L);
  auto* lib = static_cast<FunctionEngine::Library*>(in->load_ctx);
  if (lib == nullptr) {
    lua::PushErrorTable(L, errors::kRegisterFunctionOutsideLoad);
    return lua_error(L);
  }
  Registration r;
  const char* err = ReadArgs(L, &r);
  if (err == nullptr) {
    std::string_view name(r.name, r.name_len);
    if (!ValidName(name)) {
      err = errors::kFunctionBadName;
    } else if (lib->functions.find(std::string(name)) != lib->functions.end()) {
      err = "Function already exists in the library";
    } else {
      FunctionEngine::Function& f = lib->functions[std::string(name)];
      f.name = std::string(name);
      f.has_description = r.desc != nullptr;
      if (r.desc != nullptr) f.description.assign(r.desc, r.desc_len);
      f.flags = r.flags;
      f.ref = r.ref;
      return 0;
    }
  }
  if (r.ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, r.ref);
  lua::PushErrorTable(L, err);
  return lua_error(L);
}

bool FunctionEngine::CaseLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
  });
}

FunctionEngine::FunctionEngine(Engine* engine)
    : engine_(engine), vm_(std::make_unique<lua::Vm>(engine, lua::Mode::kFunction)) {
  lua_State* L = vm_->state();
  lua::PushLibraryApi(L, RegisterFunctionCallback);
  lua_setfield(L, LUA_REGISTRYINDEX, "racetrack.library_api");
}

FunctionEngine::~FunctionEngine() = default;

void FunctionEngine::Free(Library* lib) {
  for (auto& [name, f] : lib->functions) luaL_unref(vm_->state(), LUA_REGISTRYINDEX, f.ref);
}

void FunctionEngine::Link(std::unique_ptr<Library> lib) {
  for (auto& [name, f] : lib->functions) functions_[name] = &f;
  std::string name = lib->name;
  libraries_[name] = std::move(lib);
}

std::unique_ptr<FunctionEngine::Library> FunctionEngine::Unlink(std::string_view name) {
  auto it = libraries_.find(name);
  if (it == libraries_.end()) return nullptr;
  std::unique_ptr<Library> lib = std::move(it->second);
  libraries_.erase(it);
  for (auto& [fname, f] : lib->functions) functions_.erase(fname);
  return lib;
}

std::string FunctionEngine::Create(std::string_view code, bool replace,
                                   std::unique_ptr<Library>* out) {
  // functionExtractLibMetaData
  if (!code.starts_with("#!")) return std::string(errors::kFunctionMissingMetadata);
  size_t eol = code.find('\n');
  if (eol == std::string_view::npos) return std::string(errors::kFunctionInvalidMetadata);
  std::vector<std::string> parts;
  if (!SplitArgs(code.substr(0, eol), &parts) || parts.empty()) {
    return std::string(errors::kFunctionInvalidMetadata);
  }
  std::string engine_name = parts[0].substr(2);
  std::string name;
  bool have_name = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (strncasecmp(parts[i].c_str(), "name=", 5) == 0) {
      if (have_name) return std::string(errors::kFunctionNameTwice);
      name = parts[i].substr(5);
      have_name = true;
      continue;
    }
    return errors::FunctionInvalidMetadata(parts[i]);
  }
  if (!have_name) return std::string(errors::kFunctionNoLibraryName);
  if (!ValidName(name)) return std::string("ERR ") + errors::kFunctionBadName;
  if (strcasecmp(engine_name.c_str(), "lua") != 0) return errors::FunctionEngineNotFound(engine_name);
  if (!replace && libraries_.count(name) > 0) return errors::FunctionLibraryExists(name);

  auto lib = std::make_unique<Library>();
  lib->name = name;
  lib->code = std::string(code);
  lua_State* L = vm_->state();
  lua_settop(L, 0);
  std::string_view body = code.substr(eol);  // keeps the newline: line numbers match
  if (lua::LoadText(L, body, "@user_function") != 0) {
    std::string err = errors::FunctionCompileError(lua_tostring(L, -1));
    lua_settop(L, 0);
    return err;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, "racetrack.library_api");
  lua::SetGlobalsIndex(L, -1);
  lua_pop(L, 1);
  lua::Interp& in = vm_->interp();
  in.load_ctx = lib.get();
  in.load_start_us = MonotonicUs();
  lua_sethook(L, lua::CountHook, LUA_MASKCOUNT, 100000);
  int status = lua_pcall(L, 0, 0, 0);
  lua_sethook(L, nullptr, 0, 0);
  in.load_ctx = nullptr;
  lua::PushRealGlobals(L);
  lua::SetGlobalsIndex(L, -1);
  lua_pop(L, 1);
  if (status != 0) {
    std::string msg(errors::kLuaUnknownError);
    if (lua_isstring(L, -1)) {
      msg = std::string("ERR ") + lua_tostring(L, -1);
    } else if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) msg = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    lua_settop(L, 0);
    Free(lib.get());
    return errors::FunctionRegisterError(msg);
  }
  lua_settop(L, 0);
  if (lib->functions.empty()) return std::string(errors::kFunctionNoneRegistered);
  *out = std::move(lib);
  return "";
}

Result<std::string> FunctionEngine::Load(std::string_view code, bool replace) {
  std::unique_ptr<Library> lib;
  std::string err = Create(code, replace, &lib);
  if (!err.empty()) return Status::InvalidArgument(err);
  std::unique_ptr<Library> old = Unlink(lib->name);
  for (auto& [fname, f] : lib->functions) {
    if (functions_.count(fname) > 0) {
      Free(lib.get());
      if (old) Link(std::move(old));
      return Status::InvalidArgument(errors::FunctionExists(fname));
    }
  }
  if (old) Free(old.get());
  std::string name = lib->name;
  Link(std::move(lib));
  return name;
}

bool FunctionEngine::Delete(std::string_view library) {
  std::unique_ptr<Library> lib = Unlink(library);
  if (!lib) return false;
  Free(lib.get());
  return true;
}

void FunctionEngine::Flush() {
  for (auto& [name, lib] : libraries_) Free(lib.get());
  libraries_.clear();
  functions_.clear();
}

void FunctionEngine::List(ReplyBuilder& reply, const std::string* pattern, bool with_code) const {
  size_t token = reply.BeginArray();
  size_t n = 0;
  for (const auto& [name, lib] : libraries_) {
    if (pattern != nullptr && !GlobMatch(*pattern, name, /*nocase=*/true)) continue;
    ++n;
    reply.Array(with_code ? 8 : 6);
    reply.Bulk("library_name");
    reply.Bulk(name);
    reply.Bulk("engine");
    reply.Bulk("LUA");
    reply.Bulk("functions");
    reply.Array(lib->functions.size());
    for (const auto& [fname, f] : lib->functions) {
      reply.Array(6);
      reply.Bulk("name");
      reply.Bulk(fname);
      reply.Bulk("description");
      if (f.has_description) {
        reply.Bulk(f.description);
      } else {
        reply.Null();
      }
      reply.Bulk("flags");
      std::vector<std::string> flags = lua::ScriptFlagNames(f.flags);
      reply.Array(flags.size());
      for (const std::string& fl : flags) reply.Status(fl);
    }
    if (with_code) {
      reply.Bulk("library_code");
      reply.Bulk(lib->code);
    }
  }
  reply.EndArray(token, n);
}

void FunctionEngine::Stats(ReplyBuilder& reply) const {
  reply.Array(4);
  reply.Bulk("running_script");
  const RunningScript* run = engine_->running_script();
  if (run == nullptr || run->eval) {
    reply.Null();
  } else {
    reply.Array(6);
    reply.Bulk("name");
    reply.Bulk(run->name);
    reply.Bulk("command");
    reply.Array(run->command.size());
    for (const std::string& a : run->command) reply.Bulk(a);
    reply.Bulk("duration_ms");
    reply.Integer((MonotonicUs() - run->start_us) / 1000);
  }
  reply.Bulk("engines");
  reply.Array(2);
  reply.Bulk("LUA");
  reply.Array(4);
  reply.Bulk("libraries_count");
  reply.Integer(static_cast<int64_t>(libraries_.size()));
  reply.Bulk("functions_count");
  reply.Integer(static_cast<int64_t>(functions_.size()));
}

std::string FunctionEngine::Dump() const {
  std::string out;
  for (const auto& [name, lib] : libraries_) {
    out.push_back(static_cast<char>(kRdbOpcodeFunction2));
    PutRdbLen(&out, lib->code.size());
    out += lib->code;
  }
  out.push_back(static_cast<char>(kRdbVersion & 0xff));
  out.push_back(static_cast<char>(kRdbVersion >> 8));
  uint64_t crc = Crc64(0, out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

std::string FunctionEngine::Restore(std::string_view payload, std::string_view policy) {
  // verifyDumpPayload: footer = RDB version (2 bytes LE) + CRC-64 (8 bytes LE) of what precedes.
  if (payload.size() < 10) return std::string(errors::kDumpPayloadBad);
  size_t body = payload.size() - 10;
  uint16_t version = static_cast<uint8_t>(payload[body]) |
                     static_cast<uint16_t>(static_cast<uint8_t>(payload[body + 1]) << 8);
  uint64_t crc = 0;
  for (int i = 7; i >= 0; --i) crc = (crc << 8) | static_cast<uint8_t>(payload[body + 2 + i]);
  if (version > kRdbVersion || Crc64(0, payload.substr(0, body + 2)) != crc) {
    return std::string(errors::kDumpPayloadBad);
  }
  std::vector<std::unique_ptr<Library>> loaded;
  auto free_all = [&] {
    for (auto& l : loaded) Free(l.get());
  };
  size_t pos = 0;
  while (body - pos > 0) {
    auto type = static_cast<uint8_t>(payload[pos++]);
    if (type != kRdbOpcodeFunction2) {
      free_all();
      return std::string(errors::kFunctionRestoreNotAFunction);
    }
    std::string code;
    if (!GetRdbString(payload.substr(0, body), &pos, &code)) {
      free_all();
      return std::string(errors::kFunctionRestoreBadPayload);
    }
    std::unique_ptr<Library> lib;
    std::string err = Create(code, /*replace=*/true, &lib);
    if (err.empty()) {
      for (const auto& other : loaded) {
        if (other->name == lib->name) err = errors::FunctionLibraryExists(lib->name);
        for (const auto& [fname, f] : lib->functions) {
          if (other->functions.count(fname)) err = errors::FunctionExists(fname);
        }
      }
      if (!err.empty()) Free(lib.get());
    }
    if (!err.empty()) {
      free_all();
      return err;
    }
    loaded.push_back(std::move(lib));
  }
  if (EqualsIgnoreCase(policy, "flush")) {
    Flush();
  } else {
    bool replace = EqualsIgnoreCase(policy, "replace");
    for (const auto& lib : loaded) {
      if (libraries_.count(lib->name) > 0 && !replace) {
        free_all();
        return errors::FunctionRestoreLibraryExists(lib->name);
      }
    }
    std::vector<std::unique_ptr<Library>> old;
    for (const auto& lib : loaded) {
      if (auto o = Unlink(lib->name)) old.push_back(std::move(o));
    }
    for (const auto& lib : loaded) {
      for (const auto& [fname, f] : lib->functions) {
        if (functions_.count(fname) > 0) {
          for (auto& o : old) Link(std::move(o));
          free_all();
          return errors::FunctionExists(fname);
        }
      }
    }
    for (auto& o : old) Free(o.get());
  }
  for (auto& lib : loaded) Link(std::move(lib));
  return "";
}

void FunctionEngine::Call(ClientState& caller, Args argv, std::string_view name, Args keys,
                          Args args, bool read_only, ReplyBuilder& reply) {
  auto it = functions_.find(name);
  if (it == functions_.end()) {
    reply.Error(errors::kFunctionNotFound);
    return;
  }
  const Function& f = *it->second;
  std::string_view err = lua::CheckDeclaredFlags(*engine_, f.flags, read_only);
  if (!err.empty()) {
    reply.Error(err);
    return;
  }
  RunningScript run;
  run.eval = false;
  run.read_only = read_only || (f.flags & lua::kScriptNoWrites);
  run.allow_oom = (f.flags & lua::kScriptAllowOom) != 0;
  run.name = f.name;
  lua_State* L = vm_->state();
  lua_settop(L, 0);
  lua::PushErrorHandler(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, f.ref);
  lua::PushStringArray(L, keys);
  lua::PushStringArray(L, args);
  lua::RunAndReply(L, vm_->interp(), run, caller, argv, 2, run.name, reply);
}

std::vector<std::string> FunctionEngine::LibraryCodes() const {
  std::vector<std::string> out;
  for (const auto& [name, lib] : libraries_) out.push_back(lib->code);
  return out;
}

}  // namespace racetrack::engine
