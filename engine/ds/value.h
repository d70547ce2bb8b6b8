// Value: what a key holds, in 16 bytes. A string is stored as Redis 7.0 stores it in spirit — small
// ones without a separate allocation — and reports Redis's encoding names. A hash, a set or a
// sorted set is a one-word object kept inside the Value itself (its listpack / intset block or its
// table is the only allocation, as Redis's robj points straight at the listpack); every other type
// is an Object subclass defined in its own file (list.h, stream.h) behind an owning pointer.
//
// Layout (16 bytes, 8-aligned; the keyspace entry, engine/ds/keytable.h, embeds one):
//
//   offset 0           10    11    12            16
//          +-----------+-----+-----+-------------+
//          | payload   | len | tag | access_clock|
//          +-----------+-----+-----+-------------+
//   payload: a string of up to 10 bytes inline (len = its length), or an 8-byte owning pointer:
//            kBuffer -> malloc'd [uint32 length][bytes] of exactly that size (immutable text),
//            kString -> a heap std::string (text a command edits in place: APPEND, SETRANGE, HLL),
//            kObject -> an Object;
//            or, with storage kInline and type hash/set/zset, the Hash (hash.h), Set (set.h) or
//            ZSet (zset.h) object itself: one word, its encoding's block or table (an "embedded
//            object").
//   tag:     ObjType (3 bits) | storage (2 bits) | kRaw flag | kInt flag.
//
// Encodings (OBJECT ENCODING), as redis-server 7.0 answers them:
//   "int"    the text is a canonical 64-bit integer of at most 20 characters ("12345", not "0123",
//            "-0" or " 1"), set by SET/MSET/GETSET/INCR...; Redis stores the long itself, we keep the
//            text (inline up to 10 digits), which costs the same and serves GET without formatting;
//   "embstr" any other text of at most 44 bytes (Redis's robj+sds in one 64-byte jemalloc class);
//   "raw"    longer text, and any string a command edited in place (mutable_str(): APPEND,
//            SETRANGE, SETBIT, PFADD...), which Redis unshares into a separate sds first.
// INCRBYFLOAT's result is "embstr" even when it looks like an integer (Value::Embstr), as in Redis.
//
// Bytes: 16 for every string of at most 10 bytes (integers up to 10 digits included); else
// 16 + the allocator's size for 4 + length bytes; a string edited in place 16 + a std::string
// (40) + its buffer. Hashes, sets and sorted sets: 16 + their block (a 3-field hash: a 31-byte
// listpack, 40 B); other objects: 16 + Object::MemoryUsage().
//
// Embedded objects move with their Value (a move copies the word): a Hash*, Set* or ZSet* from As<>() is
// valid while that Value stays where it is — in a keyspace entry, until the key is deleted or
// overwritten.
//
// Thread-safety: none; the engine is single-threaded (callers serialize).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

namespace racetrack::engine {

class Hash;
class Set;
class ZSet;

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

class alignas(8) Value {
 public:
  // The longest string kept inside the Value itself.
  static constexpr size_t kInlineMax = 10;
  // Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
  static constexpr size_t kEmbstrMax = 44;

  // An empty string.
  Value() = default;
  // A string, encoded as SET would store it: "int" if it is a canonical integer, else by length.
  explicit Value(std::string_view s) { InitString(s, /*detect_int=*/true); }
  explicit Value(const std::string& s) : Value(std::string_view(s)) {}
  explicit Value(const char* s) : Value(std::string_view(s)) {}
  explicit Value(std::unique_ptr<Object> obj);
  // A hash, a set or a sorted set, moved into the Value itself (no allocation).
  explicit Value(Hash&& h);
  explicit Value(Set&& s);
  explicit Value(ZSet&& z);
  Value(Value&& o) noexcept { Steal(o); }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      Release();
      Steal(o);
    }
    return *this;
  }
  ~Value() { Release(); }

  // A string that never reports "int" (INCRBYFLOAT's result: Redis does not re-encode it).
  static Value Embstr(std::string_view s);
  // A string stored for in-place edits, encoding "raw" (Redis's createRawStringObject: PFADD's
  // new HyperLogLog). Takes the buffer without copying.
  static Value Raw(std::string s);
  // The decimal text of v, encoding "int".
  static Value FromInt(int64_t v);

  ObjType type() const { return static_cast<ObjType>(tag_ & kTypeMask); }
  bool is_string() const { return type() == ObjType::kString; }

  // The text. REQUIRES: is_string(). Valid until the value is changed or destroyed. (Returned
  // const so that `v->str() = x` does not compile: assign a new Value, or use mutable_str().)
  const std::string_view str() const {
    switch (storage()) {
      case kInline: return {payload_, len_};
      case kBuffer: {
        const char* b = ptr<char>();
        uint32_t n;
        std::memcpy(&n, b, sizeof(n));
        return {b + sizeof(n), n};
      }
      default: return *ptr<std::string>();
    }
  }
  // The text for editing in place; the encoding becomes "raw" (as Redis unshares it first).
  // REQUIRES: is_string(). The reference stays valid while the value holds this string.
  std::string& mutable_str();

  // REQUIRES: type() matches T's type.
  template <typename T>
  T* As() {
    if constexpr (std::is_base_of_v<Object, T>) {
      return static_cast<T*>(object());
    } else {
      return embedded<T>();
    }
  }
  template <typename T>
  const T* As() const {
    return const_cast<Value*>(this)->As<T>();
  }
  Object* object() { return storage() == kObject ? ptr<Object>() : nullptr; }
  const Object* object() const { return storage() == kObject ? ptr<Object>() : nullptr; }

  // sizeof(Value) plus the heap bytes this value owns (allocator sizes).
  size_t MemoryUsage() const;
  std::string_view Encoding() const;
  Value Clone() const;

 private:
  enum Storage : uint8_t { kInline = 0, kBuffer = 1, kString = 2, kObject = 3 };
  static constexpr uint8_t kTypeMask = 0x07;
  static constexpr int kStorageShift = 3;
  static constexpr uint8_t kStorageMask = 0x18;
  static constexpr uint8_t kRawFlag = 0x20;
  static constexpr uint8_t kIntFlag = 0x40;

  Storage storage() const { return static_cast<Storage>((tag_ & kStorageMask) >> kStorageShift); }
  bool is_embedded() const { return storage() == kInline && !is_string(); }
  // The Hash, Set or ZSet constructed in payload_ (placement new; Release destroys it).
  template <typename T>
  T* embedded() {
    static_assert(sizeof(T) <= kInlineMax && alignof(T) <= 8, "an embedded object fits the payload");
    return is_embedded() ? std::launder(reinterpret_cast<T*>(payload_)) : nullptr;
  }
  template <typename T>
  T* ptr() const {
    T* p;
    std::memcpy(&p, payload_, sizeof(p));
    return p;
  }
  void SetPtr(const void* p) { std::memcpy(payload_, &p, sizeof(p)); }
  void SetTag(ObjType t, Storage s, uint8_t flags) {
    tag_ = static_cast<uint8_t>(static_cast<uint8_t>(t) | (s << kStorageShift) | flags);
  }
  void InitString(std::string_view s, bool detect_int);
  void Steal(Value& o) noexcept {
    std::memcpy(payload_, o.payload_, sizeof(payload_));
    len_ = o.len_;
    tag_ = o.tag_;
    access_clock = o.access_clock;
    o.len_ = 0;
    o.tag_ = 0;  // an empty inline string: nothing to free
  }
  void Release();

  alignas(8) char payload_[kInlineMax] = {};
  uint8_t len_ = 0;  // inline string length
  uint8_t tag_ = 0;  // ObjType::kString, kInline, no flags

 public:
  // Access metadata for eviction (maxmemory): last access in seconds (LRU) or a log counter (LFU).
  uint32_t access_clock = 0;
};

static_assert(sizeof(Value) == 16, "Value's layout is drawn above: 16 bytes");

}  // namespace racetrack::engine
