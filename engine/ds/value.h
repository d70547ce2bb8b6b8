// Value: what a key holds. Strings live inline (the common case, no extra allocation beyond the
// std::string itself); every other type is an Object subclass defined in its own file
// (hash.h, list.h, set.h, zset.h, stream.h, ...), so adding a type touches only the ObjType enum.
//
// Thread-safety: none; the engine is single-threaded (callers serialize).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace racetrack::engine {

enum class ObjType : uint8_t { kString, kList, kSet, kZSet, kHash, kStream };

// The name TYPE replies with ("string", "list", ...).
std::string_view TypeName(ObjType t);

class Object {
 public:
  virtual ~Object() = default;
  virtual ObjType type() const = 0;
  // Approximate heap bytes held by this object (for MEMORY USAGE, INFO memory, maxmemory).
  virtual size_t MemoryUsage() const = 0;
  // The name OBJECT ENCODING replies with ("listpack", "hashtable", "skiplist", ...).
  virtual std::string_view Encoding() const = 0;
  // A deep copy (COPY, snapshots).
  virtual std::unique_ptr<Object> Clone() const = 0;
};

class Value {
 public:
  Value() = default;
  explicit Value(std::string s) : str_(std::move(s)) {}
  explicit Value(std::unique_ptr<Object> obj) : obj_(std::move(obj)), type_(obj_->type()) {}
  Value(Value&&) noexcept = default;
  Value& operator=(Value&&) noexcept = default;

  ObjType type() const { return type_; }
  bool is_string() const { return type_ == ObjType::kString; }

  // REQUIRES: is_string().
  std::string& str() { return str_; }
  const std::string& str() const { return str_; }

  // REQUIRES: type() matches T's type.
  template <typename T>
  T* As() {
    return static_cast<T*>(obj_.get());
  }
  template <typename T>
  const T* As() const {
    return static_cast<const T*>(obj_.get());
  }
  Object* object() { return obj_.get(); }
  const Object* object() const { return obj_.get(); }

  size_t MemoryUsage() const;
  std::string_view Encoding() const;
  Value Clone() const;

 private:
  // Declared largest first so the two small fields (access_clock, type_) share one 8-byte word:
  // sizeof(Value) is 48, not 56, which moves a keyspace node (db.h) from glibc's 120-byte size
  // class to its 104-byte one.
  std::string str_;
  std::unique_ptr<Object> obj_;

 public:
  // Access metadata for eviction (maxmemory): last access in seconds (LRU) or a log counter (LFU).
  uint32_t access_clock = 0;

 private:
  ObjType type_ = ObjType::kString;
};

static_assert(sizeof(Value) == 48, "Value's fields are ordered to fit 48 bytes (see above)");

}  // namespace racetrack::engine
