#include "engine/ds/value.h"

#include <malloc.h>

#include <charconv>
#include <cstdlib>
#include <new>

#include "engine/ds/alloc.h"
#include "engine/ds/hash.h"
#include "engine/ds/set.h"
#include "engine/ds/util.h"
#include "engine/ds/zset.h"

namespace racetrack::engine {

std::string_view TypeName(ObjType t) {
  switch (t) {
    case ObjType::kString: return "string";
    case ObjType::kList: return "list";
    case ObjType::kSet: return "set";
    case ObjType::kZSet: return "zset";
    case ObjType::kHash: return "hash";
    case ObjType::kStream: return "stream";
  }
  return "none";
}

namespace {

// Redis's tryObjectEncoding test: at most 20 characters that string2l parses and would print back
// the same (so no sign "+", no leading zeros, no "-0", no spaces).
bool IsCanonicalInt(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  int64_t v;
  if (!ParseInt64(s, &v)) return false;
  char buf[24];
  char* end = buf + sizeof(buf);
  char* p = end;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0) *--p = '-';
  return std::string_view(p, static_cast<size_t>(end - p)) == s;
}

}  // namespace

Value::Value(std::unique_ptr<Object> obj) {
  ObjType t = obj->type();
  SetPtr(obj.release());
  SetTag(t, kObject, 0);
}

Value::Value(Hash&& h) {
  new (payload_) Hash(std::move(h));
  SetTag(ObjType::kHash, kInline, 0);
}

Value::Value(Set&& s) {
  new (payload_) Set(std::move(s));
  SetTag(ObjType::kSet, kInline, 0);
}

Value::Value(ZSet&& z) {
  new (payload_) ZSet(std::move(z));
  SetTag(ObjType::kZSet, kInline, 0);
}

void Value::InitString(std::string_view s, bool detect_int) {
  uint8_t flags = detect_int && IsCanonicalInt(s) ? kIntFlag : 0;
  if (s.size() <= kInlineMax) {
    if (!s.empty()) std::memcpy(payload_, s.data(), s.size());
    len_ = static_cast<uint8_t>(s.size());
    SetTag(ObjType::kString, kInline, flags);
    return;
  }
  // One exact-size block: the allocator's size class is the only slack (Redis's embstr idea).
  uint32_t n = static_cast<uint32_t>(s.size());
  char* b = static_cast<char*>(std::malloc(sizeof(n) + s.size()));
  if (b == nullptr) throw std::bad_alloc();
  std::memcpy(b, &n, sizeof(n));
  std::memcpy(b + sizeof(n), s.data(), s.size());
  SetPtr(b);
  SetTag(ObjType::kString, kBuffer, flags);
}

Value Value::Embstr(std::string_view s) {
  Value v;
  v.InitString(s, /*detect_int=*/false);
  return v;
}

Value Value::Raw(std::string s) {
  Value v;
  v.SetPtr(new std::string(std::move(s)));
  v.SetTag(ObjType::kString, kString, kRawFlag);
  return v;
}

Value Value::FromInt(int64_t v) {
  // std::to_chars prints the canonical form (no '+', no leading zeros, no "-0"), so the "int"
  // encoding is known without IsCanonicalInt's parse and re-print (INCR's hot path).
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  Value out;
  out.InitString(std::string_view(buf, static_cast<size_t>(end - buf)), /*detect_int=*/false);
  out.tag_ |= kIntFlag;
  return out;
}

std::string& Value::mutable_str() {
  if (storage() != kString) {
    auto* s = new std::string(str());
    Release();
    SetPtr(s);
  }
  SetTag(ObjType::kString, kString, kRawFlag);
  return *ptr<std::string>();
}

void Value::Release() {
  switch (storage()) {
    case kInline:
      if (type() == ObjType::kHash) embedded<Hash>()->~Hash();
      if (type() == ObjType::kSet) embedded<Set>()->~Set();
      if (type() == ObjType::kZSet) embedded<ZSet>()->~ZSet();
      break;
    case kBuffer: std::free(ptr<char>()); break;
    case kString: delete ptr<std::string>(); break;
    case kObject: delete ptr<Object>(); break;
  }
  len_ = 0;
  tag_ = 0;
}

size_t Value::MemoryUsage() const {
  switch (storage()) {
    case kInline:
      if (type() == ObjType::kHash) return sizeof(Value) + As<Hash>()->MemoryUsage();
      if (type() == ObjType::kSet) return sizeof(Value) + As<Set>()->MemoryUsage();
      if (type() == ObjType::kZSet) return sizeof(Value) + As<ZSet>()->MemoryUsage();
      return sizeof(Value);
    case kBuffer: return sizeof(Value) + malloc_usable_size(ptr<char>());
    case kString: {
      const std::string* s = ptr<std::string>();
      return sizeof(Value) + AllocSize(sizeof(std::string)) + StringHeapBytes(*s);
    }
    case kObject: return sizeof(Value) + ptr<Object>()->MemoryUsage();
  }
  return sizeof(Value);
}

std::string_view Value::Encoding() const {
  if (storage() == kObject) return ptr<Object>()->Encoding();
  if (type() == ObjType::kHash) return As<Hash>()->Encoding();
  if (type() == ObjType::kSet) return As<Set>()->Encoding();
  if (type() == ObjType::kZSet) return As<ZSet>()->Encoding();
  if (tag_ & kRawFlag) return "raw";
  if (tag_ & kIntFlag) return "int";
  return str().size() <= kEmbstrMax ? "embstr" : "raw";
}

Value Value::Clone() const {
  Value v;
  switch (storage()) {
    case kInline:
      if (type() == ObjType::kHash) {
        v = Value(As<Hash>()->Clone());
        break;
      }
      if (type() == ObjType::kSet) {
        v = Value(As<Set>()->Clone());
        break;
      }
      if (type() == ObjType::kZSet) {
        v = Value(As<ZSet>()->Clone());
        break;
      }
      [[fallthrough]];
    case kBuffer:
      v.InitString(str(), /*detect_int=*/false);
      v.tag_ = static_cast<uint8_t>((v.tag_ & (kTypeMask | kStorageMask)) |
                                    (tag_ & (kRawFlag | kIntFlag)));
      break;
    case kString: v = Raw(*ptr<std::string>()); break;
    case kObject: v = Value(ptr<Object>()->Clone()); break;
  }
  v.access_clock = access_clock;
  return v;
}

}  // namespace racetrack::engine
