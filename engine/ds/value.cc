#include "engine/ds/value.h"

#include "engine/ds/alloc.h"
#include "engine/ds/util.h"

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

size_t Value::MemoryUsage() const {
  if (obj_) return sizeof(Value) + obj_->MemoryUsage();
  return sizeof(Value) + StringHeapBytes(str_);
}

std::string_view Value::Encoding() const {
  if (obj_) return obj_->Encoding();
  // Redis: "int" for integers that fit a long, "embstr" up to 44 bytes, else "raw".
  int64_t v;
  if (str_.size() <= 20 && ParseInt64(str_, &v)) return "int";
  return str_.size() <= 44 ? "embstr" : "raw";
}

Value Value::Clone() const {
  Value v;
  v.type_ = type_;
  v.str_ = str_;
  if (obj_) v.obj_ = obj_->Clone();
  v.access_clock = access_clock;
  return v;
}

}  // namespace racetrack::engine
